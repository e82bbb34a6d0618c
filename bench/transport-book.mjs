// Main-thread cost of the dashboard's book path in Chromium, with the stream on the page's thread
// ("direct") and in a dedicated Worker ("worker"): the simulator pushes 10,000 updates of
// btcusdt's depth-20 book as fast as it can make them, the page keeps the book and takes a
// depth-20 snapshot on every change (at most once per frame), and Chrome's own counters of the
// page's main thread (CDP Performance.getMetrics: TaskDuration, ThreadTime) are read before and
// after. Twice: with the snapshot only (the stream's own work, what a transport can move) and
// with the dashboard's ladder drawn from it (the page's drawing stays on its thread either way).
// The two transports alternate within each round; the ratio is taken per round.
//
//   node bench/transport-book.mjs [--rounds 5] [--updates 10000]

import { chromium } from "playwright-core";
import { startSimulator } from "../sim/server.js";
import { startStaticServer } from "../tests/browser/static-server.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../tests/browser/chromium.mjs";
import { median, options } from "./lib/measure.mjs";

const TRANSPORTS = ["direct", "worker"];
const opts = options();
const updates = (() => {
  const at = opts.argv.indexOf("--updates");
  return at >= 0 ? Number(opts.argv[at + 1]) : 10_000;
})();
const rounds = opts.argv.includes("--rounds") ? opts.rounds : 5;
const TIMEOUT_MS = 120_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Chrome's cumulative counters for the page's main thread, in ms. */
async function mainThread(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const value = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  return { task: value("TaskDuration"), thread: value("ThreadTime"), script: value("ScriptDuration") };
}

/** One run: a fresh page on `transport`, `updates` book updates, the main thread's time for them. */
async function measure(browser, sim, web, transport, draw) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    await page.goto(`${web.url}/bench/transport-book.html?uri=${encodeURIComponent(sim.url)}&transport=${transport}&draw=${draw}`);
    const result = () => page.evaluate(() => window.__result);
    await waitFor(async () => (await result())?.inSync, "the book in sync");
    if ((await result()).transport !== transport) throw new Error(`asked for ${transport}, got ${(await result()).transport}`);
    const [conn] = sim.clients;
    const feed = conn.books.get("btcusdt");
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await mainThread(cdp);
    const framesBefore = conn.framesSent;
    const started = performance.now();
    // As fast as the simulator makes updates; a round of ticks may leave the top 20 unchanged.
    while (conn.framesSent - framesBefore < updates) {
      for (let i = 0; i < 50 && conn.framesSent - framesBefore < updates; i++) sim.tick();
      await sleep(0);
    }
    const sent = conn.framesSent - framesBefore;
    await waitFor(async () => (await result()).lastUpdateId === feed.sentLi, "the page to show the last update");
    const seconds = (performance.now() - started) / 1000;
    const after = await mainThread(cdp);
    const per = (ms) => (ms * 10_000) / sent;
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    return { transport, sent, seconds, task: per(after.task - before.task), thread: per(after.thread - before.thread), script: per(after.script - before.script), renders: (await result()).renders };
  } finally {
    await page.close();
  }
}

const sim = await startSimulator({ tickMs: 0, rateLimit: null });
const web = await startStaticServer();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
async function compare(draw) {
  const runs = { direct: [], worker: [] };
  const ratios = [];
  // One warm-up run each (compilation, caches), not counted.
  for (const transport of TRANSPORTS) await measure(browser, sim, web, transport, draw);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? TRANSPORTS : [...TRANSPORTS].reverse();
    const got = {};
    for (const transport of order) got[transport] = await measure(browser, sim, web, transport, draw);
    for (const transport of TRANSPORTS) runs[transport].push(got[transport]);
    ratios.push(got.worker.task / got.direct.task);
    console.error(
      `${draw} round ${round + 1}: ` +
        TRANSPORTS.map((t) => `${t} ${got[t].task.toFixed(1)} ms task / ${got[t].thread.toFixed(1)} ms CPU per 10k (${got[t].sent} updates in ${got[t].seconds.toFixed(2)} s, ${got[t].renders} renders)`).join("; ") +
        `; worker/direct ${(ratios.at(-1) * 100).toFixed(1)} %`,
    );
  }
  return { runs, ratios };
}

try {
  const results = { none: await compare("none"), ladder: await compare("ladder") };
  console.log(`Main-thread time per 10,000 book updates (median of ${rounds} rounds, ${updates} updates per run)\n`);
  console.log("| page draws | transport | main-thread tasks (ms) | main-thread CPU (ms) | of which script (ms) | run (s) | onChange calls | worker / direct (tasks) |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const [draw, { runs, ratios }] of Object.entries(results)) {
    for (const t of TRANSPORTS) {
      const m = (key) => median(runs[t].map((r) => r[key]));
      const sorted = [...ratios].sort((a, b) => a - b);
      const ratio = t === "worker" ? `${(median(ratios) * 100).toFixed(1)} % (${sorted.map((r) => (r * 100).toFixed(0)).join(", ")})` : "";
      console.log(`| ${draw === "none" ? "nothing (snapshot only)" : "the ladder"} | ${t} | ${m("task").toFixed(1)} | ${m("thread").toFixed(1)} | ${m("script").toFixed(1)} | ${m("seconds").toFixed(2)} | ${m("renders").toFixed(0)} | ${ratio} |`);
    }
  }
} finally {
  await browser.close();
  await web.close();
  await sim.close();
}
