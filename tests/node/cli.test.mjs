// The CLI (bin/maicoin-ws.js) as a user runs it, against the local simulator: one JSON line per
// response on stdout, usage errors with exit code 2, a clean exit on SIGINT.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../../sim/server.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "bin", "maicoin-ws.js");
const WAIT_MS = 20_000; // a safety net; each wait ends when its condition holds

let sim;
before(async () => {
  sim = await startSimulator({ tickMs: 50 });
});
after(() => sim.close());

/** Runs the CLI; `lines` collects stdout's JSON lines as they come. */
function runCli(args, env = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, MAX_API_KEY: "", MAX_API_SECRET: "", MAX_WS_URI: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run = { child, lines: [], stdout: "", stderr: "", waiters: new Set() };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  let pending = "";
  child.stdout.on("data", (chunk) => {
    run.stdout += chunk;
    pending += chunk;
    const complete = pending.split("\n");
    pending = complete.pop();
    for (const line of complete) run.lines.push(line);
    for (const check of run.waiters) check();
  });
  child.stderr.on("data", (chunk) => (run.stderr += chunk));
  run.exit = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return run;
}

/** Resolves once `predicate(parsed lines)` holds. */
function until(run, predicate, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      run.waiters.delete(check);
      reject(new Error(`${what}: not seen in ${WAIT_MS} ms; stdout so far:\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr}`));
    }, WAIT_MS);
    const check = () => {
      let parsed;
      try {
        parsed = run.lines.map((line) => JSON.parse(line));
      } catch (error) {
        clearTimeout(timer);
        run.waiters.delete(check);
        reject(new Error(`a line of stdout is not JSON (${error.message}):\n${run.stdout.slice(0, 2000)}`));
        return;
      }
      if (predicate(parsed)) {
        clearTimeout(timer);
        run.waiters.delete(check);
        resolve(parsed);
      }
    };
    run.waiters.add(check);
    check();
  });
}

test("prints one JSON line per response: subscribed, then snapshots and updates of each channel", async () => {
  const run = runCli(["--uri", sim.url, "book:btcusdt:5", "trade:ethusdt", "ticker:btcusdt", "kline:btcusdt:1m", "market_status"]);
  const responses = await until(
    run,
    (all) =>
      ["book", "trade", "ticker", "kline"].every((channel) => all.some((r) => r.channel === channel && r.event === "update")),
    "an update of every channel",
  );
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });

  const subscribed = responses.find((r) => r.event === "subscribed");
  assert.deepEqual(
    subscribed.subscriptions.map((s) => s.channel).sort(),
    ["book", "kline", "market_status", "ticker", "trade"],
  );
  for (const channel of ["book", "trade", "ticker", "kline", "market_status"]) {
    assert.ok(responses.some((r) => r.channel === channel && r.event === "snapshot"), `a ${channel} snapshot`);
  }
  const book = responses.find((r) => r.channel === "book" && r.event === "snapshot");
  assert.equal(book.market, "btcusdt");
  assert.equal(book.asks.length, 5);
  assert.match(book.asks[0][0], /^\d+\.\d+$/, "prices stay decimal strings");
  const kline = responses.find((r) => r.channel === "kline");
  assert.equal(kline.kline.resolution, "1m");
  assert.match(kline.kline.startTime, /^\d{4}-\d\d-\d\dT/, "times print as ISO dates");
  assert.ok(responses.filter((r) => r.channel === "trade").every((r) => r.market === "ethusdt"));
  assert.equal(run.stderr, "");
});

test("--dispatch queue prints the same kind of lines", async () => {
  const run = runCli(["--uri", sim.url, "--dispatch", "queue", "ticker:ethusdt"]);
  const responses = await until(run, (all) => all.some((r) => r.channel === "ticker" && r.event === "update"), "a ticker update");
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.equal(responses[0].event, "subscribed");
  assert.equal(responses[1].event, "snapshot");
  assert.equal(responses[1].ticker.market, "ethusdt");
});

test("the endpoint can come from MAX_WS_URI", async () => {
  const run = runCli(["trade:btcusdt"], { MAX_WS_URI: sim.url });
  await until(run, (all) => all.some((r) => r.channel === "trade" && r.event === "snapshot"), "a trade snapshot");
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
});

test("--auth signs in with MAX_API_KEY and MAX_API_SECRET and prints private events", async () => {
  const run = runCli(["--uri", sim.url, "--auth", "--filters", "order,account"], { MAX_API_KEY: "test-key", MAX_API_SECRET: "test-secret" });
  const responses = await until(
    run,
    (all) => all.some((r) => r.event === "order_snapshot") && all.some((r) => r.event === "account_snapshot"),
    "the private snapshots",
  );
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.equal(responses[0].event, "authenticated");
  assert.ok(!run.stdout.includes("test-secret"), "the secret is never printed");
});

test("SIGINT while the connection is still being retried exits cleanly too", async () => {
  // A port nobody listens on: the stream keeps reconnecting until told to stop.
  const run = runCli(["--uri", "ws://127.0.0.1:9/ws", "ticker:btcusdt"]);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reconnect notice; stderr: ${run.stderr}`)), WAIT_MS);
    run.child.stderr.on("data", () => {
      if (run.stderr.includes("reconnecting")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.equal(run.stdout, "");
});

for (const [args, message, env] of [
  [["bogus:btcusdt"], /unknown channel "bogus"/],
  [[], /name at least one subscription/],
  [["--frobnicate", "ticker:btcusdt"], /unknown option --frobnicate/],
  [["--dispatch", "sideways", "ticker:btcusdt"], /dispatch/],
  [["book:btcusdt:7"], /depth/],
  [["kline:btcusdt:2m"], /resolution/],
  [["--uri", "http://example.invalid", "ticker:btcusdt"], /uri/],
  [["--auth", "ticker:btcusdt"], /MAX_API_KEY is not set/],
]) {
  test(`usage error exits 2 with the usage on stderr: maicoin-ws ${args.join(" ")}`, async () => {
    const run = runCli(args, env);
    assert.deepEqual(await run.exit, { code: 2, signal: null });
    assert.match(run.stderr, message);
    assert.match(run.stderr, /^usage: maicoin-ws \[options\] SUBSCRIPTION\.\.\./m);
    assert.equal(run.stdout, "");
  });
}

test("--help prints the usage on stdout and exits 0", async () => {
  const run = runCli(["--help"]);
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.match(run.stdout, /^usage: maicoin-ws/);
  assert.match(run.stdout, /book:MARKET\[:DEPTH\]/);
});
