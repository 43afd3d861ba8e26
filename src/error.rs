//! What can go wrong, as data; `Display` gives the message C and Python users see.

use std::fmt;

use crate::redact::{holds_secret, redact_parts, Part, TooCostly};
use crate::status::Status;

/// The text that replaces a key (access key, supervisor key) wherever a server echoed it.
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

    /// The same error with every form of each of `secrets` (the keys of the call) removed from
    /// its text: a server may echo a key back, raw, JSON-escaped, inside a non-string value or
    /// split across fields. The rule, once, for users: `docs/redaction.md`; how it is found:
    /// `redact.rs`. Every text of the error is searched (the API's error_code, message and
    /// fields as one text, so that a split key is found; every other message too), each span
    /// found becomes [`REDACTED`], overlapping spans are merged (an access key inside the
    /// supervisor key leaves no tail), and what still shows a key afterwards, in `Display` or
    /// `Debug`, is withheld whole. A documented error code is never an echo and is kept, so
    /// the status never depends on a key. Keys shorter than
    /// [`MIN_KEY_BYTES`](crate::rules::MIN_KEY_BYTES) are refused before a call, so a
    /// redaction never mangles ordinary words.
    pub fn redacted(self, secrets: &[&str]) -> Error {
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
        if secrets.is_empty() {
            return self;
        }
        let redacted = self.redact_texts(&secrets);
        // Checked as shown, separators and Debug escapes included: without a documented code
        // (kept whatever it holds) for every key, and with it for the keys it does not hold
        // (a key across the code and the message).
        let view = redacted.clone().without_documented_code();
        let code = redacted.documented_code().unwrap_or_default();
        let not_in_code: Vec<&str> = secrets
            .iter()
            .copied()
            .filter(|secret| !holds_secret(code, &[secret]))
            .collect();
        let leaks = |error: &Error, secrets: &[&str]| {
            [error.to_string(), format!("{error:?}")]
                .iter()
                .any(|text| holds_secret(text, secrets))
        };
        if leaks(&view, &secrets) || leaks(&redacted, &not_in_code) {
            return redacted.withheld();
        }
        redacted
    }

    /// The API's error code, when it is a documented one.
    fn documented_code(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api
                .code
                .as_deref()
                .filter(|code| documented_code_status(code).is_some()),
            _ => None,
        }
    }

    /// The same error with a documented error code replaced by `-`.
    fn without_documented_code(mut self) -> Error {
        if self.documented_code().is_some() {
            if let Error::Api(api) = &mut self {
                api.code = Some("-".to_owned());
            }
        }
        self
    }

    /// Each text of the error with the spans of `secrets` replaced (withheld whole when the
    /// search gave up).
    fn redact_texts(self, secrets: &[&str]) -> Error {
        let one = |text: String| {
            let mut parts = [Part { text, fixed: false }];
            match redact_parts(&mut parts, secrets) {
                Ok(()) => {
                    let [part] = parts;
                    part.text
                }
                Err(TooCostly) => REDACTED.to_owned(),
            }
        };
        match self {
            Error::Api(api) => redact_api(api, secrets),
            Error::InvalidArgument(m) => Error::InvalidArgument(one(m)),
            Error::Timeout(m) => Error::Timeout(one(m)),
            Error::Network(m) => Error::Network(one(m)),
            Error::Internal(m) => Error::Internal(one(m)),
            Error::Shutdown(m) => Error::Shutdown(one(m)),
            Error::Protocol {
                message,
                http_status,
            } => Error::Protocol {
                message: one(message),
                http_status,
            },
            http @ Error::Http { .. } => http,
        }
    }

    /// The error with every text but a documented error code replaced by [`REDACTED`]: what
    /// is left when redaction could not make it safe.
    fn withheld(self) -> Error {
        let hidden = |_: String| REDACTED.to_owned();
        match self {
            Error::Api(api) => Error::Api(ApiError {
                http_status: api.http_status,
                code: api.code.map(|code| match documented_code_status(&code) {
                    Some(_) => code,
                    None => REDACTED.to_owned(),
                }),
                message: api.message.map(hidden),
                fields: api.fields.into_iter().map(hidden).collect(),
            }),
            Error::InvalidArgument(m) => Error::InvalidArgument(hidden(m)),
            Error::Timeout(m) => Error::Timeout(hidden(m)),
            Error::Network(m) => Error::Network(hidden(m)),
            Error::Internal(m) => Error::Internal(hidden(m)),
            Error::Shutdown(m) => Error::Shutdown(hidden(m)),
            Error::Protocol { http_status, .. } => Error::Protocol {
                message: REDACTED.to_owned(),
                http_status,
            },
            http @ Error::Http { .. } => http,
        }
    }
}

/// An API error with `secrets` redacted from its code, message and fields, searched in the
/// order `Display` shows them as one text.
fn redact_api(api: ApiError, secrets: &[&str]) -> Error {
    let code_is_documented = api
        .code
        .as_deref()
        .is_some_and(|code| documented_code_status(code).is_some());
    let has_code = api.code.is_some();
    let has_message = api.message.is_some();
    let mut parts: Vec<Part> = api
        .code
        .into_iter()
        .map(|text| Part {
            text,
            fixed: code_is_documented,
        })
        .chain(
            api.message
                .into_iter()
                .map(|text| Part { text, fixed: false }),
        )
        .chain(
            api.fields
                .into_iter()
                .map(|text| Part { text, fixed: false }),
        )
        .collect();
    if redact_parts(&mut parts, secrets).is_err() {
        for part in parts.iter_mut().filter(|part| !part.fixed) {
            part.text = REDACTED.to_owned();
        }
    }
    let mut texts = parts.into_iter().map(|part| part.text);
    let code = if has_code { texts.next() } else { None };
    let message = if has_message { texts.next() } else { None };
    Error::Api(ApiError {
        http_status: api.http_status,
        code,
        message,
        fields: texts.collect(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str, message: &str, fields: &[&str]) -> Error {
        Error::Api(ApiError {
            http_status: 400,
            code: Some(code.to_owned()),
            message: Some(message.to_owned()),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        })
    }

    /// A key that only appears as `Display` joins the pieces (across its `: ` separator) is
    /// caught by the check after redaction: every text is withheld.
    #[test]
    fn a_key_across_the_separators_is_withheld_whole() {
        let key = "NOPE: tail-1234";
        let error = api("NOPE", "tail-1234 and more", &["f"]).redacted(&[key]);
        assert_eq!(
            error.to_string(),
            "[REDACTED]: [REDACTED] (fields: [REDACTED])"
        );
        // A documented code stays, whatever the key.
        let key = "BAD_CREDENTIALS: tail";
        let error = api("BAD_CREDENTIALS", "tail of it", &[]).redacted(&[key]);
        assert_eq!(error.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
        assert_eq!(error.to_string(), "BAD_CREDENTIALS: [REDACTED]");
    }

    /// Every kind of message is searched, the library's own too (a key passed as another
    /// argument by mistake is quoted by an argument check).
    #[test]
    fn every_message_is_redacted() {
        let key = "secret-key-42";
        for error in [
            Error::InvalidArgument(format!("destination \"{key}\" is not an E.164 number")),
            Error::Network(format!("the proxy refused the tunnel: {key}")),
            Error::Protocol {
                message: format!("malformed HTTP response: {key}"),
                http_status: 0,
            },
        ] {
            let shown = error.redacted(&[key]).to_string();
            assert!(!shown.contains(key) && shown.contains(REDACTED), "{shown}");
        }
        let http = Error::Http { status: 503 };
        assert_eq!(http.clone().redacted(&[key]), http);
    }
}
