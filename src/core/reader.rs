//! The table-driven decoder: serde_json parses, and one visitor, steered by the tables of
//! `schema.rs`, checks each value against its field's kind and writes it straight onto the tape.
//!
//! One visitor serves every wire object (a visitor per payload type cost 60 KB of wasm). It asks
//! serde_json for whatever value comes (`deserialize_any`) and words its own errors, so no
//! float is ever formatted by `core::fmt` and no string quoted through `{:?}` (both pull large
//! tables into the wasm).

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::error::{FloatText, Quoted};
use super::json_number::{exact_value, rounds_to_finite};
use super::request::MAX_SAFE_INTEGER;
use super::schema::{Kind, Object, MAX_FIELDS};
use super::tape::{Tape, ABSENT};
use super::wire::{at_path, check_nesting, Extra, Text, MAX_DATE_MS};

/// Decodes `frame`, a whole JSON text, as a value of `kind` (an object of the schema) onto `tape`.
pub fn write_frame(
    frame: &str,
    kind: &'static Kind,
    tape: &mut Tape,
) -> Result<(), serde_json::Error> {
    tape.begin(frame.as_bytes());
    let mut deserializer = serde_json::Deserializer::from_str(frame);
    deserializer.deserialize_any(ValueVisitor {
        kind,
        tape: &mut *tape,
        nullable: false,
        root: true,
    })?;
    deserializer.end()?;
    tape.finish();
    Ok(())
}

/// A value of `kind`; yields whether it was present (a field's `null` counts as absent).
struct ValueSeed<'t> {
    kind: &'static Kind,
    tape: &'t mut Tape,
    nullable: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        match self.kind {
            Kind::Float => float(
                <&RawValue>::deserialize(deserializer)?,
                self.tape,
                self.nullable,
            ),
            kind => deserializer.deserialize_any(ValueVisitor {
                kind,
                tape: self.tape,
                nullable: self.nullable,
                root: false,
            }),
        }
    }
}

/// A JSON number, rounded exactly as `JSON.parse` rounds it: a short one in wasm, by one exact
/// operation; any other goes to JS as its text, for `Number` (serde_json's own float reading is
/// best-effort, its exact mode and Rust's float parser each cost over 10 KB of wasm).
fn float<E: de::Error>(raw: &RawValue, tape: &mut Tape, nullable: bool) -> Result<bool, E> {
    let text = raw.get();
    if text == "null" && nullable {
        return Ok(false);
    }
    // The frame is valid JSON, so a value starting like a number is one.
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(E::custom(format_args!(
            "invalid type: expected a number, got {}",
            Quoted(text)
        )));
    }
    if let Some(value) = exact_value(text) {
        tape.number(value);
        return Ok(true);
    }
    if !rounds_to_finite(text) {
        return Err(E::custom(format_args!(
            "number {} is out of range",
            Quoted(text)
        )));
    }
    // NaN marks a float left to JS; a number holds no escapes, so its text lies in the frame.
    tape.number(f64::NAN);
    tape.frame_text(text);
    Ok(true)
}

/// What a value of `kind` must be, for error messages.
struct Expected(&'static Kind);

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::Text | Kind::Enum(_) => "a string",
            Kind::Id => "a string or an integer",
            Kind::Int | Kind::Time => "a non-negative integer",
            Kind::Float => "a number",
            Kind::Bool => "a boolean",
            Kind::Level => "a tuple of size 2",
            Kind::List(_) => "a list",
            Kind::Object(object) => return write!(f, "a {} object", object.name),
        })
    }
}

/// What came instead, for error messages: serde's own wording, without its float formatting.
enum Got<'a> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(&'a str),
    Sequence,
    Map,
}

impl fmt::Display for Got<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Null => f.write_str("null"),
            Got::Bool(value) => write!(f, "boolean `{value}`"),
            Got::Unsigned(value) => write!(f, "integer `{value}`"),
            Got::Signed(value) => write!(f, "integer `{value}`"),
            Got::Float(value) => write!(f, "floating point `{}`", FloatText(*value)),
            Got::Str(text) => write!(f, "string {}", Quoted(text)),
            Got::Sequence => f.write_str("sequence"),
            Got::Map => f.write_str("map"),
        }
    }
}

#[cold]
#[inline(never)]
fn wrong_type<E: de::Error>(got: Got<'_>, kind: &'static Kind) -> E {
    E::custom(format_args!(
        "invalid type: {got}, expected {}",
        Expected(kind)
    ))
}

#[cold]
#[inline(never)]
fn wrong_value<E: de::Error>(got: Got<'_>, kind: &'static Kind) -> E {
    E::custom(format_args!(
        "invalid value: {got}, expected {}",
        Expected(kind)
    ))
}

/// The one visitor: every kind, objects included (one copy of serde_json's `deserialize_any`
/// serves them all).
struct ValueVisitor<'t> {
    kind: &'static Kind,
    tape: &'t mut Tape,
    /// A field's `null` counts as absent; a list item's is refused.
    nullable: bool,
    /// The outermost object: where its fields start is kept for `Response`.
    root: bool,
}

impl ValueVisitor<'_> {
    fn integer<E: de::Error>(self, number: u64) -> Result<bool, E> {
        match self.kind {
            Kind::Int | Kind::Time if number > MAX_SAFE_INTEGER => Err(E::custom(format_args!(
                "integer {number} is larger than a JS number holds exactly (2^53 - 1)"
            ))),
            Kind::Time if number > MAX_DATE_MS => Err(E::custom(format_args!(
                "time {number} ms is beyond what a JS Date holds (8.64e15 ms)"
            ))),
            Kind::Int | Kind::Time => {
                // Exact: at most 2^53 - 1.
                self.tape.number(number as f64);
                Ok(true)
            }
            Kind::Id => {
                self.tape.owned_text(&number.to_string());
                Ok(true)
            }
            kind => Err(wrong_type(Got::Unsigned(number), kind)),
        }
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&Expected(self.kind), f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        if self.nullable {
            Ok(false)
        } else {
            Err(wrong_type(Got::Null, self.kind))
        }
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
        match self.kind {
            Kind::Bool => {
                self.tape.number(if value { 1.0 } else { 0.0 });
                Ok(true)
            }
            kind => Err(wrong_type(Got::Bool(value), kind)),
        }
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<bool, E> {
        self.integer(number)
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<bool, E> {
        match self.kind {
            _ if number >= 0 => self.integer(number as u64),
            Kind::Id => {
                self.tape.owned_text(&number.to_string());
                Ok(true)
            }
            kind @ (Kind::Int | Kind::Time) => Err(wrong_value(Got::Signed(number), kind)),
            kind => Err(wrong_type(Got::Signed(number), kind)),
        }
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<bool, E> {
        match self.kind {
            kind @ (Kind::Int | Kind::Time) => Err(wrong_value(Got::Float(number), kind)),
            kind => Err(wrong_type(Got::Float(number), kind)),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<bool, E> {
        match self.kind {
            Kind::Text | Kind::Enum(_) | Kind::Id => {
                self.tape.frame_text(text);
                Ok(true)
            }
            kind => Err(wrong_type(Got::Str(text), kind)),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<bool, E> {
        match self.kind {
            // Unescaped, so no longer a slice of the frame.
            Kind::Text | Kind::Enum(_) | Kind::Id => {
                self.tape.owned_text(text);
                Ok(true)
            }
            kind => Err(wrong_type(Got::Str(text), kind)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        match self.kind {
            Kind::List(item) => {
                let count_at = self.tape.len();
                self.tape.number(0.0);
                let mut count = 0usize;
                loop {
                    let seed = ValueSeed {
                        kind: item,
                        tape: &mut *self.tape,
                        nullable: false,
                    };
                    match seq.next_element_seed(seed) {
                        Ok(Some(_)) => count += 1,
                        Ok(None) => break,
                        Err(error) => return Err(at_path(&format!("[{count}]"), &error)),
                    }
                }
                self.tape.set(count_at, count as f64);
                Ok(true)
            }
            Kind::Level => {
                for index in 0..2 {
                    let seed = ValueSeed {
                        kind: &Kind::Text,
                        tape: &mut *self.tape,
                        nullable: false,
                    };
                    if seq.next_element_seed(seed)?.is_none() {
                        return Err(de::Error::custom(format_args!(
                            "invalid length {index}, expected {}",
                            Expected(self.kind)
                        )));
                    }
                }
                Ok(true)
            }
            kind => Err(wrong_type(Got::Sequence, kind)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        match self.kind {
            Kind::Object(object) => write_object(object, self.tape, map, self.root).map(|()| true),
            kind => Err(wrong_type(Got::Map, kind)),
        }
    }
}

/// An object of the schema, written as its presence mask and then its fields in table order.
fn write_object<'de, A: MapAccess<'de>>(
    object: &'static Object,
    tape: &mut Tape,
    mut map: A,
    root: bool,
) -> Result<(), A::Error> {
    let mask_at = tape.len();
    tape.number(0.0);
    let body = tape.len();
    let mut mask = 0u32;
    let mut spans = [(0u32, 0u32); MAX_FIELDS];
    // Fields that arrive in table order, each once, are already where they belong.
    let mut in_order = true;
    let mut next_index = 0usize;
    let mut extra: Extra<'de> = Vec::new();
    while let Some(key) = map.next_key::<Text<'de>>()? {
        let Some(index) = object.index_of(key.as_str()) else {
            let raw: &'de RawValue = map.next_value()?;
            check_nesting(key.as_str(), raw)?;
            extra.push((key, raw));
            continue;
        };
        let field = &object.fields[index];
        let start = tape.len();
        let seed = ValueSeed {
            kind: &field.kind,
            tape: &mut *tape,
            nullable: true,
        };
        let present = map
            .next_value_seed(seed)
            .map_err(|e| at_path(field.key, &e))?;
        let bit = 1u32 << index;
        if present {
            in_order &= index >= next_index;
            next_index = index + 1;
            mask |= bit;
            spans[index] = (start as u32, tape.len() as u32);
        } else if mask & bit != 0 {
            // A repeated key set to null: the earlier value is dropped.
            in_order = false;
            mask &= !bit;
        }
    }
    let mut starts = [ABSENT; MAX_FIELDS];
    if !in_order {
        tape.reorder(body, mask, &spans, &mut starts);
    } else if root {
        for (index, (start, _)) in spans.iter().enumerate() {
            if mask & (1 << index) != 0 {
                starts[index] = *start;
            }
        }
    }
    if !extra.is_empty() {
        mask |= object.extra_bit();
        tape.extra(&extra);
    }
    tape.set(mask_at, f64::from(mask));
    if root {
        tape.root = starts;
    }
    Ok(())
}
