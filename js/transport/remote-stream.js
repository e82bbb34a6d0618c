// A Stream whose socket, engine, decoder and books live in a worker: a dedicated Worker
// ("worker") or a SharedWorker that every tab of the origin with the same endpoint and API key
// shares ("shared"). This page-side proxy has the Stream's API; handlers and callbacks run here,
// fed with structured-clone copies of the worker's responses. The secret crosses to the worker
// once and is not kept here.

import { host } from "../host.js";
import { Request } from "../requests.js";
import { PageDispatch } from "./page-dispatch.js";
import { RemoteBook } from "./remote-book.js";
import { TO_WORKER, TO_PAGE, argsFromWire, errorFromWire, subscriptionKey } from "./protocol.js";

// Options the page keeps: the worker's stream always dispatches inline to the port.
const PAGE_OPTIONS = new Set(["transport", "dispatch", "apiKey", "apiSecret", "authFilters", "onHandlerError"]);
// How often reading `status` or stats() may ask the worker for fresh counters.
const STATUS_REFRESH_MS = 100;
// A worker that has not answered close() by then is stopped anyway.
const CLOSE_GRACE_MS = 1000;

/**
 * The Stream constructor's hook: a proxy for a worker transport (`transport`, "worker" or
 * "shared", as transportOf chose it). `DirectStream` checks the options exactly as a direct
 * stream would (it never connects).
 */
export function remoteStream(options, transport, DirectStream) {
  // So that `stream instanceof Stream` holds; every method is the proxy's own.
  if (Object.getPrototypeOf(RemoteStream.prototype) !== DirectStream.prototype) Object.setPrototypeOf(RemoteStream.prototype, DirectStream.prototype);
  return new RemoteStream(options, transport, DirectStream);
}

// The worker script ships in the package; bundlers (Vite) follow these literal URLs.
function openPort(transport, name) {
  if (transport === "shared") {
    const worker = new SharedWorker(new URL("./worker.js", import.meta.url), { type: "module", name });
    return { port: worker.port, events: worker, stop: () => worker.port.close() };
  }
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name });
  return { port: worker, events: worker, stop: () => worker.terminate() };
}

function checkCredentials(apiKey, apiSecret, filters) {
  if (!apiKey || !apiSecret) return null;
  if (typeof apiKey !== "string") throw new TypeError("apiKey: expected a string");
  if (typeof apiSecret !== "string") throw new TypeError("apiSecret: expected a string");
  if (filters !== undefined && filters !== null && !Array.isArray(filters)) throw new TypeError("filters: expected a list of strings");
  // Signing once here refuses what the worker would refuse (lone surrogates...), at this call.
  Request.auth(apiKey, apiSecret, { nonce: 0, filters });
  return { apiKey, apiSecret, filters: filters ?? undefined };
}

/** The options the worker's stream gets, and the callbacks that stay in the page. */
function splitOptions(options) {
  const forWorker = {};
  const callbacks = [];
  for (const [name, value] of Object.entries(options)) {
    if (PAGE_OPTIONS.has(name) || value === undefined) continue;
    if (typeof value === "function") {
      if (!/^on[A-Z]/.test(name)) {
        throw new TypeError(`${name} is a function, which cannot be sent to a worker: use transport: "direct" for it`);
      }
      callbacks.push(name);
      continue;
    }
    // A ReconnectPolicy arrives as its plain fields.
    forWorker[name] = value !== null && typeof value === "object" ? { ...value } : value;
  }
  try {
    structuredClone(forWorker);
  } catch (error) {
    throw new TypeError(`the options cannot be sent to a worker: ${error.message}`);
  }
  return { forWorker, callbacks };
}

// A subscription's stats before the worker has reported any.
const EMPTY_ENTRY = Object.freeze({ frames: 0, lastFrameAt: null, ratePerSecond: { "1s": 0, "60s": 0 }, latencyMs: null, gaps: 0, resyncs: 0, staleResubscribes: 0 });
const SUBSCRIPTION_FIELDS = ["channel", "market", "depth", "resolution", "currency"];

/** The subscription a stats entry is about. */
function subscriptionOf(entry) {
  const subscription = {};
  for (const name of SUBSCRIPTION_FIELDS) if (entry[name] !== undefined) subscription[name] = entry[name];
  return subscription;
}

/** Every subscription checked and normalised as a direct stream would, at the call. */
const normalised = (subscriptions) => Request.subscribe(subscriptions).subscriptions;

export class RemoteStream {
  #transport;
  #callbacks = {}; // name -> function: the lifecycle callbacks, which run here
  #uri;
  #port;
  #dispatch;
  #subscriptions = new Map(); // wire JSON -> subscription
  #books = new Map(); // "market|depth" -> { id, book }
  #nextBookId = 1;
  #status = { state: "idle", reconnects: 0, frames: 0, lastFrameAt: null };
  #statusAsked = 0;
  #stats = null; // the worker stream's stats(), as of its last report
  #requests = [];
  #authenticated = false;
  #ending = null; // { promise, resolve, reject } once run() was called
  #outcome = null; // { error } once the worker's stream ended
  #closing = null; // the grace timer once close() was called
  #onPageHide = () => this.#post({ t: TO_WORKER.BYE });
  // Back from the back/forward cache: pagehide released this tab's share of the stream.
  #onPageShow = (event) => {
    if (!event.persisted) return;
    this.#end({ name: "Error", message: "the page came back from the back/forward cache: its stream was released on pagehide; make a new one" }, true);
  };

  constructor(options, transport, DirectStream) {
    const { apiKey, apiSecret, authFilters, ...checked } = options;
    if (options.connectFactory !== undefined) {
      throw new TypeError(`connectFactory is a function, which cannot be sent to a worker: use transport: "direct" for it`);
    }
    const { forWorker, callbacks } = splitOptions(options);
    // The same checks and errors as a direct stream, without credentials; it never connects.
    new DirectStream({ ...checked, transport: "direct" });
    const credentials = checkCredentials(apiKey, apiSecret, authFilters);
    this.#transport = transport;
    for (const [name, value] of Object.entries(options)) if (typeof value === "function") this.#callbacks[name] = value;
    this.#dispatch = new PageDispatch(options.dispatch ?? "inline", this.#callbacks.onHandlerError);
    this.#uri = options.uri ?? host.defaultUri();
    forWorker.uri = this.#uri;
    this.#authenticated = credentials !== null;

    this.#port = openPort(transport, `maicoin-ws ${this.#uri} ${credentials?.apiKey ?? ""}`);
    this.#port.port.onmessage = (event) => this.#receive(event.data);
    this.#port.events.onerror = (event) => {
      event.preventDefault?.();
      this.#end({ name: "Error", message: `the stream's worker failed: ${event.message ?? "it could not be loaded"}` }, true);
    };
    this.#post({ t: TO_WORKER.OPEN, options: forWorker, credentials, callbacks });
    globalThis.addEventListener?.("pagehide", this.#onPageHide);
    globalThis.addEventListener?.("pageshow", this.#onPageShow);
  }

  /** "worker" or "shared": what this stream runs on. */
  get transport() {
    return this.#transport;
  }

  #post(message) {
    if (this.#outcome === null) this.#port.port.postMessage(message);
  }

  #receive(message) {
    // After close() only the worker's "ended" matters.
    if (this.#closing !== null && message.t !== TO_PAGE.ENDED) return;
    switch (message.t) {
      case TO_PAGE.RESPONSE:
        this.#dispatch.deliver(message.response);
        return;
      case TO_PAGE.BOOK:
        for (const { id, book } of this.#books.values()) if (id === message.id) book.received(message.snapshot);
        return;
      case TO_PAGE.CALLBACK:
        if (message.status) this.#status = message.status;
        this.#callback(message.name, argsFromWire(message.args));
        return;
      case TO_PAGE.STATUS:
        if (message.status) this.#status = message.status;
        if (message.stats) this.#stats = message.stats;
        return;
      case TO_PAGE.PING:
        if (message.status) this.#status = message.status;
        if (message.stats) this.#stats = message.stats;
        this.#requests = message.requests;
        this.#port.port.postMessage({ t: TO_WORKER.PONG });
        return;
      case TO_PAGE.ENDED:
        this.#end(message.error, message.notify === true);
        return;
      default:
    }
  }

  #callback(name, args) {
    const callback = this.#callbacks[name];
    if (typeof callback !== "function") return;
    try {
      callback(...args);
    } catch (error) {
      console.error(`maicoin-ws: ${name} failed:`, error);
    }
  }

  /**
   * The worker's stream stopped (error null: closed), or this tab's share of it ended; `notify`:
   * the worker's stream did not report it, so onPermanentFailure is called here.
   */
  #end(error, notify = false) {
    if (this.#outcome !== null) return;
    clearTimeout(this.#closing);
    this.#outcome = { error: error ? errorFromWire(error) : null };
    if (notify && this.#outcome.error) this.#callback("onPermanentFailure", [this.#outcome.error]);
    if (error) this.#status = { ...this.#status, state: "failed" };
    else this.#status = { ...this.#status, state: "closed" };
    globalThis.removeEventListener?.("pagehide", this.#onPageHide);
    globalThis.removeEventListener?.("pageshow", this.#onPageShow);
    this.#port.stop();
    this.#dispatch.end();
    this.#settle();
  }

  #settle() {
    if (!this.#ending || !this.#outcome) return;
    if (this.#outcome.error) this.#ending.reject(this.#outcome.error);
    else this.#ending.resolve();
  }

  subscribe(subscriptions) {
    const list = normalised(subscriptions);
    for (const subscription of list) this.#subscriptions.set(JSON.stringify(subscription), subscription);
    this.#post({ t: TO_WORKER.SUBSCRIBE, subscriptions: list });
    return this;
  }

  unsubscribe(subscriptions) {
    const list = normalised(subscriptions);
    for (const subscription of list) this.#subscriptions.delete(JSON.stringify(subscription));
    this.#post({ t: TO_WORKER.UNSUBSCRIBE, subscriptions: list });
    return this;
  }

  auth(apiKey, apiSecret, { filters } = {}) {
    const credentials = checkCredentials(apiKey, apiSecret, filters);
    if (credentials === null) return this;
    this.#authenticated = true;
    this.#post({ t: TO_WORKER.AUTH, ...credentials });
    return this;
  }

  /** The book kept in the worker (once for every tab that keeps it), read here from snapshots. */
  book(market, { depth, onChange } = {}) {
    if (typeof market !== "string") throw new TypeError('market: expected a market id such as "btcusdt"');
    if (depth !== undefined && typeof depth !== "number") throw new TypeError("depth: expected a number");
    const [checked] = normalised([{ channel: "book", market, ...(depth === undefined ? {} : { depth }) }]);
    const key = `${checked.market}|${checked.depth ?? ""}`;
    let entry = this.#books.get(key);
    if (!entry) {
      const id = this.#nextBookId++;
      const book = new RemoteBook(
        checked.market,
        checked.depth,
        () => this.#post({ t: TO_WORKER.BOOK_READY, id }),
        () => {
          this.#books.delete(key);
          this.#post({ t: TO_WORKER.UNBOOK, id });
        },
      );
      entry = { id, book };
      this.#books.set(key, entry);
      this.#post({ t: TO_WORKER.BOOK, id, market: checked.market, depth: checked.depth });
    }
    if (onChange) entry.book.onChange(onChange);
    return entry.book;
  }

  /** The requests of the worker's connection, as of its last heartbeat (at most a second old). */
  get requests() {
    return this.#requests.map((wire) => Request.fromWire(wire));
  }

  /** This tab's own subscriptions, books included (the worker's connection may carry more). */
  get subscriptions() {
    const books = [...this.#books.values()].map(({ book }) => ({ channel: "book", market: book.market, ...(book.depth === undefined ? {} : { depth: book.depth }) }));
    return [...this.#subscriptions.values(), ...books];
  }

  /** As of the worker's last report: it sends every change of state at once. */
  get state() {
    return this.#status.state;
  }

  /**
   * { state, reconnects, frames, lastFrameAt }: state is current; the counters are as of the
   * worker's last answer, and reading them asks for fresher ones (a panel that samples every
   * 250 ms sees them 250 ms late).
   */
  get status() {
    this.#refresh();
    return { ...this.#status };
  }

  #refresh() {
    const now = Date.now();
    if (now - this.#statusAsked >= STATUS_REFRESH_MS) {
      this.#statusAsked = now;
      this.#post({ t: TO_WORKER.STATUS });
    }
  }

  /**
   * The worker stream's stats(), as of its last answer (reading asks for fresher ones, like
   * `status`). `subscriptions` holds this tab's own subscriptions only (a shared worker's
   * connection may carry other tabs'); one the worker has not reported yet shows zeros.
   */
  stats() {
    this.#refresh();
    const { subscriptions: reported = [], ...counters } = this.#stats ?? { connections: 0, reconnects: 0, framesReceived: 0, bytesReceived: 0, clockOffsetMs: null };
    const byKey = new Map(reported.map((entry) => [subscriptionKey(subscriptionOf(entry)), entry]));
    const subscriptions = this.subscriptions.map((subscription) => structuredClone(byKey.get(subscriptionKey(subscription)) ?? { ...subscription, ...EMPTY_ENTRY }));
    return { ...counters, subscriptions };
  }

  addHandler(handler) {
    this.#dispatch.add(handler);
    return this;
  }

  removeHandler(handler) {
    return this.#dispatch.remove(handler);
  }

  run() {
    if (!this.#ending) {
      let resolve;
      let reject;
      const promise = new Promise((yes, no) => {
        resolve = yes;
        reject = no;
      });
      this.#ending = { promise, resolve, reject };
      this.#post({ t: TO_WORKER.RUN });
      this.#settle();
    }
    return this.#ending.promise;
  }

  close() {
    if (this.#outcome !== null || this.#closing !== null) return;
    this.#post({ t: TO_WORKER.CLOSE });
    // The worker answers with "ended" (then the port is let go); one that does not is stopped anyway.
    this.#closing = setTimeout(() => this.#end(null), CLOSE_GRACE_MS);
    this.#status = { ...this.#status, state: "closed" };
    this.#dispatch.end();
  }

  responses() {
    return this.#dispatch.responses();
  }

  toString() {
    return `Stream(${this.#uri}, ${this.state})`;
  }

  toJSON() {
    return { uri: this.#uri, state: this.state, subscriptions: this.subscriptions, authenticated: this.#authenticated, transport: this.#transport };
  }
}
