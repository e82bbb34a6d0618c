// Recording: a decorator of the connectFactory's sockets. It sees each connection open, every
// text frame before the engine does and the close, and hands plain entries to `record(entry)`.
// The engine knows nothing of it, and a stream without `record` never builds one.
//
// Only what the server sent is written (and the endpoint, without any user:password part), never
// what the stream sent: auth requests, with their key and signature, cannot reach a recording.

/** Wraps `connect(uri, options)` so that every socket it makes reports to `record`. */
export function recordingFactory(connect, record) {
  const report = recordReporter(record);
  let connections = 0;
  return (uri, options) => {
    const raw = connect(uri, options);
    // Not a socket: handed on as it is, for the engine to refuse with its own error.
    if (raw === null || typeof raw !== "object") return raw;
    return new RecordedSocket(raw, ++connections, uri, report);
  };
}

/**
 * Calls `record`, so that its failure (a throw, or a rejected promise) never reaches the engine:
 * the stream and the recording of later entries go on; the first failure is logged once.
 */
function recordReporter(record) {
  let logged = false;
  const fail = (error) => {
    if (logged) return;
    logged = true;
    console.error("maicoin-ws: the record callback failed (the stream goes on; later failures are not logged):", error);
  };
  return (entry) => {
    try {
      const result = record(entry);
      if (result && typeof result.then === "function") result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  };
}

function withoutUserInfo(uri) {
  return String(uri).replace(/^([a-z]+:\/\/)[^/@]*@/i, "$1");
}

/**
 * A WebSocket look-alike over the host's socket. Its own handlers stay on the host socket for its
 * whole life, so the close is recorded even after the engine has let go of the socket; frames are
 * recorded only while the engine listens, as those are the ones it decoded.
 */
class RecordedSocket {
  #raw;
  #conn;
  #report;
  #closed = false;
  /** Ids of the stream's own pings on this connection, whose answers are marked `keepalive`. */
  #pings = new Set();
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;

  constructor(raw, conn, uri, report) {
    this.#raw = raw;
    this.#conn = conn;
    this.#report = report;
    const address = withoutUserInfo(uri);
    raw.onopen = (event) => {
      report({ at: Date.now(), conn, open: address });
      this.onopen?.(event);
    };
    raw.onmessage = (event) => {
      const handler = this.onmessage;
      if (handler) {
        this.#frame(event.data);
        handler(event);
      }
    };
    raw.onclose = (event) => {
      this.#close(event?.code ?? 1006, event?.reason ?? "");
      this.onclose?.(event);
    };
    raw.onerror = (event) => this.onerror?.(event);
    // The engine looks for ping() and sends ping frames only where the host socket has it.
    if (typeof raw.ping === "function") this.ping = (...args) => raw.ping(...args);
  }

  get readyState() {
    return this.#raw.readyState;
  }

  /** Read by the engine after a refused handshake (set on the host socket by Node's factory). */
  get retryAfter() {
    return this.#raw.retryAfter;
  }

  get handshakeStatus() {
    return this.#raw.handshakeStatus;
  }

  send(data) {
    // Outgoing requests are rare; only the id of a ping is kept (to mark its answer).
    if (typeof data === "string" && data.includes('"ping"')) this.#notePing(data);
    this.#raw.send(data);
  }

  close(code, reason) {
    if (code === undefined) this.#raw.close();
    else this.#raw.close(code, reason);
  }

  #notePing(text) {
    try {
      const request = JSON.parse(text);
      if (request?.action === "ping" && typeof request.id === "string") this.#pings.add(request.id);
    } catch {
      // Not JSON: not a ping of ours.
    }
  }

  #frame(data) {
    // Binary frames are not MAX's and are not recorded; the engine reports them.
    if (typeof data !== "string") return;
    const entry = { at: Date.now(), conn: this.#conn, frame: data };
    if (this.#pings.size > 0 && this.#answersPing(data)) entry.keepalive = true;
    this.#report(entry);
  }

  /**
   * Whether a frame answers one of this stream's own pings (a `pong` or an `error` with its id):
   * the engine hides those, and a replay answers its own pings instead.
   */
  #answersPing(text) {
    for (const id of this.#pings) {
      if (!text.includes(id)) continue;
      try {
        const message = JSON.parse(text);
        if (message.i === id && (message.e === "pong" || message.e === "error")) {
          this.#pings.delete(id);
          return true;
        }
      } catch {
        return false;
      }
    }
    return false;
  }

  #close(code, reason) {
    if (this.#closed) return;
    this.#closed = true;
    this.#report({ at: Date.now(), conn: this.#conn, close: code, reason: String(reason ?? "") });
  }
}
