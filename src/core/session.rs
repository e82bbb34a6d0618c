//! What a stream asks of the server, connection after connection, without any I/O.
//!
//! A `Session` holds the subscriptions and credentials that every connection replays, signs a
//! fresh auth nonce for each connection (the reference Python client re-sends a stale one), and
//! queues requests behind the rate limiter, coalescing a burst of `subscribe` calls into few
//! requests. The binding feeds it events and sends what it returns.

use std::fmt;

use super::list::take_at;
use super::protocol::{error_code, Event, Filter};
use super::rate_limit::{OutboundQueue, RequestLimiter};
use super::request::{Credentials, Request};
use super::subscription::Subscription;

/// Most subscriptions one request carries; larger sets are split (the server's own cap is not
/// documented, and a short request also keeps an error's scope small).
pub const SUBSCRIPTIONS_PER_REQUEST: usize = 50;

/// How many of our own pings may await an answer; older ones are forgotten.
const PINGS_REMEMBERED: usize = 16;

/// API credentials. `Debug` leaves the secret out, so it cannot leak through a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secrets {
    pub api_key: String,
    api_secret: String,
    pub filters: Option<Vec<Filter>>,
}

impl Secrets {
    pub fn new(api_key: String, api_secret: String, filters: Option<Vec<Filter>>) -> Self {
        Secrets {
            api_key,
            api_secret,
            filters,
        }
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("api_key", &self.api_key)
            .field("api_secret", &"<hidden>")
            .field("filters", &self.filters)
            .finish()
    }
}

/// A request waiting for the limiter. Auth is signed when it leaves, so its nonce is fresh even
/// if it waited.
#[derive(Debug, Clone, PartialEq)]
enum Outbound {
    Auth,
    /// `sub` if `subscribe`, else `unsub`.
    Change {
        subscribe: bool,
        list: Vec<Subscription>,
    },
    Ping(String),
}

#[derive(Debug, Default)]
pub struct Session {
    /// What the user subscribed to: its frames go to the handlers.
    subscriptions: Vec<Subscription>,
    /// Books kept in wasm: subscribed like the rest, but their frames feed a local book.
    books: Vec<Subscription>,
    secrets: Option<Secrets>,
    outbound: OutboundQueue<Outbound>,
    connected: bool,
    last_nonce: u64,
    /// Oldest first; at most [`PINGS_REMEMBERED`], so a `Vec` does (no ring buffer's code).
    pings: Vec<String>,
    request_ids: RequestIds,
}

impl Session {
    pub fn new(id_prefix: String) -> Self {
        Session {
            request_ids: RequestIds {
                prefix: id_prefix,
                counter: 0,
            },
            ..Session::default()
        }
    }

    /// Adds subscriptions for every future connection; while connected, also queues them now.
    pub fn subscribe(&mut self, subscriptions: Vec<Subscription>) {
        self.change(subscriptions, true);
    }

    /// Removes subscriptions; while connected, also queues their `unsub` now.
    pub fn unsubscribe(&mut self, subscriptions: Vec<Subscription>) {
        self.change(subscriptions, false);
    }

    /// Adds (`adding`) or removes the user's subscriptions. A kept book's subscription is on the
    /// wire already, and stays there for the book: only its handlers' share changes.
    #[inline(never)]
    fn change(&mut self, subscriptions: Vec<Subscription>, adding: bool) {
        let mut wire: Vec<Subscription> = Vec::new();
        for subscription in subscriptions {
            let at = find(&self.subscriptions, &subscription);
            if at.is_some() == adding {
                continue;
            }
            match at {
                Some(at) => drop(take_at(&mut self.subscriptions, at)),
                None => self.subscriptions.push(copy_of(&subscription)),
            }
            if find(&self.books, &subscription).is_none() {
                wire.push(subscription);
            }
        }
        if self.connected && !wire.is_empty() {
            self.queue_subscriptions(wire, adding, true);
        }
    }

    /// Queues a subscription change (`sub` if `adding`, else `unsub`); with `merge`, into the
    /// last waiting request of the same action first.
    #[inline(never)]
    fn queue_subscriptions(&mut self, mut list: Vec<Subscription>, adding: bool, merge: bool) {
        if let Some(Outbound::Change {
            subscribe,
            list: waiting,
        }) = self.outbound.back_mut()
        {
            if merge && *subscribe == adding {
                let room = SUBSCRIPTIONS_PER_REQUEST.saturating_sub(waiting.len());
                let rest = list.split_off(room.min(list.len()));
                waiting.extend(list);
                list = rest;
            }
        }
        while !list.is_empty() {
            let rest = list.split_off(SUBSCRIPTIONS_PER_REQUEST.min(list.len()));
            self.outbound.push(Outbound::Change {
                subscribe: adding,
                list,
            });
            list = rest;
        }
    }

    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    /// Whether the user's own subscriptions include `subscription` (so its frames go to handlers).
    pub fn is_user_subscription(&self, subscription: &Subscription) -> bool {
        find(&self.subscriptions, subscription).is_some()
    }

    /// Starts keeping a book: subscribes it now (if connected) and on every connection.
    pub fn track_book(&mut self, subscription: Subscription) {
        self.keep_book(&subscription, true);
    }

    /// Stops keeping a book; unsubscribes unless the user subscribed to it too.
    pub fn untrack_book(&mut self, subscription: &Subscription) {
        self.keep_book(subscription, false);
    }

    /// Starts (`keep`) or stops keeping a book; the wire changes unless the user's own
    /// subscriptions hold it.
    #[inline(never)]
    fn keep_book(&mut self, subscription: &Subscription, keep: bool) {
        let at = find(&self.books, subscription);
        if at.is_some() == keep {
            return;
        }
        match at {
            Some(at) => drop(take_at(&mut self.books, at)),
            None => self.books.push(copy_of(subscription)),
        }
        if self.connected && find(&self.subscriptions, subscription).is_none() {
            self.queue_one(subscription, keep);
        }
    }

    /// Queues a change of one subscription as a request of its own.
    #[inline(never)]
    fn queue_one(&mut self, subscription: &Subscription, adding: bool) {
        self.queue_subscriptions(vec![copy_of(subscription)], adding, false);
    }

    /// A book fell out of step: unsubscribe and subscribe it again, touching nothing else.
    pub fn resubscribe(&mut self, subscription: &Subscription) {
        if self.connected {
            self.queue_one(subscription, false);
            self.queue_one(subscription, true);
        }
    }

    /// Everything each connection subscribes to: the user's subscriptions, then the kept books'
    /// that the user's do not hold.
    pub fn wire_subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter().chain(
            self.books
                .iter()
                .filter(|b| find(&self.subscriptions, b).is_none()),
        )
    }

    /// Out of line: each connection and each preview of one take the list.
    #[inline(never)]
    fn all_subscriptions(&self) -> Vec<Subscription> {
        let mut all = Vec::new();
        for subscription in self.wire_subscriptions() {
            all.push(copy_of(subscription));
        }
        all
    }

    /// Sets or clears the credentials every future connection authenticates with.
    pub fn set_secrets(&mut self, secrets: Option<Secrets>) {
        self.secrets = secrets;
    }

    pub fn has_secrets(&self) -> bool {
        self.secrets.is_some()
    }

    /// A connection opened: queue auth first, then every subscription.
    pub fn on_connected(&mut self) {
        self.on_disconnected();
        self.connected = true;
        if self.secrets.is_some() {
            self.outbound.push(Outbound::Auth);
        }
        let all = self.all_subscriptions();
        self.queue_subscriptions(all, true, false);
    }

    /// The connection ended: nothing queued for it is sent anywhere else.
    #[inline(never)]
    pub fn on_disconnected(&mut self) {
        self.connected = false;
        self.outbound.clear();
        self.pings.clear();
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Queues the keepalive `ping` action.
    pub fn queue_ping(&mut self) {
        if self.connected {
            let id = self.request_ids.next();
            self.outbound.push(Outbound::Ping(id));
        }
    }

    /// The next message to send now, if the limiter allows one; `now_ms` also dates a nonce.
    pub fn next_message(&mut self, limiter: &mut RequestLimiter, now_ms: f64) -> Option<String> {
        let outbound = self.outbound.pop_ready(limiter, now_ms)?;
        Some(self.build(outbound, now_ms).message())
    }

    /// Milliseconds until the next queued message may go; `None` when nothing waits.
    pub fn next_send_in_ms(&self, limiter: &RequestLimiter, now_ms: f64) -> Option<f64> {
        self.outbound.next_ready_in_ms(limiter, now_ms)
    }

    fn build(&mut self, outbound: Outbound, now_ms: f64) -> Request {
        match outbound {
            Outbound::Change {
                subscribe: true,
                list,
            } => Request::Subscribe {
                id: Some(self.request_ids.next()),
                subscriptions: list,
            },
            Outbound::Change {
                subscribe: false,
                list,
            } => Request::Unsubscribe {
                id: Some(self.request_ids.next()),
                subscriptions: list,
            },
            Outbound::Ping(id) => {
                if self.pings.len() >= PINGS_REMEMBERED {
                    take_at(&mut self.pings, 0);
                }
                self.pings.push(id.clone());
                Request::Ping { id: Some(id) }
            }
            Outbound::Auth => self.auth_request(now_ms).unwrap_or_else(|| Request::Ping {
                id: Some(self.request_ids.next()),
            }),
        }
    }

    /// A freshly signed auth request: the nonce is new for every connection and strictly
    /// increasing even when two connections start within one millisecond.
    fn auth_request(&mut self, now_ms: f64) -> Option<Request> {
        let secrets = self.secrets.as_ref()?;
        let now = if now_ms.is_finite() && now_ms > 0.0 {
            now_ms as u64
        } else {
            0
        };
        let nonce = now.max(self.last_nonce.saturating_add(1));
        self.last_nonce = nonce;
        let credentials = Credentials {
            api_key: &secrets.api_key,
            api_secret: &secrets.api_secret,
        };
        let id = self.request_ids.next();
        Request::auth(id, &credentials, nonce, secrets.filters.clone()).ok()
    }

    /// The wire messages a connection opened at `now_ms` would send, in order (auth first).
    pub fn planned_requests(&mut self, now_ms: f64) -> Vec<String> {
        let mut messages = Vec::new();
        if self.secrets.is_some() {
            let saved = self.last_nonce;
            if let Some(auth) = self.auth_request(now_ms) {
                messages.push(auth.message());
            }
            // A preview must not use up a nonce the next connection needs.
            self.last_nonce = saved;
        }
        for chunk in self.all_subscriptions().chunks(SUBSCRIPTIONS_PER_REQUEST) {
            let request = Request::Subscribe {
                id: Some(self.request_ids.next()),
                subscriptions: chunk.to_vec(),
            };
            messages.push(request.message());
        }
        messages
    }

    /// Whether a response answers one of our own pings (a `pong`, or an `error` with its id):
    /// those are keepalive traffic, not for the user's handlers.
    pub fn is_keepalive_answer(&mut self, event: &str, id: Option<&str>) -> bool {
        let Some(id) = id else { return false };
        if event != Event::Pong.as_str() && event != Event::Error.as_str() {
            return false;
        }
        let found = self.pings.iter().position(|p| p == id);
        found.and_then(|at| take_at(&mut self.pings, at)).is_some()
    }
}

/// Where `subscription` is in `list`. One copy of the comparison for every lookup (the derived
/// `==` of a six-variant enum is long, and the lists are short).
#[inline(never)]
fn find(list: &[Subscription], subscription: &Subscription) -> Option<usize> {
    list.iter().position(|s| s == subscription)
}

/// A copy of `subscription`. Out of line: the derived clone of a six-variant enum is long, and
/// subscriptions are copied in many places.
#[inline(never)]
pub fn copy_of(subscription: &Subscription) -> Subscription {
    subscription.clone()
}

/// Whether an `error` response says the credentials or nonce were refused.
pub fn is_auth_failure<'e>(errors: impl IntoIterator<Item = &'e str>) -> bool {
    errors
        .into_iter()
        .filter_map(error_code::of)
        .any(error_code::is_auth_failure)
}

#[derive(Debug, Default)]
struct RequestIds {
    prefix: String,
    counter: u64,
}

impl RequestIds {
    /// Out of line: every kind of request takes one.
    #[inline(never)]
    fn next(&mut self) -> String {
        self.counter = self.counter.wrapping_add(1);
        format!("{}-{}", self.prefix, self.counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn trade(market: &str) -> Subscription {
        Subscription::Trade {
            market: market.into(),
        }
    }

    fn drain(session: &mut Session) -> Vec<Value> {
        let mut limiter = RequestLimiter::with_limits(usize::MAX, usize::MAX).unwrap();
        std::iter::from_fn(|| session.next_message(&mut limiter, 1_700_000_000_000.0))
            .map(|m| serde_json::from_str(&m).unwrap())
            .collect()
    }

    #[test]
    fn each_connection_sends_auth_first_then_every_subscription() {
        let mut session = Session::new("t".into());
        session.subscribe(vec![trade("btcusdt"), trade("ethusdt")]);
        session.set_secrets(Some(Secrets::new("key".into(), "secret".into(), None)));
        assert!(
            drain(&mut session).is_empty(),
            "nothing is sent before a connection"
        );
        session.on_connected();
        let sent = drain(&mut session);
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0]["action"], "auth");
        assert_eq!(sent[1]["action"], "sub");
        assert_eq!(sent[1]["subscriptions"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn every_connection_signs_a_fresh_nonce() {
        let mut session = Session::new("t".into());
        session.set_secrets(Some(Secrets::new("key".into(), "secret".into(), None)));
        let mut nonces = Vec::new();
        for _ in 0..3 {
            session.on_connected();
            nonces.push(drain(&mut session)[0]["nonce"].as_u64().unwrap());
            session.on_disconnected();
        }
        assert!(nonces.windows(2).all(|w| w[0] < w[1]), "{nonces:?}");
    }

    #[test]
    fn a_burst_of_subscribe_calls_is_coalesced_in_order() {
        let mut session = Session::new("t".into());
        session.on_connected();
        for i in 0..120 {
            session.subscribe(vec![trade(&format!("m{i}"))]);
        }
        session.unsubscribe(vec![trade("m0")]);
        session.subscribe(vec![trade("again")]);
        let sent = drain(&mut session);
        let sizes: Vec<(String, usize)> = sent
            .iter()
            .map(|m| {
                let list = m
                    .get("subscriptions")
                    .or_else(|| m.get("subscription"))
                    .unwrap();
                (
                    m["action"].as_str().unwrap().to_owned(),
                    list.as_array().unwrap().len(),
                )
            })
            .collect();
        let expected: Vec<(String, usize)> = [
            ("sub", 50),
            ("sub", 50),
            ("sub", 20),
            ("unsub", 1),
            ("sub", 1),
        ]
        .iter()
        .map(|(a, n)| (a.to_string(), *n))
        .collect();
        assert_eq!(sizes, expected);
    }

    #[test]
    fn duplicates_are_subscribed_once_and_unknown_unsubscribes_send_nothing() {
        let mut session = Session::new("t".into());
        session.on_connected();
        session.subscribe(vec![trade("a"), trade("a")]);
        session.subscribe(vec![trade("a")]);
        session.unsubscribe(vec![trade("zz")]);
        assert_eq!(drain(&mut session).len(), 1);
        assert_eq!(session.subscriptions(), &[trade("a")]);
    }

    #[test]
    fn a_book_resync_touches_only_that_book() {
        let book = Subscription::Book {
            market: "btcusdt".into(),
            depth: Some(20),
        };
        let mut session = Session::new("t".into());
        session.subscribe(vec![trade("btcusdt")]);
        session.track_book(book.clone());
        session.on_connected();
        let first = drain(&mut session);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0]["subscriptions"].as_array().unwrap().len(), 2);
        session.resubscribe(&book);
        let again = drain(&mut session);
        let actions: Vec<_> = again
            .iter()
            .map(|m| m["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(actions, ["unsub", "sub"]);
        assert_eq!(again[0]["subscription"][0]["depth"], 20);
        assert_eq!(again[1]["subscriptions"].as_array().unwrap().len(), 1);
        session.untrack_book(&book);
        assert_eq!(drain(&mut session)[0]["action"], "unsub");
        assert!(!session.planned_requests(0.0)[0].contains("book"));
    }

    #[test]
    fn answers_to_our_pings_are_recognised_once() {
        let mut session = Session::new("t".into());
        session.on_connected();
        session.queue_ping();
        let id = drain(&mut session)[0]["id"].as_str().unwrap().to_owned();
        assert!(!session.is_keepalive_answer("pong", Some("other")));
        assert!(session.is_keepalive_answer("pong", Some(&id)));
        assert!(!session.is_keepalive_answer("pong", Some(&id)));
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let mut session = Session::new("t".into());
        session.set_secrets(Some(Secrets::new("key".into(), "hunter2".into(), None)));
        assert!(!format!("{session:?}").contains("hunter2"));
    }

    #[test]
    fn auth_failures_are_recognised_by_code() {
        assert!(is_auth_failure(["E-1007: authentication failed"]));
        assert!(is_auth_failure(["E-1012: nonce already used"]));
        assert!(!is_auth_failure(["E-1004: invalid action"]));
    }
}
