// MAX's limits, kept by the client itself: request messages per second and per minute (extra
// requests wait, in order, none dropped), connection attempts per hour and day, and the
// Retry-After of a refused handshake. Each check reads the simulator's own logs, i.e. what MAX
// would count, and the simulator punishes (closes 1008) any request over its limits.

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulator, requestLog, requestsOf, startStream, until, sleep, within, maxInAnyWindow } from "./harness.mjs";
import { RESOLUTIONS } from "../../sim/kline.js";

const trade = (market) => ({ channel: "trade", market });

/** Every request's arrival time at the simulator, checked against both of MAX's windows. */
function assertWithinLimits(sim, { perSecond, perMinute }) {
  const times = sim.stats.requestLog.map((e) => e.t);
  const second = maxInAnyWindow(times, 1000);
  const minute = maxInAnyWindow(times, 60_000);
  assert.ok(second <= perSecond, `${second} requests within one second (limit ${perSecond})`);
  assert.ok(minute <= perMinute, `${minute} requests within one minute (limit ${perMinute})`);
  assert.equal(sim.stats.rateViolations, 0);
}

/** Requests that cannot be coalesced: sub X, unsub X, sub Y, unsub Y... */
function alternate(stream, count) {
  const markets = ["btcusdt", "ethusdt", "btctwd", "ethtwd", "usdttwd"];
  const expected = [];
  for (let i = 0; i < count; i++) {
    const subscription = trade(markets[Math.floor(i / 2) % markets.length]);
    if (i % 2 === 0) stream.subscribe([subscription]);
    else stream.unsubscribe([subscription]);
    expected.push([i % 2 === 0 ? "sub" : "unsub", [subscription]]);
  }
  return expected;
}

test("a burst of 1000 subscribe calls stays within 20/s and 200/min, and every subscription is confirmed, in order", async (t) => {
  // 84 markets with trade, ticker and ten kline resolutions each: 1008 distinct subscriptions.
  const markets = Array.from({ length: 84 }, (_, i) => `m${i}usdt`);
  const subscriptions = markets
    .flatMap((market) => [trade(market), { channel: "ticker", market }, ...Object.keys(RESOLUTIONS).map((resolution) => ({ channel: "kline", market, resolution }))])
    .slice(0, 1000);
  const sim = await simulator(t, { markets });
  const log = requestLog(sim);
  const confirmed = [];
  let connected = 0;
  const { stream } = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: "test-secret", onConnected: () => connected++ });
  stream.addHandler((r) => r.event === "subscribed" && confirmed.push(...r.subscriptions));
  await until(() => connected === 1 && log.length === 1, "the connection and its auth");

  for (const subscription of subscriptions) stream.subscribe([subscription]);
  await until(() => confirmed.length >= 1000, "every subscription to be confirmed", 30_000);

  assert.deepEqual(confirmed, subscriptions, "none dropped, none reordered, none twice");
  assert.equal(log[0].request.action, "auth");
  const subs = requestsOf(log, "sub");
  assert.deepEqual(
    subs.flatMap((r) => r.subscriptions),
    subscriptions,
  );
  assert.ok(subs.every((r) => r.subscriptions.length <= 50), "at most 50 subscriptions per request");
  // auth and 20 subs: one more than a second allows, so the client had to wait.
  assert.equal(log.length, 21);
  assertWithinLimits(sim, { perSecond: 20, perMinute: 200 });
  assert.equal(sim.stats.connections, 1);
});

test("with requestLimits of 3/s, requests beyond the limit wait their turn, in order", async (t) => {
  const limits = { perSecond: 3, perMinute: 10 };
  const sim = await simulator(t, { rateLimit: { ...limits, scope: "connection" } });
  const log = requestLog(sim);
  const answers = [];
  let connected = 0;
  const { stream } = startStream(t, { uri: sim.url, requestLimits: limits, onConnected: () => connected++ });
  stream.addHandler((r) => (r.event === "subscribed" || r.event === "unsubscribed") && answers.push(r.event));
  await until(() => connected === 1, "the connection");

  const expected = alternate(stream, 8);
  await until(() => answers.length === 8, "eight answers");
  assert.deepEqual(
    log.map((e) => [e.request.action, e.request.subscriptions]),
    expected,
  );
  assert.deepEqual(answers, expected.map(([action]) => (action === "sub" ? "subscribed" : "unsubscribed")));
  assertWithinLimits(sim, limits);
  // Eight requests at three a second span at least two full windows.
  assert.ok(log[7].t - log[0].t >= 2000, `${log[7].t - log[0].t} ms from the first to the last`);
});

test("streams of one process share MAX's per-IP request budget", async (t) => {
  // The simulator counts all connections together, as MAX counts an IP.
  const sim = await simulator(t);
  const log = requestLog(sim);
  const answers = [];
  const streams = [0, 1].map(() => {
    let connected = false;
    const { stream } = startStream(t, { uri: sim.url, onConnected: () => (connected = true) });
    stream.addHandler((r) => (r.event === "subscribed" || r.event === "unsubscribed") && answers.push(r.event));
    return { stream, connected: () => connected };
  });
  await until(() => streams.every((s) => s.connected()), "both connections");
  // 28 requests, 14 from each stream: more than one second's 20, though each stream alone is under.
  const expected = streams.map(({ stream }) => alternate(stream, 14));
  await until(() => answers.length === 28, "28 answers");
  // Both streams sent the same sequence, so which connection is whose does not matter.
  for (const conn of [1, 2]) {
    assert.deepEqual(
      log.filter((e) => e.conn === conn).map((e) => [e.request.action, e.request.subscriptions]),
      expected[0],
      `connection ${conn}'s requests, in order`,
    );
  }
  assertWithinLimits(sim, { perSecond: 20, perMinute: 200 });
  assert.equal(sim.stats.connections, 2);
});

test("with requestLimits of 4/min, the fifth request is held back for the rest of the minute", async (t) => {
  const limits = { perSecond: 20, perMinute: 4 };
  const sim = await simulator(t, { rateLimit: { ...limits, scope: "connection" } });
  const log = requestLog(sim);
  let connected = 0;
  const { stream } = startStream(t, { uri: sim.url, requestLimits: limits, onConnected: () => connected++ });
  await until(() => connected === 1, "the connection");

  const expected = alternate(stream, 6);
  await until(() => log.length === 4, "the first four requests");
  // Past the one-second window nothing more has gone out: the minute window holds the rest.
  await sleep(1500);
  assert.deepEqual(
    log.map((e) => [e.request.action, e.request.subscriptions]),
    expected.slice(0, 4),
  );
  assertWithinLimits(sim, limits);
  assert.equal(sim.stats.connections, 1);
});

test("with connectionLimits of 2/hour, a third connection attempt waits, and close() ends the wait", async (t) => {
  const sim = await simulator(t);
  let connected = 0;
  let reconnecting = 0;
  const { stream, ended } = startStream(t, {
    uri: sim.url,
    connectionLimits: { perHour: 2, perDay: 10 },
    onConnected: () => connected++,
    onReconnecting: () => reconnecting++,
  });
  await until(() => connected === 1, "the first connection");
  sim.dropAll();
  await until(() => connected === 2, "the second connection");
  sim.dropAll();
  await until(() => reconnecting === 2, "the second onReconnecting");
  // Ten times the backoff later, the hour's budget still holds the attempt back.
  await sleep(500);
  assert.equal(sim.stats.handshakeLog.length, 2);
  assert.equal(stream.state, "reconnecting");
  stream.close();
  assert.deepEqual(await within(ended, "run() to resolve", 1000), { resolved: true });
  assert.equal(sim.stats.handshakeLog.length, 2);
});

test("a handshake refused with 429 is not retried before its Retry-After time", async (t) => {
  const sim = await simulator(t, { rejectHandshakes: 1, retryAfterSec: 1 });
  const events = [];
  let connected = 0;
  startStream(t, {
    uri: sim.url,
    onConnected: () => connected++,
    onDisconnected: () => events.push("disconnected"),
    onReconnecting: (error) => events.push(["reconnecting", error.message, error.code]),
  });
  await until(() => connected === 1, "a connection after the refusal");
  const [refused, accepted] = sim.stats.handshakeLog;
  assert.equal(refused.rejected, true);
  assert.equal(accepted.rejected, false);
  // Retry-After is a Unix time in seconds: connecting before it would prolong the ban.
  assert.ok(accepted.t >= refused.retryAfter * 1000, `retried at ${accepted.t}, Retry-After ${refused.retryAfter * 1000}`);
  assert.equal(sim.stats.handshakeLog.length, 2, "no attempt in between");
  // The refused attempt is a failed attempt like any other: onDisconnected, then the retry.
  assert.equal(events.length, 2);
  assert.equal(events[0], "disconnected");
  assert.equal(events[1][0], "reconnecting");
  assert.match(events[1][1], /could not connect/);
  assert.equal(events[1][2], "rate_limited");
});
