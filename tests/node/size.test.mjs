// The wasm's size: pkg/maicoin_ws_bg.wasm, as the default `npm run build` writes it. Bytes only, so
// the result is the same on every run. The target is 70 KB gzipped -9 (see BENCHMARKS.md, "Where
// the bytes go"), and it is reached: the test fails as soon as the wasm grows past it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { wasmSizes } from "../../bench/lib/wasm-sizes.mjs";

/** gzip -9 bytes the package's wasm should come to: 70 KB. scripts/build prints the size against it. */
export const WASM_GZIP_TARGET = 71_680;

/** gzip -9 bytes it may not grow past: the target itself (scripts/build prints both). */
export const WASM_GZIP_CEILING = 71_680;

const WASM = fileURLToPath(new URL("../../pkg/maicoin_ws_bg.wasm", import.meta.url));

test("the package's wasm is the default build: no custom section (names, producers, target features)", () => {
  const { sections } = wasmSizes(readFileSync(WASM));
  assert.deepEqual(sections.filter((s) => s.name.startsWith("custom")).map((s) => s.name), []);
});

test("the package's wasm imports and exports by short names (scripts/short-names.mjs ran)", () => {
  const module = new WebAssembly.Module(readFileSync(WASM));
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.length > 0);
  for (const { module: from, name } of imports) assert.ok(from === "w" && name.length <= 2, `import ${from} ${name}`);
  // The memory and the externref table keep their names: js/ and the memory benches read them.
  const kept = ["memory", "__wbindgen_externrefs"];
  const exports = WebAssembly.Module.exports(module).map(({ name }) => name);
  assert.deepEqual(kept.filter((name) => exports.includes(name)), kept);
  for (const name of exports) assert.ok(kept.includes(name) || name.length <= 2, `export ${name}`);
});

test(`the package's wasm is within its target of ${WASM_GZIP_TARGET} bytes gzipped (gzip -9)`, (t) => {
  assert.ok(WASM_GZIP_CEILING <= WASM_GZIP_TARGET, "the ceiling is the target or below it");
  const gzipped = execFileSync("gzip", ["-9", "-c", WASM], { maxBuffer: 64 << 20 }).length;
  assert.ok(gzipped <= WASM_GZIP_TARGET, `pkg/maicoin_ws_bg.wasm is ${gzipped} bytes gzipped, over the target of ${WASM_GZIP_TARGET}`);
  assert.ok(gzipped <= WASM_GZIP_CEILING, `pkg/maicoin_ws_bg.wasm is ${gzipped} bytes gzipped, over the ceiling of ${WASM_GZIP_CEILING}`);
  t.diagnostic(`${gzipped} bytes gzipped; the target is ${WASM_GZIP_TARGET} (${WASM_GZIP_TARGET - gzipped} to spare)`);
});
