//! Handing a response to the handlers, as the stream's dispatch mode says.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsValue;

/// An `inline` delivery under way: one response, the handlers registered when it arrived, and
/// the next of them to call. It outlives a handler's pending Promise, so it owns what it needs.
pub struct InlineDelivery {
    pub response: JsValue,
    handlers: Vec<Function>,
    next: usize,
    /// No handler has run yet: the list is as registered, with no JS run since it was taken.
    fresh: bool,
}

/// Where an `inline` delivery stopped.
pub enum Step {
    /// Every handler was called, or the delivery is no longer wanted.
    Done,
    /// A handler returned this thenable: the next one waits until it settles.
    Wait(JsValue),
    /// A handler threw this.
    Threw(JsValue),
}

impl InlineDelivery {
    pub fn new(response: JsValue, handlers: Vec<Function>) -> InlineDelivery {
        InlineDelivery {
            response,
            handlers,
            next: 0,
            fresh: true,
        }
    }

    /// Calls the handlers in order with `call` (which answers the thenable a handler returned)
    /// until one returns a thenable or throws. A handler removed meanwhile (`registered` says
    /// no, asked only once a handler has run) is skipped; once `wanted()` turns false (the
    /// stream was closed, say) nothing more is called or waited for.
    pub fn step(
        &mut self,
        call: impl Fn(&Function, &JsValue) -> Result<Option<Object>, JsValue>,
        registered: impl Fn(&Function) -> bool,
        wanted: impl Fn() -> bool,
    ) -> Step {
        while let Some(handler) = self.handlers.get(self.next).cloned() {
            self.next += 1;
            if !wanted() {
                return Step::Done;
            }
            if !std::mem::replace(&mut self.fresh, false) && !registered(&handler) {
                continue;
            }
            match call(&handler, &self.response) {
                Err(thrown) => return Step::Threw(thrown),
                Ok(Some(thenable)) => return Step::Wait(thenable.into()),
                Ok(None) => {}
            }
        }
        Step::Done
    }
}

/// A thrown value's message, for the engine's error text.
pub fn message_of(thrown: &JsValue) -> String {
    Reflect::get(thrown, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "a non-Error value was thrown".to_owned())
}
