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
        InputError { kind: InputErrorKind::Type, field: field.into(), problem: problem.into() }
    }

    pub fn range_error(field: impl Into<String>, problem: impl Into<String>) -> Self {
        InputError { kind: InputErrorKind::Range, field: field.into(), problem: problem.into() }
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
    const LIMIT: usize = 40;
    let mut end = text.len().min(LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        format!("{:?}…", &text[..end])
    } else {
        format!("{text:?}")
    }
}
