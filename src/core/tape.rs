//! The tape: a decoded frame flattened into numbers for the JS side to build objects from.
//!
//! Crossing the wasm boundary once per string or object is what makes decoders slow
//! (BENCHMARKS.md); so one call decodes a frame and leaves a flat `f64` tape in wasm memory:
//! presence masks, counts, numbers and the `[start, end)` byte offsets of every string in the
//! frame. JS reads the tape and takes each string as a slice of the original JS string.
//!
//! Layout (all `f64`): `[owned_ptr, <object>]`; an object is its presence mask (bit i = field i
//! of its table in `schema.rs`, then one bit for `extra`) followed by the present fields in table
//! order. A string is `start, end`: byte offsets into the frame, or, when it held escapes and had
//! to be unescaped, `-(start + 1), end` into the owned-text buffer. A list is its length then its
//! items; `extra` is its length then `key, raw JSON value` string pairs. A float is its value, or
//! `NaN` then its JSON text as a string, for JS to read with `Number` (which rounds as
//! `JSON.parse` does) when the wasm cannot round it exactly.

use super::schema::MAX_FIELDS;
use super::wire::{Extra, Text};

/// Where decoded frames are written, reused from frame to frame.
#[derive(Debug)]
pub struct Tape {
    numbers: Vec<f64>,
    owned: Vec<u8>,
    frame_start: usize,
    /// Where the decoder puts an object's fields aside to write them back in table order.
    pub(crate) scratch: Vec<f64>,
    /// Where each field of the outermost object starts on the tape (`ABSENT` if it is absent).
    pub(crate) root: [u32; MAX_FIELDS],
}

/// A `root` slot of a field that is not on the tape.
pub const ABSENT: u32 = u32::MAX;

impl Default for Tape {
    fn default() -> Self {
        Tape {
            numbers: Vec::new(),
            owned: Vec::new(),
            frame_start: 0,
            scratch: Vec::new(),
            root: [ABSENT; MAX_FIELDS],
        }
    }
}

impl Tape {
    /// Starts a tape for a frame held at `frame` (string offsets are relative to it).
    pub(crate) fn begin(&mut self, frame: &[u8]) {
        self.numbers.clear();
        self.owned.clear();
        self.root = [ABSENT; MAX_FIELDS];
        self.frame_start = frame.as_ptr() as usize;
        // Slot 0 is filled by `finish` with the owned-text address.
        self.numbers.push(0.0);
    }

    /// Completes the tape: records where the owned text is, for the JS side.
    pub(crate) fn finish(&mut self) {
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

    /// Where field `index` of the outermost object starts, if it is present.
    pub fn root_field(&self, index: usize) -> Option<usize> {
        self.root
            .get(index)
            .filter(|&&at| at != ABSENT)
            .map(|&at| at as usize)
    }

    pub(crate) fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Drops what was written since the tape was `len` long.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.numbers.truncate(len);
    }

    pub(crate) fn set(&mut self, at: usize, value: f64) {
        if let Some(slot) = self.numbers.get_mut(at) {
            *slot = value;
        }
    }

    pub fn number(&mut self, value: f64) {
        self.numbers.push(value);
    }

    /// A string borrowed from the frame: written as its byte offsets in the frame.
    pub fn frame_text(&mut self, text: &str) {
        let start = (text.as_ptr() as usize).wrapping_sub(self.frame_start);
        // Both at once: one check of the capacity.
        let end = start.wrapping_add(text.len());
        self.numbers.extend_from_slice(&[start as f64, end as f64]);
    }

    /// A string that held escapes, so it no longer lies in the frame: copied to the owned buffer.
    pub fn owned_text(&mut self, text: &str) {
        let owned_start = self.owned.len();
        self.owned.extend_from_slice(text.as_bytes());
        self.numbers.push(-(owned_start as f64) - 1.0);
        self.numbers.push(self.owned.len() as f64);
    }

    pub fn text(&mut self, text: &Text<'_>) {
        match &text.0 {
            std::borrow::Cow::Borrowed(text) => self.frame_text(text),
            std::borrow::Cow::Owned(text) => self.owned_text(text),
        }
    }

    pub fn extra(&mut self, extra: &Extra<'_>) {
        self.number(extra.len() as f64);
        for (key, raw) in extra {
            self.text(key);
            // Raw values are always borrowed from the frame.
            self.frame_text(raw.get());
        }
    }

    /// Rewrites the fields of an object whose body starts at `body` in table order: `spans[i]`
    /// is where field i was written, for each bit of `mask`. A field written twice (a repeated
    /// key) is kept only where it was last written. For the outermost object (`root`), sets
    /// `root[i]` to where field i now is.
    pub(crate) fn reorder(
        &mut self,
        body: usize,
        mask: u32,
        spans: &[(u32, u32); MAX_FIELDS],
        root: bool,
    ) {
        self.scratch.clear();
        self.scratch
            .extend_from_slice(self.numbers.get(body..).unwrap_or_default());
        self.numbers.truncate(body);
        // Fields that follow each other in the table and were written one after the other are
        // copied back together: one copy per run, the present fields visited by their bits.
        let (mut from, mut to) = (0, 0);
        let mut rest = mask;
        while rest != 0 {
            let index = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let Some(&(start, end)) = spans.get(index) else {
                break;
            };
            let (start, end) = (start as usize - body, end as usize - body);
            if start != to {
                self.copy_back(from, to);
                from = start;
            }
            to = end;
            if let Some(slot) = self.root.get_mut(index).filter(|_| root) {
                *slot = (self.numbers.len() + start - from) as u32;
            }
        }
        self.copy_back(from, to);
    }

    /// Appends `scratch[from..to]` to the tape.
    fn copy_back(&mut self, from: usize, to: usize) {
        let span = self.scratch.get(from..to).unwrap_or_default();
        self.numbers.extend_from_slice(span);
    }
}

/// Reads a tape back in Rust: what the stream and the books need of a decoded frame.
///
/// Strings borrow from the frame (`'f`); unescaped ones are copied out of the tape (`'t`).
pub struct TapeReader<'t, 'f> {
    numbers: &'t [f64],
    owned: &'t [u8],
    frame: &'f str,
    pub at: usize,
}

impl<'t, 'f> TapeReader<'t, 'f> {
    /// A reader at `at` of a tape written for `frame` (the frame the decoder read, as text).
    pub fn new(tape: &'t Tape, frame: &'f str, at: usize) -> Self {
        TapeReader {
            numbers: &tape.numbers,
            owned: &tape.owned,
            frame,
            at,
        }
    }

    pub fn number(&mut self) -> f64 {
        let value = self.numbers.get(self.at).copied().unwrap_or(0.0);
        self.at += 1;
        value
    }

    /// A string of the tape: borrowed from the frame, or a copy of the unescaped text.
    pub fn text(&mut self) -> Text<'f> {
        let (start, end) = (self.number(), self.number());
        if start >= 0.0 {
            Text(std::borrow::Cow::Borrowed(
                self.frame.get(start as usize..end as usize).unwrap_or(""),
            ))
        } else {
            let owned = self
                .owned
                .get((-start - 1.0) as usize..end as usize)
                .and_then(|b| std::str::from_utf8(b).ok());
            Text(std::borrow::Cow::Owned(owned.unwrap_or("").to_owned()))
        }
    }

    /// A string of the tape if it is a slice of the frame; `None` if it held escapes.
    pub fn frame_text(&mut self) -> Option<&'f str> {
        let (start, end) = (self.number(), self.number());
        if start >= 0.0 {
            self.frame.get(start as usize..end as usize)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_keeps_the_last_copy_of_each_field_in_table_order() {
        let mut tape = Tape::default();
        tape.begin(b"");
        // body at 1: field 2 = [7], field 0 = [1, 2], then field 2 again = [9]
        for value in [7.0, 1.0, 2.0, 9.0] {
            tape.number(value);
        }
        let mut spans = [(0, 0); MAX_FIELDS];
        spans[2] = (4, 5);
        spans[0] = (2, 4);
        tape.reorder(1, 0b101, &spans, true);
        assert_eq!(&tape.numbers()[1..], &[1.0, 2.0, 9.0]);
        assert_eq!((tape.root[0], tape.root[1], tape.root[2]), (1, ABSENT, 3));
    }

    #[test]
    fn reorder_copies_fields_written_in_table_order_back_together() {
        let mut tape = Tape::default();
        tape.begin(b"");
        // body at 1: field 1 = [1] (dropped: written again), field 2 = [2, 3], field 0 = [4],
        // field 1 = [5]: fields 0 and 1 go back as one run, then field 2.
        for value in [1.0, 2.0, 3.0, 4.0, 5.0] {
            tape.number(value);
        }
        let mut spans = [(0, 0); MAX_FIELDS];
        (spans[0], spans[1], spans[2]) = ((4, 5), (5, 6), (2, 4));
        tape.reorder(1, 0b111, &spans, false);
        assert_eq!(&tape.numbers()[1..], &[4.0, 5.0, 2.0, 3.0]);
        // Only the outermost object's starts are kept.
        assert_eq!(tape.root, [ABSENT; MAX_FIELDS]);
    }

    #[test]
    fn the_reader_takes_strings_from_the_frame_or_the_owned_text() {
        let frame = r#"{"a":"xyz"}"#;
        let mut tape = Tape::default();
        tape.begin(frame.as_bytes());
        tape.frame_text(&frame[6..9]);
        tape.owned_text("caf\u{e9}");
        let mut reader = TapeReader::new(&tape, frame, 1);
        assert_eq!(reader.text().as_str(), "xyz");
        assert_eq!(reader.text().as_str(), "caf\u{e9}");
    }
}
