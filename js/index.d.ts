// Types of the public API of maicoin-ws. The constants and the decoded payloads are generated from
// the Rust tables (./generated/payloads.d.ts); the rest is declared here.

// ---------------------------------------------------------------------------------------------
// Constants and decoded payloads: generated from the Rust tables (src/core/schema.rs,
// src/core/protocol.rs) into ./generated/payloads.d.ts. The constant objects are frozen objects
// of wire strings, one per enum of docs/PROTOCOL.md.

import type * as Payloads from "./generated/payloads.js";
import type { ActionName, BookDepth, FilterName, Level, ResolutionName } from "./generated/payloads.js";
export * from "./generated/payloads.js";

// ---------------------------------------------------------------------------------------------
// Subscriptions: plain objects, told apart by `channel`.

export interface BookSubscription {
  channel: "book";
  market: string;
  depth?: BookDepth;
}

export interface TradeSubscription {
  channel: "trade";
  market: string;
}

export interface TickerSubscription {
  channel: "ticker";
  market: string;
}

export interface KlineSubscription {
  channel: "kline";
  market: string;
  /** The server's default is 1m. */
  resolution?: ResolutionName;
}

export interface MarketStatusSubscription {
  channel: "market_status";
}

export interface PoolQuotaSubscription {
  channel: "pool_quota";
  currency: string;
}

export type Subscription =
  | BookSubscription
  | TradeSubscription
  | TickerSubscription
  | KlineSubscription
  | MarketStatusSubscription
  | PoolQuotaSubscription;

// ---------------------------------------------------------------------------------------------
// Request

export interface AuthOptions {
  /** Private data to receive; none means order, trade and account. */
  filters?: readonly FilterName[] | null;
  /** Milliseconds since the epoch; defaults to Date.now(). Never reuse one. */
  nonce?: number;
}

/** A client request. Invalid arguments throw a TypeError or RangeError naming the field. */
export declare class Request {
  /** Use the static constructors. */
  private constructor(wireMessage: string);

  action: ActionName;
  /** A fresh unique id, echoed back by the server as the response's `id`. */
  id: string;
  /** `sub` only. */
  subscriptions?: Subscription[];
  /** `unsub` only: the wire's singular key. */
  subscription?: Subscription[];
  /** `auth` only (as are nonce, signature and filters). */
  apiKey?: string;
  nonce?: number;
  /** Lowercase hex HMAC-SHA256 of the nonce's decimal string, keyed with the API secret. */
  signature?: string;
  filters?: FilterName[];

  /** A single subscription counts as a list of one. */
  static subscribe(subscriptions: Subscription | readonly Subscription[]): Request;
  static unsubscribe(subscriptions: Subscription | readonly Subscription[]): Request;
  /** Signs a fresh auth request; the secret itself is never part of the request. */
  static auth(apiKey: string, apiSecret: string, options?: AuthOptions): Request;
  static ping(): Request;
  /** A request from wire JSON; accepts the long action names too and normalizes to the short ones. */
  static parse(text: string): Request;

  /** The wire JSON text; absent fields are left out. */
  message(): string;
}

// ---------------------------------------------------------------------------------------------
// Response: decoded messages are plain objects (declared with the payloads); times are Dates,
// decimals stay strings.

/** One decoded server message. */
export interface Response extends Payloads.Response {}

export declare const Response: {
  /** Decodes one frame; throws an Error that says what is wrong (invalid JSON, no `e`, a bad field). */
  readonly parse: (text: string) => Response;
};

// ---------------------------------------------------------------------------------------------
// ReconnectPolicy

/** Seconds, as in the Python package. Invalid options throw a TypeError or RangeError naming them. */
export interface ReconnectPolicyOptions {
  enabled?: boolean;
  /** null (the default) retries forever. */
  maxRetries?: number | null;
  baseDelay?: number;
  maxDelay?: number;
  jitter?: number;
}

export declare class ReconnectPolicy {
  constructor(options?: ReconnectPolicyOptions);
  readonly enabled: boolean;
  readonly maxRetries: number | null;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly jitter: number;
  /** Seconds before the 1-based retry n: min(maxDelay, baseDelay * 2 ** (n - 1)) plus [0, jitter). */
  delay(n: number): number;
  /** Whether the 1-based retry n may be tried. */
  allows(n: number): boolean;
}

// ---------------------------------------------------------------------------------------------
// Stream

/** What `connectFactory` must return: an object that behaves like the WHATWG WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  /** Sends a WebSocket ping frame where the host can (Node's `ws`). */
  ping?(): void;
  /** A 429 handshake's Retry-After, recorded by a factory that can see it. */
  retryAfter?: string;
}

export type DispatchMode = "inline" | "task" | "queue";
export type StreamState = "idle" | "connecting" | "connected" | "reconnecting" | "closed" | "failed";
export type Handler = (response: Response) => void | Promise<void>;

export interface StreamOptions {
  apiKey?: string;
  apiSecret?: string;
  authFilters?: FilterName[];
  /** Default MAX_WS_URI; in Node the MAX_WS_URI environment variable overrides it. */
  uri?: string;
  /** Default true; ignored when reconnectPolicy is given. */
  reconnect?: boolean;
  reconnectPolicy?: ReconnectPolicy | ReconnectPolicyOptions;
  /** "inline" (default) awaits each handler; "task" does not; "queue" hands responses to responses(). */
  dispatch?: DispatchMode;
  connectFactory?: (uri: string, connectOptions: unknown) => WebSocketLike;
  connectOptions?: unknown;
  /** Seconds between keepalive pings (default 30); two silent intervals mean a dead connection. */
  keepaliveInterval?: number;
  /** Tighter request limits than MAX's 20 a second and 200 a minute, for this stream only. */
  requestLimits?: { perSecond: number; perMinute: number };
  /** Other connection limits than MAX's 600 an hour and 1440 a day, for this stream only. */
  connectionLimits?: { perHour: number; perDay: number };
  onConnected?: () => void;
  onDisconnected?: (error: StreamError) => void;
  onReconnecting?: (error: StreamError) => void;
  onPermanentFailure?: (error: StreamError) => void;
  onHandlerError?: (error: unknown, response: Response) => void;
  onDecodeError?: (error: Error, text: unknown) => void;
  /** A refused authentication (E-1006, 1007, 1012), once per connection. */
  onAuthFailed?: (error: StreamError, response: Response) => void;
  onStateChange?: (state: StreamState) => void;
  /**
   * The stale watchdog: a subscription that delivers nothing this many seconds while its
   * connection is open is unsubscribed and subscribed again, alone, counted in stats() and
   * reported to onStale. One number for every channel, a per-channel map over the defaults, or
   * false / 0 for off. Defaults: book 30, ticker 60, kline 90 or 1.5 candles (whichever is
   * longer), trade, market_status and pool_quota off.
   */
  staleAfter?: number | false | StaleAfterMap;
  /** The stale watchdog resubscribed `subscription` (see staleAfter). */
  onStale?: (subscription: Subscription) => void;
}

/** `staleAfter` per channel, in seconds; false or 0: never stale. Unnamed channels keep their default. */
export interface StaleAfterMap {
  book?: number | false;
  trade?: number | false;
  ticker?: number | false;
  kline?: number | false;
  market_status?: number | false;
  pool_quota?: number | false;
}

/** The documented `StreamError.code` set (README, "Stream errors"). */
export type StreamErrorCode =
  | "connect_failed"
  | "rate_limited"
  | "closed"
  | "silent"
  | "handler_failed"
  | "no_socket"
  | "already_running"
  | "auth_refused";

/** Every error a Stream reports to its lifecycle callbacks and run()'s rejection. */
export declare class StreamError extends Error {
  constructor(code: StreamErrorCode, message: string, details?: { closeCode?: number; reason?: string; cause?: unknown });
  readonly name: "StreamError";
  readonly code: StreamErrorCode;
  /** The close event's code, where a socket close caused the error. */
  readonly closeCode?: number;
  /** The close event's reason ("" when it gave none), where a socket close caused the error. */
  readonly reason?: string;
  /** What JS threw, for `no_socket` (the factory) and `handler_failed` (the handler). */
  readonly cause?: unknown;
}

export interface StreamStatus {
  state: StreamState;
  reconnects: number;
  frames: number;
  lastFrameAt: Date | null;
}

/** One subscription's health in `stream.stats()` (kept books included). */
export type SubscriptionStats = Subscription & {
  /** Frames of this subscription received (snapshots and updates alike). */
  frames: number;
  /** Local receipt time (ms since the epoch) of its last frame; null before the first. */
  lastFrameAt: number | null;
  /** Frames per second over the last 1 s and over the last 60 s (sliding, interpolated). */
  ratePerSecond: { "1s": number; "60s": number };
  /**
   * Receipt time − the frame's server `T`, in ms, over its latest 256 frames of the last minute
   * (nearest-rank percentiles); null without any. Includes the clock offset (see clockOffsetMs).
   */
  latencyMs: { p50: number; p90: number; p99: number; max: number } | null;
  /** Book updates whose `fi` did not continue the previous `li` (books; 0 elsewhere). */
  gaps: number;
  /** Times a kept book fell out of step and was resubscribed (stream.book() books; 0 elsewhere). */
  resyncs: number;
  /** Times the stale watchdog resubscribed it (see staleAfter). */
  staleResubscribes: number;
};

/** `stream.stats()`: a plain, JSON-ready object, read from the engine in one call. */
export interface StreamStats {
  /** Connections that opened (1 + every successful reconnect). */
  connections: number;
  /** Reconnect attempts scheduled after a failed or dropped connection. */
  reconnects: number;
  /** Every text or binary frame of the open connections (answers and pongs included). */
  framesReceived: number;
  /** Their size in UTF-8 bytes (text frames). */
  bytesReceived: number;
  /**
   * Local − server clock estimate in ms: the smallest receipt − `T` of the subscriptions' frames
   * of the last 60 s (transit only adds to it, so the minimum is nearest the offset); null
   * without any.
   */
  clockOffsetMs: number | null;
  subscriptions: SubscriptionStats[];
}

export interface BookOptions {
  depth?: BookDepth;
  onChange?: (book: OrderBook) => void;
}

export declare class Stream {
  constructor(options?: StreamOptions);
  /** Credentials from MAX_API_KEY and MAX_API_SECRET; throws naming a missing variable. */
  static fromEnv(options?: StreamOptions): Stream;
  subscribe(subscriptions: Subscription | Subscription[]): this;
  unsubscribe(subscriptions: Subscription | Subscription[]): this;
  auth(apiKey: string, apiSecret: string, options?: { filters?: FilterName[] }): this;
  /** The requests each connection sends, in order (auth first). */
  readonly requests: Request[];
  readonly subscriptions: Subscription[];
  readonly state: StreamState;
  readonly status: StreamStatus;
  /** The feed's health: counters, clock offset, one entry per subscription. */
  stats(): StreamStats;
  addHandler(handler: Handler): this;
  removeHandler(handler: Handler): boolean;
  /** Resolves on close(); rejects with the StreamError onPermanentFailure got (or `already_running`). */
  run(): Promise<void>;
  close(): void;
  /** The responses, in "queue" dispatch mode. */
  responses(): AsyncIterableIterator<Response>;
  /** Keeps `market`'s book in wasm, fed straight from this stream's frames. */
  book(market: string, options?: BookOptions): OrderBook;
  toJSON(): { uri: string; state: StreamState; subscriptions: Subscription[]; authenticated: boolean };
}

// ---------------------------------------------------------------------------------------------
// OrderBook

export type BookOutcome = "snapshot" | "update" | "stale" | "ignored" | "resync" | "not-a-book-frame";
export type BookSyncState = "awaiting-snapshot" | "in-sync" | "out-of-sync";

export interface BookView {
  market: string;
  state: BookSyncState;
  inSync: boolean;
  lastUpdateId: number | null;
  version: number | null;
  bestBid: Level | null;
  bestAsk: Level | null;
  spread: string | null;
  mid: string | null;
  asks: Level[];
  bids: Level[];
  resyncs: number;
}

export declare class OrderBook {
  /** A book the app feeds itself. */
  constructor(market: string | { market: string });
  /** Applies a book snapshot or update Response. */
  apply(response: Response): BookOutcome;
  /** Applies a raw wire frame without building a JS object for it. */
  applyFrame(text: string): BookOutcome;
  /** Calls listener at most once per animation frame after changes; returns a remover. */
  onChange(listener: (book: OrderBook) => void): () => boolean;
  readonly market: string;
  readonly depth: BookDepth | undefined;
  /** False while waiting for a snapshot or resyncing: then no levels are served. */
  readonly inSync: boolean;
  readonly state: BookSyncState;
  readonly resyncReason: string | null;
  readonly resyncs: number;
  readonly lastUpdateId: number | null;
  readonly version: number | null;
  readonly bestBid: Level | null;
  readonly bestAsk: Level | null;
  /** Exact decimal strings. */
  readonly spread: string | null;
  readonly mid: string | null;
  asks(n?: number): Level[];
  bids(n?: number): Level[];
  snapshot(n?: number): BookView;
  /** Stops keeping a stream's book (unsubscribes it). */
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// fetchKlines: candle history from MAX's public REST k-line endpoint

/** MAX's REST host, fetchKlines' default `baseUrl`. */
export declare const MAX_REST_URL: "https://max-api.maicoin.com";

export interface FetchKlinesOptions {
  /** The candle length; default "1m". */
  resolution?: ResolutionName;
  /** How many candles, 1 to 10000; default 100. */
  limit?: number;
  /** The newest candle returned is the one holding this time (default: now). */
  before?: Date | number;
  /** Default MAX_REST_URL; e.g. the simulator's `http://127.0.0.1:8765`. */
  baseUrl?: string;
  /** The host's global fetch unless given (typed as the host's own fetch where it declares one). */
  fetch?: HostFetch;
  /** An AbortSignal: aborting rejects with the fetch's AbortError. */
  signal?: KlineAbortSignal;
  /** "Now" in ms, to tell whether the newest candle has closed; default Date.now(). */
  now?: number;
}

/** The global fetch's type where the project has DOM or Node types; else what fetchKlines needs. */
export type HostFetch = typeof globalThis extends { fetch: infer F }
  ? F
  : (url: string, init: { headers: Record<string, string>; signal?: KlineAbortSignal }) => Promise<KlineHttpResponse>;

/** What fetchKlines reads of an AbortSignal and of a fetch Response (declared here: no DOM types needed). */
export interface KlineAbortSignal {
  readonly aborted: boolean;
}
export interface KlineHttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  text(): Promise<string>;
}

/** A candle as the `kline` payload of a Response has it (REST rows carry no trade id). */
export interface KlineCandle {
  startTime: Date;
  endTime: Date;
  market: string;
  resolution: ResolutionName;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  closed: boolean;
}

/**
 * `GET /api/v3/k`: the candles of `market`, oldest first. Rejects with a TypeError or RangeError
 * naming a bad argument, or an Error naming the HTTP status and MAX's message (`status` on it).
 * A malformed row rejects with a TypeError naming it, the well-formed rows on its `candles`.
 */
export declare function fetchKlines(market: string, options?: FetchKlinesOptions): Promise<KlineCandle[]>;

// ---------------------------------------------------------------------------------------------
// Recording and replay

/**
 * What `record(entry)` receives, in order: a connection's open, each text frame it received (the
 * raw text, before it is decoded) and its close. `at` is the local receipt time in ms, `conn` the
 * connection number from 1 (failed attempts included, with a close and no open). A frame that
 * answers the stream's own keepalive ping is marked `keepalive` (a replay skips it and answers the
 * replaying stream's pings itself). Nothing the stream sent, credentials and signatures above
 * all, is ever in an entry.
 */
export type RecordingEntry =
  | { at: number; conn: number; open: string }
  | { at: number; conn: number; frame: string; keepalive?: true }
  | { at: number; conn: number; close: number; reason: string };

/** The first line of a recording file (`maicoin-ws record`); the entries follow, one a line. */
export interface RecordingHeader {
  format: "maicoin-ws-recording";
  version: 1;
  subscriptions: Subscription[];
  /** When the recording started, in ms since the epoch. */
  started: number;
}

export interface StreamOptions {
  /**
   * Called with every entry, before its frame is decoded. A throw or a rejected promise never
   * reaches the stream: the first one is logged (console.error), and recording goes on.
   */
  record?: (entry: RecordingEntry) => void | Promise<void>;
}

/**
 * A recording: its text, its lines (strings, or the entries `record` gave), a `Blob` or a fetch
 * `Response` (anything with `arrayBuffer()` or `text()`; gzipped or not), or in Node a file path
 * (gzipped or not). A recording cut short stays readable: a partial last line is dropped.
 */
export type RecordingSource =
  | string
  | ReadonlyArray<string | RecordingEntry>
  | { arrayBuffer(): Promise<ArrayBuffer> }
  | { text(): Promise<string> };

export interface ReplayOptions {
  /** 1 keeps the recorded timing, 10 is ten times faster; Infinity (the default) as fast as the stream goes. */
  speed?: number;
}

/** The connectFactory `replay()` returns: each call plays the next recorded connection. */
export interface ReplayFactory {
  (uri: string, connectOptions: unknown): WebSocketLike;
  /** Resolves once the recording is read; rejects with what makes it unreadable. */
  readonly ready: Promise<{ header: RecordingHeader | null; connections: number; uri: string | null }>;
  /**
   * Resolves once the last recorded connection has closed. A stream that asks for a connection
   * after that gets one that stays "connecting" until the stream is closed.
   */
  readonly ended: Promise<void>;
  /** True from the moment `ended` resolves: close the stream in onDisconnected when it is. */
  readonly done: boolean;
  /** How many connections the recording holds (null until it is read). */
  readonly connections: number | null;
}

/** An unreadable recording; the message names the line and what is wrong with it. */
export declare class RecordingError extends Error {
  readonly name: "RecordingError";
}

/**
 * Plays a recording back through a Stream (its `connectFactory`): the same engine, decoder, books
 * and dispatch a live stream uses, so the same recording gives the same responses every time.
 * Text and lines are read at once (a bad one throws a RecordingError naming the line).
 */
export declare function replay(recording: RecordingSource, options?: ReplayOptions): ReplayFactory;

// ---------------------------------------------------------------------------------------------
// Transports: where a Stream's socket, engine, decoder and books run

/**
 * "direct": in this thread. "worker": in a dedicated Worker; this Stream is a proxy with the same
 * API (handlers and callbacks run here, on structured-clone copies of the responses). "shared": in a
 * SharedWorker per origin, endpoint and API key, one socket for every tab; subscriptions and books
 * are reference-counted, each tab gets only the responses of its own subscriptions.
 */
export type TransportName = "direct" | "worker" | "shared";

export interface StreamOptions {
  /**
   * Default "direct". Without SharedWorker "shared" becomes "worker"; without Worker (Node) both
   * become "direct". Functions other than the on* callbacks (connectFactory, record) cannot reach
   * a worker: a non-direct transport refuses them with a TypeError.
   */
  transport?: TransportName;
}

export interface Stream {
  /**
   * The transport in use. On "worker" and "shared", `state` follows the worker's at once;
   * `status` counters and `requests` are cached from the worker (reading `status` asks for fresh
   * counters; `requests` is at most a second old); `subscriptions` are this tab's own.
   */
  readonly transport: TransportName;
}
