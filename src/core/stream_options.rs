//! The options a stream's engine is built from, as the JSON that `js/stream.js` has already
//! defaulted and checked.
//!
//! Read field by field through `core::input`, not by a derived serde deserializer: serde's
//! type-mismatch messages would link float printing into the wasm for errors that JS already
//! rules out.

use super::error::InputError;
use super::input::{Fields, Input};

/// How handlers are called: `js/stream.js`'s `dispatch` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    Inline,
    Task,
    Queue,
}

impl Dispatch {
    /// The option's values, as JS spells them.
    pub const NAMES: [&'static str; 3] = ["inline", "task", "queue"];

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
    pub fn parse(text: &str) -> Result<StreamOptions, InputError> {
        let root = Input::parse(text)
            .map_err(|e| InputError::type_error("stream options", format!("invalid JSON: {e}")))?;
        let options = Object::of(root, "stream options", "")?;
        let policy = Object::of(options.required("reconnect")?, "reconnect", "reconnect.")?;
        let dispatch = options.string("dispatch")?;
        Ok(StreamOptions {
            uri: options.string("uri")?,
            dispatch: Dispatch::from_name(&dispatch).ok_or_else(|| {
                InputError::range_error(
                    "dispatch",
                    format!("must be one of {}", Dispatch::NAMES.join(", ")),
                )
            })?,
            reconnect: PolicyOptions {
                enabled: policy.boolean("enabled")?,
                max_retries: policy.optional_number("maxRetries")?,
                base_delay: policy.number("baseDelay")?,
                max_delay: policy.number("maxDelay")?,
                jitter: policy.number("jitter")?,
            },
            // Beyond u32 milliseconds (49 days) a keepalive is never due anyway.
            keepalive_interval_ms: options
                .number("keepaliveIntervalMs")?
                .clamp(0.0, u32::MAX.into()) as u32,
            id_prefix: options.string("idPrefix")?,
            request_limits: options.pair("requestLimits")?,
            connection_limits: options.pair("connectionLimits")?,
        })
    }
}

/// An object of the options, naming its fields in errors with `prefix` (`reconnect.`).
struct Object<'a> {
    fields: Fields<'a>,
    prefix: &'static str,
}

impl<'a> Object<'a> {
    fn of(value: Input<'a>, name: &str, prefix: &'static str) -> Result<Object<'a>, InputError> {
        let fields = value
            .as_object()
            .ok_or_else(|| value.wrong_type(name, "an object"))?;
        Ok(Object { fields, prefix })
    }

    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn required(&self, key: &str) -> Result<Input<'a>, InputError> {
        self.fields
            .present(key)
            .ok_or_else(|| InputError::type_error(self.path(key), "is required"))
    }

    fn string(&self, key: &str) -> Result<String, InputError> {
        Ok(self
            .required(key)?
            .expect_str(&self.path(key))?
            .into_owned())
    }

    fn boolean(&self, key: &str) -> Result<bool, InputError> {
        let value = self.required(key)?;
        value
            .as_bool()
            .ok_or_else(|| value.wrong_type(&self.path(key), "a boolean"))
    }

    fn number(&self, key: &str) -> Result<f64, InputError> {
        let value = self.required(key)?;
        value
            .as_f64()
            .ok_or_else(|| value.wrong_type(&self.path(key), "a number"))
    }

    fn optional_number(&self, key: &str) -> Result<Option<f64>, InputError> {
        match self.fields.present(key) {
            Some(_) => self.number(key).map(Some),
            None => Ok(None),
        }
    }

    /// Two positive integers (`[perSecond, perMinute]`), or none.
    fn pair(&self, key: &str) -> Result<Option<(usize, usize)>, InputError> {
        let Some(value) = self.fields.present(key) else {
            return Ok(None);
        };
        let wrong = || InputError::type_error(self.path(key), "expected two non-negative integers");
        match value.as_list().ok_or_else(wrong)?.as_slice() {
            [first, second] => match (first.as_u64(), second.as_u64()) {
                (Some(first), Some(second)) => Ok(Some((saturate(first), saturate(second)))),
                _ => Err(wrong()),
            },
            _ => Err(wrong()),
        }
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
                "reconnect.baseDelay: expected a number, got a string",
            ),
            (
                "\"enabled\":true",
                "\"enabled\":1",
                "reconnect.enabled: expected a boolean, got a number",
            ),
            (
                "\"dispatch\":\"task\"",
                "\"dispatch\":\"later\"",
                "dispatch: must be one of inline, task, queue",
            ),
            ("\"idPrefix\":\"r7-\",", "", "idPrefix: is required"),
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
        assert_eq!(
            error.to_string(),
            "stream options: expected an object, got a list"
        );
    }
}
