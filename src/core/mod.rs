//! The core: MAX's protocol in plain Rust, with no JS in it, tested natively.

pub mod auth;
pub mod book;
pub mod book_feed;
pub mod borrow;
pub mod decimal;
pub mod engine;
pub mod error;
pub mod input;
pub mod json_error;
pub mod json_number;
pub mod list;
// Writes the JS and TypeScript copies of the schema; a build tool, never part of the wasm.
#[cfg(not(target_arch = "wasm32"))]
pub mod generate;
pub mod protocol;
pub mod rate_limit;
pub mod reader;
pub mod reconnect;
pub mod request;
pub mod response;
pub mod schema;
pub mod session;
pub mod small_sort;
pub mod span;
pub mod stream_options;
pub mod subscription;
pub mod tape;
pub mod wire;
