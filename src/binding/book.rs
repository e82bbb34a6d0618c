//! `OrderBook` handles: a book kept in wasm, read by JS a few levels at a time.
//!
//! A handle shares its book with the stream's engine when the stream feeds it, so frames go
//! straight from the socket into the book; JS only reads what it shows.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::decoder::{decode_frame, with_frame, Route};
use crate::core::book::{Applied, BookState, Level};
use crate::core::book_feed::read_book_message;
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

fn level_pair(level: &Level) -> Array {
    Array::of2(
        &JsValue::from_str(level.price()),
        &JsValue::from_str(level.volume()),
    )
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
                .map(|message| outcome_code(self.cell.borrow_mut().feed_message(&message).as_ref()))
        });
        if let Some(outcome) = fast.flatten() {
            return Ok(outcome);
        }
        let mut outcome = outcome_code(None);
        decode_frame(length, |response| {
            outcome = outcome_code(self.cell.borrow_mut().feed(response).as_ref());
            Route::Skip
        })
        .map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        Ok(outcome)
    }

    pub fn id(&self) -> u32 {
        self.cell.borrow().id
    }

    pub fn market(&self) -> String {
        self.cell.borrow().market().to_owned()
    }

    pub fn depth(&self) -> Option<u8> {
        match self.cell.borrow().subscription {
            Subscription::Book { depth, .. } => depth,
            _ => None,
        }
    }

    #[wasm_bindgen(js_name = inSync)]
    pub fn in_sync(&self) -> bool {
        self.cell.borrow().book.is_in_sync()
    }

    /// "awaiting-snapshot", "in-sync" or "out-of-sync".
    pub fn state(&self) -> String {
        match self.cell.borrow().book.state() {
            BookState::AwaitingSnapshot => "awaiting-snapshot",
            BookState::InSync => "in-sync",
            BookState::OutOfSync(_) => "out-of-sync",
        }
        .to_owned()
    }

    /// Why the book is out of sync, if it is.
    #[wasm_bindgen(js_name = resyncReason)]
    pub fn resync_reason(&self) -> Option<String> {
        match self.cell.borrow().book.state() {
            BookState::OutOfSync(reason) => Some(reason.to_string()),
            _ => None,
        }
    }

    pub fn resyncs(&self) -> u32 {
        self.cell.borrow().resyncs
    }

    #[wasm_bindgen(js_name = lastUpdateId)]
    pub fn last_update_id(&self) -> Option<f64> {
        self.cell.borrow().book.last_update_id().map(|id| id as f64)
    }

    pub fn version(&self) -> Option<f64> {
        self.cell.borrow().book.version().map(|v| v as f64)
    }

    #[wasm_bindgen(js_name = bestBid)]
    pub fn best_bid(&self) -> Option<Array> {
        self.cell.borrow().book.best_bid().map(level_pair)
    }

    #[wasm_bindgen(js_name = bestAsk)]
    pub fn best_ask(&self) -> Option<Array> {
        self.cell.borrow().book.best_ask().map(level_pair)
    }

    pub fn spread(&self) -> Option<String> {
        self.cell.borrow().book.spread().map(|d| d.to_string())
    }

    pub fn mid(&self) -> Option<String> {
        self.cell.borrow().book.mid().map(|d| d.to_string())
    }

    /// The best `count` asks, lowest first, as `[price, volume]` wire strings.
    pub fn asks(&self, count: usize) -> Array {
        self.cell
            .borrow()
            .book
            .asks()
            .take(count)
            .map(level_pair)
            .collect()
    }

    /// The best `count` bids, highest first.
    pub fn bids(&self, count: usize) -> Array {
        self.cell
            .borrow()
            .book
            .bids()
            .take(count)
            .map(level_pair)
            .collect()
    }

    /// Whether the book changed since the last call (and clears the flag).
    #[wasm_bindgen(js_name = takeChanged)]
    pub fn take_changed(&self) -> bool {
        std::mem::replace(&mut self.cell.borrow_mut().dirty, false)
    }
}
