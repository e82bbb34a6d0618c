// A tiny static file server for the browser tests: the repository root, plus the fixtures
// (tests/fixtures/) under /fixtures/. Only what a plain-module page needs; the wasm is sent as application/wasm so
// the browser can compile it while it streams.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { withErrorCapture } from "./page-errors.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".jsonl": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** The file a URL path names, or null when it would leave its directory. */
function fileFor(pathname) {
  const [base, rest] = pathname.startsWith("/fixtures/") ? [fixtures, pathname.slice("/fixtures/".length)] : [root, pathname];
  const file = resolve(base, `.${sep}${decodeURIComponent(rest)}`);
  return file.startsWith(resolve(base) + sep) ? file : null;
}

/**
 * Starts the server on a free local port; resolves to `{ url, close }`. With `captureErrors`,
 * every HTML page gets the page-error recorder of page-errors.mjs (for WebDriver tests).
 */
export async function startStaticServer({ captureErrors = false } = {}) {
  const server = createServer(async (request, response) => {
    const file = fileFor(new URL(request.url, "http://localhost").pathname);
    try {
      if (file === null) throw new Error("outside the served directories");
      let body = await readFile(file);
      if (captureErrors && extname(file) === ".html") body = withErrorCapture(body.toString("utf8"));
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () =>
      new Promise((done) => {
        // Browsers keep idle connections open; without this close() would wait for them.
        server.closeAllConnections();
        server.close(done);
      }),
  };
}
