// `maicoin-ws record FILE ...` and `maicoin-ws replay FILE`: a replay prints exactly the lines the
// live run printed; a stopped recorder loses nothing, a killed one leaves a readable file.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, constants } from "node:zlib";
import { startSimulator } from "../../sim/server.js";
import { runCli, until } from "./cli-harness.mjs";

let sim;
let dir;
before(async () => {
  sim = await startSimulator({ tickMs: 50 });
  dir = mkdtempSync(join(tmpdir(), "maicoin-ws-cli-record-"));
});
after(() => sim.close());

const SUBSCRIPTIONS = ["book:btcusdt:5", "trade:btcusdt", "ticker:ethusdt", "kline:btcusdt:1m"];
const updates = (all) => all.filter((r) => r.event === "update").length >= 30;

function fileText(path) {
  const bytes = readFileSync(path);
  return path.endsWith(".gz") ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString() : bytes.toString();
}

for (const [name, signal, args, env] of [
  ["recording.jsonl", "SIGINT", []],
  ["recording.jsonl.gz", "SIGTERM", ["--dispatch", "queue"]],
  ["private.jsonl", "SIGINT", ["--auth", "--filters", "order,account"], { MAX_API_KEY: "test-key", MAX_API_SECRET: "test-secret" }],
]) {
  test(`record ${name} (${signal}), then replay it: the very same lines`, async () => {
    const file = join(dir, name);
    const live = runCli(["record", file, "--uri", sim.url, ...args, ...SUBSCRIPTIONS], env);
    await until(live, updates, "30 updates");
    live.child.kill(signal);
    assert.deepEqual(await live.exit, { code: 0, signal: null });
    assert.equal(live.stderr, "");

    const lines = fileText(file).split("\n");
    assert.equal(lines.at(-1), "", "the file ends with a whole line");
    const header = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(header), ["format", "version", "subscriptions", "started"]);
    assert.equal(header.format, "maicoin-ws-recording");
    assert.equal(header.version, 1);
    assert.deepEqual(header.subscriptions.map((s) => s.channel), ["book", "trade", "ticker", "kline"]);
    const entries = lines.slice(1, -1).map((line) => JSON.parse(line));
    assert.deepEqual(entries[0], { at: entries[0].at, conn: 1, open: sim.url });
    assert.equal(entries.at(-1).close, 1000, "the close after the signal is recorded");
    const frames = entries.filter((e) => e.frame !== undefined).length;
    assert.ok(frames >= live.lines.length, "every printed response's frame is in the file");
    for (const secret of ["test-key", "test-secret", "signature"]) assert.ok(!fileText(file).includes(secret), `no ${secret}`);

    const replayed = runCli(["replay", file, ...args.filter((a) => a === "--dispatch" || a === "queue")]);
    assert.deepEqual(await replayed.exit, { code: 0, signal: null });
    assert.equal(replayed.stderr, "");
    assert.deepEqual(replayed.lines, live.lines);
  });
}

test("a recorder killed without warning leaves a readable .gz: its replay is a prefix of the live run", async () => {
  const file = join(dir, "killed.jsonl.gz");
  const live = runCli(["record", file, "--uri", sim.url, ...SUBSCRIPTIONS]);
  await until(live, updates, "30 updates");
  // The gzip stream is flushed once a second: let one flush pass, then kill mid-stream.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  live.child.kill("SIGKILL");
  await live.exit;
  const replayed = runCli(["replay", file]);
  assert.deepEqual(await replayed.exit, { code: 0, signal: null });
  assert.equal(replayed.stderr, "");
  assert.ok(replayed.lines.length > 0, "what was flushed before the kill replays");
  assert.deepEqual(replayed.lines, live.lines.slice(0, replayed.lines.length));
});

test("replay --speed 1 keeps the recorded pace", async () => {
  const file = join(dir, "paced.jsonl");
  const frame = (at, i) => JSON.stringify({ at, conn: 1, frame: JSON.stringify({ e: "subscribed", i: String(i), s: [], T: at }) });
  writeFileSync(file, [JSON.stringify({ at: 0, conn: 1, open: "ws://x/ws" }), frame(0, 1), frame(400, 2), ""].join("\n"));
  const started = Date.now();
  const replayed = runCli(["replay", file, "--speed", "1"]);
  assert.deepEqual(await replayed.exit, { code: 0, signal: null });
  assert.ok(Date.now() - started >= 400, "not before the recorded 400 ms");
  assert.deepEqual(replayed.lines.map((line) => JSON.parse(line).id), ["1", "2"]);
});

for (const [args, message, code] of [
  [["record"], /record needs a FILE/, 2],
  [["replay"], /replay needs a FILE/, 2],
  [["record", "x.jsonl"], /name at least one subscription/, 2],
  [["replay", "x.jsonl", "ticker:btcusdt"], /replay takes its subscriptions from FILE/, 2],
  [["replay", "x.jsonl", "--speed", "0"], /--speed must be a number > 0/, 2],
  [["ticker:btcusdt", "--speed", "2"], /--speed is for replay only/, 2],
  [["record", "/nonexistent/dir/x.jsonl", "ticker:btcusdt"], /cannot write \/nonexistent\/dir\/x.jsonl/, 1],
  [["replay", "/nonexistent/x.jsonl"], /cannot replay \/nonexistent\/x.jsonl: .*ENOENT/, 1],
]) {
  test(`maicoin-ws ${args.join(" ")} exits ${code}`, async () => {
    const run = runCli(args);
    assert.deepEqual(await run.exit, { code, signal: null });
    assert.match(run.stderr, message);
    assert.equal(run.stdout, "");
  });
}

test("replay of a broken file names the line", async () => {
  const file = join(dir, "broken.jsonl");
  writeFileSync(file, [JSON.stringify({ at: 0, conn: 1, open: "ws://x/ws" }), "garbage", JSON.stringify({ at: 1, conn: 1, close: 1000 }), ""].join("\n"));
  const run = runCli(["replay", file]);
  assert.deepEqual(await run.exit, { code: 1, signal: null });
  assert.match(run.stderr, /line 2 of the recording is not JSON/);
});
