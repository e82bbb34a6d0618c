// Generated activity of one market: a book that moves, public trades taken
// from the book's best levels, candles and a ticker following those trades.

import { OrderBook } from "./book.js";
import { CandleSeries, RESOLUTIONS } from "./kline.js";
import { CandleHistory } from "./history.js";
import { formatFixed, formatTrimmed, toUnits } from "./decimal.js";
import { deriveRng } from "./rng.js";

const TARGET_LEVELS = 100;
const MIN_LEVELS = 60;
const MAX_LEVELS = 140;
const RECENT_TRADES = 50;

export class MarketSimulation {
  constructor(spec, { seed, now, historyLimit, btcPrice }) {
    this.spec = spec;
    this.rng = deriveRng(seed, `market/${spec.market}`);
    this.btcPrice = btcPrice;
    this.refTick = toUnits(spec.refPrice, spec.priceDecimals);
    // Level spacing such that 100 levels span about 0.5 % of the price;
    // resting orders land within `window` ticks of the fair price.
    this.gap = Math.max(1, Math.round((this.refTick * 0.005) / TARGET_LEVELS));
    this.window = Math.round(TARGET_LEVELS * 1.5 * this.gap);
    this.fair = this.refTick;
    this.book = new OrderBook({
      priceDecimals: spec.priceDecimals,
      volumeDecimals: spec.volumeDecimals,
      updateId: this.rng.int(1_000_000, 9_999_999),
      version: now,
      historyLimit,
    });
    this.seedBook();
    this.lastTradeId = this.rng.int(10_000_000, 99_999_999);
    this.recentTrades = [];
    this.candles = new Map();
    for (const resolution of Object.keys(RESOLUTIONS)) {
      this.candles.set(resolution, new CandleSeries(resolution, now, this.refTick, this.lastTradeId));
    }
    // What the REST k-line endpoint answers: the past before now, then every candle that closes.
    this.history = new Map();
    for (const [resolution, series] of this.candles) {
      const { span, current } = series;
      this.history.set(resolution, new CandleHistory({ spec, seed, resolution, span, firstStart: current.start, startPrice: this.refTick, gap: this.gap }));
    }
    // A few trades before anyone connects, so the first trade snapshot is
    // not empty; the book after them is where its history starts.
    for (let i = 10; i > 0; i--) this.trade(now - i * 1000);
    this.book.firstId = this.book.updateId;
  }

  get market() {
    return this.spec.market;
  }

  // The starting book is the state at the first update id, not a change.
  seedBook() {
    let ask = this.refTick + this.gap;
    let bid = this.refTick - this.gap;
    for (let i = 0; i < TARGET_LEVELS; i++) {
      this.book.asks.set(ask, this.randomVolume());
      this.book.bids.set(bid, this.randomVolume());
      ask += this.rng.int(1, 2 * this.gap);
      bid -= this.rng.int(1, 2 * this.gap);
    }
  }

  // Log-uniform, so small orders are common and big ones rare.
  randomVolume() {
    const { minVolume, maxVolume, volumeDecimals } = this.spec;
    const lo = Math.log(minVolume);
    const value = Math.exp(lo + this.rng() * (Math.log(maxVolume) - lo));
    return Math.max(1, toUnits(value, volumeDecimals));
  }

  // One round of activity. Each book change and each trade is its own update
  // id, so an update frame usually spans several ids (fi < li).
  tick(now) {
    const closed = this.rollCandles(now);
    const startId = this.book.updateId;
    this.moveFair();
    const changes = this.rng.int(1, 3);
    for (let i = 0; i < changes; i++) this.changeBook(i === 0 && this.rng.chance(0.85));
    if (this.rng.chance(0.45)) this.book.apply([this.quoteNearFair()]);
    const trades = [];
    if (this.rng.chance(0.55)) {
      const count = this.rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const trade = this.trade(now);
        if (trade) trades.push(trade);
      }
    }
    // Per resolution whose candle moved: the candle that closed (if any),
    // whose final update goes out before the current one.
    const candles = new Map();
    for (const resolution of this.candles.keys()) {
      if (closed.has(resolution) || trades.length > 0) candles.set(resolution, closed.get(resolution) ?? null);
    }
    return {
      bookChanged: this.book.updateId !== startId,
      trades,
      candles,
      tickerChanged: trades.length > 0 || closed.has("1d"),
    };
  }

  rollCandles(now) {
    const closed = new Map();
    for (const [resolution, series] of this.candles) {
      const candle = series.roll(now);
      if (candle) {
        closed.set(resolution, candle);
        this.history.get(resolution).record(candle);
      }
    }
    return closed;
  }

  // A new book version, as MAX publishes after rebuilding a market's book:
  // it comes with a change at the top so every subscriber's view moves.
  changeVersion(now) {
    const version = Math.max(this.book.version + 1, now);
    this.book.apply([this.bestVolumeChange()], version);
  }

  // The fair price takes a random step and is pulled back toward the
  // reference: prices wander by a few tenths of a percent, and a run of
  // hours still looks like the same market.
  moveFair() {
    const step = (this.rng() + this.rng() + this.rng() - 1.5) * 2 * this.gap;
    this.fair += Math.round(step + (this.refTick - this.fair) * 0.001);
    this.fair = Math.max(2 * this.gap + 1, this.fair);
  }

  changeBook(atTop) {
    const { book } = this;
    if (atTop) return book.apply([this.rng.chance(0.5) ? this.bestVolumeChange() : this.quoteNearFair()]);
    const sideName = this.rng.chance(0.5) ? "a" : "b";
    const side = book.side(sideName);
    const far = sideName === "a" ? side.worst() - this.fair : this.fair - side.worst();
    if (side.size > MAX_LEVELS || (far > 1.5 * this.window && side.size > MIN_LEVELS)) {
      return book.apply([[sideName, side.worst(), 0]]);
    }
    // Adds outweigh removals while the side is short of its target size.
    const addWeight = Math.min(0.8, Math.max(0.1, 0.35 + (TARGET_LEVELS - side.size) / TARGET_LEVELS));
    const roll = this.rng();
    if (roll < addWeight) return book.apply([[sideName, this.restingTick(sideName), this.randomVolume()]]);
    const index = Math.floor(this.rng() ** 2 * side.size);
    if (roll < addWeight + 0.3 && side.size > MIN_LEVELS) return book.apply([[sideName, side.at(index), 0]]);
    return book.apply([[sideName, side.at(index), this.randomVolume()]]);
  }

  bestVolumeChange() {
    const sideName = this.rng.chance(0.5) ? "a" : "b";
    return [sideName, this.book.side(sideName).best(), this.randomVolume()];
  }

  // A maker quoting within one gap of the fair price: keeps the spread
  // narrow and makes the book follow the fair price.
  quoteNearFair() {
    const { book } = this;
    const wider = book.asks.best() - this.fair > this.fair - book.bids.best() ? "a" : "b";
    const sideName = this.rng.chance(0.75) ? wider : wider === "a" ? "b" : "a";
    return [sideName, this.uncrossed(sideName, this.rng.int(1, this.gap)), this.randomVolume()];
  }

  // A resting order somewhere in the window behind the fair price.
  restingTick(sideName) {
    return this.uncrossed(sideName, this.gap + Math.floor(this.rng() ** 1.5 * this.window));
  }

  // The price `distance` ticks from the fair price on `sideName`, moved just
  // past the other side's best level where it would cross it.
  uncrossed(sideName, distance) {
    const { book } = this;
    if (sideName === "a") return Math.max(this.fair + distance, book.bids.best() + 1);
    return Math.max(1, Math.min(this.fair - distance, book.asks.best() - 1));
  }

  // A taker trade against the best level. Buyers take asks priced below the
  // fair price, sellers bids above it, so the book follows the fair price.
  trade(now) {
    const { book } = this;
    const mid = (book.asks.best() + book.bids.best()) / 2;
    const pUp = Math.min(0.9, Math.max(0.1, 0.5 + (0.2 * (this.fair - mid)) / this.gap));
    const up = this.rng.chance(pUp);
    const sideName = up ? "a" : "b";
    const side = book.side(sideName);
    if (side.size <= MIN_LEVELS / 2) return null;
    const tick = side.best();
    const available = side.get(tick);
    const volume = Math.min(available, this.randomVolume());
    book.apply([[sideName, tick, available - volume]]);
    this.lastTradeId += 1;
    for (const series of this.candles.values()) series.addTrade(tick, volume, this.lastTradeId);
    const trade = { p: book.formatPrice(tick), v: book.formatVolume(volume), T: now, tr: up ? "up" : "down" };
    this.recentTrades.unshift(trade);
    if (this.recentTrades.length > RECENT_TRADES) this.recentTrades.pop();
    return trade;
  }

  lastPrice() {
    return this.candles.get("1d").current.close / 10 ** this.spec.priceDecimals;
  }

  // MAX's ticker is a rolling 24 h; the current UTC day's candle is close
  // enough for a simulator and stays consistent with the 1d kline.
  ticker() {
    const day = this.candles.get("1d").current;
    const { priceDecimals, volumeDecimals, base, quote } = this.spec;
    const volume = day.volume / 10 ** volumeDecimals;
    let inBtc = 0;
    if (base === "btc") inBtc = volume;
    else {
      const btc = this.btcPrice(quote);
      if (btc) inBtc = (volume * this.lastPrice()) / btc;
    }
    return {
      M: this.market,
      O: formatFixed(day.open, priceDecimals),
      H: formatFixed(day.high, priceDecimals),
      L: formatFixed(day.low, priceDecimals),
      C: formatFixed(day.close, priceDecimals),
      v: formatTrimmed(day.volume, volumeDecimals),
      V: formatTrimmed(toUnits(inBtc, 8), 8),
    };
  }

  kline(resolution, candle = this.candles.get(resolution).current) {
    const { priceDecimals, volumeDecimals } = this.spec;
    return {
      ST: candle.start,
      ET: candle.end,
      M: this.market,
      R: resolution,
      O: formatFixed(candle.open, priceDecimals),
      H: formatFixed(candle.high, priceDecimals),
      L: formatFixed(candle.low, priceDecimals),
      C: formatFixed(candle.close, priceDecimals),
      v: formatTrimmed(candle.volume, volumeDecimals),
      ti: candle.lastTradeId,
      x: candle.closed,
    };
  }
}
