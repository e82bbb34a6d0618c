// The runtime check through `import`: node check.mjs | bun check.mjs | deno run -A check.mjs,
// with the simulator in MAX_WS_URI and its control URL as the argument (see checks.mjs).
import * as api from "maicoin-ws";
import { runChecks } from "./checks.mjs";

await runChecks(api, "import", import.meta.resolve("maicoin-ws"));
