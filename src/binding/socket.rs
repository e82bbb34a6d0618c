//! One WebSocket connection, as the host gives it (the browser's, Node 22's, or the `ws`
//! package's, which is not a real DOM object: so events are read with `Reflect`, never `dyn_into`).
//!
//! The socket owns its event closures: dropping it unhooks and frees them, so a
//! thousand reconnects leave nothing behind.

use std::rc::Rc;

use js_sys::{Array, Function, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use super::batch::Batch;
use super::mailbox::{Post, Signal};
use crate::core::engine::{CloseFrame, ConnId};

type Handler = Closure<dyn FnMut(JsValue)>;
type BatchHandler = Closure<dyn FnMut(Uint32Array, Array)>;

#[wasm_bindgen]
extern "C" {
    /// `js/frames.js`'s queue of one socket's message events.
    #[derive(Clone)]
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

pub struct Socket {
    raw: WebSocket,
    queue: FrameQueue,
    /// Left as the error handler once ours is gone: Node's `ws` throws an error event that
    /// has no listener, and a socket still closing can emit one.
    noop: Function,
    _on_open: Handler,
    _on_batch: BatchHandler,
    _on_close: Handler,
    _on_error: Handler,
}

const CONNECTING: u16 = 0;
const OPEN: u16 = 1;

impl Socket {
    /// Hooks a freshly created socket to its stream; its signals carry `conn`. Its frames are
    /// posted in batches, one per task, through `frame_queue` (`js/frames.js`).
    pub fn attach(
        raw: JsValue,
        conn: ConnId,
        post: &Post,
        frame_queue: &Function,
        noop: Function,
    ) -> Result<Socket, JsValue> {
        let raw: WebSocket = raw.unchecked_into();
        let on_batch: BatchHandler = {
            let post = Rc::clone(post);
            Closure::new(move |lengths: Uint32Array, values: Array| {
                post(Signal::Batch(conn, Batch::take(&lengths, values)))
            })
        };
        let queue: FrameQueue = frame_queue
            .call1(&JsValue::NULL, on_batch.as_ref())?
            .unchecked_into();
        let on_open: Handler = {
            let post = Rc::clone(post);
            Closure::new(move |_event: JsValue| post(Signal::Opened(conn)))
        };
        let on_close: Handler = {
            let post = Rc::clone(post);
            let queue = queue.clone();
            Closure::new(move |event: JsValue| {
                // The frames received before the close come first.
                queue.flush();
                post(Signal::Closed(conn, close_frame(&event)));
            })
        };
        // An error is always followed by a close event, which carries what we need.
        let on_error: Handler = Closure::new(|_event: JsValue| {});
        raw.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        raw.set_onmessage(Some(&queue.message()));
        raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        raw.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket {
            raw,
            queue,
            noop,
            _on_open: on_open,
            _on_batch: on_batch,
            _on_close: on_close,
            _on_error: on_error,
        })
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

fn close_frame(event: &JsValue) -> CloseFrame {
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
