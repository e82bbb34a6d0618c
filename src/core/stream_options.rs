//! The options a stream's engine is built from, as `js/stream.js` hands them over once it has
//! defaulted and checked them: plain numbers, booleans and strings, one argument each, so that
//! nothing is parsed in wasm.

use super::error::{InputError, Problem};

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

    /// The mode named `name`, or an error naming the option (JS checked it: a refusal here
    /// means the glue and the engine disagree).
    pub fn of_option(name: &str) -> Result<Dispatch, InputError> {
        Dispatch::from_name(name).ok_or_else(|| {
            InputError::type_error(
                "dispatch",
                Problem::Expected("one of inline, task, queue", None),
            )
        })
    }
}

/// A pair of limits (`requestLimits`, `connectionLimits`) as JS passes it: both given, or
/// neither for the shared defaults. JS checked them to be positive integers; beyond `usize` a
/// limit is never reached anyway, so a larger one saturates.
pub fn limit_pair(first: Option<f64>, second: Option<f64>) -> Option<(usize, usize)> {
    Some((first? as usize, second? as usize))
}

/// The keepalive interval in ms: at least 1, and beyond u32 ms (49 days) never due anyway.
pub fn keepalive_ms(ms: f64) -> f64 {
    ms.max(1.0).min(f64::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_dispatch_modes() {
        assert_eq!(Dispatch::of_option("task"), Ok(Dispatch::Task));
        assert_eq!(Dispatch::from_name("inline"), Some(Dispatch::Inline));
        assert_eq!(Dispatch::from_name("queue"), Some(Dispatch::Queue));
        let error = Dispatch::of_option("later").unwrap_err();
        assert_eq!(
            error.to_string(),
            "dispatch: expected one of inline, task, queue"
        );
    }

    #[test]
    fn limits_come_in_pairs_and_saturate() {
        assert_eq!(limit_pair(Some(5.0), Some(60.0)), Some((5, 60)));
        assert_eq!(limit_pair(None, None), None);
        assert_eq!(limit_pair(Some(5.0), None), None);
        assert_eq!(limit_pair(Some(1e300), Some(2.0)), Some((usize::MAX, 2)));
    }

    #[test]
    fn the_keepalive_is_clamped_to_what_a_timer_takes() {
        assert_eq!(keepalive_ms(30_000.0), 30_000.0);
        assert_eq!(keepalive_ms(1e300), f64::from(u32::MAX));
        assert_eq!(keepalive_ms(0.0), 1.0);
        assert_eq!(keepalive_ms(f64::NAN), 1.0);
    }
}
