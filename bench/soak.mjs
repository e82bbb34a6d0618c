// The soak: one Stream against the simulator for N minutes under every fault the simulator has
// (drops, garbage frames, unknown events, book gaps, version changes, slow answers, refused
// handshakes with Retry-After) and with slow, throwing and rejecting handlers. It checks, exactly:
//
// - delivery: every frame the client's socket received reached the handlers (or onDecodeError,
//   for the garbage) exactly once and in order, connection by connection. The simulator stamps
//   each JSON frame with `sq` (1, 2, 3… per connection); a tap on the package's own socket
//   factory sees what arrived, the first handler sees what was delivered. Book markets are also
//   subscribe()d, so their frames reach handlers too; the only frames the stream may keep to
//   itself are the answers to its own keepalive pings, and the tap names those from the ping ids
//   the simulator received;
// - books: whenever a book frame is delivered (so the stream's book has just applied it), each
//   stream book in sync equals the simulator's book at the stream book's lastUpdateId
//   (`sim.bookAt`), level for level, and every snapshot (each resync's end) is checked so;
// - rate limits: no 1 s window of the simulator's request log holds more than 20 requests and no
//   60 s window more than 200, and no handshake came before a refused one's Retry-After;
// - memory: heap and RSS (sampled after a forced GC) and the wasm memory stay flat after warm-up.
//
// `npm run soak -- --minutes N` (default 10) prints a report and exits 1 if a check failed;
// tests/node/soak.test.mjs runs it for one minute through `runSoak`.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { Stream } from "../js/node.js";
import { host } from "../js/host.js";
import { wasm } from "../js/wasm.js";
import { startSimulator } from "../sim/server.js";
import { FAULT_DEFAULTS } from "../sim/faults.js";
import { createRng } from "../sim/rng.js";

const MB = 1024 * 1024;

// Four markets kept as stream books at different depths, the fifth only as public channels.
const BOOKS = [
  { market: "btcusdt", depth: 20 },
  { market: "ethusdt", depth: 5 },
  { market: "btctwd", depth: 50 },
  { market: "usdttwd", depth: 1 },
];
const CHANNELS = [
  { channel: "trade", market: "btcusdt" },
  { channel: "ticker", market: "btcusdt" },
  { channel: "ticker", market: "ethtwd" },
  { channel: "trade", market: "ethtwd" },
  { channel: "kline", market: "ethusdt", resolution: "1m" },
  { channel: "market_status" },
  { channel: "pool_quota", currency: "usdt" },
];
// Subscribed and unsubscribed in bursts, so the client's request limiter has to hold requests back.
const CHURN = ["5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d"].map((resolution) => ({
  channel: "kline",
  market: "btcusdt",
  resolution,
}));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A forced full GC: node --expose-gc gives one; otherwise the flag is set at run time. */
function collector() {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc");
}

/**
 * What each connection's socket received, as a queue of what the stream must do with it, in
 * arrival order: deliver it to handlers (stamped frames), report it to onDecodeError (frames
 * without a stamp: the garbage), or keep it to itself (answers to its own pings).
 */
class Ledger {
  constructor() {
    this.connections = [];
    this.opened = []; // opened sockets whose onConnected has not come yet, in order
    this.current = null; // the connection whose frames the callbacks are seeing
    this.pingIds = new Set();
    this.stopped = false;
    this.failures = [];
    this.counts = { received: 0, stamped: 0, garbage: 0, delivered: 0, keepalive: 0, decodeErrors: 0 };
  }

  fail(message) {
    // The first few say what went wrong; a broken run must not fill the memory with the rest.
    if (this.failures.length < 50) this.failures.push(message);
  }

  /** Taps a socket made by the package's own factory, before the stream hooks it. */
  attach(socket) {
    const conn = { index: this.connections.length + 1, nextSq: 1, queue: [], delivered: 0 };
    this.connections.push({ index: conn.index, opened: false });
    const record = this.connections[conn.index - 1];
    socket.addEventListener("open", () => {
      record.opened = true;
      this.opened.push(conn);
    });
    socket.addEventListener("message", (event) => this.received(conn, event.data));
  }

  received(conn, data) {
    if (this.stopped) return;
    this.counts.received += 1;
    let json = null;
    try {
      json = typeof data === "string" ? JSON.parse(data) : null;
    } catch {
      // Not JSON: garbage, expected at onDecodeError.
    }
    const sq = json !== null && typeof json === "object" && Number.isInteger(json.sq) ? json.sq : null;
    if (sq === null) {
      this.counts.garbage += 1;
      conn.queue.push({ kind: "garbage", data });
      return;
    }
    this.counts.stamped += 1;
    // The simulator numbers what it sends; TCP keeps the order, so a hole here is the
    // simulator's or the socket's fault, not the stream's: reported all the same.
    if (sq !== conn.nextSq) this.fail(`connection ${conn.index}: the socket received sq ${sq} after ${conn.nextSq - 1}`);
    conn.nextSq = sq + 1;
    const ownPing = (json.e === "pong" || json.e === "error") && typeof json.i === "string" && this.pingIds.delete(json.i);
    // Counted on arrival: the last ones may arrive after the final drain, and the stream keeps
    // them to itself whenever it handles them.
    if (ownPing) this.counts.keepalive += 1;
    conn.queue.push({ kind: ownPing ? "keepalive" : "deliver", sq, event: json.e });
  }

  /** The next thing the stream must do on the current connection; its own ping answers pass. */
  next(what) {
    const conn = this.current;
    if (!conn) {
      this.fail(`${what} outside any connection`);
      return null;
    }
    while (conn.queue[0]?.kind === "keepalive") conn.queue.shift();
    const entry = conn.queue.shift();
    if (!entry) this.fail(`connection ${conn.index}: ${what}, but nothing more was received`);
    return entry ?? null;
  }

  connected() {
    this.current = this.opened.shift() ?? null;
    if (!this.current) this.fail("onConnected without an opened socket");
  }

  /** Everything the connection received must have been handled by now. */
  disconnected(error) {
    const conn = this.current;
    this.current = null;
    if (!conn) {
      // An attempt that never opened is followed by onDisconnected too, with nothing to handle.
      if (error?.code === "connect_failed" || error?.code === "rate_limited") return;
      return this.fail(`onDisconnected outside any connection (${error?.code}: ${error?.message})`);
    }
    while (conn.queue[0]?.kind === "keepalive") conn.queue.shift();
    if (conn.queue.length > 0) {
      const kinds = conn.queue.map((e) => e.sq ?? e.kind).slice(0, 5).join(", ");
      this.fail(`connection ${conn.index} ended (${error?.message}) with ${conn.queue.length} received frames never handled: ${kinds}…`);
    }
  }

  delivered(response) {
    const sq = response?.extra?.sq;
    const entry = this.next(`a response (sq ${sq}) was delivered`);
    if (!entry) return;
    if (entry.kind !== "deliver" || entry.sq !== sq) {
      this.fail(`connection ${this.current.index}: delivered sq ${sq} (${response.event}) where ${entry.kind} ${entry.sq ?? ""} was due`);
      return;
    }
    this.current.delivered += 1;
    this.counts.delivered += 1;
  }

  decodeError(error, data) {
    const entry = this.next("onDecodeError was called");
    this.counts.decodeErrors += 1;
    if (!entry) return;
    if (entry.kind !== "garbage" || entry.data !== data) {
      this.fail(`connection ${this.current.index}: onDecodeError(${error?.message}) where ${entry.kind} ${entry.sq ?? ""} was due`);
    }
  }

  /** Frames received on the current connection and not yet handled (its own ping answers aside). */
  backlog() {
    return this.current ? this.current.queue.filter((e) => e.kind !== "keepalive").length : Infinity;
  }
}

/** The largest number of requests in any window (t - windowMs, t] of the log. */
function busiestWindow(log, windowMs) {
  let most = 0;
  let start = 0;
  for (let end = 0; end < log.length; end++) {
    while (log[start].t <= log[end].t - windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * JS values that Rust holds right now: the filled slots of wasm-bindgen's externref table (a
 * freed slot is cleared). A JsValue never dropped stays here for good. The table's length is only
 * a high-water mark: frames queued behind a slow handler each hold a slot for a while.
 */
function liveExternrefs() {
  const table = wasm.exports.__wbindgen_externrefs;
  if (!table) return NaN;
  let live = 0;
  for (let i = 0; i < table.length; i++) if (table.get(i) != null) live += 1;
  return live;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

/** Growth after warm-up: the median of the last few samples minus that of the first few. */
function growth(samples, key, warmupShare) {
  const after = samples.slice(Math.floor(samples.length * warmupShare));
  const span = Math.max(1, Math.min(5, Math.floor(after.length / 3)));
  const first = median(after.slice(0, span).map((s) => s[key]));
  const last = median(after.slice(-span).map((s) => s[key]));
  return { first, last, growth: last - first };
}

/**
 * Runs the soak and resolves to its figures and `failures` (empty when every check held).
 * Options: minutes (default 10), seed, log (a function for progress lines, or null),
 * credentials ({ apiKey, apiSecret } the simulator accepts; default its test ones),
 * wrongSecret (a refused secret the stream switches to now and then, so authentication fails on
 * some connections), observe(name, args) (called with every callback's arguments, every
 * response a handler gets and every message sent) and onStream(stream) (called once the stream
 * exists, e.g. to serialize it while it runs).
 */
export async function runSoak({
  minutes = 10,
  seed = 1,
  log = (line) => console.log(line),
  credentials = { apiKey: "test-key", apiSecret: "test-secret" },
  wrongSecret = null,
  observe = () => {},
  onStream = () => {},
} = {}) {
  const gc = collector();
  const durationMs = Math.round(minutes * 60_000);
  // The project's seeded generator (sim/rng.js), so a run's handler behaviour repeats with its seed.
  const rng = createRng(`soak-handlers/${seed}`);
  const say = (line) => log?.(`[soak] ${line}`);

  const ledger = new Ledger();
  const sim = await startSimulator({
    tickMs: 0,
    stamp: true,
    seed,
    // About 33 update ids a second per market at our tick rate: 30 s of history, far more than
    // any book check lags behind.
    historyLimit: 1000,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    dropProbability: 1 / 4000,
    garbageProbability: 0.005,
    unknownEventProbability: 0.005,
    bookGapProbability: 0.01,
    versionChangeProbability: 0.002,
  });
  // Fill the simulator's history ring (about 3.3 ids a round) before measuring anything, so its
  // memory is at its steady size from the first sample and what grows is the client's.
  for (let round = 0; round < 400; round++) sim.tick();
  sim.on("request", ({ request }) => {
    if (request?.action === "ping" && typeof request.id === "string") ledger.pingIds.add(request.id);
  });

  const books = new Map();
  const figures = {
    bookFrames: 0,
    bookChecks: 0,
    snapshotChecks: 0,
    handlerThrows: 0,
    handlerRejects: 0,
    handlerErrorsReported: 0,
    slowHandlerCalls: 0,
    authFailures: 0,
    connects: 0,
    disconnects: 0,
    presumedDead: 0,
  };
  const pendingErrors = new Set();

  const stream = new Stream({
    uri: sim.url,
    apiKey: credentials.apiKey,
    apiSecret: credentials.apiSecret,
    authFilters: ["order", "trade", "account", "ad_ratio", "borrowing"],
    keepaliveInterval: 2,
    reconnectPolicy: { baseDelay: 0.05, maxDelay: 1, jitter: 0.05 },
    connectFactory: (uri, options) => {
      const socket = host.connectFactory(uri, { ...options, forceWs: true });
      ledger.attach(socket);
      // What the package sends is observed too (the secrets test searches it).
      const send = socket.send.bind(socket);
      socket.send = (data, ...rest) => {
        observe("send", [data]);
        return send(data, ...rest);
      };
      return socket;
    },
    onConnected: (...args) => {
      observe("onConnected", args);
      figures.connects += 1;
      ledger.connected();
    },
    onDisconnected: (...args) => {
      observe("onDisconnected", args);
      figures.disconnects += 1;
      if (/presumed dead/.test(args[0]?.message)) figures.presumedDead += 1;
      ledger.disconnected(args[0]);
    },
    onReconnecting: (...args) => observe("onReconnecting", args),
    onPermanentFailure: (...args) => {
      observe("onPermanentFailure", args);
      ledger.fail(`permanent failure: ${args[0]?.message}`);
    },
    onDecodeError: (...args) => {
      observe("onDecodeError", args);
      ledger.decodeError(...args);
    },
    onAuthFailed: (...args) => {
      observe("onAuthFailed", args);
      figures.authFailures += 1;
    },
    onStateChange: (...args) => observe("onStateChange", args),
    onHandlerError: (...args) => {
      observe("onHandlerError", args);
      const [error, response] = args;
      figures.handlerErrorsReported += 1;
      if (!pendingErrors.delete(error?.message)) ledger.fail(`onHandlerError with an error no handler threw: ${error?.message}`);
      if (!error?.message?.endsWith(`sq ${response?.extra?.sq}`)) ledger.fail(`onHandlerError paired ${error?.message} with sq ${response?.extra?.sq}`);
    },
  });

  onStream(stream);

  // The first handler checks delivery and books; it runs before the slow and throwing ones.
  stream.addHandler((response) => {
    observe("handler", [response]);
    ledger.delivered(response);
    if (response.channel !== "book" || !books.has(response.market)) return;
    figures.bookFrames += 1;
    for (const [market, { book, depth }] of books) {
      if (!book.inSync) continue;
      const truth = sim.bookAt(market, depth, book.lastUpdateId);
      const mine = { asks: book.asks(), bids: book.bids(), version: book.version };
      if (!truth) {
        ledger.fail(`${market}: the simulator no longer knows update ${book.lastUpdateId}`);
      } else if (JSON.stringify(mine) !== JSON.stringify({ asks: truth.asks, bids: truth.bids, version: truth.version })) {
        ledger.fail(`${market} at ${book.lastUpdateId}: the stream's book differs from the simulator's`);
      }
      figures.bookChecks += 1;
      if (market === response.market && response.event === "snapshot") figures.snapshotChecks += 1;
    }
  });
  // Slow: now and then a handler takes a while, and inline dispatch must wait for it.
  stream.addHandler(async () => {
    if (rng() < 0.02) {
      figures.slowHandlerCalls += 1;
      await sleep(1 + rng() * 30);
    }
  });
  // Throwing and rejecting: each failure must come back through onHandlerError, once.
  stream.addHandler((response) => {
    const roll = rng();
    if (roll >= 0.01) return undefined;
    const message = `soak: handler failed on sq ${response.extra?.sq}`;
    pendingErrors.add(message);
    if (roll < 0.005) {
      figures.handlerThrows += 1;
      throw new Error(message);
    }
    figures.handlerRejects += 1;
    return Promise.reject(new Error(message));
  });

  for (const { market, depth } of BOOKS) {
    books.set(market, { book: stream.book(market, { depth }), depth });
    stream.subscribe({ channel: "book", market, depth });
  }
  stream.subscribe(CHANNELS);

  const started = Date.now();
  const running = stream.run();
  let runError = null;
  running.catch((error) => {
    runError = error;
  });

  const samples = [];
  const sample = () => {
    gc();
    const { heapUsed, rss } = process.memoryUsage();
    samples.push({
      t: Date.now() - started,
      heap: heapUsed / MB,
      rss: rss / MB,
      wasm: wasm.exports.memory.buffer.byteLength / MB,
      externrefs: liveExternrefs(),
    });
  };
  sample();
  const sampleEvery = Math.max(1000, Math.min(10_000, durationMs / 30));

  // Market data every 100 ms from our own timer, so it can be stopped for the final drain.
  const ticker = setInterval(() => sim.tick(), 100);
  const sampler = setInterval(sample, sampleEvery);
  let churnRound = 0;
  const churn = setInterval(() => {
    // Alternating sub/unsub calls cannot be merged: a burst of 18 requests on top of the rest.
    for (const sub of CHURN) {
      stream.subscribe(sub);
      stream.unsubscribe(sub);
    }
    churnRound += 1;
    // Every third round: answers slowed down for a while.
    sim.setFaults({ answerDelayMs: churnRound % 3 === 0 ? 25 : 0 });
  }, 10_000);
  const refusals = setInterval(() => {
    // Two refused handshakes with Retry-After, then everyone is cut off.
    sim.setFaults({ rejectHandshakes: 2, retryAfterSec: 1 });
    sim.dropAll();
  }, 45_000);
  let secretRound = 0;
  const secretSwitch = wrongSecret
    ? setInterval(() => {
        // A refused secret on some connections: onAuthFailed, and the stream carries on.
        secretRound += 1;
        stream.auth(credentials.apiKey, secretRound % 2 === 1 ? wrongSecret : credentials.apiSecret);
        sim.dropAll();
      }, 7_000)
    : null;
  const progress = setInterval(() => {
    const s = samples[samples.length - 1];
    say(
      `${Math.round((Date.now() - started) / 1000)} s: ${ledger.counts.delivered} delivered, ${figures.connects} connections, ` +
        `${figures.bookChecks} book checks, heap ${s.heap.toFixed(1)} MB, rss ${s.rss.toFixed(0)} MB, ${ledger.failures.length} failures`,
    );
  }, 60_000);

  await sleep(durationMs);

  // Drain: no new data or faults, then wait until everything received has been handled.
  for (const timer of [ticker, churn, refusals, secretSwitch, progress]) clearInterval(timer);
  // Calm: every fault back to the simulator's own defaults (none).
  sim.setFaults(FAULT_DEFAULTS);
  const drainUntil = Date.now() + 30_000;
  let quietSince = Date.now();
  while (Date.now() < drainUntil) {
    await sleep(100);
    if (stream.state !== "connected" || ledger.backlog() > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 1000) break;
  }
  if (ledger.backlog() > 0) ledger.fail(`after the drain, ${ledger.backlog()} received frames were still not handled`);
  clearInterval(sampler);
  sample();
  ledger.stopped = true;
  stream.close();
  await running.catch(() => {});
  if (runError) ledger.fail(`run() rejected: ${runError.message}`);

  // The limits, from the simulator's side.
  const requestLog = sim.stats.requestLog;
  const busiestSecond = busiestWindow(requestLog, 1000);
  const busiestMinute = busiestWindow(requestLog, 60_000);
  if (busiestSecond > 20) ledger.fail(`${busiestSecond} requests within one second`);
  if (busiestMinute > 200) ledger.fail(`${busiestMinute} requests within one minute`);
  if (sim.stats.rateViolations > 0) ledger.fail(`the simulator counted ${sim.stats.rateViolations} rate violations`);
  const handshakes = sim.stats.handshakeLog;
  let earlyHandshakes = 0;
  for (let i = 1; i < handshakes.length; i++) {
    const before = handshakes[i - 1];
    if (before.rejected && handshakes[i].t < before.retryAfter * 1000) earlyHandshakes += 1;
  }
  if (earlyHandshakes > 0) ledger.fail(`${earlyHandshakes} handshakes came before the Retry-After of a refused one`);

  // Every thrown or rejected error came back exactly once.
  if (pendingErrors.size > 0) ledger.fail(`${pendingErrors.size} handler failures never reached onHandlerError`);
  const resyncs = Object.fromEntries([...books].map(([market, { book }]) => [market, book.resyncs]));
  for (const { book } of books.values()) book.close();

  const warmup = 0.25;
  const memory = {
    samples: samples.length,
    heapMB: growth(samples, "heap", warmup),
    rssMB: growth(samples, "rss", warmup),
    wasmMB: growth(samples, "wasm", warmup),
    externrefs: growth(samples, "externrefs", warmup),
  };
  const stats = sim.stats;
  await sim.close();

  const results = {
    minutes,
    seed,
    elapsedS: Math.round((Date.now() - started) / 1000),
    frames: { ...ledger.counts },
    connections: {
      opened: ledger.connections.filter((c) => c.opened).length,
      attempts: ledger.connections.length,
      connects: figures.connects,
      disconnects: figures.disconnects,
      presumedDead: figures.presumedDead,
      simDrops: stats.drops,
      handshakesRejected: stats.handshakesRejected,
      earlyHandshakes,
    },
    faults: {
      garbageSent: stats.garbageSent,
      unknownEventsSent: stats.unknownEventsSent,
      gapsInjected: stats.gapsInjected,
      versionChanges: stats.versionChanges,
    },
    books: { frames: figures.bookFrames, checks: figures.bookChecks, snapshotChecks: figures.snapshotChecks, resyncs },
    handlers: {
      slowCalls: figures.slowHandlerCalls,
      throws: figures.handlerThrows,
      rejects: figures.handlerRejects,
      reported: figures.handlerErrorsReported,
    },
    auth: { ok: stats.authOk, failed: stats.authFailed, onAuthFailed: figures.authFailures },
    requests: { total: stats.requests, busiestSecond, busiestMinute, rateViolations: stats.rateViolations },
    memory,
    failures: ledger.failures,
  };
  return results;
}

function report(results) {
  const r = results;
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
  return [
    `soak: ${r.minutes} min (seed ${r.seed}), ${r.elapsedS} s in all`,
    `frames: ${r.frames.received} received, ${r.frames.stamped} stamped, ${r.frames.delivered} delivered to handlers in order, ` +
      `${r.frames.keepalive} keepalive answers kept by the stream, ${r.frames.garbage} garbage -> ${r.frames.decodeErrors} onDecodeError`,
    `connections: ${r.connections.connects} (${r.connections.attempts} attempts, ${r.connections.handshakesRejected} refused with 429, ` +
      `${r.connections.earlyHandshakes} before Retry-After), ${r.connections.simDrops} dropped by the simulator, ${r.connections.presumedDead} presumed dead`,
    `faults: ${r.faults.garbageSent} garbage, ${r.faults.unknownEventsSent} unknown events, ${r.faults.gapsInjected} book gaps, ${r.faults.versionChanges} version changes`,
    `books: ${r.books.checks} checks against the simulator on ${r.books.frames} book frames, ${r.books.snapshotChecks} right after a snapshot; resyncs ${JSON.stringify(r.books.resyncs)}`,
    `handlers: ${r.handlers.slowCalls} slow calls, ${r.handlers.throws} throws + ${r.handlers.rejects} rejections, ${r.handlers.reported} reported to onHandlerError`,
    `auth: ${r.auth.ok} ok, ${r.auth.failed} refused (${r.auth.onAuthFailed} onAuthFailed)`,
    `requests: ${r.requests.total}, busiest second ${r.requests.busiestSecond} (limit 20), busiest minute ${r.requests.busiestMinute} (limit 200), ${r.requests.rateViolations} violations`,
    `memory after warm-up (${r.memory.samples} samples): heap ${f(r.memory.heapMB.first)} -> ${f(r.memory.heapMB.last)} MB (${f(r.memory.heapMB.growth)}), ` +
      `rss ${f(r.memory.rssMB.first)} -> ${f(r.memory.rssMB.last)} MB (${f(r.memory.rssMB.growth)}), wasm ${f(r.memory.wasmMB.first)} -> ${f(r.memory.wasmMB.last)} MB, ` +
      `JsValues held by wasm ${r.memory.externrefs.first} -> ${r.memory.externrefs.last}`,
    r.failures.length === 0 ? "checks: all held" : `FAILURES (${r.failures.length}):\n  ${r.failures.join("\n  ")}`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { minutes: { type: "string", default: "10" }, seed: { type: "string", default: "1" }, json: { type: "boolean", default: false } },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) {
    console.error("usage: npm run soak -- [--minutes N] [--seed S] [--json]");
    process.exit(2);
  }
  const results = await runSoak({ minutes, seed: Number(values.seed) });
  console.log(values.json ? JSON.stringify(results, null, 2) : report(results));
  process.exit(results.failures.length === 0 ? 0 : 1);
}

export { report };
