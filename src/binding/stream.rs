//! `Stream`'s engine: one task per stream connects, replays the session's requests, dispatches
//! every frame and reconnects by the policy. Socket events, timers and user calls reach it through
//! the mailbox; it never holds a `RefCell` borrow across a call into JS, so handlers may call back
//! into the stream (subscribe, close, removeHandler) while they run.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Function, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::book::{BookCell, BookHandle, SharedBook};
use super::decoder::{decode_frame, with_frame, Route};
use super::errors::input_error;
use super::hooks::{notify, Hooks};
use super::mailbox::{CloseInfo, Mailbox, Signal};
use super::socket::Socket;
use crate::core::rate_limit::{parse_retry_after, ConnectionBudget, RequestLimiter};
use crate::core::book::Applied;
use crate::core::book_feed::read_book_message;
use crate::core::reconnect::{Backoff, ReconnectPolicy};
use crate::core::request::filters_from_value;
use crate::core::response::Response;
use crate::core::session::{is_auth_failure, Secrets, Session};
use crate::core::subscription::Subscription;

thread_local! {
    /// MAX counts requests and connections per IP, so every stream of a page or process shares
    /// one limiter and one connection budget (unless a stream is given its own, for tests).
    static SHARED_LIMITER: RefCell<RequestLimiter> = RefCell::new(RequestLimiter::new());
    static SHARED_BUDGET: RefCell<ConnectionBudget> = RefCell::new(ConnectionBudget::new());
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DispatchMode {
    Inline,
    Task,
    Queue,
}

/// The options the JS `Stream` has already defaulted and checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StreamOptions {
    uri: String,
    dispatch: DispatchMode,
    reconnect: PolicyOptions,
    keepalive_interval_ms: u32,
    id_prefix: String,
    request_limits: Option<(usize, usize)>,
    connection_limits: Option<(usize, usize)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyOptions {
    enabled: bool,
    max_retries: Option<f64>,
    base_delay: f64,
    max_delay: f64,
    jitter: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Connecting,
    Connected,
    Reconnecting,
    Closed,
    Failed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Connecting => "connecting",
            Phase::Connected => "connected",
            Phase::Reconnecting => "reconnecting",
            Phase::Closed => "closed",
            Phase::Failed => "failed",
        }
    }
}

struct State {
    uri: String,
    dispatch: DispatchMode,
    keepalive_ms: u32,
    session: Session,
    policy: ReconnectPolicy,
    backoff: Backoff,
    own_limiter: Option<RequestLimiter>,
    own_budget: Option<ConnectionBudget>,
    handlers: Vec<Function>,
    books: Vec<SharedBook>,
    next_book_id: u32,
    socket: Option<Rc<Socket>>,
    generation: u32,
    wait_token: u32,
    phase: Phase,
    closing: bool,
    running: bool,
    send_timer: Option<Timeout>,
    wait_timer: Option<Timeout>,
    keepalive: Option<Interval>,
    last_frame_ms: f64,
    got_frame: bool,
    auth_failure_reported: bool,
    reconnects: u32,
    frames: u64,
}

struct Inner {
    state: RefCell<State>,
    mailbox: Rc<Mailbox>,
    hooks: Hooks,
}

/// How a connection ended.
enum Ending {
    Closed,
    Dropped { error: JsValue, was_connected: bool },
    /// No socket could even be made (no WebSocket in this host, a factory that throws): every
    /// retry would fail the same way, so the stream gives up at once.
    Unusable(JsValue),
}

#[wasm_bindgen]
pub struct StreamDriver {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl StreamDriver {
    /// `options` is the JSON of the checked options; `hooks` holds the JS functions.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str, hooks: JsValue) -> Result<StreamDriver, JsValue> {
        let options: StreamOptions =
            serde_json::from_str(options).map_err(|e| JsValue::from(js_sys::TypeError::new(&format!("invalid stream options: {e}"))))?;
        let p = &options.reconnect;
        let policy = ReconnectPolicy::new(p.enabled, p.max_retries, p.base_delay, p.max_delay, p.jitter)
            .map_err(|e| JsValue::from(js_sys::RangeError::new(&e.to_string())))?;
        let own_limiter = match options.request_limits {
            Some((per_second, per_minute)) => Some(RequestLimiter::with_limits(per_second, per_minute).map_err(range_error)?),
            None => None,
        };
        let own_budget = match options.connection_limits {
            Some((per_hour, per_day)) => Some(ConnectionBudget::with_limits(per_hour, per_day).map_err(range_error)?),
            None => None,
        };
        let state = State {
            uri: options.uri,
            dispatch: options.dispatch,
            keepalive_ms: options.keepalive_interval_ms.max(1),
            session: Session::new(options.id_prefix),
            policy,
            backoff: Backoff::new(),
            own_limiter,
            own_budget,
            handlers: Vec::new(),
            books: Vec::new(),
            next_book_id: 0,
            socket: None,
            generation: 0,
            wait_token: 0,
            phase: Phase::Idle,
            closing: false,
            running: false,
            send_timer: None,
            wait_timer: None,
            keepalive: None,
            last_frame_ms: 0.0,
            got_frame: false,
            auth_failure_reported: false,
            reconnects: 0,
            frames: 0,
        };
        let inner = Inner { state: RefCell::new(state), mailbox: Rc::new(Mailbox::default()), hooks: Hooks::from_js(&hooks)? };
        Ok(StreamDriver { inner: Rc::new(inner) })
    }

    /// Adds subscriptions (the JSON of the caller's list); throws at once if one is invalid.
    pub fn subscribe(&self, subscriptions: &str) -> Result<(), JsValue> {
        let list = parse_subscriptions(subscriptions)?;
        let conflict = self.inner.with_state(|state| {
            let conflict = list.iter().enumerate().find(|(_, s)| state.books.iter().any(|b| other_depth(&b.borrow().subscription, s)));
            match conflict {
                Some((index, s)) => Some((index, s.market().unwrap_or_default().to_owned())),
                None => {
                    state.session.subscribe(list);
                    None
                }
            }
        });
        if let Some((index, market)) = conflict {
            return Err(js_sys::RangeError::new(&format!("subscriptions[{index}].depth: the book of {market} is kept by stream.book() at another depth, and a connection holds one book per market")).into());
        }
        self.inner.mailbox.push(Signal::Flush);
        Ok(())
    }

    pub fn unsubscribe(&self, subscriptions: &str) -> Result<(), JsValue> {
        let list = parse_subscriptions(subscriptions)?;
        self.inner.with_state(|state| state.session.unsubscribe(list));
        self.inner.mailbox.push(Signal::Flush);
        Ok(())
    }

    /// Sets the credentials every connection authenticates with; empty ones mean public only.
    pub fn auth(&self, api_key: &str, api_secret: &str, filters: &str) -> Result<(), JsValue> {
        let filters = if filters.is_empty() {
            None
        } else {
            let value = serde_json::from_str(filters).map_err(|_| JsValue::from(js_sys::TypeError::new("filters: expected a list of strings")))?;
            Some(filters_from_value(&value).map_err(|e| input_error(&e))?)
        };
        let secrets = (!api_key.is_empty() && !api_secret.is_empty()).then(|| Secrets::new(api_key.to_owned(), api_secret.to_owned(), filters));
        self.inner.with_state(|state| state.session.set_secrets(secrets));
        Ok(())
    }

    #[wasm_bindgen(js_name = hasCredentials)]
    pub fn has_credentials(&self) -> bool {
        self.inner.with_state(|state| state.session.has_secrets())
    }

    #[wasm_bindgen(js_name = addHandler)]
    pub fn add_handler(&self, handler: Function) {
        self.inner.with_state(|state| state.handlers.push(handler));
    }

    /// Removes the first registration of `handler`; true if there was one.
    #[wasm_bindgen(js_name = removeHandler)]
    pub fn remove_handler(&self, handler: &Function) -> bool {
        self.inner.with_state(|state| {
            let found = state.handlers.iter().position(|h| JsValue::from(h) == JsValue::from(handler));
            found.map(|index| state.handlers.remove(index)).is_some()
        })
    }

    /// Keeps `market`'s book in wasm, fed straight from this stream's frames. One book per market:
    /// frames do not say which depth they were sent for.
    pub fn book(&self, market: &str, depth: Option<f64>) -> Result<BookHandle, JsValue> {
        let subscription = Subscription::book(market, depth, "book").map_err(|e| input_error(&e))?;
        let market = subscription.market().unwrap_or_default().to_owned();
        if self.inner.with_state(|state| state.session.subscriptions().iter().any(|s| other_depth(s, &subscription))) {
            return Err(js_sys::RangeError::new(&format!("book.depth: the book of {market} is subscribed at another depth, and a connection holds one book per market")).into());
        }
        let handle = self.inner.with_state(|state| {
            if let Some(existing) = state.books.iter().find(|b| b.borrow().market() == market) {
                let same = existing.borrow().subscription == subscription;
                return if same {
                    Ok(BookHandle::shared(Rc::clone(existing)))
                } else {
                    Err(JsValue::from(js_sys::RangeError::new(&format!("a book for {market} with another depth is already kept; close it first"))))
                };
            }
            state.next_book_id = state.next_book_id.wrapping_add(1);
            let cell = BookCell::new(state.next_book_id, subscription.clone());
            state.books.push(Rc::clone(&cell));
            state.session.track_book(subscription);
            Ok(BookHandle::shared(cell))
        })?;
        self.inner.mailbox.push(Signal::Flush);
        Ok(handle)
    }

    /// Stops keeping a book (and unsubscribes it unless the user subscribed to it too).
    #[wasm_bindgen(js_name = dropBook)]
    pub fn drop_book(&self, handle: &BookHandle) {
        self.inner.with_state(|state| {
            let before = state.books.len();
            state.books.retain(|b| !Rc::ptr_eq(b, handle.cell()));
            if state.books.len() != before {
                let subscription = handle.cell().borrow().subscription.clone();
                state.session.untrack_book(&subscription);
            }
        });
        self.inner.mailbox.push(Signal::Flush);
    }

    /// The wire messages a connection opened now would send, in order (auth first), as JSON.
    pub fn requests(&self) -> String {
        let now = js_sys::Date::now();
        let messages: Vec<String> = self.inner.with_state(|state| state.session.planned_requests(now).iter().map(|r| r.message()).collect());
        format!("[{}]", messages.join(","))
    }

    /// The current subscriptions, as the JSON of their wire objects.
    pub fn subscriptions(&self) -> String {
        self.inner.with_state(|state| {
            let wire: Vec<_> = state.session.subscriptions().iter().map(Subscription::to_wire).collect();
            serde_json::to_string(&wire).unwrap_or_else(|_| "[]".into())
        })
    }

    /// `{state, reconnects, frames}` as JSON, for dashboards.
    pub fn status(&self) -> String {
        self.inner.with_state(|state| {
            // Integers only: formatting an f64 would pull float printing into the wasm.
            let last_frame_at = state.last_frame_ms.max(0.0) as u64;
            format!(r#"{{"state":"{}","reconnects":{},"frames":{},"lastFrameAt":{}}}"#, state.phase.name(), state.reconnects, state.frames, last_frame_at)
        })
    }

    pub fn uri(&self) -> String {
        self.inner.with_state(|state| state.uri.clone())
    }

    /// Connects and dispatches until `close()` (resolves) or the policy gives up (rejects).
    pub fn run(&self) -> Promise {
        let inner = Rc::clone(&self.inner);
        let already = inner.with_state(|state| std::mem::replace(&mut state.running, true));
        if already {
            return Promise::reject(&js_sys::Error::new("run() is already running on this stream").into());
        }
        future_to_promise(async move {
            let outcome = run_loop(&inner).await;
            inner.with_state(|state| {
                state.running = false;
                state.keepalive = None;
                state.send_timer = None;
                state.wait_timer = None;
            });
            outcome.map(|()| JsValue::UNDEFINED)
        })
    }

    /// Stops for good: closes the socket, cancels a pending reconnect, resolves `run()`.
    pub fn close(&self) {
        let socket = self.inner.with_state(|state| {
            state.closing = true;
            state.wait_timer = None;
            state.socket.clone()
        });
        if let Some(socket) = socket {
            socket.close();
        }
        self.inner.set_phase(Phase::Closed);
        self.inner.mailbox.push(Signal::CloseRequested);
    }
}

/// Two book subscriptions of one market at different depths. A connection holds one book per
/// market (book frames do not say their depth): the later one would silently replace the
/// other's feed, so a kept book and the user's subscriptions must agree.
fn other_depth(a: &Subscription, b: &Subscription) -> bool {
    matches!((a, b), (Subscription::Book { market: m, .. }, Subscription::Book { market: n, .. }) if m == n && a != b)
}

fn range_error(error: impl std::fmt::Display) -> JsValue {
    js_sys::RangeError::new(&error.to_string()).into()
}

fn parse_subscriptions(json: &str) -> Result<Vec<Subscription>, JsValue> {
    let value = serde_json::from_str(json).map_err(|_| JsValue::from(js_sys::TypeError::new("subscriptions: cannot be read as JSON")))?;
    Subscription::list_from_value(&value, "subscriptions").map_err(|e| input_error(&e))
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

impl Inner {
    /// Runs `f` on the state; `f` must not call into JS.
    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.borrow_mut())
    }

    fn set_phase(&self, phase: Phase) {
        let changed = self.with_state(|state| {
            let closed_for_good = matches!(state.phase, Phase::Closed | Phase::Failed) && phase != Phase::Idle;
            let changed = state.phase != phase && !closed_for_good;
            if changed {
                state.phase = phase;
            }
            changed
        });
        if changed {
            notify(&self.hooks.on_state_change, &[&JsValue::from_str(phase.name())]);
        }
    }

    fn with_limiter<T>(&self, state: &mut State, f: impl FnOnce(&mut Session, &mut RequestLimiter) -> T) -> T {
        match state.own_limiter.as_mut() {
            Some(limiter) => f(&mut state.session, limiter),
            None => SHARED_LIMITER.with(|shared| f(&mut state.session, &mut shared.borrow_mut())),
        }
    }

    fn with_budget<T>(state: &mut State, f: impl FnOnce(&mut ConnectionBudget) -> T) -> T {
        match state.own_budget.as_mut() {
            Some(budget) => f(budget),
            None => SHARED_BUDGET.with(|shared| f(&mut shared.borrow_mut())),
        }
    }

    /// Sends what the limiter allows now, then arranges to be woken for the rest.
    fn flush(&self) {
        loop {
            let next = self.with_state(|state| {
                let socket = state.socket.clone().filter(|_| state.session.is_connected())?;
                let now = js_sys::Date::now();
                let message = self.with_limiter(state, |session, limiter| session.next_message(limiter, now));
                if message.is_none() && state.send_timer.is_none() {
                    let wait = self.with_limiter(state, |session, limiter| session.next_send_in_ms(limiter, now));
                    if let Some(wait) = wait {
                        let mailbox = Rc::clone(&self.mailbox);
                        state.send_timer = Some(Timeout::new(wait.ceil().max(1.0) as u32, move || mailbox.push(Signal::Flush)));
                    }
                }
                message.map(|message| (socket, message))
            });
            let Some((socket, message)) = next else { return };
            // A failed send means the socket is going away; its close event ends the connection.
            if socket.send(&message).is_err() {
                return;
            }
        }
    }

    /// Waits `ms` (a backoff or a budget wait); false if the stream was closed meanwhile.
    async fn wait(&self, ms: f64) -> bool {
        let token = self.with_state(|state| {
            state.wait_token = state.wait_token.wrapping_add(1);
            let token = state.wait_token;
            let mailbox = Rc::clone(&self.mailbox);
            let ms = ms.clamp(0.0, f64::from(i32::MAX)) as u32;
            state.wait_timer = Some(Timeout::new(ms, move || mailbox.push(Signal::WaitOver(token))));
            token
        });
        loop {
            if self.with_state(|state| state.closing) {
                return false;
            }
            match self.mailbox.recv().await {
                Signal::WaitOver(t) if t == token => return !self.with_state(|state| state.closing),
                Signal::CloseRequested => return false,
                _ => {}
            }
        }
    }

    /// Drops the current connection's socket, timers and queued requests; books wait for a new
    /// snapshot, since updates may be missed while disconnected.
    fn teardown(&self) {
        let (socket, changed) = self.with_state(|state| {
            state.session.on_disconnected();
            state.keepalive = None;
            state.send_timer = None;
            let mut changed = Vec::new();
            for cell in &state.books {
                let mut cell = cell.borrow_mut();
                let was_dirty = cell.dirty;
                cell.reset();
                if !was_dirty {
                    changed.push(cell.id);
                }
            }
            (state.socket.take(), changed)
        });
        // Dropping unhooks the closures and closes the socket (a JS call, so outside the borrow).
        drop(socket);
        self.books_changed(&changed);
    }

    /// Tells JS which books changed since it last looked (once per batch, not per frame).
    fn books_changed(&self, ids: &[u32]) {
        for id in ids {
            notify(&self.hooks.book_changed, &[&JsValue::from(*id)]);
        }
    }
}

async fn run_loop(inner: &Rc<Inner>) -> Result<(), JsValue> {
    loop {
        if inner.with_state(|state| state.closing) {
            return Ok(());
        }
        let (error, was_connected) = match connect_and_serve(inner).await {
            Ending::Closed => return Ok(()),
            Ending::Unusable(error) => return Err(give_up(inner, error)),
            Ending::Dropped { error, was_connected } => (error, was_connected),
        };
        if was_connected {
            notify(&inner.hooks.on_disconnected, &[&error]);
        }
        if inner.with_state(|state| state.closing) {
            return Ok(());
        }
        let random = js_sys::Math::random();
        let delay = inner.with_state(|state| state.backoff.next(&state.policy, random));
        match delay {
            Some(seconds) => {
                inner.with_state(|state| state.reconnects = state.reconnects.saturating_add(1));
                inner.set_phase(Phase::Reconnecting);
                notify(&inner.hooks.on_reconnecting, &[&error]);
                if !inner.wait(seconds * 1000.0).await {
                    return Ok(());
                }
            }
            None => return Err(give_up(inner, error)),
        }
    }
}

/// The stream fails for good: tells the user, and returns the error `run()` rejects with.
fn give_up(inner: &Rc<Inner>, error: JsValue) -> JsValue {
    inner.set_phase(Phase::Failed);
    notify(&inner.hooks.on_permanent_failure, &[&error]);
    error
}

/// One connection, from the budget wait to its end.
async fn connect_and_serve(inner: &Rc<Inner>) -> Ending {
    let budget_wait = inner.with_state(|state| Inner::with_budget(state, |budget| budget.delay_ms(js_sys::Date::now())));
    if budget_wait > 0.0 && !inner.wait(budget_wait).await {
        return Ending::Closed;
    }
    let (generation, uri) = inner.with_state(|state| {
        Inner::with_budget(state, |budget| budget.record_attempt(js_sys::Date::now()));
        state.generation = state.generation.wrapping_add(1);
        (state.generation, state.uri.clone())
    });
    inner.set_phase(Phase::Connecting);
    let raw = match inner.hooks.connect_factory.call2(&JsValue::NULL, &JsValue::from_str(&uri), &inner.hooks.connect_options) {
        Ok(raw) if raw.is_object() => raw,
        Ok(_) => return Ending::Unusable(error("connectFactory did not return a socket")),
        Err(thrown) => return Ending::Unusable(thrown),
    };
    let socket = Rc::new(Socket::attach(raw, generation, &inner.mailbox, inner.hooks.noop.clone()));
    inner.with_state(|state| state.socket = Some(Rc::clone(&socket)));
    let mut connected = false;
    loop {
        match inner.mailbox.recv().await {
            Signal::Opened(g) if g == generation => {
                connected = true;
                on_open(inner);
                notify(&inner.hooks.on_connected, &[]);
            }
            Signal::Message(g, data) if g == generation => {
                if let Err(failure) = on_message(inner, data).await {
                    inner.teardown();
                    return Ending::Dropped { error: failure, was_connected: true };
                }
            }
            Signal::Closed(g, info) if g == generation => {
                if let Some(retry_after) = socket.retry_after() {
                    inner.with_state(|state| {
                        let now = js_sys::Date::now();
                        if let Some(until) = parse_retry_after(&retry_after, now) {
                            Inner::with_budget(state, |budget| budget.ban_until(until, now));
                        }
                    });
                }
                inner.teardown();
                return Ending::Dropped { error: close_error(&uri, &info, connected), was_connected: connected };
            }
            Signal::Flush => {
                inner.with_state(|state| state.send_timer = None);
                inner.flush();
            }
            Signal::Keepalive if connected => {
                if let Some(dead) = keepalive(inner, &socket) {
                    inner.teardown();
                    return Ending::Dropped { error: dead, was_connected: true };
                }
            }
            Signal::CloseRequested => {
                inner.teardown();
                return Ending::Closed;
            }
            // Late events of an earlier socket, or of a wait that is over.
            _ => {}
        }
        if inner.with_state(|state| state.closing) {
            inner.teardown();
            return Ending::Closed;
        }
    }
}

fn on_open(inner: &Rc<Inner>) {
    inner.with_state(|state| {
        state.session.on_connected();
        state.last_frame_ms = js_sys::Date::now();
        state.got_frame = false;
        state.auth_failure_reported = false;
        let mailbox = Rc::clone(&inner.mailbox);
        state.keepalive = Some(Interval::new(state.keepalive_ms, move || mailbox.push(Signal::Keepalive)));
    });
    inner.set_phase(Phase::Connected);
    inner.flush();
}

/// A keepalive tick: the `ping` action everywhere, a ping frame where possible, and an error if
/// the connection has been silent for two intervals.
fn keepalive(inner: &Rc<Inner>, socket: &Socket) -> Option<JsValue> {
    let silent_ms = inner.with_state(|state| {
        let silent = js_sys::Date::now() - state.last_frame_ms;
        (silent >= 2.0 * f64::from(state.keepalive_ms)).then_some(silent)
    });
    if let Some(silent) = silent_ms {
        let seconds = (silent / 1000.0).max(0.0) as u64;
        return Some(error(&format!("no frame received for {seconds} s: the connection is presumed dead")));
    }
    inner.with_state(|state| state.session.queue_ping());
    socket.ping_frame();
    inner.flush();
    None
}

fn close_error(uri: &str, info: &CloseInfo, was_connected: bool) -> JsValue {
    let reason = if info.reason.is_empty() { String::new() } else { format!(": {}", info.reason) };
    if was_connected {
        error(&format!("connection to {uri} closed (code {}{reason})", info.code))
    } else {
        error(&format!("could not connect to {uri} (code {}{reason})", info.code))
    }
}

/// What the stream learned from a frame before building its object.
#[derive(Default)]
struct FrameFacts {
    auth_failure: Option<String>,
    changed_books: Vec<u32>,
    resubscribed: bool,
}

async fn on_message(inner: &Rc<Inner>, data: JsValue) -> Result<(), JsValue> {
    inner.with_state(|state| {
        state.last_frame_ms = js_sys::Date::now();
        state.frames = state.frames.saturating_add(1);
        if !state.got_frame {
            // A connection counts as successful once the server has answered it.
            state.got_frame = true;
            state.backoff.on_connected();
        }
    });
    if !data.is_string() {
        notify(&inner.hooks.on_decode_error, &[&error("a binary frame: MAX sends only text frames"), &data]);
        return Ok(());
    }
    let length = match inner.hooks.encode_frame.call1(&JsValue::NULL, &data) {
        Ok(length) => length.as_f64().unwrap_or(0.0) as usize,
        Err(problem) => {
            notify(&inner.hooks.on_decode_error, &[&problem, &data]);
            return Ok(());
        }
    };
    let mut facts = FrameFacts::default();
    if feed_book_fast(inner, length, &mut facts) {
        after_books(inner, &facts);
        return Ok(());
    }
    let decoded = decode_frame(length, |response| inner.with_state(|state| classify(state, response, &mut facts)));
    after_books(inner, &facts);
    let tape_at = match decoded {
        Ok(Some(tape_at)) => tape_at,
        Ok(None) => return Ok(()),
        Err(problem) => {
            notify(&inner.hooks.on_decode_error, &[&error(&problem), &data]);
            return Ok(());
        }
    };
    let response = match inner.hooks.build_response.call1(&JsValue::NULL, &JsValue::from_f64(tape_at as f64)) {
        Ok(response) => response,
        Err(problem) => {
            notify(&inner.hooks.on_decode_error, &[&problem, &data]);
            return Ok(());
        }
    };
    if let Some(message) = facts.auth_failure {
        notify(&inner.hooks.on_auth_failed, &[&error(&format!("authentication refused: {message}")), &response]);
    }
    dispatch(inner, &response).await
}

/// Tells JS which books changed, and sends the resubscriptions a frame caused.
fn after_books(inner: &Inner, facts: &FrameFacts) {
    inner.books_changed(&facts.changed_books);
    if facts.resubscribed {
        inner.flush();
    }
}

/// Decides what a decoded frame is for; runs inside the decoder, so it must not call into JS.
fn classify(state: &mut State, response: &Response, facts: &mut FrameFacts) -> Route {
    let event = response.event.as_ref().map(|e| e.as_str()).unwrap_or("");
    let id = response.id.as_ref().map(|id| id.0.as_str());
    if state.session.is_keepalive_answer(event, id) {
        return Route::Skip;
    }
    if event == "error" && !state.auth_failure_reported {
        let errors: Vec<&str> = response.errors.iter().flat_map(|list| list.0.iter().map(|e| e.as_str())).collect();
        if is_auth_failure(&errors) {
            // Reported once per connection; the connection stays up for public data, and no
            // reconnect is tried for it, so a refused key never becomes a tight loop.
            state.auth_failure_reported = true;
            facts.auth_failure = Some(errors.join("; "));
        }
    }
    feed_books(state, response, facts)
}

/// Feeds a `book` frame to the book kept for its market; resubscribes just that book when it
/// fell out of step. Its frames reach handlers only if the user subscribed to it too.
fn feed_books(state: &mut State, response: &Response, facts: &mut FrameFacts) -> Route {
    feed_books_with(state, facts, |cell| cell.feed(response)).unwrap_or(Route::Build)
}

/// Offers a frame to each kept book through `feed`; the route of the book that took it, if any.
fn feed_books_with(state: &mut State, facts: &mut FrameFacts, mut feed: impl FnMut(&mut BookCell) -> Option<Applied>) -> Option<Route> {
    for cell in &state.books {
        let mut cell = cell.borrow_mut();
        let was_dirty = cell.dirty;
        let Some(applied) = feed(&mut cell) else { continue };
        if matches!(applied, Applied::Resync(_)) {
            state.session.resubscribe(&cell.subscription);
            facts.resubscribed = true;
        }
        if cell.dirty && !was_dirty {
            facts.changed_books.push(cell.id);
        }
        return Some(if state.session.is_user_subscription(&cell.subscription) { Route::Build } else { Route::Skip });
    }
    None
}

/// The fast path of a frame that only a kept book wants: read with the book reader, applied,
/// and never decoded in full. True if it was taken.
fn feed_book_fast(inner: &Inner, length: usize, facts: &mut FrameFacts) -> bool {
    if inner.with_state(|state| state.books.is_empty()) {
        return false;
    }
    let taken = with_frame(length, |frame| {
        let message = read_book_message(frame)?;
        inner.with_state(|state| {
            let owner = state.books.iter().find(|cell| cell.borrow().market() == message.market)?;
            if state.session.is_user_subscription(&owner.borrow().subscription) {
                // The user's handlers want this book's frames too: the full decoder serves both.
                return None;
            }
            feed_books_with(state, facts, |cell| cell.feed_message(&message))
        })
    });
    taken.flatten().is_some()
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_object() && Reflect::get(value, &JsValue::from_str("then")).map(|then| then.is_function()).unwrap_or(false)
}

/// Hands a response to the handlers as the dispatch mode says. An `Err` ends the connection.
async fn dispatch(inner: &Rc<Inner>, response: &JsValue) -> Result<(), JsValue> {
    let (mode, handlers) = inner.with_state(|state| (state.dispatch, state.handlers.clone()));
    match mode {
        DispatchMode::Queue => {
            let _ = inner.hooks.enqueue.call1(&JsValue::NULL, response);
        }
        DispatchMode::Task => {
            for handler in &handlers {
                let _ = inner.hooks.settle_task.call2(&JsValue::NULL, handler, response);
            }
        }
        DispatchMode::Inline => {
            for handler in &handlers {
                // A handler removed by an earlier one, while this message was being handled, is skipped.
                let still_registered = inner.with_state(|state| state.handlers.iter().any(|h| JsValue::from(h) == JsValue::from(handler)));
                if !still_registered {
                    continue;
                }
                let outcome = match handler.call1(&JsValue::NULL, response) {
                    Ok(value) if is_thenable(&value) => JsFuture::from(Promise::resolve(&value)).await.map(|_| ()),
                    Ok(_) => Ok(()),
                    Err(thrown) => Err(thrown),
                };
                if let Err(thrown) = outcome {
                    match &inner.hooks.on_handler_error {
                        Some(callback) => {
                            let _ = callback.call2(&JsValue::NULL, &thrown, response);
                        }
                        None => return Err(thrown),
                    }
                }
            }
        }
    }
    Ok(())
}
