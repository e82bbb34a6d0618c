// The Node entry: instantiates the wasm synchronously from the package's own file, so
// `import { Response } from "maicoin-ws"` needs no init() call.

import { readFileSync } from "node:fs";
import * as glue from "../pkg/maicoin_ws.js";
import { start } from "./start.js";

const exports = glue.initSync({ module: readFileSync(new URL("../pkg/maicoin_ws_bg.wasm", import.meta.url)) });
start(exports, glue);

export * from "./public.js";
