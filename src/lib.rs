//! libtenios: a client for the TENIOS Call Control Voice API, shipped as a C-ABI library.
//!
//! The Rust core ([`Client`], [`Error`], [`response::classify`]) is safe Rust; [`ffi`] is the
//! only module with `extern "C"` functions and raw-pointer code, and `include/tenios.h` is
//! generated from it.

pub mod base_url;
pub mod client;
pub mod error;
pub mod ffi;
mod resolver;
pub mod response;
pub mod status;
pub mod tls;
mod transport;

pub use client::{Client, ClientConfig};
pub use error::{ApiError, Error};
pub use status::Status;
pub use tls::TrustStore;
