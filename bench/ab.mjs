// A/B of two builds in one process: each round runs build A then build B (then B then A in the
// next round) on the same corpus, so machine noise falls on both alike, and prints B's rate over
// A's for OrderBook.applyFrame, the stream-driven book (fake socket) and Response.parse (mixed).
// A build is a staged copy of the package: `mkdir -p DIR && cp -r js package.json pkg DIR/`.
//
//   node --expose-gc bench/ab.mjs DIR_A DIR_B [--rounds 7] [--frames 200000]

import { parseArgs } from "node:util";

import { bookCorpus, mixedFrames } from "./lib/corpus.mjs";
import { streamBook, until } from "./lib/feed-socket.mjs";

const { values: options, positionals: dirs } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: "string", default: "7" },
    frames: { type: "string", default: "200000" },
  },
});
if (dirs.length !== 2) {
  console.error("usage: node --expose-gc bench/ab.mjs DIR_A DIR_B [--rounds 7] [--frames 200000]");
  process.exit(2);
}
const rounds = Number(options.rounds);
const frameCount = Number(options.frames);
const builds = [];
for (const dir of dirs) builds.push(await import(new URL(`file://${dir.replace(/\/$/, "")}/js/node.js`).href));

const book = await bookCorpus(frameCount, 20);
const lastIds = book.updates.map((frame) => JSON.parse(frame).li);
const mixed = mixedFrames(frameCount);
let sink = 0;

/** Seconds one call of `run` takes. */
async function seconds(run) {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const paths = {
  "OrderBook.applyFrame": async ({ OrderBook }) => {
    const kept = new OrderBook("btcusdt");
    kept.applyFrame(book.snapshot);
    const time = await seconds(() => {
      for (const frame of book.updates) kept.applyFrame(frame);
    });
    sink += kept.lastUpdateId === lastIds.at(-1) ? 0 : 1;
    return book.updates.length / time;
  },
  "stream.book (fake socket)": async ({ Stream }) => {
    const live = await streamBook(Stream, "btcusdt", 20);
    live.socket.deliver(book.snapshot);
    await until(() => live.book.inSync, "the snapshot");
    const time = await seconds(async () => {
      for (let i = 0; i < book.updates.length; i += 256) {
        const end = Math.min(i + 256, book.updates.length);
        for (let j = i; j < end; j++) live.socket.deliver(book.updates[j]);
        await until(() => live.book.lastUpdateId === lastIds[end - 1]);
      }
    });
    live.stream.close();
    return book.updates.length / time;
  },
  "Response.parse (mixed)": async ({ Response }) => {
    const time = await seconds(() => {
      for (const frame of mixed) sink += Response.parse(frame) === null ? 1 : 0;
    });
    return mixed.length / time;
  },
};

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
console.log(`A: ${dirs[0]}\nB: ${dirs[1]}\n${frameCount} frames, ${rounds} rounds after a warm-up, order alternated\n`);
console.log("| path | A | B | B ÷ A (median) | B ÷ A per round |");
console.log("|---|---:|---:|---:|---|");
for (const [name, run] of Object.entries(paths)) {
  const rates = [[], []];
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const which of order) {
      const rate = await run(builds[which]);
      if (round > 0) rates[which].push(rate);
    }
  }
  const ratios = rates[1].map((rate, i) => (rate / rates[0][i]).toFixed(2));
  const [a, b] = rates.map(median);
  console.log(`| ${name} | ${Math.round(a / 1000)} k/s | ${Math.round(b / 1000)} k/s | ${(b / a).toFixed(3)}× | ${ratios.join(", ")} |`);
}
if (sink < 0) console.log(sink);
