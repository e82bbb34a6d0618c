//! The feed's health keeps a fixed size per subscription: a million frames through the engine
//! leave the heap this thread holds where a thousand left it (a counting allocator measures it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use maicoin_ws::core::engine::{Effect, Engine, EngineConfig, Limits, StaleAfter, TextFrame};
use maicoin_ws::core::reconnect::ReconnectPolicy;
use maicoin_ws::core::subscription::Subscription;

struct Counting;

thread_local! {
    /// Bytes this thread holds from the allocator (other tests' threads count apart).
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| live.set(live.get() + layout.size() as isize));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

#[test]
fn a_subscriptions_health_is_a_few_kilobytes() {
    let mut engine = Engine::new(config(), Limits::default());
    let before = live();
    let list: Vec<Subscription> = (0..100)
        .map(|i| Subscription::Ticker {
            market: format!("m{i}usdt"),
        })
        .collect();
    engine.subscribe(0.0, list).expect("no conflict");
    let per_subscription = (live() - before) / 100;
    println!("one subscription, its health included: {per_subscription} bytes");
    // The 256 lateness samples (16 bytes each) and a 61-second ring, plus counters and the
    // session's own copy of the subscription.
    assert!(
        (4_096..8_192).contains(&per_subscription),
        "{per_subscription} bytes"
    );
    assert_eq!(engine.health().entries().len(), 100);
}

fn config() -> EngineConfig {
    EngineConfig {
        uri: "wss://max.test/ws".into(),
        policy: ReconnectPolicy::new(true, None, 1.0, 1.0, 0.0).expect("valid policy"),
        keepalive_ms: 30_000.0,
        id_prefix: "m".into(),
        seed: 1,
        stale_after: StaleAfter::defaults(),
    }
}

#[test]
fn a_million_frames_leave_the_health_structures_as_they_were() {
    let mut engine = Engine::new(config(), Limits::default());
    let markets = ["btcusdt", "ethusdt", "usdttwd", "ltcusdt"];
    let subscriptions: Vec<Subscription> = markets
        .iter()
        .flat_map(|m| {
            [
                Subscription::Ticker {
                    market: (*m).into(),
                },
                Subscription::Trade {
                    market: (*m).into(),
                },
            ]
        })
        .collect();
    engine
        .subscribe(0.0, subscriptions.clone())
        .expect("no conflict");
    let kept = engine
        .book(
            0.0,
            Subscription::Book {
                market: "btcusdt".into(),
                depth: Some(1),
            },
        )
        .expect("a book");
    engine.run(0.0).expect("runs");
    let mut conn = None;
    while let Some(effect) = engine.poll_effect() {
        if let Effect::Open { conn: c, .. } = effect {
            conn = Some(c);
        }
    }
    let conn = conn.expect("an attempt");
    engine.handle_opened(0.0, conn);
    while engine.poll_effect().is_some() {}

    let frames: Vec<String> = markets
        .iter()
        .map(|m| format!(r#"{{"c":"ticker","M":"{m}","e":"update","tk":{{"M":"{m}","C":"1"}},"T":TIME}}"#))
        .chain(std::iter::once(r#"{"c":"book","M":"btcusdt","e":"snapshot","a":[["101","1"]],"b":[["99","1"]],"T":TIME,"fi":1,"li":1,"v":1}"#.to_owned()))
        .collect();
    let send = |engine: &mut Engine, from: u64, count: u64| {
        for i in from..from + count {
            // A frame every 0.1 ms of fake time, 20 ms late: every bucket and window turns over.
            let now = i as f64 * 0.1;
            let text = frames[(i % frames.len() as u64) as usize]
                .replace("TIME", &((now as u64).saturating_sub(20)).to_string());
            engine.handle_frame(now, conn, &mut TextFrame(text.as_bytes()));
            if i % 1000 == 0 {
                engine.handle_timeout(now);
            }
            while engine.poll_effect().is_some() {}
        }
    };
    send(&mut engine, 0, 1_000);
    let warm = live();
    // The counter sees this thread's allocations: a growth would show.
    let probe = vec![1u8; 10_000];
    assert!(live() - warm >= 10_000);
    drop(probe);
    send(&mut engine, 1_000, 1_000_000);
    let after = live();
    let health = engine.health();
    assert_eq!(health.entries().len(), subscriptions.len() + 1);
    let counted: u64 = health.entries().iter().map(|e| e.frames).sum();
    assert_eq!(counted, 1_001_000, "every frame is one subscription's");
    assert!(kept.borrow().book.is_in_sync());
    assert!(
        after - warm <= 4096,
        "the heap grew by {} bytes over a million frames",
        after - warm
    );
}
