// A simulated user behind the accepted API key: spot and M-Wallet orders that
// get placed, filled and cancelled, with the trades, balances, borrowings and
// AD ratio that follow. Shared by every connection that authenticates with the
// key, so a reconnecting client finds the same orders in its snapshots.

import { formatFixed, formatTrimmed, toUnits } from "./decimal.js";
import { deriveRng } from "./rng.js";

const AMOUNT_DECIMALS = 8;
const RECENT_TRADES = 20;
const FEE_RATE = 0.0015;

const STARTING_BALANCE = { btc: 1.5, eth: 20, usdt: 50_000, twd: 2_000_000 };

const amount = (units) => formatTrimmed(units, AMOUNT_DECIMALS);

// One wallet: spot, or M-Wallet (margin). Same order life cycle in both.
class Wallet {
  constructor(currencies) {
    this.balances = new Map();
    for (const cu of currencies) {
      this.balances.set(cu, { av: toUnits(STARTING_BALANCE[cu] ?? 1000, AMOUNT_DECIMALS), l: 0, TU: 0 });
    }
    this.orders = new Map();
    this.trades = [];
  }

  openOrders() {
    return [...this.orders.values()].filter((o) => o.S === "wait");
  }
}

export class UserAccount {
  constructor({ seed, apiKey, markets, now }) {
    this.rng = deriveRng(seed, `account/${apiKey}`);
    this.markets = markets;
    const specs = [...markets.values()].map((m) => m.spec);
    const currencies = new Set(specs.flatMap((s) => [s.base, s.quote]));
    this.spot = new Wallet(currencies);
    // M-Wallet trades only the markets that MAX marks `mws` (quoted in usdt).
    this.marginMarkets = specs.filter((s) => s.quote === "usdt").map((s) => s.market);
    const marginCurrencies = new Set(specs.filter((s) => s.quote === "usdt").flatMap((s) => [s.base, s.quote]));
    this.margin = new Wallet(marginCurrencies);
    this.borrowings = new Map([["usdt", { dbp: toUnits(500, AMOUNT_DECIMALS), dbi: 0, TU: now }]]);
    this.adUpdatedAt = now;
    this.nextOrderId = this.rng.int(100_000_000, 999_999_999);
    this.nextTradeId = this.rng.int(1_000_000, 9_999_999);
    this.nextClientId = 1;
  }

  // One round of account activity; returns the private events it caused as
  // [kind, payload] pairs, kind being the event name without its suffix
  // ("order", "trade", "account", "mwallet_order", ..., "ad_ratio", "borrowing").
  tick(now) {
    const events = [];
    if (this.rng.chance(0.3)) this.act(this.spot, "", [...this.markets.keys()], now, events);
    if (this.marginMarkets.length > 0 && this.rng.chance(0.15)) {
      this.act(this.margin, "mwallet_", this.marginMarkets, now, events);
    }
    if (this.rng.chance(0.1)) {
      for (const debt of this.borrowings.values()) {
        debt.dbi += Math.max(1, Math.round(debt.dbp * 0.00000875));
        debt.TU = now;
      }
      events.push(["borrowing", this.borrowingList()]);
    }
    if (this.rng.chance(0.1)) {
      this.adUpdatedAt = now;
      events.push(["ad_ratio", this.adRatio()]);
    }
    return events;
  }

  act(wallet, prefix, markets, now, events) {
    const open = wallet.openOrders();
    const roll = this.rng();
    if (open.length < 2 || roll < 0.4) this.place(wallet, prefix, this.rng.pick(markets), now, events);
    else if (roll < 0.8) this.fill(wallet, prefix, this.rng.pick(open), now, events);
    else this.cancel(wallet, prefix, this.rng.pick(open), now, events);
  }

  place(wallet, prefix, market, now, events) {
    const sim = this.markets.get(market);
    const { spec, book } = sim;
    const sd = this.rng.chance(0.5) ? "bid" : "ask";
    const offset = this.rng.int(0, 20) * sim.gap;
    const tick = sd === "bid" ? Math.max(1, book.bids.best() - offset) : book.asks.best() + offset;
    const volume = sim.randomVolume();
    const order = {
      id: this.nextOrderId++,
      market,
      sd,
      ot: this.rng.pick(["limit", "limit", "post_only"]),
      tick,
      volume,
      executed: 0,
      funds: 0,
      S: "wait",
      tc: 0,
      T: now,
      TU: now,
      gi: this.rng.chance(0.2) ? this.rng.int(1, 999) : null,
      ci: this.rng.chance(0.5) ? `sim-${this.nextClientId++}` : null,
      spec,
    };
    const [cu, locked] = this.lockFor(order, volume);
    const balance = wallet.balances.get(cu);
    if (balance.av < locked) return;
    balance.av -= locked;
    balance.l += locked;
    balance.TU = now;
    wallet.orders.set(order.id, order);
    this.forgetOldOrders(wallet);
    events.push([`${prefix}order`, [this.orderPayload(order)]]);
    events.push([`${prefix}account`, [this.balancePayload(wallet, cu, prefix)]]);
  }

  fill(wallet, prefix, order, now, events) {
    const { spec } = order;
    const remaining = order.volume - order.executed;
    const volume = this.rng.chance(0.5) ? remaining : Math.max(1, Math.floor(remaining / 2));
    order.executed += volume;
    order.tc += 1;
    order.TU = now;
    if (order.executed === order.volume) order.S = "done";
    // Amounts move between currencies in AMOUNT_DECIMALS units.
    const baseUnits = toUnits(volume / 10 ** spec.volumeDecimals, AMOUNT_DECIMALS);
    const quoteUnits = toUnits((volume / 10 ** spec.volumeDecimals) * (order.tick / 10 ** spec.priceDecimals), AMOUNT_DECIMALS);
    order.funds += quoteUnits;
    const [paidCu, paid] = order.sd === "bid" ? [spec.quote, quoteUnits] : [spec.base, baseUnits];
    const [gotCu, got] = order.sd === "bid" ? [spec.base, baseUnits] : [spec.quote, quoteUnits];
    const fee = Math.round(got * FEE_RATE);
    const paying = wallet.balances.get(paidCu);
    paying.l = Math.max(0, paying.l - paid);
    paying.TU = now;
    const getting = wallet.balances.get(gotCu);
    getting.av += got - fee;
    getting.TU = now;
    const trade = {
      i: this.nextTradeId++,
      M: order.market,
      sd: order.sd,
      p: formatFixed(order.tick, spec.priceDecimals),
      v: formatTrimmed(volume, spec.volumeDecimals),
      f: amount(fee),
      fc: gotCu,
      fd: false,
      fn: amount(quoteUnits),
      T: now,
      TU: now,
      m: true,
      oi: order.id,
    };
    // The documented M-Wallet trades carry no `fd`.
    if (prefix) delete trade.fd;
    wallet.trades.unshift(trade);
    if (wallet.trades.length > RECENT_TRADES) wallet.trades.pop();
    events.push([`${prefix}trade`, [trade]]);
    events.push([`${prefix}order`, [this.orderPayload(order)]]);
    events.push([`${prefix}account`, [paidCu, gotCu].map((cu) => this.balancePayload(wallet, cu, prefix))]);
  }

  cancel(wallet, prefix, order, now, events) {
    order.S = "cancel";
    order.TU = now;
    const [cu, locked] = this.lockFor(order, order.volume - order.executed);
    const balance = wallet.balances.get(cu);
    const released = Math.min(balance.l, locked);
    balance.l -= released;
    balance.av += released;
    balance.TU = now;
    events.push([`${prefix}order`, [this.orderPayload(order)]]);
    events.push([`${prefix}account`, [this.balancePayload(wallet, cu, prefix)]]);
  }

  // Currency and amount an order keeps locked for `volume` still to trade.
  lockFor(order, volume) {
    const { spec } = order;
    const base = volume / 10 ** spec.volumeDecimals;
    if (order.sd === "ask") return [spec.base, toUnits(base, AMOUNT_DECIMALS)];
    return [spec.quote, toUnits(base * (order.tick / 10 ** spec.priceDecimals), AMOUNT_DECIMALS)];
  }

  forgetOldOrders(wallet) {
    if (wallet.orders.size <= 50) return;
    for (const [id, order] of wallet.orders) {
      if (order.S !== "wait") wallet.orders.delete(id);
      if (wallet.orders.size <= 50) break;
    }
  }

  orderPayload(order) {
    const { spec } = order;
    const average = order.executed > 0 ? order.tick : 0;
    return {
      i: order.id,
      sd: order.sd,
      ot: order.ot,
      p: formatFixed(order.tick, spec.priceDecimals),
      sp: null,
      ap: formatFixed(average, spec.priceDecimals),
      v: formatTrimmed(order.volume, spec.volumeDecimals),
      rv: formatTrimmed(order.volume - order.executed, spec.volumeDecimals),
      ev: formatTrimmed(order.executed, spec.volumeDecimals),
      S: order.S,
      M: order.market,
      tc: order.tc,
      T: order.T,
      TU: order.TU,
      gi: order.gi,
      ci: order.ci,
    };
  }

  // The fixtures show spot balances with `TU` and M-Wallet balances without.
  balancePayload(wallet, cu, prefix) {
    const b = wallet.balances.get(cu);
    const payload = { cu, av: amount(b.av), l: amount(b.l), stk: null };
    if (!prefix) payload.TU = b.TU;
    return payload;
  }

  // Snapshot payloads by filter kind; open orders and recent trades, as the
  // snapshots after authentication carry.
  snapshot(kind) {
    switch (kind) {
      case "order":
        return this.spot.openOrders().map((o) => this.orderPayload(o));
      case "mwallet_order":
        return this.margin.openOrders().map((o) => this.orderPayload(o));
      case "trade":
        return [...this.spot.trades];
      case "mwallet_trade":
        return [...this.margin.trades];
      case "account":
        return [...this.spot.balances.keys()].map((cu) => this.balancePayload(this.spot, cu, ""));
      case "mwallet_account":
        return [...this.margin.balances.keys()].map((cu) => this.balancePayload(this.margin, cu, "mwallet_"));
      case "ad_ratio":
        return this.adRatio();
      case "borrowing":
        return this.borrowingList();
      default:
        throw new Error(`no snapshot for ${kind}`);
    }
  }

  borrowingList() {
    return [...this.borrowings].map(([cu, d]) => ({ cu, dbp: amount(d.dbp), dbi: amount(d.dbi), TU: d.TU }));
  }

  // Asset and debt valued in usdt at the markets' last prices.
  adRatio() {
    const usdtPrice = (cu) => (cu === "usdt" ? 1 : this.markets.get(`${cu}usdt`)?.lastPrice() ?? 0);
    let asset = 0;
    for (const [cu, b] of this.margin.balances) asset += ((b.av + b.l) / 10 ** AMOUNT_DECIMALS) * usdtPrice(cu);
    let debt = 0;
    for (const [cu, d] of this.borrowings) debt += ((d.dbp + d.dbi) / 10 ** AMOUNT_DECIMALS) * usdtPrice(cu);
    return {
      ad: amount(toUnits(debt > 0 ? asset / debt : 0, AMOUNT_DECIMALS)),
      as: amount(toUnits(asset, AMOUNT_DECIMALS)),
      db: amount(toUnits(debt, AMOUNT_DECIMALS)),
      idxp: this.marginMarkets.map((M) => ({ M, p: this.markets.get(M).ticker().C })),
      TU: this.adUpdatedAt,
    };
  }
}
