// Running the CLI (bin/maicoin-ws.js) as a user does, for the CLI tests. Not a test file itself.

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "bin", "maicoin-ws.js");
export const WAIT_MS = 20_000; // a safety net; each wait ends when its condition holds

/** Runs the CLI; `lines` collects stdout's JSON lines as they come. */
export function runCli(args, env = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, MAX_API_KEY: "", MAX_API_SECRET: "", MAX_WS_URI: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run = { child, lines: [], stdout: "", stderr: "", waiters: new Set() };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  let pending = "";
  child.stdout.on("data", (chunk) => {
    run.stdout += chunk;
    pending += chunk;
    const complete = pending.split("\n");
    pending = complete.pop();
    for (const line of complete) run.lines.push(line);
    for (const check of run.waiters) check();
  });
  child.stderr.on("data", (chunk) => (run.stderr += chunk));
  run.exit = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return run;
}

/** Resolves once `predicate(parsed lines)` holds. */
export function until(run, predicate, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      run.waiters.delete(check);
      reject(new Error(`${what}: not seen in ${WAIT_MS} ms; stdout so far:\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr}`));
    }, WAIT_MS);
    const check = () => {
      let parsed;
      try {
        parsed = run.lines.map((line) => JSON.parse(line));
      } catch (error) {
        clearTimeout(timer);
        run.waiters.delete(check);
        reject(new Error(`a line of stdout is not JSON (${error.message}):\n${run.stdout.slice(0, 2000)}`));
        return;
      }
      if (predicate(parsed)) {
        clearTimeout(timer);
        run.waiters.delete(check);
        resolve(parsed);
      }
    };
    run.waiters.add(check);
    check();
  });
}

