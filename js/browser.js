// The browser entry (and bundlers'): fetches and instantiates the wasm with top-level await, so
// importers need no init() call. Bundlers such as Vite emit the .wasm as an asset from this URL.

import * as glue from "../pkg/maicoin_ws.js";
import { start } from "./start.js";

const exports = await glue.default({ module_or_path: new URL("../pkg/maicoin_ws_bg.wasm", import.meta.url) });
start(exports, glue);

export * from "./public.js";
