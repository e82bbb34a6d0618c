// Frames reach wasm in batches, one per task: within a batch the dispatch order, "nothing after
// close" and "a close never overtakes the frames before it" hold as they do frame by frame.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Stream, StreamError } from "maicoin-ws";
import { startStream, until, within, sleep } from "./harness.mjs";

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

test("run() while running rejects with an already_running StreamError; the first run goes on", async (t) => {
  const seen = [];
  const { stream, sockets, ended } = burstStream(t);
  stream.addHandler((r) => seen.push(r.id));
  await until(() => stream.state === "connected", "the connection");
  const second = await stream.run().then(() => null, (error) => error);
  assert.ok(second instanceof StreamError, "a StreamError");
  assert.equal(second.code, "already_running");
  sockets[0].burst(2);
  await until(() => seen.length === 2, "the frames after the second run()");
  stream.close();
  assert.deepEqual(await within(ended, "run() to resolve"), { resolved: true });
  assert.equal(sockets.length, 1, "no second connection");
});

/** Collects the process's unhandled rejections while the test runs. */
function unhandledRejections(t) {
  const reasons = [];
  const listener = (reason) => reasons.push(reason);
  process.on("unhandledRejection", listener);
  t.after(() => process.off("unhandledRejection", listener));
  return reasons;
}

test("inline: a handler's Promise that rejects after close() is neither reported nor left unhandled", async (t) => {
  const unhandled = unhandledRejections(t);
  const reported = [];
  const { stream, sockets, ended } = burstStream(t, { onHandlerError: (error) => reported.push(error) });
  let fail;
  stream.addHandler(() => new Promise((_, reject) => (fail = reject)));
  await until(() => stream.state === "connected", "the connection");
  sockets[0].burst(2);
  await until(() => fail !== undefined, "the first frame");
  stream.close();
  assert.deepEqual(await within(ended, "run() to resolve"), { resolved: true });
  fail(new Error("too late"));
  await sleep(20);
  assert.deepEqual(reported, [], "the stream was over");
  assert.deepEqual(unhandled, []);
});

test("inline: a handler that closes the stream and returns a rejected Promise ends the run cleanly", async (t) => {
  const unhandled = unhandledRejections(t);
  const seen = [];
  const { stream, sockets, ended } = burstStream(t, { onHandlerError: (error) => seen.push(error.message) });
  stream.addHandler((r) => {
    seen.push(r.id);
    stream.close();
    return Promise.reject(new Error("after close"));
  });
  await until(() => stream.state === "connected", "the connection");
  sockets[0].burst(3);
  assert.deepEqual(await within(ended, "run() to resolve"), { resolved: true });
  await sleep(20);
  assert.deepEqual(seen, ["n0"], "nothing after close(), and no report of a stream that is over");
  assert.deepEqual(unhandled, []);
});

test("a running stream that nothing else references is not collected before its run ends", async (t) => {
  // `global.gc` without --expose-gc: the flag set at run time, the function taken from a fresh context.
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc");
  const seen = [];
  const sockets = [];
  let ended = false;
  // Only a WeakRef, which does not keep it: to close it at the end.
  const stream = new WeakRef(
    new Stream({
      uri: "ws://burst.invalid/ws",
      connectFactory: () => sockets.push(new BurstSocket()) && sockets.at(-1),
    }).addHandler((r) => seen.push(r.id)),
  );
  stream.deref().run().then(() => (ended = true));
  await until(() => sockets[0]?.readyState === 1, "the connection");
  for (let i = 0; i < 3; i++) {
    collect();
    await sleep(10); // finalizers run between tasks
  }
  sockets[0].burst(2);
  await until(() => seen.length === 2, "the frames after a collection");
  assert.deepEqual(seen, ["n0", "n1"]);
  assert.ok(stream.deref(), "still there");
  stream.deref().close();
  await until(() => ended, "run() to resolve");
});
