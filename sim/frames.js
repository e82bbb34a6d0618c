// Channel data frames in the fixtures' shapes and key order: public channel
// snapshots and updates, and the private events of the `user` channel.

import { DEFAULT_DEPTH, DEFAULT_RESOLUTION } from "./protocol.js";

export function tradeFrame(e, market, trades, now) {
  return { c: "trade", e, M: market, t: trades, T: now };
}

export function tickerFrame(e, market, ticker, now) {
  return { c: "ticker", e, M: market, tk: ticker, T: now };
}

export function klineFrame(e, market, kline, now) {
  return { c: "kline", M: market, e, T: now, k: kline };
}

export function marketStatusFrame(e, statuses, now) {
  return { c: "market_status", e, ms: statuses, T: now };
}

export function poolQuotaFrame(e, quota, now) {
  return { c: "pool_quota", e, qta: quota, T: now };
}

// The first frame of a public subscription. Book snapshots come from a
// BookFeed instead, which must remember what it sent.
export function publicSnapshot(exchange, sub, now) {
  switch (sub.channel) {
    case "trade":
      return tradeFrame("snapshot", sub.market, exchange.market(sub.market).recentTrades, now);
    case "ticker":
      return tickerFrame("snapshot", sub.market, exchange.market(sub.market).ticker(), now);
    case "kline": {
      const resolution = sub.resolution ?? DEFAULT_RESOLUTION;
      return klineFrame("snapshot", sub.market, exchange.market(sub.market).kline(resolution), now);
    }
    case "market_status":
      return marketStatusFrame("snapshot", exchange.marketStatuses(), now);
    case "pool_quota":
      return poolQuotaFrame("snapshot", exchange.poolQuota(sub.currency), now);
    default:
      throw new Error(`no public snapshot for ${sub.channel}`);
  }
}

export function bookDepth(sub) {
  return sub.depth ?? DEFAULT_DEPTH;
}

// Private events: what each filter asks for, and the payload key per kind.
const PAYLOAD_KEY = {
  order: "o",
  trade: "t",
  account: "B",
  mwallet_order: "o",
  mwallet_trade: "t",
  mwallet_account: "B",
  ad_ratio: "ad",
  borrowing: "db",
};

// Snapshot order after `authenticated`; filters without a snapshot
// (trade_update, *fast_trade_update) only ever get updates.
const SNAPSHOT_ORDER = ["order", "trade", "account", "mwallet_order", "mwallet_trade", "mwallet_account", "ad_ratio", "borrowing"];

export function privateFrame(e, kind, payload, now) {
  return { c: "user", e, [PAYLOAD_KEY[kind]]: payload, T: now };
}

export function privateSnapshots(account, filters, now) {
  return SNAPSHOT_ORDER.filter((kind) => filters.has(kind)).map((kind) =>
    privateFrame(`${kind}_snapshot`, kind, account.snapshot(kind), now),
  );
}

const withoutFees = ({ f, fc, fd, ...rest }) => rest;

// The update frames one private event becomes for a connection's filters.
// A fast trade update goes first: it is the one meant to arrive early.
export function privateUpdates(kind, payload, filters, now) {
  if (kind === "trade" || kind === "mwallet_trade") {
    const prefix = kind === "trade" ? "" : "mwallet_";
    const frames = [];
    if (filters.has(`${prefix}fast_trade_update`)) {
      frames.push(privateFrame(`${prefix}fast_trade_update`, kind, payload.map(withoutFees), now));
    }
    if (filters.has(`${prefix}trade`) || filters.has(`${prefix}trade_update`)) {
      frames.push(privateFrame(`${prefix}trade_update`, kind, payload, now));
    }
    return frames;
  }
  return filters.has(kind) ? [privateFrame(`${kind}_update`, kind, payload, now)] : [];
}
