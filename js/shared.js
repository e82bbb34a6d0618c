// State that every copy of one of the package's modules shares within a JS realm. The bundled
// Node entry (pkg/maicoin_ws_node.js) carries its own copies of js/wasm.js and js/host.js, so that
// Node loads one file at import; code that imports those files directly (benches, the worker
// transport, tests) must still see the same wasm instance and host. The key names the state and
// the URL of the module file that holds it (in the bundle too, each module keeps its own file's
// URL), so two installed copies of the package never share.

/** The value made once by `make()` for (`name`, `moduleUrl`) in this realm. */
export function shared(name, moduleUrl, make) {
  const key = Symbol.for(`maicoin-ws ${name} ${moduleUrl}`);
  if (Object.hasOwn(globalThis, key)) return globalThis[key];
  const value = make();
  // A frozen global (a locked-down realm) keeps nothing: each copy then has its own state.
  if (Object.isExtensible(globalThis)) Object.defineProperty(globalThis, key, { value });
  return value;
}
