//! `stream.stats()` as one JSON text: the engine's health read once, per call.
//!
//! `{"counters":[...],"subscriptions":[wire objects],"entries":[[...],...]}`, which js/stream.js
//! names: numbers in arrays and whole numbers only (times and lateness are whole ms; rates go as
//! thousandths), since named fields, a serde serializer or f64 printing would cost the wasm
//! kilobytes.

use crate::core::engine::{Engine, Millis};
use crate::core::subscription::Subscription;

/// Appends `[a,b,...]` of whole numbers, `null` for a missing one.
fn numbers(out: &mut String, values: &[Option<f64>]) {
    out.push('[');
    for (at, value) in values.iter().enumerate() {
        if at > 0 {
            out.push(',');
        }
        match value {
            Some(v) => out.push_str(&(v.round() as i64).to_string()),
            None => out.push_str("null"),
        }
    }
    out.push(']');
}

pub fn stats_json(engine: &Engine, now: Millis) -> String {
    let health = engine.health();
    let mut out = String::with_capacity(128 + 160 * health.entries().len());
    out.push_str("{\"counters\":");
    numbers(
        &mut out,
        &[
            Some(f64::from(health.connections)),
            Some(f64::from(engine.reconnects())),
            Some(engine.frames() as f64),
            Some(health.bytes as f64),
            health.clock_offset(now),
        ],
    );
    out.push_str(",\"subscriptions\":");
    out.push_str(&Subscription::list_json(
        health.entries().iter().map(|e| &e.subscription),
    ));
    out.push_str(",\"entries\":[");
    for (at, entry) in health.entries().iter().enumerate() {
        if at > 0 {
            out.push(',');
        }
        let (one, sixty) = entry.rates(now);
        let latency = entry.latency(now);
        numbers(
            &mut out,
            &[
                Some(entry.frames as f64),
                entry.last_frame_at,
                Some(one * 1000.0),
                Some(sixty * 1000.0),
                latency.map(|l| l.p50),
                latency.map(|l| l.p90),
                latency.map(|l| l.p99),
                latency.map(|l| l.max),
                Some(f64::from(entry.gaps)),
                Some(f64::from(entry.resyncs)),
                Some(f64::from(entry.stale_resubscribes)),
            ],
        );
    }
    out.push_str("]}");
    out
}
