// The documented MAX messages (tests/fixtures/), read once for every consumer: the Node and
// browser tests, the benchmarks' corpora and the fuzz seeds. tests/fixtures.rs reads the same
// files for the Rust tests.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the fixture files, as a path. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

function jsonLines(name) {
  return readFileSync(join(FIXTURES, name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/** `{ name, wire }` for every server message the documentation shows. */
export const inbound = jsonLines("inbound.jsonl");

/** `{ name, wire }` for every client request the documentation shows. */
export const outbound = jsonLines("outbound.jsonl");

/** `{ secret, nonce, signature }`: one documented auth signature. */
export const hmac = JSON.parse(readFileSync(join(FIXTURES, "hmac.json"), "utf8"));

/** The wire object of the fixture called `name` (a copy: callers may change it). */
export function inboundWire(name) {
  const entry = inbound.find((fixture) => fixture.name === name);
  if (!entry) throw new Error(`no inbound fixture named ${name}`);
  return structuredClone(entry.wire);
}

/** The documented server messages, in order, as wire text. */
export function documentedMessages() {
  return inbound.map(({ wire }) => JSON.stringify(wire));
}
