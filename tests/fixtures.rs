//! The documented messages in `tests/fixtures/` through the core: every server message decodes
//! with every field kept, every request is built as documented and parses back, and the HMAC
//! vector signs as documented.

use maicoin_ws::core::auth;
use maicoin_ws::core::protocol::Filter;
use maicoin_ws::core::request::{Credentials, Request};
use maicoin_ws::core::response::decode;
use maicoin_ws::core::subscription::Subscription;
use serde_json::Value;

fn fixtures(name: &str) -> Vec<(String, Value)> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut entry: Value = serde_json::from_str(line).unwrap();
            (
                entry["name"].as_str().unwrap().to_owned(),
                entry["wire"].take(),
            )
        })
        .collect()
}

/// JSON to compare by meaning: `null`s removed (the decoder treats a null as an absent field) and
/// numbers as f64 (`250` on the wire is the float `250.0` of a minimal quote amount).
fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Number(number) => Value::from(number.as_f64().unwrap()),
        other => other.clone(),
    }
}

#[test]
fn every_documented_server_message_decodes_with_all_its_fields() {
    let all = fixtures("inbound.jsonl");
    assert_eq!(all.len(), 34);
    for (name, wire) in all {
        let text = wire.to_string();
        let response = decode(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let round_trip = serde_json::to_value(&response).unwrap();
        assert_eq!(normalized(&round_trip), normalized(&wire), "{name}");
        assert_eq!(
            response.event.as_ref().map(|e| e.as_str()),
            wire["e"].as_str(),
            "{name}"
        );
        assert!(
            response.extra.is_empty(),
            "{name}: every documented key is modelled"
        );
    }
}

#[test]
fn documented_payloads_land_in_their_typed_fields() {
    let all = fixtures("inbound.jsonl");
    let find = |name: &str| all.iter().find(|(n, _)| n == name).unwrap().1.to_string();

    let book = find("book_snapshot");
    let book = decode(book.as_bytes()).unwrap();
    assert_eq!(book.first_update_id.unwrap().0, 12141725);
    assert_eq!(book.version.unwrap().0, 1725602999632);
    let asks = book.asks.unwrap().0;
    assert_eq!((asks[0].0.as_str(), asks[0].1.as_str()), ("5337.3", "0.1"));

    let order = find("mwallet_order_update");
    let order = decode(order.as_bytes())
        .unwrap()
        .orders
        .unwrap()
        .0
        .remove(0);
    assert_eq!(order.order_id.unwrap().0, 210233270);
    assert_eq!(order.state.unwrap().as_str(), "cancel");
    assert!(
        order.stop_price.is_none() && order.group_id.is_none() && order.client_order_id.is_none()
    );

    let status = find("market_status_snapshot_misspelled");
    let status = decode(status.as_bytes()).unwrap();
    assert_eq!(status.event.unwrap().as_str(), "snaptshot");
    let status = status.market_status.unwrap().0.remove(0);
    assert_eq!(status.minimal_base_amount.map(|f| f.0), Some(0.0004));
    assert_eq!(status.mwallet_supported, Some(true));
    assert_eq!(status.base_unit_precision.unwrap().0, 8);

    let trade = find("fast_trade_update");
    let trade = decode(trade.as_bytes())
        .unwrap()
        .trades
        .unwrap()
        .0
        .remove(0);
    assert!(trade.fee.is_none() && trade.fee_currency.is_none() && trade.fee_discounted.is_none());
    assert_eq!(trade.maker, Some(true));

    let ad = find("ad_ratio_snapshot");
    let ad = decode(ad.as_bytes()).unwrap().ad_ratio.unwrap();
    assert_eq!(
        ad.index_prices.unwrap().0[0]
            .price
            .as_ref()
            .unwrap()
            .as_str(),
        "63190.045"
    );

    let kline = find("kline_update");
    let kline = decode(kline.as_bytes()).unwrap().kline.unwrap();
    assert_eq!(kline.closed, Some(false));
    assert_eq!(kline.last_trade_id.unwrap().0, 58684589);
}

#[test]
fn keys_beyond_the_models_are_kept_with_their_wire_names() {
    let text = r#"{"e":"update","c":"trade","M":"btcusdt","T":1,"t":[{"p":"1","v":"2","T":3,"tr":"up","rpi":true,"sa":"x"}],"zz":[1,{"a":null}]}"#;
    let response = decode(text.as_bytes()).unwrap();
    assert_eq!(response.extra[0].0.as_str(), "zz");
    assert_eq!(response.extra[0].1.get(), r#"[1,{"a":null}]"#);
    let trade = &response.trades.as_ref().unwrap().0[0];
    let keys: Vec<_> = trade
        .extra
        .iter()
        .map(|(k, v)| (k.as_str(), v.get()))
        .collect();
    assert_eq!(keys, vec![("rpi", "true"), ("sa", "\"x\"")]);
}

fn filters_of(wire: &Value) -> Option<Vec<Filter>> {
    wire.get("filters").map(|list| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|f| Filter::from_wire(f.as_str().unwrap()).unwrap())
            .collect()
    })
}

#[test]
fn every_documented_request_is_built_as_documented_and_parses_back() {
    for (name, wire) in fixtures("outbound.jsonl") {
        let id = wire.get("id").map(|id| id.as_str().unwrap().to_owned());
        let built = match wire["action"].as_str().unwrap() {
            "sub" => Request::Subscribe {
                id,
                subscriptions: Subscription::list_from_value(
                    &wire["subscriptions"],
                    "subscriptions",
                )
                .unwrap(),
            },
            "unsub" => Request::Unsubscribe {
                id,
                subscriptions: Subscription::list_from_value(&wire["subscription"], "subscription")
                    .unwrap(),
            },
            "auth" => {
                // The fixtures elide key and signature as "..."; sign for real and put the elisions back.
                let nonce = wire["nonce"].as_u64().unwrap();
                let credentials = Credentials {
                    api_key: "...",
                    api_secret: "secret",
                };
                let Request::Auth(mut auth) =
                    Request::auth(id, &credentials, nonce, filters_of(&wire)).unwrap()
                else {
                    unreachable!()
                };
                assert_eq!(auth.signature, auth::sign("secret", nonce));
                auth.signature = wire["signature"].as_str().unwrap().to_owned();
                Request::Auth(auth)
            }
            other => panic!("{name}: unexpected action {other}"),
        };
        let message: Value = serde_json::from_str(&built.message()).unwrap();
        assert_eq!(message, wire, "{name}");
        assert_eq!(Request::parse(&wire.to_string()).unwrap(), built, "{name}");
    }
}

#[test]
fn the_hmac_vector_signs_as_documented() {
    let path = format!("{}/tests/fixtures/hmac.json", env!("CARGO_MANIFEST_DIR"));
    let vector: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let signature = auth::sign(
        vector["secret"].as_str().unwrap(),
        vector["nonce"].as_u64().unwrap(),
    );
    assert_eq!(signature, vector["signature"].as_str().unwrap());
}
