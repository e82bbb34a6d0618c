//! `ReconnectPolicy`'s checks and delays, from the core's policy: one export for both, since
//! each export costs the wasm its glue.

use wasm_bindgen::prelude::*;

use crate::core::reconnect::ReconnectPolicy;

/// Seconds to wait before the 1-based retry `retry` under the policy of these options;
/// `random01` is `Math.random()`. Options the policy cannot follow are refused, naming the
/// option (a `RangeError`): `new ReconnectPolicy` calls this once to check them.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = reconnectDelay)]
pub fn reconnect_delay(
    enabled: bool,
    max_retries: Option<f64>,
    base_delay: f64,
    max_delay: f64,
    jitter: f64,
    retry: f64,
    random01: f64,
) -> Result<f64, JsValue> {
    let retry = if retry.is_finite() && retry >= 1.0 {
        retry.min(f64::from(u32::MAX)) as u32
    } else {
        1
    };
    ReconnectPolicy::new(enabled, max_retries, base_delay, max_delay, jitter)
        .map(|policy| policy.delay(retry, random01))
        .map_err(|e| js_sys::RangeError::new(&e.to_string()).into())
}
