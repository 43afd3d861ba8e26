//! The blocking client: argument checks, the request on the wire, and transport errors.

use std::io;
use std::time::Duration;

use serde::Serialize;
use ureq::Agent;

use crate::base_url::{BaseUrl, DEFAULT_BASE_URL};
use crate::error::Error;
use crate::response::{classify, MAX_BODY_BYTES};

/// The longest access key or call UUID accepted, in bytes.
pub const MAX_ARG_BYTES: usize = 1024;

/// The environment variable that overrides the base URL of the default client.
pub const BASE_URL_ENV: &str = "TENIOS_API_URL";

/// `libtenios/<version>`: the User-Agent every request carries.
pub const USER_AGENT: &str = concat!("libtenios/", env!("CARGO_PKG_VERSION"));

/// How a [`Client`] talks to the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Base URL; see [`BaseUrl::parse`] for what is accepted.
    pub base_url: String,
    /// Where `base_url` came from, for messages (`TENIOS_API_URL`, `base URL`).
    pub base_url_origin: &'static str,
    /// Time allowed to set up the connection, TLS included.
    pub connect_timeout: Duration,
    /// Time allowed for the whole call, from the first byte to the last.
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            base_url_origin: "base URL",
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

impl ClientConfig {
    /// The default configuration, with the base URL from `TENIOS_API_URL` when it is set.
    pub fn from_env() -> Self {
        let mut config = ClientConfig::default();
        if let Some(url) = std::env::var_os(BASE_URL_ENV) {
            // A non-UTF-8 value is kept lossily so that building fails with a reason.
            config.base_url = url.to_string_lossy().into_owned();
            config.base_url_origin = BASE_URL_ENV;
        }
        config
    }
}

/// A blocking TENIOS client with its own connection pool. Cheap to share: it is `Send` and
/// `Sync`, and concurrent calls use separate pooled connections.
pub struct Client {
    agent: Agent,
    interrupt_url: String,
    config: ClientConfig,
}

#[derive(Serialize)]
struct InterruptRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
}

impl Client {
    /// Checks the configuration and builds the client; no I/O happens here.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let base = BaseUrl::parse(&config.base_url).map_err(|reason| {
            Error::InvalidArgument(format!("{} is unusable: {reason}", config.base_url_origin))
        })?;
        let agent = Agent::config_builder()
            // Statuses are data here: classify() decides what a 4xx or 5xx means.
            .http_status_as_error(false)
            // Never follow redirects: the access key is in the body and an interrupt must
            // reach the API it was meant for or fail.
            .max_redirects(0)
            .max_redirects_will_error(false)
            // Only an explicit proxy: a stray HTTP(S)_PROXY must not reroute the key.
            .proxy(None)
            .user_agent(USER_AGENT)
            .accept("application/json")
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .max_idle_connections(64)
            .max_idle_connections_per_host(32)
            .build()
            .new_agent();
        Ok(Client {
            agent,
            interrupt_url: base.endpoint("interrupt-ecc-block"),
            config,
        })
    }

    /// Interrupts the block that is running on the live call `call_uuid`.
    ///
    /// Arguments are checked before anything is sent. The access key never appears in a
    /// returned error, even when the server echoes it back.
    pub fn interrupt_block(&self, access_key: &str, call_uuid: &str) -> Result<(), Error> {
        check_arg("access_key", access_key.as_bytes())?;
        check_arg("call_uuid", call_uuid.as_bytes())?;
        self.post_interrupt(access_key, call_uuid)
            .map_err(|e| e.redacted(access_key))
    }

    fn post_interrupt(&self, access_key: &str, call_uuid: &str) -> Result<(), Error> {
        let body = serde_json::to_vec(&InterruptRequest {
            access_key,
            call_uuid,
        })
        .map_err(|e| Error::Internal(format!("internal error: cannot encode the request: {e}")))?;
        let mut response = self
            .agent
            .post(&self.interrupt_url)
            .header("Content-Type", "application/json")
            .send(&body[..])
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| match self.transport_error(e) {
                Error::Protocol { message, .. } => Error::Protocol {
                    message,
                    http_status: status,
                },
                other => other,
            })?;
        classify(status, &body)
    }

    /// Maps what ureq reports into the documented statuses.
    fn transport_error(&self, error: ureq::Error) -> Error {
        use ureq::Error as E;
        let ms = |d: Duration| d.as_millis();
        let protocol = |message: String| Error::Protocol {
            message,
            http_status: 0,
        };
        match error {
            E::Timeout(ureq::Timeout::Connect) => Error::Timeout(format!(
                "timed out connecting after {} ms",
                ms(self.config.connect_timeout)
            )),
            E::Timeout(_) => Error::Timeout(format!(
                "timed out: no complete response within {} ms",
                ms(self.config.timeout)
            )),
            E::Io(e) => self.io_error(&e),
            E::HostNotFound => Error::Network("host not found".into()),
            E::ConnectionFailed => Error::Network("connection failed".into()),
            E::Tls(reason) => Error::Network(format!("TLS failure: {reason}")),
            E::Rustls(e) => Error::Network(format!("TLS failure: {e}")),
            E::Pem(e) => Error::Network(format!("TLS failure: bad PEM data: {e}")),
            E::BodyExceedsLimit(_) => protocol(format!(
                "response body is larger than {MAX_BODY_BYTES} bytes"
            )),
            E::LargeResponseHeader(..) => protocol("response headers are too large".into()),
            E::Protocol(e) => protocol(format!("malformed HTTP response: {e}")),
            E::Http(e) => protocol(format!("malformed HTTP response: {e}")),
            E::BodyStalled => Error::Network("connection stalled while reading the body".into()),
            E::StatusCode(status) => Error::Http { status },
            E::BadUri(e) => {
                Error::InvalidArgument(format!("{} is unusable: {e}", self.config.base_url_origin))
            }
            other => Error::Network(other.to_string()),
        }
    }

    /// The message for a socket-level failure.
    fn io_error(&self, e: &io::Error) -> Error {
        use io::ErrorKind as K;
        let what = match e.kind() {
            K::TimedOut | K::WouldBlock => {
                return Error::Timeout(format!("timed out: {e}"));
            }
            // rustls reports handshake and certificate failures as InvalidData; plain HTTP
            // parse failures come back as ureq protocol errors instead.
            K::InvalidData if self.interrupt_url.starts_with("https:") => {
                return Error::Network(format!("TLS failure: {e}"));
            }
            K::ConnectionRefused => "connection refused",
            K::ConnectionReset => "connection reset by peer",
            K::ConnectionAborted => "connection aborted",
            K::UnexpectedEof => "connection closed before the response was complete",
            K::BrokenPipe => "connection closed while sending the request",
            K::NotConnected => "not connected",
            K::AddrNotAvailable => "address not available",
            _ => return Error::Network(e.to_string()),
        };
        Error::Network(what.into())
    }
}

/// Checks one argument before anything is sent: present, non-empty, at most
/// [`MAX_ARG_BYTES`], UTF-8, and free of control characters. Returns it as `&str`.
pub fn check_arg<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, Error> {
    let invalid = |why: String| Err(Error::InvalidArgument(format!("{name} {why}")));
    if bytes.is_empty() {
        return invalid("is empty".into());
    }
    if bytes.len() > MAX_ARG_BYTES {
        return invalid(format!("is longer than {MAX_ARG_BYTES} bytes"));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return invalid("is not valid UTF-8".into());
    };
    if text.chars().any(char::is_control) {
        return invalid("contains a control character".into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    #[test]
    fn argument_checks() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "call_uuid is empty"),
            (&[b'a'; 1025], "call_uuid is longer than 1024 bytes"),
            (b"\xff\xfe", "call_uuid is not valid UTF-8"),
            (b"\xed\xa0\x80", "call_uuid is not valid UTF-8"),
            (b"a\nb", "call_uuid contains a control character"),
            (b"\x7f", "call_uuid contains a control character"),
            (
                "\u{85}".as_bytes(),
                "call_uuid contains a control character",
            ),
        ];
        for (input, message) in cases {
            let err = check_arg("call_uuid", input).unwrap_err();
            assert_eq!(err.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
            assert_eq!(err.to_string(), message);
        }
        assert_eq!(check_arg("k", &[b'a'; 1024]).unwrap().len(), 1024);
        assert_eq!(check_arg("k", "Grüße".as_bytes()).unwrap(), "Grüße");
    }

    #[test]
    fn request_body_is_exactly_the_two_fields() {
        let body = serde_json::to_string(&InterruptRequest {
            access_key: "k\"ey",
            call_uuid: "u",
        })
        .unwrap();
        assert_eq!(body, r#"{"access_key":"k\"ey","call_uuid":"u"}"#);
    }

    #[test]
    fn unusable_base_url_is_an_invalid_argument() {
        let config = ClientConfig {
            base_url: "http://example.com".into(),
            base_url_origin: BASE_URL_ENV,
            ..ClientConfig::default()
        };
        let err = Client::new(config).err().unwrap();
        assert_eq!(err.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
        assert!(err
            .to_string()
            .starts_with("TENIOS_API_URL is unusable: plain http://"));
    }
}
