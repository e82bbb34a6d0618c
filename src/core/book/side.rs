//! One side of a book: its levels in a vector sorted best-last.
//!
//! MAX books hold at most 50 levels a side and nearly every change lands near the top, so a
//! binary search and a short shift at the end of a small vector beat a tree: no node to
//! allocate, no pointer to chase. Snapshots and large updates are read whole and sorted first,
//! then applied in rank order: into an empty side every level is appended, never shifted.

use super::level::Level;
use super::{LevelField, ResyncReason, Side};
use crate::core::decimal::Decimal;
use crate::core::list::take_at;
use crate::core::small_sort::shell_sort;

/// Above this many levels in a frame, the frame is sorted before it is applied.
const ONE_BY_ONE_LIMIT: usize = 16;

#[derive(Clone, Debug)]
pub(super) struct BookSide {
    side: Side,
    /// `(rank, level)` by ascending rank: the best level is last.
    levels: Vec<(u128, Level)>,
}

impl BookSide {
    pub(super) fn new(side: Side) -> BookSide {
        BookSide {
            side,
            levels: Vec::new(),
        }
    }

    /// Orders a side's prices so that better means greater: bids by price, asks by its
    /// complement. The mapping is its own inverse.
    fn rank(&self, price: u128) -> u128 {
        match self.side {
            Side::Bid => price,
            Side::Ask => !price,
        }
    }

    /// Out of line: one copy of dropping the levels for every way a book is emptied.
    #[inline(never)]
    pub(super) fn clear(&mut self) {
        self.levels.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.levels.len()
    }

    pub(super) fn best(&self) -> Option<(Decimal, &Level)> {
        let (rank, level) = self.levels.last()?;
        Some((Decimal::from_units(self.rank(*rank)), level))
    }

    /// Best first.
    pub(super) fn levels(&self) -> impl DoubleEndedIterator<Item = &Level> + ExactSizeIterator {
        self.levels.iter().rev().map(|(_, level)| level)
    }

    /// Reads the wire level at `index`: its rank, and whether its volume is zero.
    fn read(&self, index: usize, price: &str, volume: &str) -> Result<(u128, bool), ResyncReason> {
        let invalid = |field, error| ResyncReason::InvalidLevel {
            side: self.side,
            index,
            field,
            error,
        };
        let price = Decimal::parse(price).map_err(|e| invalid(LevelField::Price, e))?;
        let volume = Decimal::parse(volume).map_err(|e| invalid(LevelField::Volume, e))?;
        Ok((self.rank(price.units()), volume.is_zero()))
    }

    /// Applies levels in wire order (a price repeated within a frame: the last one wins); volume
    /// zero removes. Stops at the first level that is not a decimal, the ones before it applied.
    pub(super) fn apply(&mut self, wire: &[(&str, &str)]) -> Result<(), ResyncReason> {
        if wire.len() > ONE_BY_ONE_LIMIT || (self.levels.is_empty() && wire.len() > 1) {
            return self.apply_sorted(wire);
        }
        for (index, &(price_text, volume_text)) in wire.iter().enumerate() {
            let (rank, removes) = self.read(index, price_text, volume_text)?;
            self.put(rank, removes, price_text, volume_text);
        }
        Ok(())
    }

    /// Sets, replaces or (`removes`) takes away the level at `rank`.
    fn put(&mut self, rank: u128, removes: bool, price_text: &str, volume_text: &str) {
        match self.levels.binary_search_by(|(other, _)| other.cmp(&rank)) {
            Ok(at) if removes => {
                take_at(&mut self.levels, at);
            }
            Ok(at) => {
                if let Some((_, level)) = self.levels.get_mut(at) {
                    *level = Level::new(price_text, volume_text);
                }
            }
            Err(_) if removes => {}
            Err(at) => self
                .levels
                .insert(at, (rank, Level::new(price_text, volume_text))),
        }
    }

    /// Every level of the frame read first, then applied in rank order (wire order among equal
    /// prices, so the last one wins). Into an empty side, a snapshot's, each level then lands at
    /// the end: no shift, however long the frame.
    fn apply_sorted(&mut self, wire: &[(&str, &str)]) -> Result<(), ResyncReason> {
        // Filled in place: the run's length is known, so it never grows.
        let mut run = vec![(0, 0, false); wire.len()];
        for (index, (slot, &(price, volume))) in run.iter_mut().zip(wire).enumerate() {
            let (rank, removes) = self.read(index, price, volume)?;
            *slot = (rank, index, removes);
        }
        shell_sort(&mut run);
        for (rank, index, removes) in run {
            if let Some(&(price_text, volume_text)) = wire.get(index) {
                self.put(rank, removes, price_text, volume_text);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(side: &mut BookSide, wire: &[(&str, &str)]) {
        if let Err(reason) = side.apply(wire) {
            panic!("{reason}");
        }
    }

    fn prices(side: &BookSide) -> Vec<&str> {
        side.levels().map(Level::price).collect()
    }

    #[test]
    fn both_ways_of_applying_agree() {
        // A frame of 17+ levels is sorted first; the same levels one frame each
        // through the binary inserts.
        let frame: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("{}.{}", 100 + (i * 7) % 23, i % 3),
                    format!("{}", i % 4),
                )
            })
            .collect();
        let wire: Vec<(&str, &str)> = frame
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_str()))
            .collect();
        for side in [Side::Ask, Side::Bid] {
            let mut at_once = BookSide::new(side);
            apply(&mut at_once, &[("100.1", "5"), ("500", "1"), ("1", "1")]);
            let mut one_by_one = at_once.clone();
            apply(&mut at_once, &wire);
            for level in &wire {
                apply(&mut one_by_one, std::slice::from_ref(level));
            }
            assert_eq!(prices(&at_once), prices(&one_by_one));
            assert!(at_once.levels().eq(one_by_one.levels()));
            assert!(at_once.len() > 10);
        }
    }

    #[test]
    fn best_is_lowest_ask_and_highest_bid() {
        let levels = [("10", "1"), ("9.5", "1"), ("11", "1")];
        let mut asks = BookSide::new(Side::Ask);
        let mut bids = BookSide::new(Side::Bid);
        apply(&mut asks, &levels);
        apply(&mut bids, &levels);
        assert_eq!(prices(&asks), ["9.5", "10", "11"]);
        assert_eq!(prices(&bids), ["11", "10", "9.5"]);
        assert_eq!(
            asks.best().map(|(price, _)| price.to_string()),
            Some("9.5".into())
        );
        assert_eq!(
            bids.best().map(|(price, _)| price.to_string()),
            Some("11".into())
        );
        // One level at a time too.
        apply(&mut asks, &[("9", "2")]);
        apply(&mut bids, &[("9.5", "0")]);
        assert_eq!(prices(&asks), ["9", "9.5", "10", "11"]);
        assert_eq!(prices(&bids), ["11", "10"]);
    }

    #[test]
    fn a_bad_level_is_named_in_both_ways_of_applying() {
        for count in [2, 20] {
            let mut wire = vec![("1", "1"); count];
            wire[count - 1] = ("2", "1e3");
            let mut bids = BookSide::new(Side::Bid);
            apply(&mut bids, &[("0.5", "1")]);
            match bids.apply(&wire) {
                Err(ResyncReason::InvalidLevel {
                    side, index, field, ..
                }) => {
                    assert_eq!(
                        (side, index, field),
                        (Side::Bid, count - 1, LevelField::Volume)
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_run_keeps_the_last_of_a_repeated_price_and_drops_zeros() {
        let mut asks = BookSide::new(Side::Ask);
        apply(
            &mut asks,
            &[
                ("1", "1"),
                ("2", "0"),
                ("1.0", "3"),
                ("3", "1"),
                ("3.00", "0"),
            ],
        );
        assert_eq!(
            asks.levels()
                .map(|l| (l.price(), l.volume()))
                .collect::<Vec<_>>(),
            [("1.0", "3")]
        );
    }
}
