// Reading and writing the parts of the wasm binary format that the post-link steps touch
// (scripts/short-names.mjs, scripts/function-order.mjs): LEB128 numbers, names, the section list.
// A malformed module fails with WasmFormatError, never a wrong result.

export class WasmFormatError extends Error {}

/** Reads numbers and names from `bytes`, from `at` on. */
export class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  byte() {
    if (this.at >= this.bytes.length) throw new WasmFormatError("the wasm ends inside a section");
    return this.bytes[this.at++];
  }
  u32() {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    throw new WasmFormatError("an overlong LEB128 number");
  }
  name() {
    const length = this.u32();
    const start = this.at;
    this.at += length;
    if (this.at > this.bytes.length) throw new WasmFormatError("a name runs past the end of the wasm");
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(start, this.at));
  }
  /** Skips one limits field (tables, memories): flags, minimum, maximum if flagged. */
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** `value` as unsigned LEB128. */
export function u32Bytes(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

/** A name as the format stores it: its UTF-8 length, then the bytes. */
export function nameBytes(text) {
  const utf8 = new TextEncoder().encode(text);
  return [...u32Bytes(utf8.length), ...utf8];
}

/** One section's bytes, header included, around `payload`. */
export function sectionBytes(id, payload) {
  return Uint8Array.of(id, ...u32Bytes(payload.length), ...payload);
}

/**
 * The module's sections, after checking its header: [{ id, name, header, start, end }], `header`
 * where the section begins, `start`…`end` its payload, `name` a custom section's name (else null).
 */
export function sections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new WasmFormatError("not a version 1 wasm module");
  const r = new Reader(bytes, 8);
  const list = [];
  while (r.at < bytes.length) {
    const header = r.at;
    const id = r.byte();
    const size = r.u32();
    const start = r.at;
    const end = start + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the wasm`);
    const name = id === 0 ? r.name() : null;
    list.push({ id, name, header, start, end });
    r.at = end;
  }
  return list;
}
