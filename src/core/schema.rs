//! The payload schema: every wire object of a server message, declared once as data.
//!
//! Each line names a wire key, the camelCase name the JS object carries it under, and its kind.
//! One table-driven decoder (`tape.rs`) reads every object from these tables, and the JS readers
//! and TypeScript declarations are generated from them (`generate.rs`), so adding a payload field
//! is one line here. A field's position in its table is its bit in the tape's presence mask.

/// What a wire value is, and so how it is checked, written to the tape and read back in JS.
#[derive(Debug)]
pub enum Kind {
    /// A string (decimals stay strings).
    Text,
    /// A string whose known values are the wire enum of that name in `protocol.rs` (`Side`).
    /// The name is held by reference: a `&str` in place would make every `Kind` 12 bytes, and
    /// so every field of the wasm's tables 32 (with padding) instead of 24.
    Enum(&'static &'static str),
    /// An echoed request id: a string, or an integer kept as its decimal string.
    Id,
    /// A non-negative integer that a JS number holds exactly.
    Int,
    /// Milliseconds since the epoch that a JS `Date` holds.
    Time,
    /// A JSON number, read from its full text as `JSON.parse` reads it.
    Float,
    Bool,
    /// A `[price, volume]` pair of strings.
    Level,
    Object(&'static Object),
    List(&'static Kind),
}

/// One key of a wire object.
#[derive(Debug)]
pub struct Field {
    /// The wire key.
    pub key: &'static str,
    /// `key` packed for lookups (see `tag`).
    pub tag: u64,
    pub kind: Kind,
    /// The JS property name (for the generator: the wasm needs only keys and kinds).
    #[cfg(not(target_arch = "wasm32"))]
    pub name: &'static str,
    /// A doc comment for the TypeScript declaration ("" for none).
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
}

/// A wire object: its TypeScript interface name and its keys, in the order JS objects carry them.
#[derive(Debug)]
pub struct Object {
    pub name: &'static str,
    #[cfg(not(target_arch = "wasm32"))]
    pub doc: &'static str,
    pub fields: &'static [Field],
    /// Each field's index + 1 at the slot its key's tag hashes to, or the next free one (0:
    /// empty): a key is found in about one probe, not a scan of the table (the decoder looks up
    /// every key of every frame).
    pub slots: [u8; SLOTS],
}

/// Slots per object: a power of two, over twice the most fields, so a free slot ends each probe.
pub const SLOTS: usize = 64;

/// The first slot of a key's tag.
const fn slot(tag: u64) -> usize {
    (tag.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize
}

/// The slots of an object whose keys have these tags, in table order.
pub const fn slot_table(tags: &[u64]) -> [u8; SLOTS] {
    let mut slots = [0u8; SLOTS];
    let mut index = 0;
    while index < tags.len() {
        let mut at = slot(tags[index]);
        while slots[at] != 0 {
            at = (at + 1) % SLOTS;
        }
        slots[at] = index as u8 + 1;
        index += 1;
    }
    slots
}

impl Object {
    /// The index of the field with wire key `key`.
    #[inline]
    pub fn index_of(&self, key: &str) -> Option<usize> {
        let tag = tag(key.as_bytes());
        let mut at = slot(tag);
        loop {
            let index = usize::from(*self.slots.get(at)?).checked_sub(1)?;
            let field = self.fields.get(index)?;
            if field.tag == tag && (key.len() <= 7 || field.key == key) {
                return Some(index);
            }
            at = (at + 1) % SLOTS;
        }
    }

    /// The presence bit that says unknown keys follow (one past the fields').
    pub fn extra_bit(&self) -> u32 {
        1 << self.fields.len()
    }
}

/// A key packed into a `u64`, its length in the top byte and its first seven bytes below, so a
/// lookup compares integers (every key of MAX's objects but `resolution` fits whole).
pub const fn tag(key: &[u8]) -> u64 {
    let mut tag = (key.len() as u64 & 0xff) << 56;
    let mut at = 0;
    while at < key.len() && at < 7 {
        tag |= (key[at] as u64) << (8 * at);
        at += 1;
    }
    tag
}

/// Declares a wire object's table: `"wire key" jsName: Kind,` per line, doc comments allowed.
macro_rules! object {
    ($(#[doc = $doc:literal])* $table:ident = $name:ident { $($(#[doc = $fdoc:literal])* $key:literal $js:ident: $kind:expr,)+ }) => {
        $(#[doc = $doc])*
        pub static $table: Object = Object {
            name: stringify!($name),
            #[cfg(not(target_arch = "wasm32"))]
            doc: concat!($($doc, "\n",)*),
            fields: &[$(Field {
                key: $key,
                tag: tag($key.as_bytes()),
                kind: $kind,
                #[cfg(not(target_arch = "wasm32"))]
                name: stringify!($js),
                #[cfg(not(target_arch = "wasm32"))]
                doc: concat!($($fdoc, "\n",)*),
            },)+],
            slots: slot_table(&[$(tag($key.as_bytes()),)+]),
        };
    };
}

use Kind::{Bool, Enum, Float, Id, Int, Level, List, Object as Obj, Text, Time};

object! {
    /// One decoded server message.
    RESPONSE = Response {
        /// Known or not: an unknown event is kept as its string.
        "e" event: Enum(&"Event"),
        "T" createdAt: Time,
        /// The echoed request id (a number on the wire becomes its decimal string).
        "i" id: Id,
        "E" errors: List(&Text),
        "s" subscriptions: List(&Obj(&SUBSCRIPTION_ECHO)),
        "c" channel: Enum(&"Channel"),
        "B" balances: List(&Obj(&BALANCE)),
        "M" market: Text,
        "a" asks: List(&Level),
        "b" bids: List(&Level),
        "fi" firstUpdateId: Int,
        "li" lastUpdateId: Int,
        "v" version: Int,
        "o" orders: List(&Obj(&ORDER)),
        "tk" ticker: Obj(&TICKER),
        "t" trades: List(&Obj(&TRADE)),
        "cu" currency: Text,
        "k" kline: Obj(&KLINE),
        "ms" marketStatus: List(&Obj(&MARKET_STATUS)),
        "qta" poolQuota: Obj(&POOL_QUOTA),
        "ad" mWalletAdRatio: Obj(&AD_RATIO),
        "db" mWalletBorrowings: List(&Obj(&BORROWING)),
    }
}

/// A whole message, as the decoder reads a frame.
pub static MESSAGE: Kind = Kind::Object(&RESPONSE);

/// The key every message must have.
pub const EVENT_KEY: &str = "e";

object! {
    /// A subscription as the server confirms it in `subscribed` / `unsubscribed`.
    SUBSCRIPTION_ECHO = SubscriptionEcho {
        "channel" channel: Enum(&"Channel"),
        "market" market: Text,
        "depth" depth: Int,
        "resolution" resolution: Enum(&"Resolution"),
        "currency" currency: Text,
    }
}

object! {
    TICKER = Ticker {
        "M" market: Text,
        "O" open: Text,
        "H" high: Text,
        "L" low: Text,
        "C" close: Text,
        "v" volume: Text,
        "V" volumeInBtc: Text,
    }
}

object! {
    ORDER = Order {
        "i" orderId: Int,
        "sd" side: Enum(&"Side"),
        "ot" orderType: Enum(&"OrderType"),
        "p" price: Text,
        "sp" stopPrice: Text,
        "ap" averagePrice: Text,
        "S" state: Enum(&"OrderState"),
        "M" market: Text,
        "T" createdAt: Time,
        "TU" updatedAt: Time,
        "v" volume: Text,
        "rv" remainingVolume: Text,
        "ev" executedVolume: Text,
        "tc" tradeCount: Int,
        "ci" clientOrderId: Text,
        "gi" groupId: Int,
    }
}

object! {
    /// A trade: public ones carry price, volume, createdAt and trend; private ones the rest.
    TRADE = Trade {
        "i" id: Int,
        "M" market: Text,
        "sd" side: Enum(&"Side"),
        "p" price: Text,
        "v" volume: Text,
        "f" fee: Text,
        "fc" feeCurrency: Text,
        "fd" feeDiscounted: Bool,
        "fn" funds: Text,
        "T" createdAt: Time,
        "TU" updatedAt: Time,
        "m" maker: Bool,
        "oi" orderId: Int,
        "tr" trend: Enum(&"Trend"),
    }
}

object! {
    BALANCE = Balance {
        "cu" currency: Text,
        "av" available: Text,
        "l" locked: Text,
        "stk" staked: Text,
        "TU" balanceUpdatedTime: Time,
    }
}

object! {
    KLINE = Kline {
        "ST" startTime: Time,
        "ET" endTime: Time,
        "M" market: Text,
        "R" resolution: Enum(&"Resolution"),
        "O" open: Text,
        "H" high: Text,
        "L" low: Text,
        "C" close: Text,
        "v" volume: Text,
        "ti" lastTradeId: Int,
        "x" closed: Bool,
        /// `qv` on the wire.
        "qv" quoteVolume: Text,
    }
}

object! {
    MARKET_STATUS = MarketStatus {
        "M" market: Text,
        "st" status: Enum(&"MarketState"),
        "bu" baseUnit: Text,
        "bup" baseUnitPrecision: Int,
        /// A JSON number on the wire, unlike other amounts.
        "mba" minimalBaseAmount: Float,
        "qu" quoteUnit: Text,
        "qup" quoteUnitPrecision: Int,
        "mqa" minimalQuoteAmount: Float,
        "mws" mwalletSupported: Bool,
    }
}

object! {
    POOL_QUOTA = PoolQuota {
        "cu" currency: Text,
        "av" available: Text,
        "TU" updatedAt: Time,
    }
}

object! {
    AD_RATIO = AdRatio {
        "ad" adRatio: Text,
        "as" assetInUsdt: Text,
        "db" debtInUsdt: Text,
        "idxp" indexPrices: List(&Obj(&INDEX_PRICE)),
        "TU" updatedAt: Time,
    }
}

object! {
    INDEX_PRICE = IndexPrice {
        "M" market: Text,
        "p" price: Text,
    }
}

object! {
    BORROWING = Borrowing {
        "cu" currency: Text,
        "dbp" debtPrincipal: Text,
        "dbi" debtInterest: Text,
        "TU" updatedAt: Time,
    }
}

/// Every object, each after the objects it holds (the order of the generated declarations).
pub static OBJECTS: [&Object; 12] = [
    &SUBSCRIPTION_ECHO,
    &TICKER,
    &ORDER,
    &TRADE,
    &BALANCE,
    &KLINE,
    &MARKET_STATUS,
    &POOL_QUOTA,
    &INDEX_PRICE,
    &AD_RATIO,
    &BORROWING,
    &RESPONSE,
];

/// The most fields an object may have: the presence mask is a `u32` with one bit for `extra`.
pub const MAX_FIELDS: usize = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn every_object_fits_its_mask_and_names_each_key_once() {
        for object in OBJECTS {
            assert!(object.fields.len() <= MAX_FIELDS, "{}", object.name);
            for (index, field) in object.fields.iter().enumerate() {
                assert_eq!(
                    object.index_of(field.key),
                    Some(index),
                    "{}.{}",
                    object.name,
                    field.key
                );
                assert!(
                    object
                        .fields
                        .iter()
                        .filter(|f| f.name == field.name)
                        .count()
                        == 1,
                    "{}.{}",
                    object.name,
                    field.name
                );
            }
        }
    }

    /// The decoder finds a float's text from the key before it (see `core::span`).
    #[test]
    fn a_float_is_only_ever_an_objects_field() {
        fn no_float_below(kind: &Kind) -> bool {
            match kind {
                Kind::Float => false,
                Kind::List(item) => no_float_below(item),
                _ => true,
            }
        }
        for object in OBJECTS {
            for field in object.fields {
                if let Kind::List(item) = &field.kind {
                    assert!(no_float_below(item), "{}.{}", object.name, field.key);
                }
            }
        }
    }

    #[test]
    fn a_key_of_another_object_is_not_found() {
        for object in OBJECTS {
            assert!(object.fields.len() * 2 < SLOTS, "{}", object.name);
            for other in OBJECTS {
                for field in other.fields {
                    let here = object.fields.iter().position(|f| f.key == field.key);
                    assert_eq!(
                        object.index_of(field.key),
                        here,
                        "{}.{}",
                        object.name,
                        field.key
                    );
                }
            }
            assert_eq!(object.index_of("no such key"), None);
        }
    }

    #[test]
    fn lookups_tell_apart_keys_that_share_seven_bytes() {
        assert_eq!(SUBSCRIPTION_ECHO.index_of("resolution"), Some(3));
        assert_eq!(SUBSCRIPTION_ECHO.index_of("resolutioN"), None);
        assert_eq!(SUBSCRIPTION_ECHO.index_of("resolut"), None);
        assert_eq!(RESPONSE.index_of(""), None);
        assert_eq!(RESPONSE.index_of("e\u{0}"), None);
    }

    #[test]
    fn every_nested_object_is_listed() {
        fn nested(kind: &Kind, out: &mut Vec<&'static str>) {
            match kind {
                Kind::Object(object) => out.push(object.name),
                Kind::List(item) => nested(item, out),
                _ => {}
            }
        }
        for object in OBJECTS {
            let mut names = Vec::new();
            for field in object.fields {
                nested(&field.kind, &mut names);
            }
            let position = OBJECTS.iter().position(|o| o.name == object.name).unwrap();
            for name in names {
                let at = OBJECTS
                    .iter()
                    .position(|o| o.name == name)
                    .unwrap_or(usize::MAX);
                assert!(at < position, "{name} is listed before {}", object.name);
            }
        }
    }
}
