// The frames the decode benchmark runs over: every documented message in turn, and book updates
// alone. Every frame is a distinct string (times and ids advance), as on a live connection.

import { createRng } from "../sim/rng.js";
import { inbound } from "../tests/support/fixtures.mjs";

/** `count` frames cycling through the documented server messages, each with its own `T`. */
export function mixedFrames(count) {
  const wires = inbound.map(({ wire }) => wire);
  const frames = new Array(count);
  for (let i = 0; i < count; i++) {
    const wire = wires[i % wires.length];
    frames[i] = JSON.stringify({ ...wire, T: 1_700_000_000_000 + i });
  }
  return frames;
}

/**
 * `count` btcusdt book updates of 5 asks and 5 bids around a drifting mid price (two-decimal
 * prices, volumes of up to 8 decimals, about one level in ten removed with volume "0").
 */
export function bookFrames(count) {
  // Seeded, so every run and process decodes the same frames.
  const random = createRng(7);
  let mid = 63_190;
  const level = (price) => {
    const volume = random() < 0.1 ? "0" : (random() * 2).toFixed(1 + Math.floor(random() * 8));
    return [price.toFixed(2), volume];
  };
  const frames = new Array(count);
  for (let i = 0; i < count; i++) {
    mid += (random() - 0.5) * 4;
    const asks = Array.from({ length: 5 }, (_, k) => level(mid + 0.01 + k * 0.5 + random() * 0.4));
    const bids = Array.from({ length: 5 }, (_, k) => level(mid - 0.01 - k * 0.5 - random() * 0.4));
    const id = 12_141_726 + i;
    frames[i] = JSON.stringify({ c: "book", e: "update", M: "btcusdt", a: asks, b: bids, T: 1_700_000_000_000 + i, fi: id, li: id, v: 1_725_602_999_632 });
  }
  return frames;
}
