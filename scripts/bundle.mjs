// Writes the Node entry as one ES module (pkg/maicoin_ws_node.js): js/node.js and every module it
// imports statically, the wasm-bindgen glue included, each in a function scope of its own. Node's
// ES module loader resolves, reads and compiles each file of a graph separately, and for this
// package that cost more than compiling the wasm; one file is loaded once.
//
// Importing the package costs mostly the parsing of its JS, so what an import does not need is
// written to files of its own, each loaded (synchronously, through require) by the first call
// that needs it: the wasm-bindgen glue with the wasm's first use, and the modules of features a
// program may never touch (recording, replay, klines, the worker proxy) with theirs. The bundle
// keeps a stand-in for each such module the rest imports: a forwarding function for each function
// imported by name, and for a namespace import, getters. Importing anything but a function by
// name from them fails the build, since it would load the file at import.
//
//   node scripts/bundle.mjs [--check] [PKG_DIR]   (scripts/build runs it; PKG_DIR defaults to pkg)
//
// --check writes nothing and fails if the file there is not what the sources make.
//
// Every relative import is bundled, the modules that hold the package's state (js/wasm.js, the
// instantiated wasm; js/host.js, the host's defaults) included: each separate file cost Node's
// loader about a tenth of the import's time. Those two keep their state under a key of their own
// file's URL (js/shared.js), so code importing them directly (benches, the worker transport's
// tests) still sees the bundle's instance. Only the forms of import and export this package uses
// are understood; anything else fails the build with its location.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The package is the folder that holds PKG_DIR: this checkout, or a staged copy (scripts/bench
// copies js/ beside a build of another profile), whose own glue and sources are bundled.
const args = process.argv.slice(2);
const CHECK = args[0] === "--check";
const OUT_DIR = resolve((CHECK ? args[1] : args[0]) ?? join(dirname(fileURLToPath(import.meta.url)), "..", "pkg"));
const ROOT = dirname(OUT_DIR);
const ENTRY = join(ROOT, "js", "node.js");
const OUT_NAME = "maicoin_ws_node.js";
// The files loaded on first use, each with the modules where it starts; what only those modules
// import is loaded with them.
const ON_FIRST_USE = [
  { name: "maicoin_ws_node_glue.cjs", roots: ["pkg/maicoin_ws.js"] },
  {
    name: "maicoin_ws_node_lazy.cjs",
    roots: ["js/recording.js", "js/replay.js", "js/replay-file.js", "js/klines.js", "js/transport/remote-stream.js"],
  },
].map(({ name, roots }) => ({ name, roots: roots.map((path) => join(ROOT, path)) }));
const ROOTS = new Set(ON_FIRST_USE.flatMap(({ roots }) => roots));

// Top-level statements only: they start a line.
const IMPORT = /^import\s+(?:([^;"'()]*?)\s+from\s+)?["']([^"']+)["'];?[ \t]*$/gm;
const EXPORT_FROM = /^export\s+(\*|\{[^}]*\})\s+from\s+["']([^"']+)["'];?[ \t]*$/gm;
const EXPORT_LIST = /^export\s+\{([^}]*)\};?[ \t]*$/gm;
const EXPORT_DECLARATION = /^export\s+(?:(async\s+function\*?|function\*?|class)\s+([\w$]+)|(const|let|var)\s+([\w$]+)\s*=)/gm;
const ANY_EXPORT = /^export\b/gm;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(["'])(\.[^"']*)\1\s*\)/g;

function fail(file, message) {
  throw new Error(`${relative(ROOT, file)}: ${message}`);
}

/** `a, b as c` → [["a", "a"], ["b", "c"]] (imported or local name, then the name bound or exported). */
function nameList(file, text) {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(part);
      if (!match) fail(file, `cannot read the name list entry "${part}"`);
      return [match[1], match[2] ?? match[1]];
    });
}

function isRelative(specifier) {
  return specifier.startsWith("./") || specifier.startsWith("../");
}

/** One module, parsed: its body with imports and exports taken out, and what it needs. */
function parse(file) {
  let body = readFileSync(file, "utf8");
  const imports = []; // { specifier, namespace?, names? }
  const reexports = []; // { specifier, names: [[imported, exported]] | "*" }
  const exports = []; // [[local, exported]]

  body = body.replace(EXPORT_FROM, (_all, what, specifier) => {
    reexports.push({ specifier, names: what === "*" ? "*" : nameList(file, what.slice(1, -1)) });
    return "";
  });
  body = body.replace(IMPORT, (_all, clause, specifier) => {
    if (clause === undefined) imports.push({ specifier, names: [] });
    else if (/^\*\s+as\s+[\w$]+$/.test(clause)) imports.push({ specifier, namespace: clause.split(/\s+/).pop() });
    else if (/^\{[\s\S]*\}$/.test(clause)) imports.push({ specifier, names: nameList(file, clause.slice(1, -1)) });
    else fail(file, `cannot bundle the import clause "${clause}"`);
    return "";
  });
  body = body.replace(EXPORT_LIST, (_all, list) => {
    exports.push(...nameList(file, list));
    return "";
  });
  const functions = new Map(); // exported function's name → "async " or ""
  body = body.replace(EXPORT_DECLARATION, (all, kind, name, binding, bindingName) => {
    if (binding === "let" || binding === "var") fail(file, `"export ${binding} ${bindingName}" would not stay live in a bundle`);
    exports.push([name ?? bindingName, name ?? bindingName]);
    if (kind && kind.includes("function")) functions.set(name, kind.startsWith("async") ? "async " : "");
    return all.replace(/^export\s+/, "");
  });
  const stray = body.match(ANY_EXPORT);
  if (stray) fail(file, "an export form the bundler does not know");
  return { file, body, imports, reexports, exports, functions };
}

function resolveFrom(file, specifier) {
  return resolve(dirname(file), specifier);
}

/** Every module of the graph, dependencies before their importers; builtins apart. */
function graph(entry) {
  const order = [];
  const visiting = new Set();
  const done = new Map();
  const visit = (file) => {
    if (done.has(file)) return;
    if (visiting.has(file)) fail(file, "is part of an import cycle, which the bundle cannot order");
    visiting.add(file);
    const module = parse(file);
    for (const { specifier } of [...module.imports, ...module.reexports]) {
      if (isRelative(specifier)) visit(resolveFrom(file, specifier));
    }
    visiting.delete(file);
    done.set(file, module);
    order.push(module);
  };
  visit(entry);
  return { order, modules: done };
}

/** The modules `roots` reach, not passing through `stop`. */
function reach(modules, roots, stop) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || stop(file)) return;
    seen.add(file);
    for (const { specifier } of [...modules.get(file).imports, ...modules.get(file).reexports]) {
      if (isRelative(specifier)) visit(resolveFrom(file, specifier));
    }
  };
  roots.forEach(visit);
  return seen;
}

function main() {
  if (!existsSync(ENTRY)) {
    // A build for its wasm alone (sizes, profiles) has no package around it.
    console.log(`[bundle] no ${ENTRY}: no Node entry written`);
    return;
  }
  const outDir = OUT_DIR;
  const out = join(outDir, OUT_NAME);
  const { order, modules } = graph(ENTRY);
  for (const file of ROOTS) if (!modules.has(file)) fail(file, "is loaded on first use but the entry never imports it");
  const eager = reach(modules, [ENTRY], (file) => ROOTS.has(file));
  // Each module loaded on first use belongs to one file: it may import the bundle's modules and
  // its own file's, not another lazy file's.
  const groupOf = new Map();
  const groups = ON_FIRST_USE.map(({ name, roots }, index) => {
    const members = reach(modules, roots, (file) => eager.has(file));
    for (const file of members) {
      if (groupOf.has(file)) fail(file, `is needed by both ${ON_FIRST_USE[groupOf.get(file)].name} and ${name}`);
      groupOf.set(file, index);
    }
    // What its modules use of the bundle's: their ids, passed in when it loads.
    return { name, loader: `$firstUse${index}`, lent: new Set(), externals: new Map(), parts: [], ids: [] };
  });
  const ids = new Map(order.map((module, index) => [module.file, `$module${index}`]));
  const externals = new Map(); // specifier as the bundle imports it → its namespace's name
  let externalCount = 0;

  /** The expression holding the namespace of what `file` imports as `specifier`. */
  const source = (file, specifier) => {
    const group = groups[groupOf.get(file)];
    if (isRelative(specifier)) {
      const target = resolveFrom(file, specifier);
      if (ids.has(target)) {
        if (group && eager.has(target)) group.lent.add(ids.get(target));
        else if (group && groupOf.get(target) !== groupOf.get(file)) fail(file, `imports ${relative(ROOT, target)}, which another file loaded on first use holds`);
        return ids.get(target);
      }
      specifier = relative(outDir, target);
      if (!isRelative(specifier)) specifier = `./${specifier}`;
    }
    // The bundle imports them; a lazy file requires them.
    const table = group ? group.externals : externals;
    if (!table.has(specifier)) table.set(specifier, `$external${externalCount++}`);
    return table.get(specifier);
  };

  /** The names a module exports, `export *` followed (only bundled modules can be followed). */
  const exportedNames = (module) => {
    const names = module.exports.map(([, exported]) => exported);
    for (const { specifier, names: list } of module.reexports) {
      if (list !== "*") names.push(...list.map(([, exported]) => exported));
      else {
        const target = modules.get(resolveFrom(module.file, specifier));
        if (!target) fail(module.file, `"export * from ${specifier}" must name a bundled module`);
        names.push(...exportedNames(target).filter((name) => name !== "default"));
      }
    }
    return names;
  };

  /** A module as a function scope of its own; `base` is the expression of the file's own URL. */
  const wrap = (module, base) => {
    const { file, imports, reexports, exports } = module;
    const lines = [];
    for (const { specifier, namespace, names } of imports) {
      const from = source(file, specifier);
      if (namespace) lines.push(`const ${namespace} = ${from};`);
      else if (names.length) lines.push(`const { ${names.map(([a, b]) => (a === b ? a : `${a}: ${b}`)).join(", ")} } = ${from};`);
    }
    // import.meta.url and relative dynamic imports keep meaning the module's own file.
    const url = `new URL(${JSON.stringify(relative(outDir, file))}, ${base})`;
    let body = module.body.replace(DYNAMIC_IMPORT, (_all, _quote, specifier) => `import(new URL(${JSON.stringify(specifier)}, ${url}).href)`);
    if (/\bimport\.meta\b(?!\.url\b)/.test(body)) fail(file, "uses import.meta for more than its url, which a bundle would change");
    body = body.replace(/\bimport\.meta\.url\b/g, `${url}.href`);
    const fields = exports.map(([local, exported]) => (local === exported ? local : `${JSON.stringify(exported)}: ${local}`));
    for (const { specifier, names } of reexports) {
      const from = source(file, specifier);
      if (names === "*") fields.unshift(`...${from}`);
      else fields.push(...names.map(([imported, exported]) => `${JSON.stringify(exported)}: ${from}.${imported}`));
    }
    // `(function` rather than an arrow: V8 compiles a parenthesized function expression while it
    // parses the file, where an arrow's body would be pre-parsed, then parsed again when called.
    return `// ${relative(ROOT, file)}\nconst ${ids.get(file)} = Object.freeze((function () {\n${lines.join("\n")}\n${body.trim()}\nreturn { ${fields.join(", ")} };\n})());\n`;
  };

  /** What the bundle's modules import from `target`, a module loaded on first use. */
  const borrowed = (target) => {
    const names = new Set();
    let whole = false;
    for (const module of order) {
      if (!eager.has(module.file)) continue;
      for (const { specifier, namespace, names: list } of [...module.imports, ...module.reexports]) {
        if (!isRelative(specifier) || resolveFrom(module.file, specifier) !== target.file) continue;
        if (list === "*") fail(module.file, `re-exports all of ${relative(ROOT, target.file)}, which is loaded on first use: name the functions`);
        if (namespace) whole = true;
        else for (const [imported] of list) names.add(imported);
      }
    }
    for (const name of names) {
      if (!target.functions.has(name)) fail(target.file, `is loaded on first use, so the rest of the package can import only functions from it by name, not "${name}"`);
    }
    return { names: [...names], whole };
  };

  /**
   * The bundle's stand-in for a module loaded on first use: a function forwarding each call of
   * what is imported by name; getters for the rest when the module is imported whole.
   */
  const standIn = (module, group, { names, whole }) => {
    const id = ids.get(module.file);
    const fields = names.map((name) => {
      const kind = module.functions.get(name);
      return `  ${name}: ${kind}function ${name}(...args) {\n    return ${group.loader}().${id}.${name}.apply(this, args);\n  },`;
    });
    if (whole) {
      for (const name of exportedNames(module)) {
        if (!names.includes(name)) fields.push(`  get ${JSON.stringify(name)}() {\n    return ${group.loader}().${id}[${JSON.stringify(name)}];\n  },`);
      }
    }
    return `// ${relative(ROOT, module.file)}: in ${group.name}, loaded on first use\nconst ${id} = Object.freeze({\n${fields.join("\n")}\n});\n`;
  };

  const parts = [];
  for (const module of order) {
    const group = groups[groupOf.get(module.file)];
    if (!group) {
      parts.push(wrap(module, "import.meta.url"));
      continue;
    }
    group.parts.push(wrap(module, "$fileUrl"));
    group.ids.push(ids.get(module.file));
    const use = borrowed(module);
    if (use.names.length || use.whole) parts.push(standIn(module, group, use));
  }

  const loaders = [];
  const files = [];
  const used = groups.filter((group) => group.ids.length);
  if (used.length) {
    const moduleApi = source(ENTRY, "node:module");
    loaders.push(`// The files of modules loaded on first use, each given the modules of this file it imports.\nlet $require = null;\nconst $loaded = {};`);
    for (const group of used) {
      const load = `($require ??= ${moduleApi}.createRequire(import.meta.url))(${JSON.stringify(`./${group.name}`)})({ ${[...group.lent].join(", ")} })`;
      loaders.push(`function ${group.loader}() {\n  return ($loaded[${JSON.stringify(group.name)}] ??= ${load});\n}`);
      const text = [
        `// Generated by scripts/bundle.mjs: modules of ${OUT_NAME} that it loads on their first use: do not edit.`,
        `"use strict";`,
        ...[...group.externals].map(([specifier, name]) => `const ${name} = require(${JSON.stringify(specifier)});`),
        `const $fileUrl = require("node:url").pathToFileURL(__filename).href;`,
        ``,
        `module.exports = function load({ ${[...group.lent].join(", ")} }) {`,
        group.parts.join("\n"),
        `return { ${group.ids.join(", ")} };`,
        `};`,
        ``,
      ].join("\n");
      files.push([join(outDir, group.name), text]);
    }
  }

  const entry = modules.get(ENTRY);
  const names = exportedNames(entry);
  const header = [
    `// Generated by scripts/bundle.mjs from ${relative(ROOT, ENTRY)} and the modules it imports: do not edit.`,
    ...[...externals].map(([specifier, name]) => `import * as ${name} from ${JSON.stringify(specifier)};`),
  ];
  const footer = `export const { ${names.join(", ")} } = ${ids.get(ENTRY)};\n`;
  const text = `${header.join("\n")}\n\n${[...loaders, ""].join("\n\n")}${parts.join("\n")}\n${footer}`;
  files.unshift([out, text]);
  if (CHECK) {
    for (const [file, content] of files) {
      if (!existsSync(file) || readFileSync(file, "utf8") !== content) {
        console.error(`[bundle] ${relative(ROOT, file)} is not what js/ makes now: run node scripts/bundle.mjs (scripts/build does)`);
        process.exit(1);
      }
    }
    return;
  }
  for (const [file, content] of files) writeFileSync(file, content);
  const lazy = used.map((group) => `${group.name} ${group.ids.length}`).join(", ");
  console.log(`[bundle] ${relative(ROOT, out)}: ${eager.size} modules, ${names.length} exports; loaded on first use: ${lazy || "none"}`);
}

main();
