//! `maicoin-ws`: a client for the MAX (MaiCoin) exchange WebSocket API.
//!
//! `core` is the protocol in plain Rust (native tests); `binding` turns it into the JS API
//! through wasm-bindgen and exists only on wasm32.

pub mod core;

// The wasm's global allocator (tested natively over an arena).
#[cfg(any(target_arch = "wasm32", test))]
mod heap;

// Public only so that tests/wasm.rs (wasm-bindgen-test) can call the exported functions directly.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod binding;
