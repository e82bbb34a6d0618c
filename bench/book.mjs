// Book updates applied per second, against bare JSON.parse of the same frames in the same process:
//   - OrderBook.applyFrame(text): the raw frame straight into the wasm book;
//   - the stream-driven book (stream.book(market, { depth })): frames delivered as message events
//     by a fake socket (lib/feed-socket.mjs) and applied inside wasm;
//   - OrderBook.apply(Response.parse(text)): an app feeding the book its own Response objects;
//   - the official client max-exchange-api-node, driven offline (lib/official/): its own message
//     path (which keeps a Map of Decimal levels per market), and with its WebSocketBook on top.
// The corpus: a depth-20 btcusdt book recorded from the simulator, one snapshot then 200,000
// updates with valid fi/li chaining. Every book is checked against a reference after each round.
//
// With --against DIR (a staged package: js/, pkg/, package.json and node_modules, as BENCH_PACKAGE
// takes) the package's three paths run again from DIR in the same process and rounds, named
// "... @ against", for an A/B of two builds; the official client is left out then.
//
//   node --expose-gc bench/book.mjs [--processes 3] [--rounds 5] [--frames 200000] [--against DIR]

import { bookCorpus, levelHistogram, referenceBook } from "./lib/corpus.mjs";
import { fmt, inProcesses, loadPackage, machineLine, options, pairRatio, summarize, table, timeRounds } from "./lib/measure.mjs";
import { streamBook, until } from "./lib/feed-socket.mjs";

const MARKET = "btcusdt";
const DEPTH = 20;
const BATCH = 256; // frames per delivery to the stream: what one socket read might carry

const opts = options();
const TARGET = 1.5;

const frames = opts.number("frames", 200_000);
const against = opts.directory("against");

if (opts.child) {
  console.log(JSON.stringify(await child()));
} else {
  await parent();
}

async function child() {
  const { officialConnection, quietly } = await import("./lib/official/index.mjs");
  const corpus = await bookCorpus(frames, DEPTH);
  const { snapshot, updates } = corpus;
  const lastIds = updates.map((frame) => JSON.parse(frame).li);
  const reference = referenceBook(corpus, DEPTH);
  const expectTop = (what, asks, bids) => {
    const same = JSON.stringify(asks) === JSON.stringify(reference.asks) && JSON.stringify(bids) === JSON.stringify(reference.bids);
    if (!same) throw new Error(`${what}: the book differs from the reference after the corpus`);
  };
  const slice = (warm) => (warm ? updates.length / 10 : updates.length);

  let sink = null;
  let official = null;
  const streams = [];

  /** The package's three paths, from the package `pkg`, their names ending in `suffix`. */
  const ours = ({ OrderBook, Response, Stream }, suffix) => {
    let book = null;
    let live = null;
    return [
      {
        name: `OrderBook.applyFrame${suffix}`,
        messages: updates.length,
        before() {
          book = new OrderBook(MARKET);
          book.applyFrame(snapshot);
        },
        run(warm) {
          const n = slice(warm);
          for (let i = 0; i < n; i++) book.applyFrame(updates[i]);
          if (!warm) expectTop("applyFrame", book.asks(DEPTH), book.bids(DEPTH));
        },
      },
      {
        name: `stream.book (fake socket)${suffix}`,
        messages: updates.length,
        async before() {
          live?.stream.close();
          live = await streamBook(Stream, MARKET, DEPTH);
          streams.push(live.stream);
          live.socket.deliver(snapshot);
          await until(() => live.book.inSync, "the snapshot");
        },
        async run(warm) {
          const n = slice(warm);
          const { socket, book: kept } = live;
          for (let i = 0; i < n; i += BATCH) {
            const end = Math.min(i + BATCH, n);
            for (let j = i; j < end; j++) socket.deliver(updates[j]);
            const target = lastIds[end - 1];
            await until(() => kept.lastUpdateId === target);
          }
          if (!warm) {
            if (kept.resyncs !== 0) throw new Error("stream.book resynced on a valid corpus");
            expectTop("stream.book", kept.asks(DEPTH), kept.bids(DEPTH));
          }
        },
      },
      {
        name: `OrderBook.apply(Response.parse)${suffix}`,
        messages: updates.length,
        before() {
          book = new OrderBook(MARKET);
          book.apply(Response.parse(snapshot));
        },
        run(warm) {
          const n = slice(warm);
          for (let i = 0; i < n; i++) book.apply(Response.parse(updates[i]));
          if (!warm) expectTop("apply(Response)", book.asks(DEPTH), book.bids(DEPTH));
        },
      },
    ];
  };

  const officials = [
    {
      name: "official: message path",
      messages: updates.length,
      before() {
        official?.close();
        official = officialConnection();
        official.deliver(snapshot);
      },
      run(warm) {
        const n = slice(warm);
        const { deliver, counts } = official;
        quietly(counts, () => {
          for (let i = 0; i < n; i++) deliver(updates[i]);
        });
        if (counts.warnings + counts.errors > 0) throw new Error(`official client complained: ${JSON.stringify(counts)}`);
      },
    },
    {
      name: "official: + WebSocketBook",
      messages: updates.length,
      before() {
        official?.close();
        official = officialConnection({ book: { market: MARKET, depth: DEPTH } });
        official.deliver(snapshot);
      },
      run(warm) {
        const n = slice(warm);
        const { deliver, counts, book: kept } = official;
        quietly(counts, () => {
          for (let i = 0; i < n; i++) deliver(updates[i]);
        });
        if (counts.warnings + counts.errors > 0) throw new Error(`official client complained: ${JSON.stringify(counts)}`);
        if (!warm) {
          // Its book offers only the best levels (as Decimal); compare those.
          const ask = kept.bestAsk();
          const bid = kept.bestBid();
          if (ask.price.toNumber() !== Number(reference.asks[0][0]) || bid.price.toNumber() !== Number(reference.bids[0][0])) {
            throw new Error("official WebSocketBook: best levels differ from the reference");
          }
        }
      },
    },
  ];

  const contenders = [
    {
      name: "JSON.parse",
      messages: updates.length,
      run(warm) {
        const n = slice(warm);
        for (let i = 0; i < n; i++) sink = JSON.parse(updates[i]);
      },
    },
    ...ours(await loadPackage(), ""),
    ...(against ? ours(await import(new URL(`file://${against}/js/node.js`).href), " @ against") : officials),
  ];
  const results = await timeRounds(contenders, { rounds: opts.rounds });
  for (const stream of streams) stream.close();
  official?.close();
  void sink;
  return results;
}

async function parent() {
  const corpus = await bookCorpus(frames, DEPTH);
  const histogram = levelHistogram(corpus.updates);
  const total = corpus.updates.length;
  const within = Object.entries(histogram).reduce((n, [levels, count]) => n + (levels >= 1 && levels <= 5 ? count : 0), 0);
  const mean = Object.entries(histogram).reduce((n, [levels, count]) => n + levels * count, 0) / total;
  const bytes = corpus.updates.reduce((n, f) => n + f.length, 0) / total;
  console.log(`# Book updates: ${MARKET} depth ${DEPTH}, ${total.toLocaleString("en")} updates after one snapshot`);
  console.log(
    `corpus: ${((100 * within) / total).toFixed(1)} % of updates change 1–5 levels (mean ${mean.toFixed(2)}, max ${Math.max(...Object.keys(histogram).map(Number))}), ` +
      `${bytes.toFixed(0)} bytes a frame; ${opts.processes} processes × ${opts.rounds} rounds`,
  );
  console.log(machineLine());
  if (process.env.BENCH_PACKAGE) console.log(`package: ${process.env.BENCH_PACKAGE}`);
  if (against) console.log(`against: ${against}`);
  const argv = ["--frames", String(frames), ...(against ? ["--against", against] : [])];
  const perProcess = inProcesses(new URL(import.meta.url), { processes: opts.processes, rounds: opts.rounds, argv });
  const rows = summarize(perProcess);
  if (against) {
    console.log();
    console.log(
      table(
        ["path", "updates/s", "× JSON.parse", "range over processes", "× the same path @ against"],
        rows.map((row) => {
          const other = row.name.endsWith(" @ against") || row.name === "JSON.parse" ? null : `${row.name} @ against`;
          const pair = other && pairRatio(perProcess, row.name, other);
          return [row.name, fmt.rate(row.rate), fmt.ratio(row.ratio), fmt.range(row.low, row.high), pair ? `${fmt.ratio(pair.ratio)} (${fmt.range(pair.low, pair.high)})` : "—"];
        }),
      ),
    );
    return;
  }
  const vsOfficial = (name) => {
    const { ratio, low, high } = pairRatio(perProcess, name, "official: message path");
    const withBook = pairRatio(perProcess, name, "official: + WebSocketBook");
    return [`${fmt.ratio(ratio)} (${fmt.range(low, high)})`, `${fmt.ratio(withBook.ratio)} (${fmt.range(withBook.low, withBook.high)})`];
  };
  console.log();
  console.log(
    table(
      ["path", "updates/s", "× JSON.parse", "range over processes", "× official message path", "× official WebSocketBook"],
      rows.map((row) => [row.name, fmt.rate(row.rate), fmt.ratio(row.ratio), fmt.range(row.low, row.high), ...vsOfficial(row.name)]),
    ),
  );
  console.log();
  const stream = rows.find((r) => r.name.startsWith("stream.book"));
  console.log(`target: stream-driven book ≥ ${TARGET}× JSON.parse: ${stream.ratio >= TARGET ? "met" : "missed"} (${fmt.ratio(stream.ratio)})`);
}
