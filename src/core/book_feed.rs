//! Feeding decoded `book` responses into an `OrderBook`, for the stream and for apps that hold
//! their own responses. One place turns a response's levels into the book's frame.

use super::book::{Applied, BookFrame, OrderBook};
use super::protocol::{Channel, Event};
use super::request::MAX_SAFE_INTEGER;
use super::response::{
    Response, ASKS, BIDS, CHANNEL, CREATED_AT, EVENT, FIRST_UPDATE_ID, LAST_UPDATE_ID, MARKET,
    VERSION,
};
use super::schema::RESPONSE;
use super::wire::{Level, List, MAX_DATE_MS};

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
    /// The top-level `T`, read in the same pass (for the feed's health).
    pub server_time: Option<u64>,
    pub asks: Vec<(&'a str, &'a str)>,
    pub bids: Vec<(&'a str, &'a str)>,
}

/// How deep an unknown value may nest before the reader leaves the frame to the full decoder.
const MAX_DEPTH: u8 = 32;

/// One pass over a frame's bytes for the book reader. Every method answers `None` for what it
/// does not take, which declines the frame: the full decoder then reads it and words any problem.
/// It takes only what the full decoder reads the same way: no escapes (an escaped key could
/// spell `c`), numbers within the decoder's limits.
struct Cursor<'a> {
    /// The whole frame, checked as UTF-8 once: its strings are slices of it.
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The next byte after any whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// `,` before another item, or the closing byte of the list or object (false).
    fn more(&mut self, close: u8) -> Option<bool> {
        let byte = self.peek()?;
        self.at += 1;
        match byte {
            b',' => Some(true),
            _ if byte == close => Some(false),
            _ => None,
        }
    }

    /// A string without escapes or control characters, borrowed from the frame.
    fn text(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = &self.bytes[self.at..];
        let length = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[length] != b'"' {
            return None;
        }
        let start = self.at;
        self.at += length + 1;
        self.text.get(start..start + length)
    }

    /// A non-negative integer as JSON spells it (no leading zero), at most `limit`: up to 16
    /// digits, the decoder's limits' length (more are declined, so wrapping never matters).
    fn unsigned(&mut self, limit: u64) -> Option<u64> {
        self.peek()?;
        let rest = &self.bytes[self.at..];
        let mut number = 0u64;
        let mut digits = 0;
        while let Some(digit) = rest.get(digits).map(|b| b.wrapping_sub(b'0')) {
            if digit > 9 {
                break;
            }
            number = number.wrapping_mul(10).wrapping_add(u64::from(digit));
            digits += 1;
        }
        if digits == 0 || digits > 16 || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = rest.get(digits) {
            return None;
        }
        self.at += digits;
        (number <= limit).then_some(number)
    }

    /// `[[price, volume], ...]`, appended to `levels`.
    fn levels(&mut self, levels: &mut Vec<(&'a str, &'a str)>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.eat(b'[')?;
            let price = self.text()?;
            self.eat(b',')?;
            let volume = self.text()?;
            self.eat(b']')?;
            levels.push((price, volume));
            if !self.more(b']')? {
                return Some(());
            }
        }
    }

    /// Any JSON value, checked and skipped (an unknown key's).
    fn skip_value(&mut self, depth: u8) -> Option<()> {
        match self.peek()? {
            b'"' => self.text().map(drop),
            open @ (b'[' | b'{') => {
                let depth = depth.checked_sub(1)?;
                self.at += 1;
                let close = if open == b'[' { b']' } else { b'}' };
                if self.peek()? == close {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.text()?;
                        self.eat(b':')?;
                    }
                    self.skip_value(depth)?;
                    if !self.more(close)? {
                        return Some(());
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.at..]
            .starts_with(word)
            .then(|| self.at += word.len())
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let integer = self.digits();
        if integer == 0 || (integer > 1 && self.bytes[self.at - integer] == b'0') {
            return None;
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            (self.digits() > 0).then_some(())?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            (self.digits() > 0).then_some(())?;
        }
        Some(())
    }

    fn digits(&mut self) -> usize {
        let count = self.bytes[self.at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.at += count;
        count
    }
}

/// Reads `frame` as a book frame if its top-level `c` is `book`; `None` sends it down the full
/// decoder (which decides by the same key).
///
/// One pass over the top-level keys: a `c` other than `book` ends it at once, and `"c":"book"`
/// nested in an unknown key or inside a string is never the frame's own `c`.
pub fn read_book_message(frame: &[u8]) -> Option<BookMessage<'_>> {
    let text = std::str::from_utf8(frame).ok()?;
    let mut cursor = Cursor {
        text,
        bytes: frame,
        at: 0,
    };
    let mut message = BookMessage::default();
    // Which top-level fields were seen: c, e and M must be, each field at most once.
    let mut seen = 0u32;
    cursor.eat(b'{')?;
    let mut more = cursor.peek()? != b'}';
    if !more {
        cursor.at += 1;
    }
    while more {
        let key = cursor.text()?;
        cursor.eat(b':')?;
        let index = RESPONSE.index_of(key);
        if let Some(index) = index {
            if seen & (1 << index) != 0 {
                return None;
            }
            seen |= 1 << index;
        }
        match index {
            Some(CHANNEL) => {
                message.channel = cursor.text()?;
                if message.channel != Channel::Book.as_str() {
                    return None;
                }
            }
            Some(EVENT) => message.event = cursor.text()?,
            Some(MARKET) => message.market = cursor.text()?,
            Some(FIRST_UPDATE_ID) => message.first_update_id = cursor.unsigned(MAX_SAFE_INTEGER)?,
            Some(LAST_UPDATE_ID) => message.last_update_id = cursor.unsigned(MAX_SAFE_INTEGER)?,
            Some(VERSION) => message.version = cursor.unsigned(MAX_SAFE_INTEGER)?,
            Some(CREATED_AT) => message.server_time = Some(cursor.unsigned(MAX_DATE_MS)?),
            Some(ASKS) => cursor.levels(&mut message.asks)?,
            Some(BIDS) => cursor.levels(&mut message.bids)?,
            // Another payload's key in a book frame: the full decoder checks its kind.
            Some(_) => return None,
            None => cursor.skip_value(MAX_DEPTH)?,
        }
        more = cursor.more(b'}')?;
    }
    if cursor.peek().is_some() {
        return None;
    }
    let required = (1 << CHANNEL) | (1 << EVENT) | (1 << MARKET);
    (seen & required == required).then_some(message)
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

    /// Whatever the fast reader takes, the full decoder reads the same way; whatever the full
    /// decoder refuses, the fast reader declines. True if the fast reader took the frame.
    fn assert_agrees(frame: &[u8]) -> bool {
        let Some(fast) = read_book_message(frame) else {
            return false;
        };
        let shown = String::from_utf8_lossy(frame);
        let full = decode(frame).unwrap_or_else(|e| panic!("fast took {shown}: {}", e.message()));
        let text =
            |field: &Option<crate::core::wire::Text>| field.as_ref().map(|t| t.as_str().to_owned());
        let int = |field: &Option<crate::core::wire::Int>| field.as_ref().map_or(0, |i| i.0);
        assert_eq!(
            text(&full.channel).as_deref(),
            Some(fast.channel),
            "{shown}"
        );
        assert_eq!(text(&full.event).as_deref(), Some(fast.event), "{shown}");
        assert_eq!(text(&full.market).as_deref(), Some(fast.market), "{shown}");
        assert_eq!(int(&full.first_update_id), fast.first_update_id, "{shown}");
        assert_eq!(int(&full.last_update_id), fast.last_update_id, "{shown}");
        assert_eq!(int(&full.version), fast.version, "{shown}");
        assert_eq!(full.created_at.map(|t| t.0), fast.server_time, "{shown}");
        assert_eq!(borrowed_levels(full.asks.as_ref()), fast.asks, "{shown}");
        assert_eq!(borrowed_levels(full.bids.as_ref()), fast.bids, "{shown}");
        true
    }

    #[test]
    fn the_fast_reader_takes_only_what_the_full_decoder_reads_alike() {
        let frames: [&[u8]; 6] = [
            br#"{"c":"book","e":"update","M":"btcusdt","a":[["5337.3","0.01037"],["5338","0"]],"b":[],"T":1591869939634,"fi":12141726,"li":12141726,"v":1725602999632}"#,
            br#"{"T":1,"v":0,"li":3,"fi":2,"b":[["1.5","2"]],"a":[],"M":"x","e":"snapshot","c":"book"}"#,
            b" {\t\"c\" : \"book\" ,\n\"e\":\"update\",\r\"M\":\"\xc3\xa9\", \"a\" : [ [ \"1\" , \"2\" ] ] , \"fi\":0,\"li\":0 } ",
            br#"{"c":"book","e":"update","M":"x","zz":{"k":[1,-2.5e3,0.5E+2,true,false,null,"s",{}],"c":"trade"},"y":[],"fi":1,"li":1}"#,
            br#"{"zz":"\"c\":\"trade\"","c":"book","e":"update","M":"x","a":[["1","2"]],"fi":1,"li":1}"#,
            br#"{"c":"book","e":"update","M":"x","fi":9007199254740991,"li":1,"T":8640000000000000}"#,
        ];
        let mutations = [
            b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'0', b'9', b'-', b'.', b'e', b' ',
            b'n', b'x', 0x01, 0x80, 0xc3, 0xff,
        ];
        for (index, frame) in frames.iter().enumerate() {
            // Frame 4's unknown string holds escapes: left to the full decoder.
            assert!(
                assert_agrees(frame) || index == 4,
                "declined {}",
                String::from_utf8_lossy(frame)
            );
            for end in 0..frame.len() {
                assert_agrees(&frame[..end]);
            }
            for at in 0..frame.len() {
                for byte in mutations {
                    let mut changed = frame.to_vec();
                    changed[at] = byte;
                    assert_agrees(&changed);
                    changed.insert(at, byte);
                    assert_agrees(&changed);
                }
            }
        }
        // Past the decoder's limits: a JS number, a JS Date, or nesting it refuses.
        for refused in [
            &br#"{"c":"book","e":"update","M":"x","fi":9007199254740992,"li":1}"#[..],
            br#"{"c":"book","e":"update","M":"x","T":8640000000000001}"#,
            br#"{"c":"book","e":"update","M":"x","s":1}"#,
            br#"{"c":"book","c":"book","e":"update","M":"x"}"#,
            br#"{"c":"book","e":"update","M":"x","a":null}"#,
        ] {
            assert!(
                read_book_message(refused).is_none(),
                "{}",
                String::from_utf8_lossy(refused)
            );
        }
        let deep = format!(
            r#"{{"c":"book","e":"update","M":"x","zz":{}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(read_book_message(deep.as_bytes()).is_none() && decode(deep.as_bytes()).is_err());
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
