// The simulator serving a recording (`npm run sim -- --replay FILE`): each subscriber gets the
// recorded frames of its subscriptions, a late one a snapshot of the recorded state first, and
// requests are answered as ever.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../../sim/server.js";
import { simulator, startStream, until, tickUntil } from "./harness.mjs";
import { rawClient } from "./sim-client.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BOOK = { channel: "book", market: "btcusdt", depth: 5 };
const TRADE = { channel: "trade", market: "btcusdt" };

/** A recorded session: book and trades of btcusdt, with the live book as it ended. */
async function recorded(t) {
  const sim = await simulator(t);
  const entries = [];
  const { stream } = startStream(t, { uri: sim.url, record: (entry) => entries.push(entry) });
  const book = stream.book("btcusdt", { depth: 5 });
  const trades = [];
  stream.subscribe([TRADE]);
  stream.addHandler((r) => r.channel === "trade" && trades.push(...r.trades.map((trade) => JSON.stringify(trade))));
  await tickUntil(sim, () => book.inSync && book.lastUpdateId > 0 && trades.length >= 25, "a recorded book and trades");
  const final = { li: book.lastUpdateId, asks: book.asks(5), bids: book.bids(5) };
  stream.close();
  await until(() => entries.some((e) => e.close !== undefined), "the recorded close");
  return { entries, final, trades };
}

async function replaying(t, options) {
  const sim = await startSimulator({ tickMs: 0, ...options });
  t.after(() => sim.close());
  return sim;
}

test("a subscriber gets its channels' recorded frames: the same book, the same trades", async (t) => {
  const { entries, final, trades } = await recorded(t);
  const sim = await replaying(t, { replay: entries, replaySpeed: 10 });
  const { stream } = startStream(t, { uri: sim.url, apiKey: "test-key", apiSecret: "test-secret", authFilters: ["account"] });
  const book = stream.book("btcusdt", { depth: 5 });
  const seen = [];
  stream.subscribe([TRADE, { channel: "ticker", market: "ethusdt" }]);
  stream.addHandler((r) => {
    if (r.channel === "trade") seen.push(...r.trades.map((trade) => JSON.stringify(trade)));
    if (r.event) seen.push(r.event);
    if (r.channel === "ticker") seen.push("ticker");
  });
  await until(() => book.lastUpdateId === final.li, "the recorded book's last update id");
  assert.equal(book.inSync, true);
  assert.deepEqual({ li: book.lastUpdateId, asks: book.asks(5), bids: book.bids(5) }, final, "the book ends as recorded");
  await until(() => seen.includes(trades.at(-1)), "the last recorded trade");
  const replayedTrades = seen.filter((s) => s.startsWith("{"));
  assert.deepEqual(replayedTrades, trades.slice(trades.length - replayedTrades.length), "recorded trades, in order");
  assert.ok(seen.includes("authenticated") && seen.includes("account_snapshot"), "auth is answered as ever");
  assert.ok(!seen.includes("ticker"), "nothing for a channel the recording lacks");
});

test("a late subscriber starts from a snapshot of the recorded state; --loop plays it again", async (t) => {
  const { entries, final } = await recorded(t);
  const sim = await replaying(t, { replay: entries, replaySpeed: 20, replayLoop: true });
  await until(() => sim.replayFeed.rounds >= 1, "one whole round");
  const client = await rawClient(t, sim);
  client.send({ action: "sub", id: "late", subscriptions: [BOOK] });
  // Just after a round starts over, no state is recorded yet and the first book frame is the
  // round's own recorded snapshot instead; either way it is the first frame after the answer.
  const [answer, snapshot] = await client.upTo((f) => f.c === "book", "the late subscriber's first book frame");
  assert.equal(answer.e, "subscribed");
  assert.equal(snapshot.e, "snapshot");
  assert.equal(snapshot.c, "book");
  assert.ok(snapshot.a.length <= 5 && snapshot.b.length <= 5);
  assert.ok(Number(snapshot.a[0][0]) > Number(snapshot.b[0][0]), "a snapshot of an uncrossed book");
  const rounds = sim.replayFeed.rounds;
  const { stream } = startStream(t, { uri: sim.url });
  const book = stream.book("btcusdt", { depth: 5 });
  await until(() => sim.replayFeed.rounds > rounds && book.inSync && book.lastUpdateId === final.li, "the end of the next round");
  assert.deepEqual({ li: book.lastUpdateId, asks: book.asks(5), bids: book.bids(5) }, final);
});

test("npm run sim -- --replay FILE serves it; a bad file or a stray --speed is refused", async (t) => {
  const { entries } = await recorded(t);
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-sim-replay-"));
  const file = join(dir, "day.jsonl");
  writeFileSync(file, `${entries.map((entry) => JSON.stringify(entry)).join("\n")}\n`);
  const run = (args) => {
    const child = spawn(process.execPath, [join(ROOT, "sim", "cli.js"), "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (chunk) => (output.stdout += chunk));
    child.stderr.on("data", (chunk) => (output.stderr += chunk));
    const exit = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, output, exit };
  };
  const serving = run(["--replay", file, "--speed", "max"]);
  t.after(() => serving.child.kill());
  const url = await until(() => serving.output.stdout.match(/ws:\/\/\S+/)?.[0], "the listening line");
  const client = await rawClient(t, { url });
  client.send({ action: "sub", id: "cli", subscriptions: [BOOK] });
  const [answer, snapshot] = await client.upTo((f) => f.c === "book", "the first book frame");
  assert.deepEqual([answer.e, snapshot.e], ["subscribed", "snapshot"]);

  writeFileSync(join(dir, "bad.jsonl"), "not a recording\nat all\n");
  const bad = run(["--replay", join(dir, "bad.jsonl")]);
  assert.equal(await bad.exit, 1);
  assert.match(bad.output.stderr, /cannot replay .*line 1 of the recording is not JSON/);
  const endless = run(["--replay", file, "--speed", "max", "--loop"]);
  assert.equal(await endless.exit, 2);
  assert.match(endless.output.stderr, /replayLoop needs a finite replaySpeed/);
  const stray = run(["--speed", "2"]);
  assert.equal(await stray.exit, 2);
  assert.match(stray.output.stderr, /--speed and --loop need --replay FILE/);
});
