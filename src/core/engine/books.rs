//! Books kept inside the engine, fed straight from the connection's frames. A `BookCell` is
//! shared with the JS `OrderBook` handle that reads it; neither side holds a borrow past a call.

use std::cell::RefCell;
use std::rc::Rc;

use crate::core::book::{Applied, OrderBook};
use crate::core::book_feed::{apply_message, apply_response, is_book_frame_of, BookMessage};
use crate::core::response::Response;
use crate::core::subscription::Subscription;

/// A book and what the stream and the UI need to know about it.
#[derive(Debug)]
pub struct BookCell {
    /// Names the book in the engine's change notices (0 for a book the app feeds itself).
    pub id: u32,
    pub subscription: Subscription,
    pub book: OrderBook,
    /// Changed since the reader last looked: lets the engine notify once, not once per frame.
    pub dirty: bool,
    pub resyncs: u32,
}

pub type SharedBook = Rc<RefCell<BookCell>>;

impl BookCell {
    pub fn new(id: u32, subscription: Subscription) -> SharedBook {
        Rc::new(RefCell::new(BookCell {
            id,
            subscription,
            book: OrderBook::new(),
            dirty: false,
            resyncs: 0,
        }))
    }

    /// The connection ended: what the book holds can no longer be trusted.
    pub fn reset(&mut self) {
        self.book.reset();
        self.dirty = true;
    }

    pub fn market(&self) -> &str {
        self.subscription.market().unwrap_or("")
    }

    /// Applies a response if it is this book's; returns what happened. Marks the book dirty.
    pub fn feed(&mut self, response: &Response) -> Option<Applied> {
        if !is_book_frame_of(response, self.market()) {
            return None;
        }
        let applied = apply_response(&mut self.book, response)?;
        self.note(&applied);
        Some(applied)
    }

    /// Applies a frame read by the fast book reader if it is this book's.
    pub fn feed_message(&mut self, message: &BookMessage<'_>) -> Option<Applied> {
        if message.market != self.market() {
            return None;
        }
        let applied = apply_message(&mut self.book, message)?;
        self.note(&applied);
        Some(applied)
    }

    fn note(&mut self, applied: &Applied) {
        if matches!(applied, Applied::Resync(_)) {
            self.resyncs = self.resyncs.saturating_add(1);
        }
        if !matches!(applied, Applied::Stale | Applied::Ignored) {
            self.dirty = true;
        }
    }
}

/// Two book subscriptions of one market at different depths. A connection holds one book per
/// market (book frames do not say their depth): the later one would silently replace the
/// other's feed, so a kept book and the user's subscriptions must agree.
pub fn other_depth(a: &Subscription, b: &Subscription) -> bool {
    matches!((a, b), (Subscription::Book { market: m, .. }, Subscription::Book { market: n, .. }) if m == n && a != b)
}
