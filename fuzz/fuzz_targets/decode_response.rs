//! Any bytes a socket could hand over: decoding must return `Ok` or `Err`, never panic, and the
//! stream's path must agree with `Response.parse`'s (the stream reads fields back, JS the tape).
#![no_main]

use libfuzzer_sys::fuzz_target;
use maicoin_ws::core::response::{decode, decode_to_tape, tape_to_json};
use maicoin_ws::core::tape::Tape;
use serde_json::value::RawValue;

fuzz_target!(|frame: &[u8]| {
    let decoded = decode(frame);
    let mut tape = Tape::default();
    let taped = decode_to_tape(frame, &mut tape);
    assert_eq!(decoded.is_ok(), taped.is_ok(), "decode and decode_to_tape disagree");
    if let Err(error) = decoded {
        // onDecodeError shows this text: it must say something.
        assert!(!error.message().is_empty());
        return;
    }
    // Nothing that is not JSON may pass as a message. Syntax only: `serde_json::Value` refuses
    // numbers beyond f64 (`1e400`), which JSON allows and JS's JSON.parse reads as Infinity, and
    // the decoder rightly keeps such a value of an unknown key as raw text in `extra`.
    assert!(
        serde_json::from_slice::<Box<RawValue>>(frame).is_ok(),
        "accepted a frame that is not JSON"
    );
    // Slot 0 is the owned-text address; a mask follows, so a decoded tape has at least two slots.
    assert!(tape.numbers().len() >= 2);
    // What was decoded, written back with its wire keys, decodes to the same thing: no field or
    // unknown key is lost or altered on the way (the `extra` promise of js/index.d.ts).
    let written = tape_to_json(&tape, frame);
    let mut again = Tape::default();
    decode_to_tape(written.as_bytes(), &mut again).expect("a written-back response decodes");
    assert_eq!(written, tape_to_json(&again, written.as_bytes()));
});
