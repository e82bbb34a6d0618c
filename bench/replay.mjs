// Replaying a recording of book frames at speed Infinity, against bare JSON.parse of the same
// frames in the same process:
//   - replay(entries) → stream.book: the recorded entries (as a `record` callback keeps them)
//     played through a Stream's engine into its wasm book, BATCH frames a macrotask;
//   - replay(lines) → stream.book: the same from the file's lines, each line read as JSON first
//     (what `maicoin-ws replay FILE` and replay(path) do).
//   - fake socket → stream.book: bench/book.mjs's path (frames handed to the engine by a socket
//     that is not one), for scale: what the engine itself costs, without a recording.
// The corpus is bench/book.mjs's: a depth-20 btcusdt book from the simulator, one snapshot, then
// updates with valid fi/li chaining; each replayed book is checked against a reference.
//
// With --against DIR (a staged package, as BENCH_PACKAGE takes) the three paths run again from DIR
// in the same process and rounds, named "... @ against", for an A/B of two builds.
//
//   node --expose-gc bench/replay.mjs [--processes 3] [--rounds 5] [--frames 200000] [--against DIR]

import { bookCorpus, referenceBook } from "./lib/corpus.mjs";
import { streamBook, until } from "./lib/feed-socket.mjs";
import { fmt, inProcesses, loadPackage, machineLine, options, pairRatio, summarize, table, timeRounds } from "./lib/measure.mjs";

const MARKET = "btcusdt";
const DEPTH = 20;
const TARGET = 1.5;
const BATCH = 256; // as the replay hands frames to the engine at speed Infinity

const opts = options();
const frames = opts.number("frames", 200_000);
const against = opts.directory("against");

if (opts.child) {
  console.log(JSON.stringify(await child()));
} else {
  await parent();
}

/**
 * A recording of one connection that received the corpus, 1 ms apart, then one `pong`: the
 * handler that gets it reads the book after the last update and before the close resets it.
 */
function recordingOf({ snapshot, updates }) {
  const entries = [{ at: 0, conn: 1, open: "ws://recorded.invalid/ws" }, { at: 1, conn: 1, frame: snapshot }];
  updates.forEach((frame, i) => entries.push({ at: i + 2, conn: 1, frame }));
  entries.push({ at: updates.length + 2, conn: 1, frame: '{"e":"pong","i":"end","T":0}' });
  entries.push({ at: updates.length + 3, conn: 1, close: 1000, reason: "" });
  return entries;
}

async function child() {
  const corpus = await bookCorpus(frames, DEPTH);
  const reference = referenceBook(corpus, DEPTH);
  const entries = recordingOf(corpus);
  const lines = entries.map((entry) => JSON.stringify(entry));
  const lastId = JSON.parse(corpus.updates.at(-1)).li;
  const warmEntries = recordingOf({ snapshot: corpus.snapshot, updates: corpus.updates.slice(0, corpus.updates.length / 10) });
  const warmLastId = JSON.parse(corpus.updates[corpus.updates.length / 10 - 1]).li;
  let sink = null;

  /** The three paths, from the package `pkg`, their names ending in `suffix`. */
  const ours = ({ Stream, replay }, suffix) => {
    /** Plays `recording` into a fresh stream's book; resolves once its last update is applied. */
    async function play(recording, target, check) {
      const connectFactory = replay(recording);
      let stream;
      stream = new Stream({ uri: "ws://recorded.invalid/ws", connectFactory, onDisconnected: () => connectFactory.done && stream.close() });
      const book = stream.book(MARKET, { depth: DEPTH });
      let endId = null;
      let endBook = null;
      stream.addHandler(() => {
        endId = book.lastUpdateId;
        endBook = JSON.stringify([book.asks(DEPTH), book.bids(DEPTH), book.resyncs]);
      });
      await stream.run();
      if (endId !== target) throw new Error(`the replayed book ended at ${endId}, not ${target}`);
      if (check && endBook !== JSON.stringify([reference.asks, reference.bids, 0])) {
        throw new Error("the replayed book differs from the reference (or resynced on a valid corpus)");
      }
    }

    return [
      {
        name: `replay(entries) → stream.book${suffix}`,
        messages: corpus.updates.length,
        run: (warm) => (warm ? play(warmEntries, warmLastId, false) : play(entries, lastId, true)),
      },
      {
        name: `replay(lines) → stream.book${suffix}`,
        messages: corpus.updates.length,
        run: (warm) => (warm ? play(warmEntries.map((e) => JSON.stringify(e)), warmLastId, false) : play(lines, lastId, true)),
      },
      {
        name: `fake socket → stream.book${suffix}`,
        messages: corpus.updates.length,
        async run(warm) {
          const n = warm ? corpus.updates.length / 10 : corpus.updates.length;
          const live = await streamBook(Stream, MARKET, DEPTH);
          live.socket.deliver(corpus.snapshot);
          for (let i = 0; i < n; i += BATCH) {
            const end = Math.min(i + BATCH, n);
            for (let j = i; j < end; j++) live.socket.deliver(corpus.updates[j]);
            await new Promise((resolve) => setImmediate(resolve));
          }
          const target = JSON.parse(corpus.updates[n - 1]).li;
          await until(() => live.book.lastUpdateId === target);
          live.stream.close();
          await live.ending;
        },
      },
    ];
  };

  const contenders = [
    {
      name: "JSON.parse",
      messages: corpus.updates.length,
      run(warm) {
        const n = warm ? corpus.updates.length / 10 : corpus.updates.length;
        for (let i = 0; i < n; i++) sink = JSON.parse(corpus.updates[i]);
      },
    },
    ...ours(await loadPackage(), ""),
    ...(against ? ours(await import(new URL(`file://${against}/js/node.js`).href), " @ against") : []),
  ];
  const results = await timeRounds(contenders, { rounds: opts.rounds });
  void sink;
  return results;
}

async function parent() {
  const corpus = await bookCorpus(frames, DEPTH);
  console.log(`# Replay at speed Infinity: ${MARKET} depth ${DEPTH}, ${corpus.updates.length.toLocaleString("en")} book updates after one snapshot`);
  console.log(`${opts.processes} processes × ${opts.rounds} rounds; the replay's time includes reading the recording and the stream's start`);
  console.log(machineLine());
  if (against) console.log(`against: ${against}`);
  const argv = ["--frames", String(frames), ...(against ? ["--against", against] : [])];
  const perProcess = inProcesses(new URL(import.meta.url), { processes: opts.processes, rounds: opts.rounds, argv });
  const rows = summarize(perProcess);
  const vsAgainst = (name) => {
    if (!against || name === "JSON.parse" || name.endsWith(" @ against")) return [];
    const { ratio, low, high } = pairRatio(perProcess, name, `${name} @ against`);
    return [`${fmt.ratio(ratio)} (${fmt.range(low, high)})`];
  };
  console.log();
  console.log(
    table(
      ["path", "updates/s", "× JSON.parse", "range over processes", ...(against ? ["× the same path @ against"] : [])],
      rows.map((row) => {
        const pair = vsAgainst(row.name);
        return [row.name, fmt.rate(row.rate), fmt.ratio(row.ratio), fmt.range(row.low, row.high), ...(against && !pair.length ? ["—"] : pair)];
      }),
    ),
  );
  console.log();
  const entries = rows.find((r) => r.name.startsWith("replay(entries)"));
  console.log(`target: replay at Infinity ≥ ${TARGET}× JSON.parse: ${entries.ratio >= TARGET ? "met" : "missed"} (${fmt.ratio(entries.ratio)})`);
}
