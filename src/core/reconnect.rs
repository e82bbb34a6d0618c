//! When to reconnect after a dropped connection, and when to give up.
//!
//! Delays are in seconds, like the options of the Python package and of the JS `ReconnectPolicy`.
//! There is no clock and no random source in here: the caller passes `random01` (JS
//! `Math.random()`), so every sequence is deterministic under test and identical natively and in
//! WebAssembly. Every input is sanitised instead of trusted, because a panic in wasm kills the module.

use std::fmt;

/// A `ReconnectPolicy` option that was rejected. `Display` names the option as JS users spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyError {
    MaxRetries,
    BaseDelay,
    MaxDelay,
    Jitter,
}

impl PolicyError {
    /// The option's JS name (`maxRetries`, `baseDelay`, `maxDelay`, `jitter`).
    pub fn field(&self) -> &'static str {
        match self {
            PolicyError::MaxRetries => "maxRetries",
            PolicyError::BaseDelay => "baseDelay",
            PolicyError::MaxDelay => "maxDelay",
            PolicyError::Jitter => "jitter",
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::MaxRetries => {
                write!(f, "maxRetries must be a non-negative integer or null")
            }
            other => write!(f, "{} must be a finite number >= 0", other.field()),
        }
    }
}

impl std::error::Error for PolicyError {}

/// How to retry: the delay before the 1-based retry `n` is
/// `min(max_delay, base_delay * 2^(n-1)) + random01 * jitter` seconds.
///
/// The fields are private so that a policy, once built, always holds validated values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconnectPolicy {
    enabled: bool,
    /// `None` retries forever.
    max_retries: Option<u32>,
    base_delay: f64,
    max_delay: f64,
    jitter: f64,
}

impl Default for ReconnectPolicy {
    /// The Python package's defaults: retry forever, 1 s doubling up to 30 s, plus up to 1 s jitter.
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            max_retries: None,
            base_delay: 1.0,
            max_delay: 30.0,
            jitter: 1.0,
        }
    }
}

/// The largest f64 below 1: a `random01` of 1 or more is taken as this, the top of `[0, 1)`.
const BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

impl ReconnectPolicy {
    /// Validates options as they come from JS (numbers are f64 there, `null` is `None`).
    ///
    /// A `max_retries` beyond `u32::MAX` is kept as `u32::MAX`: the retry counter cannot pass it,
    /// so such a policy behaves as "forever", which is what so large a number asks for anyway.
    pub fn new(
        enabled: bool,
        max_retries: Option<f64>,
        base_delay: f64,
        max_delay: f64,
        jitter: f64,
    ) -> Result<Self, PolicyError> {
        let max_retries = match max_retries {
            None => None,
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => {
                // `as` saturates (never panics), which is exactly the clamp documented above.
                Some(n as u32)
            }
            Some(_) => return Err(PolicyError::MaxRetries),
        };
        Ok(ReconnectPolicy {
            enabled,
            max_retries,
            base_delay: non_negative(base_delay, PolicyError::BaseDelay)?,
            max_delay: non_negative(max_delay, PolicyError::MaxDelay)?,
            jitter: non_negative(jitter, PolicyError::Jitter)?,
        })
    }

    /// A policy that never retries (the JS `reconnect: false` option).
    pub fn disabled() -> Self {
        ReconnectPolicy {
            enabled: false,
            ..ReconnectPolicy::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn max_retries(&self) -> Option<u32> {
        self.max_retries
    }

    pub fn base_delay(&self) -> f64 {
        self.base_delay
    }

    pub fn max_delay(&self) -> f64 {
        self.max_delay
    }

    pub fn jitter(&self) -> f64 {
        self.jitter
    }

    /// Whether the 1-based retry `retry` may be attempted.
    pub fn allows(&self, retry: u32) -> bool {
        self.enabled && self.max_retries.is_none_or(|max| retry <= max)
    }

    /// Seconds to wait before the 1-based retry `retry` (0 is treated as 1).
    ///
    /// `random01` should be uniform in `[0, 1)`; NaN and negatives count as 0, and 1 or more as
    /// just below 1. The result is always finite and `>= 0`, and at most `backoff + jitter` (f64
    /// rounding can make `1 + 0.9999999999999999 * 1` exactly 2, as it would in JS).
    pub fn delay(&self, retry: u32, random01: f64) -> f64 {
        // Double step by step instead of computing 2^(n-1): we can stop as soon as the cap is
        // reached (at most ~2100 doublings take even the smallest f64 past any finite cap), so
        // n = u32::MAX costs nothing and nothing overflows. A zero base never grows, so it stops
        // at once too.
        let mut grown = self.base_delay;
        for _ in 1..retry {
            if grown == 0.0 || grown >= self.max_delay {
                break;
            }
            grown *= 2.0;
        }
        let backoff = grown.min(self.max_delay);
        let unit = if random01 >= 0.0 {
            random01.min(BELOW_ONE)
        } else {
            0.0
        }; // NaN fails `>=`
           // Two huge (but valid) options could add up to infinity; a finite answer is easier to use.
        (backoff + unit * self.jitter).min(f64::MAX)
    }
}

/// Options are JS numbers: reject NaN, infinities and negatives, and fold -0 into +0.
fn non_negative(value: f64, error: PolicyError) -> Result<f64, PolicyError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value + 0.0) // -0 + 0 is +0 in IEEE arithmetic
    } else {
        Err(error)
    }
}

/// The retry state of one stream: how many attempts have failed in a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn new() -> Self {
        Backoff::default()
    }

    /// Consecutive failures so far; after `next` returned `Some`, this is the retry number.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A connection succeeded: the next failure starts the sequence again from `base_delay`.
    pub fn on_connected(&mut self) {
        self.failures = 0;
    }

    /// Counts one more failure and returns the seconds to sleep before retrying, or `None` when
    /// the policy gives up (disabled, or `max_retries` used up). Once it gave up it keeps giving
    /// up until `on_connected`.
    pub fn next(&mut self, policy: &ReconnectPolicy, random01: f64) -> Option<f64> {
        // Saturating: after u32::MAX failures an endless policy just keeps using the cap.
        self.failures = self.failures.saturating_add(1);
        if policy.allows(self.failures) {
            Some(policy.delay(self.failures, random01))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(max_retries: Option<f64>, base: f64, max: f64, jitter: f64) -> ReconnectPolicy {
        match ReconnectPolicy::new(true, max_retries, base, max, jitter) {
            Ok(p) => p,
            Err(e) => panic!("valid options rejected: {e}"),
        }
    }

    #[test]
    fn default_matches_python_package() {
        let p = ReconnectPolicy::default();
        assert!(p.enabled());
        assert_eq!(p.max_retries(), None);
        assert_eq!(
            (p.base_delay(), p.max_delay(), p.jitter()),
            (1.0, 30.0, 1.0)
        );
        assert_eq!(ReconnectPolicy::new(true, None, 1.0, 30.0, 1.0), Ok(p));
    }

    #[test]
    fn rejects_bad_numbers_naming_the_option() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, -1e-300] {
            assert_eq!(
                ReconnectPolicy::new(true, None, bad, 30.0, 1.0),
                Err(PolicyError::BaseDelay)
            );
            assert_eq!(
                ReconnectPolicy::new(true, None, 1.0, bad, 1.0),
                Err(PolicyError::MaxDelay)
            );
            assert_eq!(
                ReconnectPolicy::new(true, None, 1.0, 30.0, bad),
                Err(PolicyError::Jitter)
            );
            assert_eq!(
                ReconnectPolicy::new(true, Some(bad), 1.0, 30.0, 1.0),
                Err(PolicyError::MaxRetries)
            );
        }
        assert_eq!(
            ReconnectPolicy::new(true, Some(1.5), 1.0, 30.0, 1.0),
            Err(PolicyError::MaxRetries)
        );
        // The first bad option is reported.
        assert_eq!(
            ReconnectPolicy::new(true, None, f64::NAN, f64::NAN, 1.0),
            Err(PolicyError::BaseDelay)
        );
    }

    #[test]
    fn error_messages_name_the_js_option() {
        assert_eq!(
            PolicyError::BaseDelay.to_string(),
            "baseDelay must be a finite number >= 0"
        );
        assert_eq!(
            PolicyError::MaxDelay.to_string(),
            "maxDelay must be a finite number >= 0"
        );
        assert_eq!(
            PolicyError::Jitter.to_string(),
            "jitter must be a finite number >= 0"
        );
        assert_eq!(
            PolicyError::MaxRetries.to_string(),
            "maxRetries must be a non-negative integer or null"
        );
        assert_eq!(PolicyError::MaxRetries.field(), "maxRetries");
    }

    #[test]
    fn accepts_edge_values() {
        let p = policy(Some(0.0), 0.0, 0.0, 0.0);
        assert_eq!(p.max_retries(), Some(0));
        // -0 is a valid zero and is stored as +0.
        let p = policy(Some(-0.0), -0.0, -0.0, -0.0);
        assert_eq!(p.max_retries(), Some(0));
        assert!(p.base_delay().is_sign_positive() && p.jitter().is_sign_positive());
        // An integer too large for u32 means "practically forever".
        assert_eq!(
            policy(Some(1e20), 1.0, 30.0, 1.0).max_retries(),
            Some(u32::MAX)
        );
        assert_eq!(
            policy(Some(4294967295.0), 1.0, 30.0, 1.0).max_retries(),
            Some(u32::MAX)
        );
    }

    #[test]
    fn delay_doubles_up_to_the_cap() {
        let p = ReconnectPolicy::default();
        let delays: Vec<f64> = (1..=8).map(|n| p.delay(n, 0.0)).collect();
        assert_eq!(delays, [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]);
        assert_eq!(p.delay(0, 0.0), 1.0, "retry 0 counts as the first");
        assert_eq!(p.delay(u32::MAX, 0.0), 30.0);
        // A cap below the base wins from the first retry (min, as documented).
        assert_eq!(policy(None, 10.0, 3.0, 0.0).delay(1, 0.0), 3.0);
    }

    #[test]
    fn delay_never_overflows() {
        // Zero base stays zero; no 0 * infinity = NaN.
        assert_eq!(policy(None, 0.0, 30.0, 0.0).delay(u32::MAX, 0.0), 0.0);
        // The smallest base still reaches a cap of f64::MAX without becoming infinite.
        let tiny = policy(None, 5e-324, f64::MAX, 0.0);
        assert_eq!(tiny.delay(u32::MAX, 0.0), f64::MAX);
        assert_eq!(tiny.delay(11, 0.0), 5e-324 * 1024.0, "exact powers of two");
        // Huge delays plus huge jitter stay finite.
        let huge = policy(None, f64::MAX, f64::MAX, f64::MAX);
        for n in [1, 2, 1000, u32::MAX] {
            let d = huge.delay(n, 0.99);
            assert!(d.is_finite() && d == f64::MAX, "{d}");
        }
    }

    #[test]
    fn jitter_is_within_zero_and_jitter() {
        let p = policy(None, 1.0, 30.0, 2.5);
        for i in 0..1000 {
            let r = f64::from(i) / 1000.0;
            let d = p.delay(3, r);
            assert!((4.0..6.5).contains(&d), "retry 3 with random {r}: {d}");
        }
        assert_eq!(p.delay(3, 0.5), 4.0 + 1.25);
    }

    #[test]
    fn bad_random_values_are_clamped() {
        let p = policy(None, 1.0, 30.0, 1.0);
        for r in [f64::NAN, -1.0, f64::NEG_INFINITY, -0.0] {
            assert_eq!(p.delay(1, r), 1.0, "random {r}");
        }
        for r in [1.0, 1.5, f64::INFINITY, f64::MAX] {
            // 1 + 0.9999999999999999 rounds to 2 in f64, as it would for Math.random() itself.
            let d = p.delay(1, r);
            assert!((1.999..=2.0).contains(&d), "random {r}: {d}");
        }
        // With a jitter large enough to see the difference, 1.0 stays strictly below `jitter`.
        let wide = policy(None, 0.0, 0.0, 1e6);
        assert!(wide.delay(1, 1.0) < 1e6);
    }

    #[test]
    fn allows_follows_enabled_and_max_retries() {
        let forever = ReconnectPolicy::default();
        assert!(forever.allows(1) && forever.allows(u32::MAX));
        let three = policy(Some(3.0), 1.0, 30.0, 1.0);
        assert!(three.allows(1) && three.allows(3));
        assert!(!three.allows(4) && !three.allows(u32::MAX));
        assert!(!policy(Some(0.0), 1.0, 30.0, 1.0).allows(1));
        assert!(!ReconnectPolicy::disabled().allows(1));
        let off = ReconnectPolicy::new(false, None, 1.0, 30.0, 1.0);
        assert_eq!(off.map(|p| p.allows(1)), Ok(false));
    }

    #[test]
    fn backoff_sequence_and_reset() {
        let p = ReconnectPolicy::default();
        let mut b = Backoff::new();
        let seq: Vec<Option<f64>> = (0..7).map(|_| b.next(&p, 0.0)).collect();
        let want = [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0].map(Some);
        assert_eq!(seq, want);
        assert_eq!(b.failures(), 7);
        b.on_connected();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next(&p, 0.0), Some(1.0), "a success starts over");
        assert_eq!(b.next(&p, 0.0), Some(2.0));
    }

    #[test]
    fn backoff_gives_up_after_max_retries_and_stays_given_up() {
        let p = policy(Some(2.0), 1.0, 30.0, 0.0);
        let mut b = Backoff::new();
        assert_eq!(b.next(&p, 0.0), Some(1.0));
        assert_eq!(b.next(&p, 0.0), Some(2.0));
        assert_eq!(b.next(&p, 0.0), None);
        assert_eq!(b.next(&p, 0.0), None);
        b.on_connected();
        assert_eq!(b.next(&p, 0.0), Some(1.0));

        let mut never = Backoff::new();
        assert_eq!(never.next(&ReconnectPolicy::disabled(), 0.0), None);
        assert_eq!(never.next(&policy(Some(0.0), 1.0, 30.0, 1.0), 0.0), None);
    }

    #[test]
    fn backoff_jitter_in_range() {
        let p = ReconnectPolicy::default();
        let mut b = Backoff::new();
        let d = b.next(&p, 0.75);
        assert_eq!(d, Some(1.75));
    }

    #[test]
    fn backoff_counter_saturates() {
        let p = ReconnectPolicy::default();
        let mut b = Backoff {
            failures: u32::MAX - 1,
        };
        assert_eq!(b.next(&p, 0.0), Some(30.0));
        assert_eq!(b.next(&p, 0.0), Some(30.0));
        assert_eq!(b.failures(), u32::MAX);
        // A max_retries of u32::MAX is reached, but never passed, by the saturated counter.
        let max = policy(Some(1e20), 1.0, 30.0, 0.0);
        assert_eq!(b.next(&max, 0.0), Some(30.0));
    }
}
