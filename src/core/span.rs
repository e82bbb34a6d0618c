//! Where a value lies in a JSON text, for the values the decoder keeps as text: a float's digits,
//! an unknown key's JSON, the items and entries of a caller's input.
//!
//! serde_json's `str` reader hands such values over as raw values, but its raw-value buffering
//! slices a `str` by index, which links core's char-boundary panic and its `{:?}` of a char
//! (about 4 KB gzipped of wasm). So they are found here instead: the visitors see every string
//! serde_json reads, and one without escapes is a slice of the text, so where it ends is known;
//! from there, the few bytes to the value are scanned, and the value itself (already checked by
//! serde_json, or about to be: nothing found here is kept if serde_json refuses the text).

use super::json_number::is_json_number;
use super::wire::{Text, MAX_NESTING};

/// What the visitors know of where serde_json is in `text`.
#[derive(Debug)]
pub struct Place<'f> {
    text: &'f str,
    /// The frame `text` is a copy of (the same layout, see `neutralized`), or `text` itself.
    original: &'f str,
    /// Just past the last string read that was a slice of the text (0 before any).
    after: usize,
    /// Strings read since, unescaped into copies: they are found by scanning.
    copies: usize,
    /// Where a value lies that serde_json refused and `JSON.parse` may read: the frame is then
    /// read again with it made plain (see `reader::write_frame`).
    pub retry: Option<(usize, usize)>,
}

impl<'f> Place<'f> {
    pub fn new(text: &'f str) -> Self {
        Place::of_copy(text, text)
    }

    pub fn of_copy(text: &'f str, original: &'f str) -> Self {
        Place {
            text,
            original,
            after: 0,
            copies: 0,
            retry: None,
        }
    }

    /// Where `value`, a slice of the text, lies in it.
    #[inline]
    pub fn span(&self, value: &str) -> (usize, usize) {
        let start = (value.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        (start, start.wrapping_add(value.len()))
    }

    /// `value`, a slice of the text, as it is written in the original.
    pub fn in_frame(&self, value: &str) -> &'f str {
        let (start, end) = self.span(value);
        self.original.get(start..end).unwrap_or_default()
    }

    /// serde_json refused `value`, a slice of the text, which `JSON.parse` may read (the
    /// first such value only: the frame is read again for each in turn).
    #[cold]
    pub fn retry_without(&mut self, value: &str) {
        let span = self.span(value);
        self.retry.get_or_insert(span);
    }

    /// serde_json read `value`, a slice of the text, whatever strings it held: the next
    /// string is found from its end.
    pub fn resume_after(&mut self, value: &str) {
        self.after = self.span(value).1;
        self.copies = 0;
    }

    /// serde_json read the string `text`, a slice of the text: its closing quote follows it.
    #[inline]
    pub fn slice(&mut self, text: &str) {
        self.after = self.span(text).1.wrapping_add(1);
        self.copies = 0;
    }

    /// serde_json read a string that held escapes (so it was copied).
    #[inline]
    pub fn copy(&mut self) {
        self.copies += 1;
    }

    /// serde_json read the key `key`.
    #[inline]
    pub fn key(&mut self, key: &Text<'_>) {
        match &key.0 {
            std::borrow::Cow::Borrowed(text) => self.slice(text),
            std::borrow::Cow::Owned(_) => self.copy(),
        }
    }

    /// The next value's text: the first after the last string read (after a key just read, its
    /// value: nothing between was a string) or after the last value taken, past the separators;
    /// empty at the end of a list or an object, `None` if it nests deeper than `MAX_NESTING`.
    /// The text up to the value's end is valid JSON (serde_json has read it).
    pub fn next_value(&mut self) -> Option<&'f str> {
        let bytes = self.text.as_bytes();
        let mut at = self.after;
        for _ in 0..self.copies {
            let open = at + bytes.get(at..)?.iter().position(|&byte| byte == b'"')?;
            at = value_end(bytes, open)?;
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r' | b':' | b',') = bytes.get(at) {
            at += 1;
        }
        let end = value_end(bytes, at)?;
        // No string of the value counts as read: the next one is found from its end.
        self.after = end;
        self.copies = 0;
        self.text.get(at..end)
    }

    /// The values of the list or object at the start of `text` (an object's keys and values
    /// one after the other).
    pub fn children(text: &'f str) -> Vec<&'f str> {
        // Past the opening bracket.
        let mut place = Place {
            after: 1,
            ..Place::new(text)
        };
        let mut children = Vec::new();
        while let Some(child) = place.next_value().filter(|child| !child.is_empty()) {
            children.push(child);
        }
        children
    }
}

/// `text` with the value at `span` made one serde_json reads whatever it held: each number a
/// zero of its length, each UTF-16 surrogate escape `\u0000`; the layout is the same, so a reading of
/// it finds every other value where the frame has it. `None` if nothing was changed.
pub fn neutralized(text: &str, (start, end): (usize, usize)) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let value = bytes.get_mut(start..end)?;
    let mut in_string = false;
    let mut at = 0;
    while let Some(&byte) = value.get(at) {
        let rest = value.get_mut(at..).unwrap_or_default();
        let mut length = 1;
        match (in_string, byte) {
            (_, b'"') => in_string = !in_string,
            (true, b'\\') => {
                length = 2;
                if let [_, b'u', high @ (b'd' | b'D'), low, ..] = rest {
                    if matches!(low, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F') {
                        (*high, *low) = (b'0', b'0');
                    }
                }
            }
            (false, b'-' | b'0'..=b'9') => {
                length = value_end(rest, 0).unwrap_or(1);
                let number = rest.get_mut(..length).unwrap_or_default();
                // A well-formed number only (serde_json's refusal of another stands): zero,
                // written as long (`0`, `-0`, `0.0`, `0.00`...).
                if std::str::from_utf8(number).is_ok_and(is_json_number) {
                    number.fill(b'0');
                    match number {
                        [sign, _] => *sign = b'-',
                        [_, point, _, ..] => *point = b'.',
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        at += length;
    }
    (bytes != text.as_bytes())
        .then(|| String::from_utf8(bytes).ok())
        .flatten()
}

/// Where the JSON value that starts at `start` ends (a scalar: at the byte that cannot continue
/// it); `None` if it nests deeper than `MAX_NESTING`.
pub fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let rest = bytes.get(start..).unwrap_or_default();
    for (offset, &byte) in rest.iter().enumerate() {
        let at = start + offset;
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') if depth == 0 => return Some(at + 1),
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
                    return None;
                }
            }
            b']' | b'}' if depth > 1 => depth -= 1,
            b']' | b'}' if depth == 1 => return Some(at + 1),
            b']' | b'}' | b',' | b' ' | b'\t' | b'\n' | b'\r' | b':' if depth == 0 => {
                return Some(at)
            }
            _ => {}
        }
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_ends_where_json_ends_it() {
        for (text, value) in [
            ("1.5e3,", "1.5e3"),
            ("-0]", "-0"),
            ("true}", "true"),
            ("null", "null"),
            (r#""a\"]b","#, r#""a\"]b""#),
            (r#"[1,["x]"],{}] "#, r#"[1,["x]"],{}]"#),
            (r#"{"a":{"b":[]}},"#, r#"{"a":{"b":[]}}"#),
        ] {
            let end = value_end(text.as_bytes(), 0).unwrap();
            assert_eq!(&text[..end], value, "{text}");
        }
        let deep = "[".repeat(MAX_NESTING) + &"]".repeat(MAX_NESTING);
        assert_eq!(value_end(deep.as_bytes(), 0), Some(deep.len()));
        assert_eq!(value_end(format!("[{deep}]").as_bytes(), 0), None);
        // Past the end, or a text that ends early: the text's end.
        assert_eq!(value_end(b"[1", 5), Some(2));
        assert_eq!(value_end(b"[1", 0), Some(2));
    }

    #[test]
    fn the_value_after_a_key_is_found_from_the_last_string_in_the_text() {
        let text = r#"{"a": "x", "\u0062" : [1, "\"]"], "c\n":7 }"#;
        let mut place = Place::new(text);
        place.slice(&text[2..3]);
        place.slice(&text[7..8]);
        // The key `b`, written with an escape, was copied.
        place.copy();
        assert_eq!(place.next_value(), Some(r#"[1, "\"]"]"#));
        place.copy();
        assert_eq!(place.next_value(), Some("7"));
        // A list's items and an object's keys and values.
        assert_eq!(
            Place::children(r#"[1, "a", [2, {}]]"#),
            ["1", r#""a""#, "[2, {}]"]
        );
        assert_eq!(
            Place::children(r#"{ "a" : null ,"\"b": {"c":[]}}"#),
            [r#""a""#, "null", r#""\"b""#, r#"{"c":[]}"#]
        );
        assert!(Place::children("[ ]").is_empty() && Place::children("{}").is_empty());
        // A key of the outermost object, before any string was a slice of the text.
        let mut place = Place::new(r#" {"\u0061":1}"#);
        place.copy();
        assert_eq!(place.next_value(), Some("1"));
    }
}
