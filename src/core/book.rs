//! A local copy of one market's order book, kept in step with MAX's `book` channel.
//!
//! The sync rules (docs/PROTOCOL.md, "Keeping a local order book"):
//! 1. a snapshot replaces the book and sets the remembered last update id (`li`) and version (`v`);
//! 2. an update with another `v` invalidates the book;
//! 3. an update with `li` at or below the local `li` was already applied and is dropped;
//! 4. otherwise it must satisfy `fi <= local li + 1 <= li`, or updates were missed;
//! 5. volume 0 removes a level (absent levels included).
//!
//! On top of those, a crossed book (best bid >= best ask) or an unparseable price or volume also
//! invalidates it. An invalid book is cleared and serves nothing until the next snapshot: the
//! caller must resubscribe, which is what [`Applied::Resync`] tells it.

use std::fmt;

use super::decimal::{Decimal, DecimalError};

mod level;
mod side;

pub use level::Level;
use side::BookSide;

/// One `book` event (snapshot or update) as borrowed from the parsed wire frame.
#[derive(Clone, Copy, Debug)]
pub struct BookFrame<'a> {
    pub first_update_id: u64,
    pub last_update_id: u64,
    pub version: u64,
    /// `[price, volume]` pairs exactly as the wire spells them.
    pub asks: &'a [(&'a str, &'a str)],
    pub bids: &'a [(&'a str, &'a str)],
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Ask,
    Bid,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LevelField {
    Price,
    Volume,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum BookState {
    /// Nothing received yet (or after [`OrderBook::reset`]).
    AwaitingSnapshot,
    InSync,
    /// The book was invalidated and serves no levels until the next snapshot.
    OutOfSync(ResyncReason),
}

/// Why the book stopped being trustworthy.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ResyncReason {
    /// An update carried another book version than the snapshot.
    VersionChanged { expected: u64, got: u64 },
    /// An update does not continue the local book: `first <= local_last + 1 <= last` fails.
    Gap {
        local_last: u64,
        first: u64,
        last: u64,
    },
    /// After applying a frame the best bid is at or above the best ask.
    Crossed {
        best_bid: Decimal,
        best_ask: Decimal,
    },
    /// A price or volume of the frame is not a decimal; `index` counts within its side's list.
    InvalidLevel {
        side: Side,
        index: usize,
        field: LevelField,
        error: DecimalError,
    },
    /// The application gave up on the book itself (see [`OrderBook::invalidate`]).
    Requested,
}

impl fmt::Display for ResyncReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResyncReason::VersionChanged { expected, got } => {
                write!(f, "book version changed from {expected} to {got}")
            }
            ResyncReason::Gap {
                local_last,
                first,
                last,
            } => write!(
                f,
                "update ids {first}..={last} do not continue the local book at {local_last}"
            ),
            ResyncReason::Crossed { best_bid, best_ask } => {
                write!(
                    f,
                    "crossed book: best bid {best_bid} >= best ask {best_ask}"
                )
            }
            ResyncReason::InvalidLevel {
                side,
                index,
                field,
                error,
            } => {
                let side = match side {
                    Side::Ask => "ask",
                    Side::Bid => "bid",
                };
                let field = match field {
                    LevelField::Price => "price",
                    LevelField::Volume => "volume",
                };
                write!(f, "invalid {side} {field} at level {index}: {error}")
            }
            ResyncReason::Requested => f.write_str("resynchronisation requested"),
        }
    }
}

/// What applying a frame did.
#[derive(Clone, PartialEq, Eq, Debug)]
#[must_use = "on Applied::Resync the caller must resubscribe to the book"]
pub enum Applied {
    Snapshot,
    Update,
    /// The update's `li` is at or below the local one: already applied, dropped.
    Stale,
    /// An update arrived while not in sync: it is dropped until a snapshot arrives.
    Ignored,
    /// The book is now out of sync and cleared: the caller must resubscribe.
    Resync(ResyncReason),
}

#[derive(Clone, Debug)]
pub struct OrderBook {
    asks: BookSide,
    bids: BookSide,
    /// Meaningful only while in sync.
    last_update_id: u64,
    version: u64,
    state: BookState,
}

impl Default for OrderBook {
    fn default() -> Self {
        OrderBook::new()
    }
}

impl OrderBook {
    pub fn new() -> Self {
        OrderBook {
            asks: BookSide::new(Side::Ask),
            bids: BookSide::new(Side::Bid),
            last_update_id: 0,
            version: 0,
            state: BookState::AwaitingSnapshot,
        }
    }

    /// Replaces the whole book, whatever its state. Zero-volume levels in a snapshot are skipped;
    /// an empty snapshot gives an empty book that is in sync.
    pub fn apply_snapshot(&mut self, frame: &BookFrame) -> Applied {
        self.asks.clear();
        self.bids.clear();
        if let Some(resync) = self.apply_checked(frame) {
            return resync;
        }
        self.last_update_id = frame.last_update_id;
        self.version = frame.version;
        self.state = BookState::InSync;
        Applied::Snapshot
    }

    /// Applies an update following the sync rules; the checks run in the rules' order, and the
    /// id checks come before any level is parsed, so dropped frames cost next to nothing.
    pub fn apply_update(&mut self, frame: &BookFrame) -> Applied {
        if self.state != BookState::InSync {
            return Applied::Ignored;
        }
        if frame.version != self.version {
            return self.resync(ResyncReason::VersionChanged {
                expected: self.version,
                got: frame.version,
            });
        }
        if frame.last_update_id <= self.last_update_id {
            return Applied::Stale;
        }
        // Cannot overflow: local li < frame li <= u64::MAX. Checked all the same.
        let continues = self
            .last_update_id
            .checked_add(1)
            .is_some_and(|next| frame.first_update_id <= next);
        if !continues {
            return self.resync(ResyncReason::Gap {
                local_last: self.last_update_id,
                first: frame.first_update_id,
                last: frame.last_update_id,
            });
        }
        if let Some(resync) = self.apply_checked(frame) {
            return resync;
        }
        self.last_update_id = frame.last_update_id;
        Applied::Update
    }

    /// Marks the book out of sync and clears it, e.g. when the application resubscribes for a
    /// reason of its own. Updates are ignored until the next snapshot.
    pub fn invalidate(&mut self, reason: ResyncReason) {
        self.asks.clear();
        self.bids.clear();
        self.state = BookState::OutOfSync(reason);
    }

    /// Back to the initial state: empty and awaiting a snapshot.
    pub fn reset(&mut self) {
        self.asks.clear();
        self.bids.clear();
        self.state = BookState::AwaitingSnapshot;
    }

    pub fn state(&self) -> &BookState {
        &self.state
    }

    pub fn is_in_sync(&self) -> bool {
        self.state == BookState::InSync
    }

    /// The `li` of the last applied frame; `None` unless in sync.
    pub fn last_update_id(&self) -> Option<u64> {
        self.is_in_sync().then_some(self.last_update_id)
    }

    /// The version of the current snapshot; `None` unless in sync.
    pub fn version(&self) -> Option<u64> {
        self.is_in_sync().then_some(self.version)
    }

    // The readers below need no state check: every way out of `InSync` clears both sides.

    pub fn best_bid(&self) -> Option<&Level> {
        self.bids.best().map(|(_, level)| level)
    }

    pub fn best_ask(&self) -> Option<&Level> {
        self.asks.best().map(|(_, level)| level)
    }

    /// Best ask minus best bid; `None` unless both sides have a level.
    pub fn spread(&self) -> Option<Decimal> {
        let (bid, ask) = self.best_prices()?;
        ask.checked_sub(bid)
    }

    /// Midpoint of best bid and best ask, rounded down to 10^-18; `None` unless both sides have
    /// a level. Computed as `bid + (ask - bid) / 2` so it cannot overflow.
    pub fn mid(&self) -> Option<Decimal> {
        let (bid, ask) = self.best_prices()?;
        bid.checked_add(ask.checked_sub(bid)?.half())
    }

    /// Asks, best (lowest) first.
    pub fn asks(&self) -> impl DoubleEndedIterator<Item = &Level> + ExactSizeIterator {
        self.asks.levels()
    }

    /// Bids, best (highest) first.
    pub fn bids(&self) -> impl DoubleEndedIterator<Item = &Level> + ExactSizeIterator {
        self.bids.levels()
    }

    /// Number of levels as `(asks, bids)`.
    pub fn depth(&self) -> (usize, usize) {
        (self.asks.len(), self.bids.len())
    }

    fn best_prices(&self) -> Option<(Decimal, Decimal)> {
        let (bid, _) = self.bids.best()?;
        let (ask, _) = self.asks.best()?;
        Some((bid, ask))
    }

    fn crossing(&self) -> Option<ResyncReason> {
        let (best_bid, best_ask) = self.best_prices()?;
        (best_bid >= best_ask).then_some(ResyncReason::Crossed { best_bid, best_ask })
    }

    #[cold]
    #[inline(never)]
    fn resync(&mut self, reason: ResyncReason) -> Applied {
        self.invalidate(reason.clone());
        Applied::Resync(reason)
    }

    /// Applies both sides in wire order, stopping at the first level that is not a decimal. A
    /// frame cut short that way leaves nothing behind: the caller resyncs, which clears the book.
    fn apply_levels(&mut self, frame: &BookFrame) -> Result<(), ResyncReason> {
        self.asks.apply(frame.asks)?;
        self.bids.apply(frame.bids)
    }

    /// Applies the frame's levels, then resyncs if one was not a decimal or the book crossed (a
    /// crossed result is not rolled back: the resync clears the book anyway). `None` when the
    /// book is sound. Out of line: snapshots and updates share it.
    #[inline(never)]
    fn apply_checked(&mut self, frame: &BookFrame) -> Option<Applied> {
        let reason = match self.apply_levels(frame) {
            Err(reason) => reason,
            Ok(()) => self.crossing()?,
        };
        Some(self.resync(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame<'a>(
        fi: u64,
        li: u64,
        v: u64,
        asks: &'a [(&'a str, &'a str)],
        bids: &'a [(&'a str, &'a str)],
    ) -> BookFrame<'a> {
        BookFrame {
            first_update_id: fi,
            last_update_id: li,
            version: v,
            asks,
            bids,
        }
    }

    fn levels<'a>(it: impl Iterator<Item = &'a Level>) -> Vec<(&'a str, &'a str)> {
        it.map(|l| (l.price(), l.volume())).collect()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A book in sync at li 10, v 7: asks 11 and 12, bids 9 and 8.
    fn synced() -> OrderBook {
        let mut book = OrderBook::new();
        let applied = book.apply_snapshot(&frame(
            10,
            10,
            7,
            &[("12", "1"), ("11", "2")],
            &[("8", "3"), ("9", "4")],
        ));
        assert_eq!(applied, Applied::Snapshot);
        book
    }

    fn assert_cleared(book: &OrderBook) {
        assert!(!book.is_in_sync());
        assert_eq!(book.depth(), (0, 0));
        assert!(book.best_bid().is_none() && book.best_ask().is_none());
        assert!(book.spread().is_none() && book.mid().is_none());
        assert_eq!(book.last_update_id(), None);
        assert_eq!(book.version(), None);
    }

    #[test]
    fn fixtures_snapshot_then_update() {
        // fixtures/inbound.jsonl: book_snapshot, then book_update.
        let mut book = OrderBook::new();
        assert_eq!(book.state(), &BookState::AwaitingSnapshot);
        let snapshot = frame(
            12141725,
            12141725,
            1725602999632,
            &[("5337.3", "0.1")],
            &[("5333.3", "0.5")],
        );
        assert_eq!(book.apply_snapshot(&snapshot), Applied::Snapshot);
        let update = frame(
            12141726,
            12141726,
            1725602999632,
            &[("5337.3", "0.01037")],
            &[],
        );
        assert_eq!(book.apply_update(&update), Applied::Update);

        assert!(book.is_in_sync());
        assert_eq!(levels(book.asks()), [("5337.3", "0.01037")]);
        assert_eq!(levels(book.bids()), [("5333.3", "0.5")]);
        assert_eq!(book.last_update_id(), Some(12141726));
        assert_eq!(book.version(), Some(1725602999632));
        assert_eq!(book.spread(), Some(dec("4")));
        assert_eq!(book.mid(), Some(dec("5335.3")));
        // The same update again is a replay.
        assert_eq!(book.apply_update(&update), Applied::Stale);
    }

    #[test]
    fn snapshot_replaces_everything_and_sorts() {
        let mut book = synced();
        assert_eq!(levels(book.asks()), [("11", "2"), ("12", "1")]);
        assert_eq!(levels(book.bids()), [("9", "4"), ("8", "3")]);
        assert_eq!(book.depth(), (2, 2));
        let applied = book.apply_snapshot(&frame(50, 60, 8, &[("20", "1")], &[]));
        assert_eq!(applied, Applied::Snapshot);
        assert_eq!(levels(book.asks()), [("20", "1")]);
        assert_eq!(book.bids().count(), 0);
        assert_eq!((book.last_update_id(), book.version()), (Some(60), Some(8)));
    }

    #[test]
    fn empty_snapshot_is_in_sync_and_empty() {
        let mut book = synced();
        assert_eq!(
            book.apply_snapshot(&frame(11, 11, 7, &[], &[])),
            Applied::Snapshot
        );
        assert!(book.is_in_sync());
        assert_eq!(book.depth(), (0, 0));
        assert!(book.best_ask().is_none() && book.spread().is_none());
        // And updates apply to it.
        assert_eq!(
            book.apply_update(&frame(12, 12, 7, &[("5", "1")], &[])),
            Applied::Update
        );
        assert_eq!(book.depth(), (1, 0));
    }

    #[test]
    fn snapshot_skips_zero_volumes() {
        let mut book = OrderBook::new();
        let applied = book.apply_snapshot(&frame(1, 1, 1, &[("5", "0.000"), ("6", "1")], &[]));
        assert_eq!(applied, Applied::Snapshot);
        assert_eq!(levels(book.asks()), [("6", "1")]);
    }

    #[test]
    fn version_change_invalidates() {
        let mut book = synced();
        let applied = book.apply_update(&frame(11, 11, 8, &[], &[]));
        let reason = ResyncReason::VersionChanged {
            expected: 7,
            got: 8,
        };
        assert_eq!(applied, Applied::Resync(reason.clone()));
        assert_eq!(book.state(), &BookState::OutOfSync(reason));
        assert_cleared(&book);
    }

    #[test]
    fn version_is_checked_before_staleness() {
        let mut book = synced();
        let applied = book.apply_update(&frame(5, 5, 8, &[], &[]));
        assert!(matches!(
            applied,
            Applied::Resync(ResyncReason::VersionChanged { .. })
        ));
    }

    #[test]
    fn stale_updates_are_dropped_unchanged() {
        let mut book = synced();
        for (fi, li) in [(10, 10), (3, 9), (11, 10)] {
            let applied = book.apply_update(&frame(fi, li, 7, &[("11", "0")], &[("bad", "x")]));
            assert_eq!(applied, Applied::Stale);
        }
        assert_eq!(levels(book.asks()), [("11", "2"), ("12", "1")]);
        assert_eq!(book.last_update_id(), Some(10));
    }

    #[test]
    fn overlapping_update_applies() {
        // fi <= local li + 1 <= li, with fi well below.
        let mut book = synced();
        assert_eq!(
            book.apply_update(&frame(5, 13, 7, &[("11", "5")], &[])),
            Applied::Update
        );
        assert_eq!(book.last_update_id(), Some(13));
        assert_eq!(levels(book.asks()), [("11", "5"), ("12", "1")]);
    }

    #[test]
    fn gap_invalidates() {
        let mut book = synced();
        let applied = book.apply_update(&frame(12, 13, 7, &[], &[]));
        let reason = ResyncReason::Gap {
            local_last: 10,
            first: 12,
            last: 13,
        };
        assert_eq!(applied, Applied::Resync(reason));
        assert_cleared(&book);
    }

    #[test]
    fn zero_volume_removes_in_any_spelling() {
        let mut book = synced();
        let update = frame(
            11,
            11,
            7,
            &[("11", "0.0"), ("99", "0")],
            &[("9.000", "0.000")],
        );
        assert_eq!(book.apply_update(&update), Applied::Update);
        assert_eq!(levels(book.asks()), [("12", "1")]);
        assert_eq!(levels(book.bids()), [("8", "3")]);
    }

    #[test]
    fn prices_are_keyed_by_value_and_keep_the_latest_spelling() {
        let mut book = OrderBook::new();
        let _ = book.apply_snapshot(&frame(1, 1, 1, &[("1.5", "1")], &[]));
        assert_eq!(
            book.apply_update(&frame(2, 2, 1, &[("1.50", "2.0")], &[])),
            Applied::Update
        );
        assert_eq!(levels(book.asks()), [("1.50", "2.0")]);
        assert_eq!(book.best_ask().map(Level::volume_value), Some(dec("2")));
        assert_eq!(
            book.apply_update(&frame(3, 3, 1, &[("01.5", "0")], &[])),
            Applied::Update
        );
        assert_eq!(book.depth(), (0, 0));
    }

    #[test]
    fn repeated_price_within_a_frame_last_wins() {
        let mut book = synced();
        let update = frame(
            11,
            11,
            7,
            &[("20", "1"), ("20.0", "0"), ("20.00", "3")],
            &[],
        );
        assert_eq!(book.apply_update(&update), Applied::Update);
        assert_eq!(
            levels(book.asks()),
            [("11", "2"), ("12", "1"), ("20.00", "3")]
        );
    }

    #[test]
    fn crossed_update_invalidates() {
        let mut book = synced();
        let applied = book.apply_update(&frame(11, 11, 7, &[], &[("11.0", "1")]));
        let reason = ResyncReason::Crossed {
            best_bid: dec("11"),
            best_ask: dec("11"),
        };
        assert_eq!(applied, Applied::Resync(reason));
        assert_cleared(&book);
    }

    #[test]
    fn crossed_snapshot_invalidates() {
        let mut book = OrderBook::new();
        let applied = book.apply_snapshot(&frame(1, 1, 1, &[("10", "1")], &[("10.5", "1")]));
        let reason = ResyncReason::Crossed {
            best_bid: dec("10.5"),
            best_ask: dec("10"),
        };
        assert_eq!(applied, Applied::Resync(reason));
        assert_cleared(&book);
    }

    #[test]
    fn invalid_level_invalidates_without_applying_anything() {
        let mut book = synced();
        let update = frame(11, 11, 7, &[("11", "0")], &[("9", "1"), ("8", "-1")]);
        match book.apply_update(&update) {
            Applied::Resync(ResyncReason::InvalidLevel {
                side,
                index,
                field,
                error,
            }) => {
                assert_eq!((side, index, field), (Side::Bid, 1, LevelField::Volume));
                assert_eq!(error.text(), "-1");
            }
            other => panic!("{other:?}"),
        }
        assert_cleared(&book);

        let mut book = OrderBook::new();
        let applied = book.apply_snapshot(&frame(1, 1, 1, &[("1e3", "1")], &[]));
        let Applied::Resync(reason) = applied else {
            panic!("{applied:?}")
        };
        assert_eq!(
            reason.to_string(),
            "invalid ask price at level 0: exponent notation is not allowed in decimal \"1e3\""
        );
        assert_cleared(&book);
    }

    #[test]
    fn updates_are_ignored_until_a_snapshot() {
        let mut book = OrderBook::new();
        assert_eq!(
            book.apply_update(&frame(1, 1, 1, &[("1", "1")], &[])),
            Applied::Ignored
        );
        assert_cleared(&book);

        let mut book = synced();
        book.invalidate(ResyncReason::Requested);
        assert_eq!(book.state(), &BookState::OutOfSync(ResyncReason::Requested));
        assert_cleared(&book);
        assert_eq!(
            book.apply_update(&frame(11, 11, 7, &[("1", "1")], &[])),
            Applied::Ignored
        );
        assert_cleared(&book);

        // A snapshot recovers.
        assert_eq!(
            book.apply_snapshot(&frame(20, 20, 9, &[], &[("1", "1")])),
            Applied::Snapshot
        );
        assert!(book.is_in_sync());
        assert_eq!(
            book.apply_update(&frame(21, 21, 9, &[], &[])),
            Applied::Update
        );

        book.reset();
        assert_eq!(book.state(), &BookState::AwaitingSnapshot);
        assert_cleared(&book);
    }

    #[test]
    fn extreme_ids_do_not_overflow() {
        let mut book = OrderBook::new();
        let _ = book.apply_snapshot(&frame(u64::MAX, u64::MAX, 1, &[], &[]));
        assert_eq!(
            book.apply_update(&frame(0, u64::MAX, 1, &[], &[])),
            Applied::Stale
        );
        let _ = book.apply_snapshot(&frame(0, u64::MAX - 1, 1, &[], &[]));
        assert_eq!(
            book.apply_update(&frame(0, u64::MAX, 1, &[], &[])),
            Applied::Update
        );
    }

    #[test]
    fn mid_and_spread() {
        let mut book = OrderBook::new();
        let _ = book.apply_snapshot(&frame(
            1,
            1,
            1,
            &[("0.000000000000000003", "1")],
            &[("0", "1")],
        ));
        assert_eq!(book.spread(), Some(Decimal::from_units(3)));
        assert_eq!(book.mid(), Some(Decimal::from_units(1))); // 1.5 units, rounded down
        let huge = Decimal::from_units(u128::MAX).to_string();
        let levels = [(huge.as_str(), "1")];
        let _ = book.apply_snapshot(&frame(1, 1, 1, &levels, &[("340282366920938463463", "1")]));
        assert!(book.mid().is_some());
    }
}
