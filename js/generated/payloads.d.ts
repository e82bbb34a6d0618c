// Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.
//
// The constant objects and the decoded payloads. Every decoded field is optional but `event`:
// the decoder requires only `e`, and a field absent on the wire is absent on the object (never null).

/** The production endpoint. */
export declare const MAX_WS_URI: "wss://max-stream.maicoin.com/ws";

/** A channel: what a subscription names and what a response's `c` says. */
export declare const Channel: {
  readonly BOOK: "book";
  readonly TRADE: "trade";
  readonly TICKER: "ticker";
  readonly KLINE: "kline";
  readonly MARKET_STATUS: "market_status";
  readonly POOL_QUOTA: "pool_quota";
  /** Where private data arrives; chosen by auth filters, never subscribed to. */
  readonly USER: "user";
};

/** A response's `e`. Unknown events are kept as strings by the decoder, not refused. */
export declare const Event: {
  readonly ERROR: "error";
  readonly SUBSCRIBED: "subscribed";
  readonly UNSUBSCRIBED: "unsubscribed";
  readonly AUTHENTICATED: "authenticated";
  readonly PONG: "pong";
  readonly SNAPSHOT: "snapshot";
  readonly UPDATE: "update";
  readonly ORDER_SNAPSHOT: "order_snapshot";
  readonly ORDER_UPDATE: "order_update";
  readonly TRADE_SNAPSHOT: "trade_snapshot";
  readonly TRADE_UPDATE: "trade_update";
  readonly FAST_TRADE_UPDATE: "fast_trade_update";
  readonly ACCOUNT_SNAPSHOT: "account_snapshot";
  readonly ACCOUNT_UPDATE: "account_update";
  readonly MWALLET_ORDER_SNAPSHOT: "mwallet_order_snapshot";
  readonly MWALLET_ORDER_UPDATE: "mwallet_order_update";
  readonly MWALLET_TRADE_SNAPSHOT: "mwallet_trade_snapshot";
  readonly MWALLET_TRADE_UPDATE: "mwallet_trade_update";
  readonly MWALLET_FAST_TRADE_UPDATE: "mwallet_fast_trade_update";
  readonly MWALLET_ACCOUNT_SNAPSHOT: "mwallet_account_snapshot";
  readonly MWALLET_ACCOUNT_UPDATE: "mwallet_account_update";
  readonly AD_RATIO_SNAPSHOT: "ad_ratio_snapshot";
  readonly AD_RATIO_UPDATE: "ad_ratio_update";
  readonly BORROWING_SNAPSHOT: "borrowing_snapshot";
  readonly BORROWING_UPDATE: "borrowing_update";
};

/** A private-data filter of the `auth` request. */
export declare const Filter: {
  readonly ORDER: "order";
  readonly TRADE: "trade";
  readonly ACCOUNT: "account";
  readonly TRADE_UPDATE: "trade_update";
  readonly FAST_TRADE_UPDATE: "fast_trade_update";
  readonly MWALLET_ORDER: "mwallet_order";
  readonly MWALLET_TRADE: "mwallet_trade";
  readonly MWALLET_FAST_TRADE_UPDATE: "mwallet_fast_trade_update";
  readonly MWALLET_ACCOUNT: "mwallet_account";
  readonly AD_RATIO: "ad_ratio";
  readonly BORROWING: "borrowing";
};

/** A request's `action`, in the short spelling clients send. */
export declare const Action: {
  readonly SUBSCRIBE: "sub";
  readonly UNSUBSCRIBE: "unsub";
  readonly AUTH: "auth";
  readonly PING: "ping";
};

/** An order's or a private trade's `sd`. */
export declare const Side: {
  readonly BID: "bid";
  readonly ASK: "ask";
};

/** An order's `S`. */
export declare const OrderState: {
  readonly WAIT: "wait";
  readonly DONE: "done";
  readonly CANCEL: "cancel";
  readonly CONVERT: "convert";
  readonly FINALIZING: "finalizing";
  readonly FAILED: "failed";
};

/** An order's `ot`. */
export declare const OrderType: {
  readonly MARKET: "market";
  readonly LIMIT: "limit";
  readonly STOP_MARKET: "stop_market";
  readonly STOP_LIMIT: "stop_limit";
  readonly POST_ONLY: "post_only";
  readonly IOC_LIMIT: "ioc_limit";
};

/** A kline subscription's `resolution`. */
export declare const Resolution: {
  readonly M1: "1m";
  readonly M5: "5m";
  readonly M15: "15m";
  readonly M30: "30m";
  readonly H1: "1h";
  readonly H2: "2h";
  readonly H4: "4h";
  readonly H6: "6h";
  readonly H12: "12h";
  readonly D1: "1d";
};

/** A public trade's `tr`. */
export declare const Trend: {
  readonly UP: "up";
  readonly DOWN: "down";
};

/** A market status's `st`. */
export declare const MarketState: {
  readonly ACTIVE: "active";
  readonly SUSPENDED: "suspended";
  readonly CANCEL_ONLY: "cancel-only";
};

/** The wire strings of each constant object, as a union type. */
export type ChannelName = (typeof Channel)[keyof typeof Channel];
export type EventName = (typeof Event)[keyof typeof Event];
export type FilterName = (typeof Filter)[keyof typeof Filter];
export type ActionName = (typeof Action)[keyof typeof Action];
export type SideName = (typeof Side)[keyof typeof Side];
export type OrderStateName = (typeof OrderState)[keyof typeof OrderState];
export type OrderTypeName = (typeof OrderType)[keyof typeof OrderType];
export type ResolutionName = (typeof Resolution)[keyof typeof Resolution];
export type TrendName = (typeof Trend)[keyof typeof Trend];
export type MarketStateName = (typeof MarketState)[keyof typeof MarketState];

/** Book depths the server accepts (it sends 50 levels when none is asked for). */
export type BookDepth = 1 | 5 | 10 | 20 | 50;

/**
 * A known wire string or any other: the decoder keeps strings it does not know (MAX adds values,
* and documents `snaptshot`), while editors still offer the known ones.
 */
export type KnownOr<T extends string> = T | (string & {});

/** Wire keys the model does not name (`rpi`, `sa`, ...), with their wire names and JSON values. */
export type Extra = Record<string, unknown>;

/** One `[price, volume]` level of a book. */
export type Level = [price: string, volume: string];

/** A subscription as the server confirms it in `subscribed` / `unsubscribed`. */
export interface SubscriptionEcho {
  channel?: KnownOr<ChannelName>;
  market?: string;
  depth?: number;
  resolution?: KnownOr<ResolutionName>;
  currency?: string;
  extra?: Extra;
}

export interface Ticker {
  market?: string;
  open?: string;
  high?: string;
  low?: string;
  close?: string;
  volume?: string;
  volumeInBtc?: string;
  extra?: Extra;
}

export interface Order {
  orderId?: number;
  side?: KnownOr<SideName>;
  orderType?: KnownOr<OrderTypeName>;
  price?: string;
  stopPrice?: string;
  averagePrice?: string;
  state?: KnownOr<OrderStateName>;
  market?: string;
  createdAt?: Date;
  updatedAt?: Date;
  volume?: string;
  remainingVolume?: string;
  executedVolume?: string;
  tradeCount?: number;
  clientOrderId?: string;
  groupId?: number;
  extra?: Extra;
}

/** A trade: public ones carry price, volume, createdAt and trend; private ones the rest. */
export interface Trade {
  id?: number;
  market?: string;
  side?: KnownOr<SideName>;
  price?: string;
  volume?: string;
  fee?: string;
  feeCurrency?: string;
  feeDiscounted?: boolean;
  funds?: string;
  createdAt?: Date;
  updatedAt?: Date;
  maker?: boolean;
  orderId?: number;
  trend?: KnownOr<TrendName>;
  extra?: Extra;
}

export interface Balance {
  currency?: string;
  available?: string;
  locked?: string;
  staked?: string;
  balanceUpdatedTime?: Date;
  extra?: Extra;
}

export interface Kline {
  startTime?: Date;
  endTime?: Date;
  market?: string;
  resolution?: KnownOr<ResolutionName>;
  open?: string;
  high?: string;
  low?: string;
  close?: string;
  volume?: string;
  lastTradeId?: number;
  closed?: boolean;
  /** `qv` on the wire. */
  quoteVolume?: string;
  extra?: Extra;
}

export interface MarketStatus {
  market?: string;
  status?: KnownOr<MarketStateName>;
  baseUnit?: string;
  baseUnitPrecision?: number;
  /** A JSON number on the wire, unlike other amounts. */
  minimalBaseAmount?: number;
  quoteUnit?: string;
  quoteUnitPrecision?: number;
  minimalQuoteAmount?: number;
  mwalletSupported?: boolean;
  extra?: Extra;
}

export interface PoolQuota {
  currency?: string;
  available?: string;
  updatedAt?: Date;
  extra?: Extra;
}

export interface IndexPrice {
  market?: string;
  price?: string;
  extra?: Extra;
}

export interface AdRatio {
  adRatio?: string;
  assetInUsdt?: string;
  debtInUsdt?: string;
  indexPrices?: IndexPrice[];
  updatedAt?: Date;
  extra?: Extra;
}

export interface Borrowing {
  currency?: string;
  debtPrincipal?: string;
  debtInterest?: string;
  updatedAt?: Date;
  extra?: Extra;
}

/** One decoded server message. */
export interface Response {
  /** Known or not: an unknown event is kept as its string. */
  event: KnownOr<EventName>;
  createdAt?: Date;
  /** The echoed request id (a number on the wire becomes its decimal string). */
  id?: string;
  errors?: string[];
  subscriptions?: SubscriptionEcho[];
  channel?: KnownOr<ChannelName>;
  balances?: Balance[];
  market?: string;
  asks?: Level[];
  bids?: Level[];
  firstUpdateId?: number;
  lastUpdateId?: number;
  version?: number;
  orders?: Order[];
  ticker?: Ticker;
  trades?: Trade[];
  currency?: string;
  kline?: Kline;
  marketStatus?: MarketStatus[];
  poolQuota?: PoolQuota;
  mWalletAdRatio?: AdRatio;
  mWalletBorrowings?: Borrowing[];
  extra?: Extra;
}
