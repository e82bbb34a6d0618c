// Candlestick chart on a canvas, no charting library: one market and resolution, volume bars
// beneath, price axis on the right, time axis below.
//
// MAX's WebSocket sends only the current candle (and the final state of one that just closed), so
// the history comes from the REST k-lines (fetchKlines) and the stream continues it: both land in
// one series keyed by start time, so the open candle is replaced, never drawn twice. Every series
// seen is kept, so switching back to a market or resolution shows what was gathered for it.

import { clearedContext, frameScheduler } from "./canvas.js";
import { groupDigits } from "./format.js";

// Pixels per candle: the newest `view` candles fill the width (the wheel zooms), within these.
const SLOT_MIN = 1;
const SLOT_MAX = 18;
const VIEW_DEFAULT = 200;
const VIEW_MIN = 30;
// Time-axis label periods to choose from, the first one that leaves room between labels.
const LABEL_PERIODS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200].map((m) => m * 60_000);
const AXIS_BOTTOM = 22;
const VOLUME_SHARE = 0.18;
const KEEP = 1000; // candles per series
const COLORS = {
  grid: "#1c232d",
  axis: "#7d8896",
  text: "#aab4c0",
  up: "#0ecb81",
  down: "#f6465d",
  crosshair: "#4b5563",
};
const SPANS = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function resolutionMs(resolution) {
  const match = /^(\d+)([mhd])$/.exec(resolution);
  return match ? Number(match[1]) * SPANS[match[2]] : 60_000;
}

export class CandleChart {
  #canvas;
  #info;
  #series = new Map();
  #key = null;
  #span = 60_000;
  #priceDecimals = 2;
  #hoverX = null;
  #layout = null;
  #root;
  #note;
  #view = VIEW_DEFAULT;
  #historyStates = new Map();

  constructor(root) {
    this.#root = root;
    this.#canvas = root.querySelector("canvas");
    this.#info = root.querySelector(".chart-info");
    this.#note = root.querySelector(".chart-note");
    new ResizeObserver(() => this.#schedule()).observe(this.#canvas);
    this.#canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const factor = event.deltaY > 0 ? 1.15 : 1 / 1.15;
        this.#view = Math.round(Math.min(KEEP, Math.max(VIEW_MIN, this.#view * factor)));
        this.#schedule();
      },
      { passive: false },
    );
    this.#canvas.addEventListener("pointermove", (event) => {
      this.#hoverX = event.offsetX;
      this.#schedule();
    });
    this.#canvas.addEventListener("pointerleave", () => {
      this.#hoverX = null;
      this.#schedule();
    });
  }

  /** Shows the series of `market` at `resolution` (kept if it was seen before). */
  show(market, resolution) {
    this.#key = `${market}:${resolution}`;
    this.#span = resolutionMs(resolution);
    this.#canvas.dataset.series = this.#key;
    this.#showHistoryState();
    this.#schedule();
  }

  /** Where the REST history of a series stands: "loading", "loaded" or "failed" (with why). */
  historyState(market, resolution, state, message = "") {
    this.#historyStates.set(`${market}:${resolution}`, { state, message });
    this.#showHistoryState();
  }

  #showHistoryState() {
    const { state, message } = this.#historyStates.get(this.#key) ?? { state: "none", message: "" };
    this.#root.dataset.history = state;
    this.#note.textContent = state === "failed" ? `No candle history (${message}); drawing from the stream only.` : "";
    this.#note.hidden = state !== "failed";
  }

  /** REST candles (fetchKlines) of a series: added where the stream has not already given a candle. */
  history(market, resolution, klines) {
    const key = `${market}:${resolution}`;
    const byStart = new Map((this.#series.get(key) ?? []).map((candle) => [candle.start, candle]));
    for (const kline of klines) {
      const candle = toCandle(kline);
      if (!byStart.has(candle.start)) byStart.set(candle.start, candle);
    }
    const candles = [...byStart.values()].sort((a, b) => a.start - b.start);
    // The REST answer's open candle may have closed on the stream meanwhile: only the newest is open.
    candles.forEach((candle, i) => (candle.closed ||= i < candles.length - 1));
    if (candles.length > KEEP) candles.splice(0, candles.length - KEEP);
    this.#series.set(key, candles);
    if (key === this.#key) this.#schedule();
  }

  /** The number of decimals prices are drawn with (the market's quote precision). */
  setPriceDecimals(places) {
    if (Number.isInteger(places) && places >= 0) this.#priceDecimals = places;
    this.#schedule();
  }

  /** A kline payload (snapshot or update) of any market and resolution. */
  add(kline) {
    const key = `${kline.market}:${kline.resolution}`;
    let candles = this.#series.get(key);
    if (!candles) this.#series.set(key, (candles = []));
    const candle = toCandle(kline);
    // Updates repeat the current candle until it closes; a new start time opens the next one.
    let i = candles.length;
    while (i > 0 && candles[i - 1].start > candle.start) i--;
    if (i > 0 && candles[i - 1].start === candle.start) candles[i - 1] = candle;
    else candles.splice(i, 0, candle);
    if (candles.length > KEEP) candles.splice(0, candles.length - KEEP);
    if (key === this.#key) this.#schedule();
  }

  #schedule = frameScheduler(() => this.#draw());

  #draw() {
    const canvas = this.#canvas;
    const surface = clearedContext(canvas);
    if (!surface) return;
    const { ctx, width, height } = surface;

    const candles = this.#series.get(this.#key) ?? [];
    describeSeries(canvas, candles, this.#span);
    if (candles.length === 0) {
      ctx.fillStyle = COLORS.axis;
      ctx.textAlign = "center";
      ctx.fillText("waiting for candles…", width / 2, height / 2);
      this.#info.textContent = "";
      return;
    }

    const axisRight = Math.ceil(ctx.measureText(this.#price(Math.max(...candles.map((c) => c.high)) * 10)).width) + 16;
    const plot = { left: 0, top: 8, right: width - axisRight, bottom: height - AXIS_BOTTOM };
    const volumeTop = plot.bottom - (plot.bottom - plot.top) * VOLUME_SHARE;
    const last = candles.at(-1);
    // Slots are by time, not by index, so a gap in the feed (a drop, a quiet market) shows as one.
    const slot = Math.max(SLOT_MIN, Math.min(SLOT_MAX, (plot.right - plot.left) / (Math.min(candles.length, this.#view) + 2)));
    const slotX = (start) => plot.right - slot * 1.5 - ((last.start - start) / this.#span) * slot;
    const visible = candles.filter((c) => slotX(c.start) >= plot.left + slot / 2);
    canvas.dataset.visible = String(visible.length);
    const body = slot >= 5 ? Math.round(slot * 0.7) | 1 : Math.max(1, Math.floor(slot * 0.75));
    let low = Math.min(...visible.map((c) => c.low));
    let high = Math.max(...visible.map((c) => c.high));
    const pad = (high - low) * 0.08 || high * 0.001 || 1;
    low -= pad;
    high += pad;
    const priceBottom = volumeTop - 6;
    const y = (price) => plot.top + ((high - price) / (high - low)) * (priceBottom - plot.top);
    const maxVolume = Math.max(...visible.map((c) => c.volume)) || 1;
    this.#layout = { slotX, visible, slot };

    this.#drawGrid(ctx, plot, low, high, y, width, y(last.close));
    this.#drawTimes(ctx, plot, visible, slotX, slot);
    for (const candle of visible) {
      const x = Math.round(slotX(candle.start));
      const color = candle.close >= candle.open ? COLORS.up : COLORS.down;
      ctx.fillStyle = color;
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, Math.round(y(candle.high)));
      ctx.lineTo(x + 0.5, Math.round(y(candle.low)));
      ctx.stroke();
      const top = Math.round(y(Math.max(candle.open, candle.close)));
      const bodyHeight = Math.max(1, Math.round(y(Math.min(candle.open, candle.close))) - top);
      ctx.globalAlpha = candle.closed || candle === last ? 1 : 0.85;
      ctx.fillRect(x - (body >> 1), top, body, bodyHeight);
      ctx.globalAlpha = 0.35;
      const volumeHeight = (candle.volume / maxVolume) * (plot.bottom - volumeTop);
      ctx.fillRect(x - (body >> 1), plot.bottom - volumeHeight, body, volumeHeight);
      ctx.globalAlpha = 1;
    }
    this.#drawLastPrice(ctx, plot, y, last, width);
    const hovered = this.#drawCrosshair(ctx, plot, y, low, high, priceBottom);
    this.#describe(hovered ?? last);
  }

  #price(value) {
    return groupDigits(value.toFixed(this.#priceDecimals));
  }

  #drawGrid(ctx, plot, low, high, y, width, lastY) {
    const step = niceStep((high - low) / 5);
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = "left";
    ctx.lineWidth = 1;
    for (let price = Math.ceil(low / step) * step; price <= high; price += step) {
      const py = Math.round(y(price)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(plot.left, py);
      ctx.lineTo(plot.right, py);
      ctx.stroke();
      // The last price's own label sits on the axis; a grid label under it would be unreadable.
      if (Math.abs(py - lastY) > 12) ctx.fillText(this.#price(price), plot.right + 8, py);
    }
    ctx.beginPath();
    ctx.moveTo(plot.right + 0.5, plot.top);
    ctx.lineTo(plot.right + 0.5, plot.bottom);
    ctx.moveTo(plot.left, plot.bottom + 0.5);
    ctx.lineTo(width, plot.bottom + 0.5);
    ctx.strokeStyle = "#2a3340";
    ctx.stroke();
  }

  #drawTimes(ctx, plot, visible, slotX, slot) {
    // Labels on round times (every 5 min, every hour…), at least ~70 px apart.
    const period = LABEL_PERIODS.find((p) => p >= this.#span && (p / this.#span) * slot >= 70) ?? this.#span * Math.ceil(70 / slot);
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = "center";
    ctx.strokeStyle = COLORS.grid;
    for (const candle of visible) {
      if (candle.start % period !== 0) continue;
      const x = Math.round(slotX(candle.start)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, plot.top);
      ctx.lineTo(x, plot.bottom);
      ctx.stroke();
      ctx.fillText(timeLabel(candle.start, period), x, plot.bottom + AXIS_BOTTOM / 2 + 1);
    }
  }

  #drawLastPrice(ctx, plot, y, last, width) {
    const py = Math.round(y(last.close)) + 0.5;
    const color = last.close >= last.open ? COLORS.up : COLORS.down;
    ctx.strokeStyle = color;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(plot.left, py);
    ctx.lineTo(plot.right, py);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = color;
    ctx.fillRect(plot.right + 1, py - 9, width - plot.right - 1, 18);
    ctx.fillStyle = "#0b0e11";
    ctx.textAlign = "left";
    ctx.fillText(this.#price(last.close), plot.right + 8, py + 1);
  }

  #drawCrosshair(ctx, plot, y, low, high, priceBottom) {
    if (this.#hoverX === null || this.#hoverX > plot.right) return null;
    const { slotX, visible } = this.#layout;
    let nearest = null;
    for (const candle of visible) {
      if (!nearest || Math.abs(slotX(candle.start) - this.#hoverX) < Math.abs(slotX(nearest.start) - this.#hoverX)) nearest = candle;
    }
    if (!nearest) return null;
    const x = Math.round(slotX(nearest.start)) + 0.5;
    ctx.strokeStyle = COLORS.crosshair;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, plot.top);
    ctx.lineTo(x, plot.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    return nearest;
  }

  #describe(candle) {
    const k = candle.text;
    const when = new Date(candle.start);
    this.#info.textContent =
      `${timeLabel(candle.start, this.#span, true)}  O ${groupDigits(k.open)}  H ${groupDigits(k.high)}  ` +
      `L ${groupDigits(k.low)}  C ${groupDigits(k.close)}  V ${k.volume}${candle.closed ? "" : "  (open)"}`;
    this.#info.dateTime = when.toISOString();
  }
}

function toCandle(kline) {
  return {
    start: kline.startTime.getTime(),
    open: Number(kline.open),
    high: Number(kline.high),
    low: Number(kline.low),
    close: Number(kline.close),
    volume: Number(kline.volume),
    closed: Boolean(kline.closed),
    text: kline,
  };
}

// For tests and the curious: how many candles, which span they cover and the newest one as sent.
function describeSeries(canvas, candles, span) {
  const last = candles.at(-1);
  Object.assign(canvas.dataset, {
    candles: String(candles.length),
    closed: String(candles.filter((c) => c.closed).length),
    span: String(span),
    firstStart: candles.length ? String(candles[0].start) : "",
    lastStart: last ? String(last.start) : "",
    last: last ? ["open", "high", "low", "close", "volume"].map((field) => last.text[field]).join(" ") : "",
  });
  if (!last) canvas.dataset.visible = "0";
}

function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled < 1.5 ? 1 : scaled < 3 ? 2 : scaled < 7 ? 5 : 10) * power;
}

const pad2 = (n) => String(n).padStart(2, "0");

function timeLabel(ms, span, full = false) {
  const date = new Date(ms);
  const day = `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  if (full) return `${day} ${time}`;
  return span >= SPANS.d ? day : time;
}
