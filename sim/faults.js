// Fault injection: the misbehaviours a client must survive (drops, junk
// frames, unknown events, book gaps and version changes, slow answers,
// refused handshakes, subscriptions gone quiet), switchable at start and at
// run time.

import { deriveRng } from "./rng.js";

export const FAULT_DEFAULTS = Object.freeze({
  dropAfterFrames: 0, // 0: never
  dropProbability: 0,
  garbageProbability: 0,
  unknownEventProbability: 0,
  bookGapProbability: 0,
  versionChangeProbability: 0,
  answerDelayMs: 0,
  rejectHandshakes: 0,
  retryAfterSec: 1,
  // Subscription keys ("book:btcusdt", "kline:ethusdt:1m", "market_status")
  // whose frames are not sent while their connections stay up and answer.
  silenced: Object.freeze([]),
});

const PROBABILITIES = [
  "dropProbability",
  "garbageProbability",
  "unknownEventProbability",
  "bookGapProbability",
  "versionChangeProbability",
];

// Validates a partial fault setting; unknown names are refused so that a
// typo in a test does not silently test nothing.
export function checkFaults(partial) {
  const checked = {};
  for (const [name, value] of Object.entries(partial)) {
    if (!(name in FAULT_DEFAULTS)) throw new TypeError(`unknown fault ${name}`);
    if (name === "silenced") {
      if (!Array.isArray(value) || !value.every((key) => typeof key === "string")) {
        throw new TypeError(`silenced must be a list of subscription keys such as "book:btcusdt", got ${value}`);
      }
      checked[name] = Object.freeze([...value]);
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
    }
    if (PROBABILITIES.includes(name) && value > 1) throw new RangeError(`${name} is a probability, got ${value}`);
    checked[name] = value;
  }
  return checked;
}

export function pickFaults(options) {
  const picked = {};
  for (const name of Object.keys(FAULT_DEFAULTS)) if (options[name] !== undefined) picked[name] = options[name];
  return picked;
}

export class FaultInjector {
  constructor(seed, initial) {
    // Its own random stream, so turning faults on leaves market data as is.
    this.rng = deriveRng(seed, "faults");
    this.settings = { ...FAULT_DEFAULTS, ...checkFaults(initial) };
  }

  set(partial) {
    Object.assign(this.settings, checkFaults(partial));
  }

  roll(name) {
    return this.rng.chance(this.settings[name]);
  }

  // A frame no JSON parser, or no MAX message reader, accepts.
  garbage(text) {
    const kinds = [
      () => text.slice(0, Math.max(1, Math.floor(text.length / 2))),
      () => "<html><body>502 Bad Gateway</body></html>",
      () => '{"e":"update","c":',
      () => `{"T":${Date.now()}}`,
      () => "",
    ];
    return this.rng.pick(kinds)();
  }

  // A valid frame with an event this protocol does not define.
  unknownEvent(now) {
    return { e: "mystery_event", T: now, zz: 1 };
  }

  // Consumes one refusal, returning the Retry-After time (Unix seconds), or
  // null when this handshake may pass.
  refuseHandshake(now) {
    if (this.settings.rejectHandshakes < 1) return null;
    this.settings.rejectHandshakes -= 1;
    return Math.ceil(now / 1000 + this.settings.retryAfterSec);
  }
}
