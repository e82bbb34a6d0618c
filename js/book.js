// OrderBook: a market's book kept inside wasm (exact decimal prices, MAX's sync rules). JS reads
// only what it shows: best levels, spread, mid, the top n levels. Fed by a stream
// (stream.book(market)), by raw frames (applyFrame) or by the app's own Response objects (apply).

import { wasm } from "./wasm.js";
import { encodeFrame } from "./decode.js";

// A UI redraws at animation rate; Node has no frames, so a short timer stands in.
const nextFrame = (callback) =>
  typeof globalThis.requestAnimationFrame === "function" ? globalThis.requestAnimationFrame(callback) : setTimeout(callback, 16);

// What applying a frame did, by the code the wasm side returns (src/binding/book.rs).
const OUTCOMES = ["snapshot", "update", "stale", "ignored", "resync", "not-a-book-frame"];

// Marks the constructor call that wraps a stream's book (not part of the public API).
const STREAM_BOOK = Symbol("stream book");

export class OrderBook {
  #handle;
  #listeners = new Set();
  #scheduled = false;
  #detach = null;

  /** A book the app feeds itself: `new OrderBook("btcusdt")` or `new OrderBook({ market })`. */
  constructor(market, ...internal) {
    if (internal[0] === STREAM_BOOK) {
      [, this.#handle, this.#detach] = internal;
      return;
    }
    const name = typeof market === "object" && market !== null ? market.market : market;
    if (typeof name !== "string" || name === "") throw new TypeError("market: expected a market id such as \"btcusdt\"");
    this.#handle = new wasm.glue.BookHandle(name.toLowerCase());
  }

  /** @internal A book kept by a stream. */
  static live(handle, detach) {
    return new OrderBook(undefined, STREAM_BOOK, handle, detach);
  }

  /** Applies a book snapshot or update Response; returns "snapshot", "update", "stale", "ignored", "resync" or "not-a-book-frame". */
  apply(response) {
    if (typeof response !== "object" || response === null) throw new TypeError("apply expects a Response object");
    const wire = {
      e: response.event,
      c: response.channel ?? "book",
      M: response.market ?? this.market,
      fi: response.firstUpdateId,
      li: response.lastUpdateId,
      v: response.version,
      a: response.asks ?? [],
      b: response.bids ?? [],
    };
    // Back to wire text, then the raw-frame path: its book-only reader borrows every string
    // (JSON.stringify wrote "c":"book"), so nothing is decoded in full or allocated per level.
    return this.#after(OUTCOMES[this.#handle.applyEncoded(encodeFrame(JSON.stringify(wire)))]);
  }

  /** Applies a raw wire frame without building a JS object for it. */
  applyFrame(text) {
    if (typeof text !== "string") throw new TypeError("applyFrame expects the frame's text");
    return this.#after(OUTCOMES[this.#handle.applyEncoded(encodeFrame(text))]);
  }

  #after(outcome) {
    if (outcome !== "stale" && outcome !== "ignored" && outcome !== "not-a-book-frame") this.changed();
    return outcome;
  }

  /** Calls `listener(book)` after changes, at most once per animation frame; returns a remover. */
  onChange(listener) {
    if (typeof listener !== "function") throw new TypeError("onChange expects a function");
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal The book changed: tell listeners on the next frame (many changes, one call). */
  changed() {
    if (this.#scheduled || this.#listeners.size === 0) return;
    this.#scheduled = true;
    nextFrame(() => {
      this.#scheduled = false;
      if (this.#read("TakeChanged") === null) return;
      for (const listener of this.#listeners) listener(this);
    });
  }

  /** One of the handle's reads (src/binding/book.rs's `BookRead`) as text, null for none. */
  #read(kind, count = 0) {
    const text = this.#handle.read(wasm.glue.BookRead[kind], count);
    return text === "" ? null : text;
  }

  #number(kind) {
    const text = this.#read(kind);
    return text === null ? null : Number(text);
  }

  get market() {
    return this.#read("Market") ?? "";
  }

  /** The depth subscribed to, or undefined (the server's default, 50). */
  get depth() {
    return this.#number("Depth") ?? undefined;
  }

  /** False while waiting for a snapshot or resyncing: then no levels are served. */
  get inSync() {
    return this.#read("InSync") !== null;
  }

  /** "awaiting-snapshot", "in-sync" or "out-of-sync". */
  get state() {
    return this.#read("State");
  }

  get resyncReason() {
    return this.#read("ResyncReason");
  }

  /** How many times the book fell out of step and was resubscribed. */
  get resyncs() {
    return this.#number("Resyncs");
  }

  get lastUpdateId() {
    return this.#number("LastUpdateId");
  }

  get version() {
    return this.#number("Version");
  }

  /** [price, volume] as the wire's strings, or null. */
  get bestBid() {
    return this.#read("BestBid")?.split(",") ?? null;
  }

  get bestAsk() {
    return this.#read("BestAsk")?.split(",") ?? null;
  }

  /** Best ask minus best bid, as an exact decimal string. */
  get spread() {
    return this.#read("Spread");
  }

  /** The midpoint of best bid and ask, as an exact decimal string. */
  get mid() {
    return this.#read("Mid");
  }

  /** The best n asks, lowest first. */
  asks(n = Infinity) {
    return levels(this.#read("Asks", levelCount(n)));
  }

  /** The best n bids, highest first. */
  bids(n = Infinity) {
    return levels(this.#read("Bids", levelCount(n)));
  }

  /** Everything a ladder view needs, in one plain object. */
  snapshot(n = 20) {
    return {
      market: this.market,
      state: this.state,
      inSync: this.inSync,
      lastUpdateId: this.lastUpdateId,
      version: this.version,
      bestBid: this.bestBid,
      bestAsk: this.bestAsk,
      spread: this.spread,
      mid: this.mid,
      asks: this.asks(n),
      bids: this.bids(n),
      resyncs: this.resyncs,
    };
  }

  /** Stops keeping a stream's book (it is unsubscribed); a no-op for a book fed by the app. */
  close() {
    this.#listeners.clear();
    this.#detach?.();
    this.#detach = null;
  }

  toString() {
    return `OrderBook(${this.market}, ${this.state})`;
  }
}

/** `price,volume,price,volume...` as [[price, volume], ...]. */
function levels(text) {
  if (text === null) return [];
  const parts = text.split(",");
  const out = new Array(parts.length / 2);
  for (let at = 0; at < out.length; at++) out[at] = [parts[2 * at], parts[2 * at + 1]];
  return out;
}

/** The level count `asks(n)`/`bids(n)` take: a non-negative integer, or Infinity for all. */
export function levelCount(n) {
  if (n === Infinity) return 0xffffffff;
  if (!Number.isInteger(n) || n < 0) throw new RangeError("the number of levels must be a non-negative integer");
  return n;
}
