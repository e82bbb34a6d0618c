//! The binding: the core's types and errors translated for JS through wasm-bindgen.
//!
//! Nothing here decides protocol behaviour; each function converts arguments, calls the core
//! and converts the result or error once, at the boundary.

pub mod decoder;
pub mod errors;
pub mod policy;
pub mod requests;
