// Decode throughput: messages per second of Response.parse against bare JSON.parse of the same
// strings in the same process (the machines are noisy, so only that ratio means much), the median
// of several rounds after a warm-up. Runs in several processes because V8 may pretenure the
// result objects in some processes and not others, and prints the spread.
//
//   node bench/decode.mjs [--processes 3] [--rounds 5] [--frames 200000]

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

import { bookFrames, mixedFrames } from "./lib/corpus.mjs";

const { values: options } = parseArgs({
  options: {
    processes: { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    frames: { type: "string", default: "200000" },
    child: { type: "boolean", default: false },
  },
});
const rounds = Number(options.rounds);
const frameCount = Number(options.frames);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Something read from every result, so no decode can be optimized away.
let sink = 0;

/** Messages per second of `decode` over all `frames`, in one pass. */
function rate(decode, frames) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < frames.length; i++) sink += decode(frames[i]) === null ? 1 : 0;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return frames.length / seconds;
}

/** One process's measurement of each corpus: medians of `rounds` rounds after a warm-up pass. */
async function measure() {
  const { Response } = await import("maicoin-ws");
  const corpora = { mixed: mixedFrames(frameCount), book: bookFrames(frameCount) };
  const results = {};
  for (const [name, frames] of Object.entries(corpora)) {
    rate(JSON.parse, frames);
    rate(Response.parse, frames);
    const json = [];
    const ours = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs right after a GC the other caused.
      if (round % 2) {
        ours.push(rate(Response.parse, frames));
        json.push(rate(JSON.parse, frames));
      } else {
        json.push(rate(JSON.parse, frames));
        ours.push(rate(Response.parse, frames));
      }
    }
    results[name] = { frames: frames.length, response: median(ours), json: median(json), ratio: median(ours.map((r, i) => r / json[i])) };
  }
  return results;
}

const thousands = (n) => Math.round(n).toLocaleString("en-US");
const pad = (text, width) => String(text).padStart(width);

function printTable(rows) {
  console.log(`${"process".padEnd(8)} ${"corpus".padEnd(7)} ${pad("frames", 8)} ${pad("Response.parse msg/s", 21)} ${pad("JSON.parse msg/s", 17)} ${pad("ratio", 7)}`);
  for (const { process: index, corpus, frames, response, json, ratio } of rows) {
    console.log(`${String(index).padEnd(8)} ${corpus.padEnd(7)} ${pad(thousands(frames), 8)} ${pad(thousands(response), 21)} ${pad(thousands(json), 17)} ${pad(`${ratio.toFixed(2)}×`, 7)}`);
  }
}

function printSpread(rows) {
  console.log("\nspread over processes (ratio = Response.parse / JSON.parse, per-round median):");
  for (const corpus of new Set(rows.map((row) => row.corpus))) {
    const ratios = rows.filter((row) => row.corpus === corpus).map((row) => row.ratio);
    const low = Math.min(...ratios);
    const high = Math.max(...ratios);
    console.log(`  ${corpus.padEnd(6)} median ${median(ratios).toFixed(2)}×, min ${low.toFixed(2)}×, max ${high.toFixed(2)}× (spread ${(100 * (high - low) / median(ratios)).toFixed(0)} %)`);
  }
}

function printWasmSize() {
  const wasm = readFileSync(new URL("../pkg/maicoin_ws_bg.wasm", import.meta.url));
  console.log(`\npkg/maicoin_ws_bg.wasm: ${thousands(wasm.length)} bytes, ${thousands(gzipSync(wasm, { level: 9 }).length)} gzipped (zlib level 9)`);
}

if (options.child) {
  console.log(JSON.stringify(await measure()));
} else {
  const processes = Number(options.processes);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${new Date().toISOString()}`);
  console.log(`${frameCount} frames per corpus, median of ${rounds} rounds after a warm-up, ${processes} processes\n`);
  const rows = [];
  for (let index = 1; index <= processes; index++) {
    // A fresh process each time: each gets its own heap and its own pretenuring decisions.
    const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", "--rounds", String(rounds), "--frames", String(frameCount)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    for (const [corpus, result] of Object.entries(JSON.parse(output))) rows.push({ process: index, corpus, ...result });
  }
  printTable(rows);
  if (processes > 1) printSpread(rows);
  printWasmSize();
}

if (sink < 0) console.log(sink);
