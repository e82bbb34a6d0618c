// The package as users import it (by name, through package.json "exports"): decoding every
// documented message, building every documented request, the constants and ReconnectPolicy.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as api from "maicoin-ws";
import { Action, Channel, Event, Filter, MAX_WS_URI, ReconnectPolicy, Request, Response } from "maicoin-ws";
import { hmac, inbound, inboundWire, outbound } from "../support/fixtures.mjs";
import * as oracle from "./wire-names.mjs";
import { RESPONSE, expectDecoded } from "./wire-names.mjs";

/** Parses the text of `wire` and checks the object against the wire field by field. */
function decodesAsWire(wire) {
  const response = Response.parse(JSON.stringify(wire));
  expectDecoded(RESPONSE, wire, response);
  return response;
}

describe("Response.parse", () => {
  test("decodes every documented server message with every field under its API name", () => {
    assert.equal(inbound.length, 34);
    for (const { name, wire } of inbound) {
      const response = decodesAsWire(wire);
      assert.equal(response.extra, undefined, `${name}: every documented key is modelled`);
    }
  });

  test("declares each payload with exactly the API's names (the oracle's, not the generator's)", () => {
    const declarations = readFileSync(new URL("../../js/generated/payloads.d.ts", import.meta.url), "utf8");
    const interfaces = Object.fromEntries(
      [...declarations.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)].map(([, name, body]) => [
        name,
        [...body.matchAll(/^ {2}(\w+)\??: /gm)].map((m) => m[1]).filter((field) => field !== "extra"),
      ]),
    );
    const tables = {
      Response: oracle.RESPONSE, SubscriptionEcho: oracle.SUBSCRIPTION, Ticker: oracle.TICKER, Order: oracle.ORDER,
      Trade: oracle.TRADE, Balance: oracle.BALANCE, Kline: oracle.KLINE, MarketStatus: oracle.MARKET_STATUS,
      PoolQuota: oracle.POOL_QUOTA, IndexPrice: oracle.INDEX_PRICE, AdRatio: oracle.AD_RATIO, Borrowing: oracle.BORROWING,
    };
    assert.deepEqual(Object.keys(interfaces).sort(), Object.keys(tables).sort());
    for (const [name, table] of Object.entries(tables)) {
      assert.deepEqual([...interfaces[name]].sort(), Object.values(table).map(([api]) => api).sort(), name);
    }
  });

  test("keeps documented payload values exactly: decimals as strings, times as Dates, nulls absent", () => {
    const book = Response.parse(JSON.stringify(inboundWire("book_snapshot")));
    assert.deepEqual(book.asks, [["5337.3", "0.1"]]);
    assert.equal(book.version, 1725602999632);
    assert.equal(book.createdAt.toISOString(), "2020-06-11T10:05:39.634Z");

    const order = Response.parse(JSON.stringify(inboundWire("mwallet_order_update"))).orders[0];
    assert.equal(order.price, "100.0");
    assert.ok(!("stopPrice" in order) && !("groupId" in order) && !("clientOrderId" in order), "nulls are absent");

    const status = Response.parse(JSON.stringify(inboundWire("market_status_update"))).marketStatus[0];
    assert.equal(status.minimalBaseAmount, 0.0004);
    assert.equal(status.mwalletSupported, true);
  });

  test("keeps an event name it does not know, such as the documented typo", () => {
    assert.equal(Response.parse(JSON.stringify(inboundWire("market_status_snapshot_misspelled"))).event, "snaptshot");
    const future = { e: "index_price_update", c: "index_price", idxp: { M: "btcusdt", p: "1" }, T: 1 };
    const response = decodesAsWire(future);
    assert.equal(response.event, "index_price_update");
    assert.deepEqual(response.extra, { idxp: { M: "btcusdt", p: "1" } });
  });

  test("keeps keys beyond the model in `extra`, with their wire names, on the object that carried them", () => {
    const trade = inboundWire("trade_update");
    trade.t[0].rpi = true;
    const privateTrade = inboundWire("trade_update_private");
    Object.assign(privateTrade.t[0], { rpi: false, sa: "spot" });
    const order = inboundWire("order_update");
    order.o[0].sa = "spot";
    const balance = inboundWire("account_update");
    balance.B[0].sa = "spot";
    const status = inboundWire("market_status_update");
    Object.assign(status.ms[0], { ds: false, gs: true, gsm: "maintenance 02:00" });
    const quota = inboundWire("pool_quota_update");
    quota.qta.sa = "m";
    const adRatio = inboundWire("ad_ratio_update");
    adRatio.ad.sa = "m";
    adRatio.ad.idxp[0].made_up = 1;
    const borrowing = inboundWire("borrowing_update");
    borrowing.db[0].sa = "m";
    const ticker = inboundWire("ticker_update");
    ticker.tk.made_up = { nested: [1, "two", null, { deep: true }] };
    ticker.made_up_top = null;
    const echo = inboundWire("subscribed");
    echo.s[0].made_up = "x";

    for (const wire of [trade, privateTrade, order, balance, status, quota, adRatio, borrowing, ticker, echo]) decodesAsWire(wire);

    assert.deepEqual(Response.parse(JSON.stringify(trade)).trades[0].extra, { rpi: true });
    assert.deepEqual(Response.parse(JSON.stringify(status)).marketStatus[0].extra, { ds: false, gs: true, gsm: "maintenance 02:00" });
    const decodedTicker = Response.parse(JSON.stringify(ticker));
    assert.deepEqual(decodedTicker.ticker.extra, { made_up: { nested: [1, "two", null, { deep: true }] } });
    assert.deepEqual(decodedTicker.extra, { made_up_top: null });
  });

  test("reads a kline's quote volume `qv` as quoteVolume", () => {
    const kline = inboundWire("kline_update");
    kline.k.qv = "1815.11";
    assert.equal(decodesAsWire(kline).kline.quoteVolume, "1815.11");
  });

  test("keeps a numeric echoed id as its decimal string", () => {
    assert.equal(Response.parse('{"e":"pong","i":42,"T":1}').id, "42");
  });

  test("decodes non-ASCII and escaped strings exactly as JSON.parse reads them", () => {
    // Written as text, since JSON.stringify would neither escape nor keep these spellings.
    const frames = [
      String.raw`{"e":"sn\u0061pshot","i":"say \"hi\"\\ \/ \b\f\n\r\t","M":"btc\/usdt","T":1}`,
      `{"e":"error","E":["E-1004: 無效的動作 😀","ключ"],"i":"客戶端-1","M":"比特幣","T":2}`,
      String.raw`{"e":"error","E":["caf\u00e9 ☕","tab\there","\ud83d\ude00 pair"],"i":"é\"x","T":3}`,
      String.raw`{"e":"update","M":"日本","note":"naïve \"q\"","z\u00e9":["é",{"\u0041":"\n"}],"T":4}`,
      String.raw`{"e":"update","tk":{"M":"\u0062tc","O":"1","note":"\u2603"},"t":[{"p":"1","v":"2","T":5,"tr":"\u0075p"}]}`,
    ];
    for (const frame of frames) expectDecoded(RESPONSE, JSON.parse(frame), Response.parse(frame), frame);

    const mixed = Response.parse(frames[3]);
    assert.equal(mixed.market, "日本");
    assert.deepEqual(mixed.extra, { note: 'naïve "q"', "zé": ["é", { A: "\n" }] });
  });

  test("returns a fresh object each time, unaffected by later frames", () => {
    const first = Response.parse(JSON.stringify(inboundWire("ticker_update")));
    const copy = structuredClone(first);
    Response.parse(JSON.stringify(inboundWire("order_snapshot")));
    Response.parse('{"e":"x","M":"日本"}');
    assert.deepEqual(first, copy);
  });

  test("refuses what is not a string with a TypeError", () => {
    for (const value of [undefined, null, 5, {}, new Uint8Array([123, 125])]) {
      assert.throws(() => Response.parse(value), TypeError);
    }
  });
});

describe("Request", () => {
  const apiKey = "my-api-key";
  const secret = "my-secret";
  const signed = (apiSecret, nonce) => createHmac("sha256", apiSecret).update(String(nonce)).digest("hex");

  /** Builds the documented request `wire` with the public constructors. */
  function rebuild(wire) {
    switch (wire.action) {
      case "sub":
        return Request.subscribe(wire.subscriptions);
      case "unsub":
        return Request.unsubscribe(wire.subscription);
      case "auth":
        return Request.auth(apiKey, secret, { nonce: wire.nonce, filters: wire.filters });
      default:
        throw new Error(`no constructor for ${wire.action}`);
    }
  }

  test("builds every documented request, equal as JSON to the documentation's", () => {
    assert.equal(outbound.length, 6);
    for (const { name, wire } of outbound) {
      const request = rebuild(wire);
      // The documentation's id, key and signature are placeholders: ours are a fresh id, our key
      // and the HMAC of the nonce with our secret.
      const expected = { ...wire, id: request.id };
      if (wire.action === "auth") Object.assign(expected, { apiKey, signature: signed(secret, wire.nonce) });
      assert.deepEqual(JSON.parse(request.message()), expected, name);
      assert.deepEqual({ ...request }, expected, `${name}: the fields are the wire fields`);
      assert.ok(request instanceof Request);
    }
  });

  test("parses every documented request back to the same fields and message", () => {
    for (const { name, wire } of outbound) {
      const request = Request.parse(JSON.stringify(wire));
      assert.deepEqual({ ...request }, wire, name);
      assert.deepEqual(JSON.parse(request.message()), wire, name);
    }
  });

  test("parses a request without id, keys in any order, and leaves id out of its message", () => {
    const request = Request.parse('{"subscriptions":[{"market":"btcusdt","channel":"ticker"}],"action":"subscribe"}');
    assert.ok(!("id" in request), "no id field");
    assert.equal(request.action, "sub");
    assert.deepEqual(request.subscriptions, [{ channel: "ticker", market: "btcusdt" }]);
    assert.equal(request.message(), '{"action":"sub","subscriptions":[{"channel":"ticker","market":"btcusdt"}]}');
    const auth = Request.parse('{"nonce":1,"signature":"s","apiKey":"k","action":"auth"}');
    assert.ok(!("id" in auth));
    assert.equal(auth.message(), '{"action":"auth","apiKey":"k","nonce":1,"signature":"s"}');
    assert.equal(Request.parse('{"id":"late","action":"ping"}').id, "late", "an id anywhere is kept");
    assert.throws(() => Request.parse('{"action":"ping","id":{}}'), { name: "TypeError", message: "id: expected a string, got an object" });
  });

  test("parses the long action names too, and writes the short ones", () => {
    const long = { action: "subscribe", subscriptions: [{ channel: "market_status" }], id: "x" };
    assert.equal(Request.parse(JSON.stringify(long)).action, "sub");
    assert.equal(Request.parse('{"action":"unsubscribe","subscription":[{"channel":"market_status"}],"id":"x"}').action, "unsub");
    const auth = Request.parse('{"action":"authenticate","apiKey":"k","nonce":1,"signature":"s","id":"x"}');
    assert.equal(auth.action, "auth");
  });

  test("signs the documented HMAC vector", () => {
    const request = Request.auth("key", hmac.secret, { nonce: hmac.nonce });
    assert.equal(request.signature, hmac.signature);
    assert.equal(request.nonce, hmac.nonce);
    assert.ok(!request.message().includes(hmac.secret), "the secret never goes on the wire");
  });

  test("auth signs a fresh nonce, Date.now() by default", () => {
    const before = Date.now();
    const request = Request.auth(apiKey, secret);
    const after = Date.now();
    assert.ok(request.nonce >= before && request.nonce <= after, `${request.nonce} within [${before}, ${after}]`);
    assert.equal(request.signature, signed(secret, request.nonce));
    assert.equal(request.filters, undefined, "no filters: absent from the message");
    assert.ok(!("filters" in JSON.parse(request.message())));
  });

  test("gives every request a fresh unique string id", () => {
    const ids = new Set();
    for (let i = 0; i < 1000; i++) ids.add(Request.ping().id);
    ids.add(Request.subscribe({ channel: "market_status" }).id);
    assert.equal(ids.size, 1001);
    for (const id of ids) assert.equal(typeof id, "string");
  });

  test("ping carries only its action and id", () => {
    const ping = Request.ping();
    assert.deepEqual(JSON.parse(ping.message()), { action: "ping", id: ping.id });
  });

  test("accepts one subscription object as a list of one, and lowercases markets", () => {
    const request = Request.subscribe({ channel: "book", market: "BTCUSDT", depth: 5 });
    assert.deepEqual(request.subscriptions, [{ channel: "book", market: "btcusdt", depth: 5 }]);
  });

  // [subscriptions, error class, the field its message must name]
  const badSubscriptions = [
    [{ channel: "orders", market: "btcusdt" }, RangeError, "subscriptions[0].channel"],
    [{ channel: "user" }, RangeError, "subscriptions[0].channel"],
    [{ market: "btcusdt" }, TypeError, "subscriptions[0].channel"],
    [{ channel: "book" }, TypeError, "subscriptions[0].market"],
    [{ channel: "trade", market: "btc/usdt" }, RangeError, "subscriptions[0].market"],
    [{ channel: "book", market: "btcusdt", depth: 7 }, RangeError, "subscriptions[0].depth"],
    [{ channel: "book", market: "btcusdt", depth: "5" }, TypeError, "subscriptions[0].depth"],
    [{ channel: "kline", market: "btcusdt", resolution: "3m" }, RangeError, "subscriptions[0].resolution"],
    [{ channel: "pool_quota" }, TypeError, "subscriptions[0].currency"],
    [{ channel: "trade", market: "btcusdt", depth: 5 }, TypeError, "subscriptions[0].depth"],
    [[{ channel: "market_status" }, { channel: "ticker" }], TypeError, "subscriptions[1].market"],
    [[], RangeError, "subscriptions"],
    [5, TypeError, "subscriptions"],
    [undefined, TypeError, "subscriptions"],
  ];

  for (const constructor of ["subscribe", "unsubscribe"]) {
    test(`${constructor} refuses bad subscriptions with a TypeError or RangeError naming the field`, () => {
      for (const [subscriptions, errorClass, field] of badSubscriptions) {
        assert.throws(() => Request[constructor](subscriptions), (error) => {
          assert.equal(error.constructor, errorClass, `${JSON.stringify(subscriptions)}: ${error.message}`);
          assert.ok(error.message.startsWith(`${field}:`), `"${error.message}" names ${field}`);
          return true;
        });
      }
    });
  }

  test("auth refuses bad arguments with a TypeError or RangeError naming the field", () => {
    const cases = [
      [() => Request.auth(undefined, secret), TypeError, "apiKey"],
      [() => Request.auth("", secret), TypeError, "apiKey"],
      [() => Request.auth(apiKey, 7), TypeError, "apiSecret"],
      [() => Request.auth(apiKey, ""), TypeError, "apiSecret"],
      [() => Request.auth(apiKey, secret, { nonce: "1" }), TypeError, "nonce"],
      [() => Request.auth(apiKey, secret, { nonce: -1 }), TypeError, "nonce"],
      [() => Request.auth(apiKey, secret, { nonce: 1.5 }), TypeError, "nonce"],
      [() => Request.auth(apiKey, secret, { nonce: 2 ** 53 }), RangeError, "nonce"],
      [() => Request.auth(apiKey, secret, { filters: "order" }), TypeError, "filters"],
      [() => Request.auth(apiKey, secret, { filters: ["order", 5] }), TypeError, "filters[1]"],
      [() => Request.auth(apiKey, secret, { filters: ["orders"] }), RangeError, "filters[0]"],
    ];
    for (const [call, errorClass, field] of cases) {
      assert.throws(call, (error) => {
        assert.equal(error.constructor, errorClass, error.message);
        assert.ok(error.message.startsWith(`${field}:`), `"${error.message}" names ${field}`);
        return true;
      });
    }
  });

  test("parse refuses bad requests with a TypeError or RangeError naming the field", () => {
    const cases = [
      ["not json", TypeError, "request"],
      ["[1]", TypeError, "request"],
      ['{"id":"x"}', TypeError, "action"],
      ['{"action":"dance","id":"x"}', RangeError, "action"],
      ['{"action":"sub"}', TypeError, "subscriptions"],
      ['{"action":"sub","id":[1],"subscriptions":[]}', TypeError, "id"],
      ['{"action":"unsub","id":"x","subscriptions":[{"channel":"market_status"}]}', TypeError, "subscription"],
      ['{"action":"sub","id":"x","subscriptions":[{"channel":"book","market":"btcusdt","depth":3}]}', RangeError, "subscriptions[0].depth"],
      ['{"action":"auth","id":"x","apiKey":"k","signature":"s"}', TypeError, "nonce"],
    ];
    for (const [text, errorClass, field] of cases) {
      assert.throws(() => Request.parse(text), (error) => {
        assert.equal(error.constructor, errorClass, `${text}: ${error.message}`);
        assert.ok(error.message.startsWith(`${field}:`), `"${error.message}" names ${field}`);
        return true;
      });
    }
    assert.throws(() => Request.parse({ action: "ping" }), TypeError);
  });
});

describe("constants", () => {
  // The wire strings, in docs/PROTOCOL.md's order.
  const wireStrings = {
    Channel: ["book", "trade", "ticker", "kline", "market_status", "pool_quota", "user"],
    Event: [
      "error", "subscribed", "unsubscribed", "authenticated", "pong", "snapshot", "update",
      "order_snapshot", "order_update", "trade_snapshot", "trade_update", "fast_trade_update",
      "account_snapshot", "account_update", "mwallet_order_snapshot", "mwallet_order_update",
      "mwallet_trade_snapshot", "mwallet_trade_update", "mwallet_fast_trade_update",
      "mwallet_account_snapshot", "mwallet_account_update", "ad_ratio_snapshot", "ad_ratio_update",
      "borrowing_snapshot", "borrowing_update",
    ],
    Filter: [
      "order", "trade", "account", "trade_update", "fast_trade_update", "mwallet_order", "mwallet_trade",
      "mwallet_fast_trade_update", "mwallet_account", "ad_ratio", "borrowing",
    ],
    Action: ["sub", "unsub", "auth", "ping"],
    Side: ["bid", "ask"],
    OrderState: ["wait", "done", "cancel", "convert", "finalizing", "failed"],
    OrderType: ["market", "limit", "stop_market", "stop_limit", "post_only", "ioc_limit"],
    Resolution: ["1m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d"],
    Trend: ["up", "down"],
    MarketState: ["active", "suspended", "cancel-only"],
  };

  test("name the wire strings js/index.d.ts gives", () => {
    assert.equal(Action.SUBSCRIBE, "sub");
    assert.equal(Action.UNSUBSCRIBE, "unsub");
    assert.equal(Action.AUTH, "auth");
    assert.equal(Action.PING, "ping");
    assert.equal(Event.PONG, "pong");
    assert.equal(Event.SNAPSHOT, "snapshot");
    assert.equal(Channel.BOOK, "book");
    assert.equal(Filter.FAST_TRADE_UPDATE, "fast_trade_update");
    assert.equal(MAX_WS_URI, "wss://max-stream.maicoin.com/ws");
  });

  test("hold every wire string of each enum in docs/PROTOCOL.md, and are frozen", () => {
    for (const [name, strings] of Object.entries(wireStrings)) {
      const constants = api[name];
      assert.deepEqual(Object.values(constants), strings, name);
      assert.ok(Object.isFrozen(constants), `${name} is frozen`);
      // Module code is strict, so writing to a frozen object throws.
      assert.throws(() => {
        constants.NEW = "x";
      }, TypeError);
    }
  });

  test("are declared in the package's types with exactly their runtime names and values", () => {
    // index.d.ts re-exports the declarations generated from the Rust tables.
    const declarations = ["../../js/index.d.ts", "../../js/generated/payloads.d.ts"].map((path) => readFileSync(new URL(path, import.meta.url), "utf8")).join("\n");
    assert.match(declarations, /export \* from "\.\/generated\/payloads\.js";/);
    for (const name of Object.keys(wireStrings)) {
      const block = declarations.match(new RegExp(`export declare const ${name}: \\{([^}]*)\\};`));
      assert.ok(block, `index.d.ts declares ${name}`);
      const declared = Object.fromEntries([...block[1].matchAll(/readonly (\w+): "([^"]*)";/g)].map((m) => [m[1], m[2]]));
      assert.deepEqual(declared, { ...api[name] }, name);
    }
  });

  test("the package exports every value index.d.ts declares, defined", () => {
    // index.d.ts re-exports the generated constants and payload types.
    const declarations = ["../../js/index.d.ts", "../../js/generated/payloads.d.ts"]
      .map((path) => readFileSync(new URL(path, import.meta.url), "utf8"))
      .join("\n");
    const names = [...declarations.matchAll(/^export declare (?:const|class|function) (\w+)/gm)].map((match) => match[1]);
    for (const name of ["Action", "Channel", "MAX_WS_URI", "Request", "Response", "ReconnectPolicy", "Stream", "OrderBook"]) {
      assert.ok(names.includes(name), `index.d.ts declares ${name}`);
    }
    for (const name of names) assert.notEqual(api[name], undefined, name);
    assert.ok(Object.isFrozen(Response));
  });
});

describe("ReconnectPolicy", () => {
  test("has the Python package's defaults and is frozen", () => {
    const policy = new ReconnectPolicy();
    assert.deepEqual({ ...policy }, { enabled: true, maxRetries: null, baseDelay: 1, maxDelay: 30, jitter: 1 });
    assert.ok(Object.isFrozen(policy));
  });

  test("without jitter, doubles from baseDelay up to maxDelay", () => {
    const policy = new ReconnectPolicy({ jitter: 0 });
    const delays = Array.from({ length: 9 }, (_, i) => policy.delay(i + 1));
    assert.deepEqual(delays, [1, 2, 4, 8, 16, 30, 30, 30, 30]);
    const small = new ReconnectPolicy({ baseDelay: 0.5, maxDelay: 5, jitter: 0 });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => small.delay(n)), [0.5, 1, 2, 4, 5, 5]);
    assert.equal(policy.delay(1_000_000), 30, "a huge retry number stays at the cap");
  });

  test("adds Math.random() * jitter on top of the backoff", () => {
    const random = Math.random;
    try {
      Math.random = () => 0.25;
      assert.equal(new ReconnectPolicy({ jitter: 2 }).delay(3), 4.5);
      Math.random = () => 0;
      assert.equal(new ReconnectPolicy({ jitter: 2 }).delay(3), 4);
    } finally {
      Math.random = random;
    }
  });

  test("with jitter, every delay lies in [backoff, backoff + jitter)", () => {
    const policy = new ReconnectPolicy({ baseDelay: 1, maxDelay: 30, jitter: 0.5 });
    for (let n = 1; n <= 8; n++) {
      const backoff = Math.min(30, 2 ** (n - 1));
      const samples = Array.from({ length: 200 }, () => policy.delay(n));
      for (const delay of samples) assert.ok(delay >= backoff && delay < backoff + 0.5, `retry ${n}: ${delay}`);
      assert.ok(new Set(samples).size > 1, `retry ${n}: the jitter varies`);
    }
  });

  test("allows maxRetries retries, forever when null, none when disabled", () => {
    const limited = new ReconnectPolicy({ maxRetries: 2 });
    assert.deepEqual([1, 2, 3].map((n) => limited.allows(n)), [true, true, false]);
    assert.equal(new ReconnectPolicy().allows(1_000_000), true);
    assert.equal(new ReconnectPolicy({ enabled: false }).allows(1), false);
  });

  test("refuses bad options with a TypeError or RangeError naming the option", () => {
    const cases = [
      [{ enabled: "yes" }, TypeError, "enabled"],
      [{ maxRetries: "3" }, TypeError, "maxRetries"],
      [{ maxRetries: -1 }, RangeError, "maxRetries"],
      [{ maxRetries: 1.5 }, RangeError, "maxRetries"],
      [{ baseDelay: "1" }, TypeError, "baseDelay"],
      [{ baseDelay: -1 }, RangeError, "baseDelay"],
      [{ maxDelay: Number.NaN }, RangeError, "maxDelay"],
      [{ jitter: Number.POSITIVE_INFINITY }, RangeError, "jitter"],
    ];
    for (const [options, errorClass, field] of cases) {
      assert.throws(() => new ReconnectPolicy(options), (error) => {
        assert.equal(error.constructor, errorClass, `${JSON.stringify(options)}: ${error.message}`);
        assert.ok(error.message.startsWith(field), `"${error.message}" names ${field}`);
        return true;
      });
    }
  });
});
