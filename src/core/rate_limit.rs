//! Client-side rate limits, so that MAX never has a reason to punish our IP.
//!
//! MAX punishes, per IP, more than 20 request messages a second or 200 a minute, and more than
//! 600 connections an hour or 1440 a day; a handshake answered HTTP 429 carries `Retry-After`, and
//! connecting before it prolongs the ban. Everything here is plain bookkeeping: no clock and no
//! timer. Every time is a `now_ms: f64` from the caller (ms since the epoch, JS `Date.now()`), every
//! wait is returned as milliseconds for the caller to sleep, and nothing panics on any `f64`.

use std::fmt;

use super::list::take_at;

/// The largest time a JS `Date` can hold, in ms. Beyond it (and for NaN or infinities) a `now` is
/// not a time at all; trusting it would either freeze the limiter for ages or, once `x + window`
/// rounds back to `x`, stop it from limiting anything.
const MAX_TIME_MS: f64 = 8.64e15;

/// The longest ban one `Retry-After` can impose, in ms. MAX's longest window is a day; a longer
/// (or absurd, say year 3000) value is more likely a mistake than a real ban, and if the server
/// does mean longer it answers 429 again and we wait another day.
pub const MAX_BAN_MS: f64 = 86_400_000.0;

/// `Retry-After` numbers below this are delta-seconds (HTTP's standard form), from it on Unix
/// seconds (MAX's form). 10^9 s is 31 years as a delay and September 2001 as a date, so neither
/// reading is plausible for the other form.
pub const UNIX_SECONDS_FROM: f64 = 1e9;

/// A limiter's option that was rejected. `Display` names the option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitError {
    /// The named limit is 0, which would block forever.
    ZeroLimit(&'static str),
    /// The named window is NaN, infinite, zero or negative.
    BadWindow(&'static str),
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::ZeroLimit(field) => write!(f, "{field} must be an integer >= 1"),
            LimitError::BadWindow(field) => write!(f, "{field} must be a finite number > 0"),
        }
    }
}

impl std::error::Error for LimitError {}

/// The time a limiter works with: `now_ms`, except that it never goes back before the `latest`
/// event recorded (a clock adjusted backwards must not reopen a window that is in fact still
/// full), and that a value which is not a time at all counts as "no time has passed".
fn effective_now(now_ms: f64, latest: Option<f64>) -> f64 {
    let valid = now_ms.is_finite() && now_ms.abs() <= MAX_TIME_MS;
    match (valid, latest) {
        (true, Some(latest)) => now_ms.max(latest),
        (true, None) => now_ms,
        (false, Some(latest)) => latest,
        // Nothing recorded yet, so the window is empty whatever time it is; 0 is as good as any.
        (false, None) => 0.0,
    }
}

/// At most `limit` events in any `window_ms`-long interval.
///
/// An event at `t` counts while `now` is in `[t, t + window_ms)`, i.e. the window at `now` is
/// `(now - window_ms, now]`. Only the latest `limit` events are kept: a new one is allowed exactly
/// when the oldest of those has left the window, so older ones can never matter again.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingWindow {
    limit: usize,
    window_ms: f64,
    /// Effective times of the latest events, oldest first, never decreasing. A `Vec`: it holds
    /// at most `limit` (20 or 200 for MAX's) and shifts once per request, where a ring buffer
    /// would cost the wasm its code.
    sent: Vec<f64>,
}

impl SlidingWindow {
    pub fn new(limit: usize, window_ms: f64) -> Result<Self, LimitError> {
        Self::named(limit, window_ms, "limit", "window_ms")
    }

    /// `new` for a caller whose options have other names, so errors name the caller's option.
    fn named(
        limit: usize,
        window_ms: f64,
        limit_name: &'static str,
        window_name: &'static str,
    ) -> Result<Self, LimitError> {
        if limit == 0 {
            return Err(LimitError::ZeroLimit(limit_name));
        }
        if !(window_ms.is_finite() && window_ms > 0.0) {
            return Err(LimitError::BadWindow(window_name));
        }
        // No `with_capacity(limit)`: a huge limit must not allocate (or abort) up front.
        Ok(SlidingWindow {
            limit,
            window_ms,
            sent: Vec::new(),
        })
    }

    /// For the built-in, known-good limits.
    fn fixed(limit: usize, window_ms: f64) -> Self {
        SlidingWindow {
            limit,
            window_ms,
            sent: Vec::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn window_ms(&self) -> f64 {
        self.window_ms
    }

    /// Milliseconds until one more event is allowed: 0 when it is allowed now. Always finite and
    /// `>= 0`; at most `window_ms` (but see the rounding note inside). Out of line: four windows
    /// share one copy.
    #[inline(never)]
    pub fn delay_ms(&self, now_ms: f64) -> f64 {
        let now = effective_now(now_ms, self.latest());
        let oldest = match self.sent.first() {
            Some(&oldest) if self.sent.len() >= self.limit => oldest,
            _ => return 0.0,
        };
        // Decided on the difference, the very expression anyone checking the guarantee computes:
        // `now >= oldest + window` would let `oldest + window` round down and admit an event a
        // hair too early.
        if now - oldest >= self.window_ms {
            return 0.0;
        }
        // For the same reason the plain difference may come out 0, or too small to move `now`
        // at all; a wait must always make progress, so it is at least one unit of `now`'s last
        // place (<= 1 ms for any real time).
        (oldest + self.window_ms - now)
            .max(now.abs() * f64::EPSILON)
            .max(f64::MIN_POSITIVE)
    }

    /// Records an event that happened at `now_ms` (at the latest recorded time if `now_ms` is
    /// earlier or not a time). Recording only when `delay_ms` is 0 keeps the guarantee; an event
    /// recorded anyway is still counted, since it did happen.
    #[inline(never)]
    pub fn record(&mut self, now_ms: f64) {
        let now = effective_now(now_ms, self.latest());
        self.sent.push(now);
        // One event in, so at most one over the limit: the oldest goes.
        if self.sent.len() > self.limit {
            take_at(&mut self.sent, 0);
        }
    }

    fn latest(&self) -> Option<f64> {
        self.sent.last().copied()
    }
}

/// MAX's request-message limits: 20 a second and 200 a minute, both at once.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestLimiter {
    per_second: SlidingWindow,
    per_minute: SlidingWindow,
}

impl Default for RequestLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestLimiter {
    pub const PER_SECOND: usize = 20;
    pub const PER_MINUTE: usize = 200;
    /// How much longer than MAX's 1 s and 60 s our windows are. MAX counts a request when it
    /// arrives, we when we send it, and transit times differ from request to request: with
    /// windows of exactly MAX's length, a request held up on the way lands in the same server
    /// second as the twentieth one after it (the soak saw this against the simulator, with
    /// delays of 1 to 90 ms on one machine). Requests spread over 1.5 s on our side arrive
    /// within MAX's 1 s only if their transit times differ by more than 500 ms, which covers a
    /// TCP retransmission (200 ms or more). It costs little: bursts of 20 still go at once, and
    /// the minute's 200 bound the long-run rate far below 20 a second anyway.
    pub const TRANSIT_MARGIN_MS: f64 = 500.0;
    const SECOND_MS: f64 = 1_000.0 + Self::TRANSIT_MARGIN_MS;
    const MINUTE_MS: f64 = 60_000.0 + Self::TRANSIT_MARGIN_MS;

    pub fn new() -> Self {
        RequestLimiter {
            per_second: SlidingWindow::fixed(Self::PER_SECOND, Self::SECOND_MS),
            per_minute: SlidingWindow::fixed(Self::PER_MINUTE, Self::MINUTE_MS),
        }
    }

    /// Other limits over the same windows (tests, or a more cautious client).
    pub fn with_limits(per_second: usize, per_minute: usize) -> Result<Self, LimitError> {
        Ok(RequestLimiter {
            per_second: SlidingWindow::named(
                per_second,
                Self::SECOND_MS,
                "per_second",
                "window_ms",
            )?,
            per_minute: SlidingWindow::named(
                per_minute,
                Self::MINUTE_MS,
                "per_minute",
                "window_ms",
            )?,
        })
    }

    /// Milliseconds until one more message may be sent (0: now); at most 60 000.
    pub fn delay_ms(&self, now_ms: f64) -> f64 {
        self.per_second
            .delay_ms(now_ms)
            .max(self.per_minute.delay_ms(now_ms))
    }

    /// Records a message sent at `now_ms`.
    pub fn record(&mut self, now_ms: f64) {
        self.per_second.record(now_ms);
        self.per_minute.record(now_ms);
    }
}

/// Outbound messages waiting for the request limiter, in order. Nothing is ever dropped or
/// reordered: a message leaves only through `pop_ready` (or all of them through `clear`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundQueue<T> {
    /// Oldest first. Few wait (a burst of subscriptions is coalesced), so a `Vec` does.
    waiting: Vec<T>,
}

// Written out because `#[derive(Default)]` would needlessly require `T: Default`.
impl<T> Default for OutboundQueue<T> {
    fn default() -> Self {
        OutboundQueue {
            waiting: Vec::new(),
        }
    }
}

impl<T> OutboundQueue<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a message behind those already waiting.
    pub fn push(&mut self, message: T) {
        self.waiting.push(message);
    }

    /// The front message, if the limiter allows a send at `now_ms`; the send is recorded in the
    /// limiter, so the caller must really send what it gets. Call repeatedly to drain a burst.
    pub fn pop_ready(&mut self, limiter: &mut RequestLimiter, now_ms: f64) -> Option<T> {
        if self.waiting.is_empty() || limiter.delay_ms(now_ms) > 0.0 {
            return None;
        }
        let message = take_at(&mut self.waiting, 0)?;
        limiter.record(now_ms);
        Some(message)
    }

    /// `None` when nothing waits; otherwise milliseconds until the front message may go (0: now).
    pub fn next_ready_in_ms(&self, limiter: &RequestLimiter, now_ms: f64) -> Option<f64> {
        if self.waiting.is_empty() {
            None
        } else {
            Some(limiter.delay_ms(now_ms))
        }
    }

    /// The last waiting message, so a caller can coalesce a new one into it instead of queueing
    /// another request (order is unchanged: nothing stands behind the last one).
    pub fn back_mut(&mut self) -> Option<&mut T> {
        self.waiting.last_mut()
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Forgets every waiting message (for a stream that is closed for good).
    pub fn clear(&mut self) {
        self.waiting.clear();
    }
}

/// MAX's connection limits (600 an hour and 1440 a day, both at once) plus a server-imposed ban.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionBudget {
    per_hour: SlidingWindow,
    per_day: SlidingWindow,
    /// No connection attempt before this time (ms since the epoch).
    banned_until_ms: Option<f64>,
}

impl Default for ConnectionBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnectionBudget {
    pub const PER_HOUR: usize = 600;
    pub const PER_DAY: usize = 1440;
    const HOUR_MS: f64 = 3_600_000.0;
    const DAY_MS: f64 = 86_400_000.0;

    pub fn new() -> Self {
        ConnectionBudget {
            per_hour: SlidingWindow::fixed(Self::PER_HOUR, Self::HOUR_MS),
            per_day: SlidingWindow::fixed(Self::PER_DAY, Self::DAY_MS),
            banned_until_ms: None,
        }
    }

    /// Other limits over the same hour and day windows.
    pub fn with_limits(per_hour: usize, per_day: usize) -> Result<Self, LimitError> {
        Ok(ConnectionBudget {
            per_hour: SlidingWindow::named(per_hour, Self::HOUR_MS, "per_hour", "window_ms")?,
            per_day: SlidingWindow::named(per_day, Self::DAY_MS, "per_day", "window_ms")?,
            banned_until_ms: None,
        })
    }

    /// A `Retry-After` number from an HTTP 429 handshake: Unix seconds (MAX's form), or
    /// delta-seconds from `now_ms` when below [`UNIX_SECONDS_FROM`]. Garbage is ignored.
    pub fn on_retry_after(&mut self, seconds: f64, now_ms: f64) {
        if let Some(until_ms) = retry_after_to_ms(seconds, now_ms) {
            self.ban_until(until_ms, now_ms);
        }
    }

    /// No connection attempt before `until_ms` (e.g. from [`parse_retry_after`]). A ban only
    /// ever grows, is capped at [`MAX_BAN_MS`] from now, and a non-finite `until_ms` is ignored.
    pub fn ban_until(&mut self, until_ms: f64, now_ms: f64) {
        if !until_ms.is_finite() {
            return;
        }
        let now = effective_now(now_ms, self.per_hour.latest());
        let until = until_ms.min(now + MAX_BAN_MS);
        self.banned_until_ms = Some(self.banned_until_ms.map_or(until, |old| old.max(until)));
    }

    /// The current ban's end (ms since the epoch), even if already past.
    pub fn banned_until_ms(&self) -> Option<f64> {
        self.banned_until_ms
    }

    /// Milliseconds until a connection attempt is allowed (0: now): the longest of the hourly
    /// window, the daily window and the ban. Always finite, `>= 0` and at most a day.
    pub fn delay_ms(&self, now_ms: f64) -> f64 {
        let now = effective_now(now_ms, self.per_hour.latest());
        let ban = self
            .banned_until_ms
            .map_or(0.0, |until| (until - now).clamp(0.0, MAX_BAN_MS));
        self.per_hour
            .delay_ms(now_ms)
            .max(self.per_day.delay_ms(now_ms))
            .max(ban)
    }

    /// Records a connection attempt (successful or not: MAX counts handshakes) at `now_ms`.
    pub fn record_attempt(&mut self, now_ms: f64) {
        self.per_hour.record(now_ms);
        self.per_day.record(now_ms);
    }
}

/// Parses an HTTP `Retry-After` value into the time (ms since the epoch) before which no
/// connection should be attempted. Accepts a plain non-negative decimal number of seconds: Unix
/// seconds when at least [`UNIX_SECONDS_FROM`], else delta-seconds from `now_ms`. Anything else
/// (HTTP dates included, which MAX does not send) gives `None`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    // A header value is ASCII: its optional white space is spaces and tabs, no Unicode table.
    retry_after_to_ms(plain_seconds(value.trim_ascii())?, now_ms)
}

/// Digits with at most one dot and at least one digit, read by hand: Rust's float parser would
/// also take "inf", "NaN", "+5" and "1e9" (and add 16 KB to the wasm).
fn plain_seconds(text: &str) -> Option<f64> {
    let (mut number, mut scale, mut digits, mut dot) = (0.0, 1.0, 0, false);
    for &byte in text.as_bytes() {
        match byte {
            b'.' if !dot => dot = true,
            b'0'..=b'9' => {
                digits += 1;
                // Exact while the digits stay below 2^53; past a microsecond they change nothing.
                if dot && scale >= 1e6 {
                    continue;
                }
                if dot {
                    scale *= 10.0;
                }
                number = number * 10.0 + f64::from(byte - b'0');
            }
            _ => return None,
        }
    }
    (digits > 0).then(|| number / scale)
}

/// Seconds in either `Retry-After` form to a finite ms timestamp, or `None` for garbage.
fn retry_after_to_ms(seconds: f64, now_ms: f64) -> Option<f64> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return None;
    }
    let until = if seconds < UNIX_SECONDS_FROM {
        // A delay is relative to now, so it needs a real now.
        if !(now_ms.is_finite() && now_ms.abs() <= MAX_TIME_MS) {
            return None;
        }
        now_ms + seconds * 1000.0
    } else {
        seconds * 1000.0
    };
    // Close to f64::MAX seconds, the product is infinite.
    until.is_finite().then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator (xorshift64*), so tests need no dependency.
    struct Rng(u64);

    impl Rng {
        fn next_f64(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
            (x >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The largest number of `times` (sorted) in any half-open interval of length `window`.
    fn max_in_any_window(times: &[f64], window: f64) -> usize {
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "times must be sorted"
        );
        let mut best = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end] - times[start] >= window {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
        best
    }

    fn window(limit: usize, window_ms: f64) -> SlidingWindow {
        match SlidingWindow::new(limit, window_ms) {
            Ok(w) => w,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn max_in_any_window_helper_counts_correctly() {
        assert_eq!(max_in_any_window(&[0.0, 999.0, 1000.0, 1999.0], 1000.0), 2);
        assert_eq!(max_in_any_window(&[5.0, 5.0, 5.0], 1.0), 3);
        assert_eq!(max_in_any_window(&[], 1.0), 0);
    }

    #[test]
    fn sliding_window_rejects_bad_options() {
        assert_eq!(
            SlidingWindow::new(0, 1000.0),
            Err(LimitError::ZeroLimit("limit"))
        );
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, -5.0] {
            assert_eq!(
                SlidingWindow::new(1, bad),
                Err(LimitError::BadWindow("window_ms"))
            );
        }
        assert_eq!(
            LimitError::BadWindow("window_ms").to_string(),
            "window_ms must be a finite number > 0"
        );
        assert_eq!(
            RequestLimiter::with_limits(20, 0).map(|_| ()),
            Err(LimitError::ZeroLimit("per_minute"))
        );
        assert_eq!(
            LimitError::ZeroLimit("per_minute").to_string(),
            "per_minute must be an integer >= 1"
        );
        assert_eq!(
            ConnectionBudget::with_limits(0, 1).map(|_| ()),
            Err(LimitError::ZeroLimit("per_hour"))
        );
    }

    #[test]
    fn huge_limit_does_not_allocate_up_front() {
        let mut w = window(usize::MAX, f64::MAX);
        w.record(0.0);
        assert_eq!(w.delay_ms(0.0), 0.0);
    }

    #[test]
    fn allows_limit_events_then_waits_for_the_oldest() {
        let mut w = window(3, 1000.0);
        for t in [0.0, 100.0, 200.0] {
            assert_eq!(w.delay_ms(t), 0.0);
            w.record(t);
        }
        assert_eq!(w.delay_ms(200.0), 800.0);
        assert_eq!(w.delay_ms(999.0), 1.0);
        // The window is (now - 1000, now]: the event at 0 is out at exactly 1000.
        assert_eq!(w.delay_ms(1000.0), 0.0);
        w.record(1000.0);
        assert_eq!(
            w.delay_ms(1000.0),
            100.0,
            "now the event at 100 is the oldest"
        );
    }

    #[test]
    fn rounding_never_admits_an_event_early() {
        // 60071.68960637504 + 60000 rounds down to 120071.68960637503, which is less than a
        // window after the oldest event: comparing `now >= oldest + window` would admit it.
        let mut w = window(1, 60_000.0);
        w.record(60_071.689_606_375_04);
        let rounded = 60_071.689_606_375_04 + 60_000.0;
        assert!(rounded - 60_071.689_606_375_04 < 60_000.0);
        let d = w.delay_ms(rounded);
        assert!(d > 0.0 && rounded + d > rounded, "{d}");
        assert_eq!(w.delay_ms(rounded + d), 0.0);
        // At a time where the difference is 0, the wait still moves the clock.
        let mut w = window(1, 1e-300);
        w.record(0.0);
        assert!(w.delay_ms(0.0) > 0.0);
    }

    #[test]
    fn delay_is_bounded_by_the_window() {
        let mut w = window(2, 500.0);
        w.record(10.0);
        w.record(10.0);
        w.record(10.0); // recorded anyway: counted, and still at most a window to wait
        assert_eq!(w.delay_ms(10.0), 500.0);
        assert_eq!(w.delay_ms(-1e15), 500.0);
    }

    #[test]
    fn guarantee_holds_for_random_times() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut w = window(7, 1000.0);
        let mut now = 1.7e12;
        let mut recorded = Vec::new();
        for _ in 0..20_000 {
            now += rng.next_f64() * 120.0;
            if w.delay_ms(now) == 0.0 {
                w.record(now);
                recorded.push(now);
            }
        }
        assert!(recorded.len() > 1000);
        assert_eq!(max_in_any_window(&recorded, 1000.0), 7);
    }

    #[test]
    fn clock_going_backwards_counts_as_no_time_passing() {
        let mut w = window(2, 1000.0);
        w.record(5000.0);
        w.record(5000.0);
        // Clock set back half a second: the window is still full for 1000 ms from 5000.
        assert_eq!(w.delay_ms(4500.0), 1000.0);
        // Backwards while not full: allowed, and recorded at the latest time, not at 4500.
        let mut w = window(2, 1000.0);
        w.record(5000.0);
        assert_eq!(w.delay_ms(4500.0), 0.0);
        w.record(4500.0);
        assert_eq!(w.delay_ms(5999.0), 1.0);
        assert_eq!(w.delay_ms(6000.0), 0.0);
    }

    #[test]
    fn guarantee_holds_with_a_jittery_clock() {
        // A clock that often steps back a little: the effective times (never earlier than the
        // latest record) must still satisfy the limit.
        let mut rng = Rng(42);
        let mut w = window(5, 1000.0);
        let mut now = 1.0e12;
        let mut effective = Vec::new();
        let mut latest = f64::NEG_INFINITY;
        for _ in 0..20_000 {
            now += rng.next_f64() * 150.0 - 50.0;
            if w.delay_ms(now) == 0.0 {
                w.record(now);
                latest = latest.max(now);
                effective.push(latest);
            }
        }
        assert!(effective.len() > 1000);
        assert_eq!(max_in_any_window(&effective, 1000.0), 5);
    }

    #[test]
    fn non_times_are_harmless() {
        let bad = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            f64::MAX,
        ];
        // Before anything is recorded.
        for &t in &bad {
            let w = window(1, 1000.0);
            assert_eq!(w.delay_ms(t), 0.0);
        }
        let mut w = window(2, 1000.0);
        w.record(f64::NAN); // no time known at all: taken as 0
        w.record(100.0);
        assert_eq!(w.delay_ms(100.0), 900.0);
        for &t in &bad {
            let d = w.delay_ms(t);
            assert!(d.is_finite() && (0.0..=1000.0).contains(&d), "{t}: {d}");
            // A non-time is "no time has passed since the latest record".
            assert_eq!(d, 900.0, "{t}");
        }
        // Recording at a non-time neither poisons nor freezes the window.
        let mut w = window(2, 1000.0);
        w.record(100.0);
        w.record(f64::INFINITY);
        assert_eq!(w.delay_ms(500.0), 600.0);
        assert_eq!(w.delay_ms(1100.0), 0.0);
        w.record(1100.0);
        w.record(1100.0);
        assert_eq!(w.delay_ms(1100.0), 1000.0);
    }

    #[test]
    fn request_limiter_applies_both_windows() {
        let mut l = RequestLimiter::new();
        for _ in 0..20 {
            assert_eq!(l.delay_ms(0.0), 0.0);
            l.record(0.0);
        }
        assert_eq!(l.delay_ms(0.0), 1500.0);
        // 200 in ten bursts of 20, 1.5 s apart, then the minute window holds us back.
        let mut t = 0.0;
        let mut sent = 20;
        while sent < 200 {
            t += l.delay_ms(t);
            l.record(t);
            sent += 1;
        }
        assert_eq!(t, 13_500.0);
        assert_eq!(l.delay_ms(t), 47_000.0);
        assert_eq!(l.delay_ms(60_500.0), 0.0);
    }

    #[test]
    fn request_limiter_custom_limits() {
        let mut l = match RequestLimiter::with_limits(2, 3) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        l.record(0.0);
        l.record(0.0);
        assert_eq!(l.delay_ms(0.0), 1500.0);
        l.record(1500.0);
        assert_eq!(l.delay_ms(1500.0), 59_000.0);
    }

    /// Drains `count` numbered messages through a queue, advancing a simulated clock by what the
    /// queue says (plus a random lateness of the timer), and returns (time, message) pairs.
    fn drain(
        limiter: &mut RequestLimiter,
        count: usize,
        lateness_ms: f64,
        seed: u64,
    ) -> Vec<(f64, usize)> {
        let mut rng = Rng(seed);
        let mut queue = OutboundQueue::new();
        for i in 0..count {
            queue.push(i);
        }
        let mut now = 1.7e12;
        let mut sent = Vec::new();
        let mut rounding_retries = 0;
        while let Some(wait) = queue.next_ready_in_ms(limiter, now) {
            now += wait + rng.next_f64() * lateness_ms;
            let before = sent.len();
            while let Some(message) = queue.pop_ready(limiter, now) {
                sent.push((now, message));
            }
            if sent.len() == before {
                // Only f64 rounding may leave the front waiting after a wake-up as told.
                rounding_retries += 1;
            }
        }
        assert!(
            rounding_retries <= count / 10,
            "{rounding_retries} wake-ups for nothing"
        );
        assert!(queue.is_empty());
        sent
    }

    fn check_burst(sent: &[(f64, usize)], count: usize) {
        let order: Vec<usize> = sent.iter().map(|&(_, m)| m).collect();
        assert_eq!(
            order,
            (0..count).collect::<Vec<_>>(),
            "none dropped, none reordered"
        );
        let times: Vec<f64> = sent.iter().map(|&(t, _)| t).collect();
        assert!(max_in_any_window(&times, 1000.0) <= 20);
        assert!(max_in_any_window(&times, 60_000.0) <= 200);
    }

    #[test]
    fn burst_of_1000_through_the_queue_respects_both_limits() {
        let sent = drain(&mut RequestLimiter::new(), 1000, 0.0, 1);
        check_burst(&sent, 1000);
        let times: Vec<f64> = sent.iter().map(|&(t, _)| t).collect();
        // Full use of the budget: exactly 20 a second and 200 a minute.
        assert_eq!(max_in_any_window(&times, 1000.0), 20);
        assert_eq!(max_in_any_window(&times, 60_000.0), 200);
        // 1000 messages take four full (margined) minutes of waiting plus the last bursts.
        assert_eq!(times[999] - times[0], 4.0 * 60_500.0 + 9.0 * 1_500.0);
    }

    #[test]
    fn limits_hold_where_max_counts_them_despite_uneven_transit_times() {
        // The soak's finding: each request delayed on the way by its own 0..500 ms, as MAX
        // receives them, still never 21 in a second or 201 in a minute.
        for seed in 1..6 {
            let mut rng = Rng(seed);
            let sent = drain(&mut RequestLimiter::new(), 1000, 50.0, seed);
            let mut arrivals: Vec<f64> = sent
                .iter()
                .map(|&(t, _)| t + rng.next_f64() * RequestLimiter::TRANSIT_MARGIN_MS)
                .collect();
            arrivals.sort_by(f64::total_cmp);
            assert!(max_in_any_window(&arrivals, 1000.0) <= 20);
            assert!(max_in_any_window(&arrivals, 60_000.0) <= 200);
        }
    }

    #[test]
    fn burst_with_late_timers_respects_both_limits() {
        for seed in 1..6 {
            let sent = drain(&mut RequestLimiter::new(), 1000, 700.0, seed);
            check_burst(&sent, 1000);
        }
    }

    #[test]
    fn queue_interleaved_with_pushes_keeps_order_and_limits() {
        let mut rng = Rng(7);
        let mut limiter = RequestLimiter::new();
        let mut queue = OutboundQueue::new();
        let mut now = 0.0;
        let mut next_id = 0;
        let mut sent = Vec::new();
        for _ in 0..5000 {
            now += rng.next_f64() * 40.0;
            for _ in 0..(rng.next_f64() * 3.0) as usize {
                queue.push(next_id);
                next_id += 1;
            }
            while let Some(m) = queue.pop_ready(&mut limiter, now) {
                sent.push((now, m));
            }
        }
        while let Some(wait) = queue.next_ready_in_ms(&limiter, now) {
            now += wait;
            while let Some(m) = queue.pop_ready(&mut limiter, now) {
                sent.push((now, m));
            }
        }
        assert!(next_id > 4000);
        check_burst(&sent, next_id);
    }

    #[test]
    fn queue_basics() {
        let mut limiter = match RequestLimiter::with_limits(1, 100) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        let mut queue: OutboundQueue<&str> = OutboundQueue::new();
        assert_eq!(queue.next_ready_in_ms(&limiter, 0.0), None);
        assert_eq!(queue.pop_ready(&mut limiter, 0.0), None);
        assert_eq!(
            limiter.delay_ms(0.0),
            0.0,
            "popping nothing records nothing"
        );
        queue.push("a");
        queue.push("b");
        assert_eq!(queue.len(), 2);
        assert_eq!(queue.next_ready_in_ms(&limiter, 0.0), Some(0.0));
        assert_eq!(queue.pop_ready(&mut limiter, 0.0), Some("a"));
        assert_eq!(queue.next_ready_in_ms(&limiter, 250.0), Some(1250.0));
        assert_eq!(queue.pop_ready(&mut limiter, 1000.0), None);
        assert_eq!(queue.len(), 1, "a refused pop keeps the message");
        assert_eq!(queue.pop_ready(&mut limiter, 1500.0), Some("b"));
        queue.push("c");
        queue.clear();
        assert!(queue.is_empty());
        assert_eq!(queue.next_ready_in_ms(&limiter, 5000.0), None);
    }

    #[test]
    fn queue_with_a_backwards_clock_sends_everything_in_order() {
        let mut rng = Rng(99);
        let mut limiter = RequestLimiter::new();
        let mut queue = OutboundQueue::new();
        for i in 0..500 {
            queue.push(i);
        }
        let mut now = 1.7e12;
        let mut latest = f64::NEG_INFINITY;
        let mut effective = Vec::new();
        let mut order = Vec::new();
        let mut wakeups = 0;
        while let Some(wait) = queue.next_ready_in_ms(&limiter, now) {
            wakeups += 1;
            assert!(wakeups < 100_000, "stuck");
            // Every few wake-ups the clock is set back by up to 300 ms.
            let step = rng.next_f64();
            now += if step < 0.2 { -300.0 * step } else { wait };
            while let Some(m) = queue.pop_ready(&mut limiter, now) {
                latest = latest.max(now);
                effective.push(latest);
                order.push(m);
            }
        }
        assert_eq!(order, (0..500).collect::<Vec<_>>());
        assert!(max_in_any_window(&effective, 1000.0) <= 20);
        assert!(max_in_any_window(&effective, 60_000.0) <= 200);
    }

    #[test]
    fn connection_budget_hourly_and_daily_limits() {
        let mut budget = ConnectionBudget::new();
        let mut now = 0.0;
        let mut attempts = Vec::new();
        for _ in 0..2000 {
            now += budget.delay_ms(now);
            budget.record_attempt(now);
            attempts.push(now);
        }
        assert_eq!(max_in_any_window(&attempts, 3_600_000.0), 600);
        assert_eq!(max_in_any_window(&attempts, 86_400_000.0), 1440);
        // 600 at once, 600 an hour later, 240 more, then the day is used up.
        assert_eq!(attempts[600], 3_600_000.0);
        assert_eq!(attempts[1440], 86_400_000.0);
    }

    #[test]
    fn connection_budget_custom_limits() {
        let mut budget = match ConnectionBudget::with_limits(2, 3) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        budget.record_attempt(0.0);
        budget.record_attempt(0.0);
        assert_eq!(budget.delay_ms(0.0), 3_600_000.0);
        budget.record_attempt(3_600_000.0);
        assert_eq!(budget.delay_ms(3_600_000.0), 86_400_000.0 - 3_600_000.0);
    }

    #[test]
    fn retry_after_unix_seconds_and_delta_seconds() {
        let now = 1_700_000_000_000.0;
        let mut budget = ConnectionBudget::new();
        budget.on_retry_after(1_700_000_090.0, now); // Unix seconds: 90 s from now
        assert_eq!(budget.banned_until_ms(), Some(1_700_000_090_000.0));
        assert_eq!(budget.delay_ms(now), 90_000.0);
        assert_eq!(budget.delay_ms(now + 90_000.0), 0.0);

        let mut budget = ConnectionBudget::new();
        budget.on_retry_after(120.0, now); // delta seconds
        assert_eq!(budget.delay_ms(now), 120_000.0);
        assert_eq!(budget.delay_ms(now + 20_000.0), 100_000.0);

        // A Unix time already past (client clock ahead of the server) means no wait.
        let mut budget = ConnectionBudget::new();
        budget.on_retry_after(1_699_999_000.0, now);
        assert_eq!(budget.delay_ms(now), 0.0);
    }

    #[test]
    fn ban_and_windows_combine_by_maximum() {
        let mut budget = match ConnectionBudget::with_limits(1, 10) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        budget.record_attempt(0.0);
        budget.on_retry_after(10.0, 0.0);
        assert_eq!(
            budget.delay_ms(0.0),
            3_600_000.0,
            "the hour window is longer"
        );
        budget.on_retry_after(7200.0, 0.0);
        assert_eq!(budget.delay_ms(0.0), 7_200_000.0, "the ban is longer");
    }

    #[test]
    fn ban_only_grows_and_is_capped() {
        let now = 1_700_000_000_000.0;
        let mut budget = ConnectionBudget::new();
        budget.on_retry_after(600.0, now);
        budget.on_retry_after(60.0, now);
        assert_eq!(
            budget.delay_ms(now),
            600_000.0,
            "a shorter ban does not shorten it"
        );
        // Year 3000 as Unix seconds: capped at a day.
        budget.on_retry_after(32_503_680_000.0, now);
        assert_eq!(budget.delay_ms(now), MAX_BAN_MS);
        budget.ban_until(f64::MAX, now);
        assert_eq!(budget.banned_until_ms(), Some(now + MAX_BAN_MS));
        // Even with the clock far back, the wait never exceeds a day.
        assert_eq!(budget.delay_ms(0.0), MAX_BAN_MS);
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        let mut budget = ConnectionBudget::new();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, f64::MAX] {
            budget.on_retry_after(bad, 1e12);
        }
        budget.ban_until(f64::NAN, 1e12);
        budget.ban_until(f64::INFINITY, 1e12);
        // A delta needs a real now.
        budget.on_retry_after(60.0, f64::NAN);
        budget.on_retry_after(60.0, f64::INFINITY);
        assert_eq!(budget.banned_until_ms(), None);
        assert_eq!(budget.delay_ms(1e12), 0.0);
    }

    #[test]
    fn budget_delay_is_finite_for_any_now() {
        let mut budget = ConnectionBudget::new();
        budget.record_attempt(1e12);
        budget.on_retry_after(60.0, 1e12);
        for t in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1e300,
            1e300,
            0.0,
            -0.0,
        ] {
            let d = budget.delay_ms(t);
            assert!(d.is_finite() && (0.0..=MAX_BAN_MS).contains(&d), "{t}: {d}");
            budget.record_attempt(t);
        }
    }

    #[test]
    fn parse_retry_after_forms() {
        let now = 1_700_000_000_000.0;
        assert_eq!(
            parse_retry_after("1700000090", now),
            Some(1_700_000_090_000.0)
        );
        assert_eq!(
            parse_retry_after("1700000090", f64::NAN),
            Some(1_700_000_090_000.0)
        );
        assert_eq!(parse_retry_after(" 120 ", now), Some(now + 120_000.0));
        assert_eq!(parse_retry_after("0", now), Some(now));
        assert_eq!(parse_retry_after("1.5", now), Some(now + 1500.0));
        assert_eq!(
            parse_retry_after("999999999", now),
            Some(now + 999_999_999_000.0)
        );
        assert_eq!(parse_retry_after("1000000000", now), Some(1e12));
        assert_eq!(
            parse_retry_after("1700000090.25", now),
            Some(1_700_000_090_250.0)
        );
        assert_eq!(parse_retry_after(".5", now), Some(now + 500.0));
        assert_eq!(parse_retry_after("5.", now), Some(now + 5000.0));
        // Digits past a microsecond are dropped.
        assert_eq!(parse_retry_after("2.1250009", now), Some(now + 2125.0));
    }

    #[test]
    fn parse_retry_after_rejects_garbage() {
        let now = 1_700_000_000_000.0;
        for bad in [
            "",
            "  ",
            ".",
            "abc",
            "-5",
            "+5",
            "1e9",
            "inf",
            "NaN",
            "infinity",
            "1.2.3",
            "12 34",
            "0x10",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "٣",
            "５",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
        // Too many digits for a finite time.
        assert_eq!(parse_retry_after(&"9".repeat(400), now), None);
        assert_eq!(parse_retry_after(&"9".repeat(306), now), None);
        // A delta needs a real now.
        assert_eq!(parse_retry_after("60", f64::NAN), None);
        assert_eq!(parse_retry_after("60", f64::NEG_INFINITY), None);
    }
}
