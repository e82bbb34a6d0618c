//! Any text as a request: `Request::parse` must return `Ok` or `Err`, never panic, and what it
//! accepts must survive the wire: `message()` parses back to an equal request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use maicoin_ws::core::request::Request;

fuzz_target!(|text: &str| {
    let request = match Request::parse(text) {
        Ok(request) => request,
        Err(error) => {
            // The message names a field, for the TypeError/RangeError the binding throws.
            assert!(!error.field.is_empty());
            return;
        }
    };
    let message = request.message();
    assert!(!message.is_empty(), "an accepted request wrote no message");
    match Request::parse(&message) {
        Ok(again) => assert_eq!(again, request, "round trip changed the request: {message}"),
        Err(error) => panic!("its own message does not parse back: {message}: {error}"),
    }
});
