//! The core: MAX's protocol in plain Rust, with no JS in it, tested natively.

pub mod auth;
pub mod book;
pub mod book_feed;
pub mod decimal;
pub mod engine;
pub mod error;
pub mod protocol;
pub mod rate_limit;
pub mod reconnect;
pub mod request;
pub mod response;
pub mod session;
pub mod subscription;
pub mod tape;
pub mod wire;
