// Names the wasm's functions so that wasm-opt's --reorder-functions-by-name lays out similar
// functions side by side: gzip (and brotli) find repeats only within a window (32 KB for gzip),
// so monomorphized copies of one generic spread over the code section compress far less well
// than the same copies in a row (about 1 % of the gzipped wasm).
//
//   node scripts/function-order.mjs OPTIMIZED.wasm INPUT.wasm OUTPUT.wasm
//
// OPTIMIZED is INPUT after wasm-opt with its names kept (-g): the order is computed on the code
// that ships. OUTPUT is INPUT with each function renamed "<rank> <name>", rank its place in a
// greedy chain that always takes next the unplaced function sharing the most byte sequences with
// the last placed one. scripts/build then runs the real wasm-opt on OUTPUT with
// --reorder-functions-by-name before --strip-debug. Only names change here; wasm-opt moves the
// functions and renumbers every reference, so a poor order costs bytes, never correctness.

import { readFileSync, writeFileSync } from "node:fs";

const [optimizedFile, inputFile, outputFile] = process.argv.slice(2);
if (!outputFile) {
  console.error("usage: node scripts/function-order.mjs OPTIMIZED.wasm INPUT.wasm OUTPUT.wasm");
  process.exit(2);
}

function fail(message) {
  throw new Error(`[function-order] ${message}`);
}

function readU32(bytes, at) {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = bytes[at.at++];
    if (b === undefined) fail("the wasm ends inside a number");
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return value;
  }
  return fail("an overlong LEB128 number");
}

function readName(bytes, at) {
  const length = readU32(bytes, at);
  const text = new TextDecoder().decode(bytes.subarray(at.at, at.at + length));
  at.at += length;
  return text;
}

function u32Bytes(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

/** Sections ({ id, name, header, start, end }), function bodies, and function names by index. */
function parse(bytes) {
  const sections = [];
  const at = { at: 8 };
  while (at.at < bytes.length) {
    const header = at.at;
    const id = bytes[at.at++];
    const size = readU32(bytes, at);
    const start = at.at;
    const end = start + size;
    if (end > bytes.length) fail(`section ${id} runs past the end`);
    const name = id === 0 ? readName(bytes, at) : null;
    sections.push({ id, name, header, start, end });
    at.at = end;
  }
  let imported = 0;
  const bodies = [];
  const names = new Map();
  for (const { id, name, start, end } of sections) {
    const r = { at: start };
    if (id === 2) {
      for (let i = 0, count = readU32(bytes, r); i < count; i++) {
        readName(bytes, r);
        readName(bytes, r);
        const kind = bytes[r.at++];
        if (kind !== 0) fail("only function imports are expected");
        readU32(bytes, r);
        imported++;
      }
    } else if (id === 10) {
      for (let i = 0, count = readU32(bytes, r); i < count; i++) {
        const size = readU32(bytes, r);
        bodies.push(bytes.subarray(r.at, r.at + size));
        r.at += size;
      }
    } else if (id === 0 && name === "name") {
      readName(bytes, r);
      while (r.at < end) {
        const sub = bytes[r.at++];
        const size = readU32(bytes, r);
        const subEnd = r.at + size;
        if (sub === 1) {
          for (let i = 0, count = readU32(bytes, r); i < count; i++) {
            const index = readU32(bytes, r);
            names.set(index, readName(bytes, r));
          }
        }
        r.at = subEnd;
      }
    }
  }
  return { sections, imported, bodies, names };
}

/** The hashes of every 6-byte run of a body: what gzip could match between two bodies. */
function runs(body) {
  const set = new Set();
  for (let i = 0; i + 6 <= body.length; i++) {
    let h = 0;
    for (let j = 0; j < 6; j++) h = (Math.imul(h, 31) + body[i + j]) | 0;
    set.add(h);
  }
  return set;
}

/** Body indices in chain order, from the first function (the order is deterministic). */
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
  for (let current = 0; left.size; ) {
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
for (const [index, name] of entries) {
  const utf8 = new TextEncoder().encode(name);
  functionNames.push(...u32Bytes(index), ...u32Bytes(utf8.length), ...utf8);
}
const label = new TextEncoder().encode("name");
const payload = [...u32Bytes(label.length), ...label, 1, ...u32Bytes(functionNames.length), ...functionNames];
// The input's own name section is left out; the new one goes last, where names belong.
const kept = input.sections.filter((s) => !(s.id === 0 && s.name === "name")).map((s) => inputBytes.subarray(s.header, s.end));
writeFileSync(outputFile, Buffer.concat([inputBytes.subarray(0, 8), ...kept, Uint8Array.of(0, ...u32Bytes(payload.length), ...payload)]));
console.log(`[function-order] ${rankOf.size} of ${input.bodies.length} functions ranked by similarity`);
