// The `record(entry)` option: open, every text frame (raw, before it is decoded) and close of each
// connection, numbered from 1; never a credential; a failing callback never breaks the stream.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Stream } from "maicoin-ws";
import { simulator, requestLog, requestsOf, startStream, until, tickUntil, ScriptedSocket } from "./harness.mjs";

const trade = (market) => ({ channel: "trade", market });

test("entries: open, each frame untouched and before its response, close; connections numbered from 1", async (t) => {
  const sim = await simulator(t, { stamp: true });
  const seen = [];
  const { stream } = startStream(t, { uri: sim.url, record: (entry) => seen.push({ entry }) });
  stream.subscribe([trade("btcusdt")]);
  stream.addHandler((response) => seen.push({ response }));
  await until(() => seen.some((s) => s.response?.event === "snapshot"), "the trade snapshot");
  sim.dropAll();
  await until(() => seen.filter((s) => s.response?.event === "snapshot").length === 2, "the snapshot of connection 2");
  await tickUntil(sim, () => seen.some((s) => s.response?.event === "update"), "a trade update");
  stream.close();
  await until(() => seen.filter((s) => s.entry?.close !== undefined).length === 2, "both closes");

  const entries = seen.filter((s) => s.entry).map((s) => s.entry);
  for (const entry of entries) {
    assert.equal(typeof entry.at, "number");
    assert.ok(Math.abs(entry.at - Date.now()) < 60_000, "at is local receipt time in ms");
    assert.deepEqual(JSON.parse(JSON.stringify(entry)), entry, "plain JSON");
  }
  assert.deepEqual(
    entries.map((e) => [e.conn, e.open !== undefined ? "open" : e.frame !== undefined ? "frame" : "close"]).filter(([, k], i, all) => i === 0 || k !== all[i - 1][1] || all[i - 1][0] !== all[i][0]),
    [[1, "open"], [1, "frame"], [1, "close"], [2, "open"], [2, "frame"], [2, "close"]],
  );
  assert.equal(entries[0].open, sim.url);
  assert.equal(entries.find((e) => e.conn === 1 && e.close !== undefined).close, 1006, "dropAll terminates: an abnormal close");
  // The engine may take several frames off the socket before it decodes the first: order is kept,
  // and no response comes before the entry of its frame.
  let recorded = 0;
  let answered = 0;
  const frames = entries.filter((e) => e.frame !== undefined);
  for (const s of seen) {
    if (s.entry?.frame !== undefined) recorded += 1;
    if (!s.response) continue;
    assert.ok(answered < recorded, "each response is preceded by the entry of its frame");
    assert.equal(JSON.parse(frames[answered].frame).e, s.response.event, "frames are recorded in the order they are decoded");
    answered += 1;
  }
  assert.equal(answered, frames.length, "every recorded frame became a response here");
  assert.ok(entries.filter((e) => e.frame).every((e) => /"sq":\d+/.test(e.frame)), "raw text, stamps included");
});

test("an authenticated recording holds neither the key, nor the secret, nor the signature", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const lines = [];
  const { stream } = startStream(t, {
    uri: sim.url.replace("ws://", "ws://user:password@"),
    apiKey: "test-key",
    apiSecret: "test-secret",
    authFilters: ["order", "account"],
    record: (entry) => lines.push(JSON.stringify(entry)),
  });
  stream.subscribe([trade("ethusdt")]);
  const events = [];
  stream.addHandler((r) => events.push(r.event));
  await until(() => events.includes("authenticated") && events.includes("account_snapshot"), "the private snapshots");
  const [auth] = requestsOf(log, "auth");
  const text = lines.join("\n");
  assert.ok(lines.some((l) => JSON.parse(l).frame?.includes('"authenticated"')), "the private answers are recorded");
  for (const secret of ["test-key", "test-secret", auth.signature, "password"]) {
    assert.ok(!text.includes(secret), `${secret === auth.signature ? "the signature" : secret} is not recorded`);
  }
  assert.equal(JSON.parse(lines[0]).open, sim.url, "the endpoint without its user:password");
});

test("a record callback that throws or rejects breaks nothing: logged once, recording goes on", async (t) => {
  const logged = [];
  const original = console.error;
  console.error = (...parts) => logged.push(parts);
  t.after(() => (console.error = original));
  for (const failure of ["throw", "reject"]) {
    const sockets = [];
    let calls = 0;
    const responses = [];
    const stream = new Stream({
      uri: "ws://127.0.0.1:1/ws",
      connectFactory: () => sockets[sockets.push(new ScriptedSocket()) - 1],
      record: () => {
        calls += 1;
        if (failure === "throw") throw new Error("disk full");
        return Promise.reject(new Error("disk full"));
      },
    });
    stream.addHandler((r) => responses.push(r));
    const ended = stream.run();
    await until(() => sockets[0]?.readyState === 1, "the scripted socket opens");
    sockets[0].deliver({ e: "pong", i: "x" });
    sockets[0].deliver({ e: "subscribed", s: [] });
    await until(() => responses.length === 2, "both responses after failing records");
    stream.close();
    await ended;
    assert.ok(calls >= 3, `${failure}: record was called for open and both frames`);
  }
  await until(() => logged.length === 2, "one log line per stream");
  assert.ok(logged.every((parts) => /record callback failed/.test(parts[0]) && parts[1].message === "disk full"));
});

test("record must be a function", () => {
  assert.throws(() => new Stream({ record: "file.jsonl" }), { name: "TypeError", message: /record must be a function/ });
});

test("answers to the stream's own pings are marked keepalive", async (t) => {
  const sockets = [];
  const entries = [];
  const { stream } = startStream(t, {
    uri: "ws://127.0.0.1:1/ws",
    keepaliveInterval: 0.05,
    connectFactory: () => sockets[sockets.push(new ScriptedSocket()) - 1],
    record: (entry) => entries.push(entry),
  });
  stream.addHandler(() => {});
  await until(() => sockets[0]?.sent.some((r) => r.action === "ping"), "a ping");
  const ping = sockets[0].sent.find((r) => r.action === "ping");
  sockets[0].deliver({ e: "pong", i: ping.id });
  sockets[0].deliver({ e: "pong", i: "someone-else" });
  await until(() => entries.filter((e) => e.frame).length === 2, "both frames recorded");
  const [ours, theirs] = entries.filter((e) => e.frame);
  assert.equal(ours.keepalive, true);
  assert.equal(theirs.keepalive, undefined);
});
