#!/usr/bin/env node
// A small static file server for the dashboard (node:http only): serves the repository root so that
// www/ can import the package's browser entry at /js/browser.js and its wasm at /pkg/, and answers
// /config.json with the WebSocket endpoint the dashboard should use, and the REST host it asks
// for candle history when that is not the endpoint's own (the simulator serves both on one port).
//
//   node scripts/serve.mjs [--port N] [--host H] [--root DIR] [--uri ws://...] [--rest http://...]
//
// The endpoint is --uri, else $MAX_WS_URI, else none (the page then falls back to MAX's own); the
// REST host is --rest, else $MAX_REST_URL, else left to the page to derive from the endpoint.

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  // WebAssembly.instantiateStreaming refuses a module served under any other type.
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * Starts the server; resolves to { url, port, close() } once it listens.
 * `config` is what /config.json answers (null: no /config.json, a 404 like any missing file).
 * `index` is where "/" redirects to.
 */
export async function startStaticServer({ root = process.cwd(), port = 0, host = "127.0.0.1", config = null, index = "/www/" } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    answer(base, config, index, request, response).catch((error) => {
      if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", `server error: ${error.message}\n`);
      else response.destroy();
    });
  });
  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const actualPort = server.address().port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise((resolveClose) => {
        // Browsers keep idle connections open; without this close() would wait for them.
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

async function answer(base, config, index, request, response) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    return send(response, 405, "text/plain; charset=utf-8", "method not allowed\n");
  }
  const { pathname } = new URL(request.url, "http://localhost");
  if (pathname === "/") {
    response.writeHead(302, { Location: index });
    return response.end();
  }
  if (pathname === "/config.json" && config !== null) {
    return send(response, 200, MIME_TYPES[".json"], JSON.stringify(config), request.method === "HEAD");
  }
  let path;
  try {
    path = resolve(join(base, decodeURIComponent(pathname)));
  } catch {
    return send(response, 400, "text/plain; charset=utf-8", "bad path\n");
  }
  // Never serve anything outside the root, whatever ".." or encoded slashes the path holds.
  if (path !== base && !path.startsWith(base + sep)) return send(response, 403, "text/plain; charset=utf-8", "forbidden\n");
  let info = await stat(path).catch(() => null);
  if (info?.isDirectory()) {
    if (!pathname.endsWith("/")) {
      // Relative URLs inside index.html resolve against the directory only with the trailing slash.
      response.writeHead(301, { Location: `${pathname}/` });
      return response.end();
    }
    path = join(path, "index.html");
    info = await stat(path).catch(() => null);
  }
  if (!info?.isFile()) return send(response, 404, "text/plain; charset=utf-8", "not found\n");
  response.writeHead(200, {
    "Content-Type": MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": info.size,
    // A development server: always the file as it is now, so a rebuild shows on reload.
    "Cache-Control": "no-store",
  });
  if (request.method === "HEAD") return response.end();
  createReadStream(path).pipe(response);
}

function send(response, status, type, body, headOnly = false) {
  response.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  response.end(headOnly ? undefined : body);
}

function parseArguments(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!["--port", "--host", "--root", "--uri", "--rest"].includes(flag) || value === undefined) {
      throw new Error(`usage: node scripts/serve.mjs [--port N] [--host H] [--root DIR] [--uri ws://...] [--rest http://...] (bad argument ${flag})`);
    }
    options[flag.slice(2)] = value;
    i += 1;
  }
  return options;
}

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const root = options.root ?? fileURLToPath(new URL("..", import.meta.url));
  const uri = options.uri ?? process.env.MAX_WS_URI ?? null;
  const rest = options.rest ?? process.env.MAX_REST_URL ?? null;
  const server = await startStaticServer({
    root,
    port: Number(options.port ?? 0),
    host: options.host ?? "127.0.0.1",
    config: rest === null ? { uri } : { uri, rest },
  });
  console.log(`static server on ${server.url} (root ${root}, endpoint ${uri ?? "MAX's default"})`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
