// The same Stream in headless Chromium: the page imports /js/browser.js from a static server,
// and the browser's own WebSocket talks to the simulator. Connects, subscribes, receives,
// survives a forced drop (checked on both sides) and keeps a book in sync; once with the socket
// on the page's thread ("direct"), in a dedicated Worker ("worker") and in a SharedWorker
// ("shared"), unchanged.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { simulator, requestLog, requestsOf, until, sleep, SAFETY_MS } from "../node/harness.mjs";
import { CHROMIUM_ARGS } from "./chromium.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** Serves the repository's files, as any static host would serve the package. */
async function staticServer(t) {
  const server = createServer(async (request, response) => {
    const path = normalize(join(ROOT, decodeURIComponent(new URL(request.url, "http://x").pathname)));
    if (!path.startsWith(ROOT) || path.includes(`${sep}node_modules${sep}`)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(path);
      response.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}`;
}

async function browserPage(t) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    // Without the networking flags Chromium keeps trying to reach Google's services.
    args: CHROMIUM_ARGS,
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  return { page, problems };
}

for (const transport of ["direct", "worker", "shared"]) {
  test(`in Chromium (transport ${transport}) the browser's own WebSocket connects, subscribes, receives, survives a drop and keeps a book`, async (t) => {
    const sim = await simulator(t);
    const log = requestLog(sim);
    const connections = [];
    sim.on("connection", (event) => connections.push(event));
    const origin = await staticServer(t);
    const { page, problems } = await browserPage(t);
    const inPage = (fn, arg) => page.evaluate(fn, arg);
    const pageUntil = async (fn, what) => {
      await page.waitForFunction(fn, undefined, { timeout: SAFETY_MS, polling: 10 }).catch((error) => {
        throw new Error(`waiting in the page for ${what}: ${error.message}`);
      });
    };
    const expected = [
      { channel: "trade", market: "btcusdt" },
      { channel: "ticker", market: "ethusdt" },
      { channel: "book", market: "ethusdt", depth: 10 },
    ];

    await page.goto(`${origin}/tests/browser/stream.html?uri=${encodeURIComponent(sim.url)}&transport=${transport}`);
    await pageUntil(() => window.maicoin?.log.connected === 1, "the first connection");
    assert.equal(await inPage(() => window.maicoin.stream.transport), transport);
    assert.match(connections[0].headers["user-agent"], /Chrome/, "the browser's socket, not Node's");
    assert.equal(connections[0].headers.origin, origin);
    await until(() => requestsOf(log, "sub", 1).length === 1, "the sub at the simulator");
    assert.deepEqual(requestsOf(log, "sub", 1)[0].subscriptions, expected);

    // Live data: ticks until a trade update reaches the page's handler (a tick may have no trade).
    const sawTradeUpdate = () => inPage(() => window.maicoin.log.responses.some((r) => r.event === "update" && r.channel === "trade"));
    for (let ticks = 0; !(await sawTradeUpdate()); ticks++) {
      assert.ok(ticks < 500, "a trade update within 500 ticks");
      sim.tick();
      await sleep(10);
    }
    const checkBook = async () => {
      await pageUntil(() => window.maicoin.book().inSync, "the book to be in sync");
      const book = await inPage(() => window.maicoin.book());
      const truth = sim.bookAt("ethusdt", 10, book.lastUpdateId);
      assert.deepEqual([book.asks, book.bids], [truth.asks, truth.bids]);
    };
    await checkBook();

    // A forced drop: the page reconnects and resubscribes; the simulator sees the same sub again.
    sim.dropAll();
    await pageUntil(() => window.maicoin.log.connected === 2, "the reconnection");
    await until(() => requestsOf(log, "sub", 2).length === 1, "the replayed sub at the simulator");
    assert.deepEqual(requestsOf(log, "sub", 2)[0].subscriptions, expected);
    await pageUntil(() => window.maicoin.log.responses.filter((r) => r.event === "subscribed").length === 2, "the second subscribed answer");
    sim.tick();
    await checkBook();

    const pageLog = await inPage(() => window.maicoin.log);
    assert.equal(pageLog.disconnected.length, 1);
    assert.deepEqual(pageLog.failures, []);
    assert.ok(!pageLog.responses.some((r) => r.channel === "book"), "book frames went into the book, not to handlers");
    assert.equal(sim.stats.connections, 2);
    assert.equal(await inPage(() => (window.maicoin.stream.close(), window.maicoin.ended)), "resolved");
    assert.deepEqual(problems, []);
  });
}
