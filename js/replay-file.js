// Node only: a recording file from disk, gzipped or not. A gzip stream cut short (a recorder
// killed mid-write) is read up to where it stops, so only its last, partial line is lost.

import { readRecording, recordingLines } from "./replay-format.js";

const isGzip = (bytes) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

// The builtins are loaded on first use: importing node:zlib alone would cost every importer of
// the package milliseconds, and most never read a recording file.

/** The text of a recording file: gunzipped when it is gzip (by its bytes, whatever its name). */
export async function recordingText(path) {
  const { readFile } = await import("node:fs/promises");
  const bytes = await readFile(path);
  if (!isGzip(bytes)) return bytes.toString("utf8");
  const { constants, gunzipSync } = await import("node:zlib");
  return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString("utf8");
}

/** Reads and checks a recording file (see replay-format.js). */
export async function readRecordingFile(path) {
  return readRecording(recordingLines(await recordingText(path)));
}
