#!/usr/bin/env node
// `npm run sim`: runs the MAX simulator until SIGINT/SIGTERM.

import { startSimulator } from "./server.js";
import { readRecordingFile } from "../js/replay-file.js";

// flag -> [option name, kind]. Kinds: int, prob (0..1), speed (> 0 or max), string,
// list (comma-separated), true (a switch without value).
const FLAGS = {
  "--port": ["port", "int"],
  "--host": ["host", "string"],
  "--tick-ms": ["tickMs", "int"],
  "--api-key": ["apiKey", "string"],
  "--api-secret": ["apiSecret", "string"],
  "--markets": ["markets", "list"],
  "--seed": ["seed", "string"],
  "--idle-timeout-ms": ["idleTimeoutMs", "int"],
  "--rate-per-second": ["ratePerSecond", "int"],
  "--rate-per-minute": ["ratePerMinute", "int"],
  "--rate-scope": ["rateScope", "string"],
  "--no-rate-limit": ["noRateLimit", "true"],
  "--stamp": ["stamp", "true"],
  "--nonce-window-ms": ["nonceWindowMs", "int"],
  "--history-limit": ["historyLimit", "int"],
  "--drop-after-frames": ["dropAfterFrames", "int"],
  "--drop": ["dropProbability", "prob"],
  "--garbage": ["garbageProbability", "prob"],
  "--unknown-events": ["unknownEventProbability", "prob"],
  "--book-gap": ["bookGapProbability", "prob"],
  "--version-change": ["versionChangeProbability", "prob"],
  "--answer-delay-ms": ["answerDelayMs", "int"],
  "--reject-handshakes": ["rejectHandshakes", "int"],
  "--retry-after-sec": ["retryAfterSec", "int"],
  "--silence": ["silenced", "list"],
  "--replay": ["replay", "string"],
  "--speed": ["replaySpeed", "speed"],
  "--loop": ["replayLoop", "true"],
  "--verbose": ["verbose", "true"],
  "--help": ["help", "true"],
  "-h": ["help", "true"],
};

const USAGE = `usage: node sim/cli.js [options]
  --port N                 port to listen on (default 0: a free one)
  --host H                 address to listen on (default 127.0.0.1)
  --tick-ms N              ms between rounds of market data (default 200; 0: none)
  --api-key K              API key accepted by auth (default test-key)
  --api-secret S           its secret (default test-secret)
  --markets a,b,...        markets to simulate (default btcusdt,ethusdt,btctwd,ethtwd,usdttwd)
  --seed S                 seed of the generated data (default 1)
  --idle-timeout-ms N      close a connection without ping for this long (default 130000)
  --rate-per-second N      request limit per second (default 20)
  --rate-per-minute N      request limit per minute (default 200)
  --rate-scope S           server (all connections share, default) or connection
  --no-rate-limit          do not limit requests
  --stamp                  add "sq", a per-connection sequence number, to every frame
  --nonce-window-ms N      accepted distance of an auth nonce from now (default 30000)
  --history-limit N        update ids of book history kept per market (default 2000)
faults:
  --drop-after-frames N    cut each connection after N frames
  --drop P                 cut the connection after a frame with probability P
  --garbage P              send a broken frame before a frame with probability P
  --unknown-events P       send an unknown event before a frame with probability P
  --book-gap P             skip a book update with probability P
  --version-change P       new book version per market per round with probability P
  --answer-delay-ms N      delay answers to requests
  --reject-handshakes N    answer the first N handshakes with HTTP 429
  --retry-after-sec N      their Retry-After, seconds from now (default 1)
  --silence KEY,...        send nothing for these subscriptions (book:btcusdt,
                           kline:ethusdt:1m, market_status...) on any connection
replay:
  --replay FILE            serve a maicoin-ws recording (.jsonl or .jsonl.gz) instead of
                           generated market data: each subscriber gets its channels' frames
  --speed N                its pace: 1 as recorded (default), 10 ten times faster, max
  --loop                   start over at its end (with a finite --speed)
  --verbose                log connections and requests to stderr
  -h, --help               this text`;

class UsageError extends Error {}

function parseArgs(argv) {
  const parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[flag];
    if (!spec) throw new UsageError(`unknown option ${arg}`);
    const [name, kind] = spec;
    if (kind === "true") {
      if (flag !== arg) throw new UsageError(`${flag} takes no value`);
      parsed[name] = true;
      continue;
    }
    let text;
    if (flag !== arg) text = arg.slice(eq + 1);
    else if (i + 1 < argv.length) text = argv[++i];
    else throw new UsageError(`${flag} needs a value`);
    parsed[name] = readValue(flag, kind, text);
  }
  return parsed;
}

function readValue(flag, kind, text) {
  switch (kind) {
    case "int": {
      if (!/^\d+$/.test(text)) throw new UsageError(`${flag} needs a whole number >= 0, got ${JSON.stringify(text)}`);
      return Number(text);
    }
    case "prob": {
      const value = Number(text);
      if (text.trim() === "" || !(value >= 0 && value <= 1)) throw new UsageError(`${flag} needs a probability 0..1, got ${JSON.stringify(text)}`);
      return value;
    }
    case "speed": {
      const value = /^(max|infinity)$/i.test(text) ? Infinity : Number(text);
      if (!(value > 0)) throw new UsageError(`${flag} needs a number > 0 or max, got ${JSON.stringify(text)}`);
      return value;
    }
    case "list": {
      const list = text.split(",").map((s) => s.trim()).filter(Boolean);
      if (list.length === 0) throw new UsageError(`${flag} needs at least one name`);
      return list;
    }
    default:
      if (text === "") throw new UsageError(`${flag} needs a value`);
      return text;
  }
}

function simulatorOptions(parsed) {
  const { ratePerSecond, ratePerMinute, rateScope, noRateLimit, verbose, help, ...options } = parsed;
  if (rateScope !== undefined && rateScope !== "server" && rateScope !== "connection") {
    throw new UsageError(`--rate-scope is server or connection, got ${JSON.stringify(rateScope)}`);
  }
  if (noRateLimit) options.rateLimit = null;
  else if (ratePerSecond !== undefined || ratePerMinute !== undefined || rateScope !== undefined) {
    options.rateLimit = {};
    if (ratePerSecond !== undefined) options.rateLimit.perSecond = ratePerSecond;
    if (ratePerMinute !== undefined) options.rateLimit.perMinute = ratePerMinute;
    if (rateScope !== undefined) options.rateLimit.scope = rateScope;
  }
  return options;
}

function logTo(sim) {
  const log = (...parts) => console.error(new Date().toISOString(), ...parts);
  sim.on("connection", ({ conn, remoteAddress }) => log(`#${conn} connected from ${remoteAddress}`));
  sim.on("disconnect", ({ conn, code, reason }) => log(`#${conn} disconnected ${code} ${reason}`));
  sim.on("request", ({ conn, text }) => log(`#${conn} >`, String(text).slice(0, 300)));
  sim.on("handshakeRejected", ({ retryAfter }) => log(`handshake refused with 429, Retry-After ${retryAfter}`));
}

async function main() {
  let parsed;
  let options;
  try {
    parsed = parseArgs(process.argv.slice(2));
    options = simulatorOptions(parsed);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  if (options.replay !== undefined) {
    try {
      options.replay = await readRecordingFile(options.replay);
    } catch (err) {
      console.error(`cannot replay ${options.replay}: ${err.message}`);
      process.exit(1);
    }
  } else if (options.replaySpeed !== undefined || options.replayLoop !== undefined) {
    console.error(`--speed and --loop need --replay FILE\n${USAGE}`);
    process.exit(2);
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    // A bad value (an unknown market, say) is a usage error; a busy port is not.
    console.error(`cannot start the simulator: ${err.message}`);
    process.exit(err instanceof TypeError || err instanceof RangeError ? 2 : 1);
  }
  if (parsed.verbose) logTo(sim);
  console.log(`MAX simulator listening on ${sim.url}`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
