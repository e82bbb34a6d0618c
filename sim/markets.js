// What the simulator knows about each market: the units it trades in and
// plausible sizes, so that generated books look like MAX's and a client's
// decimal handling meets realistic precisions (2, 1 and 3 price decimals).

export const DEFAULT_MARKETS = ["btcusdt", "ethusdt", "btctwd", "ethtwd", "usdttwd"];

const KNOWN = {
  btcusdt: { refPrice: 60000, priceDecimals: 2, volumeDecimals: 6, minVolume: 0.0001, maxVolume: 1.5, mba: 0.0001, mqa: 8 },
  ethusdt: { refPrice: 3000, priceDecimals: 2, volumeDecimals: 4, minVolume: 0.004, maxVolume: 20, mba: 0.004, mqa: 8 },
  btctwd: { refPrice: 1950000, priceDecimals: 1, volumeDecimals: 8, minVolume: 0.0004, maxVolume: 1.5, mba: 0.0004, mqa: 250 },
  ethtwd: { refPrice: 100000, priceDecimals: 1, volumeDecimals: 4, minVolume: 0.0075, maxVolume: 20, mba: 0.0075, mqa: 250 },
  usdttwd: { refPrice: 32.5, priceDecimals: 3, volumeDecimals: 2, minVolume: 8, maxVolume: 20000, mba: 8, mqa: 250 },
};

// Longest first, so "usdttwd" splits as usdt/twd and not us/dttwd.
const QUOTES = ["usdc", "usdt", "twd", "btc", "eth"];

export function marketSpec(market) {
  if (typeof market !== "string" || !/^[a-z0-9]+$/.test(market)) {
    throw new TypeError(`market names are lowercase alphanumeric strings, got ${JSON.stringify(market)}`);
  }
  const quote = QUOTES.find((q) => market.endsWith(q) && market.length > q.length);
  if (!quote) throw new RangeError(`cannot tell the quote currency of market ${market}`);
  const base = market.slice(0, -quote.length);
  const known = KNOWN[market] ?? {
    refPrice: 100, priceDecimals: 2, volumeDecimals: 4, minVolume: 0.01, maxVolume: 50, mba: 0.01, mqa: 1,
  };
  return { market, base, quote, ...known };
}

// The wire's `ms` entry for a market.
export function marketStatus(spec) {
  return {
    M: spec.market,
    st: "active",
    bu: spec.base,
    bup: spec.volumeDecimals,
    mba: spec.mba,
    qu: spec.quote,
    qup: spec.priceDecimals,
    mqa: spec.mqa,
    mws: spec.quote === "usdt",
  };
}

export function currenciesOf(specs) {
  const set = new Set();
  for (const spec of specs) {
    set.add(spec.base);
    set.add(spec.quote);
  }
  return [...set];
}
