// The CLI (bin/maicoin-ws.js) as a user runs it, against the local simulator: one JSON line per
// response on stdout, usage errors with exit code 2, a clean exit on SIGINT.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/server.js";
import { runCli, until, WAIT_MS } from "./cli-harness.mjs";

let sim;
before(async () => {
  sim = await startSimulator({ tickMs: 50 });
});
after(() => sim.close());

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
