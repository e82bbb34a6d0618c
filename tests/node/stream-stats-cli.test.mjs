// The CLI's --stats N: stream.stats() as one JSON line on stderr every N seconds and at the end,
// while stdout keeps its response lines.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/server.js";
import { runCli, until } from "./cli-harness.mjs";

let sim;
before(async () => {
  sim = await startSimulator({ tickMs: 50 });
});
after(() => sim.close());

const statsLines = (stderr) => stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));

test("--stats 0.2 prints the stats on stderr every 0.2 s and once more at the end", async () => {
  const run = runCli(["--uri", sim.url, "--stats", "0.2", "book:btcusdt:5", "trade:ethusdt"]);
  await until(run, (all) => all.some((r) => r.channel === "book" && r.event === "update") && statsLines(run.stderr).length >= 2, "updates and two stats lines");
  run.child.kill("SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  const lines = statsLines(run.stderr);
  assert.equal(run.stderr.split("\n").filter(Boolean).length, lines.length, "nothing else on stderr");
  const last = lines.at(-1);
  assert.equal(last.connections, 1);
  assert.deepEqual(last.subscriptions.map((s) => [s.channel, s.market]), [["book", "btcusdt"], ["trade", "ethusdt"]]);
  assert.ok(last.subscriptions[0].frames > 0);
  assert.ok(last.framesReceived >= lines[0].framesReceived, "counters only grow");
  assert.ok(lines.length >= 3, "the final line too");
});

test("--stats needs a number of seconds > 0", async () => {
  for (const bad of ["0", "-1", "soon"]) {
    const run = runCli(["--uri", sim.url, "--stats", bad, "trade:btcusdt"]);
    assert.deepEqual(await run.exit, { code: 2, signal: null });
    assert.match(run.stderr, /--stats must be a number of seconds > 0/);
  }
});
