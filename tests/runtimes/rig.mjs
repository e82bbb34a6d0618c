// The simulator a runtime check talks to, with a small HTTP control beside it: the check runs in
// another process (and maybe another runtime), so it asks over HTTP for what in-process tests
// read off the Simulator object. Not a test file itself.
//   GET  /book?market=M&depth=D&lastUpdateId=N  -> sim.bookAt(M, D, N) as JSON (null if unknown)
//   POST /drop                                  -> { dropped }: every connection terminated

import { createServer } from "node:http";
import { startSimulator } from "../../sim/server.js";

/** Starts a simulator (data every `tickMs`) and its control; `close()` stops both. */
export async function startRig({ tickMs = 20 } = {}) {
  const sim = await startSimulator({ tickMs });
  const requests = [];
  sim.on("request", (event) => requests.push(event));
  const control = createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/book") {
      const depth = Number(url.searchParams.get("depth"));
      const lastUpdateId = Number(url.searchParams.get("lastUpdateId"));
      const market = url.searchParams.get("market");
      if (!market || !Number.isInteger(depth) || !Number.isInteger(lastUpdateId)) {
        return reply(400, { error: "book needs market, depth and lastUpdateId" });
      }
      return reply(200, sim.bookAt(market, depth, lastUpdateId));
    }
    if (req.method === "POST" && url.pathname === "/drop") {
      const dropped = sim.connections;
      sim.dropAll();
      return reply(200, { dropped });
    }
    return reply(404, { error: `no ${req.method} ${url.pathname}` });
  });
  await new Promise((resolve, reject) => {
    control.once("error", reject);
    control.listen(0, "127.0.0.1", resolve);
  });
  return {
    sim,
    /** Every request message the simulator received: { conn, t, text, request, error }. */
    requests,
    wsUrl: sim.url,
    controlUrl: `http://127.0.0.1:${control.address().port}`,
    async close() {
      control.closeAllConnections?.();
      await new Promise((resolve) => control.close(resolve));
      await sim.close();
    },
  };
}
