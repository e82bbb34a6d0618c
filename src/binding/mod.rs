//! The binding: the core translated for JS through wasm-bindgen, and the stream's engine over
//! the host's WebSocket and timers.
//!
//! Protocol decisions live in the core; functions here convert arguments, call the core and
//! convert results and errors once, at the boundary.

mod book;
mod decoder;
mod errors;
mod hooks;
mod mailbox;
mod policy;
mod requests;
mod socket;
mod stream;
