//! A JSON number's value where one exact operation gives it, and whether the others round to a
//! finite `f64`, both decided from the digits alone.
//!
//! The decoder leaves a long float's rounding to JS (`Number(text)` rounds exactly as
//! `JSON.parse` does), so the wasm needs no float parser (Rust's own is 16 KB of code and
//! tables); a number JS would read as `Infinity` is refused.

/// The largest integer below which every integer is an `f64`: 2^53.
const MAX_EXACT_DIGITS: u64 = 1 << 53;

/// The powers of ten an `f64` holds exactly.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of `text`, a valid JSON number, when its digits as an integer are at most 2^53 and
/// its power of ten at most 22 either way: both are then exact, and one multiplication or
/// division rounds correctly, to what `JSON.parse` gives. `None` for other numbers.
pub fn exact_value(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut digits: u64 = 0;
    let mut scale: i64 = 0;
    // JSON's order: digits, then a fraction's, then an exponent.
    let mut in_fraction = false;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'0'..=b'9' => {
                // Below 2^53 before, so no overflow here.
                digits = digits * 10 + u64::from(byte - b'0');
                if digits > MAX_EXACT_DIGITS {
                    return None;
                }
                scale -= i64::from(in_fraction);
            }
            b'.' => in_fraction = true,
            _ => break,
        }
        at += 1;
    }
    if let Some(exponent) = bytes.get(at + 1..) {
        // After `e` or `E`: a sign, then digits; more than two digits is past the exact range.
        let (negative_exponent, exponent) = match exponent {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            rest => (false, rest),
        };
        if exponent.len() > 2 {
            return None;
        }
        let value = exponent
            .iter()
            .fold(0, |value, &digit| value * 10 + i64::from(digit - b'0'));
        scale += if negative_exponent { -value } else { value };
    }
    let magnitude = match POWERS_OF_TEN.get(scale.unsigned_abs() as usize) {
        _ if digits == 0 => 0.0,
        Some(power) if scale < 0 => digits as f64 / power,
        Some(power) => digits as f64 * power,
        None => return None,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// The digits of 2^1024 - 2^970, the smallest magnitude that rounds to infinity: it lies halfway
/// between `f64::MAX` and 2^1024, and a tie rounds to the even neighbour, 2^1024. It has 309
/// digits before its decimal point.
const OVERFLOW_DIGITS: &[u8] =
    b"17976931348623158079372897140530341507993413271003782693617377898044496829276\
    47509466490179775872070963302864166928879109465555478519404026306574886715058\
    20681908902000708383676273854845817711531764475730270069855571366959622842914\
    819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// The power of ten that puts the decimal point before [`OVERFLOW_DIGITS`].
const OVERFLOW_POINT: i64 = 309;

/// Whether `text` is a JSON number: `-`?, `0` or digits not starting with `0`, then an optional
/// `.` with digits and an optional exponent (`e`/`E`, a sign, digits).
pub fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count()
    };
    let whole = digits(at);
    if whole == 0 || (whole > 1 && bytes[at] == b'0') {
        return false;
    }
    at += whole;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == 0 {
            return false;
        }
        at += exponent;
    }
    at == bytes.len()
}

/// Whether `text`, a valid JSON number (`-`, digits, an optional fraction and exponent), rounds to
/// a finite `f64`. Underflow is finite: a tiny number reads as zero, in JS too. One pass over the
/// bytes: the magnitude is 0.D × 10^point, D being the digits from the first non-zero one.
pub fn rounds_to_finite(text: &str) -> bool {
    let mut point: i64 = 0;
    let mut significant = 0usize;
    // Whether D is below the limit's digits, once a digit differs.
    let mut below: Option<bool> = None;
    let (mut in_fraction, mut in_exponent, mut negative_exponent) = (false, false, false);
    let mut exponent: i64 = 0;
    for &byte in text.as_bytes() {
        match byte {
            b'0'..=b'9' if in_exponent => {
                // Saturating: any exponent past the range of `f64` decides the same way.
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(byte - b'0'));
            }
            b'0' if significant == 0 => point -= i64::from(in_fraction),
            b'0'..=b'9' => {
                point += i64::from(!in_fraction);
                if below.is_none() {
                    if let Some(&limit) = OVERFLOW_DIGITS.get(significant) {
                        if byte != limit {
                            below = Some(byte < limit);
                        }
                    }
                }
                significant += 1;
            }
            b'.' => in_fraction = true,
            b'e' | b'E' => in_exponent = true,
            b'-' => negative_exponent = in_exponent,
            _ => {}
        }
    }
    if significant == 0 {
        return true;
    }
    let exponent = if negative_exponent {
        -exponent
    } else {
        exponent
    };
    let point = point.saturating_add(exponent);
    if point != OVERFLOW_POINT {
        return point < OVERFLOW_POINT;
    }
    // D is a prefix of the limit's digits (or all of them, and maybe more: at least the limit).
    below.unwrap_or(significant < OVERFLOW_DIGITS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_are_read_exactly_and_others_left_to_js() {
        for text in [
            "0",
            "-0",
            "0.0004",
            "-2E-3",
            "8.25",
            "1e22",
            "9007199254740992",
            "123.456e-19",
            "0.1",
            "-1.5e+3",
            "4503599627370497e-16",
            "0e-5",
        ] {
            let value = exact_value(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                value.to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
        }
        for text in [
            "9007199254740993",
            "1e007",
            "0e999999",
            "1e23",
            "1e-23",
            "2.3333333333333333e+117",
            "1e400",
        ] {
            assert_eq!(exact_value(text), None, "{text}");
        }
    }

    #[test]
    fn the_overflow_limit_is_the_halfway_point_above_the_largest_float() {
        assert_eq!(OVERFLOW_DIGITS.len() as i64, OVERFLOW_POINT);
        // Rust's parser (native tests only) rounds as JS does: check against it on both sides.
        let limit = std::str::from_utf8(OVERFLOW_DIGITS).unwrap();
        assert_eq!(limit.parse::<f64>(), Ok(f64::INFINITY));
        // One unit below it (its last digit is a 2) rounds down to the largest float.
        let below = format!("{}1", &limit[..308]);
        assert_eq!(below.parse::<f64>(), Ok(f64::MAX));
        assert!(rounds_to_finite(&below));
    }

    #[test]
    fn every_form_of_a_number_near_the_limit_decides_as_rusts_parser_does() {
        let limit = std::str::from_utf8(OVERFLOW_DIGITS).unwrap();
        let mut mantissas = vec![
            "1".to_owned(),
            "17976931348623157".to_owned(),
            "18".to_owned(),
        ];
        for cut in [20, 100, 308, 309] {
            mantissas.push(limit[..cut].to_owned());
        }
        mantissas.push(format!("{}1", &limit[..308]));
        mantissas.push(format!("{limit}000"));
        mantissas.push(format!("{limit}001"));
        for digits in &mantissas {
            for point in 306..=311i64 {
                let length = digits.len() as i64;
                for text in [
                    format!("0.{digits}e{point}"),
                    format!("-0.000{digits}E+{}", point + 3),
                    format!("{digits}e{}", point - length),
                    format!("{}.{}e{}", &digits[..1], &digits[1..], point - 1),
                ] {
                    let expected = text.parse::<f64>().unwrap().is_finite();
                    assert_eq!(rounds_to_finite(&text), expected, "{text}");
                }
            }
        }
    }

    #[test]
    fn finite_numbers_are_told_from_ones_that_round_to_infinity() {
        let limit = std::str::from_utf8(OVERFLOW_DIGITS).unwrap();
        let just_below = format!("{}.{}e308", &limit[..1], &limit[1..308]);
        let at = format!("0.{limit}e309");
        let above = format!("{limit}0001e-4");
        for text in [
            "0",
            "-0",
            "0.0",
            "0e999999",
            "5",
            "-2E-3",
            "0.0004",
            "1e308",
            "1.7976931348623157e308",
            "-1.7976931348623157e308",
            "1.7976931348623158e308",
            "179769313486231580793e288",
            "1e-400",
            "0.000001e-99999999999999999999999",
            &just_below,
        ] {
            assert!(rounds_to_finite(text), "{text}");
            assert!(text.parse::<f64>().unwrap().is_finite(), "{text}");
        }
        for text in [
            "1e309",
            "-1e309",
            "1e400",
            "1.8e308",
            "1.7976931348623159e308",
            "10e308",
            "0.1e310",
            "1e99999999999999999999999",
            &at,
            limit,
            &above,
        ] {
            assert!(!rounds_to_finite(text), "{text}");
            assert!(text.parse::<f64>().unwrap().is_infinite(), "{text}");
        }
    }

    #[test]
    fn json_number_syntax() {
        for good in ["0", "-0", "12", "1.5", "-1.25e-3", "1E+400", "0.0e0"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "--1", "1.2.3", "+1", "1e5e5",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }
}
