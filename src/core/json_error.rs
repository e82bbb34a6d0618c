//! Why serde_json refused a JSON text, worded here from where it stopped.
//!
//! serde_json's own `Display` is never called: it links its message table, `std::io`'s error
//! texts and the code that reads a position back out of a message. Its error is kept only for
//! `classify()`, `line()` and `column()`, and the text at that position says which mistake it was.

use std::fmt;

use serde_json::error::Category;

use super::error::QuotedChar;
use super::json_number::{is_json_number, rounds_to_finite};
use super::wire::MAX_NESTING;

/// A JSON text serde_json could not read, and where (line and column as serde_json counts them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub problem: JsonProblem,
    pub line: usize,
    pub column: usize,
}

/// The mistakes a JSON text can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonProblem {
    /// The text ended inside a value: a string, a list, an object, or before a value.
    EndInside(&'static str),
    /// More after the one value.
    Trailing,
    TrailingComma,
    TooDeep,
    ControlCharacter,
    InvalidEscape,
    /// A `\uD800`-style escape with no escape after it.
    HexEscapeEnds,
    LoneSurrogate,
    NumberOutOfRange,
    InvalidNumber,
    /// A word that is not `true`, `false` or `null`.
    NotAnIdent,
    Unexpected(char),
}

/// How far `text[..end]` is into the JSON structure.
struct Scan {
    open: Vec<u8>,
    in_string: bool,
    /// The last byte outside strings that was not whitespace.
    last: Option<u8>,
}

fn scan(text: &[u8], end: usize) -> Scan {
    let mut state = Scan {
        open: Vec::new(),
        in_string: false,
        last: None,
    };
    let mut escaped = false;
    for &byte in text.get(..end).unwrap_or(text) {
        if state.in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => state.in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => state.in_string = true,
            b'[' | b'{' => state.open.push(byte),
            b']' | b'}' => {
                state.open.pop();
            }
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            state.last = Some(byte);
        }
    }
    state
}

fn is_number_byte(byte: u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E')
}

/// A bad escape just before `at`: a UTF-16 surrogate escape not in a pair, or another.
fn escape_problem(bytes: &[u8], at: usize) -> JsonProblem {
    let surrogate = |start: usize| {
        // Four hex digits read by hand: `from_str_radix` links the general integer parser.
        let digits = bytes.get(start + 2..start + 6)?;
        let unit = digits.iter().try_fold(0u16, |unit, &byte| {
            Some(unit << 4 | char::from(byte).to_digit(16)? as u16)
        })?;
        (bytes.get(start..start + 2)? == b"\\u" && (0xD800..0xE000).contains(&unit)).then_some(unit)
    };
    let Some((start, unit)) =
        (at.saturating_sub(12)..at).find_map(|start| surrogate(start).map(|unit| (start, unit)))
    else {
        return JsonProblem::InvalidEscape;
    };
    if unit < 0xDC00 && bytes.get(start + 6..start + 8) != Some(b"\\u") {
        JsonProblem::HexEscapeEnds
    } else {
        JsonProblem::LoneSurrogate
    }
}

impl JsonError {
    /// Words `error`, met while reading `text`; `after_value` when the one value was read whole
    /// (then more text is what was wrong).
    #[cold]
    #[inline(never)]
    pub fn of(text: &str, error: &serde_json::Error, after_value: bool) -> JsonError {
        let (line, column) = (error.line(), error.column());
        let bytes = text.as_bytes();
        // serde_json counts lines from 1, and columns from 1 on the line (0 at its start).
        let mut line_start = 0;
        let mut lines = 1;
        while lines < line {
            match bytes
                .get(line_start..)
                .and_then(|rest| rest.iter().position(|&byte| byte == b'\n'))
            {
                Some(at) => line_start += at + 1,
                None => break,
            }
            lines += 1;
        }
        let at = (line_start + column.saturating_sub(1)).min(bytes.len());
        let problem = match error.classify() {
            Category::Eof => {
                let state = scan(bytes, bytes.len());
                JsonProblem::EndInside(match (state.in_string, state.open.last(), state.last) {
                    (true, _, _) => "a string",
                    (_, _, Some(b':')) | (_, Some(b'['), Some(b',')) | (_, None, _) => "a value",
                    (_, Some(b'['), _) => "a list",
                    _ => "an object",
                })
            }
            _ if after_value => JsonProblem::Trailing,
            _ => {
                let state = scan(bytes, at);
                let byte = bytes.get(at).copied();
                let before = at.checked_sub(1).and_then(|at| bytes.get(at)).copied();
                match byte {
                    _ if state.in_string && byte.is_some_and(|byte| byte < 0x20) => {
                        JsonProblem::ControlCharacter
                    }
                    _ if state.in_string => escape_problem(bytes, at),
                    Some(b'[' | b'{') if state.open.len() >= MAX_NESTING - 1 => {
                        JsonProblem::TooDeep
                    }
                    Some(b']' | b'}') if state.last == Some(b',') => JsonProblem::TrailingComma,
                    // serde_json stops inside or just after a number it refuses.
                    _ if before.is_some_and(is_number_byte) => {
                        let (head, tail) = bytes.split_at_checked(at).unwrap_or((bytes, &[]));
                        let start = head
                            .iter()
                            .rposition(|&byte| !is_number_byte(byte))
                            .map_or(0, |at| at + 1);
                        let end = tail
                            .iter()
                            .position(|&byte| !is_number_byte(byte))
                            .map_or(bytes.len(), |length| at + length);
                        // A well-formed number serde_json refused is one that does not fit.
                        match text.get(start..end) {
                            Some(number) if is_json_number(number) && !rounds_to_finite(number) => {
                                JsonProblem::NumberOutOfRange
                            }
                            _ => JsonProblem::InvalidNumber,
                        }
                    }
                    _ if before.is_some_and(|byte| byte.is_ascii_alphabetic())
                        || byte.is_some_and(|byte| byte.is_ascii_alphabetic()) =>
                    {
                        JsonProblem::NotAnIdent
                    }
                    _ => JsonProblem::Unexpected(
                        text.get(at..)
                            .and_then(|rest| rest.chars().next())
                            .unwrap_or(' '),
                    ),
                }
            }
        };
        JsonError {
            problem,
            line,
            column,
        }
    }
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonProblem::EndInside(what) => {
                f.write_str("EOF while parsing ")?;
                f.write_str(what)
            }
            JsonProblem::Trailing => f.write_str("trailing characters"),
            JsonProblem::TrailingComma => f.write_str("trailing comma"),
            JsonProblem::TooDeep => f.write_str("recursion limit exceeded"),
            JsonProblem::ControlCharacter => {
                f.write_str("control character (\\u0000-\\u001F) found while parsing a string")
            }
            JsonProblem::InvalidEscape => f.write_str("invalid escape"),
            JsonProblem::HexEscapeEnds => f.write_str("unexpected end of hex escape"),
            JsonProblem::LoneSurrogate => f.write_str("lone leading surrogate in hex escape"),
            JsonProblem::NumberOutOfRange => f.write_str("number out of range"),
            JsonProblem::InvalidNumber => f.write_str("invalid number"),
            JsonProblem::NotAnIdent => f.write_str("expected ident"),
            JsonProblem::Unexpected(c) => {
                f.write_str("unexpected ")?;
                QuotedChar(*c).fmt(f)
            }
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt(f)?;
        f.write_str(" at line ")?;
        fmt::Display::fmt(&self.line, f)?;
        f.write_str(" column ")?;
        fmt::Display::fmt(&self.column, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let read =
            serde::de::Deserialize::deserialize(&mut deserializer).map(|_: serde_json::Value| ());
        let error = match read {
            Err(error) => JsonError::of(text, &error, false),
            Ok(()) => JsonError::of(text, &deserializer.end().unwrap_err(), true),
        };
        error.to_string()
    }

    #[test]
    fn words_each_mistake_as_serde_json_would() {
        for (text, expected) in [
            ("", "EOF while parsing a value at line 1 column 0"),
            ("[1", "EOF while parsing a list"),
            ("[1,", "EOF while parsing a value"),
            ("{\"a\":1", "EOF while parsing an object"),
            ("{\"a\":", "EOF while parsing a value"),
            ("\"ab", "EOF while parsing a string"),
            ("not json", "expected ident at line 1 column 2"),
            ("[1,]", "trailing comma"),
            ("{\"a\":1,}", "trailing comma"),
            ("[1] 2", "trailing characters"),
            ("1e400", "number out of range"),
            ("[-]", "invalid number"),
            ("\"a\u{1}b\"", "control character"),
            (r#""\ud800""#, "unexpected end of hex escape"),
            (r#""\udc00""#, "lone leading surrogate in hex escape"),
            (
                r#"["\ud800\u0041"]"#,
                "lone leading surrogate in hex escape",
            ),
            (r#""\q""#, "invalid escape"),
            ("[1\n,?]", "unexpected '?' at line 2 column 2"),
            ("[1e400]", "number out of range"),
            (
                &format!("{{\"a\":{}}}", "9".repeat(400)),
                "number out of range",
            ),
            ("{\"a\" 1}", "unexpected '1' at line 1 column 6"),
            ("[1 2]", "unexpected '2'"),
            ("{\"a\":1 \"b\":2}", "unexpected '\"'"),
            ("{1:2}", "unexpected '1'"),
        ] {
            let error = problem(text);
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
        assert!(problem(&"[".repeat(1000)).starts_with("recursion limit exceeded"));
    }
}
