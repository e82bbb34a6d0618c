// A WHATWG-like socket for a Stream's connectFactory that never touches the network: the bench
// opens it and delivers frames from a corpus as message events, in batches, then waits for the
// stream (its frame queue hands each batch to wasm in a microtask) to have handled them.

export class FeedSocket {
  constructor() {
    this.readyState = 0;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this.sent = [];
  }

  send(text) {
    this.sent.push(text);
  }

  close(code = 1000, reason = "") {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true }));
  }

  open() {
    this.readyState = 1;
    this.onopen?.({ type: "open" });
  }

  deliver(text) {
    this.onmessage({ data: text });
  }
}

/** Waits until `done()` holds: microtask turns first (the engine's loop), then macrotask turns. */
export async function until(done, what = "the stream to catch up") {
  for (let spins = 0; !done(); spins++) {
    if (spins < 64) await null;
    else if (spins < 100_000) await new Promise((resolve) => setImmediate(resolve));
    else throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * A Stream whose only subscription is the book `market` at `depth`, kept in wasm, connected to
 * a FeedSocket. Resolves to { stream, socket, book, ending } once the socket is open.
 */
export async function streamBook(Stream, market, depth) {
  let socket = null;
  const stream = new Stream({
    uri: "ws://feed.invalid/ws",
    reconnect: false,
    connectFactory: () => (socket = new FeedSocket()),
  });
  const book = stream.book(market, { depth });
  const ending = stream.run();
  await until(() => socket !== null, "the stream to create its socket");
  socket.open();
  await until(() => socket.sent.length > 0, "the stream to subscribe");
  return { stream, socket, book, ending };
}
