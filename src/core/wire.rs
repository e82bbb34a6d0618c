//! Value types of decoded frames, and the macro that declares a wire object from its table of keys.
//!
//! Strings borrow from the frame when they had no escapes, so decoding copies no text; the tape
//! writer then hands JS only their offsets.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::request::MAX_SAFE_INTEGER;

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

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// An echoed request id: ours are strings, but a number is kept too (as its decimal string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id<'de>(pub Text<'de>);

impl<'de> Deserialize<'de> for Id<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Id(Text(Cow::Borrowed(text))))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Id(Text(Cow::Owned(text.to_owned()))))
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
                Ok(Id(Text(Cow::Owned(number.to_string()))))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
                Ok(Id(Text(Cow::Owned(number.to_string()))))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A time (ms) or an id: a non-negative integer that a JS number holds exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int(pub u64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl Visitor<'_> for IntVisitor {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Int, E> {
                if number > MAX_SAFE_INTEGER {
                    return Err(E::custom(format_args!("integer {number} is larger than a JS number holds exactly (2^53 - 1)")));
                }
                Ok(Int(number))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Int, E> {
                Err(E::invalid_value(de::Unexpected::Signed(number), &self))
            }
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Int, E> {
                Err(E::invalid_value(de::Unexpected::Float(number), &self))
            }
        }
        deserializer.deserialize_u64(IntVisitor)
    }
}

impl Serialize for Int {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

/// The last millisecond a JS `Date` holds (ECMAScript's time range is ±8.64e15 ms).
pub const MAX_DATE_MS: u64 = 8_640_000_000_000_000;

/// A time in ms since the epoch that a JS `Date` holds, so the JS side never builds an Invalid Date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub u64);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Int(ms) = Int::deserialize(deserializer)?;
        if ms > MAX_DATE_MS {
            return Err(de::Error::custom(format_args!("time {ms} ms is beyond what a JS Date holds (8.64e15 ms)")));
        }
        Ok(Time(ms))
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

/// A JSON number with a fraction or exponent, read as JS's `JSON.parse` reads it: rounded
/// correctly from its full text. serde_json's own float reading is only best-effort (it read
/// `2.3333333333333333e+117` one unit in the last place off), and its exact mode costs 13 KB
/// gzipped; Rust's `str::parse` is exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Float(pub f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        // The frame was valid JSON, so a value starting like a number is one, in a syntax
        // `str::parse` accepts.
        if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return Err(de::Error::custom(format_args!("invalid type: expected a number, got {}", super::error::quote(text))));
        }
        match text.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Float(number)),
            _ => Err(de::Error::custom(format_args!("number {} is out of range", super::error::quote(text)))),
        }
    }
}

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

/// A list whose decoding errors name the index of the bad element (`o[3].p: ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                loop {
                    let index = items.len();
                    match seq.next_element::<T>() {
                        Ok(Some(item)) => items.push(item),
                        Ok(None) => return Ok(List(items)),
                        Err(error) => return Err(at_path(&format!("[{index}]"), &error)),
                    }
                }
            }
        }
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    }
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// One `[price, volume]` level of a book frame.
pub type Level<'de> = (Text<'de>, Text<'de>);

/// Keys a model does not name, kept with their wire names and raw JSON values.
pub type Extra<'de> = Vec<(Text<'de>, &'de RawValue)>;

/// How deep an unknown key's value may nest: serde_json caps typed values at 128 levels, but raw
/// values are skipped without that cap, and the JS side would have to rebuild them.
pub const MAX_NESTING: usize = 128;

/// Refuses an unknown key's value nested deeper than `MAX_NESTING`.
pub fn check_nesting<E: de::Error>(key: &str, raw: &RawValue) -> Result<(), E> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in raw.get().bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(E::custom(format_args!("{key}: nested deeper than {MAX_NESTING} levels")));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Reads one field's value, naming the key in its error.
///
/// Not inlined: one copy per value type serves every table, which keeps the wasm small.
#[inline(never)]
pub fn read_field<'de, A: de::MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, key: &str) -> Result<Option<T>, A::Error> {
    map.next_value().map_err(|e| at_path(key, &e))
}

/// Prefixes an error's message with where it happened, joining paths (`tk` + `O: bad` = `tk.O: bad`).
///
/// serde_json moves the "at line L column C" suffix back into its position fields when the
/// message is wrapped, so nesting keeps one position and one growing path.
#[cold]
#[inline(never)]
pub fn at_path<E: de::Error>(segment: &str, error: &E) -> E {
    let message = error.to_string();
    let has_path = message.split_once(": ").is_some_and(|(head, _)| !head.is_empty() && !head.contains(' '));
    if has_path {
        let separator = if message.starts_with('[') { "" } else { "." };
        E::custom(format_args!("{segment}{separator}{message}"))
    } else {
        E::custom(format_args!("{segment}: {message}"))
    }
}

/// Declares a wire object: one line per key (`"M" market: Text`), in the order the tape writes them.
///
/// It generates the struct (every field optional: a `null` counts as absent), a `Deserialize` that
/// keeps unknown keys in `extra` and names the key of any bad value, and the tape writer.
macro_rules! wire_object {
    ($(#[$doc:meta])* $name:ident { $($wire:literal $field:ident : $ty:ty,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $name<'de> {
            $(pub $field: Option<$ty>,)+
            pub extra: $crate::core::wire::Extra<'de>,
        }

        impl<'de> serde::Deserialize<'de> for $name<'de> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name<'de>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::core::wire::Text<'de>>()? {
                            match key.as_str() {
                                $($wire => out.$field = $crate::core::wire::read_field(&mut map, $wire)?,)+
                                _ => {
                                    let raw = map.next_value()?;
                                    $crate::core::wire::check_nesting(key.as_str(), raw)?;
                                    out.extra.push((key, raw));
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }

        /// Writes the object back with its wire keys (absent fields left out, unknown keys kept).
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if let Some(value) = &self.$field { map.serialize_entry($wire, value)?; }
                )+
                for (key, raw) in &self.extra {
                    map.serialize_entry(key, raw)?;
                }
                map.end()
            }
        }

        impl $crate::core::tape::WriteTape for $name<'_> {
            fn write_tape(&self, tape: &mut $crate::core::tape::Tape) {
                let mut mask = 0u32;
                let mut bit = 1u32;
                $(
                    if self.$field.is_some() { mask |= bit; }
                    bit <<= 1;
                )+
                if !self.extra.is_empty() { mask |= bit; }
                tape.number(f64::from(mask));
                $(
                    if let Some(value) = &self.$field { value.write_tape(tape); }
                )+
                if !self.extra.is_empty() { tape.extra(&self.extra); }
            }
        }
    };
}
pub(crate) use wire_object;
