//! The stream's protocol as a value: no socket, no clock, no timer, no JS.
//!
//! The executor (the wasm binding, or a test) feeds the engine what happened, with the current
//! time: a socket opened, a frame arrived, a socket closed, a deadline passed, the user called
//! something. The engine answers with effects, drained one at a time with [`Engine::poll_effect`]
//! (send this text, open a socket, tell the user it disconnected, ...) and the next deadline,
//! [`Engine::poll_timeout`]. Since the engine runs only inside those calls and the executor
//! performs effects after the call returned, a user callback that calls back into the stream
//! never meets a busy engine.

mod books;
mod effect;
mod error;
mod frame;
mod random;
mod route;
mod stale;
mod stats;

use std::cell::RefCell;
use std::rc::Rc;

pub use books::{other_depth, BookCell, SharedBook};
use effect::Effects;
pub use effect::{ConnId, Delivery, Effect, Millis, StreamState};
pub use error::{CloseFrame, ErrorCode, Failure, StreamError};
pub use frame::{FrameSource, SubscriptionFrame, TextFrame};
pub use stale::StaleAfter;
pub use stats::{Health, Latency, SubscriptionHealth, LATENCY_SAMPLES};

use crate::core::borrow::{mutable, shared};
use crate::core::rate_limit::{parse_retry_after, ConnectionBudget, RequestLimiter};
use crate::core::reconnect::{Backoff, ReconnectPolicy};
use crate::core::session::{copy_of, Secrets, Session};
use crate::core::subscription::Subscription;
use error::Errors;
use random::Jitter;

/// The earlier of two deadlines, either of which may be absent.
fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The checked options of one stream.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub uri: String,
    pub policy: ReconnectPolicy,
    pub keepalive_ms: Millis,
    pub id_prefix: String,
    /// Seeds the reconnect jitter.
    pub seed: u64,
    /// The stale watchdog's limits per channel.
    pub stale_after: StaleAfter,
}

/// MAX counts requests and connections per IP: streams of one page or process share these.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub requests: Rc<RefCell<RequestLimiter>>,
    pub connections: Rc<RefCell<ConnectionBudget>>,
}

/// A connection that is open.
#[derive(Debug, Clone, Copy)]
struct Open {
    conn: ConnId,
    last_frame: Millis,
    next_ping: Millis,
    /// The server has answered: the connection counts as a success for the backoff.
    answered: bool,
    /// An auth refusal is reported once per connection.
    refusal_reported: bool,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    Idle,
    /// Waiting for the connection budget (or a 429 ban) before the next attempt.
    Budget {
        until: Millis,
    },
    Connecting {
        conn: ConnId,
    },
    Open(Open),
    /// The backoff sleep before the next attempt.
    Backoff {
        until: Millis,
    },
    Closed,
    Failed,
}

impl Phase {
    fn is_running(self) -> bool {
        !matches!(self, Phase::Idle | Phase::Closed | Phase::Failed)
    }

    fn conn(self) -> Option<ConnId> {
        match self {
            Phase::Connecting { conn } => Some(conn),
            Phase::Open(open) => Some(open.conn),
            _ => None,
        }
    }
}

/// A user call the engine refused: the message names the problem (JS throws a `RangeError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict(pub String);

impl Conflict {
    /// `field` asks for `book`'s market at another depth than the one it is `held` at.
    #[inline(never)]
    fn depth(field: &str, book: &Subscription, held: &str) -> Conflict {
        let market = book.market().unwrap_or_default();
        Conflict(format!("{field}: the book of {market} is {held} at another depth, and a connection holds one book per market"))
    }
}

pub struct Engine {
    uri: String,
    policy: ReconnectPolicy,
    keepalive_ms: Millis,
    session: Session,
    backoff: Backoff,
    limits: Limits,
    jitter: Jitter,
    errors: Errors,
    books: Vec<SharedBook>,
    next_book_id: u32,
    phase: Phase,
    next_conn: u32,
    /// When the rate limiter lets the next queued request go.
    send_at: Option<Millis>,
    effects: Effects,
    /// The state of the last `State` effect queued, and of the last one handed out.
    queued_state: StreamState,
    shown_state: StreamState,
    reconnects: u32,
    frames: u64,
    last_frame_at: Millis,
    health: Health,
    stale_after: StaleAfter,
}

impl Engine {
    pub fn new(config: EngineConfig, limits: Limits) -> Self {
        Engine {
            uri: config.uri,
            policy: config.policy,
            keepalive_ms: if config.keepalive_ms.is_finite() {
                config.keepalive_ms.max(1.0)
            } else {
                30_000.0
            },
            session: Session::new(config.id_prefix),
            backoff: Backoff::new(),
            limits,
            jitter: Jitter::new(config.seed),
            errors: Errors::default(),
            books: Vec::new(),
            next_book_id: 0,
            phase: Phase::Idle,
            next_conn: 0,
            send_at: None,
            effects: Effects::default(),
            queued_state: StreamState::Idle,
            shown_state: StreamState::Idle,
            reconnects: 0,
            frames: 0,
            last_frame_at: 0.0,
            health: Health::default(),
            stale_after: config.stale_after,
        }
    }

    // ---- What the executor reads ----

    /// The next thing to do, if any. Drain it after every input, outside any borrow of the engine.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        let effect = self.effects.pop_front()?;
        if let Effect::State(state) = effect {
            self.shown_state = state;
        }
        Some(effect)
    }

    /// Whether effects wait to be taken by [`Engine::poll_effect`].
    pub fn has_effects(&self) -> bool {
        self.effects.iter().next().is_some()
    }

    /// The earliest deadline at which [`Engine::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let phase = match self.phase {
            Phase::Budget { until } | Phase::Backoff { until } => Some(until),
            Phase::Open(open) => Some(open.next_ping),
            _ => None,
        };
        earliest(earliest(phase, self.send_at), self.next_stale_at())
    }

    /// The state last reported through a `State` effect: what a callback has been told.
    pub fn state(&self) -> StreamState {
        self.shown_state
    }

    /// Whether `conn` is the connection in progress (false once it ended or the stream closed).
    pub fn is_current(&self, conn: ConnId) -> bool {
        self.phase.conn() == Some(conn)
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn reconnects(&self) -> u32 {
        self.reconnects
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn last_frame_at(&self) -> Millis {
        self.last_frame_at
    }

    pub fn subscriptions(&self) -> &[Subscription] {
        self.session.subscriptions()
    }

    /// The feed's health: connection counters and one entry per subscription (kept books too).
    pub fn health(&self) -> &Health {
        &self.health
    }

    pub fn has_secrets(&self) -> bool {
        self.session.has_secrets()
    }

    /// The wire messages a connection opened at `now` would send, in order (auth first).
    pub fn planned_requests(&mut self, now: Millis) -> Vec<String> {
        self.session.planned_requests(now)
    }

    // ---- User calls ----

    /// Adds subscriptions; refuses a book at a depth other than the kept book's of that market.
    pub fn subscribe(&mut self, now: Millis, list: Vec<Subscription>) -> Result<(), Conflict> {
        let conflict = list.iter().enumerate().find(|(_, s)| {
            self.books
                .iter()
                .any(|b| other_depth(&shared(b).subscription, s))
        });
        if let Some((index, s)) = conflict {
            let field = format!("subscriptions[{index}].depth");
            return Err(Conflict::depth(&field, s, "kept by stream.book()"));
        }
        self.session.subscribe(list);
        self.subscriptions_changed(now);
        Ok(())
    }

    pub fn unsubscribe(&mut self, now: Millis, list: Vec<Subscription>) {
        self.session.unsubscribe(list);
        self.subscriptions_changed(now);
    }

    /// Sets the stale watchdog's limits (they apply from the next deadline on).
    pub fn set_stale_after(&mut self, stale_after: StaleAfter) {
        self.stale_after = stale_after;
    }

    /// Sets the credentials every later connection authenticates with (`None`: public only).
    pub fn set_secrets(&mut self, secrets: Option<Secrets>) {
        self.session.set_secrets(secrets);
    }

    /// Keeps the book of `subscription` (a book subscription) fed from this stream. One book per
    /// market: frames do not say which depth they were sent for.
    pub fn book(
        &mut self,
        now: Millis,
        subscription: Subscription,
    ) -> Result<SharedBook, Conflict> {
        if self
            .session
            .subscriptions()
            .iter()
            .any(|s| other_depth(s, &subscription))
        {
            return Err(Conflict::depth("book.depth", &subscription, "subscribed"));
        }
        let market = subscription.market().unwrap_or_default();
        if let Some(existing) = self.books.iter().find(|b| shared(b).market() == market) {
            if shared(existing).subscription == subscription {
                return Ok(Rc::clone(existing));
            }
            return Err(Conflict(format!(
                "a book for {market} with another depth is already kept; close it first"
            )));
        }
        self.next_book_id = self.next_book_id.wrapping_add(1);
        let cell = BookCell::new(self.next_book_id, copy_of(&subscription));
        self.books.push(Rc::clone(&cell));
        self.session.track_book(subscription);
        self.subscriptions_changed(now);
        Ok(cell)
    }

    /// Stops keeping a book (and unsubscribes it unless the user subscribed to it too).
    pub fn drop_book(&mut self, now: Millis, cell: &SharedBook) {
        let before = self.books.len();
        self.books.retain(|b| !Rc::ptr_eq(b, cell));
        if self.books.len() != before {
            let subscription = copy_of(&shared(cell).subscription);
            self.session.untrack_book(&subscription);
            self.subscriptions_changed(now);
        }
    }

    /// Starts connecting. A closed stream ends at once; a failed one starts over.
    pub fn run(&mut self, now: Millis) -> Result<(), StreamError> {
        match self.phase {
            Phase::Closed => {
                self.effects.push_back(Effect::RunEnded(Ok(())));
                Ok(())
            }
            Phase::Idle | Phase::Failed => {
                self.attempt(now);
                Ok(())
            }
            _ => Err(self.errors.make(
                ErrorCode::AlreadyRunning,
                "run() is already running on this stream".into(),
                None,
            )),
        }
    }

    /// Stops for good. Effects not yet handed out are withdrawn (but sockets are still closed),
    /// so a callback that calls `close()` sees nothing from the stream after it.
    pub fn close(&mut self, _now: Millis) {
        let ending_queued = self
            .effects
            .iter()
            .any(|e| matches!(e, Effect::RunEnded(_)));
        if matches!(self.phase, Phase::Closed)
            || (matches!(self.phase, Phase::Failed) && !ending_queued)
        {
            return;
        }
        let was_running = self.phase.is_running() || ending_queued;
        let conn = self.phase.conn();
        self.effects
            .retain(|e| matches!(e, Effect::CloseSocket { .. }));
        self.queued_state = self.shown_state;
        self.end_connection(conn);
        self.phase = Phase::Closed;
        self.send_at = None;
        self.set_state(StreamState::Closed);
        if was_running {
            self.effects.push_back(Effect::RunEnded(Ok(())));
        }
    }

    // ---- Socket and timer events ----

    pub fn handle_opened(&mut self, now: Millis, conn: ConnId) {
        if !matches!(self.phase, Phase::Connecting { conn: c } if c == conn) {
            return;
        }
        self.phase = Phase::Open(Open {
            conn,
            last_frame: now,
            next_ping: now + self.keepalive_ms,
            answered: false,
            refusal_reported: false,
        });
        self.session.on_connected();
        self.health.on_connected(now);
        self.set_state(StreamState::Connected);
        self.effects.push_back(Effect::Connected);
        self.flush(now);
    }

    /// A text frame arrived. See [`Delivery`] for what to do with it.
    pub fn handle_frame(
        &mut self,
        now: Millis,
        conn: ConnId,
        frame: &mut impl FrameSource,
    ) -> Delivery {
        if !self.note_frame(now, conn, frame.byte_len()) {
            return Delivery::Stale;
        }
        let delivery = if self.feed_book_fast(now, frame) {
            Delivery::Consumed
        } else {
            self.route_decoded(now, frame)
        };
        self.flush(now);
        delivery
    }

    /// A binary frame arrived: MAX sends none, so it is reported, and it still proves the
    /// connection alive.
    pub fn handle_binary_frame(&mut self, now: Millis, conn: ConnId) -> Delivery {
        if !self.note_frame(now, conn, 0) {
            return Delivery::Stale;
        }
        Delivery::Undecodable("a binary frame: MAX sends only text frames".into())
    }

    /// Counts a frame of `conn` and its bytes; false if `conn` is not the open connection.
    fn note_frame(&mut self, now: Millis, conn: ConnId, bytes: usize) -> bool {
        let Phase::Open(open) = &mut self.phase else {
            return false;
        };
        if open.conn != conn {
            return false;
        }
        open.last_frame = now;
        if !open.answered {
            // A connection counts as successful once the server has answered it.
            open.answered = true;
            self.backoff.on_connected();
        }
        self.last_frame_at = now;
        self.frames = self.frames.saturating_add(1);
        self.health.on_bytes(bytes);
        true
    }

    /// The socket of `conn` closed (before or after opening); `retry_after` is what a 429
    /// handshake answer said, if the socket saw one.
    pub fn handle_closed(
        &mut self,
        now: Millis,
        conn: ConnId,
        close: CloseFrame,
        retry_after: Option<&str>,
    ) {
        if !self.is_current(conn) {
            return;
        }
        let banned = match retry_after.and_then(|value| parse_retry_after(value, now)) {
            Some(until) => {
                mutable(&self.limits.connections).ban_until(until, now);
                true
            }
            None => false,
        };
        let opened = matches!(self.phase, Phase::Open(_));
        let error = self.errors.of_close(&self.uri, close, opened, banned);
        self.fail_attempt(now, error);
    }

    /// No socket could be made for `conn`: every retry would fail the same way, so the stream
    /// gives up at once.
    pub fn handle_socket_unavailable(&mut self, now: Millis, conn: ConnId, problem: &str) {
        if !self.is_current(conn) {
            return;
        }
        let error = self.errors.make(
            ErrorCode::NoSocket,
            format!("could not create a socket for {}: {problem}", self.uri),
            None,
        );
        self.end_connection(Some(conn));
        self.effects.push_back(Effect::Disconnected(error.clone()));
        self.give_up(now, error);
    }

    /// A handler failed in `inline` dispatch with no `onHandlerError`: the connection ends as a
    /// failure and the reconnect policy applies.
    pub fn handle_handler_failed(&mut self, now: Millis, conn: ConnId, problem: &str) {
        if !self.is_current(conn) {
            return;
        }
        let error = self.errors.make(
            ErrorCode::HandlerFailed,
            format!("a handler failed: {problem}"),
            None,
        );
        self.fail_attempt(now, error);
    }

    /// A deadline passed: keepalive, silence, backoff and budget waits, queued requests.
    pub fn handle_timeout(&mut self, now: Millis) {
        match self.phase {
            Phase::Budget { until } | Phase::Backoff { until } if now >= until => self.attempt(now),
            Phase::Open(open) if now >= open.next_ping => {
                let silent = now - open.last_frame;
                if silent >= 2.0 * self.keepalive_ms {
                    let seconds = (silent / 1000.0).max(0.0) as u64;
                    let error = self.errors.make(
                        ErrorCode::Silent,
                        format!(
                            "no frame received for {seconds} s: the connection is presumed dead"
                        ),
                        None,
                    );
                    self.fail_attempt(now, error);
                    return;
                }
                if let Phase::Open(open) = &mut self.phase {
                    // From now: after a late tick (a busy host) the next one still leaves the
                    // server a whole interval to answer this ping before silence is judged.
                    open.next_ping = now + self.keepalive_ms;
                }
                self.session.queue_ping();
                self.effects
                    .push_back(Effect::PingFrame { conn: open.conn });
            }
            _ => {}
        }
        self.resubscribe_stale(now);
        self.flush(now);
    }

    // ---- Inside ----

    /// The wire's subscriptions changed: health entries follow, requests go at the next turn.
    #[inline(never)]
    fn subscriptions_changed(&mut self, now: Millis) {
        self.sync_health(now);
        self.flush_soon(now);
    }

    /// One health entry per subscription on the wire: the user's, then the kept books'.
    fn sync_health(&mut self, now: Millis) {
        self.health.sync(now, self.session.wire_subscriptions());
    }

    #[inline(never)]
    fn set_state(&mut self, state: StreamState) {
        if self.queued_state != state {
            self.queued_state = state;
            self.effects.push_back(Effect::State(state));
        }
    }

    /// The next connection attempt, or a wait for the connection budget first.
    fn attempt(&mut self, now: Millis) {
        let wait = shared(&self.limits.connections).delay_ms(now);
        if wait > 0.0 {
            self.phase = Phase::Budget { until: now + wait };
            return;
        }
        mutable(&self.limits.connections).record_attempt(now);
        self.next_conn = self.next_conn.wrapping_add(1);
        let conn = ConnId(self.next_conn);
        self.phase = Phase::Connecting { conn };
        self.set_state(StreamState::Connecting);
        self.effects.push_back(Effect::Open {
            conn,
            uri: self.uri.clone(),
        });
    }

    /// Frees the connection's socket and queued requests; books wait for a new snapshot, since
    /// updates may be missed while disconnected.
    fn end_connection(&mut self, conn: Option<ConnId>) {
        self.session.on_disconnected();
        self.send_at = None;
        if let Some(conn) = conn {
            self.effects.push_back(Effect::CloseSocket { conn });
        }
        self.reset_books(None);
    }

    /// Empties the kept books (of `only`'s subscription, or all) until their next snapshot; a
    /// book whose reader had looked since its last change is noticed again.
    #[inline(never)]
    fn reset_books(&mut self, only: Option<&Subscription>) {
        for cell in &self.books {
            let mut cell = mutable(cell);
            if only.is_some_and(|s| *s != cell.subscription) {
                continue;
            }
            let was_dirty = cell.dirty;
            cell.reset();
            if !was_dirty {
                self.effects.push_back(Effect::BookChanged(cell.id));
            }
        }
    }

    /// An attempt failed, opened or not: `Disconnected`, then `Reconnecting` and the backoff
    /// sleep, or `PermanentFailure` when the policy gives up.
    fn fail_attempt(&mut self, now: Millis, error: StreamError) {
        self.end_connection(self.phase.conn());
        self.effects.push_back(Effect::Disconnected(error.clone()));
        let random = self.jitter.next_unit();
        match self.backoff.next(&self.policy, random) {
            Some(seconds) => {
                self.reconnects = self.reconnects.saturating_add(1);
                self.phase = Phase::Backoff {
                    until: now + seconds * 1000.0,
                };
                self.set_state(StreamState::Reconnecting);
                self.effects.push_back(Effect::Reconnecting(error));
            }
            None => self.give_up(now, error),
        }
    }

    fn give_up(&mut self, _now: Millis, error: StreamError) {
        self.phase = Phase::Failed;
        self.set_state(StreamState::Failed);
        self.effects
            .push_back(Effect::PermanentFailure(error.clone()));
        self.effects.push_back(Effect::RunEnded(Err(error)));
    }

    /// Sends at the next turn rather than now: the user's calls of one burst (a thousand
    /// `subscribe`s in a loop) then share requests instead of each taking one of the window.
    fn flush_soon(&mut self, now: Millis) {
        if matches!(self.phase, Phase::Open(_)) {
            self.send_at = Some(self.send_at.map_or(now, |at| at.min(now)));
        }
    }

    /// Sends what the limiter allows now and remembers when the rest may go.
    #[inline(never)]
    fn flush(&mut self, now: Millis) {
        self.send_at = None;
        let Phase::Open(Open { conn, .. }) = self.phase else {
            return;
        };
        let mut limiter = mutable(&self.limits.requests);
        while let Some(text) = self.session.next_message(&mut limiter, now) {
            self.effects.push_back(Effect::Send { conn, text });
        }
        self.send_at = self
            .session
            .next_send_in_ms(&limiter, now)
            .map(|wait| now + wait.max(1.0));
    }
}
