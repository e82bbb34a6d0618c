//! Handing a response to the handlers, as the stream's dispatch mode says.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::mailbox::Mailbox;

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DispatchMode {
    Inline,
    Task,
    Queue,
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_object()
        && Reflect::get(value, &JsValue::from_str("then"))
            .map(|then| then.is_function())
            .unwrap_or(false)
}

/// Calls `handler(response)` and waits for the Promise it may return; `Err` is what it threw.
/// The wait ends early once `wanted()` turns false (the stream was closed meanwhile: a handler
/// that never settles must not keep `run()` from resolving); `mailbox` wakes it for that check.
pub async fn call_and_await(
    handler: &Function,
    response: &JsValue,
    mailbox: &Mailbox,
    wanted: impl Fn() -> bool,
) -> Result<(), JsValue> {
    let value = handler.call1(&JsValue::NULL, response)?;
    if !is_thenable(&value) {
        return Ok(());
    }
    let mut settled = JsFuture::from(Promise::resolve(&value));
    poll_fn(|context| {
        if let Poll::Ready(outcome) = Pin::new(&mut settled).poll(context) {
            return Poll::Ready(outcome.map(|_| ()));
        }
        if !wanted() {
            return Poll::Ready(Ok(()));
        }
        mailbox.wake_on_push(context.waker());
        Poll::Pending
    })
    .await
}

/// A thrown value's message, for the engine's error text.
pub fn message_of(thrown: &JsValue) -> String {
    Reflect::get(thrown, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "a non-Error value was thrown".to_owned())
}
