// The local MAX simulator (sim/) against docs/PROTOCOL.md and the documented
// fixtures, driven by a raw `ws` client. Market data comes from `sim.tick()`
// (tickMs: 0), so every run sees the same data.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { startSimulator } from "../../sim/server.js";
import { sign } from "../../sim/auth.js";
import { hmac, inbound } from "../support/fixtures.mjs";
import { ReferenceBook } from "../support/reference-book.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "sim", "cli.js");
const WAIT_MS = 5000;

const fixtureEvents = () => new Map(inbound.map(({ name, wire }) => [name, structuredClone(wire)]));

// A raw client that records every frame and lets a test wait for the next
// one matching a predicate, in arrival order.
class Client {
  constructor(ws) {
    this.ws = ws;
    this.frames = []; // { text, json } where json is null for a non-JSON frame
    this.cursor = 0;
    this.waiters = new Set();
    this.pings = 0;
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const waiter of this.waiters) waiter.check();
      });
    });
    ws.on("message", (data) => {
      const text = data.toString();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {}
      this.frames.push({ text, json });
      for (const waiter of this.waiters) waiter.check();
    });
  }

  static async connect(url, options = {}) {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new Client(ws);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return client;
  }

  send(message) {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  // The next JSON frame after the last one waited for that satisfies `match`.
  next(match, what = "a matching frame", timeoutMs = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          for (let i = this.cursor; i < this.frames.length; i++) {
            const { json } = this.frames[i];
            if (json !== null && match(json)) {
              this.cursor = i + 1;
              done();
              resolve(json);
              return;
            }
          }
          if (this.ws.readyState === WebSocket.CLOSED) {
            done();
            reject(new Error(`connection closed while waiting for ${what}`));
          }
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  request(message) {
    this.send(message);
    return this.next((f) => f.i === message.id, `an answer to ${message.id}`);
  }

  // Frames are delivered in order, so once the pong to a fresh ping is in,
  // everything the server sent before it is too. Returns those frames.
  async sync() {
    const from = this.cursor;
    const id = `sync-${++this.pings}`;
    this.send({ action: "ping", id });
    await this.next((f) => f.e === "pong" && f.i === id, "the sync pong");
    return this.frames.slice(from, this.cursor - 1).map((f) => f.json);
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}

// Start a simulator for one test, stopped when the test ends.
async function simulator(t, options = {}) {
  const sim = await startSimulator({ tickMs: 0, ...options });
  t.after(() => sim.close());
  return sim;
}

async function client(t, sim, options) {
  const c = await Client.connect(sim.url, options);
  t.after(() => c.ws.terminate());
  return c;
}

function authRequest({ key = "test-key", secret = "test-secret", nonce = Date.now(), id = "auth-1", filters } = {}) {
  const request = { action: "auth", apiKey: key, nonce, signature: hmacHex(secret, nonce), id };
  if (filters) request.filters = filters;
  return request;
}

function hmacHex(secret, nonce) {
  return createHmac("sha256", secret).update(String(nonce)).digest("hex");
}

const keys = (object) => Object.keys(object).filter((k) => k !== "sq").sort();

const sub = (id, subscriptions) => ({ action: "sub", id, subscriptions });

// --- requests and answers -------------------------------------------------

test("sub is answered `subscribed` echoing the subscriptions and the id, then one snapshot each", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const subscriptions = [
    { channel: "book", market: "btcusdt", depth: 5 },
    { channel: "trade", market: "btcusdt" },
    { channel: "ticker", market: "ethtwd" },
    { channel: "kline", market: "ethusdt", resolution: "5m" },
    { channel: "market_status" },
    { channel: "pool_quota", currency: "usdt" },
  ];
  const answer = await c.request(sub("s-1", subscriptions));
  assert.equal(answer.e, "subscribed");
  assert.deepEqual(answer.s, subscriptions);
  assert.equal(typeof answer.T, "number");
  const snapshots = await c.sync();
  assert.deepEqual(
    snapshots.map((f) => [f.e, f.c, f.M ?? f.qta?.cu ?? null]),
    [
      ["snapshot", "book", "btcusdt"],
      ["snapshot", "trade", "btcusdt"],
      ["snapshot", "ticker", "ethtwd"],
      ["snapshot", "kline", "ethusdt"],
      ["snapshot", "market_status", null],
      ["snapshot", "pool_quota", "usdt"],
    ],
  );
  const [book, , ticker, kline, status] = snapshots;
  assert.equal(book.a.length, 5);
  assert.equal(book.b.length, 5);
  assert.equal(book.fi, book.li);
  const truth = sim.bookAt("btcusdt", 5, book.li);
  assert.deepEqual([book.a, book.b, book.v], [truth.asks, truth.bids, truth.version]);
  assert.equal(ticker.tk.M, "ethtwd");
  assert.equal(kline.k.R, "5m");
  assert.equal(kline.k.ST % 300_000, 0, "5m candles start on a 5-minute boundary");
  assert.equal(kline.k.ET, kline.k.ST + 299_999);
  assert.equal(kline.k.x, false);
  assert.deepEqual(
    status.ms.map((m) => m.M),
    ["btcusdt", "ethusdt", "btctwd", "ethtwd", "usdttwd"],
  );
});

test("the long action names subscribe, unsubscribe and authenticate are accepted", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const list = [{ channel: "ticker", market: "btcusdt" }];
  assert.equal((await c.request({ action: "subscribe", id: "l-1", subscriptions: list })).e, "subscribed");
  assert.equal((await c.request({ action: "unsubscribe", id: "l-2", subscription: list })).e, "unsubscribed");
  assert.equal((await c.request({ ...authRequest(), action: "authenticate" })).e, "authenticated");
});

test("unsub takes the singular key `subscription` and stops the channel's data", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const list = [
    { channel: "book", market: "btctwd", depth: 1 },
    { channel: "trade", market: "btctwd" },
  ];
  await c.request(sub("u-1", list));
  const plural = await c.request({ action: "unsub", id: "u-2", subscriptions: list });
  assert.equal(plural.e, "error");
  assert.match(plural.E[0], /^E-1004: /);
  const answer = await c.request({ action: "unsub", id: "u-3", subscription: list });
  assert.deepEqual(answer.s, list);
  assert.equal(answer.e, "unsubscribed");
  await c.sync();
  for (let i = 0; i < 20; i++) sim.tick();
  const after = await c.sync();
  assert.deepEqual(after, [], "no data after unsubscribing");
});

test("ping is answered by pong with the request id", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const pong = await c.request({ action: "ping", id: "p-7" });
  assert.deepEqual(keys(pong), ["T", "e", "i"]);
  assert.equal(pong.e, "pong");
  assert.equal(pong.i, "p-7");
});

test("requests without id (MAX's official client sends none) are answered without i", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const answerTo = async (message, event) => {
    c.send(message);
    const frame = await c.next((f) => f.e === event, `the ${event} answer`);
    assert.ok(!("i" in frame), `${event} has no i: ${JSON.stringify(frame)}`);
    return frame;
  };
  const subscribed = await answerTo({ subscriptions: [{ market: "btcusdt", channel: "ticker" }], action: "sub" }, "subscribed");
  assert.deepEqual(subscribed.s, [{ market: "btcusdt", channel: "ticker" }]);
  await answerTo({ action: "ping" }, "pong");
  const nonce = Date.now();
  await answerTo({ nonce, signature: hmacHex("test-secret", nonce), apiKey: "test-key", action: "auth" }, "authenticated");
  const refused = await answerTo({ action: "dance" }, "error");
  assert.deepEqual(refused.E, ["E-1004: invalid action"]);
  await answerTo({ action: "unsub", subscription: [{ channel: "ticker", market: "btcusdt" }] }, "unsubscribed");
  assert.equal(sim.stats.authOk, 1);
});

test("invalid JSON is answered E-1005, an unknown action E-1004 with the id", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  c.send("{not json");
  const bad = await c.next((f) => f.e === "error", "the E-1005 error");
  assert.deepEqual(bad.E, ["E-1005: invalid json"]);
  assert.equal(bad.i, undefined);
  const unknown = await c.request({ action: "dance", id: "x-1" });
  assert.deepEqual(unknown.E, ["E-1004: invalid action"]);
  assert.equal(unknown.e, "error");
});

test("invalid subscriptions are answered E-1004 and subscribe nothing", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const invalid = [
    { channel: "orders", market: "btcusdt" },
    { channel: "book" },
    { channel: "book", market: "btcusdt", depth: 3 },
    { channel: "book", market: "nosuchmarket" },
    { channel: "kline", market: "btcusdt", resolution: "3m" },
    { channel: "trade" },
    { channel: "pool_quota" },
  ];
  let n = 0;
  for (const bad of invalid) {
    const answer = await c.request(sub(`bad-${++n}`, [{ channel: "ticker", market: "btcusdt" }, bad]));
    assert.equal(answer.e, "error", JSON.stringify(bad));
    assert.match(answer.E[0], /^E-1004: invalid action/);
  }
  sim.tick();
  assert.deepEqual(await c.sync(), [], "the valid ticker in the refused requests was not subscribed");
});

test("a kline candle ends with an x: true update and the next one starts at its end", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  await c.request(sub("kl-1", [{ channel: "kline", market: "btcusdt", resolution: "1m" }]));
  const { k: first } = await c.next((f) => f.e === "snapshot", "the kline snapshot");
  sim.tick(first.ET + 1);
  const frames = (await c.sync()).filter((f) => f.c === "kline");
  const closing = frames.find((f) => f.k.x);
  assert.ok(closing, "a closing update");
  assert.equal(closing.k.ST, first.ST);
  const next = frames.at(-1).k;
  assert.equal(next.x, false);
  assert.equal(next.ST, first.ET + 1);
  assert.equal(next.O, closing.k.C, "the next candle opens at the last close");
  for (const k of [closing.k, next]) {
    assert.ok(Number(k.H) >= Math.max(Number(k.O), Number(k.C)) && Number(k.L) <= Math.min(Number(k.O), Number(k.C)));
  }
});

// --- payload shapes against the fixtures ------------------------------------

test("public frames have the documented keys", async (t) => {
  const fixtures = fixtureEvents();
  const sim = await simulator(t);
  const c = await client(t, sim);
  await c.request(
    sub("k-1", [
      { channel: "book", market: "btcusdt" },
      { channel: "trade", market: "btcusdt" },
      { channel: "ticker", market: "btcusdt" },
      { channel: "kline", market: "btcusdt" },
      { channel: "market_status" },
      { channel: "pool_quota", currency: "btc" },
    ]),
  );
  for (let i = 0; i < 200; i++) sim.tick();
  const frames = await c.sync();
  const seen = new Map(frames.map((f) => [`${f.c}_${f.e}`, f]));
  const expected = {
    book_snapshot: "book_snapshot",
    book_update: "book_update",
    trade_snapshot: "trade_snapshot",
    trade_update: "trade_update",
    ticker_snapshot: "ticker_snapshot",
    ticker_update: "ticker_update",
    kline_snapshot: "kline_snapshot",
    kline_update: "kline_update",
    market_status_snapshot: "market_status_update",
    pool_quota_snapshot: "pool_quota_snapshot",
    pool_quota_update: "pool_quota_update",
  };
  for (const [kind, fixtureName] of Object.entries(expected)) {
    const frame = seen.get(kind);
    assert.ok(frame, `the simulator sent a ${kind}`);
    const fixture = fixtures.get(fixtureName);
    assert.deepEqual(keys(frame), keys(fixture), kind);
    for (const key of ["tk", "k", "qta"]) if (fixture[key]) assert.deepEqual(keys(frame[key]), keys(fixture[key]), `${kind}.${key}`);
    for (const key of ["t", "ms"]) if (fixture[key]) assert.deepEqual(keys(frame[key][0]), keys(fixture[key][0]), `${kind}.${key}[0]`);
  }
  const price = /^\d+\.\d{2}$/;
  const book = seen.get("book_snapshot");
  assert.ok(book.a.every(([p, v]) => price.test(p) && /^\d+(\.\d+)?$/.test(v)), "btcusdt prices have 2 decimals");
});

test("auth with the default filters sends order, trade and account snapshots, then their updates", async (t) => {
  const fixtures = fixtureEvents();
  const sim = await simulator(t);
  const c = await client(t, sim);
  const answer = await c.request(authRequest({ id: "client-id" }));
  assert.deepEqual(keys(answer), ["T", "e", "i"]);
  assert.equal(answer.e, "authenticated");
  const snapshots = await c.sync();
  assert.deepEqual(
    snapshots.map((f) => [f.c, f.e]),
    [
      ["user", "order_snapshot"],
      ["user", "trade_snapshot"],
      ["user", "account_snapshot"],
    ],
  );
  for (let i = 0; i < 200; i++) sim.tick();
  const updates = await c.sync();
  const events = new Set(updates.map((f) => f.e));
  assert.deepEqual([...events].sort(), ["account_update", "order_update", "trade_update"]);
  assert.ok(updates.every((f) => f.c === "user"));
  {
    for (const frame of [...snapshots, ...updates]) assertLikeFixture(frame, fixtures);
  }
  assert.equal(sim.stats.authOk, 1);
});

test("auth filters select private events; fast trades lack f, fc and fd", async (t) => {
  const fixtures = fixtureEvents();
  const sim = await simulator(t);
  const c = await client(t, sim);
  const filters = [
    "trade_update",
    "fast_trade_update",
    "mwallet_order",
    "mwallet_trade",
    "mwallet_fast_trade_update",
    "mwallet_account",
    "ad_ratio",
    "borrowing",
  ];
  await c.request(authRequest({ filters }));
  const snapshots = await c.sync();
  assert.deepEqual(
    snapshots.map((f) => f.e),
    ["mwallet_order_snapshot", "mwallet_trade_snapshot", "mwallet_account_snapshot", "ad_ratio_snapshot", "borrowing_snapshot"],
    "trade_update and the fast filters have no snapshot",
  );
  for (let i = 0; i < 300; i++) sim.tick();
  const updates = await c.sync();
  const events = new Set(updates.map((f) => f.e));
  assert.deepEqual([...events].sort(), [
    "ad_ratio_update",
    "borrowing_update",
    "fast_trade_update",
    "mwallet_account_update",
    "mwallet_fast_trade_update",
    "mwallet_order_update",
    "mwallet_trade_update",
    "trade_update",
  ]);
  for (const frame of updates.filter((f) => f.e.endsWith("fast_trade_update"))) {
    for (const trade of frame.t) for (const k of ["f", "fc", "fd"]) assert.equal(k in trade, false);
  }
  for (const frame of [...snapshots, ...updates]) assertLikeFixture(frame, fixtures);
});

// A private frame has the keys of its documented example, and so does its
// first payload object. (The fixtures name private trades `*_private`.)
function assertLikeFixture(frame, fixtures) {
  const fixture = fixtures.get(frame.e) && fixtures.get(frame.e).c === "user" ? fixtures.get(frame.e) : fixtures.get(`${frame.e}_private`);
  assert.ok(fixture, `a fixture for ${frame.e}`);
  assert.deepEqual(keys(frame), keys(fixture), frame.e);
  const key = ["o", "t", "B", "ad", "db"].find((k) => k in fixture);
  const first = Array.isArray(frame[key]) ? frame[key][0] : frame[key];
  const expected = Array.isArray(fixture[key]) ? fixture[key][0] : fixture[key];
  if (first) assert.deepEqual(keys(first), keys(expected), `${frame.e}.${key}`);
}

// --- authentication ------------------------------------------------------------

test("the signature is lowercase hex HMAC-SHA256 of the nonce's decimal string (fixture vector)", (t) => {
  const vector = hmac;
  assert.equal(hmacHex(vector.secret, vector.nonce), vector.signature);
  assert.equal(sign(vector.secret, vector.nonce), vector.signature);
});

test("a wrong signature or key is refused E-1007", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const wrongSecret = await c.request(authRequest({ secret: "not-the-secret", id: "a-1" }));
  assert.deepEqual(wrongSecret.E, ["E-1007: authentication failed"]);
  const wrongKey = await c.request(authRequest({ key: "other-key", id: "a-2" }));
  assert.deepEqual(wrongKey.E, ["E-1007: authentication failed"]);
  assert.equal(sim.stats.authFailed, 2);
  assert.equal(sim.stats.authOk, 0);
});

test("a nonce 30 s or more off the server clock is refused E-1006", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  const old = await c.request(authRequest({ nonce: Date.now() - 31_000, id: "n-1" }));
  assert.deepEqual(old.E, ["E-1006: invalid nonce (difference of 30 seconds or more)"]);
  const future = await c.request(authRequest({ nonce: Date.now() + 31_000, id: "n-2" }));
  assert.deepEqual(future.E, ["E-1006: invalid nonce (difference of 30 seconds or more)"]);
  const fresh = await c.request(authRequest({ nonce: Date.now() - 5_000, id: "n-3" }));
  assert.equal(fresh.e, "authenticated");
});

test("a nonce used before, even on another connection, is refused E-1012", async (t) => {
  const sim = await simulator(t);
  const nonce = Date.now();
  const first = await client(t, sim);
  assert.equal((await first.request(authRequest({ nonce, id: "r-1" }))).e, "authenticated");
  await first.close();
  const second = await client(t, sim);
  const reused = await second.request(authRequest({ nonce, id: "r-2" }));
  assert.deepEqual(reused.E, ["E-1012: nonce has already been used"]);
  assert.equal((await second.request(authRequest({ nonce: nonce + 1, id: "r-3" }))).e, "authenticated");
  assert.equal(sim.stats.authOk, 2);
  assert.equal(sim.stats.authFailed, 1);
});

// --- the book ------------------------------------------------------------------

test("a book kept by docs/PROTOCOL.md's rules equals the simulator's book at every li", async (t) => {
  const sim = await simulator(t, { seed: 7 });
  const depths = { btcusdt: 1, ethusdt: 5, btctwd: 20, usdttwd: 50 };
  const c = await client(t, sim);
  await c.request(sub("b-1", Object.entries(depths).map(([market, depth]) => ({ channel: "book", market, depth }))));
  const books = new Map(Object.keys(depths).map((m) => [m, new ReferenceBook()]));
  const check = (frames) => {
    for (const frame of frames.filter((f) => f.c === "book")) {
      const local = books.get(frame.M);
      const previousLi = local.li;
      assert.equal(local.apply(frame), "applied", `${frame.M} ${frame.e} fi=${frame.fi} li=${frame.li}`);
      if (frame.e === "update") {
        assert.ok(frame.fi <= previousLi + 1 && frame.fi <= frame.li, "fi chains from the last li");
        assert.ok(frame.a.length + frame.b.length > 0, "no empty updates without a version change");
      }
      const byPrice = (side, sign) => side.every((l, i) => i === 0 || sign * (Number(l[0]) - Number(side[i - 1][0])) > 0);
      assert.ok(byPrice(frame.a, 1) && byPrice(frame.b, -1), "asks ascending, bids descending");
      const truth = sim.bookAt(frame.M, depths[frame.M], frame.li);
      assert.deepEqual(local.levels(), { asks: truth.asks, bids: truth.bids }, `${frame.M} at li ${frame.li}`);
      assert.equal(frame.v, truth.version);
      const { asks, bids } = local.levels();
      assert.ok(Number(asks[0][0]) > Number(bids[0][0]), "never crossed");
    }
  };
  check(await c.sync());
  for (let i = 0; i < 250; i++) sim.tick();
  const frames = await c.sync();
  assert.ok(frames.filter((f) => f.e === "update").length > 400, "updates flowed");
  assert.ok(frames.some((f) => f.fi < f.li), "some updates span several ids");
  check(frames);
  for (const [market, depth] of Object.entries(depths)) {
    const now = sim.book(market, depth);
    assert.deepEqual(books.get(market).levels(), { asks: now.asks, bids: now.bids }, `${market} now`);
    assert.equal(now.asks.length, depth);
    assert.equal(now.bids.length, depth);
  }
});

test("bookAt answers null outside its history", async (t) => {
  const sim = await simulator(t, { historyLimit: 50 });
  const { lastUpdateId } = sim.book("btcusdt", 5);
  assert.equal(sim.bookAt("btcusdt", 5, lastUpdateId + 1), null, "not yet happened");
  for (let i = 0; i < 100; i++) sim.tick();
  assert.equal(sim.bookAt("btcusdt", 5, lastUpdateId), null, "older than the history");
  const now = sim.book("btcusdt", 5).lastUpdateId;
  assert.ok(sim.bookAt("btcusdt", 5, now - 10));
  assert.throws(() => sim.book("nosuch", 5), RangeError);
});

test("injectGap makes the next update skip ids: fi > local li + 1", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  await c.request(sub("g-1", [{ channel: "book", market: "ethusdt", depth: 10 }]));
  const snapshot = await c.next((f) => f.e === "snapshot", "the snapshot");
  assert.equal(sim.injectGap("ethusdt"), 1);
  let update = null;
  for (let i = 0; i < 50 && !update; i++) {
    sim.tick();
    update = (await c.sync()).find((f) => f.e === "update") ?? null;
  }
  assert.ok(update, "an update arrived");
  assert.ok(update.fi > snapshot.li + 1, `gap: fi ${update.fi} after li ${snapshot.li}`);
  const local = new ReferenceBook();
  local.apply(snapshot);
  assert.equal(local.apply(update), "resync");
  assert.equal(sim.stats.gapsInjected, 1);
  // Resubscribing starts over and the chain holds again.
  await c.request(sub("g-2", [{ channel: "book", market: "ethusdt", depth: 10 }]));
  const fresh = await c.next((f) => f.e === "snapshot", "the new snapshot");
  assert.equal(local.apply(fresh), "applied");
  for (let i = 0; i < 20; i++) sim.tick();
  for (const f of await c.sync()) assert.equal(local.apply(f), "applied");
});

test("bookGapProbability: 1 turns every update into a gap", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  await c.request(sub("gp-1", [{ channel: "book", market: "btcusdt", depth: 50 }]));
  await c.sync();
  sim.setFaults({ bookGapProbability: 1 });
  for (let i = 0; i < 10; i++) sim.tick();
  assert.deepEqual(await c.sync(), []);
  assert.ok(sim.stats.gapsInjected >= 5);
  sim.setFaults({ bookGapProbability: 0 });
});

test("changeVersion: the next update carries the new v and a resubscribe gets it in its snapshot", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  await c.request(sub("v-1", [{ channel: "book", market: "btctwd", depth: 5 }]));
  const snapshot = await c.next((f) => f.e === "snapshot", "the snapshot");
  const version = sim.changeVersion("btctwd");
  assert.notEqual(version, snapshot.v);
  const [update] = await c.sync();
  assert.equal(update.e, "update");
  assert.equal(update.v, version);
  const local = new ReferenceBook();
  local.apply(snapshot);
  assert.equal(local.apply(update), "resync");
  await c.request(sub("v-2", [{ channel: "book", market: "btctwd", depth: 5 }]));
  const fresh = await c.next((f) => f.e === "snapshot", "the new snapshot");
  assert.equal(fresh.v, version);
  assert.equal(sim.book("btctwd", 5).version, version);
  assert.equal(sim.bookAt("btctwd", 5, snapshot.li).version, snapshot.v, "history keeps the old version");
});

test("versionChangeProbability: 1 changes every market's version on every tick", async (t) => {
  const sim = await simulator(t, { versionChangeProbability: 1 });
  const before = sim.book("usdttwd", 1).version;
  sim.tick();
  assert.notEqual(sim.book("usdttwd", 1).version, before);
  assert.equal(sim.stats.versionChanges, 5);
});

// --- keepalive, limits, handshakes ---------------------------------------------------

test("a connection without ping frame or ping action is closed after idleTimeoutMs; pings keep others open", async (t) => {
  const sim = await simulator(t, { idleTimeoutMs: 300, rateLimit: null });
  const framePinger = await client(t, sim);
  const actionPinger = await client(t, sim);
  const silent = await client(t, sim);
  const timers = [
    setInterval(() => framePinger.ws.ping(), 50),
    setInterval(() => actionPinger.send({ action: "ping", id: "keepalive" }), 50),
  ];
  t.after(() => timers.forEach(clearInterval));
  const closed = await silent.closed;
  assert.equal(closed.code, 1000);
  assert.match(closed.reason, /idle/);
  // A second silent connection, opened after the first was cut, is cut too:
  // by then the pinging ones have lived through two idle periods.
  const secondSilent = await client(t, sim);
  await secondSilent.closed;
  assert.equal(framePinger.ws.readyState, WebSocket.OPEN);
  assert.equal(actionPinger.ws.readyState, WebSocket.OPEN);
  assert.equal(sim.stats.idleClosed, 2);
});

test("handshakes refused by rejectHandshakes get HTTP 429 with Retry-After as a Unix time", async (t) => {
  const sim = await simulator(t, { rejectHandshakes: 2, retryAfterSec: 7 });
  const refused = () =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(sim.url);
      ws.on("unexpected-response", (req, res) => {
        resolve({ status: res.statusCode, retryAfter: res.headers["retry-after"], at: Date.now() / 1000 });
        req.destroy();
      });
      ws.on("open", () => reject(new Error("the handshake was accepted")));
      ws.on("error", () => {});
    });
  for (let i = 0; i < 2; i++) {
    const { status, retryAfter, at } = await refused();
    assert.equal(status, 429);
    assert.match(retryAfter, /^\d+$/);
    assert.ok(Number(retryAfter) >= at + 6 && Number(retryAfter) <= at + 8, `Retry-After ${retryAfter} at ${at}`);
  }
  const c = await client(t, sim);
  assert.equal((await c.request({ action: "ping", id: "after" })).e, "pong");
  assert.equal(sim.stats.handshakesRejected, 2);
  assert.deepEqual(
    sim.stats.handshakeLog.map((h) => h.rejected),
    [true, true, false],
  );
});

test("more than 20 requests a second is answered E-1011, closed 1008 and counted", async (t) => {
  const sim = await simulator(t);
  const c = await client(t, sim);
  for (let i = 1; i <= 25; i++) c.send({ action: "ping", id: `burst-${i}` });
  const error = await c.next((f) => f.e === "error", "the rate-limit error");
  assert.deepEqual(error.E, ["E-1011: too many requests"]);
  assert.equal(error.i, "burst-21");
  const closed = await c.closed;
  assert.equal(closed.code, 1008);
  const pongs = c.frames.filter((f) => f.json?.e === "pong");
  assert.equal(pongs.length, 20);
  assert.equal(sim.stats.rateViolations, 1);
  assert.ok(sim.stats.requestLog.length >= 21);
  assert.ok(sim.stats.requestLog.every((r) => r.conn === sim.stats.requestLog[0].conn && typeof r.t === "number"));
});

test("the per-minute limit counts requests from all connections together", async (t) => {
  const sim = await simulator(t, { rateLimit: { perSecond: 1000, perMinute: 30 } });
  const a = await client(t, sim);
  const b = await client(t, sim);
  for (let i = 1; i <= 15; i++) await a.request({ action: "ping", id: `a-${i}` });
  for (let i = 1; i <= 15; i++) await b.request({ action: "ping", id: `b-${i}` });
  const answer = await b.request({ action: "ping", id: "b-16" });
  assert.deepEqual(answer.E, ["E-1011: too many requests"]);
  assert.equal((await b.closed).code, 1008);
  assert.equal(a.ws.readyState, WebSocket.OPEN, "only the offending connection is closed");
  assert.equal(sim.stats.rateViolations, 1);
  assert.deepEqual(new Set(sim.stats.requestLog.map((r) => r.conn)).size, 2);
});

// --- frame stamping and faults ---------------------------------------------------

test("stamp: every frame carries sq = 1, 2, 3, ... per connection", async (t) => {
  const sim = await simulator(t, { stamp: true });
  const a = await client(t, sim);
  const b = await client(t, sim);
  await a.request(sub("st-1", [{ channel: "book", market: "btcusdt", depth: 5 }, { channel: "trade", market: "btcusdt" }]));
  await b.request({ action: "ping", id: "st-b" });
  for (let i = 0; i < 30; i++) sim.tick();
  await a.sync();
  const sq = a.frames.map((f) => f.json.sq);
  assert.ok(sq.length > 30);
  assert.deepEqual(sq, sq.map((_, i) => i + 1));
  assert.deepEqual(b.frames.map((f) => f.json.sq), [1]);
});

test("dropAfterFrames cuts each connection abruptly after N frames", async (t) => {
  const sim = await simulator(t, { dropAfterFrames: 4 });
  const c = await client(t, sim);
  c.send(sub("d-1", [{ channel: "book", market: "btcusdt" }, { channel: "ticker", market: "btcusdt" }, { channel: "trade", market: "btcusdt" }]));
  const closed = await c.closed;
  assert.equal(closed.code, 1006, "no closing handshake");
  assert.equal(c.frames.length, 4);
  assert.equal(sim.stats.drops, 1);
});

test("dropAll terminates every connection", async (t) => {
  const sim = await simulator(t);
  const clients = [await client(t, sim), await client(t, sim)];
  assert.equal(sim.connections, 2);
  sim.dropAll();
  const closes = await Promise.all(clients.map((c) => c.closed));
  assert.deepEqual(closes.map((c) => c.code), [1006, 1006]);
  assert.equal(sim.connections, 0);
});

test("garbageProbability: 1 precedes every frame with one that is not valid MAX JSON", async (t) => {
  const sim = await simulator(t, { garbageProbability: 1, seed: 3 });
  const c = await client(t, sim);
  for (let i = 1; i <= 10; i++) await c.request({ action: "ping", id: `gb-${i}` });
  assert.equal(c.frames.length, 20);
  for (let i = 0; i < 20; i += 2) {
    const junk = c.frames[i];
    assert.ok(junk.json === null || junk.json.e === undefined, `frame ${i} is junk: ${junk.text}`);
    assert.equal(c.frames[i + 1].json.e, "pong");
  }
  assert.equal(sim.stats.garbageSent, 10);
});

test("unknownEventProbability: 1 adds valid frames with an unknown event", async (t) => {
  const sim = await simulator(t, { unknownEventProbability: 1 });
  const c = await client(t, sim);
  await c.request({ action: "ping", id: "ue-1" });
  assert.deepEqual(keys(c.frames[0].json), ["T", "e", "zz"]);
  assert.equal(c.frames[0].json.e, "mystery_event");
  assert.equal(c.frames[1].json.e, "pong");
  assert.equal(sim.stats.unknownEventsSent, 1);
});

test("answerDelayMs delays answers but keeps them in order", async (t) => {
  const sim = await simulator(t, { answerDelayMs: 150 });
  const c = await client(t, sim);
  const started = Date.now();
  c.send({ action: "ping", id: "slow-1" });
  c.send({ action: "ping", id: "slow-2" });
  await c.next((f) => f.i === "slow-2", "the second pong");
  assert.ok(Date.now() - started >= 140, "answered no sooner than the delay");
  assert.deepEqual(c.frames.map((f) => f.json.i), ["slow-1", "slow-2"]);
});

test("options and faults with unknown names are refused", async (t) => {
  await assert.rejects(startSimulator({ tickMS: 5 }), TypeError);
  const sim = await simulator(t);
  assert.throws(() => sim.setFaults({ garbage: 0.5 }), TypeError);
  assert.throws(() => sim.setFaults({ dropProbability: 2 }), RangeError);
  sim.setFaults({ answerDelayMs: 10 });
  assert.equal(sim.faults.answerDelayMs, 10);
});

test("events: connection, request and disconnect", async (t) => {
  const sim = await simulator(t);
  const seen = [];
  sim.on("connection", ({ conn }) => seen.push(["connection", conn]));
  sim.on("request", ({ conn, request }) => seen.push(["request", conn, request.action]));
  const disconnected = new Promise((resolve) => sim.on("disconnect", resolve));
  const c = await client(t, sim);
  await c.request({ action: "ping", id: "ev-1" });
  await c.close();
  const { conn, code } = await disconnected;
  seen.push(["disconnect", conn]);
  assert.deepEqual(seen, [
    ["connection", 1],
    ["request", 1, "ping"],
    ["disconnect", 1],
  ]);
  assert.equal(code, 1005);
});

test("automatic ticks push data every tickMs", async (t) => {
  const sim = await simulator(t, { tickMs: 20 });
  const c = await client(t, sim);
  await c.request(sub("auto-1", [{ channel: "book", market: "btcusdt", depth: 50 }]));
  await c.next((f) => f.e === "snapshot", "the snapshot");
  const update = await c.next((f) => f.e === "update", "an update from the timer");
  assert.equal(update.M, "btcusdt");
});

// --- the CLI -------------------------------------------------------------------------

function runCli(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

test("the CLI prints its URL, serves the protocol and exits 0 on SIGINT", async (t) => {
  const { child, exited } = runCli(["--port", "0", "--tick-ms", "50", "--stamp", "--api-key", "k", "--api-secret", "s"]);
  t.after(() => child.kill("SIGKILL"));
  const url = await new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${text}`)), WAIT_MS);
    child.stdout.on("data", (d) => {
      text += d;
      const match = /^MAX simulator listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)$/m.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const c = await Client.connect(url);
  const nonce = Date.now();
  const auth = await c.request({ action: "auth", apiKey: "k", nonce, signature: hmacHex("s", nonce), id: "cli-auth" });
  assert.equal(auth.e, "authenticated");
  assert.equal(auth.sq, 1, "--stamp reached the simulator");
  await c.request(sub("cli-1", [{ channel: "book", market: "btcusdt", depth: 1 }]));
  assert.equal((await c.next((f) => f.c === "book" && f.e === "update", "a ticked update")).M, "btcusdt");
  child.kill("SIGINT");
  const { code, signal } = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
  await c.closed;
});

test("the CLI exits 2 with its usage on a bad flag or value", async () => {
  for (const args of [["--nope"], ["--garbage", "2"], ["--port"], ["--markets", "nosuch"]]) {
    const { code, stderr } = await runCli(args).exited;
    assert.equal(code, 2, args.join(" "));
    assert.ok(stderr.length > 0, "it says why");
    if (args[0] !== "--markets") assert.match(stderr, /usage: node sim\/cli\.js/);
  }
});
