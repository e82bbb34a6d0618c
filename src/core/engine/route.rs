//! Where a frame goes: keepalive answers stay inside, book frames feed their kept book (a book
//! out of step is resubscribed), auth refusals are noted once per connection, the rest is for
//! the handlers.

use super::books::BookCell;
use super::error::ErrorCode;
use super::frame::{FrameFacts, FrameSource, SubscriptionFrame};
use super::{Delivery, Effect, Engine, Millis, Phase};
use crate::core::book::Applied;
use crate::core::book_feed::BookMessage;
use crate::core::borrow::{mutable, shared};
use crate::core::response::Response;
use crate::core::session::is_auth_failure;
use crate::core::wire::Text;

impl Engine {
    /// The fast path of a frame that only a kept book wants: read with the book reader, applied,
    /// never decoded in full. True if it was taken.
    pub(super) fn feed_book_fast(&mut self, now: Millis, frame: &mut impl FrameSource) -> bool {
        if self.books.is_empty() {
            return false;
        }
        frame
            .with_book_message(|message| self.take_book_message(now, message))
            .unwrap_or(false)
    }

    /// A frame read by the book reader: applied to its kept book unless the user's handlers want
    /// it too. Out of line: one copy serves every kind of frame source.
    #[inline(never)]
    fn take_book_message(&mut self, now: Millis, message: &BookMessage<'_>) -> bool {
        // One book per market: the first of that market is the frame's only taker.
        let Some((at, owner)) = self
            .books
            .iter()
            .enumerate()
            .find(|(_, cell)| shared(cell).market() == message.market)
        else {
            return false;
        };
        let mut cell = mutable(owner);
        if self.session.is_user_subscription(&cell.subscription) {
            // The user's handlers want this book's frames too: the full decoder serves both.
            return false;
        }
        let was_dirty = cell.dirty;
        let Some(applied) = cell.feed_message(message) else {
            return false;
        };
        drop(cell);
        self.book_fed(at, was_dirty, matches!(applied, Applied::Resync(_)));
        let facts = SubscriptionFrame::of_book(message);
        self.health.on_frame(now, &facts);
        true
    }

    /// Decodes a frame in full and decides where it goes.
    pub(super) fn route_decoded(&mut self, now: Millis, frame: &mut impl FrameSource) -> Delivery {
        let mut delivery = Delivery::Consumed;
        let decoded = frame.decode(|response| {
            delivery = self.route(now, response);
            matches!(delivery, Delivery::Deliver { .. })
        });
        match decoded {
            Ok(()) => delivery,
            Err(problem) => Delivery::Undecodable(problem),
        }
    }

    /// Routing: keepalive answers stay here, book frames feed their kept book, auth refusals are
    /// noted once per connection (no reconnect: a refused key must never become a tight loop).
    /// Out of line: one copy serves every kind of frame source.
    #[inline(never)]
    fn route(&mut self, now: Millis, response: &Response<'_>) -> Delivery {
        let facts = FrameFacts::of(response);
        if self.session.is_keepalive_answer(facts.event, facts.id) {
            return Delivery::Consumed;
        }
        self.health.on_frame(now, &facts.subscription);
        let mut auth_refusal = None;
        if let Phase::Open(open) = &mut self.phase {
            if facts.event == "error"
                && !open.refusal_reported
                && is_auth_failure(facts.errors.iter().map(Text::as_str))
            {
                open.refusal_reported = true;
                let mut message = String::from("authentication refused: ");
                for (at, text) in facts.errors.iter().enumerate() {
                    if at > 0 {
                        message.push_str("; ");
                    }
                    message.push_str(text.as_str());
                }
                auth_refusal = Some(self.errors.make(ErrorCode::AuthRefused, message, None));
            }
        }
        match self.feed_books(|cell| cell.feed(response)) {
            Some(false) => Delivery::Consumed,
            _ => Delivery::Deliver { auth_refusal },
        }
    }

    /// Offers a frame to each kept book; `Some(for_handlers)` for the book that took it. A book
    /// that fell out of step is resubscribed, that book only.
    fn feed_books(
        &mut self,
        mut feed: impl FnMut(&mut BookCell) -> Option<Applied>,
    ) -> Option<bool> {
        for (at, cell) in self.books.iter().enumerate() {
            let mut cell = mutable(cell);
            let was_dirty = cell.dirty;
            let Some(applied) = feed(&mut cell) else {
                continue;
            };
            drop(cell);
            return Some(self.book_fed(at, was_dirty, matches!(applied, Applied::Resync(_))));
        }
        None
    }

    /// After the book at `at` took a frame: a resync resubscribes it, a first change since the
    /// reader looked is noticed. True if the user's handlers want its frames too. Left to the
    /// inliner: it runs for every book frame.
    fn book_fed(&mut self, at: usize, was_dirty: bool, resync: bool) -> bool {
        let Some(cell) = self.books.get(at) else {
            return false;
        };
        let cell = shared(cell);
        if resync {
            self.session.resubscribe(&cell.subscription);
            if let Some(entry) = self.health.entry_mut(&cell.subscription) {
                entry.resyncs = entry.resyncs.saturating_add(1);
            }
        }
        if cell.dirty && !was_dirty {
            self.effects.push_back(Effect::BookChanged(cell.id));
        }
        self.session.is_user_subscription(&cell.subscription)
    }
}
