//! Any sequence of book snapshots and updates, with any ids, versions and level strings, fed to an
//! `OrderBook`: it must never panic, and after every step:
//! - in sync, it is never crossed, each side is sorted best first with unique prices, and no
//!   level has a zero volume; out of sync, it serves nothing;
//! - the step did what docs/PROTOCOL.md's rules say, checked against the book as it was before it
//!   (levels, ids and outcome alike).
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use maicoin_ws::core::book::{Applied, BookFrame, OrderBook, ResyncReason};
use maicoin_ws::core::decimal::Decimal;

/// An update id: absolute ones reach the u64 edges, relative ones (to the last id sent) reach the
/// paths that random absolute ids almost never do (a continuing update, a replay, a gap of one).
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Id {
    Absolute(u64),
    Relative(i8),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Version {
    Same,
    Other(u64),
}

/// A price or volume string: well-formed decimals over a small range (so prices collide and books
/// cross), spelling variants, and any text at all.
#[derive(Arbitrary, Debug, Clone)]
enum Text {
    Number {
        int: u8,
        frac: u32,
        frac_digits: u8,
        leading_zeros: u8,
    },
    Zero {
        frac_digits: u8,
    },
    Any(String),
}

impl Text {
    fn render(&self) -> String {
        match self {
            Text::Number {
                int,
                frac,
                frac_digits,
                leading_zeros,
            } => {
                let zeros = "0".repeat(usize::from(leading_zeros % 3));
                // Up to 20 fraction digits: past the 18 a Decimal holds, only zeros are allowed.
                let digits = usize::from(frac_digits % 21);
                if digits == 0 {
                    format!("{zeros}{int}")
                } else {
                    let frac = format!("{frac:0digits$}");
                    format!("{zeros}{int}.{}", &frac[frac.len() - digits..])
                }
            }
            Text::Zero { frac_digits } => match frac_digits % 4 {
                0 => "0".to_owned(),
                n => format!("0.{}", "0".repeat(usize::from(n))),
            },
            Text::Any(text) => text.clone(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
struct FrameInput {
    first: Id,
    last: Id,
    version: Version,
    asks: Vec<(Text, Text)>,
    bids: Vec<(Text, Text)>,
}

#[derive(Arbitrary, Debug, Clone)]
enum Step {
    Snapshot(FrameInput),
    Update(FrameInput),
    Invalidate,
    Reset,
}

type Side = BTreeMap<Decimal, (String, String)>;

fn side_of<'a>(levels: impl Iterator<Item = &'a maicoin_ws::core::book::Level>) -> Side {
    levels
        .map(|level| {
            (
                parse(level.price()),
                (level.price().to_owned(), level.volume().to_owned()),
            )
        })
        .collect()
}

fn parse(text: &str) -> Decimal {
    Decimal::parse(text)
        .unwrap_or_else(|e| panic!("the book holds an unparseable string {text:?}: {e}"))
}

/// The frame's levels laid over `side` as the rules say: the last mention of a price wins, zero
/// removes. `None` if a level does not parse (the whole frame is then refused).
fn overlay(mut side: Side, levels: &[(&str, &str)]) -> Option<Side> {
    for &(price, volume) in levels {
        let (price_value, volume_value) =
            (Decimal::parse(price).ok()?, Decimal::parse(volume).ok()?);
        if volume_value.is_zero() {
            side.remove(&price_value);
        } else {
            side.insert(price_value, (price.to_owned(), volume.to_owned()));
        }
    }
    Some(side)
}

fn crossed(asks: &Side, bids: &Side) -> bool {
    matches!((bids.keys().next_back(), asks.keys().next()), (Some(bid), Some(ask)) if bid >= ask)
}

fn check_invariants(book: &OrderBook) {
    if !book.is_in_sync() {
        assert_eq!(book.depth(), (0, 0), "an out-of-sync book serves levels");
        assert!(book.best_ask().is_none() && book.best_bid().is_none());
        assert!(book.last_update_id().is_none() && book.version().is_none());
        return;
    }
    assert!(book.last_update_id().is_some() && book.version().is_some());
    let asks: Vec<Decimal> = book.asks().map(|l| parse(l.price())).collect();
    let bids: Vec<Decimal> = book.bids().map(|l| parse(l.price())).collect();
    assert!(
        asks.windows(2).all(|w| w[0] < w[1]),
        "asks not strictly ascending: {asks:?}"
    );
    assert!(
        bids.windows(2).all(|w| w[0] > w[1]),
        "bids not strictly descending: {bids:?}"
    );
    for level in book.asks().chain(book.bids()) {
        let volume = parse(level.volume());
        assert!(!volume.is_zero(), "a zero-volume level is kept: {level:?}");
        assert_eq!(volume, level.volume_value());
    }
    if let (Some(bid), Some(ask)) = (bids.first(), asks.first()) {
        assert!(bid < ask, "in sync but crossed: bid {bid} >= ask {ask}");
    }
    assert_eq!(book.depth(), (asks.len(), bids.len()));
}

fuzz_target!(|steps: Vec<Step>| {
    let mut book = OrderBook::new();
    // The last id and version the harness sent, for relative ids and "same version".
    let mut anchor = 0u64;
    let mut version = 0u64;
    for step in steps.iter().take(64) {
        let before_sync = book.is_in_sync();
        let before_li = book.last_update_id();
        let before_asks = side_of(book.asks());
        let before_bids = side_of(book.bids());
        match step {
            Step::Invalidate => book.invalidate(ResyncReason::Requested),
            Step::Reset => book.reset(),
            Step::Snapshot(input) | Step::Update(input) => {
                let id = |id: Id| match id {
                    Id::Absolute(n) => n,
                    Id::Relative(d) => anchor.saturating_add_signed(i64::from(d)),
                };
                let (first, last) = (id(input.first), id(input.last));
                let frame_version = match input.version {
                    Version::Same => version,
                    Version::Other(v) => v,
                };
                let asks_text: Vec<(String, String)> = input
                    .asks
                    .iter()
                    .take(32)
                    .map(|(p, v)| (p.render(), v.render()))
                    .collect();
                let bids_text: Vec<(String, String)> = input
                    .bids
                    .iter()
                    .take(32)
                    .map(|(p, v)| (p.render(), v.render()))
                    .collect();
                let asks: Vec<(&str, &str)> = asks_text
                    .iter()
                    .map(|(p, v)| (p.as_str(), v.as_str()))
                    .collect();
                let bids: Vec<(&str, &str)> = bids_text
                    .iter()
                    .map(|(p, v)| (p.as_str(), v.as_str()))
                    .collect();
                let frame = BookFrame {
                    first_update_id: first,
                    last_update_id: last,
                    version: frame_version,
                    asks: &asks,
                    bids: &bids,
                };
                let is_snapshot = matches!(step, Step::Snapshot(_));
                let applied = if is_snapshot {
                    book.apply_snapshot(&frame)
                } else {
                    book.apply_update(&frame)
                };

                // What the rules say this step must do, from the book as it was.
                let (base_asks, base_bids) = if is_snapshot {
                    (Side::new(), Side::new())
                } else {
                    (before_asks.clone(), before_bids.clone())
                };
                let merged = overlay(base_asks, &asks).zip(overlay(base_bids, &bids));
                let local_li = before_li.unwrap_or(0);
                match &applied {
                    Applied::Ignored => assert!(!is_snapshot && !before_sync, "{applied:?}"),
                    Applied::Stale => {
                        assert!(
                            !is_snapshot
                                && before_sync
                                && frame_version == version
                                && last <= local_li
                        );
                        assert_eq!(
                            (side_of(book.asks()), side_of(book.bids())),
                            (before_asks, before_bids),
                            "a stale update changed the book"
                        );
                        assert_eq!(book.last_update_id(), before_li);
                    }
                    Applied::Resync(ResyncReason::VersionChanged { expected, got }) => {
                        assert!(
                            !is_snapshot
                                && before_sync
                                && (*expected, *got) == (version, frame_version)
                                && version != frame_version
                        );
                    }
                    Applied::Resync(ResyncReason::Gap {
                        local_last,
                        first: f,
                        last: l,
                    }) => {
                        assert!(
                            !is_snapshot
                                && before_sync
                                && frame_version == version
                                && last > local_li
                        );
                        assert!(
                            (*local_last, *f, *l) == (local_li, first, last)
                                && first > local_li + 1
                        );
                    }
                    Applied::Resync(ResyncReason::InvalidLevel { .. }) => {
                        assert!(merged.is_none(), "valid levels refused")
                    }
                    Applied::Resync(ResyncReason::Crossed { .. }) => {
                        let (asks, bids) = merged
                            .as_ref()
                            .expect("a crossed verdict on unparseable levels");
                        assert!(crossed(asks, bids), "refused as crossed, but it is not");
                    }
                    Applied::Resync(ResyncReason::Requested) => {
                        panic!("a frame cannot request a resync")
                    }
                    Applied::Snapshot | Applied::Update => {
                        assert_eq!(is_snapshot, applied == Applied::Snapshot);
                        if !is_snapshot {
                            assert!(
                                before_sync
                                    && frame_version == version
                                    && last > local_li
                                    && first <= local_li + 1
                            );
                        }
                        let (asks, bids) = merged.expect("unparseable levels applied");
                        assert!(!crossed(&asks, &bids));
                        assert_eq!(
                            side_of(book.asks()),
                            asks,
                            "asks differ from the rules' result"
                        );
                        assert_eq!(
                            side_of(book.bids()),
                            bids,
                            "bids differ from the rules' result"
                        );
                        assert_eq!(book.last_update_id(), Some(last));
                        assert_eq!(book.version(), Some(frame_version));
                    }
                }
                if applied == Applied::Snapshot {
                    version = frame_version;
                }
                anchor = last;
            }
        }
        check_invariants(&book);
    }
});
