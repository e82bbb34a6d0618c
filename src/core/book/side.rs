//! One side of a book: its levels in a vector sorted best-last.
//!
//! MAX books hold at most 50 levels a side and nearly every change lands near the top, so a
//! binary search and a short shift at the end of a small vector beat a tree: no node to
//! allocate, no pointer to chase. Snapshots and large updates are merged as one sorted run
//! instead, so a big frame costs O(n + m log m), never a shift per level.

use super::level::Level;
use super::Side;
use crate::core::decimal::Decimal;

/// Above this many levels in a frame, the frame is merged as a sorted run.
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

    /// Applies levels in wire order (a price repeated within a frame: the last one wins); volume
    /// zero removes. `parsed` holds the values of `wire`, pair for pair.
    pub(super) fn apply(&mut self, wire: &[(&str, &str)], parsed: &[(Decimal, Decimal)]) {
        if wire.len() > ONE_BY_ONE_LIMIT || (self.levels.is_empty() && wire.len() > 1) {
            self.merge_run(wire, parsed);
            return;
        }
        for (&(price_text, volume_text), &(price, volume)) in wire.iter().zip(parsed) {
            let rank = self.rank(price.units());
            match self.levels.binary_search_by(|(other, _)| other.cmp(&rank)) {
                Ok(at) if volume.is_zero() => {
                    self.levels.remove(at);
                }
                Ok(at) => {
                    if let Some((_, level)) = self.levels.get_mut(at) {
                        *level = Level::new(price_text, volume_text);
                    }
                }
                Err(_) if volume.is_zero() => {}
                Err(at) => self
                    .levels
                    .insert(at, (rank, Level::new(price_text, volume_text))),
            }
        }
    }

    /// The frame's levels sorted by rank (the last of each price in wire order kept), merged
    /// with the side in one pass.
    fn merge_run(&mut self, wire: &[(&str, &str)], parsed: &[(Decimal, Decimal)]) {
        let mut run: Vec<(u128, usize)> = parsed
            .iter()
            .enumerate()
            .map(|(index, (price, _))| (self.rank(price.units()), index))
            .collect();
        // Stable: equal prices keep their wire order, so the last of a group is the latest.
        run.sort_by_key(|&(rank, _)| rank);
        let mut kept = std::mem::take(&mut self.levels).into_iter().peekable();
        let mut merged = Vec::with_capacity(kept.len() + run.len());
        let mut run = run.into_iter().peekable();
        while let Some((rank, mut index)) = run.next() {
            while let Some(&(_, later)) = run.peek().filter(|(next, _)| *next == rank) {
                index = later;
                run.next();
            }
            while let Some(level) = kept.next_if(|(other, _)| *other < rank) {
                merged.push(level);
            }
            // The frame's level replaces the kept one at its price.
            let _replaced = kept.next_if(|(other, _)| *other == rank);
            if let (Some((price_text, volume_text)), Some((_, volume))) =
                (wire.get(index), parsed.get(index))
            {
                if !volume.is_zero() {
                    merged.push((rank, Level::new(price_text, volume_text)));
                }
            }
        }
        merged.extend(kept);
        self.levels = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(side: &mut BookSide, wire: &[(&str, &str)]) {
        let parsed: Vec<_> = wire
            .iter()
            .map(|&(price, volume)| {
                let value = |text| Decimal::parse(text).unwrap_or_else(|e| panic!("{e}"));
                (value(price), value(volume))
            })
            .collect();
        side.apply(wire, &parsed);
    }

    fn prices(side: &BookSide) -> Vec<&str> {
        side.levels().map(Level::price).collect()
    }

    #[test]
    fn both_ways_of_applying_agree() {
        // A frame of 17+ levels goes through the run merge; the same levels one frame each
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
