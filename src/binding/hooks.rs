//! The JS functions a stream calls: the user's callbacks, and the package's own helpers
//! (opening a socket, frame encoder and object builder, task and queue delivery, notices).

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::socket::OpenSocket;

pub struct Hooks {
    pub encode_frame: Function,
    /// Opens a socket with the user's `connectFactory` and hooks it to the stream.
    pub open_socket: OpenSocket,
    pub build_response: Function,
    pub settle_task: Function,
    pub enqueue: Function,
    /// `js/errors.js`'s `makeStreamError`: the only maker of the stream's JS errors.
    pub stream_error: Function,
    /// `whenSettled(thenable, fulfilled, rejected)`: waits for a handler's Promise; what the
    /// reactions throw is nobody's (the stream may be gone).
    when_settled: Function,
    /// js/stream.js's `notice(kind, a, b)`: hands a [`Notice`] to its callback, if one is set.
    notice: Function,
    /// Apart from the notices: whether it is set decides what a handler's failure does.
    pub on_handler_error: Option<Function>,
}

/// The hooks a stream's driver is given, by position in one list. Exported, so js/stream.js lays
/// the list out from this one declaration: a variant's name, its first letter lowered, is the name
/// of the option (or the package's own function) it stands for.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Hook {
    OpenSocket = 0,
    EncodeFrame = 1,
    BuildResponse = 2,
    SettleTask = 3,
    Enqueue = 4,
    StreamError = 5,
    WhenSettled = 6,
    Notice = 7,
    OnHandlerError = 8,
}

/// What a stream tells its JS side through one hook, `Hooks::notice`, with up to two values.
/// Exported, so js/stream.js names the callbacks from this one declaration: a variant's name, its
/// first letter lowered, is the option (or the package's own function) that gets it. A callback's
/// own failure is its business and does not stop the stream (js/stream.js catches it).
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Notice {
    /// The id of a kept book that changed.
    BookChanged = 0,
    OnConnected = 1,
    OnDisconnected = 2,
    OnReconnecting = 3,
    OnPermanentFailure = 4,
    /// The error and the frame's data.
    OnDecodeError = 5,
    /// The `StreamError` and the response that carried the refusal.
    OnAuthFailed = 6,
    /// The state's name.
    OnStateChange = 7,
    /// The JSON of a one-item list of the subscription gone quiet.
    OnStale = 8,
}

impl Hooks {
    /// `list` holds the hooks at the positions [`Hook`] gives them.
    pub fn from_js(list: Array) -> Result<Hooks, JsValue> {
        let get = |hook: Hook| list.get(hook as u32);
        let optional = |hook: Hook| get(hook).dyn_into::<Function>().ok();
        // One check for all of the package's own: js/stream.js always gives them.
        use Hook::*;
        let own = [
            OpenSocket,
            EncodeFrame,
            BuildResponse,
            SettleTask,
            Enqueue,
            StreamError,
            WhenSettled,
            Notice,
        ]
        .map(optional);
        let [Some(open_socket), Some(encode_frame), Some(build_response), Some(settle_task), Some(enqueue), Some(stream_error), Some(when_settled), Some(notice)] =
            own
        else {
            return Err(js_sys::TypeError::new("a stream hook is not a function").into());
        };
        Ok(Hooks {
            open_socket: open_socket.unchecked_into(),
            encode_frame,
            build_response,
            settle_task,
            enqueue,
            stream_error,
            when_settled,
            notice,
            on_handler_error: optional(OnHandlerError),
        })
    }

    /// Calls `fulfilled` or `rejected` (either may be `undefined`) once `thenable` settles.
    pub fn when_settled(&self, thenable: &JsValue, fulfilled: &Function, rejected: &Function) {
        let _ = self
            .when_settled
            .call3(&JsValue::NULL, thenable, fulfilled, rejected);
    }

    /// Tells JS of `kind` with its values (`undefined` for those it has not). Out of line: one
    /// copy of the call for every notice.
    #[inline(never)]
    pub fn notice(&self, kind: Notice, a: &JsValue, b: &JsValue) {
        let _ = self
            .notice
            .call3(&JsValue::NULL, &JsValue::from(kind as u32), a, b);
    }
}
