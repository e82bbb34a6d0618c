// replay(recording, { speed }): a connectFactory that plays a recording back through the very
// engine, decoder, books and dispatch modes of a live stream, the same way every time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Stream, RecordingError, replay } from "maicoin-ws";
import { simulator, startStream, until, tickUntil, within, FAST } from "./harness.mjs";

const SUBSCRIPTIONS = [
  { channel: "book", market: "btcusdt", depth: 10 },
  { channel: "trade", market: "btcusdt" },
  { channel: "ticker", market: "ethusdt" },
];

/**
 * What a stream's user sees: every response, and (when `books`) the kept book as it is when a
 * book frame is handled (not in queue mode: its consumer reads the book later).
 */
function observe(stream, books = true) {
  const seen = [];
  const book = stream.book("btcusdt", { depth: 10 });
  stream.subscribe(SUBSCRIPTIONS);
  const note = (response) => {
    seen.push(JSON.stringify(response));
    if (books && response.channel === "book") {
      seen.push(JSON.stringify({ li: book.lastUpdateId, inSync: book.inSync, asks: book.asks(10), bids: book.bids(10) }));
    }
  };
  return { seen, note };
}

/** A live session against the simulator with a book gap and a reconnect, recorded. */
async function liveSession(t) {
  const sim = await simulator(t);
  const entries = [];
  const { stream } = startStream(t, { uri: sim.url, record: (entry) => entries.push(entry) });
  const { seen, note } = observe(stream);
  stream.addHandler(note);
  const books = () => seen.filter((s) => s.includes('"channel":"book"')).length;
  await tickUntil(sim, () => books() >= 5, "book updates");
  sim.injectGap("btcusdt");
  await tickUntil(sim, () => books() >= 10, "book updates after a gap");
  sim.dropAll();
  await tickUntil(sim, () => books() >= 16 && seen.some((s) => s.includes('"channel":"trade","market":"btcusdt","trades"')), "updates on connection 2");
  stream.close();
  await until(() => entries.filter((e) => e.close !== undefined).length === 2, "both closes recorded");
  return { entries, seen };
}

/** Replays `recording` into a fresh stream set up like the live one; resolves with what it saw. */
async function replayed(recording, { dispatch = "inline", speed } = {}) {
  const connectFactory = replay(recording, { speed });
  let stream;
  stream = new Stream({
    uri: "ws://replay.invalid/ws",
    dispatch,
    connectFactory,
    reconnectPolicy: FAST,
    onDisconnected: () => connectFactory.done && stream.close(),
  });
  const { seen, note } = observe(stream, dispatch !== "queue");
  let consumed = null;
  if (dispatch === "queue") {
    consumed = (async () => {
      for await (const response of stream.responses()) note(response);
    })();
  } else {
    stream.addHandler(note);
  }
  await within(stream.run(), "the replay to end");
  await consumed;
  assert.equal(connectFactory.done, true);
  return seen;
}

test("a replay shows what the live stream showed: same responses, same order, same books at every update id", async (t) => {
  const { entries, seen: live } = await liveSession(t);
  assert.ok(live.some((s) => s.includes('"inSync":false')), "the gap put the live book out of sync once");
  const first = await replayed(entries);
  const second = await replayed(entries.map((entry) => JSON.stringify(entry)));
  assert.deepEqual(first, live, "the replay matches the live session");
  assert.deepEqual(second, first, "two replays are identical");
  assert.deepEqual(await replayed(entries, { dispatch: "task" }), live, "task dispatch too");
  const queued = await replayed(entries, { dispatch: "queue" });
  assert.deepEqual(queued, live.filter((s) => !s.startsWith('{"li"')), "queue dispatch sees the same responses");
});

test("recorded timing is kept at speed 1 and scaled at speed 10; Infinity uses no timer per frame", async () => {
  const frame = (at, i) => ({ at, conn: 1, frame: JSON.stringify({ e: "pong", i: String(i), T: at }) });
  const timed = [{ at: 0, conn: 1, open: "ws://x/ws" }, frame(0, 1), frame(300, 2), { at: 300, conn: 1, close: 1000, reason: "" }];
  for (const [speed, least] of [[1, 300], [10, 30]]) {
    const started = Date.now();
    const seen = await replayed(timed, { speed });
    assert.equal(seen.length, 2);
    assert.ok(Date.now() - started >= least - 2, `speed ${speed}: the second frame is not early`);
  }
  // An hour of recorded time: only a replay that never waits for the clock can end here.
  const hour = [{ at: 0, conn: 1, open: "ws://x/ws" }];
  for (let i = 0; i < 2000; i++) hour.push(frame(i * 1800, i));
  hour.push({ at: 3_600_000, conn: 1, close: 1000, reason: "" });
  assert.equal((await replayed(hour)).length, 2000);
});

test("connections replay in order, a failed attempt stays a failure, and a replay ends without reconnecting", async (t) => {
  const pong = (conn, at) => ({ at, conn, frame: JSON.stringify({ e: "pong", i: `c${conn}`, T: at }) });
  const recording = [
    { at: 1, conn: 1, open: "ws://x/ws" }, pong(1, 2), { at: 3, conn: 1, close: 1006, reason: "" },
    { at: 4, conn: 2, close: 1006, reason: "" },
    { at: 5, conn: 3, open: "ws://x/ws" }, pong(3, 6),
  ];
  const factory = replay(recording);
  const events = [];
  const { stream, ended } = startStream(t, {
    uri: "ws://x/ws",
    connectFactory: factory,
    onConnected: () => events.push("connected"),
    onReconnecting: () => events.push("reconnecting"),
  });
  stream.addHandler((r) => events.push(r.id));
  await within(factory.ended, "the end of the recording");
  assert.equal(factory.done, true);
  // conn 3 has no recorded close (a killed recorder): it closes 1006 after its last frame, and the
  // stream's next connection idles, "connecting", instead of looping.
  await until(() => stream.state === "connecting" && events.filter((e) => e === "reconnecting").length === 3, "the idle connection");
  assert.deepEqual(events, ["connected", "c1", "reconnecting", "reconnecting", "connected", "c3", "reconnecting"]);
  stream.close();
  assert.deepEqual(await ended, { resolved: true });
});

test("answers to the recorder's own pings are skipped; the replaying stream's pings are answered", async (t) => {
  const recording = [
    { at: 0, conn: 1, open: "ws://x/ws" },
    { at: 1, conn: 1, frame: '{"e":"pong","i":"recorder-ping","T":1}', keepalive: true },
    { at: 2, conn: 1, frame: '{"e":"subscribed","s":[],"T":2}' },
    { at: 1600, conn: 1, frame: '{"e":"subscribed","s":[],"T":1600}' },
  ];
  const responses = [];
  const { stream } = startStream(t, { uri: "ws://x/ws", keepaliveInterval: 0.5, connectFactory: replay(recording, { speed: 1 }) });
  stream.addHandler((r) => responses.push(r.event));
  await until(() => responses.length === 2, "both subscribed answers");
  assert.deepEqual(responses, ["subscribed", "subscribed"], "no pong reaches the handlers");
  // 1.6 s of silence would be over 3 keepalive intervals: the second answer came on the same connection
  // only because the replay answered the stream's pings.
  assert.ok(stream.status.frames >= 4, "pongs to the stream's own pings arrived");
});

test("a recording file, plain or gzipped, even cut short mid-line or mid-gzip, replays by its path or as a Blob", async () => {
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-replay-"));
  const lines = [
    JSON.stringify({ format: "maicoin-ws-recording", version: 1, subscriptions: [], started: 0 }),
    JSON.stringify({ at: 0, conn: 1, open: "ws://x/ws" }),
  ];
  for (let i = 0; i < 400; i++) lines.push(JSON.stringify({ at: i, conn: 1, frame: JSON.stringify({ e: "pong", i: `p${i}`, T: i }) }));
  const text = `${lines.join("\n")}\n`;
  const plain = join(dir, "cut.jsonl");
  writeFileSync(plain, text.slice(0, -20));
  const gzipped = gzipSync(Buffer.from(text));
  const cutGzip = join(dir, "cut.jsonl.gz");
  writeFileSync(cutGzip, gzipped.subarray(0, gzipped.length - 40));
  const cutBytes = gzipped.subarray(0, gzipped.length - 40);
  for (const [what, source] of [[plain, plain], [cutGzip, cutGzip], ["a gzipped Blob", new Blob([cutBytes])], ["a gzipped Response", new Response(cutBytes)]]) {
    const seen = await replayed(source);
    assert.ok(seen.length > 300 && seen.length < 400, `${what}: every whole line before the cut (${seen.length})`);
    assert.ok(seen.every((s, i) => JSON.parse(s).id === `p${i}`), "in order");
  }
});

test("a bad recording is refused with an error naming the problem", async () => {
  const open = JSON.stringify({ at: 0, conn: 1, open: "ws://x/ws" });
  const cases = [
    [[open, "{not json", JSON.stringify({ at: 1, conn: 1, close: 1000 })], /line 2 of the recording is not JSON/],
    [[JSON.stringify({ format: "something-else", version: 1 }), open], /not a maicoin-ws recording/],
    [[JSON.stringify({ format: "maicoin-ws-recording", version: 2 }), open], /version 2 is not readable/],
    [[JSON.stringify({ at: 0, conn: 0, open: "ws://x/ws" })], /"conn" is not a connection number/],
    [[JSON.stringify({ at: 0, conn: 1, frame: "{}" })], /before it opened/],
    [[open, JSON.stringify({ at: 1, conn: 1, hello: 1 })], /neither an open, a frame nor a close/],
    [[], /no connection/],
  ];
  for (const [lines, message] of cases) {
    assert.throws(() => replay(lines), (error) => error instanceof RecordingError && message.test(error.message));
  }
  assert.throws(() => replay([open], { speed: 0 }), RangeError);
  assert.throws(() => replay(42), TypeError);
  // A path that cannot be read: the factory's sockets fail with the reason, then run() rejects.
  const factory = replay("/nonexistent/recording.jsonl");
  await assert.rejects(factory.ready, /ENOENT/);
  const stream = new Stream({ uri: "ws://x/ws", connectFactory: factory, reconnectPolicy: FAST });
  await assert.rejects(within(stream.run(), "the stream to give up"), /ENOENT/);
});
