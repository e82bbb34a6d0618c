// Stream construction: defaults, option checks that fail at the call that got the bad value,
// fromEnv, the request plan (auth first, fresh signature), and what connectFactory receives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { Stream, ReconnectPolicy, MAX_WS_URI, Action } from "maicoin-ws";
import { simulator, requestLog, requestsOf, startStream, until, within } from "./harness.mjs";

const trade = (market) => ({ channel: "trade", market });

/** Runs `fn` with environment variables set (undefined: unset), restoring them afterwards. */
function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

test("a stream built without options is idle, public, inline, and aims at MAX", () => {
  const stream = withEnv({ MAX_WS_URI: undefined }, () => new Stream());
  assert.equal(stream.state, "idle");
  assert.deepEqual(stream.status, { state: "idle", reconnects: 0, frames: 0, lastFrameAt: null });
  assert.deepEqual(stream.subscriptions, []);
  assert.deepEqual(stream.requests, [], "no credentials and no subscriptions: nothing to send");
  assert.deepEqual(JSON.parse(JSON.stringify(stream)), { uri: MAX_WS_URI, state: "idle", subscriptions: [], authenticated: false });
  assert.equal(String(stream), `Stream(${MAX_WS_URI}, idle)`);
  // inline is the default mode, so there is no queue to read.
  assert.throws(() => stream.responses(), /dispatch: "queue"/);
});

test("the reconnect policy defaults to the Python package's", () => {
  assert.deepEqual({ ...new ReconnectPolicy() }, { enabled: true, maxRetries: null, baseDelay: 1, maxDelay: 30, jitter: 1 });
});

test("in Node the MAX_WS_URI environment variable overrides the default endpoint, not an explicit uri", async (t) => {
  const sim = await simulator(t);
  const viaEnv = withEnv({ MAX_WS_URI: sim.url }, () => new Stream());
  assert.equal(JSON.parse(JSON.stringify(viaEnv)).uri, sim.url);
  const explicit = withEnv({ MAX_WS_URI: sim.url }, () => new Stream({ uri: "ws://127.0.0.1:1/ws" }));
  assert.equal(JSON.parse(JSON.stringify(explicit)).uri, "ws://127.0.0.1:1/ws");

  // And the stream really goes there.
  let connected = 0;
  const { stream } = withEnv({ MAX_WS_URI: sim.url }, () => startStream(t, { onConnected: () => connected++ }));
  await until(() => connected === 1 && sim.stats.connections === 1, "a connection to the simulator");
  assert.equal(stream.state, "connected");
});

test("bad options throw at construction, naming the option", () => {
  const cases = [
    [{ uri: "http://example.com/ws" }, TypeError, /^uri /],
    [{ uri: 42 }, TypeError, /^uri /],
    [{ dispatch: "sync" }, RangeError, /^dispatch must be one of inline, task, queue/],
    [{ connectFactory: "ws" }, TypeError, /^connectFactory /],
    [{ keepaliveInterval: 0 }, RangeError, /^keepaliveInterval /],
    [{ keepaliveInterval: Number.NaN }, RangeError, /^keepaliveInterval /],
    [{ requestLimits: { perSecond: 0, perMinute: 10 } }, RangeError, /^requestLimits /],
    [{ connectionLimits: { perHour: 1.5, perDay: 3 } }, RangeError, /^connectionLimits /],
    [{ onConnected: "yes" }, TypeError, /^onConnected /],
    [{ onDecodeError: {} }, TypeError, /^onDecodeError /],
    [{ reconnectPolicy: { baseDelay: -1 } }, RangeError, /baseDelay/],
    [{ reconnectPolicy: { maxRetries: 1.5 } }, RangeError, /maxRetries/],
    [{ reconnectPolicy: { jitter: "1" } }, TypeError, /jitter/],
    [{ apiKey: "k", apiSecret: "s", authFilters: "order" }, TypeError, /filters/],
    [{ apiKey: "k", apiSecret: "s", authFilters: ["order", "nope"] }, RangeError, /filters\[1\].*nope/],
  ];
  for (const [options, type, message] of cases) {
    assert.throws(() => new Stream(options), (error) => error instanceof type && message.test(error.message), JSON.stringify(options));
  }
});

test("invalid subscriptions throw at subscribe(), naming the field, and change nothing", () => {
  const stream = new Stream();
  const cases = [
    [undefined, TypeError, /^subscriptions/],
    [[{ channel: "book", market: "btcusdt", depth: 7 }], RangeError, /subscriptions\[0\]\.depth/],
    [[trade("btcusdt"), { channel: "nope", market: "btcusdt" }], RangeError, /subscriptions\[1\]\.channel/],
    [[{ channel: "trade" }], TypeError, /subscriptions\[0\]\.market/],
    [[{ channel: "kline", market: "btcusdt", resolution: "7m" }], RangeError, /subscriptions\[0\]\.resolution/],
    [[{ channel: "pool_quota" }], TypeError, /subscriptions\[0\]\.currency/],
  ];
  for (const [list, type, message] of cases) {
    assert.throws(() => stream.subscribe(list), (error) => error instanceof type && message.test(error.message), JSON.stringify(list));
    assert.throws(() => stream.unsubscribe(list), (error) => error instanceof type && message.test(error.message), JSON.stringify(list));
  }
  assert.deepEqual(stream.subscriptions, [], "a list with one bad entry is refused whole");
  assert.throws(() => stream.addHandler("not a function"), TypeError);
  assert.throws(() => stream.book("btcusdt", { depth: 7 }), (error) => error instanceof RangeError && /depth/.test(error.message));
  assert.throws(() => stream.book(42), TypeError);
});

test("fromEnv names the missing variable, and takes the credentials from the environment", () => {
  withEnv({ MAX_API_KEY: undefined, MAX_API_SECRET: undefined }, () => {
    assert.throws(() => Stream.fromEnv(), { name: "Error", message: "MAX_API_KEY is not set" });
  });
  withEnv({ MAX_API_KEY: "env-key", MAX_API_SECRET: undefined }, () => {
    assert.throws(() => Stream.fromEnv(), { message: "MAX_API_SECRET is not set" });
  });
  withEnv({ MAX_API_KEY: undefined, MAX_API_SECRET: "env-secret" }, () => {
    assert.throws(() => Stream.fromEnv(), { message: "MAX_API_KEY is not set" });
  });
  const stream = withEnv({ MAX_API_KEY: "env-key", MAX_API_SECRET: "env-secret" }, () => Stream.fromEnv({ authFilters: ["order"] }));
  const [auth] = stream.requests;
  assert.equal(auth.action, Action.AUTH);
  assert.equal(auth.apiKey, "env-key");
  assert.deepEqual(auth.filters, ["order"], "the other options are kept");
  assert.equal(auth.signature, createHmac("sha256", "env-secret").update(String(auth.nonce)).digest("hex"));
});

test("requests lists auth first, signed with a current nonce, then the subscriptions", () => {
  const stream = new Stream({ apiKey: "test-key", apiSecret: "test-secret", authFilters: ["order", "account"] });
  stream.subscribe([trade("btcusdt"), { channel: "ticker", market: "ethusdt" }]);
  const before = Date.now();
  const requests = stream.requests;
  assert.deepEqual(
    requests.map((r) => r.action),
    ["auth", "sub"],
  );
  const [auth, sub] = requests;
  assert.ok(auth.nonce >= before && auth.nonce <= Date.now(), "the nonce is now, in ms");
  assert.equal(auth.signature, createHmac("sha256", "test-secret").update(String(auth.nonce)).digest("hex"));
  assert.deepEqual(auth.filters, ["order", "account"]);
  assert.deepEqual(sub.subscriptions, [trade("btcusdt"), { channel: "ticker", market: "ethusdt" }]);
  assert.equal(typeof JSON.parse(sub.message()).id, "string");
});

test("credentials given to auth() count like the constructor's; missing ones mean a public stream", () => {
  const stream = new Stream();
  stream.auth("", "");
  stream.auth("test-key", undefined);
  assert.deepEqual(stream.requests, []);
  assert.equal(JSON.parse(JSON.stringify(stream)).authenticated, false);
  stream.auth("test-key", "test-secret", { filters: ["trade"] });
  assert.equal(stream.requests[0].action, "auth");
  assert.deepEqual(stream.requests[0].filters, ["trade"]);
  assert.equal(JSON.parse(JSON.stringify(stream)).authenticated, true);
});

test("subscribe and unsubscribe before run() are merged into what the first connection sends", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const stream = new Stream({ uri: sim.url });
  stream.subscribe([trade("btcusdt"), trade("ethusdt")]);
  stream.subscribe([trade("btcusdt")]); // already there: no duplicate
  stream.unsubscribe([trade("ethusdt"), trade("usdttwd")]); // the second was never subscribed
  stream.subscribe([{ channel: "kline", market: "btctwd", resolution: "1h" }]);
  assert.deepEqual(stream.subscriptions, [trade("btcusdt"), { channel: "kline", market: "btctwd", resolution: "1h" }]);

  const answers = [];
  stream.addHandler((r) => r.event === "subscribed" && answers.push(r));
  const run = stream.run();
  t.after(async () => {
    stream.close();
    await run;
  });
  await until(() => answers.length === 1, "the first subscribed answer");
  assert.deepEqual(requestsOf(log, "sub")[0].subscriptions, stream.subscriptions);
  // Requests are answered in order, so once a later one is answered, all before it were seen:
  // nothing but the one sub went out for the calls made before run().
  stream.subscribe([trade("ethtwd")]);
  await until(() => answers.length === 2, "the second subscribed answer");
  assert.deepEqual(
    log.map((e) => [e.request.action, e.request.subscriptions]),
    [
      ["sub", [trade("btcusdt"), { channel: "kline", market: "btctwd", resolution: "1h" }]],
      ["sub", [trade("ethtwd")]],
    ],
  );
});

test("while connected, subscribe and unsubscribe are sent at once", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const answers = [];
  let connected = 0;
  const { stream } = startStream(t, { uri: sim.url, onConnected: () => connected++ });
  stream.addHandler((r) => {
    if (r.event === "subscribed" || r.event === "unsubscribed") answers.push(r);
  });
  await until(() => connected === 1, "the connection");
  assert.equal(log.length, 0, "nothing to send on a connection without subscriptions");

  stream.subscribe([trade("btcusdt")]);
  await until(() => answers.length === 1, "the subscribed answer");
  assert.deepEqual(requestsOf(log, "sub")[0].subscriptions, [trade("btcusdt")]);

  stream.unsubscribe([trade("btcusdt")]);
  await until(() => answers.length === 2, "the unsubscribed answer");
  assert.equal(answers[1].event, "unsubscribed");
  // The wire's singular `subscription` key: the simulator refuses anything else with an error.
  assert.match(log[1].text, /"subscription":\[/);
  assert.deepEqual(requestsOf(log, "unsub")[0].subscriptions, [trade("btcusdt")]);
  assert.deepEqual(stream.subscriptions, []);
  assert.equal(sim.stats.connections, 1);
});

test("connectFactory is called with the uri and connectOptions, and its socket is used", async (t) => {
  const sim = await simulator(t);
  const calls = [];
  const connectOptions = { headers: { "x-test": "from-factory" } };
  let connected = 0;
  startStream(t, {
    uri: sim.url,
    connectOptions,
    connectFactory: (uri, options) => {
      calls.push([uri, options]);
      return new WebSocket(uri, options);
    },
    onConnected: () => connected++,
  });
  const headers = new Promise((resolve) => sim.once("connection", (e) => resolve(e.headers)));
  await until(() => connected === 1, "the connection");
  assert.equal(calls.length, 1);
  assert.equal(calls[0][0], sim.url);
  assert.equal(calls[0][1], connectOptions, "the very object given as connectOptions");
  assert.equal((await within(headers, "the connection event"))["x-test"], "from-factory");
});

test("the default Node factory hands connectOptions to ws", async (t) => {
  const sim = await simulator(t);
  const headers = new Promise((resolve) => sim.once("connection", (e) => resolve(e.headers)));
  startStream(t, { uri: sim.url, connectOptions: { headers: { "x-client": "maicoin-ws-test" } } });
  assert.equal((await within(headers, "a connection"))["x-client"], "maicoin-ws-test");
});

test("run() twice on one stream rejects the second call", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  await assert.rejects(stream.run(), /already running/);
});
