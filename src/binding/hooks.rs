//! The JS functions a stream calls: the user's callbacks, and the package's own helpers
//! (socket factory, frame encoder and object builder, task and queue delivery).

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub struct Hooks {
    pub connect_factory: Function,
    pub encode_frame: Function,
    /// `js/frames.js`'s `frameQueue`: batches a socket's frames.
    pub frame_queue: Function,
    pub build_response: Function,
    pub settle_task: Function,
    pub enqueue: Function,
    /// `js/errors.js`'s `makeStreamError`: the only maker of the stream's JS errors.
    pub stream_error: Function,
    pub noop: Function,
    pub connect_options: JsValue,
    pub book_changed: Option<Function>,
    pub on_connected: Option<Function>,
    pub on_disconnected: Option<Function>,
    pub on_reconnecting: Option<Function>,
    pub on_permanent_failure: Option<Function>,
    pub on_handler_error: Option<Function>,
    pub on_decode_error: Option<Function>,
    pub on_auth_failed: Option<Function>,
    pub on_state_change: Option<Function>,
    pub on_stale: Option<Function>,
}

/// Reads the hooks in the order js/stream.js lists them (`HOOKS`): by position, not by name,
/// so the wasm holds no copy of the names.
struct InOrder {
    list: Array,
    at: u32,
}

impl InOrder {
    fn next(&mut self) -> JsValue {
        self.at += 1;
        self.list.get(self.at - 1)
    }

    fn optional(&mut self) -> Option<Function> {
        self.next().dyn_into::<Function>().ok()
    }
}

impl Hooks {
    /// `list` holds the hooks in the order of this struct's fields.
    pub fn from_js(list: Array) -> Result<Hooks, JsValue> {
        let mut hooks = InOrder { list, at: 0 };
        // One check for all of the package's own: js/stream.js always gives them.
        let own: [Option<Function>; 8] = std::array::from_fn(|_| hooks.optional());
        let [Some(connect_factory), Some(encode_frame), Some(frame_queue), Some(build_response), Some(settle_task), Some(enqueue), Some(stream_error), Some(noop)] =
            own
        else {
            return Err(js_sys::TypeError::new("a stream hook is not a function").into());
        };
        // Fields are read in the order written here, which is the list's.
        Ok(Hooks {
            connect_factory,
            encode_frame,
            frame_queue,
            build_response,
            settle_task,
            enqueue,
            stream_error,
            noop,
            connect_options: hooks.next(),
            book_changed: hooks.optional(),
            on_connected: hooks.optional(),
            on_disconnected: hooks.optional(),
            on_reconnecting: hooks.optional(),
            on_permanent_failure: hooks.optional(),
            on_handler_error: hooks.optional(),
            on_decode_error: hooks.optional(),
            on_auth_failed: hooks.optional(),
            on_state_change: hooks.optional(),
            on_stale: hooks.optional(),
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
