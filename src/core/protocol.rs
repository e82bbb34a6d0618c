//! The wire vocabulary of MAX: every enumerated string in docs/PROTOCOL.md, in one table each.
//!
//! Each enum knows its wire string and the constant name the JS package exports it under
//! (`Channel.BOOK === "book"`); the JS constant objects and their TypeScript declarations are
//! generated from these tables (`generate.rs`).

/// One wire enum as the JS package exports it: a frozen object of constant names and wire strings.
#[derive(Debug)]
pub struct WireTable {
    /// The JS constant's name (`Channel`).
    pub name: &'static str,
    pub doc: &'static str,
    /// `(constant name, wire string, doc)`, in the documentation's order.
    pub entries: &'static [(&'static str, &'static str, &'static str)],
}

/// Where `wire` is among `wires`. One shared scan rather than a `match` on strings per enum,
/// which compiles to a comparison chain each; only input validation asks, never a per-frame path.
#[inline(never)]
fn wire_position(wires: &[&str], wire: &str) -> Option<usize> {
    wires.iter().position(|entry| *entry == wire)
}

/// Declares a wire enum: variant, JS constant name, wire string (doc comments allowed on each).
macro_rules! wire_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident $js:ident = $wire:literal,)+ }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[doc = $vdoc])* $variant,)+ }

        impl $name {
            /// Every value, in the documentation's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire strings alone, in the same order: what `from_wire` scans. The table with
            /// the JS names and docs serves only the generator, so it stays out of the wasm.
            const WIRES: &'static [&'static str] = &[$($wire,)+];

            /// The table the JS constant object is generated from.
            pub const TABLE: WireTable = WireTable {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                entries: &[$((stringify!($js), $wire, concat!($($vdoc, "\n",)*)),)+],
            };

            /// The string MAX sends and expects.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// The name of the JS constant (`BOOK` in `Channel.BOOK`).
            pub fn js_name(self) -> &'static str {
                match self { $($name::$variant => stringify!($js),)+ }
            }

            /// The value whose wire string is `text`, if any.
            pub fn from_wire(text: &str) -> Option<$name> {
                let index = wire_position($name::WIRES, text)?;
                $name::ALL.get(index).copied()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// A channel: what a subscription names and what a response's `c` says.
    Channel {
        Book BOOK = "book",
        Trade TRADE = "trade",
        Ticker TICKER = "ticker",
        Kline KLINE = "kline",
        MarketStatus MARKET_STATUS = "market_status",
        PoolQuota POOL_QUOTA = "pool_quota",
        /// Where private data arrives; chosen by auth filters, never subscribed to.
        User USER = "user",
    }
}

wire_enum! {
    /// A response's `e`. Unknown events are kept as strings by the decoder, not refused.
    Event {
        Error ERROR = "error",
        Subscribed SUBSCRIBED = "subscribed",
        Unsubscribed UNSUBSCRIBED = "unsubscribed",
        Authenticated AUTHENTICATED = "authenticated",
        Pong PONG = "pong",
        Snapshot SNAPSHOT = "snapshot",
        Update UPDATE = "update",
        OrderSnapshot ORDER_SNAPSHOT = "order_snapshot",
        OrderUpdate ORDER_UPDATE = "order_update",
        TradeSnapshot TRADE_SNAPSHOT = "trade_snapshot",
        TradeUpdate TRADE_UPDATE = "trade_update",
        FastTradeUpdate FAST_TRADE_UPDATE = "fast_trade_update",
        AccountSnapshot ACCOUNT_SNAPSHOT = "account_snapshot",
        AccountUpdate ACCOUNT_UPDATE = "account_update",
        MwalletOrderSnapshot MWALLET_ORDER_SNAPSHOT = "mwallet_order_snapshot",
        MwalletOrderUpdate MWALLET_ORDER_UPDATE = "mwallet_order_update",
        MwalletTradeSnapshot MWALLET_TRADE_SNAPSHOT = "mwallet_trade_snapshot",
        MwalletTradeUpdate MWALLET_TRADE_UPDATE = "mwallet_trade_update",
        MwalletFastTradeUpdate MWALLET_FAST_TRADE_UPDATE = "mwallet_fast_trade_update",
        MwalletAccountSnapshot MWALLET_ACCOUNT_SNAPSHOT = "mwallet_account_snapshot",
        MwalletAccountUpdate MWALLET_ACCOUNT_UPDATE = "mwallet_account_update",
        AdRatioSnapshot AD_RATIO_SNAPSHOT = "ad_ratio_snapshot",
        AdRatioUpdate AD_RATIO_UPDATE = "ad_ratio_update",
        BorrowingSnapshot BORROWING_SNAPSHOT = "borrowing_snapshot",
        BorrowingUpdate BORROWING_UPDATE = "borrowing_update",
    }
}

wire_enum! {
    /// A private-data filter of the `auth` request.
    Filter {
        Order ORDER = "order",
        Trade TRADE = "trade",
        Account ACCOUNT = "account",
        TradeUpdate TRADE_UPDATE = "trade_update",
        FastTradeUpdate FAST_TRADE_UPDATE = "fast_trade_update",
        MwalletOrder MWALLET_ORDER = "mwallet_order",
        MwalletTrade MWALLET_TRADE = "mwallet_trade",
        MwalletFastTradeUpdate MWALLET_FAST_TRADE_UPDATE = "mwallet_fast_trade_update",
        MwalletAccount MWALLET_ACCOUNT = "mwallet_account",
        AdRatio AD_RATIO = "ad_ratio",
        Borrowing BORROWING = "borrowing",
    }
}

wire_enum! {
    /// A request's `action`, in the short spelling clients send.
    Action {
        Subscribe SUBSCRIBE = "sub",
        Unsubscribe UNSUBSCRIBE = "unsub",
        Auth AUTH = "auth",
        Ping PING = "ping",
    }
}

impl Action {
    /// Parses either spelling: the surface file's long names or the docs' short ones.
    pub fn from_either(text: &str) -> Option<Action> {
        match text {
            "subscribe" => Some(Action::Subscribe),
            "unsubscribe" => Some(Action::Unsubscribe),
            "authenticate" => Some(Action::Auth),
            other => Action::from_wire(other),
        }
    }
}

wire_enum! {
    /// An order's or a private trade's `sd`.
    Side {
        Bid BID = "bid",
        Ask ASK = "ask",
    }
}

wire_enum! {
    /// An order's `S`.
    OrderState {
        Wait WAIT = "wait",
        Done DONE = "done",
        Cancel CANCEL = "cancel",
        Convert CONVERT = "convert",
        Finalizing FINALIZING = "finalizing",
        Failed FAILED = "failed",
    }
}

wire_enum! {
    /// An order's `ot`.
    OrderType {
        Market MARKET = "market",
        Limit LIMIT = "limit",
        StopMarket STOP_MARKET = "stop_market",
        StopLimit STOP_LIMIT = "stop_limit",
        PostOnly POST_ONLY = "post_only",
        IocLimit IOC_LIMIT = "ioc_limit",
    }
}

wire_enum! {
    /// A kline subscription's `resolution`.
    Resolution {
        M1 M1 = "1m",
        M5 M5 = "5m",
        M15 M15 = "15m",
        M30 M30 = "30m",
        H1 H1 = "1h",
        H2 H2 = "2h",
        H4 H4 = "4h",
        H6 H6 = "6h",
        H12 H12 = "12h",
        D1 D1 = "1d",
    }
}

wire_enum! {
    /// A public trade's `tr`.
    Trend {
        Up UP = "up",
        Down DOWN = "down",
    }
}

wire_enum! {
    /// A market status's `st`.
    MarketState {
        Active ACTIVE = "active",
        Suspended SUSPENDED = "suspended",
        CancelOnly CANCEL_ONLY = "cancel-only",
    }
}

/// Book depths the server accepts; it sends 50 levels when none is asked for.
pub const BOOK_DEPTHS: [u64; 5] = [1, 5, 10, 20, 50];

/// The production endpoint.
pub const MAX_WS_URI: &str = "wss://max-stream.maicoin.com/ws";

/// Server error codes that docs/PROTOCOL.md documents.
pub mod error_code {
    pub const INVALID_ACTION: u32 = 1004;
    pub const INVALID_JSON: u32 = 1005;
    pub const NONCE_OUT_OF_WINDOW: u32 = 1006;
    pub const AUTHENTICATION_FAILED: u32 = 1007;
    pub const NONCE_REUSED: u32 = 1012;

    /// The code of an error string such as `E-1004: invalid action`.
    pub fn of(message: &str) -> Option<u32> {
        // Read digit by digit: `str::parse` links the general integer parser (signs, radix
        // checks) for four digits.
        let digits = message
            .strip_prefix("E-")?
            .bytes()
            .take_while(u8::is_ascii_digit);
        let mut code = None;
        for digit in digits {
            let value = code.unwrap_or(0u32).checked_mul(10)?;
            code = Some(value.checked_add(u32::from(digit - b'0'))?);
        }
        code
    }

    /// Whether the code says the credentials or nonce were refused.
    pub fn is_auth_failure(code: u32) -> bool {
        matches!(
            code,
            NONCE_OUT_OF_WINDOW | AUTHENTICATION_FAILED | NONCE_REUSED
        )
    }
}

/// Every wire enum the JS package exports as a constant object, in the order it declares them.
pub const WIRE_TABLES: [&WireTable; 10] = [
    &Channel::TABLE,
    &Event::TABLE,
    &Filter::TABLE,
    &Action::TABLE,
    &Side::TABLE,
    &OrderState::TABLE,
    &OrderType::TABLE,
    &Resolution::TABLE,
    &Trend::TABLE,
    &MarketState::TABLE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip() {
        for &c in Channel::ALL {
            assert_eq!(Channel::from_wire(c.as_str()), Some(c));
        }
        assert_eq!(Event::from_wire("snaptshot"), None);
        assert_eq!(Filter::FastTradeUpdate.as_str(), "fast_trade_update");
    }

    #[test]
    fn actions_parse_in_both_spellings() {
        assert_eq!(Action::from_either("subscribe"), Some(Action::Subscribe));
        assert_eq!(Action::from_either("sub"), Some(Action::Subscribe));
        assert_eq!(Action::from_either("authenticate"), Some(Action::Auth));
        assert_eq!(Action::from_either("unsub"), Some(Action::Unsubscribe));
        assert_eq!(Action::from_either("dance"), None);
    }

    #[test]
    fn error_codes_are_read_from_error_strings() {
        assert_eq!(error_code::of("E-1004: invalid action"), Some(1004));
        assert_eq!(error_code::of("E-1012: nonce already used"), Some(1012));
        assert_eq!(error_code::of("something else"), None);
        assert!(error_code::is_auth_failure(1006));
        assert!(!error_code::is_auth_failure(1004));
    }

    #[test]
    fn tables_name_every_wire_string_once() {
        assert_eq!(Event::TABLE.entries.len(), Event::ALL.len());
        for table in WIRE_TABLES {
            for (index, (name, wire, _)) in table.entries.iter().enumerate() {
                assert!(
                    table
                        .entries
                        .iter()
                        .skip(index + 1)
                        .all(|(n, w, _)| n != name && w != wire),
                    "{}.{name}",
                    table.name
                );
            }
        }
        assert_eq!(Action::TABLE.entries[0], ("SUBSCRIBE", "sub", ""));
        assert_eq!(
            Channel::TABLE.entries[6].2,
            " Where private data arrives; chosen by auth filters, never subscribed to.\n"
        );
    }
}
