//! The JS functions a stream calls: the user's callbacks, and the package's own helpers
//! (socket factory, frame encoder and object builder, task and queue delivery).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub struct Hooks {
    pub connect_factory: Function,
    pub connect_options: JsValue,
    pub encode_frame: Function,
    /// `js/frames.js`'s `frameQueue`: batches a socket's frames.
    pub frame_queue: Function,
    pub build_response: Function,
    pub settle_task: Function,
    pub enqueue: Function,
    /// `js/errors.js`'s `makeStreamError`: the only maker of the stream's JS errors.
    pub stream_error: Function,
    pub noop: Function,
    pub on_connected: Option<Function>,
    pub on_disconnected: Option<Function>,
    pub on_reconnecting: Option<Function>,
    pub on_permanent_failure: Option<Function>,
    pub on_handler_error: Option<Function>,
    pub on_decode_error: Option<Function>,
    pub on_auth_failed: Option<Function>,
    pub on_state_change: Option<Function>,
    pub on_stale: Option<Function>,
    pub book_changed: Option<Function>,
}

fn optional(object: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
}

fn required(object: &JsValue, name: &str) -> Result<Function, JsValue> {
    optional(object, name)
        .ok_or_else(|| js_sys::TypeError::new(&format!("{name} must be a function")).into())
}

impl Hooks {
    pub fn from_js(object: &JsValue) -> Result<Hooks, JsValue> {
        Ok(Hooks {
            connect_factory: required(object, "connectFactory")?,
            connect_options: Reflect::get(object, &JsValue::from_str("connectOptions"))
                .unwrap_or(JsValue::UNDEFINED),
            encode_frame: required(object, "encodeFrame")?,
            frame_queue: required(object, "frameQueue")?,
            build_response: required(object, "buildResponse")?,
            settle_task: required(object, "settleTask")?,
            enqueue: required(object, "enqueue")?,
            stream_error: required(object, "streamError")?,
            noop: required(object, "noop")?,
            on_connected: optional(object, "onConnected"),
            on_disconnected: optional(object, "onDisconnected"),
            on_reconnecting: optional(object, "onReconnecting"),
            on_permanent_failure: optional(object, "onPermanentFailure"),
            on_handler_error: optional(object, "onHandlerError"),
            on_decode_error: optional(object, "onDecodeError"),
            on_auth_failed: optional(object, "onAuthFailed"),
            on_state_change: optional(object, "onStateChange"),
            on_stale: optional(object, "onStale"),
            book_changed: optional(object, "bookChanged"),
        })
    }
}

/// Calls an optional user callback; what it throws is its own business and must not stop the stream.
pub fn notify(callback: &Option<Function>, arguments: &[&JsValue]) {
    if let Some(callback) = callback {
        let _ = match arguments {
            [] => callback.call0(&JsValue::NULL),
            [a] => callback.call1(&JsValue::NULL, a),
            [a, b, ..] => callback.call2(&JsValue::NULL, a, b),
        };
    }
}
