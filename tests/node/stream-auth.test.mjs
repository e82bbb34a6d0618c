// Authentication: refusals reach handlers as `error` responses and onAuthFailed once per
// connection without a reconnect loop; filters choose the private data; and the API secret
// never shows anywhere a user or a log could see it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { StreamError } from "maicoin-ws";
import { simulator, requestLog, requestsOf, startStream, until, tickUntil, within, FAST } from "./harness.mjs";

const trade = (market) => ({ channel: "trade", market });

const REFUSALS = [
  { code: "E-1007", why: "a wrong secret", sim: {}, secret: "not-the-secret" },
  { code: "E-1006", why: "a nonce the server finds too far off", sim: { nonceWindowMs: 0 }, secret: "test-secret" },
];

for (const { code, why, sim: simOptions, secret } of REFUSALS) {
  test(`auth refused for ${why} (${code}): an error response, onAuthFailed once per connection, no reconnect loop`, async (t) => {
    const sim = await simulator(t, simOptions);
    const log = requestLog(sim);
    const failures = [];
    const errors = [];
    const trades = [];
    const { stream } = startStream(t, {
      uri: sim.url,
      apiKey: "test-key",
      apiSecret: secret,
      onAuthFailed: (error, response) => failures.push([error, response]),
    });
    stream.subscribe([trade("btcusdt")]);
    stream.addHandler((r) => {
      if (r.event === "error") errors.push(r);
      if (r.channel === "trade") trades.push(r.event);
    });

    await until(() => failures.length === 1 && trades.length === 1, "the refusal and the public snapshot");
    const [auth] = requestsOf(log, "auth");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].id, auth.id, "the error answers the auth request");
    assert.match(errors[0].errors[0], new RegExp(`^${code}`));
    const [error, response] = failures[0];
    assert.ok(error instanceof StreamError);
    assert.equal(error.code, "auth_refused");
    assert.match(error.message, new RegExp(code));
    assert.equal(response, errors[0], "onAuthFailed gets the response the handlers got");

    // The connection stays up for public data: no reconnect was tried for the refusal.
    await tickUntil(sim, () => trades.length === 2, "a public update after the refusal");
    assert.equal(sim.stats.connections, 1);
    assert.equal(stream.state, "connected");

    // Each new connection tries again, with a fresh nonce, and reports its own refusal once.
    sim.dropAll();
    await until(() => failures.length === 2 && trades.length === 3, "the second connection's refusal");
    assert.equal(sim.stats.connections, 2);
    assert.equal(sim.stats.authFailed, 2);
    const [first, second] = requestsOf(log, "auth");
    assert.ok(second.nonce > first.nonce);
  });
}

test("authFilters choose which private snapshots arrive", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const events = [];
  const { stream } = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: "test-secret", authFilters: ["order", "account"] });
  stream.addHandler((r) => events.push(r.event));
  await until(() => events.length === 3, "authenticated and two snapshots");
  assert.deepEqual(requestsOf(log, "auth")[0].filters, ["order", "account"]);
  assert.deepEqual(events, ["authenticated", "order_snapshot", "account_snapshot"]);
  assert.equal(sim.stats.authOk, 1);
});

test("the API secret never appears in the stream's text forms, callbacks, errors or console output", async (t) => {
  const SECRET = "sEcReT-7f3a9c-never-print-me";
  const OTHER = "0ther-s3cret-b1b2b3-wrong";
  // A rough connection: broken frames, unknown events, drops.
  const sim = await simulator(t, { apiSecret: SECRET, garbageProbability: 0.3, unknownEventProbability: 0.3 });
  const seen = [];
  const record =
    (name) =>
    (...args) =>
      seen.push([name, ...args]);
  const callbacks = (name) =>
    Object.fromEntries(
      ["onConnected", "onDisconnected", "onReconnecting", "onPermanentFailure", "onDecodeError", "onAuthFailed", "onStateChange"].map((cb) => [
        cb,
        record(`${name}.${cb}`),
      ]),
    );
  const consoleMethods = ["log", "info", "warn", "error", "debug"];
  const saved = consoleMethods.map((m) => console[m]);
  t.after(() => consoleMethods.forEach((m, i) => (console[m] = saved[i])));
  consoleMethods.forEach((m) => (console[m] = record(`console.${m}`)));

  // One stream with the right secret (task mode, a handler that fails, no onHandlerError: the
  // failure is logged), one with a wrong one (inline: its handler's failure ends connections).
  const policy = { ...FAST, maxRetries: 2 };
  const good = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: SECRET, dispatch: "task", reconnectPolicy: policy, ...callbacks("good") });
  const bad = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: OTHER, reconnectPolicy: policy, ...callbacks("bad") });
  let failedOnce = false;
  good.stream.addHandler((r) => {
    seen.push(["good.handler", r]);
    if (r.channel === "trade") throw new Error(`handler failure on ${r.event}`);
  });
  bad.stream.addHandler((r) => {
    seen.push(["bad.handler", r]);
    if (r.event === "error" && !failedOnce) {
      failedOnce = true;
      throw new Error("handler failure on the refusal");
    }
  });
  for (const { stream } of [good, bad]) stream.subscribe([trade("btcusdt"), { channel: "book", market: "ethusdt", depth: 5 }]);

  const count = (name) => seen.filter(([n]) => n === name).length;
  await until(() => count("good.onConnected") === 1 && count("bad.onAuthFailed") === 2, "both streams running, the bad one refused twice");
  sim.tick();
  sim.dropAll();
  await until(() => count("good.onConnected") === 2 && count("bad.onAuthFailed") === 3, "both streams back after a drop");
  // The texts are taken while the streams live and know their credentials.
  const texts = [good, bad].flatMap(({ stream }) => [
    String(stream),
    JSON.stringify(stream),
    inspect(stream, { showHidden: true, depth: Infinity, getters: true }),
    inspect(stream.requests, { depth: Infinity }),
    JSON.stringify(stream.status),
  ]);
  // Then the server goes away for good, so both give up and reject.
  await sim.close();
  const outcomes = await within(Promise.all([good.ended, bad.ended]), "both streams to give up");
  consoleMethods.forEach((m, i) => (console[m] = saved[i]));

  assert.ok(count("good.onDecodeError") > 0, "broken frames were met");
  assert.ok(count("console.error") > 0, "the failing task handler was logged");
  assert.equal(count("good.onPermanentFailure"), 1);
  assert.equal(count("bad.onPermanentFailure"), 1);
  assert.ok(outcomes.every((o) => o.rejected instanceof Error));
  const everything = [...texts, ...seen.flatMap((entry) => entry.map(deepText)), ...outcomes.map((o) => deepText(o.rejected))].join("\n");
  assert.ok(texts.some((text) => text.includes("test-key")), "the texts are real: the key is there");
  assert.ok(!everything.includes(SECRET), "the secret leaked");
  assert.ok(!everything.includes(OTHER), "the wrong secret leaked");
});

/** Everything of a value a person could get to see: its inspection, and an error's stack. */
function deepText(value) {
  const parts = [inspect(value, { showHidden: true, depth: Infinity, getters: true })];
  if (value instanceof Error) parts.push(String(value.stack), String(value.message));
  return parts.join("\n");
}
