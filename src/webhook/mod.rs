//! The Call Control webhook (EXTERNAL_CALL_CONTROL), the side a customer's server plays: read
//! the request TENIOS POSTs ([`request`]) and build the blocks it answers with ([`blocks`]).
//!
//! Pure: no network, no client, no I/O. The C faces are in `ffi/webhook.rs`.

pub mod blocks;
pub mod request;

pub use blocks::{Blocks, BridgeMode, Destination};
pub use request::{RequestStatus, WebhookRequest};
