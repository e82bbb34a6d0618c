// Frames reach wasm in batches, one per task: within a batch the dispatch order, "nothing after
// close" and "a close never overtakes the frames before it" hold as they do frame by frame.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startStream, until, within } from "./harness.mjs";

/** A socket whose frames the test delivers synchronously, many in one task. */
class BurstSocket {
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  sent = [];

  constructor() {
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({ type: "open" });
    });
  }

  send(text) {
    this.sent.push(text);
  }

  burst(count, from = 0) {
    for (let i = from; i < from + count; i++) this.onmessage?.({ data: JSON.stringify({ e: "marker", i: `n${i}`, T: 1 }) });
  }

  end(code, reason) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  close(code = 1000) {
    if (this.readyState < 2) this.end(code, "");
  }
}

function burstStream(t, options = {}) {
  const sockets = [];
  const started = startStream(t, {
    uri: "ws://burst.invalid/ws",
    connectFactory: () => sockets.push(new BurstSocket()) && sockets.at(-1),
    ...options,
  });
  return { ...started, sockets };
}

for (const dispatch of ["inline", "task"]) {
  test(`${dispatch}: a burst is dispatched in order, and close() from a handler ends it there`, async (t) => {
    const seen = [];
    const { stream, sockets, ended } = burstStream(t, { dispatch });
    stream.addHandler((r) => {
      seen.push(r.id);
      if (r.id === "n40") stream.close();
    });
    await until(() => stream.state === "connected", "the connection");
    sockets[0].burst(100);
    assert.deepEqual(await ended, { resolved: true });
    assert.deepEqual(seen, Array.from({ length: 41 }, (_, i) => `n${i}`));
  });
}

test("inline: an awaited handler holds the rest of its batch back, in order", async (t) => {
  const seen = [];
  const { stream, sockets } = burstStream(t);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  stream.addHandler(async (r) => {
    seen.push(`start ${r.id}`);
    if (r.id === "n1") await held;
    seen.push(`end ${r.id}`);
  });
  await until(() => stream.state === "connected", "the connection");
  sockets[0].burst(3);
  sockets[0].burst(2, 3); // a second burst of the same task joins the batch
  await until(() => seen.length === 3, "the first frame and the held one");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(seen, ["start n0", "end n0", "start n1"], "nothing overtakes the pending handler");
  release();
  await until(() => seen.length === 10, "the rest");
  assert.deepEqual(seen.slice(3), ["end n1", "start n2", "end n2", "start n3", "end n3", "start n4", "end n4"]);
});

test("a close event never overtakes the frames received before it", async (t) => {
  const events = [];
  const { stream, sockets } = burstStream(t, {
    reconnectPolicy: { baseDelay: 10, maxDelay: 10, jitter: 0 },
    onDisconnected: (error) => events.push(`disconnected ${error.code} ${error.closeCode} ${error.reason}`),
  });
  stream.addHandler((r) => events.push(r.id));
  await until(() => stream.state === "connected", "the connection");
  sockets[0].burst(3);
  sockets[0].end(4000, "gone");
  await until(() => events.length === 4, "the frames and the drop");
  assert.deepEqual(events, ["n0", "n1", "n2", "disconnected closed 4000 gone"]);
});

test("inline: close() while a handler's Promise is pending resolves run() without waiting for it", async (t) => {
  const seen = [];
  const { stream, sockets, ended } = burstStream(t);
  stream.addHandler((r) => {
    seen.push(r.id);
    return new Promise(() => {}); // never settles
  });
  await until(() => stream.state === "connected", "the connection");
  sockets[0].burst(3);
  await until(() => seen.length === 1, "the first frame");
  stream.close();
  assert.deepEqual(await within(ended, "run() to resolve", 2000), { resolved: true });
  assert.deepEqual(seen, ["n0"], "nothing is dispatched after close()");
});
