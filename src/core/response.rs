//! Server messages: one `wire_object!` table per payload, in the order of the API's names.
//!
//! Each line maps a wire key to the field that the JS object calls by its camelCase name
//! (`js/decode.js` builds the objects in this very order). Keys a table does not name are kept
//! in `extra`; event names are kept as strings, known or not.

use std::fmt;

use super::tape::Tape;
use super::wire::{wire_object, Float, Id, Int, Level, List, Text, Time};

wire_object! {
    /// A decoded message (`Response` in the JS API).
    Response {
        "e" event: Text<'de>,
        "T" created_at: Time,
        "i" id: Id<'de>,
        "E" errors: List<Text<'de>>,
        "s" subscriptions: List<SubscriptionEcho<'de>>,
        "c" channel: Text<'de>,
        "B" balances: List<Balance<'de>>,
        "M" market: Text<'de>,
        "a" asks: List<Level<'de>>,
        "b" bids: List<Level<'de>>,
        "fi" first_update_id: Int,
        "li" last_update_id: Int,
        "v" version: Int,
        "o" orders: List<Order<'de>>,
        "tk" ticker: Ticker<'de>,
        "t" trades: List<Trade<'de>>,
        "cu" currency: Text<'de>,
        "k" kline: Kline<'de>,
        "ms" market_status: List<MarketStatus<'de>>,
        "qta" pool_quota: PoolQuota<'de>,
        "ad" ad_ratio: AdRatio<'de>,
        "db" borrowings: List<Borrowing<'de>>,
    }
}

wire_object! {
    /// A subscription as the server confirms it in `s`.
    SubscriptionEcho {
        "channel" channel: Text<'de>,
        "market" market: Text<'de>,
        "depth" depth: Int,
        "resolution" resolution: Text<'de>,
        "currency" currency: Text<'de>,
    }
}

wire_object! {
    /// `tk`.
    Ticker {
        "M" market: Text<'de>,
        "O" open: Text<'de>,
        "H" high: Text<'de>,
        "L" low: Text<'de>,
        "C" close: Text<'de>,
        "v" volume: Text<'de>,
        "V" volume_in_btc: Text<'de>,
    }
}

wire_object! {
    /// An order in `o` (spot or M-Wallet).
    Order {
        "i" order_id: Int,
        "sd" side: Text<'de>,
        "ot" order_type: Text<'de>,
        "p" price: Text<'de>,
        "sp" stop_price: Text<'de>,
        "ap" average_price: Text<'de>,
        "S" state: Text<'de>,
        "M" market: Text<'de>,
        "T" created_at: Time,
        "TU" updated_at: Time,
        "v" volume: Text<'de>,
        "rv" remaining_volume: Text<'de>,
        "ev" executed_volume: Text<'de>,
        "tc" trade_count: Int,
        "ci" client_order_id: Text<'de>,
        "gi" group_id: Int,
    }
}

wire_object! {
    /// A trade in `t`: public ones have price, volume, time and trend; private ones the rest.
    Trade {
        "i" id: Int,
        "M" market: Text<'de>,
        "sd" side: Text<'de>,
        "p" price: Text<'de>,
        "v" volume: Text<'de>,
        "f" fee: Text<'de>,
        "fc" fee_currency: Text<'de>,
        "fd" fee_discounted: bool,
        "fn" funds: Text<'de>,
        "T" created_at: Time,
        "TU" updated_at: Time,
        "m" maker: bool,
        "oi" order_id: Int,
        "tr" trend: Text<'de>,
    }
}

wire_object! {
    /// A balance in `B`.
    Balance {
        "cu" currency: Text<'de>,
        "av" available: Text<'de>,
        "l" locked: Text<'de>,
        "stk" staked: Text<'de>,
        "TU" balance_updated_time: Time,
    }
}

wire_object! {
    /// `k`.
    Kline {
        "ST" start_time: Time,
        "ET" end_time: Time,
        "M" market: Text<'de>,
        "R" resolution: Text<'de>,
        "O" open: Text<'de>,
        "H" high: Text<'de>,
        "L" low: Text<'de>,
        "C" close: Text<'de>,
        "v" volume: Text<'de>,
        "ti" last_trade_id: Int,
        "x" closed: bool,
        "qv" quote_volume: Text<'de>,
    }
}

wire_object! {
    /// A market status in `ms`.
    MarketStatus {
        "M" market: Text<'de>,
        "st" status: Text<'de>,
        "bu" base_unit: Text<'de>,
        "bup" base_unit_precision: Int,
        "mba" minimal_base_amount: Float,
        "qu" quote_unit: Text<'de>,
        "qup" quote_unit_precision: Int,
        "mqa" minimal_quote_amount: Float,
        "mws" mwallet_supported: bool,
    }
}

wire_object! {
    /// `qta`.
    PoolQuota {
        "cu" currency: Text<'de>,
        "av" available: Text<'de>,
        "TU" updated_at: Time,
    }
}

wire_object! {
    /// `ad`: the M-Wallet AD ratio.
    AdRatio {
        "ad" ad_ratio: Text<'de>,
        "as" asset_in_usdt: Text<'de>,
        "db" debt_in_usdt: Text<'de>,
        "idxp" index_prices: List<IndexPrice<'de>>,
        "TU" updated_at: Time,
    }
}

wire_object! {
    /// An index price in an AD ratio's `idxp`.
    IndexPrice {
        "M" market: Text<'de>,
        "p" price: Text<'de>,
    }
}

wire_object! {
    /// An M-Wallet borrowing in `db`.
    Borrowing {
        "cu" currency: Text<'de>,
        "dbp" debt_principal: Text<'de>,
        "dbi" debt_interest: Text<'de>,
        "TU" updated_at: Time,
    }
}

/// A frame that is not a MAX message; the text says why and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl DecodeError {
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one frame; strings borrow from `frame`.
///
/// The frame is checked as UTF-8 once, as a whole (every frame from JS is: `encodeInto` of a
/// well-formed string), and read as `&str`, so serde_json does not check each string again.
pub fn decode(frame: &[u8]) -> Result<Response<'_>, DecodeError> {
    let text = std::str::from_utf8(frame)
        .map_err(|e| DecodeError(format!("invalid MAX message: invalid UTF-8 at byte {}", e.valid_up_to())))?;
    let response: Response = serde_json::from_str(text).map_err(|e| DecodeError(format!("invalid MAX message: {e}")))?;
    if response.event.is_none() {
        return Err(DecodeError("invalid MAX message: it has no event (key `e`)".into()));
    }
    Ok(response)
}

/// Decodes one frame onto `tape`, for the JS side to build its object from.
pub fn decode_to_tape(frame: &[u8], tape: &mut Tape) -> Result<(), DecodeError> {
    let response = decode(frame)?;
    tape.record(frame, &response);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_is_named_by_its_path() {
        let error = decode(br#"{"e":"update","tk":{"M":"btcusdt","O":5}}"#).unwrap_err();
        assert!(error.message().contains("tk.O: invalid type: integer `5`, expected a string"), "{error}");
        let error = decode(br#"{"e":"update","o":[{"i":1},{"i":"x"}]}"#).unwrap_err();
        assert!(error.message().contains("o[1].i: invalid type"), "{error}");
        let error = decode(br#"{"e":"update","a":[["1","2"],["1"]]}"#).unwrap_err();
        assert!(error.message().contains("a[1]: invalid length 1"), "{error}");
    }

    #[test]
    fn messages_without_an_event_or_not_objects_are_refused() {
        assert!(decode(br#"{"T":1}"#).unwrap_err().message().contains("no event"));
        assert!(decode(b"[1,2]").unwrap_err().message().contains("expected a Response object"));
        assert!(decode(b"{").is_err());
        assert!(decode(b"").is_err());
    }

    #[test]
    fn numbers_a_js_number_cannot_hold_are_refused() {
        assert!(decode(br#"{"e":"x","T":9007199254740992}"#).unwrap_err().message().contains("T: integer"));
        assert!(decode(br#"{"e":"x","T":1e400}"#).is_err());
        assert!(decode(br#"{"e":"x","T":-5}"#).is_err());
        assert!(decode(br#"{"e":"x","T":1.5}"#).is_err());
    }

    #[test]
    fn float_fields_are_rounded_from_their_full_text_as_json_parse_does() {
        // Found by the decode_response fuzz target: serde_json's best-effort float reading gave
        // 2.333333333333333e117, one unit in the last place below what JSON.parse gives.
        let frame = br#"{"e":"update","c":"market_status","ms":[{"M":"btctwd","mba":2.3333333333333333e+117,"mqa":2333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333350}]}"#;
        let response = decode(frame).unwrap();
        let status = &response.market_status.unwrap().0[0];
        let expected = 2.3333333333333333e117_f64;
        assert_eq!(status.minimal_base_amount.map(|f| f.0.to_bits()), Some(expected.to_bits()));
        assert_eq!(status.minimal_quote_amount.map(|f| f.0.to_bits()), Some(expected.to_bits()));
        let short = decode(br#"{"e":"x","ms":[{"mba":0.0004,"mqa":-2E-3}]}"#).unwrap();
        let short = &short.market_status.unwrap().0[0];
        assert_eq!((short.minimal_base_amount.unwrap().0, short.minimal_quote_amount.unwrap().0), (0.0004, -0.002));
    }

    #[test]
    fn float_fields_refuse_other_types_and_infinities() {
        for (value, problem) in [(r#""5""#, "expected a number"), ("true", "expected a number"), ("[1]", "expected a number"), ("1e400", "out of range")] {
            let frame = format!(r#"{{"e":"x","ms":[{{"mba":{value}}}]}}"#);
            let error = decode(frame.as_bytes()).unwrap_err();
            assert!(error.message().contains("ms[0].mba: ") && error.message().contains(problem), "{error}");
        }
        let absent = decode(br#"{"e":"x","ms":[{"mba":null}]}"#).unwrap();
        assert!(absent.market_status.unwrap().0[0].minimal_base_amount.is_none());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(r#"{{"e":"x","zz":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert!(decode(deep.as_bytes()).is_err());
    }

    #[test]
    fn escaped_strings_are_unescaped_and_unknown_keys_kept() {
        let response = decode(br#"{"e":"sn\u0061pshot","zz":{"a":[1]},"T":1}"#).unwrap();
        assert_eq!(response.event.unwrap().as_str(), "snapshot");
        assert_eq!(response.extra.len(), 1);
        assert_eq!(response.extra[0].0.as_str(), "zz");
        assert_eq!(response.extra[0].1.get(), r#"{"a":[1]}"#);
    }

    #[test]
    fn tape_offsets_point_into_the_frame() {
        let frame = br#"{"e":"pong","i":"abc","T":7}"#;
        let mut tape = Tape::default();
        decode_to_tape(frame, &mut tape).unwrap();
        let numbers = tape.numbers();
        // [owned address, mask(e, T, i), e start, e end, T, i start, i end]
        assert_eq!(numbers[1], 0b111 as f64);
        let text = |at: usize| &frame[numbers[at] as usize..numbers[at + 1] as usize];
        assert_eq!(text(2), b"pong");
        assert_eq!(numbers[4], 7.0);
        assert_eq!(text(5), b"abc");
    }
}
