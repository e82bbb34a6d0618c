// The browser matrix: Chromium, Firefox ESR and WebKitGTK, each driven over W3C WebDriver
// (webdriver.mjs). In every engine the package runs as a plain module with no bundler: it decodes
// every documented message as Node does, a Stream talks to the local simulator through the
// browser's own WebSocket with a book in sync (and survives a drop), and the dashboard shows live
// numbers: 200 candles of history ending in the simulator's open candle, on load and after a
// resolution switch, a depth chart with the simulator's totals, and a health panel with latency
// numbers, frame rates and a reconnect count that rises after a drop (dashboard-checks.mjs). No
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
import { hmac, inbound } from "../node/fixtures.mjs";
import { requestLog, requestsOf, until } from "../node/harness.mjs";
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

    test(`${name}: a plain-module Stream streams from the simulator with a book in sync, survives a drop and closes`, async (t) => {
      assertStarted();
      const sim = await startSimulator({ tickMs: 0 });
      t.after(() => sim.close());
      const log = requestLog(sim);
      const connections = [];
      sim.on("connection", (event) => connections.push(event));
      const inPage = (body) => browser.execute(body);
      const pageUntil = (body, what) => browser.until(body, what, WAIT);
      /** Ticks the market while waiting: a tick may carry no trade. */
      const tickingUntil = async (body, what) => {
        const ticker = setInterval(() => sim.tick(), 20);
        try {
          return await pageUntil(body, what);
        } finally {
          clearInterval(ticker);
        }
      };
      const checkBook = async () => {
        await tickingUntil("return window.maicoin.book().inSync", "the book to be in sync");
        // With the market still, what the page's book shows is the simulator's book at its update id.
        const book = await inPage("return window.maicoin.book()");
        const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
        assert.deepEqual([book.asks, book.bids], [truth.asks, truth.bids]);
        assert.ok(book.asks.length > 0 && book.bids.length > 0, "a book with both sides");
      };

      await browser.goto(`${pages.url}/tests/browser/stream.html?uri=${encodeURIComponent(sim.url)}`);
      await pageUntil("return window.maicoin?.log.connected === 1", "the first connection");
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
      assert.deepEqual(await pageErrors(browser), []);
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
