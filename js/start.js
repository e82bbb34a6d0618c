// Connects the package's modules to the wasm module; called once by each entry.

import { wasm } from "./wasm.js";

/** With the module instantiated already (browsers, workers). */
export function start(exports, glue) {
  wasm.connect(exports, glue);
}

/**
 * With a function that instantiates it synchronously, called when the package first needs it;
 * it returns the instance's exports and the glue bound to them.
 */
export function startOnFirstUse(instantiate) {
  if (!wasm.connected) wasm.connectOnFirstUse(instantiate);
}
