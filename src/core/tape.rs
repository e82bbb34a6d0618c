//! The tape: a decoded frame flattened into numbers for the JS side to build objects from.
//!
//! Crossing the wasm boundary once per string or object is what makes decoders slow
//! (BENCHMARKS.md); so one call decodes a frame and leaves a flat `f64` tape in wasm memory:
//! presence masks, counts, numbers and the `[start, end)` byte offsets of every string in the
//! frame. JS reads the tape and takes each string as a slice of the original JS string.
//!
//! Layout (all `f64`): `[owned_ptr, <object>]`; an object is its presence mask (bit i = field i
//! of its `wire_object!` table, then one bit for `extra`) followed by the present fields in table
//! order. A string is `start, end`: byte offsets into the frame, or, when it held escapes and had
//! to be unescaped, `-(start + 1), end` into the owned-text buffer. A list is its length then its
//! items; `extra` is its length then `key, raw JSON value` string pairs.

use super::wire::{Extra, Float, Id, Int, List, Text, Time};

/// Where decoded frames are written, reused from frame to frame.
#[derive(Debug, Default)]
pub struct Tape {
    numbers: Vec<f64>,
    owned: Vec<u8>,
    frame_start: usize,
}

impl Tape {
    /// Writes `value`, decoded from `frame`, as the whole tape.
    pub fn record(&mut self, frame: &[u8], value: &impl WriteTape) {
        self.begin(frame);
        value.write_tape(self);
        self.finish();
    }

    /// Starts a tape for a frame held at `frame` (string offsets are relative to it).
    fn begin(&mut self, frame: &[u8]) {
        self.numbers.clear();
        self.owned.clear();
        self.frame_start = frame.as_ptr() as usize;
        // Slot 0 is filled by `finish` with the owned-text address.
        self.numbers.push(0.0);
    }

    /// Completes the tape: records where the owned text is, for the JS side.
    fn finish(&mut self) {
        let owned_address = self.owned.as_ptr() as usize as f64;
        if let Some(slot) = self.numbers.first_mut() {
            *slot = owned_address;
        }
    }

    pub fn numbers(&self) -> &[f64] {
        &self.numbers
    }

    pub fn owned(&self) -> &[u8] {
        &self.owned
    }

    pub fn number(&mut self, value: f64) {
        self.numbers.push(value);
    }

    pub fn count(&mut self, count: usize) {
        self.numbers.push(count as f64);
    }

    /// A string borrowed from the frame: written as its byte offsets in the frame.
    pub fn frame_text(&mut self, text: &str) {
        let start = (text.as_ptr() as usize).wrapping_sub(self.frame_start);
        self.numbers.push(start as f64);
        self.numbers.push(start.wrapping_add(text.len()) as f64);
    }

    /// A string that held escapes, so it no longer lies in the frame: copied to the owned buffer.
    pub fn owned_text(&mut self, text: &str) {
        let owned_start = self.owned.len();
        self.owned.extend_from_slice(text.as_bytes());
        self.numbers.push(-(owned_start as f64) - 1.0);
        self.numbers.push(self.owned.len() as f64);
    }

    pub fn extra(&mut self, extra: &Extra<'_>) {
        self.count(extra.len());
        for (key, raw) in extra {
            key.write_tape(self);
            // Raw values are always borrowed from the frame.
            self.frame_text(raw.get());
        }
    }
}

/// A decoded value that can write itself onto the tape.
pub trait WriteTape {
    fn write_tape(&self, tape: &mut Tape);
}

impl WriteTape for Text<'_> {
    fn write_tape(&self, tape: &mut Tape) {
        match &self.0 {
            std::borrow::Cow::Borrowed(text) => tape.frame_text(text),
            std::borrow::Cow::Owned(text) => tape.owned_text(text),
        }
    }
}

impl WriteTape for Id<'_> {
    fn write_tape(&self, tape: &mut Tape) {
        self.0.write_tape(tape);
    }
}

impl WriteTape for Int {
    fn write_tape(&self, tape: &mut Tape) {
        // Exact: `Int` is at most 2^53 - 1.
        tape.number(self.0 as f64);
    }
}

impl WriteTape for Time {
    fn write_tape(&self, tape: &mut Tape) {
        // Exact: a `Time` is at most 8.64e15.
        tape.number(self.0 as f64);
    }
}

impl WriteTape for Float {
    fn write_tape(&self, tape: &mut Tape) {
        tape.number(self.0);
    }
}

impl WriteTape for bool {
    fn write_tape(&self, tape: &mut Tape) {
        tape.number(if *self { 1.0 } else { 0.0 });
    }
}

impl<A: WriteTape, B: WriteTape> WriteTape for (A, B) {
    fn write_tape(&self, tape: &mut Tape) {
        self.0.write_tape(tape);
        self.1.write_tape(tape);
    }
}

impl<T: WriteTape> WriteTape for List<T> {
    fn write_tape(&self, tape: &mut Tape) {
        tape.count(self.0.len());
        for item in &self.0 {
            item.write_tape(tape);
        }
    }
}
