// The repository stands alone: no tracked file reads or cites a path outside it. A clone with
// nothing beside it must build and test the same as a checkout that happens to sit next to other
// folders, so a reference to a sibling folder, an absolute machine path or a document that is not
// in the repository is a defect here, found before any test that would need it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BINARY = /\.(png|jpe?g|gif|ico|wasm|gz|tgz|zip)$/i;
const SKIPPED_DIRS = new Set([".git", "node_modules", "target", "pkg", "corpus", "artifacts", "logs", "coverage"]);

/** Tracked files (git), or every file but build output when the tree is not a git checkout. */
function repositoryFiles() {
  try {
    const out = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out.split("\0").filter((file) => file !== "" && existsSync(join(ROOT, file)));
  } catch {
    const files = [];
    const walk = (dir) => {
      for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".tools")) walk(path);
        } else if (entry.isFile()) files.push(path);
      }
    };
    walk("");
    return files;
  }
}

const files = repositoryFiles().filter((file) => !BINARY.test(file) && statSync(join(ROOT, file)).size < 2_000_000);
const texts = new Map(files.map((file) => [file, readFileSync(join(ROOT, file), "utf8")]));
const basenames = new Set(files.map((file) => basename(file)));

/** `file:line: text` for every line of every file that `find(line, file)` flags. */
function offenders(find) {
  const found = [];
  for (const [file, text] of texts) {
    text.split("\n").forEach((line, index) => {
      const problem = find(line, file);
      if (problem) found.push(`${file}:${index + 1}: ${problem}`);
    });
  }
  return found;
}

// Built from pieces so that this file does not flag itself.
const SIBLING = ["..", "shared"].join("/");
const OUTSIDE_PATTERNS = [SIBLING, ["shared", "fixtures"].join("/"), ["", "work", ""].join("/"), ["", "tmp", ""].join("/")];

test("the repository lists the files it is checked against", () => {
  assert.ok(files.includes("package.json"), "package.json is among the files");
  assert.ok(files.includes("tests/fixtures/inbound.jsonl"), "the fixtures are in the repository");
  assert.ok(files.includes("docs/PROTOCOL.md"), "the protocol reference is in the repository");
  assert.ok(files.length > 50, `${files.length} files`);
});

test("no file names a path outside the repository (a sibling folder, a machine path)", () => {
  const found = offenders((line) => {
    const hit = OUTSIDE_PATTERNS.find((pattern) => line.includes(pattern));
    return hit ? `names ${hit}` : null;
  });
  assert.deepEqual(found, []);
});

test("no relative path in a script climbs out of the repository", () => {
  // "../" chains in string literals, resolved from the file's own folder (import.meta.url and
  // __dirname style) and from the repository root (paths joined to a root or the manifest dir).
  const literal = /["'`]((?:\.\.\/)+)[^"'`]*["'`]/g;
  const found = offenders((line, file) => {
    if (!/\.(m?js|rs|sh)$/.test(file) && !file.startsWith("scripts/")) return null;
    for (const [, ups] of line.matchAll(literal)) {
      const fromFile = resolve(ROOT, dirname(file), ups);
      if (relative(ROOT, fromFile).startsWith("..")) return `climbs out: ${ups}`;
    }
    return null;
  });
  assert.deepEqual(found, []);
});

test("every Markdown document a file cites is in the repository", () => {
  const cited = /(?<![\w/.-])((?:[\w.-]+\/)*[\w-]+\.md)\b/g;
  const found = offenders((line, file) => {
    for (const [, name] of line.matchAll(cited)) {
      if (/^(target|pkg|node_modules)\//.test(name)) continue; // written by the build or a run
      const path = name.includes("/") ? name : null;
      const known = path ? existsSync(resolve(ROOT, path)) || existsSync(resolve(ROOT, dirname(file), path)) : basenames.has(name);
      if (!known) return `cites ${name}, which is not in the repository`;
    }
    return null;
  });
  assert.deepEqual(found, []);
});

test("every relative link of a Markdown document leads to a file of the repository", () => {
  const link = /\]\(([^)#\s]+)(?:#[^)]*)?\)/g;
  const found = offenders((line, file) => {
    if (!file.endsWith(".md")) return null;
    for (const [, target] of line.matchAll(link)) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const path = resolve(ROOT, dirname(file), target);
      if (!path.startsWith(ROOT + sep) || !existsSync(path)) return `links to ${target}`;
    }
    return null;
  });
  assert.deepEqual(found, []);
});
