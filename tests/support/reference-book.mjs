// The reference order book the tests and benchmarks check the package's books against: plain
// Maps of price string to volume string, kept by docs/PROTOCOL.md's "Keeping a local order book"
// rules, written for clarity rather than speed and sharing no code with the wasm book.

export class ReferenceBook {
  constructor() {
    this.asks = new Map();
    this.bids = new Map();
    this.li = null;
    this.v = null;
  }

  /** Applies one book frame (a parsed wire object); says "applied", "dropped" or "resync". */
  apply(frame) {
    if (frame.e === "snapshot") {
      this.asks = new Map(frame.a);
      this.bids = new Map(frame.b);
      this.li = frame.li;
      this.v = frame.v;
      return "applied";
    }
    if (frame.v !== this.v) return "resync";
    if (frame.li <= this.li) return "dropped";
    if (!(frame.fi <= this.li + 1 && this.li + 1 <= frame.li)) return "resync";
    for (const [side, levels] of [
      [this.asks, frame.a],
      [this.bids, frame.b],
    ]) {
      for (const [price, volume] of levels) {
        if (Number(volume) === 0) side.delete(price);
        else side.set(price, volume);
      }
    }
    this.li = frame.li;
    return "applied";
  }

  /** `{ asks, bids }` as `[price, volume]` pairs, best first; the top `depth` of each when given. */
  levels(depth = Infinity) {
    const sorted = (side, sign) => [...side].sort((x, y) => sign * (Number(x[0]) - Number(y[0]))).slice(0, depth);
    return { asks: sorted(this.asks, 1), bids: sorted(this.bids, -1) };
  }
}

/** The top `depth` levels after a snapshot and its updates, all wire text. Throws when a frame
 * would not apply in order, so a corpus that is not one clean sequence is noticed. */
export function replayBook(snapshot, updates, depth = Infinity) {
  const book = new ReferenceBook();
  for (const text of [snapshot, ...updates]) {
    const outcome = book.apply(JSON.parse(text));
    if (outcome !== "applied") throw new Error(`reference book: a frame was ${outcome === "dropped" ? "dropped" : "out of sequence"}: ${text.slice(0, 120)}`);
  }
  return book.levels(depth);
}
