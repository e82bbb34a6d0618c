// One client connection: its subscriptions and private filters, the idle
// cut, ordered (optionally delayed) request handling, and the single path
// every frame goes out by, where stamps, counters and send-side faults apply.

import WebSocket from "ws";
import { BookFeed } from "./book-feed.js";

// Text of a frame shared by many connections is built once.
const encoded = new WeakMap();
function encode(frame) {
  let text = encoded.get(frame);
  if (text === undefined) {
    text = JSON.stringify(frame);
    encoded.set(frame, text);
  }
  return text;
}

export class Connection {
  constructor({ id, ws, stats, faults, stamp, idleTimeoutMs, limiter, onIdle }) {
    this.id = id;
    this.limiter = limiter; // shared by all connections unless limits are per connection
    this.ws = ws;
    this.stats = stats;
    this.faults = faults;
    this.stamp = stamp;
    this.sequence = 0;
    this.framesSent = 0;
    this.subscriptions = new Map(); // subscription key -> subscription object
    this.books = new Map(); // market -> BookFeed
    this.silencedKeys = new Set(); // quiet until subscribed again (Simulator.silence)
    this.filters = null; // Set of private filters once authenticated
    this.pendingAnswers = 0;
    this.answerChain = Promise.resolve();
    this.closing = false;
    this.idleTimer = idleTimeoutMs > 0 ? setTimeout(onIdle, idleTimeoutMs) : null;
  }

  get open() {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  // Keepalive seen (a ping frame or the `ping` action): restart the idle cut.
  touch() {
    this.idleTimer?.refresh();
  }

  // Runs request handlers in arrival order, after `delayMs` when answers are
  // slowed down; stays synchronous when nothing is delayed or pending.
  schedule(delayMs, handler) {
    if (delayMs <= 0 && this.pendingAnswers === 0) return handler();
    this.pendingAnswers += 1;
    this.answerChain = this.answerChain
      .then(() => new Promise((resolve) => setTimeout(resolve, delayMs)))
      .then(() => {
        this.pendingAnswers -= 1;
        if (this.open) handler();
      });
  }

  send(frame) {
    if (!this.open) return;
    const { faults } = this;
    if (faults.roll("garbageProbability")) {
      this.stats.garbageSent += 1;
      this.write(faults.garbage(encode(frame)));
    }
    if (faults.roll("unknownEventProbability")) {
      this.stats.unknownEventsSent += 1;
      this.write(this.text(faults.unknownEvent(frame.T ?? Date.now())));
    }
    this.write(this.text(frame));
  }

  text(frame) {
    return this.stamp ? JSON.stringify({ ...frame, sq: ++this.sequence }) : encode(frame);
  }

  write(text) {
    if (!this.open) return;
    this.ws.send(text);
    this.framesSent += 1;
    this.stats.framesSent += 1;
    const { dropAfterFrames } = this.faults.settings;
    if ((dropAfterFrames > 0 && this.framesSent >= dropAfterFrames) || this.faults.roll("dropProbability")) {
      this.stats.drops += 1;
      this.terminate();
    }
  }

  close(code, reason) {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    // A peer that never completes the closing handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  terminate() {
    this.closing = true;
    this.ws.terminate();
  }

  dispose() {
    this.closing = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
  }

  // Whether a subscription's frames are held back: by the `silenced` fault,
  // or by Simulator.silence() until this connection subscribes to it again.
  isSilenced(key) {
    return this.silencedKeys.has(key) || this.faults.settings.silenced.includes(key);
  }

  subscribe(key, sub, depth) {
    this.subscriptions.set(key, sub);
    this.silencedKeys.delete(key);
    if (sub.channel !== "book") return null;
    const feed = new BookFeed(sub.market, depth);
    this.books.set(sub.market, feed);
    return feed;
  }

  unsubscribe(key, sub) {
    this.subscriptions.delete(key);
    this.silencedKeys.delete(key);
    if (sub.channel === "book") this.books.delete(sub.market);
  }

  // Sends the book update this subscriber is due, unless a gap is to be
  // injected, in which case its state moves on silently.
  pushBook(feed, book, now) {
    const frame = feed.update(book, now);
    if (!frame) return;
    if (feed.skipNext || this.faults.roll("bookGapProbability")) {
      feed.skipNext = false;
      this.stats.gapsInjected += 1;
      return;
    }
    this.send(frame);
  }
}
