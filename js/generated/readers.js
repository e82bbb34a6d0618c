// Generated from src/core/schema.rs and src/core/protocol.rs by `cargo test --test schema`
// (UPDATE_GENERATED=1 rewrites it). Do not edit: change the Rust tables.
//
// The builders of decoded objects: each reads its object's presence mask, then its present
// fields in table order (bit i is field i of the table, the bit after the last says `extra`).
// Each is a constructor whose prototype is Object.prototype, so it builds a plain object: V8
// sizes a constructor's objects for the fields it assigns, where `{}` starts with room for 4
// and moves the rest out of line. Each kind of list has its own reader, so every call in
// them has one callee (which V8 inlines) where a shared one would see them all.
//
// V8's optimized code holds the maps (hidden classes) of the objects it built weakly: a full
// GC that finds no object of one of them alive throws the code away, and the builders run
// unoptimized until V8 has learnt their shapes again. So each builder keeps the first object
// of each shape it builds (a presence mask is a shape): the maps stay alive. Its masks are
// in a table of 128 slots (-1: free), a mask at its hash or one of the next 8: a
// builder checks one slot, and a mask that finds no slot is not kept.

/** The reader of a decoded message, over the tape primitives of js/decode.js. */
export function makeReaders({ num, float, str, date, bool, extra }) {
  const shapeSlot = (mask) => Math.imul(mask, 0x9e3779b1) >>> 25;

  function keepShape(masks, kept, mask, object) {
    for (let probe = 0, at = shapeSlot(mask); probe <= 8; probe++, at = (at + 1) & 127) {
      if (masks[at] === mask) return;
      if (masks[at] === -1) {
        masks[at] = mask;
        kept[at] = object;
        return;
      }
    }
  }

  const masksOfSubscriptionEcho = new Float64Array(128).fill(-1);
  const keptOfSubscriptionEcho = [];
  function SubscriptionEcho() {
    const m = num();
    if (m & 0x1) this.channel = str();
    if (m & 0x2) this.market = str();
    if (m & 0x4) this.depth = num();
    if (m & 0x8) this.resolution = str();
    if (m & 0x10) this.currency = str();
    if (m & 0x20) this.extra = extra();
    if (masksOfSubscriptionEcho[shapeSlot(m)] !== m) keepShape(masksOfSubscriptionEcho, keptOfSubscriptionEcho, m, this);
  }
  SubscriptionEcho.prototype = Object.prototype;

  const masksOfTicker = new Float64Array(128).fill(-1);
  const keptOfTicker = [];
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
    if (masksOfTicker[shapeSlot(m)] !== m) keepShape(masksOfTicker, keptOfTicker, m, this);
  }
  Ticker.prototype = Object.prototype;

  const masksOfOrder = new Float64Array(128).fill(-1);
  const keptOfOrder = [];
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
    if (masksOfOrder[shapeSlot(m)] !== m) keepShape(masksOfOrder, keptOfOrder, m, this);
  }
  Order.prototype = Object.prototype;

  const masksOfTrade = new Float64Array(128).fill(-1);
  const keptOfTrade = [];
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
    if (masksOfTrade[shapeSlot(m)] !== m) keepShape(masksOfTrade, keptOfTrade, m, this);
  }
  Trade.prototype = Object.prototype;

  const masksOfBalance = new Float64Array(128).fill(-1);
  const keptOfBalance = [];
  function Balance() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.available = str();
    if (m & 0x4) this.locked = str();
    if (m & 0x8) this.staked = str();
    if (m & 0x10) this.balanceUpdatedTime = date();
    if (m & 0x20) this.extra = extra();
    if (masksOfBalance[shapeSlot(m)] !== m) keepShape(masksOfBalance, keptOfBalance, m, this);
  }
  Balance.prototype = Object.prototype;

  const masksOfKline = new Float64Array(128).fill(-1);
  const keptOfKline = [];
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
    if (masksOfKline[shapeSlot(m)] !== m) keepShape(masksOfKline, keptOfKline, m, this);
  }
  Kline.prototype = Object.prototype;

  const masksOfMarketStatus = new Float64Array(128).fill(-1);
  const keptOfMarketStatus = [];
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
    if (masksOfMarketStatus[shapeSlot(m)] !== m) keepShape(masksOfMarketStatus, keptOfMarketStatus, m, this);
  }
  MarketStatus.prototype = Object.prototype;

  const masksOfPoolQuota = new Float64Array(128).fill(-1);
  const keptOfPoolQuota = [];
  function PoolQuota() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.available = str();
    if (m & 0x4) this.updatedAt = date();
    if (m & 0x8) this.extra = extra();
    if (masksOfPoolQuota[shapeSlot(m)] !== m) keepShape(masksOfPoolQuota, keptOfPoolQuota, m, this);
  }
  PoolQuota.prototype = Object.prototype;

  const masksOfIndexPrice = new Float64Array(128).fill(-1);
  const keptOfIndexPrice = [];
  function IndexPrice() {
    const m = num();
    if (m & 0x1) this.market = str();
    if (m & 0x2) this.price = str();
    if (m & 0x4) this.extra = extra();
    if (masksOfIndexPrice[shapeSlot(m)] !== m) keepShape(masksOfIndexPrice, keptOfIndexPrice, m, this);
  }
  IndexPrice.prototype = Object.prototype;

  const masksOfAdRatio = new Float64Array(128).fill(-1);
  const keptOfAdRatio = [];
  function AdRatio() {
    const m = num();
    if (m & 0x1) this.adRatio = str();
    if (m & 0x2) this.assetInUsdt = str();
    if (m & 0x4) this.debtInUsdt = str();
    if (m & 0x8) this.indexPrices = listOfIndexPrice();
    if (m & 0x10) this.updatedAt = date();
    if (m & 0x20) this.extra = extra();
    if (masksOfAdRatio[shapeSlot(m)] !== m) keepShape(masksOfAdRatio, keptOfAdRatio, m, this);
  }
  AdRatio.prototype = Object.prototype;

  const masksOfBorrowing = new Float64Array(128).fill(-1);
  const keptOfBorrowing = [];
  function Borrowing() {
    const m = num();
    if (m & 0x1) this.currency = str();
    if (m & 0x2) this.debtPrincipal = str();
    if (m & 0x4) this.debtInterest = str();
    if (m & 0x8) this.updatedAt = date();
    if (m & 0x10) this.extra = extra();
    if (masksOfBorrowing[shapeSlot(m)] !== m) keepShape(masksOfBorrowing, keptOfBorrowing, m, this);
  }
  Borrowing.prototype = Object.prototype;

  const masksOfResponse = new Float64Array(128).fill(-1);
  const keptOfResponse = [];
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
    if (masksOfResponse[shapeSlot(m)] !== m) keepShape(masksOfResponse, keptOfResponse, m, this);
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
