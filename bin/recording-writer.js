// The file of `maicoin-ws record`: the header line, then one entry a line, gzipped when the
// name ends in .gz. A gzip stream is flushed once a second, so a recorder killed without warning
// loses at most its last second; the reader tolerates the cut (a partial last line).

import { createWriteStream, openSync } from "node:fs";
import { constants, createGzip } from "node:zlib";

const GZIP_FLUSH_MS = 1000;

export class RecordingWriter {
  #file;
  #out;
  #flushTimer = null;
  #unflushed = false;
  #failure = null;

  /** Opens (creates or truncates) `path` at once, so a bad path fails before connecting. */
  constructor(path, header) {
    this.#file = createWriteStream(null, { fd: openSync(path, "w") });
    this.#file.on("error", (error) => (this.#failure = error));
    if (path.endsWith(".gz")) {
      const gzip = createGzip();
      gzip.on("error", (error) => (this.#failure = error));
      gzip.pipe(this.#file);
      this.#out = gzip;
      this.#flushTimer = setInterval(() => this.#flush(), GZIP_FLUSH_MS);
      this.#flushTimer.unref();
    } else {
      this.#out = this.#file;
    }
    this.#line(header);
  }

  /** The first write error, if any (the recorder reports it; the stream goes on). */
  get failure() {
    return this.#failure;
  }

  write(entry) {
    if (this.#failure) throw this.#failure;
    this.#line(entry);
  }

  #line(value) {
    this.#out.write(`${JSON.stringify(value)}\n`);
    this.#unflushed = true;
  }

  #flush() {
    if (!this.#unflushed || this.#failure) return;
    this.#unflushed = false;
    this.#out.flush(constants.Z_SYNC_FLUSH);
  }

  /** Writes out everything and closes the file; resolves once it is on disk's side of Node. */
  close() {
    clearInterval(this.#flushTimer);
    return new Promise((resolve) => {
      this.#file.once("close", resolve);
      this.#out.end();
    });
  }
}
