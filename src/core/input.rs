//! A caller's JSON argument (a subscription list, a request, the stream's options), read in place.
//!
//! serde_json checks the whole text once; after that each value is kept as its raw text and
//! looked at only where a field is read. No `serde_json::Value` tree is built, and a number is
//! never converted and printed back: an error quotes it as the caller wrote it. The text is read
//! by the frames' visitor (`core::reader`) in a pass of its own, which refuses nothing: serde's
//! type-mismatch texts (whose float branch links `core::fmt`'s float printing into the wasm) are
//! never reached, and serde_json's code is linked once for frames and inputs. A list's items and
//! an object's keys and values are found by scanning the checked text (`core::span`).

use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess};

use super::error::{InputError, Problem};
use super::json_error::JsonError;
use super::reader::ValueVisitor;
use super::schema::Kind;
use super::span::Place;
use super::tape::{Tape, TapeReader};
use super::wire::{Fault, Read, Text};

/// The JSON type of a value, named for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Null => "null",
            Shape::Bool => "a boolean",
            Shape::Number => "a number",
            Shape::String => "a string",
            Shape::List => "a list",
            Shape::Object => "an object",
        }
    }
}

/// One valid JSON value of the caller's, as its text.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    raw: &'a str,
}

/// The fields of a JSON object, in the caller's order.
pub struct Fields<'a> {
    entries: Vec<(Cow<'a, str>, Input<'a>)>,
}

// The readers marked `inline(never)` are called at every field of the options, requests and
// subscriptions; one out-of-line copy costs the wasm less than a copy inlined at each.
impl<'a> Input<'a> {
    /// Checks `text` as one JSON value (serde_json's own errors: syntax, nesting, numbers out of
    /// range, bad escapes) and keeps it for reading.
    pub fn parse(text: &'a str) -> Result<Input<'a>, JsonError> {
        // One account of either failure (in the value, or after it).
        if let Err((error, after_value)) = read(text, Pass::Check, &mut Tape::default()) {
            return Err(JsonError::of(text, &error, after_value));
        }
        // The one value, checked: its text is what the JSON whitespace around it leaves (serde_json
        // accepted only JSON's four whitespace bytes there, so ASCII trimming finds just those).
        let raw = text.trim_ascii();
        Ok(Input { raw })
    }

    /// An argument that JS passed through `JSON.stringify`, named `name` in the error.
    pub fn argument(text: &'a str, name: &str) -> Result<Input<'a>, InputError> {
        Input::parse(text).map_err(|_| InputError::type_error(name, Problem::NotSerializable))
    }

    /// The value's JSON text, as the caller wrote it (for a number: its digits).
    pub fn text(&self) -> &'a str {
        self.raw
    }

    // Out of line: one copy of the dispatch on the first byte serves every reader.
    #[inline(never)]
    pub fn shape(&self) -> Shape {
        match self.raw.as_bytes().first() {
            Some(b'n') => Shape::Null,
            Some(b't' | b'f') => Shape::Bool,
            Some(b'"') => Shape::String,
            Some(b'[') => Shape::List,
            Some(b'{') => Shape::Object,
            _ => Shape::Number,
        }
    }

    pub fn is_null(&self) -> bool {
        self.shape() == Shape::Null
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.raw {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A number written as a plain non-negative integer that fits a u64 (`5`, not `5.0`).
    pub fn as_u64(&self) -> Option<u64> {
        if self.shape() != Shape::Number {
            return None;
        }
        // By hand: `str::parse` would bring its signs and radixes for these plain digits.
        self.raw.bytes().try_fold(0u64, |number, byte| {
            let digit = byte.checked_sub(b'0').filter(|digit| *digit < 10)?;
            number.checked_mul(10)?.checked_add(u64::from(digit))
        })
    }

    /// A number's value, as serde_json reads it (Rust's float parser would add 16 KB of wasm;
    /// these numbers are JSON.stringify's, exact to the last unit they need).
    #[inline(never)]
    pub fn as_f64(&self) -> Option<f64> {
        let tape = self.open(Shape::Number)?;
        tape.numbers().get(1).copied()
    }

    #[inline(never)]
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        let tape = self.open(Shape::String)?;
        Some(TapeReader::new(&tape, self.raw, 1).text().0)
    }

    /// The string, or an error for `field` naming what came instead.
    #[inline(never)]
    pub fn expect_str(&self, field: &str) -> Result<Cow<'a, str>, InputError> {
        self.as_str()
            .ok_or_else(|| self.wrong_type(field, "a string"))
    }

    /// This value came where `expected` was wanted.
    #[cold]
    pub fn mismatch(&self, expected: &'static str) -> Problem {
        Problem::Expected(expected, Some(self.shape()))
    }

    /// `field` held this value where `expected` was wanted.
    #[cold]
    pub fn wrong_type(&self, field: &str, expected: &'static str) -> InputError {
        InputError::type_error(field, Problem::Expected(expected, Some(self.shape())))
    }

    #[inline(never)]
    pub fn as_list(&self) -> Option<Vec<Input<'a>>> {
        (self.shape() == Shape::List).then(|| self.children())
    }

    #[inline(never)]
    pub fn as_object(&self) -> Option<Fields<'a>> {
        if self.shape() != Shape::Object {
            return None;
        }
        let mut children = self.children().into_iter();
        let mut entries = Vec::new();
        while let (Some(key), Some(value)) = (children.next(), children.next()) {
            entries.push((key.as_str().unwrap_or_default(), value));
        }
        Some(Fields { entries })
    }

    /// A list's items, or an object's keys and values one after the other, as spans of the
    /// text: it was checked by `parse`, so only its structure is scanned.
    fn children(&self) -> Vec<Input<'a>> {
        Place::children(self.raw)
            .into_iter()
            .map(|raw| Input { raw })
            .collect()
    }

    /// A number's value or a string's text on a tape (at slot 1), if the value is of `shape`.
    /// The text was checked by `parse`, so reading it cannot fail. Out of line: one copy serves
    /// every `as_` reader.
    #[inline(never)]
    fn open(&self, shape: Shape) -> Option<Tape> {
        if self.shape() != shape {
            return None;
        }
        let mut tape = Tape::default();
        tape.begin(self.raw.as_bytes());
        read(self.raw, Pass::Open, &mut tape).ok()?;
        Some(tape)
    }
}

impl<'a> Fields<'a> {
    /// The value of `key`; of a key given twice, the last (as `JSON.parse` reads it).
    #[inline(never)]
    pub fn get(&self, key: &str) -> Option<Input<'a>> {
        self.entries
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
    }

    /// The value of `key` unless it is absent or `null` (both mean "not given").
    pub fn present(&self, key: &str) -> Option<Input<'a>> {
        self.get(key).filter(|value| !value.is_null())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Input<'a>)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_ref(), *value))
    }
}

/// What the frames' visitor (`core::reader`) does with a caller's input. Reading inputs with
/// that one visitor lets one copy of serde_json's `deserialize_any` serve frames and inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// serde_json parses every value (strings unescaped, numbers converted, nesting limited);
    /// what the visitor writes is dropped.
    Check,
    /// A number's value or a string is read onto the tape (a list's items and an object's
    /// entries are scanned for, see `Input::children`).
    Open,
}

/// Runs `pass` over `text`, a whole JSON value, writing onto `tape`. The error says whether it
/// is about text after the value. The deserializer reads a `str`, as `reader::write_frame`'s
/// does: serde_json's code is one copy only for one reader type.
fn read(text: &str, pass: Pass, tape: &mut Tape) -> Result<(), (serde_json::Error, bool)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let visitor = ValueVisitor {
        kind: &Kind::Text,
        tape,
        fault: &mut Fault::default(),
        place: &mut Place::new(text),
        nullable: false,
        root: false,
        input: Some(pass),
    };
    match deserializer.deserialize_any(visitor) {
        Ok(_) => deserializer.end().map_err(|error| (error, true)),
        Err(error) => Err((error, false)),
    }
}

// The input passes of the frames' visitor: nothing is refused, so the only errors are
// serde_json's own.
impl ValueVisitor<'_, '_> {
    pub(super) fn input_number<E>(self, number: f64) -> Result<Read, E> {
        self.tape.number(number);
        Ok(Read::Present)
    }

    pub(super) fn input_object<'de, A: MapAccess<'de>>(
        mut self,
        mut map: A,
    ) -> Result<Read, A::Error> {
        while let Some(key) = map.next_key::<Text<'de>>()? {
            self.tape.text(&key);
            map.next_value_seed(self.item(&Kind::Text))?;
        }
        Ok(Read::Present)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_shape_and_keeps_numbers_as_written() {
        let input =
            Input::parse(r#" {"a": [1, 2.50, "x\"y"], "b": null, "c": true, "a": 7} "#).unwrap();
        let fields = input.as_object().unwrap();
        assert_eq!(
            fields.get("a").unwrap().text(),
            "7",
            "the last of a repeated key"
        );
        let keys: Vec<_> = fields.iter().map(|(key, _)| key.to_owned()).collect();
        assert_eq!(keys, ["a", "b", "c", "a"]);
        let items = fields.iter().next().unwrap().1.as_list().unwrap();
        assert_eq!(items[0].as_u64(), Some(1));
        assert_eq!(items[1].text(), "2.50");
        assert_eq!(items[1].as_u64(), None);
        for (text, number) in [
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("-1", None),
            ("1e3", None),
            ("\"7\"", None),
        ] {
            assert_eq!(Input::parse(text).unwrap().as_u64(), number, "{text}");
        }
        assert_eq!(items[1].as_f64(), Some(2.5));
        assert_eq!(items[2].as_str().unwrap(), "x\"y");
        assert_eq!(items[2].shape(), Shape::String);
        assert!(fields.get("b").unwrap().is_null());
        assert_eq!(fields.get("c").unwrap().as_bool(), Some(true));
        assert_eq!(fields.get("c").unwrap().as_str(), None);
        assert!(fields.get("z").is_none());
        assert_eq!(Input::parse(" \r\n[1, 2]\t ").unwrap().text(), "[1, 2]");
        // An escaped key is unescaped; values beside it stay spans of the text.
        let escaped = Input::parse(r#"{"\u0061b": [-3, {}], "c\n": "\u00e9"}"#).unwrap();
        let fields = escaped.as_object().unwrap();
        assert_eq!(fields.get("ab").unwrap().text(), "[-3, {}]");
        assert_eq!(fields.get("c\n").unwrap().as_str().unwrap(), "\u{e9}");
        let items = fields.get("ab").unwrap().as_list().unwrap();
        assert_eq!(items[0].as_f64(), Some(-3.0));
        assert_eq!(
            items[1].as_object().map(|fields| fields.iter().count()),
            Some(0)
        );
        assert_eq!(items[1].as_list().map(|items| items.len()), None);
        // A form feed is ASCII whitespace but not JSON's: refused, never trimmed.
        assert!(Input::parse("\u{c}1").is_err() && Input::parse("1\u{c}").is_err());
    }

    #[test]
    fn refuses_what_json_parse_would_and_too_deep_nesting() {
        for (text, problem) in [
            ("not json", "expected ident"),
            ("[1,]", "trailing comma"),
            ("[1] 2", "trailing characters"),
            ("1e400", "number out of range"),
            (r#""\ud800""#, "unexpected end of hex escape"),
            (&"[".repeat(100_000), "recursion limit exceeded"),
        ] {
            let error = Input::parse(text).unwrap_err().to_string();
            assert!(error.starts_with(problem), "{error}");
        }
    }
}
