// Serving a recording (`--replay FILE`): the recorded public frames, played at their recorded pace
// (times `speed`), go to each connection subscribed to their channel and market, in place of the
// generated market. A connection that subscribes mid-way gets a snapshot of the recorded state:
// the book as the recorded frames built it, or the channel's latest recorded frame.

import { readRecording, recordingLines } from "../js/replay-format.js";
import { DEFAULT_DEPTH } from "./protocol.js";

const BATCH = 256;

/** The subscription key (as in protocol.js) a recorded data frame belongs to; null for others. */
function frameKey(frame) {
  switch (frame.c) {
    case "book":
    case "trade":
    case "ticker":
      return typeof frame.M === "string" ? `${frame.c}:${frame.M}` : null;
    case "kline":
      return typeof frame.M === "string" && typeof frame.k?.R === "string" ? `kline:${frame.M}:${frame.k.R}` : null;
    case "pool_quota":
      return typeof frame.qta?.cu === "string" ? `pool_quota:${frame.qta.cu}` : null;
    case "market_status":
      return "market_status";
    default:
      return null;
  }
}

/** The recorded public frames, in the order they were received, with their keys. */
function dataFrames(recording) {
  const frames = [];
  for (const connection of recording.connections) {
    for (const { at, frame: text } of connection.events) {
      let frame;
      try {
        frame = JSON.parse(text);
      } catch {
        continue; // a broken frame the recorder received: nothing a subscriber asked for
      }
      const key = frame && typeof frame === "object" ? frameKey(frame) : null;
      if (key) frames.push({ at, key, frame });
    }
  }
  return frames.sort((x, y) => x.at - y.at);
}

/** A market's book as the recorded frames leave it, for the snapshots of late subscribers. */
class RecordedBook {
  asks = new Map();
  bids = new Map();
  frame = null;

  apply(frame) {
    if (frame.e === "snapshot") {
      this.asks.clear();
      this.bids.clear();
    } else if (frame.e !== "update") {
      return;
    }
    for (const [side, levels] of [[this.asks, frame.a], [this.bids, frame.b]]) {
      for (const [price, volume] of Array.isArray(levels) ? levels : []) {
        if (Number(volume) === 0) side.delete(price);
        else side.set(price, volume);
      }
    }
    this.frame = frame;
  }

  snapshot(depth) {
    if (!this.frame) return null;
    const levels = (side, ascending) =>
      [...side]
        .sort(([p], [q]) => (ascending ? Number(p) - Number(q) : Number(q) - Number(p)))
        .slice(0, depth);
    const { M, T, li, v } = this.frame;
    return { c: "book", e: "snapshot", M, a: levels(this.asks, true), b: levels(this.bids, false), T, fi: li, li, v };
  }
}

export class ReplayFeed {
  /** `recording`: its text, its lines, or what readRecording() returned. */
  constructor(recording, { speed = 1, loop = false } = {}) {
    if (!(typeof speed === "number" && speed > 0)) throw new RangeError(`replaySpeed must be a number > 0, got ${speed}`);
    // Played as fast as possible and started over forever, it would never let the process rest.
    if (loop && speed === Infinity) throw new RangeError("replayLoop needs a finite replaySpeed");
    const read = recording?.connections ? recording : readRecording(typeof recording === "string" ? recordingLines(recording) : recording);
    this.frames = dataFrames(read);
    if (this.frames.length === 0) throw new RangeError("the recording has no public channel frame to serve");
    this.speed = speed;
    this.loop = loop;
    this.position = 0;
    this.rounds = 0;
    this.timer = null;
    this.stopped = false;
    this.resetState();
  }

  /** The markets the recording's frames name (the simulator must accept their subscriptions). */
  get markets() {
    return [...new Set(this.frames.map(({ frame }) => frame.M).filter((m) => typeof m === "string"))];
  }

  resetState() {
    this.books = new Map();
    this.latest = new Map();
  }

  /** Plays the frames, calling `deliver(key, frame)` for each, until stop(). */
  start(deliver) {
    this.deliver = deliver;
    this.begin();
  }

  begin() {
    this.position = 0;
    this.startedAt = Date.now();
    this.origin = this.frames[0].at;
    this.schedule();
  }

  schedule() {
    if (this.stopped) return;
    if (this.position >= this.frames.length) {
      if (!this.loop) return;
      this.rounds += 1;
      this.resetState();
      this.begin();
      return;
    }
    const due = this.startedAt + (this.frames[this.position].at - this.origin) / this.speed;
    const wait = this.speed === Infinity ? 0 : due - Date.now();
    this.timer = wait > 0 ? setTimeout(() => this.play(), wait) : setImmediate(() => this.play());
  }

  play() {
    const now = Date.now();
    for (let n = 0; n < BATCH && this.position < this.frames.length && !this.stopped; n++) {
      const { at, key, frame } = this.frames[this.position];
      if (this.speed !== Infinity && this.startedAt + (at - this.origin) / this.speed > now) break;
      this.position += 1;
      this.remember(key, frame);
      this.deliver(key, frame);
    }
    this.schedule();
  }

  remember(key, frame) {
    if (frame.c === "book") {
      let book = this.books.get(frame.M);
      if (!book) this.books.set(frame.M, (book = new RecordedBook()));
      book.apply(frame);
    } else {
      this.latest.set(key, frame);
    }
  }

  /** The snapshot a new subscriber of `sub` (with its `key`) gets now, or null if none was recorded yet. */
  snapshot(key, sub) {
    if (sub.channel === "book") return this.books.get(sub.market)?.snapshot(sub.depth ?? DEFAULT_DEPTH) ?? null;
    const latest = this.latest.get(key);
    return latest ? { ...latest, e: "snapshot" } : null;
  }

  stop() {
    this.stopped = true;
    // One of the two, whichever schedule() made; the other ignores it.
    clearTimeout(this.timer);
    clearImmediate(this.timer);
  }
}
