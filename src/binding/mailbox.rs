//! The stream's one inbox for what the host reports (socket events, the engine's timer). Events
//! are queued in arrival order and handled one at a time, soon after they arrive; while an
//! `inline` handler's Promise is pending they wait, in order, until it settles.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::batch::Batch;
use crate::core::engine::{CloseFrame, ConnId};

/// Something for the executor to handle. Socket signals carry their connection, so that late
/// events of an old socket are told apart from the current one's.
pub enum Signal {
    Opened(ConnId),
    /// The frames one task received, in order.
    Batch(ConnId, Batch),
    Closed(ConnId, CloseFrame),
    /// The engine's deadline passed.
    Timer,
}

#[derive(Default)]
pub struct Mailbox {
    signals: RefCell<VecDeque<Signal>>,
}

impl Mailbox {
    pub fn push(&self, signal: Signal) {
        if let Ok(mut signals) = self.signals.try_borrow_mut() {
            signals.push_back(signal);
        }
    }

    pub fn pop(&self) -> Option<Signal> {
        self.signals
            .try_borrow_mut()
            .ok()
            .and_then(|mut signals| signals.pop_front())
    }
}
