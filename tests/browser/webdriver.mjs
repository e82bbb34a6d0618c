// A small W3C WebDriver client (plain HTTP + JSON over fetch): it starts an engine's driver on a
// free local port, opens one session and runs scripts in the page. One client for the three
// engines of the browser matrix, since chromedriver, geckodriver and WebKitWebDriver speak the
// same protocol; only how each driver starts and its capabilities differ (ENGINES below).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.mjs";

const READY_MS = 30_000;
const COMMAND_MS = 60_000;
// The key under which W3C WebDriver names an element it found.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** MiniBrowser's place depends on the machine's multiarch triplet and the WebKitGTK API version. */
function miniBrowser() {
  const found = [];
  for (const triplet of readdirSync("/usr/lib", { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const dir = `/usr/lib/${triplet.name}`;
    const apis = readdirSync(dir).filter((name) => /^webkit2gtk-4\.\d+$/.test(name));
    for (const api of apis) if (existsSync(`${dir}/${api}/MiniBrowser`)) found.push(`${dir}/${api}/MiniBrowser`);
  }
  return found.sort().at(-1) ?? "/usr/lib/<triplet>/webkit2gtk-4.x/MiniBrowser";
}

/** A binary `cargo install` put in place: found on PATH, else in cargo's own bin folder. */
function cargoBinary(name) {
  const folders = [...(process.env.PATH ?? "").split(delimiter), join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin")];
  return folders.filter((folder) => folder !== "").map((folder) => join(folder, name)).find((path) => existsSync(path)) ?? name;
}

/**
 * How each engine is driven: the driver's command line for a port, the binaries that must exist,
 * and the session's capabilities. Everything comes from Debian or crates.io (scripts/setup and
 * scripts/setup-browsers install it).
 */
export const ENGINES = {
  chromium: {
    name: "Chromium",
    driver: (port) => ["/usr/bin/chromedriver", [`--port=${port}`]],
    requires: () => ["/usr/bin/chromedriver", CHROMIUM_PATH],
    capabilities: () => ({
      browserName: "chrome",
      "goog:chromeOptions": { binary: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    }),
  },
  firefox: {
    name: "Firefox ESR",
    driver: (port) => [cargoBinary("geckodriver"), ["--host", "127.0.0.1", "--port", String(port)]],
    requires: () => ["/usr/bin/firefox-esr"],
    capabilities: () => ({
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: "/usr/bin/firefox-esr",
        args: ["-headless"],
        // Nothing to call home to on a closed network: the checks would only fail and retry.
        prefs: {
          "network.captive-portal-service.enabled": false,
          "network.connectivity-service.enabled": false,
          "browser.safebrowsing.update.enabled": false,
          "extensions.update.enabled": false,
        },
      },
    }),
  },
  webkit: {
    name: "WebKitGTK",
    // MiniBrowser needs a display, and there is none: xvfb-run gives the driver (and the browser
    // it starts) a virtual one on a free display number, larger than its default 640x480 so that
    // the window the tests ask for fits.
    driver: (port) => ["xvfb-run", ["-a", "-s", "-screen 0 1280x1024x24", "/usr/bin/WebKitWebDriver", `--port=${port}`]],
    requires: () => ["/usr/bin/xvfb-run", "/usr/bin/WebKitWebDriver", miniBrowser()],
    capabilities: () => ({
      "webkitgtk:browserOptions": { binary: miniBrowser(), args: ["--automation"] },
    }),
  },
};

/** A WebDriver command refused by the driver, naming the engine, the command and the driver's error. */
export class WebDriverError extends Error {
  constructor(engine, command, value) {
    super(`${engine}: ${command}: ${value?.error ?? "error"}: ${value?.message ?? JSON.stringify(value)}`);
    this.name = "WebDriverError";
    this.code = value?.error;
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((ready, fail) => server.once("error", fail).listen(0, "127.0.0.1", ready));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** One HTTP exchange with a driver; resolves to the reply's `value`, or throws WebDriverError. */
async function call(engine, base, method, path, body) {
  const command = `${method} ${path}`;
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(COMMAND_MS),
    });
  } catch (error) {
    throw new WebDriverError(engine, command, { error: "no answer", message: error.message });
  }
  const text = await response.text();
  let reply;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new WebDriverError(engine, command, { error: `HTTP ${response.status}`, message: `not JSON: ${text.slice(0, 200)}` });
  }
  if (!response.ok) throw new WebDriverError(engine, command, reply?.value);
  return reply?.value;
}

/** Starts the driver process; resolves once its /status says ready, else kills it and throws. */
async function startDriver(spec) {
  const absent = spec.requires().filter((path) => !existsSync(path));
  if (absent.length > 0) throw new Error(`${spec.name}: ${absent.join(", ")} missing: run scripts/setup-browsers`);
  const port = await freePort();
  const [command, args] = spec.driver(port);
  // A process group of its own, so that stopping it also stops what it started (browser, Xvfb),
  // and a temporary folder of its own for the profiles and sockets they leave behind.
  const scratch = mkdtempSync(join(tmpdir(), "webdriver-"));
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: scratch } });
  let output = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => (output = (output + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const spawnFailed = new Promise((resolve) => child.once("error", (error) => resolve(error)));
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      let timer;
      const quit = await Promise.race([exited.then(() => true), new Promise((r) => (timer = setTimeout(r, 5000, false)))]);
      clearTimeout(timer);
      if (!quit) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const failure = await Promise.race([spawnFailed, exited.then((e) => e), new Promise((r) => setTimeout(r, 50, null))]);
    if (failure) {
      const why = failure instanceof Error ? `${failure.message} (scripts/setup-browsers installs it)` : `it exited with ${failure.code ?? failure.signal}`;
      await stop();
      throw new Error(`${spec.name}: cannot start ${command}: ${why}\n${output}`);
    }
    const status = await call(spec.name, base, "GET", "/status").catch(() => null);
    if (status?.ready) return { base, stop, output: () => output };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.name}: ${command} not ready after ${READY_MS} ms\n${output}`);
    }
  }
}

/**
 * Starts `engine`'s driver and a browser session. The result navigates, runs scripts in the
 * page, polls conditions in the page and ends with quit(), which stops the browser and the driver.
 */
export async function openBrowser(engine) {
  const spec = ENGINES[engine];
  if (!spec) throw new Error(`unknown engine ${engine}: one of ${Object.keys(ENGINES).join(", ")}`);
  const driver = await startDriver(spec);
  let session;
  try {
    session = await call(spec.name, driver.base, "POST", "/session", { capabilities: { alwaysMatch: spec.capabilities() } });
  } catch (error) {
    await driver.stop();
    error.message += `\n${driver.output()}`;
    throw error;
  }
  const path = `/session/${session.sessionId}`;
  const send = (method, command, body) => call(spec.name, driver.base, method, `${path}${command}`, body);
  // The same window in every engine, so that layouts that depend on it (the dashboard's ladder
  // shows the rows that fit) look alike. An engine that cannot resize keeps its own size.
  await send("POST", "/window/rect", { width: 1280, height: 800 }).catch(() => {});
  const browser = {
    engine: spec.name,
    version: session.capabilities?.browserVersion,
    /** Loads `url` and waits for its load event (the W3C default page load strategy). */
    goto: (url) => send("POST", "/url", { url }),
    /** Runs a function's body in the page; `args` arrive as `arguments`; resolves to its return value. */
    execute: (script, args = []) => send("POST", "/execute/sync", { script, args }),
    /** Polls `script` in the page until it returns a truthy value; fails naming `what` after `timeoutMs`. */
    async until(script, what, { timeoutMs = 30_000, everyMs = 50, args = [] } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last;
      for (;;) {
        last = await browser.execute(script, args);
        if (last) return last;
        if (Date.now() > deadline) throw new Error(`${spec.name}: waiting for ${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    },
    /** Clicks the first element matching the CSS `selector` as a user would (scrolled into view, then a pointer click). */
    async click(selector) {
      const found = await send("POST", "/element", { using: "css selector", value: selector });
      await send("POST", `/element/${found[ELEMENT]}/click`, {});
    },
    /** The handle of the window that commands go to now. */
    window: () => send("GET", "/window"),
    /**
     * Opens another top-level window of the same session (so of the same profile: one origin's
     * SharedWorker is shared by both) and resolves to its handle; commands still go to the current one.
     */
    newWindow: async () => (await send("POST", "/window/new", { type: "window" })).handle,
    /** Sends the next commands to the window `handle`. */
    switchTo: (handle) => send("POST", "/window", { handle }),
    /** Closes the current window; switch to another before the next command. */
    closeWindow: () => send("DELETE", "/window"),
    /** The window's content as PNG bytes. */
    screenshot: async () => Buffer.from(await send("GET", "/screenshot"), "base64"),
    async quit() {
      await send("DELETE", "").catch(() => {});
      await driver.stop();
    },
  };
  return browser;
}
