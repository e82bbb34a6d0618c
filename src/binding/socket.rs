//! One WebSocket connection, as the host gives it (the browser's, Node 22's, or the `ws`
//! package's, which is not a real DOM object: so events are read with `Reflect`, never `dyn_into`).
//!
//! The socket owns its event closures, gloo-style: dropping it unhooks and frees them, so a
//! thousand reconnects leave nothing behind.

use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use super::mailbox::{Mailbox, Signal};
use crate::core::engine::{CloseFrame, ConnId};

type Handler = Closure<dyn FnMut(JsValue)>;

#[wasm_bindgen]
extern "C" {
    /// A message event as any host makes it (a DOM `MessageEvent`, or `ws`'s look-alike).
    type SocketMessage;

    /// `event.data`, read by a plain property access: no key string is made per message.
    #[wasm_bindgen(method, getter, structural)]
    fn data(this: &SocketMessage) -> JsValue;
}

pub struct Socket {
    raw: WebSocket,
    /// Left as the error handler once ours is gone: Node's `ws` throws an error event that
    /// has no listener, and a socket still closing can emit one.
    noop: Function,
    _on_open: Handler,
    _on_message: Handler,
    _on_close: Handler,
    _on_error: Handler,
}

const CONNECTING: u16 = 0;
const OPEN: u16 = 1;

impl Socket {
    /// Hooks a freshly created socket to the mailbox; its signals carry `conn`.
    pub fn attach(raw: JsValue, conn: ConnId, mailbox: &Rc<Mailbox>, noop: Function) -> Socket {
        let raw: WebSocket = raw.unchecked_into();
        let handler = |make: fn(ConnId, JsValue) -> Signal| {
            let mailbox = Rc::clone(mailbox);
            Closure::new(move |event: JsValue| mailbox.push(make(conn, event)))
        };
        let on_open = handler(|conn, _| Signal::Opened(conn));
        let on_message = handler(|conn, event| Signal::Message(conn, event.unchecked_ref::<SocketMessage>().data()));
        let on_close = handler(|conn, event| Signal::Closed(conn, close_frame(&event)));
        // An error is always followed by a close event, which carries what we need.
        let on_error = Closure::new(|_event: JsValue| {});
        raw.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        raw.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        raw.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Socket { raw, noop, _on_open: on_open, _on_message: on_message, _on_close: on_close, _on_error: on_error }
    }

    pub fn send(&self, text: &str) -> Result<(), JsValue> {
        self.raw.send_with_str(text)
    }

    /// Sends a WebSocket ping frame where the socket can (Node's `ws`); browsers cannot.
    pub fn ping_frame(&self) {
        if let Ok(ping) = Reflect::get(&self.raw, &JsValue::from_str("ping")).and_then(|f| f.dyn_into::<Function>()) {
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
        code: if (0.0..=65535.0).contains(&code) { code as u16 } else { 1006 },
        reason: property(event, "reason").as_string().unwrap_or_default(),
    }
}
