// The browser matrix: Chromium, Firefox ESR and WebKitGTK, each driven over W3C WebDriver
// (webdriver.mjs). In every engine the package runs as a plain module with no bundler: it decodes
// every documented message as Node does, a Stream talks to the local simulator through the
// browser's own WebSocket with a book in sync (and survives a drop), and the dashboard shows live
// numbers: 200 candles of history ending in the simulator's open candle, on load and after a
// resolution switch, a depth chart with the simulator's totals, and a health panel with latency
// numbers, frame rates and a reconnect count that rises after a drop (dashboard-checks.mjs). The
// Stream also runs in a dedicated Worker, and two windows of one session on transport "shared"
// make one connection between them (the simulator counts it), each with its own subscriptions. No
// page may log an error (page-errors.mjs records them). Each engine and page is a subtest of its
// own, so a failure names the engine. BROWSER_MATRIX=firefox,webkit narrows the run while
// working on one engine; the default is all three.

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { Response } from "maicoin-ws";
import { startSimulator } from "../../sim/server.js";
import { startStaticServer as startDashboardServer } from "../../scripts/serve.mjs";
import { hmac, inbound } from "../support/fixtures.mjs";
import { requestLog, requestsOf, subscriptionsSent, until } from "../node/harness.mjs";
import {
  assertChartHistory,
  assertDepthMatchesSimulator,
  assertHealthShowsNumbers,
  assertReconnectCounted,
  marketClock,
} from "./dashboard-checks.mjs";
import { startErrorCaptureProxy } from "./page-errors.mjs";
import { startStaticServer } from "./static-server.mjs";
import { ENGINES, openBrowser } from "./webdriver.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ARTIFACTS = join(ROOT, "tests", "artifacts");
const ENGINE_IDS = (process.env.BROWSER_MATRIX ?? Object.keys(ENGINES).join(",")).split(",").filter(Boolean);
// Safety nets only: every wait ends as soon as its condition holds. WebKit under Xvfb is the slowest.
const WAIT = { timeoutMs: 30_000 };
// What each engine's WebSocket says it is, so a driver that started another browser is caught.
const USER_AGENTS = { chromium: /HeadlessChrome\//, firefox: /Gecko\/\d+ Firefox\//, webkit: /AppleWebKit\/(?!.*Chrome\/).*Safari\// };

/** `window.__errors`, after checking that the recorder is really in the page. */
async function pageErrors(browser) {
  const errors = await browser.execute("return window.__errors ?? null");
  assert.ok(Array.isArray(errors), `${browser.engine}: the page-error recorder is missing from the page`);
  return errors;
}

/** Ticks the simulator's market while `wait()` runs: a tick may carry no trade. */
async function ticking(sim, wait) {
  const ticker = setInterval(() => sim.tick(), 20);
  try {
    return await wait();
  } finally {
    clearInterval(ticker);
  }
}

/** The simulator's own count of connections, over HTTP as any client would read it. */
async function simulatorStats(sim) {
  const response = await fetch(`http://127.0.0.1:${sim.port}/stats`);
  return response.json();
}

const TRADE_BTC = { channel: "trade", market: "btcusdt" };
const TICKER_ETH = { channel: "ticker", market: "ethusdt" };
const TICKER_BTC = { channel: "ticker", market: "btcusdt" };

let pages;
before(async () => {
  pages = await startStaticServer({ captureErrors: true });
});
after(() => pages?.close());

for (const id of ENGINE_IDS) {
  const name = ENGINES[id]?.name ?? id;

  describe(name, () => {
    let browser;
    let started;
    // A browser that cannot start fails each of its tests (a failed hook would count as cancelled).
    let unavailable = null;
    const assertStarted = () => {
      if (unavailable) throw unavailable;
    };

    before(async () => {
      started = Date.now();
      browser = await openBrowser(id).catch((error) => ((unavailable = error), null));
    });
    after(async () => {
      await browser?.quit();
      if (browser) console.log(`${name} ${browser.version ?? ""}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    test(`${name}: the page-error recorder sees uncaught errors, rejections and console.error`, async () => {
      assertStarted();
      await browser.goto(`${pages.url}/tests/browser/plain-module.html`);
      // A script element of the page itself: WebDriver's own scripts may run in a sandbox whose
      // errors never reach the page (Firefox's do).
      await browser.execute(`
        const probe = document.createElement("script");
        probe.textContent = 'setTimeout(() => { throw new Error("probe thrown"); }); Promise.reject(new Error("probe rejected")); console.error("probe logged");';
        document.head.append(probe);
      `);
      const errors = await browser.until("return window.__errors.length >= 3 && window.__errors", "the three probes", { timeoutMs: 5000 });
      assert.ok(errors.some((e) => e.includes("probe thrown")), errors.join("\n"));
      assert.ok(errors.some((e) => e.startsWith("unhandled rejection") && e.includes("probe rejected")), errors.join("\n"));
      assert.ok(errors.includes("console.error: probe logged"), errors.join("\n"));
    });

    test(`${name}: the plain-module page decodes every documented message as Node does and signs the HMAC vector`, async () => {
      assertStarted();
      await browser.goto(`${pages.url}/tests/browser/plain-module.html`);
      await browser.until("return document.querySelector('#result').dataset.status", "the page's result", WAIT);
      const [status, text] = await browser.execute("const r = document.querySelector('#result'); return [r.dataset.status, r.textContent]");
      assert.equal(status, "done", text);
      const { responses, datesAreDates, refusal, signature, subscribe } = JSON.parse(text);
      assert.equal(responses.length, inbound.length);
      inbound.forEach(({ name: fixture, wire }, index) => {
        const inNode = JSON.parse(JSON.stringify(Response.parse(JSON.stringify(wire))));
        assert.deepEqual(responses[index], inNode, fixture);
      });
      assert.equal(datesAreDates, true);
      assert.equal(refusal, "Error: invalid MAX message: it has no event (key `e`)");
      assert.equal(signature, hmac.signature);
      assert.deepEqual(subscribe.subscriptions, [{ channel: "book", market: "btcusdt", depth: 5 }]);
      assert.deepEqual(await pageErrors(browser), []);
    });

    for (const transport of ["direct", "worker"]) {
      test(`${name}: a plain-module Stream (transport ${transport}) streams from the simulator with a book in sync, survives a drop and closes`, async (t) => {
        assertStarted();
        const sim = await startSimulator({ tickMs: 0 });
        t.after(() => sim.close());
        const log = requestLog(sim);
        const connections = [];
        sim.on("connection", (event) => connections.push(event));
        const inPage = (body) => browser.execute(body);
        const pageUntil = (body, what) => browser.until(body, what, WAIT);
        const tickingUntil = (body, what) => ticking(sim, () => pageUntil(body, what));
        const checkBook = async () => {
          await tickingUntil("return window.maicoin.book().inSync", "the book to be in sync");
          // With the market still, what the page's book shows is the simulator's book at its update id.
          const book = await inPage("return window.maicoin.book()");
          const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
          assert.deepEqual([book.asks, book.bids], [truth.asks, truth.bids]);
          assert.ok(book.asks.length > 0 && book.bids.length > 0, "a book with both sides");
        };

        await browser.goto(`${pages.url}/tests/browser/stream.html?uri=${encodeURIComponent(sim.url)}&transport=${transport}`);
        await pageUntil("return window.maicoin?.log.connected === 1", "the first connection");
        assert.equal(await inPage("return window.maicoin.stream.transport"), transport);
        assert.equal(connections[0].headers.origin, pages.url, "the browser's own socket");
        assert.match(connections[0].headers["user-agent"], USER_AGENTS[id], `${name}'s socket`);
        await until(() => requestsOf(log, "sub", 1).length === 1, "the sub at the simulator");
        await tickingUntil(
          "return window.maicoin.log.responses.some((r) => r.event === 'update' && r.channel === 'trade')",
          "a trade update in the page's handler",
        );
        await checkBook();

        sim.dropAll();
        await pageUntil("return window.maicoin.log.connected === 2", "the reconnection");
        await until(() => requestsOf(log, "sub", 2).length === 1, "the replayed sub at the simulator");
        assert.deepEqual(requestsOf(log, "sub", 2)[0].subscriptions, requestsOf(log, "sub", 1)[0].subscriptions);
        await pageUntil("return window.maicoin.log.responses.filter((r) => r.event === 'subscribed').length === 2", "the second subscribed answer");
        await checkBook();

        const pageLog = await inPage("return window.maicoin.log");
        assert.deepEqual(pageLog.failures, []);
        assert.equal(pageLog.disconnected.length, 1);
        assert.ok(!pageLog.responses.some((r) => r.channel === "book"), "book frames went into the book, not to handlers");
        await inPage("window.maicoin.stream.close(); window.maicoin.ended.then((outcome) => (window.maicoin.outcome = outcome));");
        assert.equal(await pageUntil("return window.maicoin.outcome", "run() to settle after close()"), "resolved");
        assert.equal(sim.stats.connections, 2);
        assert.deepEqual(await pageErrors(browser), []);
      });
    }

    test(`${name}: two pages of one origin on transport "shared" make one connection, get only their own subscriptions, stream on when one closes, and the socket closes with the last`, async (t) => {
      assertStarted();
      const sim = await startSimulator({ tickMs: 0 });
      const log = requestLog(sim);
      const sent = (action, subscription) => subscriptionsSent(log, action, subscription);
      // Two windows of the one session: one profile, so one SharedWorker for the origin.
      const first = await browser.window();
      let second = null;
      t.after(async () => {
        if (second) await browser.switchTo(second).then(() => browser.closeWindow()).catch(() => {});
        await browser.switchTo(first).catch(() => {});
        await browser.goto("about:blank").catch(() => {});
        await sim.close();
      });
      /** Runs `body` in the page of window `handle`. */
      const inTab = async (handle, body) => (await browser.switchTo(handle), browser.execute(body));
      const tabUntil = async (handle, body, what) => (await browser.switchTo(handle), ticking(sim, () => browser.until(body, what, WAIT)));
      const received = (handle, key) => inTab(handle, `return window.__result.received[${JSON.stringify(key)}] ?? 0`);
      const open = async (handle, subscribe) => {
        const query = new URLSearchParams({ uri: sim.url, transport: "shared", subscribe: JSON.stringify(subscribe), book: "ethusdt" });
        await browser.switchTo(handle);
        await browser.goto(`${pages.url}/tests/browser/transport.html?${query}`);
        await browser.until("return window.__result?.connected === 1", "the page's Stream to connect", WAIT);
        assert.equal(await browser.execute("return window.__result.transport"), "shared", `${name} runs the shared transport`);
      };

      await open(first, [TRADE_BTC, TICKER_ETH]);
      second = await browser.newWindow();
      await open(second, [TRADE_BTC, TICKER_BTC]);
      assert.equal(sim.stats.connections, 1, "one connection for both pages");
      assert.deepEqual(await simulatorStats(sim), { open: 1, connections: 1, disconnects: 0 }, "the simulator's /stats says the same");

      // Both see their data; each only its own ticker.
      const both = (mine) => `const r = window.__result.received; return ${JSON.stringify(["trade btcusdt", mine])}.every((key) => r[key] > 1);`;
      await tabUntil(first, both("ticker ethusdt"), "the first page's trades and ETH tickers");
      await tabUntil(second, both("ticker btcusdt"), "the second page's trades and BTC tickers");
      assert.equal(await received(first, "ticker btcusdt"), 0, "the first page never gets the second's ticker");
      assert.equal(await received(second, "ticker ethusdt"), 0, "the second page never gets the first's ticker");
      assert.equal(sent("sub", TRADE_BTC), 1, "the trade channel both hold is subscribed once");
      assert.ok((await inTab(second, "return window.__result.subscribed")).includes("trade btcusdt"), "the second page is told its shared subscription holds");

      // The book is kept once in the worker and both pages read it in sync.
      assert.equal(sent("sub", { channel: "book", market: "ethusdt" }), 1);
      for (const handle of [first, second]) {
        await tabUntil(handle, "return window.__result.book?.inSync", "the page's book in sync");
        const book = await inTab(handle, "return window.__result.book");
        const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
        assert.deepEqual([book.asks, book.bids], [truth.asks, truth.bids]);
      }

      // The first page leaves: its own ticker is unsubscribed, the shared trade channel is not.
      await inTab(first, "window.__transport.close()");
      await until(() => sent("unsub", TICKER_ETH) === 1, "the first page's ticker unsubscribed");
      assert.equal(await browser.until("return window.__result.ended", "run() to settle after close()", WAIT), "resolved");
      const before = await received(second, "trade btcusdt");
      await tabUntil(second, `return window.__result.received["trade btcusdt"] > ${before}`, "trades in the second page after the first closed");
      assert.equal(sent("unsub", TRADE_BTC), 0);
      assert.equal(sim.connections, 1);

      // The second leaves too: the socket closes, and still only one was ever made.
      await inTab(second, "window.__transport.close()");
      await until(() => sim.connections === 0, "the socket to close with the last page");
      assert.equal(sim.stats.connections, 1);
      for (const handle of [first, second]) {
        await browser.switchTo(handle);
        assert.deepEqual(await pageErrors(browser), []);
      }
    });

    test(`${name}: the dashboard connects and shows live ladder prices, trades, ticker, depth, feed health, frame count and 200 candles before and after a resolution switch, counts a reconnect, with no page errors`, async (t) => {
      assertStarted();
      // The test drives the market's clock, a minute of market time a second, so that it can hold
      // the market still to compare the page with the simulator.
      const sim = await startSimulator({ tickMs: 0 });
      const clock = marketClock(sim);
      const web = await startDashboardServer({ root: ROOT, config: { uri: sim.url, rest: `http://127.0.0.1:${sim.port}` } });
      const proxy = await startErrorCaptureProxy(web.url);
      t.after(async () => {
        // Leave the page first, so that it does not keep reconnecting to a stopped simulator.
        await browser.goto("about:blank").catch(() => {});
        clock.pause();
        await Promise.all([proxy.close(), web.close(), sim.close()]);
      });

      await browser.goto(`${proxy.url}/www/`);
      await browser.until("return document.querySelector('#connection [data-field=state]')?.textContent === 'connected'", "the state `connected`", WAIT);
      await browser.until("return document.querySelector('#book')?.dataset.state === 'in-sync'", "the book in sync", WAIT);
      const readScreen = `
        const levels = (side) => [...document.querySelectorAll("#book .level." + side + ":not(.empty) .price")].map((p) => p.textContent);
        return {
          ladder: [...document.querySelectorAll("#book .level:not(.empty)")].map((row) => row.textContent),
          asks: levels("ask"),
          bids: levels("bid"),
          trades: [...document.querySelectorAll("#tape tbody tr td:first-child")].map((cell) => cell.textContent),
          last: document.querySelector("#ticker [data-field=last]").textContent,
        };`;
      const number = (text) => Number(text.replaceAll(",", ""));
      const shown = await browser.until(
        `const s = (() => { ${readScreen} })(); return s.asks.length > 0 && s.bids.length > 0 && s.trades.length > 0 && /\\d/.test(s.last) && s;`,
        "ladder prices, a trade and the ticker's last price",
        WAIT,
      );
      const bestAsk = number(shown.asks.at(-1));
      const bestBid = number(shown.bids[0]);
      assert.ok(bestBid > 50_000 && bestAsk < 70_000 && bestBid < bestAsk, `BTC/USDT best bid ${bestBid} below best ask ${bestAsk}`);
      assert.ok(shown.trades.every((price) => Math.abs(number(price) - 60_000) < 6_000), shown.trades.join(" "));
      assert.ok(Math.abs(number(shown.last) - 60_000) < 6_000, shown.last);
      // Live: the ladder's prices or sizes move as the simulator's market does.
      await browser.until(`const s = (() => { ${readScreen} })(); return JSON.stringify(s.ladder) !== arguments[0];`, "the ladder to move", {
        ...WAIT,
        args: [JSON.stringify(shown.ladder)],
      });
      const inPage = (body) => browser.execute(body);
      // The candle history comes over REST from another origin (the simulator): CORS in each engine.
      await assertChartHistory(inPage, sim, clock, "btcusdt", "1m");
      await assertDepthMatchesSimulator(inPage, sim, clock, "btcusdt");
      // A user's click on another resolution: the address keeps it and the chart fills again.
      await browser.click("#resolutions button[data-resolution='5m']");
      await browser.until("return document.querySelector(\"#resolutions button[data-resolution='5m']\").getAttribute('aria-pressed') === 'true'", "the 5m button pressed", WAIT);
      assert.match(await browser.execute("return location.search"), /[?&]resolution=5m(&|$)/);
      await assertChartHistory(inPage, sim, clock, "btcusdt", "5m");
      // The connection panel, sampled four times a second, counts the frames as they come.
      await browser.until("return Number(document.querySelector('#connection [data-field=frames]').textContent) > 0", "the panel's frame count", WAIT);
      assert.equal(await browser.execute("return document.querySelector('#connection [data-field=state]').textContent"), "connected");
      // The health panel, from stream.stats() on the page's transport (shared, or worker where the
      // engine has no SharedWorker): numbers, and a reconnect counted after a drop.
      const health = await assertHealthShowsNumbers(inPage, "btcusdt", ["trade", "ticker", "kline", "book"]);
      assert.equal(health.reconnects, "0");
      sim.dropAll();
      assert.equal(await assertReconnectCounted(inPage, 0), 1);
      await browser.until("return document.querySelector('#connection [data-field=state]')?.textContent === 'connected'", "connected again after the drop", WAIT);
      await browser.until("return document.querySelector('#book')?.dataset.state === 'in-sync'", "the book in sync after the drop", WAIT);
      // For a person to look at how each engine draws it (tests/artifacts is not committed).
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(join(ARTIFACTS, `matrix-dashboard-${id}.png`), await browser.screenshot());
      assert.deepEqual(await pageErrors(browser), []);
    });
  });
}
