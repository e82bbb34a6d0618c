//! `Response.parse` on the wasm side: frames arrive in a reused input buffer (JS writes them with
//! `TextEncoder.encodeInto`), and one call decodes a frame onto the tape that `js/decode.js` reads.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::core::response::{decode_to_tape, decode_with, Response};
use crate::core::tape::Tape;

#[derive(Default)]
struct Decoder {
    input: Vec<u8>,
    tape: Tape,
    error: String,
}

thread_local! {
    static DECODER: RefCell<Decoder> = RefCell::new(Decoder::default());
}

/// Makes the input buffer hold at least `capacity` bytes and returns its address.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(capacity: usize) -> usize {
    DECODER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut decoder) => {
            if decoder.input.len() < capacity {
                decoder.input.resize(capacity, 0);
            }
            decoder.input.as_ptr() as usize
        }
        Err(_) => 0,
    })
}

/// Decodes the first `len` bytes of the input buffer; returns the tape's address, or 0 when the
/// frame is not a MAX message (then `decodeError()` says why).
#[wasm_bindgen(js_name = decodeResponse)]
pub fn decode_response(len: usize) -> usize {
    DECODER.with(|cell| {
        let Ok(mut guard) = cell.try_borrow_mut() else {
            return 0;
        };
        let decoder = &mut *guard;
        let frame = &decoder.input[..len.min(decoder.input.len())];
        match decode_to_tape(frame, &mut decoder.tape) {
            Ok(()) => decoder.tape.numbers().as_ptr() as usize,
            Err(error) => {
                decoder.error = error.message().to_owned();
                0
            }
        }
    })
}

/// Why the last frame could not be decoded.
#[wasm_bindgen(js_name = decodeError)]
pub fn decode_error() -> String {
    DECODER.with(|cell| {
        cell.try_borrow()
            .map(|decoder| decoder.error.clone())
            .unwrap_or_default()
    })
}

/// What the stream wants done with a decoded frame.
pub enum Route {
    /// Build the JS object (the tape is written).
    Build,
    /// Consumed inside wasm (a keepalive answer, a book update): no JS object.
    Skip,
}

impl Route {
    /// `Build` when the frame must become a JS object, else `Skip`.
    pub fn build_if(build: bool) -> Route {
        if build {
            Route::Build
        } else {
            Route::Skip
        }
    }
}

/// Decodes the frame that `encodeFrame` wrote into the input buffer onto the tape. `classify`
/// sees it first; for `Route::Build` the tape's address is returned.
pub fn decode_frame(
    len: usize,
    classify: impl FnOnce(&Response) -> Route,
) -> Result<Option<usize>, String> {
    DECODER.with(|cell| {
        let mut guard = cell
            .try_borrow_mut()
            .map_err(|_| "the decoder is busy".to_owned())?;
        let decoder = &mut *guard;
        let frame = &decoder.input[..len.min(decoder.input.len())];
        decode_onto(&mut decoder.tape, frame, classify)
    })
}

/// Like [`decode_frame`], for a frame held elsewhere than the input buffer (a stream's batch);
/// the tape's string offsets are then relative to `frame`.
pub fn decode_bytes(
    frame: &[u8],
    classify: impl FnOnce(&Response) -> Route,
) -> Result<Option<usize>, String> {
    DECODER.with(|cell| {
        let mut guard = cell
            .try_borrow_mut()
            .map_err(|_| "the decoder is busy".to_owned())?;
        decode_onto(&mut guard.tape, frame, classify)
    })
}

fn decode_onto(
    tape: &mut Tape,
    frame: &[u8],
    classify: impl FnOnce(&Response) -> Route,
) -> Result<Option<usize>, String> {
    let response = decode_with(frame, tape).map_err(|e| e.message().to_owned())?;
    match classify(&response) {
        Route::Skip => Ok(None),
        Route::Build => Ok(Some(tape.numbers().as_ptr() as usize)),
    }
}

/// Lends the frame that `encodeFrame` wrote (its first `len` bytes) to `read`; `None` if the
/// decoder is busy.
pub fn with_frame<T>(len: usize, read: impl FnOnce(&[u8]) -> T) -> Option<T> {
    DECODER.with(|cell| {
        let decoder = cell.try_borrow().ok()?;
        Some(read(&decoder.input[..len.min(decoder.input.len())]))
    })
}
