// The recording file: a header line, then one `record` entry a line, as the CLI writes it. This
// module reads one into connections; it works on text or lines, so every host shares it.

import { RecordingError } from "./errors.js";

export const RECORDING_FORMAT = "maicoin-ws-recording";
export const RECORDING_VERSION = 1;

/** The first line of a recording file. */
export function recordingHeader(subscriptions, started = Date.now()) {
  return { format: RECORDING_FORMAT, version: RECORDING_VERSION, subscriptions, started };
}

/** The lines of a recording's text (a trailing newline, CRLF and blank lines are no lines). */
export function recordingLines(text) {
  return text.split("\n").filter((line) => line.trim() !== "");
}

/**
 * Reads a recording from its lines (strings, or the entries themselves as `record` gave them).
 * The header is optional (a `record` callback's own list has none). A last line that is not JSON
 * is a recording cut short by a killed process: it is dropped, and everything before it is kept.
 * Returns { header, connections: [{ conn, open, events, close }] } in the order they started,
 * where events are the frame entries ({ at, frame, keepalive? }, as given: never changed) and close
 * is { at, code, reason } or null.
 */
export function readRecording(lines) {
  if (!Array.isArray(lines)) throw new TypeError("a recording is its text or its lines");
  const blank = (line) => typeof line === "string" && line.trim() === "";
  let last = lines.length - 1;
  while (last >= 0 && blank(lines[last])) last -= 1;
  let header = null;
  const connections = new Map();
  // An indexed loop without copies: recordings run to millions of lines.
  for (let index = 0, number = 0; index <= last; index++) {
    const line = lines[index];
    if (blank(line)) continue;
    number += 1;
    let entry = line;
    if (typeof line === "string") {
      try {
        entry = JSON.parse(line);
      } catch {
        if (index === last) break;
        throw new RecordingError(`line ${number} of the recording is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
      }
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new RecordingError(`line ${number} of the recording is not an entry object`);
    }
    if (number === 1 && "format" in entry) {
      header = readHeader(entry);
      continue;
    }
    addEntry(connections, entry, number);
  }
  if (connections.size === 0) throw new RecordingError("the recording has no connection in it");
  return { header, connections: [...connections.values()] };
}

function readHeader(header) {
  if (header.format !== RECORDING_FORMAT) {
    throw new RecordingError(`not a maicoin-ws recording: its format is ${JSON.stringify(header.format)}`);
  }
  if (header.version !== RECORDING_VERSION) {
    throw new RecordingError(`recording version ${JSON.stringify(header.version)} is not readable here (version ${RECORDING_VERSION} is)`);
  }
  if (header.subscriptions !== undefined && !Array.isArray(header.subscriptions)) {
    throw new RecordingError("the recording's subscriptions are not a list");
  }
  return header;
}

function addEntry(connections, entry, number) {
  // Built only for an error: one string per line would cost more than the checks.
  const bad = (problem) => new RecordingError(`line ${number} of the recording${problem}`);
  const { at, conn } = entry;
  if (typeof at !== "number" || !Number.isFinite(at)) throw bad(`: "at" is not a time in ms`);
  if (!Number.isInteger(conn) || conn < 1) throw bad(`: "conn" is not a connection number from 1`);
  let connection = connections.get(conn);
  if (connection?.close) throw bad(`: connection ${conn} has an entry after its close`);
  if ("open" in entry) {
    if (typeof entry.open !== "string") throw bad(`: "open" is not an endpoint`);
    if (connection) throw bad(`: connection ${conn} opens twice`);
    connections.set(conn, { conn, open: { at, uri: entry.open }, events: [], close: null });
  } else if ("frame" in entry) {
    if (typeof entry.frame !== "string") throw bad(`: "frame" is not the text of a frame`);
    if (!connection) throw bad(`: a frame of connection ${conn} before it opened`);
    // The entry itself: it is never changed, and a copy per frame is a measurable cost.
    connection.events.push(entry);
  } else if ("close" in entry) {
    if (!Number.isInteger(entry.close)) throw bad(`: "close" is not a close code`);
    if (!connection) {
      // A connection that never opened: a failed attempt, replayed as one.
      connection = { conn, open: null, events: [], close: null };
      connections.set(conn, connection);
    }
    connection.close = { at, code: entry.close, reason: typeof entry.reason === "string" ? entry.reason : "" };
  } else {
    throw bad(` is neither an open, a frame nor a close`);
  }
}
