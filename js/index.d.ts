// Types of the public API of maicoin-ws. The constants and the decoded payloads are generated from
// the Rust tables (./generated/payloads.d.ts); the rest is declared here.

// ---------------------------------------------------------------------------------------------
// Constants and decoded payloads: generated from the Rust tables (src/core/schema.rs,
// src/core/protocol.rs) into ./generated/payloads.d.ts. The constant objects are frozen objects
// of wire strings, one per enum of PROTOCOL.md.

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
  onDisconnected?: (error: Error) => void;
  onReconnecting?: (error: Error) => void;
  onPermanentFailure?: (error: Error) => void;
  onHandlerError?: (error: unknown, response: Response) => void;
  onDecodeError?: (error: Error, text: unknown) => void;
  /** A refused authentication (E-1006, 1007, 1012), once per connection. */
  onAuthFailed?: (error: Error, response: Response) => void;
  onStateChange?: (state: StreamState) => void;
}

export interface StreamStatus {
  state: StreamState;
  reconnects: number;
  frames: number;
  lastFrameAt: Date | null;
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
  addHandler(handler: Handler): this;
  removeHandler(handler: Handler): boolean;
  /** Resolves on close(); rejects with the error after onPermanentFailure. */
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
