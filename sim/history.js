// The candles of one market at one resolution that the REST k-line endpoint answers with: the
// candles that closed while the simulator ran (the very ones the kline channel sent) and, before
// those, a past generated on first request. The past is a mean-reverting walk back from the price
// the simulator started at, with the spread of prices the live market has (its fair price is pulled
// back to the same reference), so it joins the live candles without a jump or a change of pace;
// each resolution has its own walk (a 5m candle of that past is not the sum of the 1m ones).

import { toUnits } from "./decimal.js";
import { deriveRng } from "./rng.js";

// The most candles generated before the start, per resolution; older requests get fewer rows.
export const PAST_LIMIT = 20_000;
// The most candles kept from the run itself, per resolution (oldest dropped first).
const RECORDED_LIMIT = 20_000;
// The live fair price takes steps of about one level gap and is pulled back by 0.1 % of its distance
// per round, so it stays within about 22 gaps of the reference: the past keeps to that band.
const BAND_GAPS = 22;
// How fast the past is pulled back to the reference, per minute, and how far it moves in a minute.
const REVERSION_PER_MINUTE = 0.01;
const MINUTE_STEP_GAPS = 3;

export class CandleHistory {
  constructor({ spec, seed, resolution, span, firstStart, startPrice, gap }) {
    this.spec = spec;
    this.gap = gap;
    this.rng = deriveRng(seed, `history/${spec.market}/${resolution}`);
    this.span = span;
    this.firstStart = firstStart;
    this.startPrice = startPrice;
    this.past = []; // newest first: past[0] ends where the first live candle starts
    this.recorded = []; // oldest first
  }

  /** A candle the kline channel has just sent as closed. */
  record(candle) {
    this.recorded.push(candle);
    if (this.recorded.length > 2 * RECORDED_LIMIT) this.recorded.splice(0, this.recorded.length - RECORDED_LIMIT);
  }

  /**
   * Up to `limit` candles, oldest first, ending with the last one that starts at or before `endMs`;
   * `current` (the candle in progress) comes last when it qualifies.
   */
  candles({ limit, endMs = Infinity, current }) {
    const live = [...this.recorded, current].filter((c) => c.start <= endMs);
    const pastEnd = Math.min(endMs, this.firstStart - 1);
    // Past candle k (1, 2, ...) starts at firstStart - k * span; the newest wanted is k = skip + 1.
    const skip = Math.max(0, Math.ceil((this.firstStart - pastEnd) / this.span) - 1);
    const wanted = Math.max(0, limit - live.length);
    this.generate(Math.min(PAST_LIMIT, skip + wanted));
    const past = this.past.slice(skip, skip + wanted).reverse();
    return [...past, ...live].slice(-limit);
  }

  generate(count) {
    const { rng, spec } = this;
    const reference = this.startPrice;
    const minutes = this.span / 60_000;
    const band = BAND_GAPS * this.gap;
    // An Ornstein-Uhlenbeck walk sampled once a candle (it reads the same backwards in time).
    const pull = (1 - REVERSION_PER_MINUTE) ** minutes;
    const step = Math.max(1, band * Math.sqrt(1 - pull * pull));
    const wick = Math.max(1, 0.6 * Math.min(band, MINUTE_STEP_GAPS * this.gap * Math.sqrt(minutes)));
    const normal = () => 2 * (rng() + rng() + rng() - 1.5);
    // Volume as if 40 trades a minute of the live simulation's sizes (log-uniform) had made it.
    const meanTrade = (spec.maxVolume - spec.minVolume) / Math.log(spec.maxVolume / spec.minVolume);
    const typical = meanTrade * 40 * (this.span / 60_000);
    while (this.past.length < count) {
      const newer = this.past.at(-1);
      const close = newer ? newer.open : reference;
      const open = Math.max(1, Math.round(reference + (close - reference) * pull + step * normal()));
      const high = Math.max(open, close) + Math.round(Math.abs(wick * normal()));
      const low = Math.max(1, Math.min(open, close) - Math.round(Math.abs(wick * normal())));
      const start = this.firstStart - (this.past.length + 1) * this.span;
      const volume = Math.max(1, toUnits(typical * (0.4 + 1.2 * rng()), spec.volumeDecimals));
      this.past.push({ start, end: start + this.span - 1, open, high, low, close, volume, closed: true });
    }
  }
}
