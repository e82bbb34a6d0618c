// Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.
//
// The builders of decoded objects: each reads its object's presence mask, then its present
// fields in table order (bit i is field i of the table, the bit after the last says `extra`).

/** The reader of a decoded message, over the tape primitives of js/decode.js. */
export function makeReaders({ num, str, date, bool, list, level, extra }) {
  function readSubscriptionEcho() {
    const m = num();
    const o = {};
    if (m & 0x1) o.channel = str();
    if (m & 0x2) o.market = str();
    if (m & 0x4) o.depth = num();
    if (m & 0x8) o.resolution = str();
    if (m & 0x10) o.currency = str();
    if (m & 0x20) o.extra = extra();
    return o;
  }

  function readTicker() {
    const m = num();
    const o = {};
    if (m & 0x1) o.market = str();
    if (m & 0x2) o.open = str();
    if (m & 0x4) o.high = str();
    if (m & 0x8) o.low = str();
    if (m & 0x10) o.close = str();
    if (m & 0x20) o.volume = str();
    if (m & 0x40) o.volumeInBtc = str();
    if (m & 0x80) o.extra = extra();
    return o;
  }

  function readOrder() {
    const m = num();
    const o = {};
    if (m & 0x1) o.orderId = num();
    if (m & 0x2) o.side = str();
    if (m & 0x4) o.orderType = str();
    if (m & 0x8) o.price = str();
    if (m & 0x10) o.stopPrice = str();
    if (m & 0x20) o.averagePrice = str();
    if (m & 0x40) o.state = str();
    if (m & 0x80) o.market = str();
    if (m & 0x100) o.createdAt = date();
    if (m & 0x200) o.updatedAt = date();
    if (m & 0x400) o.volume = str();
    if (m & 0x800) o.remainingVolume = str();
    if (m & 0x1000) o.executedVolume = str();
    if (m & 0x2000) o.tradeCount = num();
    if (m & 0x4000) o.clientOrderId = str();
    if (m & 0x8000) o.groupId = num();
    if (m & 0x10000) o.extra = extra();
    return o;
  }

  function readTrade() {
    const m = num();
    const o = {};
    if (m & 0x1) o.id = num();
    if (m & 0x2) o.market = str();
    if (m & 0x4) o.side = str();
    if (m & 0x8) o.price = str();
    if (m & 0x10) o.volume = str();
    if (m & 0x20) o.fee = str();
    if (m & 0x40) o.feeCurrency = str();
    if (m & 0x80) o.feeDiscounted = bool();
    if (m & 0x100) o.funds = str();
    if (m & 0x200) o.createdAt = date();
    if (m & 0x400) o.updatedAt = date();
    if (m & 0x800) o.maker = bool();
    if (m & 0x1000) o.orderId = num();
    if (m & 0x2000) o.trend = str();
    if (m & 0x4000) o.extra = extra();
    return o;
  }

  function readBalance() {
    const m = num();
    const o = {};
    if (m & 0x1) o.currency = str();
    if (m & 0x2) o.available = str();
    if (m & 0x4) o.locked = str();
    if (m & 0x8) o.staked = str();
    if (m & 0x10) o.balanceUpdatedTime = date();
    if (m & 0x20) o.extra = extra();
    return o;
  }

  function readKline() {
    const m = num();
    const o = {};
    if (m & 0x1) o.startTime = date();
    if (m & 0x2) o.endTime = date();
    if (m & 0x4) o.market = str();
    if (m & 0x8) o.resolution = str();
    if (m & 0x10) o.open = str();
    if (m & 0x20) o.high = str();
    if (m & 0x40) o.low = str();
    if (m & 0x80) o.close = str();
    if (m & 0x100) o.volume = str();
    if (m & 0x200) o.lastTradeId = num();
    if (m & 0x400) o.closed = bool();
    if (m & 0x800) o.quoteVolume = str();
    if (m & 0x1000) o.extra = extra();
    return o;
  }

  function readMarketStatus() {
    const m = num();
    const o = {};
    if (m & 0x1) o.market = str();
    if (m & 0x2) o.status = str();
    if (m & 0x4) o.baseUnit = str();
    if (m & 0x8) o.baseUnitPrecision = num();
    if (m & 0x10) o.minimalBaseAmount = num();
    if (m & 0x20) o.quoteUnit = str();
    if (m & 0x40) o.quoteUnitPrecision = num();
    if (m & 0x80) o.minimalQuoteAmount = num();
    if (m & 0x100) o.mwalletSupported = bool();
    if (m & 0x200) o.extra = extra();
    return o;
  }

  function readPoolQuota() {
    const m = num();
    const o = {};
    if (m & 0x1) o.currency = str();
    if (m & 0x2) o.available = str();
    if (m & 0x4) o.updatedAt = date();
    if (m & 0x8) o.extra = extra();
    return o;
  }

  function readIndexPrice() {
    const m = num();
    const o = {};
    if (m & 0x1) o.market = str();
    if (m & 0x2) o.price = str();
    if (m & 0x4) o.extra = extra();
    return o;
  }

  function readAdRatio() {
    const m = num();
    const o = {};
    if (m & 0x1) o.adRatio = str();
    if (m & 0x2) o.assetInUsdt = str();
    if (m & 0x4) o.debtInUsdt = str();
    if (m & 0x8) o.indexPrices = list(readIndexPrice);
    if (m & 0x10) o.updatedAt = date();
    if (m & 0x20) o.extra = extra();
    return o;
  }

  function readBorrowing() {
    const m = num();
    const o = {};
    if (m & 0x1) o.currency = str();
    if (m & 0x2) o.debtPrincipal = str();
    if (m & 0x4) o.debtInterest = str();
    if (m & 0x8) o.updatedAt = date();
    if (m & 0x10) o.extra = extra();
    return o;
  }

  function readResponse() {
    const m = num();
    const o = { event: str() };
    if (m & 0x2) o.createdAt = date();
    if (m & 0x4) o.id = str();
    if (m & 0x8) o.errors = list(str);
    if (m & 0x10) o.subscriptions = list(readSubscriptionEcho);
    if (m & 0x20) o.channel = str();
    if (m & 0x40) o.balances = list(readBalance);
    if (m & 0x80) o.market = str();
    if (m & 0x100) o.asks = list(level);
    if (m & 0x200) o.bids = list(level);
    if (m & 0x400) o.firstUpdateId = num();
    if (m & 0x800) o.lastUpdateId = num();
    if (m & 0x1000) o.version = num();
    if (m & 0x2000) o.orders = list(readOrder);
    if (m & 0x4000) o.ticker = readTicker();
    if (m & 0x8000) o.trades = list(readTrade);
    if (m & 0x10000) o.currency = str();
    if (m & 0x20000) o.kline = readKline();
    if (m & 0x40000) o.marketStatus = list(readMarketStatus);
    if (m & 0x80000) o.poolQuota = readPoolQuota();
    if (m & 0x100000) o.mWalletAdRatio = readAdRatio();
    if (m & 0x200000) o.mWalletBorrowings = list(readBorrowing);
    if (m & 0x400000) o.extra = extra();
    return o;
  }

  return readResponse;
}
