//! Feeding decoded `book` responses into an `OrderBook`, for the stream and for apps that hold
//! their own responses. One place turns a response's levels into the book's frame.

use serde::Deserialize;

use super::book::{Applied, BookFrame, OrderBook};
use super::protocol::Event;
use super::response::Response;
use super::wire::{Level, List};

/// A `book` frame read with only the keys the book needs, every string borrowed from the frame.
///
/// The fast path for frames that feed a book and never become JS objects: no `Option<Cow>` per
/// string, no list of unknown keys. A frame it cannot read this way (an escaped string, say) goes
/// through the full decoder instead.
#[derive(Deserialize)]
pub struct BookMessage<'a> {
    #[serde(rename = "e", borrow)]
    pub event: &'a str,
    #[serde(rename = "M", borrow)]
    pub market: &'a str,
    #[serde(rename = "fi", default)]
    pub first_update_id: u64,
    #[serde(rename = "li", default)]
    pub last_update_id: u64,
    #[serde(rename = "v", default)]
    pub version: u64,
    #[serde(rename = "a", borrow, default)]
    pub asks: Vec<(&'a str, &'a str)>,
    #[serde(rename = "b", borrow, default)]
    pub bids: Vec<(&'a str, &'a str)>,
}

/// Reads `frame` as a book frame if it is one (MAX writes the channel as `"c":"book"`); `None`
/// sends it down the full decoder.
pub fn read_book_message(frame: &[u8]) -> Option<BookMessage<'_>> {
    const BOOK_CHANNEL: &[u8] = br#""c":"book""#;
    if !frame.windows(BOOK_CHANNEL.len()).any(|window| window == BOOK_CHANNEL) {
        return None;
    }
    let text = std::str::from_utf8(frame).ok()?;
    serde_json::from_str(text).ok()
}

/// Applies a book message read by `read_book_message`; `None` for events other than snapshot
/// and update.
pub fn apply_message(book: &mut OrderBook, message: &BookMessage<'_>) -> Option<Applied> {
    let frame = BookFrame {
        first_update_id: message.first_update_id,
        last_update_id: message.last_update_id,
        version: message.version,
        asks: &message.asks,
        bids: &message.bids,
    };
    if message.event == Event::Snapshot.as_str() {
        Some(book.apply_snapshot(&frame))
    } else if message.event == Event::Update.as_str() {
        Some(book.apply_update(&frame))
    } else {
        None
    }
}

/// Whether a response belongs to the `book` channel of `market`.
pub fn is_book_frame_of(response: &Response, market: &str) -> bool {
    response.channel.as_ref().is_some_and(|c| c.as_str() == "book") && response.market.as_ref().is_some_and(|m| m.as_str() == market)
}

/// Applies a book snapshot or update; `None` for any other event (e.g. `subscribed`).
///
/// Missing ids count as 0, which the sync rules then treat as stale or as a gap: a malformed
/// frame can only lead to a resync, never to a silently wrong book.
pub fn apply_response(book: &mut OrderBook, response: &Response) -> Option<Applied> {
    let event = response.event.as_ref()?.as_str();
    let is_snapshot = event == Event::Snapshot.as_str();
    if !is_snapshot && event != Event::Update.as_str() {
        return None;
    }
    let asks = borrowed_levels(response.asks.as_ref());
    let bids = borrowed_levels(response.bids.as_ref());
    let id = |field: Option<&super::wire::Int>| field.map_or(0, |int| int.0);
    let frame = BookFrame {
        first_update_id: id(response.first_update_id.as_ref()),
        last_update_id: id(response.last_update_id.as_ref()),
        version: id(response.version.as_ref()),
        asks: &asks,
        bids: &bids,
    };
    Some(if is_snapshot { book.apply_snapshot(&frame) } else { book.apply_update(&frame) })
}

fn borrowed_levels<'a>(levels: Option<&'a List<Level<'_>>>) -> Vec<(&'a str, &'a str)> {
    levels.map_or_else(Vec::new, |list| list.0.iter().map(|(price, volume)| (price.as_str(), volume.as_str())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::response::decode;

    #[test]
    fn the_documented_snapshot_then_update_build_the_book() {
        let mut book = OrderBook::new();
        let snapshot = br#"{"c":"book","e":"snapshot","M":"btcusdt","a":[["5337.3","0.1"]],"b":[["5333.3","0.5"]],"T":1591869939634,"fi":12141725,"li":12141725,"v":1725602999632}"#;
        let update = br#"{"c":"book","e":"update","M":"btcusdt","a":[["5337.3","0.01037"]],"b":[],"T":1591869939634,"fi":12141726,"li":12141726,"v":1725602999632}"#;
        let snapshot = decode(snapshot).unwrap();
        assert!(is_book_frame_of(&snapshot, "btcusdt") && !is_book_frame_of(&snapshot, "ethusdt"));
        assert!(matches!(apply_response(&mut book, &snapshot), Some(Applied::Snapshot)));
        assert!(matches!(apply_response(&mut book, &decode(update).unwrap()), Some(Applied::Update)));
        assert_eq!(book.best_ask().map(|l| l.volume()), Some("0.01037"));
        assert_eq!(book.last_update_id(), Some(12141726));
    }

    #[test]
    fn the_fast_reader_agrees_with_the_full_decoder() {
        let frame = br#"{"c":"book","e":"snapshot","M":"btcusdt","a":[["5337.3","0.1"]],"b":[["5333.3","0.5"]],"T":1,"fi":7,"li":9,"v":3,"zz":[1]}"#;
        let message = read_book_message(frame).unwrap();
        assert_eq!((message.event, message.market, message.first_update_id, message.last_update_id, message.version), ("snapshot", "btcusdt", 7, 9, 3));
        assert_eq!(message.asks, vec![("5337.3", "0.1")]);
        let (mut fast, mut full) = (OrderBook::new(), OrderBook::new());
        assert!(matches!(apply_message(&mut fast, &message), Some(Applied::Snapshot)));
        let _ = apply_response(&mut full, &decode(frame).unwrap());
        assert_eq!(fast.best_bid(), full.best_bid());
        assert!(read_book_message(br#"{"c":"trade","e":"update","M":"x"}"#).is_none());
        // Escapes cannot be borrowed: the full decoder takes those.
        assert!(read_book_message(br#"{"c":"book","e":"upd\u0061te","M":"x"}"#).is_none());
    }

    #[test]
    fn other_events_are_not_book_frames() {
        let mut book = OrderBook::new();
        let subscribed = decode(br#"{"e":"subscribed","s":[],"T":1}"#).unwrap();
        assert!(apply_response(&mut book, &subscribed).is_none());
    }

    #[test]
    fn an_update_without_ids_cannot_apply() {
        let mut book = OrderBook::new();
        let snapshot = decode(br#"{"c":"book","e":"snapshot","M":"x","a":[["2","1"]],"b":[["1","1"]],"fi":5,"li":5,"v":1}"#).unwrap();
        let _ = apply_response(&mut book, &snapshot);
        let bare = decode(br#"{"c":"book","e":"update","M":"x","a":[["2","3"]],"b":[]}"#).unwrap();
        assert!(matches!(apply_response(&mut book, &bare), Some(Applied::Resync(_))));
        assert!(!book.is_in_sync() && book.best_ask().is_none());
    }
}
