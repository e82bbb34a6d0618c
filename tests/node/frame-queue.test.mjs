// The frame queue (js/frames.js) writes a batch of ASCII frames with one encodeInto and any other
// batch frame by frame: either way each frame reaches the decoder whole, in order, and text that
// is not valid Unicode or binary data is reported as before.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ScriptedSocket, startStream, until } from "./harness.mjs";

test("a batch mixing ASCII, other Unicode, a lone surrogate and a binary frame keeps each frame whole and in order", async (t) => {
  const seen = [];
  let socket = null;
  const { stream } = startStream(t, {
    uri: "ws://frames.invalid/ws",
    connectFactory: () => (socket = new ScriptedSocket()),
    onDecodeError: (error, data) => seen.push(typeof data === "string" ? `refused ${/surrogate/.test(error.message)}` : "binary"),
  });
  stream.addHandler((r) => seen.push(`${r.id} ${r.market}`));
  await until(() => stream.state === "connected", "the connection");
  const frame = (id, market) => JSON.stringify({ e: "marker", i: id, M: market, T: 1 });
  // Raw data, many frames in one task: the frame queue batches them.
  const deliver = (data) => socket.deliver(data);
  // An all-ASCII batch, then one where other text follows ASCII frames.
  deliver(frame("a0", "btcusdt"));
  deliver(frame("a1", "ethusdt"));
  await until(() => seen.length === 2, "the ASCII batch");
  for (const data of [frame("b0", "btcusdt"), frame("b1", "日本"), '{"e":"x\uD800"}', new ArrayBuffer(2), frame("b2", "é🙂"), frame("b3", "usdt")]) deliver(data);
  await until(() => seen.length === 8, "the mixed batch");
  assert.deepEqual(seen, ["a0 btcusdt", "a1 ethusdt", "b0 btcusdt", "b1 日本", "refused true", "binary", "b2 é🙂", "b3 usdt"]);
});
