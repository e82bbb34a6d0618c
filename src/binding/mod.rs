//! The binding: the core translated for JS through wasm-bindgen, and the executor that runs the
//! stream's engine (`core::engine`) over the host's WebSocket and timers.
//!
//! Protocol decisions live in the core; functions here convert arguments, call the core and
//! convert results and errors once, at the boundary.

// Public (and hidden from docs) so that tests/wasm.rs can exercise the binding directly.
pub mod batch;
pub mod book;
pub mod decoder;
mod dispatch;
pub mod errors;
mod executor;
mod hooks;
mod mailbox;
pub mod policy;
pub mod requests;
mod socket;
mod stats;
pub mod stream;
mod stream_error;
