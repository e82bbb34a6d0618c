// Decode throughput: messages per second of Response.parse against bare JSON.parse of the same
// strings in the same process (the machines are noisy, so only that ratio means much), the median
// of several rounds after a warm-up. Runs in several processes because V8 may pretenure the
// result objects in some processes and not others, and prints the spread.
//
//   node bench/decode.mjs [--processes 3] [--rounds 5] [--frames 200000]
//
// A/B of two builds: `--against DIR`, DIR a staged copy of the package (its js/ and pkg/, e.g.
// another branch's). Each build runs in processes of its own (two builds loaded in one process
// do not run alike: the first loaded ran 4-11 % faster than an identical copy loaded second),
// the builds' processes alternating, and each process times JSON.parse, Response.parse, the
// official client's message path and the package's own (a Stream fed by a socket double, its
// handler getting each Response: the like-for-like counterpart of the official client's path) on
// the same chunks of frames in turn, keeping each chunk's
// fastest CPU time (user + system) over the rounds: on a loaded machine, time spent descheduled
// is not counted, and the best of a few tries is what the code costs.
//   node --expose-gc bench/decode.mjs --against target/bench/main-package [--processes 3] [--rounds 3]

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

import { bookFrames, mixedCorpus, mixedFrames } from "./lib/corpus.mjs";
import { FeedSocket, until } from "./lib/feed-socket.mjs";

const { values: options } = parseArgs({
  options: {
    processes: { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    frames: { type: "string", default: "200000" },
    child: { type: "boolean", default: false },
    against: { type: "string" },
    package: { type: "string" },
    chunks: { type: "boolean", default: false },
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

/** Loads the package at `dir` (a staged copy with js/ and pkg/), or this checkout's. */
async function loadPackage(dir) {
  // A relative DIR is the caller's: resolved here, since a file URL cannot be relative.
  return import(dir ? pathToFileURL(resolve(dir, "js/node.js")).href : "maicoin-ws");
}

const BATCH = 256; // frames per delivery to the stream: what one socket read might carry

/**
 * The package's own message path, the counterpart of the official client's: frames delivered to
 * a Stream's socket as message events (FeedSocket), decoded in batches, handed to a handler.
 * Returns an async `run(frames, from, to)`.
 */
async function streamPath(Stream) {
  let socket = null;
  let handled = 0;
  const stream = new Stream({ uri: "ws://feed.invalid/ws", reconnect: false, connectFactory: () => (socket = new FeedSocket()) });
  stream.addHandler((response) => {
    handled += 1;
    sink += response === null ? 1 : 0;
  });
  const ending = stream.run();
  await until(() => socket !== null, "the stream to create its socket");
  socket.open();
  const run = async (frames, from, to) => {
    for (let i = from; i < to; i += BATCH) {
      const end = Math.min(i + BATCH, to);
      const target = handled + (end - i);
      for (let j = i; j < end; j++) socket.deliver(frames[j]);
      await until(() => handled >= target, "the stream's handler");
    }
  };
  const close = async () => {
    stream.close();
    await ending;
  };
  return { run, close };
}

/** A/B child: per corpus, each chunk's best CPU time of each contender over `rounds` rounds. */
async function measureChunks(dir) {
  const { Response, Stream } = await loadPackage(dir);
  const official = await import("./lib/official/index.mjs");
  const chunk = 10_000;
  const corpora = { mixed: mixedCorpus(frameCount).frames, "mixed, own T": mixedFrames(frameCount), book: bookFrames(frameCount) };
  const results = {};
  for (const [name, frames] of Object.entries(corpora)) {
    const connection = official.officialConnection();
    const stream = await streamPath(Stream);
    const contenders = {
      "JSON.parse": (from, to) => {
        for (let i = from; i < to; i++) sink += JSON.parse(frames[i]) === null ? 1 : 0;
      },
      "Response.parse": (from, to) => {
        for (let i = from; i < to; i++) sink += Response.parse(frames[i]) === null ? 1 : 0;
      },
      official: (from, to) => {
        const { deliver, counts } = connection;
        official.quietly(counts, () => {
          for (let i = from; i < to; i++) deliver(frames[i]);
        });
      },
      stream: (from, to) => stream.run(frames, from, to),
    };
    // The book corpus is updates without a snapshot: the official client only warns on them.
    if (name === "book") delete contenders.official;
    const names = Object.keys(contenders);
    for (const run of Object.values(contenders)) await run(0, frames.length);
    const best = Object.fromEntries(names.map((n) => [n, []]));
    const chunks = Math.ceil(frames.length / chunk);
    for (let round = 0; round < rounds; round++) {
      for (let c = 0; c < chunks; c++) {
        for (let k = 0; k < names.length; k++) {
          const contender = names[(k + c + round) % names.length];
          const before = process.cpuUsage();
          await contenders[contender](c * chunk, Math.min(frames.length, (c + 1) * chunk));
          const used = process.cpuUsage(before);
          const ms = (used.user + used.system) / 1000;
          best[contender][c] = Math.min(best[contender][c] ?? Infinity, ms);
        }
      }
    }
    connection.close();
    await stream.close();
    const total = (n) => best[n].reduce((sum, ms) => sum + ms, 0);
    results[name] = {
      json: total("JSON.parse") / total("Response.parse"),
      official: best.official ? total("official") / total("Response.parse") : null,
      streamJson: total("JSON.parse") / total("stream"),
      streamOfficial: best.official ? total("official") / total("stream") : null,
      nsPerFrame: (1e6 * total("Response.parse")) / frames.length,
    };
  }
  return results;
}

/** A/B parent: alternating processes of this checkout's build and `against`'s. */
function compareBuilds(against) {
  const builds = { this: undefined, against };
  const runs = { this: [], against: [] };
  const processes = Number(options.processes);
  for (let index = 0; index < processes; index++) {
    const order = index % 2 ? ["against", "this"] : ["this", "against"];
    for (const build of order) {
      const args = [...process.execArgv, fileURLToPath(import.meta.url), "--child", "--chunks", "--rounds", String(rounds), "--frames", String(frameCount)];
      if (builds[build]) args.push("--package", builds[build]);
      const output = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
      runs[build].push(JSON.parse(output.trim().split("\n").pop()));
    }
  }
  console.log(`A/B: this checkout against ${against}; ${processes} processes each, ${rounds} rounds, best CPU time per chunk of 10,000 frames\n`);
  console.log("| corpus | build | Response.parse × JSON.parse (per process) | × official | ns per frame | stream path × JSON.parse | stream path × official |");
  console.log("|---|---|---|---|---|---|---|");
  const cell = (values) => `${median(values).toFixed(2)}× (${values.map((v) => v.toFixed(2)).join(", ")})`;
  const optional = (rows, key) => (rows[0][key] === null || rows[0][key] === undefined ? "—" : cell(rows.map((r) => r[key])));
  for (const corpus of Object.keys(runs.this[0])) {
    for (const build of ["against", "this"]) {
      const rows = runs[build].map((run) => run[corpus]);
      const cells = [cell(rows.map((r) => r.json)), optional(rows, "official"), Math.round(median(rows.map((r) => r.nsPerFrame))), optional(rows, "streamJson"), optional(rows, "streamOfficial")];
      console.log(`| ${corpus} | ${build} | ${cells.join(" | ")} |`);
    }
    // Each build against JSON.parse timed in its own process, then the two ratios divided: the
    // machine's state of the moment cancels.
    const ratio = (key) => (i) => runs.this[i][corpus][key] / runs.against[i][corpus][key];
    const streamRatio = runs.against[0][corpus].streamJson ? cell(runs.this.map((_, i) => ratio("streamJson")(i))) : "";
    console.log(`| ${corpus} | this ÷ against | ${cell(runs.this.map((_, i) => ratio("json")(i)))} | | | ${streamRatio} | |`);
  }
}

if (options.child && options.chunks) {
  console.log(JSON.stringify(await measureChunks(options.package)));
} else if (options.child) {
  console.log(JSON.stringify(await measure()));
} else if (options.against) {
  compareBuilds(options.against);
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
