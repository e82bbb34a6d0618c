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

function reserve(bytes) {
  if (bytes > capacity) {
    capacity = Math.max(bytes, 2 * capacity, 1 << 16);
    bufferAt = wasm.glue.batchBuffer(capacity);
    memory = null;
  }
  const current = wasm.exports.memory.buffer;
  if (current !== memory) {
    memory = current;
    view = new Uint8Array(current, bufferAt, capacity);
  }
}

/**
 * A batch of text frames that are all ASCII (what MAX sends), written with one encodeInto of
 * their concatenation: a frame's byte length is then its string length. `null` for a batch with
 * anything else (UTF-8 longer than the text says so), which `encodeEach` writes instead.
 */
function encodeAll(batch) {
  let length = 0;
  for (const frame of batch) {
    if (typeof frame !== "string") return null;
    length += frame.length;
  }
  reserve(length);
  const { read, written } = encoder.encodeInto(batch.length === 1 ? batch[0] : batch.join(""), view);
  if (read !== length || written !== length) return null;
  const lengths = new Uint32Array(batch.length);
  for (let i = 0; i < batch.length; i++) lengths[i] = batch[i].length;
  return lengths;
}

/** Each frame with its own encodeInto; binary frames and lone surrogates are marked. */
function encodeEach(batch) {
  let needed = 0;
  for (const frame of batch) if (typeof frame === "string") needed += frame.length * 3;
  reserve(needed);
  const lengths = new Uint32Array(batch.length);
  let offset = 0;
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
  return lengths;
}

/**
 * A socket's message queue: `message(event)` is its message listener; `flush()` hands what is
 * queued to `deliver(lengths, frames)` now (the socket calls it before reporting a close, so a
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
    deliver(encodeAll(batch) ?? encodeEach(batch), batch);
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
