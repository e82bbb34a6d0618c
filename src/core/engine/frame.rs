//! Frames as the engine reads them: a `FrameSource` gives the cheap book-only reading and the
//! full decode; `FrameFacts` is the one place that touches `Response`'s fields, so a change of
//! the response model meets the engine here only.

use crate::core::book_feed::{read_book_message, BookMessage};
use crate::core::protocol::{Channel, Event};
use crate::core::response::{decode, Response};
use crate::core::subscription::Subscription;
use crate::core::wire::Text;

/// A frame as the executor holds it. The engine asks for the cheap book-only reading first and
/// decodes in full only when it must.
pub trait FrameSource {
    /// Hands the frame, read by the book-only reader, to `take`; `None` if it is no book frame.
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T>;
    /// The frame's length in bytes (UTF-8).
    fn byte_len(&self) -> usize;
    /// Decodes the frame in full; `route` returns true for a frame to deliver, which the source
    /// then keeps ready for building (the wasm tape).
    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String>;
}

/// A frame's text as bytes, for executors that decode nothing themselves (and for tests).
pub struct TextFrame<'a>(pub &'a [u8]);

impl FrameSource for TextFrame<'_> {
    fn with_book_message<T>(&mut self, take: impl FnOnce(&BookMessage<'_>) -> T) -> Option<T> {
        read_book_message(self.0).as_ref().map(take)
    }

    fn byte_len(&self) -> usize {
        self.0.len()
    }

    fn decode(&mut self, route: impl FnOnce(&Response<'_>) -> bool) -> Result<(), String> {
        let response = decode(self.0).map_err(|e| e.message().to_owned())?;
        route(&response);
        Ok(())
    }
}

/// The candle length the server sends a kline subscription without a resolution.
const DEFAULT_RESOLUTION: &str = "1m";

/// The string value after `key` (such as `"R":"`) in a frame, if it holds no escape: the one
/// nested key the engine reads, in frames whose only object with that key is the payload.
fn scan_text<'t>(text: &'t str, key: &[u8]) -> Option<&'t str> {
    let bytes = text.as_bytes();
    let start = bytes.windows(key.len()).position(|w| w == key)? + key.len();
    let length = bytes[start..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\')?;
    (bytes.get(start + length) == Some(&b'"')).then(|| text.get(start..start + length))?
}

pub struct FrameFacts<'r> {
    pub event: &'r str,
    pub id: Option<&'r str>,
    /// The texts of an `error` frame's `E` (empty for every other frame).
    pub errors: &'r [Text<'r>],
    pub subscription: SubscriptionFrame<'r>,
}

/// What a frame says about the subscription it belongs to, for the feed's health.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionFrame<'r> {
    /// The wire name of the frame's channel (`c`).
    pub channel: Option<&'r str>,
    pub market: Option<&'r str>,
    pub currency: Option<&'r str>,
    pub resolution: Option<&'r str>,
    pub server_time: Option<u64>,
    /// `(fi, li)` of a book frame.
    pub update_ids: Option<(u64, u64)>,
    pub is_snapshot: bool,
}

impl<'r> SubscriptionFrame<'r> {
    /// A frame read by the fast book reader.
    pub fn of_book(message: &BookMessage<'r>) -> Self {
        SubscriptionFrame {
            channel: Some(Channel::Book.as_str()),
            market: Some(message.market),
            currency: None,
            resolution: None,
            server_time: message.server_time,
            update_ids: Some((message.first_update_id, message.last_update_id)),
            is_snapshot: message.event == Event::Snapshot.as_str(),
        }
    }

    /// Whether this frame is one of `subscription`'s.
    pub fn is_of(&self, subscription: &Subscription) -> bool {
        if self.channel != Some(subscription.channel().as_str()) {
            return false;
        }
        match subscription {
            Subscription::Book { market, .. }
            | Subscription::Trade { market }
            | Subscription::Ticker { market } => self.market == Some(market.as_str()),
            Subscription::Kline { market, resolution } => {
                self.market == Some(market.as_str())
                    && match (resolution, self.resolution) {
                        (Some(wanted), Some(got)) => wanted.as_str() == got,
                        // Without one the server sends its default.
                        (None, Some(got)) => got == DEFAULT_RESOLUTION,
                        (_, None) => true,
                    }
            }
            Subscription::MarketStatus => true,
            Subscription::PoolQuota { currency } => self.currency == Some(currency.as_str()),
        }
    }
}

impl<'r> FrameFacts<'r> {
    pub fn of(response: &'r Response<'r>) -> Self {
        let channel = response.channel.as_ref().map(|c| c.as_str());
        FrameFacts {
            event: response.event.as_ref().map(|e| e.as_str()).unwrap_or(""),
            id: response.id.as_ref().map(|id| id.0.as_str()),
            errors: response
                .errors
                .as_ref()
                .map_or(&[], |list| list.0.as_slice()),
            subscription: SubscriptionFrame {
                channel,
                market: response.market.as_ref().map(|m| m.as_str()),
                currency: response.currency.as_ref().map(|c| c.as_str()).or_else(|| {
                    (channel == Some(Channel::PoolQuota.as_str()))
                        .then(|| scan_text(response.text, br#""cu":""#))
                        .flatten()
                }),
                resolution: (channel == Some(Channel::Kline.as_str()))
                    .then(|| scan_text(response.text, br#""R":""#))
                    .flatten(),
                server_time: response.created_at.as_ref().map(|t| t.0),
                update_ids: match (&response.first_update_id, &response.last_update_id) {
                    (Some(first), Some(last)) => Some((first.0, last.0)),
                    _ => None,
                },
                is_snapshot: response.event.as_ref().map(|e| e.as_str())
                    == Some(Event::Snapshot.as_str()),
            },
        }
    }
}
