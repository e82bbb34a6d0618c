// A tiny static file server for the browser tests: the repository root, plus the fixtures
// (tests/fixtures/) under /fixtures/. Only what a plain-module page needs; the wasm is sent as application/wasm so
// the browser can compile it while it streams.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

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

/** Starts the server on a free local port; resolves to `{ url, close }`. */
export async function startStaticServer() {
  const server = createServer(async (request, response) => {
    const file = fileFor(new URL(request.url, "http://localhost").pathname);
    try {
      if (file === null) throw new Error("outside the served directories");
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(done)) };
}
