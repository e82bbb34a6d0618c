// Shared scaffolding for the Stream and OrderBook tests: a simulator per test, streams that are
// always closed, and waiting for conditions instead of sleeping. Not a test file itself (its name
// matches none of node --test's patterns).

import WebSocket from "ws";
import { Stream } from "maicoin-ws";
import { startSimulator } from "../../sim/server.js";

/** Reconnects after 20 to 50 ms, so a drop costs a test almost nothing. */
export const FAST = Object.freeze({ baseDelay: 0.02, maxDelay: 0.05, jitter: 0 });

/** How long any wait may take before the test fails: generous, since a CI machine can be slow. */
export const SAFETY_MS = 15_000;

/** A simulator for one test (market data only through sim.tick()), stopped when the test ends. */
export async function simulator(t, options = {}) {
  const sim = await startSimulator({ tickMs: 0, ...options });
  t.after(() => sim.close());
  return sim;
}

/** Every request the simulator receives, in arrival order: { conn, t, text, request, error }. */
export function requestLog(sim) {
  const log = [];
  sim.on("request", (event) => log.push(event));
  return log;
}

/** The requests of one action (optionally of one connection), as parsed by the simulator. */
export function requestsOf(log, action, conn) {
  return log.filter((e) => e.request?.action === action && (conn === undefined || e.conn === conn)).map((e) => e.request);
}

/** How many times `subscription` ({channel, market}) was sent with `action` (sub or unsub). */
export function subscriptionsSent(log, action, subscription) {
  const key = JSON.stringify({ channel: subscription.channel, market: subscription.market });
  return requestsOf(log, action)
    .flatMap((request) => request.subscriptions ?? request.subscription ?? [])
    .filter((s) => JSON.stringify({ channel: s.channel, market: s.market }) === key).length;
}

/** Resolves with check()'s first truthy value; fails the test after `timeoutMs`. */
export async function until(check, what, timeoutMs = SAFETY_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Like until(), but drives the market with sim.tick() between checks (a tick may change nothing). */
export function tickUntil(sim, check, what, timeoutMs = SAFETY_MS) {
  return until(() => check() || (sim.tick(), false), what, timeoutMs);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `new Stream(options)` (fast reconnects unless told otherwise) and its run(); the stream
 * is closed when the test ends. `ended` settles with { resolved: true } or { rejected: error },
 * so a test can await either outcome without an unhandled rejection.
 */
export function startStream(t, options = {}) {
  const stream = new Stream({ reconnectPolicy: FAST, ...options });
  const ended = stream.run().then(
    () => ({ resolved: true }),
    (error) => ({ rejected: error }),
  );
  t.after(async () => {
    stream.close();
    await ended;
  });
  return { stream, ended };
}

/** Settles with `promise`'s outcome, or fails the test if it has not settled in `timeoutMs`. */
export function within(promise, what, timeoutMs = SAFETY_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A one-shot gate: `gate.promise` resolves when the test calls `gate.open()`. */
export function gate() {
  let open;
  const promise = new Promise((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * A connectFactory over the `ws` package that counts what the socket really received, so a test
 * can tell "the frame is here" from "the stream handed it on". `mute()` swallows every later
 * frame, like a connection that died without closing.
 */
export function observedFactory() {
  const sockets = [];
  const factory = (uri, options) => {
    const socket = new WebSocket(uri, { perMessageDeflate: false, ...options });
    socket.on("error", () => {});
    const record = { socket, received: 0, muted: false, pingFrames: 0, lastDeliveredAt: null };
    let handler = null;
    // The stream assigns onmessage; keep its function and call it ourselves, so muting is possible.
    Object.defineProperty(socket, "onmessage", {
      configurable: true,
      get: () => handler,
      set: (fn) => {
        handler = fn;
      },
    });
    socket.on("message", (data, isBinary) => {
      record.received += 1;
      if (record.muted || !handler) return;
      record.lastDeliveredAt = Date.now();
      handler({ data: isBinary ? data : data.toString() });
    });
    const ping = socket.ping.bind(socket);
    socket.ping = (...args) => {
      record.pingFrames += 1;
      return ping(...args);
    };
    sockets.push(record);
    return socket;
  };
  return { factory, sockets, mute: () => sockets.forEach((s) => (s.muted = true)) };
}

/** The largest number of `times` (ascending ms) inside any half-open window of `windowMs`. */
export function maxInAnyWindow(times, windowMs) {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** A socket that speaks only what the test writes: hand-written frames for the stream. */
export class ScriptedSocket {
  readyState = 0;
  sent = [];
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;

  constructor() {
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({ type: "open" });
    });
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000) {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason: "" }));
  }

  /** A frame from the "server": an object (sent as JSON, with `T`) or raw data as is. */
  deliver(frame) {
    const data = typeof frame === "object" && !(frame instanceof ArrayBuffer) ? JSON.stringify({ T: Date.now(), ...frame }) : frame;
    this.onmessage?.({ data });
  }
}
