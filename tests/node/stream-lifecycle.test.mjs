// A stream's life: reconnect and replay with a fresh auth nonce, the order of lifecycle callbacks,
// giving up by the policy, and close() at any point.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Stream, StreamError } from "maicoin-ws";
import { simulator, requestLog, requestsOf, startStream, until, within, FAST } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const trade = (market) => ({ channel: "trade", market });

/** A socket the test opens, refuses or drops by hand. */
class ManualSocket {
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;

  send() {}

  open() {
    this.readyState = 1;
    this.onopen?.({ type: "open" });
  }

  /** Closes before opening (as a refused handshake does) or after (a drop). */
  end(code, reason) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  close(code = 1000) {
    if (this.readyState < 2) this.end(code, "");
  }
}

test("after a drop the stream reconnects, authenticates with a new nonce and replays its subscriptions", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  let connected = 0;
  const { stream } = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: "test-secret", onConnected: () => connected++ });
  const subscriptions = [trade("btcusdt"), { channel: "book", market: "ethusdt", depth: 5 }, { channel: "market_status" }];
  stream.subscribe(subscriptions);
  const authenticated = [];
  stream.addHandler((r) => r.event === "authenticated" && authenticated.push(r));

  await until(() => authenticated.length === 1 && requestsOf(log, "sub", 1).length === 1, "the first connection's auth and sub");
  sim.dropAll();
  await until(() => authenticated.length === 2 && requestsOf(log, "sub", 2).length === 1, "the second connection's auth and sub");

  assert.equal(connected, 2);
  for (const conn of [1, 2]) {
    assert.deepEqual(
      log.filter((e) => e.conn === conn).map((e) => e.request.action),
      ["auth", "sub"],
      `connection ${conn} sends auth first`,
    );
    assert.deepEqual(requestsOf(log, "sub", conn)[0].subscriptions, subscriptions);
  }
  const [first, second] = requestsOf(log, "auth");
  assert.ok(second.nonce > first.nonce, `a fresh nonce (${first.nonce} then ${second.nonce})`);
  assert.notEqual(second.signature, first.signature);
  // The simulator refuses a reused nonce (E-1012): both being accepted proves the second is new.
  assert.equal(sim.stats.authOk, 2);
  assert.equal(sim.stats.authFailed, 0);
  const status = stream.status;
  assert.equal(status.reconnects, 1);
  assert.equal(status.state, "connected");
  assert.ok(status.frames >= 2, `${status.frames} frames, the two authenticated answers among them`);
  assert.ok(status.lastFrameAt instanceof Date && status.lastFrameAt.getTime() <= Date.now());
});

test("on a drop: onDisconnected, onReconnecting, then onConnected once the new connection is up", async (t) => {
  const sim = await simulator(t);
  const events = [];
  const states = [];
  const { stream } = startStream(t, {
    uri: sim.url,
    onConnected: (...args) => events.push(["connected", args.length]),
    onDisconnected: (error) => events.push(["disconnected", error, stream.state]),
    onReconnecting: (error) => events.push(["reconnecting", error, sim.stats.handshakeLog.length]),
    onStateChange: (state) => states.push(state),
  });
  await until(() => events.length === 1, "the first connection");
  sim.dropAll();
  await until(() => events.length === 4, "the reconnection");

  assert.deepEqual(
    events.map(([name]) => name),
    ["connected", "disconnected", "reconnecting", "connected"],
  );
  assert.equal(events[0][1], 0, "onConnected takes no arguments");
  const [, dropError] = events[1];
  assert.ok(dropError instanceof Error);
  assert.match(dropError.message, /closed/);
  assert.equal(events[2][1], dropError, "onReconnecting gets the same error");
  assert.equal(events[2][2], 1, "no new handshake before onReconnecting: the backoff sleep comes after it");
  assert.equal(sim.stats.handshakeLog.length, 2);
  assert.deepEqual(states, ["connecting", "connected", "reconnecting", "connecting", "connected"]);
});

test("with the default policy (reconnect on, 1 s base delay) a dropped stream comes back", async (t) => {
  const sim = await simulator(t);
  let connected = 0;
  const stream = new Stream({ uri: sim.url, onConnected: () => connected++ });
  const run = stream.run();
  t.after(async () => {
    stream.close();
    await run;
  });
  await until(() => connected === 1, "the first connection");
  sim.dropAll();
  await until(() => connected === 2, "the reconnection");
  assert.equal(sim.stats.connections, 2);
});

test("reconnect: false turns a drop into a permanent failure", async (t) => {
  const sim = await simulator(t);
  const events = [];
  const { ended } = startStream(t, {
    uri: sim.url,
    reconnect: false,
    reconnectPolicy: undefined,
    onConnected: () => events.push("connected"),
    onDisconnected: () => events.push("disconnected"),
    onReconnecting: () => events.push("reconnecting"),
    onPermanentFailure: (error) => events.push(["failed", error]),
  });
  await until(() => events.length === 1, "the connection");
  sim.dropAll();
  const outcome = await within(ended, "run() to settle");
  assert.deepEqual(events.slice(0, 2), ["connected", "disconnected"]);
  assert.equal(events.length, 3);
  assert.equal(events[2][0], "failed");
  assert.equal(outcome.rejected, events[2][1], "run() rejects with the error onPermanentFailure got");
  assert.equal(sim.stats.connections, 1);
});

test("when maxRetries is used up: onPermanentFailure once, then run() rejects with that error", async (t) => {
  const sim = await simulator(t);
  const events = [];
  const { stream, ended } = startStream(t, {
    uri: sim.url,
    reconnectPolicy: { ...FAST, maxRetries: 2 },
    onConnected: () => events.push("connected"),
    onDisconnected: (error) => events.push(["disconnected", error]),
    onReconnecting: (error) => events.push(["reconnecting", error]),
    onPermanentFailure: (error) => events.push(["failed", error]),
  });
  await until(() => events.length === 1, "the connection");
  // From now on every attempt is refused: the simulator is gone.
  await sim.close();
  const outcome = await within(ended, "run() to give up");

  // A drop after open, then two refused attempts: each failed attempt is followed by
  // onDisconnected, then onReconnecting or (the third, maxRetries being 2) onPermanentFailure.
  assert.deepEqual(
    events.map((e) => (Array.isArray(e) ? e[0] : e)),
    ["connected", "disconnected", "reconnecting", "disconnected", "reconnecting", "disconnected", "failed"],
  );
  const errors = events.slice(1).map((e) => e[1]);
  for (let i = 0; i < errors.length; i += 2) {
    assert.ok(errors[i] instanceof StreamError, "every lifecycle error is a StreamError");
    assert.equal(errors[i + 1], errors[i], "onReconnecting and onPermanentFailure get onDisconnected's error");
  }
  assert.equal(errors[0].code, "closed");
  assert.match(errors[0].message, /closed/, "the first retry follows the drop");
  assert.equal(typeof errors[0].closeCode, "number");
  assert.equal(typeof errors[0].reason, "string");
  for (const refused of [errors[2], errors[4]]) {
    assert.equal(refused.code, "connect_failed");
    assert.match(refused.message, /could not connect/, "the later ones follow refused attempts");
    assert.equal(typeof refused.closeCode, "number");
  }
  const failure = errors[5];
  assert.equal(outcome.rejected, failure, "run() rejects with the error onPermanentFailure got");
  assert.equal(stream.state, "failed");
});

test("connect failures before open and drops after open each give onDisconnected, then onReconnecting", async (t) => {
  // Attempt 1 is refused before it opens, attempt 2 opens and is dropped, attempt 3 stays up.
  const sockets = [];
  const events = [];
  const { stream } = startStream(t, {
    uri: "ws://scripted.invalid/ws",
    connectFactory: () => {
      const socket = new ManualSocket();
      sockets.push(socket);
      return socket;
    },
    onConnected: () => events.push("c"),
    onDisconnected: (error) => events.push(`d:${error.code}`),
    onReconnecting: (error) => events.push(`r:${error.code}`),
    onPermanentFailure: () => events.push("p"),
  });
  await until(() => sockets.length === 1, "the first attempt");
  sockets[0].end(1006, "refused");
  await until(() => sockets.length === 2, "the second attempt");
  sockets[1].open();
  await until(() => events.includes("c"), "the second attempt to open");
  sockets[1].end(1001, "going away");
  await until(() => sockets.length === 3, "the third attempt");
  sockets[2].open();
  await until(() => events.length === 6, "the third attempt to open");
  assert.deepEqual(events, ["d:connect_failed", "r:connect_failed", "c", "d:closed", "r:closed", "c"]);
  assert.equal(stream.state, "connected");
});

test("a successful connection resets the retry count", async (t) => {
  const sim = await simulator(t);
  let connected = 0;
  let failed = 0;
  let subscribed = 0;
  const { stream } = startStream(t, {
    uri: sim.url,
    reconnectPolicy: { ...FAST, maxRetries: 1 },
    onConnected: () => connected++,
    onPermanentFailure: () => failed++,
  });
  stream.subscribe([trade("btcusdt")]);
  stream.addHandler((r) => r.event === "subscribed" && subscribed++);
  // Four drops in a row, each followed by a successful reconnect: one retry each is enough if
  // (and only if) every success starts the count again.
  for (let n = 1; n <= 4; n++) {
    // A connection counts as successful once the server has answered on it.
    await until(() => subscribed === n, `an answer on connection ${n}`);
    sim.dropAll();
  }
  await until(() => subscribed === 5, "an answer on connection 5");
  assert.equal(connected, 5);
  assert.equal(failed, 0);
  assert.equal(stream.status.reconnects, 4);
});

test("close() during the backoff resolves run() at once and no reconnect follows", async (t) => {
  const sim = await simulator(t);
  const BACKOFF_MS = 1500;
  let reconnecting = 0;
  const { stream, ended } = startStream(t, {
    uri: sim.url,
    reconnectPolicy: { baseDelay: BACKOFF_MS / 1000, maxDelay: BACKOFF_MS / 1000, jitter: 0 },
    onReconnecting: () => reconnecting++,
  });
  await until(() => stream.state === "connected", "the connection");
  sim.dropAll();
  await until(() => reconnecting === 1, "onReconnecting");
  stream.close();
  // "At once" means before the backoff would have ended.
  const outcome = await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve("backoff over"), BACKOFF_MS))]);
  assert.deepEqual(outcome, { resolved: true });
  assert.equal(stream.state, "closed");
  // Wait out the cancelled backoff: still no second handshake.
  await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS + 200));
  assert.equal(sim.stats.handshakeLog.length, 1);
});

test("close() while connected resolves run() and closes the socket", async (t) => {
  const sim = await simulator(t);
  const disconnects = [];
  sim.on("disconnect", (e) => disconnects.push(e));
  const { stream, ended } = startStream(t, { uri: sim.url });
  await until(() => stream.state === "connected", "the connection");
  stream.close();
  assert.deepEqual(await within(ended, "run() to resolve"), { resolved: true });
  await until(() => disconnects.length === 1, "the server to see the close");
  assert.equal(disconnects[0].code, 1000);
  assert.equal(stream.state, "closed");
});

test("close() before run() makes run() resolve without connecting", async (t) => {
  const sim = await simulator(t);
  const stream = new Stream({ uri: sim.url });
  stream.close();
  await within(stream.run(), "run() to resolve");
  assert.equal(sim.stats.handshakeLog.length, 0);
});

test("a connectFactory that throws ends run() with a no_socket StreamError rather than retrying forever", async (t) => {
  let calls = 0;
  const problem = new Error("no socket for you");
  const events = [];
  const { ended } = startStream(t, {
    uri: "ws://factory.invalid/ws",
    connectFactory: () => {
      calls++;
      throw problem;
    },
    onDisconnected: (error) => events.push(["disconnected", error]),
    onPermanentFailure: (error) => events.push(["failed", error]),
  });
  const outcome = await within(ended, "run() to settle");
  const failure = outcome.rejected;
  assert.ok(failure instanceof StreamError);
  assert.equal(failure.code, "no_socket");
  assert.equal(failure.cause, problem, "the factory's error is the cause");
  assert.match(failure.message, /no socket for you/);
  assert.equal(failure.closeCode, undefined, "no socket, so no close event");
  assert.deepEqual(events, [["disconnected", failure], ["failed", failure]]);
  assert.equal(calls, 1);
});

test("in a Node without WebSocket and without ws, run() rejects saying to install ws or pass connectFactory", async () => {
  // A child process whose require() cannot find `ws` (Node 20 has no global WebSocket).
  const script = `
    import { Stream, StreamError } from "maicoin-ws";
    const stream = new Stream({ uri: "ws://127.0.0.1:9/ws", reconnectPolicy: { baseDelay: 0.01, maxDelay: 0.01, jitter: 0 } });
    const timer = setTimeout(() => { console.log("STILL RUNNING"); stream.close(); }, 3000);
    stream.run().then(() => console.log("RESOLVED"), (error) => { clearTimeout(timer); console.log("REJECTED " + error.message); });
  `;
  const child = spawn(process.execPath, ["--require", fileURLToPath(new URL("support/no-ws.cjs", import.meta.url)), "--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { ...process.env, MAX_WS_URI: "" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await within(new Promise((resolve) => child.on("exit", resolve)), "the child to exit");
  assert.equal(code, 0, output);
  assert.match(output, /^REJECTED .*install the ws package.*connectFactory/m);
});
