//! A caller's JSON argument (a subscription list, a request, the stream's options), read in place.
//!
//! serde_json checks the whole text once; after that each value is kept as its raw text and
//! looked at only where a field is read. No `serde_json::Value` tree is built, and a number is
//! never converted and printed back: an error quotes it as the caller wrote it. Every visitor
//! here words its own mismatches, so serde's type-mismatch texts (whose float branch links
//! `core::fmt`'s float printing into the wasm) are never reached.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::error::{InputError, Problem};
use super::json_error::JsonError;

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
        let mut deserializer = serde_json::Deserializer::from_str(text);
        // One account of either failure (in the value, or after it).
        let checked = match deserializer.deserialize_any(Open { check: true }) {
            Ok(_) => deserializer.end().map_err(|error| (error, true)),
            Err(error) => Err((error, false)),
        };
        if let Err((error, after_value)) = checked {
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
        match self.open()? {
            Opened::Number(number) => Some(number),
            _ => None,
        }
    }

    #[inline(never)]
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        match self.open()? {
            Opened::Text(text) => Some(text),
            _ => None,
        }
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
        match self.open()? {
            Opened::Items(items) => Some(items),
            _ => None,
        }
    }

    #[inline(never)]
    pub fn as_object(&self) -> Option<Fields<'a>> {
        match self.open()? {
            Opened::Entries(entries) => Some(Fields { entries }),
            _ => None,
        }
    }

    /// The value's next level. The text was checked by `parse`, so this cannot fail on it.
    /// Out of line: one copy serves every `as_` reader.
    #[inline(never)]
    fn open(&self) -> Option<Opened<'a>> {
        let mut deserializer = serde_json::Deserializer::from_str(self.raw);
        deserializer.deserialize_any(Open { check: false }).ok()
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

/// One level of a value: a string's text, a list's items or an object's entries.
enum Opened<'a> {
    Text(Cow<'a, str>),
    Items(Vec<Input<'a>>),
    Entries(Vec<(Cow<'a, str>, Input<'a>)>),
    Number(f64),
    Scalar,
}

/// One visitor for both passes, so that one copy of serde_json's `deserialize_any` serves them.
/// Checking (`check`), serde_json parses every value (strings unescaped, numbers converted,
/// nesting limited) and nothing is kept; opening, one level is read and its children are kept
/// as raw text.
#[derive(Clone, Copy)]
struct Open {
    check: bool,
}

impl<'de> DeserializeSeed<'de> for Open {
    type Value = Opened<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Open {
    type Value = Opened<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Opened::Scalar)
    }
    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
        Ok(Opened::Number(number as f64))
    }
    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
        Ok(Opened::Number(number as f64))
    }
    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Self::Value, E> {
        Ok(Opened::Number(number))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Opened::Scalar)
    }
    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Opened::Text(Cow::Borrowed(text)))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Opened::Text(Cow::Owned(text.to_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.check {
            while seq.next_element_seed(self)?.is_some() {}
            return Ok(Opened::Scalar);
        }
        let mut items = Vec::new();
        while let Some(raw) = seq.next_element::<&RawValue>()? {
            items.push(Input { raw: raw.get() });
        }
        Ok(Opened::Items(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if self.check {
                map.next_value_seed(self)?;
            } else {
                let raw: &RawValue = map.next_value()?;
                entries.push((key, Input { raw: raw.get() }));
            }
        }
        Ok(Opened::Entries(entries))
    }
}

/// An object's key (JSON keys are always strings).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // serde_json reads only strings as keys.
        match deserializer.deserialize_any(Open { check: false })? {
            Opened::Text(text) => Ok(text),
            _ => Ok(Cow::Borrowed("")),
        }
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
