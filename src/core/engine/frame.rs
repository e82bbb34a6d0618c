//! Frames as the engine reads them: a `FrameSource` gives the cheap book-only reading and the
//! full decode; `FrameFacts` is the one place that touches `Response`'s fields, so a change of
//! the response model meets the engine here only.

use crate::core::book_feed::{read_book_message, BookMessage};
use crate::core::response::{decode, Response};

/// A frame as the executor holds it. The engine asks for the cheap book-only reading first and
/// decodes in full only when it must.
pub trait FrameSource {
    /// Hands the frame, read by the book-only reader, to `take`; `None` if it is no book frame.
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T>;
    /// Decodes the frame in full; `route` returns true for a frame to deliver, which the source
    /// then keeps ready for building (the wasm tape).
    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String>;
}

/// A frame's text as bytes, for executors that decode nothing themselves (and for tests).
pub struct TextFrame<'a>(pub &'a [u8]);

impl FrameSource for TextFrame<'_> {
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T> {
        read_book_message(self.0).as_ref().map(take)
    }

    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String> {
        let response = decode(self.0).map_err(|e| e.message().to_owned())?;
        route(&response);
        Ok(())
    }
}

pub struct FrameFacts<'r> {
    pub event: &'r str,
    pub id: Option<&'r str>,
    pub errors: Vec<&'r str>,
}

impl<'r> FrameFacts<'r> {
    pub fn of(response: &'r Response<'_>) -> Self {
        FrameFacts {
            event: response.event.as_ref().map(|e| e.as_str()).unwrap_or(""),
            id: response.id.as_ref().map(|id| id.0.as_str()),
            errors: response
                .errors
                .iter()
                .flat_map(|list| list.0.iter().map(|e| e.as_str()))
                .collect(),
        }
    }
}
