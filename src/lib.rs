//! libtenios: a client for the TENIOS Call Control Voice API, shipped as a C-ABI library.
//!
//! The Rust core ([`Client`], [`Error`], [`response::classify`]) is safe Rust. The C ABI lives
//! in the private module `ffi`, the only one with `extern "C"` functions and raw-pointer code;
//! `include/tenios.h` is generated from it. It is not part of the Rust API: its functions take
//! raw pointers, and safe Rust must not be able to call them.

pub mod api;
pub mod base_url;
pub mod client;
pub mod config;
pub mod error;
mod ffi;
mod fork;
mod http;
mod net;
mod redact;
pub mod response;
pub mod rules;
pub mod status;
pub mod telemetry;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;
pub mod tls;
pub mod webhook;

/// For the fuzz targets only (fuzz/): not part of the API.
#[doc(hidden)]
pub mod __fuzz;

pub use api::DestinationType;
pub use client::Client;
pub use config::{ClientConfig, Environment};
pub use error::{ApiError, Error};
pub use status::Status;
pub use tls::TrustStore;
