// The worker's side of the "worker" and "shared" transports (js/transport/hub.js), driven in Node
// over MessageChannel ports exactly as pages drive it: tabs of one key share one connection,
// subscriptions and books are reference-counted, each tab gets only its own responses, a book's
// snapshots wait for the tab to have shown the last one, other credentials get another
// connection, the secret never comes back, and a silent tab is released.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Hub } from "../../js/transport/hub.js";
import { TO_WORKER, TO_PAGE } from "../../js/transport/protocol.js";
import { simulator, requestLog, requestsOf, until, sleep, FAST } from "./harness.mjs";

const TRADE = { channel: "trade", market: "btcusdt" };
const TICKER_BTC = { channel: "ticker", market: "btcusdt" };
const TICKER_ETH = { channel: "ticker", market: "ethusdt" };

/** A page's end of a port to `hub`: what it was sent, and a send() of its own. */
function tab(t, hub, { answerPings = true } = {}) {
  const { port1, port2 } = new MessageChannel();
  hub.attach(port1);
  const seen = [];
  port2.onmessage = ({ data }) => {
    seen.push(data);
    if (answerPings && data.t === TO_PAGE.PING) port2.postMessage({ t: TO_WORKER.PONG });
  };
  const send = (message) => port2.postMessage(message);
  t.after(() => {
    send({ t: TO_WORKER.CLOSE });
    setTimeout(() => (port1.close(), port2.close()), 50);
  });
  const responses = () => seen.filter((m) => m.t === TO_PAGE.RESPONSE).map((m) => m.response);
  const count = (channel, market) => responses().filter((r) => r.channel === channel && r.market === market).length;
  const calls = (name) => seen.filter((m) => m.t === TO_PAGE.CALLBACK && m.name === name);
  return { seen, send, responses, count, calls };
}

const open = (uri, credentials = null) => ({ t: TO_WORKER.OPEN, options: { uri, reconnectPolicy: FAST }, credentials, callbacks: [] });

/** How many times `subscription` was in a request of `action` at the simulator. */
function sent(log, action, subscription) {
  const key = JSON.stringify(subscription);
  return requestsOf(log, action)
    .flatMap((request) => request.subscriptions ?? request.subscription ?? [])
    .filter((s) => JSON.stringify({ channel: s.channel, market: s.market }) === key).length;
}

async function tickUntil(sim, check, what) {
  await until(() => check() || (sim.tick(), false), what);
}

test("tabs of one key share one connection; each gets only its own subscriptions; the last to leave closes it", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const hub = new Hub();
  const a = tab(t, hub);
  const b = tab(t, hub);
  a.send(open(sim.url));
  a.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [TRADE, TICKER_ETH] });
  a.send({ t: TO_WORKER.RUN });
  await until(() => a.calls("onConnected").length === 1, "A connected");
  b.send(open(sim.url));
  b.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [TRADE, TICKER_BTC] });
  b.send({ t: TO_WORKER.RUN });
  await until(() => b.calls("onConnected").length === 1, "B told of the live connection");
  assert.equal(sim.stats.connections, 1);

  await tickUntil(sim, () => a.count("trade", "btcusdt") > 1 && b.count("trade", "btcusdt") > 1 && a.count("ticker", "ethusdt") > 1 && b.count("ticker", "btcusdt") > 1, "every tab's data");
  assert.equal(a.count("ticker", "btcusdt"), 0);
  assert.equal(b.count("ticker", "ethusdt"), 0);
  assert.equal(sent(log, "sub", TRADE), 1, "the shared channel is subscribed once");
  const toldB = b.responses().filter((r) => r.event === "subscribed").flatMap((r) => r.subscriptions);
  assert.ok(toldB.some((s) => s.channel === "trade"), "B is told that its shared trade subscription holds");
  assert.ok(toldB.some((s) => s.channel === "ticker" && s.market === "btcusdt"), "and gets the server's answer for its own");
  assert.ok(!a.responses().some((r) => r.event === "subscribed" && r.subscriptions.some((s) => s.market === "btcusdt" && s.channel === "ticker")), "A does not see B's answer");

  // A reconnect reaches every tab's callbacks.
  sim.dropAll();
  await until(() => a.calls("onConnected").length === 2 && b.calls("onConnected").length === 2, "both tabs see the reconnection");
  assert.equal(a.calls("onDisconnected").length, 1);
  assert.equal(typeof a.calls("onDisconnected")[0].args[0].error.message, "string", "the error crosses as a plain object");

  b.send({ t: TO_WORKER.UNSUBSCRIBE, subscriptions: [TRADE] });
  await sleep(50);
  assert.equal(sent(log, "unsub", TRADE), 0, "A still holds the trade channel");
  a.send({ t: TO_WORKER.CLOSE });
  await until(() => sent(log, "unsub", TRADE) === 1, "the last holder's unsub");
  assert.equal(sent(log, "unsub", TICKER_ETH), 1);
  assert.ok(a.seen.some((m) => m.t === TO_PAGE.ENDED && m.error === null), "A's close is answered");
  assert.equal(sim.connections, 1);
  b.send({ t: TO_WORKER.CLOSE });
  await until(() => sim.connections === 0, "the socket closed with the last tab");
  assert.equal(sim.stats.connections, 2, "the one connection, and its reconnection");
});

test("a book is kept once; each tab gets a snapshot only after it has shown the one before", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const hub = new Hub();
  const a = tab(t, hub);
  const b = tab(t, hub);
  for (const [page, id] of [
    [a, 7],
    [b, 1],
  ]) {
    page.send(open(sim.url));
    page.send({ t: TO_WORKER.BOOK, id, market: "ethusdt", depth: 10 });
    page.send({ t: TO_WORKER.RUN });
  }
  const snapshots = (page) => page.seen.filter((m) => m.t === TO_PAGE.BOOK);
  await until(() => snapshots(a).some((m) => m.snapshot.inSync) || (a.send({ t: TO_WORKER.BOOK_READY, id: 7 }), false), "A's book in sync");
  assert.equal(sent(log, "sub", { channel: "book", market: "ethusdt" }), 1, "one book subscription for both tabs");

  // B never says it is ready: after its first snapshot it is sent nothing more.
  const bBefore = snapshots(b).length;
  for (let i = 0; i < 30; i++) {
    sim.tick();
    await sleep(20);
    a.send({ t: TO_WORKER.BOOK_READY, id: 7 });
  }
  assert.ok(snapshots(a).length > 3, "A, which keeps up, gets snapshot after snapshot");
  assert.equal(snapshots(b).length, bBefore, "B, which does not, waits");
  assert.ok(snapshots(b).every((m) => m.id === 1), "each tab's snapshots carry its own id");
  b.send({ t: TO_WORKER.BOOK_READY, id: 1 });
  await until(() => snapshots(b).length === bBefore + 1, "B's next snapshot once it is ready");
  const last = snapshots(b).at(-1).snapshot;
  const truth = sim.bookAt("ethusdt", 10, last.lastUpdateId);
  assert.deepEqual([last.asks, last.bids], [truth.asks, truth.bids], "and it is the newest state, not a backlog");

  a.send({ t: TO_WORKER.UNBOOK, id: 7 });
  await sleep(50);
  assert.equal(sent(log, "unsub", { channel: "book", market: "ethusdt" }), 0, "B still reads the book");
  b.send({ t: TO_WORKER.UNBOOK, id: 1 });
  await until(() => sent(log, "unsub", { channel: "book", market: "ethusdt" }) === 1, "the book released by its last reader");
});

test("only tabs with the same key and secret share a stream; the secret is never sent back", async (t) => {
  const sim = await simulator(t);
  const hub = new Hub();
  const good = { apiKey: "test-key", apiSecret: "test-secret" };
  const pages = [tab(t, hub), tab(t, hub), tab(t, hub), tab(t, hub)];
  const credentials = [good, { ...good }, { apiKey: "test-key", apiSecret: "another-secret" }, null];
  pages.forEach((page, i) => {
    page.send(open(sim.url, credentials[i]));
    page.send({ t: TO_WORKER.RUN });
  });
  await until(() => sim.connections === 3, "one connection for the two matching tabs, one each for the others");
  await until(() => pages[0].responses().some((r) => r.event === "authenticated") && pages[1].responses().some((r) => r.event === "authenticated"), "both matching tabs authenticated");
  await sleep(1200);
  for (const page of pages) assert.ok(!JSON.stringify(page.seen).includes("secret"), "no message to a page holds a secret");
  assert.ok(!pages[3].responses().some((r) => r.channel === "user"), "the public tab sees no private data");
});

test("a tab that stops answering heartbeats is released within 5 s", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const hub = new Hub();
  const live = tab(t, hub);
  const silent = tab(t, hub, { answerPings: false });
  for (const [page, subscriptions] of [
    [live, [TRADE]],
    [silent, [TRADE, TICKER_BTC]],
  ]) {
    page.send(open(sim.url));
    page.send({ t: TO_WORKER.SUBSCRIBE, subscriptions });
    page.send({ t: TO_WORKER.RUN });
  }
  await until(() => sent(log, "sub", TICKER_BTC) === 1, "the silent tab's sub");
  const since = Date.now();
  await until(() => sent(log, "unsub", TICKER_BTC) === 1, "the silent tab released", 5000);
  assert.ok(Date.now() - since <= 5000);
  assert.equal(sent(log, "unsub", TRADE), 0, "what the live tab holds stays");
  silent.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [TICKER_ETH] });
  await until(() => silent.seen.some((m) => m.t === TO_PAGE.ENDED && /heartbeat/.test(m.error?.message)), "the released tab told so when it speaks again");
  assert.equal(sent(log, "sub", TICKER_ETH), 0);
});

test("a message the worker does not know ends that tab's stream with an error naming it", async (t) => {
  const sim = await simulator(t);
  const hub = new Hub();
  const page = tab(t, hub);
  page.send(open(sim.url));
  page.send({ t: "subscribe-all" });
  await until(() => page.seen.some((m) => m.t === TO_PAGE.ENDED), "the refusal");
  assert.match(page.seen.find((m) => m.t === TO_PAGE.ENDED).error.message, /unknown message "subscribe-all"/);
});

test("a tab joining a subscription already on the wire starts from its snapshot, and the updates since", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const hub = new Hub();
  const first = tab(t, hub);
  const MARKETS = { channel: "market_status" };
  first.send(open(sim.url));
  first.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [MARKETS, TRADE, TICKER_BTC] });
  first.send({ t: TO_WORKER.RUN });
  const has = (page, channel, event) => page.responses().some((r) => r.channel === channel && r.event === event);
  await tickUntil(sim, () => has(first, "market_status", "snapshot") && has(first, "trade", "snapshot") && has(first, "trade", "update") && has(first, "ticker", "update"), "the first tab's snapshots and updates");

  const late = tab(t, hub);
  late.send(open(sim.url));
  late.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [MARKETS, TRADE, TICKER_BTC] });
  late.send({ t: TO_WORKER.RUN });
  await until(() => has(late, "market_status", "snapshot") && has(late, "trade", "snapshot") && late.count("ticker", "btcusdt") > 0, "the late tab's replay");
  assert.equal(sim.stats.connections, 1);
  assert.equal(requestsOf(log, "sub").length, 1, "nothing was subscribed again for the late tab");
  const markets = (page) => page.responses().find((r) => r.channel === "market_status" && r.event === "snapshot").marketStatus;
  assert.deepEqual(markets(late), markets(first), "the same market list");
  // The trade tape: the snapshot, then every update the first tab got after it, in order.
  const tape = (page) => page.responses().filter((r) => r.channel === "trade").map((r) => `${r.event} ${r.trades.map((x) => x.id).join(",")}`);
  assert.deepEqual(tape(late), tape(first));
  const lastTicker = (page) => page.responses().filter((r) => r.channel === "ticker").at(-1);
  assert.deepEqual(lastTicker(late), lastTicker(first), "a ticker's last response is its state");
});

test("auth() after opening moves the tab, with its subscriptions and books, to the stream of that key", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const hub = new Hub();
  const page = tab(t, hub);
  page.send(open(sim.url));
  page.send({ t: TO_WORKER.SUBSCRIBE, subscriptions: [TRADE] });
  page.send({ t: TO_WORKER.BOOK, id: 3, market: "ethusdt", depth: 5 });
  page.send({ t: TO_WORKER.RUN });
  await until(() => page.calls("onConnected").length === 1, "the public stream connected");
  page.send({ t: TO_WORKER.AUTH, apiKey: "test-key", apiSecret: "test-secret" });
  await until(() => page.responses().some((r) => r.event === "authenticated"), "the authenticated stream");
  await until(() => sim.connections === 1 && sim.stats.connections === 2, "the public stream closed, the private one open");
  await until(() => requestsOf(log, "sub").length === 2, "the subscriptions sent again on the new connection");
  const resent = requestsOf(log, "sub").at(-1).subscriptions.map((s) => `${s.channel} ${s.market}`).sort();
  assert.deepEqual(resent, ["book ethusdt", "trade btcusdt"]);
  assert.ok(!JSON.stringify(page.seen).includes("test-secret"));
});
