// Feed-health memory: 1M frames through one Stream's real path (socket callback, frame batches,
// engine, decoder, handlers), measuring whether stream.stats()'s structures grow with the
// frames. They must not: each subscription keeps fixed-size rings (per-second counts and minima
// over a minute, its latest 256 lateness samples), so the memory is O(subscriptions).
// Run with `node --expose-gc bench/stats-memory.mjs` (FRAMES=n for another count, SUBSCRIPTIONS=n
// for one stream of n subscriptions only: then the wasm memory is that stream's alone).
//
// Two streams, with 10 and with 100 ticker subscriptions, each fed FRAMES frames round-robin
// from a scripted socket (no network: nothing else to count). Heap and wasm memory are read
// after global.gc() every 10% of the frames; the figure that matters is the growth from 10% to
// 100%, and the difference between 10 and 100 subscriptions.

import { Stream } from "maicoin-ws";
import { wasm } from "../js/wasm.js";
import { FeedSocket } from "./lib/feed-socket.mjs";

const FRAMES = Number(process.env.FRAMES ?? 1_000_000);
const BATCH = 1000;
const MB = 1024 * 1024;

if (typeof global.gc !== "function") {
  console.error("run with node --expose-gc");
  process.exit(2);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

function sample(frames, stream) {
  global.gc();
  const stats = stream.stats();
  return {
    frames,
    heapUsed: process.memoryUsage().heapUsed,
    wasmMemory: wasm.exports.memory.buffer.byteLength,
    entries: stats.subscriptions.length,
    counted: stats.subscriptions.reduce((sum, s) => sum + s.frames, 0),
  };
}

async function run(subscriptionCount) {
  let socket;
  const stream = new Stream({
    uri: "ws://bench.invalid/ws",
    connectFactory: () => {
      socket = new FeedSocket();
      setTimeout(() => socket.open());
      return socket;
    },
    staleAfter: false,
  });
  const markets = Array.from({ length: subscriptionCount }, (_, i) => `m${i}usdt`);
  stream.subscribe(markets.map((market) => ({ channel: "ticker", market })));
  let handled = 0;
  stream.addHandler(() => {
    handled += 1;
  });
  const ended = stream.run();
  while (stream.state !== "connected") await turn();
  const texts = markets.map((market) => [`{"c":"ticker","M":"${market}","e":"update","tk":{"M":"${market}","O":"1","H":"2","L":"0.5","C":"1.5","v":"10","V":"0.1"},"T":`, "}"]);
  const samples = [];
  const every = FRAMES / 10;
  const started = performance.now();
  for (let sent = 0; sent < FRAMES; ) {
    const now = Date.now();
    for (let i = 0; i < BATCH; i++, sent++) {
      const [head, tail] = texts[sent % texts.length];
      socket.deliver(`${head}${now - (sent % 50)}${tail}`);
    }
    await turn();
    if (sent % every === 0) samples.push(sample(sent, stream));
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = stream.stats();
  stream.close();
  await ended;
  return { subscriptionCount, seconds, samples, handled, stats };
}

const mb = (bytes) => (bytes / MB).toFixed(2);
const counts = process.env.SUBSCRIPTIONS ? [Number(process.env.SUBSCRIPTIONS)] : [10, 100];
for (const count of counts) {
  const { seconds, samples, handled, stats } = await run(count);
  const first = samples[0];
  const last = samples.at(-1);
  console.log(`\n${count} subscriptions, ${FRAMES} frames in ${seconds.toFixed(1)} s (${handled} handled)`);
  console.log("frames      heapUsed MB  wasm memory MB  entries  counted");
  for (const s of samples) console.log(`${String(s.frames).padEnd(11)} ${mb(s.heapUsed).padEnd(12)} ${mb(s.wasmMemory).padEnd(15)} ${String(s.entries).padEnd(8)} ${s.counted}`);
  console.log(`growth ${first.frames} -> ${last.frames}: heap ${mb(last.heapUsed - first.heapUsed)} MB, wasm ${mb(last.wasmMemory - first.wasmMemory)} MB`);
  const entry = stats.subscriptions[0];
  console.log(`one entry: ${JSON.stringify({ frames: entry.frames, ratePerSecond: entry.ratePerSecond, latencyMs: entry.latencyMs })}`);
}
