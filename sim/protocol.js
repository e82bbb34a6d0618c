// Requests as MAX reads them: which actions and keys it accepts, what makes a
// subscription valid, and the shape of its answers.

import { RESOLUTIONS } from "./kline.js";

// Error strings, in the form and with the texts of the error table in MAX's documentation
// (docs/PROTOCOL.md, "Errors"). No code for rate limiting is documented: E-1011 is this
// simulator's choice.
export const ERROR = {
  invalidAction: "E-1004: invalid action",
  invalidJson: "E-1005: invalid json",
  nonceOff: "E-1006: invalid nonce (difference of 30 seconds or more)",
  authFailed: "E-1007: authentication failed",
  tooManyRequests: "E-1011: too many requests",
  nonceUsed: "E-1012: nonce has already been used",
};

const ACTIONS = {
  sub: "sub",
  subscribe: "sub",
  unsub: "unsub",
  unsubscribe: "unsub",
  auth: "auth",
  authenticate: "auth",
  ping: "ping",
};

export const DEPTHS = [1, 5, 10, 20, 50];
export const DEFAULT_DEPTH = 50;
export const DEFAULT_RESOLUTION = "1m";

export const FILTERS = [
  "order",
  "trade",
  "account",
  "trade_update",
  "fast_trade_update",
  "mwallet_order",
  "mwallet_trade",
  "mwallet_fast_trade_update",
  "mwallet_account",
  "ad_ratio",
  "borrowing",
];
export const DEFAULT_FILTERS = ["order", "trade", "account"];

class RequestError extends Error {
  constructor(wire, id) {
    super(wire);
    this.wire = wire;
    this.id = id;
  }
}

// Parses one request frame. Returns { request } with the action normalized
// to its short name, or { error, id } with the wire error string to answer.
export function parseRequest(text, { markets, currencies }) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return { error: ERROR.invalidJson };
  }
  const id = message !== null && typeof message === "object" ? message.id : undefined;
  try {
    return { request: readRequest(message, markets, currencies) };
  } catch (err) {
    if (err instanceof RequestError) return { error: err.wire, id };
    throw err;
  }
}

function readRequest(message, markets, currencies) {
  if (message === null || typeof message !== "object" || Array.isArray(message)) invalid("a request is a JSON object");
  const action = ACTIONS[message.action];
  if (!action) return invalid();
  const request = { action, id: message.id };
  if (action === "sub" || action === "unsub") {
    // The wire's asymmetry is deliberate: `sub` lists `subscriptions`,
    // `unsub` the singular `subscription`. A client mixing them up must see
    // an error here rather than in production.
    const key = action === "sub" ? "subscriptions" : "subscription";
    const list = message[key];
    if (!Array.isArray(list) || list.length === 0) invalid(`${key} must be a non-empty list`);
    for (const sub of list) checkSubscription(sub, markets, currencies);
    request.subscriptions = list;
  } else if (action === "auth") {
    request.apiKey = message.apiKey;
    request.nonce = message.nonce;
    request.signature = message.signature;
    if (message.filters !== undefined && message.filters !== null) {
      if (!Array.isArray(message.filters) || message.filters.some((f) => !FILTERS.includes(f))) {
        invalid(`filters must be a list of ${FILTERS.join(", ")}`);
      }
    }
    request.filters = message.filters?.length ? [...new Set(message.filters)] : DEFAULT_FILTERS;
  }
  return request;
}

// Which error code MAX gives a bad subscription is undocumented; E-1004 is
// the closest documented one, and the detail in parentheses helps whoever
// reads it.
function invalid(detail) {
  throw new RequestError(detail ? `${ERROR.invalidAction} (${detail})` : ERROR.invalidAction);
}

function checkSubscription(sub, markets, currencies) {
  if (sub === null || typeof sub !== "object" || Array.isArray(sub)) invalid("a subscription is an object");
  const needMarket = () => {
    if (typeof sub.market !== "string") invalid(`${sub.channel} needs a market`);
    if (!markets.has(sub.market)) invalid(`unknown market ${sub.market}`);
  };
  switch (sub.channel) {
    case "book":
      needMarket();
      if (sub.depth !== undefined && !DEPTHS.includes(sub.depth)) invalid(`depth must be one of ${DEPTHS.join(", ")}`);
      return;
    case "trade":
    case "ticker":
      return needMarket();
    case "kline":
      needMarket();
      if (sub.resolution !== undefined && !(sub.resolution in RESOLUTIONS)) {
        invalid(`resolution must be one of ${Object.keys(RESOLUTIONS).join(" ")}`);
      }
      return;
    case "market_status":
      return;
    case "pool_quota":
      if (typeof sub.currency !== "string") invalid("pool_quota needs a currency");
      if (!currencies.has(sub.currency)) invalid(`unknown currency ${sub.currency}`);
      return;
    default:
      invalid(`unknown channel ${JSON.stringify(sub.channel)}`);
  }
}

// Identifies a subscription within one connection. Book frames do not say
// their depth, so one connection holds one book per market: subscribing again
// (any depth) replaces it and starts over with a snapshot.
export function subscriptionKey(sub) {
  switch (sub.channel) {
    case "book":
    case "trade":
    case "ticker":
      return `${sub.channel}:${sub.market}`;
    case "kline":
      return `kline:${sub.market}:${sub.resolution ?? DEFAULT_RESOLUTION}`;
    case "pool_quota":
      return `pool_quota:${sub.currency}`;
    default:
      return sub.channel;
  }
}

// An answer to a request: `e`, then its own keys, then `i` (when the request
// had an id) and `T`, in the fixtures' key order.
export function answer(event, id, fields = {}, now = Date.now()) {
  const frame = { e: event, ...fields };
  if (id !== undefined) frame.i = id;
  frame.T = now;
  return frame;
}

export function errorAnswer(wire, id, now) {
  return answer("error", id, { E: [wire] }, now);
}
