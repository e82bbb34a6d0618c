// Response.parse alone on one corpus, for a CPU profile (not a benchmark):
//   node --cpu-prof --cpu-prof-dir target/bench/prof bench/profile-decode.mjs mixed|trades|book [repeat]
// By instruction, wasm included (Linux perf; a WASM_NAMES=1 build, given by BENCH_PACKAGE, names
// the wasm functions):
//   perf record -k mono -g -o perf.data node --perf-prof bench/profile-decode.mjs mixed 10
//   perf inject --jit -i perf.data -o perf.jit.data && perf annotate -i perf.jit.data -s 'JS:<name>'
import { bookCorpus, mixedCorpus, tradeCorpus } from "./lib/corpus.mjs";
import { loadPackage } from "./lib/measure.mjs";

const [which = "mixed", repeat = "5"] = process.argv.slice(2);
const { Response } = await loadPackage();
const frames = which === "mixed" ? mixedCorpus().frames : which === "trades" ? (await tradeCorpus()).frames : (await bookCorpus()).updates;
let sink = null;
const start = performance.now();
for (let r = 0; r < Number(repeat); r++) for (const frame of frames) sink = Response.parse(frame);
const rate = (Number(repeat) * frames.length) / ((performance.now() - start) / 1000);
console.log(`Response.parse ${which}: ${(rate / 1000).toFixed(0)} k/s`, typeof sink);
