// Shared by the benchmark scripts: rounds of timed runs inside one process (ratios are taken
// within a round, against a baseline timed in that same round), several such processes run one
// after another, and Markdown tables of the medians. These machines are noisy (±25 % between
// runs), so only ratios within one process mean much; the spread across
// processes is printed next to each median.

import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Command-line options shared by the benchmark scripts: --processes N --rounds N --child. */
export function options(argv = process.argv.slice(2)) {
  const read = (name, fallback) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  return {
    child: argv.includes("--child"),
    processes: read("processes", Number(process.env.BENCH_PROCESSES ?? 3)),
    rounds: read("rounds", Number(process.env.BENCH_ROUNDS ?? 5)),
    /** A script's own numeric option: `--NAME N`, else `fallback`. */
    number: read,
    /** A script's own directory option: `--NAME DIR` without a trailing slash, else null. */
    directory(name) {
      const at = argv.indexOf(`--${name}`);
      return at >= 0 && argv[at + 1] ? argv[at + 1].replace(/\/$/, "") : null;
    },
    argv,
  };
}

const collect = () => globalThis.gc?.();

/**
 * Times each contender `rounds` times, in a rotating order, after one shorter warm-up run each.
 * A contender is { name, messages, run(), before?() }: `before` (untimed) prepares the round,
 * e.g. a fresh book; `run` processes the whole corpus and may return a Promise.
 * Returns { [name]: { rates: [msg/s per round], ratios: [rate / baseline's rate, same round] } }.
 */
export async function timeRounds(contenders, { rounds = 5, baseline = contenders[0].name, warmup = true } = {}) {
  if (warmup) {
    for (const contender of contenders) {
      await contender.before?.();
      await contender.run(true);
    }
  }
  const results = Object.fromEntries(contenders.map((c) => [c.name, { rates: [], ratios: [] }]));
  for (let round = 0; round < rounds; round++) {
    const rates = {};
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length];
      await contender.before?.();
      collect();
      const start = performance.now();
      await contender.run(false);
      const seconds = (performance.now() - start) / 1000;
      rates[contender.name] = contender.messages / seconds;
    }
    for (const contender of contenders) {
      results[contender.name].rates.push(rates[contender.name]);
      results[contender.name].ratios.push(rates[contender.name] / rates[baseline]);
    }
  }
  return results;
}

/**
 * Runs `script` (a benchmark module) with --child in `processes` separate Node processes, one
 * after another; each prints one JSON line last. Returns the parsed results.
 */
export function inProcesses(script, { processes, rounds, argv = [], nodeArgs = ["--expose-gc"] }) {
  const results = [];
  const path = script instanceof URL ? fileURLToPath(script) : script;
  for (let i = 0; i < processes; i++) {
    const run = spawnSync(process.execPath, [...nodeArgs, path, "--child", "--rounds", String(rounds), ...argv], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    });
    if (run.status !== 0) throw new Error(`${path} (process ${i + 1}) exited with ${run.status}: ${run.stdout.slice(-2000)}`);
    const last = run.stdout.trim().split("\n").pop();
    results.push(JSON.parse(last));
    if (processes > 1) process.stderr.write(`  process ${i + 1}/${processes} done\n`);
  }
  return results;
}

/**
 * Folds per-process results ({ [name]: { rates, ratios } }) into one row per contender: the
 * median over processes of each process's median rate and ratio, and the ratio's range.
 */
export function summarize(perProcess) {
  const names = Object.keys(perProcess[0]);
  return names.map((name) => {
    const rates = perProcess.map((p) => median(p[name].rates));
    const ratios = perProcess.map((p) => median(p[name].ratios));
    return { name, rate: median(rates), ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios), ratios };
  });
}

/** A ratio of two contenders within each process (median of per-round ratios), folded over processes. */
export function pairRatio(perProcess, numerator, denominator) {
  const ratios = perProcess.map((p) => median(p[numerator].rates.map((rate, i) => rate / p[denominator].rates[i])));
  return { ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

export const fmt = {
  rate: (r) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} k/s`),
  ratio: (x) => `${x.toFixed(2)}×`,
  range: (lo, hi) => `${lo.toFixed(2)}–${hi.toFixed(2)}×`,
  bytes: (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`),
  ms: (x) => `${x.toFixed(1)} ms`,
};

/** A Markdown table: `header` is a list of column titles, `rows` a list of lists of cells. */
export function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

/** The machine, for the report: CPU model from /proc/cpuinfo, cores, Node version, date. */
export function machine() {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    if (line) cpu = line.split(":")[1].trim();
  } catch {
    // Not Linux: os.cpus() is what there is.
  }
  return { cpu, cores: cpus().length, node: process.version, date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC" };
}

export function machineLine() {
  const m = machine();
  return `machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}; ${m.date}`;
}

/** Where the package under test is: this checkout, or BENCH_PACKAGE (a staged copy, e.g. a size build). */
export async function loadPackage() {
  const dir = process.env.BENCH_PACKAGE;
  if (!dir) return import("maicoin-ws");
  return import(new URL(`file://${dir.replace(/\/$/, "")}/js/node.js`).href);
}
