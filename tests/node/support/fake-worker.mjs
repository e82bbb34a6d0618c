// A stand-in for the browser's Worker in Node: it runs the worker's Hub in this thread, joined
// to the page over a real MessageChannel. One Hub serves every stand-in, so two pages on one
// endpoint share one stream as the tabs of a SharedWorker do. `installFakeWorker(before, after)`
// sets it up around a test file.

import { Hub } from "../../../js/transport/hub.js";

export class FakeWorker {
  static hub = null;
  /** How each stand-in was made ({ url, options }), as `new Worker(url, options)` was called. */
  static started = [];
  #port;
  constructor(url, options) {
    FakeWorker.started.push({ url: String(url), options });
    const { port1, port2 } = new MessageChannel();
    FakeWorker.hub.attach(port1);
    this.#port = port2;
    this.onerror = null;
  }
  set onmessage(listener) {
    this.#port.onmessage = listener;
  }
  postMessage(message) {
    this.#port.postMessage(message);
  }
  terminate() {
    this.#port.close();
  }
}

export function installFakeWorker(before, after) {
  before(() => {
    FakeWorker.hub = new Hub();
    globalThis.Worker = FakeWorker;
  });
  after(() => {
    delete globalThis.Worker;
  });
}
