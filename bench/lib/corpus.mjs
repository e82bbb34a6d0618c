// Frame corpora for the benchmarks, in one place. Book and trade frames are recorded from the
// project's own simulator (sim/, seeded, so the same every time) through a plain `ws` client on
// loopback, and cached under target/bench/ so that each benchmark process does not record them
// again. The documented messages come from tests/support/fixtures.mjs, as for the tests and the
// fuzz seeds. At the end, the generated frames of the decode benchmark.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { documentedMessages } from "../../tests/support/fixtures.mjs";
import { replayBook } from "../../tests/support/reference-book.mjs";
import { createRng } from "../../sim/rng.js";

export { documentedMessages };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CACHE = join(ROOT, "target", "bench");

function cached(name, make) {
  const path = join(CACHE, name);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8"));
  return make().then((value) => {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(path, JSON.stringify(value));
    return value;
  });
}

/** Records frames from the simulator: `subscriptions` on one connection, `ticks` rounds until `enough(frames)`. */
async function record({ markets, subscriptions, enough, seed = 1 }) {
  const { startSimulator } = await import("../../sim/server.js");
  const { default: WebSocket } = await import("ws");
  const sim = await startSimulator({ tickMs: 0, rateLimit: null, markets, seed, historyLimit: 10 });
  const socket = new WebSocket(sim.url, { perMessageDeflate: false });
  const frames = [];
  socket.on("message", (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ action: "sub", id: "bench", subscriptions }));
  while (!frames.some((f) => f.includes('"e":"subscribed"'))) await new Promise((r) => setTimeout(r, 5));
  // A clock that moves 100 ms a round, from a fixed start: the same frames on every machine.
  let now = Date.UTC(2025, 0, 1);
  while (!enough(frames)) {
    for (let i = 0; i < 500; i++) sim.tick((now += 100));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((r) => setTimeout(r, 20));
  socket.close();
  await sim.close();
  return frames;
}

/**
 * A depth-20 btcusdt book: one snapshot, then `updates` update frames with valid fi/li chaining
 * as MAX sends them to a depth-20 subscriber. Returns { snapshot, updates: [text], lastUpdateId }.
 */
export function bookCorpus(updates = 200_000, depth = 20) {
  return cached(`book-btcusdt-${depth}-${updates}.json`, async () => {
    const count = (frames) => frames.reduce((n, f) => n + (f.includes('"e":"update"') ? 1 : 0), 0);
    // Counting every round is slow; count roughly, then exactly near the end.
    let seen = 0;
    const frames = await record({
      markets: ["btcusdt"],
      subscriptions: [{ channel: "book", market: "btcusdt", depth }],
      enough: (frames) => {
        if (frames.length - seen < 1000 && frames.length < updates) return false;
        seen = frames.length;
        return count(frames) > updates;
      },
    });
    const book = frames.filter((f) => f.startsWith('{"c":"book"'));
    const snapshot = book.find((f) => f.includes('"e":"snapshot"'));
    const all = book.filter((f) => f.includes('"e":"update"'));
    const kept = all.slice(0, updates);
    return { snapshot, updates: kept, lastUpdateId: JSON.parse(kept[kept.length - 1]).li };
  });
}

/** Public trade frames (`trade` channel, snapshot and update) of five markets. */
export function tradeCorpus(count = 200_000) {
  return cached(`trades-${count}.json`, async () => {
    const markets = ["btcusdt", "ethusdt", "btctwd", "ethtwd", "usdttwd"];
    const frames = await record({
      markets,
      subscriptions: markets.map((market) => ({ channel: "trade", market })),
      enough: (frames) => frames.length > count + 10,
    });
    return { frames: frames.filter((f) => f.startsWith('{"c":"trade"')).slice(0, count) };
  });
}

/** Every documented server message (or those `keep(text)` accepts), cycled to `count` frames. */
export function mixedCorpus(count = 200_000, keep = () => true) {
  const wires = documentedMessages().filter(keep);
  const cycled = [];
  for (let i = 0; i < count; i++) cycled.push(wires[i % wires.length]);
  // Distinct flat strings, as a socket delivers them (not `count` references to 34 strings).
  return { frames: JSON.parse(JSON.stringify(cycled)), kinds: wires.length };
}

/** How many levels each update changes: { levels: count }. */
export function levelHistogram(updates) {
  const histogram = {};
  for (const frame of updates) {
    const { a, b } = JSON.parse(frame);
    const n = a.length + b.length;
    histogram[n] = (histogram[n] ?? 0) + 1;
  }
  return histogram;
}

/** The top `depth` levels after applying `updates` to `snapshot`, by the tests' reference book
 * (tests/support/reference-book.mjs): what each benchmarked book is checked against. */
export function referenceBook({ snapshot, updates }, depth = 20) {
  return replayBook(snapshot, updates, depth);
}

// ---- Generated frames (bench/decode.mjs): every frame a distinct string, times and ids advancing,
// as on a live connection.

/** `count` frames cycling through the documented server messages, each with its own `T`. */
export function mixedFrames(count) {
  const wires = documentedMessages().map((text) => JSON.parse(text));
  const frames = new Array(count);
  for (let i = 0; i < count; i++) {
    const wire = wires[i % wires.length];
    frames[i] = JSON.stringify({ ...wire, T: 1_700_000_000_000 + i });
  }
  return frames;
}

/**
 * `count` btcusdt book updates of 5 asks and 5 bids around a drifting mid price (two-decimal
 * prices, volumes of up to 8 decimals, about one level in ten removed with volume "0").
 */
export function bookFrames(count) {
  // Seeded, so every run and process decodes the same frames.
  const random = createRng(7);
  let mid = 63_190;
  const level = (price) => {
    const volume = random() < 0.1 ? "0" : (random() * 2).toFixed(1 + Math.floor(random() * 8));
    return [price.toFixed(2), volume];
  };
  const frames = new Array(count);
  for (let i = 0; i < count; i++) {
    mid += (random() - 0.5) * 4;
    const asks = Array.from({ length: 5 }, (_, k) => level(mid + 0.01 + k * 0.5 + random() * 0.4));
    const bids = Array.from({ length: 5 }, (_, k) => level(mid - 0.01 - k * 0.5 - random() * 0.4));
    const id = 12_141_726 + i;
    frames[i] = JSON.stringify({ c: "book", e: "update", M: "btcusdt", a: asks, b: bids, T: 1_700_000_000_000 + i, fi: id, li: id, v: 1_725_602_999_632 });
  }
  return frames;
}
