// The Node entry: the wasm is read from the package's own file and instantiated synchronously
// the first time the package needs it, so `import { Response } from "maicoin-ws"` needs no
// init() call and an import alone compiles no wasm. The package's "exports" point Node at
// pkg/maicoin_ws_node.js, this module and its imports bundled into one file (scripts/bundle.mjs),
// beside the files it loads on first use; this file stays the source, and an entry for tests of
// the tree.

import { createRequire } from "node:module";
import * as glue from "../pkg/maicoin_ws.js";
import { startOnFirstUse } from "./start.js";
import { host } from "./host.js";
import { MAX_WS_URI } from "./constants.js";
import { readRecordingFile } from "./replay-file.js";

// Builtins through require, on use: an ES import of node:fs alone would cost every import of
// the package milliseconds. The require function itself is made on first use too: at import it
// was a third of the time the package's own code takes there.
let requireFromHere = null;
const require = (name) => (requireFromHere ??= createRequire(import.meta.url))(name);

function instantiate() {
  let bytes;
  try {
    bytes = require("node:fs").readFileSync(new URL("../pkg/maicoin_ws_bg.wasm", import.meta.url));
  } catch (error) {
    throw new Error(`maicoin-ws cannot read its wasm module: ${error.message}`, { cause: error });
  }
  const exports = glue.initSync({ module: bytes });
  // A plain copy: in the bundle, `glue` stands in for a file loaded on first use
  // (scripts/bundle.mjs), each property a getter, and the per-frame paths read the copy's.
  return { exports, glue: { ...glue } };
}

// Once per process: the bundled entry and this file share js/wasm.js, and the first connects it.
startOnFirstUse(instantiate);

/** Node's socket: the global WebSocket where Node has one (22+), else the optional `ws` package. */
function connectNode(uri, options) {
  if (typeof globalThis.WebSocket === "function" && !options?.forceWs) {
    return new globalThis.WebSocket(uri);
  }
  let WebSocket;
  try {
    WebSocket = require("ws");
  } catch {
    throw new Error("this Node has no global WebSocket: install the ws package (npm install ws) or pass connectFactory");
  }
  const { forceWs: _ignored, ...wsOptions } = options ?? {};
  const socket = new WebSocket(uri, { perMessageDeflate: false, ...wsOptions });
  // An 'error' with no listener would throw; the close event after it tells the stream everything.
  socket.on("error", () => {});
  // Only ws lets us see a refused handshake's Retry-After; the stream reads it off the socket.
  socket.on("unexpected-response", (_request, response) => {
    socket.handshakeStatus = response.statusCode;
    const retryAfter = response.headers["retry-after"];
    if (retryAfter !== undefined) socket.retryAfter = String(retryAfter);
    socket.terminate();
  });
  return socket;
}

host.defaultUri = () => process.env.MAX_WS_URI || MAX_WS_URI;
host.env = (name) => process.env[name];
host.connectFactory = connectNode;
// replay(path): only Node reads files.
host.readRecording = readRecordingFile;

export * from "./public.js";
