//! The binding layer inside a real JS engine (wasm-bindgen-test): errors become the right JS error
//! classes, and the decoder's input buffer and tape work as `js/decode.js` uses them.
//!
//! Node: `cargo test --target wasm32-unknown-unknown --test wasm`
//! Headless Chromium: `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown --test wasm`

#![cfg(target_arch = "wasm32")]

use js_sys::{RangeError, Reflect, TypeError, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use maicoin_ws::binding::decoder::{decode_error, decode_response, input_buffer};
use maicoin_ws::binding::policy::reconnect_delay;
use maicoin_ws::binding::requests::{auth_message, normalize_request, subscription_message};
use maicoin_ws::core::schema::RESPONSE;

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a JS error, which must be exactly of class `E` (and so also an `Error`).
fn message_of<E: JsCast>(error: &JsValue) -> String {
    assert!(error.is_instance_of::<E>(), "wrong error class: {error:?}");
    assert!(error.is_instance_of::<js_sys::Error>());
    get(error, "message").as_string().unwrap_or_default()
}

// ---- requests --------------------------------------------------------------------------------

#[wasm_bindgen_test]
fn subscribe_and_unsubscribe_write_the_documented_wire_messages() {
    let list =
        r#"[{"channel":"book","market":"BTCTWD","depth":1},{"channel":"trade","market":"btctwd"}]"#;
    assert_eq!(
        subscription_message("client1".into(), list, true).unwrap(),
        r#"{"action":"sub","subscriptions":[{"channel":"book","market":"btctwd","depth":1},{"channel":"trade","market":"btctwd"}],"id":"client1"}"#
    );
    // The wire's unsubscribe key is singular.
    assert_eq!(
        subscription_message("u".into(), r#"{"channel":"market_status"}"#, false).unwrap(),
        r#"{"action":"unsub","subscription":[{"channel":"market_status"}],"id":"u"}"#
    );
}

#[wasm_bindgen_test]
fn bad_subscriptions_become_type_and_range_errors_naming_the_field() {
    let range = |list: &str| {
        message_of::<RangeError>(&subscription_message("x".into(), list, true).unwrap_err())
    };
    let type_ = |list: &str| {
        message_of::<TypeError>(&subscription_message("x".into(), list, true).unwrap_err())
    };

    assert!(
        range(r#"[{"channel":"book","market":"btcusdt","depth":7}]"#)
            .starts_with("subscriptions[0].depth: ")
    );
    assert!(
        range(r#"[{"channel":"orders"}]"#).starts_with("subscriptions[0].channel: unknown channel")
    );
    assert!(
        range(r#"[{"channel":"kline","market":"x","resolution":"3m"}]"#)
            .starts_with("subscriptions[0].resolution: ")
    );
    assert!(range("[]").starts_with("subscriptions: "));
    assert!(type_(r#"[{"channel":"book"}]"#).starts_with("subscriptions[0].market: is required"));
    assert!(type_(r#"{"channel":"pool_quota"}"#).starts_with("subscriptions[0].currency: "));
    assert_eq!(type_("not json"), "subscriptions: is not JSON-serializable");
    let unsubscribe = subscription_message(
        "x".into(),
        r#"[{"channel":"trade","market":"btc usdt"}]"#,
        false,
    )
    .unwrap_err();
    assert!(message_of::<RangeError>(&unsubscribe).starts_with("subscriptions[0].market: "));
}

#[wasm_bindgen_test]
fn auth_signs_the_documented_vector_and_refuses_bad_arguments() {
    let message = auth_message("a".into(), "key", "secret", 1591690054859.0, "").unwrap();
    let request = JSON::parse(&message).unwrap();
    assert_eq!(
        get(&request, "signature"),
        "a8b5850dc52906d5f9cccba81f882bf53982ddafc595c21338609ff3e5cdfb2c"
    );
    assert_eq!(get(&request, "nonce").as_f64(), Some(1591690054859.0));
    assert!(get(&request, "filters").is_undefined());
    let with_filters =
        auth_message("a".into(), "key", "secret", 1.0, r#"["order","ad_ratio"]"#).unwrap();
    assert!(
        with_filters.ends_with(r#""filters":["order","ad_ratio"]}"#),
        "{with_filters}"
    );

    let error = |nonce: f64, filters: &str| {
        auth_message("a".into(), "key", "secret", nonce, filters).unwrap_err()
    };
    for nonce in [1.5, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            message_of::<TypeError>(&error(nonce, "")).starts_with("nonce: "),
            "{nonce}"
        );
    }
    assert!(message_of::<RangeError>(&error(9007199254740992.0, "")).starts_with("nonce: "));
    assert!(message_of::<RangeError>(&error(1.0, r#"["orders"]"#))
        .starts_with("filters[0]: unknown filter"));
    assert!(message_of::<TypeError>(&error(1.0, r#""order""#)).starts_with("filters: "));
    let empty_key = auth_message("a".into(), "", "secret", 1.0, "").unwrap_err();
    assert!(message_of::<TypeError>(&empty_key).starts_with("apiKey: "));
}

#[wasm_bindgen_test]
fn normalize_request_writes_short_action_names_and_names_bad_fields() {
    let long = r#"{"action":"authenticate","apiKey":"k","nonce":5,"signature":"s","id":"i"}"#;
    assert_eq!(
        normalize_request(long).unwrap(),
        r#"{"action":"auth","apiKey":"k","nonce":5,"signature":"s","id":"i"}"#
    );
    assert!(message_of::<RangeError>(
        &normalize_request(r#"{"action":"dance","id":"x"}"#).unwrap_err()
    )
    .starts_with("action: "));
    assert!(
        message_of::<TypeError>(&normalize_request("[").unwrap_err())
            .starts_with("request: invalid JSON")
    );
}

// ---- decoder: the input buffer and the tape, used as js/decode.js uses them --------------------

/// The presence mask of the Response fields with these wire keys (bit i = field i of the table).
fn mask_of(keys: &[&str]) -> f64 {
    f64::from(
        keys.iter()
            .map(|key| 1u32 << RESPONSE.index_of(key).expect("a Response key"))
            .fold(0, |mask, bit| mask | bit),
    )
}

/// Writes `frame` into the decoder's input buffer as `encodeInto` does, decodes it, and returns
/// the first `slots` numbers of its tape.
fn decode(frame: &str, slots: usize) -> Result<Vec<f64>, String> {
    let address = input_buffer(frame.len().max(1));
    assert_ne!(address, 0, "the input buffer is available");
    // SAFETY: inputBuffer returned a buffer of at least frame.len() bytes that nothing else borrows.
    unsafe { std::ptr::copy_nonoverlapping(frame.as_ptr(), address as *mut u8, frame.len()) };
    let tape = decode_response(frame.len());
    if tape == 0 {
        return Err(decode_error());
    }
    // SAFETY: callers ask for no more slots than their frame writes; the tape is not borrowed now.
    Ok(unsafe { std::slice::from_raw_parts(tape as *const f64, slots) }.to_vec())
}

/// A string slot pair: offsets into the frame, or (negative start) into the owned-text buffer.
fn text_at(frame: &str, tape: &[f64], at: usize) -> String {
    let (start, end) = (tape[at], tape[at + 1]);
    if start >= 0.0 {
        return frame[start as usize..end as usize].to_owned();
    }
    let owned = tape[0] as usize;
    let from = owned + (-start - 1.0) as usize;
    // SAFETY: the owned-text buffer holds [from, owned + end) until the next decode.
    let bytes =
        unsafe { std::slice::from_raw_parts(from as *const u8, owned + end as usize - from) };
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[wasm_bindgen_test]
fn a_frame_written_into_the_input_buffer_decodes_onto_the_tape() {
    let frame = r#"{"e":"pong","i":"abc","T":7}"#;
    let tape = decode(frame, 7).unwrap();
    // [owned-text address, mask of e, T, i, e offsets, T, i offsets]
    assert_eq!(tape[1], mask_of(&["e", "T", "i"]));
    assert_eq!(text_at(frame, &tape, 2), "pong");
    assert_eq!(tape[4], 7.0);
    assert_eq!(text_at(frame, &tape, 5), "abc");
}

#[wasm_bindgen_test]
fn escaped_strings_are_unescaped_into_the_owned_text() {
    let frame = r#"{"e":"sn\u0061pshot","i":"caf\u00e9 \"q\""}"#;
    let tape = decode(frame, 6).unwrap();
    assert_eq!(tape[1], mask_of(&["e", "i"]), "e and i present, no T");
    assert!(
        tape[2] < 0.0,
        "the event was unescaped, so it is not a slice of the frame"
    );
    assert_eq!(text_at(frame, &tape, 2), "snapshot");
    assert_eq!(text_at(frame, &tape, 4), "café \"q\"");
}

#[wasm_bindgen_test]
fn a_refused_frame_leaves_a_reason_and_the_decoder_usable() {
    assert_eq!(
        decode(r#"{"T":1}"#, 0).unwrap_err(),
        "invalid MAX message: it has no event (key `e`)"
    );
    assert!(decode("{", 0)
        .unwrap_err()
        .starts_with("invalid MAX message: EOF while parsing"));
    let deep = format!(
        r#"{{"e":"x","zz":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(decode(&deep, 0)
        .unwrap_err()
        .contains("zz: nested deeper than 128 levels"));
    assert_eq!(decode(r#"{"e":"update","T":3}"#, 5).unwrap()[4], 3.0);
}

#[wasm_bindgen_test]
fn the_input_buffer_grows_to_the_capacity_asked_and_a_large_frame_decodes() {
    let market = "a".repeat(1 << 20);
    let frame = format!(r#"{{"M":"{market}","e":"update"}}"#);
    let tape = decode(&frame, 6).unwrap();
    // [owned, mask, e offsets, M offsets]: the table puts e first.
    assert_eq!(text_at(&frame, &tape, 2), "update");
    assert_eq!(tape[1], mask_of(&["e", "M"]));
}

// ---- reconnect policy --------------------------------------------------------------------------

/// The delay before retry `retry` under a policy with default limits.
fn delay(base: f64, max: f64, jitter: f64, retry: f64, random01: f64) -> f64 {
    reconnect_delay(true, None, base, max, jitter, retry, random01).unwrap()
}

#[wasm_bindgen_test]
fn reconnect_delay_refuses_options_with_a_range_error_naming_them() {
    assert!(reconnect_delay(true, None, 1.0, 30.0, 1.0, 1.0, 0.0).is_ok());
    assert!(reconnect_delay(false, Some(0.0), 0.0, 0.0, 0.0, 1.0, 0.0).is_ok());
    let refused = |max_retries, base, max, jitter| {
        message_of::<RangeError>(
            &reconnect_delay(true, max_retries, base, max, jitter, 1.0, 0.0).unwrap_err(),
        )
    };
    assert!(refused(Some(1.5), 1.0, 30.0, 1.0).starts_with("maxRetries "));
    assert!(refused(Some(-1.0), 1.0, 30.0, 1.0).starts_with("maxRetries "));
    assert!(refused(None, -1.0, 30.0, 1.0).starts_with("baseDelay "));
    assert!(refused(None, 1.0, f64::NAN, 1.0).starts_with("maxDelay "));
    assert!(refused(None, 1.0, 30.0, f64::INFINITY).starts_with("jitter "));
}

#[wasm_bindgen_test]
fn reconnect_delay_doubles_to_the_cap_plus_random_jitter() {
    let delays: Vec<f64> = (1..=7)
        .map(|n| delay(1.0, 30.0, 0.0, f64::from(n), 0.0))
        .collect();
    assert_eq!(delays, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]);
    assert_eq!(delay(1.0, 30.0, 2.0, 3.0, 0.25), 4.5);
    // A retry number JS could pass by mistake counts as the first.
    assert_eq!(delay(1.0, 30.0, 0.0, 0.0, 0.0), 1.0);
    assert_eq!(delay(1.0, 30.0, 0.0, f64::NAN, 0.0), 1.0);
}
