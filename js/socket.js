// One WebSocket as a stream's executor drives it (src/binding/socket.rs): the host's, Node 22's,
// or the `ws` package's, so only the WHATWG properties every one of them has are used. The wasm
// side holds what attachSocket returns and calls its few methods: one crossing per operation, and
// the event handlers are set and cleared here.

import { frameQueue } from "./frames.js";

const CONNECTING = 0;
const OPEN = 1;

// Left as the error handler once ours are gone: Node's `ws` throws an error event that has no
// listener, and a socket still closing can emit one. An error is always followed by a close event,
// which carries what the stream needs.
const ignore = () => {};

class HostSocket {
  #raw;
  #queue;

  constructor(raw, queue) {
    this.#raw = raw;
    this.#queue = queue;
  }

  /** Throws if the socket cannot send (it is going away; its close event follows). */
  send(text) {
    this.#raw.send(text);
  }

  /** A WebSocket ping frame where the socket can send one (Node's `ws`); browsers cannot. */
  ping() {
    if (typeof this.#raw.ping === "function") this.#raw.ping();
  }

  /** Hands the frames received so far to the batch handler: they come before the close. */
  flush() {
    this.#queue.flush();
  }

  /** `retryAfter` as recorded on the socket by a factory that saw a 429 handshake. */
  retryAfter() {
    const value = this.#raw.retryAfter;
    return typeof value === "string" ? value : undefined;
  }

  /** Unhooks the stream from the socket and closes it: nothing of the stream stays reachable. */
  detach() {
    const raw = this.#raw;
    this.#queue.stop();
    raw.onopen = null;
    raw.onmessage = null;
    raw.onclose = null;
    raw.onerror = ignore;
    // A missing readyState reads as CONNECTING, as a number conversion would.
    const state = raw.readyState | 0;
    if (state !== CONNECTING && state !== OPEN) return;
    try {
      raw.close(1000);
    } catch {
      // Already closing: its close event, if any, goes nowhere now.
    }
  }
}

/**
 * Hooks a socket just made by a stream's `connectFactory` to the stream: `opened()`,
 * `batch(count, values)` once per task of frames (written into the batch buffer by js/frames.js)
 * and `closed(code, reason)`.
 */
export function attachSocket(raw, opened, batch, closed) {
  if (typeof raw !== "object" || raw === null) throw new Error("connectFactory did not return a socket");
  const queue = frameQueue(batch);
  raw.onopen = opened;
  raw.onmessage = queue.message;
  raw.onclose = (event) => closed(event?.code, event?.reason);
  raw.onerror = ignore;
  return new HostSocket(raw, queue);
}
