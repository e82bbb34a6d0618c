//! Subscriptions: what a `sub`/`unsub` request lists, validated where the caller hands them over.

use std::fmt;

use super::error::{InputError, NumberText, Problem};
use super::input::{Fields, Input, Shape};
use super::protocol::{Channel, Resolution, BOOK_DEPTHS};

/// One validated subscription object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subscription {
    Book {
        market: String,
        depth: Option<u8>,
    },
    Trade {
        market: String,
    },
    Ticker {
        market: String,
    },
    Kline {
        market: String,
        resolution: Option<Resolution>,
    },
    MarketStatus,
    PoolQuota {
        currency: String,
    },
}

impl Subscription {
    pub fn channel(&self) -> Channel {
        match self {
            Subscription::Book { .. } => Channel::Book,
            Subscription::Trade { .. } => Channel::Trade,
            Subscription::Ticker { .. } => Channel::Ticker,
            Subscription::Kline { .. } => Channel::Kline,
            Subscription::MarketStatus => Channel::MarketStatus,
            Subscription::PoolQuota { .. } => Channel::PoolQuota,
        }
    }

    /// The market it concerns, for channels that have one.
    pub fn market(&self) -> Option<&str> {
        match self {
            Subscription::Book { market, .. }
            | Subscription::Trade { market }
            | Subscription::Ticker { market }
            | Subscription::Kline { market, .. } => Some(market),
            Subscription::MarketStatus | Subscription::PoolQuota { .. } => None,
        }
    }

    /// Appends the wire JSON object, keys in the documentation's order. Written by hand: a
    /// derived serializer would cost the wasm more than these few keys. Markets and currencies
    /// were checked to be letters and digits, so no value needs escaping.
    pub fn write_json(&self, out: &mut String) {
        // The market or currency (keyed), and the one optional key the channel may have.
        let (key, id, depth, resolution) = match self {
            Subscription::Book { market, depth } => ("market", market.as_str(), *depth, None),
            Subscription::Trade { market } | Subscription::Ticker { market } => {
                ("market", market.as_str(), None, None)
            }
            Subscription::Kline { market, resolution } => (
                "market",
                market.as_str(),
                None,
                resolution.map(Resolution::as_str),
            ),
            Subscription::MarketStatus => ("", "", None, None),
            Subscription::PoolQuota { currency } => ("currency", currency.as_str(), None, None),
        };
        push_all(out, &["{\"channel\":\"", self.channel().as_str(), "\""]);
        if !key.is_empty() {
            push_text(out, key, id);
        }
        if let Some(resolution) = resolution {
            push_text(out, "resolution", resolution);
        }
        if let Some(depth) = depth {
            // One of BOOK_DEPTHS: at most two digits.
            out.push_str(",\"depth\":");
            if depth >= 10 {
                out.push(char::from(b'0' + depth / 10 % 10));
            }
            out.push(char::from(b'0' + depth % 10));
        }
        out.push('}');
    }

    /// The JSON list of the subscriptions' wire objects.
    pub fn list_json<'a>(subscriptions: impl IntoIterator<Item = &'a Subscription>) -> String {
        let mut out = String::from("[");
        for (index, subscription) in subscriptions.into_iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            subscription.write_json(&mut out);
        }
        out.push(']');
        out
    }

    /// Validates one subscription object; `at` names it in errors (`subscriptions[2]`).
    pub fn from_input(value: &Input<'_>, at: &str) -> Result<Subscription, InputError> {
        Subscription::read_at(value, &at)
    }

    /// `from_input`, with the name written only for an error.
    fn read_at(value: &Input<'_>, at: &dyn fmt::Display) -> Result<Subscription, InputError> {
        let Some(object) = value.as_object() else {
            let problem = value.mismatch("a subscription object");
            return Err(InputError::at(at.to_string(), problem));
        };
        let mut key = "channel";
        read(&object, &mut key).map_err(|problem| InputError::at(format!("{at}.{key}"), problem))
    }

    /// A book subscription from its parts, validated like any other; `at` names it in errors.
    pub fn book(market: &str, depth: Option<f64>, at: &str) -> Result<Subscription, InputError> {
        let field =
            |key: &'static str| move |problem| InputError::at(format!("{at}.{key}"), problem);
        let market = identifier("market", market).map_err(field("market"))?;
        let depth = match depth {
            None => None,
            Some(depth) => Some(book_depth(depth, NumberText(depth)).map_err(field("depth"))?),
        };
        Ok(Subscription::Book { market, depth })
    }

    /// Validates the JSON text of a list of subscriptions; `key` is the list's field name.
    pub fn list_from_json(text: &str, key: &str) -> Result<Vec<Subscription>, InputError> {
        Subscription::list_from_input(&Input::argument(text, key)?, key)
    }

    /// Validates a list of subscriptions; `key` is the list's field name.
    pub fn list_from_input(value: &Input<'_>, key: &str) -> Result<Vec<Subscription>, InputError> {
        let items = match value.shape() {
            Shape::List => value.as_list().unwrap_or_default(),
            // A single object is accepted as a list of one: the common case reads better.
            Shape::Object => vec![*value],
            _ => return Err(value.wrong_type(key, "a list of subscriptions")),
        };
        if items.is_empty() {
            return Err(InputError::range_error(key, Problem::EmptyList));
        }
        let mut list = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            list.push(Subscription::read_at(item, &Item(key, index))?);
        }
        Ok(list)
    }
}

/// An item of a list, named in errors as `list[index]`.
pub struct Item<'a>(pub &'a str, pub usize);

impl fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// What a subscription's key holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A market or currency id (required).
    Id,
    Depth,
    Resolution,
}

/// The keys a channel's subscriptions may carry besides `channel`, in the order they are read.
fn allowed_keys(channel: Channel) -> &'static [(&'static str, Kind)] {
    match channel {
        Channel::Book => &[("market", Kind::Id), ("depth", Kind::Depth)],
        Channel::Kline => &[("market", Kind::Id), ("resolution", Kind::Resolution)],
        Channel::Trade | Channel::Ticker => &[("market", Kind::Id)],
        Channel::PoolQuota => &[("currency", Kind::Id)],
        Channel::MarketStatus | Channel::User => &[],
    }
}

/// The subscription an object's fields make; on a problem, `key` is left naming its field. One
/// loop reads the keys the channel takes (`allowed_keys`), in their order, each by its kind;
/// then any other key given is refused.
fn read<'a>(object: &'a Fields<'_>, key: &mut &'a str) -> Result<Subscription, Problem> {
    let name = object.present("channel").ok_or(Problem::Required)?;
    let name = name.as_str().ok_or_else(|| name.mismatch("a string"))?;
    // `user` is where private data arrives: it is chosen by auth filters, never subscribed to.
    let channel = Channel::from_wire(&name)
        .filter(|&channel| channel != Channel::User)
        .ok_or_else(|| Problem::Unknown("channel", name.into_owned()))?;
    let (mut id, mut depth, mut resolution) = (String::new(), None, None);
    for &(name, kind) in allowed_keys(channel) {
        *key = name;
        let Some(value) = object.present(name) else {
            // A market or a currency is required; a depth or a resolution is not.
            if kind == Kind::Id {
                return Err(Problem::Required);
            }
            continue;
        };
        if kind == Kind::Depth {
            let number = value.as_f64().ok_or_else(|| value.mismatch("a number"))?;
            depth = Some(book_depth(number, value.text())?);
            continue;
        }
        let text = value.as_str().ok_or_else(|| value.mismatch("a string"))?;
        if kind == Kind::Resolution {
            let found = Resolution::from_wire(&text);
            resolution = Some(found.ok_or_else(|| Problem::NotAResolution(text.into_owned()))?);
        } else {
            id = identifier(name, &text)?;
        }
    }
    // A key that the channel does not take is a mistake worth naming (e.g. `depth` on a trade).
    let allowed = allowed_keys(channel);
    if let Some((name, _)) = object.iter().find(|(name, value)| {
        *name != "channel" && !value.is_null() && !allowed.iter().any(|(key, _)| key == name)
    }) {
        *key = name;
        return Err(Problem::TakesNo(channel, name.to_owned()));
    }
    Ok(match channel {
        Channel::Book => Subscription::Book { market: id, depth },
        Channel::Trade => Subscription::Trade { market: id },
        Channel::Ticker => Subscription::Ticker { market: id },
        Channel::Kline => Subscription::Kline {
            market: id,
            resolution,
        },
        Channel::PoolQuota => Subscription::PoolQuota { currency: id },
        // `user` was refused above.
        Channel::MarketStatus | Channel::User => Subscription::MarketStatus,
    })
}

/// `,"key":"text"`, for text that needs no JSON escaping.
#[inline(never)]
fn push_text(out: &mut String, key: &str, text: &str) {
    push_all(out, &[",\"", key, "\":\"", text, "\""]);
}

/// Appends the pieces in order: one out-of-line copy of the appending for every writer.
#[inline(never)]
pub fn push_all(out: &mut String, pieces: &[&str]) {
    for piece in pieces {
        out.push_str(piece);
    }
}

/// A market or currency id (`key` says which): MAX spells them in lowercase letters and digits.
fn identifier(key: &'static str, text: &str) -> Result<String, Problem> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::NotAnId(key, text.to_owned()));
    }
    Ok(text.to_ascii_lowercase())
}

/// One of the book depths MAX serves; `written` is the number as the caller gave it.
fn book_depth(depth: f64, written: impl fmt::Display) -> Result<u8, Problem> {
    BOOK_DEPTHS
        .iter()
        .find(|&&d| d as f64 == depth)
        .map(|&d| d as u8)
        .ok_or_else(|| Problem::NotADepth(written.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::InputErrorKind;
    use serde_json::{json, Value};

    fn parse(value: Value) -> Result<Subscription, InputError> {
        Subscription::from_input(&input(&value.to_string()), "subscriptions[0]")
    }

    fn input(text: &str) -> Input<'_> {
        Input::parse(text).unwrap()
    }

    fn list(value: Value) -> Result<Vec<Subscription>, InputError> {
        Subscription::list_from_input(&input(&value.to_string()), "subscriptions")
    }

    #[test]
    fn valid_subscriptions_round_trip_to_the_wire() {
        for value in [
            json!({"channel": "book", "market": "btcusdt", "depth": 5}),
            json!({"channel": "book", "market": "btcusdt"}),
            json!({"channel": "trade", "market": "btctwd"}),
            json!({"channel": "ticker", "market": "ethusdt"}),
            json!({"channel": "kline", "market": "ethusdt", "resolution": "1h"}),
            json!({"channel": "market_status"}),
            json!({"channel": "pool_quota", "currency": "usdt"}),
        ] {
            let mut wire = String::new();
            parse(value.clone()).unwrap().write_json(&mut wire);
            assert_eq!(serde_json::from_str::<Value>(&wire).unwrap(), value);
        }
    }

    #[test]
    fn wire_keys_keep_the_documentations_order() {
        let book = Subscription::book("BTCUSDT", Some(5.0), "book").unwrap();
        let kline = Subscription::Kline {
            market: "ethusdt".into(),
            resolution: Some(Resolution::from_wire("1h").unwrap()),
        };
        assert_eq!(
            Subscription::list_json([&book, &kline, &Subscription::MarketStatus]),
            concat!(
                r#"[{"channel":"book","market":"btcusdt","depth":5},"#,
                r#"{"channel":"kline","market":"ethusdt","resolution":"1h"},"#,
                r#"{"channel":"market_status"}]"#
            )
        );
        assert_eq!(Subscription::list_json(&[]), "[]");
    }

    #[test]
    fn a_book_from_parts_quotes_a_bad_depth_as_given() {
        let error = Subscription::book("btcusdt", Some(7.0), "book").unwrap_err();
        assert_eq!(
            error.to_string(),
            "book.depth: 7 is not one of 1, 5, 10, 20, 50"
        );
        assert!(Subscription::book("btcusdt", Some(20.0), "book").is_ok());
        for (depth, quoted) in [(7.5, "7.5"), (f64::NAN, "NaN")] {
            let error = Subscription::book("btcusdt", Some(depth), "book").unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("book.depth: {quoted} is not one of 1, 5, 10, 20, 50")
            );
        }
        let error = Subscription::book("BTC/USDT", None, "book").unwrap_err();
        assert_eq!(error.field, "book.market");
    }

    #[test]
    fn a_depth_is_a_number_of_any_spelling_and_quoted_as_written() {
        let sub = parse(json!({"channel": "book", "market": "btcusdt", "depth": 5.0})).unwrap();
        assert_eq!(
            sub,
            Subscription::Book {
                market: "btcusdt".into(),
                depth: Some(5)
            }
        );
        let text = r#"{"channel":"book","market":"btcusdt","depth":7.50}"#;
        let error = Subscription::from_input(&input(text), "subscriptions[0]").unwrap_err();
        assert_eq!(
            error.to_string(),
            "subscriptions[0].depth: 7.50 is not one of 1, 5, 10, 20, 50"
        );
    }

    #[test]
    fn markets_are_lowercased() {
        let sub = parse(json!({"channel": "trade", "market": "BTCUSDT"})).unwrap();
        assert_eq!(sub.market(), Some("btcusdt"));
    }

    fn rejects(value: Value, kind: InputErrorKind, field: &str) {
        let error = parse(value.clone()).expect_err("should be refused");
        assert_eq!(error.kind, kind, "{value}: {error}");
        assert_eq!(error.field, field, "{value}: {error}");
    }

    #[test]
    fn each_bad_subscription_is_rejected_naming_its_field() {
        use InputErrorKind::{Range, Type};
        rejects(json!("book"), Type, "subscriptions[0]");
        rejects(
            json!({"market": "btcusdt"}),
            Type,
            "subscriptions[0].channel",
        );
        rejects(json!({"channel": 5}), Type, "subscriptions[0].channel");
        rejects(
            json!({"channel": "orders"}),
            Range,
            "subscriptions[0].channel",
        );
        rejects(
            json!({"channel": "user"}),
            Range,
            "subscriptions[0].channel",
        );
        rejects(json!({"channel": "book"}), Type, "subscriptions[0].market");
        rejects(
            json!({"channel": "trade", "market": 7}),
            Type,
            "subscriptions[0].market",
        );
        rejects(
            json!({"channel": "trade", "market": "btc/usdt"}),
            Range,
            "subscriptions[0].market",
        );
        rejects(
            json!({"channel": "trade", "market": ""}),
            Range,
            "subscriptions[0].market",
        );
        rejects(
            json!({"channel": "book", "market": "btcusdt", "depth": 7}),
            Range,
            "subscriptions[0].depth",
        );
        rejects(
            json!({"channel": "book", "market": "btcusdt", "depth": "5"}),
            Type,
            "subscriptions[0].depth",
        );
        rejects(
            json!({"channel": "kline", "market": "btcusdt", "resolution": "3m"}),
            Range,
            "subscriptions[0].resolution",
        );
        rejects(
            json!({"channel": "kline", "market": "btcusdt", "resolution": 1}),
            Type,
            "subscriptions[0].resolution",
        );
        rejects(
            json!({"channel": "pool_quota"}),
            Type,
            "subscriptions[0].currency",
        );
        rejects(
            json!({"channel": "trade", "market": "btcusdt", "depth": 5}),
            Type,
            "subscriptions[0].depth",
        );
    }

    #[test]
    fn lists_must_be_non_empty_lists_of_objects() {
        assert!(list(json!([])).is_err());
        assert!(list(json!(3)).is_err());
        let one = list(json!({"channel": "market_status"})).unwrap();
        assert_eq!(one, vec![Subscription::MarketStatus]);
        let error = list(json!([{"channel": "market_status"}, {"channel": "x"}])).unwrap_err();
        assert_eq!(error.field, "subscriptions[1].channel");
    }
}
