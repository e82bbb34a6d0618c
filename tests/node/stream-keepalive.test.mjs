// Keepalive: the ping action (and a ping frame where the socket can send one) every interval,
// answers to those pings kept from handlers, and a silent connection taken for dead.

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulator, requestLog, requestsOf, startStream, until, observedFactory, ScriptedSocket } from "./harness.mjs";

// Long enough that a loaded machine (the test runner runs files side by side) answers a ping well
// within the two intervals after which a connection is taken for dead.
const INTERVAL_S = 0.1;

test("every interval the stream pings (action and frame); pongs never reach handlers; the server keeps the connection", async (t) => {
  // The simulator cuts a connection that has not pinged for six intervals.
  const sim = await simulator(t, { idleTimeoutMs: 6 * INTERVAL_S * 1000 });
  const log = requestLog(sim);
  const observed = observedFactory();
  const seen = [];
  const disconnects = [];
  const { stream } = startStream(t, {
    uri: sim.url,
    keepaliveInterval: INTERVAL_S,
    connectFactory: observed.factory,
    onDisconnected: (error) => disconnects.push(error),
  });
  stream.addHandler((r) => seen.push(r.event));
  stream.subscribe([{ channel: "trade", market: "btcusdt" }]);
  // Twelve pings (twelve intervals) outlast the idle cut twice over and the dead limit (two intervals) six times.
  await until(() => requestsOf(log, "ping").length >= 12, "twelve ping actions");

  const pings = requestsOf(log, "ping");
  assert.ok(pings.every((p) => typeof p.id === "string" && p.id !== ""), "each ping carries an id for its pong");
  assert.equal(new Set(pings.map((p) => p.id)).size, pings.length, "ids are unique");
  assert.ok(observed.sockets[0].pingFrames >= 12, `${observed.sockets[0].pingFrames} ping frames through ws`);
  assert.deepEqual(seen, ["subscribed", "snapshot"], "the pongs were received but not dispatched");
  assert.ok(observed.sockets[0].received >= 2 + 11, "the pongs did arrive");
  assert.deepEqual(disconnects, []);
  assert.equal(sim.stats.idleClosed, 0);
  assert.equal(sim.stats.connections, 1);
});

test("a connection that delivers no frame for two intervals is taken for dead and replaced", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const observed = observedFactory();
  const disconnects = [];
  let subscribed = 0;
  const { stream } = startStream(t, {
    uri: sim.url,
    keepaliveInterval: INTERVAL_S,
    connectFactory: observed.factory,
    onDisconnected: (error) => disconnects.push([error, Date.now()]),
  });
  stream.addHandler((r) => r.event === "subscribed" && subscribed++);
  stream.subscribe([{ channel: "trade", market: "btcusdt" }]);
  await until(() => subscribed === 1, "the first subscription");
  // The socket stays open and the server keeps answering pings, but nothing reaches the stream.
  observed.sockets[0].muted = true;
  const silentFrom = observed.sockets[0].lastDeliveredAt;
  await until(() => subscribed === 2, "the subscription replayed on a new connection");

  assert.equal(disconnects.length, 1);
  const [error, at] = disconnects[0];
  assert.match(error.message, /presumed dead/);
  assert.equal(error.code, "silent");
  assert.equal(error.closeCode, undefined, "no close event caused it");
  assert.ok(at - silentFrom >= 2 * INTERVAL_S * 1000, `declared dead ${at - silentFrom} ms after the last frame`);
  assert.equal(sim.stats.connections, 2);
  assert.deepEqual(requestsOf(log, "sub", 2)[0].subscriptions, [{ channel: "trade", market: "btcusdt" }]);
});

test("a server that closes an idle connection is reconnected like any drop", async (t) => {
  const sim = await simulator(t, { idleTimeoutMs: 100 });
  const disconnects = [];
  let connected = 0;
  // The default 30 s keepalive is far too slow for this server's 100 ms idle cut.
  startStream(t, { uri: sim.url, onConnected: () => connected++, onDisconnected: (error) => disconnects.push(error) });
  await until(() => connected === 2, "a second connection");
  assert.match(disconnects[0].message, /code 1000: idle timeout/);
  assert.equal(disconnects[0].code, "closed");
  assert.equal(disconnects[0].closeCode, 1000);
  assert.match(disconnects[0].reason, /^idle timeout/);
  assert.ok(sim.stats.idleClosed >= 1);
});

test("an error answering one of the stream's own pings is keepalive traffic too; other errors reach handlers", async (t) => {
  const sockets = [];
  const { stream } = startStream(t, {
    uri: "ws://scripted.invalid/ws",
    keepaliveInterval: 0.25,
    connectFactory: () => sockets.push(new ScriptedSocket()) && sockets.at(-1),
  });
  const seen = [];
  stream.addHandler((r) => seen.push([r.event, r.id]));
  const ping = await until(() => sockets[0]?.sent.find((r) => r.action === "ping"), "a ping");
  const socket = sockets[0];
  socket.deliver({ e: "error", E: ["E-1004: invalid action"], i: ping.id });
  socket.deliver({ e: "error", E: ["E-1004: invalid action"], i: "not-a-ping" });
  socket.deliver({ e: "marker" });
  await until(() => seen.length === 2, "the marker");
  assert.deepEqual(seen, [
    ["error", "not-a-ping"],
    ["marker", undefined],
  ]);
});
