//! Why a connection attempt or a stream ended, as a value the executor turns into a JS
//! `StreamError` in one place. It never holds a credential: messages name the endpoint, the
//! close code and the server's reason, nothing else.

use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

/// The documented `StreamError.code` set (README, `index.d.ts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The socket closed before it opened (refused, unreachable, handshake failed).
    ConnectFailed,
    /// The handshake was refused with HTTP 429: connecting waits out its `Retry-After`.
    RateLimited,
    /// An open connection was closed by the server or the network.
    Closed,
    /// No frame arrived for two keepalive intervals: the connection is presumed dead.
    Silent,
    /// In `inline` dispatch without `onHandlerError`, a handler threw or rejected.
    HandlerFailed,
    /// No socket could be made at all (no WebSocket in this host, a factory that throws).
    NoSocket,
    /// `run()` was called while the stream was already running.
    AlreadyRunning,
    /// The server refused the credentials or the nonce (given to `onAuthFailed`).
    AuthRefused,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::ConnectFailed,
        ErrorCode::RateLimited,
        ErrorCode::Closed,
        ErrorCode::Silent,
        ErrorCode::HandlerFailed,
        ErrorCode::NoSocket,
        ErrorCode::AlreadyRunning,
        ErrorCode::AuthRefused,
    ];

    /// The string JS sees in `error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConnectFailed => "connect_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Closed => "closed",
            ErrorCode::Silent => "silent",
            ErrorCode::HandlerFailed => "handler_failed",
            ErrorCode::NoSocket => "no_socket",
            ErrorCode::AlreadyRunning => "already_running",
            ErrorCode::AuthRefused => "auth_refused",
        }
    }
}

/// The close event that caused an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseFrame {
    pub code: u16,
    pub reason: String,
}

/// One failure, shared: the same failure goes to `onDisconnected`, `onReconnecting`,
/// `onPermanentFailure` and `run()`'s rejection, so a copy costs a count, not its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError(Rc<Failure>);

/// What a [`StreamError`] says. `serial` tells failures apart, so that the executor gives the
/// same JS object to every place one failure goes.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    pub serial: u64,
    pub code: ErrorCode,
    pub message: String,
    pub close: Option<CloseFrame>,
}

impl Deref for StreamError {
    type Target = Failure;

    fn deref(&self) -> &Failure {
        &self.0
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StreamError {}

/// Numbers the errors of one engine.
#[derive(Debug, Default)]
pub(super) struct Errors {
    made: u64,
}

impl Errors {
    /// Out of line: every failure of the engine is made here.
    #[inline(never)]
    pub fn make(
        &mut self,
        code: ErrorCode,
        message: String,
        close: Option<CloseFrame>,
    ) -> StreamError {
        self.made = self.made.wrapping_add(1);
        StreamError(Rc::new(Failure {
            serial: self.made,
            code,
            message,
            close,
        }))
    }

    /// A socket's close event, before or after it opened.
    pub fn of_close(
        &mut self,
        uri: &str,
        close: CloseFrame,
        opened: bool,
        banned: bool,
    ) -> StreamError {
        let (code, before, after) = match (opened, banned) {
            (true, _) => (ErrorCode::Closed, "connection to ", " closed"),
            (false, true) => (
                ErrorCode::RateLimited,
                "could not connect to ",
                ": rate limited by the server, waiting for its Retry-After",
            ),
            (false, false) => (ErrorCode::ConnectFailed, "could not connect to ", ""),
        };
        let colon = if close.reason.is_empty() { "" } else { ": " };
        // As a u32: the wasm then needs no printer of its own for u16s.
        let message = format!(
            "{before}{uri}{after} (code {}{colon}{})",
            u32::from(close.code),
            close.reason
        );
        self.make(code, message, Some(close))
    }
}
