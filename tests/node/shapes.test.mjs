// The generated builders keep one object of each shape they build (js/generated/readers.js), so a
// full GC leaves V8's optimized code for them in place: without that, each full GC that finds no
// decoded object alive deoptimized every builder (bench/compare.mjs, which collects before each
// timed run, measured Response.parse 0.71x JSON.parse on mixed frames; 0.83x with the shapes
// kept: BENCHMARKS.md, "Targets"). What is checked is V8's own record of the code it throws away,
// not a time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./support/gc-deopts.mjs", import.meta.url));

/** The functions whose optimized code a GC discarded, as V8 names them. */
function discardedByGc(trace) {
  const names = [];
  for (const line of trace.split("\n")) {
    const discarded = /^\[marking dependent code .*<SharedFunctionInfo ?([^>]*)>.*reason: weak objects\]/.exec(line);
    if (discarded) names.push(discarded[1]);
  }
  return names;
}

test("a full GC keeps the decoded objects' builders optimized", () => {
  const trace = execFileSync(process.execPath, ["--expose-gc", "--trace-deopt", CHILD], { encoding: "utf8" });
  assert.match(trace, /^decoded \d+$/m, "the child decoded the frames");
  const discarded = discardedByGc(trace);
  // This V8 does discard code whose objects' maps all died: the control builder's.
  assert.ok(discarded.includes("ControlShape"), `the control was not deoptimized: is --trace-deopt's format still the same?\n${trace.slice(0, 2000)}`);
  const builders = discarded.filter((name) => name !== "ControlShape" && name !== "decodeAll" && name !== "");
  assert.deepEqual(builders, [], "optimized code of these builders was discarded by a GC");
});
