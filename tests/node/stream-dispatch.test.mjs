// How responses reach the application: the three dispatch modes, handler failures, frames that
// cannot be decoded, and events this client does not know.

import { test } from "node:test";
import assert from "node:assert/strict";
import { StreamError } from "maicoin-ws";
import { simulator, requestsOf, requestLog, startStream, until, within, gate, observedFactory, ScriptedSocket } from "./harness.mjs";

const trade = (market) => ({ channel: "trade", market });
const ticker = (market) => ({ channel: "ticker", market });
const label = (r) => (r.channel ? `${r.event}:${r.channel}` : r.event);

// subscribed, then the trade and the ticker snapshots.
const THREE_FRAMES = [trade("btcusdt"), ticker("btcusdt")];

test("inline: the next message waits until every handler's promise has resolved, in registration order", async (t) => {
  const sim = await simulator(t);
  const observed = observedFactory();
  const log = [];
  const slow = gate();
  let first = true;
  const { stream } = startStream(t, { uri: sim.url, connectFactory: observed.factory });
  stream.addHandler(async (r) => {
    log.push(`A start ${label(r)}`);
    if (first) {
      first = false;
      await slow.promise;
    }
    log.push(`A end ${label(r)}`);
  });
  stream.addHandler((r) => log.push(`B ${label(r)}`));
  stream.subscribe(THREE_FRAMES);

  // All three frames are in the socket, yet the handlers have seen only the first.
  await until(() => observed.sockets[0]?.received === 3, "three frames at the socket");
  assert.deepEqual(log, ["A start subscribed"]);

  slow.open();
  await until(() => log.length === 9, "every message handled");
  assert.deepEqual(log, [
    "A start subscribed",
    "A end subscribed",
    "B subscribed",
    "A start snapshot:trade",
    "A end snapshot:trade",
    "B snapshot:trade",
    "A start snapshot:ticker",
    "A end snapshot:ticker",
    "B snapshot:ticker",
  ]);
});

test("task: handlers are called for every message without waiting for their promises", async (t) => {
  const sim = await simulator(t);
  const log = [];
  const slow = gate();
  let first = true;
  const { stream } = startStream(t, { uri: sim.url, dispatch: "task" });
  stream.addHandler(async (r) => {
    log.push(`A start ${label(r)}`);
    if (first) {
      first = false;
      await slow.promise;
    }
    log.push(`A end ${label(r)}`);
  });
  stream.addHandler((r) => log.push(`B ${label(r)}`));
  stream.subscribe(THREE_FRAMES);

  await until(() => log.filter((l) => l.startsWith("B")).length === 3, "B to see all three messages");
  assert.ok(!log.includes("A end subscribed"), "the first promise is still pending");
  assert.deepEqual(
    log.filter((l) => !l.startsWith("A end")),
    ["A start subscribed", "B subscribed", "A start snapshot:trade", "B snapshot:trade", "A start snapshot:ticker", "B snapshot:ticker"],
  );
  slow.open();
  await until(() => log.includes("A end subscribed"), "the slow handler to finish");
});

test("queue: responses() yields every response in order, no handler is called, and it ends on close()", async (t) => {
  const sim = await simulator(t);
  const called = [];
  const { stream } = startStream(t, { uri: sim.url, dispatch: "queue" });
  stream.addHandler((r) => called.push(r));
  stream.subscribe(THREE_FRAMES);
  const seen = [];
  const consumer = (async () => {
    for await (const response of stream.responses()) {
      seen.push(label(response));
      if (seen.length === 3) sim.dropAll();
      // The same iterator goes on across a reconnect.
      if (seen.length === 6) stream.close();
    }
  })();
  await within(consumer, "the iterator to end");
  assert.deepEqual(seen, ["subscribed", "snapshot:trade", "snapshot:ticker", "subscribed", "snapshot:trade", "snapshot:ticker"]);
  assert.deepEqual(called, []);
  assert.equal(stream.state, "closed");
});

test("queue: responses() ends when the stream gives up, after the responses already queued", async (t) => {
  const sim = await simulator(t);
  const { stream, ended } = startStream(t, { uri: sim.url, dispatch: "queue", reconnect: false, reconnectPolicy: undefined });
  stream.subscribe([trade("btcusdt")]);
  const seen = [];
  const consumer = (async () => {
    for await (const response of stream.responses()) {
      seen.push(label(response));
      if (seen.length === 2) sim.dropAll();
    }
  })();
  await within(consumer, "the iterator to end");
  assert.deepEqual(seen, ["subscribed", "snapshot:trade"]);
  assert.ok((await ended).rejected instanceof Error);
});

test("inline: a handler that throws or rejects is reported to onHandlerError and the stream goes on", async (t) => {
  const sim = await simulator(t);
  const reported = [];
  const seen = [];
  const thrown = new Error("sync failure");
  const rejected = new Error("async failure");
  const { stream } = startStream(t, { uri: sim.url, onHandlerError: (error, response) => reported.push([error, label(response)]) });
  stream.addHandler((r) => {
    if (r.channel === "trade") throw thrown;
  });
  stream.addHandler(async (r) => {
    if (r.channel === "ticker") throw rejected;
  });
  stream.addHandler((r) => seen.push(label(r)));
  stream.subscribe(THREE_FRAMES);
  await until(() => seen.length === 3, "all three messages to reach the last handler");
  assert.deepEqual(reported, [
    [thrown, "snapshot:trade"],
    [rejected, "snapshot:ticker"],
  ]);
  assert.equal(sim.stats.connections, 1);
});

test("task: a handler that throws or rejects is reported to onHandlerError", async (t) => {
  const sim = await simulator(t);
  const reported = [];
  const thrown = new Error("sync failure");
  const rejected = new Error("async failure");
  const { stream } = startStream(t, { uri: sim.url, dispatch: "task", onHandlerError: (error, response) => reported.push([error, label(response)]) });
  stream.addHandler((r) => {
    if (r.channel === "trade") throw thrown;
  });
  stream.addHandler(async (r) => {
    if (r.channel === "ticker") throw rejected;
  });
  stream.subscribe(THREE_FRAMES);
  await until(() => reported.length === 2, "both failures");
  assert.deepEqual(reported, [
    [thrown, "snapshot:trade"],
    [rejected, "snapshot:ticker"],
  ]);
  assert.equal(sim.stats.connections, 1);
});

test("inline without onHandlerError: a failing handler ends the connection and the policy reconnects", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const failure = new Error("handler failed");
  const disconnects = [];
  let failures = 0;
  const seen = [];
  const { stream } = startStream(t, { uri: sim.url, onDisconnected: (error) => disconnects.push(error) });
  stream.addHandler((r) => {
    seen.push(label(r));
    if (r.channel === "trade" && failures++ === 0) throw failure;
  });
  stream.subscribe(THREE_FRAMES);
  await until(() => seen.length === 5, "the failure and the next connection's messages");
  assert.equal(disconnects.length, 1);
  assert.ok(disconnects[0] instanceof StreamError);
  assert.equal(disconnects[0].code, "handler_failed");
  assert.equal(disconnects[0].cause, failure, "onDisconnected's error carries the handler's error");
  assert.match(disconnects[0].message, /handler failed/);
  // The ticker snapshot of the failed connection was never handled; the new connection replays both.
  assert.deepEqual(seen, ["subscribed", "snapshot:trade", "subscribed", "snapshot:trade", "snapshot:ticker"]);
  assert.equal(sim.stats.connections, 2);
  assert.deepEqual(requestsOf(log, "sub", 2)[0].subscriptions, THREE_FRAMES);
});

test("task without onHandlerError: a failing handler is logged and the connection stays", async (t) => {
  const sim = await simulator(t);
  const logged = [];
  const consoleError = console.error;
  console.error = (...args) => logged.push(args);
  t.after(() => (console.error = consoleError));
  const failure = new Error("handler failed");
  const seen = [];
  const { stream } = startStream(t, { uri: sim.url, dispatch: "task" });
  stream.addHandler((r) => {
    if (r.channel === "trade") throw failure;
  });
  stream.addHandler((r) => seen.push(label(r)));
  stream.subscribe(THREE_FRAMES);
  await until(() => seen.length === 3, "all three messages");
  console.error = consoleError;
  assert.equal(logged.length, 1);
  assert.ok(logged[0].includes(failure), "the error itself is logged");
  assert.equal(sim.stats.connections, 1);
});

test("frames that cannot be decoded go to onDecodeError(error, text) and the stream goes on", async (t) => {
  // Every frame is preceded by a broken one: truncated JSON, HTML, JSON without `e`, or nothing.
  const sim = await simulator(t, { garbageProbability: 1 });
  const decodeErrors = [];
  const seen = [];
  const { stream } = startStream(t, { uri: sim.url, onDecodeError: (error, text) => decodeErrors.push([error, text]) });
  stream.addHandler((r) => seen.push(label(r)));
  stream.subscribe(THREE_FRAMES);
  await until(() => seen.length === 3, "the three valid messages");
  await until(() => decodeErrors.length === sim.stats.garbageSent, "a decode error per broken frame");
  assert.deepEqual(seen, ["subscribed", "snapshot:trade", "snapshot:ticker"]);
  assert.equal(decodeErrors.length, 3);
  for (const [error, text] of decodeErrors) {
    assert.ok(error instanceof Error);
    assert.match(error.message, /invalid MAX message/);
    assert.equal(typeof text, "string");
  }
  assert.equal(sim.stats.connections, 1);
  assert.equal(stream.state, "connected");
});

test("a binary frame goes to onDecodeError as well: MAX sends only text", async (t) => {
  const sockets = [];
  const decodeErrors = [];
  const { stream } = startStream(t, {
    uri: "ws://scripted.invalid/ws",
    connectFactory: () => sockets.push(new ScriptedSocket()) && sockets.at(-1),
    onDecodeError: (error, data) => decodeErrors.push([error, data]),
  });
  const seen = [];
  stream.addHandler((r) => seen.push(r.event));
  await until(() => stream.state === "connected", "the scripted connection");
  const binary = new Uint8Array([123, 125]).buffer;
  sockets[0].deliver(binary);
  sockets[0].deliver({ e: "marker" });
  await until(() => seen.length === 1, "the next frame");
  assert.deepEqual(seen, ["marker"]);
  assert.equal(decodeErrors.length, 1);
  assert.match(decodeErrors[0][0].message, /binary/);
  assert.equal(decodeErrors[0][1], binary);
});

test("an event this client does not know reaches handlers with its event string and its keys", async (t) => {
  const sim = await simulator(t, { unknownEventProbability: 1 });
  const seen = [];
  const { stream } = startStream(t, { uri: sim.url });
  stream.addHandler((r) => seen.push(r));
  stream.subscribe([trade("btcusdt")]);
  await until(() => seen.length === 4, "two frames, each after an unknown event");
  assert.deepEqual(
    seen.map(label),
    ["mystery_event", "subscribed", "mystery_event", "snapshot:trade"],
  );
  assert.deepEqual(seen[0].extra, { zz: 1 });
  assert.ok(seen[0].createdAt instanceof Date);
  assert.equal(sim.stats.connections, 1);
});
