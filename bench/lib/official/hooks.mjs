// A module resolution hook (node:module register): when max-exchange-api-node imports `ws`, it
// gets fake-ws.mjs instead, so the official client can be driven offline from a corpus.

const FAKE = new URL("./fake-ws.mjs", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "ws" && context.parentURL?.includes("/node_modules/max-exchange-api-node/")) {
    return { url: FAKE, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
