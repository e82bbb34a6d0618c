//! Feeding decoded `book` responses into an `OrderBook`, for the stream and for apps that hold
//! their own responses. One place turns a response's levels into the book's frame.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::book::{Applied, BookFrame, OrderBook};
use super::protocol::{Channel, Event};
use super::response::{
    Response, ASKS, BIDS, CHANNEL, EVENT, FIRST_UPDATE_ID, LAST_UPDATE_ID, MARKET, VERSION,
};
use super::schema::RESPONSE;
use super::wire::{Level, List};

/// A `book` frame read with only the keys the book needs, every string borrowed from the frame.
///
/// The fast path for frames that feed a book and never become JS objects: no tape, no list of
/// unknown keys. A frame it cannot read this way (an escaped string, a null, a repeated key) goes
/// through the full decoder instead.
#[derive(Debug, Default)]
pub struct BookMessage<'a> {
    /// The frame's own top-level `c`: only `book` frames feed a book, whatever nested values hold.
    pub channel: &'a str,
    pub event: &'a str,
    pub market: &'a str,
    pub first_update_id: u64,
    pub last_update_id: u64,
    pub version: u64,
    pub asks: Vec<(&'a str, &'a str)>,
    pub bids: Vec<(&'a str, &'a str)>,
}

/// Why the fast path declined a frame; never shown (the full decoder words the real problem),
/// so one fixed text serves, and no value is formatted.
fn decline<E: de::Error>() -> E {
    E::custom("not a plain book frame")
}

/// What the fast reader expects next.
#[derive(Clone, Copy)]
enum Want {
    Frame,
    Str,
    Unsigned,
    Levels,
    Level,
}

/// What it read.
enum Part<'de> {
    Frame(BookMessage<'de>),
    Str(&'de str),
    Unsigned(u64),
    Levels(Vec<(&'de str, &'de str)>),
    Level((&'de str, &'de str)),
}

/// The fast reader: one visitor for every part of a book frame. It asks serde_json for any value
/// and declines whatever it does not expect with one fixed error, so none of serde's
/// type-mismatch messages (nor the float formatting they carry) is linked in.
impl<'de> DeserializeSeed<'de> for Want {
    type Value = Part<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Part<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Want {
    fn read<'de, A: MapAccess<'de>>(map: &mut A, want: Want) -> Result<Part<'de>, A::Error> {
        map.next_value_seed(want)
    }
}

impl<'de> Visitor<'de> for Want {
    type Value = Part<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a part of a book frame")
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Part<'de>, E> {
        match self {
            Want::Str => Ok(Part::Str(text)),
            _ => Err(decline()),
        }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Part<'de>, E> {
        // Unescaped text cannot be borrowed from the frame.
        Err(decline())
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Part<'de>, E> {
        match self {
            Want::Unsigned => Ok(Part::Unsigned(number)),
            _ => Err(decline()),
        }
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Part<'de>, E> {
        Err(decline())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Part<'de>, E> {
        Err(decline())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Part<'de>, E> {
        Err(decline())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Part<'de>, E> {
        Err(decline())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Part<'de>, A::Error> {
        match self {
            Want::Levels => {
                let mut levels = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(part) = seq.next_element_seed(Want::Level)? {
                    let Part::Level(level) = part else {
                        return Err(decline());
                    };
                    levels.push(level);
                }
                Ok(Part::Levels(levels))
            }
            Want::Level => {
                let mut text = || match seq.next_element_seed(Want::Str) {
                    Ok(Some(Part::Str(text))) => Ok(text),
                    Ok(_) => Err(decline()),
                    Err(error) => Err(error),
                };
                let price = text()?;
                let volume = text()?;
                Ok(Part::Level((price, volume)))
            }
            _ => Err(decline()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part<'de>, A::Error> {
        if !matches!(self, Want::Frame) {
            return Err(decline());
        }
        let mut message = BookMessage::default();
        // Which top-level fields were seen: c, e and M must be, each field at most once.
        let (mut seen, mut repeated) = (0u32, false);
        while let Some(key) = map.next_key_seed(Want::Str)? {
            let Part::Str(key) = key else {
                return Err(decline());
            };
            let index = RESPONSE.index_of(key);
            if let Some(index) = index {
                repeated |= seen & (1 << index) != 0;
                seen |= 1 << index;
            }
            let want = match index {
                Some(CHANNEL | EVENT | MARKET) => Want::Str,
                Some(FIRST_UPDATE_ID | LAST_UPDATE_ID | VERSION) => Want::Unsigned,
                Some(ASKS | BIDS) => Want::Levels,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            match (index, Want::read(&mut map, want)?) {
                (Some(CHANNEL), Part::Str(text)) => message.channel = text,
                (Some(EVENT), Part::Str(text)) => message.event = text,
                (Some(MARKET), Part::Str(text)) => message.market = text,
                (Some(FIRST_UPDATE_ID), Part::Unsigned(number)) => message.first_update_id = number,
                (Some(LAST_UPDATE_ID), Part::Unsigned(number)) => message.last_update_id = number,
                (Some(VERSION), Part::Unsigned(number)) => message.version = number,
                (Some(ASKS), Part::Levels(levels)) => message.asks = levels,
                (Some(BIDS), Part::Levels(levels)) => message.bids = levels,
                _ => return Err(decline()),
            }
        }
        let required = (1 << CHANNEL) | (1 << EVENT) | (1 << MARKET);
        if repeated || seen & required != required {
            return Err(decline());
        }
        Ok(Part::Frame(message))
    }
}

/// Reads `frame` as a book frame if its top-level `c` is `book`; `None` sends it down the full
/// decoder (which decides by the same key).
///
/// The substring test only rejects cheaply the frames that cannot be MAX's book frames (MAX
/// writes `"c":"book"`); the parsed `c` decides, so `"c":"book"` nested in an unknown key or
/// inside a string never makes a frame of another channel a book frame.
pub fn read_book_message(frame: &[u8]) -> Option<BookMessage<'_>> {
    const BOOK_CHANNEL: &[u8] = br#""c":"book""#;
    if !frame
        .windows(BOOK_CHANNEL.len())
        .any(|window| window == BOOK_CHANNEL)
    {
        return None;
    }
    let text = std::str::from_utf8(frame).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let Part::Frame(message) = deserializer.deserialize_any(Want::Frame).ok()? else {
        return None;
    };
    deserializer.end().ok()?;
    (message.channel == Channel::Book.as_str()).then_some(message)
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
    response
        .channel
        .as_ref()
        .is_some_and(|c| c.as_str() == Channel::Book.as_str())
        && response
            .market
            .as_ref()
            .is_some_and(|m| m.as_str() == market)
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
    Some(if is_snapshot {
        book.apply_snapshot(&frame)
    } else {
        book.apply_update(&frame)
    })
}

fn borrowed_levels<'a>(levels: Option<&'a List<Level<'_>>>) -> Vec<(&'a str, &'a str)> {
    levels.map_or_else(Vec::new, |list| {
        list.0
            .iter()
            .map(|(price, volume)| (price.as_str(), volume.as_str()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::response::decode;

    #[test]
    fn the_documented_snapshot_then_update_build_the_book() {
        let mut book = OrderBook::new();
        let snapshot = br#"{"c":"book","e":"snapshot","M":"btcusdt","a":[["5337.3","0.1"]],"b":[["5333.3","0.5"]],"T":1591869939634,"fi":12141725,"li":12141725,"v":1725602999632}"#;
        let update =
            br#"{"c":"book","e":"update","M":"btcusdt","a":[["5337.3","0.01037"]],"b":[],"T":1591869939634,"fi":12141726,"li":12141726,"v":1725602999632}"#;
        let snapshot = decode(snapshot).unwrap();
        assert!(is_book_frame_of(&snapshot, "btcusdt") && !is_book_frame_of(&snapshot, "ethusdt"));
        assert!(matches!(
            apply_response(&mut book, &snapshot),
            Some(Applied::Snapshot)
        ));
        assert!(matches!(
            apply_response(&mut book, &decode(update).unwrap()),
            Some(Applied::Update)
        ));
        assert_eq!(book.best_ask().map(|l| l.volume()), Some("0.01037"));
        assert_eq!(book.last_update_id(), Some(12141726));
    }

    #[test]
    fn the_fast_reader_agrees_with_the_full_decoder() {
        let frame = br#"{"c":"book","e":"snapshot","M":"btcusdt","a":[["5337.3","0.1"]],"b":[["5333.3","0.5"]],"T":1,"fi":7,"li":9,"v":3,"zz":[1]}"#;
        let message = read_book_message(frame).unwrap();
        assert_eq!(
            (
                message.event,
                message.market,
                message.first_update_id,
                message.last_update_id,
                message.version
            ),
            ("snapshot", "btcusdt", 7, 9, 3)
        );
        assert_eq!(message.asks, vec![("5337.3", "0.1")]);
        let (mut fast, mut full) = (OrderBook::new(), OrderBook::new());
        assert!(matches!(
            apply_message(&mut fast, &message),
            Some(Applied::Snapshot)
        ));
        let _ = apply_response(&mut full, &decode(frame).unwrap());
        assert_eq!(fast.best_bid(), full.best_bid());
        assert!(read_book_message(br#"{"c":"trade","e":"update","M":"x"}"#).is_none());
        // Escapes cannot be borrowed: the full decoder takes those.
        assert!(read_book_message(br#"{"c":"book","e":"upd\u0061te","M":"x"}"#).is_none());
    }

    #[test]
    fn only_the_top_level_channel_makes_a_book_frame() {
        let mut book = OrderBook::new();
        let snapshot = br#"{"c":"book","e":"snapshot","M":"btcusdt","a":[["2","1"]],"b":[["1","1"]],"fi":5,"li":5,"v":1}"#;
        assert!(matches!(
            apply_message(&mut book, &read_book_message(snapshot).unwrap()),
            Some(Applied::Snapshot)
        ));
        // Frames of other channels that hold `"c":"book"` nested in an unknown key, in a list, or
        // inside a string, with everything else a book snapshot would have.
        let others: [&[u8]; 5] = [
            br#"{"c":"trade","e":"snapshot","M":"btcusdt","zz":{"c":"book"},"a":[],"b":[],"fi":9,"li":9,"v":2}"#,
            br#"{"zz":[{"c":"book"}],"c":"trade","e":"snapshot","M":"btcusdt","a":[],"b":[],"fi":9,"li":9,"v":2}"#,
            br#"{"c":"trade","e":"snapshot","M":"btcusdt","t":[{"sa":"\"c\":\"book\""}],"note":"\"c\":\"book\"","a":[],"b":[],"fi":9,"li":9,"v":2}"#,
            br#"{"e":"snapshot","M":"btcusdt","zz":{"c":"book"},"a":[],"b":[],"fi":9,"li":9,"v":2}"#,
            br#"{"c":"ticker","e":"snapshot","M":"btcusdt","tk":{"c":"book","M":"btcusdt"},"a":[],"b":[],"fi":9,"li":9,"v":2}"#,
        ];
        for frame in others {
            let text = std::str::from_utf8(frame).unwrap();
            assert!(read_book_message(frame).is_none(), "fast path took {text}");
            let response = decode(frame).unwrap();
            assert!(
                !is_book_frame_of(&response, "btcusdt"),
                "full decoder took {text}"
            );
            assert!(apply_message_if_book(&mut book, frame).is_none(), "{text}");
        }
        assert_eq!(book.last_update_id(), Some(5));
        assert_eq!(book.best_ask().map(|l| l.price()), Some("2"));
    }

    /// What a kept book does with a raw frame: the fast reader, else the full decoder.
    fn apply_message_if_book(book: &mut OrderBook, frame: &[u8]) -> Option<Applied> {
        if let Some(message) = read_book_message(frame) {
            return apply_message(book, &message);
        }
        let response = decode(frame).ok()?;
        if !is_book_frame_of(&response, "btcusdt") {
            return None;
        }
        apply_response(book, &response)
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
        assert!(matches!(
            apply_response(&mut book, &bare),
            Some(Applied::Resync(_))
        ));
        assert!(!book.is_in_sync() && book.best_ask().is_none());
    }
}
