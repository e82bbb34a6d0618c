//! Core errors as JS errors: a caller's bad argument becomes a `TypeError` or `RangeError`.

use wasm_bindgen::JsValue;

use crate::core::error::{InputError, InputErrorKind};

pub fn input_error(error: &InputError) -> JsValue {
    let message = error.to_string();
    match error.kind {
        InputErrorKind::Type => js_sys::TypeError::new(&message).into(),
        InputErrorKind::Range => js_sys::RangeError::new(&message).into(),
    }
}
