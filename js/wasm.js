// The instantiated wasm module, shared by the package's modules. Each entry point connects it
// before anything else runs, so users never call an init(): the browser's instantiates first
// (top-level await: browsers compile wasm asynchronously), Node's hands over a function that
// instantiates synchronously on first use, so that importing the package compiles no wasm until
// a Stream, a Request, a book or a Response.parse needs it.

class WasmModule {
  #exports = null;
  #glue = null;
  #instantiate = null;
  #pendingGlue = null;

  /** The wasm instance's exports (its memory among them). */
  get exports() {
    return this.#exports ?? this.#load().#exports;
  }

  /** The wasm-bindgen glue: the exported functions and classes, bound to the instance. */
  get glue() {
    return this.#glue ?? this.#load().#glue;
  }

  /** Whether an entry point has connected the module, instantiated or not yet. */
  get connected() {
    return this.#exports !== null || this.#instantiate !== null;
  }

  connect(exports, glue) {
    this.#exports = exports;
    this.#glue = glue;
    this.#instantiate = null;
  }

  connectOnFirstUse(instantiate, glue) {
    this.#instantiate = instantiate;
    this.#pendingGlue = glue;
  }

  #load() {
    if (this.#instantiate === null) {
      throw new Error("maicoin-ws: the wasm module is not loaded; import the package by its name, not its files");
    }
    // A failed load stays pending: the next use tries again and reports the same problem.
    this.connect(this.#instantiate(), this.#pendingGlue);
    this.#pendingGlue = null;
    return this;
  }
}

export const wasm = new WasmModule();
