//! One WebSocket connection, as the host gives it (the browser's, Node 22's, or the `ws`
//! package's). `js/socket.js` sets and clears its event handlers and reads its properties; this
//! side holds it and asks for the few operations the engine's effects need, one call each.
//!
//! The socket's event handlers call the stream's one resume callback, bound to the event and
//! the connection (`Function.prototype.bind`): no Rust closure per socket, and dropping the
//! socket unhooks them, so a thousand reconnects leave nothing behind.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::core::engine::CloseFrame;

#[wasm_bindgen]
extern "C" {
    /// js/stream.js's `openSocket`: the stream's `connectFactory`, its socket hooked to the
    /// stream by `js/socket.js`.
    pub type OpenSocket;

    /// `openSocket(uri, opened, batch, closed)`, called as a function; throws what the factory
    /// threw, or an error if it returned no socket.
    #[wasm_bindgen(method, catch, js_name = call)]
    fn open(
        this: &OpenSocket,
        context: &JsValue,
        uri: &str,
        opened: &Function,
        batch: &Function,
        closed: &Function,
    ) -> Result<HostSocket, JsValue>;

    /// A socket hooked to its stream by `js/socket.js`.
    #[derive(Clone)]
    type HostSocket;

    #[wasm_bindgen(method, catch, structural)]
    fn send(this: &HostSocket, text: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(method, structural)]
    fn ping(this: &HostSocket);

    #[wasm_bindgen(method, structural)]
    fn flush(this: &HostSocket);

    #[wasm_bindgen(method, structural, js_name = retryAfter)]
    fn retry_after(this: &HostSocket) -> Option<String>;

    #[wasm_bindgen(method, structural)]
    fn detach(this: &HostSocket);
}

/// The socket events a stream handles, as bound into its resume callback's tag.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SocketEvent {
    Opened,
    /// `js/frames.js` hands over a task's frames: their lengths and values.
    Batch,
    /// With the close event's code and reason.
    Closed,
}

/// A socket, owned by the executor's list: dropping it unhooks the stream and closes it.
pub struct Socket {
    handle: SocketRef,
}

/// A socket's handle for its operations, cloned out of the executor's list so that no borrow is
/// held while JS runs (a clone is one more reference to the same JS object).
#[derive(Clone)]
pub struct SocketRef {
    host: HostSocket,
}

impl Socket {
    /// Opens a socket to `uri` hooked to its stream: `handler(event)` is the function called
    /// for `event`. Its frames are handed over in batches, one per task (`js/frames.js`).
    pub fn open(
        uri: &str,
        handler: impl Fn(SocketEvent) -> Function,
        open: &OpenSocket,
    ) -> Result<Socket, JsValue> {
        let host = open.open(
            &JsValue::NULL,
            uri,
            &handler(SocketEvent::Opened),
            &handler(SocketEvent::Batch),
            &handler(SocketEvent::Closed),
        )?;
        Ok(Socket {
            handle: SocketRef { host },
        })
    }

    pub fn handle(&self) -> SocketRef {
        self.handle.clone()
    }
}

impl SocketRef {
    /// Hands the frames received so far to the batch handler: they come before the close.
    pub fn flush(&self) {
        self.host.flush();
    }

    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        self.host.send(text)
    }

    /// Sends a WebSocket ping frame where the socket can (Node's `ws`); browsers cannot.
    pub fn ping_frame(&self) {
        self.host.ping();
    }

    /// `retryAfter` as recorded on the socket by a factory that saw a 429 handshake.
    pub fn retry_after(&self) -> Option<String> {
        self.host.retry_after()
    }
}

impl Drop for Socket {
    /// Unhooks the stream's handlers and closes the socket.
    fn drop(&mut self) {
        self.handle.host.detach();
    }
}

/// The close event's frame from its `code` and `reason` (1006, "" where they are missing).
pub fn close_frame(code: &JsValue, reason: &JsValue) -> CloseFrame {
    let code = code.as_f64().unwrap_or(1006.0);
    CloseFrame {
        code: if (0.0..=65535.0).contains(&code) {
            code as u16
        } else {
            1006
        },
        reason: reason.as_string().unwrap_or_default(),
    }
}
