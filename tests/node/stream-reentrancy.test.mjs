// Handlers that call back into their own stream while it is dispatching to them. The engine holds
// no borrow of its state across a call into JS, so none of this may fail with wasm-bindgen's
// "recursive use of an object" error, in any dispatch mode.

import { test } from "node:test";
import assert from "node:assert/strict";
import { simulator, requestLog, startStream, until, within } from "./harness.mjs";

const trade = (market) => ({ channel: "trade", market });
const ticker = (market) => ({ channel: "ticker", market });

for (const dispatch of ["inline", "task", "queue"]) {
  test(`${dispatch}: a handler may subscribe, unsubscribe, swap handlers, read the stream and close it`, async (t) => {
    const sim = await simulator(t);
    const log = requestLog(sim);
    const failures = [];
    const { stream, ended } = startStream(t, {
      uri: sim.url,
      dispatch,
      onHandlerError: (error) => failures.push(error),
      onDecodeError: (error) => failures.push(error),
    });
    const firstCalls = [];
    const secondCalls = [];
    const views = [];

    // On the first answer: change the subscriptions, read everything readable, and hand over
    // to the second handler.
    function first(r) {
      firstCalls.push(r.event);
      stream.subscribe([ticker("btcusdt")]);
      stream.unsubscribe([trade("btcusdt")]);
      views.push({ state: stream.state, subscriptions: stream.subscriptions, text: String(stream), json: JSON.stringify(stream) });
      views.push({ requests: stream.requests.map((q) => q.action), status: stream.status.state });
      assert.equal(stream.removeHandler(first), true);
      stream.addHandler(second);
    }
    // Closes the stream once the unsubscription is confirmed.
    function second(r) {
      secondCalls.push(r.event);
      if (r.event === "unsubscribed") stream.close();
    }

    stream.addHandler(first);
    if (dispatch === "queue") {
      // Queue mode calls no handler (first is registered but idle): the consumer's loop makes
      // the calls instead.
      stream.subscribe([trade("btcusdt")]);
      const consumer = (async () => {
        for await (const response of stream.responses()) {
          if (firstCalls.length === 0) first(response);
          else second(response);
        }
      })();
      await within(consumer, "the queue to end");
    } else {
      stream.subscribe([trade("btcusdt")]);
    }

    assert.deepEqual(await within(ended, "run() to resolve"), { resolved: true });
    assert.deepEqual(failures, []);
    assert.deepEqual(firstCalls, ["subscribed"], "removed from inside itself, it is not called again");
    assert.ok(secondCalls.includes("subscribed") && secondCalls.at(-1) === "unsubscribed", secondCalls.join());
    assert.deepEqual(
      log.map((e) => [e.request.action, e.request.subscriptions]),
      [
        ["sub", [trade("btcusdt")]],
        ["sub", [ticker("btcusdt")]],
        ["unsub", [trade("btcusdt")]],
      ],
    );
    assert.deepEqual(views[0].subscriptions, [ticker("btcusdt")]);
    assert.equal(views[0].state, "connected");
    assert.deepEqual(views[1].requests, ["sub"]);
    assert.deepEqual(stream.subscriptions, [ticker("btcusdt")]);
    assert.equal(stream.state, "closed");
  });
}

test("inline: a handler removed by an earlier handler of the same message is not called for it", async (t) => {
  const sim = await simulator(t);
  const calls = [];
  const { stream } = startStream(t, { uri: sim.url });
  const victim = (r) => calls.push(`victim ${r.event}`);
  stream.addHandler((r) => {
    calls.push(`remover ${r.event}`);
    stream.removeHandler(victim);
  });
  stream.addHandler(victim);
  stream.subscribe([trade("btcusdt")]);
  await until(() => calls.length === 2, "both messages");
  assert.deepEqual(calls, ["remover subscribed", "remover snapshot"]);
});

test("inline: a handler added during a message starts with the next one", async (t) => {
  const sim = await simulator(t);
  const calls = [];
  const { stream } = startStream(t, { uri: sim.url });
  const late = (r) => calls.push(`late ${r.event}`);
  stream.addHandler((r) => {
    calls.push(`adder ${r.event}`);
    if (r.event === "subscribed") stream.addHandler(late);
  });
  stream.subscribe([trade("btcusdt")]);
  await until(() => calls.length === 3, "three calls");
  assert.deepEqual(calls, ["adder subscribed", "adder snapshot", "late snapshot"]);
});

test("callbacks may call into the stream too: onConnected subscribes, onStateChange reads, onDisconnected closes", async (t) => {
  const sim = await simulator(t);
  const log = requestLog(sim);
  const states = [];
  let stream;
  ({ stream } = startStream(t, {
    uri: sim.url,
    onConnected: () => stream.subscribe([trade("ethusdt")]),
    onStateChange: (state) => states.push([state, stream.state, stream.status.state]),
    onDisconnected: () => stream.close(),
  }));
  await until(() => log.length === 1, "the subscription made from onConnected");
  sim.dropAll();
  await until(() => stream.state === "closed", "the close made from onDisconnected");
  assert.deepEqual(log[0].request.subscriptions, [trade("ethusdt")]);
  for (const [notified, read, status] of states) {
    assert.equal(read, notified, "the state read inside onStateChange is the one notified");
    assert.equal(status, notified);
  }
  assert.deepEqual(
    states.map(([s]) => s),
    ["connecting", "connected", "closed"],
  );
  assert.equal(sim.stats.connections, 1, "closed from onDisconnected: no reconnect");
});
