//! `StreamDriver`: the JS `Stream`'s handle on its engine (`core::engine`). User calls go to the
//! engine and their effects are performed at once; `run()` starts the executor.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::book::BookHandle;
use super::errors::input_error;
use super::executor::Executor;
use super::hooks::Hooks;
use crate::core::borrow::mutable;
use crate::core::engine::{Conflict, Engine, EngineConfig, Limits, StaleAfter};
use crate::core::list::take_at;
use crate::core::rate_limit::{ConnectionBudget, RequestLimiter};
use crate::core::reconnect::ReconnectPolicy;
use crate::core::request::filters_from_json;
use crate::core::session::Secrets;
use crate::core::stream_options::{self, limit_pair, Dispatch};
use crate::core::subscription::Subscription;

thread_local! {
    /// MAX counts requests and connections per IP, so every stream of a page or process shares
    /// one limiter and one connection budget (unless a stream is given its own, for tests).
    static SHARED_LIMITS: Limits = Limits::default();
}

/// The reads of `StreamDriver::report`. Exported, so js/stream.js names them from this one
/// declaration.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Report {
    /// The wire messages a connection opened now would send, in order (auth first), as JSON.
    Requests = 0,
    /// The current subscriptions, as the JSON of their wire objects.
    Subscriptions = 1,
    /// `{state, reconnects, frames, lastFrameAt}` as JSON, for dashboards.
    Status = 2,
    /// The feed's health as JSON (see `stream.stats()`): read once, one crossing.
    Stats = 3,
    /// "1" if credentials are set, else empty.
    Authenticated = 4,
    /// The URI connected to.
    Uri = 5,
}

#[wasm_bindgen]
pub struct StreamDriver {
    executor: Rc<Executor>,
}

fn range_error(error: impl std::fmt::Display) -> JsValue {
    js_sys::RangeError::new(&error.to_string()).into()
}

fn conflict(Conflict(message): Conflict) -> JsValue {
    js_sys::RangeError::new(&message).into()
}

fn limits(
    request_limits: Option<(usize, usize)>,
    connection_limits: Option<(usize, usize)>,
) -> Result<Limits, JsValue> {
    let shared = SHARED_LIMITS.with(Limits::clone);
    let requests = match request_limits {
        Some((per_second, per_minute)) => Rc::new(RefCell::new(
            RequestLimiter::with_limits(per_second, per_minute).map_err(range_error)?,
        )),
        None => shared.requests,
    };
    let connections = match connection_limits {
        Some((per_hour, per_day)) => Rc::new(RefCell::new(
            ConnectionBudget::with_limits(per_hour, per_day).map_err(range_error)?,
        )),
        None => shared.connections,
    };
    Ok(Limits {
        requests,
        connections,
    })
}

/// A stale watchdog limit in ms as js/stream.js resolved it; 0 is off.
fn stale_limit(ms: f64) -> Option<f64> {
    Some(ms).filter(|ms| *ms > 0.0)
}

fn parse_subscriptions(json: &str) -> Result<Vec<Subscription>, JsValue> {
    Subscription::list_from_json(json, "subscriptions").map_err(|e| input_error(&e))
}

#[wasm_bindgen]
impl StreamDriver {
    /// The options as js/stream.js checked them, one argument each: a limit pair of `None`s
    /// is the shared limits; the stale watchdog's limits are per channel in ms (0: off), then
    /// whether the kline limit is the per-resolution default. `hooks` holds the JS functions,
    /// in the order of `Hooks`'s fields (js/stream.js's `HOOKS`).
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(constructor)]
    pub fn new(
        uri: String,
        dispatch: &str,
        reconnect: bool,
        max_retries: Option<f64>,
        base_delay: f64,
        max_delay: f64,
        jitter: f64,
        keepalive_ms: f64,
        id_prefix: String,
        requests_per_second: Option<f64>,
        requests_per_minute: Option<f64>,
        connections_per_hour: Option<f64>,
        connections_per_day: Option<f64>,
        stale_book: f64,
        stale_trade: f64,
        stale_ticker: f64,
        stale_kline: f64,
        stale_market_status: f64,
        stale_pool_quota: f64,
        kline_per_resolution: bool,
        hooks: js_sys::Array,
    ) -> Result<StreamDriver, JsValue> {
        let dispatch = Dispatch::of_option(dispatch).map_err(|e| input_error(&e))?;
        let policy = ReconnectPolicy::new(reconnect, max_retries, base_delay, max_delay, jitter)
            .map_err(range_error)?;
        let limits = limits(
            limit_pair(requests_per_second, requests_per_minute),
            limit_pair(connections_per_hour, connections_per_day),
        )?;
        // Jitter only spreads reconnects of many clients: any seed will do, a test sets none.
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let config = EngineConfig {
            uri,
            policy,
            keepalive_ms: stream_options::keepalive_ms(keepalive_ms),
            id_prefix,
            seed,
            stale_after: StaleAfter {
                book: stale_limit(stale_book),
                trade: stale_limit(stale_trade),
                ticker: stale_limit(stale_ticker),
                kline: stale_limit(stale_kline),
                market_status: stale_limit(stale_market_status),
                pool_quota: stale_limit(stale_pool_quota),
                kline_per_resolution,
            },
        };
        let executor = Executor::new(
            Engine::new(config, limits),
            Hooks::from_js(hooks)?,
            dispatch,
        );
        Ok(StreamDriver { executor })
    }

    /// Adds (`add`) or removes subscriptions (the JSON of the caller's list); throws at once if
    /// one is invalid. One export for both: each export costs the wasm its glue.
    pub fn subscribe(&self, subscriptions: &str, add: bool) -> Result<(), JsValue> {
        let list = parse_subscriptions(subscriptions)?;
        if add {
            self.executor
                .act(|engine, now| engine.subscribe(now, list))
                .map_err(conflict)
        } else {
            self.executor
                .act(|engine, now| engine.unsubscribe(now, list));
            Ok(())
        }
    }

    /// Sets the credentials every connection authenticates with; empty ones mean public only.
    pub fn auth(&self, api_key: &str, api_secret: &str, filters: &str) -> Result<(), JsValue> {
        let filters = if filters.is_empty() {
            None
        } else {
            Some(filters_from_json(filters).map_err(|e| input_error(&e))?)
        };
        let secrets = (!api_key.is_empty() && !api_secret.is_empty())
            .then(|| Secrets::new(api_key.to_owned(), api_secret.to_owned(), filters));
        self.executor.act(|engine, _| engine.set_secrets(secrets));
        Ok(())
    }

    /// Registers `handler` (`add`), or removes its first registration: true if there was one.
    pub fn handler(&self, handler: Function, add: bool) -> bool {
        let mut handlers = mutable(&self.executor.handlers);
        if add {
            handlers.push(handler);
            return true;
        }
        let found = handlers
            .iter()
            .position(|h| JsValue::from(h) == JsValue::from(&handler));
        found.and_then(|at| take_at(&mut handlers, at)).is_some()
    }

    /// Keeps `market`'s book in wasm, fed straight from this stream's frames.
    pub fn book(&self, market: &str, depth: Option<f64>) -> Result<BookHandle, JsValue> {
        let subscription =
            Subscription::book(market, depth, "book").map_err(|e| input_error(&e))?;
        let cell = self
            .executor
            .act(|engine, now| engine.book(now, subscription))
            .map_err(conflict)?;
        Ok(BookHandle::shared(cell))
    }

    /// Stops keeping a book (and unsubscribes it unless the user subscribed to it too).
    #[wasm_bindgen(js_name = dropBook)]
    pub fn drop_book(&self, handle: &BookHandle) {
        self.executor
            .act(|engine, now| engine.drop_book(now, handle.cell()));
    }

    /// One of the stream's reads (see [`Report`]), as text: one export for all of them.
    pub fn report(&self, kind: Report) -> String {
        let now = js_sys::Date::now();
        let mut engine = mutable(&self.executor.engine);
        match kind {
            Report::Requests => json_list(engine.planned_requests(now)),
            Report::Subscriptions => Subscription::list_json(engine.subscriptions()),
            Report::Status => {
                // Integers only: formatting an f64 would pull float printing into the wasm.
                let last_frame_at = engine.last_frame_at().max(0.0) as u64;
                format!(
                    r#"{{"state":"{}","reconnects":{},"frames":{},"lastFrameAt":{}}}"#,
                    engine.state().name(),
                    engine.reconnects(),
                    engine.frames(),
                    last_frame_at
                )
            }
            Report::Stats => super::stats::stats_json(&engine, now),
            Report::Authenticated => if engine.has_secrets() { "1" } else { "" }.to_owned(),
            Report::Uri => engine.uri().to_owned(),
        }
    }

    /// Connects and dispatches until `close()` (then `resolve()`) or the policy gives up (then
    /// `reject(error)`): js/stream.js makes `run()`'s Promise and hands its resolvers here.
    pub fn run(&self, resolve: Function, reject: Function) {
        let now = js_sys::Date::now();
        let started = mutable(&self.executor.engine).run(now);
        match started {
            Ok(()) => self.executor.start(resolve, reject),
            Err(error) => {
                let _ = reject.call1(&JsValue::NULL, &self.executor.js_error(&error));
            }
        }
    }

    /// Stops for good: closes the socket, cancels a pending reconnect, resolves `run()`.
    pub fn close(&self) {
        self.executor.act(|engine, now| engine.close(now));
    }
}

/// `[a,b,…]` of JSON texts, by pushes: `join` and `format!` carry panic paths of their own.
fn json_list(items: Vec<String>) -> String {
    let mut list = String::from("[");
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            list.push(',');
        }
        list.push_str(item);
    }
    list.push(']');
    list
}
