//! The stale watchdog: a subscription that has delivered nothing for its `staleAfter` while its
//! connection is open is unsubscribed and subscribed again, alone (a server that lost one
//! subscription recovers on a resubscribe; the connection and the other subscriptions stay).

use super::effect::{Effect, Millis};
use super::{Engine, Phase};
use crate::core::protocol::Channel;
use crate::core::session::copy_of;
use crate::core::subscription::Subscription;

/// How long each channel may stay quiet (`None`: never stale).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StaleAfter {
    pub book: Option<Millis>,
    pub trade: Option<Millis>,
    pub ticker: Option<Millis>,
    pub kline: Option<Millis>,
    pub market_status: Option<Millis>,
    pub pool_quota: Option<Millis>,
    /// The kline default: at least 1.5 candles. In a market without trades the open candle is
    /// pushed only when it closes, so a 1h candle may rightly be quiet for an hour.
    pub kline_per_resolution: bool,
}

/// Candle length in ms of a resolution's wire name (`1m`, `4h`, `1d`). The count is read by
/// hand: no integer parser and no slicing panic for a few short names.
fn candle_ms(resolution: &str) -> Option<Millis> {
    let (count, unit) = resolution.split_at_checked(resolution.len().checked_sub(1)?)?;
    let unit = match unit {
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    let count = count.bytes().try_fold(0.0, |count: f64, digit| {
        digit
            .is_ascii_digit()
            .then(|| count * 10.0 + f64::from(digit - b'0'))
    })?;
    Some(count * unit)
}

impl StaleAfter {
    /// Off for every channel.
    pub fn off() -> Self {
        StaleAfter::default()
    }

    /// The package's defaults: books 30 s, tickers 60 s, klines 90 s or 1.5 candles; trades,
    /// market status and pool quotas may be quiet for long, so never.
    pub fn defaults() -> Self {
        StaleAfter {
            book: Some(30_000.0),
            ticker: Some(60_000.0),
            kline: Some(90_000.0),
            kline_per_resolution: true,
            ..StaleAfter::off()
        }
    }

    /// How long `subscription` may stay quiet.
    pub fn of(&self, subscription: &Subscription) -> Option<Millis> {
        let limit = match subscription.channel() {
            Channel::Book => self.book,
            Channel::Trade => self.trade,
            Channel::Ticker => self.ticker,
            Channel::Kline => self.kline,
            Channel::MarketStatus => self.market_status,
            Channel::PoolQuota => self.pool_quota,
            Channel::User => None,
        }?;
        match subscription {
            Subscription::Kline { resolution, .. } if self.kline_per_resolution => {
                let candle = candle_ms(resolution.map_or("1m", |r| r.as_str())).unwrap_or(0.0);
                Some(limit.max(1.5 * candle))
            }
            _ => Some(limit),
        }
        .filter(|ms| *ms > 0.0)
    }
}

impl Engine {
    /// When the first subscription of the open connection turns stale, if any can.
    #[inline(never)]
    pub(super) fn next_stale_at(&self) -> Option<Millis> {
        if !matches!(self.phase, Phase::Open(_)) {
            return None;
        }
        self.health
            .entries()
            .iter()
            .filter_map(|entry| {
                let limit = self.stale_after.of(&entry.subscription)?;
                Some(entry.quiet_since + limit)
            })
            .reduce(Millis::min)
    }

    /// Resubscribes, one by one, the subscriptions quiet for too long on the open connection.
    #[inline(never)]
    pub(super) fn resubscribe_stale(&mut self, now: Millis) {
        if !matches!(self.phase, Phase::Open(_)) {
            return;
        }
        let policy = self.stale_after;
        // By index, each one handled as found: the resubscription touches no health entry.
        for at in 0..self.health.entries().len() {
            let Some(entry) = self.health.entries_mut().get_mut(at) else {
                break;
            };
            let Some(limit) = policy.of(&entry.subscription) else {
                continue;
            };
            if now - entry.quiet_since >= limit {
                entry.quiet_since = now;
                entry.stale_resubscribes = entry.stale_resubscribes.saturating_add(1);
                let subscription = copy_of(&entry.subscription);
                self.session.resubscribe(&subscription);
                // A kept book starts over from the snapshot the resubscription brings.
                self.reset_books(Some(&subscription));
                self.effects.push_back(Effect::Stale(subscription));
            }
        }
    }
}
