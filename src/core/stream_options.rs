//! The options a stream's engine is built from, as the JSON that `js/stream.js` has already
//! defaulted and checked.
//!
//! Read field by field through `core::input`, not by a derived serde deserializer: serde's
//! type-mismatch messages would link float printing into the wasm for errors that JS already
//! rules out.

use super::error::{InputError, Problem};
use super::input::{Fields, Input};

/// How handlers are called: `js/stream.js`'s `dispatch` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    Inline,
    Task,
    Queue,
}

impl Dispatch {
    pub fn from_name(name: &str) -> Option<Dispatch> {
        match name {
            "inline" => Some(Dispatch::Inline),
            "task" => Some(Dispatch::Task),
            "queue" => Some(Dispatch::Queue),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    pub uri: String,
    pub dispatch: Dispatch,
    pub reconnect: PolicyOptions,
    pub keepalive_interval_ms: u32,
    pub id_prefix: String,
    pub request_limits: Option<(usize, usize)>,
    pub connection_limits: Option<(usize, usize)>,
}

/// The `ReconnectPolicy` as JS holds it; `ReconnectPolicy::new` checks the values.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOptions {
    pub enabled: bool,
    pub max_retries: Option<f64>,
    pub base_delay: f64,
    pub max_delay: f64,
    pub jitter: f64,
}

impl StreamOptions {
    /// Reads the options. JS wrote them after its own checks, so a refusal here means the glue
    /// and the engine disagree: the error names the field and what it should have held.
    pub fn parse(text: &str) -> Result<StreamOptions, InputError> {
        let root = Input::parse(text)
            .map_err(|e| InputError::type_error("stream options", Problem::NotJson(e)))?;
        let options = Object::of(Some(root), "stream options", "")?;
        let policy = Object::of(
            options.fields.present("reconnect"),
            "reconnect",
            "reconnect.",
        )?;
        let name = |value: Input<'_>| value.as_str().map(|text| text.into_owned());
        let count = |value: Input<'_>| value.as_u64().map(saturate);
        let pair = |value: Input<'_>| match value.as_list()?.as_slice() {
            [first, second] => Some((count(*first)?, count(*second)?)),
            _ => None,
        };
        let dispatch = |value: Input<'_>| Dispatch::from_name(&value.as_str()?);
        Ok(StreamOptions {
            uri: options.read("uri", "a string", name)?,
            dispatch: options.read("dispatch", "one of inline, task, queue", dispatch)?,
            reconnect: PolicyOptions {
                enabled: policy.read("enabled", "a boolean", |value| value.as_bool())?,
                max_retries: policy.optional("maxRetries", "a number", number)?,
                base_delay: policy.read("baseDelay", "a number", number)?,
                max_delay: policy.read("maxDelay", "a number", number)?,
                jitter: policy.read("jitter", "a number", number)?,
            },
            // Beyond u32 milliseconds (49 days) a keepalive is never due anyway.
            keepalive_interval_ms: options
                .read("keepaliveIntervalMs", "a number", number)?
                .clamp(0.0, u32::MAX.into()) as u32,
            id_prefix: options.read("idPrefix", "a string", name)?,
            request_limits: options.optional("requestLimits", PAIR, pair)?,
            connection_limits: options.optional("connectionLimits", PAIR, pair)?,
        })
    }
}

const PAIR: &str = "two non-negative integers";

fn number(value: Input<'_>) -> Option<f64> {
    value.as_f64()
}

/// An object of the options, naming its fields in errors with `prefix` (`reconnect.`).
struct Object<'a> {
    fields: Fields<'a>,
    prefix: &'static str,
}

impl<'a> Object<'a> {
    // Out of line: the two objects' copies cost the wasm more than a call.
    #[inline(never)]
    fn of(value: Option<Input<'a>>, name: &str, prefix: &'static str) -> Result<Self, InputError> {
        match value.and_then(|value| value.as_object()) {
            Some(fields) => Ok(Object { fields, prefix }),
            None => Err(InputError::type_error(
                name,
                Problem::Expected("an object", None),
            )),
        }
    }

    /// The value of `key` as `read` takes it; `expected` says what that is, for the error.
    fn read<T>(
        &self,
        key: &str,
        expected: &'static str,
        read: impl Fn(Input<'a>) -> Option<T>,
    ) -> Result<T, InputError> {
        self.fields
            .present(key)
            .and_then(read)
            .ok_or_else(|| self.wrong(key, expected))
    }

    /// Like `read`, but absent or `null` is `None`.
    fn optional<T>(
        &self,
        key: &str,
        expected: &'static str,
        read: impl Fn(Input<'a>) -> Option<T>,
    ) -> Result<Option<T>, InputError> {
        match self.fields.present(key) {
            None => Ok(None),
            Some(value) => read(value)
                .map(Some)
                .ok_or_else(|| self.wrong(key, expected)),
        }
    }

    #[cold]
    fn wrong(&self, key: &str, expected: &'static str) -> InputError {
        let mut field = String::from(self.prefix);
        field.push_str(key);
        InputError::type_error(field, Problem::Expected(expected, None))
    }
}

fn saturate(count: u64) -> usize {
    usize::try_from(count).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = r#"{"uri":"wss://max-stream.maicoin.com/ws","dispatch":"task",
        "reconnect":{"enabled":true,"maxRetries":null,"baseDelay":1.5,"maxDelay":30,"jitter":0.25},
        "keepaliveIntervalMs":30000,"idPrefix":"r7-","requestLimits":[5,60],"connectionLimits":null}"#;

    #[test]
    fn reads_the_options_js_writes() {
        let options = StreamOptions::parse(OPTIONS).unwrap();
        assert_eq!(
            options,
            StreamOptions {
                uri: "wss://max-stream.maicoin.com/ws".into(),
                dispatch: Dispatch::Task,
                reconnect: PolicyOptions {
                    enabled: true,
                    max_retries: None,
                    base_delay: 1.5,
                    max_delay: 30.0,
                    jitter: 0.25,
                },
                keepalive_interval_ms: 30_000,
                id_prefix: "r7-".into(),
                request_limits: Some((5, 60)),
                connection_limits: None,
            }
        );
        let huge = OPTIONS.replace("30000", "1e300");
        assert_eq!(
            StreamOptions::parse(&huge).unwrap().keepalive_interval_ms,
            u32::MAX
        );
        let limited = OPTIONS.replace("\"maxRetries\":null", "\"maxRetries\":3");
        let policy = StreamOptions::parse(&limited).unwrap().reconnect;
        assert_eq!(policy.max_retries, Some(3.0));
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        for (from, to, message) in [
            (
                "\"baseDelay\":1.5",
                "\"baseDelay\":\"1.5\"",
                "reconnect.baseDelay: expected a number",
            ),
            (
                "\"enabled\":true",
                "\"enabled\":1",
                "reconnect.enabled: expected a boolean",
            ),
            (
                "\"dispatch\":\"task\"",
                "\"dispatch\":\"later\"",
                "dispatch: expected one of inline, task, queue",
            ),
            ("\"idPrefix\":\"r7-\",", "", "idPrefix: expected a string"),
            (
                "[5,60]",
                "[5,6.5]",
                "requestLimits: expected two non-negative integers",
            ),
            (
                "[5,60]",
                "{}",
                "requestLimits: expected two non-negative integers",
            ),
        ] {
            let text = OPTIONS.replace(from, to);
            let error = StreamOptions::parse(&text).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        let error = StreamOptions::parse("[]").unwrap_err();
        assert_eq!(error.to_string(), "stream options: expected an object");
    }
}
