// A stream's frame input: message events are queued here and handed to wasm once per task, as
// one batch written into the shared batch buffer (one encodeInto for the whole batch when it is
// ASCII, one per frame otherwise), then one call.
// The wasm side copies the batch out at once, so one buffer serves every stream.

import { wasm } from "./wasm.js";

const encoder = new TextEncoder();

// Length markers of frames that are not plain text, handled one by one on the wasm side.
const BINARY = 0xffffffff;
const UNREADABLE = 0xfffffffe;

let bufferAt = 0;
let capacity = 0;
let memory = null;
let view = null;

/**
 * Makes the batch buffer hold `count` lengths and `bytes` bytes; returns where the bytes start.
 * The buffer is the frames' lengths (u32, at a 4-byte aligned address) and then their bytes, so
 * the wasm side takes both from its own memory.
 */
function reserve(count, bytes) {
  const needed = 4 * count + bytes;
  if (needed > capacity) {
    capacity = Math.max(needed, 2 * capacity, 1 << 16);
    bufferAt = wasm.glue.batchBuffer(capacity);
    memory = null;
  }
  const current = wasm.exports.memory.buffer;
  if (current !== memory) {
    memory = current;
    view = new Uint8Array(current, bufferAt, capacity);
  }
  return 4 * count;
}

/** The batch's lengths, in the buffer's front. */
const lengthsOf = (count) => new Uint32Array(memory, bufferAt, count);

/**
 * A batch of text frames that are all ASCII (what MAX sends), written with one encodeInto of
 * their concatenation: a frame's byte length is then its string length. False for a batch with
 * anything else (UTF-8 longer than the text says so), which `encodeEach` writes instead.
 */
function encodeAll(batch) {
  let length = 0;
  for (const frame of batch) {
    if (typeof frame !== "string") return false;
    length += frame.length;
  }
  const start = reserve(batch.length, length);
  const text = batch.length === 1 ? batch[0] : batch.join("");
  const { read, written } = encoder.encodeInto(text, view.subarray(start));
  if (read !== length || written !== length) return false;
  const lengths = lengthsOf(batch.length);
  for (let i = 0; i < batch.length; i++) lengths[i] = batch[i].length;
  return true;
}

/** Each frame with its own encodeInto; binary frames and lone surrogates are marked. */
function encodeEach(batch) {
  let needed = 0;
  for (const frame of batch) if (typeof frame === "string") needed += frame.length * 3;
  let offset = reserve(batch.length, needed);
  const lengths = lengthsOf(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const frame = batch[i];
    if (typeof frame !== "string") {
      lengths[i] = BINARY;
      continue;
    }
    const { written } = encoder.encodeInto(frame, view.subarray(offset));
    // A lone surrogate cannot be UTF-8: the one-by-one path reports it as the decoder does.
    if (written !== frame.length && !frame.isWellFormed()) {
      lengths[i] = UNREADABLE;
      continue;
    }
    lengths[i] = written;
    offset += written;
  }
}

/**
 * A socket's message queue: `message(event)` is its message listener; `flush()` hands what is
 * queued to `deliver(count, frames)` now (the socket calls it before reporting a close, so a
 * close never overtakes the frames received before it); `stop()` drops the rest for good.
 */
export function frameQueue(deliver) {
  let frames = [];
  let scheduled = false;
  let stopped = false;
  const flush = () => {
    scheduled = false;
    if (stopped || frames.length === 0) return;
    const batch = frames;
    frames = [];
    if (!encodeAll(batch)) encodeEach(batch);
    deliver(batch.length, batch);
  };
  const message = (event) => {
    if (stopped) return;
    frames.push(event.data);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  };
  // The socket is gone: its deliver function is about to be freed.
  const stop = () => {
    stopped = true;
    frames = [];
  };
  return { message, flush, stop };
}
