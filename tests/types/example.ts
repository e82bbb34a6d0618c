// A typed usage example, checked (never run) by `tsc -p tests/types`: the right uses compile, and
// every `@ts-expect-error` line proves a wrong use is rejected (tsc fails if such a line compiles).

import {
  Action,
  Channel,
  Event,
  Filter,
  MAX_WS_URI,
  ReconnectPolicy,
  Request,
  Resolution,
  Response,
  Side,
} from "maicoin-ws";
import type {
  BookDepth,
  ChannelName,
  EventName,
  Level,
  ResolutionName,
  Subscription,
  Trade,
} from "maicoin-ws";

// Compile-time equality, so literal types are checked exactly, not just assignably.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

assertType<Equal<typeof Action.SUBSCRIBE, "sub">>();
assertType<Equal<typeof Event.PONG, "pong">>();
assertType<Equal<typeof MAX_WS_URI, "wss://max-stream.maicoin.com/ws">>();
assertType<Equal<ChannelName, "book" | "trade" | "ticker" | "kline" | "market_status" | "pool_quota" | "user">>();
assertType<Equal<ResolutionName, "1m" | "5m" | "15m" | "30m" | "1h" | "2h" | "4h" | "6h" | "12h" | "1d">>();
assertType<Equal<BookDepth, 1 | 5 | 10 | 20 | 50>>();
assertType<Equal<ReturnType<typeof Response.parse>, Response>>();

// Subscriptions: plain objects, or the constants.
const subscriptions: Subscription[] = [
  { channel: "book", market: "btcusdt", depth: 5 },
  { channel: Channel.KLINE, market: "ethusdt", resolution: Resolution.H1 },
  { channel: "market_status" },
  { channel: "pool_quota", currency: "usdt" },
];
const subscribe: Request = Request.subscribe(subscriptions);
const unsubscribe = Request.unsubscribe({ channel: "trade", market: "btctwd" });
const auth = Request.auth("key", "secret", { filters: [Filter.ORDER, "fast_trade_update"], nonce: 1591690054859 });
const wire: string[] = [subscribe, unsubscribe, auth, Request.ping(), Request.parse("{}")].map((r) => r.message());
const action: "sub" | "unsub" | "auth" | "ping" = subscribe.action;
const signature: string | undefined = auth.signature;
const echoed: Subscription[] | undefined = unsubscribe.subscription;

// A response narrows by its fields; each payload has its documented types.
function describe(text: string): string {
  const response: Response = Response.parse(text);
  const when: Date | undefined = response.createdAt;
  if (response.event === Event.SNAPSHOT && response.channel === Channel.BOOK) {
    const best: Level | undefined = response.asks?.[0];
    const price: string | undefined = best?.[0];
    return `${price} at ${when?.toISOString()} (version ${response.version?.toFixed()})`;
  }
  // An event the package does not know is still a string, e.g. the documented typo.
  if (response.event === "snaptshot") return `market status: ${response.marketStatus?.[0]?.minimalBaseAmount}`;
  const trade: Trade | undefined = response.trades?.[0];
  if (trade?.side === Side.BID && trade.createdAt instanceof Date) return `${trade.price} ${trade.maker}`;
  const quoteVolume: string | undefined = response.kline?.quoteVolume;
  const indexPrice: string | undefined = response.mWalletAdRatio?.indexPrices?.[0]?.price;
  const rpi: unknown = response.trades?.[0]?.extra?.["rpi"];
  return [response.event, quoteVolume, indexPrice, String(rpi), response.errors?.join(", ")].join(" ");
}

const policy = new ReconnectPolicy({ maxRetries: null, baseDelay: 1, maxDelay: 30, jitter: 0 });
const seconds: number = policy.delay(3);
const maxRetries: number | null = new ReconnectPolicy().maxRetries;

// ---- Wrong uses, each rejected by the types --------------------------------------------------

// @ts-expect-error: an unknown channel
Request.subscribe({ channel: "orders", market: "btcusdt" });
// @ts-expect-error: a depth the server does not accept
Request.subscribe({ channel: "book", market: "btcusdt", depth: 7 });
// @ts-expect-error: an unknown kline resolution
Request.subscribe({ channel: "kline", market: "btcusdt", resolution: "3m" });
// @ts-expect-error: a book subscription needs its market
Request.unsubscribe({ channel: "book" });
// @ts-expect-error: a pool quota subscription names a currency, not a market
Request.subscribe({ channel: "pool_quota", market: "usdt" });
// @ts-expect-error: `user` is not subscribed to; private data comes through auth filters
Request.subscribe({ channel: Channel.USER });
// @ts-expect-error: an unknown auth filter
Request.auth("key", "secret", { filters: ["orders"] });
// @ts-expect-error: requests are made by the static constructors
new Request('{"action":"ping","id":"x"}');
// @ts-expect-error: the constants are read-only
Channel.BOOK = "trade";
// @ts-expect-error: Response.parse takes the frame's text
Response.parse(new Uint8Array(4));
// @ts-expect-error: times are Dates, not numbers
const createdAtMs: number | undefined = Response.parse("{}").createdAt;
// @ts-expect-error: decimals stay strings
const close: number | undefined = Response.parse("{}").ticker?.close;
// @ts-expect-error: the typo is not one of the known event names
const known: EventName = "snaptshot";
// @ts-expect-error: delays are numbers of seconds
new ReconnectPolicy({ baseDelay: "1s" });

export { action, close, createdAtMs, describe, echoed, known, maxRetries, seconds, signature, wire };

// The Stream and its book, typed.
import { Stream, OrderBook } from "maicoin-ws";

const log: string[] = [];

const stream = new Stream({ dispatch: "queue", reconnectPolicy: { baseDelay: 0.5 }, onStateChange: (state) => log.push(state) });
stream.subscribe([{ channel: "trade", market: "btcusdt" }]).addHandler(async (response) => {
  const trades = response.trades ?? [];
  log.push(String(trades.length));
});
const liveBook: OrderBook = stream.book("btcusdt", { depth: 20, onChange: (b) => log.push(`${b.bestBid?.[0]} ${b.spread}`) });
const view = liveBook.snapshot(5);
const topPrice: string | undefined = view.asks[0]?.[0];
log.push(`${topPrice} ${stream.status.lastFrameAt?.toISOString()}`);
// @ts-expect-error dispatch modes are inline, task or queue
new Stream({ dispatch: "later" });
// @ts-expect-error a book's depth is one of 1, 5, 10, 20, 50
stream.book("btcusdt", { depth: 7 });

// Recording and replay (imports here, so this section stands alone).
import { Stream as RecordingStream, replay } from "maicoin-ws";
import type { RecordingEntry } from "maicoin-ws";

const recorded: RecordingEntry[] = [];
const recorder = new RecordingStream({ record: (entry) => void recorded.push(entry) });
recorder.close();
const replayed = replay(recorded, { speed: 10 });
const fromReplay: RecordingStream = new RecordingStream({ connectFactory: replayed, onDisconnected: () => replayed.done && fromReplay.close() });
void replayed.ended.then(() => fromReplay.close());
// @ts-expect-error a speed is a number
replay(recorded, { speed: "fast" });

// Feed health and the stale watchdog (imports here, so this section stands alone).
import { Stream as WatchedStream } from "maicoin-ws";
import type { StreamStats, SubscriptionStats } from "maicoin-ws";

const watched = new WatchedStream({
  staleAfter: { book: 20, trade: false, kline: 0 },
  onStale: (subscription) => log.push(`resubscribed ${subscription.channel}`),
});
new WatchedStream({ staleAfter: false });
new WatchedStream({ staleAfter: 45 });
const health: StreamStats = watched.stats();
const offset: number | null = health.clockOffsetMs;
const entry: SubscriptionStats | undefined = health.subscriptions[0];
const lastMinute: number | undefined = entry?.ratePerSecond["60s"];
const p99: number | undefined = entry?.latencyMs?.p99;
const counted: number | undefined = entry && entry.gaps + entry.resyncs + entry.staleResubscribes;
log.push(`${offset} ${lastMinute} ${p99} ${counted} ${entry?.channel} ${entry?.lastFrameAt}`);
// @ts-expect-error staleAfter names channels a stream subscribes to
new WatchedStream({ staleAfter: { books: 30 } });
// @ts-expect-error staleAfter is seconds, not text
new WatchedStream({ staleAfter: "30s" });
