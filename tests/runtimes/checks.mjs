// The portable check of the runtime matrix: what a user of the installed package does, written
// with nothing but what Node, Bun and Deno all offer (node:assert, node:fs, fetch, timers).
// check.mjs (import) and check.cjs (require) hand it the package and print its one-line result.
// It runs from a copy of tests/ beside the installed package, so "../node" and "../fixtures"
// are the copies of the repository's own.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { RESPONSE, expectDecoded } from "../node/wire-names.mjs";

const WAIT_MS = 20_000;
const FAST = { baseDelay: 0.02, maxDelay: 0.05, jitter: 0 };

/** "node v22.…", "bun 1.…" or "deno 2.…": the runtime this check runs in. */
export function runtimeName() {
  if (globalThis.Deno?.version) return `deno ${globalThis.Deno.version.deno}`;
  if (process.versions.bun) return `bun ${process.versions.bun}`;
  return `node ${process.version}`;
}

function fixture(name) {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await sleep(5);
  }
}

function checkExports(api) {
  for (const name of ["Stream", "Request", "ReconnectPolicy", "OrderBook"]) {
    assert.equal(typeof api[name], "function", `the package exports ${name}`);
  }
  assert.equal(typeof api.Response?.parse, "function", "the package exports Response.parse");
  assert.ok(Object.isFrozen(api.Channel) && api.Channel.BOOK === "book", "Channel is a frozen table");
  assert.equal(typeof api.MAX_WS_URI, "string");
}

/** Every documented server message decodes with each field under its API name; returns how many. */
function checkDecoding(api) {
  const inbound = fixture("inbound.jsonl").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
  assert.ok(inbound.length > 0, "documented messages to decode");
  for (const { name, wire } of inbound) {
    const response = api.Response.parse(JSON.stringify(wire));
    expectDecoded(RESPONSE, wire, response, name);
    assert.equal(response.extra, undefined, `${name}: every documented key is modelled`);
  }
  const book = api.Response.parse(JSON.stringify(inbound.find((f) => f.name === "book_snapshot").wire));
  assert.ok(book.createdAt instanceof Date && book.createdAt.toISOString() === "2020-06-11T10:05:39.634Z", "times are Dates");
  assert.deepEqual(book.asks, [["5337.3", "0.1"]], "decimals stay the wire's strings");
  return inbound.length;
}

/** The documented auth signature comes out of the wasm's HMAC. */
function checkSigning(api) {
  const { secret, nonce, signature } = JSON.parse(fixture("hmac.json"));
  const auth = JSON.parse(api.Request.auth("key", secret, { nonce }).message());
  assert.equal(auth.signature, signature, "auth signature of the documented vector");
}

/**
 * Replay, one of the features the Node entry loads on first use: a recording's entries replayed
 * into a stream's handler, and a broken recording refused with the exported RecordingError.
 */
async function checkReplay(api) {
  const pong = (at) => ({ at, conn: 1, frame: JSON.stringify({ e: "pong", T: at }) });
  const connectFactory = api.replay([{ at: 0, conn: 1, open: "ws://x/ws" }, pong(1), pong(2), { at: 3, conn: 1, close: 1000, reason: "" }]);
  const events = [];
  let stream;
  stream = new api.Stream({ uri: "ws://replay.invalid/ws", connectFactory, reconnectPolicy: FAST, onDisconnected: () => connectFactory.done && stream.close() });
  stream.addHandler((response) => events.push(response.event));
  await stream.run();
  assert.deepEqual(events, ["pong", "pong"], "the recorded frames were replayed");
  assert.throws(() => api.replay(["not json", "{}"]), (error) => error instanceof api.RecordingError, "a broken recording is a RecordingError");
}

/** The stream's book equals the simulator's book as it was at the same update id. */
async function checkBook(book, controlUrl, depth) {
  const mine = book.snapshot(depth);
  assert.ok(mine.inSync, `${book.market} is in sync`);
  const query = new URLSearchParams({ market: book.market, depth: String(depth), lastUpdateId: String(mine.lastUpdateId) });
  const truth = await (await fetch(`${controlUrl}/book?${query}`)).json();
  assert.ok(truth, `the simulator still knows ${book.market} at ${mine.lastUpdateId}`);
  assert.deepEqual({ asks: mine.asks, bids: mine.bids, version: mine.version }, { asks: truth.asks, bids: truth.bids, version: truth.version }, `${book.market} at ${mine.lastUpdateId}`);
  assert.equal(mine.asks.length, depth, "a full ladder");
  return mine.lastUpdateId;
}

/**
 * Authenticate, subscribe, receive, a book in sync, a forced drop with a new auth and the
 * subscriptions replayed, close() resolving run().
 * The endpoint and the credentials come from the environment (MAX_WS_URI, MAX_API_KEY,
 * MAX_API_SECRET), as Stream.fromEnv reads them in this runtime.
 */
async function checkStream(api, controlUrl) {
  const { Stream, Channel } = api;
  let connection = 0;
  const reconnecting = [];
  const seen = new Set(); // "connection channel event"
  const stream = Stream.fromEnv({
    authFilters: ["account"],
    reconnectPolicy: FAST,
    onConnected: () => (connection += 1),
    onReconnecting: (error) => reconnecting.push(error.message),
  });
  stream.subscribe([
    { channel: Channel.TRADE, market: "btcusdt" },
    { channel: Channel.TICKER, market: "ethusdt" },
  ]);
  stream.addHandler((response) => seen.add(`${connection} ${response.channel ?? "-"} ${response.event}`));
  const book = stream.book("btcusdt", { depth: 5 });
  const ended = stream.run();
  ended.catch(() => {}); // awaited below; a rejection before then must not end the process unreported
  try {
    const receivedAll = (n) => () =>
      seen.has(`${n} - authenticated`) && seen.has(`${n} - subscribed`) && seen.has(`${n} trade update`) && seen.has(`${n} ticker snapshot`) && book.inSync;
    const secret = process.env.MAX_API_SECRET;
    assert.ok(!String(stream).includes(secret) && !JSON.stringify(stream).includes(secret), "the secret stays out of String() and JSON");

    await until(receivedAll(1), "authenticated, subscribed, trades, the ticker and the book on the first connection");
    const firstId = await checkBook(book, controlUrl, 5);

    const { dropped } = await (await fetch(`${controlUrl}/drop`, { method: "POST" })).json();
    assert.equal(dropped, 1, "the simulator dropped the stream's connection");
    await until(receivedAll(2), "a new auth, the subscriptions replayed and data again after the drop");
    assert.equal(reconnecting.length, 1, `one reconnect: ${reconnecting.join("; ")}`);
    await until(() => book.lastUpdateId !== firstId, "a book update after the reconnect");
    await checkBook(book, controlUrl, 5);
    assert.equal(stream.status.reconnects, 1);

    stream.close();
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("run() did not resolve after close()")), WAIT_MS)));
    await Promise.race([ended, timeout]).finally(() => clearTimeout(timer));
    assert.equal(stream.state, "closed");
  } finally {
    stream.close(); // a failed check must not leave the process running
  }
  return { connections: connection, seen: seen.size };
}

/**
 * Runs every check with the package `api` as `how` ("import" or "require") loaded it from `entry`
 * (the file it resolved to), prints one line `RESULT {...}` on stdout and sets the exit code: 0
 * when everything held.
 */
export async function runChecks(api, how, entry) {
  const [controlUrl] = process.argv.slice(2);
  const result = { runtime: runtimeName(), loadedBy: how, entry: String(entry), socket: typeof globalThis.WebSocket === "function" ? "global WebSocket" : "ws package" };
  try {
    assert.ok(controlUrl && process.env.MAX_WS_URI, "usage: MAX_WS_URI=ws://… MAX_API_KEY=… MAX_API_SECRET=… check.mjs CONTROL_URL");
    checkExports(api);
    result.decoded = checkDecoding(api);
    checkSigning(api);
    await checkReplay(api);
    result.stream = await checkStream(api, controlUrl);
    result.ok = true;
  } catch (error) {
    result.ok = false;
    result.error = String(error?.stack ?? error);
  }
  const summary = result.ok
    ? `${result.decoded} messages decoded, streamed over ${result.stream.connections} connections (one forced drop), closed`
    : result.error.split("\n")[0];
  console.log(`${result.ok ? "PASS" : "FAIL"} maicoin-ws in ${result.runtime} (${how}, ${result.socket}): ${summary}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exitCode = result.ok ? 0 : 1;
}
