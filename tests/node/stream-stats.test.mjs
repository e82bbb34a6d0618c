// stream.stats(): the feed's health read from the engine, against the simulator.

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulator, startStream, tickUntil, until } from "./harness.mjs";

const entryOf = (stats, channel, market) => stats.subscriptions.find((s) => s.channel === channel && s.market === market);

test("stats() counts connections, frames and bytes, and each subscription's frames, rate and lateness", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  stream.subscribe([{ channel: "trade", market: "btcusdt" }, { channel: "ticker", market: "ethusdt" }]);
  const book = stream.book("btcusdt", { depth: 5 });

  const before = stream.stats();
  assert.equal(before.connections, 0);
  assert.equal(before.framesReceived, 0);
  assert.equal(before.clockOffsetMs, null, "no frame: no estimate");
  assert.deepEqual(
    before.subscriptions.map((s) => [s.channel, s.market, s.frames, s.lastFrameAt, s.latencyMs]),
    [["trade", "btcusdt", 0, null, null], ["ticker", "ethusdt", 0, null, null], ["book", "btcusdt", 0, null, null]],
  );

  await tickUntil(sim, () => book.lastUpdateId > 0 && stream.stats().subscriptions.every((s) => s.frames >= 3), "frames on every subscription");
  const stats = stream.stats();
  assert.equal(stats.connections, 1);
  assert.equal(stats.reconnects, 0);
  const perSubscription = stats.subscriptions.reduce((sum, s) => sum + s.frames, 0);
  assert.ok(stats.framesReceived > perSubscription, "subscribed answers count as frames, not as a subscription's");
  assert.ok(stats.bytesReceived > stats.framesReceived * 20, "bytes are counted");
  assert.equal(typeof stats.clockOffsetMs, "number");
  assert.ok(Math.abs(stats.clockOffsetMs) < 5_000, "the simulator's clock is this machine's");

  const bookEntry = entryOf(stats, "book", "btcusdt");
  assert.equal(bookEntry.depth, 5);
  assert.ok(bookEntry.frames >= 3, "a kept book's frames take the fast path and still count");
  for (const entry of stats.subscriptions) {
    assert.ok(entry.lastFrameAt <= Date.now() && entry.lastFrameAt > Date.now() - 15_000, `${entry.channel} lastFrameAt`);
    const { p50, p90, p99, max } = entry.latencyMs;
    assert.ok(p50 <= p90 && p90 <= p99 && p99 <= max, `${entry.channel} percentiles are ordered`);
    assert.ok(max < 5_000);
    assert.ok(entry.ratePerSecond["60s"] > 0, `${entry.channel} has a rate over the minute`);
    assert.ok(entry.ratePerSecond["1s"] >= 0);
    assert.equal(entry.gaps, 0);
    assert.equal(entry.resyncs, 0);
    assert.equal(entry.staleResubscribes, 0);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(stats)), stats, "a plain JSON-ready object");

  stream.unsubscribe([{ channel: "ticker", market: "ethusdt" }]);
  assert.equal(entryOf(stream.stats(), "ticker", "ethusdt"), undefined, "an unsubscribed entry goes");
  assert.equal(entryOf(stream.stats(), "trade", "btcusdt").frames, entryOf(stats, "trade", "btcusdt").frames, "the others keep their counts");
});

test("stats() counts a kept book's gap and its resync, and the reconnect", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  const book = stream.book("btcusdt", { depth: 5 });
  await tickUntil(sim, () => book.lastUpdateId > 0, "the snapshot");
  assert.equal(sim.injectGap("btcusdt"), 1);
  await tickUntil(sim, () => entryOf(stream.stats(), "book", "btcusdt").resyncs === 1, "the resync");
  assert.equal(entryOf(stream.stats(), "book", "btcusdt").gaps, 1);

  sim.dropAll();
  await until(() => stream.stats().connections === 2, "the reconnect");
  const stats = stream.stats();
  assert.equal(stats.reconnects, 1);
  assert.equal(entryOf(stats, "book", "btcusdt").gaps, 1, "counts survive a reconnect");
});
