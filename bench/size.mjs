// Where the wasm's bytes go, as Markdown tables to paste into BENCHMARKS.md: code bytes by crate and
// module, the largest functions, the dominator tree's heaviest subtrees, generic monomorphizations,
// what fills `.rodata` (longest strings, panic location paths), and the package file's largest
// exports. Reads the release build before wasm-bindgen (it keeps the function names), so run
// `bash scripts/build` first. Needs twiggy: `cargo install twiggy --locked` (or TWIGGY=path).
//
//   node bench/size.mjs [--wasm FILE] [--pkg FILE] [--top 25] [--save FILE.json] [--before FILE.json]
//                       [--segments] [--help]
//
// --save writes the grouped figures as JSON; --before adds that file's figures as a "before" column.
// --segments also builds the release wasm with its data segments unmerged (into
// target/size-segments; a build of its own, a few minutes the first time), so that `.rodata` is
// listed by the symbol each piece belongs to (tables, strings, panic locations).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { wasmSizes } from "./lib/wasm-sizes.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function fail(message) {
  console.error(`bench/size.mjs: ${message}`);
  process.exit(1);
}

/** The usage: this file's opening comment, as written above. */
function usage() {
  const text = readFileSync(fileURLToPath(import.meta.url), "utf8");
  return text.slice(0, text.indexOf("\n\n")).replace(/^\/\/ ?/gm, "");
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      wasm: { type: "string", default: join(root, "target/wasm32-unknown-unknown/release/maicoin_ws.wasm") },
      pkg: { type: "string", default: join(root, "pkg/maicoin_ws_bg.wasm") },
      top: { type: "string", default: "25" },
      save: { type: "string" },
      before: { type: "string" },
      segments: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (error) {
  // An unknown or malformed option: say which, then how to call it, not a stack trace.
  console.error(`bench/size.mjs: ${error.message}\n\n${usage()}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage());
  process.exit(0);
}
const top = Number(options.top);
if (!Number.isInteger(top) || top <= 0) fail(`--top takes a positive whole number, not "${options.top}"`);

/** twiggy's path: $TWIGGY, then PATH, then cargo's bin directory. */
function findTwiggy() {
  const candidates = [process.env.TWIGGY, "twiggy", join(homedir(), ".cargo/bin/twiggy")].filter(Boolean);
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return fail("twiggy not found (looked at $TWIGGY, PATH and ~/.cargo/bin); install it with `cargo install twiggy --locked`");
}

for (const file of [options.wasm, options.pkg]) {
  if (!existsSync(file)) fail(`${file} is missing; run \`bash scripts/build\` first`);
}
const twiggy = findTwiggy();

/** Rows of one twiggy command's CSV output (on `file`, default the release wasm), as objects keyed by its header. */
function twiggyCsv(...args) {
  const file = args.at(-1)?.endsWith?.(".wasm") ? args.pop() : options.wasm;
  const text = execFileSync(twiggy, [...args, "--format", "csv", file], { maxBuffer: 256 << 20 }).toString();
  const rows = [];
  for (const line of text.split("\n").filter(Boolean)) {
    const fields = [];
    const cell = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    for (let m; (m = cell.exec(line)) && m.index < line.length; ) {
      fields.push(m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1]);
      if (!m[2]) break;
    }
    rows.push(fields);
  }
  const [header, ...body] = rows;
  return body.map((fields) => Object.fromEntries(header.map((key, i) => [key, fields[i]])));
}

// ---- naming: which crate and module a demangled item belongs to

/** Items that are not code the package ships: custom sections, wasm-bindgen's describe functions. */
const dropped = (name) =>
  /^custom section|subsection$|^__wbindgen_describe|::describe(::h[0-9a-f]{16})?$|^"?function names|Unreachable Items\]$/.test(name);
/** Module structure rather than code: headers, types, imports, exports, tables, globals. */
const structural = (name) =>
  /^(type|global|table|elem|memory|func)\[|headers$|^wasm magic|^import |^export |^"type\[/.test(name) || !/[:a-z]/i.test(name);

/** Path segments of a demangled name, with hashes and crate disambiguators removed. */
function segments(path) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    if (depth === 0 && path.startsWith("::", i)) {
      parts.push(current);
      current = "";
      i++;
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

const PRIMITIVE = /^(&(mut )?|\*(const|mut) )*(\[|\(|str\b|[iuf](8|16|32|64|128|size)\b|bool\b|char\b|dyn )/;

/** The module path an item is counted under: for `<T as Trait>::f`, T's (or Trait's if T is a primitive). */
function modulePath(name) {
  let clean = name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "");
  if (clean.startsWith("<")) {
    let depth = 0;
    let end = 0;
    for (; end < clean.length; end++) {
      if (clean[end] === "<") depth++;
      else if (clean[end] === ">" && --depth === 0) break;
    }
    const inner = clean.slice(1, end);
    const as = inner.lastIndexOf(" as ");
    const self = as < 0 ? inner : inner.slice(0, as);
    clean = PRIMITIVE.test(self) && as >= 0 ? inner.slice(as + 4) : self.replace(/^(&(mut )?|\*(const|mut) )+/, "");
  }
  const path = [];
  for (const part of segments(clean)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(part)) break;
    path.push(part);
  }
  return path;
}

/** The group of an item: crate::module (this crate: crate::layer::module; core::num: one deeper). */
function groupOf(name) {
  const special = specialGroup(name);
  if (special) return special;
  const path = modulePath(name);
  if (path.length === 0) return "(unnamed)";
  const depth = path[0] === "maicoin_ws" || (path[0] === "core" && path[1] === "num") ? 3 : 2;
  return path.slice(0, depth).join("::");
}

const crateOf = (name) => specialGroup(name) ?? PRIMITIVE_CRATE[modulePath(name)[0]] ?? modulePath(name)[0] ?? "(unnamed)";

/** Functions wasm-bindgen writes (an export's wrapper is named `export_<hash>`), and the runtime's. */
function specialGroup(name) {
  if (/^[A-Za-z0-9]+_[A-Za-z0-9]+_[0-9a-f]{16}$|^__wbg_[a-z0-9]+_free_[0-9a-f]{16}$|^[a-zA-Z]+_[0-9a-f]{16}$/.test(name)) {
    return "(wasm-bindgen export wrappers)";
  }
  if (/^__(wbg|wbindgen|externref)_/.test(name)) return "(wasm-bindgen runtime)";
  if (!name.includes("::")) return "(intrinsics: compiler_builtins, libm, mem*)";
  return null;
}

/** Inherent methods of primitives (`<u128>::_fmt_inner`) live in core. */
const PRIMITIVE_CRATE = Object.fromEntries(["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "char", "str", "bool"].map((p) => [p, "core"]));

// ---- gathering

const items = twiggyCsv("top").map((row) => ({ name: row.Name, size: Number(row.ShallowSize) }));
const functions = items.filter((item) => !dropped(item.name) && !structural(item.name) && !item.name.startsWith("data segment"));
const dataItems = items.filter((item) => item.name.startsWith("data segment"));
const structureBytes = items.filter((item) => structural(item.name) && !dropped(item.name)).reduce((n, i) => n + i.size, 0);

function sumBy(list, key) {
  const sums = new Map();
  for (const item of list) sums.set(key(item.name), (sums.get(key(item.name)) ?? 0) + item.size);
  return sums;
}
const byGroup = sumBy(functions, groupOf);
const byCrate = sumBy(functions, crateOf);
for (const item of dataItems) byCrate.set(`(data: ${item.name.replace(/^data segment /, "")})`, item.size);
const codeBytes = functions.reduce((n, f) => n + f.size, 0);

const pkgBytes = readFileSync(options.pkg);
const release = readFileSync(options.wasm);
// gzip(1) -9, the figure scripts/build prints and issue 12 is judged on (zlib's level 9 differs).
const pkg = { raw: pkgBytes.length, gzip: execFileSync("gzip", ["-9", "-c", options.pkg], { maxBuffer: 64 << 20 }).length };
const { data } = wasmSizes(release);

const figures = {
  wasm: options.wasm,
  pkg,
  code: codeBytes,
  structure: structureBytes,
  crates: Object.fromEntries(byCrate),
  groups: Object.fromEntries(byGroup),
};
if (options.save) writeFileSync(options.save, JSON.stringify(figures, null, 2));
const before = options.before ? JSON.parse(readFileSync(options.before, "utf8")) : null;

// ---- printing

const md = (text) => String(text).replaceAll("|", "\\|").replaceAll("`", "'");
const short = (text, length = 110) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);
const number = (n) => (n === undefined ? "—" : n.toLocaleString("en-US"));
const code = (text) => `\`${md(text)}\``;

function table(header, rows) {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log("");
}

/** A sums table, with a "before" column and the change when --before was given. */
function sums(title, current, old, limit) {
  const keys = new Set([...Object.keys(current), ...Object.keys(old ?? {})]);
  const rows = [...keys].sort((a, b) => (current[b] ?? 0) - (current[a] ?? 0) || (old?.[b] ?? 0) - (old?.[a] ?? 0));
  const shown = rows.slice(0, limit);
  const rest = (figures) => rows.slice(limit).reduce((n, key) => n + (figures?.[key] ?? 0), 0);
  const line = (label, now, was) => (old ? [label, number(was), number(now), number((now ?? 0) - (was ?? 0))] : [label, number(now)]);
  const out = shown.map((key) => line(code(key), current[key], old?.[key]));
  if (rows.length > limit) out.push(line(`(${rows.length - limit} more)`, rest(current), old && rest(old)));
  table(old ? [title, "before", "after", "change"] : [title, "bytes"], out);
}

console.log(`## Where the bytes go (twiggy ${execFileSync(twiggy, ["--version"]).toString().trim().split(" ").pop()})\n`);
console.log(
  `Release build before wasm-bindgen (\`${md(options.wasm.replace(root, ""))}\`, ${number(release.length)} B with names and` +
    ` wasm-bindgen's sections): ${number(codeBytes)} B of code, ${number(dataItems.reduce((n, d) => n + d.size, 0))} B of data,` +
    ` ${number(structureBytes)} B of types/imports/exports/tables. Custom sections and wasm-bindgen's describe functions are left` +
    ` out (wasm-bindgen removes them). The package file (\`${md(options.pkg.replace(root, ""))}\`, after wasm-bindgen and wasm-opt):` +
    ` **${number(pkg.raw)} B, ${number(pkg.gzip)} B gzip -9**` +
    (before ? ` (before: ${number(before.pkg.raw)} B, ${number(before.pkg.gzip)} B gzip -9).` : ".") +
    "\n",
);

console.log("### By crate (code bytes; data segments as their own rows)\n");
sums("crate", figures.crates, before?.crates, 40);
console.log("### By module\n");
sums("module", figures.groups, before?.groups, top * 2);

console.log("### Largest functions\n");
table(
  ["function", "bytes", "module"],
  [...functions]
    .sort((a, b) => b.size - a.size)
    .slice(0, top)
    .map((f) => [code(short(f.name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, ""))), number(f.size), code(groupOf(f.name))]),
);

// Dominators: the functions reached only through one root (an export, the function table), with
// what they retain, and one level of their heaviest dominated functions under them.
const dominators = twiggyCsv("dominators").map((row) => ({
  id: row.Id,
  name: row.Name,
  retained: Number(row.RetainedSize),
  parent: row.ImmediateDominator,
}));
const byId = new Map(dominators.map((d) => [d.id, d]));
const isFunction = (d) => d && !dropped(d.name) && !structural(d.name) && !d.name.startsWith("data segment") && d.name !== "<meta root>";
const children = new Map();
for (const d of dominators) {
  if (!children.has(d.parent)) children.set(d.parent, []);
  children.get(d.parent).push(d);
}
const tops = dominators.filter((d) => isFunction(d) && !isFunction(byId.get(d.parent))).sort((a, b) => b.retained - a.retained);
const rows = [];
for (const d of tops.slice(0, top)) {
  const through = byId.get(d.parent)?.name ?? "";
  rows.push([code(short(d.name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, ""))), number(d.retained), through === "<meta root>" ? "(several callers)" : code(short(through, 48))]);
  const under = (children.get(d.id) ?? []).filter(isFunction).sort((a, b) => b.retained - a.retained);
  for (const c of under.slice(0, 3).filter((c) => c.retained >= 1000)) {
    rows.push([`↳ ${code(short(c.name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, ""), 100))}`, number(c.retained), ""]);
  }
}
console.log("### Dominators (retained bytes of the heaviest subtrees; ↳ the largest functions they alone reach)\n");
table(["function", "retained", "reached through"], rows);

console.log("### Monomorphizations (twiggy monos)\n");
table(
  ["generic", "copies", "total bytes", "bloat (total − largest copy)"],
  twiggyCsv("monos", "-m", "1000", "-n", String(top))
    .filter((m) => !/^(\.\.\. and|Σ)/.test(m.Generic) && !dropped(m.Generic))
    .map((m) => {
      const listed = m.Monomorphizations.split(", ").filter((s) => !s.startsWith("..."));
      const more = Number(m.Monomorphizations.match(/\.\.\. and (\d+) more/)?.[1] ?? 0);
      return { generic: m.Generic, copies: listed.length + more, total: Number(m.TotalSize), bloat: Number(m.ApproximateMonomorphizationBloatBytes) };
    })
    .filter((m) => m.copies > 1)
    .slice(0, top)
    .map((m) => [code(short(m.generic)), number(m.copies), number(m.total), number(m.bloat)]),
);

// .rodata: printable runs (neighbouring strings run together: the linker packs them without
// separators), and the source paths that panic locations point at.
const rodata = Buffer.concat(data.map((segment) => Buffer.from(segment)));
const text = rodata.toString("latin1");
const runs = [...text.matchAll(/[\x20-\x7e\t\n]{6,}/g)].map((m) => m[0]);
const printable = runs.reduce((n, r) => n + r.length, 0);
const paths = new Map();
const pathPattern = /(\/rustc\/[0-9a-f]+\/library\/|\/[\w.\/-]*?\.cargo\/registry\/src\/[^\/]+\/|(?<![\w\/])src\/)[\w\/.-]*?\.rs/g;
for (const m of text.matchAll(pathPattern)) {
  const path = m[0];
  const owner = path.startsWith("/rustc/")
    ? `std library (${path.match(/library\/([^\/]+)/)[1]})`
    : path.includes(".cargo/registry")
      ? path.match(/registry\/src\/[^\/]+\/([^\/]+)/)[1]
      : "this crate (src/)";
  const entry = paths.get(owner) ?? { files: new Set(), bytes: 0 };
  entry.files.add(path);
  entry.bytes += path.length;
  paths.set(owner, entry);
}
const pathBytes = [...paths.values()].reduce((n, p) => n + p.bytes, 0);
console.log("### `.rodata`\n");
console.log(
  `${number(rodata.length)} B in ${data.length} data segments: ${number(printable)} B in printable runs of 6+ characters` +
    ` (texts, names, paths), ${number(rodata.length - printable)} B else (tables, panic \`Location\`s, vtables, float constants);` +
    ` ${number(pathBytes)} B of those runs are source paths of panic locations.\n`,
);
table(
  ["panic location paths from", "files", "bytes"],
  [...paths].sort((a, b) => b[1].bytes - a[1].bytes).map(([owner, p]) => [code(owner), number(p.files.size), number(p.bytes)]),
);
table(
  ["longest printable runs (neighbouring strings run together)", "bytes"],
  [...runs]
    .sort((a, b) => b.length - a.length)
    .slice(0, top)
    .map((run) => [code(short(run.replace(/\s+/g, " "), 120)), number(run.length)]),
);

console.log("### The package file's largest exports (after wasm-opt, which inlines into them)\n");
const pkgFunctions = wasmSizes(pkgBytes).functions;
// The build gives exports short names (scripts/short-names.mjs) and lists the old ones beside the wasm.
const namesFile = options.pkg.replace(/\.wasm$/, ".names.json");
const longName = new Map(existsSync(namesFile) ? Object.entries(JSON.parse(readFileSync(namesFile, "utf8")).exports).map(([long, short]) => [short, long]) : []);
table(
  ["export", "bytes"],
  pkgFunctions
    .filter((f) => !f.name.startsWith("function "))
    .sort((a, b) => b.size - a.size)
    .slice(0, top)
    .map((f) => [code(longName.get(f.name) ?? f.name), number(f.size)]),
);

// ---- .rodata by symbol: a build whose linker keeps each constant in a segment of its own

/** A readable name for a data symbol: legacy (`_ZN...E`) and v0 (`_R...`) manglings, roughly. */
function demangleData(symbol) {
  if (symbol.startsWith(".Lanon.")) return "(anonymous constants: strings, panic locations, vtables)";
  if (symbol.startsWith(".Lswitch.table.")) return `(switch table of ${demangleData(symbol.slice(15).replace(/\.\d+$/, ""))})`;
  const text = symbol.replace(/^_ZN|^_R/, "").replace(/C?s[0-9A-Za-z]*_(?=\d)/g, " ");
  const parts = [];
  for (let at = 0; at < text.length; ) {
    const digits = /^\d+/.exec(text.slice(at));
    if (!digits) {
      at++;
      continue;
    }
    const length = Number(digits[0]);
    const ident = text.slice(at + digits[0].length, at + digits[0].length + length);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(ident) && ident.length === length) {
      parts.push(ident);
      at += digits[0].length + length;
    } else {
      at += digits[0].length;
    }
  }
  const path = parts.filter((p) => !/^h[0-9a-f]{16}$/.test(p));
  return path.length ? path.join("::") : symbol;
}

if (options.segments) {
  const target = join(root, "target/size-segments");
  console.error("bench/size.mjs: building the release wasm with unmerged data segments into target/size-segments ...");
  execFileSync("cargo", ["build", "--lib", "--release", "--target", "wasm32-unknown-unknown"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CARGO_TARGET_DIR: target, RUSTFLAGS: `${process.env.RUSTFLAGS ?? ""} -C link-arg=--no-merge-data-segments`.trim() },
  });
  const file = join(target, "wasm32-unknown-unknown/release/maicoin_ws.wasm");
  const segments = twiggyCsv("top", file)
    .filter((row) => row.Name.startsWith('data segment ".rodata'))
    .map((row) => ({ name: demangleData(row.Name.replace(/^data segment "\.rodata\.?/, "").replace(/"$/, "")), size: Number(row.ShallowSize) }));
  const named = sumBy(segments, (name) => name);
  const total = segments.reduce((n, s) => n + s.size, 0);
  // A panic location is 16 bytes on wasm32 (file pointer and length, line, column).
  const locations = wasmSizes(readFileSync(file)).data.filter((d) => d.length === 16).length;
  console.log(`### \`.rodata\` by symbol (${number(total)} B in ${number(segments.length)} constants, each with a few bytes of segment header)\n`);
  console.log(`About ${number(locations)} of the constants are 16 bytes long, the size of a panic \`Location\`: as many panic sites.\n`);
  table(
    ["constant", "bytes"],
    [...named]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, size]) => [code(short(name)), number(size)]),
  );
}
