// The public API, re-exported by each entry point after it has instantiated the wasm module.

export { Request } from "./requests.js";
export { Response } from "./response.js";
export { ReconnectPolicy } from "./policy.js";
export { Stream } from "./stream.js";
export { StreamError } from "./errors.js";
export { OrderBook } from "./book.js";
export { replay } from "./replay.js";
export { RecordingError } from "./errors.js";
export { fetchKlines } from "./klines.js";
export {
  MAX_WS_URI,
  MAX_REST_URL,
  Channel,
  Event,
  Filter,
  Action,
  Side,
  OrderState,
  OrderType,
  Resolution,
  Trend,
  MarketState,
} from "./constants.js";
