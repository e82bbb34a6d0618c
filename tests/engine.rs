//! The stream engine under a fake clock: lifecycle orders, backoff, keepalive and silence, 429
//! bans and the connection budget, request windows, close at any point, auth refusals, book
//! depth conflicts, and property tests over random interleavings of inputs.

use std::cell::RefCell;
use std::rc::Rc;

use maicoin_ws::core::engine::{
    CloseFrame, ConnId, Delivery, Effect, Engine, EngineConfig, ErrorCode, Limits, StaleAfter,
    StreamState, TextFrame,
};
use maicoin_ws::core::rate_limit::{ConnectionBudget, RequestLimiter};
use maicoin_ws::core::reconnect::ReconnectPolicy;
use maicoin_ws::core::session::Secrets;
use maicoin_ws::core::subscription::Subscription;
use proptest::prelude::*;
use serde_json::Value;

const START: f64 = 1_700_000_000_000.0;
const KEEPALIVE: f64 = 30_000.0;

fn policy(max_retries: Option<f64>, base: f64, max: f64, jitter: f64) -> ReconnectPolicy {
    ReconnectPolicy::new(true, max_retries, base, max, jitter).expect("valid policy")
}

fn limits(requests: (usize, usize), connections: (usize, usize)) -> Limits {
    Limits {
        requests: Rc::new(RefCell::new(
            RequestLimiter::with_limits(requests.0, requests.1).expect("valid"),
        )),
        connections: Rc::new(RefCell::new(
            ConnectionBudget::with_limits(connections.0, connections.1).expect("valid"),
        )),
    }
}

fn trade(market: &str) -> Subscription {
    Subscription::Trade {
        market: market.into(),
    }
}

fn book(market: &str, depth: u8) -> Subscription {
    Subscription::Book {
        market: market.into(),
        depth: Some(depth),
    }
}

/// An engine with a fake clock and a record of everything it asked for.
struct Harness {
    engine: Engine,
    now: f64,
    effects: Vec<(f64, Effect)>,
    /// The connection the fake host has a socket for, if any.
    socket: Option<ConnId>,
}

impl Harness {
    fn new(policy: ReconnectPolicy) -> Self {
        Harness::with(policy, Limits::default())
    }

    fn with(policy: ReconnectPolicy, limits: Limits) -> Self {
        Harness::watched(policy, limits, StaleAfter::off())
    }

    fn watched(policy: ReconnectPolicy, limits: Limits, stale_after: StaleAfter) -> Self {
        let config = EngineConfig {
            uri: "wss://max.test/ws".into(),
            policy,
            keepalive_ms: KEEPALIVE,
            id_prefix: "t".into(),
            seed: 7,
            stale_after,
        };
        Harness {
            engine: Engine::new(config, limits),
            now: START,
            effects: Vec::new(),
            socket: None,
        }
    }

    /// Drains the engine's effects into the record; returns those of this drain.
    fn drain(&mut self) -> Vec<Effect> {
        let mut fresh = Vec::new();
        while let Some(effect) = self.engine.poll_effect() {
            match &effect {
                Effect::Open { conn, .. } => self.socket = Some(*conn),
                Effect::CloseSocket { conn } if self.socket == Some(*conn) => self.socket = None,
                _ => {}
            }
            self.effects.push((self.now, effect.clone()));
            fresh.push(effect);
        }
        fresh
    }

    /// Moves the clock to `until`, firing every deadline on the way.
    fn advance(&mut self, until: f64) {
        while let Some(deadline) = self.engine.poll_timeout() {
            if deadline > until {
                break;
            }
            self.now = self.now.max(deadline);
            self.engine.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(until);
    }

    fn advance_by(&mut self, ms: f64) {
        self.advance(self.now + ms);
    }

    fn run(&mut self) {
        self.engine.run(self.now).expect("not running yet");
        self.drain();
    }

    fn conn(&self) -> ConnId {
        self.socket.expect("a socket is open")
    }

    fn open(&mut self) {
        let conn = self.conn();
        self.engine.handle_opened(self.now, conn);
        self.drain();
    }

    fn frame(&mut self, text: &str) -> Delivery {
        let conn = self.conn();
        let delivery = self
            .engine
            .handle_frame(self.now, conn, &mut TextFrame(text.as_bytes()));
        self.drain();
        delivery
    }

    fn server_close(&mut self, code: u16, retry_after: Option<&str>) {
        let conn = self.conn();
        self.engine.handle_closed(
            self.now,
            conn,
            CloseFrame {
                code,
                reason: "bye".into(),
            },
            retry_after,
        );
        self.drain();
    }

    /// The lifecycle callbacks so far, a letter each: c connected, d disconnected, r reconnecting, p permanent failure.
    fn lifecycle(&self) -> String {
        self.effects
            .iter()
            .filter_map(|(_, e)| match e {
                Effect::Connected => Some('c'),
                Effect::Disconnected(_) => Some('d'),
                Effect::Reconnecting(_) => Some('r'),
                Effect::PermanentFailure(_) => Some('p'),
                _ => None,
            })
            .collect()
    }

    fn opens(&self) -> Vec<f64> {
        self.effects
            .iter()
            .filter(|(_, e)| matches!(e, Effect::Open { .. }))
            .map(|(t, _)| *t)
            .collect()
    }

    /// For each retry: the time from `Reconnecting` to the next attempt's `Open`.
    fn retry_delays(&self) -> Vec<f64> {
        let mut delays = Vec::new();
        let mut since = None;
        for (t, e) in &self.effects {
            match e {
                Effect::Reconnecting(_) => since = Some(*t),
                Effect::Open { .. } => delays.extend(since.take().map(|s| t - s)),
                _ => {}
            }
        }
        delays
    }

    fn sent(&self) -> Vec<(f64, Value)> {
        self.effects
            .iter()
            .filter_map(|(t, e)| match e {
                Effect::Send { text, .. } => {
                    Some((*t, serde_json::from_str(text).expect("sent JSON")))
                }
                _ => None,
            })
            .collect()
    }

    fn errors(&self) -> Vec<maicoin_ws::core::engine::StreamError> {
        self.effects
            .iter()
            .filter_map(|(_, e)| match e {
                Effect::Disconnected(error) => Some(error.clone()),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn failed_connects_before_open_each_give_disconnected_then_reconnecting_or_permanent_failure() {
    let mut h = Harness::new(policy(Some(2.0), 0.1, 1.0, 0.0));
    h.run();
    for _ in 0..3 {
        h.server_close(1006, None);
        h.advance_by(10_000.0);
    }
    assert_eq!(h.lifecycle(), "drdrdp");
    let errors = h.errors();
    assert!(
        errors.iter().all(|e| e.code == ErrorCode::ConnectFailed),
        "{errors:?}"
    );
    assert!(
        errors[0]
            .message
            .contains("could not connect to wss://max.test/ws (code 1006: bye)"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].close,
        Some(CloseFrame {
            code: 1006,
            reason: "bye".into()
        })
    );
    let ended: Vec<_> = h
        .effects
        .iter()
        .filter_map(|(_, e)| {
            if let Effect::RunEnded(r) = e {
                Some(r.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        ended,
        vec![Err(errors[2].clone())],
        "run() rejects with the error onPermanentFailure got"
    );
    assert_eq!(h.engine.state(), StreamState::Failed);
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn drops_after_open_and_refused_retries_mix_in_one_order() {
    let mut h = Harness::new(policy(Some(2.0), 0.1, 1.0, 0.0));
    h.run();
    h.open();
    h.frame(r#"{"e":"marker"}"#);
    h.server_close(1001, None);
    h.advance_by(1_000.0);
    h.server_close(1006, None);
    h.advance_by(1_000.0);
    h.server_close(1006, None);
    assert_eq!(h.lifecycle(), "cdrdrdp");
    let codes: Vec<_> = h.errors().iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        [
            ErrorCode::Closed,
            ErrorCode::ConnectFailed,
            ErrorCode::ConnectFailed
        ]
    );
    let states: Vec<_> = h
        .effects
        .iter()
        .filter_map(|(_, e)| {
            if let Effect::State(s) = e {
                Some(s.name())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        states,
        [
            "connecting",
            "connected",
            "reconnecting",
            "connecting",
            "reconnecting",
            "connecting",
            "failed"
        ]
    );
}

#[test]
fn backoff_doubles_up_to_its_cap_and_an_answered_connection_resets_it() {
    let mut h = Harness::new(policy(None, 1.0, 4.0, 0.0));
    h.run();
    for _ in 0..5 {
        h.server_close(1006, None);
        h.advance_by(60_000.0);
    }
    assert_eq!(
        h.retry_delays(),
        [1_000.0, 2_000.0, 4_000.0, 4_000.0, 4_000.0]
    );
    // Opened but never answered: still a failure in the same sequence.
    h.open();
    h.server_close(1006, None);
    h.advance_by(60_000.0);
    // Answered: the next failure starts from the base delay again.
    h.open();
    h.frame(r#"{"e":"marker"}"#);
    h.server_close(1006, None);
    h.advance_by(60_000.0);
    let last: Vec<f64> = h.retry_delays().into_iter().skip(5).collect();
    assert_eq!(last, [4_000.0, 1_000.0]);
    assert_eq!(h.engine.reconnects(), 7);
}

#[test]
fn jitter_comes_from_the_seed_and_stays_below_its_bound() {
    let delays = |seed| {
        let config = EngineConfig {
            uri: "wss://x/ws".into(),
            policy: policy(None, 1.0, 1.0, 0.5),
            keepalive_ms: KEEPALIVE,
            id_prefix: "j".into(),
            seed,
            stale_after: StaleAfter::off(),
        };
        let mut h = Harness {
            engine: Engine::new(config, Limits::default()),
            now: START,
            effects: Vec::new(),
            socket: None,
        };
        h.run();
        for _ in 0..20 {
            h.server_close(1006, None);
            h.advance_by(10_000.0);
        }
        h.retry_delays()
    };
    let first = delays(1);
    assert_eq!(first, delays(1), "the same seed gives the same delays");
    assert_ne!(first, delays(2));
    assert!(
        first.iter().all(|d| (1_000.0..1_500.0).contains(d)),
        "{first:?}"
    );
}

#[test]
fn keepalive_pings_every_interval_answers_stay_inside_and_silence_ends_the_connection() {
    let mut h = Harness::new(policy(None, 0.5, 0.5, 0.0));
    h.run();
    h.open();
    h.advance_by(KEEPALIVE);
    let pings: Vec<Value> = h
        .sent()
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| v["action"] == "ping")
        .collect();
    assert_eq!(pings.len(), 1);
    assert!(h
        .effects
        .iter()
        .any(|(_, e)| matches!(e, Effect::PingFrame { .. })));
    let id = pings[0]["id"].as_str().expect("a ping id").to_owned();
    assert_eq!(
        h.frame(&format!(r#"{{"e":"pong","i":"{id}"}}"#)),
        Delivery::Consumed
    );
    assert_eq!(
        h.frame(&format!(r#"{{"e":"pong","i":"{id}"}}"#)),
        Delivery::Deliver { auth_refusal: None },
        "answered once only"
    );
    assert_eq!(
        h.frame(r#"{"e":"error","E":["E-1004: invalid action"],"i":"someone-else"}"#),
        Delivery::Deliver { auth_refusal: None }
    );
    let last_frame = h.now;
    // No frame from now on: two intervals later the connection is presumed dead.
    h.advance_by(KEEPALIVE * 2.0 - 1.0);
    assert_eq!(h.lifecycle(), "c");
    h.advance_by(KEEPALIVE);
    assert_eq!(h.lifecycle(), "cdr");
    let error = &h.errors()[0];
    assert_eq!(error.code, ErrorCode::Silent);
    assert!(error.message.contains("presumed dead"));
    let (declared, _) = h
        .effects
        .iter()
        .find(|(_, e)| matches!(e, Effect::Disconnected(_)))
        .cloned()
        .expect("a drop");
    assert!(declared - last_frame >= 2.0 * KEEPALIVE);
    assert!(
        h.effects
            .iter()
            .any(|(_, e)| matches!(e, Effect::CloseSocket { .. })),
        "the silent socket is closed"
    );
}

#[test]
fn a_429_retry_after_holds_every_attempt_back_until_it_passes() {
    let mut h = Harness::new(policy(None, 0.02, 0.02, 0.0));
    h.run();
    let refused_at = h.now;
    h.server_close(1006, Some("5"));
    assert_eq!(h.errors()[0].code, ErrorCode::RateLimited);
    assert_eq!(h.lifecycle(), "dr");
    h.advance_by(4_999.0);
    assert_eq!(h.opens().len(), 1, "nothing before the Retry-After time");
    h.advance_by(2.0);
    assert_eq!(h.opens(), [refused_at, refused_at + 5_000.0]);
}

#[test]
fn the_connection_budget_delays_attempts_past_its_window() {
    let mut h = Harness::with(policy(None, 0.01, 0.01, 0.0), limits((20, 200), (2, 10)));
    h.run();
    h.server_close(1006, None);
    h.advance_by(1_000.0);
    h.server_close(1006, None);
    h.advance_by(3_000_000.0);
    assert_eq!(h.opens().len(), 2, "the hour's budget of 2 is used up");
    assert_eq!(h.engine.state(), StreamState::Reconnecting);
    h.advance(START + 3_600_000.0);
    assert_eq!(h.opens().len(), 3);
    assert_eq!(h.opens()[2], START + 3_600_000.0);
}

#[test]
fn a_burst_of_a_thousand_subscribe_calls_stays_within_the_request_windows() {
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    h.run();
    h.open();
    for i in 0..1000 {
        h.engine
            .subscribe(h.now, vec![trade(&format!("m{i}"))])
            .expect("no conflict");
        h.drain();
    }
    h.advance_by(600_000.0);
    let sent = h.sent();
    assert_within_windows(&sent.iter().map(|(t, _)| *t).collect::<Vec<_>>(), 20, 200);
    let subscribed: usize = sent
        .iter()
        .filter(|(_, v)| v["action"] == "sub")
        .map(|(_, v)| v["subscriptions"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(subscribed, 1000, "every subscription went out, none twice");
    let markets: Vec<String> = sent
        .iter()
        .flat_map(|(_, v)| v["subscriptions"].as_array().cloned().unwrap_or_default())
        .map(|s| s["market"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        markets,
        (0..1000).map(|i| format!("m{i}")).collect::<Vec<_>>(),
        "in call order"
    );
}

fn assert_within_windows(times: &[f64], per_second: usize, per_minute: usize) {
    for (i, t) in times.iter().enumerate() {
        let in_second = times[i..].iter().take_while(|u| **u < t + 1_000.0).count();
        let in_minute = times[i..].iter().take_while(|u| **u < t + 60_000.0).count();
        assert!(
            in_second <= per_second,
            "{in_second} requests within a second from {t}"
        );
        assert!(
            in_minute <= per_minute,
            "{in_minute} requests within a minute from {t}"
        );
    }
}

/// The points a stream can be closed at, each reached from a fresh engine.
fn reach(point: usize) -> Harness {
    let mut h = Harness::with(policy(None, 1.0, 1.0, 0.0), limits((1, 1), (600, 1440)));
    h.engine
        .subscribe(h.now, vec![trade("a"), trade("b")])
        .expect("no conflict");
    h.engine
        .subscribe(h.now, (0..60).map(|i| trade(&format!("x{i}"))).collect())
        .expect("no conflict");
    if point == 0 {
        return h;
    }
    h.run();
    if point == 1 {
        return h;
    }
    h.open();
    if point == 2 {
        return h; // requests wait for the limiter
    }
    h.frame(r#"{"e":"marker"}"#);
    h.server_close(1006, None);
    if point == 3 {
        return h; // in the backoff
    }
    h.advance_by(1_000.0);
    h.server_close(1006, None);
    h.advance_by(500.0);
    h.engine.set_secrets(None);
    h // connecting again after a refused attempt
}

#[test]
fn close_at_any_point_leaves_no_timer_and_no_effect_after_it() {
    for point in 0..5 {
        let mut h = reach(point);
        let running = point > 0;
        let before = h.effects.len();
        h.engine.close(h.now);
        let closing = h.drain();
        assert!(
            closing.iter().all(|e| matches!(
                e,
                Effect::CloseSocket { .. }
                    | Effect::State(StreamState::Closed)
                    | Effect::RunEnded(Ok(()))
                    | Effect::BookChanged(_)
            )),
            "point {point}: {closing:?}"
        );
        assert_eq!(
            closing
                .iter()
                .filter(|e| matches!(e, Effect::RunEnded(_)))
                .count(),
            usize::from(running),
            "point {point}"
        );
        assert_eq!(h.socket, None, "point {point}: the socket is released");
        assert_eq!(
            h.engine.poll_timeout(),
            None,
            "point {point}: no timer left"
        );
        assert_eq!(h.engine.state(), StreamState::Closed);
        // Whatever arrives now (late socket events, timers, user calls), nothing comes out.
        let late = ConnId(1);
        h.engine.handle_opened(h.now, late);
        assert_eq!(
            h.engine
                .handle_frame(h.now, late, &mut TextFrame(br#"{"e":"marker"}"#)),
            Delivery::Stale
        );
        h.engine.handle_closed(
            h.now,
            late,
            CloseFrame {
                code: 1006,
                reason: String::new(),
            },
            None,
        );
        h.engine.handle_timeout(h.now + 1e9);
        h.engine
            .subscribe(h.now, vec![trade("late")])
            .expect("no conflict");
        h.engine.close(h.now);
        assert_eq!(h.drain(), [], "point {point}");
        assert!(h.effects.len() > before || !running);
        // run() after close() ends at once, without connecting.
        h.engine
            .run(h.now)
            .expect("a closed stream's run() resolves");
        assert_eq!(h.drain(), [Effect::RunEnded(Ok(()))]);
    }
}

#[test]
fn close_from_inside_a_callback_withdraws_what_the_callback_has_not_seen() {
    let mut h = Harness::new(policy(None, 0.1, 0.1, 0.0));
    h.run();
    h.open();
    let conn = h.conn();
    h.engine.handle_closed(
        h.now,
        conn,
        CloseFrame {
            code: 1006,
            reason: String::new(),
        },
        None,
    );
    // The executor hands out effects one by one; onDisconnected calls close().
    let mut seen = Vec::new();
    while let Some(effect) = h.engine.poll_effect() {
        let disconnected = matches!(effect, Effect::Disconnected(_));
        seen.push(effect);
        if disconnected {
            h.engine.close(h.now);
        }
    }
    assert!(
        seen.iter().all(|e| !matches!(
            e,
            Effect::Reconnecting(_) | Effect::State(StreamState::Reconnecting)
        )),
        "{seen:?}"
    );
    assert_eq!(seen.last(), Some(&Effect::RunEnded(Ok(()))));
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn an_auth_refusal_is_reported_once_per_connection_and_never_reconnects() {
    let mut h = Harness::new(policy(None, 0.1, 0.1, 0.0));
    h.engine
        .set_secrets(Some(Secrets::new("key".into(), "hunter2".into(), None)));
    h.run();
    h.open();
    let sent = h.sent();
    assert_eq!(sent[0].1["action"], "auth");
    let refusal = r#"{"e":"error","E":["E-1007: authentication failed"],"i":"x"}"#;
    let Delivery::Deliver {
        auth_refusal: Some(error),
    } = h.frame(refusal)
    else {
        panic!("a refusal to deliver")
    };
    assert_eq!(error.code, ErrorCode::AuthRefused);
    assert!(error.message.contains("E-1007") && !error.message.contains("hunter2"));
    assert_eq!(
        h.frame(refusal),
        Delivery::Deliver { auth_refusal: None },
        "once per connection"
    );
    h.advance_by(KEEPALIVE * 0.5);
    assert_eq!(
        h.lifecycle(),
        "c",
        "the connection stays up for public data"
    );
    h.server_close(1006, None);
    h.advance_by(1_000.0);
    h.open();
    assert!(
        matches!(
            h.frame(refusal),
            Delivery::Deliver {
                auth_refusal: Some(_)
            }
        ),
        "a new connection reports its own refusal"
    );
    assert_eq!(
        h.sent()
            .iter()
            .filter(|(_, v)| v["action"] == "auth")
            .count(),
        2
    );
}

#[test]
fn book_depths_must_agree_between_kept_books_and_subscriptions() {
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    let kept = h
        .engine
        .book(h.now, book("btcusdt", 20))
        .expect("a new book");
    assert!(Rc::ptr_eq(
        &kept,
        &h.engine
            .book(h.now, book("btcusdt", 20))
            .expect("the same book")
    ));
    let other = h
        .engine
        .book(h.now, book("btcusdt", 5))
        .expect_err("another depth");
    assert!(
        other.0.contains("another depth is already kept"),
        "{}",
        other.0
    );
    let conflict = h
        .engine
        .subscribe(h.now, vec![trade("x"), book("btcusdt", 5)])
        .expect_err("a conflict");
    assert!(
        conflict.0.starts_with("subscriptions[1].depth"),
        "{}",
        conflict.0
    );
    assert!(
        h.engine.subscriptions().is_empty(),
        "a refused call changes nothing"
    );
    h.engine
        .subscribe(h.now, vec![book("ethusdt", 5)])
        .expect("no conflict");
    let refused = h
        .engine
        .book(h.now, book("ethusdt", 20))
        .expect_err("subscribed at another depth");
    assert!(refused.0.starts_with("book.depth"));
}

#[test]
fn book_frames_feed_the_kept_book_and_a_gap_resubscribes_that_book_only() {
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    h.engine
        .subscribe(h.now, vec![trade("btcusdt")])
        .expect("no conflict");
    let kept = h.engine.book(h.now, book("btcusdt", 1)).expect("a book");
    h.run();
    h.open();
    let snapshot = r#"{"c":"book","M":"btcusdt","e":"snapshot","a":[["101","1"]],"b":[["99","1"]],"T":1,"fi":1,"li":1,"v":1}"#;
    assert_eq!(
        h.frame(snapshot),
        Delivery::Consumed,
        "a kept book's frames stay inside"
    );
    assert!(kept.borrow().book.is_in_sync());
    assert!(h.effects.iter().any(|(_, e)| *e == Effect::BookChanged(1)));
    let gap = r#"{"c":"book","M":"btcusdt","e":"update","a":[["102","1"]],"b":[],"T":2,"fi":5,"li":5,"v":1}"#;
    assert_eq!(h.frame(gap), Delivery::Consumed);
    let actions: Vec<String> = h
        .sent()
        .iter()
        .skip(1)
        .map(|(_, v)| format!("{} {}", v["action"].as_str().unwrap_or(""), v))
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(
        actions[0].starts_with("unsub")
            && actions[0].contains("book")
            && !actions[0].contains("trade")
    );
    assert!(
        actions[1].starts_with("sub")
            && actions[1].contains("book")
            && !actions[1].contains("trade")
    );
    assert_eq!(kept.borrow().resyncs, 1);
    assert!(matches!(
        h.frame(r#"{"c":"trade","M":"btcusdt","e":"snapshot","t":[]}"#),
        Delivery::Deliver { .. }
    ));
}

#[test]
fn a_thousand_reconnect_cycles_simulate_in_no_time() {
    let mut h = Harness::with(
        policy(None, 1.0, 30.0, 1.0),
        limits((20, 200), (1_000_000, 1_000_000)),
    );
    h.engine
        .subscribe(h.now, vec![trade("btcusdt")])
        .expect("no conflict");
    h.run();
    for _ in 0..1000 {
        h.open();
        h.frame(r#"{"e":"subscribed","i":"x"}"#);
        h.server_close(1006, None);
        h.advance_by(40_000.0);
    }
    assert_eq!(h.opens().len(), 1001);
    assert_eq!(h.engine.reconnects(), 1000);
    assert_eq!(h.lifecycle().len(), 3000);
    assert_eq!(h.sent().len(), 1000, "one sub per connection");
}

/// One step of a random interleaving.
#[derive(Debug, Clone)]
enum Step {
    Advance(u32),
    Open,
    Frame,
    ServerClose,
    Subscribe(u8),
    Unsubscribe(u8),
    Close,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u32..70_000).prop_map(Step::Advance),
        2 => Just(Step::Open),
        6 => Just(Step::Frame),
        1 => Just(Step::ServerClose),
        3 => (0u8..40).prop_map(Step::Subscribe),
        1 => (0u8..40).prop_map(Step::Unsubscribe),
        1 => Just(Step::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_interleavings_keep_the_limits_the_order_and_the_close(steps in prop::collection::vec(step(), 1..120)) {
        let mut h = Harness::with(policy(None, 0.5, 4.0, 1.0), limits((20, 200), (600, 1440)));
        h.run();
        let mut numbered = 0u32;
        // (conn, number) of each frame given, and of each delivered.
        let mut given: Vec<(ConnId, u32)> = Vec::new();
        let mut delivered: Vec<(ConnId, u32)> = Vec::new();
        let mut closed_at: Option<usize> = None;
        for step in steps {
            match step {
                Step::Advance(ms) => h.advance_by(f64::from(ms)),
                Step::Open => if let Some(conn) = h.socket { h.engine.handle_opened(h.now, conn); h.drain(); },
                Step::Frame => if let Some(conn) = h.socket {
                    numbered += 1;
                    let text = format!(r#"{{"e":"marker","i":"n{numbered}"}}"#);
                    let delivery = h.engine.handle_frame(h.now, conn, &mut TextFrame(text.as_bytes()));
                    h.drain();
                    given.push((conn, numbered));
                    if matches!(delivery, Delivery::Deliver { .. }) { delivered.push((conn, numbered)); }
                },
                Step::ServerClose => if let Some(conn) = h.socket {
                    h.engine.handle_closed(h.now, conn, CloseFrame { code: 1006, reason: String::new() }, None);
                    h.drain();
                },
                Step::Subscribe(m) => { h.engine.subscribe(h.now, vec![trade(&format!("m{m}"))]).expect("no conflict"); h.drain(); }
                Step::Unsubscribe(m) => { h.engine.unsubscribe(h.now, vec![trade(&format!("m{m}"))]); h.drain(); }
                Step::Close => {
                    h.engine.close(h.now);
                    h.drain();
                    closed_at.get_or_insert(h.effects.len());
                }
            }
        }
        let sent: Vec<f64> = h.sent().iter().map(|(t, _)| *t).collect();
        assert_within_windows(&sent, 20, 200);
        // Delivered frames: each once, in order, and only while their connection was open.
        let mut sorted = delivered.clone();
        sorted.sort_by_key(|(c, n)| (c.0, *n));
        prop_assert_eq!(&sorted, &delivered);
        for (conn, n) in &delivered {
            prop_assert!(given.contains(&(*conn, *n)));
        }
        if let Some(at) = closed_at {
            prop_assert!(h.effects.len() == at, "effects after close: {:?}", &h.effects[at..]);
            prop_assert_eq!(h.engine.poll_timeout(), None);
            prop_assert!(delivered.iter().all(|(c, _)| !h.engine.is_current(*c)));
        }
        // Every ending connection released its socket: at most the current one is held.
        let opened = h.effects.iter().filter(|(_, e)| matches!(e, Effect::Open { .. })).count();
        let released = h.effects.iter().filter(|(_, e)| matches!(e, Effect::CloseSocket { .. })).count();
        prop_assert!(opened - released <= 1);
    }
}

/// The codes are declared once, in `ErrorCode`; the TypeScript union and the README's table are
/// copies that must say the same.
#[test]
fn the_error_codes_of_index_d_ts_and_the_readme_are_the_engines() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| {
        std::fs::read_to_string(format!("{root}/{path}")).expect("a file of the repository")
    };
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let types = read("js/index.d.ts");
    let union = types
        .split("export type StreamErrorCode =")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("the StreamErrorCode union");
    let declared: Vec<&str> = union
        .split('|')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(declared, codes, "js/index.d.ts");
    let readme = read("README.md");
    let section = readme
        .split("### Stream errors")
        .nth(1)
        .and_then(|rest| rest.split("\n#").next())
        .expect("the Stream errors section");
    let table: Vec<&str> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|code| *code != "code")
        .collect();
    assert_eq!(table, codes, "README.md, Stream errors");
}

#[test]
fn a_late_keepalive_tick_leaves_the_server_a_whole_interval_to_answer() {
    let mut h = Harness::new(policy(None, 0.5, 0.5, 0.0));
    h.run();
    h.open();
    h.frame(r#"{"e":"marker"}"#);
    // The host was busy: the first tick comes 1.9 intervals late, just short of the silence limit.
    h.now += KEEPALIVE * 1.9;
    h.engine.handle_timeout(h.now);
    h.drain();
    assert_eq!(h.lifecycle(), "c");
    assert_eq!(
        h.engine.poll_timeout(),
        Some(h.now + KEEPALIVE),
        "the next tick is an interval away, not due at once"
    );
    h.now += 10.0;
    let id = h
        .sent()
        .last()
        .map(|(_, v)| v["id"].as_str().unwrap_or("").to_owned())
        .expect("a ping");
    h.frame(&format!(r#"{{"e":"pong","i":"{id}"}}"#));
    h.advance_by(KEEPALIVE);
    assert_eq!(h.lifecycle(), "c", "the pong came in time");
}

// ---- Feed health and the stale watchdog ----

fn ticker(market: &str) -> Subscription {
    Subscription::Ticker {
        market: market.into(),
    }
}

fn book_frame(market: &str, event: &str, first: u64, last: u64, server_time: f64) -> String {
    format!(
        r#"{{"c":"book","M":"{market}","e":"{event}","a":[["101","1"]],"b":[["99","1"]],"T":{},"fi":{first},"li":{last},"v":1}}"#,
        server_time as u64
    )
}

fn ticker_frame(market: &str, server_time: f64) -> String {
    format!(
        r#"{{"c":"ticker","M":"{market}","e":"update","tk":{{"M":"{market}","O":"1","H":"1","L":"1","C":"1","v":"1","V":"1"}},"T":{}}}"#,
        server_time as u64
    )
}

impl Harness {
    fn stale_effects(&self) -> Vec<(f64, Subscription)> {
        self.effects
            .iter()
            .filter_map(|(t, e)| match e {
                Effect::Stale(s) => Some((*t, s.clone())),
                _ => None,
            })
            .collect()
    }

    fn entry(&self, subscription: &Subscription) -> maicoin_ws::core::engine::SubscriptionHealth {
        self.engine
            .health()
            .entries()
            .iter()
            .find(|e| &e.subscription == subscription)
            .cloned()
            .expect("an entry for the subscription")
    }

    /// The (action, channels) of the messages sent after the first `skip`.
    fn actions_after(&self, skip: usize) -> Vec<(String, Vec<String>)> {
        self.sent()
            .into_iter()
            .skip(skip)
            .filter(|(_, v)| v["action"] != "ping")
            .map(|(_, v)| {
                let channels = v["subscriptions"]
                    .as_array()
                    .or(v["subscription"].as_array())
                    .map(|list| {
                        list.iter()
                            .map(|s| {
                                format!(
                                    "{}:{}",
                                    s["channel"].as_str().unwrap_or(""),
                                    s["market"].as_str().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (v["action"].as_str().unwrap_or("").to_owned(), channels)
            })
            .collect()
    }
}

#[test]
fn health_counts_frames_of_both_book_paths_their_rates_lateness_gaps_and_the_clock_offset() {
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    h.engine
        .subscribe(h.now, vec![ticker("ethusdt"), book("btcusdt", 5)])
        .expect("no conflict");
    let kept = h.engine.book(h.now, book("ltcusdt", 5)).expect("a book");
    h.run();
    h.open();
    assert_eq!(h.engine.health().connections, 1);
    // Ten tickers a second for 2 s, each received 40 + i ms after its T (server 250 ms behind).
    for i in 0..20 {
        h.advance_by(100.0);
        let delivery = h.frame(&ticker_frame("ethusdt", h.now - 250.0 - (40 + i) as f64));
        assert!(matches!(delivery, Delivery::Deliver { .. }));
    }
    let entry = h.entry(&ticker("ethusdt"));
    assert_eq!(entry.frames, 20);
    assert_eq!(entry.last_frame_at, Some(h.now));
    let (one, sixty) = entry.rates(h.now);
    assert!((9.0..=11.0).contains(&one), "about ten a second: {one}");
    assert!(
        (sixty - 20.0 / 60.0).abs() < 1e-9,
        "twenty in the minute: {sixty}"
    );
    let latency = entry.latency(h.now).expect("samples");
    assert_eq!(
        (latency.p50, latency.p90, latency.p99, latency.max),
        (299.0, 307.0, 309.0, 309.0)
    );
    assert_eq!(
        h.engine.health().clock_offset(h.now),
        Some(290.0),
        "the smallest receipt - T"
    );

    // The kept book takes the fast path; the user's book the full decoder: both count.
    assert_eq!(
        h.frame(&book_frame("ltcusdt", "snapshot", 1, 1, h.now)),
        Delivery::Consumed
    );
    assert_eq!(
        h.frame(&book_frame("ltcusdt", "update", 2, 2, h.now)),
        Delivery::Consumed
    );
    assert_eq!(h.entry(&book("ltcusdt", 5)).frames, 2);
    assert!(kept.borrow().book.is_in_sync());
    for frame in [
        book_frame("btcusdt", "snapshot", 1, 10, h.now),
        book_frame("btcusdt", "update", 11, 12, h.now),
        book_frame("btcusdt", "update", 15, 16, h.now),
    ] {
        assert!(matches!(h.frame(&frame), Delivery::Deliver { .. }));
    }
    let user_book = h.entry(&book("btcusdt", 5));
    assert_eq!(
        (user_book.frames, user_book.gaps, user_book.resyncs),
        (3, 1, 0),
        "a gap seen, but that book is the app's to resync"
    );
    assert_eq!(
        h.frame(&book_frame("ltcusdt", "update", 9, 9, h.now)),
        Delivery::Consumed
    );
    let kept_entry = h.entry(&book("ltcusdt", 5));
    assert_eq!(
        (kept_entry.gaps, kept_entry.resyncs),
        (1, 1),
        "the kept book's gap resynced it"
    );
    assert!(h.engine.health().bytes > 0);

    // A minute later the rates and the lateness window have emptied; the counts stay.
    h.advance_by(61_000.0);
    let entry = h.entry(&ticker("ethusdt"));
    assert_eq!(entry.rates(h.now), (0.0, 0.0));
    assert_eq!(entry.latency(h.now), None);
    assert_eq!(entry.frames, 20);
    assert_eq!(h.engine.health().clock_offset(h.now), None);

    h.engine.unsubscribe(h.now, vec![ticker("ethusdt")]);
    let left: Vec<_> = h
        .engine
        .health()
        .entries()
        .iter()
        .map(|e| e.subscription.clone())
        .collect();
    assert_eq!(left, vec![book("btcusdt", 5), book("ltcusdt", 5)]);
}

#[test]
fn a_quiet_subscription_is_resubscribed_alone_after_its_stale_after_and_counted() {
    let mut h = Harness::watched(
        policy(None, 1.0, 1.0, 0.0),
        Limits::default(),
        StaleAfter::defaults(),
    );
    h.engine
        .subscribe(
            h.now,
            vec![book("btcusdt", 5), ticker("ethusdt"), trade("btcusdt")],
        )
        .expect("no conflict");
    h.run();
    h.open();
    let opened = h.now;
    let sent_before = h.sent().len();
    // The ticker keeps talking; the book says nothing after its snapshot; trades never (off).
    h.frame(&book_frame("btcusdt", "snapshot", 1, 1, h.now));
    for _ in 0..9 {
        h.advance_by(5_000.0);
        h.frame(&ticker_frame("ethusdt", h.now));
    }
    assert_eq!(
        h.stale_effects(),
        vec![(opened + 30_000.0, book("btcusdt", 5))],
        "the book, 30 s after its last frame"
    );
    assert_eq!(
        h.actions_after(sent_before),
        vec![
            ("unsub".to_owned(), vec!["book:btcusdt".to_owned()]),
            ("sub".to_owned(), vec!["book:btcusdt".to_owned()]),
        ],
        "that subscription alone"
    );
    assert_eq!(h.entry(&book("btcusdt", 5)).stale_resubscribes, 1);
    assert_eq!(h.entry(&ticker("ethusdt")).stale_resubscribes, 0);
    assert_eq!(h.lifecycle(), "c", "the connection stays");

    // Still quiet: again one limit after the resubscription, not at every tick.
    h.advance(opened + 60_000.0 - 1.0);
    assert_eq!(h.stale_effects().len(), 1);
    h.advance(opened + 60_000.0);
    assert_eq!(h.stale_effects().len(), 2);
    assert_eq!(h.entry(&book("btcusdt", 5)).stale_resubscribes, 2);
    assert!(
        h.stale_effects()
            .iter()
            .all(|(_, s)| *s == book("btcusdt", 5)),
        "never the trades"
    );
}

#[test]
fn a_stale_kept_book_starts_over_and_resyncs_alone() {
    let mut h = Harness::watched(
        policy(None, 1.0, 1.0, 0.0),
        Limits::default(),
        StaleAfter::defaults(),
    );
    let kept = h.engine.book(h.now, book("btcusdt", 5)).expect("a book");
    h.engine
        .subscribe(h.now, vec![ticker("ethusdt")])
        .expect("no conflict");
    h.run();
    h.open();
    h.frame(&book_frame("btcusdt", "snapshot", 1, 1, h.now));
    assert!(kept.borrow().book.is_in_sync());
    // The reader has looked: the next change is notified again.
    kept.borrow_mut().dirty = false;
    let notices = |h: &Harness| {
        h.effects
            .iter()
            .filter(|(_, e)| *e == Effect::BookChanged(1))
            .count()
    };
    let seen = notices(&h);
    h.advance_by(29_999.0);
    h.frame(&ticker_frame("ethusdt", h.now));
    assert!(kept.borrow().book.is_in_sync());
    h.advance_by(1.0);
    assert_eq!(h.stale_effects().len(), 1);
    assert!(
        !kept.borrow().book.is_in_sync(),
        "the book waits for the resubscription's snapshot"
    );
    assert_eq!(notices(&h), seen + 1, "its reader is told");
    h.frame(&book_frame("btcusdt", "snapshot", 50, 50, h.now));
    assert!(
        kept.borrow().book.is_in_sync(),
        "and is whole again from it"
    );
    assert_eq!(h.entry(&book("btcusdt", 5)).frames, 2);
}

#[test]
fn no_stale_while_disconnected_none_just_after_a_reconnect_and_nothing_after_close() {
    let mut h = Harness::watched(
        policy(None, 40.0, 40.0, 0.0),
        Limits::default(),
        StaleAfter::defaults(),
    );
    h.engine
        .subscribe(h.now, vec![book("btcusdt", 5)])
        .expect("no conflict");
    h.run();
    h.open();
    h.frame(&book_frame("btcusdt", "snapshot", 1, 1, h.now));
    h.advance_by(25_000.0);
    h.server_close(1006, None);
    // A 40 s backoff: longer than the limit, with nothing to watch.
    h.advance_by(39_999.0);
    assert!(h.stale_effects().is_empty(), "no stale while disconnected");
    h.advance_by(1.0);
    h.open();
    let reopened = h.now;
    h.advance(reopened + 29_999.0);
    assert!(
        h.stale_effects().is_empty(),
        "the quiet time starts over with the connection"
    );
    h.advance(reopened + 30_000.0);
    assert_eq!(
        h.stale_effects(),
        vec![(reopened + 30_000.0, book("btcusdt", 5))]
    );

    h.engine.close(h.now);
    h.drain();
    let before = h.effects.len();
    h.advance_by(600_000.0);
    assert_eq!(h.engine.poll_timeout(), None);
    assert_eq!(h.effects.len(), before, "nothing after close");
}

#[test]
fn stale_after_is_per_channel_off_where_asked_and_klines_get_one_and_a_half_candles() {
    use maicoin_ws::core::protocol::Resolution;
    let kline = |resolution| Subscription::Kline {
        market: "btcusdt".into(),
        resolution,
    };
    let defaults = StaleAfter::defaults();
    assert_eq!(defaults.of(&book("btcusdt", 5)), Some(30_000.0));
    assert_eq!(defaults.of(&ticker("btcusdt")), Some(60_000.0));
    assert_eq!(defaults.of(&trade("btcusdt")), None);
    assert_eq!(defaults.of(&Subscription::MarketStatus), None);
    assert_eq!(
        defaults.of(&Subscription::PoolQuota {
            currency: "usdt".into()
        }),
        None
    );
    assert_eq!(
        defaults.of(&kline(None)),
        Some(90_000.0),
        "the server's 1m default"
    );
    assert_eq!(defaults.of(&kline(Some(Resolution::M1))), Some(90_000.0));
    assert_eq!(
        defaults.of(&kline(Some(Resolution::M15))),
        Some(1_350_000.0)
    );
    assert_eq!(
        defaults.of(&kline(Some(Resolution::D1))),
        Some(129_600_000.0)
    );
    let chosen = StaleAfter {
        kline: Some(120_000.0),
        kline_per_resolution: false,
        ..StaleAfter::off()
    };
    assert_eq!(
        chosen.of(&kline(Some(Resolution::D1))),
        Some(120_000.0),
        "a chosen limit is kept"
    );
    assert_eq!(chosen.of(&book("btcusdt", 5)), None);

    // Off: a quiet stream is left alone, and no deadline is set for it.
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    h.engine
        .subscribe(h.now, vec![book("btcusdt", 5)])
        .expect("no conflict");
    h.run();
    h.open();
    h.advance_by(25_000.0);
    h.frame(r#"{"e":"pong","T":1}"#);
    h.advance_by(25_000.0);
    assert!(h.stale_effects().is_empty());
}

#[test]
fn health_tells_klines_apart_by_resolution_and_pool_quotas_by_currency() {
    use maicoin_ws::core::protocol::Resolution;
    let kline = |resolution| Subscription::Kline {
        market: "btcusdt".into(),
        resolution,
    };
    let quota = |currency: &str| Subscription::PoolQuota {
        currency: currency.into(),
    };
    let mut h = Harness::new(policy(None, 1.0, 1.0, 0.0));
    h.engine
        .subscribe(
            h.now,
            vec![
                kline(None),
                kline(Some(Resolution::M5)),
                quota("usdt"),
                quota("btc"),
            ],
        )
        .expect("no conflict");
    h.run();
    h.open();
    let candle = |r: &str| {
        format!(
            r#"{{"c":"kline","M":"btcusdt","e":"update","T":5,"k":{{"ST":1,"ET":2,"M":"btcusdt","R":"{r}","O":"1","H":"1","L":"1","C":"1","v":"1","ti":1,"x":false}}}}"#
        )
    };
    for text in [candle("5m"), candle("5m"), candle("1m")] {
        assert!(matches!(h.frame(&text), Delivery::Deliver { .. }));
    }
    h.frame(r#"{"c":"pool_quota","e":"update","T":5,"qta":{"cu":"btc","av":"1","TU":5}}"#);
    assert_eq!(h.entry(&kline(None)).frames, 1, "the server's default, 1m");
    assert_eq!(h.entry(&kline(Some(Resolution::M5))).frames, 2);
    assert_eq!(h.entry(&quota("btc")).frames, 1);
    assert_eq!(h.entry(&quota("usdt")).frames, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn random_interleavings_see_stale_only_on_an_open_connection_and_within_the_windows(steps in prop::collection::vec(step(), 1..120)) {
        let quick = StaleAfter { trade: Some(1_000.0), ..StaleAfter::defaults() };
        let mut h = Harness::watched(policy(None, 0.5, 4.0, 1.0), limits((20, 200), (600, 1440)), quick);
        h.run();
        for step in steps {
            match step {
                Step::Advance(ms) => h.advance_by(f64::from(ms)),
                Step::Open => if let Some(conn) = h.socket { h.engine.handle_opened(h.now, conn); h.drain(); },
                Step::Frame => if let Some(conn) = h.socket {
                    let text = r#"{"c":"trade","M":"m1","e":"update","t":[],"T":1}"#;
                    h.engine.handle_frame(h.now, conn, &mut TextFrame(text.as_bytes()));
                    h.drain();
                },
                Step::ServerClose => if let Some(conn) = h.socket {
                    h.engine.handle_closed(h.now, conn, CloseFrame { code: 1006, reason: String::new() }, None);
                    h.drain();
                },
                Step::Subscribe(m) => { h.engine.subscribe(h.now, vec![trade(&format!("m{m}"))]).expect("no conflict"); h.drain(); }
                Step::Unsubscribe(m) => { h.engine.unsubscribe(h.now, vec![trade(&format!("m{m}"))]); h.drain(); }
                Step::Close => { h.engine.close(h.now); h.drain(); }
            }
        }
        let sent: Vec<f64> = h.sent().iter().map(|(t, _)| *t).collect();
        assert_within_windows(&sent, 20, 200);
        // Every Stale falls between a Connected and the end of that connection.
        let mut open = false;
        for (_, effect) in &h.effects {
            match effect {
                Effect::Connected => open = true,
                Effect::Disconnected(_) | Effect::State(StreamState::Closed) => open = false,
                Effect::Stale(_) => prop_assert!(open, "a stale resubscribe while not connected"),
                _ => {}
            }
        }
        let counted: u32 = h.engine.health().entries().iter().map(|e| e.stale_resubscribes).sum();
        prop_assert!(counted as usize <= h.stale_effects().len());
    }
}
