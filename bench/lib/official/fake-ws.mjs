// What max-exchange-api-node needs of the `ws` package's WebSocket, and nothing that touches the
// network: the bench finds the instance the client made and calls its "message" listener with
// each frame, as ws would.

import { EventEmitter } from "node:events";

export default class FakeWebSocket extends EventEmitter {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static last = null;

  constructor(url) {
    super();
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    FakeWebSocket.last = this;
  }

  send(text) {
    this.sent.push(text);
  }

  ping() {}

  close() {
    this.readyState = FakeWebSocket.CLOSED;
  }
}
