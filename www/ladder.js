// The order-book ladder: asks above (best ask nearest the middle), spread and mid between, bids
// below, each level with its cumulative size as a depth bar. Rows are made once and then only
// rewritten, because the book's onChange can fire on every animation frame.

import { approx, compact, groupDigits, padFraction } from "./format.js";

const STATE_TEXT = {
  "awaiting-snapshot": "waiting for the book snapshot…",
  "out-of-sync": "book out of step: resubscribing…",
};

export class Ladder {
  #depth;
  #askRows;
  #bidRows;
  #elements;
  #sizePlaces = 0;

  constructor(root, depth = 20) {
    this.#depth = depth;
    this.#elements = {
      root,
      asks: root.querySelector(".ladder-asks"),
      bids: root.querySelector(".ladder-bids"),
      spread: root.querySelector(".ladder-spread"),
      mid: root.querySelector(".ladder-mid"),
      notice: root.querySelector(".ladder-notice"),
      foot: root.querySelector(".ladder-foot"),
    };
    this.#askRows = makeRows(this.#elements.asks, depth, "ask");
    this.#bidRows = makeRows(this.#elements.bids, depth, "bid");
    // On a short screen each half shows the levels that fit whole, nearest the spread first.
    const fit = () => {
      fitRows(this.#elements.asks, [...this.#askRows].reverse());
      fitRows(this.#elements.bids, this.#bidRows);
    };
    new ResizeObserver(fit).observe(this.#elements.asks);
  }

  /** A new market: empty rows until its first snapshot; sizes padded to its volume precision. */
  reset(sizePlaces = 0) {
    this.#sizePlaces = sizePlaces;
    this.render({ state: "awaiting-snapshot", inSync: false, asks: [], bids: [], spread: null, mid: null, resyncs: 0 });
  }

  setSizePlaces(places) {
    this.#sizePlaces = places;
  }

  /** Draws a book snapshot (OrderBook#snapshot(depth)). */
  render(book) {
    const { root, spread, mid, notice, foot } = this.#elements;
    root.dataset.state = book.state;
    notice.textContent = STATE_TEXT[book.state] ?? "";
    notice.hidden = book.inSync;

    const asks = cumulative(book.asks.slice(0, this.#depth));
    const bids = cumulative(book.bids.slice(0, this.#depth));
    const deepest = Math.max(asks.at(-1)?.total ?? 0, bids.at(-1)?.total ?? 0) || 1;
    // Asks are listed best first; on screen the best ask sits at the bottom of its half.
    this.#askRows.forEach((row, i) => this.#fill(row, asks[this.#depth - 1 - i], deepest));
    this.#bidRows.forEach((row, i) => this.#fill(row, bids[i], deepest));

    spread.textContent = book.spread === null ? "–" : `${groupDigits(book.spread)}${spreadBps(book)}`;
    mid.textContent = book.mid === null ? "–" : groupDigits(book.mid);
    foot.textContent = book.inSync
      ? `update #${book.lastUpdateId ?? "–"} · resyncs ${book.resyncs}`
      : `resyncs ${book.resyncs}`;
  }

  #fill(row, level, deepest) {
    if (!level) {
      row.element.classList.add("empty");
      row.price.textContent = "";
      row.size.textContent = "";
      row.total.textContent = "";
      row.bar.style.width = "0";
      return;
    }
    row.element.classList.remove("empty");
    row.price.textContent = groupDigits(level.price);
    row.size.textContent = padFraction(level.volume, this.#sizePlaces);
    row.total.textContent = compact(level.total);
    row.bar.style.width = `${((level.total / deepest) * 100).toFixed(1)}%`;
  }
}

function makeRows(container, count, side) {
  container.replaceChildren();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const element = document.createElement("div");
    element.className = `level ${side} empty`;
    const bar = document.createElement("div");
    bar.className = "bar";
    const price = document.createElement("span");
    price.className = "price";
    const size = document.createElement("span");
    size.className = "size";
    const total = document.createElement("span");
    total.className = "total";
    element.append(bar, price, size, total);
    container.append(element);
    rows.push({ element, bar, price, size, total });
  }
  return rows;
}

function fitRows(container, rowsNearestFirst) {
  const rowHeight = rowsNearestFirst[0].element.offsetHeight || 16;
  const room = Math.floor(container.clientHeight / rowHeight);
  rowsNearestFirst.forEach((row, i) => (row.element.hidden = i >= room));
}

// Running totals are display-only, so floats are fine here; the levels themselves stay strings.
function cumulative(levels) {
  let total = 0;
  return levels.map(([price, volume]) => {
    total += approx(volume);
    return { price, volume, total };
  });
}

function spreadBps(book) {
  const bps = (approx(book.spread) / approx(book.mid)) * 10_000;
  if (!Number.isFinite(bps)) return "";
  // A tight book's spread is a small fraction of a basis point: keep two significant digits.
  return ` (${bps >= 1 ? bps.toFixed(2) : bps.toPrecision(2)} bps)`;
}
