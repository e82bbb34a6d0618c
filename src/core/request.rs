//! Client requests: built from validated parts, written as wire JSON, and parsed back.

use std::fmt::Write;

use super::auth;
use super::error::{InputError, Problem};
use super::input::{Fields, Input, Shape};
use super::protocol::{Action, Filter};
use super::subscription::{push_all, Item, Subscription};

/// The largest integer a JS number holds exactly; nonces beyond it could not round-trip.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// One request, as the client sends it. The `id` is optional on the wire (MAX echoes it as `i`
/// when present; its official Node client sends none), so a parsed request may have none and
/// then writes none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Subscribe {
        id: Option<String>,
        subscriptions: Vec<Subscription>,
    },
    Unsubscribe {
        id: Option<String>,
        subscriptions: Vec<Subscription>,
    },
    Auth(AuthRequest),
    Ping {
        id: Option<String>,
    },
}

/// An `auth` request: it carries the signature, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub id: Option<String>,
    pub api_key: String,
    pub nonce: u64,
    pub signature: String,
    pub filters: Option<Vec<Filter>>,
}

/// What `Request::auth` needs: credentials, the nonce to sign and optional filters.
pub struct Credentials<'a> {
    pub api_key: &'a str,
    pub api_secret: &'a str,
}

impl Request {
    /// Signs a fresh auth request; every connection must use a nonce never used before.
    pub fn auth(
        id: impl Into<Option<String>>,
        credentials: &Credentials<'_>,
        nonce: u64,
        filters: Option<Vec<Filter>>,
    ) -> Result<Request, InputError> {
        if credentials.api_key.is_empty() {
            return Err(InputError::type_error("apiKey", Problem::EmptyString));
        }
        if credentials.api_secret.is_empty() {
            return Err(InputError::type_error("apiSecret", Problem::EmptyString));
        }
        check_nonce(nonce)?;
        Ok(Request::Auth(AuthRequest {
            id: id.into(),
            api_key: credentials.api_key.to_owned(),
            nonce,
            signature: auth::sign(credentials.api_secret, nonce),
            filters,
        }))
    }

    pub fn action(&self) -> Action {
        match self {
            Request::Subscribe { .. } => Action::Subscribe,
            Request::Unsubscribe { .. } => Action::Unsubscribe,
            Request::Auth(_) => Action::Auth,
            Request::Ping { .. } => Action::Ping,
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Request::Subscribe { id, .. }
            | Request::Unsubscribe { id, .. }
            | Request::Ping { id } => id.as_deref(),
            Request::Auth(auth) => auth.id.as_deref(),
        }
    }

    /// The wire JSON text, keys in the order of the documentation's examples. Written by hand:
    /// a derived serializer would cost the wasm more than these few keys.
    pub fn message(&self) -> String {
        let mut out = String::with_capacity(96);
        push_all(&mut out, &["{\"action\":\"", self.action().as_str(), "\""]);
        match self {
            Request::Subscribe { subscriptions, .. } => {
                push_list(&mut out, "subscriptions", subscriptions)
            }
            // The wire's unsubscribe key is singular, unlike subscribe's.
            Request::Unsubscribe { subscriptions, .. } => {
                push_list(&mut out, "subscription", subscriptions)
            }
            Request::Auth(auth) => {
                push_string(&mut out, "apiKey", &auth.api_key);
                // Written in place: a String's `write_fmt` cannot fail.
                let _ = write!(out, ",\"nonce\":{}", auth.nonce);
                push_string(&mut out, "signature", &auth.signature);
            }
            Request::Ping { .. } => {}
        }
        if let Some(id) = self.id() {
            push_string(&mut out, "id", id);
        }
        if let Request::Auth(AuthRequest {
            filters: Some(filters),
            ..
        }) = self
        {
            out.push_str(",\"filters\":[");
            for (index, filter) in filters.iter().enumerate() {
                let separator = if index > 0 { "," } else { "" };
                push_all(&mut out, &[separator, "\"", filter.as_str(), "\""]);
            }
            out.push(']');
        }
        out.push('}');
        out
    }

    /// Reads a request from wire JSON, accepting both spellings of each action, keys in any
    /// order; a missing (or null) `id` stays missing.
    pub fn parse(text: &str) -> Result<Request, InputError> {
        let value = Input::parse(text)
            .map_err(|e| InputError::type_error("request", Problem::NotJson(e)))?;
        let object = value
            .as_object()
            .ok_or_else(|| value.wrong_type("request", "a JSON object"))?;
        Request::from_fields(&object)
    }

    /// The request an object's fields make. Out of line, with the fields borrowed: they are
    /// dropped once, by the caller, rather than at each of the many ways out of here.
    #[inline(never)]
    fn from_fields(object: &Fields<'_>) -> Result<Request, InputError> {
        let action_text = match object.get("action") {
            Some(value) => value.expect_str("action")?,
            None => return Err(InputError::type_error("action", Problem::Required)),
        };
        let action = Action::from_either(&action_text).ok_or_else(|| {
            InputError::range_error(
                "action",
                Problem::Unknown("action", action_text.to_string()),
            )
        })?;
        // A numeric id is kept as the caller wrote it.
        let id = match object.get("id") {
            None => None,
            Some(value) => match value.shape() {
                Shape::Null => None,
                Shape::Number => Some(value.text().to_owned()),
                _ => Some(value.expect_str("id")?.into_owned()),
            },
        };
        let list = |key| subscription_list(object, key);
        match action {
            Action::Subscribe => Ok(Request::Subscribe {
                id,
                subscriptions: list("subscriptions")?,
            }),
            Action::Unsubscribe => Ok(Request::Unsubscribe {
                id,
                subscriptions: list("subscription")?,
            }),
            Action::Ping => Ok(Request::Ping { id }),
            Action::Auth => {
                let nonce = match object.get("nonce") {
                    Some(value) => nonce_from_input(&value)?,
                    None => return Err(InputError::type_error("nonce", Problem::Required)),
                };
                let filters = match object.get("filters") {
                    Some(value) if !value.is_null() => Some(filters_from_input(&value)?),
                    _ => None,
                };
                Ok(Request::Auth(AuthRequest {
                    id,
                    api_key: non_empty(object, "apiKey")?,
                    nonce,
                    signature: non_empty(object, "signature")?,
                    filters,
                }))
            }
        }
    }
}

/// The list of subscriptions at `key`, which must be given (out of line: read for two actions).
#[inline(never)]
fn subscription_list(object: &Fields<'_>, key: &str) -> Result<Vec<Subscription>, InputError> {
    let value = object
        .get(key)
        .ok_or_else(|| InputError::type_error(key, Problem::Required))?;
    Subscription::list_from_input(&value, key)
}

/// The string at `key`, which must be given and not empty (out of line: read twice).
#[inline(never)]
fn non_empty(object: &Fields<'_>, key: &str) -> Result<String, InputError> {
    match object.get(key) {
        Some(value) => match value.expect_str(key)? {
            text if text.is_empty() => Err(InputError::type_error(key, Problem::EmptyString)),
            text => Ok(text.into_owned()),
        },
        None => Err(InputError::type_error(key, Problem::Required)),
    }
}

/// `,"key":` and the JSON of the subscriptions' wire objects.
fn push_list(out: &mut String, key: &str, subscriptions: &[Subscription]) {
    push_key(out, key);
    out.push_str(&Subscription::list_json(subscriptions));
}

/// `,"key":` and `text` as a JSON string.
fn push_string(out: &mut String, key: &str, text: &str) {
    push_key(out, key);
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

fn push_key(out: &mut String, key: &str) {
    push_all(out, &[",\"", key, "\":"]);
}

// Out of line: shared by the builder and the parser, whose copies cost the wasm more than a call.
#[inline(never)]
fn check_nonce(nonce: u64) -> Result<u64, InputError> {
    if nonce > MAX_SAFE_INTEGER {
        return Err(InputError::range_error("nonce", Problem::UnsafeNonce));
    }
    Ok(nonce)
}

/// A nonce as it comes from JSON: a non-negative integer (ms since the epoch).
pub fn nonce_from_input(value: &Input<'_>) -> Result<u64, InputError> {
    match value.as_u64() {
        Some(nonce) => check_nonce(nonce),
        // Digits beyond a u64 are an integer still, too large rather than of the wrong type.
        None if value.text().bytes().all(|b| b.is_ascii_digit()) => check_nonce(u64::MAX),
        None => Err(value.wrong_type("nonce", "a non-negative integer")),
    }
}

/// The JSON text of auth filters (`JSON.stringify` of the caller's list).
pub fn filters_from_json(text: &str) -> Result<Vec<Filter>, InputError> {
    filters_from_input(&Input::argument(text, "filters")?)
}

/// Auth filters, each one of the documented names.
pub fn filters_from_input(value: &Input<'_>) -> Result<Vec<Filter>, InputError> {
    let items = value
        .as_list()
        .ok_or_else(|| value.wrong_type("filters", "a list of strings"))?;
    let mut filters = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let filter = match item.as_str() {
            Some(text) => Filter::from_wire(&text)
                .ok_or_else(|| Problem::Unknown("filter", text.into_owned())),
            None => Err(item.mismatch("a string")),
        };
        match filter {
            Ok(filter) => filters.push(filter),
            Err(problem) => {
                return Err(InputError::at(Item("filters", index).to_string(), problem))
            }
        }
    }
    Ok(filters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_requests_carry_a_signature_not_the_secret() {
        let credentials = Credentials {
            api_key: "key",
            api_secret: "secret",
        };
        let request = Request::auth("a1".to_owned(), &credentials, 1591690054859, None).unwrap();
        let message = request.message();
        assert!(!message.contains("\"secret\""));
        assert!(
            message.contains("a8b5850dc52906d5f9cccba81f882bf53982ddafc595c21338609ff3e5cdfb2c")
        );
    }

    #[test]
    fn auth_refuses_empty_credentials_and_unsafe_nonces() {
        let empty_key = Credentials {
            api_key: "",
            api_secret: "s",
        };
        assert_eq!(
            Request::auth("a".to_owned(), &empty_key, 1, None)
                .unwrap_err()
                .field,
            "apiKey"
        );
        let empty_secret = Credentials {
            api_key: "k",
            api_secret: "",
        };
        assert_eq!(
            Request::auth("a".to_owned(), &empty_secret, 1, None)
                .unwrap_err()
                .field,
            "apiSecret"
        );
        let ok = Credentials {
            api_key: "k",
            api_secret: "s",
        };
        assert_eq!(
            Request::auth("a".to_owned(), &ok, MAX_SAFE_INTEGER + 1, None)
                .unwrap_err()
                .field,
            "nonce"
        );
    }

    #[test]
    fn parse_accepts_long_action_names_and_writes_short_ones() {
        let request = Request::parse(
            r#"{"action":"subscribe","subscriptions":[{"channel":"market_status"}],"id":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            request.message(),
            r#"{"action":"sub","subscriptions":[{"channel":"market_status"}],"id":"x"}"#
        );
        let ping = Request::parse(r#"{"action":"ping","id":"p"}"#).unwrap();
        assert_eq!(
            ping,
            Request::Ping {
                id: Some("p".into())
            }
        );
    }

    #[test]
    fn parse_names_what_is_wrong() {
        let cases = [
            ("not json", "request"),
            ("[1]", "request"),
            (r#"{"id":"x"}"#, "action"),
            (r#"{"action":"dance","id":"x"}"#, "action"),
            (r#"{"action":"sub","id":["x"]}"#, "id"),
            (r#"{"action":"sub","id":true,"subscriptions":[]}"#, "id"),
            (r#"{"action":"sub","id":"x"}"#, "subscriptions"),
            (
                r#"{"action":"unsub","id":"x","subscriptions":[{"channel":"market_status"}]}"#,
                "subscription",
            ),
            (
                r#"{"action":"auth","id":"x","apiKey":"k","signature":"s"}"#,
                "nonce",
            ),
            (
                r#"{"action":"auth","id":"x","apiKey":"k","signature":"s","nonce":-1}"#,
                "nonce",
            ),
            (
                r#"{"action":"auth","id":"x","apiKey":"k","signature":"s","nonce":1,"filters":["nope"]}"#,
                "filters[0]",
            ),
            (
                r#"{"action":"auth","apiKey":"k","signature":"s","nonce":18446744073709551616}"#,
                "nonce",
            ),
            (
                r#"{"action":"auth","apiKey":"","signature":"s","nonce":1}"#,
                "apiKey",
            ),
            (r#"{"action":"ping","id":"\ud800"}"#, "request"),
        ];
        for (text, field) in cases {
            assert_eq!(Request::parse(text).unwrap_err().field, field, "{text}");
        }
    }

    #[test]
    fn parse_reads_requests_without_an_id_and_writes_none_back() {
        let cases = [
            (
                r#"{"action":"sub","subscriptions":[{"channel":"trade","market":"btcusdt"}]}"#,
                r#"{"action":"sub","subscriptions":[{"channel":"trade","market":"btcusdt"}]}"#,
            ),
            (
                r#"{"subscription":[{"market":"btcusdt","channel":"trade"}],"action":"unsubscribe"}"#,
                r#"{"action":"unsub","subscription":[{"channel":"trade","market":"btcusdt"}]}"#,
            ),
            (r#"{"action":"ping","id":null}"#, r#"{"action":"ping"}"#),
            (
                r#"{"signature":"s","nonce":1,"apiKey":"k","action":"authenticate","filters":["order"]}"#,
                r#"{"action":"auth","apiKey":"k","nonce":1,"signature":"s","filters":["order"]}"#,
            ),
        ];
        for (text, written) in cases {
            let request = Request::parse(text).unwrap();
            assert_eq!(request.id(), None, "{text}");
            assert_eq!(request.message(), written, "{text}");
            assert_eq!(
                Request::parse(&request.message()).unwrap(),
                request,
                "{text}"
            );
        }
    }

    #[test]
    fn parse_keeps_an_id_whatever_the_key_order() {
        let request = Request::parse(
            r#"{"id":"late","subscriptions":[{"channel":"market_status"}],"action":"sub"}"#,
        )
        .unwrap();
        assert_eq!(request.id(), Some("late"));
        assert_eq!(
            request.message(),
            r#"{"action":"sub","subscriptions":[{"channel":"market_status"}],"id":"late"}"#
        );
        let numbered = Request::parse(r#"{"action":"ping","id":7}"#).unwrap();
        assert_eq!(numbered.id(), Some("7"));
        let written = Request::parse(r#"{"action":"ping","id":7.50}"#).unwrap();
        assert_eq!(
            written.id(),
            Some("7.50"),
            "a numeric id as the caller wrote it"
        );
    }
}
