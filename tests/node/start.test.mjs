// `npm start` (scripts/start) as a person runs it: it prints the dashboard's URL, serves the
// dashboard, the package and /config.json, runs the simulator unless MAX_WS_URI is set, and
// Ctrl-C stops everything it started.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WAIT_MS = 120_000; // setup and a build may run first on a machine that lacks them

/** Starts scripts/start in its own process group, as a terminal would run it. */
function start(env) {
  const child = spawn("bash", ["scripts/start"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: "0", SIM_PORT: "0", DASHBOARD_HOST: "127.0.0.1", MAX_WS_URI: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run = { child, output: "" };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk) => (run.output += chunk));
  child.stderr.on("data", (chunk) => (run.output += chunk));
  run.exit = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  run.url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL in ${WAIT_MS} ms:\n${run.output}`)), WAIT_MS);
    const look = () => {
      const match = /dashboard: (http:\/\/\S+)/.exec(run.output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", look);
    run.exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`scripts/start ended before printing the URL:\n${run.output}`));
    });
  });
  return run;
}

/** Every process in a process group, read from /proc (Linux). */
function processGroup(pgid) {
  const members = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command's closing parenthesis: state, ppid, pgrp, ...
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) {
        members.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim() });
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const canConnect = (uri) =>
  new Promise((resolve) => {
    const socket = new WebSocket(uri, { perMessageDeflate: false });
    socket.on("open", () => {
      socket.close();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

test("npm start serves the dashboard against the simulator, and Ctrl-C stops everything", async () => {
  const run = start({});
  const url = await run.url;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/www\/$/);
  const site = new URL(url).origin;

  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(await page.text(), /"maicoin-ws": "\/js\/browser\.js"/);
  const wasm = await fetch(`${site}/pkg/maicoin_ws_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  assert.ok(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer())));
  const config = await (await fetch(`${site}/config.json`)).json();
  assert.match(config.uri, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
  assert.ok(run.output.includes(`simulator on ${config.uri}`));
  assert.ok(await canConnect(config.uri), "the simulator accepts a connection");

  const started = processGroup(run.child.pid);
  assert.ok(started.some((p) => p.command.includes("sim/cli.js")), JSON.stringify(started));
  assert.ok(started.some((p) => p.command.includes("scripts/serve.mjs")), JSON.stringify(started));

  // Ctrl-C in a terminal signals the whole foreground process group.
  process.kill(-run.child.pid, "SIGINT");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.deepEqual(started.filter((p) => alive(p.pid)), [], "no process left behind");
  await assert.rejects(fetch(url), "the static server is down");
  assert.equal(await canConnect(config.uri), false, "the simulator is down");
});

test("with MAX_WS_URI set, npm start runs no simulator and points the dashboard there", async () => {
  const endpoint = "wss://max-stream.example.invalid/ws";
  const run = start({ MAX_WS_URI: endpoint });
  const url = await run.url;
  const config = await (await fetch(`${new URL(url).origin}/config.json`)).json();
  assert.deepEqual(config, { uri: endpoint });
  const started = processGroup(run.child.pid);
  assert.ok(!started.some((p) => p.command.includes("sim/cli.js")), JSON.stringify(started));
  assert.ok(run.output.includes("no simulator"));

  // Stopped by kill rather than Ctrl-C: the same clean-up.
  process.kill(run.child.pid, "SIGTERM");
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assert.deepEqual(started.filter((p) => alive(p.pid)), [], "no process left behind");
});
