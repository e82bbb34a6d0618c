//! The JS functions a stream calls: the user's callbacks, and the package's own helpers
//! (socket factory, frame encoder and object builder, task and queue delivery).

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::socket::AttachSocket;

pub struct Hooks {
    pub connect_factory: Function,
    pub encode_frame: Function,
    /// `js/socket.js`'s `attachSocket`: hooks a new socket to the stream.
    pub attach_socket: AttachSocket,
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

/// The hooks a stream's driver is given, by position in one list. Exported, so js/stream.js lays
/// the list out from this one declaration: a variant's name, its first letter lowered, is the name
/// of the option (or the package's own function) it stands for.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Hook {
    ConnectFactory = 0,
    EncodeFrame = 1,
    AttachSocket = 2,
    BuildResponse = 3,
    SettleTask = 4,
    Enqueue = 5,
    StreamError = 6,
    Noop = 7,
    ConnectOptions = 8,
    BookChanged = 9,
    OnConnected = 10,
    OnDisconnected = 11,
    OnReconnecting = 12,
    OnPermanentFailure = 13,
    OnHandlerError = 14,
    OnDecodeError = 15,
    OnAuthFailed = 16,
    OnStateChange = 17,
    OnStale = 18,
}

impl Hooks {
    /// `list` holds the hooks at the positions [`Hook`] gives them.
    pub fn from_js(list: Array) -> Result<Hooks, JsValue> {
        let get = |hook: Hook| list.get(hook as u32);
        let optional = |hook: Hook| get(hook).dyn_into::<Function>().ok();
        // One check for all of the package's own: js/stream.js always gives them.
        use Hook::*;
        let own = [
            ConnectFactory,
            EncodeFrame,
            AttachSocket,
            BuildResponse,
            SettleTask,
            Enqueue,
            StreamError,
            Noop,
        ]
        .map(optional);
        let [Some(connect_factory), Some(encode_frame), Some(attach_socket), Some(build_response), Some(settle_task), Some(enqueue), Some(stream_error), Some(noop)] =
            own
        else {
            return Err(js_sys::TypeError::new("a stream hook is not a function").into());
        };
        Ok(Hooks {
            connect_factory,
            encode_frame,
            attach_socket: attach_socket.unchecked_into(),
            build_response,
            settle_task,
            enqueue,
            stream_error,
            noop,
            connect_options: get(ConnectOptions),
            book_changed: optional(BookChanged),
            on_connected: optional(OnConnected),
            on_disconnected: optional(OnDisconnected),
            on_reconnecting: optional(OnReconnecting),
            on_permanent_failure: optional(OnPermanentFailure),
            on_handler_error: optional(OnHandlerError),
            on_decode_error: optional(OnDecodeError),
            on_auth_failed: optional(OnAuthFailed),
            on_state_change: optional(OnStateChange),
            on_stale: optional(OnStale),
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
