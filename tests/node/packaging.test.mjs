// The package where users put it: `npm pack`, the tarball installed into an empty folder, and
// there (a) a Node script streaming from the simulator, (b) a Vite app built and loaded in
// headless Chromium, (c) TypeScript checking a user's file against the types that ship, and the
// CLI through npx. Everything lives in one temp folder, removed afterwards; the registry is asked
// only for what a user would install (ws, as the package's optional dependency, and Vite).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { startSimulator } from "../../sim/server.js";
import { startStaticServer } from "../../scripts/serve.mjs";
import { CHROMIUM_ARGS } from "../browser/chromium.mjs";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
// Vite 8 needs Node ^20.19 || >=22.12 (the engines field); this range is what was checked here.
const VITE = "vite@^8";

/** Runs a command in `cwd`; on failure the error carries its output, for the test report. */
async function sh(cwd, command, args, options = {}) {
  try {
    return await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 300_000, ...options });
  } catch (error) {
    error.message += `\n--- stdout ---\n${error.stdout ?? ""}\n--- stderr ---\n${error.stderr ?? ""}`;
    throw error;
  }
}

describe("the packed package, installed into an empty folder", () => {
  let temp;
  let app;
  let sim;
  let packed;

  before(async () => {
    temp = await mkdtemp(join(tmpdir(), "maicoin-ws-pack-"));
    sim = await startSimulator({ tickMs: 50 });
    const { stdout } = await sh(ROOT, "npm", ["pack", "--json", "--pack-destination", temp]);
    [packed] = JSON.parse(stdout);
    app = join(temp, "app");
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "uses-maicoin-ws", private: true, type: "module" }, null, 2));
    // One install: the tarball (with ws, its optional dependency) and Vite for the browser app.
    await sh(app, "npm", ["install", "--no-audit", "--no-fund", join(temp, packed.filename), VITE]);
  });

  after(async () => {
    await sim?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  test("the tarball holds the entries, the built wasm, the types and the CLI, and no sources", () => {
    const files = packed.files.map((f) => f.path);
    for (const path of ["package.json", "js/node.js", "js/browser.js", "js/transport/worker.js", "pkg/maicoin_ws.js", "pkg/maicoin_ws_node.js", "pkg/maicoin_ws_bg.wasm", "bin/maicoin-ws.js", "bin/args.js"]) {
      assert.ok(files.includes(path), `${path} in ${files.join(" ")}`);
    }
    assert.ok(files.includes("js/index.d.ts"), "the TypeScript declarations ship");
    assert.deepEqual(files.filter((f) => /^(src|sim|www|tests|scripts)\/|\.rs$/.test(f)), []);
    assert.ok(existsSync(join(app, "node_modules", "ws", "package.json")), "ws came along as the optional dependency");
  });

  test("a Node script streams from the simulator", async () => {
    await writeFile(
      join(app, "stream.mjs"),
      `import { Stream, Channel } from "maicoin-ws";
const stream = new Stream({ uri: process.argv[2] });
const book = stream.book("btcusdt", { depth: 5 });
const seen = new Set();
stream.subscribe([{ channel: Channel.TICKER, market: "ethusdt" }, { channel: Channel.TRADE, market: "btcusdt" }]);
stream.addHandler((response) => {
  seen.add(response.channel ? response.channel + ":" + response.event : response.event);
  if (seen.has("ticker:update") && seen.has("trade:update") && book.inSync) {
    console.log(JSON.stringify({ seen: [...seen], book: book.snapshot(5), status: stream.status }));
    stream.close();
  }
});
await stream.run();
`,
    );
    const { stdout } = await sh(app, process.execPath, ["stream.mjs", sim.url], { timeout: 60_000 });
    const result = JSON.parse(stdout);
    assert.ok(result.seen.includes("subscribed"), result.seen.join(" "));
    assert.ok(result.seen.includes("ticker:snapshot") && result.seen.includes("trade:snapshot"), result.seen.join(" "));
    assert.ok(!result.seen.some((s) => s.startsWith("book:")), "the stream's book consumed the book frames");
    assert.equal(result.book.state, "in-sync");
    assert.equal(result.book.asks.length, 5);
    assert.equal(result.status.state, "connected");
  });

  test("the CLI runs through npx from the installed package", async () => {
    const { stdout } = await sh(app, "npx", ["--no-install", "maicoin-ws", "--help"]);
    assert.match(stdout, /^usage: maicoin-ws/);
  });

  test("a Vite app that imports the package builds, and in Chromium decodes a message and connects, directly and from a worker", async () => {
    const site = join(app, "site");
    await mkdir(site);
    await writeFile(
      join(site, "index.html"),
      `<!doctype html><html><head><meta charset="utf-8"><title>vite app</title><link rel="icon" href="data:,"></head>
<body><pre id="out">loading</pre><script type="module" src="./main.js"></script></body></html>
`,
    );
    await writeFile(
      join(site, "main.js"),
      `import { Response, Stream, Channel } from "maicoin-ws";
const out = document.querySelector("#out");
const result = {};
const decoded = Response.parse('{"e":"update","c":"ticker","M":"btcusdt","T":1700000000000,"tk":{"M":"btcusdt","O":"1.0","H":"2.0","L":"0.5","C":"1.5","v":"10","V":"0.1"}}');
result.decoded = { channel: decoded.channel, close: decoded.ticker.close, createdAt: decoded.createdAt.toISOString() };
const stream = new Stream({ uri: new URLSearchParams(location.search).get("uri"), onConnected: () => (result.connected = true) });
stream.subscribe([{ channel: Channel.TICKER, market: "btcusdt" }]);
stream.addHandler((response) => {
  if (response.channel !== "ticker") return;
  result.ticker = { event: response.event, market: response.ticker.market };
  stream.close();
});
// The same in a dedicated Worker: the package's worker script, bundled by Vite, no file copied.
const inWorker = new Stream({ uri: new URLSearchParams(location.search).get("uri"), transport: "worker" });
result.worker = { transport: inWorker.transport };
inWorker.subscribe([{ channel: Channel.TICKER, market: "btcusdt" }]);
inWorker.addHandler((response) => {
  if (response.channel !== "ticker") return;
  result.worker.ticker = { market: response.ticker.market, dated: response.createdAt instanceof Date };
  inWorker.close();
});
Promise.all([stream.run(), inWorker.run()]).then(() => {
  result.closed = stream.state;
  result.worker.closed = inWorker.state;
  out.textContent = JSON.stringify(result);
  document.body.dataset.done = "yes";
});
`,
    );
    await sh(app, join(app, "node_modules", ".bin", "vite"), ["build", "site", "--outDir", "../dist", "--emptyOutDir", "--logLevel", "warn"]);
    const assets = await readdir(join(app, "dist", "assets"));
    assert.ok(assets.some((name) => name.endsWith(".wasm")), `Vite emitted the wasm as an asset: ${assets.join(" ")}`);

    const web = await startStaticServer({ root: join(app, "dist"), index: "/index.html" });
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${web.url}/index.html?uri=${encodeURIComponent(sim.url)}`);
      await page.waitForFunction(() => document.body.dataset.done === "yes", null, { timeout: 30_000 });
      const result = JSON.parse(await page.textContent("#out"));
      assert.deepEqual(result, {
        decoded: { channel: "ticker", close: "1.5", createdAt: "2023-11-14T22:13:20.000Z" },
        connected: true,
        ticker: { event: "snapshot", market: "btcusdt" },
        closed: "closed",
        worker: { transport: "worker", ticker: { market: "btcusdt", dated: true }, closed: "closed" },
      });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await web.close();
    }
  });

  test("TypeScript checks a user's file against the types that ship in the package", async () => {
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", lib: ["ES2022", "DOM"], types: [], strict: true, noEmit: true, skipLibCheck: false },
        files: ["check.ts"],
      }),
    );
    await writeFile(
      join(app, "check.ts"),
      `import { Stream, OrderBook, Response, ReconnectPolicy, Channel, MAX_WS_URI } from "maicoin-ws";

const stream = new Stream({
  uri: MAX_WS_URI,
  reconnectPolicy: { maxRetries: null, baseDelay: 1 },
  onStateChange: (state) => console.log(state.toUpperCase()),
});
stream.subscribe([{ channel: Channel.TRADE, market: "btcusdt" }, { channel: "kline", market: "ethusdt", resolution: "1h" }]);
const book: OrderBook = stream.book("btcusdt", { depth: 20, onChange: (changed) => changed.bids(5) });
const best: string | undefined = book.bestBid?.[0];
const frames: number = stream.status.frames;
const delay: number = new ReconnectPolicy({ jitter: 0 }).delay(2);
const decoded = Response.parse("{}");
const event: string = decoded.event;
stream.addHandler((response) => {
  const close: string | undefined = response.ticker?.close;
  if (close !== undefined) document.title = close;
});
const running: Promise<void> = stream.run();
console.log(best, frames, delay, event, running);

// @ts-expect-error: a Stream has no such method (the types are real, not any)
stream.notAMethod();
// @ts-expect-error: the endpoint is a string
new Stream({ uri: 42 });
// @ts-expect-error: depth is a number
stream.book("btcusdt", { depth: "20" });
const shared = new Stream({ transport: "shared" });
const where: "direct" | "worker" | "shared" = shared.transport;
console.log(where);
// @ts-expect-error: not a transport
new Stream({ transport: "tab" });
`,
    );
    // The project's own compiler, pointed at the installed package: types resolve through its exports.
    const { stdout } = await sh(app, process.execPath, [TSC, "-p", "tsconfig.json", "--listFilesOnly"]);
    assert.match(stdout, /node_modules\/maicoin-ws\/js\/index\.d\.ts/);
    await sh(app, process.execPath, [TSC, "-p", "tsconfig.json"]);
  });
});
