// Response.parse: the frame goes into wasm with one encodeInto, one wasm call decodes and
// validates it onto a flat f64 tape, and this file builds the plain object from the tape.
// Strings are slices of the original JS string (offsets in an ASCII frame equal UTF-16 indices),
// which is what makes this faster than crossing the boundary per field.
//
// The object builders are generated from the schema's tables (js/generated/readers.js) over the
// tape primitives below.

import { wasm } from "./wasm.js";
import { makeReaders } from "./generated/readers.js";

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8");

let bytes = null; // views of the wasm memory

let numbers = null;
let inputAt = 0;
let inputCapacity = 0;
let input = null; // a view of the input buffer, reused between frames

// Reader state of the frame being built.
let at = 0; // index into `numbers`
let text = "";
let ascii = true;
let frameAt = 0; // where the frame's bytes are in wasm memory
let ownedAt = 0;

// Growing the wasm memory detaches its old ArrayBuffer, which empties every view made on it: an
// empty view is the cheap sign to make new ones (reading `memory.buffer` is a call into the
// engine, twice a frame otherwise).
function refreshViews() {
  if (bytes === null || bytes.length === 0) {
    const current = wasm.exports.memory.buffer;
    bytes = new Uint8Array(current);
    numbers = new Float64Array(current);
    input = bytes.subarray(inputAt, inputAt + inputCapacity);
  }
}

function reserveInput(length) {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  const needed = length * 3;
  if (needed > inputCapacity) {
    inputCapacity = Math.max(needed, 4096);
    inputAt = wasm.glue.inputBuffer(inputCapacity);
    bytes = null;
  }
  refreshViews();
}

/** Decodes one MAX message into its plain object; throws an Error that says what is wrong. */
export function parseResponse(frame) {
  if (typeof frame !== "string") {
    throw new TypeError(`Response.parse expects a string, got ${frame === null ? "null" : typeof frame}`);
  }
  const tapeAt = wasm.glue.decodeResponse(encodeFrame(frame));
  if (tapeAt === 0) {
    text = "";
    throw new Error(wasm.glue.decodeError());
  }
  frameAt = inputAt;
  return readTape(tapeAt);
}

function str() {
  const start = numbers[at];
  const end = numbers[at + 1];
  at += 2;
  if (start >= 0) {
    return ascii ? text.slice(start, end) : utf8.decode(bytes.subarray(frameAt + start, frameAt + end));
  }
  // The string held escapes; wasm unescaped it into its owned-text buffer.
  return utf8.decode(bytes.subarray(ownedAt - start - 1, ownedAt + end));
}

function num() {
  return numbers[at++];
}

// A float is its value, or NaN then its JSON text when wasm could not round it exactly: Number
// rounds it as JSON.parse would.
function float() {
  const value = numbers[at++];
  return value === value ? value : floatText();
}

// Kept out of float(), which stays small enough to inline.
function floatText() {
  return Number(str());
}

function date() {
  return new Date(numbers[at++]);
}

function bool() {
  return numbers[at++] !== 0;
}

function extra() {
  const count = numbers[at++];
  const out = {};
  for (let i = 0; i < count; i++) {
    const key = str();
    const value = JSON.parse(str());
    // Assigning "__proto__" would replace the object's prototype with the frame's value instead
    // of keeping the key: define it as an own property, as JSON.parse does.
    if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

const readResponse = makeReaders({ num, float, str, date, bool, extra });

// The stream's path: the engine in wasm decodes each frame of a batch itself (routing book frames
// and keepalive answers without building anything), then calls buildResponse for a frame to
// deliver, with the frame's JS text and where its bytes lie in wasm memory: one crossing.

/** Writes a frame into the wasm input buffer; returns its length in bytes. */
export function encodeFrame(frame) {
  reserveInput(frame.length);
  const { written } = encoder.encodeInto(frame, input);
  ascii = written === frame.length;
  if (!ascii && !frame.isWellFormed()) {
    throw new Error("invalid MAX message: the text holds a lone UTF-16 surrogate (not valid Unicode)");
  }
  text = frame;
  return written;
}

/**
 * Builds the object of a frame decoded onto the tape at byte address tapeAt: `frames[index]` is
 * its JS text, its UTF-8 bytes are the `length` bytes at `bytesAt` (equal lengths: it is ASCII,
 * and strings are slices of the text).
 */
export function buildResponse(tapeAt, frames, index, bytesAt, length) {
  const frame = frames[index];
  text = frame;
  ascii = length === frame.length;
  frameAt = bytesAt;
  return readTape(tapeAt);
}

function readTape(tapeAt) {
  refreshViews();
  at = tapeAt / 8;
  ownedAt = numbers[at++];
  const response = readResponse();
  text = "";
  return response;
}
