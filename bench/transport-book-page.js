// The logic of transport-book.html: what the dashboard does with its book (www/app.js), and
// nothing else on the page's thread. `?draw=none` leaves out the ladder: then the page's thread
// does only the stream's part (frames, book, snapshot), which is what the transport moves.

import { Stream } from "/js/browser.js";
import { Ladder } from "/www/ladder.js";

const DEPTH = 20;
const query = new URLSearchParams(location.search);
const result = { transport: null, connected: false, inSync: false, lastUpdateId: null, renders: 0 };
window.__result = result;

const ladder = query.get("draw") === "none" ? null : new Ladder(document.querySelector("#book"), DEPTH);
ladder?.reset(4);
const stream = new Stream({ uri: query.get("uri"), transport: query.get("transport") ?? "direct", onConnected: () => (result.connected = true) });
result.transport = stream.transport;
stream.book("btcusdt", {
  depth: DEPTH,
  onChange: (book) => {
    const snapshot = book.snapshot(DEPTH);
    ladder?.render(snapshot);
    result.renders++;
    result.inSync = snapshot.inSync;
    result.lastUpdateId = snapshot.lastUpdateId;
  },
});
stream.run();
