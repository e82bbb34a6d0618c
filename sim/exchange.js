// The simulated exchange as a whole: its markets, the M-Wallet borrow pools,
// market statuses and the user behind the API key. It knows nothing about
// sockets; one `tick` advances everything and reports what changed.

import { MarketSimulation } from "./market.js";
import { currenciesOf, marketSpec, marketStatus } from "./markets.js";
import { UserAccount } from "./account.js";
import { formatTrimmed, toUnits } from "./decimal.js";
import { deriveRng } from "./rng.js";

const POOL_DECIMALS = 8;
const POOL_START = { usdt: 500_000, btc: 20, eth: 300, twd: 10_000_000 };

export class Exchange {
  constructor({ markets, seed, apiKey, historyLimit, now }) {
    this.markets = new Map();
    const specs = markets.map(marketSpec);
    for (const spec of specs) {
      this.markets.set(
        spec.market,
        new MarketSimulation(spec, { seed, now, historyLimit, btcPrice: (quote) => this.btcPrice(quote) }),
      );
    }
    this.currencies = new Set(currenciesOf(specs));
    this.rng = deriveRng(seed, "exchange");
    this.pools = new Map();
    for (const cu of this.currencies) {
      this.pools.set(cu, { av: toUnits(POOL_START[cu] ?? 1000, POOL_DECIMALS), TU: now });
    }
    this.account = new UserAccount({ seed, apiKey, markets: this.markets, now });
  }

  market(name) {
    const market = this.markets.get(name);
    if (!market) throw new RangeError(`unknown market ${name}`);
    return market;
  }

  btcPrice(quote) {
    return this.markets.get(`btc${quote}`)?.lastPrice() ?? null;
  }

  // `changeVersion(market)` decides, per market, whether its book gets a new
  // version this round (the fault injector's roll).
  tick(now, changeVersion = () => false) {
    const markets = new Map();
    for (const [name, market] of this.markets) {
      const versionChanged = changeVersion(name);
      if (versionChanged) market.changeVersion(now);
      const result = market.tick(now);
      result.versionChanged = versionChanged;
      markets.set(name, result);
    }
    const pools = new Set();
    for (const [cu, pool] of this.pools) {
      if (!this.rng.chance(0.2)) continue;
      const step = Math.round(pool.av * 0.01 * (this.rng() * 2 - 1));
      pool.av = Math.max(0, pool.av + step);
      pool.TU = now;
      pools.add(cu);
    }
    // MAX re-announces market statuses now and then; nothing here suspends
    // a market, so the update repeats the same list.
    const statusChanged = this.rng.chance(0.01);
    return { now, markets, pools, statusChanged, privateEvents: this.account.tick(now) };
  }

  marketStatuses() {
    return [...this.markets.values()].map((m) => marketStatus(m.spec));
  }

  poolQuota(cu) {
    const pool = this.pools.get(cu);
    return { cu, av: formatTrimmed(pool.av, POOL_DECIMALS), TU: pool.TU };
  }
}
