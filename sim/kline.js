// Candles at MAX's resolutions, aligned to multiples of the resolution since
// the epoch (UTC), as MAX's kline channel aligns them.

export const RESOLUTIONS = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "2h": 7_200_000,
  "4h": 14_400_000,
  "6h": 21_600_000,
  "12h": 43_200_000,
  "1d": 86_400_000,
};

export class CandleSeries {
  constructor(resolution, now, price, lastTradeId) {
    this.resolution = resolution;
    this.span = RESOLUTIONS[resolution];
    this.current = this.open(now, price, lastTradeId);
  }

  open(now, price, lastTradeId) {
    const start = Math.floor(now / this.span) * this.span;
    return {
      start,
      end: start + this.span - 1,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 0,
      lastTradeId,
      closed: false,
    };
  }

  // When `now` is past the current candle, closes it and opens the next one
  // at the last close; returns the closed candle so subscribers get its final
  // (x: true) update. Periods without a tick in between are skipped.
  roll(now) {
    if (now <= this.current.end) return null;
    const closed = { ...this.current, closed: true };
    this.current = this.open(now, closed.close, closed.lastTradeId);
    return closed;
  }

  addTrade(price, volume, tradeId) {
    const c = this.current;
    c.high = Math.max(c.high, price);
    c.low = Math.min(c.low, price);
    c.close = price;
    c.volume += volume;
    c.lastTradeId = tradeId;
  }
}
