//! Errors of the core, as typed values with messages a person can act on.
//!
//! The binding turns each kind into the matching JS error class once, at the boundary.

use std::fmt;

use super::input::Shape;
use super::json_error::JsonError;
use super::protocol::Channel;

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
    pub problem: Problem,
}

/// What was wrong with a field. The texts are worded here, in one `Display`, rather than by a
/// `format!` at each place that finds a problem; text that came from the caller is quoted then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    NotSerializable,
    NotJson(JsonError),
    EmptyString,
    EmptyList,
    /// Of the wrong type: what was wanted, and what came when it is worth naming.
    Expected(&'static str, Option<Shape>),
    /// A name that is not one of `what`'s (`channel`, `action`, `filter`).
    Unknown(&'static str, String),
    /// Not a MAX market or currency id (the key says which).
    NotAnId(&'static str, String),
    /// A book depth MAX does not serve, as the caller wrote it.
    NotADepth(String),
    NotAResolution(String),
    /// A key that a channel's subscriptions do not take.
    TakesNo(Channel, String),
    UnsafeNonce,
    NotANonce,
}

impl InputError {
    #[cold]
    pub fn type_error(field: impl Into<String>, problem: Problem) -> Self {
        InputError::new(InputErrorKind::Type, field.into(), problem)
    }

    #[cold]
    pub fn range_error(field: impl Into<String>, problem: Problem) -> Self {
        InputError::new(InputErrorKind::Range, field.into(), problem)
    }

    /// `problem` at `field`, of the class the problem has (see [`Problem::kind`]).
    #[cold]
    #[inline(never)]
    pub fn at(field: String, problem: Problem) -> Self {
        InputError::new(problem.kind(), field, problem)
    }

    #[cold]
    #[inline(never)]
    fn new(kind: InputErrorKind, field: String, problem: Problem) -> Self {
        InputError {
            kind,
            field,
            problem,
        }
    }
}

impl Problem {
    /// A name or value outside its allowed set is a range error; any other problem (a wrong
    /// type, a missing or empty value) a type error.
    pub fn kind(&self) -> InputErrorKind {
        match self {
            Problem::EmptyList
            | Problem::Unknown(..)
            | Problem::NotAnId(..)
            | Problem::NotADepth(_)
            | Problem::NotAResolution(_)
            | Problem::UnsafeNonce => InputErrorKind::Range,
            _ => InputErrorKind::Type,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.field)?;
        f.write_str(": ")?;
        self.problem.fmt(f)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Required => f.write_str("is required"),
            Problem::NotSerializable => f.write_str("is not JSON-serializable"),
            Problem::NotJson(account) => write!(f, "invalid JSON: {account}"),
            Problem::EmptyString => f.write_str("must be a non-empty string"),
            Problem::EmptyList => f.write_str("the list of subscriptions is empty"),
            Problem::Expected(expected, got) => {
                write!(f, "expected {expected}")?;
                match got {
                    Some(got) => write!(f, ", got {}", got.name()),
                    None => Ok(()),
                }
            }
            Problem::Unknown(what, name) => {
                write!(f, "unknown {what} {}", Quoted(name))?;
                if *what == "channel" {
                    f.write_str(
                        "; expected one of book, trade, ticker, kline, market_status, pool_quota",
                    )?;
                }
                Ok(())
            }
            Problem::NotAnId(key, text) => write!(
                f,
                "{} is not a MAX {key} id (letters and digits, e.g. {})",
                Quoted(text),
                if *key == "market" { "btcusdt" } else { "usdt" }
            ),
            Problem::NotADepth(written) => write!(f, "{written} is not one of 1, 5, 10, 20, 50"),
            Problem::NotAResolution(text) => write!(
                f,
                "{} is not one of 1m 5m 15m 30m 1h 2h 4h 6h 12h 1d",
                Quoted(text)
            ),
            Problem::TakesNo(channel, key) => {
                write!(f, "a {channel} subscription takes no {}", Quoted(key))
            }
            Problem::UnsafeNonce => f.write_str("must be at most Number.MAX_SAFE_INTEGER"),
            Problem::NotANonce => {
                f.write_str("must be a non-negative integer (ms since the epoch)")
            }
        }
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
            escaped(f, c, '"')?;
        }
        f.write_str("\"")
    }
}

/// A character in single quotes for an error message, escaped like [`Quoted`]'s.
pub struct QuotedChar(pub char);

impl fmt::Display for QuotedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        escaped(f, self.0, '\'')?;
        f.write_str("'")
    }
}

/// `c` as it may stand between `quote`s: the quote, `\` and control characters escaped.
fn escaped(f: &mut fmt::Formatter<'_>, c: char, quote: char) -> fmt::Result {
    match c {
        '\\' => f.write_str("\\\\"),
        c if c == quote => write!(f, "\\{c}"),
        c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32),
        c => fmt::Write::write_char(f, c),
    }
}

/// A float as its shortest decimal that reads back to it, for error messages only (without
/// `core::fmt`'s float printing); values outside [1e-7, 1e15] are described, not printed.
pub struct FloatText(pub f64);

impl fmt::Display for FloatText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        let magnitude = value.abs();
        if !(1e-7..1e15).contains(&magnitude) {
            return f.write_str(if magnitude < 1.0 {
                "a tiny number"
            } else {
                "a huge number"
            });
        }
        for decimals in 0..=17u32 {
            let power = 10f64.powi(decimals as i32);
            let scaled = (magnitude * power).round();
            if scaled >= 9e15 {
                break;
            }
            // `scaled` and `power` are exact, so their quotient is the correctly rounded value
            // of the decimal written below: what parsing it would give, with no float parser.
            if scaled / power != magnitude {
                continue;
            }
            let digits = (scaled as u64).to_string();
            let digits = format!("{digits:0>width$}", width = decimals as usize + 1);
            let (whole, fraction) = digits.split_at(digits.len() - decimals as usize);
            let text = format!(
                "{}{whole}.{}",
                if value < 0.0 { "-" } else { "" },
                if fraction.is_empty() { "0" } else { fraction }
            );
            return f.write_str(&text);
        }
        f.write_str("a number")
    }
}

/// A number as JS prints it, for error messages: `7`, `7.5`, `NaN` (see [`FloatText`]).
pub struct NumberText(pub f64);

impl fmt::Display for NumberText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.0;
        if value.is_nan() {
            f.write_str("NaN")
        } else if value.is_infinite() {
            f.write_str(if value < 0.0 { "-Infinity" } else { "Infinity" })
        } else if value.fract() == 0.0 && value.abs() < 1e15 {
            write!(f, "{}", value as i64)
        } else {
            FloatText(value).fmt(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_and_bound_untrusted_text() {
        assert_eq!(quote("a\"b\\c\u{1}é"), r#""a\"b\\c\u{1}é""#);
        assert_eq!(quote(&"x".repeat(50)), format!("\"{}\"…", "x".repeat(40)));
        assert_eq!(QuotedChar('\'').to_string(), r"'\''");
        assert_eq!(QuotedChar('\n').to_string(), r"'\u{a}'");
    }

    #[test]
    fn floats_in_messages_are_their_shortest_round_trip() {
        for (value, text) in [
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (1e-3, "0.001"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(FloatText(value).to_string(), text);
        }
        assert_eq!(FloatText(1e300).to_string(), "a huge number");
        // Each text reads back to its value (checked natively with Rust's parser).
        for value in [2.0 / 3.0, 3.3e-7, 123.456e9, 0.3, 8.999e14, -1.0 / 3.0] {
            assert_eq!(FloatText(value).to_string().parse::<f64>(), Ok(value));
        }
    }

    #[test]
    fn numbers_in_messages_read_as_js_prints_them() {
        for (value, text) in [
            (7.0, "7"),
            (-3.0, "-3"),
            (7.5, "7.5"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(NumberText(value).to_string(), text);
        }
    }
}
