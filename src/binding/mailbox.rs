//! The stream's one inbox: socket events, timers and user requests all arrive here as signals,
//! and the stream's task handles them one at a time. JS callbacks therefore only push and return,
//! so nothing borrowed is ever held across a call into JS.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Poll, Waker};

use wasm_bindgen::JsValue;

/// Something for the stream's task to handle. Socket signals carry the connection's number so
/// that late events of an old socket are told apart from the current one's.
pub enum Signal {
    Opened(u32),
    Message(u32, JsValue),
    Closed(u32, CloseInfo),
    /// Queued requests may be sent (a user call, or the rate limiter's wait ended).
    Flush,
    Keepalive,
    /// A backoff or budget wait with this token ended.
    WaitOver(u32),
    CloseRequested,
}

/// What a socket's close event said.
pub struct CloseInfo {
    pub code: u16,
    pub reason: String,
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

    pub async fn recv(&self) -> Signal {
        poll_fn(|context| {
            let next = self.signals.try_borrow_mut().ok().and_then(|mut s| s.pop_front());
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
