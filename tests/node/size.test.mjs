// The wasm's size budget (issue 12): pkg/maicoin_ws_bg.wasm, as the default `npm run build`
// writes it, must stay within 70 KB gzipped. Bytes only, so the result is the same on every run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { wasmSizes } from "../../bench/lib/wasm-sizes.mjs";

/** gzip -9 bytes allowed: 70 KB. scripts/build prints the size against it. */
export const WASM_GZIP_BUDGET = 71_680;

const WASM = fileURLToPath(new URL("../../pkg/maicoin_ws_bg.wasm", import.meta.url));

test("the package's wasm is the default build: names and producers stripped", () => {
  const { sections } = wasmSizes(readFileSync(WASM));
  const custom = sections.filter((s) => s.name.startsWith("custom")).map((s) => s.name);
  assert.deepEqual(custom.filter((name) => name !== 'custom "target_features"'), [], "only target_features is kept");
});

test(`the package's wasm is at most ${WASM_GZIP_BUDGET} bytes gzipped (gzip -9)`, () => {
  const gzipped = execFileSync("gzip", ["-9", "-c", WASM], { maxBuffer: 64 << 20 }).length;
  assert.ok(gzipped <= WASM_GZIP_BUDGET, `pkg/maicoin_ws_bg.wasm is ${gzipped} bytes gzipped, over the budget of ${WASM_GZIP_BUDGET}`);
});
