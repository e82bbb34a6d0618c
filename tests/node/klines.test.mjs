// fetchKlines (the package's REST k-line call) against the simulator's /api/v3/k, which serves the
// same candles its kline channel streams: shapes, paging, agreement with the stream, bad arguments
// and MAX's error answers. The market moves only through sim.tick(now).

import { test } from "node:test";
import assert from "node:assert/strict";
import { fetchKlines, MAX_REST_URL, Resolution } from "maicoin-ws";
import { simulator, startStream, until } from "./harness.mjs";

const restBase = (sim) => `http://127.0.0.1:${sim.port}`;
const MINUTE = 60_000;

/** The simulator's candle in progress, shaped as fetchKlines shapes a candle. */
function openCandle(sim, market, resolution) {
  const k = sim.exchange.market(market).kline(resolution);
  return { startTime: new Date(k.ST), endTime: new Date(k.ET), market, resolution, open: k.O, high: k.H, low: k.L, close: k.C, volume: k.v, closed: false };
}

test("fetchKlines gets 200 candles, oldest first, the last being the simulator's open candle", async (t) => {
  const sim = await simulator(t);
  for (const resolution of ["1m", "1h", "1d"]) {
    const candles = await fetchKlines("btcusdt", { resolution, limit: 200, baseUrl: restBase(sim) });
    assert.equal(candles.length, 200, resolution);
    const span = candles[1].startTime - candles[0].startTime;
    assert.ok(span > 0, "oldest first");
    for (let i = 1; i < candles.length; i++) assert.equal(candles[i].startTime - candles[i - 1].startTime, span, `${resolution} row ${i} follows the one before`);
    for (const candle of candles) {
      assert.equal(candle.endTime - candle.startTime, span - 1);
      for (const field of ["open", "high", "low", "close", "volume"]) assert.match(candle[field], /^\d+\.\d+$/, `${resolution} ${field}`);
      assert.ok(Number(candle.high) >= Math.max(Number(candle.open), Number(candle.close)), "high on top");
      assert.ok(Number(candle.low) <= Math.min(Number(candle.open), Number(candle.close)), "low at the bottom");
    }
    assert.deepEqual(candles.at(-1), openCandle(sim, "btcusdt", resolution));
    assert.ok(candles.slice(0, -1).every((c) => c.closed), "all but the open candle are closed");
    // The history joins the open candle without a jump.
    assert.equal(candles.at(-2).close, candles.at(-1).open);
  }
});

test("the REST candles agree with the ones the kline channel streamed", async (t) => {
  const sim = await simulator(t);
  const { stream } = startStream(t, { uri: sim.url });
  const streamed = new Map();
  stream.addHandler((response) => {
    if (response.channel === "kline") streamed.set(response.kline.startTime.getTime(), response.kline);
  });
  stream.subscribe([{ channel: "kline", market: "ethusdt", resolution: "1m" }]);
  await until(() => streamed.size > 0, "the kline snapshot");
  let now = [...streamed.keys()][0];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 5; j++) sim.tick((now += 12_000));
  }
  await until(() => [...streamed.values()].filter((k) => k.closed).length >= 5, "five closed candles on the stream");
  const candles = await fetchKlines("ethusdt", { resolution: Resolution.M1, limit: 20, baseUrl: restBase(sim) });
  const pick = ({ startTime, endTime, market, resolution, open, high, low, close, volume, closed }) => ({ startTime, endTime, market, resolution, open, high, low, close, volume, closed });
  await until(() => streamed.get(candles.at(-1).startTime.getTime())?.close === candles.at(-1).close, "the stream's open candle");
  let compared = 0;
  for (const candle of candles) {
    const seen = streamed.get(candle.startTime.getTime());
    if (!seen) continue;
    assert.deepEqual(pick(candle), pick(seen), `the candle of ${candle.startTime.toISOString()}`);
    compared += 1;
  }
  assert.ok(compared >= 6, `${compared} candles seen on both`);
});

test("before and limit page back through the history", async (t) => {
  const sim = await simulator(t);
  const baseUrl = restBase(sim);
  const latest = await fetchKlines("btctwd", { resolution: "5m", limit: 50, baseUrl });
  const older = await fetchKlines("btctwd", { resolution: "5m", limit: 50, baseUrl, before: new Date(latest[0].startTime.getTime() - 1) });
  assert.equal(older.length, 50);
  assert.equal(older.at(-1).startTime.getTime(), latest[0].startTime.getTime() - 5 * MINUTE, "the page before ends just before");
  assert.equal(older.at(-1).close, latest[0].open);
  assert.ok(older.every((c) => c.closed));
  // A number of ms works too, and the same history comes back.
  const again = await fetchKlines("btctwd", { resolution: "5m", limit: 10, baseUrl, before: latest[0].startTime.getTime() - 1 });
  assert.deepEqual(again, older.slice(-10));
  // Without a limit the package asks for 100 rows (MAX has a default of its own).
  assert.equal((await fetchKlines("btctwd", { baseUrl })).length, 100);
});

test("rows with numbers (as bbgo reads them) become the same decimal strings", async () => {
  const rows = [
    [1700000000, 60000.5, 60010, 59990.25, 60001, 1e-7],
    ["1700000060", "60001", "60002.10", "60000", "60002.10", "0.5"],
  ];
  const calls = [];
  const fakeFetch = async (url) => {
    calls.push(url);
    return new Response(JSON.stringify(rows), { status: 200, headers: { "content-type": "application/json" } });
  };
  const candles = await fetchKlines("BTCUSDT", { resolution: "1m", limit: 2, fetch: fakeFetch, now: 1700000000_000 });
  assert.deepEqual(calls, [`${MAX_REST_URL}/api/v3/k?market=btcusdt&period=1&limit=2`]);
  assert.deepEqual(
    candles.map((c) => [c.startTime.toISOString(), c.open, c.high, c.low, c.close, c.volume, c.closed]),
    [
      ["2023-11-14T22:13:20.000Z", "60000.5", "60010", "59990.25", "60001", "0.0000001", true],
      ["2023-11-14T22:14:20.000Z", "60001", "60002.10", "60000", "60002.10", "0.5", false],
    ],
  );
  assert.equal(candles[0].market, "btcusdt");
});

test("the period, the end in seconds and the base URL are sent as MAX expects", async () => {
  const calls = [];
  const fakeFetch = async (url) => {
    calls.push(url);
    return new Response("[]", { status: 200 });
  };
  await fetchKlines("ethtwd", { resolution: "4h", limit: 3, before: new Date("2026-01-01T00:00:00.999Z"), baseUrl: "http://127.0.0.1:9/x/", fetch: fakeFetch });
  await fetchKlines("ethtwd", { resolution: "1d", fetch: fakeFetch });
  assert.deepEqual(calls, [
    "http://127.0.0.1:9/api/v3/k?market=ethtwd&period=240&limit=3&timestamp=1767225600",
    `${MAX_REST_URL}/api/v3/k?market=ethtwd&period=1440&limit=100`,
  ]);
});

test("bad arguments throw TypeError or RangeError naming the field, before any request", async () => {
  const fetch = () => assert.fail("no request may be sent");
  const cases = [
    [[5, {}], TypeError, /^market: expected a string/],
    [["btc-usdt", {}], RangeError, /^market: /],
    [["btcusdt", { resolution: "3m" }], RangeError, /^resolution: "3m" is not one of 1m 5m/],
    [["btcusdt", { resolution: 1 }], TypeError, /^resolution: /],
    [["btcusdt", { limit: 0 }], RangeError, /^limit: 0 is not a whole number from 1 to 10000/],
    [["btcusdt", { limit: 10001 }], RangeError, /^limit: /],
    [["btcusdt", { limit: 2.5 }], RangeError, /^limit: /],
    [["btcusdt", { limit: "5" }], TypeError, /^limit: expected a number/],
    [["btcusdt", { before: "yesterday" }], TypeError, /^before: /],
    [["btcusdt", { before: new Date("nonsense") }], RangeError, /^before: /],
    [["btcusdt", { baseUrl: "not a url" }], TypeError, /^baseUrl: /],
    [["btcusdt", { baseUrl: "ftp://example.com" }], TypeError, /^baseUrl: ftp: /],
    [["btcusdt", "1m"], TypeError, /^options: /],
  ];
  for (const [[market, options], Kind, message] of cases) {
    await assert.rejects(fetchKlines(market, typeof options === "object" ? { fetch, ...options } : options), (error) => {
      assert.ok(error instanceof Kind, `${JSON.stringify([market, options])}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

test("MAX's error answers and failed requests become Errors naming status and message", async (t) => {
  const sim = await simulator(t);
  await assert.rejects(fetchKlines("dogeusdt", { baseUrl: restBase(sim) }), (error) => {
    assert.match(error.message, /HTTP 422/);
    assert.match(error.message, /1001: market does not have a valid value/);
    assert.equal(error.status, 422);
    return true;
  });
  const notJson = async () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" });
  await assert.rejects(fetchKlines("btcusdt", { fetch: notJson }), /HTTP 502 .*<html>bad gateway<\/html>/);
  const garbage = async () => new Response("[[1, 2]]", { status: 200 });
  await assert.rejects(fetchKlines("btcusdt", { fetch: garbage }), /row 0: expected \[time, open, high, low, close, volume\]/);
  const badDecimal = async () => new Response('[[1700000000, "1", "2", "x", "1", "1"], [1700000060, "1", "2", "0.5", "1", "1"]]', { status: 200 });
  await assert.rejects(fetchKlines("btcusdt", { fetch: badDecimal }), (error) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /row 0: low: "x" is not a decimal/);
    // The good row is not lost.
    assert.deepEqual(error.candles.map((c) => [c.startTime.getTime(), c.low]), [[1700000060_000, "0.5"]]);
    return true;
  });
  // Nothing listens on port 9 of this machine: the network error names the URL.
  await assert.rejects(fetchKlines("btcusdt", { baseUrl: "http://127.0.0.1:9" }), /request to http:\/\/127\.0\.0\.1:9\/api\/v3\/k\?market=btcusdt.* failed/);
});

test("the simulator answers bad parameters in MAX's error shape, to any origin", async (t) => {
  const sim = await simulator(t);
  const base = restBase(sim);
  const cases = [
    ["market=btcusdt&period=3", /^period does not have a valid value/],
    ["period=1", /^market is missing/],
    ["market=btcusdt&limit=0", /^limit does not have a valid value/],
    ["market=btcusdt&limit=ten", /^limit is invalid/],
    ["market=btcusdt&timestamp=-5", /^timestamp is invalid/],
  ];
  for (const [query, message] of cases) {
    const response = await fetch(`${base}/api/v3/k?${query}`, { headers: { Origin: "http://127.0.0.1:8080" } });
    assert.equal(response.status, 422, query);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    const body = await response.json();
    assert.deepEqual(Object.keys(body), ["error"]);
    assert.equal(body.error.code, 1001);
    assert.match(body.error.message, message, query);
  }
  const preflight = await fetch(`${base}/api/v3/k`, { method: "OPTIONS", headers: { Origin: "http://127.0.0.1:8080", "Access-Control-Request-Method": "GET" } });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get("access-control-allow-methods"), /GET/);
  const ok = await fetch(`${base}/api/v3/k?market=usdttwd&period=60&limit=3`);
  assert.equal(ok.headers.get("access-control-allow-origin"), "*");
  const rows = await ok.json();
  assert.equal(rows.length, 3);
  assert.ok(rows.every((row) => Number.isInteger(row[0]) && row.slice(1).every((v) => typeof v === "string")));
  // Other paths still tell a browser to use the WebSocket.
  assert.equal((await fetch(`${base}/`)).status, 426);
});
