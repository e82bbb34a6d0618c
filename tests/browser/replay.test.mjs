// Record and replay in Chromium, from the browser entry: `record` over the browser's own WebSocket,
// and a recording given as a Blob or a fetch Response, play through the same engine and give
// exactly what they give in Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { Stream, replay } from "maicoin-ws";
import { simulator, startStream, until, tickUntil, within, FAST } from "../node/harness.mjs";
import { startStaticServer } from "./static-server.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.mjs";

const SUBSCRIPTIONS = [{ channel: "book", market: "ethusdt", depth: 5 }, { channel: "trade", market: "ethusdt" }];

/** What a replay of `text` shows its handlers: one JSON line per response. Runs in Node or in the page. */
async function replayedLines(api, recording, subscriptions) {
  const connectFactory = api.replay(recording);
  let stream;
  stream = new api.Stream({ connectFactory, onDisconnected: () => connectFactory.done && stream.close() });
  stream.subscribe(subscriptions);
  const lines = [];
  stream.addHandler((response) => lines.push(JSON.stringify(response)));
  await stream.run();
  return lines;
}

/** A Chromium page on the repository's static server, closed with the test; the package is imported into it. */
async function servedPage(t) {
  const server = await startStaticServer();
  t.after(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  // Any document of the server will do.
  await page.goto(`${server.url}/package.json`);
  return page;
}

test("in Chromium a Blob or a Response, gzipped or not, replays to the very responses Node replays", async (t) => {
  const sim = await simulator(t);
  const entries = [];
  const { stream } = startStream(t, { uri: sim.url, reconnectPolicy: FAST, record: (entry) => entries.push(JSON.stringify(entry)) });
  stream.subscribe(SUBSCRIPTIONS);
  let updates = 0;
  stream.addHandler((r) => (updates += r.event === "update"));
  await tickUntil(sim, () => updates >= 20, "20 updates");
  stream.close();
  await until(() => entries.some((e) => e.includes('"close"')), "the recorded close");
  const text = `${entries.join("\n")}\n`;
  const inNode = await within(replayedLines({ Stream, replay }, text, SUBSCRIPTIONS), "the replay in Node");
  assert.ok(inNode.length > 20);

  const page = await servedPage(t);
  const inBrowser = await page.evaluate(
    async ({ text, gzipped, subscriptions, source }) => {
      const api = await import("/js/browser.js");
      const replayedLines = new Function(`return ${source}`)();
      const blob = await replayedLines(api, new Blob([text]), subscriptions);
      const response = await replayedLines(api, new Response(text), subscriptions);
      const gzip = await replayedLines(api, new Blob([new Uint8Array(gzipped)]), subscriptions);
      return { blob, response, gzip };
    },
    { text, gzipped: [...gzipSync(text)], subscriptions: SUBSCRIPTIONS, source: replayedLines.toString() },
  );
  assert.deepEqual(inBrowser.blob, inNode, "a Blob replays as in Node");
  assert.deepEqual(inBrowser.response, inNode, "a Response replays as in Node");
  assert.deepEqual(inBrowser.gzip, inNode, "a gzipped Blob (a .gz fetched as it is) too");
});

test("in Chromium record wraps the browser's WebSocket: Node replays what the page saw live", async (t) => {
  const sim = await simulator(t, { tickMs: 20 });
  const page = await servedPage(t);
  const { entries, live } = await page.evaluate(
    async ({ uri, subscriptions }) => {
      const { Stream } = await import("/js/browser.js");
      const entries = [];
      const live = [];
      const stream = new Stream({ uri, record: (entry) => entries.push(entry) });
      stream.subscribe(subscriptions);
      stream.addHandler((response) => {
        live.push(JSON.stringify(response));
        if (live.filter((line) => line.includes('"event":"update"')).length === 20) stream.close();
      });
      await stream.run();
      // The browser's close event comes once the server has answered the close.
      for (let i = 0; i < 200 && !entries.some((e) => e.close !== undefined); i++) await new Promise((r) => setTimeout(r, 10));
      return { entries, live };
    },
    { uri: sim.url, subscriptions: SUBSCRIPTIONS },
  );
  assert.deepEqual(Object.keys(entries[0]), ["at", "conn", "open"]);
  assert.equal(entries.at(-1).close, 1000, "the close is recorded");
  const inNode = await within(replayedLines({ Stream, replay }, entries, SUBSCRIPTIONS), "the replay in Node");
  assert.deepEqual(inNode.slice(0, live.length), live, "Node replays what the page saw");
});
