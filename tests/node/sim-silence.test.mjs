// The simulator's silence fault: one subscription goes quiet while its connection stays up and
// answers, as feeds that hang for one subscription do (the stale watchdog's test case).

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulator } from "./harness.mjs";
import { rawClient } from "./sim-client.mjs";

const sub = (id, subscriptions) => ({ action: "sub", id, subscriptions });
const trades = (frames, market) => frames.filter((f) => f.c === "trade" && f.M === market);

/** Ticks until `enough(frames)` holds for what one client has received (a tick may send nothing). */
async function tickFor(sim, client, enough) {
  const seen = [];
  for (let i = 0; i < 200 && !enough(seen); i++) {
    sim.tick();
    seen.push(...(await client.sync()));
  }
  return seen;
}

test("silence(key): that subscription stops, the others and the answers go on, until it is subscribed again", async (t) => {
  const sim = await simulator(t);
  const client = await rawClient(t, sim);
  client.send(sub("s-1", [{ channel: "trade", market: "btcusdt" }, { channel: "trade", market: "ethusdt" }]));
  assert.equal(trades(await client.sync(), "btcusdt").length, 1, "the btcusdt snapshot");
  assert.equal(sim.silence("trade:btcusdt"), 1);
  assert.equal(sim.silence("trade:nosuch"), 0);

  const quiet = await tickFor(sim, client, (seen) => trades(seen, "ethusdt").length >= 5);
  assert.equal(trades(quiet, "btcusdt").length, 0, "no btcusdt trade while silenced");
  assert.ok(sim.stats.framesSilenced > 0);
  assert.equal(sim.connections, 1, "the connection stays up");

  client.send(sub("s-2", [{ channel: "trade", market: "btcusdt" }]));
  const revived = await tickFor(sim, client, (seen) => trades(seen, "btcusdt").some((f) => f.e === "update"));
  assert.equal(trades(revived, "btcusdt")[0].e, "snapshot", "a resubscription gets its snapshot");
  assert.ok(trades(revived, "btcusdt").some((f) => f.e === "update"), "and its updates again");
});

test("the silenced fault holds back a subscription on every connection, snapshot included, until lifted", async (t) => {
  const sim = await simulator(t);
  const early = await rawClient(t, sim);
  early.send(sub("e-1", [{ channel: "book", market: "btcusdt", depth: 5 }, { channel: "book", market: "ethusdt", depth: 5 }]));
  const [snapshot] = (await early.sync()).filter((f) => f.M === "btcusdt");
  sim.setFaults({ silenced: ["book:btcusdt"] });
  assert.deepEqual(sim.faults.silenced, ["book:btcusdt"]);

  const late = await rawClient(t, sim);
  late.send(sub("l-1", [{ channel: "book", market: "btcusdt", depth: 5 }]));
  const answer = await late.sync();
  assert.deepEqual(answer.map((f) => f.e), ["subscribed"], "subscribed, but no snapshot");
  const quiet = await tickFor(sim, early, (seen) => seen.filter((f) => f.M === "ethusdt").length >= 5);
  assert.equal(quiet.filter((f) => f.M === "btcusdt").length, 0);

  sim.setFaults({ silenced: [] });
  const resumed = await tickFor(sim, early, (seen) => seen.some((f) => f.M === "btcusdt"));
  const [update] = resumed.filter((f) => f.M === "btcusdt");
  assert.equal(update.fi, snapshot.li + 1, "the chain continues from what this subscriber was last sent");
});

test("silenced must be a list of keys", async (t) => {
  const sim = await simulator(t);
  assert.throws(() => sim.setFaults({ silenced: "book:btcusdt" }), TypeError);
  assert.throws(() => sim.silence(5), TypeError);
});
