// The instantiated wasm module, shared by the package's modules. Each entry point connects it
// before anything else runs, so users never call an init(): the browser's instantiates first
// (top-level await: browsers compile wasm asynchronously), Node's hands over a function that
// instantiates synchronously on first use, so that importing the package compiles no wasm until
// a Stream, a Request, a book or a Response.parse needs it.

import { shared } from "./shared.js";

class WasmModule {
  #instantiate = null;

  // Until the module is instantiated, `exports` and `glue` are these getters, which instantiate
  // it; after, they are plain properties of the object (the per-frame paths read them).

  /** The wasm instance's exports (its memory among them). */
  get exports() {
    return this.#load().exports;
  }

  /** The wasm-bindgen glue: the exported functions and classes, bound to the instance. */
  get glue() {
    return this.#load().glue;
  }

  /** Whether an entry point has connected the module, instantiated or not yet. */
  get connected() {
    return Object.hasOwn(this, "exports") || this.#instantiate !== null;
  }

  connect(exports, glue) {
    Object.defineProperties(this, { exports: { value: exports, enumerable: true }, glue: { value: glue, enumerable: true } });
    this.#instantiate = null;
  }

  /** `instantiate()` returns `{ exports, glue }`. */
  connectOnFirstUse(instantiate) {
    this.#instantiate = instantiate;
  }

  #load() {
    if (this.#instantiate === null) {
      throw new Error("maicoin-ws: the wasm module is not loaded; import the package by its name, not its files");
    }
    // A failed load stays pending: the next use tries again and reports the same problem.
    const { exports, glue } = this.#instantiate();
    this.connect(exports, glue);
    return this;
  }
}

export const wasm = shared("wasm", import.meta.url, () => new WasmModule());
