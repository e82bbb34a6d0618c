// Gives the wasm's imports and exports short names and rewrites the wasm-bindgen glue to match.
//
//   node scripts/short-names.mjs [PKG_DIR]   (scripts/build runs it after wasm-opt; default pkg)
//
// It also writes PKG_DIR/maicoin_ws_bg.names.json, each old name and its new one (null: dropped).
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` in the module "./maicoin_ws_bg.js"
// and each export after its Rust item. Those names are only a contract between the wasm and its
// own glue (pkg/maicoin_ws.js), and the hex digits do not compress: renaming both sides to one or
// two letters saves about 1 KB gzipped. The wasm's sections are parsed and rewritten (never a
// pattern over the binary); in the glue, each old name must occur exactly where wasm-bindgen puts
// it (an import as a key of the imports object, an export as `wasm.NAME`), or the step fails
// rather than guess. The exports the package's own modules read from the instance keep their
// names; an export that neither the glue nor js/ reads (wasm-bindgen's abort-handler globals) is
// dropped.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Reader, WasmFormatError, nameBytes, sectionBytes, sections, u32Bytes } from "./wasm-binary.mjs";

const OUT_DIR = resolve(process.argv[2] ?? join(fileURLToPath(new URL("..", import.meta.url)), "pkg"));
const WASM_FILE = join(OUT_DIR, "maicoin_ws_bg.wasm");
const GLUE_FILE = join(OUT_DIR, "maicoin_ws.js");
const NAMES_FILE = join(OUT_DIR, "maicoin_ws_bg.names.json");
const IMPORT_MODULE = "./maicoin_ws_bg.js";
const SHORT_MODULE = "w";
// The package's modules beside the glue read some exports off the instance by name: every
// `exports.NAME` in js/ keeps its name, and so do the memory and the externref table, which the
// memory benches read (bench/reconnect-memory.mjs, bench/soak.mjs count the live JS values).
const JS_DIR = join(OUT_DIR, "..", "js");
const KEPT = ["memory", "__wbindgen_externrefs"];

const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;

function fail(message) {
  throw new Error(`[short-names] ${message}`);
}

/** The bytes of an import's descriptor (kind and type), as read, so they are copied unchanged. */
function importDescriptor(r) {
  const start = r.at;
  const kind = r.byte();
  if (kind === 0) r.u32(); // function: type index
  else if (kind === 1) {
    r.byte(); // table: reference type, limits
    r.limits();
  } else if (kind === 2) r.limits(); // memory
  else if (kind === 3) {
    r.byte(); // global: value type, mutability
    r.byte();
  } else if (kind === 4) {
    r.byte(); // tag: attribute, type index
    r.u32();
  } else fail(`an import of unknown kind ${kind}`);
  return { kind, bytes: r.bytes.subarray(start, r.at) };
}

/** Short names in order: a … z, A … Z, then two letters and so on; none is a JS keyword. */
function* shortNames(taken) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let length = 1; ; length++) {
    const count = letters.length ** length;
    for (let n = 0; n < count; n++) {
      let name = "";
      for (let rest = n, i = 0; i < length; i++, rest = Math.floor(rest / letters.length)) name = letters[rest % letters.length] + name;
      if (!taken.has(name) && !["do", "if", "in"].includes(name)) yield name;
    }
  }
}

/** KEPT and every `exports.NAME` that a module of js/ reads (the instance's exports are its `exports`). */
function namesReadByJs() {
  const names = new Set(KEPT);
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.m?js$/.test(entry.name)) for (const [, name] of readFileSync(path, "utf8").matchAll(/\bexports\.([\w$]+)/g)) names.add(name);
    }
  };
  if (existsSync(JS_DIR)) visit(JS_DIR);
  return names;
}

/** Whether the glue reads the export `name` (always as `wasm.NAME`). */
function glueReads(glue, name) {
  return new RegExp(`\\bwasm\\.${escape(name)}\\b`).test(glue);
}

/**
 * Renames the wasm's imports and exports; returns the new bytes and the old → new name maps (a
 * dropped export maps to null).
 */
function renameWasm(bytes, glue, kept) {
  const imports = new Map();
  const exports = new Map();
  const rewritten = [];
  for (const { id, header, start, end } of sections(bytes)) {
    const r = new Reader(bytes, start);
    let payload;
    if (id === IMPORT_SECTION) {
      const names = shortNames(new Set());
      const count = r.u32();
      payload = u32Bytes(count);
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const field = r.name();
        const descriptor = importDescriptor(r);
        if (module !== IMPORT_MODULE || descriptor.kind !== 0) fail(`an import the glue does not provide: ${module} ${field}`);
        if (imports.has(field)) fail(`the import ${field} is listed twice`);
        imports.set(field, names.next().value);
        payload.push(...nameBytes(SHORT_MODULE), ...nameBytes(imports.get(field)), ...descriptor.bytes);
      }
    } else if (id === EXPORT_SECTION) {
      const names = shortNames(kept);
      const count = r.u32();
      const entries = [];
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        if (kept.has(name)) exports.set(name, name);
        else if (!glueReads(glue, name)) {
          exports.set(name, null);
          continue;
        } else exports.set(name, names.next().value);
        entries.push(...nameBytes(exports.get(name)), kind, ...u32Bytes(index));
      }
      payload = [...u32Bytes([...exports.values()].filter((n) => n !== null).length), ...entries];
    }
    if (payload) {
      if (r.at !== end) fail(`section ${id} holds more than its entries`);
      rewritten.push(sectionBytes(id, payload));
    } else {
      // Every other section is copied byte for byte, its header included.
      rewritten.push(bytes.subarray(header, end));
    }
  }
  return { bytes: Buffer.concat([bytes.subarray(0, 8), ...rewritten]), imports, exports };
}

function escape(text) {
  return text.replace(/[$.*+?()[\]{}|^\\/]/g, "\\$&");
}

/** Replaces every match of `pattern` in `text`, failing unless there are exactly `expected`. */
function replaceCounted(text, pattern, replacement, expected, what) {
  let count = 0;
  const out = text.replace(pattern, (...match) => {
    count++;
    return replacement(...match);
  });
  if (expected === "some" ? count === 0 : count !== expected) fail(`${what}: found ${count} times in the glue`);
  return out;
}

function renameGlue(text, imports, exports) {
  const shorts = new Set(exports.values());
  for (const long of exports.keys()) if (shorts.has(long) && exports.get(long) !== long) fail(`the export ${long} is another export's new name`);
  // Names only: an import is a key of the object wasm-bindgen hands to the instance, once.
  for (const [long, short] of imports) {
    text = replaceCounted(text, new RegExp(`^(\\s+)${escape(long)}:`, "gm"), (_all, indent) => `${indent}${short}:`, 1, `the import key ${long}`);
  }
  text = replaceCounted(text, new RegExp(`^(\\s+)${escape(JSON.stringify(IMPORT_MODULE))}:`, "gm"), (_all, indent) => `${indent}${JSON.stringify(SHORT_MODULE)}:`, 1, `the import module ${IMPORT_MODULE}`);
  // An export is read as `wasm.NAME`; a bare mention of a long name anywhere else is an error.
  for (const [long, short] of exports) {
    if (long === short || short === null) continue;
    text = replaceCounted(text, new RegExp(`\\bwasm\\.${escape(long)}\\b`, "g"), () => `wasm.${short}`, "some", `wasm.${long}`);
  }
  // The glue's own functions carry the exports' names (authMessage wraps wasm.authMessage), so
  // only an import's name must be gone everywhere; an export must not be read any other way.
  for (const long of imports.keys()) {
    if (new RegExp(`(?<![\\w$])${escape(long)}(?![\\w$])`).test(text)) fail(`the glue still names the import ${long} where this step does not rename it`);
  }
  if (/\bwasm\s*\[/.test(text)) fail("the glue reads an export by a computed name");
  return text;
}

const original = readFileSync(GLUE_FILE, "utf8");
const readByJs = namesReadByJs();
let result;
try {
  result = renameWasm(readFileSync(WASM_FILE), original, readByJs);
} catch (error) {
  if (error instanceof WasmFormatError) fail(`${WASM_FILE}: ${error.message}`);
  throw error;
}
const { bytes, imports, exports } = result;
const glue = renameGlue(original, imports, exports);
// Checked before anything is written: the new wasm is valid and the glue provides its imports.
const module = new WebAssembly.Module(bytes);
const provided = new Set(imports.values());
for (const { module: from, name } of WebAssembly.Module.imports(module)) {
  if (from !== SHORT_MODULE || !provided.has(name)) fail(`the renamed wasm imports ${from} ${name}, which the glue lacks`);
}
writeFileSync(WASM_FILE, bytes);
writeFileSync(GLUE_FILE, glue);
// The old names, for tools that report on the wasm (bench/size.mjs); not part of the package.
const table = (map) => Object.fromEntries([...map].filter(([long, short]) => short !== long));
writeFileSync(NAMES_FILE, `${JSON.stringify({ imports: table(imports), exports: table(exports) }, null, 1)}\n`);
const values = [...exports.values()];
const dropped = [...exports].filter(([, short]) => short === null).map(([long]) => long);
const renamed = [...exports].filter(([long, short]) => short !== null && short !== long).length;
console.log(`[short-names] ${imports.size} imports and ${renamed} exports renamed, ${values.length - renamed - dropped.length} kept, dropped: ${dropped.join(", ") || "none"}`);
