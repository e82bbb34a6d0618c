// The API's names for each wire key, written from the README's API, js/index.d.ts and docs/PROTOCOL.md (not from the Rust schema
// or the JS generated from it), and a check that a decoded object carries exactly what the wire carried.

import assert from "node:assert/strict";

// Each check receives the wire value and the decoded value, and what to call it in a failure.
const text = (wire, value, at) => {
  assert.equal(typeof value, "string", `${at} is a string`);
  assert.equal(value, wire, at);
};
const number = (wire, value, at) => {
  assert.equal(typeof value, "number", `${at} is a number`);
  assert.equal(value, wire, at);
};
const boolean = (wire, value, at) => {
  assert.equal(typeof value, "boolean", `${at} is a boolean`);
  assert.equal(value, wire, at);
};
// Times are Dates; decimals stay strings (the `text` check above).
const time = (wire, value, at) => {
  assert.ok(value instanceof Date, `${at} is a Date`);
  assert.equal(value.getTime(), wire, at);
};
// An echoed id: ours are strings; a number on the wire becomes its decimal string.
const requestId = (wire, value, at) => text(String(wire), value, at);
const list = (item) => (wire, value, at) => {
  assert.ok(Array.isArray(value), `${at} is a list`);
  assert.equal(value.length, wire.length, `${at}.length`);
  wire.forEach((element, index) => item(element, value[index], `${at}[${index}]`));
};
const object = (table) => (wire, value, at) => expectDecoded(table, wire, value, at);
const level = (wire, value, at) => {
  assert.equal(wire.length, 2, `${at} on the wire is [price, volume]`);
  list(text)(wire, value, at);
};

export const SUBSCRIPTION = {
  channel: ["channel", text],
  market: ["market", text],
  depth: ["depth", number],
  resolution: ["resolution", text],
  currency: ["currency", text],
};

export const TICKER = {
  M: ["market", text],
  O: ["open", text],
  H: ["high", text],
  L: ["low", text],
  C: ["close", text],
  v: ["volume", text],
  V: ["volumeInBtc", text],
};

export const ORDER = {
  i: ["orderId", number],
  sd: ["side", text],
  ot: ["orderType", text],
  p: ["price", text],
  sp: ["stopPrice", text],
  ap: ["averagePrice", text],
  S: ["state", text],
  M: ["market", text],
  T: ["createdAt", time],
  TU: ["updatedAt", time],
  v: ["volume", text],
  rv: ["remainingVolume", text],
  ev: ["executedVolume", text],
  tc: ["tradeCount", number],
  ci: ["clientOrderId", text],
  gi: ["groupId", number],
};

export const TRADE = {
  i: ["id", number],
  M: ["market", text],
  sd: ["side", text],
  p: ["price", text],
  v: ["volume", text],
  f: ["fee", text],
  fc: ["feeCurrency", text],
  fd: ["feeDiscounted", boolean],
  fn: ["funds", text],
  T: ["createdAt", time],
  TU: ["updatedAt", time],
  m: ["maker", boolean],
  oi: ["orderId", number],
  tr: ["trend", text],
};

export const BALANCE = {
  cu: ["currency", text],
  av: ["available", text],
  l: ["locked", text],
  stk: ["staked", text],
  TU: ["balanceUpdatedTime", time],
};

export const KLINE = {
  ST: ["startTime", time],
  ET: ["endTime", time],
  M: ["market", text],
  R: ["resolution", text],
  O: ["open", text],
  H: ["high", text],
  L: ["low", text],
  C: ["close", text],
  v: ["volume", text],
  ti: ["lastTradeId", number],
  x: ["closed", boolean],
  qv: ["quoteVolume", text],
};

export const MARKET_STATUS = {
  M: ["market", text],
  st: ["status", text],
  bu: ["baseUnit", text],
  bup: ["baseUnitPrecision", number],
  mba: ["minimalBaseAmount", number],
  qu: ["quoteUnit", text],
  qup: ["quoteUnitPrecision", number],
  mqa: ["minimalQuoteAmount", number],
  mws: ["mwalletSupported", boolean],
};

export const POOL_QUOTA = {
  cu: ["currency", text],
  av: ["available", text],
  TU: ["updatedAt", time],
};

export const INDEX_PRICE = {
  M: ["market", text],
  p: ["price", text],
};

export const AD_RATIO = {
  ad: ["adRatio", text],
  as: ["assetInUsdt", text],
  db: ["debtInUsdt", text],
  idxp: ["indexPrices", list(object(INDEX_PRICE))],
  TU: ["updatedAt", time],
};

export const BORROWING = {
  cu: ["currency", text],
  dbp: ["debtPrincipal", text],
  dbi: ["debtInterest", text],
  TU: ["updatedAt", time],
};

export const RESPONSE = {
  e: ["event", text],
  T: ["createdAt", time],
  i: ["id", requestId],
  E: ["errors", list(text)],
  s: ["subscriptions", list(object(SUBSCRIPTION))],
  c: ["channel", text],
  B: ["balances", list(object(BALANCE))],
  M: ["market", text],
  a: ["asks", list(level)],
  b: ["bids", list(level)],
  fi: ["firstUpdateId", number],
  li: ["lastUpdateId", number],
  v: ["version", number],
  o: ["orders", list(object(ORDER))],
  tk: ["ticker", object(TICKER)],
  t: ["trades", list(object(TRADE))],
  cu: ["currency", text],
  k: ["kline", object(KLINE)],
  ms: ["marketStatus", list(object(MARKET_STATUS))],
  qta: ["poolQuota", object(POOL_QUOTA)],
  ad: ["mWalletAdRatio", object(AD_RATIO)],
  db: ["mWalletBorrowings", list(object(BORROWING))],
};

/**
 * Asserts that `decoded` is a plain object holding every wire key of `table` under its API name
 * (a null on the wire is absent), every other key in `extra` with its wire name and JSON value,
 * and nothing else.
 */
export function expectDecoded(table, wire, decoded, at = "response") {
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype, `${at} is a plain object`);
  const expectedNames = [];
  const extraEntries = [];
  for (const [key, value] of Object.entries(wire)) {
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (field === undefined) {
      extraEntries.push([key, value]);
      continue;
    }
    const [name, check] = field;
    if (value === null) continue;
    expectedNames.push(name);
    check(value, decoded[name], `${at}.${name}`);
  }
  if (extraEntries.length > 0) {
    expectedNames.push("extra");
    // fromEntries defines own keys as JSON.parse does, even `__proto__`.
    assert.deepEqual(decoded.extra, Object.fromEntries(extraEntries), `${at}.extra`);
  }
  assert.deepEqual(Object.keys(decoded).sort(), expectedNames.sort(), `${at} has exactly the wire's fields`);
}
