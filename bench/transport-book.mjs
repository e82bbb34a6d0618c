// Main-thread cost of the dashboard's book path in Chromium, with the stream on the page's thread
// ("direct") and in a dedicated Worker ("worker"): the simulator pushes 10,000 updates of
// btcusdt's depth-20 book as fast as it can make them, the page keeps the book and takes a
// depth-20 snapshot on every change (at most once per frame), and Chrome's own counters of the
// page's main thread (CDP Performance.getMetrics: ThreadTime, its CPU time, and TaskDuration, the
// wall time of its tasks, which other processes on a busy machine stretch) are read before and
// after. Twice: with the snapshot only (the stream's own work, what a transport can move) and
// with the dashboard's ladder drawn from it (the page's drawing stays on its thread either way).
// Each transport has one page, kept open (as a dashboard is) with a simulator of its own; one
// untimed run warms it up, then the two alternate within each round; the ratio is per round.
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

/**
 * A page kept open on `transport` with its own simulator (the same seed for every page, so each
 * gets the same updates), as a dashboard stays open: its code is warm after the first run.
 */
async function openViewer(browser, web, transport, draw) {
  const sim = await startSimulator({ tickMs: 0, rateLimit: null });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${web.url}/bench/transport-book.html?uri=${encodeURIComponent(sim.url)}&transport=${transport}&draw=${draw}`);
  const result = () => page.evaluate(() => window.__result);
  await waitFor(async () => (await result())?.inSync, "the book in sync");
  if ((await result()).transport !== transport) throw new Error(`asked for ${transport}, got ${(await result()).transport}`);
  const [conn] = sim.clients;
  const feed = conn.books.get("btcusdt");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");

  /** `updates` book updates, as fast as the simulator makes them; the main thread's time for them. */
  async function run() {
    const before = await mainThread(cdp);
    const rendersBefore = (await result()).renders;
    const framesBefore = conn.framesSent;
    const started = performance.now();
    // A tick may leave the top 20 unchanged: tick until `updates` frames went out.
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
    const renders = (await result()).renders - rendersBefore;
    return { transport, sent, seconds, task: per(after.task - before.task), thread: per(after.thread - before.thread), script: per(after.script - before.script), renders };
  }
  const close = async () => {
    await page.close();
    await sim.close();
  };
  return { run, close };
}

const web = await startStaticServer();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

async function compare(draw) {
  const viewers = {};
  for (const transport of TRANSPORTS) viewers[transport] = await openViewer(browser, web, transport, draw);
  const runs = { direct: [], worker: [] };
  const ratios = [];
  // One warm-up run each (compilation, caches), not counted.
  for (const transport of TRANSPORTS) await viewers[transport].run();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? TRANSPORTS : [...TRANSPORTS].reverse();
    const got = {};
    for (const transport of order) got[transport] = await viewers[transport].run();
    for (const transport of TRANSPORTS) runs[transport].push(got[transport]);
    ratios.push({ thread: got.worker.thread / got.direct.thread, task: got.worker.task / got.direct.task });
    console.error(
      `${draw} round ${round + 1}: ` +
        TRANSPORTS.map((t) => `${t} ${got[t].task.toFixed(1)} ms task / ${got[t].thread.toFixed(1)} ms CPU per 10k (${got[t].sent} updates in ${got[t].seconds.toFixed(2)} s, ${got[t].renders} renders)`).join("; ") +
        `; worker/direct CPU ${(ratios.at(-1).thread * 100).toFixed(1)} %, tasks ${(ratios.at(-1).task * 100).toFixed(1)} %`,
    );
  }
  for (const viewer of Object.values(viewers)) await viewer.close();
  return { runs, ratios };
}

try {
  const results = { none: await compare("none"), ladder: await compare("ladder") };
  console.log(`Main-thread time per 10,000 book updates (median of ${rounds} rounds, ${updates} updates per run)\n`);
  console.log("| page draws | transport | main-thread CPU (ms) | main-thread tasks (ms) | of which script (ms) | run (s) | onChange calls | worker / direct: CPU | worker / direct: tasks |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [draw, { runs, ratios }] of Object.entries(results)) {
    for (const t of TRANSPORTS) {
      const m = (key) => median(runs[t].map((r) => r[key]));
      const ratio = (key) => {
        if (t !== "worker") return "";
        const each = ratios.map((r) => r[key]).sort((a, b) => a - b);
        return `${(median(each) * 100).toFixed(1)} % (${each.map((r) => (r * 100).toFixed(0)).join(", ")})`;
      };
      console.log(`| ${draw === "none" ? "nothing (snapshot only)" : "the ladder"} | ${t} | ${m("thread").toFixed(1)} | ${m("task").toFixed(1)} | ${m("script").toFixed(1)} | ${m("seconds").toFixed(2)} | ${m("renders").toFixed(0)} | ${ratio("thread")} | ${ratio("task")} |`);
    }
  }
} finally {
  await browser.close();
  await web.close();
}
