// The browser entry (and bundlers'): fetches and instantiates the wasm with top-level await, so
// importers need no init() call. Bundlers such as Vite emit the .wasm as an asset from this URL.

import * as glue from "../pkg/maicoin_ws.js";
import { start } from "./start.js";
import { host } from "./host.js";
import { MAX_WS_URI } from "./constants.js";

const exports = await glue.default({ module_or_path: new URL("../pkg/maicoin_ws_bg.wasm", import.meta.url) });
start(exports, glue);

host.defaultUri = () => MAX_WS_URI;
host.connectFactory = (uri) => new WebSocket(uri);

export * from "./public.js";
