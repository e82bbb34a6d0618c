// The page's side of the "worker" transport (js/transport/remote-stream.js, remote-book.js) in
// Node: a stand-in Worker global joins the proxy to the worker's own Hub over a MessageChannel,
// so the proxy's API is checked against the simulator without a browser: the same options
// checks as a direct stream, dispatch modes, handler errors, lifecycle callbacks, books read from
// snapshots, cached getters, close() and the secret kept out of what the page can show.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Stream } from "maicoin-ws";
import { FakeWorker, installFakeWorker } from "./support/fake-worker.mjs";
import { simulator, until, sleep, FAST } from "./harness.mjs";

installFakeWorker(before, after);

function remote(t, sim, options = {}) {
  const stream = new Stream({ uri: sim.url, transport: "worker", reconnectPolicy: FAST, ...options });
  t.after(() => stream.close());
  return stream;
}

test("without SharedWorker, shared is worker; the proxy is a Stream started from the package's worker script", async (t) => {
  const sim = await simulator(t);
  const stream = remote(t, sim, { transport: "shared" });
  assert.equal(stream.transport, "worker");
  assert.ok(stream instanceof Stream);
  const { url, options } = FakeWorker.started.at(-1);
  assert.match(url, /\/js\/transport\/worker\.js$/);
  assert.equal(options.type, "module");
  assert.equal(new Stream({ uri: sim.url }).transport, "direct");
});

test("options are checked as a direct stream checks them, and functions that cannot cross are refused", async (t) => {
  const sim = await simulator(t);
  assert.throws(() => remote(t, sim, { dispatch: "later" }), RangeError);
  assert.throws(() => remote(t, sim, { uri: "http://x" }), TypeError);
  assert.throws(() => remote(t, sim, { connectFactory: () => null }), /connectFactory is a function, which cannot be sent to a worker: use transport: "direct"/);
  assert.throws(() => remote(t, sim, { record: () => {} }), /record is a function/);
  assert.throws(() => remote(t, sim, { onConnected: 3 }), TypeError);
  assert.throws(() => remote(t, sim, { transport: "tab" }), /transport must be one of direct, worker, shared/);
  const stream = remote(t, sim);
  assert.throws(() => stream.subscribe([{ channel: "book", market: "btcusdt", depth: 7 }]), RangeError);
  assert.throws(() => stream.book(5), TypeError);
});

test("handlers get the worker's responses inline, lifecycle callbacks run here, close() resolves run()", async (t) => {
  const sim = await simulator(t);
  const seen = [];
  const failures = [];
  const states = [];
  const stream = remote(t, sim, {
    onConnected: () => seen.push("connected"),
    onStateChange: (state) => states.push(state),
    onHandlerError: (error) => failures.push(error.message),
  });
  stream.subscribe({ channel: "ticker", market: "btcusdt" });
  const order = [];
  stream.addHandler(async (response) => {
    if (response.channel !== "ticker") return;
    order.push("first");
    await sleep(5);
    order.push("first done");
  });
  stream.addHandler((response) => {
    if (response.channel !== "ticker") return;
    order.push("second");
    throw new Error("a failing handler");
  });
  const ended = stream.run();
  await until(() => seen.includes("connected"), "onConnected in the page");
  assert.equal(stream.state, "connected");
  await until(() => order.length >= 3 || (sim.tick(), false), "a ticker through both handlers");
  assert.deepEqual(order.slice(0, 3), ["first", "first done", "second"], "inline: each handler awaited, in order");
  assert.ok(failures.includes("a failing handler"));
  const ticker = (await until(() => stream.status.frames > 0 && stream.status, "fresh status counters")).lastFrameAt;
  assert.ok(ticker instanceof Date, "Dates survive the crossing");
  await until(() => stream.requests.length > 0, "the requests, cached from the worker");
  assert.equal(stream.requests[0].action, "sub");
  stream.close();
  await ended;
  assert.equal(stream.state, "closed");
  assert.ok(states.includes("connected"));
  await until(() => sim.connections === 0, "the worker's socket closed");
});

test("queue mode hands responses to responses(), which ends with close()", async (t) => {
  const sim = await simulator(t);
  const stream = remote(t, sim, { dispatch: "queue" });
  stream.subscribe([{ channel: "trade", market: "btcusdt" }]);
  const ended = stream.run();
  const events = [];
  const reading = (async () => {
    for await (const response of stream.responses()) {
      events.push(response.event);
      if (response.channel === "trade") stream.close();
    }
  })();
  await until(() => events.includes("subscribed"), "the subscribed answer");
  while (!events.includes("snapshot") && !events.includes("update")) {
    sim.tick();
    await sleep(5);
  }
  await reading;
  await ended;
  assert.throws(() => remote(t, sim).responses(), /needs dispatch: "queue"/);
});

test("a book in the worker reads like an OrderBook, from snapshots; one object per market and depth", async (t) => {
  const sim = await simulator(t);
  const stream = remote(t, sim);
  let changes = 0;
  const book = stream.book("ETHUSDT", { depth: 10, onChange: () => changes++ });
  assert.equal(stream.book("ethusdt", { depth: 10 }), book);
  assert.equal(book.state, "awaiting-snapshot");
  assert.deepEqual(book.asks(), []);
  stream.run();
  await until(() => book.inSync || (sim.tick(), false), "the book in sync");
  await until(() => changes > 0, "onChange");
  const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
  assert.deepEqual([book.asks(), book.bids()], [truth.asks, truth.bids]);
  assert.deepEqual(book.asks(2), truth.asks.slice(0, 2));
  const snapshot = book.snapshot(3);
  assert.equal(snapshot.market, "ethusdt");
  assert.equal(snapshot.asks.length, 3);
  assert.deepEqual(snapshot.bestBid, truth.bids[0]);
  assert.equal(book.depth, 10);
  assert.equal(String(book), "OrderBook(ethusdt, in-sync)");
  assert.throws(() => book.apply({}), /fed by its stream's worker/);
  assert.throws(() => book.asks(-1), RangeError);
  assert.deepEqual(stream.subscriptions, [{ channel: "book", market: "ethusdt", depth: 10 }]);
  book.close();
  assert.deepEqual(stream.subscriptions, []);
});

test("the secret goes to the worker and is not shown by the proxy", async (t) => {
  const sim = await simulator(t);
  const stream = remote(t, sim, { apiKey: "test-key", apiSecret: "test-secret" });
  stream.run();
  await until(() => stream.state === "connected", "connected");
  await until(() => stream.requests.some((r) => r.action === "auth"), "the signed auth request, from the worker");
  for (const shown of [String(stream), JSON.stringify(stream), JSON.stringify(stream.requests), JSON.stringify(stream.status)]) {
    assert.ok(!shown.includes("test-secret"), shown);
  }
  assert.equal(JSON.parse(JSON.stringify(stream)).authenticated, true);
  assert.throws(() => stream.auth("key", 5), /apiSecret: expected a string/);
});
