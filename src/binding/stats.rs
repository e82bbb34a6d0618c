//! `stream.stats()` as one JSON text: the engine's health read once, per call.
//!
//! Integers only (times and lateness are whole ms; rates go as thousandths, which the JS side
//! divides): formatting f64 would pull float printing into the wasm.

use serde::Serialize;

use crate::core::engine::{Engine, Latency, Millis};
use crate::core::subscription::WireSubscription;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsJson<'a> {
    connections: u32,
    reconnects: u32,
    frames_received: u64,
    bytes_received: u64,
    clock_offset_ms: Option<i64>,
    subscriptions: Vec<SubscriptionJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson<'a> {
    #[serde(flatten)]
    subscription: WireSubscription<'a>,
    frames: u64,
    last_frame_at: Option<i64>,
    /// Frames per second over the last 1 s and 60 s, in thousandths.
    rate_milli: (i64, i64),
    latency_ms: Option<LatencyJson>,
    gaps: u32,
    resyncs: u32,
    stale_resubscribes: u32,
}

#[derive(Serialize)]
struct LatencyJson {
    p50: i64,
    p90: i64,
    p99: i64,
    max: i64,
}

fn whole(ms: f64) -> i64 {
    ms.round() as i64
}

impl From<Latency> for LatencyJson {
    fn from(l: Latency) -> Self {
        LatencyJson {
            p50: whole(l.p50),
            p90: whole(l.p90),
            p99: whole(l.p99),
            max: whole(l.max),
        }
    }
}

pub fn stats_json(engine: &Engine, now: Millis) -> String {
    let health = engine.health();
    let subscriptions = health
        .entries()
        .iter()
        .map(|entry| {
            let (one, sixty) = entry.rates(now);
            SubscriptionJson {
                subscription: entry.subscription.to_wire(),
                frames: entry.frames,
                last_frame_at: entry.last_frame_at.map(whole),
                rate_milli: (whole(one * 1000.0), whole(sixty * 1000.0)),
                latency_ms: entry.latency(now).map(LatencyJson::from),
                gaps: entry.gaps,
                resyncs: entry.resyncs,
                stale_resubscribes: entry.stale_resubscribes,
            }
        })
        .collect();
    let stats = StatsJson {
        connections: health.connections,
        reconnects: engine.reconnects(),
        frames_received: engine.frames(),
        bytes_received: health.bytes,
        clock_offset_ms: health.clock_offset(now).map(whole),
        subscriptions,
    };
    serde_json::to_string(&stats).unwrap_or_else(|_| "{}".into())
}
