//! Frames arrive in batches: `js/frames.js` writes a task's frames into the batch buffer, their
//! lengths (u32 each) first and then their bytes, and hands over how many there are; the batch is
//! copied out at once, so one buffer serves every stream and a batch waiting behind an `inline`
//! handler cannot be overwritten.

use std::cell::RefCell;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::decoder::{decode_bytes, Route};
use crate::core::book_feed::{read_book_message, BookMessage};
use crate::core::engine::FrameSource;
use crate::core::response::Response;

/// Length markers of frames that are not plain text (`js/frames.js`).
const BINARY: u32 = u32::MAX;
const UNREADABLE: u32 = u32::MAX - 1;

thread_local! {
    static BATCH_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Makes the batch buffer hold at least `capacity` bytes and returns their address, 4-byte
/// aligned for the lengths' `Uint32Array`.
#[wasm_bindgen(js_name = batchBuffer)]
pub fn batch_buffer(capacity: usize) -> usize {
    BATCH_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < capacity + 3 {
                buffer.resize(capacity + 3, 0);
            }
            buffer.as_ptr() as usize + aligned_start(&buffer)
        }
        Err(_) => 0,
    })
}

/// Where the batch starts in the buffer: its first 4-byte aligned address.
fn aligned_start(buffer: &[u8]) -> usize {
    buffer.as_ptr().align_offset(4)
}

/// One frame of a batch.
pub enum BatchFrame<'a> {
    Text(&'a [u8]),
    /// Binary, or text that is not valid Unicode: handled one by one, from its JS value.
    Other,
}

pub struct Batch {
    bytes: Vec<u8>,
    lengths: Vec<u32>,
    /// The frames as JS values: strings slice their responses, odd ones are reported as they came.
    pub values: Array,
}

impl Batch {
    /// Copies the batch of `count` frames `js/frames.js` just wrote.
    pub fn take(count: usize, values: Array) -> Batch {
        let (lengths, bytes) = BATCH_BUFFER.with(|cell| match cell.try_borrow() {
            Ok(buffer) => {
                let batch = buffer.get(aligned_start(&buffer)..).unwrap_or_default();
                let (head, rest) = batch.split_at_checked(4 * count).unwrap_or_default();
                let lengths: Vec<u32> = head
                    .chunks_exact(4)
                    .map(|word| u32::from_le_bytes(word.try_into().unwrap_or_default()))
                    .collect();
                let total: usize = lengths
                    .iter()
                    .filter(|n| **n < UNREADABLE)
                    .map(|n| *n as usize)
                    .sum();
                (lengths, rest.get(..total).unwrap_or(rest).to_vec())
            }
            Err(_) => Default::default(),
        });
        Batch {
            bytes,
            lengths,
            values,
        }
    }

    pub fn frames(&self) -> impl Iterator<Item = BatchFrame<'_>> {
        let mut at = 0usize;
        self.lengths.iter().map(move |&length| match length {
            BINARY | UNREADABLE => BatchFrame::Other,
            length => {
                let end = (at + length as usize).min(self.bytes.len());
                let frame = &self.bytes[at.min(end)..end];
                at = end;
                BatchFrame::Text(frame)
            }
        })
    }
}

/// A text frame of a batch as the engine reads it; a frame to deliver is decoded onto the tape.
pub struct BatchedText<'a> {
    pub bytes: &'a [u8],
    pub tape_at: Option<usize>,
}

impl FrameSource for BatchedText<'_> {
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T> {
        read_book_message(self.bytes).as_ref().map(take)
    }

    fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String> {
        self.tape_at = decode_bytes(self.bytes, |response| Route::build_if(route(response)))?;
        Ok(())
    }
}
