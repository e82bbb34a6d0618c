// Run by tests/node/shapes.test.mjs as `node --expose-gc --trace-deopt gc-deopts.mjs`: decodes
// every documented message until V8 has optimized the builders, keeps no result, runs a full GC,
// decodes again, and prints "decoded N" on stdout. V8 prints on stdout, beside it, each
// function whose optimized code a GC throws away ("marking dependent code ... reason: weak objects").
//
// A control builder with two shapes of plain objects, none kept, shows that this V8 does so for
// code whose objects' maps die.

import { Response } from "maicoin-ws";
import { documentedMessages } from "../../support/fixtures.mjs";

function ControlShape(i) {
  this.a = i;
  if (i & 1) this.b = i;
  this.c = i;
}
ControlShape.prototype = Object.prototype;

const frames = documentedMessages();
let decoded = 0;
let sink = null;
function decodeAll(rounds) {
  for (let round = 0; round < rounds; round++) {
    for (const frame of frames) {
      sink = Response.parse(frame);
      decoded++;
    }
    for (let i = 0; i < 64; i++) sink = new ControlShape(i);
  }
}

decodeAll(3000);
sink = null;
globalThis.gc();
decodeAll(10);
console.log(`decoded ${decoded}`);
