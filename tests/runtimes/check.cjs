// The runtime check through CommonJS `require("maicoin-ws")` (Node 20.19+ requires the package's
// ES module entry); the checks themselves are the same module the import check uses.
"use strict";

const api = require("maicoin-ws");

import("./checks.mjs").then(({ runChecks }) => runChecks(api, "require", require.resolve("maicoin-ws")));
