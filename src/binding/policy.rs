//! `ReconnectPolicy`'s checks and delays, from the core's policy.

use wasm_bindgen::prelude::*;

use crate::core::reconnect::ReconnectPolicy;

/// Refuses options the policy cannot follow, naming the option (a `RangeError`).
#[wasm_bindgen(js_name = checkReconnectPolicy)]
pub fn check_reconnect_policy(
    enabled: bool,
    max_retries: Option<f64>,
    base_delay: f64,
    max_delay: f64,
    jitter: f64,
) -> Result<(), JsValue> {
    ReconnectPolicy::new(enabled, max_retries, base_delay, max_delay, jitter)
        .map(|_| ())
        .map_err(|e| js_sys::RangeError::new(&e.to_string()).into())
}

/// Seconds to wait before the 1-based retry `retry`; `random01` is `Math.random()`.
#[wasm_bindgen(js_name = reconnectDelay)]
pub fn reconnect_delay(
    base_delay: f64,
    max_delay: f64,
    jitter: f64,
    retry: f64,
    random01: f64,
) -> f64 {
    let retry = if retry.is_finite() && retry >= 1.0 {
        retry.min(f64::from(u32::MAX)) as u32
    } else {
        1
    };
    ReconnectPolicy::new(true, None, base_delay, max_delay, jitter)
        .map(|policy| policy.delay(retry, random01))
        .unwrap_or(f64::NAN)
}
