// Checks of the dashboard (www/) against the simulator, shared by the Playwright test in Chromium
// (dashboard.test.mjs) and the WebDriver matrix (matrix.test.mjs). They read the page through
// `inPage(body)`: the body of a function run in the page, resolving to what it returns, so the
// same check runs over either driver. What they read are the panels' data- attributes.

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { sumDecimals } from "../../www/format.js";

// A safety net only: every wait ends as soon as its condition holds.
const TIMEOUT_MS = 30_000;

/**
 * Drives a simulator started with `tickMs: 0`: one round of market data every `everyMs`, each
 * `stepMs` of market time later (so 1-minute candles close every second and the chart has
 * history to draw within a test's run). pause() holds the market still for an exact comparison.
 */
export function marketClock(sim, { stepMs = 6000, everyMs = 100 } = {}) {
  let now = Date.now();
  let timer = null;
  const clock = {
    resume() {
      timer ??= setInterval(() => {
        now += stepMs;
        sim.tick(now);
      }, everyMs);
    },
    pause() {
      clearInterval(timer);
      timer = null;
    },
  };
  clock.resume();
  return clock;
}

/** Runs `body` with the market paused, resuming it whatever happens. */
export async function paused(clock, body) {
  clock.pause();
  try {
    return await body();
  } finally {
    clock.resume();
  }
}

/** "60,003.80" and "60003.8" alike become "60003.8": the same decimal, as text. */
export const canonical = (text) => text.replaceAll(",", "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");

/** Reads until `accept` holds; fails naming `what` and the last value read after `timeoutMs`. */
export async function polled(read, accept, what, timeoutMs = TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the chart says about its series: counts, the span covered and the newest candle as sent. */
const READ_CHART = `
  const { dataset } = document.querySelector("#chart canvas");
  return {
    history: document.querySelector("#chart").dataset.history,
    series: dataset.series,
    candles: Number(dataset.candles),
    visible: Number(dataset.visible),
    span: Number(dataset.span),
    firstStart: Number(dataset.firstStart),
    lastStart: Number(dataset.lastStart),
    last: dataset.last,
  };`;

/** What the depth chart says: its state, levels per side, the sides' exact totals and the mid. */
const READ_DEPTH = `
  const { state, bidLevels, askLevels, bidTotal, askTotal, mid } = document.querySelector("#depth").dataset;
  return { state, bidLevels, askLevels, bidTotal, askTotal, mid };`;

/**
 * The chart shows `market:resolution` with its REST history loaded and holds at least 200 candles,
 * all on screen, one per period without a hole or a double (REST history and stream meet without
 * a seam), and with the market paused its newest candle is the simulator's open one.
 */
export async function assertChartHistory(inPage, sim, clock, market, resolution) {
  const series = `${market}:${resolution}`;
  const read = () => inPage(READ_CHART);
  await polled(read, (chart) => chart.series === series && chart.history === "loaded", `the chart's REST history of ${series}`);
  await polled(read, (chart) => chart.candles >= 200 && chart.visible >= 200, `200 candles of ${series} on screen`);
  await paused(clock, async () => {
    const open = () => {
      const k = sim.exchange.market(market).kline(resolution);
      return { lastStart: k.ST, last: [k.O, k.H, k.L, k.C, k.v].join(" ") };
    };
    const chart = await polled(
      read,
      (shown) => shown.series === series && shown.lastStart === open().lastStart && shown.last === open().last,
      `the chart's newest ${series} candle against the simulator's open one ${JSON.stringify(open())}`,
    );
    assert.equal((chart.lastStart - chart.firstStart) / chart.span + 1, chart.candles, "one candle per period, none twice");
  });
}

/**
 * With the market paused, the depth chart is drawn from `levels` levels a side whose exact totals
 * are the simulator's book's, around the book's mid. Resolves to what the chart shows.
 */
export async function assertDepthMatchesSimulator(inPage, sim, clock, market, levels = 20) {
  return paused(clock, async () => {
    const truth = sim.book(market, levels);
    const expected = {
      state: "drawn",
      bidLevels: String(levels),
      askLevels: String(levels),
      bidTotal: sumDecimals(truth.bids.map(([, volume]) => volume)),
      askTotal: sumDecimals(truth.asks.map(([, volume]) => volume)),
    };
    const shown = await polled(
      () => inPage(READ_DEPTH),
      // Field by field: a driver may hand back an object's keys in an order of its own.
      ({ mid, ...totals }) => isDeepStrictEqual(totals, expected),
      `the ${market} depth totals ${JSON.stringify(expected)}`,
    );
    const mid = (Number(truth.bids[0][0]) + Number(truth.asks[0][0])) / 2;
    assert.ok(Math.abs(Number(shown.mid) - mid) < 1e-6, `mid ${shown.mid}, book ${mid}`);
    return shown;
  });
}

/** What the feed-health panel shows: its totals and one row per subscription, as data- attributes. */
const READ_HEALTH = `
  const root = document.querySelector("#health");
  const field = (name) => root.querySelector('[data-field="' + name + '"]').textContent;
  return {
    latencyP50: root.dataset.latencyP50 ?? "",
    latencyP99: root.dataset.latencyP99 ?? "",
    reconnects: root.dataset.reconnects ?? "",
    gaps: root.dataset.gaps ?? "",
    resyncs: root.dataset.resyncs ?? "",
    shown: { p50: field("p50"), p99: field("p99"), reconnects: field("reconnects") },
    sparkPoints: Number(root.querySelector("canvas").dataset.points ?? 0),
    rows: [...root.querySelectorAll("tbody tr")].map((row) => ({
      channel: row.dataset.channel,
      market: row.dataset.market,
      rate1s: row.dataset.rate1s,
      rate60s: row.dataset.rate60s,
      shownRate: row.children[1].textContent,
    })),
  };`;

const isCount = (text) => /^\d+$/.test(text);
const isNumber = (text) => text !== "" && Number.isFinite(Number(text));

/**
 * The health panel shows numbers from stream.stats(): latency p50 and p99 (the worst channel's,
 * p99 not below p50) drawn in its sparkline, a positive frame rate for each of `market`'s
 * channels, and counts of reconnects, gaps and resyncs. Resolves to what it shows.
 */
export async function assertHealthShowsNumbers(inPage, market, channels = ["trade", "ticker", "kline", "book"]) {
  const health = await polled(
    () => inPage(READ_HEALTH),
    (shown) =>
      isNumber(shown.latencyP50) &&
      isNumber(shown.latencyP99) &&
      shown.sparkPoints > 0 &&
      channels.every((channel) => shown.rows.some((row) => row.channel === channel && row.market === market && Number(row.rate60s) > 0)),
    `the health panel's latency numbers and a positive frame rate for ${channels.join(", ")} of ${market}`,
  );
  assert.ok(Number(health.latencyP99) >= Number(health.latencyP50), `p99 ${health.latencyP99} below p50 ${health.latencyP50}`);
  assert.match(health.shown.p50, /^-?[\d.]+ (ms|s|min)$/);
  assert.match(health.shown.p99, /^-?[\d.]+ (ms|s|min)$/);
  for (const count of ["reconnects", "gaps", "resyncs"]) assert.ok(isCount(health[count]), `${count}: ${JSON.stringify(health[count])}`);
  assert.equal(health.shown.reconnects, health.reconnects);
  for (const row of health.rows) assert.match(row.shownRate, /^\d+\.\d$/, `${row.channel}'s frames per second`);
  return health;
}

/** The health panel's reconnect count, as a number. */
export const healthReconnects = async (inPage) => Number((await inPage(READ_HEALTH)).reconnects);

/** After a dropped connection the health panel's reconnect count rises above `before`. */
export async function assertReconnectCounted(inPage, before) {
  const after = await polled(() => healthReconnects(inPage), (count) => count > before, `the health panel's reconnects above ${before}`);
  assert.ok(Number.isInteger(after), String(after));
  return after;
}
