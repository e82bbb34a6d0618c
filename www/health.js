// The feed-health panel: stream.stats() read once a second (each read crosses into wasm, or on a
// worker transport asks the worker for fresh counters, so never once per frame). It shows the
// worst channel's latency p50 and p99 with a sparkline of the last minute, each subscription's
// frames per second and latency, the books' gaps and resyncs, the stale watchdog's resubscribes,
// the reconnects and the clock offset. Every number is also in a data- attribute, as read.

import { clearedContext } from "./canvas.js";
import { latency } from "./format.js";

const SAMPLE_MS = 1000;
const HISTORY = 60;
const COLORS = { p50: "#3b82f6", p99: "#f0b90b", zero: "#222a35", label: "#7d8896", back: "#171c24" };

const sum = (entries, field) => entries.reduce((total, entry) => total + entry[field], 0);
const attr = (value) => (value === null || value === undefined ? "" : String(value));

/** "kline 1m", "book", "market_status": what a subscription is, without its market. */
const channelLabel = (entry) => (entry.resolution ? `${entry.channel} ${entry.resolution}` : entry.channel);

export class HealthPanel {
  #root;
  #stream;
  #fields;
  #rows;
  #canvas;
  #timer = null;
  #history = [];

  constructor(root, stream) {
    this.#root = root;
    this.#stream = stream;
    this.#fields = Object.fromEntries(
      ["p50", "p99", "offset", "reconnects", "gaps", "resyncs", "stale", "connections"].map((name) => [name, root.querySelector(`[data-field="${name}"]`)]),
    );
    this.#rows = root.querySelector(".health-channels tbody");
    this.#canvas = root.querySelector("canvas");
    new ResizeObserver(() => this.#draw()).observe(this.#canvas);
  }

  start() {
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#sample();
  }

  stop() {
    clearInterval(this.#timer);
  }

  #sample() {
    const stats = this.#stream.stats();
    const entries = stats.subscriptions;
    // The worst channel's percentiles: no channel's frames did better, so neither did the feed's.
    const measured = entries.filter((entry) => entry.latencyMs);
    const worst = (field) => (measured.length ? Math.max(...measured.map((entry) => entry.latencyMs[field])) : null);
    const totals = {
      latencyP50: worst("p50"),
      latencyP99: worst("p99"),
      clockOffset: stats.clockOffsetMs,
      reconnects: stats.reconnects,
      connections: stats.connections,
      gaps: sum(entries, "gaps"),
      resyncs: sum(entries, "resyncs"),
      staleResubscribes: sum(entries, "staleResubscribes"),
    };
    for (const [name, value] of Object.entries(totals)) this.#root.dataset[name] = attr(value);

    this.#fields.p50.textContent = latency(totals.latencyP50);
    this.#fields.p99.textContent = latency(totals.latencyP99);
    this.#fields.offset.textContent = latency(totals.clockOffset);
    this.#fields.reconnects.textContent = String(totals.reconnects);
    this.#fields.connections.textContent = String(totals.connections);
    this.#fields.gaps.textContent = String(totals.gaps);
    this.#fields.resyncs.textContent = String(totals.resyncs);
    this.#fields.stale.textContent = String(totals.staleResubscribes);
    this.#fields.gaps.classList.toggle("bad", totals.gaps > 0);
    this.#fields.resyncs.classList.toggle("bad", totals.resyncs > 0);
    this.#showChannels(entries);

    this.#history.push({ p50: totals.latencyP50, p99: totals.latencyP99 });
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#draw();
  }

  #showChannels(entries) {
    this.#rows.replaceChildren(
      ...entries.map((entry) => {
        const row = document.createElement("tr");
        Object.assign(row.dataset, {
          channel: entry.channel,
          market: attr(entry.market),
          resolution: attr(entry.resolution),
          frames: String(entry.frames),
          rate1s: String(entry.ratePerSecond["1s"]),
          rate60s: String(entry.ratePerSecond["60s"]),
          p50: attr(entry.latencyMs?.p50),
          p99: attr(entry.latencyMs?.p99),
          gaps: String(entry.gaps),
          resyncs: String(entry.resyncs),
          staleResubscribes: String(entry.staleResubscribes),
        });
        row.title = `${entry.frames} frames${entry.market ? ` of ${entry.market}` : ""}; ${entry.ratePerSecond["60s"].toFixed(1)}/s over the last minute`;
        const cells = [channelLabel(entry), entry.ratePerSecond["1s"].toFixed(1), latency(entry.latencyMs?.p50), latency(entry.latencyMs?.p99)];
        row.append(
          ...cells.map((text) => {
            const cell = document.createElement("td");
            cell.textContent = text;
            return cell;
          }),
        );
        return row;
      }),
    );
  }

  /** p50 and p99 of the last minute's samples, one point a second, scaled to what they span. */
  #draw() {
    const surface = clearedContext(this.#canvas);
    if (!surface) return;
    const { ctx, width, height } = surface;
    const values = this.#history.flatMap(({ p50, p99 }) => [p50, p99]).filter((value) => value !== null);
    this.#canvas.dataset.points = String(this.#history.filter((sample) => sample.p99 !== null).length);
    if (values.length === 0) return;
    const low = Math.min(0, ...values);
    const high = Math.max(0, ...values);
    const span = high - low || 1;
    const pad = 3;
    const y = (value) => pad + (height - 2 * pad) * (1 - (value - low) / span);
    const step = (width - 1) / (HISTORY - 1);
    const offset = (HISTORY - this.#history.length) * step;

    ctx.strokeStyle = COLORS.zero;
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y(0)) + 0.5);
    ctx.lineTo(width, Math.round(y(0)) + 0.5);
    ctx.stroke();
    ctx.lineWidth = 1.5;
    for (const field of ["p50", "p99"]) {
      ctx.strokeStyle = COLORS[field];
      ctx.beginPath();
      let drawing = false;
      this.#history.forEach((sample, index) => {
        if (sample[field] === null) {
          drawing = false;
          return;
        }
        const x = offset + index * step;
        if (drawing) ctx.lineTo(x, y(sample[field]));
        else ctx.moveTo(x, y(sample[field]));
        drawing = true;
      });
      ctx.stroke();
    }
    // The scale's top, on a backing of its own so that a line under it does not hide it.
    const label = latency(high);
    ctx.fillStyle = COLORS.back;
    ctx.fillRect(0, 0, ctx.measureText(label).width + 6, 13);
    ctx.fillStyle = COLORS.label;
    ctx.fillText(label, 3, 7);
  }
}
