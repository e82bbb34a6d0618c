// stats() of the worker transports: the worker stream's counters, and this tab's own entries,
// read from the worker's reports. A stand-in Worker runs the worker's Hub in this thread, so two
// pages on one endpoint share one stream as the tabs of a SharedWorker do.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Stream } from "maicoin-ws";
import { installFakeWorker } from "./support/fake-worker.mjs";
import { simulator, until, FAST } from "./harness.mjs";

installFakeWorker(before, after);

function remote(t, sim) {
  const stream = new Stream({ uri: sim.url, transport: "worker", reconnectPolicy: FAST });
  t.after(() => stream.close());
  return stream;
}

test("a worker stream's stats(): its counters, and each tab sees its own subscriptions' entries", async (t) => {
  const sim = await simulator(t);
  const first = remote(t, sim);
  const second = remote(t, sim);
  first.subscribe({ channel: "trade", market: "btcusdt" });
  second.subscribe({ channel: "ticker", market: "ethusdt" });
  first.book("btcusdt", { depth: 5 });

  const fresh = first.stats();
  assert.equal(fresh.connections, 0);
  assert.deepEqual(
    fresh.subscriptions.map((s) => [s.channel, s.market, s.frames, s.latencyMs]),
    [["trade", "btcusdt", 0, null], ["book", "btcusdt", 0, null]],
    "before any report: this tab's subscriptions with zeros",
  );

  const ran = [first.run(), second.run()];
  const frames = (stream) => stream.stats().subscriptions.every((s) => s.frames > 0);
  await until(() => (sim.tick(), frames(first) && frames(second)), "frames reported on every entry of both tabs");
  const stats = first.stats();
  assert.equal(stats.connections, 1, "one shared connection");
  assert.ok(stats.framesReceived > 0 && stats.bytesReceived > 0);
  assert.equal(typeof stats.clockOffsetMs, "number");
  assert.deepEqual(stats.subscriptions.map((s) => [s.channel, s.market]), [["trade", "btcusdt"], ["book", "btcusdt"]], "not the other tab's ticker");
  assert.equal(stats.subscriptions[1].depth, 5);
  assert.ok(stats.subscriptions[0].latencyMs.max >= stats.subscriptions[0].latencyMs.p50);
  assert.deepEqual(second.stats().subscriptions.map((s) => [s.channel, s.market]), [["ticker", "ethusdt"]]);
  first.close();
  second.close();
  await Promise.all(ran);
});
