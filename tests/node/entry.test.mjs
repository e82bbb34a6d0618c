// Node's entry: package.json "exports" send Node to one bundled module (pkg/maicoin_ws_node.js,
// written by scripts/bundle.mjs from js/node.js), which must be current and export what the
// sources do; the wasm is compiled on first use, once, and a missing wasm file is reported when
// the package first needs it, naming the file.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Runs an ES module script in a fresh Node process; returns its stdout (it must succeed). */
function fresh(script, cwd = ROOT) {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

test("package.json sends Node to the bundled entry, which the sources would write again unchanged", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(manifest.exports["."].node, "./pkg/maicoin_ws_node.js");
  assert.ok(manifest.files.includes("pkg/maicoin_ws_node.js"), "the bundle ships");
  for (const file of ["pkg/maicoin_ws_node_glue.cjs", "pkg/maicoin_ws_node_lazy.cjs"]) assert.ok(manifest.files.includes(file), `${file}, which it loads on first use, ships`);
  const check = spawnSync(process.execPath, [join(ROOT, "scripts", "bundle.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(check.status, 0, check.stderr);
});

test("the bundle exports exactly what js/node.js exports, the same kinds of values", async () => {
  const bundled = await import("maicoin-ws");
  const source = await import("../../js/node.js");
  assert.deepEqual(Object.keys(bundled).sort(), Object.keys(source).sort());
  for (const name of Object.keys(source)) assert.equal(typeof bundled[name], typeof source[name], name);
  assert.deepEqual(bundled.Channel, source.Channel);
});

test("importing the package compiles no wasm; the first use compiles it once", () => {
  const counts = fresh(`
    let compiled = 0;
    const Module = WebAssembly.Module;
    WebAssembly.Module = function (bytes) { compiled++; return new Module(bytes); };
    const { Response, Channel } = await import("maicoin-ws");
    const afterImport = compiled;
    const constant = Channel.BOOK;
    const afterConstant = compiled;
    Response.parse('{"e":"pong","T":1}');
    Response.parse('{"e":"pong","T":2}');
    console.log(JSON.stringify([afterImport, afterConstant, compiled, constant]));
  `);
  assert.deepEqual(JSON.parse(counts), [0, 0, 1, "book"]);
});

test("the glue loads with the wasm's first use; recording, replay, klines and the worker proxy with theirs", () => {
  const out = fresh(`
    import { createRequire } from "node:module";
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => ["glue", "lazy"].filter((name) => Object.keys(cache).some((file) => file.endsWith("maicoin_ws_node_" + name + ".cjs"))).join(" ");
    const { Response, Stream, RecordingError, replay, fetchKlines, MAX_REST_URL } = await import("maicoin-ws");
    const seen = [loaded()];
    seen.push(Response.parse('{"e":"pong","T":1}').event, loaded());
    const stream = new Stream({ uri: "ws://127.0.0.1:9", transport: "worker", connectFactory: () => ({ close() {} }) });
    stream.close();
    seen.push(loaded(), typeof fetchKlines, MAX_REST_URL);
    let error = null;
    try { replay(["not json", "{}"]); } catch (thrown) { error = thrown; }
    seen.push(loaded(), error instanceof RecordingError, error?.message);
    console.log(JSON.stringify(seen));
  `);
  assert.deepEqual(JSON.parse(out), [
    "",
    "pong",
    "glue",
    "glue",
    "function",
    "https://max-api.maicoin.com",
    "glue lazy",
    true,
    "line 1 of the recording is not JSON: \"not json\"",
  ]);
});

test("the source entry and the bundle in one process share one instance", () => {
  const counts = fresh(`
    let instances = 0;
    const Instance = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) { instances++; return new Instance(module, imports); };
    const bundled = await import("maicoin-ws");
    const source = await import("./js/node.js");
    bundled.Response.parse('{"e":"pong","T":1}');
    source.Response.parse('{"e":"pong","T":2}');
    new source.OrderBook("btcusdt");
    console.log(instances);
  `);
  assert.equal(counts, "1");
});

test("a missing wasm file is an error naming it at first use, every use, not at import", (t) => {
  // A copy of the installed layout without pkg/maicoin_ws_bg.wasm.
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-entry-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ["pkg/maicoin_ws_node.js", "pkg/maicoin_ws_node_glue.cjs", "pkg/maicoin_ws_node_lazy.cjs", "js/wasm.js", "js/host.js"]) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  const out = fresh(`
    const { Response, Request } = await import("./pkg/maicoin_ws_node.js");
    const errors = [];
    for (const use of [() => Response.parse('{"e":"pong"}'), () => Request.subscribe([{ channel: "trade", market: "btcusdt" }])]) {
      try { use(); errors.push("no error"); } catch (error) { errors.push(error.message); }
    }
    console.log(JSON.stringify(errors));
  `, dir);
  const errors = JSON.parse(out);
  assert.equal(errors.length, 2);
  for (const message of errors) {
    assert.match(message, /maicoin-ws cannot read its wasm module: .*ENOENT/);
    assert.match(message, /pkg\/maicoin_ws_bg\.wasm/);
  }
});
