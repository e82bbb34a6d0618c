// Preloaded with `node --require` to play a Node where the optional `ws` package is not
// installed: every require("ws") fails as a missing module would.
const Module = require("node:module");

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === "ws") {
    const error = new Error("Cannot find module 'ws'");
    error.code = "MODULE_NOT_FOUND";
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
