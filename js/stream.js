// Stream: the JS face of the engine in wasm (src/core/engine, run by src/binding/executor.rs).
// This file defaults and checks the options, holds the queue of "queue" mode, and never keeps the API secret: it goes
// straight into wasm, so String(stream), JSON.stringify(stream) and errors cannot show it.

import { wasm } from "./wasm.js";
import { host } from "./host.js";
import { encodeFrame, buildResponse } from "./decode.js";
import { ReconnectPolicy } from "./policy.js";
import { Request, checkCredentials, listArgument, nextRequestId } from "./requests.js";
import { ResponseQueue } from "./response-queue.js";
import { OrderBook } from "./book.js";
import { recordingFactory } from "./recording.js";
import { transportOf } from "./transport/choice.js";
import { remoteStream } from "./transport/remote-stream.js";
import { makeStreamError } from "./errors.js";
import { attachSocket } from "./socket.js";

const DISPATCH_MODES = ["inline", "task", "queue"];
const CALLBACKS = [
  "onConnected",
  "onDisconnected",
  "onReconnecting",
  "onPermanentFailure",
  "onHandlerError",
  "onDecodeError",
  "onAuthFailed",
  "onStateChange",
  "onStale",
];

/** An exported enum's variant names by their values. */
function enumNames(exported) {
  return Object.entries(exported)
    .filter(([, position]) => typeof position === "number")
    .sort(([, a], [, b]) => a - b)
    .map(([variant]) => variant);
}

/**
 * The list of hooks the driver is given: each at the position src/binding/hooks.rs's `Hook` gives
 * it, named as the variant with its first letter lowered (the package's own functions, then the
 * user's onHandlerError). Laid out once, on the first stream: reading the
 * glue's enum before then would compile the wasm at import.
 */
let hookNames = null;
function hookList(hooks) {
  hookNames ??= enumNames(wasm.glue.Hook).map((variant) => variant[0].toLowerCase() + variant.slice(1));
  return hookNames.map((name) => hooks[name]);
}

// How many values each callback is given; the others take one.
const NOTICE_ARITY = { onConnected: 0, onDecodeError: 2, onAuthFailed: 2 };
let noticeNames = null;

/**
 * The driver's `notice(kind, a, b)` hook: hands src/binding/hooks.rs's `Notice` of that kind to
 * the callback named after it (`on` and its variant's name), if it is set. What a
 * callback throws is its own business and must not stop the stream.
 */
function noticeHook(hooks) {
  noticeNames ??= enumNames(wasm.glue.Notice).map((variant) => `on${variant}`);
  const callbacks = noticeNames.map((name) => hooks[name]);
  const arities = noticeNames.map((name) => NOTICE_ARITY[name] ?? 1);
  return (kind, a, b) => {
    const callback = callbacks[kind];
    if (callback === undefined) return;
    try {
      const arity = arities[kind];
      if (arity === 0) callback();
      else if (arity === 1) callback(a);
      else callback(a, b);
    } catch {
      // Nowhere to report it: the stream goes on.
    }
  };
}

// The stale watchdog's defaults, in seconds (false: off): a book or a ticker of a live market
// is never quiet that long; a kline's open candle is pushed at least when it closes (so 90 s or
// 1.5 candles, whichever is longer); trades, market status and pool quotas may rightly be quiet.
const STALE_DEFAULTS = Object.freeze({ book: 30, trade: false, ticker: 60, kline: 90, market_status: false, pool_quota: false });
const STALE_CHANNELS = Object.keys(STALE_DEFAULTS);

function policyFrom({ reconnect = true, reconnectPolicy }) {
  if (reconnectPolicy instanceof ReconnectPolicy) return reconnectPolicy;
  if (reconnectPolicy !== undefined && reconnectPolicy !== null) return new ReconnectPolicy(reconnectPolicy);
  return new ReconnectPolicy({ enabled: reconnect !== false });
}

function positiveSeconds(name, value) {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number of seconds`);
  }
  return value;
}

function limitPair(name, value, keys) {
  if (value === undefined || value === null) return null;
  const pair = keys.map((key) => value[key]);
  if (!pair.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`${name} must be { ${keys.join(", ")} } of positive integers`);
  }
  return pair;
}

function staleSeconds(name, value) {
  if (value === false || value === 0) return null;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number of seconds, or false (or 0) for off`);
  }
  return value;
}

/** `staleAfter` (seconds, one for all, or per channel over the defaults) as ms per channel. */
function staleAfterMs(staleAfter) {
  let seconds = { ...STALE_DEFAULTS };
  let klinePerResolution = true;
  if (staleAfter === false || typeof staleAfter === "number") {
    const all = staleSeconds("staleAfter", staleAfter);
    seconds = Object.fromEntries(STALE_CHANNELS.map((channel) => [channel, all]));
    klinePerResolution = false;
  } else if (staleAfter !== undefined && staleAfter !== null) {
    if (typeof staleAfter !== "object" || Array.isArray(staleAfter)) {
      throw new TypeError("staleAfter must be a number of seconds, false, or { channel: seconds | false }");
    }
    for (const [channel, value] of Object.entries(staleAfter)) {
      if (!STALE_CHANNELS.includes(channel)) {
        throw new RangeError(`staleAfter.${channel}: not a channel a stream subscribes to (${STALE_CHANNELS.join(", ")})`);
      }
      if (value === undefined) continue;
      seconds[channel] = staleSeconds(`staleAfter.${channel}`, value);
      if (channel === "kline") klinePerResolution = false;
    }
  }
  // [book, trade, ticker, kline, market_status, pool_quota] in ms (0: off), then whether the
  // kline limit is the per-resolution default: StreamDriver::new's last arguments before the hooks.
  const ms = (value) => (value === null || value === false ? 0 : Math.round(value * 1000));
  return [...STALE_CHANNELS.map((channel) => ms(seconds[channel])), klinePerResolution];
}

/** Calls an "inline" handler: the thenable it returned, for the stream to wait for, else undefined. */
function callHandler(handler, response) {
  // An inline handler is called with `this` null.
  const result = handler.call(null, response);
  if (result === null || typeof result !== "object") return undefined;
  let then;
  try {
    then = result.then;
  } catch {
    // A `then` that throws when read makes no thenable.
    return undefined;
  }
  return typeof then === "function" ? result : undefined;
}

/**
 * Calls `fulfilled` or `rejected` (either may be undefined) once an inline handler's thenable
 * settles. What they throw is nobody's: the stream may be gone.
 */
function whenSettled(thenable, fulfilled, rejected) {
  Promise.resolve(thenable)
    .then(fulfilled, rejected)
    .catch(() => {});
}

/** Calls a handler without awaiting it ("task" mode); a failure goes to onHandlerError or the console. */
function taskSettler(onHandlerError) {
  const report = (error, response) => {
    try {
      if (onHandlerError) onHandlerError(error, response);
      else console.error("maicoin-ws: a handler failed:", error);
    } catch {
      // The error callback's own failure has nowhere left to go.
    }
  };
  return (handler, response) => {
    try {
      const result = handler(response);
      if (result && typeof result.then === "function") result.then(undefined, (error) => report(error, response));
    } catch (error) {
      report(error, response);
    }
  };
}

export class Stream {
  #driver;
  #queue = new ResponseQueue();
  #dispatch;
  #books = new Map();

  constructor(options = {}) {
    // transport "worker" / "shared": a proxy with this API, the stream itself in a worker.
    // (The proxy's module is asked only for another transport than "direct".)
    const transport = transportOf(options?.transport ?? "direct");
    if (transport !== "direct") return remoteStream(options, transport, Stream);
    const {
      apiKey,
      apiSecret,
      authFilters,
      uri = host.defaultUri(),
      dispatch = "inline",
      connectFactory = host.connectFactory,
      connectOptions,
      keepaliveInterval = 30,
      requestLimits,
      connectionLimits,
    } = options;
    if (typeof uri !== "string" || !/^wss?:\/\//i.test(uri)) {
      throw new TypeError(`uri must be a ws:// or wss:// URL, got ${typeof uri === "string" ? JSON.stringify(uri) : typeof uri}`);
    }
    if (!DISPATCH_MODES.includes(dispatch)) {
      throw new RangeError(`dispatch must be one of ${DISPATCH_MODES.join(", ")}, got ${JSON.stringify(dispatch)}`);
    }
    if (typeof connectFactory !== "function") throw new TypeError("connectFactory must be a function");
    const { record } = options;
    if (record !== undefined && record !== null && typeof record !== "function") throw new TypeError("record must be a function");
    const factory = record ? recordingFactory(connectFactory, record) : connectFactory;
    const hooks = {
      openSocket: (uri, opened, batch, closed) => attachSocket(factory(uri, connectOptions), opened, batch, closed),
      encodeFrame,
      buildResponse,
      settleTask: taskSettler(options.onHandlerError),
      enqueue: (response) => this.#queue.push(response),
      streamError: makeStreamError,
      bookChanged: (id) => this.#books.get(id)?.changed(),
      callHandler,
      whenSettled,
    };
    for (const name of CALLBACKS) {
      const callback = options[name];
      if (callback === undefined || callback === null) continue;
      if (typeof callback !== "function") throw new TypeError(`${name} must be a function`);
      hooks[name] = callback;
    }
    // The engine hands the stale subscription over as the JSON of a one-item list.
    if (hooks.onStale) hooks.onStale = ((onStale) => (wire) => onStale(JSON.parse(wire)[0]))(hooks.onStale);
    hooks.notice = noticeHook(hooks);
    const policy = policyFrom(options);
    const keepaliveMs = Math.round(positiveSeconds("keepaliveInterval", keepaliveInterval) * 1000);
    // A pair of limits, or none (undefined) for the limits every stream shares.
    const [perSecond, perMinute] = limitPair("requestLimits", requestLimits, ["perSecond", "perMinute"]) ?? [];
    const [perHour, perDay] = limitPair("connectionLimits", connectionLimits, ["perHour", "perDay"]) ?? [];
    const staleAfter = staleAfterMs(options.staleAfter);
    this.#dispatch = dispatch;
    // StreamDriver::new's arguments, in its order: plain values, nothing for wasm to parse.
    this.#driver = new wasm.glue.StreamDriver(
      uri,
      dispatch,
      policy.enabled,
      policy.maxRetries ?? undefined,
      policy.baseDelay,
      policy.maxDelay,
      policy.jitter,
      keepaliveMs,
      nextRequestId(),
      perSecond,
      perMinute,
      perHour,
      perDay,
      ...staleAfter,
      hookList(hooks),
    );
    this.auth(apiKey, apiSecret, { filters: authFilters });
  }

  /** "direct": this stream's socket and engine run here (see the transport option). */
  get transport() {
    return "direct";
  }

  /** A stream with credentials from MAX_API_KEY and MAX_API_SECRET. */
  static fromEnv(options = {}) {
    for (const name of ["MAX_API_KEY", "MAX_API_SECRET"]) {
      if (!host.env(name)) throw new Error(`${name} is not set`);
    }
    return new Stream({ ...options, apiKey: host.env("MAX_API_KEY"), apiSecret: host.env("MAX_API_SECRET") });
  }

  subscribe(subscriptions) {
    this.#driver.subscribe(listArgument(subscriptions), true);
    return this;
  }

  unsubscribe(subscriptions) {
    this.#driver.subscribe(listArgument(subscriptions), false);
    return this;
  }

  /** Credentials for every connection (each signs a fresh nonce); missing ones are ignored. */
  auth(apiKey, apiSecret, { filters } = {}) {
    if (!apiKey || !apiSecret) return this;
    checkCredentials(apiKey, apiSecret);
    if (filters !== undefined && filters !== null && !Array.isArray(filters)) {
      throw new TypeError("filters: expected a list of strings");
    }
    this.#driver.auth(apiKey, apiSecret, filters ? JSON.stringify(filters) : "");
    return this;
  }

  /**
   * Keeps `market`'s book in wasm, fed straight from this stream: its frames never become JS
   * objects (unless you also subscribe() to the same book for your handlers). It resubscribes by
   * itself, that book only, whenever it falls out of step.
   */
  book(market, { depth, onChange } = {}) {
    if (typeof market !== "string") throw new TypeError("market: expected a market id such as \"btcusdt\"");
    if (depth !== undefined && typeof depth !== "number") throw new TypeError("depth: expected a number");
    const handle = this.#driver.book(market, depth);
    const id = Number(handle.read(wasm.glue.BookRead.Id, 0));
    let book = this.#books.get(id);
    if (book) {
      handle.free();
    } else {
      book = OrderBook.live(handle, () => {
        this.#books.delete(id);
        this.#driver.dropBook(handle);
      });
      this.#books.set(id, book);
    }
    if (onChange) book.onChange(onChange);
    return book;
  }

  /** The requests each connection sends, in order (auth first, signed as if connecting now). */
  get requests() {
    return JSON.parse(this.#driver.report(wasm.glue.Report.Requests)).map((wire) => Request.fromWire(wire));
  }

  get subscriptions() {
    return JSON.parse(this.#driver.report(wasm.glue.Report.Subscriptions));
  }

  /** "idle", "connecting", "connected", "reconnecting", "closed" or "failed". */
  get state() {
    return JSON.parse(this.#driver.report(wasm.glue.Report.Status)).state;
  }

  /** { state, reconnects, frames, lastFrameAt } for a dashboard. */
  get status() {
    const status = JSON.parse(this.#driver.report(wasm.glue.Report.Status));
    status.lastFrameAt = status.lastFrameAt > 0 ? new Date(status.lastFrameAt) : null;
    return status;
  }

  /**
   * The feed's health, one read of the engine: connection counters, the clock offset estimate
   * and one entry per subscription (kept books included). A plain JSON-ready object.
   */
  stats() {
    const { counters, subscriptions, entries } = JSON.parse(this.#driver.report(wasm.glue.Report.Stats));
    const [connections, reconnects, framesReceived, bytesReceived, clockOffsetMs] = counters;
    return {
      connections,
      reconnects,
      framesReceived,
      bytesReceived,
      clockOffsetMs,
      subscriptions: subscriptions.map((subscription, at) => {
        const [frames, lastFrameAt, perSecond, perMinute, p50, p90, p99, max, gaps, resyncs, staleResubscribes] = entries[at];
        const ratePerSecond = { "1s": perSecond / 1000, "60s": perMinute / 1000 };
        const latencyMs = p50 === null ? null : { p50, p90, p99, max };
        return { ...subscription, frames, lastFrameAt, ratePerSecond, latencyMs, gaps, resyncs, staleResubscribes };
      }),
    };
  }

  addHandler(handler) {
    if (typeof handler !== "function") throw new TypeError("handler must be a function");
    this.#driver.handler(handler, true);
    return this;
  }

  removeHandler(handler) {
    return typeof handler === "function" && this.#driver.handler(handler, false);
  }

  /** Connects and dispatches until close() (resolves) or the reconnect policy gives up (rejects). */
  run() {
    const ending = new Promise((resolve, reject) => this.#driver.run(resolve, reject));
    // The wasm side holds this Promise's resolvers while it runs, and these reactions hold the
    // stream: so a running stream nobody else references (`new Stream(...).run()`) is not
    // collected, and its driver not freed, before the run ends.
    ending.then(
      () => this.#queue.end(),
      () => this.#queue.end(),
    );
    return ending;
  }

  close() {
    this.#driver.close();
    this.#queue.end();
  }

  /** The responses, in "queue" dispatch mode. */
  responses() {
    if (this.#dispatch !== "queue") throw new Error('responses() needs dispatch: "queue"');
    return this.#queue.iterator();
  }

  toString() {
    return `Stream(${this.#driver.report(wasm.glue.Report.Uri)}, ${this.state})`;
  }

  toJSON() {
    return {
      uri: this.#driver.report(wasm.glue.Report.Uri),
      state: this.state,
      subscriptions: this.subscriptions,
      authenticated: this.#driver.report(wasm.glue.Report.Authenticated) === "1",
    };
  }
}
