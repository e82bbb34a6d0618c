// The script of the "worker" and "shared" transports, shipped in the package and started by
// js/transport/remote-stream.js: it instantiates the wasm here, then serves every page that
// connects (one for a dedicated Worker, any number for a SharedWorker) with a Hub. No top-level
// await, so bundlers may emit it in any worker format; what pages post meanwhile is kept.

import * as glue from "../../pkg/maicoin_ws.js";
import { start } from "../start.js";
import { host } from "../host.js";
import { MAX_WS_URI } from "../constants.js";
import { Hub } from "./hub.js";
import { TO_PAGE, errorToWire } from "./protocol.js";

const ready = glue.default({ module_or_path: new URL("../../pkg/maicoin_ws_bg.wasm", import.meta.url) }).then((exports) => {
  start(exports, glue);
  host.defaultUri = () => MAX_WS_URI;
  host.connectFactory = (uri) => new WebSocket(uri);
  return new Hub();
});

function serve(port) {
  const early = [];
  port.onmessage = (event) => early.push(event.data);
  ready.then(
    (hub) => hub.attach(port, early),
    (error) => port.postMessage({ t: TO_PAGE.ENDED, notify: true, error: errorToWire(error) }),
  );
}

if (typeof SharedWorkerGlobalScope === "function" && globalThis instanceof SharedWorkerGlobalScope) {
  globalThis.onconnect = (event) => serve(event.ports[0]);
} else {
  serve(globalThis);
}
