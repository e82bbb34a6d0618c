//! The binding: the core's types and errors translated for JS through wasm-bindgen.
//!
//! Nothing here decides protocol behaviour; each function converts arguments, calls the core
//! and converts the result or error once, at the boundary.

mod decoder;
mod errors;
mod policy;
mod requests;
