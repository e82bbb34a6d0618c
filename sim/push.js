// Delivery of one round of exchange activity to each connection, by its
// subscriptions and filters. Frames that many connections receive are built
// once per round (and, through Connection, stringified once).

import { DEFAULT_RESOLUTION } from "./protocol.js";
import { klineFrame, marketStatusFrame, poolQuotaFrame, privateUpdates, tickerFrame, tradeFrame } from "./frames.js";

export class RoundFrames {
  constructor(exchange, round) {
    this.exchange = exchange;
    this.round = round;
    this.cache = new Map();
  }

  memo(key, build) {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key);
  }

  // Frames for one public subscription this round, possibly none.
  forSubscription(sub) {
    const { exchange, round } = this;
    const { now } = round;
    const result = sub.market ? round.markets.get(sub.market) : null;
    switch (sub.channel) {
      case "trade":
        if (result.trades.length === 0) return [];
        // Newest first, as the trade snapshot lists them.
        return this.memo(`trade:${sub.market}`, () => [tradeFrame("update", sub.market, [...result.trades].reverse(), now)]);
      case "ticker":
        if (!result.tickerChanged) return [];
        return this.memo(`ticker:${sub.market}`, () => [tickerFrame("update", sub.market, exchange.market(sub.market).ticker(), now)]);
      case "kline": {
        const resolution = sub.resolution ?? DEFAULT_RESOLUTION;
        if (!result.candles.has(resolution)) return [];
        return this.memo(`kline:${sub.market}:${resolution}`, () => {
          const market = exchange.market(sub.market);
          const closed = result.candles.get(resolution);
          const frames = closed ? [klineFrame("update", sub.market, market.kline(resolution, closed), now)] : [];
          frames.push(klineFrame("update", sub.market, market.kline(resolution), now));
          return frames;
        });
      }
      case "market_status":
        if (!round.statusChanged) return [];
        return this.memo("market_status", () => [marketStatusFrame("update", exchange.marketStatuses(), now)]);
      case "pool_quota":
        if (!round.pools.has(sub.currency)) return [];
        return this.memo(`pool_quota:${sub.currency}`, () => [poolQuotaFrame("update", exchange.poolQuota(sub.currency), now)]);
      default:
        return [];
    }
  }
}

export function pushRound(conn, frames) {
  const { exchange, round } = frames;
  for (const [key, sub] of conn.subscriptions) {
    if (!conn.open) return;
    if (conn.isSilenced(key)) {
      conn.stats.framesSilenced += 1;
      continue;
    }
    if (sub.channel === "book") {
      if (round.markets.get(sub.market).bookChanged) {
        conn.pushBook(conn.books.get(sub.market), exchange.market(sub.market).book, round.now);
      }
      continue;
    }
    for (const frame of frames.forSubscription(sub)) conn.send(frame);
  }
  if (conn.filters) {
    for (const [kind, payload] of round.privateEvents) {
      for (const frame of privateUpdates(kind, payload, conn.filters, round.now)) conn.send(frame);
    }
  }
}
