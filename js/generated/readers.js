// Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.
//
// The builders of decoded objects: each reads its object's presence mask, then its present
// fields in table order (bit i is field i of the table, the bit after the last says `extra`).
// Each is a constructor whose prototype is Object.prototype, so it builds a plain object: V8
// sizes a constructor's objects for the fields it assigns, where `{}` starts with room for 4
// and moves the rest out of line. Each kind of list has its own reader, so every call in
// them has one callee (which V8 inlines) where a shared one would see them all.

/** The reader of a decoded message, over the tape primitives of js/decode.js. */
export function makeReaders({ num, float, str, date, bool, extra }) {
  function SubscriptionEcho() {
    const m = num();
    if (m & 0x1) this.channel = str();
    if (m & 0x2) this.market = str();
    if (m & 0x4) this.depth = num();
    if (m & 0x8) this.resolution = str();
    if (m & 0x10) this.currency = str();
    if (m & 0x20) this.extra = extra();
  }
  SubscriptionEcho.prototype = Object.prototype;

  function Ticker() {
    const m = num();
    if (m & 0x1) this.market = str();
    if (m & 0x2) this.open = str();
    if (m & 0x4) this.high = str();
    if (m & 0x8) this.low = str();
    if (m & 0x10) this.close = str();
    if (m & 0x20) this.volume = str();
    if (m & 0x40) this.volumeInBtc = str();
    if (m & 0x80) this.extra = extra();
  }
  Ticker.prototype = Object.prototype;

  function Order() {
    const m = num();
    if (m & 0x1) this.orderId = num();
    if (m & 0x2) this.side = str();
    if (m & 0x4) this.orderType = str();
    if (m & 0x8) this.price = str();
    if (m & 0x10) this.stopPrice = str();
    if (m & 0x20) this.averagePrice = str();
    if (m & 0x40) this.state = str();
    if (m & 0x80) this.market = str();
    if (m & 0x100) this.createdAt = date();
    if (m & 0x200) this.updatedAt = date();
    if (m & 0x400) this.volume = str();
    if (m & 0x800) this.remainingVolume = str();
    if (m & 0x1000) this.executedVolume = str();
    if (m & 0x2000) this.tradeCount = num();
    if (m & 0x4000) this.clientOrderId = str();
    if (m & 0x8000) this.groupId = num();
    if (m & 0x10000) this.extra = extra();
  }
  Order.prototype = Object.prototype;

  function Trade() {
    const m = num();
    if (m & 0x1) this.id = num();
    if (m & 0x2) this.market = str();
    if (m & 0x4) this.side = str();
    if (m & 0x8) this.price = str();
    if (m & 0x10) this.volume = str();
    if (m & 0x20) this.fee = str();
    if (m & 0x40) this.feeCurrency = str();
    if (m & 0x80) this.feeDiscounted = bool();
    if (m & 0x100) this.funds = str();
    if (m & 0x200) this.createdAt = date();
    if (m & 0x400) this.updatedAt = date();
    if (m & 0x800) this.maker = bool();
    if (m & 0x1000) this.orderId = num();
    if (m & 0x2000) this.trend = str();
    if (m & 0x4000) this.extra = extra();
  }
  Trade.prototype = Object.prototype;

  function Balance() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.available = str();
    if (m & 0x4) this.locked = str();
    if (m & 0x8) this.staked = str();
    if (m & 0x10) this.balanceUpdatedTime = date();
    if (m & 0x20) this.extra = extra();
  }
  Balance.prototype = Object.prototype;

  function Kline() {
    const m = num();
    if (m & 0x1) this.startTime = date();
    if (m & 0x2) this.endTime = date();
    if (m & 0x4) this.market = str();
    if (m & 0x8) this.resolution = str();
    if (m & 0x10) this.open = str();
    if (m & 0x20) this.high = str();
    if (m & 0x40) this.low = str();
    if (m & 0x80) this.close = str();
    if (m & 0x100) this.volume = str();
    if (m & 0x200) this.lastTradeId = num();
    if (m & 0x400) this.closed = bool();
    if (m & 0x800) this.quoteVolume = str();
    if (m & 0x1000) this.extra = extra();
  }
  Kline.prototype = Object.prototype;

  function MarketStatus() {
    const m = num();
    if (m & 0x1) this.market = str();
    if (m & 0x2) this.status = str();
    if (m & 0x4) this.baseUnit = str();
    if (m & 0x8) this.baseUnitPrecision = num();
    if (m & 0x10) this.minimalBaseAmount = float();
    if (m & 0x20) this.quoteUnit = str();
    if (m & 0x40) this.quoteUnitPrecision = num();
    if (m & 0x80) this.minimalQuoteAmount = float();
    if (m & 0x100) this.mwalletSupported = bool();
    if (m & 0x200) this.extra = extra();
  }
  MarketStatus.prototype = Object.prototype;

  function PoolQuota() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.available = str();
    if (m & 0x4) this.updatedAt = date();
    if (m & 0x8) this.extra = extra();
  }
  PoolQuota.prototype = Object.prototype;

  function IndexPrice() {
    const m = num();
    if (m & 0x1) this.market = str();
    if (m & 0x2) this.price = str();
    if (m & 0x4) this.extra = extra();
  }
  IndexPrice.prototype = Object.prototype;

  function AdRatio() {
    const m = num();
    if (m & 0x1) this.adRatio = str();
    if (m & 0x2) this.assetInUsdt = str();
    if (m & 0x4) this.debtInUsdt = str();
    if (m & 0x8) this.indexPrices = listOfIndexPrice();
    if (m & 0x10) this.updatedAt = date();
    if (m & 0x20) this.extra = extra();
  }
  AdRatio.prototype = Object.prototype;

  function Borrowing() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.debtPrincipal = str();
    if (m & 0x4) this.debtInterest = str();
    if (m & 0x8) this.updatedAt = date();
    if (m & 0x10) this.extra = extra();
  }
  Borrowing.prototype = Object.prototype;

  function Response() {
    const m = num();
    this.event = str();
    if (m & 0x2) this.createdAt = date();
    if (m & 0x4) this.id = str();
    if (m & 0x8) this.errors = listOfText();
    if (m & 0x10) this.subscriptions = listOfSubscriptionEcho();
    if (m & 0x20) this.channel = str();
    if (m & 0x40) this.balances = listOfBalance();
    if (m & 0x80) this.market = str();
    if (m & 0x100) this.asks = listOfLevel();
    if (m & 0x200) this.bids = listOfLevel();
    if (m & 0x400) this.firstUpdateId = num();
    if (m & 0x800) this.lastUpdateId = num();
    if (m & 0x1000) this.version = num();
    if (m & 0x2000) this.orders = listOfOrder();
    if (m & 0x4000) this.ticker = new Ticker();
    if (m & 0x8000) this.trades = listOfTrade();
    if (m & 0x10000) this.currency = str();
    if (m & 0x20000) this.kline = new Kline();
    if (m & 0x40000) this.marketStatus = listOfMarketStatus();
    if (m & 0x80000) this.poolQuota = new PoolQuota();
    if (m & 0x100000) this.mWalletAdRatio = new AdRatio();
    if (m & 0x200000) this.mWalletBorrowings = listOfBorrowing();
    if (m & 0x400000) this.extra = extra();
  }
  Response.prototype = Object.prototype;

  function listOfIndexPrice() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new IndexPrice();
    return items;
  }

  function listOfText() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = str();
    return items;
  }

  function listOfSubscriptionEcho() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new SubscriptionEcho();
    return items;
  }

  function listOfBalance() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new Balance();
    return items;
  }

  function listOfLevel() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = [str(), str()];
    return items;
  }

  function listOfOrder() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new Order();
    return items;
  }

  function listOfTrade() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new Trade();
    return items;
  }

  function listOfMarketStatus() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new MarketStatus();
    return items;
  }

  function listOfBorrowing() {
    const items = new Array(num());
    for (let i = 0; i < items.length; i++) items[i] = new Borrowing();
    return items;
  }

  return () => new Response();
}
