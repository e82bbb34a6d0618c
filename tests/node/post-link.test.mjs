// The build's post-link steps on a small wasm written here byte by byte (one import, one function,
// a memory): scripts/short-names.mjs renames both sides of the wasm/glue contract or refuses, and
// scripts/function-order.mjs only renames functions.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { nameBytes, sectionBytes, sections, u32Bytes } from "../../scripts/wasm-binary.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const IMPORT = "__wbg_log_0123456789abcdef";

/** A module importing IMPORT from the glue's module and exporting `run` (which calls it) and its memory. */
function smallWasm({ functionName } = {}) {
  const vector = (...items) => [...u32Bytes(items.length), ...items.flat()];
  const parts = [
    sectionBytes(1, vector([0x60, 0x00, 0x00])),
    sectionBytes(2, vector([...nameBytes("./maicoin_ws_bg.js"), ...nameBytes(IMPORT), 0x00, 0x00])),
    sectionBytes(3, vector([0x00])),
    sectionBytes(5, vector([0x00, 0x01])),
    sectionBytes(7, vector([...nameBytes("run"), 0x00, 0x01], [...nameBytes("memory"), 0x02, 0x00])),
    sectionBytes(10, vector([0x04, 0x00, 0x10, 0x00, 0x0b])),
  ];
  if (functionName) {
    const names = vector([0x01, ...nameBytes(functionName)]);
    parts.push(sectionBytes(0, [...nameBytes("name"), 0x01, ...u32Bytes(names.length), ...names]));
  }
  return Buffer.concat([Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00), ...parts]);
}

/** The lines of wasm-bindgen's glue that name the imports and exports, in its layout. */
function smallGlue(run = "wasm.run()") {
  return [
    "let wasm;",
    "function __wbg_get_imports() {",
    "    const import0 = {",
    "        __proto__: null,",
    `        ${IMPORT}: function() {`,
    "            globalThis.logged = (globalThis.logged ?? 0) + 1;",
    "        },",
    "    };",
    "    return {",
    "        __proto__: null,",
    '        "./maicoin_ws_bg.js": import0,',
    "    };",
    "}",
    `export function run() { ${run}; }`,
    "export function initSync(bytes) {",
    "    wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;",
    "}",
    "",
  ].join("\n");
}

function packageDir(t, glue) {
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-post-link-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "pkg"));
  writeFileSync(join(dir, "pkg", "maicoin_ws_bg.wasm"), smallWasm());
  writeFileSync(join(dir, "pkg", "maicoin_ws.js"), glue);
  return dir;
}

function shortNames(dir) {
  return spawnSync(process.execPath, [join(ROOT, "scripts", "short-names.mjs"), join(dir, "pkg")], { encoding: "utf8" });
}

test("short names: the wasm and its glue are renamed together and still work", async (t) => {
  const dir = packageDir(t, smallGlue());
  const run = shortNames(dir);
  assert.equal(run.status, 0, run.stderr);
  const module = new WebAssembly.Module(readFileSync(join(dir, "pkg", "maicoin_ws_bg.wasm")));
  assert.deepEqual(WebAssembly.Module.imports(module), [{ module: "w", name: "a", kind: "function" }]);
  assert.deepEqual(
    WebAssembly.Module.exports(module).map(({ name }) => name),
    ["a", "memory"],
  );
  const glue = readFileSync(join(dir, "pkg", "maicoin_ws.js"), "utf8");
  assert.doesNotMatch(glue, /__wbg_log_|maicoin_ws_bg\.js|wasm\.run\b/);
  const names = JSON.parse(readFileSync(join(dir, "pkg", "maicoin_ws_bg.names.json"), "utf8"));
  assert.deepEqual(names, { imports: { [IMPORT]: "a" }, exports: { run: "a" } });
  // The renamed pair instantiates and the export reaches the import.
  const { initSync, run: callRun } = await import(join(dir, "pkg", "maicoin_ws.js"));
  initSync(readFileSync(join(dir, "pkg", "maicoin_ws_bg.wasm")));
  const before = globalThis.logged ?? 0;
  callRun();
  assert.equal(globalThis.logged, before + 1);
});

test("short names: a glue that reads an export some other way is refused, nothing written", (t) => {
  const glue = smallGlue('wasm["run"]()');
  const dir = packageDir(t, glue);
  const run = shortNames(dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /\[short-names\] the glue reads an export by a computed name/);
  assert.deepEqual(readFileSync(join(dir, "pkg", "maicoin_ws_bg.wasm")), smallWasm());
  assert.equal(readFileSync(join(dir, "pkg", "maicoin_ws.js"), "utf8"), glue);
});

test("short names: an import the glue does not define is refused", (t) => {
  const dir = packageDir(t, smallGlue().replace(IMPORT, "__wbg_other_0123456789abcdef"));
  const run = shortNames(dir);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, new RegExp(`the import key ${IMPORT}: found 0 times in the glue`));
});

test("function order: only the name section changes, each function named by its rank", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "maicoin-ws-function-order-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const input = smallWasm({ functionName: "run_the_thing" });
  writeFileSync(join(dir, "in.wasm"), input);
  const run = spawnSync(process.execPath, [join(ROOT, "scripts", "function-order.mjs"), join(dir, "in.wasm"), join(dir, "in.wasm"), join(dir, "out.wasm")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const output = readFileSync(join(dir, "out.wasm"));
  const withoutNames = (bytes) =>
    Buffer.concat(sections(bytes).filter((s) => s.name !== "name").map((s) => bytes.subarray(s.header, s.end)));
  assert.deepEqual(withoutNames(output), withoutNames(input));
  const [names] = WebAssembly.Module.customSections(new WebAssembly.Module(output), "name");
  assert.match(Buffer.from(names).toString("latin1"), /00 run_the_thing/);
});
