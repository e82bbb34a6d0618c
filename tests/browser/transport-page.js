// The logic of transport.html: one Stream, configured from the page's address, whose every
// response and callback is summed up in window.__result (plain data, for any browser driver).

import { Stream } from "/js/browser.js";

const query = new URLSearchParams(location.search);
const result = {
  transport: null,
  connected: 0,
  disconnected: 0,
  // "channel market" -> how many responses of it arrived (snapshots and updates)
  received: {},
  subscribed: [],
  book: null,
  failures: [],
  ended: null,
};
window.__result = result;

const stream = new Stream({
  uri: query.get("uri"),
  transport: query.get("transport") ?? "shared",
  reconnectPolicy: { baseDelay: 0.02, maxDelay: 0.05, jitter: 0 },
  onConnected: () => result.connected++,
  onDisconnected: () => result.disconnected++,
  onHandlerError: (error) => result.failures.push(`handler: ${error.message}`),
  onDecodeError: (error) => result.failures.push(`decode: ${error.message}`),
});
result.transport = stream.transport;

stream.addHandler((response) => {
  if (response.event === "subscribed") result.subscribed.push(...response.subscriptions.map((s) => `${s.channel} ${s.market ?? ""}`));
  if (!response.channel) return;
  const key = `${response.channel} ${response.market ?? ""}`;
  result.received[key] = (result.received[key] ?? 0) + 1;
});
stream.subscribe(JSON.parse(query.get("subscribe") ?? "[]"));

const market = query.get("book");
if (market) {
  stream.book(market, {
    depth: 10,
    onChange: (book) => {
      const { inSync, lastUpdateId } = book;
      result.book = { inSync, lastUpdateId, asks: book.asks(), bids: book.bids(), changes: (result.book?.changes ?? 0) + 1 };
    },
  });
}

stream.run().then(
  () => (result.ended = "resolved"),
  (error) => (result.ended = `rejected: ${error.message}`),
);
document.getElementById("result").textContent = `running on ${stream.transport}`;

window.__transport = {
  stream,
  subscribe: (list) => stream.subscribe(list),
  unsubscribe: (list) => stream.unsubscribe(list),
  close: () => stream.close(),
};
