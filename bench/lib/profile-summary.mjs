// Prints the functions with the most self time in a V8 .cpuprofile (node --cpu-prof):
//   node bench/lib/profile-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from "node:fs";

const [file, top = 25] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, "utf8"));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const dt = profile.timeDeltas;
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.split("/").slice(-2).join("/")}:${lineNumber + 1}` : "";
  const key = `${functionName || "(anonymous)"} ${where}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  total += dt[i] ?? 0;
});
// Coarse groups first: wasm code, the package's JS, GC, everything else.
const groups = new Map();
for (const [key, us] of self) {
  const group = key.includes("wasm") ? "wasm" : /\bjs\/|pkg\//.test(key) ? "package JS (js/, pkg/ glue)" : key.startsWith("(garbage collector)") ? "GC" : "other (Node, the bench, builtins)";
  groups.set(group, (groups.get(group) ?? 0) + us);
}
for (const [group, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${group}`);
console.log();
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
for (const [key, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
