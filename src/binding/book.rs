//! `OrderBook` handles: a book kept in wasm, read by JS a few levels at a time.
//!
//! A handle shares its book with the stream's engine when the stream feeds it, so frames go
//! straight from the socket into the book; JS only reads what it shows.

use wasm_bindgen::prelude::*;

use super::decoder::{decode_frame, with_frame, Route};
use crate::core::book::{Applied, BookState, Level};
use crate::core::book_feed::read_book_message;
use crate::core::borrow::mutable;
use crate::core::engine::{BookCell, SharedBook};
use crate::core::subscription::Subscription;

/// What applying a frame did, as a small number: returning a string would cost a text decode
/// per frame on the JS side. `js/book.js` names them in `OUTCOMES`, in this order.
fn outcome_code(applied: Option<&Applied>) -> u8 {
    match applied {
        Some(Applied::Snapshot) => 0,
        Some(Applied::Update) => 1,
        Some(Applied::Stale) => 2,
        Some(Applied::Ignored) => 3,
        Some(Applied::Resync(_)) => 4,
        None => 5,
    }
}

/// Appends `price,volume` wire strings, comma-separated; a level's spelling was checked as a
/// decimal on the way in, so it holds no comma.
fn push_level(out: &mut String, level: &Level) {
    if !out.is_empty() {
        out.push(',');
    }
    out.push_str(level.price());
    out.push(',');
    out.push_str(level.volume());
}

/// The reads of `BookHandle::read`. Exported, so js/book.js names them from this one declaration:
/// one export for every getter, since each export costs the wasm its own glue.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum BookRead {
    /// The book's id in its stream.
    Id = 0,
    Market = 1,
    /// The depth subscribed to; empty for the server's default.
    Depth = 2,
    /// "1" in sync, else empty.
    InSync = 3,
    /// "awaiting-snapshot", "in-sync" or "out-of-sync".
    State = 4,
    /// Why the book is out of sync; empty if it is not.
    ResyncReason = 5,
    Resyncs = 6,
    LastUpdateId = 7,
    Version = 8,
    /// `price,volume`, or empty.
    BestBid = 9,
    BestAsk = 10,
    /// Exact decimals, or empty.
    Spread = 11,
    Mid = 12,
    /// The best `count` asks, lowest first, as `price,volume,price,volume...`.
    Asks = 13,
    /// The best `count` bids, highest first.
    Bids = 14,
    /// "1" if the book changed since the last such read (which clears the flag), else empty.
    TakeChanged = 15,
}

#[wasm_bindgen]
pub struct BookHandle {
    cell: SharedBook,
}

impl BookHandle {
    pub fn shared(cell: SharedBook) -> BookHandle {
        BookHandle { cell }
    }

    pub fn cell(&self) -> &SharedBook {
        &self.cell
    }
}

#[wasm_bindgen]
impl BookHandle {
    /// A book the app feeds itself, for `market` (e.g. "btcusdt").
    #[wasm_bindgen(constructor)]
    pub fn new(market: String) -> BookHandle {
        BookHandle {
            cell: BookCell::new(
                0,
                Subscription::Book {
                    market,
                    depth: None,
                },
            ),
        }
    }

    /// Applies the raw frame that `encodeFrame` just wrote into wasm (no JS object is made);
    /// returns an outcome code.
    #[wasm_bindgen(js_name = applyEncoded)]
    pub fn apply_encoded(&self, length: usize) -> Result<u8, JsValue> {
        let fast = with_frame(length, |frame| {
            read_book_message(frame)
                .map(|message| outcome_code(mutable(&self.cell).feed_message(&message).as_ref()))
        });
        if let Some(outcome) = fast.flatten() {
            return Ok(outcome);
        }
        let mut outcome = outcome_code(None);
        decode_frame(length, |response| {
            outcome = outcome_code(mutable(&self.cell).feed(response).as_ref());
            Route::Skip
        })
        .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        Ok(outcome)
    }

    /// One of the book's reads (see [`BookRead`]) as text, empty for none: one crossing, and
    /// a ladder's levels as one string rather than an array per level.
    pub fn read(&self, kind: BookRead, count: usize) -> String {
        let mut cell = mutable(&self.cell);
        let book = &cell.book;
        let mut out = String::new();
        let some = |out: &mut String, value: Option<u64>| {
            if let Some(value) = value {
                out.push_str(&value.to_string());
            }
        };
        match kind {
            BookRead::Id => some(&mut out, Some(u64::from(cell.id))),
            BookRead::Market => out.push_str(cell.market()),
            BookRead::Depth => {
                if let Subscription::Book { depth, .. } = cell.subscription {
                    some(&mut out, depth.map(u64::from));
                }
            }
            BookRead::InSync => flag(&mut out, book.is_in_sync()),
            BookRead::State => out.push_str(match book.state() {
                BookState::AwaitingSnapshot => "awaiting-snapshot",
                BookState::InSync => "in-sync",
                BookState::OutOfSync(_) => "out-of-sync",
            }),
            BookRead::ResyncReason => {
                if let BookState::OutOfSync(reason) = book.state() {
                    out = reason.to_string();
                }
            }
            BookRead::Resyncs => some(&mut out, Some(u64::from(cell.resyncs))),
            BookRead::LastUpdateId => some(&mut out, book.last_update_id()),
            BookRead::Version => some(&mut out, book.version()),
            BookRead::BestBid => book.best_bid().iter().for_each(|l| push_level(&mut out, l)),
            BookRead::BestAsk => book.best_ask().iter().for_each(|l| push_level(&mut out, l)),
            BookRead::Spread => {
                if let Some(spread) = book.spread() {
                    out = spread.to_string();
                }
            }
            BookRead::Mid => {
                if let Some(mid) = book.mid() {
                    out = mid.to_string();
                }
            }
            BookRead::Asks => book
                .asks()
                .take(count)
                .for_each(|l| push_level(&mut out, l)),
            BookRead::Bids => book
                .bids()
                .take(count)
                .for_each(|l| push_level(&mut out, l)),
            BookRead::TakeChanged => {
                let changed = std::mem::replace(&mut cell.dirty, false);
                flag(&mut out, changed);
            }
        }
        out
    }
}

fn flag(out: &mut String, value: bool) {
    if value {
        out.push('1');
    }
}
