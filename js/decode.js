// Response.parse: the frame goes into wasm with one encodeInto, one wasm call decodes and
// validates it onto a flat f64 tape, and this file builds the plain object from the tape.
// Strings are slices of the original JS string (offsets in an ASCII frame equal UTF-16 indices),
// which is what makes this faster than crossing the boundary per field.
//
// The builders below read fields in the order of the `wire_object!` tables in
// src/core/response.rs: bit i of an object's mask is field i of its table, then one bit for extra.

import { wasm } from "./wasm.js";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8");

let buffer = null; // the wasm memory's ArrayBuffer the views below were made on
let bytes = null;
let numbers = null;
let inputAt = 0;
let inputCapacity = 0;
let input = null; // a view of the input buffer, reused between frames

// Reader state of the frame being built.
let at = 0; // index into `numbers`
let text = "";
let ascii = true;
let ownedAt = 0;

function refreshViews() {
  const current = wasm.exports.memory.buffer;
  if (current !== buffer) {
    buffer = current;
    bytes = new Uint8Array(current);
    numbers = new Float64Array(current);
    input = bytes.subarray(inputAt, inputAt + inputCapacity);
  }
}

function reserveInput(length) {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  const needed = length * 3;
  if (needed > inputCapacity) {
    inputCapacity = Math.max(needed, 4096);
    inputAt = wasm.glue.inputBuffer(inputCapacity);
    buffer = null;
  }
  refreshViews();
}

/** Decodes one MAX message into its plain object; throws an Error that says what is wrong. */
export function parseResponse(frame) {
  if (typeof frame !== "string") {
    throw new TypeError(`Response.parse expects a string, got ${frame === null ? "null" : typeof frame}`);
  }
  const tapeAt = wasm.glue.decodeResponse(encodeFrame(frame));
  if (tapeAt === 0) {
    text = "";
    throw new Error(wasm.glue.decodeError());
  }
  return buildResponse(tapeAt);
}

function str() {
  const start = numbers[at];
  const end = numbers[at + 1];
  at += 2;
  if (start >= 0) {
    return ascii ? text.slice(start, end) : utf8.decode(bytes.subarray(inputAt + start, inputAt + end));
  }
  // The string held escapes; wasm unescaped it into its owned-text buffer.
  return utf8.decode(bytes.subarray(ownedAt - start - 1, ownedAt + end));
}

function num() {
  return numbers[at++];
}

function date() {
  return new Date(numbers[at++]);
}

function bool() {
  return numbers[at++] !== 0;
}

function list(readItem) {
  const count = numbers[at++];
  const items = [];
  for (let i = 0; i < count; i++) items.push(readItem());
  return items;
}

function level() {
  return [str(), str()];
}

function extra() {
  const count = numbers[at++];
  const out = {};
  for (let i = 0; i < count; i++) {
    const key = str();
    const value = JSON.parse(str());
    // Assigning "__proto__" would replace the object's prototype with the frame's value instead
    // of keeping the key: define it as an own property, as JSON.parse does.
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function readResponse() {
  const m = numbers[at++];
  const r = { event: str() };
  if (m & 0x2) r.createdAt = date();
  if (m & 0x4) r.id = str();
  if (m & 0x8) r.errors = list(str);
  if (m & 0x10) r.subscriptions = list(readSubscription);
  if (m & 0x20) r.channel = str();
  if (m & 0x40) r.balances = list(readBalance);
  if (m & 0x80) r.market = str();
  if (m & 0x100) r.asks = list(level);
  if (m & 0x200) r.bids = list(level);
  if (m & 0x400) r.firstUpdateId = num();
  if (m & 0x800) r.lastUpdateId = num();
  if (m & 0x1000) r.version = num();
  if (m & 0x2000) r.orders = list(readOrder);
  if (m & 0x4000) r.ticker = readTicker();
  if (m & 0x8000) r.trades = list(readTrade);
  if (m & 0x10000) r.currency = str();
  if (m & 0x20000) r.kline = readKline();
  if (m & 0x40000) r.marketStatus = list(readMarketStatus);
  if (m & 0x80000) r.poolQuota = readPoolQuota();
  if (m & 0x100000) r.mWalletAdRatio = readAdRatio();
  if (m & 0x200000) r.mWalletBorrowings = list(readBorrowing);
  if (m & 0x400000) r.extra = extra();
  return r;
}

function readSubscription() {
  const m = numbers[at++];
  const s = {};
  if (m & 0x1) s.channel = str();
  if (m & 0x2) s.market = str();
  if (m & 0x4) s.depth = num();
  if (m & 0x8) s.resolution = str();
  if (m & 0x10) s.currency = str();
  if (m & 0x20) s.extra = extra();
  return s;
}

function readTicker() {
  const m = numbers[at++];
  const t = {};
  if (m & 0x1) t.market = str();
  if (m & 0x2) t.open = str();
  if (m & 0x4) t.high = str();
  if (m & 0x8) t.low = str();
  if (m & 0x10) t.close = str();
  if (m & 0x20) t.volume = str();
  if (m & 0x40) t.volumeInBtc = str();
  if (m & 0x80) t.extra = extra();
  return t;
}

function readOrder() {
  const m = numbers[at++];
  const o = {};
  if (m & 0x1) o.orderId = num();
  if (m & 0x2) o.side = str();
  if (m & 0x4) o.orderType = str();
  if (m & 0x8) o.price = str();
  if (m & 0x10) o.stopPrice = str();
  if (m & 0x20) o.averagePrice = str();
  if (m & 0x40) o.state = str();
  if (m & 0x80) o.market = str();
  if (m & 0x100) o.createdAt = date();
  if (m & 0x200) o.updatedAt = date();
  if (m & 0x400) o.volume = str();
  if (m & 0x800) o.remainingVolume = str();
  if (m & 0x1000) o.executedVolume = str();
  if (m & 0x2000) o.tradeCount = num();
  if (m & 0x4000) o.clientOrderId = str();
  if (m & 0x8000) o.groupId = num();
  if (m & 0x10000) o.extra = extra();
  return o;
}

function readTrade() {
  const m = numbers[at++];
  const t = {};
  if (m & 0x1) t.id = num();
  if (m & 0x2) t.market = str();
  if (m & 0x4) t.side = str();
  if (m & 0x8) t.price = str();
  if (m & 0x10) t.volume = str();
  if (m & 0x20) t.fee = str();
  if (m & 0x40) t.feeCurrency = str();
  if (m & 0x80) t.feeDiscounted = bool();
  if (m & 0x100) t.funds = str();
  if (m & 0x200) t.createdAt = date();
  if (m & 0x400) t.updatedAt = date();
  if (m & 0x800) t.maker = bool();
  if (m & 0x1000) t.orderId = num();
  if (m & 0x2000) t.trend = str();
  if (m & 0x4000) t.extra = extra();
  return t;
}

function readBalance() {
  const m = numbers[at++];
  const b = {};
  if (m & 0x1) b.currency = str();
  if (m & 0x2) b.available = str();
  if (m & 0x4) b.locked = str();
  if (m & 0x8) b.staked = str();
  if (m & 0x10) b.balanceUpdatedTime = date();
  if (m & 0x20) b.extra = extra();
  return b;
}

function readKline() {
  const m = numbers[at++];
  const k = {};
  if (m & 0x1) k.startTime = date();
  if (m & 0x2) k.endTime = date();
  if (m & 0x4) k.market = str();
  if (m & 0x8) k.resolution = str();
  if (m & 0x10) k.open = str();
  if (m & 0x20) k.high = str();
  if (m & 0x40) k.low = str();
  if (m & 0x80) k.close = str();
  if (m & 0x100) k.volume = str();
  if (m & 0x200) k.lastTradeId = num();
  if (m & 0x400) k.closed = bool();
  if (m & 0x800) k.quoteVolume = str();
  if (m & 0x1000) k.extra = extra();
  return k;
}

function readMarketStatus() {
  const m = numbers[at++];
  const s = {};
  if (m & 0x1) s.market = str();
  if (m & 0x2) s.status = str();
  if (m & 0x4) s.baseUnit = str();
  if (m & 0x8) s.baseUnitPrecision = num();
  if (m & 0x10) s.minimalBaseAmount = num();
  if (m & 0x20) s.quoteUnit = str();
  if (m & 0x40) s.quoteUnitPrecision = num();
  if (m & 0x80) s.minimalQuoteAmount = num();
  if (m & 0x100) s.mwalletSupported = bool();
  if (m & 0x200) s.extra = extra();
  return s;
}

function readPoolQuota() {
  const m = numbers[at++];
  const q = {};
  if (m & 0x1) q.currency = str();
  if (m & 0x2) q.available = str();
  if (m & 0x4) q.updatedAt = date();
  if (m & 0x8) q.extra = extra();
  return q;
}

function readAdRatio() {
  const m = numbers[at++];
  const a = {};
  if (m & 0x1) a.adRatio = str();
  if (m & 0x2) a.assetInUsdt = str();
  if (m & 0x4) a.debtInUsdt = str();
  if (m & 0x8) a.indexPrices = list(readIndexPrice);
  if (m & 0x10) a.updatedAt = date();
  if (m & 0x20) a.extra = extra();
  return a;
}

function readIndexPrice() {
  const m = numbers[at++];
  const i = {};
  if (m & 0x1) i.market = str();
  if (m & 0x2) i.price = str();
  if (m & 0x4) i.extra = extra();
  return i;
}

function readBorrowing() {
  const m = numbers[at++];
  const b = {};
  if (m & 0x1) b.currency = str();
  if (m & 0x2) b.debtPrincipal = str();
  if (m & 0x4) b.debtInterest = str();
  if (m & 0x8) b.updatedAt = date();
  if (m & 0x10) b.extra = extra();
  return b;
}

// The stream's path: the engine in wasm calls encodeFrame, decodes the frame itself (routing
// book frames and keepalive answers without building anything), then calls buildResponse.

/** Writes a frame into the wasm input buffer; returns its length in bytes. */
export function encodeFrame(frame) {
  reserveInput(frame.length);
  const { written } = encoder.encodeInto(frame, input);
  ascii = written === frame.length;
  if (!ascii && !frame.isWellFormed()) {
    throw new Error("invalid MAX message: the text holds a lone UTF-16 surrogate (not valid Unicode)");
  }
  text = frame;
  return written;
}

/** Builds the object of the frame last encoded, from the tape at byte address tapeAt. */
export function buildResponse(tapeAt) {
  refreshViews();
  at = tapeAt / 8;
  ownedAt = numbers[at++];
  const response = readResponse();
  text = "";
  return response;
}
