// The official Node client, max-exchange-api-node, driven offline: its `ws` import is replaced by
// a fake socket (hooks.mjs), then frames go to the very listener the client registered for
// "message", the path every frame takes in the real client. Frames are given as strings (ws
// would hand it Buffers, which its `toString()` then decodes: a string is the cheaper case).

import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
const { MAX, WebSocketBook } = await import("max-exchange-api-node");
const { default: FakeWebSocket } = await import("./fake-ws.mjs");

/**
 * A connected official client. With `book: { market, depth }` a WebSocketBook keeps that
 * market's book (an RB-tree of Decimal levels) on top of the client's own message path.
 * Returns { deliver(text), book, counts, close() }. counts: `warnings` and `errors` are what it
 * printed with console.warn / console.error (a message it drops or fails on; see quietly()),
 * `errorEvents` the "error" events it emitted (how it hands an `error` message to the app).
 */
export function officialConnection({ book } = {}) {
  const client = new MAX({ accessKey: "", secretKey: "" }).ws;
  const counts = { warnings: 0, errors: 0, errorEvents: 0 };
  client.on("error", () => counts.errorEvents++);
  client.connect();
  const socket = FakeWebSocket.last;
  socket.readyState = FakeWebSocket.OPEN;
  socket.emit("open");
  const kept = book ? new WebSocketBook(client, book.market, book.depth) : null;
  const [onMessage] = socket.listeners("message");
  return {
    deliver: onMessage,
    book: kept,
    counts,
    close: () => client.disconnect(),
  };
}

/** Runs `fn` with console.warn and console.error counted into `counts` instead of printed. */
export function quietly(counts, fn) {
  const { warn, error } = console;
  console.warn = () => counts.warnings++;
  console.error = () => counts.errors++;
  try {
    return fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

export { MAX, WebSocketBook };
