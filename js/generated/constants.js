// Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.

/** The production endpoint. */
export const MAX_WS_URI = "wss://max-stream.maicoin.com/ws";

/** A channel: what a subscription names and what a response's `c` says. */
export const Channel = Object.freeze({
  BOOK: "book",
  TRADE: "trade",
  TICKER: "ticker",
  KLINE: "kline",
  MARKET_STATUS: "market_status",
  POOL_QUOTA: "pool_quota",
  USER: "user",
});

/** A response's `e`. Unknown events are kept as strings by the decoder, not refused. */
export const Event = Object.freeze({
  ERROR: "error",
  SUBSCRIBED: "subscribed",
  UNSUBSCRIBED: "unsubscribed",
  AUTHENTICATED: "authenticated",
  PONG: "pong",
  SNAPSHOT: "snapshot",
  UPDATE: "update",
  ORDER_SNAPSHOT: "order_snapshot",
  ORDER_UPDATE: "order_update",
  TRADE_SNAPSHOT: "trade_snapshot",
  TRADE_UPDATE: "trade_update",
  FAST_TRADE_UPDATE: "fast_trade_update",
  ACCOUNT_SNAPSHOT: "account_snapshot",
  ACCOUNT_UPDATE: "account_update",
  MWALLET_ORDER_SNAPSHOT: "mwallet_order_snapshot",
  MWALLET_ORDER_UPDATE: "mwallet_order_update",
  MWALLET_TRADE_SNAPSHOT: "mwallet_trade_snapshot",
  MWALLET_TRADE_UPDATE: "mwallet_trade_update",
  MWALLET_FAST_TRADE_UPDATE: "mwallet_fast_trade_update",
  MWALLET_ACCOUNT_SNAPSHOT: "mwallet_account_snapshot",
  MWALLET_ACCOUNT_UPDATE: "mwallet_account_update",
  AD_RATIO_SNAPSHOT: "ad_ratio_snapshot",
  AD_RATIO_UPDATE: "ad_ratio_update",
  BORROWING_SNAPSHOT: "borrowing_snapshot",
  BORROWING_UPDATE: "borrowing_update",
});

/** A private-data filter of the `auth` request. */
export const Filter = Object.freeze({
  ORDER: "order",
  TRADE: "trade",
  ACCOUNT: "account",
  TRADE_UPDATE: "trade_update",
  FAST_TRADE_UPDATE: "fast_trade_update",
  MWALLET_ORDER: "mwallet_order",
  MWALLET_TRADE: "mwallet_trade",
  MWALLET_FAST_TRADE_UPDATE: "mwallet_fast_trade_update",
  MWALLET_ACCOUNT: "mwallet_account",
  AD_RATIO: "ad_ratio",
  BORROWING: "borrowing",
});

/** A request's `action`, in the short spelling clients send. */
export const Action = Object.freeze({
  SUBSCRIBE: "sub",
  UNSUBSCRIBE: "unsub",
  AUTH: "auth",
  PING: "ping",
});

/** An order's or a private trade's `sd`. */
export const Side = Object.freeze({
  BID: "bid",
  ASK: "ask",
});

/** An order's `S`. */
export const OrderState = Object.freeze({
  WAIT: "wait",
  DONE: "done",
  CANCEL: "cancel",
  CONVERT: "convert",
  FINALIZING: "finalizing",
  FAILED: "failed",
});

/** An order's `ot`. */
export const OrderType = Object.freeze({
  MARKET: "market",
  LIMIT: "limit",
  STOP_MARKET: "stop_market",
  STOP_LIMIT: "stop_limit",
  POST_ONLY: "post_only",
  IOC_LIMIT: "ioc_limit",
});

/** A kline subscription's `resolution`. */
export const Resolution = Object.freeze({
  M1: "1m",
  M5: "5m",
  M15: "15m",
  M30: "30m",
  H1: "1h",
  H2: "2h",
  H4: "4h",
  H6: "6h",
  H12: "12h",
  D1: "1d",
});

/** A public trade's `tr`. */
export const Trend = Object.freeze({
  UP: "up",
  DOWN: "down",
});

/** A market status's `st`. */
export const MarketState = Object.freeze({
  ACTIVE: "active",
  SUSPENDED: "suspended",
  CANCEL_ONLY: "cancel-only",
});
