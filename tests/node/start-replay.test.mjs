// `npm start -- --replay FILE`: scripts/start hands its arguments to the simulator, which then
// serves the recording to the dashboard (and to any client).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./harness.mjs";
import { rawClient } from "./sim-client.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WAIT_MS = 120_000; // setup and a build may run first on a machine that lacks them

test("npm start -- --replay FILE serves the recording", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-start-replay-"));
  const file = join(dir, "book.jsonl");
  const snapshot = { c: "book", e: "snapshot", M: "btcusdt", a: [["101.5", "2"]], b: [["100.5", "1"]], T: 1, fi: 7, li: 7, v: 1 };
  writeFileSync(file, `${[{ at: 0, conn: 1, open: "ws://x/ws" }, { at: 1, conn: 1, frame: JSON.stringify(snapshot) }].map((e) => JSON.stringify(e)).join("\n")}\n`);
  const child = spawn("bash", ["scripts/start", "--replay", file], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: "0", SIM_PORT: "0", DASHBOARD_HOST: "127.0.0.1", MAX_WS_URI: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exit = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  t.after(() => {
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {
      // Already gone.
    }
  });
  const url = await until(() => /simulator on (ws:\/\/\S+)/.exec(output)?.[1], `the simulator's URL in:\n${output}`, WAIT_MS);
  const client = await rawClient(t, { url });
  client.send({ action: "sub", id: "s", subscriptions: [{ channel: "book", market: "btcusdt", depth: 5 }] });
  const [answer, served] = await client.sync();
  assert.equal(answer.e, "subscribed");
  assert.deepEqual(served, snapshot, "the recorded book, as recorded");
  process.kill(-child.pid, "SIGINT");
  assert.equal(await exit, 0);
});
