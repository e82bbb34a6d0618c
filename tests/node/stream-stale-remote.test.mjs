// onStale through the worker transports: a stand-in Worker runs the worker's Hub in this thread,
// so two pages on one endpoint share one stream as the tabs of a SharedWorker do; the stale
// subscription's tab is told, the other is not.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Stream } from "maicoin-ws";
import { installFakeWorker } from "./support/fake-worker.mjs";
import { simulator, tickUntil, sleep, FAST } from "./harness.mjs";

installFakeWorker(before, after);

test("onStale reaches the tab that holds the stale subscription, in the page", async (t) => {
  const sim = await simulator(t);
  const told = { first: [], second: [] };
  const open = (name) => {
    const stream = new Stream({ uri: sim.url, transport: "worker", reconnectPolicy: FAST, staleAfter: { book: 0.3 }, onStale: (s) => told[name].push(s) });
    t.after(() => stream.close());
    return stream;
  };
  const first = open("first");
  const second = open("second");
  const book = first.book("btcusdt", { depth: 5 });
  second.subscribe({ channel: "book", market: "ethusdt", depth: 5 });
  const ran = [first.run(), second.run()];
  await tickUntil(sim, () => book.lastUpdateId > 0 && second.stats().subscriptions[0].frames > 0, "both books");
  assert.equal(sim.silence("book:btcusdt"), 1);
  await tickUntil(sim, () => told.first.length > 0, "onStale in the first page");
  assert.deepEqual(told.first, [{ channel: "book", market: "btcusdt", depth: 5 }]);
  await tickUntil(sim, () => first.stats().subscriptions[0].staleResubscribes === 1, "the count, reported from the worker");
  for (let i = 0; i < 10; i++) {
    sim.tick();
    await sleep(5);
  }
  assert.deepEqual(told.second, [], "the other tab holds no such subscription");
  first.close();
  second.close();
  await Promise.all(ran);
});
