//! What goes between the engine and its executor: connection names, states, effects, and what
//! to do with a frame.

use super::error::StreamError;
use crate::core::subscription::Subscription;

/// Milliseconds since the epoch (JS `Date.now()`), or any monotonic origin in tests.
pub type Millis = f64;

/// Names one connection attempt, so that late events of an old socket are told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u32);

/// What the user sees of the engine's phase (`stream.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamState {
    Idle,
    Connecting,
    Connected,
    Reconnecting,
    Closed,
    Failed,
}

impl StreamState {
    pub fn name(self) -> &'static str {
        match self {
            StreamState::Idle => "idle",
            StreamState::Connecting => "connecting",
            StreamState::Connected => "connected",
            StreamState::Reconnecting => "reconnecting",
            StreamState::Closed => "closed",
            StreamState::Failed => "failed",
        }
    }
}

/// Something the executor must do, in the order the engine yields them.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Create a socket to `uri`; its events come back tagged with `conn`.
    Open {
        conn: ConnId,
        uri: String,
    },
    Send {
        conn: ConnId,
        text: String,
    },
    /// A WebSocket ping frame, where the socket can send one.
    PingFrame {
        conn: ConnId,
    },
    /// The connection is over: close the socket (if still open) and free what it holds.
    CloseSocket {
        conn: ConnId,
    },
    State(StreamState),
    Connected,
    Disconnected(StreamError),
    Reconnecting(StreamError),
    PermanentFailure(StreamError),
    /// A kept book changed since its reader last looked.
    BookChanged(u32),
    /// The stale watchdog resubscribed this subscription (`onStale`).
    Stale(Subscription),
    /// `run()` settles: resolves on close, rejects when the policy gave up.
    RunEnded(Result<(), StreamError>),
}

/// What to do with a frame, decided while it is handled.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    /// Of a connection that is over: dropped.
    Stale,
    /// Consumed inside the engine (a keepalive answer, a kept book's update).
    Consumed,
    /// For the handlers. `auth_refusal` goes to `onAuthFailed` with the same response.
    Deliver { auth_refusal: Option<StreamError> },
    /// Not a MAX message: for `onDecodeError`, and the stream goes on.
    Undecodable(String),
}

/// The engine's effects in order: pushed at the back, handed out from the front. The executor
/// drains them after every input, so a `Vec` and a read position do, emptied whenever drained,
/// where a ring buffer would cost the wasm its code.
#[derive(Debug, Default)]
pub(super) struct Effects {
    queue: Vec<Effect>,
    /// The first effect not handed out yet.
    next: usize,
}

impl Effects {
    /// Out of line: a score of places queue effects, one copy of the push serves them all.
    #[inline(never)]
    pub fn push_back(&mut self, effect: Effect) {
        self.queue.push(effect);
    }

    pub fn pop_front(&mut self) -> Option<Effect> {
        let slot = self.queue.get_mut(self.next)?;
        // A unit variant stands in for the one handed out until the queue is emptied.
        let effect = std::mem::replace(slot, Effect::Connected);
        self.next += 1;
        if self.next == self.queue.len() {
            self.queue.clear();
            self.next = 0;
        }
        Some(effect)
    }

    /// The effects not handed out yet.
    pub fn iter(&self) -> impl Iterator<Item = &Effect> {
        self.queue.iter().skip(self.next)
    }

    /// Keeps only the effects not handed out yet for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&Effect) -> bool) {
        // One pass: the placeholders of those handed out go with the ones not kept.
        let handed_out = self.next;
        let mut at = 0;
        self.queue.retain(|effect| {
            at += 1;
            at > handed_out && keep(effect)
        });
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnId, Effect, Effects};

    #[test]
    fn effects_leave_in_order_and_the_queue_empties() {
        let mut effects = Effects::default();
        effects.push_back(Effect::PingFrame { conn: ConnId(1) });
        effects.push_back(Effect::BookChanged(2));
        assert_eq!(
            effects.pop_front(),
            Some(Effect::PingFrame { conn: ConnId(1) })
        );
        effects.push_back(Effect::CloseSocket { conn: ConnId(1) });
        assert_eq!(effects.iter().count(), 2);
        effects.retain(|e| matches!(e, Effect::CloseSocket { .. }));
        assert_eq!(
            effects.pop_front(),
            Some(Effect::CloseSocket { conn: ConnId(1) })
        );
        assert_eq!(effects.pop_front(), None);
        assert!(effects.queue.is_empty() && effects.next == 0);
        effects.push_back(Effect::BookChanged(3));
        assert_eq!(
            effects.iter().collect::<Vec<_>>(),
            [&Effect::BookChanged(3)]
        );
    }
}
