// The stale watchdog against the simulator's silence fault: a subscription the server stops
// feeding, on a connection that stays up, is resubscribed alone, reported to onStale, counted,
// and its frames flow again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Stream } from "maicoin-ws";
import { simulator, startStream, requestLog, tickUntil, sleep } from "./harness.mjs";

const entryOf = (stream, channel, market) => stream.stats().subscriptions.find((s) => s.channel === channel && s.market === market);

test("a silenced book is resubscribed alone after staleAfter, onStale is told, and it is whole again", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const stale = [];
  let silentFor = null; // ms from the book's last frame to onStale
  const onStale = (subscription) => {
    silentFor = Date.now() - entryOf(stream, "book", "btcusdt").lastFrameAt;
    stale.push(subscription);
  };
  const { stream } = startStream(t, { uri: sim.url, staleAfter: { book: 0.3 }, onStale });
  stream.subscribe({ channel: "trade", market: "ethusdt" });
  const book = stream.book("btcusdt", { depth: 5 });
  await tickUntil(sim, () => book.lastUpdateId > 0 && entryOf(stream, "trade", "ethusdt").frames > 1, "the book and trades");
  assert.equal(sim.silence("book:btcusdt"), 1);
  const sentBefore = log.length;

  await tickUntil(sim, () => stale.length > 0, "onStale");
  // From the book's last frame, which may have come just before the silence.
  assert.ok(silentFor >= 300, `not before its limit (${silentFor} ms after the book's last frame)`);
  assert.deepEqual(stale, [{ channel: "book", market: "btcusdt", depth: 5 }]);
  assert.equal(sim.connections, 1, "the connection stayed");
  const changesSince = () => log.slice(sentBefore).filter((e) => e.request?.action === "sub" || e.request?.action === "unsub");
  // onStale runs when the requests are sent; the simulator logs them when they arrive.
  await tickUntil(sim, () => changesSince().length >= 2, "the resubscription at the server");
  const changes = changesSince();
  assert.deepEqual(
    changes.map((e) => [e.request.action, JSON.stringify(e.request.subscriptions ?? e.request.subscription)]),
    [
      ["unsub", JSON.stringify([{ channel: "book", market: "btcusdt", depth: 5 }])],
      ["sub", JSON.stringify([{ channel: "book", market: "btcusdt", depth: 5 }])],
    ],
    "that book alone",
  );
  const counted = entryOf(stream, "book", "btcusdt");
  assert.equal(counted.staleResubscribes, 1);
  assert.equal(entryOf(stream, "trade", "ethusdt").staleResubscribes, 0, "the trades, still flowing, were left alone");

  const framesThen = counted.frames;
  await tickUntil(sim, () => book.inSync && entryOf(stream, "book", "btcusdt").frames > framesThen + 1, "the book's frames again");
  const server = sim.bookAt("btcusdt", 5, book.lastUpdateId);
  assert.deepEqual([book.bids(5), book.asks(5)], [server.bids, server.asks], "the book agrees with the server's at its update id");
});

test("staleAfter is checked: seconds, false or 0, or a map of channels", () => {
  const make = (staleAfter) => new Stream({ uri: "ws://127.0.0.1:1/ws", staleAfter });
  for (const fine of [undefined, null, false, 0, 5, 0.5, { book: 10, trade: false, kline: 0 }]) make(fine);
  assert.throws(() => make(-1), /staleAfter must be a positive number of seconds, or false/);
  assert.throws(() => make(Infinity), RangeError);
  assert.throws(() => make("30"), TypeError);
  assert.throws(() => make({ books: 30 }), /staleAfter\.books: not a channel/);
  assert.throws(() => make({ book: "30" }), /staleAfter\.book must be/);
  assert.throws(() => new Stream({ uri: "ws://127.0.0.1:1/ws", onStale: 5 }), /onStale must be a function/);
});

test("staleAfter: false leaves a silenced subscription alone", async (t) => {
  const sim = await simulator(t);
  const stale = [];
  const { stream } = startStream(t, { uri: sim.url, staleAfter: false, onStale: (s) => stale.push(s) });
  const book = stream.book("btcusdt", { depth: 5 });
  await tickUntil(sim, () => book.lastUpdateId > 0, "the book");
  sim.silence("book:btcusdt");
  for (let i = 0; i < 40; i++) {
    sim.tick();
    await sleep(10);
  }
  assert.deepEqual(stale, []);
  assert.equal(entryOf(stream, "book", "btcusdt").staleResubscribes, 0);
});
