// Depth chart of the kept book: cumulative bid and ask volume as two step areas meeting at the
// mid, prices across, cumulative size up. It draws the same OrderBook snapshot the ladder gets
// (one crossing of the wasm boundary per change) and redraws at most once per animation frame.

import { clearedContext, frameScheduler } from "./canvas.js";
import { approx, compact, groupDigits, sumDecimals } from "./format.js";

const COLORS = { bid: "#0ecb81", ask: "#f6465d", axis: "#7d8896", grid: "#1c232d", mid: "#4b5563" };
const AXIS_BOTTOM = 18;
const PAD_TOP = 18;

export class DepthChart {
  #root;
  #canvas;
  #view = null;

  constructor(root) {
    this.#root = root;
    this.#canvas = root.querySelector("canvas");
    new ResizeObserver(() => this.#schedule()).observe(this.#canvas);
  }

  /** A new market: empty until its first snapshot. */
  reset() {
    this.#view = null;
    this.#schedule();
  }

  /** A book snapshot (OrderBook#snapshot(depth)); drawn on the next animation frame. */
  render(view) {
    this.#view = view;
    this.#schedule();
  }

  #schedule = frameScheduler(() => this.#draw());

  #draw() {
    const view = this.#view;
    const ready = Boolean(view?.inSync && view.bids.length > 0 && view.asks.length > 0 && view.mid !== null);
    // Exact totals as text, for tests and the curious; the drawing itself uses floats.
    Object.assign(this.#root.dataset, {
      state: ready ? "drawn" : "waiting",
      bidLevels: ready ? String(view.bids.length) : "0",
      askLevels: ready ? String(view.asks.length) : "0",
      bidTotal: ready ? sumDecimals(view.bids.map(([, volume]) => volume)) : "",
      askTotal: ready ? sumDecimals(view.asks.map(([, volume]) => volume)) : "",
      mid: ready ? view.mid : "",
    });

    const canvas = this.#canvas;
    const surface = clearedContext(canvas);
    if (!surface) return;
    const { ctx, width, height } = surface;
    if (!ready) {
      ctx.fillStyle = COLORS.axis;
      ctx.textAlign = "center";
      ctx.fillText("waiting for the book…", width / 2, height / 2);
      return;
    }

    const bids = running(view.bids);
    const asks = running(view.asks);
    const mid = approx(view.mid);
    const reach = Math.max(mid - bids.at(-1).price, asks.at(-1).price - mid) || mid * 0.001;
    const deepest = Math.max(bids.at(-1).total, asks.at(-1).total) || 1;
    const bottom = height - AXIS_BOTTOM;
    const x = (price) => width / 2 + ((price - mid) / reach) * (width / 2 - 1);
    const y = (total) => bottom - (total / deepest) * (bottom - PAD_TOP);

    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    for (const share of [0.5, 1]) {
      const gy = Math.round(y(deepest * share)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, gy);
      ctx.lineTo(width, gy);
      ctx.stroke();
    }
    drawSide(ctx, bids, x, y, bottom, 0, COLORS.bid);
    drawSide(ctx, asks, x, y, bottom, width, COLORS.ask);

    ctx.strokeStyle = COLORS.mid;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(Math.round(width / 2) + 0.5, PAD_TOP - 4);
    ctx.lineTo(Math.round(width / 2) + 0.5, bottom);
    ctx.stroke();
    ctx.setLineDash([]);

    const labelY = bottom + AXIS_BOTTOM / 2 + 1;
    ctx.fillStyle = COLORS.axis;
    ctx.textAlign = "left";
    ctx.fillText(groupDigits(bids.at(-1).text), 2, labelY);
    ctx.textAlign = "right";
    ctx.fillText(groupDigits(asks.at(-1).text), width - 2, labelY);
    ctx.textAlign = "center";
    ctx.fillStyle = "#d7dde4";
    ctx.fillText(groupDigits(view.mid), width / 2, labelY);
    ctx.textAlign = "left";
    ctx.fillStyle = COLORS.bid;
    ctx.fillText(`Σ bids ${compact(bids.at(-1).total)}`, 2, PAD_TOP / 2);
    ctx.textAlign = "right";
    ctx.fillStyle = COLORS.ask;
    ctx.fillText(`Σ asks ${compact(asks.at(-1).total)}`, width - 2, PAD_TOP / 2);
  }
}

// Levels best first with their running totals (floats: display only).
function running(levels) {
  let total = 0;
  return levels.map(([price, volume]) => {
    total += approx(volume);
    return { price: approx(price), text: price, total };
  });
}

// One side as a step area from the best level out to the chart's edge at `edgeX`.
function drawSide(ctx, levels, x, y, bottom, edgeX, color) {
  ctx.beginPath();
  ctx.moveTo(x(levels[0].price), bottom);
  let previous = 0;
  for (const level of levels) {
    const lx = x(level.price);
    ctx.lineTo(lx, y(previous));
    ctx.lineTo(lx, y(level.total));
    previous = level.total;
  }
  ctx.lineTo(edgeX, y(previous));
  ctx.lineTo(edgeX, bottom);
  ctx.closePath();
  ctx.globalAlpha = 0.22;
  ctx.fillStyle = color;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.lineWidth = 1;
}
