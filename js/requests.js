// Request: built and validated by the wasm core, held here as a plain object of wire fields
// (the wire's request keys are already the API's camelCase names).

import { wasm } from "./wasm.js";

// Unique per process and per page load, so ids from two clients never collide in a log.
const idPrefix = Math.floor(Math.random() * 2 ** 32).toString(36);
let idCounter = 0;

export function nextRequestId() {
  idCounter += 1;
  return `mws-${idPrefix}-${idCounter}`;
}

/** The caller's subscriptions as JSON for the wasm core, which validates them. */
export function listArgument(subscriptions) {
  if (subscriptions === undefined) throw new TypeError("subscriptions: is required");
  try {
    return JSON.stringify(subscriptions);
  } catch (error) {
    throw new TypeError(`subscriptions: cannot be read (${error.message})`);
  }
}

/**
 * What JS must check of an API key and secret before they cross into wasm, for both
 * `Request.auth` and `Stream.auth`: strings, and valid Unicode (wasm-bindgen's string passing
 * would silently turn a lone surrogate into U+FFFD and sign with another secret). Whether one is
 * empty is the core's to decide. The messages never quote the values.
 */
export function checkCredentials(apiKey, apiSecret) {
  for (const [name, value] of [
    ["apiKey", apiKey],
    ["apiSecret", apiSecret],
  ]) {
    if (typeof value !== "string") throw new TypeError(`${name}: expected a string`);
    if (!value.isWellFormed()) throw new TypeError(`${name}: holds a lone UTF-16 surrogate (not valid Unicode)`);
  }
}

function filtersArgument(filters) {
  if (filters === undefined || filters === null) return "";
  if (!Array.isArray(filters)) throw new TypeError("filters: expected a list of strings");
  return JSON.stringify(filters);
}

export class Request {
  /** @internal Use the static constructors. */
  constructor(wireMessage) {
    Object.assign(this, JSON.parse(wireMessage));
  }

  static subscribe(subscriptions) {
    return new Request(wasm.glue.subscriptionMessage(nextRequestId(), listArgument(subscriptions), true));
  }

  static unsubscribe(subscriptions) {
    return new Request(wasm.glue.subscriptionMessage(nextRequestId(), listArgument(subscriptions), false));
  }

  static auth(apiKey, apiSecret, { filters, nonce = Date.now() } = {}) {
    checkCredentials(apiKey, apiSecret);
    if (typeof nonce !== "number") throw new TypeError("nonce: expected a number (ms since the epoch)");
    return new Request(wasm.glue.authMessage(nextRequestId(), apiKey, apiSecret, nonce, filtersArgument(filters)));
  }

  /** @internal A request from a wire object the core has already validated. */
  static fromWire(wire) {
    return Object.assign(Object.create(Request.prototype), wire);
  }

  static ping() {
    return new Request(JSON.stringify({ action: "ping", id: nextRequestId() }));
  }

  /** A request from wire JSON; either spelling of an action is accepted. */
  static parse(text) {
    if (typeof text !== "string") throw new TypeError(`Request.parse expects a string, got ${typeof text}`);
    if (!text.isWellFormed()) throw new TypeError("request: the text holds a lone UTF-16 surrogate (not valid Unicode)");
    return new Request(wasm.glue.normalizeRequest(text));
  }

  /** The wire JSON text. */
  message() {
    return JSON.stringify(this);
  }
}
