// The package against what a user would pick instead, each figure a ratio within one run:
//   1. messages/s: Response.parse and the official client max-exchange-api-node's own message
//      path (driven offline, lib/official/) against bare JSON.parse of the same frames, on every
//      documented message (tests/fixtures/inbound.jsonl cycled to 200,000), on public trades and
//      on depth-20 book updates (both recorded from the simulator);
//   2. import of the package in fresh Node processes, alone and with the first Response.parse
//      (which compiles the wasm), against importing a plain JSON module as large as the wasm (and
//      against reading and parsing that file);
//   3. the size of the wasm, raw, gzipped and brotli'd;
//   4. memory over 1M messages: heap, RSS and wasm memory before and after, results short-lived.
//
//   node bench/compare.mjs [--processes 3] [--rounds 5] [--imports 15] [--only throughput,import,size,memory]
// BENCH_PACKAGE=DIR measures a staged copy of the package (e.g. a size build) instead.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";

import { CACHE, bookCorpus, documentedMessages, mixedCorpus, tradeCorpus } from "./lib/corpus.mjs";
import { fmt, inProcesses, loadPackage, machineLine, median, options, pairRatio, summarize, table, timeRounds } from "./lib/measure.mjs";
import { streamBook, until } from "./lib/feed-socket.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = process.env.BENCH_PACKAGE ?? ROOT;
const WASM = join(PACKAGE, "pkg", "maicoin_ws_bg.wasm");
const opts = options();
const arg = (name, fallback) => {
  const at = opts.argv.indexOf(`--${name}`);
  return at >= 0 ? opts.argv[at + 1] : fallback;
};
const MILLION = 1_000_000;
const only = new Set(arg("only", "throughput,import,size,memory").split(","));

if (opts.child) {
  const task = arg("task", "throughput");
  if (task === "throughput") console.log(JSON.stringify(await throughputChild()));
  else if (task === "memory") console.log(JSON.stringify(await memoryChild(arg("scenario"))));
} else {
  console.log(`# maicoin-ws against the alternatives`);
  console.log(machineLine());
  if (process.env.BENCH_PACKAGE) console.log(`package: ${process.env.BENCH_PACKAGE}`);
  if (only.has("throughput")) await throughput();
  if (only.has("import")) importTime(Number(arg("imports", 15)));
  if (only.has("size")) size();
  if (only.has("memory")) memory();
}

// ---------------------------------------------------------------------------------------------
// 1. Messages per second

/** The documented messages the official client handles: those it prints no warning or error for. */
function handledByOfficial(officialConnection, quietly) {
  const connection = officialConnection();
  const handled = new Set();
  for (const text of documentedMessages()) {
    const { counts } = connection;
    const before = counts.warnings + counts.errors;
    quietly(counts, () => connection.deliver(text));
    if (counts.warnings + counts.errors === before) handled.add(text);
  }
  connection.close();
  return handled;
}

async function corpora(official) {
  const handled = handledByOfficial(official.officialConnection, official.quietly);
  const mixed = mixedCorpus(200_000);
  const mixedHandled = mixedCorpus(200_000, (text) => handled.has(text));
  const trades = await tradeCorpus(200_000);
  const book = await bookCorpus(200_000, 20);
  return [
    { name: "mixed", frames: mixed.frames, first: null },
    { name: `mixed, ${handled.size} kinds`, frames: mixedHandled.frames, first: null },
    { name: "trades", frames: trades.frames, first: null },
    // The official client keeps a book per market from its first snapshot: give it one first.
    { name: "book", frames: book.updates, first: book.snapshot },
  ];
}

async function throughputChild() {
  const { Response } = await loadPackage();
  const official = await import("./lib/official/index.mjs");
  const { officialConnection, quietly } = official;
  const results = {};
  const drops = {};
  for (const corpus of await corpora(official)) {
    const { frames, first } = corpus;
    const n = (warm) => (warm ? frames.length / 10 : frames.length);
    let sink = null;
    let official = null;
    const contenders = [
      {
        name: "JSON.parse",
        messages: frames.length,
        run(warm) {
          for (let i = 0, end = n(warm); i < end; i++) sink = JSON.parse(frames[i]);
        },
      },
      {
        name: "Response.parse",
        messages: frames.length,
        run(warm) {
          for (let i = 0, end = n(warm); i < end; i++) sink = Response.parse(frames[i]);
        },
      },
      {
        name: "official message path",
        messages: frames.length,
        before() {
          official?.close();
          official = officialConnection();
          if (first) quietly(official.counts, () => official.deliver(first));
        },
        run(warm) {
          const { deliver, counts } = official;
          const before = counts.warnings + counts.errors;
          quietly(counts, () => {
            for (let i = 0, end = n(warm); i < end; i++) deliver(frames[i]);
          });
          if (!warm) drops[corpus.name] = (counts.warnings + counts.errors - before) / frames.length;
        },
      },
    ];
    const measured = await timeRounds(contenders, { rounds: opts.rounds });
    official?.close();
    void sink;
    for (const [name, value] of Object.entries(measured)) results[`${corpus.name}/${name}`] = value;
  }
  return { results, drops };
}

async function throughput() {
  const perProcess = inProcesses(new URL(import.meta.url), { processes: opts.processes, rounds: opts.rounds, argv: ["--task", "throughput"] });
  const rows = summarize(perProcess.map((p) => p.results));
  console.log(`\n## Messages per second (${opts.processes} processes × ${opts.rounds} rounds, 200,000 frames a corpus)\n`);
  const cell = (corpus, name) => {
    const row = rows.find((r) => r.name === `${corpus}/${name}`);
    return `${fmt.ratio(row.ratio)} (${fmt.range(row.low, row.high)}, ${fmt.rate(row.rate)})`;
  };
  const corporaNames = [...new Set(rows.map((r) => r.name.split("/")[0]))];
  const paths = ["JSON.parse", "Response.parse", "official message path"];
  console.log(table(["× JSON.parse (range, rate)", ...corporaNames], paths.map((p) => [p, ...corporaNames.map((c) => cell(c, p))])));
  const results = perProcess.map((p) => p.results);
  const versus = corporaNames.map((c) => {
    const { ratio, low, high } = pairRatio(results, `${c}/Response.parse`, `${c}/official message path`);
    return `${fmt.ratio(ratio)} (${fmt.range(low, high)})`;
  });
  console.log(`| Response.parse × official | ${versus.join(" | ")} |`);
  const drops = perProcess[0].drops;
  console.log(
    `\nThe official client warned or failed on ${corporaNames.map((c) => `${(100 * (drops[c] ?? 0)).toFixed(1)} % of ${c}`).join(", ")} frames ` +
      `(unhandled events: counted, not printed). "mixed, N kinds" cycles only the documented messages it handles. ` +
      `Targets: decode ≥ 0.5× JSON.parse; ≥ 2× the official client.`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. Import and instantiation time

/** A JSON file about as large as `bytes`: book-like levels, as a data module might hold. */
function similarJson(bytes) {
  const path = join(CACHE, `similar-${bytes}.json`);
  if (existsSync(path)) return path;
  const levels = [];
  let length = 2;
  for (let i = 0; length < bytes; i++) {
    const level = { market: "btcusdt", price: (60000 + i / 100).toFixed(2), volume: ((i * 7919) % 100000) / 1e4, side: i % 2 ? "ask" : "bid" };
    levels.push(level);
    length += JSON.stringify(level).length + 1;
  }
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(path, JSON.stringify(levels));
  return path;
}

function importTime(count) {
  const wasmBytes = readFileSync(WASM).length;
  const json = similarJson(wasmBytes);
  // By name, Node's "exports" pick the bundled entry; js/node.js is the same code as separate modules.
  const entry = process.env.BENCH_PACKAGE ? join(PACKAGE, "pkg", "maicoin_ws_node.js") : "maicoin-ws";
  const probes = {
    "import maicoin-ws": `await import(${JSON.stringify(entry)})`,
    // Node's entry compiles the wasm on first use: this row pays it, as any real use does.
    "import maicoin-ws + first Response.parse": `(await import(${JSON.stringify(entry)})).Response.parse('{"e":"pong","T":1}')`,
    // By path, as the JSON module is imported: without Node's first resolution of a package's
    // "exports" (which warms up loader code that any later package import reuses).
    "import pkg/maicoin_ws_node.js by path": `await import(${JSON.stringify(join(PACKAGE, "pkg", "maicoin_ws_node.js"))})`,
    "import js/node.js (the same modules, unbundled)": `await import(${JSON.stringify(join(PACKAGE, "js", "node.js"))})`,
    "import JSON module (same size as the wasm)": `await import(${JSON.stringify(json)}, { with: { type: "json" } })`,
    "readFileSync + JSON.parse of that file": `JSON.parse((await import("node:fs")).readFileSync(${JSON.stringify(json)}, "utf8"))`,
    "compile the wasm alone (new WebAssembly.Module)": `new WebAssembly.Module((await import("node:fs")).readFileSync(${JSON.stringify(WASM)}))`,
    "empty (node startup only)": ``,
  };
  const inside = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
  const wall = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
  for (let i = 0; i < count; i++) {
    for (const [name, code] of Object.entries(probes)) {
      // The clock is read once before t0 (its first use loads perf_hooks), and the result is
      // taken before process.stdout (a lazy getter that builds a stream) is touched. The CPU
      // time (all the process's threads, user and system) is the figure a loaded machine
      // disturbs least: waiting for a core does not count in it.
      const script =
        `performance.now(); const c0 = process.cpuUsage(); const t0 = performance.now(); ${code}; ` +
        `const dt = performance.now() - t0; const c = process.cpuUsage(c0); process.stdout.write(dt + " " + (c.user + c.system) / 1000);`;
      const start = performance.now();
      const run = spawnSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
      const elapsed = performance.now() - start;
      if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
      const [time, cpuTime] = run.stdout.split(" ").map(Number);
      inside[name].push(time);
      cpu[name].push(cpuTime);
      wall[name].push(elapsed);
    }
  }
  const base = median(inside["import JSON module (same size as the wasm)"]);
  const cpuBase = median(cpu["import JSON module (same size as the wasm)"]);
  const emptyWall = median(wall["empty (node startup only)"]);
  console.log(`\n## Import and instantiation in a fresh Node process (median of ${count} processes each, interleaved)\n`);
  console.log(`wasm: ${fmt.bytes(wasmBytes)}; JSON module: ${fmt.bytes(readFileSync(json).length)}\n`);
  console.log(
    table(
      ["what", "in-process time", "× the JSON module import", "CPU time", "× (CPU)", "whole process", "over empty node"],
      Object.keys(probes).map((name) => {
        const t = median(inside[name]);
        const c = median(cpu[name]);
        const w = median(wall[name]);
        return [name, fmt.ms(t), fmt.ratio(t / base), fmt.ms(c), fmt.ratio(c / cpuBase), fmt.ms(w), fmt.ms(w - emptyWall)];
      }),
    ),
  );
  const ratio = median(inside["import maicoin-ws"]) / base;
  const withUse = median(inside["import maicoin-ws + first Response.parse"]) / base;
  const cpuRatio = median(cpu["import maicoin-ws"]) / cpuBase;
  const byPath = median(inside["import pkg/maicoin_ws_node.js by path"]) / base;
  console.log(
    `\ntarget: import ≤ 1.5× the JSON module import (in-process time, medians): ${ratio <= 1.5 ? "met" : "missed"} (${fmt.ratio(ratio)}; ` +
      `${fmt.ratio(withUse)} with the first Response.parse, which compiles the wasm; ${fmt.ratio(cpuRatio)} in CPU time; ` +
      `${fmt.ratio(byPath)} imported by path like the JSON module)`,
  );
}

// ---------------------------------------------------------------------------------------------
// 3. Size

function size() {
  const wasm = readFileSync(WASM);
  const gz = gzipSync(wasm, { level: 9 }).length;
  // The budget is counted by gzip -9 itself, as tests/node/size.test.mjs counts it (zlib's level 9
  // comes out a few hundred bytes larger on this file).
  const gnu = spawnSync("gzip", ["-9", "-c", WASM], { maxBuffer: 64 << 20 }).stdout?.length ?? null;
  const br = brotliCompressSync(wasm, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const js = [join(PACKAGE, "pkg", "maicoin_ws.js"), ...readdirSync(join(PACKAGE, "js")).filter((f) => f.endsWith(".js")).map((f) => join(PACKAGE, "js", f))];
  const jsBytes = Buffer.concat(js.map((f) => readFileSync(f)));
  console.log(`\n## Size\n`);
  console.log(
    table(
      ["file", "raw", "zlib level 9", "brotli 11"],
      [
        ["pkg/maicoin_ws_bg.wasm", fmt.bytes(wasm.length), `**${fmt.bytes(gz)}** (${gz} B)`, fmt.bytes(br)],
        ["JS (pkg/maicoin_ws.js + js/*.js, concatenated)", fmt.bytes(jsBytes.length), fmt.bytes(gzipSync(jsBytes, { level: 9 }).length), fmt.bytes(brotliCompressSync(jsBytes).length)],
        ...[
          ["Node's entry, bundled (pkg/maicoin_ws_node.js)", "maicoin_ws_node.js"],
          ["its glue, loaded with the wasm (pkg/maicoin_ws_node_glue.cjs)", "maicoin_ws_node_glue.cjs"],
          ["its features loaded on first use (pkg/maicoin_ws_node_lazy.cjs)", "maicoin_ws_node_lazy.cjs"],
        ]
          .filter(([, name]) => existsSync(join(PACKAGE, "pkg", name)))
          .map(([what, name]) => {
            const bundle = readFileSync(join(PACKAGE, "pkg", name));
            return [what, fmt.bytes(bundle.length), fmt.bytes(gzipSync(bundle, { level: 9 }).length), fmt.bytes(brotliCompressSync(bundle).length)];
          }),
      ],
    ),
  );
  const target = Number(/WASM_GZIP_TARGET = ([\d_]+)/.exec(readFileSync(join(ROOT, "tests", "node", "size.test.mjs"), "utf8"))[1].replaceAll("_", ""));
  if (gnu === null) console.log(`\ntarget: wasm ≤ ${target} B gzip -9 (tests/node/size.test.mjs): not judged, no gzip here`);
  else console.log(`\ntarget: wasm ≤ ${target} B gzip -9 (tests/node/size.test.mjs): ${gnu <= target ? "met" : "missed"} (${gnu} B by gzip -9, ${gz} B by zlib level 9)`);
}

// ---------------------------------------------------------------------------------------------
// 4. Memory over 1M messages

async function memoryChild(scenario) {
  const pkg = await loadPackage();
  const { wasm } = await import(new URL(`file://${PACKAGE}/js/wasm.js`).href);
  const snap = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, wasm: wasm.exports.memory.buffer.byteLength };
  };
  let sink = null;
  let run;
  let done = () => {};
  if (scenario === "Response.parse (mixed)") {
    const { frames } = mixedCorpus(200_000);
    run = (count) => {
      for (let i = 0; i < count; i++) sink = pkg.Response.parse(frames[i % frames.length]);
    };
  } else if (scenario === "OrderBook.applyFrame") {
    const { snapshot, updates } = await bookCorpus(200_000, 20);
    const book = new pkg.OrderBook("btcusdt");
    run = (count) => {
      for (let i = 0; i < count; i++) {
        // Each pass over the corpus starts again from its snapshot.
        if (i % updates.length === 0) book.applyFrame(snapshot);
        book.applyFrame(updates[i % updates.length]);
      }
      if (!book.inSync) throw new Error("the book fell out of sync");
    };
  } else if (scenario === "stream.book (fake socket)") {
    const { snapshot, updates } = await bookCorpus(200_000, 20);
    const lastIds = updates.map((f) => JSON.parse(f).li);
    const live = await streamBook(pkg.Stream, "btcusdt", 20);
    done = () => live.stream.close();
    run = async (count) => {
      for (let i = 0; i < count; i += 256) {
        const end = Math.min(i + 256, count);
        for (let j = i; j < end; j++) {
          if (j % updates.length === 0) live.socket.deliver(snapshot);
          live.socket.deliver(updates[j % updates.length]);
        }
        await until(() => live.book.lastUpdateId === lastIds[(end - 1) % updates.length]);
      }
    };
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  await run(20_000); // warm: JIT, buffers and the book at full size before the first reading
  const before = snap();
  const start = performance.now();
  await run(MILLION);
  const seconds = (performance.now() - start) / 1000;
  const after = snap();
  done();
  void sink;
  return { before, after, seconds };
}

function memory() {
  const scenarios = ["Response.parse (mixed)", "OrderBook.applyFrame", "stream.book (fake socket)"];
  console.log(`\n## Memory over 1M messages (node --expose-gc; one process per row; after a 20,000-message warm-up)\n`);
  const rows = [];
  for (const scenario of scenarios) {
    const [result] = inProcesses(new URL(import.meta.url), { processes: 1, rounds: 0, argv: ["--task", "memory", "--scenario", scenario] });
    const { before, after, seconds } = result;
    const delta = (key) => `${fmt.bytes(before[key])} → ${fmt.bytes(after[key])}`;
    rows.push([scenario, delta("heapUsed"), delta("rss"), delta("external"), delta("wasm"), fmt.rate(MILLION / seconds)]);
  }
  console.log(table(["1M messages through", "JS heap used", "RSS", "external", "wasm memory", "rate"], rows));
}
