// Reconnect memory: 1000 connect/drop cycles of one Stream against the simulator, measuring
// whether anything a connection leaves behind (socket closures, timers, queued requests, book
// state, the wasm heap) accumulates. Run with `npm run bench:memory` (node --expose-gc).
//
// The simulator runs in a child process so that its own logs and buffers are not counted here.
// Each connection authenticates, subscribes to a trade and a ticker channel, keeps a book, and is
// cut by the simulator after the 8 frames that answer it (--drop-after-frames 8); the stream
// reconnects after 1 ms. Heap and RSS are read after global.gc() at every 100th connection; the
// figure that matters is the growth from connection 100 (everything warmed up) to 1000.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Stream } from "maicoin-ws";
import { wasm } from "../js/wasm.js";

const CYCLES = Number(process.env.CYCLES ?? 1000);
const SAMPLE_EVERY = 100;
const MB = 1024 * 1024;

if (typeof global.gc !== "function") {
  console.error("run with node --expose-gc (npm run bench:memory does)");
  process.exit(2);
}

async function startSimulator() {
  const cli = fileURLToPath(new URL("../sim/cli.js", import.meta.url));
  const args = ["--port", "0", "--tick-ms", "0", "--no-rate-limit", "--drop-after-frames", "8"];
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`the simulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

function sample(cycle) {
  global.gc();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  return {
    cycle,
    heapUsed,
    rss,
    external,
    arrayBuffers,
    wasmMemory: wasm.exports.memory.buffer.byteLength,
    // JS values held by Rust live in this table: a leaked closure or socket would grow it.
    externrefs: wasm.exports.__wbindgen_externrefs.length,
  };
}

const sim = await startSimulator();
let connected = 0;
let nextSample = SAMPLE_EVERY;
const samples = [];
let wake = () => {};
const stream = new Stream({
  uri: sim.url,
  apiKey: "test-key",
  apiSecret: "test-secret",
  reconnectPolicy: { baseDelay: 0.001, maxDelay: 0.001, jitter: 0 },
  // MAX's own limits would allow 600 connections an hour; this is a local simulator.
  connectionLimits: { perHour: 100_000, perDay: 100_000 },
  requestLimits: { perSecond: 100_000, perMinute: 1_000_000 },
  onConnected: () => {
    connected += 1;
    wake();
  },
});
stream.subscribe([
  { channel: "trade", market: "btcusdt" },
  { channel: "ticker", market: "ethusdt" },
]);
const book = stream.book("btctwd", { depth: 10 });
let frames = 0;
stream.addHandler(() => {
  frames += 1;
});

const started = Date.now();
const running = stream.run();
while (connected < CYCLES) {
  await new Promise((resolve) => (wake = resolve));
  if (connected >= nextSample) {
    samples.push(sample(connected));
    nextSample += SAMPLE_EVERY;
  }
}
const seconds = (Date.now() - started) / 1000;
stream.close();
await running;
sim.stop();

const at = (cycle) => samples.find((s) => s.cycle >= cycle);
const first = at(SAMPLE_EVERY);
const last = samples.at(-1);
const mb = (bytes) => (bytes / MB).toFixed(2);
const signedMb = (bytes) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;

console.log(`${connected} connections in ${seconds.toFixed(1)} s (${frames} responses handled, book ${book.state})`);
console.log("connection  heapUsed MB  rss MB  external MB  wasm memory MB  externref table");
for (const s of samples) {
  const cells = [s.cycle, mb(s.heapUsed), mb(s.rss), mb(s.external), mb(s.wasmMemory), s.externrefs];
  console.log(cells.map((c, i) => String(c).padStart([10, 11, 6, 11, 14, 15][i])).join("  "));
}
const growth = {
  heapUsed: last.heapUsed - first.heapUsed,
  rss: last.rss - first.rss,
  wasmMemory: last.wasmMemory - first.wasmMemory,
};
console.log(
  `growth from connection ${first.cycle} to ${last.cycle}: heap ${signedMb(growth.heapUsed)} MB, rss ${signedMb(growth.rss)} MB, wasm memory ${signedMb(growth.wasmMemory)} MB`,
);
const flat = growth.heapUsed < 5 * MB && growth.rss < 5 * MB;
console.log(flat ? "flat: under the 5 MB target" : "NOT flat: growth of 5 MB or more");
process.exitCode = flat ? 0 : 1;
