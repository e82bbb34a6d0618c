// What a page and the worker that holds its Stream say to each other over a MessagePort. Every
// message is a plain object with a `t` (its kind); everything in it survives structured clone
// (responses keep their Dates). Functions never cross: handlers and callbacks stay in the page.

/** Page -> worker. */
export const TO_WORKER = Object.freeze({
  OPEN: "open", // { options, credentials, callbacks }: the first message of a port
  AUTH: "auth", // { apiKey, apiSecret, filters }: the secret crosses once and is never sent back
  SUBSCRIBE: "sub", // { subscriptions }: already validated and normalised by the page
  UNSUBSCRIBE: "unsub", // { subscriptions }
  BOOK: "book", // { id, market, depth }: keep this book for the page
  UNBOOK: "unbook", // { id }
  BOOK_READY: "ready", // { id }: the page has shown the last snapshot; the next may come
  RUN: "run",
  CLOSE: "close",
  STATUS: "status", // the page read `status` or stats(): send fresh counters
  PONG: "pong", // the answer to a heartbeat
  BYE: "bye", // pagehide: release this tab at once
});

/** Worker -> page. */
export const TO_PAGE = Object.freeze({
  RESPONSE: "response", // { response }
  CALLBACK: "callback", // { name, args, status }: a lifecycle callback of the worker's stream
  BOOK: "book", // { id, snapshot }
  STATUS: "status", // { status, stats }
  PING: "ping", // { status, stats, requests }: heartbeat, with what the page's getters cache
  ENDED: "ended", // { error, notify }: the stream stopped (null: closed) or released this tab (notify)
});

/** How long a tab may stay silent before the worker releases what it holds (the issue allows 5 s). */
export const HEARTBEAT_MS = 1000;
export const SILENCE_LIMIT_MS = 3500;

// The channels a page subscribes to; anything else (the private `user` channel, answers without a
// channel) belongs to every tab of a stream, since they share one key.
const SUBSCRIBED_CHANNELS = new Set(["book", "trade", "ticker", "kline", "market_status", "pool_quota"]);

/** One subscription's identity, for reference counting: the same key for the same wire object. */
export function subscriptionKey(subscription) {
  return JSON.stringify(Object.keys(subscription).sort().map((name) => [name, subscription[name]]));
}

// A kline subscription without a resolution gets the server's default.
const DEFAULT_RESOLUTION = "1m";

/** Which responses a subscription receives: depth is not on a book's frames, so it is left out. */
export function routeOfSubscription({ channel, market, resolution, currency }) {
  const span = channel === "kline" ? (resolution ?? DEFAULT_RESOLUTION) : "";
  return `${channel}|${market ?? ""}|${span}|${currency ?? ""}`;
}

/** The route of a response, or null when it goes to every tab of its stream. */
export function routeOfResponse(response) {
  const { channel } = response;
  if (!SUBSCRIBED_CHANNELS.has(channel)) return null;
  const resolution = channel === "kline" ? response.kline?.resolution : undefined;
  const currency = channel === "pool_quota" ? (response.currency ?? response.poolQuota?.currency) : undefined;
  return routeOfSubscription({ channel, market: channel === "market_status" ? undefined : response.market, resolution, currency });
}

// Structured clone keeps an Error's message but drops its own fields (code, closeCode, reason).
const ERROR_FIELDS = ["name", "message", "code", "closeCode", "reason"];

export function errorToWire(error) {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const wire = {};
  for (const field of ERROR_FIELDS) if (error[field] !== undefined) wire[field] = error[field];
  return wire;
}

export function errorFromWire(wire) {
  const error = new Error(wire.message);
  for (const field of ERROR_FIELDS) if (field !== "message" && wire[field] !== undefined) error[field] = wire[field];
  return error;
}

/** Callback arguments: errors become wire objects, the rest is cloned as it is. */
export const argsToWire = (args) => args.map((arg) => (arg instanceof Error ? { error: errorToWire(arg) } : { value: arg }));
export const argsFromWire = (args) => args.map((arg) => ("error" in arg ? errorFromWire(arg.error) : arg.value));
