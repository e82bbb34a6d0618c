// The connection panel: the stream's state as it changes (onStateChange), and, sampled four times
// a second from stream.status, the reconnect count, messages per second and the time since the
// last frame, plus a short log of what happened to the connection.

import { age, clockTime } from "./format.js";

const SAMPLE_MS = 250;
const RATE_WINDOW_MS = 2000;
const LOG_LINES = 8;

export class ConnectionPanel {
  #stream;
  #fields;
  #log;
  #samples = [];
  #timer = null;

  constructor(root, stream, endpoint) {
    this.#stream = stream;
    this.#fields = Object.fromEntries(
      ["state", "reconnects", "rate", "age", "frames", "endpoint"].map((name) => [name, root.querySelector(`[data-field="${name}"]`)]),
    );
    this.#log = root.querySelector(".conn-log");
    this.#fields.endpoint.textContent = endpoint.uri;
    this.#fields.endpoint.title = `from ${endpoint.source}`;
    this.root = root;
  }

  start() {
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#sample();
  }

  stop() {
    clearInterval(this.#timer);
  }

  /** Called from onStateChange, so even a short "reconnecting" is shown as it happens. */
  showState(state) {
    this.#fields.state.textContent = state;
    this.root.dataset.state = state;
    document.body.dataset.connection = state;
  }

  note(text, kind = "info") {
    const line = document.createElement("li");
    line.className = kind;
    const time = document.createElement("time");
    time.textContent = clockTime(new Date());
    line.append(time, ` ${text}`);
    this.#log.prepend(line);
    while (this.#log.children.length > LOG_LINES) this.#log.lastElementChild.remove();
  }

  #sample() {
    const now = Date.now();
    const status = this.#stream.status;
    this.#samples.push({ t: now, frames: status.frames });
    while (this.#samples.length > 2 && now - this.#samples[1].t >= RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0];
    const seconds = (now - first.t) / 1000;
    const rate = seconds > 0 ? (status.frames - first.frames) / seconds : 0;
    if (this.#fields.state.textContent !== status.state) this.showState(status.state);
    this.#fields.reconnects.textContent = String(status.reconnects);
    this.#fields.rate.textContent = rate.toFixed(1);
    this.#fields.frames.textContent = String(status.frames);
    this.#fields.age.textContent = age(status.lastFrameAt, now);
    // A feed that has gone quiet is worth noticing before the keepalive gives up on it.
    const quiet = status.lastFrameAt && now - status.lastFrameAt.getTime() > 5000;
    this.#fields.age.classList.toggle("stale", Boolean(quiet));
  }
}
