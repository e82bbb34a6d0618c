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
