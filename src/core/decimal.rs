//! Exact, non-negative fixed-point decimals for the prices and volumes MAX sends as strings.
//!
//! A value is stored as a count of 10^-18 units in a `u128`, so equal numbers spelt differently
//! ("0.1", "0.10", "00.1") are equal keys, ordering is plain integer ordering, and nothing is ever
//! rounded on the way in: a string that cannot be held exactly is an error, not an approximation.
//! The largest value is `u128::MAX` units, about 3.4 * 10^20.

use std::fmt;

use super::error::{Quoted, QuotedChar};
use std::str::FromStr;

/// Number of fraction digits a [`Decimal`] holds exactly.
pub const FRACTION_DIGITS: u32 = 18;

/// 10^18: one whole unit.
const ONE: u128 = 1_000_000_000_000_000_000;

/// Errors quote at most this many bytes of the offending text, so a hostile megabyte-long "price"
/// does not become a megabyte-long error message.
const MAX_QUOTED: usize = 32;

/// An exact non-negative decimal with 18 fraction digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Decimal(u128);

impl Decimal {
    pub const ZERO: Decimal = Decimal(0);

    /// The value `units * 10^-18`.
    pub const fn from_units(units: u128) -> Decimal {
        Decimal(units)
    }

    /// The value as a count of 10^-18 units.
    pub const fn units(self) -> u128 {
        self.0
    }

    /// Parses a wire decimal: ASCII digits with at most one `.`, at least one digit on each side
    /// of it ("5337.3", "0", "0.10", "100", "007.5"). Fraction digits beyond the 18th must be zeros.
    ///
    /// # Errors
    /// A [`DecimalError`] naming the problem and quoting the text. Syntax is checked before
    /// magnitude: the error names the first bad character if there is one, and only then a value
    /// that is too precise or too large.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        match parse_common(text.as_bytes()) {
            Some(value) => Ok(value),
            None => parse_any(text),
        }
    }
}

/// The spelling of nearly every wire price and volume, read in one pass: at most 19 integer
/// digits, then optionally a `.` and 1 to 18 fraction digits. `None` for anything else (an
/// error, a longer number), which [`parse_any`] then reads or explains.
#[inline]
fn parse_common(bytes: &[u8]) -> Option<Decimal> {
    let mut int: u64 = 0;
    let mut at = 0;
    while let Some(digit) = bytes.get(at).map(|byte| byte.wrapping_sub(b'0')) {
        if digit > 9 {
            break;
        }
        // Wraps only past 19 digits, which the length check below refuses.
        int = int.wrapping_mul(10).wrapping_add(u64::from(digit));
        at += 1;
    }
    if at == 0 || at > 19 {
        return None;
    }
    // Below 10^19 * 10^18 + 10^18, far under u128::MAX: no wrapping.
    let whole = u128::from(int).wrapping_mul(ONE);
    let Some(rest) = bytes.get(at..).filter(|rest| !rest.is_empty()) else {
        return Some(Decimal(whole));
    };
    let (b'.', frac_digits) = rest.split_first()? else {
        return None;
    };
    if frac_digits.is_empty() {
        return None;
    }
    let scale = *FRACTION_SCALE.get(frac_digits.len())?;
    let mut frac: u64 = 0;
    for &byte in frac_digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        frac = frac.wrapping_mul(10).wrapping_add(u64::from(digit));
    }
    // At most 18 digits scaled to exactly 18: below 10^18.
    Some(Decimal(
        whole.wrapping_add(u128::from(frac.wrapping_mul(scale))),
    ))
}

/// Any decimal, with the error that names the problem: the general reader behind
/// [`Decimal::parse`].
fn parse_any(text: &str) -> Result<Decimal, DecimalError> {
    // Read as bytes: `str`'s char-pattern splits and trims would each link a searcher into the
    // wasm for this cold path.
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err(DecimalError::new(DecimalProblem::Empty, text));
    }
    let mut dot = None;
    for (pos, &byte) in bytes.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {}
            b'.' if dot.is_none() => dot = Some(pos),
            b'.' => return Err(DecimalError::new(DecimalProblem::MultipleDots, text)),
            _ => return Err(DecimalError::bad_character(text, pos)),
        }
    }
    let (int_digits, frac_digits) = match dot {
        Some(at) => {
            let (int, dot_and_frac) = bytes.split_at_checked(at).unwrap_or((bytes, &[]));
            (int, dot_and_frac.get(1..).unwrap_or_default())
        }
        None => (bytes, &[][..]),
    };
    if int_digits.is_empty() || (dot.is_some() && frac_digits.is_empty()) {
        return Err(DecimalError::new(DecimalProblem::MissingDigits, text));
    }

    // Zeros past the 18th fraction digit change nothing ("0.10" pads as far as it likes);
    // any other digit there would need rounding, which we refuse.
    let mut frac_digits = frac_digits;
    while let [rest @ .., b'0'] = frac_digits {
        frac_digits = rest;
    }
    // The fraction in 10^-18 units: its digits scaled up to exactly 18 digits.
    let Some(frac_scale) = FRACTION_SCALE.get(frac_digits.len()) else {
        return Err(DecimalError::new(DecimalProblem::TooPrecise, text));
    };
    // At most 18 digits times a scale that makes 18 digits: below 10^18, no wrapping.
    let frac = short_digits_value(frac_digits).wrapping_mul(*frac_scale);

    let mut int_digits = int_digits;
    while let [b'0', rest @ ..] = int_digits {
        int_digits = rest;
    }
    let units = if int_digits.len() <= 19 {
        // Below 10^19 * 10^18 + 10^18, far under u128::MAX: no wrapping, so no 128-bit
        // overflow checks (library calls on wasm32).
        let int = u128::from(short_digits_value(int_digits));
        Some(int.wrapping_mul(ONE).wrapping_add(u128::from(frac)))
    } else {
        long_digits_value(int_digits)
            .and_then(|int| int.checked_mul(ONE)?.checked_add(u128::from(frac)))
    };
    units
        .map(Decimal)
        .ok_or_else(|| DecimalError::new(DecimalProblem::TooLarge, text))
}

impl Decimal {
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_add(other.0).map(Decimal)
    }

    /// `None` if the result would be negative.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.0.checked_sub(other.0).map(Decimal)
    }

    /// Half the value, rounded down to the nearest 10^-18 (exact unless the last unit is odd).
    #[must_use]
    pub const fn half(self) -> Decimal {
        Decimal(self.0 / 2)
    }
}

/// `FRACTION_SCALE[n]` = 10^(18 - n): turns `n` fraction digits into 10^-18 units.
const FRACTION_SCALE: [u64; 19] = [
    1_000_000_000_000_000_000,
    100_000_000_000_000_000,
    10_000_000_000_000_000,
    1_000_000_000_000_000,
    100_000_000_000_000,
    10_000_000_000_000,
    1_000_000_000_000,
    100_000_000_000,
    10_000_000_000,
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Value of at most 19 ASCII digits (checked by the caller). 19 nines are below `u64::MAX`, so
/// nothing wraps.
fn short_digits_value(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, byte| {
        acc.wrapping_mul(10)
            .wrapping_add(u64::from(byte.wrapping_sub(b'0')))
    })
}

/// Value of any number of ASCII digits, `None` if it does not fit a u128.
fn long_digits_value(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, byte| {
        acc.checked_mul(10)?
            .checked_add(u128::from(byte.wrapping_sub(b'0')))
    })
}

impl FromStr for Decimal {
    type Err = DecimalError;

    fn from_str(text: &str) -> Result<Decimal, DecimalError> {
        Decimal::parse(text)
    }
}

/// The shortest exact form: no exponent, no trailing fraction zeros, no `.` for whole numbers.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Split with u64 divisions only: a u128 division (or u128's Display) would link
        // compiler_builtins' 128-bit division, over a kilobyte of wasm, for this alone.
        // u128::MAX has 39 digits: chunks 0 and 1 are the 18 fraction digits, 2 to 4 the whole
        // part, whose top chunk is below 10^3.
        const BILLION: u64 = 1_000_000_000;
        let [frac_low, frac_high, int_low, int_mid, int_high] = base_billion(self.0);
        let int = int_mid * BILLION + int_low;
        if int_high > 0 {
            write!(f, "{int_high}{int:018}")?;
        } else {
            write!(f, "{int}")?;
        }
        let mut frac = frac_high * BILLION + frac_low;
        if frac == 0 {
            return Ok(());
        }
        let mut width = FRACTION_DIGITS as usize;
        // Terminates: frac is not zero here.
        while frac.is_multiple_of(10) {
            frac /= 10;
            width = width.saturating_sub(1);
        }
        // Zero-padded by hand: a runtime width (`{frac:0width$}`) links `core::fmt`'s check of
        // the width argument and its panic.
        let mut digits = 1;
        let mut rest = frac / 10;
        while rest > 0 {
            digits += 1;
            rest /= 10;
        }
        const ZEROS: &str = ".000000000000000000";
        f.write_str(ZEROS.get(..1 + width.saturating_sub(digits)).unwrap_or("."))?;
        fmt::Display::fmt(&frac, f)
    }
}

/// `value` in base 10^9, least significant chunk first: long division of its four 32-bit
/// limbs by 10^9, in u64 arithmetic.
fn base_billion(value: u128) -> [u64; 5] {
    const BILLION: u64 = 1_000_000_000;
    let (high, low) = ((value >> 64) as u64, value as u64);
    let mut limbs = [high >> 32, high & 0xffff_ffff, low >> 32, low & 0xffff_ffff];
    let mut chunks = [0u64; 5];
    for chunk in &mut chunks {
        let mut remainder = 0u64;
        for limb in &mut limbs {
            // remainder < 10^9 < 2^30, so this is below 2^62.
            let current = (remainder << 32) | *limb;
            *limb = current / BILLION;
            remainder = current % BILLION;
        }
        *chunk = remainder;
    }
    chunks
}

/// Why a string is not a [`Decimal`], with (a bounded prefix of) the offending text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DecimalError {
    pub problem: DecimalProblem,
    text: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DecimalProblem {
    Empty,
    /// A leading `+` or `-`: wire decimals are unsigned.
    Sign,
    /// `e`/`E` notation.
    Exponent,
    Whitespace,
    /// Any other character that is not a digit or `.`.
    InvalidCharacter(char),
    MultipleDots,
    /// Nothing before or after the `.` (".5", "5.", ".").
    MissingDigits,
    /// A non-zero digit beyond the 18th fraction digit.
    TooPrecise,
    /// More than `u128::MAX` units of 10^-18.
    TooLarge,
}

impl DecimalError {
    #[cold]
    fn new(problem: DecimalProblem, text: &str) -> DecimalError {
        DecimalError {
            problem,
            text: quote(text),
        }
    }

    fn bad_character(text: &str, pos: usize) -> DecimalError {
        // Every byte before `pos` is ASCII, so `pos` is a char boundary; `get` keeps that a
        // non-panicking assumption all the same.
        let found = text
            .get(pos..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        let problem = match found {
            '+' | '-' if pos == 0 => DecimalProblem::Sign,
            'e' | 'E' => DecimalProblem::Exponent,
            c if c.is_whitespace() => DecimalProblem::Whitespace,
            found => DecimalProblem::InvalidCharacter(found),
        };
        DecimalError::new(problem, text)
    }

    /// The quoted (possibly shortened) offending text; empty for `Empty`.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let problem = match self.problem {
            DecimalProblem::Empty => return f.write_str("empty string is not a decimal"),
            DecimalProblem::Sign => "a sign is not allowed",
            DecimalProblem::Exponent => "exponent notation is not allowed",
            DecimalProblem::Whitespace => "whitespace is not allowed",
            DecimalProblem::InvalidCharacter(found) => {
                f.write_str("unexpected character ")?;
                QuotedChar(found).fmt(f)?;
                f.write_str(" in decimal ")?;
                return Quoted(self.text()).fmt(f);
            }
            DecimalProblem::MultipleDots => "more than one '.'",
            DecimalProblem::MissingDigits => "digits missing before or after '.'",
            DecimalProblem::TooPrecise => "more than 18 significant fraction digits",
            DecimalProblem::TooLarge => "value too large",
        };
        f.write_str(problem)?;
        f.write_str(" in decimal ")?;
        Quoted(self.text()).fmt(f)
    }
}

impl std::error::Error for DecimalError {}

/// The first `MAX_QUOTED` bytes of `text` (cut at a char boundary), with "…" if shortened.
fn quote(text: &str) -> String {
    // Byte 0 is always a char boundary, so the search ends.
    let end = (0..=text.len().min(MAX_QUOTED))
        .rfind(|&end| text.is_char_boundary(end))
        .unwrap_or(0);
    let (head, rest) = text.split_at_checked(end).unwrap_or_default();
    let mut quoted = String::with_capacity(end + '…'.len_utf8());
    quoted.push_str(head);
    if !rest.is_empty() {
        quoted.push('…');
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        match Decimal::parse(text) {
            Ok(value) => value,
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    #[test]
    fn parses_wire_examples() {
        assert_eq!(d("5337.3").units(), 5_337_300_000_000_000_000_000);
        assert_eq!(d("0.01037").units(), 10_370_000_000_000_000);
        assert_eq!(d("0"), Decimal::ZERO);
        assert_eq!(d("100").units(), 100 * ONE);
        assert_eq!(d("0.000000000000000001").units(), 1);
    }

    #[test]
    fn spellings_of_one_value_are_equal() {
        assert_eq!(d("0.1"), d("0.10"));
        assert_eq!(d("0.1"), d("00.100000000000000000000000"));
        assert_eq!(d("2"), d("2.0"));
        assert!(d("0.000").is_zero());
        assert!(d("0.0").is_zero());
    }

    #[test]
    fn orders_numerically() {
        assert!(d("9.99") < d("10"));
        assert!(d("0.1") > d("0.09999"));
        assert!(d("5333.3") < d("5337.3"));
        assert!(Decimal::ZERO < d("0.000000000000000001"));
    }

    #[test]
    fn prints_shortest_exact_form() {
        for (input, shown) in [
            ("0.1", "0.1"),
            ("0.10", "0.1"),
            ("5337.3", "5337.3"),
            ("2.000", "2"),
            ("0", "0"),
            ("007.50", "7.5"),
            ("0.000000000000000001", "0.000000000000000001"),
            ("1.000000000000000010", "1.00000000000000001"),
        ] {
            assert_eq!(d(input).to_string(), shown, "{input}");
        }
        assert_eq!(
            Decimal::from_units(u128::MAX).to_string(),
            "340282366920938463463.374607431768211455"
        );
    }

    #[test]
    fn largest_value_round_trips_and_one_more_unit_is_too_large() {
        let max = Decimal::from_units(u128::MAX);
        assert_eq!(d(&max.to_string()), max);
        assert!(matches!(
            Decimal::parse("340282366920938463463.374607431768211456"),
            Err(DecimalError {
                problem: DecimalProblem::TooLarge,
                ..
            })
        ));
        assert!(matches!(
            Decimal::parse("340282366920938463464"),
            Err(DecimalError {
                problem: DecimalProblem::TooLarge,
                ..
            })
        ));
        assert!(matches!(
            Decimal::parse(&"9".repeat(100)),
            Err(DecimalError {
                problem: DecimalProblem::TooLarge,
                ..
            })
        ));
    }

    #[test]
    fn rejects_malformed_text_naming_the_problem() {
        type IsExpected = fn(&DecimalError) -> bool;
        let cases: [(&str, IsExpected); 16] = [
            ("", |e| e.problem == DecimalProblem::Empty),
            ("-1", |e| e.problem == DecimalProblem::Sign),
            ("+1", |e| e.problem == DecimalProblem::Sign),
            ("1-2", |e| {
                e.problem == DecimalProblem::InvalidCharacter('-')
            }),
            ("1e5", |e| e.problem == DecimalProblem::Exponent),
            ("1E5", |e| e.problem == DecimalProblem::Exponent),
            (" 1", |e| e.problem == DecimalProblem::Whitespace),
            ("1 ", |e| e.problem == DecimalProblem::Whitespace),
            ("1,5", |e| {
                e.problem == DecimalProblem::InvalidCharacter(',')
            }),
            ("1½", |e| {
                e.problem == DecimalProblem::InvalidCharacter('½')
            }),
            ("1.2.3", |e| e.problem == DecimalProblem::MultipleDots),
            (".5", |e| e.problem == DecimalProblem::MissingDigits),
            ("5.", |e| e.problem == DecimalProblem::MissingDigits),
            (".", |e| e.problem == DecimalProblem::MissingDigits),
            ("0.0000000000000000001", |e| {
                e.problem == DecimalProblem::TooPrecise
            }),
            ("NaN", |e| {
                e.problem == DecimalProblem::InvalidCharacter('N')
            }),
        ];
        for (input, is_expected) in cases {
            match Decimal::parse(input) {
                Ok(v) => panic!("{input:?} parsed as {v}"),
                Err(e) => {
                    assert!(is_expected(&e), "{input:?} gave {e:?}");
                    assert_eq!(e.text(), input);
                }
            }
        }
    }

    #[test]
    fn integer_parts_around_the_fast_path_limit() {
        // 19 significant integer digits take the u64 path, 20 the checked u128 one.
        assert_eq!(
            d("9999999999999999999").units(),
            9_999_999_999_999_999_999 * ONE
        );
        assert_eq!(
            d("10000000000000000000.5").units(),
            10_000_000_000_000_000_000 * ONE + ONE / 2
        );
        assert_eq!(d(&format!("{}1.5", "0".repeat(40))), d("1.5"));
    }

    #[test]
    fn the_one_pass_reader_agrees_with_the_general_one() {
        // Every string of up to 6 characters over digits, '.', and a stray byte, plus long
        // digit runs around the one-pass limits (19 integer, 18 fraction digits).
        let alphabet = ["0", "1", "9", ".", "x"];
        let mut texts = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..6 {
            layer = layer
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        for int in 17..=21 {
            for frac in [0, 1, 17, 18, 19, 20] {
                let digits = |n: usize| "9876543210".chars().cycle().take(n).collect::<String>();
                texts.push(if frac == 0 {
                    digits(int)
                } else {
                    format!("{}.{}", digits(int), digits(frac))
                });
                texts.push(format!("{}.{}0", digits(int), digits(frac.min(18))));
            }
        }
        let mut fast = 0;
        for text in &texts {
            if let Some(value) = parse_common(text.as_bytes()) {
                fast += 1;
                assert_eq!(parse_any(text), Ok(value), "{text:?}");
            }
            assert_eq!(Decimal::parse(text), parse_any(text), "{text:?}");
        }
        assert!(fast > 1000, "the one-pass reader took only {fast} strings");
    }

    #[test]
    fn trailing_zeros_beyond_precision_are_fine() {
        assert_eq!(d("0.1000000000000000000000"), d("0.1"));
        assert_eq!(d("1.0000000000000000000"), d("1"));
    }

    #[test]
    fn error_messages_are_readable_and_bounded() {
        let e = Decimal::parse("1e5").unwrap_err();
        assert_eq!(
            e.to_string(),
            "exponent notation is not allowed in decimal \"1e5\""
        );
        assert_eq!(
            Decimal::parse("").unwrap_err().to_string(),
            "empty string is not a decimal"
        );
        assert_eq!(
            Decimal::parse("1x").unwrap_err().to_string(),
            "unexpected character 'x' in decimal \"1x\""
        );
        let long = format!("1{}", "é".repeat(1000));
        let e = Decimal::parse(&long).unwrap_err();
        assert!(e.text().len() <= MAX_QUOTED + '…'.len_utf8());
        assert!(e.text().ends_with('…'));
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(d("1.5").checked_add(d("0.25")), Some(d("1.75")));
        assert_eq!(d("1.5").checked_sub(d("0.25")), Some(d("1.25")));
        assert_eq!(d("1").checked_sub(d("2")), None);
        assert_eq!(
            Decimal::from_units(u128::MAX).checked_add(d("0.000000000000000001")),
            None
        );
        assert_eq!(d("5").half(), d("2.5"));
        assert_eq!(Decimal::from_units(3).half(), Decimal::from_units(1)); // rounds down
    }

    proptest::proptest! {
        /// The chunked printing agrees with printing by u128 division, at every magnitude.
        #[test]
        fn prints_what_u128_division_gives(units: u128, shift in 0u32..128) {
            let units = units >> shift;
            let (int, frac) = (units / ONE, units % ONE);
            let mut expected = int.to_string();
            if frac > 0 {
                expected.push('.');
                expected.push_str(format!("{frac:018}").trim_end_matches('0'));
            }
            proptest::prop_assert_eq!(Decimal::from_units(units).to_string(), expected);
        }
    }
}
