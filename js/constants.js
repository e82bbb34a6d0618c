// The frozen constant objects (Channel.BOOK === "book", ...), generated from the core's wire
// tables (src/core/protocol.rs).

export { MAX_WS_URI, Channel, Event, Filter, Action, Side, OrderState, OrderType, Resolution, Trend, MarketState } from "./generated/constants.js";

/** MAX's REST API, where `fetchKlines` asks for candle history by default. */
export const MAX_REST_URL = "https://max-api.maicoin.com";
