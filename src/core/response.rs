//! Server messages: decoded by the table-driven reader onto the tape, and the few top-level
//! fields the engine and the books need read back from it as `Response`.
//!
//! The objects themselves are declared in `schema.rs`; JS builds them from the tape with the
//! readers generated from the same tables. Keys a table does not name are kept in `extra`;
//! event names are kept as strings, known or not.

use std::fmt;

use super::reader::write_frame;
use super::schema::{Kind, Object, EVENT_KEY, MESSAGE, RESPONSE};
use super::tape::{Tape, TapeReader};
use super::wire::{FrameError, Id, Int, Level, List, Text};

/// What the engine and the books read of a decoded message; strings borrow from the frame
/// unless they held escapes.
#[derive(Debug, Clone, Default)]
pub struct Response<'a> {
    pub event: Option<Text<'a>>,
    pub id: Option<Id<'a>>,
    pub errors: Option<List<Text<'a>>>,
    pub channel: Option<Text<'a>>,
    pub market: Option<Text<'a>>,
    pub asks: Option<List<Level<'a>>>,
    pub bids: Option<List<Level<'a>>>,
    pub first_update_id: Option<Int>,
    pub last_update_id: Option<Int>,
    pub version: Option<Int>,
    /// `T`, the server's time in ms (the feed-health lateness and clock offset).
    pub created_at: Option<Int>,
    pub currency: Option<Text<'a>>,
    /// The frame itself, for the engine's few reads inside nested objects (a kline's `R`).
    pub text: &'a str,
}

/// The index of `key` in `object`'s table, at compile time (the fields Rust reads back).
const fn index_in(object: &Object, key: &str) -> usize {
    let mut index = 0;
    while index < object.fields.len() {
        let (a, b) = (object.fields[index].key.as_bytes(), key.as_bytes());
        if a.len() == b.len() {
            let mut at = 0;
            while at < a.len() && a[at] == b[at] {
                at += 1;
            }
            if at == a.len() {
                return index;
            }
        }
        index += 1;
    }
    panic!("the key is not in the table")
}

pub(crate) const EVENT: usize = index_in(&RESPONSE, EVENT_KEY);
pub(crate) const ID: usize = index_in(&RESPONSE, "i");
pub(crate) const ERRORS: usize = index_in(&RESPONSE, "E");
pub(crate) const CHANNEL: usize = index_in(&RESPONSE, "c");
pub(crate) const MARKET: usize = index_in(&RESPONSE, "M");
pub(crate) const ASKS: usize = index_in(&RESPONSE, "a");
pub(crate) const BIDS: usize = index_in(&RESPONSE, "b");
pub(crate) const FIRST_UPDATE_ID: usize = index_in(&RESPONSE, "fi");
pub(crate) const LAST_UPDATE_ID: usize = index_in(&RESPONSE, "li");
pub(crate) const VERSION: usize = index_in(&RESPONSE, "v");
pub(crate) const CREATED_AT: usize = index_in(&RESPONSE, "T");
pub(crate) const CURRENCY: usize = index_in(&RESPONSE, "cu");

impl<'a> Response<'a> {
    /// Reads the fields from a tape written for `frame`.
    pub fn read(tape: &Tape, frame: &'a str) -> Response<'a> {
        let at = |index: usize| {
            tape.root_field(index)
                .map(|at| TapeReader::new(tape, frame, at))
        };
        let text = |index: usize| at(index).map(|mut reader| reader.text());
        let int = |index: usize| at(index).map(|mut reader| Int(reader.number() as u64));
        let list = |index: usize, item: fn(&mut TapeReader<'_, 'a>) -> Level<'a>| {
            at(index).map(|mut reader| {
                let count = reader.number() as usize;
                List((0..count).map(|_| item(&mut reader)).collect())
            })
        };
        let level: fn(&mut TapeReader<'_, 'a>) -> Level<'a> =
            |reader| (reader.text(), reader.text());
        Response {
            event: text(EVENT),
            id: text(ID).map(Id),
            errors: at(ERRORS).map(|mut reader| {
                let count = reader.number() as usize;
                List((0..count).map(|_| reader.text()).collect())
            }),
            channel: text(CHANNEL),
            market: text(MARKET),
            asks: list(ASKS, level),
            bids: list(BIDS, level),
            first_update_id: int(FIRST_UPDATE_ID),
            last_update_id: int(LAST_UPDATE_ID),
            version: int(VERSION),
            created_at: int(CREATED_AT),
            currency: text(CURRENCY),
            text: frame,
        }
    }
}

/// A frame that is not a MAX message; the text says why and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl DecodeError {
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one frame onto `tape`, for the JS side to build its object from.
///
/// The frame is checked as UTF-8 once, as a whole (every frame from JS is: `encodeInto` of a
/// well-formed string), and read as `&str`, so serde_json does not check each string again.
pub fn decode_to_tape(frame: &[u8], tape: &mut Tape) -> Result<(), DecodeError> {
    decode_text(frame, tape).map(|_| ())
}

/// `decode_to_tape`, returning the frame as the text it was read as.
pub(crate) fn decode_text<'a>(frame: &'a [u8], tape: &mut Tape) -> Result<&'a str, DecodeError> {
    let text = std::str::from_utf8(frame).map_err(|e| {
        DecodeError(format!(
            "invalid MAX message: invalid UTF-8 at byte {}",
            e.valid_up_to()
        ))
    })?;
    write_frame(text, &MESSAGE, tape).map_err(refused)?;
    if tape.root_field(EVENT).is_none() {
        return Err(DecodeError(
            "invalid MAX message: it has no event (key `e`)".into(),
        ));
    }
    Ok(text)
}

/// The message for a frame the reader refused, worded once, out of the decoding path.
#[cold]
#[inline(never)]
fn refused(error: FrameError) -> DecodeError {
    DecodeError(format!("invalid MAX message: {error}"))
}

/// Decodes one frame onto `tape` and reads its top-level fields.
pub fn decode_with<'a>(frame: &'a [u8], tape: &mut Tape) -> Result<Response<'a>, DecodeError> {
    let text = decode_text(frame, tape)?;
    Ok(Response::read(tape, text))
}

/// Decodes one frame on a tape of its own (tests, and paths that keep no tape).
pub fn decode(frame: &[u8]) -> Result<Response<'_>, DecodeError> {
    let mut tape = Tape::default();
    let text = decode_text(frame, &mut tape)?;
    Ok(Response::read(&tape, text))
}

/// The tape written for `frame`, as wire JSON again: every field under its wire key, unknown
/// keys with their raw values. What was decoded can be compared with what was sent.
pub fn tape_to_json(tape: &Tape, frame: &[u8]) -> String {
    let mut reader = TapeReader::new(tape, std::str::from_utf8(frame).unwrap_or(""), 1);
    let mut out = String::new();
    write_object(&mut reader, &RESPONSE, &mut out);
    out
}

fn write_object(reader: &mut TapeReader<'_, '_>, object: &Object, out: &mut String) {
    let mask = reader.number() as u32;
    out.push('{');
    let mut first = true;
    let mut comma = |out: &mut String| {
        if !std::mem::replace(&mut first, false) {
            out.push(',');
        }
    };
    for (index, field) in object.fields.iter().enumerate() {
        if mask & (1 << index) != 0 {
            comma(out);
            write_string(field.key, out);
            out.push(':');
            write_value(reader, &field.kind, out);
        }
    }
    if mask & object.extra_bit() != 0 {
        let count = reader.number() as usize;
        for _ in 0..count {
            comma(out);
            write_string(reader.text().as_str(), out);
            out.push(':');
            out.push_str(reader.text().as_str());
        }
    }
    out.push('}');
}

fn write_value(reader: &mut TapeReader<'_, '_>, kind: &Kind, out: &mut String) {
    match kind {
        Kind::Text | Kind::Enum(_) | Kind::Id => write_string(reader.text().as_str(), out),
        Kind::Int | Kind::Time => out.push_str(&(reader.number() as u64).to_string()),
        Kind::Float => match reader.number() {
            // A float left to JS: its text, as the frame wrote it.
            value if value.is_nan() => out.push_str(reader.text().as_str()),
            value => out.push_str(&serde_json::to_string(&value).unwrap_or_default()),
        },
        Kind::Bool => out.push_str(if reader.number() != 0.0 {
            "true"
        } else {
            "false"
        }),
        Kind::Level => {
            out.push('[');
            write_string(reader.text().as_str(), out);
            out.push(',');
            write_string(reader.text().as_str(), out);
            out.push(']');
        }
        Kind::Object(object) => write_object(reader, object, out),
        Kind::List(item) => {
            let count = reader.number() as usize;
            out.push('[');
            for index in 0..count {
                if index > 0 {
                    out.push(',');
                }
                write_value(reader, item, out);
            }
            out.push(']');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded_json(frame: &[u8]) -> serde_json::Value {
        let mut tape = Tape::default();
        decode_to_tape(frame, &mut tape).unwrap();
        serde_json::from_str(&tape_to_json(&tape, frame)).unwrap()
    }

    #[test]
    fn a_bad_value_is_named_by_its_path() {
        let error = decode(br#"{"e":"update","tk":{"M":"btcusdt","O":5}}"#).unwrap_err();
        assert!(
            error
                .message()
                .contains("tk.O: invalid type: integer `5`, expected a string"),
            "{error}"
        );
        let error = decode(br#"{"e":"update","o":[{"i":1},{"i":"x"}]}"#).unwrap_err();
        assert!(error.message().contains("o[1].i: invalid type"), "{error}");
        let error = decode(br#"{"e":"update","a":[["1","2"],["1"]]}"#).unwrap_err();
        assert!(
            error.message().contains("a[1]: invalid length 1"),
            "{error}"
        );
        let error = decode(br#"{"e":"x","T":1.5}"#).unwrap_err();
        assert!(
            error.message().contains(
                "T: invalid value: floating point `1.5`, expected a non-negative integer"
            ),
            "{error}"
        );
        let error = decode(br#"{"e":"x","k":[]}"#).unwrap_err();
        assert!(
            error
                .message()
                .contains("k: invalid type: sequence, expected a Kline object"),
            "{error}"
        );
        let error = decode(br#"{"e":"x","t":[null]}"#).unwrap_err();
        assert!(
            error
                .message()
                .contains("t[0]: invalid type: null, expected a Trade object"),
            "{error}"
        );
    }

    #[test]
    fn the_first_refusal_is_named_whatever_follows_it() {
        let first = "invalid MAX message: tk.O: invalid type: integer `5`, expected a string";
        for frame in [
            r#"{"e":"update","tk":{"M":"btcusdt","O":5},"o":[{"i":"x"}]}"#,
            r#"{"e":"update","tk":{"O":5,"M":7},"T":-1}"#,
            r#"{"e":"update","tk":{"O":5},"T":1} trailing"#,
            r#"{"e":"update","tk":{"O":5},"zz":[}"#,
        ] {
            assert_eq!(
                decode(frame.as_bytes()).unwrap_err().message(),
                first,
                "{frame}"
            );
        }
        let error = decode(br#"{"e":"x","a":[["1","2"],[3,"4"],[5]]}"#).unwrap_err();
        assert_eq!(
            error.message(),
            "invalid MAX message: a[1]: invalid type: integer `3`, expected a string"
        );
        let error = decode(br#"{"e":"x","o":[{"i":1}],"o":[{"i":1},{"T":1e400}]}"#).unwrap_err();
        assert!(
            error
                .message()
                .starts_with("invalid MAX message: o[1].T: number out of range at line 1 column"),
            "{error}"
        );
    }

    #[test]
    fn messages_without_an_event_or_not_objects_are_refused() {
        assert!(decode(br#"{"T":1}"#)
            .unwrap_err()
            .message()
            .contains("no event"));
        assert!(decode(br#"{"e":null}"#)
            .unwrap_err()
            .message()
            .contains("no event"));
        assert!(decode(b"[1,2]")
            .unwrap_err()
            .message()
            .contains("expected a Response object"));
        assert!(decode(b"{").is_err());
        assert!(decode(b"").is_err());
        assert!(decode(br#"{"e":"x"} 1"#)
            .unwrap_err()
            .message()
            .contains("trailing characters"));
    }

    #[test]
    fn numbers_a_js_number_cannot_hold_are_refused() {
        assert!(decode(br#"{"e":"x","T":9007199254740992}"#)
            .unwrap_err()
            .message()
            .contains("T: integer"));
        assert!(decode(br#"{"e":"x","T":1e400}"#).is_err());
        assert!(decode(br#"{"e":"x","T":-5}"#).is_err());
        assert!(decode(br#"{"e":"x","T":1.5}"#).is_err());
        assert!(decode(br#"{"e":"x","T":8640000000000001}"#)
            .unwrap_err()
            .message()
            .contains("beyond what a JS Date holds"));
    }

    #[test]
    fn float_fields_too_long_to_round_exactly_reach_js_as_their_full_text() {
        // Found by the decode_response fuzz target: serde_json's best-effort float reading gave
        // 2.333333333333333e117, one unit in the last place below what JSON.parse gives. Such
        // texts go to JS whole, for `Number` to round (tests/node/response-floats.test.mjs).
        let frame = r#"{"e":"update","c":"market_status","ms":[{"M":"btctwd","mba":2.3333333333333333e+117,"mqa":0.0004}]}"#;
        let mut tape = Tape::default();
        decode_to_tape(frame.as_bytes(), &mut tape).unwrap();
        // ms = [count, mask, M start, M end, NaN, mba start, mba end, mqa].
        let at = tape.root_field(RESPONSE.index_of("ms").unwrap()).unwrap();
        assert!(tape.numbers()[at + 4].is_nan());
        let mut reader = TapeReader::new(&tape, frame, at + 5);
        assert_eq!(reader.text().as_str(), "2.3333333333333333e+117");
        assert_eq!(tape.numbers()[at + 7], 0.0004);
        assert_eq!(
            decoded_json(br#"{"e":"x","ms":[{"mba":-0.5,"mqa":12345678901234567890}]}"#)["ms"][0],
            serde_json::json!({"mba": -0.5, "mqa": 12345678901234567890u64})
        );
    }

    #[test]
    fn float_fields_refuse_other_types_and_infinities() {
        for (value, problem) in [
            (r#""5""#, "expected a number"),
            ("true", "expected a number"),
            ("[1]", "expected a number"),
            ("1e400", "out of range"),
        ] {
            let frame = format!(r#"{{"e":"x","ms":[{{"mba":{value}}}]}}"#);
            let error = decode(frame.as_bytes()).unwrap_err();
            assert!(
                error.message().contains("ms[0].mba: ") && error.message().contains(problem),
                "{error}"
            );
        }
        let absent = decoded_json(br#"{"e":"x","ms":[{"mba":null}]}"#);
        assert_eq!(absent["ms"][0], serde_json::json!({}));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            r#"{{"e":"x","zz":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(decode(deep.as_bytes()).is_err());
    }

    #[test]
    fn escaped_strings_are_unescaped_and_unknown_keys_kept() {
        let frame = br#"{"e":"sn\u0061pshot","zz":{"a":[1]},"T":1}"#;
        let response = decode(frame).unwrap();
        assert_eq!(response.event.unwrap().as_str(), "snapshot");
        assert_eq!(
            decoded_json(frame),
            serde_json::json!({"e": "snapshot", "T": 1, "zz": {"a": [1]}})
        );
    }

    #[test]
    fn fields_land_in_table_order_whatever_the_wire_order_and_the_last_repeat_wins() {
        let wire = decoded_json(br#"{"T":2,"M":"x","e":"update","M":"y","c":null,"c":"book","tk":{"O":"1","M":"m"},"tk":null}"#);
        assert_eq!(
            wire,
            serde_json::json!({"e": "update", "T": 2, "c": "book", "M": "y"})
        );
        let frame = br#"{"T":2,"M":"x","e":"update","M":"y","c":"book"}"#;
        let mut tape = Tape::default();
        decode_to_tape(frame, &mut tape).unwrap();
        // Table order: e, T, ..., c, ..., M.
        assert_eq!(
            tape_to_json(&tape, frame),
            r#"{"e":"update","T":2,"c":"book","M":"y"}"#
        );
        let response = Response::read(&tape, std::str::from_utf8(frame).unwrap());
        assert_eq!(
            (
                response.event.unwrap().as_str(),
                response.market.unwrap().as_str()
            ),
            ("update", "y")
        );
    }

    #[test]
    fn tape_offsets_point_into_the_frame() {
        let frame = br#"{"e":"pong","i":"abc","T":7}"#;
        let mut tape = Tape::default();
        decode_to_tape(frame, &mut tape).unwrap();
        let numbers = tape.numbers();
        // [owned address, mask(e, T, i), e start, e end, T, i start, i end]
        let bit = |key| 1u32 << RESPONSE.index_of(key).unwrap();
        assert_eq!(numbers[1], f64::from(bit("e") | bit("T") | bit("i")));
        let text = |at: usize| &frame[numbers[at] as usize..numbers[at + 1] as usize];
        assert_eq!(text(2), b"pong");
        assert_eq!(numbers[4], 7.0);
        assert_eq!(text(5), b"abc");
    }
}
