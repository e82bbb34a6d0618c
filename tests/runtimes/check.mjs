// The runtime check through `import`: node check.mjs | bun check.mjs | deno run -A check.mjs,
// with WS_URL CONTROL_URL as arguments (see checks.mjs).
import * as api from "maicoin-ws";
import { runChecks } from "./checks.mjs";

await runChecks(api, "import", import.meta.resolve("maicoin-ws"));
