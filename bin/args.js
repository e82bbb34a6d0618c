// The CLI's arguments: `book:btcusdt:20`-style subscriptions and a few options.

export const USAGE = `usage: maicoin-ws [options] SUBSCRIPTION...
       maicoin-ws record FILE [options] SUBSCRIPTION...
       maicoin-ws replay FILE [--speed N] [--dispatch MODE]

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
  --speed N            replay only: 1 keeps the recorded timing, 10 is ten times faster
                       (default: as fast as possible)
  --stats N            every N seconds (and once at the end), the feed's health as one
                       JSON line on stderr: stream.stats()
  --help               this text

Prints one JSON line per response on stdout; Ctrl-C closes the connection and exits.
record also writes every frame received to FILE (gzipped if it ends in .gz), which
replay plays back through the same client, printing the lines the live run printed.`;

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

const COMMANDS = ["record", "replay"];

/** The speed of a replay: a number > 0, or "max"/"Infinity" for as fast as possible. */
function parseSpeed(text) {
  const speed = /^(max|infinity)$/i.test(text) ? Infinity : Number(text);
  if (!(speed > 0)) throw new UsageError(`--speed must be a number > 0, got ${JSON.stringify(text)}`);
  return speed;
}

/** The --stats interval in seconds: a number > 0. */
function parseInterval(text) {
  const seconds = Number(text);
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`--stats must be a number of seconds > 0, got ${JSON.stringify(text)}`);
  return seconds;
}

/**
 * `command` is "live" (the default), "record" or "replay"; record and replay take FILE first.
 * A replay's subscriptions come from its file, so it takes none, nor an endpoint or credentials.
 */
export function parseArguments(argv) {
  const options = {
    command: "live",
    file: undefined,
    subscriptions: [],
    dispatch: "inline",
    auth: false,
    uri: undefined,
    filters: undefined,
    speed: undefined,
    stats: undefined,
    help: false,
  };
  let i = 0;
  if (COMMANDS.includes(argv[0])) {
    options.command = argv[0];
    options.file = argv[1];
    i = 2;
    if (argv.includes("--help") || argv.includes("-h")) return { ...options, help: true };
    if (options.file === undefined || options.file.startsWith("-")) throw new UsageError(`${options.command} needs a FILE`);
  }
  for (; i < argv.length; i++) {
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
    else if (argument === "--speed") options.speed = parseSpeed(value());
    else if (argument === "--stats") options.stats = parseInterval(value());
    else if (argument.startsWith("-")) throw new UsageError(`unknown option ${argument}`);
    else options.subscriptions.push(parseSubscription(argument));
  }
  if (options.help) return options;
  if (options.command === "replay") {
    const live = options.subscriptions.length > 0 || options.auth || options.uri !== undefined || options.filters !== undefined;
    if (live) throw new UsageError("replay takes its subscriptions from FILE: no subscription, --uri, --auth or --filters");
  } else {
    if (options.speed !== undefined) throw new UsageError("--speed is for replay only");
    if (options.subscriptions.length === 0 && !options.auth) throw new UsageError("name at least one subscription");
  }
  return options;
}
