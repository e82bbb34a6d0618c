//! Feed health: how many frames each subscription gets, how fast, how late against the server's
//! `T`, how often a book skipped updates. Every structure has a fixed size, so the memory is
//! O(subscriptions) however many frames arrive.

use super::effect::Millis;
use super::frame::SubscriptionFrame;
use crate::core::session::copy_of;
use crate::core::small_sort::shell_sort;
use crate::core::subscription::Subscription;

/// The seconds the per-second rings cover, plus the one being filled.
const RING: usize = 61;
/// Lateness samples kept per subscription: the latest frames of the last minute.
pub const LATENCY_SAMPLES: usize = 256;
/// How long a lateness sample counts.
const WINDOW_MS: Millis = 60_000.0;

fn second_of(at: Millis) -> i64 {
    (at / 1000.0).floor() as i64
}

fn slot(second: i64) -> usize {
    second.rem_euclid(RING as i64) as usize
}

/// Frames per second over the last minute: a ring of per-second counts.
#[derive(Debug, Clone)]
struct RateRing {
    counts: [u32; RING],
    second: i64,
}

impl RateRing {
    fn new() -> Self {
        RateRing {
            counts: [0; RING],
            second: i64::MIN,
        }
    }

    /// Moves the ring to `at`'s second, emptying the seconds that passed without a frame.
    fn advance(&mut self, at: Millis) {
        let second = second_of(at);
        if self.second == i64::MIN || second - self.second >= RING as i64 {
            self.counts = [0; RING];
        } else {
            for passed in self.second + 1..=second {
                if let Some(count) = self.counts.get_mut(slot(passed)) {
                    *count = 0;
                }
            }
        }
        // A clock that steps back keeps filling the latest second.
        self.second = self.second.max(second);
    }

    fn add(&mut self, at: Millis) {
        self.advance(at);
        if let Some(count) = self.counts.get_mut(slot(self.second)) {
            *count = count.saturating_add(1);
        }
    }

    /// Frames per second over the last 1 s and the last 60 s at `now`. The oldest second is
    /// weighted by how much of it is still inside the window (a sliding-window counter).
    fn rates(&self, now: Millis) -> (f64, f64) {
        let mut ring = self.clone();
        ring.advance(now);
        let inside = 1.0 - (now / 1000.0 - (now / 1000.0).floor());
        let count = |back: i64| {
            f64::from(
                ring.counts
                    .get(slot(ring.second - back))
                    .copied()
                    .unwrap_or(0),
            )
        };
        let one = count(0) + count(1) * inside;
        let sixty = (0..60).map(count).sum::<f64>() + count(60) * inside;
        (one, sixty / 60.0)
    }
}

/// The latest lateness samples (receipt − `T`), with their receipt times.
#[derive(Debug, Clone)]
struct LatencyWindow {
    /// (receipt time, receipt − `T` in whole ms: both clocks count whole ms).
    samples: [(Millis, i32); LATENCY_SAMPLES],
    next: usize,
    filled: usize,
}

/// Percentiles of receipt − `T`, in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl LatencyWindow {
    fn new() -> Self {
        LatencyWindow {
            samples: [(0.0, 0); LATENCY_SAMPLES],
            next: 0,
            filled: 0,
        }
    }

    fn add(&mut self, at: Millis, latency: f64) {
        let whole = latency
            .round()
            .clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
        // `next` stays below the length; the `%` lets the compiler see it.
        self.samples[self.next % LATENCY_SAMPLES] = (at, whole);
        self.next = (self.next + 1) % LATENCY_SAMPLES;
        self.filled = (self.filled + 1).min(LATENCY_SAMPLES);
    }

    /// The samples of the last minute.
    fn recent(&self, now: Millis) -> impl Iterator<Item = i32> + '_ {
        self.samples
            .iter()
            .take(self.filled)
            .filter(move |(at, _)| now - at <= WINDOW_MS)
            .map(|&(_, latency)| latency)
    }

    /// Nearest-rank percentiles of the samples of the last minute; `None` without any.
    fn percentiles(&self, now: Millis) -> Option<Latency> {
        // On the stack: a window is small, and needs no Vec of its own type.
        let mut kept = [0; LATENCY_SAMPLES];
        let mut count = 0;
        for (slot, latency) in kept.iter_mut().zip(self.recent(now)) {
            *slot = latency;
            count += 1;
        }
        let recent = kept.get_mut(..count)?;
        shell_sort(recent);
        let max = *recent.last()?;
        // Rank ceil(p * n), 1-based; p < 1 keeps it within the samples, the largest otherwise.
        let rank = |p: f64| {
            let index = ((p * recent.len() as f64).ceil() as usize).saturating_sub(1);
            f64::from(recent.get(index).copied().unwrap_or(max))
        };
        Some(Latency {
            p50: rank(0.5),
            p90: rank(0.9),
            p99: rank(0.99),
            max: f64::from(max),
        })
    }
}

/// One subscription's health.
#[derive(Debug, Clone)]
pub struct SubscriptionHealth {
    pub subscription: Subscription,
    pub frames: u64,
    pub last_frame_at: Option<Millis>,
    pub gaps: u32,
    pub resyncs: u32,
    pub stale_resubscribes: u32,
    /// Since when the subscription has delivered nothing on the open connection (the stale
    /// watchdog's reference).
    pub quiet_since: Millis,
    /// Boxed: the rings are most of an entry, and entries move when the list changes.
    rate: Box<RateRing>,
    latency: Box<LatencyWindow>,
    /// The last book update id seen on this connection, to count updates that skip some.
    last_update_id: Option<u64>,
    /// A hash of the market or currency (`""` for market status): a frame compares numbers,
    /// not subscriptions, on its way to its entry.
    key: u64,
}

impl SubscriptionHealth {
    fn new(subscription: Subscription, now: Millis) -> Self {
        SubscriptionHealth {
            key: hash(key_of(&subscription)),
            subscription,
            frames: 0,
            last_frame_at: None,
            gaps: 0,
            resyncs: 0,
            stale_resubscribes: 0,
            quiet_since: now,
            rate: Box::new(RateRing::new()),
            latency: Box::new(LatencyWindow::new()),
            last_update_id: None,
        }
    }

    /// Frames per second over the last 1 s and 60 s.
    pub fn rates(&self, now: Millis) -> (f64, f64) {
        self.rate.rates(now)
    }

    pub fn latency(&self, now: Millis) -> Option<Latency> {
        self.latency.percentiles(now)
    }
}

/// The stream's health: connection counters, and one entry per subscription.
#[derive(Debug, Clone, Default)]
pub struct Health {
    pub connections: u32,
    pub bytes: u64,
    entries: Vec<SubscriptionHealth>,
}

/// What a subscription's frames are found by.
fn key_of(subscription: &Subscription) -> &str {
    match subscription {
        Subscription::PoolQuota { currency } => currency,
        other => other.market().unwrap_or(""),
    }
}

/// FNV-1a: a few instructions per byte, no table (a hash map would add kilobytes to the wasm).
fn hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Health {
    pub fn entries(&self) -> &[SubscriptionHealth] {
        &self.entries
    }

    pub fn entries_mut(&mut self) -> &mut [SubscriptionHealth] {
        &mut self.entries
    }

    /// Local − server clock in ms: the smallest receipt − `T` of the last minute over every
    /// subscription. Transit only ever adds to receipt − `T`, so its minimum is the closest to
    /// the offset itself (it overstates it by the quickest frame's transit); a clock that is set
    /// ages out in a minute.
    pub fn clock_offset(&self, now: Millis) -> Option<f64> {
        let mut least: Option<i32> = None;
        for entry in &self.entries {
            for latency in entry.latency.recent(now) {
                least = Some(least.map_or(latency, |l| l.min(latency)));
            }
        }
        least.map(f64::from)
    }

    /// Keeps one entry per wanted subscription (no repeats), in their order; an entry that
    /// stays keeps its counts.
    pub fn sync<'a>(&mut self, now: Millis, wanted: impl Iterator<Item = &'a Subscription>) {
        let mut old: Vec<Option<SubscriptionHealth>> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect();
        // Lists change by appends and removals: the next old entry is nearly always the one.
        let mut next = 0;
        for subscription in wanted {
            let same = |e: &Option<SubscriptionHealth>| {
                e.as_ref().is_some_and(|e| &e.subscription == subscription)
            };
            let found = if old.get(next).is_some_and(same) {
                Some(next)
            } else {
                old.iter().position(same)
            };
            let entry = match found {
                Some(at) => {
                    next = at + 1;
                    old.get_mut(at).and_then(Option::take)
                }
                None => None,
            };
            self.entries
                .push(entry.unwrap_or_else(|| SubscriptionHealth::new(copy_of(subscription), now)));
        }
    }

    /// A connection opened: every subscription is quiet from now, and book ids start over.
    pub fn on_connected(&mut self, now: Millis) {
        self.connections = self.connections.saturating_add(1);
        for entry in &mut self.entries {
            entry.quiet_since = now;
            entry.last_update_id = None;
        }
    }

    pub fn on_bytes(&mut self, bytes: usize) {
        self.bytes = self.bytes.saturating_add(bytes as u64);
    }

    /// A frame of a subscription's channel arrived; returns the matching entry, if any.
    pub fn on_frame(
        &mut self,
        now: Millis,
        frame: &SubscriptionFrame<'_>,
    ) -> Option<&mut SubscriptionHealth> {
        let key = hash(frame.currency.or(frame.market).unwrap_or(""));
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.key == key && frame.is_of(&e.subscription))?;
        entry.frames = entry.frames.saturating_add(1);
        entry.last_frame_at = Some(now);
        entry.quiet_since = now;
        entry.rate.add(now);
        if let Some(server_time) = frame.server_time {
            entry.latency.add(now, now - server_time as f64);
        }
        if let Some((first, last)) = frame.update_ids {
            if frame.is_snapshot {
                entry.last_update_id = Some(last);
            } else {
                if matches!(entry.last_update_id, Some(previous) if first > previous.saturating_add(1))
                {
                    entry.gaps = entry.gaps.saturating_add(1);
                }
                entry.last_update_id = Some(entry.last_update_id.map_or(last, |p| p.max(last)));
            }
        }
        Some(entry)
    }

    pub fn entry_mut(&mut self, subscription: &Subscription) -> Option<&mut SubscriptionHealth> {
        self.entries
            .iter_mut()
            .find(|e| &e.subscription == subscription)
    }
}
