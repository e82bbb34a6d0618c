// The browser entry as a plain <script type="module"> in headless Chromium (no bundler): it must
// load the wasm by itself and decode exactly what the Node entry decodes.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

import { Response } from "maicoin-ws";
import { hmac, inbound } from "../support/fixtures.mjs";
import { startStaticServer } from "./static-server.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.mjs";

const CHROMIUM = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };

let server;
let browser;
let page;
const problems = [];

before(async () => {
  server = await startStaticServer();
  // launch() gives every run a fresh temporary profile.
  browser = await chromium.launch(CHROMIUM);
  page = await browser.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.goto(`${server.url}/tests/browser/plain-module.html`);
  await page.waitForSelector("#result[data-status]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function pageResult() {
  const status = await page.getAttribute("#result", "data-status");
  const text = await page.textContent("#result");
  assert.equal(status, "done", text);
  return JSON.parse(text);
}

test("the page imports /js/browser.js with no bundler and no warnings or errors", async () => {
  await pageResult();
  assert.deepEqual(problems, []);
});

test("decodes every documented message exactly as the Node entry does", async () => {
  const { responses, datesAreDates } = await pageResult();
  assert.equal(responses.length, inbound.length);
  inbound.forEach(({ name, wire }, index) => {
    // Both sides through JSON, so Dates compare as their ISO strings.
    const inNode = JSON.parse(JSON.stringify(Response.parse(JSON.stringify(wire))));
    assert.deepEqual(responses[index], inNode, name);
  });
  assert.equal(datesAreDates, true);
});

test("decodes non-ASCII and escaped strings, and refuses a frame without `e` with an Error", async () => {
  const { nonAscii, refusal } = await pageResult();
  assert.deepEqual(nonAscii, { event: "error", createdAt: "1970-01-01T00:00:00.001Z", errors: ["無效 😀", "café"], market: "日本" });
  assert.equal(refusal, "Error: invalid MAX message: it has no event (key `e`)");
});

test("builds requests and signs the documented HMAC vector", async () => {
  const { subscribe, signature, constants } = await pageResult();
  assert.deepEqual(subscribe, { action: "sub", subscriptions: [{ channel: "book", market: "btcusdt", depth: 5 }], id: subscribe.id });
  assert.match(subscribe.id, /\S/);
  assert.equal(signature, hmac.signature);
  assert.deepEqual(constants, { sub: "sub", pong: "pong", frozen: true });
});
