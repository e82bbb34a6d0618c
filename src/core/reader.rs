//! The table-driven decoder: serde_json parses, and one visitor, steered by the tables of
//! `schema.rs`, checks each value against its field's kind and writes it straight onto the tape.
//!
//! One visitor serves every wire object (a visitor per payload type cost 60 KB of wasm). It asks
//! serde_json for whatever value comes (`deserialize_any`) and words its own errors, so no
//! float is ever formatted by `core::fmt` and no string quoted through `{:?}` (both pull large
//! tables into the wasm).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::input::Pass;
use super::json_error::JsonError;
use super::json_number::{exact_value, is_json_number, rounds_to_finite};
use super::request::MAX_SAFE_INTEGER;
use super::schema::{Kind, Object, MAX_FIELDS};
use super::span::{neutralized, Place};
use super::tape::Tape;
use super::wire::{
    Expected, Extra, Fault, FrameError, Got, Raw, Read, Refusal, Segment, Text, MAX_DATE_MS,
};

/// Decodes `frame`, a whole JSON text, as a value of `kind` (an object of the schema) onto `tape`.
pub fn write_frame(frame: &str, kind: &'static Kind, tape: &mut Tape) -> Result<(), FrameError> {
    // Kept as text but checked by serde_json's parser, whose float reading is best-effort: a
    // number it calls out of range in a float field, or a number or lone surrogate escape it
    // refuses in an unknown key's value, can be one `JSON.parse` reads. The frame is then read
    // again with that value made plain in a copy of the same layout; its text is still taken
    // from the frame.
    let mut copy: Option<String> = None;
    loop {
        let text = copy.as_deref().unwrap_or(frame);
        let mut fault = Fault::default();
        let mut place = Place::of_copy(text, frame);
        let (read, after_value) = read_frame(text, kind, tape, &mut fault, &mut place);
        match read {
            // The refusal comes first in the frame: serde_json's error, if any, is about later
            // text.
            _ if fault.failed() => return Err(FrameError::Refused(fault)),
            Err(error) => match place.retry.and_then(|span| neutralized(text, span)) {
                Some(plain) => copy = Some(plain),
                None => {
                    let error = JsonError::of(frame, &error, after_value);
                    return Err(FrameError::Json(error, fault));
                }
            },
            Ok(()) => {
                tape.finish();
                return Ok(());
            }
        }
    }
}

/// One reading of `text` (the frame, or a copy of it with a value made plain): whether it was
/// read, and whether an error is about text after the value.
fn read_frame(
    text: &str,
    kind: &'static Kind,
    tape: &mut Tape,
    fault: &mut Fault,
    place: &mut Place<'_>,
) -> (Result<(), serde_json::Error>, bool) {
    tape.begin(text.as_bytes());
    // A `str` reader: the frame was checked as UTF-8 once, whole (serde_json's byte reader checks
    // every string's UTF-8 again: `Response.parse` measured 0.90x of this). Its raw values are
    // never asked for (see `core::span`).
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let read = deserializer.deserialize_any(ValueVisitor {
        kind,
        tape: &mut *tape,
        fault,
        place,
        nullable: false,
        root: true,
        input: None,
    });
    match read {
        Ok(Read::Refused) => (Ok(()), false),
        Ok(_) => (deserializer.end(), true),
        Err(error) => (Err(error), false),
    }
}

/// A value of `kind`; yields whether it was present (a field's `null` counts as absent).
pub(super) struct ValueSeed<'t, 'f> {
    pub(super) kind: &'static Kind,
    pub(super) tape: &'t mut Tape,
    pub(super) fault: &'t mut Fault,
    pub(super) place: &'t mut Place<'f>,
    pub(super) nullable: bool,
    /// A caller's input instead of a frame (see `core::input`); `kind` is then `Text`, so its
    /// strings are written as a frame's are.
    pub(super) input: Option<Pass>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Read;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        match self.kind {
            Kind::Float => self.float_field(deserializer),
            kind => deserializer.deserialize_any(ValueVisitor {
                kind,
                tape: self.tape,
                fault: self.fault,
                place: self.place,
                nullable: self.nullable,
                root: false,
                input: self.input,
            }),
        }
    }
}

impl ValueSeed<'_, '_> {
    /// A float field's value: its text is read from the frame, serde_json's float reading being
    /// best-effort (and it may call a number near the largest `f64` out of range). Only an
    /// object's field is a float (schema.rs checks), so a key was just read. Out of line: the
    /// other values' path stays short.
    #[inline(never)]
    fn float_field<'de, D: Deserializer<'de>>(mut self, deserializer: D) -> Result<Read, D::Error> {
        let text = self.place.next_value().unwrap_or_default();
        let digits = self.place.in_frame(text);
        match self.check(deserializer) {
            Ok(()) => Ok(float(text, digits, self.tape, self.fault, self.nullable)),
            Err(error) => {
                if is_json_number(digits) {
                    if !rounds_to_finite(digits) {
                        self.fault.refuse(Refusal::OutOfRange(digits.to_owned()));
                    } else {
                        self.place.retry_without(text);
                    }
                }
                Err(error)
            }
        }
    }

    /// Has serde_json check the value as it checks a caller's input: nothing refused, nothing
    /// left on the tape.
    fn check<'de, D: Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        let mark = self.tape.len();
        let read = deserializer.deserialize_any(ValueVisitor {
            kind: &Kind::Text,
            tape: &mut *self.tape,
            fault: &mut *self.fault,
            place: &mut *self.place,
            nullable: false,
            root: false,
            input: Some(Pass::Check),
        });
        self.tape.truncate(mark);
        read.map(drop)
    }
}

/// A value that is only checked (see `ValueSeed::check`).
struct CheckSeed<'s, 't, 'f>(&'s mut ValueSeed<'t, 'f>);

impl<'de> DeserializeSeed<'de> for CheckSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.check(deserializer)
    }
}

/// A JSON number, rounded exactly as `JSON.parse` rounds it: a short one in wasm, by one exact
/// operation; any other goes to JS as its text, for `Number` (serde_json's own float reading is
/// best-effort, its exact mode and Rust's float parser each cost over 10 KB of wasm).
/// `text` is the value in the text read, `digits` the same in the frame.
fn float(text: &str, digits: &str, tape: &mut Tape, fault: &mut Fault, nullable: bool) -> Read {
    if digits == "null" && nullable {
        return Read::Absent;
    }
    if !digits.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return fault.refuse(Refusal::NotANumber(digits.to_owned()));
    }
    // serde_json read a number here. Text found past it that is not one (`250""`) can only mean
    // the frame is broken right after the number, which serde_json reports next: nothing is kept.
    if !is_json_number(digits) {
        tape.number(0.0);
        return Read::Present;
    }
    if let Some(value) = exact_value(digits) {
        tape.number(value);
        return Read::Present;
    }
    if !rounds_to_finite(digits) {
        return fault.refuse(Refusal::OutOfRange(digits.to_owned()));
    }
    // NaN marks a float left to JS; a number holds no escapes, so its text lies in the frame.
    tape.number(f64::NAN);
    tape.frame_text(text);
    Read::Present
}

/// The one visitor: every kind, objects included (one copy of serde_json's `deserialize_any`
/// serves them all).
pub(super) struct ValueVisitor<'t, 'f> {
    pub(super) kind: &'static Kind,
    pub(super) tape: &'t mut Tape,
    pub(super) fault: &'t mut Fault,
    /// Where serde_json is, for the values kept as text (see `core::span`).
    pub(super) place: &'t mut Place<'f>,
    /// A field's `null` counts as absent; a list item's is refused.
    pub(super) nullable: bool,
    /// The outermost object: where its fields start is kept for `Response`.
    pub(super) root: bool,
    /// A caller's input instead of a frame (see `core::input`); `kind` is then `Text`, so its
    /// strings are written as a frame's are.
    pub(super) input: Option<Pass>,
}

impl<'f> ValueVisitor<'_, 'f> {
    /// The seed of a list's item of `kind`, or of an input's item or value: never nullable, in
    /// the same pass as this value.
    pub(super) fn item(&mut self, kind: &'static Kind) -> ValueSeed<'_, 'f> {
        ValueSeed {
            kind,
            tape: &mut *self.tape,
            fault: &mut *self.fault,
            place: &mut *self.place,
            nullable: false,
            input: self.input,
        }
    }

    /// Keeps `refusal` beside the deserializer; the value counts as absent, and the rest of the
    /// frame is skipped.
    fn refuse<E>(self, refusal: Refusal) -> Result<Read, E> {
        Ok(self.fault.refuse(refusal))
    }

    fn wrong_type<E>(self, got: Got) -> Result<Read, E> {
        let kind = self.kind;
        self.refuse(Refusal::WrongType(got, kind))
    }

    fn wrong_value<E>(self, got: Got) -> Result<Read, E> {
        let kind = self.kind;
        self.refuse(Refusal::WrongValue(got, kind))
    }

    fn integer<E: de::Error>(self, number: u64) -> Result<Read, E> {
        match self.kind {
            Kind::Int | Kind::Time if number > MAX_SAFE_INTEGER => {
                self.refuse(Refusal::Inexact(number))
            }
            Kind::Time if number > MAX_DATE_MS => self.refuse(Refusal::BeyondDate(number)),
            Kind::Int | Kind::Time => {
                // Exact: at most 2^53 - 1.
                self.tape.number(number as f64);
                Ok(Read::Present)
            }
            Kind::Id => {
                self.tape.owned_text(&number.to_string());
                Ok(Read::Present)
            }
            _ => self.wrong_type(Got::Unsigned(number)),
        }
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_, '_> {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&Expected(self.kind), f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Read, E> {
        if self.nullable || self.input.is_some() {
            Ok(Read::Absent)
        } else {
            self.wrong_type(Got::Null)
        }
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Read, E> {
        match self.kind {
            _ if self.input.is_some() => Ok(Read::Present),
            Kind::Bool => {
                self.tape.number(if value { 1.0 } else { 0.0 });
                Ok(Read::Present)
            }
            _ => self.wrong_type(Got::Bool(value)),
        }
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Read, E> {
        if self.input.is_some() {
            return self.input_number(number as f64);
        }
        self.integer(number)
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Read, E> {
        match self.kind {
            _ if self.input.is_some() => self.input_number(number as f64),
            _ if number >= 0 => self.integer(number as u64),
            Kind::Id => {
                self.tape.owned_text(&number.to_string());
                Ok(Read::Present)
            }
            Kind::Int | Kind::Time => self.wrong_value(Got::Signed(number)),
            _ => self.wrong_type(Got::Signed(number)),
        }
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Read, E> {
        match self.kind {
            _ if self.input.is_some() => self.input_number(number),
            Kind::Int | Kind::Time => self.wrong_value(Got::Float(number)),
            _ => self.wrong_type(Got::Float(number)),
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Read, E> {
        self.place.slice(text);
        match self.kind {
            Kind::Text | Kind::Enum(_) | Kind::Id => {
                self.tape.frame_text(text);
                Ok(Read::Present)
            }
            _ => self.wrong_type(Got::Str(text.to_owned())),
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Read, E> {
        self.place.copy();
        match self.kind {
            // Unescaped, so no longer a slice of the frame.
            Kind::Text | Kind::Enum(_) | Kind::Id => {
                self.tape.owned_text(text);
                Ok(Read::Present)
            }
            _ => self.wrong_type(Got::Str(text.to_owned())),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Read, A::Error> {
        let item = match self.kind {
            // An input's items are checked as the input is (nothing is refused there).
            _ if self.input.is_some() => &Kind::Text,
            Kind::List(item) => item,
            Kind::Level => {
                let mut read = Read::Present;
                for index in 0..2 {
                    match seq.next_element_seed(self.item(&Kind::Text))? {
                        None => return self.refuse(Refusal::Length(index)),
                        Some(Read::Refused) => read = Read::Refused,
                        Some(_) => {}
                    }
                }
                return Ok(read);
            }
            _ => return self.wrong_type(Got::Sequence),
        };
        let count_at = self.tape.len();
        self.tape.number(0.0);
        let mut count = 0usize;
        let mut read = Read::Present;
        loop {
            match seq.next_element_seed(self.item(item)) {
                Ok(Some(Read::Refused)) => {
                    self.fault.at(Segment::Index(count));
                    read = Read::Refused;
                    count += 1;
                }
                Ok(Some(_)) => count += 1,
                Ok(None) => break,
                Err(error) => {
                    // An input's path is never told.
                    if self.input.is_none() {
                        self.fault.at(Segment::Index(count));
                    }
                    return Err(error);
                }
            }
        }
        self.tape.set(count_at, count as f64);
        Ok(read)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Read, A::Error> {
        match self.kind {
            _ if self.input.is_some() => self.input_object(map),
            Kind::Object(object) => {
                write_object(object, self.tape, self.fault, self.place, map, self.root)
            }
            _ => self.wrong_type(Got::Map),
        }
    }
}

/// An object of the schema, written as its presence mask and then its fields in table order.
fn write_object<'de, A: MapAccess<'de>>(
    object: &'static Object,
    tape: &mut Tape,
    fault: &mut Fault,
    place: &mut Place<'_>,
    mut map: A,
    root: bool,
) -> Result<Read, A::Error> {
    let mask_at = tape.len();
    tape.number(0.0);
    let body = tape.len();
    let mut mask = 0u32;
    let mut spans = [(0u32, 0u32); MAX_FIELDS];
    // Fields that arrive in table order, each once, are already where they belong.
    let mut in_order = true;
    let mut next_index = 0usize;
    let mut extra: Extra<'_> = Vec::new();
    let mut refused = false;
    while let Some(key) = map.next_key::<Text<'de>>()? {
        place.key(&key);
        // `index_of` finds only fields of the table, and a table has at most MAX_FIELDS: these
        // lookups cannot fail (and so carry no panic path).
        let found = object
            .index_of(key.as_str())
            .and_then(|index| Some((index, object.fields.get(index)?, spans.get_mut(index)?)));
        let Some((index, field, span)) = found else {
            // Checked by serde_json and kept as its text, for JS.
            let raw = place.next_value();
            let mut seed = ValueSeed {
                kind: &Kind::Text,
                tape: &mut *tape,
                fault: &mut *fault,
                place: &mut *place,
                nullable: false,
                input: None,
            };
            let checked = map.next_value_seed(CheckSeed(&mut seed));
            match (raw, checked) {
                (Some(raw), Ok(())) => {
                    place.resume_after(raw);
                    extra.push((key, Raw(raw)));
                }
                (None, checked) => {
                    if fault.refuse(Refusal::TooDeep) == Read::Refused {
                        fault.at(Segment::Name(key.as_str().to_owned()));
                        refused = true;
                    }
                    checked?;
                }
                (Some(raw), Err(error)) => {
                    place.retry_without(raw);
                    return Err(error);
                }
            }
            continue;
        };
        let start = tape.len();
        let seed = ValueSeed {
            kind: &field.kind,
            tape: &mut *tape,
            fault: &mut *fault,
            place: &mut *place,
            nullable: true,
            input: None,
        };
        let present = match map.next_value_seed(seed) {
            Ok(Read::Present) => true,
            Ok(Read::Absent) => false,
            read => {
                fault.at(Segment::Key(field.key));
                read?;
                refused = true;
                false
            }
        };
        let bit = 1u32 << index;
        if present {
            in_order &= index >= next_index;
            next_index = index + 1;
            mask |= bit;
            *span = (start as u32, tape.len() as u32);
        } else if mask & bit != 0 {
            // A repeated key set to null: the earlier value is dropped.
            in_order = false;
            mask &= !bit;
        }
    }
    if refused {
        return Ok(Read::Refused);
    }
    if !in_order {
        tape.reorder(body, mask, &spans, root);
    } else if root {
        // Its absent fields' slots were set to `ABSENT` by `Tape::begin`.
        for (index, ((start, _), slot)) in spans.iter().zip(&mut tape.root).enumerate() {
            if mask & (1 << index) != 0 {
                *slot = *start;
            }
        }
    }
    if !extra.is_empty() {
        mask |= object.extra_bit();
        tape.extra(&extra);
    }
    tape.set(mask_at, f64::from(mask));
    Ok(Read::Present)
}

#[cfg(test)]
mod tests {
    use crate::core::response::{decode, decode_to_tape, tape_to_json};
    use crate::core::tape::Tape;

    /// The frame's tape as JSON (unknown keys and JS-read floats as the frame wrote them).
    fn decoded(frame: &str) -> String {
        let mut tape = Tape::default();
        decode_to_tape(frame.as_bytes(), &mut tape).unwrap();
        tape_to_json(&tape, frame.as_bytes())
    }

    #[test]
    fn what_serde_json_refuses_and_json_parse_reads_is_read_from_the_frame() {
        // serde_json's best-effort float reading calls this out of range; JS reads f64::MAX.
        let frame = r#"{"e":"x","ms":[{"mba":1.7976931348623158e308,"mqa":2.5}]}"#;
        assert_eq!(decoded(frame), frame);
        // An unknown key's value is kept as written, whatever serde_json would say of it.
        let frame = r#"{"e":"x","T":5,"zz":[1e400,"\ud800 \\ud800",{"\uDC00":-2e999}]}"#;
        assert_eq!(decoded(frame), frame);
        // Behind escaped keys, and read again once per such value.
        let frame = r#"{"\u0065":"x","z\u007a":1e999,"ms":[{"\u006dba":1.7976931348623158e308}]}"#;
        let json = decoded(frame);
        assert!(json.contains(r#""zz":1e999"#), "{json}");
        assert!(json.contains(r#""mba":1.7976931348623158e308"#), "{json}");
    }

    #[test]
    fn a_value_serde_json_refuses_for_good_is_still_an_error() {
        for (frame, problem) in [
            (r#"{"e":"x","zz":[1,]}"#, "trailing comma"),
            (r#"{"e":"x","zz":[1e400,tru]}"#, "expected ident"),
            (
                r#"{"e":"x","ms":[{"mba":1e400}]}"#,
                r#"ms[0].mba: number "1e400" is out of range"#,
            ),
            (r#"{"e":"x","ms":[{"mba":1.5.2}]}"#, "invalid number"),
            // The value's text, found by scanning, runs past the number serde_json read.
            (r#"{"e":"x","ms":[{"mba":250"":[1]}]}"#, "invalid number"),
            (r#"{"e":"x","ms":[{"mba":-03}]}"#, "invalid number"),
        ] {
            let error = decode(frame.as_bytes()).unwrap_err();
            assert!(error.message().contains(problem), "{frame}: {error}");
        }
    }
}
