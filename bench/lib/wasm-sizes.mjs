// Where the bytes of a wasm file go: section sizes, and (for a build that kept its names, e.g.
// `WASM_NAMES=1 PKG_DIR=... bash scripts/build`) code bytes per function and per crate.
//   node bench/lib/wasm-sizes.mjs FILE.wasm [top=30]

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function reader(bytes, at = 0) {
  return {
    get at() {
      return at;
    },
    set at(value) {
      at = value;
    },
    byte: () => bytes[at++],
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[at++];
        result |= (b & 0x7f) << shift;
        if (!(b & 0x80)) return result >>> 0;
        shift += 7;
      }
    },
    name() {
      const length = this.u32();
      const text = new TextDecoder().decode(bytes.subarray(at, at + length));
      at += length;
      return text;
    },
  };
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

/**
 * { sections: [{ name, size }], functions: [{ name, size }], data: [Uint8Array] } of a wasm module;
 * a function without a name (a stripped build) is named by its export, if any; `data` holds the bytes of each data segment (`.rodata` and `.data` of a Rust build).
 */
export function wasmSizes(bytes) {
  const r = reader(bytes, 8);
  const sections = [];
  let imported = 0;
  let bodies = [];
  const data = [];
  const names = new Map();
  const exports = new Map();
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.at;
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      const custom = r.name();
      name = `custom "${custom}"`;
      if (custom === "name") {
        while (r.at < start + size) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.at + subSize;
          if (sub === 1) {
            const count = r.u32();
            for (let i = 0; i < count; i++) {
              const index = r.u32();
              names.set(index, r.name());
            }
          }
          r.at = subEnd;
        }
      }
    } else if (id === 2) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) {
          r.u32();
          imported++;
        } else if (kind === 1) {
          r.byte();
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 2) {
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 3) {
          r.byte();
          r.byte();
        } else {
          r.byte();
          r.u32();
        }
      }
    } else if (id === 7) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const exported = r.name();
        const kind = r.byte();
        const index = r.u32();
        if (kind === 0 && !exports.has(index)) exports.set(index, exported);
      }
    } else if (id === 10) {
      const count = r.u32();
      bodies = [];
      for (let i = 0; i < count; i++) {
        const bodySize = r.u32();
        bodies.push(bodySize + 1);
        r.at += bodySize;
      }
    } else if (id === 11) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const flags = r.u32();
        if (flags === 2) r.u32();
        if (flags !== 1) skipConstExpr(bytes, r);
        const length = r.u32();
        data.push(bytes.subarray(r.at, r.at + length));
        r.at += length;
      }
    }
    sections.push({ name, size });
    r.at = start + size;
  }
  const functions = bodies.map((size, i) => ({ name: names.get(imported + i) ?? exports.get(imported + i) ?? `function ${imported + i}`, size }));
  return { sections, functions, data };
}

/** Skips a data segment's offset expression: one constant (or global.get), then `end`. */
function skipConstExpr(bytes, r) {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x42 || op === 0x23) {
      while (bytes[r.at++] & 0x80);
    } else {
      throw new Error(`unexpected opcode 0x${op.toString(16)} in a data segment offset`);
    }
  }
}

/** The crate (or group) a mangled-then-demangled Rust function name belongs to. */
export function crateOf(name) {
  const generic = name.match(/^<([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  const plain = name.match(/^([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  const crate = generic?.[1] ?? plain?.[1];
  if (!crate) return name.startsWith("<") ? "(trait impls)" : "(other)";
  if (crate === "maicoin_ws") {
    const module = name.match(/maicoin_ws::(\w+)::(\w+)/);
    return module ? `maicoin_ws::${module[1]}::${module[2]}` : "maicoin_ws";
  }
  return crate;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top = 30] = process.argv.slice(2);
  const { sections, functions } = wasmSizes(readFileSync(file));
  console.log("sections:");
  for (const { name, size } of sections) console.log(`  ${String(size).padStart(8)}  ${name}`);
  const code = functions.reduce((n, f) => n + f.size, 0);
  const crates = new Map();
  for (const f of functions) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) ?? 0) + f.size);
  console.log(`\ncode bytes by crate (of ${code}):`);
  for (const [crate, size] of [...crates].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`  ${String(size).padStart(8)}  ${((100 * size) / code).toFixed(1).padStart(5)} %  ${crate}`);
  }
  console.log(`\nlargest functions:`);
  for (const f of [...functions].sort((a, b) => b.size - a.size).slice(0, Number(top))) {
    console.log(`  ${String(f.size).padStart(8)}  ${f.name.slice(0, 150)}`);
  }
}
