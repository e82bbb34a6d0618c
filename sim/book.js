// The simulator's truth for one market's order book: the full book, an update
// id that moves with every change, and enough history to answer "what did the
// top levels look like right after update id N" for a client under test.

import { formatFixed, formatTrimmed } from "./decimal.js";

// One side, kept sorted best-first so top-d views are a slice, not a sort.
class BookSide {
  constructor(isAsk) {
    this.isAsk = isAsk;
    this.levels = new Map();
    this.order = [];
  }

  get size() {
    return this.order.length;
  }

  get(tick) {
    return this.levels.get(tick) ?? 0;
  }

  best() {
    return this.order[0];
  }

  worst() {
    return this.order[this.order.length - 1];
  }

  at(index) {
    return this.order[index];
  }

  set(tick, volume) {
    const had = this.levels.has(tick);
    if (volume > 0) {
      this.levels.set(tick, volume);
      if (!had) this.order.splice(this.position(tick), 0, tick);
    } else if (had) {
      this.levels.delete(tick);
      this.order.splice(this.position(tick), 1);
    }
  }

  top(depth) {
    return this.order.slice(0, depth).map((tick) => [tick, this.levels.get(tick)]);
  }

  // Binary search for the slot of `tick` in best-first order.
  position(tick) {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ahead = this.isAsk ? this.order[mid] < tick : this.order[mid] > tick;
      if (ahead) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class OrderBook {
  constructor({ priceDecimals, volumeDecimals, updateId, version, historyLimit = 2000 }) {
    this.priceDecimals = priceDecimals;
    this.volumeDecimals = volumeDecimals;
    this.asks = new BookSide(true);
    this.bids = new BookSide(false);
    this.updateId = updateId;
    this.version = version;
    this.firstId = updateId;
    this.historyLimit = historyLimit;
    // Ring of undo records indexed by update id: undoing is cheaper to store
    // than a copy of the top levels after every id.
    this.history = new Array(historyLimit);
    this.viewCache = new Map();
  }

  side(name) {
    return name === "a" ? this.asks : this.bids;
  }

  // Applies changes ([side "a"|"b", tick, volume], volume 0 removes) as one
  // update id, optionally with a new version. Refuses changes that would
  // cross the book, because no real exchange publishes a crossed book.
  apply(changes, newVersion) {
    const undo = [];
    for (const [sideName, tick, volume] of changes) {
      const side = this.side(sideName);
      undo.push([sideName, tick, side.get(tick)]);
      side.set(tick, volume);
    }
    if (this.isCrossed()) {
      for (let i = undo.length - 1; i >= 0; i--) this.side(undo[i][0]).set(undo[i][1], undo[i][2]);
      throw new Error("book change would cross the book");
    }
    const previousVersion = this.version;
    if (newVersion !== undefined) this.version = newVersion;
    this.updateId += 1;
    this.history[this.updateId % this.historyLimit] = { id: this.updateId, undo, previousVersion };
    this.viewCache.clear();
    return this.updateId;
  }

  isCrossed() {
    return this.asks.size > 0 && this.bids.size > 0 && this.asks.best() <= this.bids.best();
  }

  // Top `depth` levels now, as integer [tick, volume] pairs, shared between
  // all subscribers of the same depth.
  view(depth) {
    let view = this.viewCache.get(depth);
    if (!view) {
      view = { asks: this.asks.top(depth), bids: this.bids.top(depth) };
      this.viewCache.set(depth, view);
    }
    return view;
  }

  // Top `depth` levels as they were right after `updateId`, or null when that
  // id is older than the kept history or has not happened yet.
  viewAt(depth, updateId) {
    if (updateId === this.updateId) return { ...this.view(depth), version: this.version };
    if (!Number.isInteger(updateId) || updateId > this.updateId) return null;
    if (updateId < this.firstId || updateId <= this.updateId - this.historyLimit) return null;
    const asks = new BookSide(true);
    const bids = new BookSide(false);
    for (const [tick, volume] of this.asks.levels) asks.set(tick, volume);
    for (const [tick, volume] of this.bids.levels) bids.set(tick, volume);
    let version = this.version;
    for (let id = this.updateId; id > updateId; id--) {
      const record = this.history[id % this.historyLimit];
      for (let i = record.undo.length - 1; i >= 0; i--) {
        const [sideName, tick, volume] = record.undo[i];
        (sideName === "a" ? asks : bids).set(tick, volume);
      }
      version = record.previousVersion;
    }
    return { asks: asks.top(depth), bids: bids.top(depth), version };
  }

  formatPrice(tick) {
    return formatFixed(tick, this.priceDecimals);
  }

  formatVolume(volume) {
    return formatTrimmed(volume, this.volumeDecimals);
  }

  // A level leaving the book is written "0", as MAX writes it.
  formatLevels(levels) {
    return levels.map(([tick, volume]) => [this.formatPrice(tick), volume === 0 ? "0" : this.formatVolume(volume)]);
  }
}

// The levels that turn view `before` into view `after` for one side: new or
// changed levels with their new volume, levels that left the view with "0".
// Sorted best-first like every side this simulator writes.
export function diffSide(before, after, isAsk) {
  const old = new Map(before);
  const changes = [];
  for (const [tick, volume] of after) {
    if (old.get(tick) !== volume) changes.push([tick, volume]);
    old.delete(tick);
  }
  for (const tick of old.keys()) changes.push([tick, 0]);
  changes.sort(isAsk ? (x, y) => x[0] - y[0] : (x, y) => y[0] - x[0]);
  return changes;
}
