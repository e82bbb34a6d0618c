//! One WebSocket connection, as the host gives it (the browser's, Node 22's, or the `ws`
//! package's, which is not a real DOM object: so events are read with `Reflect`, never `dyn_into`).
//!
//! The socket's event handlers are the stream's one resume callback, bound to the event and
//! the connection (`Function.prototype.bind`): no closure per socket, and dropping the socket
//! unhooks them, so a thousand reconnects leave nothing behind.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use crate::core::engine::CloseFrame;

#[wasm_bindgen]
extern "C" {
    /// `js/frames.js`'s queue of one socket's message events.
    type FrameQueue;

    /// The message listener: queues `event.data`.
    #[wasm_bindgen(method, getter, structural)]
    fn message(this: &FrameQueue) -> Function;

    /// Hands what is queued to the batch handler now.
    #[wasm_bindgen(method, structural)]
    fn flush(this: &FrameQueue);

    /// Forgets what is queued and hands nothing over any more.
    #[wasm_bindgen(method, structural)]
    fn stop(this: &FrameQueue);
}

/// The socket events a stream handles, as bound into its resume callback's tag.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SocketEvent {
    Opened,
    /// `js/frames.js` hands over a task's frames: their lengths and values.
    Batch,
    Closed,
}

pub struct Socket {
    raw: WebSocket,
    queue: FrameQueue,
    /// Left as the error handler once ours is gone: Node's `ws` throws an error event that
    /// has no listener, and a socket still closing can emit one.
    noop: Function,
}

const CONNECTING: u16 = 0;
const OPEN: u16 = 1;

impl Socket {
    /// Hooks a freshly created socket to its stream: `handler(event)` is the function called
    /// for `event`. Its frames are handed over in batches, one per task, through `frame_queue`
    /// (`js/frames.js`). An error is always followed by a close event, which carries what we
    /// need: the error handler does nothing.
    pub fn attach(
        raw: JsValue,
        handler: impl Fn(SocketEvent) -> Function,
        frame_queue: &Function,
        noop: Function,
    ) -> Result<Socket, JsValue> {
        let raw: WebSocket = raw.unchecked_into();
        let queue: FrameQueue = frame_queue
            .call1(&JsValue::NULL, &handler(SocketEvent::Batch))?
            .unchecked_into();
        raw.set_onopen(Some(&handler(SocketEvent::Opened)));
        raw.set_onmessage(Some(&queue.message()));
        raw.set_onclose(Some(&handler(SocketEvent::Closed)));
        raw.set_onerror(Some(&noop));
        Ok(Socket { raw, queue, noop })
    }

    /// Hands the frames received so far to the batch handler: they come before the close.
    pub fn flush(&self) {
        self.queue.flush();
    }

    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        self.raw.send_with_str(text)
    }

    /// Sends a WebSocket ping frame where the socket can (Node's `ws`); browsers cannot.
    pub fn ping_frame(&self) {
        if let Ok(ping) = Reflect::get(&self.raw, &JsValue::from_str("ping"))
            .and_then(|f| f.dyn_into::<Function>())
        {
            let _ = ping.call0(&self.raw);
        }
    }

    pub fn close(&self) {
        let state = self.raw.ready_state();
        if state == CONNECTING || state == OPEN {
            let _ = self.raw.close_with_code(1000);
        }
    }

    /// `retryAfter` as recorded on the socket by a factory that saw a 429 handshake.
    pub fn retry_after(&self) -> Option<String> {
        property(&self.raw, "retryAfter").as_string()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.queue.stop();
        self.raw.set_onopen(None);
        self.raw.set_onmessage(None);
        self.raw.set_onclose(None);
        self.raw.set_onerror(Some(&self.noop));
        self.close();
    }
}

fn property(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

pub fn close_frame(event: &JsValue) -> CloseFrame {
    let code = property(event, "code").as_f64().unwrap_or(1006.0);
    CloseFrame {
        code: if (0.0..=65535.0).contains(&code) {
            code as u16
        } else {
            1006
        },
        reason: property(event, "reason").as_string().unwrap_or_default(),
    }
}
