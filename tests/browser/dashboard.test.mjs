// The dashboard (www/) in headless Chromium against the local simulator: what a person sees, the
// book and its depth chart, trades, ticker, candles with their REST history, feed health from
// stream.stats(), switching market and resolution, the layout on a desktop and on a phone, and
// surviving a dropped connection (counted by the health panel). Leaves a screenshot in
// tests/artifacts/dashboard.png; with UPDATE_SCREENSHOT=1 it goes to docs/dashboard.png, the one
// the README shows (so a test run leaves the tree clean).
//
// The simulator's clock is driven by this test (tickMs: 0, then sim.tick(now) with `now` running a
// minute of market time per real second), so 1-minute candles close every second and the chart
// has history to draw within the test's run.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startSimulator } from "../../sim/server.js";
import { startStaticServer } from "../../scripts/serve.mjs";
import { CHROMIUM_ARGS } from "./chromium.mjs";
import {
  assertChartHistory,
  assertDepthMatchesSimulator,
  assertHealthShowsNumbers,
  assertReconnectCounted,
  canonical,
  healthReconnects,
  marketClock,
  paused,
  polled,
} from "./dashboard-checks.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === "1" ? join(ROOT, "docs", "dashboard.png") : join(ROOT, "tests", "artifacts", "dashboard.png");
// Safety nets only: every wait ends as soon as its condition holds.
const WAIT = { timeout: 30_000 };
const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 390, height: 844 };

// What the ladder shows, best level first on each side, as canonical decimal strings.
const readLadder = (page) =>
  page.evaluate(() => {
    const levels = (side) =>
      [...document.querySelectorAll(`#book .level.${side}:not(.empty)`)].map((row) => [
        row.querySelector(".price").textContent,
        row.querySelector(".size").textContent,
      ]);
    return {
      state: document.querySelector("#book").dataset.state,
      asks: levels("ask").reverse(),
      bids: levels("bid"),
      spread: document.querySelector(".ladder-spread").textContent,
      mid: document.querySelector(".ladder-mid").textContent,
    };
  });

const canonicalLevels = (levels) => levels.map(([price, volume]) => [canonical(price), canonical(volume)]);

/** Stops the market, then waits until the ladder shows exactly the simulator's top 20. */
async function assertLadderMatchesSimulator(page, sim, clock, market) {
  await paused(clock, async () => {
    const truth = sim.book(market, 20);
    const expected = { asks: canonicalLevels(truth.asks), bids: canonicalLevels(truth.bids) };
    await polled(
      async () => {
        const shown = await readLadder(page);
        return { asks: canonicalLevels(shown.asks), bids: canonicalLevels(shown.bids) };
      },
      (shown) => JSON.stringify(shown) === JSON.stringify(expected),
      `the ${market} ladder against the simulator's book ${JSON.stringify(expected).slice(0, 200)}`,
    );
  });
}

const text = (page, selector) => page.locator(selector).first().textContent();

/** The shared checks' view of a Playwright page: a function body run in the page. */
const inPage = (page) => (body) => page.evaluate(`(() => { ${body} })()`);

/** Nothing sticks out sideways; with `oneScreen`, nothing below the fold either. */
async function assertLayoutHolds(page, { oneScreen }) {
  const layout = await page.evaluate(() => {
    const panels = [...document.querySelectorAll(".panel, .topbar")].map((element) => {
      const box = element.getBoundingClientRect();
      return { name: element.id || element.className, left: box.left, right: box.right, top: box.top, bottom: box.bottom, width: box.width, height: box.height };
    });
    return { panels, scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight, width: innerWidth, height: innerHeight };
  });
  assert.ok(layout.scrollWidth <= layout.width, `page ${layout.scrollWidth} px wide in a ${layout.width} px viewport`);
  for (const panel of layout.panels) {
    assert.ok(panel.left >= 0 && panel.right <= layout.width + 0.5, `${panel.name} within the width: ${JSON.stringify(panel)}`);
    assert.ok(panel.width > 100 && panel.height > 40, `${panel.name} has room: ${JSON.stringify(panel)}`);
  }
  if (oneScreen) assert.ok(layout.scrollHeight <= layout.height, `page ${layout.scrollHeight} px tall in a ${layout.height} px viewport`);
  return layout;
}

describe("the dashboard against the simulator", () => {
  let sim;
  let clock;
  let web;
  let browser;
  let page;
  const requests = [];
  const pageErrors = [];

  before(async () => {
    sim = await startSimulator({ tickMs: 0 });
    sim.on("request", ({ request }) => request && requests.push(request));
    clock = marketClock(sim);
    web = await startStaticServer({ root: ROOT, config: { uri: sim.url, rest: `http://127.0.0.1:${sim.port}` } });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: DESKTOP });
    page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => message.type() === "error" && pageErrors.push(`console: ${message.text()}`));
    await page.goto(`${web.url}/`);
  });

  after(async () => {
    clock?.pause();
    await browser?.close();
    await web?.close();
    await sim?.close();
  });

  test("connects to the endpoint from /config.json", async () => {
    await page.waitForFunction(() => document.querySelector("#connection [data-field=state]").textContent === "connected", null, WAIT);
    assert.equal(await text(page, "#connection [data-field=endpoint]"), sim.url);
    assert.match(page.url(), /\/www\/\?market=btcusdt&resolution=1m&tab=markets$/);
  });

  test("the chart opens with 200 candles of REST history that the stream continues", async () => {
    await assertChartHistory(inPage(page), sim, clock, "btcusdt", "1m");
    assert.equal(await page.isVisible("#chart .chart-note"), false);
  });

  test("shows the BTC/USDT book at depth 20 with spread and mid, as the simulator has it", async () => {
    await page.waitForFunction(() => document.querySelector("#book").dataset.state === "in-sync", null, WAIT);
    await assertLadderMatchesSimulator(page, sim, clock, "btcusdt");
    const ladder = await readLadder(page);
    assert.equal(ladder.asks.length, 20);
    assert.equal(ladder.bids.length, 20);
    assert.ok(Number(canonical(ladder.asks[0][0])) > Number(canonical(ladder.bids[0][0])), "best ask above best bid");
    const spread = Number(canonical(ladder.asks[0][0])) - Number(canonical(ladder.bids[0][0]));
    assert.ok(Math.abs(Number(canonical(ladder.spread.split(" ")[0])) - spread) < 1e-6, `spread ${ladder.spread}`);
    assert.notEqual(ladder.mid, "–");
  });

  test("the depth chart shows the book's cumulative bids and asks around the mid", async () => {
    const shown = await assertDepthMatchesSimulator(inPage(page), sim, clock, "btcusdt");
    assert.equal(canonical(await text(page, ".ladder-mid")), canonical(shown.mid), "the ladder and the depth chart show one mid");
    // Drawn: green bid and red ask areas, with the bids left of the middle and the asks right of it.
    const paint = await page.evaluate(() => {
      const canvas = document.querySelector("#depth canvas");
      const { data, width } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const sides = { greenLeft: 0, greenRight: 0, redLeft: 0, redRight: 0 };
      for (let i = 0; i < data.length; i += 4) {
        const left = (i / 4) % width < width / 2;
        if (data[i + 1] > 150 && data[i] < 60) sides[left ? "greenLeft" : "greenRight"] += 1;
        if (data[i] > 200 && data[i + 1] < 110) sides[left ? "redLeft" : "redRight"] += 1;
      }
      return sides;
    });
    assert.ok(paint.greenLeft > 300 && paint.redRight > 300, JSON.stringify(paint));
    assert.ok(paint.greenRight < paint.greenLeft / 10 && paint.redLeft < paint.redRight / 10, JSON.stringify(paint));
  });

  test("the health panel shows stream.stats(): latency p50/p99, frames per second per channel, gaps, resyncs and reconnects", async () => {
    const health = await assertHealthShowsNumbers(inPage(page), "btcusdt");
    assert.equal(health.reconnects, "0");
    assert.deepEqual([health.gaps, health.resyncs], ["0", "0"], "a simulator without faults loses no book update");
    // The page is on the shared transport: what it shows comes from the worker's stream.
    assert.equal(await page.evaluate(() => window.dashboard.stream.transport), "shared");
    const stats = await page.evaluate(() => window.dashboard.stream.stats());
    assert.deepEqual(
      stats.subscriptions.map((entry) => entry.channel).sort(),
      health.rows.map((row) => row.channel).sort(),
      "one row per subscription of the page",
    );
    // Drawn: the sparkline's p50 (blue) and p99 (amber) lines, once it has two samples to join.
    await page.waitForFunction(() => Number(document.querySelector("#health canvas").dataset.points) >= 2, null, WAIT);
    const paint = await page.evaluate(() => {
      const canvas = document.querySelector("#health canvas");
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let blue = 0;
      let amber = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 2] > 180 && data[i] < 120) blue += 1;
        if (data[i] > 180 && data[i + 1] > 130 && data[i + 2] < 80) amber += 1;
      }
      return { blue, amber };
    });
    assert.ok(paint.blue > 0 || paint.amber > 0, JSON.stringify(paint));
  });

  test("the layout fits a 1400x900 screen without overflow", async () => {
    const { panels } = await assertLayoutHolds(page, { oneScreen: true });
    const box = (id) => panels.find((p) => p.name === id);
    assert.ok(box("depth").top >= box("book").bottom, "the depth chart sits below the ladder");
    assert.ok(box("chart").left >= box("book").right, "the chart beside the ladder");
    assert.ok(box("health").top >= box("connection").bottom && box("tape").top >= box("health").bottom, "feed health between the connection and the trades");
  });

  test("the ladder, the tape and the ticker keep updating", async () => {
    const before = {
      ladder: JSON.stringify(await readLadder(page)),
      trade: await page.locator("#tape tbody tr").first().innerText(),
      last: await text(page, "#ticker [data-field=last]"),
      volume: await text(page, "#ticker [data-field=volume]"),
    };
    await polled(() => readLadder(page).then(JSON.stringify), (now) => now !== before.ladder, "the ladder after more market data");
    await polled(() => page.locator("#tape tbody tr").first().innerText(), (now) => now !== before.trade, "the newest trade");
    await polled(() => text(page, "#ticker [data-field=volume]"), (now) => now !== before.volume, "the ticker's volume");
    const last = await text(page, "#ticker [data-field=last]");
    assert.match(last, /^\d{2},\d{3}\.\d{2}$/, "BTC/USDT's last price, grouped, with its 2 decimals");
    assert.ok(Math.abs(Number(canonical(last)) - 60000) < 6000, last);
    const trades = await page.locator("#tape tbody tr").count();
    assert.ok(trades >= 5 && trades <= 60, `${trades} trades on the tape`);
    // Trades printed in the tape are BTC/USDT's: prices near the simulator's 60,000.
    const prices = await page.locator("#tape tbody tr td:first-child").allInnerTexts();
    assert.ok(prices.every((p) => Math.abs(Number(canonical(p)) - 60000) < 6000), prices.join(" "));
  });

  test("lists the market statuses and the picker offers every market", async () => {
    await page.waitForFunction(() => document.querySelectorAll("#markets tbody tr").length === 5, null, WAIT);
    const rows = await page.locator("#markets tbody tr").allInnerTexts();
    assert.deepEqual(
      rows.map((row) => row.split("\t")[0]),
      ["BTC/TWD", "BTC/USDT", "ETH/TWD", "ETH/USDT", "USDT/TWD"],
    );
    assert.ok(rows.every((row) => row.includes("active")));
    const options = await page.locator("#market option").evaluateAll((all) => all.map((o) => o.value));
    assert.deepEqual(options, ["btctwd", "btcusdt", "ethtwd", "ethusdt", "usdttwd"]);
    assert.match(await page.locator("#markets tbody tr.current").innerText(), /^BTC\/USDT/);
  });

  test("draws candles that close as market time passes", async () => {
    await page.waitForFunction(
      () => {
        const canvas = document.querySelector("#chart canvas");
        return canvas.dataset.series === "btcusdt:1m" && Number(canvas.dataset.closed) >= 3;
      },
      null,
      WAIT,
    );
    // Not a blank canvas: many pixels painted, a good part of them in the candles' green or red.
    const paint = await page.evaluate(() => {
      const canvas = document.querySelector("#chart canvas");
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      let green = 0;
      let red = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        painted += 1;
        if (data[i + 1] > 150 && data[i] < 60) green += 1;
        if (data[i] > 200 && data[i + 1] < 110) red += 1;
      }
      return { painted, green, red };
    });
    assert.ok(paint.painted > 2000 && paint.green + paint.red > 500, JSON.stringify(paint));
    assert.match(await text(page, "#chart .chart-info"), /O [\d,.]+ {2}H [\d,.]+ {2}L [\d,.]+ {2}C [\d,.]+/);
  });

  test("saves a screenshot that is not blank", async (t) => {
    // This suite's market clock runs a minute a second, so the health panel's latencies (receipt −
    // the frame's server time) are minutes off there: the picture is of a simulator on the wall
    // clock, once the health panel has some seconds of latency to draw.
    const live = await startSimulator({ tickMs: 100 });
    const liveWeb = await startStaticServer({ root: ROOT, config: { uri: live.url, rest: `http://127.0.0.1:${live.port}` } });
    const shot = await browser.newPage({ viewport: DESKTOP });
    shot.on("pageerror", (error) => pageErrors.push(`screenshot pageerror: ${error.message}`));
    shot.on("console", (message) => message.type() === "error" && pageErrors.push(`screenshot console: ${message.text()}`));
    t.after(async () => {
      await shot.close();
      await liveWeb.close();
      await live.close();
    });
    await shot.goto(`${liveWeb.url}/`);
    await shot.waitForFunction(() => Number(document.querySelector("#chart canvas").dataset.closed) >= 200, null, WAIT);
    await shot.waitForFunction(() => Number(document.querySelector("#health canvas").dataset.points) >= 8, null, WAIT);
    await assertHealthShowsNumbers(inPage(shot), "btcusdt");
    const png = await shot.screenshot({ type: "png" });
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await writeFile(SCREENSHOT, png);
    // The PNG header says 1400x900; decoded by the browser, its pixels are far from uniform.
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [DESKTOP.width, DESKTOP.height]);
    assert.ok(png.length < 500_000, `${png.length} bytes`);
    const stats = await shot.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      const colours = new Set();
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < data.length; i += 4) {
        const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
        sum += grey;
        squares += grey * grey;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      const n = data.length / 4;
      return { variance: squares / n - (sum / n) ** 2, colours: colours.size };
    }, png.toString("base64"));
    assert.ok(stats.variance > 100 && stats.colours > 200, JSON.stringify(stats));
  });

  test("switching the resolution resubscribes the kline channel and redraws", async () => {
    const sent = requests.length;
    await page.click("#resolutions button[data-resolution='5m']");
    await page.waitForFunction(() => document.querySelector("#chart canvas").dataset.series === "btcusdt:5m", null, WAIT);
    assert.equal(await page.getAttribute("#resolutions button[data-resolution='5m']", "aria-pressed"), "true");
    assert.equal(await page.getAttribute("#resolutions button[data-resolution='1m']", "aria-pressed"), "false");
    await page.waitForFunction(() => Number(document.querySelector("#chart canvas").dataset.candles) >= 1, null, WAIT);
    await polled(
      () => requests.slice(sent),
      (list) =>
        list.some((r) => r.action === "unsub" && r.subscriptions.some((s) => s.channel === "kline" && s.resolution === "1m")) &&
        list.some((r) => r.action === "sub" && r.subscriptions.some((s) => s.channel === "kline" && s.resolution === "5m")),
      "the unsub of kline 1m and the sub of kline 5m",
    );
    // A 5-minute candle spans five 1-minute ones: its start is on a 5-minute boundary.
    assert.match(await text(page, "#chart .chart-info"), /\d\d:\d[05] {2}O /);
    assert.match(page.url(), /resolution=5m/);
    await assertChartHistory(inPage(page), sim, clock, "btcusdt", "5m");
  });

  test("switching market closes the old book, unsubscribes the old channels and shows the new market", async () => {
    const sent = requests.length;
    await page.selectOption("#market", "ethusdt");
    await page.waitForFunction(() => document.querySelector("#book-title").textContent.includes("ETHUSDT"), null, WAIT);
    await page.waitForFunction(() => document.querySelector("#book").dataset.state === "in-sync", null, WAIT);
    await assertLadderMatchesSimulator(page, sim, clock, "ethusdt");
    await polled(
      () => text(page, "#ticker [data-field=last]"),
      (last) => /^\d,\d{3}\.\d{2}$/.test(last) && Math.abs(Number(canonical(last)) - 3000) < 300,
      "the ETH/USDT ticker",
    );
    await polled(
      () => page.locator("#tape tbody tr td:first-child").allInnerTexts(),
      (prices) => prices.length > 0 && prices.every((p) => Math.abs(Number(canonical(p)) - 3000) < 300),
      "a tape of ETH/USDT trades only",
    );
    await page.waitForFunction(() => document.querySelector("#chart canvas").dataset.series === "ethusdt:5m", null, WAIT);
    const unsubscribed = requests
      .slice(sent)
      .filter((r) => r.action === "unsub")
      .flatMap((r) => r.subscriptions.map((s) => `${s.channel}:${s.market}`))
      .sort();
    assert.deepEqual(unsubscribed, ["book:btcusdt", "kline:btcusdt", "ticker:btcusdt", "trade:btcusdt"]);
    assert.match(await page.locator("#markets tbody tr.current").innerText(), /^ETH\/USDT/);
    assert.match(page.url(), /market=ethusdt/);
    await assertChartHistory(inPage(page), sim, clock, "ethusdt", "5m");
  });

  test("clicking a row of the markets table switches market too", async () => {
    await page.click("#markets tbody tr[data-market='btctwd']");
    await page.waitForFunction(() => document.querySelector("#book-title").textContent.includes("BTCTWD"), null, WAIT);
    assert.equal(await page.inputValue("#market"), "btctwd");
    await page.waitForFunction(() => document.querySelector("#book").dataset.state === "in-sync", null, WAIT);
    await assertLadderMatchesSimulator(page, sim, clock, "btctwd");
  });

  test("a dropped connection shows as reconnecting, then recovers with the book back in sync", async () => {
    // Record every state the panel shows, however briefly.
    await page.evaluate(() => {
      const field = document.querySelector("#connection [data-field=state]");
      window.shownStates = [field.textContent];
      new MutationObserver(() => window.shownStates.push(field.textContent)).observe(field, { childList: true, characterData: true, subtree: true });
    });
    const framesBefore = Number(await text(page, "#connection [data-field=frames]"));
    const reconnectsBefore = await healthReconnects(inPage(page));
    sim.dropAll();
    await page.waitForFunction(() => window.shownStates.includes("reconnecting"), null, WAIT);
    await page.waitForFunction(() => document.querySelector("#connection [data-field=state]").textContent === "connected", null, WAIT);
    const states = await page.evaluate(() => window.shownStates);
    assert.deepEqual(states.slice(states.indexOf("reconnecting")), ["reconnecting", "connecting", "connected"]);
    await page.waitForFunction(() => document.querySelector("#connection [data-field=reconnects]").textContent === "1", null, WAIT);
    assert.equal(await assertReconnectCounted(inPage(page), reconnectsBefore), reconnectsBefore + 1);
    const log = await page.locator("#connection .conn-log").innerText();
    assert.match(log, /disconnected/);
    assert.match(log, /reconnecting/);
    await page.waitForFunction(() => document.querySelector("#book").dataset.state === "in-sync", null, WAIT);
    await assertLadderMatchesSimulator(page, sim, clock, "btctwd");
    await polled(() => text(page, "#connection [data-field=frames]").then(Number), (frames) => frames > framesBefore + 10, "frames after the reconnect");
    assert.match(await text(page, "#connection [data-field=rate]"), /^\d+\.\d$/);
    assert.match(await text(page, "#connection [data-field=age]"), /^\d+\.\d s$/);
  });

  test("the account panel refuses a wrong secret, shows balances and open orders, stores nothing, and signs out", async () => {
    await page.click("#tab-account");
    assert.equal(await page.isVisible("#markets"), false);
    assert.match(page.url(), /tab=account/);
    await page.fill("#account .api-key", "test-key");
    await page.fill("#account .api-secret", "not-the-secret");
    await page.click("#account .sign-in");
    await page.waitForFunction(() => /E-1007/.test(document.querySelector("#account .account-error").textContent), null, WAIT);
    assert.equal(await page.getAttribute("#account", "data-state"), "signed-out");
    await polled(() => sim.connections, (n) => n === 1, "the refused stream closed");

    await page.fill("#account .api-key", "test-key");
    await page.fill("#account .api-secret", "test-secret");
    await page.click("#account .sign-in");
    await page.waitForFunction(() => document.querySelector("#account").dataset.state === "signed-in", null, WAIT);
    await page.waitForFunction(() => document.querySelectorAll("#account .balances tbody tr").length === 4, null, WAIT);
    const balances = await page.locator("#account .balances tbody tr td:first-child").allInnerTexts();
    assert.deepEqual(balances, ["BTC", "ETH", "TWD", "USDT"]);
    await page.waitForFunction(() => document.querySelectorAll("#account .orders tbody tr").length > 0, null, WAIT);
    assert.match(await page.locator("#account .orders tbody tr").first().innerText(), /^[A-Z]+\/[A-Z]+\t(buy|sell)\t[\d,.]+\t[\d.]+ \/ [\d.]+$/);
    assert.equal(sim.connections, 2, "the private panel has a stream of its own");

    const traces = await page.evaluate(() => ({
      inputs: [...document.querySelectorAll("#account input")].map((input) => input.value),
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      cookie: document.cookie,
      secretInPage: document.documentElement.outerHTML.includes("test-secret"),
    }));
    assert.deepEqual(traces, { inputs: ["", ""], localStorage: 0, sessionStorage: 0, cookie: "", secretInPage: false });

    await page.click("#account .sign-out");
    assert.equal(await page.getAttribute("#account", "data-state"), "signed-out");
    assert.equal(await page.locator("#account .balances tbody tr").count(), 0);
    await polled(() => sim.connections, (n) => n === 1, "the private stream closed on sign-out");
    assert.equal(await text(page, "#connection [data-field=state]"), "connected", "market data goes on");
    await page.click("#tab-markets");
    assert.equal(await page.isVisible("#markets"), true);
    assert.match(page.url(), /tab=markets/);
  });

  test("credentials are never sent to an endpoint that came from the page's address, unless it is local", async () => {
    const other = await browser.newPage();
    try {
      // 203.0.113.9 is a documentation address: nobody's server, and nothing to connect to.
      await other.goto(`${web.url}/www/?uri=${encodeURIComponent("ws://203.0.113.9:9/ws")}`);
      await other.waitForFunction(() => /^Disabled/.test(document.querySelector("#account .account-endpoint").textContent), null, WAIT);
      assert.equal(await other.isDisabled("#account .sign-in"), true);
      await other.goto(`${web.url}/www/?uri=${encodeURIComponent(sim.url)}`);
      await other.waitForFunction(() => /^Signs in at ws:\/\/127\.0\.0\.1:/.test(document.querySelector("#account .account-endpoint").textContent), null, WAIT);
      assert.equal(await other.isDisabled("#account .sign-in"), false);
    } finally {
      await other.close();
    }
  });

  test("on a 390x844 phone the panels stack, the chart still opens with its history, the health panel shows numbers, and the URL keeps the view", async () => {
    const phone = await browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    phone.on("pageerror", (error) => pageErrors.push(`phone pageerror: ${error.message}`));
    phone.on("console", (message) => message.type() === "error" && pageErrors.push(`phone console: ${message.text()}`));
    try {
      await phone.goto(`${web.url}/www/?market=ethtwd&resolution=15m&tab=account`);
      await phone.waitForFunction(() => document.querySelector("#connection [data-field=state]").textContent === "connected", null, WAIT);
      assert.equal(await phone.inputValue("#market"), "ethtwd");
      assert.equal(await phone.getAttribute("#resolutions button[data-resolution='15m']", "aria-pressed"), "true");
      assert.equal(await phone.getAttribute("#tab-account", "aria-selected"), "true");
      assert.equal(await phone.isVisible("#account"), true);
      await assertChartHistory(inPage(phone), sim, clock, "ethtwd", "15m");
      await phone.waitForFunction(() => document.querySelector("#depth").dataset.state === "drawn", null, WAIT);
      await assertHealthShowsNumbers(inPage(phone), "ethtwd");
      const { panels } = await assertLayoutHolds(phone, { oneScreen: false });
      // One column: every panel spans (nearly) the width, each one below the one before.
      const column = panels.filter((p) => p.name !== "topbar").sort((a, b) => a.top - b.top);
      for (const panel of column) assert.ok(panel.width > PHONE.width - 40, `${panel.name} spans the phone: ${JSON.stringify(panel)}`);
      for (let i = 1; i < column.length; i++) assert.ok(column[i].top >= column[i - 1].bottom, `${column[i].name} below ${column[i - 1].name}`);
      await mkdir(join(ROOT, "tests", "artifacts"), { recursive: true });
      await phone.screenshot({ path: join(ROOT, "tests", "artifacts", "dashboard-phone.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  test("when the REST history is refused, the chart says so in one line and goes on from the stream", async () => {
    // A k-line host that answers but allows no other origin, as a browser sees MAX's REST host if
    // it sends no CORS header: the page's fetch is refused.
    const refusing = createServer((request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end("[]");
    });
    await new Promise((ready) => refusing.listen(0, "127.0.0.1", ready));
    const other = await startStaticServer({ root: ROOT, config: { uri: sim.url, rest: `http://127.0.0.1:${refusing.address().port}` } });
    const refused = await browser.newPage({ viewport: DESKTOP });
    const unexpected = [];
    refused.on("pageerror", (error) => unexpected.push(error.message));
    try {
      await refused.goto(`${other.url}/www/`);
      await refused.waitForFunction(() => document.querySelector("#chart").dataset.history === "failed", null, WAIT);
      const note = await refused.locator("#chart .chart-note");
      assert.equal(await note.isVisible(), true);
      assert.match(await note.textContent(), /^No candle history \(k-lines of btcusdt: request to http:\/\/127\.0\.0\.1:\d+\/api\/v3\/k\?.* failed \(.+\)\); drawing from the stream only\.$/);
      const height = await note.evaluate((element) => element.getBoundingClientRect().height);
      assert.ok(height > 0 && height < 20, `one line, ${height} px tall`);
      await refused.waitForFunction(() => Number(document.querySelector("#chart canvas").dataset.closed) >= 2, null, WAIT);
      assert.equal(await text(refused, "#connection [data-field=state]"), "connected");
      assert.deepEqual(unexpected, [], "no uncaught error");
    } finally {
      await refused.close();
      await other.close();
      await new Promise((closed) => refusing.close(closed));
    }
  });

  test("the page logged no errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});
