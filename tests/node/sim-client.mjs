// A raw client of the simulator for the simulator's replay and silence tests: it keeps every JSON
// frame, and `sync()` returns the frames that arrived before the answer to a fresh ping, so a
// test knows it has seen everything sent so far without sleeping; `upTo(match)` waits for a frame
// and returns the frames up to it. Not a test file itself.

import { once } from "node:events";
import WebSocket from "ws";
import { until } from "./harness.mjs";

export async function rawClient(t, sim) {
  const ws = new WebSocket(sim.url, { perMessageDeflate: false });
  const frames = [];
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await once(ws, "open");
  t.after(() => ws.terminate());
  let pings = 0;
  const upTo = async (match, what) => {
    const at = await until(() => {
      const index = frames.findIndex(match);
      return index >= 0 ? index + 1 : 0;
    }, what);
    return frames.splice(0, at);
  };
  return {
    ws,
    send: (message) => ws.send(JSON.stringify(message)),
    upTo,
    async sync() {
      const id = `sync-${++pings}`;
      ws.send(JSON.stringify({ action: "ping", id }));
      return (await upTo((f) => f.e === "pong" && f.i === id, `the answer to ping ${id}`)).slice(0, -1);
    },
  };
}
