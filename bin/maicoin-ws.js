#!/usr/bin/env node
// maicoin-ws CLI: subscribe to MAX channels and print one JSON line per response.
//   npx maicoin-ws book:btcusdt:20 trade:ethusdt kline:btcusdt:1m market_status

import { Stream } from "maicoin-ws";
import { USAGE, UsageError, parseArguments } from "./args.js";

function main() {
  let options;
  let stream;
  try {
    options = parseArguments(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return;
    }
    const streamOptions = {
      uri: options.uri,
      dispatch: options.dispatch,
      onDecodeError: (error) => console.error(`maicoin-ws: skipped a frame: ${error.message}`),
      onReconnecting: (error) => console.error(`maicoin-ws: reconnecting (${error.message})`),
      onAuthFailed: (error) => console.error(`maicoin-ws: ${error.message}`),
    };
    if (options.uri === undefined) delete streamOptions.uri;
    stream = options.auth ? Stream.fromEnv({ ...streamOptions, authFilters: options.filters }) : new Stream(streamOptions);
    // `--auth` alone is a valid run (private events only); the stream refuses an empty list.
    if (options.subscriptions.length > 0) stream.subscribe(options.subscriptions);
  } catch (error) {
    if (error instanceof UsageError || error instanceof TypeError || error instanceof RangeError || /is not set$/.test(error.message)) {
      console.error(`maicoin-ws: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }

  const print = (response) => {
    process.stdout.write(`${JSON.stringify(response)}\n`);
  };
  if (options.dispatch === "queue") {
    (async () => {
      for await (const response of stream.responses()) print(response);
    })();
  } else {
    stream.addHandler(print);
  }
  const stop = () => stream.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  stream.run().then(
    () => process.exit(0),
    (error) => {
      console.error(`maicoin-ws: gave up: ${error.message}`);
      process.exit(1);
    },
  );
}

main();
