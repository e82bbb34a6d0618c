// The CLI's arguments: `book:btcusdt:20`-style subscriptions and a few options.

export const USAGE = `usage: maicoin-ws [options] SUBSCRIPTION...

Subscriptions:
  book:MARKET[:DEPTH]        order book (depth 1, 5, 10, 20 or 50)
  trade:MARKET               public trades
  ticker:MARKET              ticker
  kline:MARKET[:RESOLUTION]  candles (1m 5m 15m 30m 1h 2h 4h 6h 12h 1d)
  market_status              every market's status
  pool_quota:CURRENCY        M-Wallet borrow pool quota

Options:
  --uri URI            endpoint (default: $MAX_WS_URI, else MAX's production endpoint)
  --dispatch MODE      inline (default), task or queue
  --auth               authenticate with $MAX_API_KEY and $MAX_API_SECRET
  --filters LIST       auth filters, comma-separated (e.g. order,trade,account)
  --help               this text

Prints one JSON line per response on stdout; Ctrl-C closes the connection and exits.`;

export class UsageError extends Error {}

/** Turns `book:btcusdt:20` into a subscription object. */
export function parseSubscription(text) {
  const [channel, first, second, ...rest] = text.split(":");
  const extra = second !== undefined && channel !== "book" && channel !== "kline";
  if (rest.length > 0 || extra) throw new UsageError(`too many parts in ${JSON.stringify(text)}`);
  switch (channel) {
    case "book": {
      const subscription = { channel, market: first };
      if (second !== undefined) {
        if (!/^\d+$/.test(second)) throw new UsageError(`book depth must be a number, got ${JSON.stringify(second)}`);
        subscription.depth = Number(second);
      }
      return subscription;
    }
    case "kline":
      return second === undefined ? { channel, market: first } : { channel, market: first, resolution: second };
    case "trade":
    case "ticker":
      return { channel, market: first };
    case "pool_quota":
      return { channel, currency: first };
    case "market_status":
      if (first !== undefined) throw new UsageError("market_status takes no market");
      return { channel };
    default:
      throw new UsageError(`unknown channel ${JSON.stringify(channel)}`);
  }
}

export function parseArguments(argv) {
  const options = { subscriptions: [], dispatch: "inline", auth: false, uri: undefined, filters: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${argument} needs a value`);
      return next;
    };
    if (argument === "--help" || argument === "-h") options.help = true;
    else if (argument === "--uri") options.uri = value();
    else if (argument === "--dispatch") options.dispatch = value();
    else if (argument === "--auth") options.auth = true;
    else if (argument === "--filters") options.filters = value().split(",").filter(Boolean);
    else if (argument.startsWith("-")) throw new UsageError(`unknown option ${argument}`);
    else options.subscriptions.push(parseSubscription(argument));
  }
  if (!options.help && options.subscriptions.length === 0 && !options.auth) throw new UsageError("name at least one subscription");
  return options;
}

