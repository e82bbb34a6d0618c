// The page's view of a book kept in a worker: the same surface as a stream's OrderBook, read from
// the last snapshot the worker sent. The worker sends one only after the page has shown the one
// before, so a page gets at most one per animation frame, and none while it is busy or hidden.

import { levelCount } from "../book.js";

const nextFrame = (callback) =>
  typeof globalThis.requestAnimationFrame === "function" ? globalThis.requestAnimationFrame(callback) : setTimeout(callback, 16);

const EMPTY = Object.freeze({
  state: "awaiting-snapshot",
  inSync: false,
  lastUpdateId: null,
  version: null,
  bestBid: null,
  bestAsk: null,
  spread: null,
  mid: null,
  asks: [],
  bids: [],
  resyncs: 0,
  resyncReason: null,
});

export class RemoteBook {
  #market;
  #depth;
  #snapshot = EMPTY;
  #listeners = new Set();
  #ready;
  #detach;
  #scheduled = false;

  /** @internal Made by a remote stream's book(); `ready()` asks the worker for the next snapshot. */
  constructor(market, depth, ready, detach) {
    this.#market = market;
    this.#depth = depth;
    this.#ready = ready;
    this.#detach = detach;
  }

  /** @internal A snapshot from the worker: listeners hear of it on the next frame. */
  received(snapshot) {
    this.#snapshot = snapshot;
    if (this.#listeners.size === 0) {
      this.#ready();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    nextFrame(() => {
      this.#scheduled = false;
      for (const listener of this.#listeners) listener(this);
      this.#ready();
    });
  }

  apply() {
    throw new TypeError("this book is fed by its stream's worker; apply() is for a book the app feeds itself");
  }

  applyFrame() {
    return this.apply();
  }

  /** Calls `listener(book)` after changes, at most once per animation frame; returns a remover. */
  onChange(listener) {
    if (typeof listener !== "function") throw new TypeError("onChange expects a function");
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get market() {
    return this.#market;
  }

  get depth() {
    return this.#depth;
  }

  get inSync() {
    return this.#snapshot.inSync;
  }

  get state() {
    return this.#snapshot.state;
  }

  get resyncReason() {
    return this.#snapshot.resyncReason ?? null;
  }

  get resyncs() {
    return this.#snapshot.resyncs;
  }

  get lastUpdateId() {
    return this.#snapshot.lastUpdateId;
  }

  get version() {
    return this.#snapshot.version;
  }

  get bestBid() {
    return this.#snapshot.bestBid;
  }

  get bestAsk() {
    return this.#snapshot.bestAsk;
  }

  get spread() {
    return this.#snapshot.spread;
  }

  get mid() {
    return this.#snapshot.mid;
  }

  asks(n = Infinity) {
    return this.#snapshot.asks.slice(0, levelCount(n));
  }

  bids(n = Infinity) {
    return this.#snapshot.bids.slice(0, levelCount(n));
  }

  snapshot(n = 20) {
    const { asks, bids, depth: _depth, resyncReason: _reason, ...rest } = this.#snapshot;
    return { ...rest, market: this.#market, asks: this.asks(n), bids: this.bids(n) };
  }

  close() {
    this.#listeners.clear();
    this.#detach?.();
    this.#detach = null;
  }

  toString() {
    return `OrderBook(${this.market}, ${this.state})`;
  }
}

