// Checks `auth` requests the way docs/PROTOCOL.md describes MAX doing it, including
// refusing a nonce seen before, so a client that reuses one on reconnect fails
// here as it would in production.

import { createHmac, timingSafeEqual } from "node:crypto";
import { ERROR } from "./protocol.js";

export function sign(secret, nonce) {
  return createHmac("sha256", secret).update(String(nonce)).digest("hex");
}

export class Authenticator {
  constructor({ apiKey, apiSecret, nonceWindowMs }) {
    this.secrets = new Map([[apiKey, apiSecret]]);
    this.nonceWindowMs = nonceWindowMs;
    // Used nonces per API key, across connections. A nonce older than the
    // window is refused as stale anyway, so those are pruned.
    this.usedNonces = new Map();
  }

  // Returns null when accepted, else the wire error string.
  check({ apiKey, nonce, signature }, now) {
    const secret = typeof apiKey === "string" ? this.secrets.get(apiKey) : undefined;
    if (secret === undefined || typeof signature !== "string") return ERROR.authFailed;
    if (!Number.isSafeInteger(nonce)) return ERROR.nonceOff;
    const expected = Buffer.from(sign(secret, nonce));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return ERROR.authFailed;
    if (Math.abs(now - nonce) >= this.nonceWindowMs) return ERROR.nonceOff;
    const used = this.usedFor(apiKey, now);
    if (used.has(nonce)) return ERROR.nonceUsed;
    used.add(nonce);
    return null;
  }

  usedFor(apiKey, now) {
    let used = this.usedNonces.get(apiKey);
    if (!used) {
      used = new Set();
      this.usedNonces.set(apiKey, used);
    }
    for (const nonce of used) if (nonce <= now - this.nonceWindowMs) used.delete(nonce);
    return used;
  }
}
