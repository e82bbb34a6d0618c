#!/usr/bin/env node
// maicoin-ws CLI: subscribe to MAX channels and print one JSON line per response.
//   npx maicoin-ws book:btcusdt:20 trade:ethusdt kline:btcusdt:1m market_status
//   npx maicoin-ws record day.jsonl.gz book:btcusdt:20      (the same, and every frame to a file)
//   npx maicoin-ws replay day.jsonl.gz --speed 10           (the same lines again, from the file)
//   npx maicoin-ws --stats 5 book:btcusdt                   (and the feed's health on stderr every 5 s)

import { Stream, replay } from "maicoin-ws";
import { USAGE, UsageError, parseArguments } from "./args.js";
import { RecordingWriter } from "./recording-writer.js";
import { recordingHeader } from "../js/replay-format.js";

/** How long a recorder waits, after close(), for the server to confirm each close. */
const CLOSE_WAIT_MS = 1000;

function usageFailure(error) {
  return error instanceof UsageError || error instanceof TypeError || error instanceof RangeError || /is not set$/.test(error.message);
}

function fail(message, code) {
  console.error(`maicoin-ws: ${message}`);
  process.exit(code);
}

/** The options every kind of run gives its stream: notices go to stderr. */
function baseOptions(options) {
  return {
    dispatch: options.dispatch,
    onDecodeError: (error) => console.error(`maicoin-ws: skipped a frame: ${error.message}`),
    onReconnecting: (error) => console.error(`maicoin-ws: reconnecting (${error.message})`),
    onAuthFailed: (error) => console.error(`maicoin-ws: ${error.message}`),
  };
}

function liveStream(options, extra = {}) {
  const streamOptions = { ...baseOptions(options), ...extra };
  if (options.uri !== undefined) streamOptions.uri = options.uri;
  const stream = options.auth ? Stream.fromEnv({ ...streamOptions, authFilters: options.filters }) : new Stream(streamOptions);
  // `--auth` alone is a valid run (private events only); the stream refuses an empty list.
  if (options.subscriptions.length > 0) stream.subscribe(options.subscriptions);
  return stream;
}

/**
 * `record`: the live run, plus the file. Counts connections that opened and have not closed, so
 * that a stop waits (a little) for their close entries before the file is closed.
 */
function recorder(options) {
  let writer;
  try {
    writer = new RecordingWriter(options.file, recordingHeader(options.subscriptions));
  } catch (error) {
    fail(`cannot write ${options.file}: ${error.message}`, 1);
  }
  const open = new Set();
  let settled = null;
  const record = (entry) => {
    writer.write(entry);
    if (entry.open !== undefined) open.add(entry.conn);
    if (entry.close !== undefined && open.delete(entry.conn) && open.size === 0) settled?.();
  };
  const finish = async () => {
    if (open.size > 0) {
      await new Promise((resolve) => {
        settled = resolve;
        setTimeout(resolve, CLOSE_WAIT_MS).unref();
      });
    }
    await writer.close();
    if (writer.failure) fail(`writing ${options.file} failed: ${writer.failure.message}`, 1);
  };
  return { record, finish };
}

async function replayStream(options) {
  const connectFactory = replay(options.file, { speed: options.speed ?? Infinity });
  let recording;
  try {
    recording = await connectFactory.ready;
  } catch (error) {
    fail(`cannot replay ${options.file}: ${error.message}`, 1);
  }
  let stream;
  stream = new Stream({
    ...baseOptions(options),
    uri: recording.uri ?? "ws://replay.invalid/ws",
    connectFactory,
    // The recording is over once its last connection has closed: end as a live run that was stopped.
    onDisconnected: () => connectFactory.done && stream.close(),
  });
  const subscriptions = recording.header?.subscriptions ?? [];
  if (subscriptions.length > 0) stream.subscribe(subscriptions);
  return stream;
}

async function main() {
  let options;
  let stream;
  let recording = null;
  try {
    options = parseArguments(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return;
    }
    if (options.command === "replay") {
      stream = await replayStream(options);
    } else if (options.command === "record") {
      recording = recorder(options);
      stream = liveStream(options, { record: recording.record });
    } else {
      stream = liveStream(options);
    }
  } catch (error) {
    if (usageFailure(error)) {
      console.error(`maicoin-ws: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }

  // A closed stdout (piped into `head`, say) ends the run as a stop would.
  process.stdout.on("error", (error) => {
    if (error.code === "EPIPE") stream.close();
  });
  const print = (response) => {
    process.stdout.write(`${JSON.stringify(response)}\n`);
  };
  let printed = Promise.resolve();
  if (options.dispatch === "queue") {
    printed = (async () => {
      for await (const response of stream.responses()) print(response);
    })();
  } else {
    stream.addHandler(print);
  }
  const stop = () => stream.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const printStats = () => process.stderr.write(`${JSON.stringify(stream.stats())}\n`);
  const statsTimer = options.stats === undefined ? null : setInterval(printStats, options.stats * 1000);
  const ending = await stream.run().then(
    () => null,
    (error) => error,
  );
  if (statsTimer !== null) {
    clearInterval(statsTimer);
    printStats();
  }
  await printed;
  if (recording) await recording.finish();
  if (ending) fail(`gave up: ${ending.message}`, 1);
  process.exit(0);
}

await main();
