// The frozen constant objects (Channel.BOOK === "book", ...), generated from the core's wire
// tables (src/core/protocol.rs).

export { MAX_WS_URI, Channel, Event, Filter, Action, Side, OrderState, OrderType, Resolution, Trend, MarketState } from "./generated/constants.js";
