// Which transport a Stream runs on. Kept apart from the worker proxy (remote-stream.js), so that
// a direct stream, the common case, never needs the proxy's code.

const TRANSPORTS = ["direct", "worker", "shared"];

/** The transport a request gets here: no SharedWorker -> "worker", no Worker -> "direct". */
export function transportOf(requested = "direct") {
  if (!TRANSPORTS.includes(requested)) {
    throw new RangeError(`transport must be one of ${TRANSPORTS.join(", ")}, got ${JSON.stringify(requested)}`);
  }
  if (requested === "shared" && typeof SharedWorker === "function") return "shared";
  if (requested !== "direct" && typeof Worker === "function") return "worker";
  return "direct";
}
