// The instantiated wasm module, shared by the package's modules. The entry points (node.js,
// browser.js) instantiate it before anything else runs, so users never call an init().

export const wasm = { exports: null, glue: null };

export function connectWasm(exports, glue) {
  wasm.exports = exports;
  wasm.glue = glue;
}
