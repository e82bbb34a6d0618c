// The frozen constant objects (Channel.BOOK === "book", ...), made from the core's wire tables
// when the wasm module is instantiated. They are live ESM bindings, assigned before any user code runs.

import { wasm } from "./wasm.js";

export const MAX_WS_URI = "wss://max-stream.maicoin.com/ws";

export let Channel, Event, Filter, Action, Side, OrderState, OrderType, Resolution, Trend, MarketState;

export function installConstants() {
  const tables = JSON.parse(wasm.glue.constantsJson());
  for (const name of Object.keys(tables)) Object.freeze(tables[name]);
  ({ Channel, Event, Filter, Action, Side, OrderState, OrderType, Resolution, Trend, MarketState } = tables);
}
