// Replay: `replay(recording, { speed })` is a connectFactory whose sockets play a recording back,
// so its frames go through the very engine, decoder, books and dispatch a live stream uses.
//
// Each call of the factory plays the next recorded connection: it opens, delivers its frames and
// closes as recorded. A connection recorded without a close (a killed recorder) closes with 1006.
// Answers to the recording stream's own pings (entries marked `keepalive`) are not played: the
// replay answers the replaying stream's pings itself, as the live stream saw none of those either.
// Once every recorded connection has closed, `factory.done` is true and `factory.ended` resolves;
// a stream that asks for another connection then gets one that stays "connecting" until closed, so
// an ended replay idles instead of reconnecting in a loop. Close the stream in onDisconnected when
// `factory.done`, or after `await factory.ended`.

import { host } from "./host.js";
import { readRecording, recordingLines } from "./replay-format.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Frames handed to the engine per macrotask at speed Infinity: no timer per frame. */
const BATCH = 256;

/** The next macrotask: setImmediate where the host has it (Node), a MessageChannel elsewhere. */
const nextTurn = typeof setImmediate === "function" ? (fn) => setImmediate(fn) : channelTurns();

function channelTurns() {
  const queue = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => queue.shift()?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(0);
  };
}

/**
 * Reads `recording`: its text, its lines (or entries), a Blob or Response (gzipped or not), or in
 * Node a file path (gzipped or not). Text and lines are read at once, so a bad one throws here.
 */
function load(recording) {
  if (typeof recording === "string") {
    const path = !recording.includes("\n") && !recording.trimStart().startsWith("{");
    if (path && host.readRecording) return host.readRecording(recording);
    return readRecording(recordingLines(recording));
  }
  if (Array.isArray(recording)) return readRecording(recording);
  if (recording && (typeof recording.arrayBuffer === "function" || typeof recording.text === "function")) {
    return textOf(recording).then((text) => readRecording(recordingLines(text)));
  }
  throw new TypeError("recording: expected its text, its lines, a Blob or a Response (or, in Node, a file path)");
}

/** The text of a Blob or Response, gunzipped when it is gzip (a `.gz` file fetched as it is). */
async function textOf(source) {
  if (typeof source.arrayBuffer !== "function") return source.text();
  const bytes = new Uint8Array(await source.arrayBuffer());
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzip || typeof DecompressionStream !== "function") return new TextDecoder().decode(bytes);
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch {
    // A gzip stream cut short (a killed recorder): what came before the cut is kept.
  }
  return text;
}

function checkSpeed(speed) {
  if (typeof speed !== "number" || !(speed > 0)) {
    throw new RangeError(`speed must be a number > 0 (1: recorded timing, Infinity: as fast as possible), got ${String(speed)}`);
  }
  return speed;
}

/** A connectFactory that plays `recording` back at `speed` (1: as recorded; default Infinity). */
export function replay(recording, { speed = Infinity } = {}) {
  const player = new Player(load(recording), checkSpeed(speed));
  const factory = () => player.connect();
  Object.defineProperties(factory, {
    ready: { value: player.ready, enumerable: true },
    ended: { value: player.ended, enumerable: true },
    done: { get: () => player.done, enumerable: true },
    connections: { get: () => player.connections?.length ?? null, enumerable: true },
  });
  return factory;
}

/** Hands out the recorded connections in order and knows when they are all over. */
class Player {
  connections = null;
  error = null;
  done = false;
  #next = 0;
  #end;

  constructor(loaded, speed) {
    this.speed = speed;
    this.ready = Promise.resolve(loaded).then(
      (recording) => {
        this.connections = recording.connections;
        const uri = recording.connections.find((connection) => connection.open)?.open.uri ?? null;
        return { header: recording.header, connections: recording.connections.length, uri };
      },
      (error) => {
        this.error = error;
        throw error;
      },
    );
    this.ended = new Promise((resolve, reject) => {
      this.#end = resolve;
      this.ready.catch(reject);
    });
    // Awaiting them is optional: a failure also reaches the stream through its sockets.
    this.ready.catch(() => {});
    this.ended.catch(() => {});
  }

  connect() {
    if (this.error) throw this.error;
    return new ReplaySocket(this, this.#next++);
  }

  closed(index) {
    if (this.done || index !== this.connections.length - 1) return;
    this.done = true;
    this.#end();
  }
}

/** How a connection recorded without its close (a killed recorder) ends. */
function closeOf(connection) {
  const at = connection.events.at(-1)?.at ?? connection.open?.at ?? 0;
  return connection.close ?? { at, code: 1006, reason: "the recording ends here" };
}

/** A WebSocket look-alike that plays one recorded connection. */
class ReplaySocket {
  readyState = CONNECTING;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  #player;
  #index;
  #connection = null;
  #close = null;
  /** -1: the open is next; 0..n-1: that frame; n: the close. */
  #position = -1;
  #start = 0;
  #origin = 0;
  #timer = null;

  constructor(player, index) {
    this.#player = player;
    this.#index = index;
    player.ready.then(
      () => this.#begin(),
      (error) => this.#end({ code: 1006, reason: `unreadable recording: ${error.message}` }),
    );
  }

  send(data) {
    if (this.readyState === CONNECTING) throw new Error("send() before the replayed connection opened");
    if (this.readyState !== OPEN || typeof data !== "string" || !data.includes('"ping"')) return;
    let request;
    try {
      request = JSON.parse(data);
    } catch {
      return;
    }
    if (request?.action !== "ping") return;
    const pong = JSON.stringify({ e: "pong", i: request.id, T: Date.now() });
    nextTurn(() => this.readyState === OPEN && this.onmessage?.({ type: "message", data: pong }));
  }

  close(code = 1000, reason = "") {
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    clearTimeout(this.#timer);
    nextTurn(() => this.#end({ code, reason }));
  }

  #begin() {
    const connection = this.#player.connections[this.#index];
    // Past the recording: stay "connecting" until the stream gives up on this socket.
    if (!connection || this.readyState !== CONNECTING) return;
    this.#connection = connection;
    this.#close = closeOf(connection);
    if (!connection.open) this.#position = 0;
    this.#origin = connection.open?.at ?? this.#close.at;
    this.#start = Date.now();
    nextTurn(() => this.#play());
  }

  /** Delivers what is due (at most a batch), then waits for the next turn or the next due time. */
  #play() {
    this.#timer = null;
    const events = this.#connection.events;
    const { speed } = this.#player;
    let delivered = 0;
    while (this.readyState < CLOSING) {
      const position = this.#position;
      const event = position < 0 ? this.#connection.open : position < events.length ? events[position] : this.#close;
      if (speed !== Infinity) {
        const wait = this.#start + (event.at - this.#origin) / speed - Date.now();
        if (wait > 0) {
          this.#timer = setTimeout(() => this.#play(), wait);
          return;
        }
      }
      this.#position += 1;
      if (position < 0) {
        this.readyState = OPEN;
        this.onopen?.({ type: "open" });
        // The engine answers an open by sending its requests: let it, before the first frame.
        break;
      }
      if (position === events.length) {
        this.#end(event);
        return;
      }
      if (event.keepalive) continue;
      this.onmessage?.({ type: "message", data: event.frame });
      if (++delivered === BATCH) break;
    }
    if (this.readyState < CLOSING) nextTurn(() => this.#play());
  }

  #end({ code, reason }) {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearTimeout(this.#timer);
    this.onclose?.({ type: "close", code, reason, wasClean: code === 1000 });
    if (this.#player.connections) this.#player.closed(this.#index);
  }
}
