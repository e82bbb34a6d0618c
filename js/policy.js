// ReconnectPolicy: the options of the Python package, in seconds; the arithmetic is the core's.

import { wasm } from "./wasm.js";

function number(name, value) {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number (seconds), got ${typeof value}`);
  return value;
}

export class ReconnectPolicy {
  constructor({ enabled = true, maxRetries = null, baseDelay = 1, maxDelay = 30, jitter = 1 } = {}) {
    if (typeof enabled !== "boolean") throw new TypeError(`enabled must be a boolean, got ${typeof enabled}`);
    if (maxRetries !== null && typeof maxRetries !== "number") {
      throw new TypeError(`maxRetries must be a non-negative integer or null, got ${typeof maxRetries}`);
    }
    number("baseDelay", baseDelay);
    number("maxDelay", maxDelay);
    number("jitter", jitter);
    // The core checks the options (a RangeError naming the one it refuses) as it reckons a delay.
    wasm.glue.reconnectDelay(enabled, maxRetries ?? undefined, baseDelay, maxDelay, jitter, 1, 0);
    this.enabled = enabled;
    this.maxRetries = maxRetries;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
    Object.freeze(this);
  }

  /** Seconds before the 1-based retry n: min(maxDelay, baseDelay * 2 ** (n - 1)) + [0, jitter). */
  delay(n) {
    return wasm.glue.reconnectDelay(this.enabled, this.maxRetries ?? undefined, this.baseDelay, this.maxDelay, this.jitter, n, Math.random());
  }

  /** Whether retry n (1-based) may be tried. */
  allows(n) {
    return this.enabled && (this.maxRetries === null || n <= this.maxRetries);
  }
}
