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
    /// What to do about it, when the request gives more to say than the code alone (the call's
    /// uuid for `CALL_UUID_NOT_FOUND`, say): set by the client, never from the server's text.
    pub hint: Option<String>,
}

/// Where the access key is found, for every message about a rejected key.
pub const KEY_HINT: &str = "check the access key: the TENIOS customer portal shows it under \
MY ACCOUNT > General settings, API section";

/// Said of every TLS failure.
pub const TLS_HINT: &str = "check the host name in the base URL, and give the CA that signed \
its certificate as a CA file when it is not a public one (a company or test CA)";

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
                hint: api.hint,
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
        hint: api.hint,
    })
}

/// The error with what to do about it for this request, where the request tells more than the
/// error alone: the call's uuid when the API did not find the call, both keys for listen-in's
/// rejected credentials. Only the request's own `call_uuid` is quoted, never a key.
pub(crate) fn with_request_hint(error: Error, request: &serde_json::Value) -> Error {
    let Error::Api(mut api) = error else {
        return error;
    };
    let secret = |name: &str| request.get(name).and_then(serde_json::Value::as_str);
    // A key passed by mistake as the call's uuid is still a key: never quoted.
    let call_uuid = request
        .get("call_uuid")
        .and_then(serde_json::Value::as_str)
        .filter(|uuid| {
            ["access_key", "supervisor_key"]
                .iter()
                .filter_map(|name| secret(name))
                .all(|key| key.is_empty() || !uuid.contains(key))
        });
    match (api.code.as_deref(), call_uuid) {
        (Some("CALL_UUID_NOT_FOUND"), None) => {
            api.hint = Some(
                "the call may have ended (the caller hung up or it was transferred away), or \
                 its uuid is wrong"
                    .to_owned(),
            );
        }
        (Some("CALL_UUID_NOT_FOUND"), Some(uuid)) => {
            api.hint = Some(format!(
                "no live call has the uuid {uuid}: the call may have ended (the caller hung up \
                 or it was transferred away), or the uuid is wrong"
            ));
        }
        (Some("BAD_CREDENTIALS"), _) if request.get("supervisor_key").is_some() => {
            api.hint = Some(format!("{KEY_HINT}; check the supervisor key too"));
        }
        // The callback page documents a wrong configuration id as BAD_CREDENTIALS too.
        (Some("BAD_CREDENTIALS"), _) if request.get("callback_config_id").is_some() => {
            api.hint = Some(format!(
                "{KEY_HINT}; a callback_config_id the account does not have is reported the \
                 same way"
            ));
        }
        _ => {}
    }
    Error::Api(api)
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
                    "HTTP {s}: access key rejected (no API error in the body); {KEY_HINT}"
                )
            }
            Error::Http { status } => {
                write!(f, "HTTP {status} with no API error in the body")?;
                match status {
                    300..=399 => f.write_str(
                        "; redirects are not followed: give the final URL as the base URL",
                    ),
                    404 => f.write_str("; check the base URL (TENIOS's is https://api.tenios.com)"),
                    _ => Ok(()),
                }
            }
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
                match (&api.hint, api.code.as_deref()) {
                    (Some(hint), _) => write!(f, "; {hint}"),
                    (None, Some("BAD_CREDENTIALS")) => write!(f, "; {KEY_HINT}"),
                    (None, Some("LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST")) => f.write_str(
                        "; use another supervisor_destination, or take it off the account's \
                         blacklist",
                    ),
                    _ => Ok(()),
                }
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
            hint: None,
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
        assert_eq!(
            error.to_string(),
            format!("BAD_CREDENTIALS: [REDACTED]; {KEY_HINT}")
        );
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

    use serde_json::json;

    fn api_error(code: &str, fields: &[&str]) -> Error {
        Error::Api(ApiError {
            http_status: 400,
            code: Some(code.to_owned()),
            message: Some("m".to_owned()),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            hint: None,
        })
    }

    #[test]
    fn a_call_not_found_repeats_the_uuid_after_the_api_text() {
        let request = json!({"access_key": "secret-key", "call_uuid": "c0b9-x"});
        assert_eq!(
            with_request_hint(api_error("CALL_UUID_NOT_FOUND", &["call_uuid"]), &request)
                .to_string(),
            "CALL_UUID_NOT_FOUND: m (fields: call_uuid); no live call has the uuid c0b9-x: the \
             call may have ended (the caller hung up or it was transferred away), or the uuid \
             is wrong"
        );
    }

    #[test]
    fn a_key_given_as_the_uuid_is_never_quoted() {
        let request = json!({"access_key": "secret-key", "call_uuid": "xx-secret-key-xx"});
        let message =
            with_request_hint(api_error("CALL_UUID_NOT_FOUND", &[]), &request).to_string();
        assert!(!message.contains("secret-key"), "{message}");
        assert_eq!(
            message,
            "CALL_UUID_NOT_FOUND: m; the call may have ended (the caller hung up or it was \
             transferred away), or its uuid is wrong"
        );
        let request = json!({"access_key": "k", "supervisor_key": "sup", "call_uuid": "a-sup"});
        let message =
            with_request_hint(api_error("CALL_UUID_NOT_FOUND", &[]), &request).to_string();
        assert!(!message.contains("a-sup"), "{message}");
    }

    #[test]
    fn rejected_keys_say_where_the_key_is_found() {
        let request = json!({"access_key": "secret-key", "call_uuid": "u"});
        assert_eq!(
            with_request_hint(api_error("BAD_CREDENTIALS", &[]), &request).to_string(),
            format!("BAD_CREDENTIALS: m; {KEY_HINT}")
        );
        let listen_in = json!({"access_key": "a", "supervisor_key": "s", "call_uuid": "u"});
        assert_eq!(
            with_request_hint(api_error("BAD_CREDENTIALS", &[]), &listen_in).to_string(),
            format!("BAD_CREDENTIALS: m; {KEY_HINT}; check the supervisor key too")
        );
        assert_eq!(
            Error::Http { status: 401 }.to_string(),
            format!("HTTP 401: access key rejected (no API error in the body); {KEY_HINT}")
        );
    }

    #[test]
    fn other_errors_get_no_request_hint() {
        let request = json!({"access_key": "k", "call_uuid": "u"});
        let error = api_error("BLOCK_NOT_INTERRUPTIBLE", &["call_uuid"]);
        assert_eq!(with_request_hint(error.clone(), &request), error);
        assert_eq!(
            error.to_string(),
            "BLOCK_NOT_INTERRUPTIBLE: m (fields: call_uuid)"
        );
        let timeout = Error::Timeout("t".into());
        assert_eq!(with_request_hint(timeout.clone(), &request), timeout);
    }
}
