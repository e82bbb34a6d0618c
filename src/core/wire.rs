//! Value types of decoded frames, and what a decoding error holds: the refusal and its path.
//!
//! Strings borrow from the frame when they had no escapes, so decoding copies no text; the tape
//! writer then hands JS only their offsets.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use super::error::{signed, FloatText, Quoted};
use super::json_error::JsonError;
use super::schema::Kind;

/// A string of the frame, borrowed unless it held escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'de>(pub Cow<'de, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// An echoed request id: ours are strings, but a number is kept too (as its decimal string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id<'de>(pub Text<'de>);

/// A non-negative integer that a JS number holds exactly (a time in ms, an id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int(pub u64);

/// The last millisecond a JS `Date` holds (ECMAScript's time range is ±8.64e15 ms).
pub const MAX_DATE_MS: u64 = 8_640_000_000_000_000;

/// A list of decoded values.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

/// One `[price, volume]` level of a book frame.
pub type Level<'de> = (Text<'de>, Text<'de>);

/// Keys a model does not name, kept with their wire names and raw JSON values.
pub type Extra<'a> = Vec<(Text<'a>, Raw<'a>)>;

/// A value's JSON text, a slice of the frame.
#[derive(Debug, Clone, Copy)]
pub struct Raw<'a>(pub &'a str);

impl<'a> Raw<'a> {
    pub fn get(&self) -> &'a str {
        self.0
    }
}

/// How deep an unknown key's value may nest: serde_json caps typed values at 128 levels, but
/// skips other values without that cap, and the JS side would have to rebuild them.
pub const MAX_NESTING: usize = 128;

/// One step of the path to a refused value: a field of the schema, an unknown key, an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(&'static str),
    Name(String),
    Index(usize),
}

/// What came where a kind was wanted, for error messages: serde's own wording, without its
/// float formatting.
#[derive(Debug, Clone)]
pub enum Got {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(String),
    Sequence,
    Map,
}

/// Why the reader refused a value that serde_json read well.
#[derive(Debug, Clone)]
pub enum Refusal {
    WrongType(Got, &'static Kind),
    WrongValue(Got, &'static Kind),
    /// Above 2^53 - 1.
    Inexact(u64),
    /// A time past `MAX_DATE_MS`.
    BeyondDate(u64),
    /// A float field's value that is not a number, as written.
    NotANumber(String),
    /// A float field's number too large for an `f64`, as written.
    OutOfRange(String),
    /// A level with `usize` of its two items.
    Length(usize),
    TooDeep,
}

/// What reading a value came to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Present,
    /// A field's `null`.
    Absent,
    /// The frame's first refusal (it is in the `Fault`): each enclosing value adds its step of
    /// the path and is refused in turn. Later refusals count as absent values.
    Refused,
}

/// The first refusal met while decoding a frame, and the path to it (innermost step first).
///
/// It is kept beside the deserializer, not inside serde_json's error, so serde_json never words
/// (or parses back) a message of ours.
#[derive(Debug, Default)]
pub struct Fault {
    pub refusal: Option<Refusal>,
    pub path: Vec<Segment>,
}

impl Fault {
    pub fn failed(&self) -> bool {
        self.refusal.is_some()
    }

    /// Keeps the first refusal only, as `Read::Refused`: a later one reads as an absent value.
    #[cold]
    #[inline(never)]
    pub fn refuse(&mut self, refusal: Refusal) -> Read {
        if self.refusal.is_some() {
            return Read::Absent;
        }
        self.refusal = Some(refusal);
        Read::Refused
    }

    #[cold]
    #[inline(never)]
    pub fn at(&mut self, segment: Segment) {
        self.path.push(segment);
    }

    /// The path as it is written in messages: `tk.O`, `o[1].i`.
    fn write_path(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (step, segment) in self.path.iter().rev().enumerate() {
            let key = match segment {
                Segment::Index(index) => {
                    f.write_str("[")?;
                    fmt::Display::fmt(index, f)?;
                    f.write_str("]")?;
                    continue;
                }
                Segment::Key(key) => key,
                Segment::Name(key) => key.as_str(),
            };
            if step > 0 {
                f.write_str(".")?;
            }
            f.write_str(key)?;
        }
        Ok(())
    }
}

/// What a value of `kind` must be, for error messages.
pub struct Expected(pub &'static Kind);

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.0 {
            Kind::Text | Kind::Enum(_) => "a string",
            Kind::Id => "a string or an integer",
            Kind::Int | Kind::Time => "a non-negative integer",
            Kind::Float => "a number",
            Kind::Bool => "a boolean",
            Kind::Level => "a tuple of size 2",
            Kind::List(_) => "a list",
            Kind::Object(object) => {
                f.write_str("a ")?;
                f.write_str(object.name)?;
                " object"
            }
        };
        f.write_str(text)
    }
}

impl fmt::Display for Got {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Got::Null => f.write_str("null"),
            Got::Bool(value) => f.write_str(if *value {
                "boolean `true`"
            } else {
                "boolean `false`"
            }),
            Got::Unsigned(value) => {
                f.write_str("integer `")?;
                fmt::Display::fmt(value, f)?;
                f.write_str("`")
            }
            Got::Signed(value) => {
                f.write_str("integer `")?;
                signed(*value, f)?;
                f.write_str("`")
            }
            Got::Float(value) => {
                f.write_str("floating point `")?;
                FloatText(*value).fmt(f)?;
                f.write_str("`")
            }
            Got::Str(text) => {
                f.write_str("string ")?;
                Quoted(text).fmt(f)
            }
            Got::Sequence => f.write_str("sequence"),
            Got::Map => f.write_str("map"),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::WrongType(got, kind) | Refusal::WrongValue(got, kind) => {
                f.write_str(match self {
                    Refusal::WrongType(..) => "invalid type: ",
                    _ => "invalid value: ",
                })?;
                got.fmt(f)?;
                f.write_str(", expected ")?;
                Expected(kind).fmt(f)
            }
            Refusal::Inexact(number) => {
                f.write_str("integer ")?;
                fmt::Display::fmt(number, f)?;
                f.write_str(" is larger than a JS number holds exactly (2^53 - 1)")
            }
            Refusal::BeyondDate(number) => {
                f.write_str("time ")?;
                fmt::Display::fmt(number, f)?;
                f.write_str(" ms is beyond what a JS Date holds (8.64e15 ms)")
            }
            Refusal::NotANumber(text) => {
                f.write_str("invalid type: expected a number, got ")?;
                Quoted(text).fmt(f)
            }
            Refusal::OutOfRange(text) => {
                f.write_str("number ")?;
                Quoted(text).fmt(f)?;
                f.write_str(" is out of range")
            }
            Refusal::Length(count) => {
                f.write_str("invalid length ")?;
                fmt::Display::fmt(count, f)?;
                f.write_str(", expected ")?;
                Expected(&Kind::Level).fmt(f)
            }
            Refusal::TooDeep => {
                f.write_str("nested deeper than ")?;
                fmt::Display::fmt(&MAX_NESTING, f)?;
                f.write_str(" levels")
            }
        }
    }
}

/// Why a frame was not decoded: the reader's refusal, or serde_json's, with the path to it.
#[derive(Debug)]
pub enum FrameError {
    Refused(Fault),
    Json(JsonError, Fault),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fault = match self {
            FrameError::Refused(fault) | FrameError::Json(_, fault) => fault,
        };
        if !fault.path.is_empty() {
            fault.write_path(f)?;
            f.write_str(": ")?;
        }
        match (self, &fault.refusal) {
            (FrameError::Json(error, _), _) => error.fmt(f),
            (_, Some(refusal)) => refusal.fmt(f),
            (_, None) => f.write_str("refused"),
        }
    }
}
