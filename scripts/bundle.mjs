// Writes the Node entry as one ES module (pkg/maicoin_ws_node.js): js/node.js and every module it
// imports statically, the wasm-bindgen glue included, each in a function scope of its own. Node's
// ES module loader resolves, reads and compiles each file of a graph separately, and for this
// package that cost more than compiling the wasm; one file is loaded once.
//
// Importing the package costs mostly the parsing of its JS. The modules of features a program
// may never touch (recording, replay, klines, the worker transports: a third of the source) go
// to a second file, pkg/maicoin_ws_node_lazy.cjs, which the first call needing one of them
// loads (synchronously, through require: their entry points are synchronous functions). The
// bundle holds a forwarding function for each export the rest of the package imports from them,
// so only functions can be imported from those modules; anything else fails the build.
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
const LAZY_NAME = "maicoin_ws_node_lazy.cjs";
// Where the features loaded on first use start; what only they import is loaded with them.
const ON_FIRST_USE = ["recording.js", "replay.js", "replay-file.js", "klines.js", "transport/remote-stream.js"].map((path) =>
  join(ROOT, "js", path),
);

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

/** The modules the entry reaches without passing through a feature loaded on first use. */
function eagerModules(modules) {
  const eager = new Set();
  const visit = (file) => {
    if (eager.has(file) || ON_FIRST_USE.includes(file)) return;
    eager.add(file);
    for (const { specifier } of [...modules.get(file).imports, ...modules.get(file).reexports]) {
      if (isRelative(specifier)) visit(resolveFrom(file, specifier));
    }
  };
  visit(ENTRY);
  return eager;
}

function main() {
  if (!existsSync(ENTRY)) {
    // A build for its wasm alone (sizes, profiles) has no package around it.
    console.log(`[bundle] no ${ENTRY}: no Node entry written`);
    return;
  }
  const outDir = OUT_DIR;
  const out = join(outDir, OUT_NAME);
  const lazyOut = join(outDir, LAZY_NAME);
  const { order, modules } = graph(ENTRY);
  for (const file of ON_FIRST_USE) if (!modules.has(file)) fail(file, "is loaded on first use but the entry never imports it");
  const eager = eagerModules(modules);
  const ids = new Map(order.map((module, index) => [module.file, `$module${index}`]));
  // Specifiers as the files import them → their namespace's name: the bundle's ES imports, and
  // the lazy file's requires.
  const externals = new Map();
  const lazyExternals = new Map();
  // What the lazy file's modules use of the bundle's: its modules' ids, passed in when it loads.
  const lent = new Set();

  /** The expression holding the namespace of what `file` imports as `specifier`. */
  const source = (file, specifier) => {
    if (isRelative(specifier)) {
      const target = resolveFrom(file, specifier);
      if (ids.has(target)) {
        if (!eager.has(file) && eager.has(target)) lent.add(ids.get(target));
        return ids.get(target);
      }
      specifier = relative(outDir, target);
      if (!isRelative(specifier)) specifier = `./${specifier}`;
    }
    const table = eager.has(file) ? externals : lazyExternals;
    if (!table.has(specifier)) table.set(specifier, `$external${externals.size + lazyExternals.size}`);
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

  /** The names the bundle's modules import from `target`, a module loaded on first use. */
  const borrowed = (target) => {
    const names = new Set();
    for (const module of order) {
      if (!eager.has(module.file)) continue;
      for (const { specifier, namespace, names: list } of [...module.imports, ...module.reexports]) {
        if (!isRelative(specifier) || resolveFrom(module.file, specifier) !== target.file) continue;
        if (namespace || list === "*") fail(module.file, `imports all of ${relative(ROOT, target.file)}, which is loaded on first use: name the functions it needs`);
        for (const [imported] of list) names.add(imported);
      }
    }
    for (const name of names) {
      if (!target.functions.has(name)) fail(target.file, `is loaded on first use, so the rest of the package can only import functions from it, not "${name}"`);
    }
    return [...names];
  };

  /** The bundle's stand-in for a module loaded on first use: a function forwarding each call. */
  const forwarder = (module, names) => {
    const id = ids.get(module.file);
    const fields = names.map((name) => {
      const kind = module.functions.get(name);
      return `  ${name}: ${kind}function ${name}(...args) {\n    return $firstUse().${id}.${name}.apply(this, args);\n  },`;
    });
    return `// ${relative(ROOT, module.file)}: in ${LAZY_NAME}, loaded by the first call of one of these\nconst ${id} = Object.freeze({\n${fields.join("\n")}\n});\n`;
  };

  const parts = [];
  const lazyParts = [];
  for (const module of order) {
    if (eager.has(module.file)) parts.push(wrap(module, "import.meta.url"));
    else {
      lazyParts.push(wrap(module, "$lazyUrl"));
      const names = borrowed(module);
      if (names.length) parts.push(forwarder(module, names));
    }
  }

  const lazyIds = order.filter((module) => !eager.has(module.file)).map((module) => ids.get(module.file));
  if (lazyIds.length) {
    const moduleApi = source(ENTRY, "node:module");
    parts.unshift(
      `// The modules of ${LAZY_NAME}, with the modules of this file they import: loaded by the first call that needs one.\n` +
        `let $lazyModules = null;\n` +
        `function $firstUse() {\n` +
        `  return ($lazyModules ??= ${moduleApi}.createRequire(import.meta.url)(${JSON.stringify(`./${LAZY_NAME}`)})({ ${[...lent].join(", ")} }));\n` +
        `}\n`,
    );
  }

  const entry = modules.get(ENTRY);
  const names = exportedNames(entry);
  const header = [
    `// Generated by scripts/bundle.mjs from ${relative(ROOT, ENTRY)} and the modules it imports: do not edit.`,
    ...[...externals].map(([specifier, name]) => `import * as ${name} from ${JSON.stringify(specifier)};`),
  ];
  const footer = `export const { ${names.join(", ")} } = ${ids.get(ENTRY)};\n`;
  const text = `${header.join("\n")}\n\n${parts.join("\n")}\n${footer}`;
  const files = [[out, text]];
  if (lazyIds.length) {
    const lazyText = [
      `// Generated by scripts/bundle.mjs: the modules of ${OUT_NAME} that the first call needing one loads: do not edit.`,
      `"use strict";`,
      ...[...lazyExternals].map(([specifier, name]) => `const ${name} = require(${JSON.stringify(specifier)});`),
      `const $lazyUrl = require("node:url").pathToFileURL(__filename).href;`,
      ``,
      `module.exports = function load({ ${[...lent].join(", ")} }) {`,
      lazyParts.join("\n"),
      `return { ${lazyIds.join(", ")} };`,
      `};`,
      ``,
    ].join("\n");
    files.push([lazyOut, lazyText]);
  }
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
  console.log(`[bundle] ${relative(ROOT, out)}: ${eager.size} modules, ${names.length} exports; ${relative(ROOT, lazyOut)}: ${lazyIds.length} modules loaded on first use`);
}

main();
