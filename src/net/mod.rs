//! Connections to the API: name lookup, TCP, a proxy's tunnel, TLS, and the pool that keeps
//! them, each blocking step bounded by the call's one [`Deadline`]. Nothing here knows about
//! keys, statuses or the C ABI: failures are [`Failure`]s, which `client.rs` turns into the
//! library's errors.

pub(crate) mod deadline;
pub(crate) mod pool;
pub(crate) mod proxy;
pub(crate) mod resolve;
pub(crate) mod socket;
pub(crate) mod tcp;
pub(crate) mod tls;

use std::io;

pub(crate) use deadline::{Deadline, Limit};

/// Why a connection could not be made or used.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The deadline passed.
    TimedOut(Limit),
    /// The name lookup failed, or the deadline passed while it ran; the text says which.
    Lookup { message: String, timed_out: bool },
    /// A system call on the socket failed.
    Io(io::Error),
    /// The TLS handshake or a TLS record failed; the text says why.
    Tls(String),
    /// The proxy answered CONNECT with this status.
    ProxyRefused(u16),
    /// The proxy's answer to CONNECT was not HTTP; the text says why.
    ProxyProtocol(String),
    /// The server's response broke HTTP/1.1; the text says how. `status` is the response's
    /// status when it got that far, else 0.
    Protocol { message: String, status: u16 },
    /// The peer closed the connection before the response was complete.
    ClosedEarly,
    /// The client was shut down.
    ShutDown,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}
