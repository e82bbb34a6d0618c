// The documented MAX messages shared by every test (../shared/fixtures beside the repository,
// the same files the Rust tests in tests/fixtures.rs read).

import { readFileSync } from "node:fs";

const directory = new URL("../../../shared/fixtures/", import.meta.url);

function jsonLines(name) {
  return readFileSync(new URL(name, directory), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/** `{ name, wire }` for every server message the documentation shows. */
export const inbound = jsonLines("inbound.jsonl");

/** `{ name, wire }` for every client request the documentation shows. */
export const outbound = jsonLines("outbound.jsonl");

/** `{ secret, nonce, signature }`: one documented auth signature. */
export const hmac = JSON.parse(readFileSync(new URL("hmac.json", directory), "utf8"));

/** The wire object of the fixture called `name`. */
export function inboundWire(name) {
  const entry = inbound.find((fixture) => fixture.name === name);
  if (!entry) throw new Error(`no inbound fixture named ${name}`);
  return structuredClone(entry.wire);
}
