//! Errors of the core, as typed values with messages a person can act on.
//!
//! The binding turns each kind into the matching JS error class once, at the boundary.

use std::fmt;

/// Which JS error class a problem with caller-supplied input maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputErrorKind {
    /// A value of the wrong type, or a required one missing (`TypeError`).
    Type,
    /// A value of the right type outside its allowed set (`RangeError`).
    Range,
}

/// A caller passed something invalid; `field` names where (`subscriptions[0].depth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub kind: InputErrorKind,
    pub field: String,
    pub problem: String,
}

impl InputError {
    pub fn type_error(field: impl Into<String>, problem: impl Into<String>) -> Self {
        InputError {
            kind: InputErrorKind::Type,
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub fn range_error(field: impl Into<String>, problem: impl Into<String>) -> Self {
        InputError {
            kind: InputErrorKind::Range,
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for InputError {}

/// A short, bounded quotation of untrusted text for an error message.
pub fn quote(text: &str) -> String {
    Quoted(text).to_string()
}

/// `text` in double quotes for an error message: at most 40 characters (then `…`), with `"`,
/// `\` and control characters escaped. Written by hand rather than with `{:?}`, whose Unicode
/// escaping tables would be linked into the wasm for a message.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = 40;
        f.write_str("\"")?;
        for (count, c) in self.0.chars().enumerate() {
            if count == LIMIT {
                return f.write_str("\"…");
            }
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_and_bound_untrusted_text() {
        assert_eq!(quote("a\"b\\c\u{1}é"), r#""a\"b\\c\u{1}é""#);
        assert_eq!(quote(&"x".repeat(50)), format!("\"{}\"…", "x".repeat(40)));
    }
}
