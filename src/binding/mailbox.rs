//! The stream's one inbox for what the host reports (socket events, the engine's timer). The
//! stream's task handles them one at a time, so a frame waits while an `inline` handler's
//! Promise is pending. JS callbacks therefore only push and return.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Poll, Waker};

use super::batch::Batch;
use crate::core::engine::{CloseFrame, ConnId};

/// Something for the stream's task to handle. Socket signals carry their connection, so that
/// late events of an old socket are told apart from the current one's.
pub enum Signal {
    Opened(ConnId),
    /// The frames one task received, in order.
    Batch(ConnId, Batch),
    Closed(ConnId, CloseFrame),
    /// The engine's deadline passed.
    Timer,
    /// Something changed outside the task (`run()` settled): look again.
    Wake,
}

#[derive(Default)]
pub struct Mailbox {
    signals: RefCell<VecDeque<Signal>>,
    waker: RefCell<Option<Waker>>,
}

impl Mailbox {
    pub fn push(&self, signal: Signal) {
        if let Ok(mut signals) = self.signals.try_borrow_mut() {
            signals.push_back(signal);
        }
        let waker = self.waker.try_borrow_mut().ok().and_then(|mut w| w.take());
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes `waker` at the next push (a task waiting on something else, that a push may end).
    pub fn wake_on_push(&self, waker: &Waker) {
        if let Ok(mut slot) = self.waker.try_borrow_mut() {
            *slot = Some(waker.clone());
        }
    }

    pub async fn recv(&self) -> Signal {
        poll_fn(|context| {
            let next = self
                .signals
                .try_borrow_mut()
                .ok()
                .and_then(|mut s| s.pop_front());
            match next {
                Some(signal) => Poll::Ready(signal),
                None => {
                    if let Ok(mut waker) = self.waker.try_borrow_mut() {
                        *waker = Some(context.waker().clone());
                    }
                    Poll::Pending
                }
            }
        })
        .await
    }
}
