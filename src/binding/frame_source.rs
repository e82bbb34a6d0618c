//! A frame that `encodeFrame` wrote into the decoder's input buffer, as the engine reads it:
//! book-only reading first, the full decode onto the tape only for a frame to deliver.

use super::decoder::{decode_frame, with_frame, Route};
use crate::core::book_feed::{read_book_message, BookMessage};
use crate::core::engine::FrameSource;
use crate::core::response::Response;

pub struct EncodedFrame {
    /// Its length in the input buffer; `None` when it could not be encoded at all.
    len: Option<usize>,
    /// Where the tape of a frame to deliver starts, once decoded.
    pub tape_at: Option<usize>,
}

impl EncodedFrame {
    pub fn new(len: Option<usize>) -> Self {
        EncodedFrame { len, tape_at: None }
    }
}

impl FrameSource for EncodedFrame {
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T> {
        let len = self.len?;
        with_frame(len, |frame| read_book_message(frame).as_ref().map(take)).flatten()
    }

    fn byte_len(&self) -> usize {
        self.len.unwrap_or(0)
    }

    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String> {
        let len = self
            .len
            .ok_or_else(|| "the frame could not be encoded".to_owned())?;
        self.tape_at = decode_frame(len, |response| Route::build_if(route(response)))?;
        Ok(())
    }
}
