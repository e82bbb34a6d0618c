// Candle history from MAX's public REST k-line endpoint (`GET /api/v3/k`): the WebSocket sends only
// the candle in progress, so a chart asks here for the ones before it. The candles come back shaped
// like the `kline` payload of a Response, so history and stream can be drawn by the same code.

import { wasm } from "./wasm.js";
import { Channel, MAX_REST_URL } from "./constants.js";

// MAX's schema caps `limit` at 10000.
const LIMIT_MAX = 10_000;
const DEFAULT_LIMIT = 100;
const UNIT_MINUTES = { m: 1, h: 60, d: 1440 };

/**
 * The candles of `market` at `resolution`, oldest first, the newest one being the candle that holds
 * `before` (default: now). Rejects with TypeError/RangeError naming a bad argument, or an Error naming
 * the HTTP status and MAX's message.
 */
export async function fetchKlines(market, options = {}) {
  const request = klinesRequest(market, options);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") throw new TypeError("fetch: this host has no global fetch; pass options.fetch");
  let response;
  try {
    response = await fetchFn(request.url, { headers: { Accept: "application/json" }, signal: options.signal });
  } catch (error) {
    if (error?.name === "AbortError") throw error;
    throw new Error(`k-lines of ${request.market}: request to ${request.url} failed (${error?.message ?? error})`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw httpError(request, response, text);
  let rows;
  try {
    rows = JSON.parse(text);
  } catch {
    throw new Error(`k-lines of ${request.market}: the answer is not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
  return candlesOf(rows, request, options.now ?? Date.now());
}

/** The validated request: market, resolution, span and URL; throws on a bad argument. */
function klinesRequest(market, options) {
  if (options === null || typeof options !== "object") throw new TypeError("options: expected an object");
  const { resolution = "1m", limit = DEFAULT_LIMIT, before, baseUrl = MAX_REST_URL } = options;
  const checked = validSubscription(market, resolution);
  if (typeof limit !== "number") throw new TypeError(`limit: expected a number, got ${typeof limit}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX) throw new RangeError(`limit: ${limit} is not a whole number from 1 to ${LIMIT_MAX}`);
  let end = null;
  if (before !== undefined && before !== null) {
    const ms = before instanceof Date ? before.getTime() : before;
    if (typeof ms !== "number") throw new TypeError(`before: expected a Date or ms since the epoch, got ${typeof before}`);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`before: ${String(before)} is not a time (ms since the epoch)`);
    end = Math.floor(ms / 1000);
  }
  let url;
  try {
    url = new URL("/api/v3/k", baseUrl);
  } catch {
    throw new TypeError(`baseUrl: ${JSON.stringify(String(baseUrl))} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`baseUrl: ${url.protocol} is not http: or https:`);
  const minutes = periodMinutes(checked.resolution);
  url.searchParams.set("market", checked.market);
  url.searchParams.set("period", String(minutes));
  url.searchParams.set("limit", String(limit));
  if (end !== null) url.searchParams.set("timestamp", String(end));
  return { market: checked.market, resolution: checked.resolution, spanMs: minutes * 60_000, url: url.href };
}

// The core validates market and resolution as it does for a kline subscription, so the list of
// resolutions and the spelling of a market live in one place; its error names `subscriptions[0].x`.
function validSubscription(market, resolution) {
  if (typeof market !== "string") throw new TypeError(`market: expected a string, got ${kind(market)}`);
  let wire;
  try {
    wire = JSON.parse(wasm.glue.subscriptionMessage("", JSON.stringify([{ channel: Channel.KLINE, market, resolution }]), true));
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      const Kind = error.constructor;
      throw new Kind(error.message.replace(/^subscriptions\[0\]\./, ""));
    }
    throw error;
  }
  const [subscription] = wire.subscriptions;
  return { market: subscription.market, resolution: subscription.resolution };
}

function periodMinutes(resolution) {
  const [, count, unit] = /^(\d+)([mhd])$/.exec(resolution);
  return Number(count) * UNIT_MINUTES[unit];
}

function httpError(request, response, text) {
  let message = "";
  try {
    const body = JSON.parse(text);
    const error = body?.error;
    if (error && typeof error === "object") message = `${error.code ?? "?"}: ${error.message ?? ""}`;
  } catch {
    // Not JSON (a proxy's page, say): the status says enough.
  }
  if (!message) message = text.trim().slice(0, 120) || response.statusText || "no message";
  const failure = new Error(`k-lines of ${request.market}: HTTP ${response.status} from ${request.url} (${message})`);
  failure.status = response.status;
  return failure;
}

function candlesOf(rows, request, now) {
  if (!Array.isArray(rows)) throw new TypeError(`k-lines of ${request.market}: expected an array of rows, got ${kind(rows)}`);
  const candles = [];
  let failure = null;
  rows.forEach((row, i) => {
    try {
      candles.push(candleOf(row, i, request));
    } catch (error) {
      failure ??= error;
    }
  });
  candles.sort((a, b) => a.startTime - b.startTime);
  // Only the newest candle can still be open; it is closed once its end has passed.
  candles.forEach((candle, i) => (candle.closed = i < candles.length - 1 || candle.endTime.getTime() < now));
  if (failure) {
    // The rows that were fine are not lost: they ride on the error.
    failure.candles = candles;
    throw failure;
  }
  return candles;
}

const FIELDS = ["open", "high", "low", "close", "volume"];

function candleOf(row, index, request) {
  const where = `k-lines of ${request.market}: row ${index}`;
  if (!Array.isArray(row) || row.length < 6) throw new TypeError(`${where}: expected [time, open, high, low, close, volume], got ${JSON.stringify(row)}`);
  const seconds = typeof row[0] === "string" && row[0].trim() !== "" ? Number(row[0]) : row[0];
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) throw new TypeError(`${where}: time ${JSON.stringify(row[0])} is not seconds since the epoch`);
  const start = seconds * 1000;
  const candle = {
    startTime: new Date(start),
    endTime: new Date(start + request.spanMs - 1),
    market: request.market,
    resolution: request.resolution,
  };
  FIELDS.forEach((field, i) => (candle[field] = decimalText(row[i + 1], `${where}: ${field}`)));
  candle.closed = true;
  return candle;
}

// Decimals stay strings, as on the WebSocket; a number (bbgo reads them so) is written out in full.
function decimalText(value, where) {
  if (typeof value === "string") {
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw new TypeError(`${where}: ${JSON.stringify(value)} is not a decimal`);
    return value;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${where}: ${JSON.stringify(value)} is not a decimal`);
  const text = String(value);
  return /e/i.test(text) ? value.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 }) : text;
}

function kind(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
