// StreamError: every failure a Stream reports (onDisconnected, onReconnecting,
// onPermanentFailure, onAuthFailed, run()'s rejection). The engine in wasm decides the code and
// the text; makeStreamError is the one function it calls to turn them into this object.

export class StreamError extends Error {
  /**
   * @param {string} code one of the documented codes (README, "Stream errors")
   * @param {string} message
   * @param {{ closeCode?: number, reason?: string, cause?: unknown }} [details]
   */
  constructor(code, message, { closeCode, reason, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StreamError";
    this.code = code;
    // Only where a socket's close event caused the failure.
    if (closeCode !== undefined) {
      this.closeCode = closeCode;
      this.reason = reason ?? "";
    }
  }
}

/** @internal The engine's maker: positional, so that wasm passes plain values. */
export function makeStreamError(code, message, closeCode, reason, cause) {
  return new StreamError(code, message, { closeCode, reason, cause });
}

/** An unreadable recording: the message names the line and what is wrong with it. */
export class RecordingError extends Error {
  constructor(message) {
    super(message);
    this.name = "RecordingError";
  }
}
