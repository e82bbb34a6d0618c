// One real Stream shared by the tabs of one key (endpoint, API key, secret, filters): it
// reference-counts their subscriptions and kept books, routes each response to the tabs that
// hold its subscription, and sends each tab a book's snapshot only after it has shown the last.

import { Stream } from "../stream.js";
import { Request } from "../requests.js";
import { ReplayCache } from "./replay.js";
import { TO_PAGE, subscriptionKey, routeOfSubscription, routeOfResponse, errorToWire, argsToWire } from "./protocol.js";

// Lifecycle callbacks the worker's stream always forwards; a tab ignores those it has not set.
// onStale goes only to the tabs that hold the stale subscription.
const FORWARDED = ["onConnected", "onDisconnected", "onReconnecting", "onPermanentFailure", "onDecodeError", "onAuthFailed", "onStateChange"];

/**
 * Tabs of one key share one stream. The key holds the endpoint, the API key, the filters and a
 * fingerprint of the secret (a signature of a fixed nonce, made in wasm): a tab with the same API
 * key but another secret gets a stream of its own, never one authenticated by somebody else.
 */
export function groupKey(uri, credentials) {
  if (!credentials) return JSON.stringify([uri ?? null]);
  const { apiKey, apiSecret, filters } = credentials;
  const fingerprint = Request.auth(apiKey, apiSecret, { nonce: 0, filters }).signature;
  return JSON.stringify([uri ?? null, apiKey, fingerprint, filters ?? null]);
}

export class Group {
  tabs = new Set();
  #subscriptions = new Map(); // subscription key -> { subscription, tabs: Set }
  #books = new Map(); // "market|depth" -> { book, readers: Map(tab -> { id, ready, dirty }) }
  #running = false;
  #replay = new ReplayCache();
  #onEmpty;
  stream;

  constructor(options, credentials, extraCallbacks, onEmpty) {
    this.#onEmpty = onEmpty;
    const callbacks = {};
    for (const name of new Set([...FORWARDED, ...extraCallbacks])) {
      callbacks[name] = (...args) => this.#broadcastCallback(name, args);
    }
    this.stream = new Stream({
      ...options,
      ...callbacks,
      apiKey: credentials?.apiKey,
      apiSecret: credentials?.apiSecret,
      authFilters: credentials?.filters,
      transport: "direct",
      dispatch: "inline",
    });
    this.stream.addHandler((response) => this.#route(response));
  }

  get connected() {
    return this.stream.state === "connected";
  }

  get running() {
    return this.#running;
  }

  #broadcastCallback(name, args) {
    const message = { t: TO_PAGE.CALLBACK, name, args: argsToWire(args), status: this.stream.status };
    const tabs = name === "onStale" ? this.#holders(args[0]) : this.tabs;
    for (const tab of tabs) tab.post(message);
  }

  /** The tabs that hold a subscription, as their own or as a kept book. */
  #holders(subscription) {
    const subscribed = this.#subscriptions.get(subscriptionKey(subscription))?.tabs ?? new Set();
    const book = subscription.channel === "book" ? this.#books.get(`${subscription.market}|${subscription.depth ?? ""}`) : undefined;
    return new Set([...subscribed, ...(book?.readers.keys() ?? [])]);
  }

  #route(response) {
    const route = routeOfResponse(response);
    if (route !== null) {
      let held = false;
      for (const tab of this.tabs) {
        if (!tab.routes.has(route)) continue;
        held = true;
        tab.post({ t: TO_PAGE.RESPONSE, response });
      }
      if (held) this.#replay.record(route, response);
      return;
    }
    if ((response.event === "subscribed" || response.event === "unsubscribed") && Array.isArray(response.subscriptions)) {
      // The answer goes to the tabs that hold one of the subscriptions it names.
      const routes = response.subscriptions.map(routeOfSubscription);
      const targets = [...this.tabs].filter((tab) => routes.some((r) => tab.routes.has(r)));
      for (const tab of targets.length > 0 ? targets : this.tabs) tab.post({ t: TO_PAGE.RESPONSE, response });
      return;
    }
    for (const tab of this.tabs) tab.post({ t: TO_PAGE.RESPONSE, response });
  }

  subscribe(tab, subscriptions) {
    const fresh = [];
    const shared = [];
    for (const subscription of subscriptions) {
      const key = subscriptionKey(subscription);
      let entry = this.#subscriptions.get(key);
      if (!entry) {
        entry = { subscription, tabs: new Set() };
        this.#subscriptions.set(key, entry);
        fresh.push(subscription);
      } else if (!entry.tabs.has(tab)) {
        shared.push(subscription);
      }
      entry.tabs.add(tab);
    }
    if (fresh.length > 0) this.stream.subscribe(fresh);
    // Already on the wire for another tab: this one gets the answer and the snapshot it would
    // have had (the server sends those once per connection), then the updates with the others.
    if (shared.length > 0 && this.connected) {
      tab.post({ t: TO_PAGE.RESPONSE, response: { event: "subscribed", createdAt: new Date(), subscriptions: shared } });
      for (const subscription of shared) {
        for (const response of this.#replay.replay(routeOfSubscription(subscription))) tab.post({ t: TO_PAGE.RESPONSE, response });
      }
    }
  }

  unsubscribe(tab, subscriptions) {
    const last = [];
    for (const subscription of subscriptions) {
      const key = subscriptionKey(subscription);
      const entry = this.#subscriptions.get(key);
      if (!entry || !entry.tabs.delete(tab)) continue;
      if (entry.tabs.size === 0) {
        this.#subscriptions.delete(key);
        this.#replay.forget(routeOfSubscription(entry.subscription));
        last.push(entry.subscription);
      }
    }
    if (last.length > 0) this.stream.unsubscribe(last);
  }

  keepBook(tab, id, market, depth) {
    const key = `${market}|${depth ?? ""}`;
    let entry = this.#books.get(key);
    if (!entry) {
      const readers = new Map();
      const book = this.stream.book(market, { depth, onChange: () => this.#bookChanged(entry) });
      entry = { book, readers };
      this.#books.set(key, entry);
    }
    const reader = { id, ready: true, dirty: false };
    entry.readers.set(tab, reader);
    this.#sendBook(entry, tab, reader);
    return key;
  }

  dropBook(tab, key) {
    const entry = this.#books.get(key);
    if (!entry || !entry.readers.delete(tab)) return;
    if (entry.readers.size === 0) {
      this.#books.delete(key);
      entry.book.close();
    }
  }

  /** The tab has drawn its last snapshot: send the next one if the book changed meanwhile. */
  bookReady(tab, key) {
    const entry = this.#books.get(key);
    const reader = entry?.readers.get(tab);
    if (!reader) return;
    reader.ready = true;
    if (reader.dirty) this.#sendBook(entry, tab, reader);
  }

  // At most one snapshot in flight per tab and book: a busy or hidden tab is sent nothing more
  // until it has shown the last one, and then only the newest state.
  #bookChanged(entry) {
    let snapshot = null;
    for (const [tab, reader] of entry.readers) {
      if (!reader.ready) {
        reader.dirty = true;
        continue;
      }
      snapshot ??= snapshotOf(entry.book);
      this.#sendBook(entry, tab, reader, snapshot);
    }
  }

  #sendBook(entry, tab, reader, snapshot = snapshotOf(entry.book)) {
    reader.ready = false;
    reader.dirty = false;
    tab.post({ t: TO_PAGE.BOOK, id: reader.id, snapshot });
  }

  run(tab) {
    if (this.#running) {
      // The tab joins a live connection: it sees the connection it would have seen.
      if (this.connected) tab.post({ t: TO_PAGE.CALLBACK, name: "onConnected", args: [], status: this.stream.status });
      return;
    }
    this.#running = true;
    this.stream.run().then(
      () => this.#ended(null),
      (error) => this.#ended(error),
    );
  }

  #ended(error) {
    const message = { t: TO_PAGE.ENDED, error: error ? errorToWire(error) : null };
    for (const tab of this.tabs) tab.post(message);
    this.#onEmpty(this);
  }

  leave(tab) {
    if (!this.tabs.delete(tab)) return;
    for (const key of this.#books.keys()) this.dropBook(tab, key);
    this.unsubscribe(tab, [...tab.subscriptions.values()]);
    if (this.tabs.size === 0) {
      this.stream.close();
      this.#onEmpty(this);
    }
  }
}

function snapshotOf(book) {
  return { ...book.snapshot(Infinity), depth: book.depth, resyncReason: book.resyncReason };
}
