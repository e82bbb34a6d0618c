// MAX's public REST k-line endpoint on the simulator's HTTP port:
//   GET /api/v3/k?market=btcusdt&period=1&limit=100[&timestamp=SECONDS]
// answered with rows [start_seconds, open, high, low, close, volume] (decimal strings), oldest
// first, from the history the kline channel streams. Bad parameters get MAX's error shape,
// {"error":{"code":…,"message":…}}. Any origin may read it: the data is public, and a dashboard
// served from another port asks here.

import { RESOLUTIONS } from "./kline.js";

export const KLINE_PATH = "/api/v3/k";

const LIMIT_MAX = 10_000;
const DEFAULT_LIMIT = 30;
// MAX's `period` is in minutes; the WebSocket's resolutions are the same spans.
const RESOLUTION_OF_PERIOD = new Map(Object.entries(RESOLUTIONS).map(([resolution, ms]) => [String(ms / 60_000), resolution]));
// The code Peatio, the exchange engine MAX grew from, gives a bad parameter; MAX does not document its own.
const INVALID_PARAMETER = 1001;

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
  "Access-Control-Allow-Headers": "Accept, Content-Type",
  "Access-Control-Max-Age": "600",
};

class ParameterError extends Error {}

/** Answers `request` when it is a REST call the simulator knows; returns false otherwise. */
export function handleRest(exchange, request, response) {
  const url = new URL(request.url, "http://localhost");
  if (url.pathname !== KLINE_PATH) return false;
  if (request.method === "OPTIONS") {
    response.writeHead(204, CORS_HEADERS);
    response.end();
    return true;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    send(response, 405, { error: { code: 405, message: `${request.method} is not allowed here` } }, false, { Allow: "GET, HEAD, OPTIONS" });
    return true;
  }
  let rows;
  try {
    rows = klineRows(exchange, url.searchParams);
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    send(response, 422, { error: { code: INVALID_PARAMETER, message: error.message } }, request.method === "HEAD");
    return true;
  }
  send(response, 200, rows, request.method === "HEAD");
  return true;
}

/** The rows MAX would answer for these query parameters. */
export function klineRows(exchange, params) {
  const marketName = params.get("market");
  if (!marketName) throw new ParameterError("market is missing");
  const market = exchange.markets.get(marketName.toLowerCase());
  if (!market) throw new ParameterError(`market does not have a valid value (${JSON.stringify(marketName)} is not traded here)`);
  const period = params.get("period") ?? "1";
  const resolution = RESOLUTION_OF_PERIOD.get(period);
  if (!resolution) throw new ParameterError(`period does not have a valid value (one of ${[...RESOLUTION_OF_PERIOD.keys()].join(", ")})`);
  const limit = wholeNumber(params, "limit") ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > LIMIT_MAX) throw new ParameterError(`limit does not have a valid value (1 to ${LIMIT_MAX})`);
  const timestamp = wholeNumber(params, "timestamp");
  const candles = market.history.get(resolution).candles({
    limit,
    endMs: timestamp === null ? Infinity : timestamp * 1000,
    current: market.candles.get(resolution).current,
  });
  return candles.map((candle) => {
    const k = market.kline(resolution, candle);
    return [k.ST / 1000, k.O, k.H, k.L, k.C, k.v];
  });
}

function wholeNumber(params, name) {
  const text = params.get(name);
  if (text === null) return null;
  if (!/^\d{1,15}$/.test(text)) throw new ParameterError(`${name} is invalid (a whole number, got ${JSON.stringify(text)})`);
  return Number(text);
}

function send(response, status, body, headOnly, extraHeaders = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...CORS_HEADERS,
    ...extraHeaders,
  });
  response.end(headOnly ? undefined : text);
}
