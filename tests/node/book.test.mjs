// The order book: stream-driven books against the simulator's own truth
// (sim.bookAt), through gaps, version changes and drops; surgical resubscription; coalesced
// change notices; and standalone books fed by Responses, raw frames and hand-written frames.

import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { OrderBook, Response } from "maicoin-ws";
import { inboundWire } from "../support/fixtures.mjs";
import { simulator, requestLog, startStream, until, tickUntil, ScriptedSocket } from "./harness.mjs";

const fixture = (name) => JSON.stringify(inboundWire(name));

const bookSub = (market, depth) => ({ channel: "book", market, depth });
const trade = (market) => ({ channel: "trade", market });

/** The book as the simulator had it right after the book's own last update id. */
function assertMatchesSimulator(sim, book, depth) {
  assert.ok(book.inSync, `${book.market} is in sync`);
  const truth = sim.bookAt(book.market, depth, book.lastUpdateId);
  assert.ok(truth, `the simulator still knows ${book.market} at ${book.lastUpdateId}`);
  assert.deepEqual(book.asks(), truth.asks, `${book.market} asks at ${book.lastUpdateId}`);
  assert.deepEqual(book.bids(), truth.bids, `${book.market} bids at ${book.lastUpdateId}`);
  assert.equal(book.version, truth.version);
}

/** Once the stream has read every frame the simulator sent, and `books` are in sync. */
function caughtUp(stream, sim, books) {
  return () => stream.status.frames === sim.stats.framesSent && books.every((b) => b.inSync);
}

/** Requests about one market's book, as the simulator received them for one market: [action, subscriptions]. */
const bookRequests = (log, market) =>
  log.filter((e) => e.request.subscriptions?.some((s) => s.channel === "book" && s.market === market)).map((e) => [e.request.action, e.request.subscriptions]);

test("a stream book comes into sync and follows the simulator's book, update after update", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  const book = stream.book("btcusdt", { depth: 20 });
  assert.equal(book.inSync, false);
  assert.equal(book.state, "awaiting-snapshot");
  await until(caughtUp(stream, sim, [book]), "the snapshot");
  assertMatchesSimulator(sim, book, 20);
  const first = book.lastUpdateId;

  for (let i = 0; i < 20; i++) {
    sim.tick();
    await until(caughtUp(stream, sim, [book]), `tick ${i}`);
    assertMatchesSimulator(sim, book, 20);
  }
  assert.ok(book.lastUpdateId > first, "the book moved");
  assert.equal(book.asks().length, 20);
  assert.deepEqual(book.asks(3), book.asks().slice(0, 3));
  assert.deepEqual(book.bestAsk, book.asks(1)[0]);
  assert.deepEqual(book.bestBid, book.bids(1)[0]);
  // Spread and mid are exact decimals; prices here have two decimals.
  const cents = (price) => BigInt(price.replace(".", ""));
  const [ask, bid] = [cents(book.bestAsk[0]), cents(book.bestBid[0])];
  assert.equal(Math.round(Number(book.spread) * 100), Number(ask - bid));
  assert.equal(Math.round(Number(book.mid) * 1000), Number((ask + bid) * 5n));
  assert.equal(book.resyncs, 0);
  assert.equal(stream.book("btcusdt", { depth: 20 }), book, "one book per market: the same object again");
  assert.throws(() => stream.book("btcusdt", { depth: 5 }), RangeError);
});

test("a gap resubscribes only that book, with its depth; meanwhile it serves nothing; then it matches again", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const { stream } = startStream(t, { uri: sim.url });
  stream.subscribe([trade("btcusdt")]);
  const book = stream.book("btcusdt", { depth: 20 });
  const other = stream.book("ethusdt", { depth: 5 });
  await until(caughtUp(stream, sim, [book, other]), "both snapshots");
  const before = log.length;

  // Slow answers keep the book out of sync long enough to look at it.
  sim.setFaults({ answerDelayMs: 300 });
  assert.equal(sim.injectGap("btcusdt"), 1);
  await tickUntil(sim, () => book.state === "out-of-sync", "the gap to be noticed");
  assert.equal(book.inSync, false);
  assert.match(book.resyncReason, /do not continue/);
  assert.deepEqual([book.asks(), book.bids(), book.bestAsk, book.bestBid, book.spread, book.mid], [[], [], null, null, null, null]);
  assert.equal(book.lastUpdateId, null);
  assert.equal(book.resyncs, 1);
  assert.equal(other.inSync, true, "the other book is not touched");

  await until(() => book.inSync, "the new snapshot");
  sim.setFaults({ answerDelayMs: 0 });
  await until(caughtUp(stream, sim, [book, other]), "both books settled");
  assertMatchesSimulator(sim, book, 20);
  assertMatchesSimulator(sim, other, 5);
  assert.deepEqual(
    log.slice(before).map((e) => [e.request.action, e.request.subscriptions]),
    [
      ["unsub", [bookSub("btcusdt", 20)]],
      ["sub", [bookSub("btcusdt", 20)]],
    ],
  );
});

test("a version change resyncs the book, which then carries the new version", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const { stream } = startStream(t, { uri: sim.url });
  const book = stream.book("btctwd", { depth: 10 });
  await until(caughtUp(stream, sim, [book]), "the snapshot");
  const oldVersion = book.version;

  const newVersion = sim.changeVersion("btctwd");
  assert.notEqual(newVersion, oldVersion);
  await until(() => book.resyncs === 1, "the resync");
  await until(caughtUp(stream, sim, [book]), "the new snapshot");
  assert.equal(book.version, newVersion);
  assertMatchesSimulator(sim, book, 10);
  assert.deepEqual(bookRequests(log, "btctwd"), [
    ["sub", [bookSub("btctwd", 10)]],
    ["unsub", [bookSub("btctwd", 10)]],
    ["sub", [bookSub("btctwd", 10)]],
  ]);
});

test("under random gaps and version changes every resync ends in the simulator's book, and nothing else is resubscribed", async (t) => {
  const sim = await simulator(t, { bookGapProbability: 0.04, versionChangeProbability: 0.01, seed: 7 });
  const log = requestLog(sim);
  const { stream } = startStream(t, { uri: sim.url });
  stream.subscribe([trade("btcusdt"), { channel: "ticker", market: "ethusdt" }]);
  const books = [
    [stream.book("btcusdt", { depth: 20 }), 20],
    [stream.book("ethusdt", { depth: 5 }), 5],
    [stream.book("usdttwd", {}), undefined],
  ];
  const all = books.map(([b]) => b);
  // Which resyncs (by count) of each book were followed by a verified in-sync book.
  const verified = books.map(() => new Set([0]));
  await until(caughtUp(stream, sim, all), "the snapshots");
  for (let i = 0; i < 100; i++) {
    sim.tick();
    await until(caughtUp(stream, sim, all), `tick ${i}`);
    books.forEach(([book, depth], k) => {
      assertMatchesSimulator(sim, book, depth ?? 50);
      verified[k].add(book.resyncs);
    });
  }
  const total = all.reduce((n, b) => n + b.resyncs, 0);
  assert.ok(total >= 5, `${total} resyncs: the faults did happen`);
  assert.ok(sim.stats.gapsInjected > 0 && sim.stats.versionChanges > 0);
  books.forEach(([book], k) => {
    for (let n = 0; n <= book.resyncs; n++) assert.ok(verified[k].has(n), `${book.market} verified after resync ${n}`);
  });
  // The first request subscribed everything; after it, only books, one at a time, with their depth.
  const [first, ...rest] = log;
  assert.equal(first.request.action, "sub");
  assert.equal(first.request.subscriptions.length, 5);
  assert.equal(rest.length, 2 * total, "an unsub and a sub per resync");
  // Resubscriptions are requests like any other: they too waited for the rate limit.
  assert.equal(sim.stats.rateViolations, 0);
  for (let i = 0; i < rest.length; i += 2) {
    const [unsub, sub] = [rest[i].request, rest[i + 1].request];
    assert.equal(unsub.action, "unsub");
    assert.equal(sub.action, "sub");
    assert.equal(unsub.subscriptions.length, 1);
    assert.deepEqual(sub.subscriptions, unsub.subscriptions);
    const [s] = unsub.subscriptions;
    assert.equal(s.channel, "book");
    assert.equal(s.depth, books.find(([b]) => b.market === s.market)[1]);
  }
});

test("a dropped connection resets the book until the new connection's snapshot", async (t) => {
  const sim = await simulator(t);
  let book;
  const atDisconnect = [];
  const { stream } = startStream(t, {
    uri: sim.url,
    onDisconnected: () => atDisconnect.push({ state: book.state, inSync: book.inSync, asks: book.asks(), bids: book.bids(), lastUpdateId: book.lastUpdateId }),
  });
  book = stream.book("ethtwd", { depth: 10 });
  await until(caughtUp(stream, sim, [book]), "the snapshot");
  const first = book.lastUpdateId;
  await tickUntil(sim, () => book.lastUpdateId > first && caughtUp(stream, sim, [book])(), "an update");
  sim.dropAll();
  // The updates missed while away must not be patched over an old book.
  for (let i = 0; i < 5; i++) sim.tick();
  await until(() => sim.stats.connections === 2 && caughtUp(stream, sim, [book])(), "the new snapshot");
  assert.deepEqual(atDisconnect, [{ state: "awaiting-snapshot", inSync: false, asks: [], bids: [], lastUpdateId: null }]);
  assertMatchesSimulator(sim, book, 10);
  assert.equal(book.resyncs, 0, "a reset by a drop is not a resync");
});

test("onChange is coalesced: one call for a burst of updates, with the book as it ends", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  const calls = [];
  const book = stream.book("btcusdt", { depth: 20, onChange: (b) => calls.push(b.lastUpdateId) });
  await until(caughtUp(stream, sim, [book]), "the snapshot");
  await until(() => calls.at(-1) === book.lastUpdateId, "the snapshot's change notice");
  const framesBefore = stream.status.frames;
  const callsBefore = calls.length;

  for (let i = 0; i < 100; i++) sim.tick();
  await until(caughtUp(stream, sim, [book]), "every update");
  await until(() => calls.at(-1) === book.lastUpdateId, "the last change notice");
  const frames = stream.status.frames - framesBefore;
  const notices = calls.length - callsBefore;
  assert.ok(frames >= 50, `${frames} update frames`);
  assert.ok(notices >= 1 && notices * 5 <= frames, `${notices} notices for ${frames} frames`);
  assertMatchesSimulator(sim, book, 20);
});

test("book frames reach handlers only while the user subscribes to that book too", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const { stream } = startStream(t, { uri: sim.url });
  const seen = [];
  stream.addHandler((r) => seen.push(`${r.event}:${r.channel ?? r.subscriptions?.map((s) => s.channel).join("+")}`));
  stream.subscribe([trade("btcusdt")]);
  const book = stream.book("btcusdt", { depth: 5 });
  await tickUntil(sim, () => seen.includes("update:trade") && caughtUp(stream, sim, [book])() && book.lastUpdateId > 0, "trade updates");
  const bookFrames = () => seen.filter((s) => s.endsWith(":book")).length;
  assert.equal(bookFrames(), 0, "the book's snapshot and updates went only into the book");

  // The user subscribes to the same book: nothing new goes out, but its frames now reach handlers.
  stream.subscribe([bookSub("btcusdt", 5)]);
  await tickUntil(sim, () => seen.includes("update:book"), "a book update at a handler");
  assert.ok(book.inSync);
  assert.deepEqual(
    log.map((e) => e.request.action),
    ["sub"],
  );

  // Unsubscribed by the user, the book is still kept (and subscribed); handlers no longer see it.
  stream.unsubscribe([bookSub("btcusdt", 5)]);
  const count = bookFrames();
  const updateId = book.lastUpdateId;
  await tickUntil(sim, () => book.lastUpdateId > updateId && caughtUp(stream, sim, [book])(), "a book update");
  assert.equal(bookFrames(), count);
  assert.equal(log.length, 1);

  // Closing the book unsubscribes it at last; the trade subscription stays.
  book.close();
  await until(() => log.length === 2, "the unsub");
  assert.deepEqual([log[1].request.action, log[1].request.subscriptions], ["unsub", [bookSub("btcusdt", 5)]]);
  assert.deepEqual(stream.subscriptions, [trade("btcusdt")]);
});

test("a book subscription at another depth than a kept book's is refused: a connection holds one book per market", async (t) => {
  // Book frames do not say their depth, so a second depth would silently replace the kept book's
  // feed on the wire, and its frames could not be told apart for the handlers.
  const sim = await simulator(t);
  const log = requestLog(sim);
  const { stream } = startStream(t, { uri: sim.url });
  const book = stream.book("btcusdt", { depth: 20 });
  await until(caughtUp(stream, sim, [book]), "the snapshot");
  assert.throws(
    () => stream.subscribe([trade("ethusdt"), bookSub("btcusdt", 5)]),
    (error) => error instanceof RangeError && /subscriptions\[1\]\.depth/.test(error.message) && /btcusdt/.test(error.message),
  );
  assert.deepEqual(stream.subscriptions, [], "a refused list changes nothing");
  stream.subscribe([bookSub("ethusdt", 5)]);
  assert.throws(() => stream.book("ethusdt", { depth: 10 }), (error) => error instanceof RangeError && /ethusdt/.test(error.message));
  // The same depth is fine both ways; after close() the market is free for any depth.
  stream.subscribe([bookSub("btcusdt", 20)]);
  stream.unsubscribe([bookSub("btcusdt", 20)]);
  book.close();
  stream.subscribe([bookSub("btcusdt", 5)]);
  await until(() => log.length === 4 && caughtUp(stream, sim, [])(), "four requests answered");
  assert.deepEqual(
    log.map((e) => [e.request.action, e.request.subscriptions]),
    [
      ["sub", [bookSub("btcusdt", 20)]],
      ["sub", [bookSub("ethusdt", 5)]],
      ["unsub", [bookSub("btcusdt", 20)]],
      ["sub", [bookSub("btcusdt", 5)]],
    ],
  );
});

test("a standalone OrderBook follows the documented fixtures through Response.parse and applyFrame", () => {
  const snapshot = fixture("book_snapshot");
  const update = fixture("book_update");
  for (const feed of [(b, text) => b.apply(Response.parse(text)), (b, text) => b.applyFrame(text)]) {
    const book = new OrderBook("btcusdt");
    assert.equal(feed(book, fixture("subscribed")), "not-a-book-frame");
    assert.equal(feed(book, update), "ignored", "an update before any snapshot");
    assert.equal(feed(book, snapshot), "snapshot");
    assert.deepEqual(book.snapshot(5), {
      market: "btcusdt",
      state: "in-sync",
      inSync: true,
      lastUpdateId: 12141725,
      version: 1725602999632,
      bestBid: ["5333.3", "0.5"],
      bestAsk: ["5337.3", "0.1"],
      spread: book.spread,
      mid: book.mid,
      asks: [["5337.3", "0.1"]],
      bids: [["5333.3", "0.5"]],
      resyncs: 0,
    });
    assert.equal(Number(book.spread), 4);
    assert.equal(Number(book.mid), 5335.3);
    assert.equal(feed(book, update), "update");
    assert.deepEqual(book.asks(), [["5337.3", "0.01037"]]);
    assert.equal(book.lastUpdateId, 12141726);
    assert.equal(feed(book, update), "stale", "an update at or below the local li is dropped");
    assert.deepEqual(book.asks(), [["5337.3", "0.01037"]]);
  }
});

test("a standalone OrderBook fed the simulator's raw frames matches the simulator, and reports a gap", async (t) => {
  const sim = await simulator(t);
  const ws = new WebSocket(sim.url);
  t.after(() => ws.terminate());
  const frames = [];
  ws.on("message", (data) => frames.push(data.toString()));
  await new Promise((resolve) => ws.once("open", resolve));
  ws.send(JSON.stringify({ action: "sub", id: "b1", subscriptions: [bookSub("ethusdt", 10)] }));
  await until(() => frames.length === 2, "subscribed and the snapshot");
  for (let i = 0; i < 30; i++) sim.tick();
  await until(() => sim.stats.framesSent === frames.length, "every update");

  const byResponse = new OrderBook("ethusdt");
  const byFrame = new OrderBook({ market: "ethusdt" });
  for (const text of frames) {
    const outcome = byResponse.apply(Response.parse(text));
    assert.equal(byFrame.applyFrame(text), outcome);
    assert.notEqual(outcome, "resync");
  }
  for (const book of [byResponse, byFrame]) assertMatchesSimulator(sim, book, 10);

  sim.injectGap("ethusdt");
  const from = frames.length;
  await tickUntil(sim, () => frames.length >= from + 1 && sim.stats.framesSent === frames.length, "the update after the gap");
  assert.equal(byResponse.apply(Response.parse(frames[from])), "resync");
  assert.equal(byFrame.applyFrame(frames[from]), "resync");
  assert.equal(byResponse.state, "out-of-sync");
  assert.deepEqual(byFrame.asks(), []);
});

test('prices are exact decimals: "0.3" and "0.30" are one level, and nothing is rounded like a float', () => {
  const book = new OrderBook("xusdt");
  const frame = (e, fi, li, a, b) => JSON.stringify({ c: "book", e, M: "xusdt", a, b, fi, li, v: 1, T: 1 });
  assert.equal(
    book.applyFrame(
      frame(
        "snapshot",
        1,
        1,
        [
          ["0.30", "1"],
          ["10.5", "1"],
          ["9.75", "1"],
          ["0.30000000000000001", "2"],
        ],
        [["0.1", "1"]],
      ),
    ),
    "snapshot",
  );
  // Ordered by value, not by text; 0.3 and 0.30000000000000001 differ (as floats they would not).
  assert.deepEqual(
    book.asks().map(([p]) => p),
    ["0.30", "0.30000000000000001", "9.75", "10.5"],
  );
  // 0.3 - 0.1 is 0.2 exactly (0.19999999999999998 in floating point).
  assert.equal(book.spread, "0.2");
  assert.equal(book.mid, "0.2");
  // "0.3" names the level "0.30": the update replaces it and the wire's newest spelling is kept.
  assert.equal(book.applyFrame(frame("update", 2, 2, [["0.3", "5"]], [])), "update");
  assert.deepEqual(book.asks(2), [
    ["0.3", "5"],
    ["0.30000000000000001", "2"],
  ]);
  // "9.750" with volume "0.000" removes the level "9.75".
  assert.equal(book.applyFrame(frame("update", 3, 3, [["9.750", "0.000"]], [])), "update");
  assert.deepEqual(
    book.asks().map(([p]) => p),
    ["0.3", "0.30000000000000001", "10.5"],
  );
  // Removing a level the book does not have is normal.
  assert.equal(book.applyFrame(frame("update", 4, 4, [], [["0.05", "0"]])), "update");
  assert.deepEqual(book.bids(), [["0.1", "1"]]);
});

test("a crossed book (best bid at or above best ask) is a desync, for a standalone book too", () => {
  const book = new OrderBook("xusdt");
  const frame = (e, fi, li, a, b) => JSON.stringify({ c: "book", e, M: "xusdt", a, b, fi, li, v: 1, T: 1 });
  assert.equal(book.applyFrame(frame("snapshot", 1, 1, [["101", "1"]], [["99", "1"]])), "snapshot");
  assert.equal(book.applyFrame(frame("update", 2, 2, [], [["101.0", "2"]])), "resync");
  assert.equal(book.inSync, false);
  assert.match(book.resyncReason, /crossed/);
  assert.deepEqual([book.asks(), book.bids(), book.bestBid], [[], [], null]);
  assert.equal(book.applyFrame(frame("update", 3, 3, [], [["98", "1"]])), "ignored", "out of sync until a snapshot");
  assert.equal(book.applyFrame(frame("snapshot", 5, 5, [["100", "1"]], [["100", "1"]])), "resync", "a crossed snapshot too");
  assert.equal(book.applyFrame(frame("snapshot", 6, 6, [], [])), "snapshot");
  assert.equal(book.inSync, true, "an empty snapshot is an empty book, in sync");
  assert.deepEqual([book.asks(), book.bids(), book.spread], [[], [], null]);
});

test("a stream book that turns crossed resubscribes itself (hand-written frames)", async (t) => {
  const sockets = [];
  const { stream } = startStream(t, {
    uri: "ws://scripted.invalid/ws",
    connectFactory: () => {
      sockets.push(new ScriptedSocket());
      return sockets.at(-1);
    },
  });
  const book = stream.book("btcusdt", { depth: 5 });
  await until(() => sockets[0]?.sent.length === 1, "the book's sub");
  const socket = sockets[0];
  assert.deepEqual(socket.sent[0].subscriptions, [bookSub("btcusdt", 5)]);
  const levels = (e, fi, li, a, b) => ({ c: "book", e, M: "btcusdt", a, b, fi, li, v: 9 });
  socket.deliver({ e: "subscribed", s: [bookSub("btcusdt", 5)], i: socket.sent[0].id });
  socket.deliver(levels("snapshot", 100, 100, [["101", "1"]], [["99", "1"]]));
  await until(() => book.inSync, "the snapshot");

  socket.deliver(levels("update", 101, 101, [], [["101.5", "1"]]));
  await until(() => socket.sent.length === 3, "the resubscription");
  assert.match(book.resyncReason, /crossed/);
  assert.deepEqual(
    socket.sent.slice(1).map((r) => [r.action, r.subscription ?? r.subscriptions]),
    [
      ["unsub", [bookSub("btcusdt", 5)]],
      ["sub", [bookSub("btcusdt", 5)]],
    ],
  );
  socket.deliver({ e: "unsubscribed", s: [bookSub("btcusdt", 5)], i: socket.sent[1].id });
  socket.deliver({ e: "subscribed", s: [bookSub("btcusdt", 5)], i: socket.sent[2].id });
  socket.deliver(levels("snapshot", 105, 105, [["102", "3"]], [["100", "2"]]));
  await until(() => book.inSync, "the new snapshot");
  assert.deepEqual([book.asks(), book.bids(), book.lastUpdateId, book.resyncs], [[["102", "3"]], [["100", "2"]], 105, 1]);
  assert.equal(sockets.length, 1, "a resync is not a reconnect");
});
