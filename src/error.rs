//! What can go wrong, as data; `Display` gives the message C and Python users see.

use std::fmt;

use crate::status::Status;

/// The text that replaces the access key wherever a server echoed it back.
pub const REDACTED: &str = "[REDACTED]";

/// An error the TENIOS API itself reported (a JSON body with an `error_code`, or
/// `"success": false`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status the error arrived with (usually 400).
    pub http_status: u16,
    /// `error_code`, e.g. `CALL_UUID_NOT_FOUND`; `None` for `"success": false` without one.
    pub code: Option<String>,
    /// `error_message`, when the API sent one.
    pub message: Option<String>,
    /// `fields`: the request fields the error is about.
    pub fields: Vec<String>,
}

/// Why an interrupt did not succeed. Each variant maps to one [`Status`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Rejected before any I/O: a bad argument or an unusable base URL.
    InvalidArgument(String),
    /// The API reported an error.
    Api(ApiError),
    /// An HTTP status other than 200 and no API error in the body.
    Http { status: u16 },
    /// The connect or the whole-request timeout expired.
    Timeout(String),
    /// The connection could not be made or broke (DNS, refused, reset, closed early, TLS).
    Network(String),
    /// The server answered something the API never sends. `http_status` is 0 when the
    /// response did not get as far as a status line.
    Protocol { message: String, http_status: u16 },
    /// A bug in this library.
    Internal(String),
    /// The client was shut down before or during the call.
    Shutdown(String),
}

impl Error {
    /// The C status this error is reported as.
    pub fn status(&self) -> Status {
        match self {
            Error::InvalidArgument(_) => Status::TENIOS_ERR_INVALID_ARGUMENT,
            Error::Api(api) => api
                .code
                .as_deref()
                .and_then(documented_code_status)
                .unwrap_or(Status::TENIOS_ERR_API),
            Error::Http { status: 401 | 403 } => Status::TENIOS_ERR_BAD_CREDENTIALS,
            Error::Http { .. } => Status::TENIOS_ERR_HTTP,
            Error::Timeout(_) => Status::TENIOS_ERR_TIMEOUT,
            Error::Network(_) => Status::TENIOS_ERR_NETWORK,
            Error::Protocol { .. } => Status::TENIOS_ERR_PROTOCOL,
            Error::Internal(_) => Status::TENIOS_ERR_INTERNAL,
            Error::Shutdown(_) => Status::TENIOS_ERR_SHUTDOWN,
        }
    }

    /// The HTTP status of the response, or 0 when no response arrived.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Api(api) => api.http_status,
            Error::Http { status } => *status,
            Error::Protocol { http_status, .. } => *http_status,
            _ => 0,
        }
    }

    /// The same error with every occurrence of `secret` in server-supplied text (the API's
    /// error_code, message and fields, and a protocol error's message) replaced by
    /// [`REDACTED`]: a server may echo the access key back. The library's own messages never
    /// contain it, so they are left alone: redacting them would mangle them for a short key
    /// (key `k` against an unknown host). A documented error code is never an echo and is
    /// kept, so the status never depends on the key.
    pub(crate) fn redacted(self, secret: &str) -> Error {
        if secret.is_empty() {
            return self;
        }
        let scrub = |s: String| {
            if s.contains(secret) {
                s.replace(secret, REDACTED)
            } else {
                s
            }
        };
        match self {
            Error::Api(api) => Error::Api(ApiError {
                http_status: api.http_status,
                code: api.code.map(|code| match documented_code_status(&code) {
                    Some(_) => code,
                    None => scrub(code),
                }),
                message: api.message.map(scrub),
                fields: api.fields.into_iter().map(scrub).collect(),
            }),
            Error::Protocol {
                message,
                http_status,
            } => Error::Protocol {
                message: scrub(message),
                http_status,
            },
            other => other,
        }
    }
}

/// The status of an error_code that has a status of its own.
fn documented_code_status(code: &str) -> Option<Status> {
    Some(match code {
        "INVALID_VALUE" => Status::TENIOS_ERR_INVALID_VALUE,
        "INVALID_FIELD" => Status::TENIOS_ERR_INVALID_FIELD,
        "INVALID_JSON" => Status::TENIOS_ERR_INVALID_JSON,
        "CALL_UUID_NOT_FOUND" => Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
        "BAD_CREDENTIALS" => Status::TENIOS_ERR_BAD_CREDENTIALS,
        "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST" => {
            Status::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED
        }
        "AGENT_NOT_FOUND" => Status::TENIOS_ERR_AGENT_NOT_FOUND,
        "AGENT_NOT_IN_WRAP_UP" => Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP,
        _ => return None,
    })
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(m)
            | Error::Timeout(m)
            | Error::Internal(m)
            | Error::Shutdown(m) => f.write_str(m),
            Error::Network(m) => write!(f, "network error: {m}"),
            Error::Protocol { message, .. } => write!(f, "protocol error: {message}"),
            Error::Http {
                status: s @ (401 | 403),
            } => {
                write!(
                    f,
                    "HTTP {s}: access key rejected (no API error in the body)"
                )
            }
            Error::Http { status } => write!(f, "HTTP {status} with no API error in the body"),
            Error::Api(api) => {
                match (&api.code, &api.message) {
                    (Some(code), Some(message)) => write!(f, "{code}: {message}")?,
                    (Some(code), None) => f.write_str(code)?,
                    (None, message) => {
                        write!(
                            f,
                            "the API reported failure without an error code (HTTP {})",
                            api.http_status
                        )?;
                        if let Some(message) = message {
                            write!(f, ": {message}")?;
                        }
                    }
                }
                if !api.fields.is_empty() {
                    write!(f, " (fields: {})", api.fields.join(", "))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}
