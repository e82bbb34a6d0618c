// Two tabs of one origin with transport "shared" in headless Chromium: one connection to the
// simulator for both, each tab gets its own subscriptions only, a subscription both hold is sent
// once and unsubscribed only when the last one leaves, a tab that stops answering is released
// within 5 s, and the socket closes with the last tab.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { simulator, requestLog, subscriptionsSent as sent, until, sleep, SAFETY_MS } from "../node/harness.mjs";
import { startStaticServer } from "./static-server.mjs";
import { startStaticServer as startDashboardServer } from "../../scripts/serve.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.mjs";

const TRADE_BTC = { channel: "trade", market: "btcusdt" };
const TICKER_ETH = { channel: "ticker", market: "ethusdt" };
const TICKER_BTC = { channel: "ticker", market: "btcusdt" };

async function setUp(t) {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const web = await startStaticServer();
  t.after(() => web.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  // One context: the tabs of one profile, which share a SharedWorker per origin.
  const context = await browser.newContext();
  const problems = [];
  const open = async (subscribe, book) => {
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
    const query = new URLSearchParams({ uri: sim.url, transport: "shared", subscribe: JSON.stringify(subscribe) });
    if (book) query.set("book", book);
    await page.goto(`${web.url}/tests/browser/transport.html?${query}`);
    await page.waitForFunction(() => window.__result?.connected === 1, undefined, { timeout: SAFETY_MS, polling: 10 });
    return {
      page,
      result: () => page.evaluate(() => window.__result),
      received: async (key) => (await page.evaluate(() => window.__result.received))[key] ?? 0,
    };
  };
  return { sim, log, open, problems };
}

test("two shared tabs make one connection, get only their own subscriptions, and the socket closes with the last", async (t) => {
  const { sim, log, open, problems } = await setUp(t);
  const a = await open([TRADE_BTC, TICKER_ETH], "ethusdt");
  const b = await open([TRADE_BTC, TICKER_BTC], "ethusdt");
  assert.equal((await a.result()).transport, "shared");
  assert.equal(sim.stats.connections, 1, "one connection for both tabs");
  assert.equal(sim.connections, 1);
  const stats = await (await fetch(`${sim.url.replace(/^ws/, "http").replace(/\/ws$/, "")}/stats`)).json();
  assert.deepEqual(stats, { open: 1, connections: 1, disconnects: 0 }, "the simulator's /stats says the same");

  // Both see their data; each only its own tickers.
  for (let ticks = 0; ; ticks++) {
    const [aTrades, aEth, bTrades, bBtc] = await Promise.all([a.received("trade btcusdt"), a.received("ticker ethusdt"), b.received("trade btcusdt"), b.received("ticker btcusdt")]);
    if (aTrades > 1 && aEth > 1 && bTrades > 1 && bBtc > 1) break;
    assert.ok(ticks < 500, "every subscription's data within 500 ticks");
    sim.tick();
    await sleep(10);
  }
  assert.equal(await a.received("ticker btcusdt"), 0, "tab A never gets B's ticker");
  assert.equal(await b.received("ticker ethusdt"), 0, "tab B never gets A's ticker");
  assert.equal(sent(log, "sub", TRADE_BTC), 1, "the trade channel both hold is subscribed once");
  assert.ok((await b.result()).subscribed.includes("trade btcusdt"), "the second tab is told its shared subscription holds");

  // The book is kept once in the worker (one book sub) and both tabs read it in sync.
  assert.equal(sent(log, "sub", { channel: "book", market: "ethusdt" }), 1);
  for (const tab of [a, b]) {
    await tab.page.waitForFunction(() => window.__result.book?.inSync, undefined, { timeout: SAFETY_MS, polling: 10 });
    const book = (await tab.result()).book;
    const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
    assert.deepEqual([book.asks, book.bids], [truth.asks, truth.bids]);
  }

  // A leaves: its own ticker is unsubscribed, the shared trade channel is not; B streams on.
  await a.page.evaluate(() => window.__transport.close());
  await until(() => sent(log, "unsub", TICKER_ETH) === 1, "A's ticker unsubscribed");
  assert.equal((await a.result()).ended, "resolved");
  const before = await b.received("trade btcusdt");
  for (let ticks = 0; (await b.received("trade btcusdt")) === before; ticks++) {
    assert.ok(ticks < 500, "B still gets trades after A closed");
    sim.tick();
    await sleep(10);
  }
  assert.equal(sent(log, "unsub", TRADE_BTC), 0);
  assert.equal(sim.connections, 1);

  // B leaves too: the connection closes, and still only one was ever made.
  await b.page.evaluate(() => window.__transport.close());
  await until(() => sim.connections === 0, "the socket to close with the last tab");
  assert.equal(sim.stats.connections, 1);
  assert.deepEqual(problems, []);
});

test("a shared tab that stops answering is released within 5 s; closing the last tab's page closes the socket", async (t) => {
  const { sim, log, open, problems } = await setUp(t);
  const a = await open([TRADE_BTC]);
  const b = await open([TRADE_BTC, TICKER_BTC]);
  assert.equal(sim.stats.connections, 1);

  // B's page thread is stopped in the debugger: it neither closes nor answers heartbeats.
  const cdp = await b.page.context().newCDPSession(b.page);
  await cdp.send("Debugger.enable");
  await cdp.send("Debugger.pause");
  const stopped = Date.now();
  await until(() => sent(log, "unsub", TICKER_BTC) === 1, "the silent tab's ticker to be released", 5000);
  assert.ok(Date.now() - stopped <= 5000, "released within 5 s");
  assert.equal(sent(log, "unsub", TRADE_BTC), 0, "the channel A still holds stays");
  assert.equal(sim.connections, 1);
  await cdp.send("Debugger.resume");

  // A's page goes away without close(): pagehide releases it at once (sooner than a missed
  // heartbeat could), and with it the socket.
  const closing = Date.now();
  await a.page.close();
  await until(() => sim.connections === 0, "the socket to close once the last tab is gone", 5000);
  assert.ok(Date.now() - closing < 2000, `released on pagehide (after ${Date.now() - closing} ms), not by the heartbeat`);
  assert.equal(sim.stats.connections, 1);
  assert.deepEqual(problems.filter((p) => !p.includes("released")), []);
});

test("two dashboard tabs share one connection, and the second shows the market list and the book", async (t) => {
  const sim = await simulator(t, { tickMs: 50 });
  const web = await startDashboardServer({ root: new URL("../..", import.meta.url).pathname, config: { uri: sim.url, rest: `http://127.0.0.1:${sim.port}` } });
  t.after(() => web.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const context = await browser.newContext();
  const problems = [];
  const open = async (query) => {
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${web.url}/www/${query}`);
    await page.waitForFunction(() => document.body.dataset.connection === "connected", undefined, { timeout: SAFETY_MS, polling: 20 });
    return page;
  };
  const first = await open("?market=btcusdt");
  const second = await open("?market=ethusdt");
  assert.equal(await second.evaluate(() => window.dashboard.stream.transport), "shared");
  for (const page of [first, second]) {
    await page.waitForFunction(() => document.querySelectorAll("#markets tr[data-market]").length > 1, undefined, { timeout: SAFETY_MS, polling: 20 });
    await page.waitForFunction(() => window.dashboard.book?.inSync, undefined, { timeout: SAFETY_MS, polling: 20 });
  }
  assert.equal(await second.evaluate(() => window.dashboard.book.market), "ethusdt");
  assert.equal(sim.stats.connections, 1, "one socket for both dashboards");
  const direct = await open("?market=btcusdt&transport=direct");
  assert.equal(await direct.evaluate(() => window.dashboard.stream.transport), "direct");
  assert.equal(sim.stats.connections, 2, "?transport=direct makes a socket of its own");
  assert.deepEqual(problems, []);
});
