// One page's port in the worker: what the page holds (subscriptions, the routes they take, its
// books), its messages turned into calls on its Group, and its release when it leaves or falls
// silent.

import { TO_WORKER, TO_PAGE, subscriptionKey, routeOfSubscription, errorToWire } from "./protocol.js";

export class Tab {
  group = null;
  subscriptions = new Map(); // subscription key -> subscription
  routes = new Map(); // route -> how many of this tab's subscriptions take it
  books = new Map(); // page's book id -> the group's book key
  lastHeard = Date.now();
  released = false;
  #port;
  #hub;

  constructor(hub, port) {
    this.#hub = hub;
    this.#port = port;
  }

  post(message) {
    if (!this.released) this.#port.postMessage(message);
  }

  receive(message) {
    this.lastHeard = Date.now();
    if (this.released) {
      // A tab that was silent too long (frozen, say) learns that its stream is gone.
      if (message.t !== TO_WORKER.BYE && message.t !== TO_WORKER.CLOSE) {
        this.#port.postMessage({ t: TO_PAGE.ENDED, notify: true, error: { name: "Error", message: "the worker released this tab's stream: it missed its heartbeats" } });
      }
      return;
    }
    try {
      this.#handle(message);
    } catch (error) {
      this.#port.postMessage({ t: TO_PAGE.ENDED, notify: true, error: errorToWire(error) });
      this.release();
    }
  }

  #handle(message) {
    switch (message.t) {
      case TO_WORKER.OPEN:
        this.group = this.#hub.join(this, message);
        return;
      case TO_WORKER.AUTH:
        this.#reauthenticate(message);
        return;
      case TO_WORKER.SUBSCRIBE:
        this.#track(message.subscriptions, 1);
        this.group.subscribe(this, message.subscriptions);
        return;
      case TO_WORKER.UNSUBSCRIBE:
        this.#track(message.subscriptions, -1);
        this.group.unsubscribe(this, message.subscriptions);
        return;
      case TO_WORKER.BOOK:
        this.books.set(message.id, this.group.keepBook(this, message.id, message.market, message.depth));
        return;
      case TO_WORKER.UNBOOK:
        this.group.dropBook(this, this.books.get(message.id));
        this.books.delete(message.id);
        return;
      case TO_WORKER.BOOK_READY:
        this.group.bookReady(this, this.books.get(message.id));
        return;
      case TO_WORKER.RUN:
        this.group.run(this);
        return;
      case TO_WORKER.CLOSE:
        this.post({ t: TO_PAGE.ENDED, error: null });
        this.release();
        return;
      case TO_WORKER.BYE:
        this.release();
        return;
      case TO_WORKER.STATUS:
        this.post({ t: TO_PAGE.STATUS, status: this.group.stream.status, stats: this.group.stream.stats() });
        return;
      case TO_WORKER.PONG:
        return;
      default:
        throw new TypeError(`unknown message ${JSON.stringify(message.t)} from a page`);
    }
  }

  #track(subscriptions, change) {
    for (const subscription of subscriptions) {
      const key = subscriptionKey(subscription);
      const held = this.subscriptions.has(key);
      if (change > 0 === held) continue;
      if (change > 0) this.subscriptions.set(key, subscription);
      else this.subscriptions.delete(key);
      const route = routeOfSubscription(subscription);
      const count = (this.routes.get(route) ?? 0) + change;
      if (count > 0) this.routes.set(route, count);
      else this.routes.delete(route);
    }
  }

  /** New credentials move the tab, with what it holds, to the stream of that key. */
  #reauthenticate({ apiKey, apiSecret, filters }) {
    const { options, extraCallbacks } = this.#hub.openingOf(this);
    const subscriptions = [...this.subscriptions.values()];
    const books = [...this.books].map(([id, key]) => [id, ...key.split("|")]);
    const running = this.group.running;
    this.group.leave(this);
    this.group = this.#hub.join(this, { options, credentials: { apiKey, apiSecret, filters }, callbacks: extraCallbacks });
    this.group.subscribe(this, subscriptions);
    for (const [id, market, depth] of books) this.books.set(id, this.group.keepBook(this, id, market, depth === "" ? undefined : Number(depth)));
    if (running) this.group.run(this);
  }

  release() {
    if (this.released) return;
    this.group?.leave(this);
    this.released = true;
    this.#hub.forget(this);
  }
}
