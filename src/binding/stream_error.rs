//! The one place where the engine's `StreamError` values become JS `StreamError` objects.

use js_sys::{Array, Function};
use wasm_bindgen::JsValue;

use crate::core::engine::{ErrorCode, StreamError};

/// Turns engine errors into JS objects, giving one failure the same object every time (so
/// `onDisconnected`, `onReconnecting`, `onPermanentFailure` and `run()` share it).
pub struct ErrorMaker {
    make: Function,
    last: Option<(u64, JsValue)>,
    /// What JS threw behind the next `no_socket` or `handler_failed` error.
    cause: Option<JsValue>,
}

impl ErrorMaker {
    pub fn new(make: Function) -> Self {
        ErrorMaker {
            make,
            last: None,
            cause: None,
        }
    }

    pub fn set_cause(&mut self, cause: JsValue) {
        self.cause = Some(cause);
    }

    /// The JS object of `error`, or what is needed to make it (`Err`: call [`make_js`] outside
    /// any borrow, then [`ErrorMaker::remember`]).
    pub fn cached(&mut self, error: &StreamError) -> Result<JsValue, Pending> {
        match &self.last {
            Some((serial, value)) if *serial == error.serial => Ok(value.clone()),
            _ => {
                let caused = matches!(error.code, ErrorCode::NoSocket | ErrorCode::HandlerFailed);
                let cause = if caused { self.cause.take() } else { None };
                Err(Pending {
                    make: self.make.clone(),
                    cause,
                })
            }
        }
    }

    pub fn remember(&mut self, error: &StreamError, value: &JsValue) {
        self.last = Some((error.serial, value.clone()));
    }
}

/// What making a JS error needs, taken out of the maker so that the JS call runs unborrowed.
pub struct Pending {
    make: Function,
    cause: Option<JsValue>,
}

/// Calls `js/errors.js`'s `makeStreamError(code, message, closeCode, reason, cause)`.
pub fn make_js(error: &StreamError, pending: Pending) -> JsValue {
    let (close_code, reason) = match &error.close {
        Some(close) => (JsValue::from(close.code), JsValue::from_str(&close.reason)),
        None => (JsValue::UNDEFINED, JsValue::UNDEFINED),
    };
    let arguments = Array::of5(
        &JsValue::from_str(error.code.as_str()),
        &JsValue::from_str(&error.message),
        &close_code,
        &reason,
        &pending.cause.unwrap_or(JsValue::UNDEFINED),
    );
    pending
        .make
        .apply(&JsValue::NULL, &arguments)
        .unwrap_or_else(|_| js_sys::Error::new(&error.message).into())
}
