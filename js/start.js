// Connects the package's modules to the instantiated wasm module; called once by each entry.

import { connectWasm } from "./wasm.js";

export function start(exports, glue) {
  connectWasm(exports, glue);
}
