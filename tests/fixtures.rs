//! The documented messages in `tests/fixtures` through the core: every server message decodes
//! with every field kept, every request is built as documented and parses back, and the HMAC
//! vector signs as documented.

use maicoin_ws::core::auth;
use maicoin_ws::core::protocol::Filter;
use maicoin_ws::core::request::{Credentials, Request};
use maicoin_ws::core::response::{decode, decode_to_tape, tape_to_json};
use maicoin_ws::core::subscription::Subscription;
use maicoin_ws::core::tape::Tape;
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

/// A frame as the decoder kept it: its tape written back as wire JSON.
fn decoded(text: &str) -> Value {
    let mut tape = Tape::default();
    decode_to_tape(text.as_bytes(), &mut tape).unwrap_or_else(|e| panic!("{text}: {e}"));
    serde_json::from_str(&tape_to_json(&tape, text.as_bytes())).unwrap()
}

#[test]
fn every_documented_server_message_decodes_with_all_its_fields() {
    let all = fixtures("inbound.jsonl");
    assert_eq!(all.len(), 34);
    for (name, wire) in all {
        let text = wire.to_string();
        let response = decode(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            response.event.as_ref().map(|e| e.as_str()),
            wire["e"].as_str(),
            "{name}"
        );
        let kept = decoded(&text);
        assert_eq!(normalized(&kept), normalized(&wire), "{name}");
        let mut tape = Tape::default();
        decode_to_tape(text.as_bytes(), &mut tape).unwrap();
        // Every documented key is modelled: no object has its extra bit set.
        assert!(
            !has_extra(&tape, text.as_bytes()),
            "{name}: every documented key is modelled"
        );
    }
}

/// Whether any object of the tape kept unknown keys (their raw values appear as wire JSON
/// under keys the schema does not name).
fn has_extra(tape: &Tape, frame: &[u8]) -> bool {
    fn unknown(value: &Value, object: &maicoin_ws::core::schema::Object) -> bool {
        use maicoin_ws::core::schema::Kind;
        let Value::Object(map) = value else {
            return false;
        };
        map.iter().any(
            |(key, item)| match object.index_of(key).map(|i| &object.fields[i].kind) {
                None => true,
                Some(Kind::Object(inner)) => unknown(item, inner),
                Some(Kind::List(kind)) => match (kind, item) {
                    (Kind::Object(inner), Value::Array(items)) => {
                        items.iter().any(|i| unknown(i, inner))
                    }
                    _ => false,
                },
                Some(_) => false,
            },
        )
    }
    let value: Value = serde_json::from_str(&tape_to_json(tape, frame)).unwrap();
    unknown(&value, &maicoin_ws::core::schema::RESPONSE)
}

#[test]
fn documented_payloads_land_in_their_fields() {
    let all = fixtures("inbound.jsonl");
    let find = |name: &str| all.iter().find(|(n, _)| n == name).unwrap().1.to_string();

    let text = find("book_snapshot");
    let book = decode(text.as_bytes()).unwrap();
    assert_eq!(book.first_update_id.unwrap().0, 12141725);
    assert_eq!(book.version.unwrap().0, 1725602999632);
    let asks = book.asks.unwrap().0;
    assert_eq!((asks[0].0.as_str(), asks[0].1.as_str()), ("5337.3", "0.1"));

    let order = &decoded(&find("mwallet_order_update"))["o"][0];
    assert_eq!(order["i"], 210233270);
    assert_eq!(order["S"], "cancel");
    assert!(order.get("sp").is_none() && order.get("gi").is_none() && order.get("ci").is_none());

    let status = decoded(&find("market_status_snapshot_misspelled"));
    assert_eq!(status["e"], "snaptshot");
    assert_eq!(status["ms"][0]["mba"].as_f64(), Some(0.0004));
    assert_eq!(status["ms"][0]["mws"], true);
    assert_eq!(status["ms"][0]["bup"], 8);

    let trade = &decoded(&find("fast_trade_update"))["t"][0];
    assert!(trade.get("f").is_none() && trade.get("fc").is_none() && trade.get("fd").is_none());
    assert_eq!(trade["m"], true);

    let ad = decoded(&find("ad_ratio_snapshot"));
    assert_eq!(ad["ad"]["idxp"][0]["p"], "63190.045");

    let kline = decoded(&find("kline_update"));
    assert_eq!(kline["k"]["x"], false);
    assert_eq!(kline["k"]["ti"], 58684589);
}

#[test]
fn keys_beyond_the_models_are_kept_with_their_wire_names() {
    let text = r#"{"e":"update","c":"trade","M":"btcusdt","T":1,"t":[{"p":"1","v":"2","T":3,"tr":"up","rpi":true,"sa":"x"}],"zz":[1,{"a":null}]}"#;
    let mut tape = Tape::default();
    decode_to_tape(text.as_bytes(), &mut tape).unwrap();
    // Unknown keys follow the modelled ones, raw values exactly as sent.
    assert_eq!(
        tape_to_json(&tape, text.as_bytes()),
        r#"{"e":"update","T":1,"c":"trade","M":"btcusdt","t":[{"p":"1","v":"2","T":3,"tr":"up","rpi":true,"sa":"x"}],"zz":[1,{"a":null}]}"#
    );
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
                subscriptions: Subscription::list_from_json(
                    &wire["subscriptions"].to_string(),
                    "subscriptions",
                )
                .unwrap(),
            },
            "unsub" => Request::Unsubscribe {
                id,
                subscriptions: Subscription::list_from_json(
                    &wire["subscription"].to_string(),
                    "subscription",
                )
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
