//! Value types of decoded frames, and how decoding errors name where they happened.
//!
//! Strings borrow from the frame when they had no escapes, so decoding copies no text; the tape
//! writer then hands JS only their offsets.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::value::RawValue;

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
                    return Err(E::custom(format_args!(
                        "{key}: nested deeper than {MAX_NESTING} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Prefixes an error's message with where it happened, joining paths (`tk` + `O: bad` = `tk.O: bad`).
///
/// serde_json moves the "at line L column C" suffix back into its position fields when the
/// message is wrapped, so nesting keeps one position and one growing path.
#[cold]
#[inline(never)]
pub fn at_path<E: de::Error>(segment: &str, error: &E) -> E {
    let message = error.to_string();
    let has_path = message
        .split_once(": ")
        .is_some_and(|(head, _)| !head.is_empty() && !head.contains(' '));
    if has_path {
        let separator = if message.starts_with('[') { "" } else { "." };
        E::custom(format_args!("{segment}{separator}{message}"))
    } else {
        E::custom(format_args!("{segment}: {message}"))
    }
}
