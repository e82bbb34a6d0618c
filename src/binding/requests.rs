//! `Request` construction and parsing, for the JS package.
//!
//! Requests are rare, so they cross as JSON text: the JS side passes the caller's values through
//! `JSON.stringify` and gets the wire message back.

use wasm_bindgen::prelude::*;

use super::errors::input_error;
use crate::core::error::{InputError, Problem};
use crate::core::request::{filters_from_json, Credentials, Request};
use crate::core::subscription::Subscription;

fn subscriptions_argument(text: &str, key: &str) -> Result<Vec<Subscription>, JsValue> {
    Subscription::list_from_json(text, key).map_err(|e| input_error(&e))
}

/// The wire message of a `sub` request (`add`) or an `unsub` one; `subscriptions` is the JSON
/// of the caller's list. One export for both: each export costs the wasm its glue.
#[wasm_bindgen(js_name = subscriptionMessage)]
pub fn subscription_message(id: String, subscriptions: &str, add: bool) -> Result<String, JsValue> {
    let subscriptions = subscriptions_argument(subscriptions, "subscriptions")?;
    let id = Some(id);
    let request = if add {
        Request::Subscribe { id, subscriptions }
    } else {
        Request::Unsubscribe { id, subscriptions }
    };
    Ok(request.message())
}

/// The wire message of a signed `auth` request; `filters` is JSON or empty for none.
#[wasm_bindgen(js_name = authMessage)]
pub fn auth_message(
    id: String,
    api_key: &str,
    api_secret: &str,
    nonce: f64,
    filters: &str,
) -> Result<String, JsValue> {
    let nonce = js_nonce(nonce)?;
    let filters = if filters.is_empty() {
        None
    } else {
        Some(filters_from_json(filters).map_err(|e| input_error(&e))?)
    };
    let credentials = Credentials {
        api_key,
        api_secret,
    };
    Request::auth(id, &credentials, nonce, filters)
        .map(|r| r.message())
        .map_err(|e| input_error(&e))
}

/// Reads a request from wire JSON and writes it back normalized (short action names).
#[wasm_bindgen(js_name = normalizeRequest)]
pub fn normalize_request(text: &str) -> Result<String, JsValue> {
    Request::parse(text)
        .map(|r| r.message())
        .map_err(|e| input_error(&e))
}

/// A JS number as a nonce: a non-negative safe integer.
fn js_nonce(nonce: f64) -> Result<u64, JsValue> {
    if !(nonce.is_finite() && nonce >= 0.0 && nonce.fract() == 0.0) {
        return Err(input_error(&InputError::type_error(
            "nonce",
            Problem::NotANonce,
        )));
    }
    Ok(nonce as u64)
}
