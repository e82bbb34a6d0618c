// Names the wasm's functions so that wasm-opt's --reorder-functions-by-name lays out similar
// functions side by side: gzip (and brotli) find repeats only within a window (32 KB for gzip),
// so monomorphized copies of one generic spread over the code section compress far less well
// than the same copies in a row (about 1 % of the gzipped wasm).
//
//   node scripts/function-order.mjs [--run N] [--start K] OPTIMIZED.wasm INPUT.wasm OUTPUT.wasm
//
// OPTIMIZED is INPUT after wasm-opt with its names kept (-g): the order is computed on the code
// that ships (INPUT may be OPTIMIZED itself). OUTPUT is INPUT with each function renamed
// "<rank> <name>", rank its place in a greedy chain that always takes next the unplaced function
// sharing the most byte sequences of length N (default 6) with the last placed one, from the K-th
// function (default 0: which start makes the best chain is as erratic as N). scripts/build
// then runs wasm-opt on OUTPUT with --reorder-functions-by-name before --strip-debug. Only names
// change here; wasm-opt moves the functions and renumbers every reference, so a poor order costs
// bytes, never correctness.

import { readFileSync, writeFileSync } from "node:fs";

import { Reader, nameBytes, sectionBytes, sections, u32Bytes } from "./wasm-binary.mjs";

const args = process.argv.slice(2);
const RUN = args[0] === "--run" ? Number(args.splice(0, 2)[1]) : 6;
const START = args[0] === "--start" ? Number(args.splice(0, 2)[1]) : 0;
const [optimizedFile, inputFile, outputFile] = args;
if (!outputFile || !(Number.isInteger(RUN) && RUN >= 2 && RUN <= 16) || !(Number.isInteger(START) && START >= 0)) {
  console.error("usage: node scripts/function-order.mjs [--run N (2-16)] [--start K (>= 0)] OPTIMIZED.wasm INPUT.wasm OUTPUT.wasm");
  process.exit(2);
}

function fail(message) {
  throw new Error(`[function-order] ${message}`);
}

/** Sections, function bodies, and function names by index (from the "name" section). */
function parse(bytes) {
  const list = sections(bytes);
  let imported = 0;
  const bodies = [];
  const names = new Map();
  for (const { id, name, start, end } of list) {
    const r = new Reader(bytes, start);
    if (id === 2) {
      for (let i = 0, count = r.u32(); i < count; i++) {
        r.name();
        r.name();
        if (r.byte() !== 0) fail("only function imports are expected");
        r.u32();
        imported++;
      }
    } else if (id === 10) {
      for (let i = 0, count = r.u32(); i < count; i++) {
        const size = r.u32();
        bodies.push(bytes.subarray(r.at, r.at + size));
        r.at += size;
      }
    } else if (id === 0 && name === "name") {
      r.name();
      while (r.at < end) {
        const sub = r.byte();
        const size = r.u32();
        const subEnd = r.at + size;
        if (sub === 1) {
          for (let i = 0, count = r.u32(); i < count; i++) {
            const index = r.u32();
            names.set(index, r.name());
          }
        }
        r.at = subEnd;
      }
    }
  }
  return { sections: list, imported, bodies, names };
}

/** The hashes of every RUN-byte run of a body: what gzip could match between two bodies. */
function runs(body) {
  const set = new Set();
  for (let i = 0; i + RUN <= body.length; i++) {
    let h = 0;
    for (let j = 0; j < RUN; j++) h = (Math.imul(h, 31) + body[i + j]) | 0;
    set.add(h);
  }
  return set;
}

/** Body indices in chain order, from the START-th function (the order is deterministic). */
function chain(bodies) {
  const sets = bodies.map(runs);
  const shared = (a, b) => {
    const [small, large] = a.size < b.size ? [a, b] : [b, a];
    let count = 0;
    for (const h of small) if (large.has(h)) count++;
    return count;
  };
  const left = new Set(bodies.keys());
  const order = [];
  for (let current = START % bodies.length; left.size; ) {
    left.delete(current);
    order.push(current);
    let best = -1;
    let bestScore = -1;
    for (const candidate of left) {
      // Normalized by the candidate's size, so that a large function does not win by size alone.
      const score = shared(sets[current], sets[candidate]) / Math.sqrt(sets[candidate].size + 1);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
    current = best;
  }
  return order;
}

const optimized = parse(readFileSync(optimizedFile));
if (optimized.names.size === 0) fail(`${optimizedFile} has no function names: run wasm-opt with -g`);
const rankOf = new Map();
chain(optimized.bodies).forEach((body, rank) => {
  const name = optimized.names.get(optimized.imported + body);
  // A name listed twice cannot say which function it is: both keep the first rank.
  if (name !== undefined && !rankOf.has(name)) rankOf.set(name, rank);
});

const inputBytes = readFileSync(inputFile);
const input = parse(inputBytes);
const width = String(input.bodies.length).length;
const entries = [];
for (let index = input.imported; index < input.imported + input.bodies.length; index++) {
  const name = input.names.get(index) ?? `function ${index}`;
  // Functions that the optimizer removed or inlined rank last, by their old place.
  const rank = rankOf.get(name) ?? input.bodies.length + (index - input.imported);
  entries.push([index, `${String(rank).padStart(width + 1, "0")} ${name}`]);
}
const functionNames = [...u32Bytes(entries.length)];
for (const [index, name] of entries) functionNames.push(...u32Bytes(index), ...nameBytes(name));
const payload = [...nameBytes("name"), 1, ...u32Bytes(functionNames.length), ...functionNames];
// The input's own name section is left out; the new one goes last, where names belong.
const kept = input.sections.filter((s) => !(s.id === 0 && s.name === "name")).map((s) => inputBytes.subarray(s.header, s.end));
writeFileSync(outputFile, Buffer.concat([inputBytes.subarray(0, 8), ...kept, sectionBytes(0, payload)]));
console.log(`[function-order] ${rankOf.size} of ${input.bodies.length} functions ranked by similarity of ${RUN}-byte runs`);
