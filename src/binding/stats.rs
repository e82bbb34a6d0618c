//! `stream.stats()` as one JSON text: the engine's health read once, per call.
//!
//! Written by hand, integers only (times and lateness are whole ms; rates go as thousandths,
//! which the JS side divides): a serde serializer or f64 printing would add kilobytes to the wasm.

use std::fmt::Write;

use crate::core::engine::{Engine, Millis};
use crate::core::subscription::Subscription;

fn whole(ms: f64) -> i64 {
    ms.round() as i64
}

/// `null` or the whole number.
fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "null".into(), |v| whole(v).to_string())
}

/// The subscription's wire object, left open for the entry's own fields.
fn open_wire(subscription: &Subscription) -> String {
    let mut wire = serde_json::to_string(&subscription.to_wire()).unwrap_or_else(|_| "{}".into());
    wire.pop();
    wire
}

pub fn stats_json(engine: &Engine, now: Millis) -> String {
    let health = engine.health();
    let mut out = String::with_capacity(128 + 320 * health.entries().len());
    let _ = write!(
        out,
        r#"{{"connections":{},"reconnects":{},"framesReceived":{},"bytesReceived":{},"clockOffsetMs":{},"subscriptions":["#,
        health.connections,
        engine.reconnects(),
        engine.frames(),
        health.bytes,
        optional(health.clock_offset(now)),
    );
    for (at, entry) in health.entries().iter().enumerate() {
        let (one, sixty) = entry.rates(now);
        let latency = entry.latency(now).map_or_else(
            || "null".into(),
            |l| {
                format!(
                    r#"{{"p50":{},"p90":{},"p99":{},"max":{}}}"#,
                    whole(l.p50),
                    whole(l.p90),
                    whole(l.p99),
                    whole(l.max)
                )
            },
        );
        let _ = write!(
            out,
            r#"{}{},"frames":{},"lastFrameAt":{},"rateMilli":[{},{}],"latencyMs":{},"gaps":{},"resyncs":{},"staleResubscribes":{}}}"#,
            if at == 0 { "" } else { "," },
            open_wire(&entry.subscription),
            entry.frames,
            optional(entry.last_frame_at),
            whole(one * 1000.0),
            whole(sixty * 1000.0),
            latency,
            entry.gaps,
            entry.resyncs,
            entry.stale_resubscribes,
        );
    }
    out.push_str("]}");
    out
}
