//! The JS functions a stream calls: the user's callbacks, and the package's own helpers
//! (opening a socket, frame encoder and object builder, task and queue delivery, notices).

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::socket::OpenSocket;

pub struct Hooks {
    /// `js/decode.js`'s `encodeFrame`: writes a frame's text into wasm, returns its length.
    encode_frame: EncodeFrame,
    /// Opens a socket with the user's `connectFactory` and hooks it to the stream.
    pub open_socket: OpenSocket,
    /// `js/decode.js`'s `buildResponse`: the object of a frame decoded onto the tape.
    build_response: BuildResponse,
    /// Calls an `inline` handler: what it returned if that is a thenable, else `undefined`
    /// (one crossing, where a call and then a look at the result were three).
    call_handler: CallHandler,
    pub settle_task: Function,
    pub enqueue: Function,
    /// `js/errors.js`'s `makeStreamError`: the only maker of the stream's JS errors.
    pub stream_error: Function,
    /// `whenSettled(thenable, fulfilled, rejected)`: waits for a handler's Promise; what the
    /// reactions throw is nobody's (the stream may be gone).
    when_settled: Function,
    /// js/stream.js's `notice(kind, a, b)`: hands a [`Notice`] to its callback, if one is set.
    notice: NoticeHook,
    book_changed: BookChangedHook,
    /// Apart from the notices: whether it is set decides what a handler's failure does.
    pub on_handler_error: Option<Function>,
}

#[wasm_bindgen]
extern "C" {
    /// js/stream.js's `notice` hook, whose kind crosses as a plain number.
    type NoticeHook;

    /// `notice(kind, a, b)`, called as a function; it never throws (js/stream.js catches what
    /// a callback throws).
    #[wasm_bindgen(method, js_name = call)]
    fn notice(this: &NoticeHook, context: &JsValue, kind: u32, a: &JsValue, b: &JsValue);

    /// The per-frame hooks, typed: numbers cross as numbers, not as JS values to allocate.
    type EncodeFrame;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn encode(this: &EncodeFrame, context: &JsValue, text: &JsValue) -> Result<u32, JsValue>;

    type BuildResponse;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn build(
        this: &BuildResponse,
        context: &JsValue,
        tape_at: u32,
        frames: &Array,
        index: u32,
        bytes_at: u32,
        length: u32,
    ) -> Result<JsValue, JsValue>;

    type CallHandler;

    #[wasm_bindgen(method, catch, js_name = call)]
    fn call(
        this: &CallHandler,
        context: &JsValue,
        handler: &Function,
        response: &JsValue,
    ) -> Result<Option<js_sys::Object>, JsValue>;

    /// js/stream.js's `bookChanged(id)`: apart from the notices, as it follows most book frames.
    type BookChangedHook;

    #[wasm_bindgen(method, js_name = call)]
    fn book_changed(this: &BookChangedHook, context: &JsValue, id: u32);
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
    BookChanged = 8,
    CallHandler = 9,
    OnHandlerError = 10,
}

/// What a stream tells its JS side through one hook, `Hooks::notice`, with up to two values.
/// Exported, so js/stream.js names the callbacks from this one declaration: `on` and a variant's
/// name is the option that gets it. A callback's own failure is its business and does not stop
/// the stream (js/stream.js catches it).
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Notice {
    Connected = 0,
    Disconnected = 1,
    Reconnecting = 2,
    PermanentFailure = 3,
    /// The error and the frame's data.
    DecodeError = 4,
    /// The `StreamError` and the response that carried the refusal.
    AuthFailed = 5,
    /// The state's name.
    StateChange = 6,
    /// The JSON of a one-item list of the subscription gone quiet.
    Stale = 7,
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
            BookChanged,
            CallHandler,
        ]
        .map(optional);
        let [Some(open_socket), Some(encode_frame), Some(build_response), Some(settle_task), Some(enqueue), Some(stream_error), Some(when_settled), Some(notice), Some(book_changed), Some(call_handler)] =
            own
        else {
            return Err(js_sys::TypeError::new("a stream hook is not a function").into());
        };
        Ok(Hooks {
            open_socket: open_socket.unchecked_into(),
            encode_frame: encode_frame.unchecked_into(),
            build_response: build_response.unchecked_into(),
            settle_task,
            enqueue,
            stream_error,
            when_settled,
            notice: notice.unchecked_into(),
            book_changed: book_changed.unchecked_into(),
            call_handler: call_handler.unchecked_into(),
            on_handler_error: optional(OnHandlerError),
        })
    }

    /// Calls `fulfilled` or `rejected` (either may be `undefined`) once `thenable` settles.
    pub fn when_settled(&self, thenable: &JsValue, fulfilled: &Function, rejected: &Function) {
        let _ = self
            .when_settled
            .call3(&JsValue::NULL, thenable, fulfilled, rejected);
    }

    /// Writes a frame's text into wasm (`encodeFrame`); its length in bytes.
    pub fn encode_frame(&self, text: &JsValue) -> Result<usize, JsValue> {
        self.encode_frame
            .encode(&JsValue::NULL, text)
            .map(|length| length as usize)
    }

    /// The response object of the frame `frames[index]` whose tape starts at `tape_at`, its
    /// bytes being `bytes` (`buildResponse`; they stay put while it runs).
    pub fn build_response(
        &self,
        tape_at: usize,
        frames: &Array,
        index: u32,
        bytes: &[u8],
    ) -> Result<JsValue, JsValue> {
        let (at, length) = (bytes.as_ptr() as usize as u32, bytes.len() as u32);
        self.build_response
            .build(&JsValue::NULL, tape_at as u32, frames, index, at, length)
    }

    /// Calls an `inline` handler with `response`: the thenable it returned, if it did.
    pub fn call_handler(
        &self,
        handler: &Function,
        response: &JsValue,
    ) -> Result<Option<js_sys::Object>, JsValue> {
        self.call_handler.call(&JsValue::NULL, handler, response)
    }

    /// A kept book changed.
    pub fn book_changed(&self, id: u32) {
        self.book_changed.book_changed(&JsValue::NULL, id);
    }

    /// Tells JS of `kind` with its values (`undefined` for those it has not). Out of line: one
    /// copy of the call for every notice.
    #[inline(never)]
    pub fn notice(&self, kind: Notice, a: &JsValue, b: &JsValue) {
        self.notice.notice(&JsValue::NULL, kind as u32, a, b);
    }
}
