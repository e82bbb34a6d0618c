// A local MAX WebSocket server for tests, benchmarks, the dashboard and users:
// `startSimulator(options)` resolves to a running Simulator. This file wires
// sockets to the exchange model; the protocol, data and faults live in the
// modules it imports.

import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { Exchange } from "./exchange.js";
import { Authenticator } from "./auth.js";
import { RateLimiter, rateLimits } from "./rate-limit.js";
import { FaultInjector, FAULT_DEFAULTS, pickFaults } from "./faults.js";
import { Connection } from "./connection.js";
import { ERROR, errorAnswer, parseRequest } from "./protocol.js";
import { handleRequest } from "./requests.js";
import { RoundFrames, pushRound } from "./push.js";
import { DEFAULT_MARKETS } from "./markets.js";
import { ReplayFeed } from "./replay-feed.js";
import { handleRest } from "./rest.js";

export const DEFAULTS = Object.freeze({
  port: 0,
  host: "127.0.0.1",
  apiKey: "test-key",
  apiSecret: "test-secret",
  markets: DEFAULT_MARKETS,
  tickMs: 200,
  idleTimeoutMs: 130_000,
  // Per IP on MAX; every local client shares one IP, so one budget per
  // server by default ({ scope: "connection" } for one per connection).
  rateLimit: { perSecond: 20, perMinute: 200, scope: "server" },
  stamp: false,
  seed: 1,
  nonceWindowMs: 30_000,
  historyLimit: 2000,
  requestLogLimit: 100_000,
  // A recording to serve instead of generated market data (its text, lines, or readRecording()'s
  // result), at `replaySpeed` times its pace, from the start again when `replayLoop`.
  replay: null,
  replaySpeed: 1,
  replayLoop: false,
});

const PATH = "/ws";
// How many WebSocket connections are open and were ever made, for a test driving a browser
// against a simulator in another process.
const STATS_PATH = "/stats";

export async function startSimulator(options = {}) {
  const sim = new Simulator(options);
  await sim.listen();
  return sim;
}

export class Simulator extends EventEmitter {
  constructor(options = {}) {
    super();
    for (const name of Object.keys(options)) {
      if (!(name in DEFAULTS) && !(name in FAULT_DEFAULTS)) throw new TypeError(`unknown simulator option ${name}`);
    }
    const config = { ...DEFAULTS, ...options };
    // `rateLimit: null` (or false) turns limiting off, for benchmarks.
    config.rateLimit = config.rateLimit ? { ...DEFAULTS.rateLimit, ...config.rateLimit } : null;
    this.config = config;
    this.replayFeed = config.replay ? new ReplayFeed(config.replay, { speed: config.replaySpeed, loop: config.replayLoop }) : null;
    if (this.replayFeed) config.markets = [...new Set([...config.markets, ...this.replayFeed.markets])];
    this.faultInjector = new FaultInjector(config.seed, pickFaults(options));
    this.exchange = new Exchange({
      markets: config.markets,
      seed: config.seed,
      apiKey: config.apiKey,
      historyLimit: config.historyLimit,
      now: Date.now(),
    });
    this.authenticator = new Authenticator(config);
    this.limiter = this.newLimiter();
    this.clients = new Set();
    this.nextConnectionId = 1;
    this.stats = {
      connections: 0,
      disconnects: 0,
      handshakesRejected: 0,
      requests: 0,
      rateViolations: 0,
      framesSent: 0,
      authOk: 0,
      authFailed: 0,
      drops: 0,
      idleClosed: 0,
      garbageSent: 0,
      unknownEventsSent: 0,
      gapsInjected: 0,
      framesSilenced: 0,
      versionChanges: 0,
      ticks: 0,
      requestLog: [], // { conn, t } for every request message received
      handshakeLog: [], // { t, rejected, retryAfter? } for every handshake
    };
    this.url = null;
    this.port = null;
    this.tickTimer = null;
    this.closed = null;
  }

  get connections() {
    return this.clients.size;
  }

  get faults() {
    return { ...this.faultInjector.settings };
  }

  setFaults(partial) {
    this.faultInjector.set(partial);
  }

  newLimiter() {
    const { rateLimit } = this.config;
    return rateLimit ? new RateLimiter(rateLimits(rateLimit)) : null;
  }

  async listen() {
    this.http = createServer((req, res) => {
      if (handleRest(this.exchange, req, res)) return;
      if (new URL(req.url, "http://localhost").pathname === STATS_PATH) {
        const body = JSON.stringify({ open: this.connections, connections: this.stats.connections, disconnects: this.stats.disconnects });
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store", "Access-Control-Allow-Origin": "*" });
        res.end(body);
        return;
      }
      res.writeHead(426, { "Content-Type": "text/plain" });
      res.end(`MAX simulator: connect a WebSocket to ${PATH}\n`);
    });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.http.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off("error", reject);
        resolve();
      });
    });
    this.port = this.http.address().port;
    this.url = `ws://${this.config.host}:${this.port}${PATH}`;
    if (this.replayFeed) this.replayFeed.start((key, frame) => this.pushRecorded(key, frame));
    else if (this.config.tickMs > 0) this.tickTimer = setInterval(() => this.tick(), this.config.tickMs);
  }

  // A recorded frame, to every connection subscribed to what it belongs to.
  pushRecorded(key, frame) {
    for (const conn of [...this.clients]) {
      if (!conn.open || !conn.subscriptions.has(key)) continue;
      if (conn.isSilenced(key)) this.stats.framesSilenced += 1;
      else conn.send(frame);
    }
  }

  upgrade(req, socket, head) {
    const now = Date.now();
    const path = new URL(req.url, "http://localhost").pathname;
    if (path !== PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const retryAfter = this.faultInjector.refuseHandshake(now);
    this.stats.handshakeLog.push(retryAfter === null ? { t: now, rejected: false } : { t: now, rejected: true, retryAfter });
    if (retryAfter !== null) {
      this.stats.handshakesRejected += 1;
      const body = "Too Many Requests\n";
      socket.end(
        "HTTP/1.1 429 Too Many Requests\r\n" +
          `Retry-After: ${retryAfter}\r\n` +
          "Content-Type: text/plain\r\n" +
          `Content-Length: ${body.length}\r\n` +
          "Connection: close\r\n\r\n" +
          body,
      );
      this.emit("handshakeRejected", { t: now, retryAfter });
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  accept(ws, req) {
    const id = this.nextConnectionId++;
    const conn = new Connection({
      id,
      ws,
      stats: this.stats,
      faults: this.faultInjector,
      stamp: this.config.stamp,
      idleTimeoutMs: this.config.idleTimeoutMs,
      limiter: this.config.rateLimit?.scope === "connection" ? this.newLimiter() : this.limiter,
      onIdle: () => {
        this.stats.idleClosed += 1;
        conn.close(1000, "idle timeout: no ping received");
      },
    });
    this.clients.add(conn);
    this.stats.connections += 1;
    ws.on("ping", () => conn.touch());
    ws.on("message", (data) => this.receive(conn, data.toString()));
    // Errors of one socket (a reset peer) end that connection only.
    ws.on("error", () => {});
    ws.on("close", (code, reason) => {
      conn.dispose();
      this.clients.delete(conn);
      this.stats.disconnects += 1;
      this.emit("disconnect", { conn: id, code, reason: reason.toString() });
    });
    this.emit("connection", { conn: id, remoteAddress: req.socket.remoteAddress, headers: req.headers });
  }

  receive(conn, text) {
    if (conn.closing) return;
    const now = Date.now();
    this.stats.requests += 1;
    this.logRequest(conn.id, now);
    const parsed = parseRequest(text, this.exchange);
    this.emit("request", { conn: conn.id, t: now, text, request: parsed.request ?? null, error: parsed.error ?? null });
    if (conn.limiter?.record(now)) {
      this.stats.rateViolations += 1;
      // What MAX does to an offender is not documented; an error answer
      // and a policy-violation close make the punishment visible.
      conn.send(errorAnswer(ERROR.tooManyRequests, parsed.request?.id ?? parsed.id, now));
      conn.close(1008, "too many requests");
      return;
    }
    if (parsed.request?.action === "ping") conn.touch();
    conn.schedule(this.faultInjector.settings.answerDelayMs, () => handleRequest(this, conn, parsed));
  }

  logRequest(conn, t) {
    const log = this.stats.requestLog;
    log.push({ conn, t });
    // Trim in halves so a long soak costs amortized O(1) per request.
    if (log.length >= 2 * this.config.requestLogLimit) log.splice(0, log.length - this.config.requestLogLimit);
  }

  // One round of market data for every market, pushed synchronously.
  // `now` lets a test move the clock, e.g. past a candle's end.
  tick(now = Date.now()) {
    const round = this.exchange.tick(now, () => this.faultInjector.roll("versionChangeProbability"));
    this.stats.ticks += 1;
    for (const result of round.markets.values()) if (result.versionChanged) this.stats.versionChanges += 1;
    const frames = new RoundFrames(this.exchange, round);
    for (const conn of [...this.clients]) if (conn.open) pushRound(conn, frames);
  }

  dropAll() {
    for (const conn of [...this.clients]) {
      this.stats.drops += 1;
      conn.terminate();
    }
  }

  // The next book update due to each current subscriber of `market` is
  // swallowed. Returns how many subscribers will see a gap.
  injectGap(market) {
    this.exchange.market(market);
    let count = 0;
    for (const conn of this.clients) {
      const feed = conn.books.get(market);
      if (feed) {
        feed.skipNext = true;
        count += 1;
      }
    }
    return count;
  }

  // Silences one subscription ("book:btcusdt", "trade:ethusdt", ...) on each
  // connection now subscribed to it: its frames stop while the connection
  // stays up and answers, until that connection subscribes to it again.
  // Returns how many connections went quiet.
  silence(key) {
    if (typeof key !== "string") throw new TypeError(`silence needs a subscription key such as "book:btcusdt", got ${key}`);
    let count = 0;
    for (const conn of this.clients) {
      if (conn.subscriptions.has(key)) {
        conn.silencedKeys.add(key);
        count += 1;
      }
    }
    return count;
  }

  // Gives `market`'s book a new version now and tells its subscribers.
  changeVersion(market) {
    const sim = this.exchange.market(market);
    const now = Date.now();
    sim.changeVersion(now);
    this.stats.versionChanges += 1;
    for (const conn of [...this.clients]) {
      const feed = conn.books.get(market);
      if (feed && conn.open && !conn.isSilenced(`book:${market}`)) conn.pushBook(feed, sim.book, now);
    }
    return sim.book.version;
  }

  book(market, depth = 50) {
    const { book } = this.exchange.market(market);
    return this.bookAt(market, depth, book.updateId);
  }

  bookAt(market, depth, lastUpdateId) {
    const { book } = this.exchange.market(market);
    const view = book.viewAt(depth, lastUpdateId);
    if (!view) return null;
    return {
      asks: book.formatLevels(view.asks),
      bids: book.formatLevels(view.bids),
      lastUpdateId,
      version: view.version,
    };
  }

  close() {
    if (this.closed) return this.closed;
    clearInterval(this.tickTimer);
    this.replayFeed?.stop();
    if (!this.wss) return (this.closed = Promise.resolve());
    for (const conn of this.clients) {
      conn.dispose();
      conn.ws.terminate();
    }
    this.closed = new Promise((resolve) => {
      this.wss.close(() => {
        this.http.closeAllConnections?.();
        this.http.close(() => resolve());
      });
    });
    return this.closed;
  }
}
