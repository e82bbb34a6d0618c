// One path of bench/book.mjs, alone, for a CPU profile (not a benchmark: no baseline, no rounds):
//   node --cpu-prof --cpu-prof-dir target/bench/prof bench/profile-book.mjs stream|applyFrame|replay [repeat]
//   node bench/lib/profile-summary.mjs target/bench/prof/*.cpuprofile
// With BENCH_PACKAGE pointing at a build made with WASM_NAMES=1 the profile names wasm functions.
import { bookCorpus } from "./lib/corpus.mjs";
import { loadPackage } from "./lib/measure.mjs";
import { streamBook, until } from "./lib/feed-socket.mjs";

const [path = "stream", repeat = "5"] = process.argv.slice(2);
const { OrderBook, Stream, replay } = await loadPackage();
const { snapshot, updates } = await bookCorpus();
const lastIds = updates.map((frame) => JSON.parse(frame).li);
const start = performance.now();
for (let r = 0; r < Number(repeat); r++) {
  if (path === "applyFrame") {
    const book = new OrderBook("btcusdt");
    book.applyFrame(snapshot);
    for (const frame of updates) book.applyFrame(frame);
  } else if (path === "replay") {
    // bench/replay.mjs's recording: the corpus 1 ms apart, then a pong marking its end.
    const entries = [{ at: 0, conn: 1, open: "ws://recorded.invalid/ws" }, { at: 1, conn: 1, frame: snapshot }];
    updates.forEach((frame, i) => entries.push({ at: i + 2, conn: 1, frame }));
    entries.push({ at: updates.length + 2, conn: 1, frame: '{"e":"pong","i":"end","T":0}' });
    const connectFactory = replay(entries);
    const stream = new Stream({ uri: "ws://recorded.invalid/ws", connectFactory, onDisconnected: () => connectFactory.done && stream.close() });
    const book = stream.book("btcusdt", { depth: 20 });
    await stream.run();
    if (book.resyncs !== 0) throw new Error("the replayed book resynced");
  } else {
    const { stream, socket, book, ending } = await streamBook(Stream, "btcusdt", 20);
    socket.deliver(snapshot);
    await until(() => book.inSync);
    for (let i = 0; i < updates.length; i += 256) {
      const end = Math.min(i + 256, updates.length);
      for (let j = i; j < end; j++) socket.deliver(updates[j]);
      await until(() => book.lastUpdateId === lastIds[end - 1]);
    }
    stream.close();
    await ending;
  }
}
console.log(`${path}: ${((Number(repeat) * updates.length) / ((performance.now() - start) / 1000) / 1000).toFixed(0)} k updates/s`);
