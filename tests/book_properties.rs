//! Property tests: `OrderBook` and `Decimal` against a deliberately naive reference model that
//! works on decimal *strings* (no fixed point, no maps), implementing docs/PROTOCOL.md's book rules
//! plus our own (crossed or unparseable frames invalidate the book).

use std::cmp::Ordering;

use maicoin_ws::core::book::*;
use maicoin_ws::core::decimal::*;
use proptest::prelude::*;
use proptest::sample::{select, Index};

// ---------------------------------------------------------------------------------------------
// Reference decimals: normalized (integer digits, fraction digits) strings.

/// `(int, frac)`: `int` without leading zeros ("0" for zero), `frac` without trailing zeros.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Norm(String, String);

const LARGEST: (&str, &str) = ("340282366920938463463", "374607431768211455");

/// Numeric comparison of normalized decimals, digit string by digit string.
fn cmp_norm(a: &Norm, b: &Norm) -> Ordering {
    let pad = |frac: &str| format!("{frac:0<18}");
    a.0.len()
        .cmp(&b.0.len())
        .then_with(|| a.0.cmp(&b.0))
        .then_with(|| pad(&a.1).cmp(&pad(&b.1)))
}

/// `None` for anything `Decimal::parse` must reject.
fn normalize(text: &str) -> Option<Norm> {
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.') || text.matches('.').count() > 1 {
        return None;
    }
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return None,
        None => (text, ""),
    };
    if int.is_empty() {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.len() > 18 {
        return None;
    }
    let norm = Norm(int.to_owned(), frac.to_owned());
    let largest = Norm(LARGEST.0.to_owned(), LARGEST.1.to_owned());
    (cmp_norm(&norm, &largest) != Ordering::Greater).then_some(norm)
}

fn show(norm: &Norm) -> String {
    if norm.1.is_empty() {
        norm.0.clone()
    } else {
        format!("{}.{}", norm.0, norm.1)
    }
}

fn is_zero(norm: &Norm) -> bool {
    norm.0 == "0" && norm.1.is_empty()
}

// ---------------------------------------------------------------------------------------------
// Reference book.

#[derive(Clone, PartialEq, Eq, Debug)]
enum MReason {
    Version {
        expected: u64,
        got: u64,
    },
    Gap {
        local_last: u64,
        first: u64,
        last: u64,
    },
    Crossed {
        best_bid: String,
        best_ask: String,
    },
    Invalid {
        side: Side,
        index: usize,
        field: LevelField,
    },
    Requested,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum MState {
    Awaiting,
    InSync,
    Out(MReason),
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum MApplied {
    Snapshot,
    Update,
    Stale,
    Ignored,
    Resync(MReason),
}

#[derive(Clone, Debug)]
struct MLevel {
    key: Norm,
    price: String,
    volume: String,
}

#[derive(Clone, Debug)]
struct Model {
    state: MState,
    li: u64,
    v: u64,
    asks: Vec<MLevel>,
    bids: Vec<MLevel>,
}

#[derive(Clone, Debug)]
struct OwnedFrame {
    fi: u64,
    li: u64,
    v: u64,
    asks: Vec<(String, String)>,
    bids: Vec<(String, String)>,
}

impl Model {
    fn new() -> Self {
        Model {
            state: MState::Awaiting,
            li: 0,
            v: 0,
            asks: vec![],
            bids: vec![],
        }
    }

    fn invalidate(&mut self, reason: MReason) -> MApplied {
        self.asks.clear();
        self.bids.clear();
        self.state = MState::Out(reason.clone());
        MApplied::Resync(reason)
    }

    fn first_invalid(frame: &OwnedFrame) -> Option<MReason> {
        for (side, levels) in [(Side::Ask, &frame.asks), (Side::Bid, &frame.bids)] {
            for (index, (price, volume)) in levels.iter().enumerate() {
                if normalize(price).is_none() {
                    return Some(MReason::Invalid {
                        side,
                        index,
                        field: LevelField::Price,
                    });
                }
                if normalize(volume).is_none() {
                    return Some(MReason::Invalid {
                        side,
                        index,
                        field: LevelField::Volume,
                    });
                }
            }
        }
        None
    }

    fn merge(levels: &mut Vec<MLevel>, wire: &[(String, String)]) {
        for (price, volume) in wire {
            let (Some(key), Some(vol)) = (normalize(price), normalize(volume)) else {
                unreachable!("validated")
            };
            let existing = levels.iter().position(|l| l.key == key);
            match (existing, is_zero(&vol)) {
                (Some(i), true) => {
                    levels.remove(i);
                }
                (None, true) => {}
                (Some(i), false) => {
                    levels[i] = MLevel {
                        key,
                        price: price.clone(),
                        volume: volume.clone(),
                    }
                }
                (None, false) => levels.push(MLevel {
                    key,
                    price: price.clone(),
                    volume: volume.clone(),
                }),
            }
        }
    }

    /// Asks ascending, bids descending.
    fn sorted(&self) -> (Vec<MLevel>, Vec<MLevel>) {
        let mut asks = self.asks.clone();
        asks.sort_by(|a, b| cmp_norm(&a.key, &b.key));
        let mut bids = self.bids.clone();
        bids.sort_by(|a, b| cmp_norm(&b.key, &a.key));
        (asks, bids)
    }

    fn crossed(&self) -> Option<MReason> {
        let (asks, bids) = self.sorted();
        let (ask, bid) = (asks.first()?, bids.first()?);
        (cmp_norm(&bid.key, &ask.key) != Ordering::Less).then(|| MReason::Crossed {
            best_bid: show(&bid.key),
            best_ask: show(&ask.key),
        })
    }

    fn snapshot(&mut self, frame: &OwnedFrame) -> MApplied {
        if let Some(reason) = Self::first_invalid(frame) {
            return self.invalidate(reason);
        }
        self.asks.clear();
        self.bids.clear();
        Self::merge(&mut self.asks, &frame.asks);
        Self::merge(&mut self.bids, &frame.bids);
        if let Some(reason) = self.crossed() {
            return self.invalidate(reason);
        }
        self.li = frame.li;
        self.v = frame.v;
        self.state = MState::InSync;
        MApplied::Snapshot
    }

    fn update(&mut self, frame: &OwnedFrame) -> MApplied {
        if self.state != MState::InSync {
            return MApplied::Ignored;
        }
        if frame.v != self.v {
            let reason = MReason::Version {
                expected: self.v,
                got: frame.v,
            };
            return self.invalidate(reason);
        }
        if frame.li <= self.li {
            return MApplied::Stale;
        }
        let next = u128::from(self.li) + 1;
        if !(u128::from(frame.fi) <= next && next <= u128::from(frame.li)) {
            let reason = MReason::Gap {
                local_last: self.li,
                first: frame.fi,
                last: frame.li,
            };
            return self.invalidate(reason);
        }
        if let Some(reason) = Self::first_invalid(frame) {
            return self.invalidate(reason);
        }
        Self::merge(&mut self.asks, &frame.asks);
        Self::merge(&mut self.bids, &frame.bids);
        if let Some(reason) = self.crossed() {
            return self.invalidate(reason);
        }
        self.li = frame.li;
        MApplied::Update
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing the real book with the model.

fn reason_of(reason: &ResyncReason) -> MReason {
    match reason {
        ResyncReason::VersionChanged { expected, got } => MReason::Version {
            expected: *expected,
            got: *got,
        },
        ResyncReason::Gap {
            local_last,
            first,
            last,
        } => MReason::Gap {
            local_last: *local_last,
            first: *first,
            last: *last,
        },
        ResyncReason::Crossed { best_bid, best_ask } => MReason::Crossed {
            best_bid: best_bid.to_string(),
            best_ask: best_ask.to_string(),
        },
        ResyncReason::InvalidLevel {
            side, index, field, ..
        } => MReason::Invalid {
            side: *side,
            index: *index,
            field: *field,
        },
        ResyncReason::Requested => MReason::Requested,
    }
}

fn applied_of(applied: &Applied) -> MApplied {
    match applied {
        Applied::Snapshot => MApplied::Snapshot,
        Applied::Update => MApplied::Update,
        Applied::Stale => MApplied::Stale,
        Applied::Ignored => MApplied::Ignored,
        Applied::Resync(reason) => MApplied::Resync(reason_of(reason)),
    }
}

fn state_of(state: &BookState) -> MState {
    match state {
        BookState::AwaitingSnapshot => MState::Awaiting,
        BookState::InSync => MState::InSync,
        BookState::OutOfSync(reason) => MState::Out(reason_of(reason)),
    }
}

fn wire<'a>(levels: impl Iterator<Item = &'a Level>) -> Vec<(String, String)> {
    levels
        .map(|l| (l.price().to_owned(), l.volume().to_owned()))
        .collect()
}

fn check_same(book: &OrderBook, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(state_of(book.state()), model.state.clone());
    let in_sync = model.state == MState::InSync;
    prop_assert_eq!(book.is_in_sync(), in_sync);
    prop_assert_eq!(book.last_update_id(), in_sync.then_some(model.li));
    prop_assert_eq!(book.version(), in_sync.then_some(model.v));

    let (asks, bids) = model.sorted();
    let as_wire = |levels: &[MLevel]| -> Vec<(String, String)> {
        levels
            .iter()
            .map(|l| (l.price.clone(), l.volume.clone()))
            .collect()
    };
    let (asks, bids) = (as_wire(&asks), as_wire(&bids));
    prop_assert_eq!(wire(book.asks()), asks.clone());
    prop_assert_eq!(wire(book.bids()), bids.clone());
    prop_assert_eq!(
        wire(book.best_ask().into_iter()),
        asks.first().cloned().into_iter().collect::<Vec<_>>()
    );
    prop_assert_eq!(
        wire(book.best_bid().into_iter()),
        bids.first().cloned().into_iter().collect::<Vec<_>>()
    );
    prop_assert_eq!(book.depth(), (asks.len(), bids.len()));

    match (book.best_bid(), book.best_ask()) {
        (Some(bid), Some(ask)) => {
            let parse =
                |text: &str| Decimal::parse(text).map_err(|e| TestCaseError::fail(e.to_string()));
            let (bid, ask) = (parse(bid.price())?, parse(ask.price())?);
            prop_assert!(bid < ask);
            prop_assert_eq!(book.spread(), ask.checked_sub(bid));
            let mid = book.mid().ok_or_else(|| TestCaseError::fail("no mid"))?;
            prop_assert!(bid <= mid && mid < ask);
        }
        _ => {
            prop_assert_eq!(book.spread(), None);
            prop_assert_eq!(book.mid(), None);
        }
    }
    for level in book.asks().chain(book.bids()) {
        prop_assert!(!level.volume_value().is_zero());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generating sequences of book events.

#[derive(Clone, Debug)]
enum Event {
    Snapshot {
        li: u64,
        v: u64,
        asks: Vec<(String, String)>,
        bids: Vec<(String, String)>,
    },
    /// Ids relative to the local `li` (`base`): `fi = base + 1 + fi_off`, `li = base + 1 + li_off`.
    /// While the book is not in sync, an update with `resubscribe` set is sent as a snapshot
    /// instead (as a client would after resubscribing), so that runs are not mostly `Ignored`.
    Update {
        fi_off: i64,
        li_off: i64,
        new_version: bool,
        resubscribe: bool,
        asks: Vec<(String, String)>,
        bids: Vec<(String, String)>,
    },
    /// Re-send an earlier update frame (a duplicate, or one from an older version).
    Replay(Index),
    Invalidate,
    Reset,
}

/// `int.tenths` with optional leading zeros and trailing fraction zeros, so one value comes in
/// several spellings ("1.5", "01.50", "1.500").
fn price(ints: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = String> {
    (ints, select(vec![0u32, 5]), 0..2usize, 0..3usize).prop_map(|(int, tenths, lead, trail)| {
        let zeros = "0".repeat(trail);
        let frac = match (tenths, trail) {
            (0, 0) => String::new(),
            (0, _) => format!(".{zeros}"),
            (t, _) => format!(".{t}{zeros}"),
        };
        format!("{}{int}{frac}", "0".repeat(lead))
    })
}

fn volume() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(vec!["0", "0.0", "0.000", "00"]),
        5 => select(vec!["1", "2.5", "0.01037", "3.10", "100"]),
    ]
    .prop_map(str::to_owned)
}

fn malformed() -> impl Strategy<Value = String> {
    select(vec![
        "",
        "-1",
        "+1",
        "1e3",
        " 1",
        "1 ",
        "abc",
        "1.2.3",
        ".5",
        "5.",
        "0.0000000000000000001",
        "999999999999999999999999",
        "1,5",
    ])
    .prop_map(str::to_owned)
}

/// Asks and bids overlap only in 5..=5.5, so books cross now and then but not most of the time.
fn side(ints: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = Vec<(String, String)>> {
    let level = prop_oneof![
        100 => (price(ints.clone()), volume()),
        1 => (malformed(), volume()),
        1 => (price(ints), malformed()),
    ];
    prop::collection::vec(level, 0..5)
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..30u64, 0..3u64, side(5..=12), side(0..=5))
            .prop_map(|(li, v, asks, bids)| Event::Snapshot { li, v, asks, bids }),
        16 => (
            prop_oneof![10 => -3..=0i64, 1 => 1..=2i64],
            prop_oneof![1 => -2..=-1i64, 6 => 0..=3i64],
            prop::bool::weighted(0.03),
            prop::bool::weighted(0.3),
            side(5..=12),
            side(0..=5),
        )
            .prop_map(|(fi_off, li_off, new_version, resubscribe, asks, bids)| Event::Update {
                fi_off, li_off, new_version, resubscribe, asks, bids
            }),
        2 => any::<Index>().prop_map(Event::Replay),
        1 => Just(Event::Invalidate),
        1 => Just(Event::Reset),
    ]
}

fn offset(base: u64, off: i64) -> u64 {
    let value = i128::from(base) + 1 + i128::from(off);
    u64::try_from(value.max(0)).unwrap_or(u64::MAX)
}

fn borrowed(levels: &[(String, String)]) -> Vec<(&str, &str)> {
    levels
        .iter()
        .map(|(p, v)| (p.as_str(), v.as_str()))
        .collect()
}

fn apply(book: &mut OrderBook, frame: &OwnedFrame, snapshot: bool) -> Applied {
    let (asks, bids) = (borrowed(&frame.asks), borrowed(&frame.bids));
    let frame = BookFrame {
        first_update_id: frame.fi,
        last_update_id: frame.li,
        version: frame.v,
        asks: &asks,
        bids: &bids,
    };
    if snapshot {
        book.apply_snapshot(&frame)
    } else {
        book.apply_update(&frame)
    }
}

fn run(events: Vec<Event>) -> Result<(), TestCaseError> {
    let mut book = OrderBook::new();
    let mut model = Model::new();
    let mut sent_updates: Vec<OwnedFrame> = vec![];
    for event in events {
        let (got, expected) = match event {
            Event::Snapshot { li, v, asks, bids } => {
                let frame = OwnedFrame {
                    fi: li,
                    li,
                    v,
                    asks,
                    bids,
                };
                (
                    applied_of(&apply(&mut book, &frame, true)),
                    model.snapshot(&frame),
                )
            }
            Event::Update {
                resubscribe: true,
                fi_off,
                li_off,
                new_version,
                asks,
                bids,
            } if model.state != MState::InSync => {
                let li = offset(model.li, fi_off.max(li_off));
                let v = model.v.wrapping_add(u64::from(new_version));
                let frame = OwnedFrame {
                    fi: li,
                    li,
                    v,
                    asks,
                    bids,
                };
                (
                    applied_of(&apply(&mut book, &frame, true)),
                    model.snapshot(&frame),
                )
            }
            Event::Update {
                fi_off,
                li_off,
                new_version,
                asks,
                bids,
                ..
            } => {
                let v = if new_version {
                    model.v.wrapping_add(1)
                } else {
                    model.v
                };
                let (fi, li) = (offset(model.li, fi_off), offset(model.li, li_off));
                let frame = OwnedFrame {
                    fi,
                    li,
                    v,
                    asks,
                    bids,
                };
                let result = (
                    applied_of(&apply(&mut book, &frame, false)),
                    model.update(&frame),
                );
                sent_updates.push(frame);
                result
            }
            Event::Replay(index) => {
                if sent_updates.is_empty() {
                    continue;
                }
                let frame = index.get(&sent_updates).clone();
                (
                    applied_of(&apply(&mut book, &frame, false)),
                    model.update(&frame),
                )
            }
            Event::Invalidate => {
                book.invalidate(ResyncReason::Requested);
                model.invalidate(MReason::Requested);
                check_same(&book, &model)?;
                continue;
            }
            Event::Reset => {
                book.reset();
                model.asks.clear();
                model.bids.clear();
                model.state = MState::Awaiting;
                check_same(&book, &model)?;
                continue;
            }
        };
        prop_assert_eq!(got, expected);
        check_same(&book, &model)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn book_follows_the_reference_model(events in prop::collection::vec(event(), 1..60)) {
        run(events)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input: arbitrary strings and ids. Nothing may panic, and the model still agrees.

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9.eE+ -]{0,30}",
        "[0-9]{15,45}(\\.[0-9]{0,40})?",
        price(0..=20),
    ]
}

fn any_id() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        0..5u64
    ]
}

fn hostile_frame() -> impl Strategy<Value = (bool, OwnedFrame)> {
    let side = || prop::collection::vec((any_text(), any_text()), 0..4);
    (any::<bool>(), any_id(), any_id(), 0..3u64, side(), side()).prop_map(
        |(snapshot, fi, li, v, asks, bids)| {
            (
                snapshot,
                OwnedFrame {
                    fi,
                    li,
                    v,
                    asks,
                    bids,
                },
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn hostile_input_never_panics(frames in prop::collection::vec(hostile_frame(), 1..30)) {
        let mut book = OrderBook::new();
        let mut model = Model::new();
        for (snapshot, frame) in &frames {
            let got = applied_of(&apply(&mut book, frame, *snapshot));
            let expected = if *snapshot { model.snapshot(frame) } else { model.update(frame) };
            prop_assert_eq!(got, expected);
            check_same(&book, &model)?;
            // Display must not panic either.
            if let BookState::OutOfSync(reason) = book.state() {
                prop_assert!(!reason.to_string().is_empty());
            }
        }
    }

    // --- Decimal against the string model -------------------------------------------------

    #[test]
    fn decimal_accepts_exactly_what_the_model_accepts(text in any_text()) {
        match (Decimal::parse(&text), normalize(&text)) {
            (Ok(value), Some(norm)) => prop_assert_eq!(value.to_string(), show(&norm)),
            (Err(error), None) => prop_assert!(!error.to_string().is_empty()),
            (got, expected) => prop_assert!(false, "{:?}: got {:?}, model {:?}", text, got, expected),
        }
    }

    #[test]
    fn decimal_display_round_trips(units in any::<u128>()) {
        let value = Decimal::from_units(units);
        let shown = value.to_string();
        prop_assert_eq!(Decimal::parse(&shown), Ok(value));
        prop_assert!(shown.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        prop_assert!(!(shown.contains('.') && shown.ends_with('0')));
    }

    #[test]
    fn decimal_orders_like_the_model(a in "[0-9]{1,22}(\\.[0-9]{1,18})?", b in "[0-9]{1,22}(\\.[0-9]{1,18})?") {
        if let (Ok(x), Ok(y), Some(m), Some(n)) =
            (Decimal::parse(&a), Decimal::parse(&b), normalize(&a), normalize(&b))
        {
            prop_assert_eq!(x.cmp(&y), cmp_norm(&m, &n));
            prop_assert_eq!(x == y, m == n);
        }
    }

    #[test]
    fn decimal_arithmetic_is_exact(a in any::<u128>(), b in any::<u128>()) {
        let (x, y) = (Decimal::from_units(a), Decimal::from_units(b));
        prop_assert_eq!(x.checked_add(y).map(Decimal::units), a.checked_add(b));
        prop_assert_eq!(x.checked_sub(y).map(Decimal::units), a.checked_sub(b));
        prop_assert_eq!(x.half().units(), a / 2);
    }
}
