// The runtime matrix: the packed tarball installed into an empty folder (nothing of the
// repository's node_modules visible from it), then the same portable check (checks.mjs) in
// Node 20 (import and require), Node 22, Node 24, Bun and Deno, each against its own simulator.
// One subtest per runtime, named after it. The runtimes come from scripts/setup-runtimes
// (.tools/runtimes/, or RUNTIMES_DIR); a missing one fails its subtest, it is never skipped.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRig } from "./rig.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TOOLS = resolve(ROOT, process.env.RUNTIMES_DIR ?? ".tools/runtimes");
const DENO_DIR = join(TOOLS, "deno-dir");
const DOCUMENTED = readFileSync(join(ROOT, "tests", "fixtures", "inbound.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "").length;

// name -> [binary, arguments before the script, script]; binaries as scripts/setup-runtimes installs them.
const RUNTIMES = {
  "node 20 (import)": [process.execPath, [], "check.mjs"],
  "node 20 (require)": [process.execPath, [], "check.cjs"],
  "node 22": [join(TOOLS, "node_modules/node22/bin/node"), [], "check.mjs"],
  "node 24": [join(TOOLS, "node_modules/node24/bin/node"), [], "check.mjs"],
  bun: [join(TOOLS, "node_modules/.bin/bun"), [], "check.mjs"],
  deno: [join(TOOLS, "node_modules/.bin/deno"), ["run", "-A", "--quiet"], "check.mjs"],
};

/** Runs a command; resolves with { code, stdout, stderr } whatever its exit status. */
function sh(cwd, command, args, { timeout = 120_000, env = process.env } = {}) {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (error.code ?? error.signal ?? "error") : 0, stdout, stderr });
    });
  });
}

async function shOk(cwd, command, args) {
  const out = await sh(cwd, command, args, { timeout: 300_000 });
  assert.equal(out.code, 0, `${command} ${args.join(" ")} failed:\n${out.stdout}\n${out.stderr}`);
  return out;
}

describe("the packed package in every runtime of the matrix", () => {
  let temp;
  let app;

  before(async () => {
    assert.ok(existsSync(join(ROOT, "pkg", "maicoin_ws_bg.wasm")), "no pkg/maicoin_ws_bg.wasm to pack: run scripts/build first");
    temp = await mkdtemp(join(tmpdir(), "maicoin-ws-runtimes-"));
    const { stdout } = await shOk(ROOT, "npm", ["pack", "--json", "--pack-destination", temp]);
    const [packed] = JSON.parse(stdout);
    app = join(temp, "app");
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "runtime-matrix-app", private: true, type: "module" }, null, 2));
    // ws comes as the package's optional dependency (Node 20 has no global WebSocket).
    await shOk(app, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(temp, packed.filename)]);
    // The check and what it reads, with the repository's layout, beside the installed package.
    for (const file of ["runtimes/checks.mjs", "runtimes/check.mjs", "runtimes/check.cjs", "node/wire-names.mjs", "fixtures/inbound.jsonl", "fixtures/hmac.json"]) {
      await cp(join(ROOT, "tests", file), join(app, "tests", file));
    }
    assert.ok(existsSync(join(app, "node_modules", "ws", "package.json")), "ws installed with the tarball");
  });

  after(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  for (const [name, [binary, preArgs, script]] of Object.entries(RUNTIMES)) {
    test(name, async (t) => {
      assert.ok(existsSync(binary), `${name}: no ${binary}; run scripts/setup-runtimes`);
      const rig = await startRig();
      t.after(() => rig.close());
      const env = {
        ...process.env,
        ...{ MAX_WS_URI: rig.wsUrl, MAX_API_KEY: rig.sim.config.apiKey, MAX_API_SECRET: rig.sim.config.apiSecret },
        ...{ DENO_DIR, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      };
      const out = await sh(join(app, "tests", "runtimes"), binary, [...preArgs, script, rig.controlUrl], { env, timeout: 90_000 });
      const line = out.stdout.split("\n").find((l) => l.startsWith("RESULT "));
      assert.ok(line, `${name} printed no result (exit ${out.code}):\n${out.stdout}\n${out.stderr}`);
      const result = JSON.parse(line.slice("RESULT ".length));
      t.diagnostic(`${result.runtime}, ${result.loadedBy}, ${result.socket}`);
      assert.equal(result.ok, true, `${name} (${result.runtime}) failed:\n${result.error}\n${out.stderr}`);
      assert.equal(out.code, 0, `${name} exit status`);
      assert.equal(result.decoded, DOCUMENTED, "every documented message decoded");
      const entry = result.entry.startsWith("file:") ? fileURLToPath(result.entry) : result.entry;
      assert.equal(entry, join(app, "node_modules", "maicoin-ws", "pkg", "maicoin_ws_node.js"), "the installed tarball's Node entry (the bundle) was loaded");

      // The server's side of the replay: the second connection asked for the same subscriptions.
      const subs = rig.requests.filter((e) => e.request?.action === "sub");
      const byConnection = [...new Set(subs.map((e) => e.conn))].map((conn) =>
        subs.filter((e) => e.conn === conn).flatMap((e) => e.request.subscriptions.map((s) => `${s.channel}:${s.market}`)).sort(),
      );
      assert.equal(byConnection.length, 2, `two connections subscribed: ${JSON.stringify(byConnection)}`);
      assert.deepEqual(byConnection[1], byConnection[0], "the subscriptions were replayed");
      assert.deepEqual(byConnection[0], ["book:btcusdt", "ticker:ethusdt", "trade:btcusdt"]);
      const auths = rig.requests.filter((e) => e.request?.action === "auth");
      assert.deepEqual(auths.map((e) => e.conn), [...new Set(subs.map((e) => e.conn))], "each connection authenticated");
      assert.notEqual(auths[0].request.nonce, auths[1].request.nonce, "with a fresh nonce");
    });
  }
});
