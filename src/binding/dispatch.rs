//! Handing a response to the handlers, as the stream's dispatch mode says.

use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

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
pub async fn call_and_await(handler: &Function, response: &JsValue) -> Result<(), JsValue> {
    match handler.call1(&JsValue::NULL, response) {
        Ok(value) if is_thenable(&value) => {
            JsFuture::from(Promise::resolve(&value)).await.map(|_| ())
        }
        Ok(_) => Ok(()),
        Err(thrown) => Err(thrown),
    }
}

/// A thrown value's message, for the engine's error text.
pub fn message_of(thrown: &JsValue) -> String {
    Reflect::get(thrown, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "a non-Error value was thrown".to_owned())
}
