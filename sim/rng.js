// A seeded PRNG so that a given seed replays the same market data: tests can
// reason about a run, and a failing soak run can be reproduced.

// mulberry32: tiny, fast, and good enough for simulated prices (not crypto).
export function createRng(seed) {
  let state = hashSeed(seed);
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.pick = (list) => list[Math.floor(next() * list.length)];
  next.chance = (p) => p > 0 && next() < p;
  return next;
}

// Streams derived from one seed by name stay independent: adding a market or
// turning on a fault does not shift the numbers another stream draws.
export function deriveRng(seed, name) {
  return createRng(`${seed}/${name}`);
}

function hashSeed(seed) {
  const text = String(seed);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}
