//! The blocking client: argument checks, the request on the wire, and transport errors.

use std::io;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use serde::Serialize;

use crate::base_url::{is_loopback, BaseUrl};
use crate::config::{check_product, check_proxy, proxy_from_env, ClientConfig, USER_AGENT};
use crate::error::{with_request_hint, Error, TLS_HINT};
use crate::pool::Pool;
use crate::response::MAX_BODY_BYTES;
use crate::telemetry::{self, LogLevel, LogSink};
use crate::tls::{client_config, root_certs};

/// The longest access key or call UUID accepted, in bytes.
pub const MAX_ARG_BYTES: usize = 1024;

/// A blocking TENIOS client with its own connection pool. Cheap to share: it is `Send` and
/// `Sync`, and concurrent calls use separate pooled connections. After a `fork`, the child's
/// first call starts a pool of its own (see `pool.rs`).
pub struct Client {
    pool: Pool,
    /// Where log lines go (changeable: the default client's is set after it is built).
    log: RwLock<Option<LogSink>>,
    /// Each method's URL, parsed once here rather than on every call.
    endpoints: [ureq::http::Uri; Endpoint::ALL.len()],
    config: ClientConfig,
}

/// The API methods, by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    InterruptBlock,
    TransferCall,
    ReferCall,
    RecordStart,
    RecordStop,
    ListenInStart,
}

impl Endpoint {
    const ALL: [Endpoint; 6] = [
        Endpoint::InterruptBlock,
        Endpoint::TransferCall,
        Endpoint::ReferCall,
        Endpoint::RecordStart,
        Endpoint::RecordStop,
        Endpoint::ListenInStart,
    ];

    /// `POST /path`, for log lines.
    fn request_line(self) -> &'static str {
        match self {
            Endpoint::InterruptBlock => "POST /interrupt-ecc-block",
            Endpoint::TransferCall => "POST /transfer-call",
            Endpoint::ReferCall => "POST /refer-call",
            Endpoint::RecordStart => "POST /record-call/start",
            Endpoint::RecordStop => "POST /record-call/stop",
            Endpoint::ListenInStart => "POST /call/listen-in/start",
        }
    }

    /// The path below the base URL.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Endpoint::InterruptBlock => "interrupt-ecc-block",
            Endpoint::TransferCall => "transfer-call",
            Endpoint::ReferCall => "refer-call",
            Endpoint::RecordStart => "record-call/start",
            Endpoint::RecordStop => "record-call/stop",
            Endpoint::ListenInStart => "call/listen-in/start",
        }
    }
}

/// The message of a call refused after [`Client::shutdown`].
const SHUT_DOWN: &str = "the client was shut down; the request was not sent";
/// The message of a call in flight when [`Client::shutdown`] was called.
const CANCELLED: &str =
    "the client was shut down during the call; the request may or may not have reached the API";

impl Client {
    /// Checks the configuration and builds the client. Nothing is sent; only a system CA
    /// bundle, when asked for, is read here.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let invalid = |message: String| Error::InvalidArgument(message);
        let base = BaseUrl::parse(&config.base_url).map_err(|reason| {
            invalid(format!("{} is unusable: {reason}", config.base_url_origin))
        })?;
        let proxy = match &config.proxy {
            Some(url) => Some(check_proxy(url).map_err(invalid)?),
            None if config.proxy_from_env => proxy_from_env().map_err(invalid)?,
            None => None,
        };
        if let Some(proxy) = &proxy {
            // Plain http:// is only for loopback, where the key never crosses a network; a
            // proxy elsewhere would carry it in the clear.
            if base.as_str().starts_with("http:") && !is_loopback(proxy.host()) {
                return Err(invalid(format!(
                    "proxy {} is not on a loopback host, but the base URL is plain http://",
                    proxy.host()
                )));
            }
        }
        let roots = root_certs(config.trust_store, &config.extra_roots).map_err(invalid)?;
        let tls = client_config(&roots).map_err(invalid)?;
        let user_agent = match &config.user_agent_product {
            Some(product) => format!("{USER_AGENT} {}", check_product(product)?),
            None => USER_AGENT.to_owned(),
        };
        let mut endpoints = Vec::with_capacity(Endpoint::ALL.len());
        for endpoint in Endpoint::ALL {
            endpoints.push(
                base.endpoint(endpoint.path())
                    .parse::<ureq::http::Uri>()
                    .map_err(|e| invalid(format!("{} is unusable: {e}", config.base_url_origin)))?,
            );
        }
        let endpoints = endpoints
            .try_into()
            .map_err(|_| Error::Internal("internal error: endpoint table".into()))?;
        let agent_config = ureq::Agent::config_builder()
            // Statuses are data here: classify() decides what a 4xx or 5xx means.
            .http_status_as_error(false)
            // Never follow redirects: the access key is in the body and an interrupt must
            // reach the API it was meant for or fail.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy)
            .user_agent(user_agent)
            .accept("application/json")
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .max_idle_connections(64)
            .max_idle_connections_per_host(32)
            .max_idle_age(config.idle_timeout)
            .build();
        Ok(Client {
            pool: Pool::new(agent_config, tls),
            log: RwLock::new(config.log.clone()),
            endpoints,
            config,
        })
    }

    /// Sends one request to `endpoint` and returns the HTTP status and body, for the method
    /// modules in `api/` to classify. The one path every method takes, so that shutdown,
    /// timeouts, at-most-once and redaction are written once: `body` is sent at most once,
    /// and every occurrence of a string in `secrets` is redacted from what the server
    /// answered (see [`Error::redacted`]). Arguments must have been checked already.
    pub(crate) fn post<T>(
        &self,
        endpoint: Endpoint,
        body: &impl Serialize,
        secrets: &[&str],
        classify: impl FnOnce(u16, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.traced(endpoint.request_line(), || {
            let request = body;
            // Serialized straight to bytes: the fields go out in their documented order.
            let body = serde_json::to_vec(request).map_err(|e| {
                Error::Internal(format!("internal error: cannot encode the request: {e}"))
            })?;
            self.exchange(endpoint, &body)
                .and_then(|(status, answer)| {
                    let t = telemetry::current_timings();
                    telemetry::event(LogLevel::Info, || {
                        format!(
                            "HTTP {status} after {} ({} bytes)",
                            telemetry::ms(t.first_byte),
                            answer.len()
                        )
                    });
                    classify(status, &answer)
                })
                .map_err(|e| secrets.iter().fold(e, |e, secret| e.redacted(secret)))
                .map_err(|e| match serde_json::to_value(request) {
                    Ok(request) => with_request_hint(e, &request),
                    Err(_) => e,
                })
        })
    }

    /// Runs one call (or pre-connect) of this client: refused once the client is shut down;
    /// its failures become [`Error::Shutdown`] when a shutdown cancelled them; traced (see
    /// telemetry.rs), its log lines delivered when it is over, on the calling thread, with no
    /// lock held.
    fn traced<T>(
        &self,
        request_line: &'static str,
        call: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let sink = self
            .log
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        telemetry::begin(sink.as_ref().map(LogSink::max_level), request_line);
        let result = if self.pool.is_shut_down() {
            Err(Error::Shutdown(SHUT_DOWN.into()))
        } else {
            call().map_err(|e| match e {
                // Whatever the cancelled I/O reported, the reason is the shutdown.
                _ if self.pool.is_shut_down() => Error::Shutdown(CANCELLED.into()),
                e => e,
            })
        };
        if let Err(e) = &result {
            telemetry::event(LogLevel::Error, || format!("{}: {e}", e.status().name()));
        }
        let (timings, events) = telemetry::finish();
        if let Some(sink) = sink {
            sink.deliver(&events);
            // A call the callback made is this thread's last call now: this one is.
            telemetry::set_last_call_timings(timings);
        }
        result
    }

    /// Sets (or with None, removes) where this client's log lines go.
    pub fn set_log(&self, sink: Option<LogSink>) {
        *self.log.write().unwrap_or_else(PoisonError::into_inner) = sink;
    }

    /// Opens a connection to the API now (name lookup, TCP, TLS) and keeps it for the next
    /// call that needs one, so that call costs one round trip. Sends nothing. Not through a
    /// proxy (an argument error then).
    pub fn preconnect(&self) -> Result<(), Error> {
        self.traced("pre-connect", || {
            if self.config.proxy.is_some() || self.config.proxy_from_env {
                return Err(Error::InvalidArgument(
                    "pre-connect does not work through a proxy".into(),
                ));
            }
            let agent = self.pool.agent();
            agent
                .connections()
                .preconnect(
                    &self.endpoints[0],
                    agent.agent().config(),
                    self.config.connect_timeout,
                )
                .map_err(|e| self.transport_error(e))
        })
    }

    /// Refuses new calls with [`Error::Shutdown`] and makes the calls in flight in this
    /// process return with it as soon as their socket is shut down. Idempotent; the client
    /// stays valid (and must still be dropped).
    ///
    /// Not interrupted: a TCP connect in progress (bounded by the connect timeout); a call
    /// that already has its complete response succeeds.
    pub fn shutdown(&self) {
        self.pool.shutdown();
    }

    /// The request on the wire: the HTTP status and the body (at most [`MAX_BODY_BYTES`]).
    fn exchange(&self, endpoint: Endpoint, body: &[u8]) -> Result<(u16, Vec<u8>), Error> {
        let agent = self.pool.agent();
        let mut response = agent
            .agent()
            .post(self.endpoints[endpoint as usize].clone())
            .header("Content-Type", "application/json")
            .send(body)
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
        Ok((status, body))
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
                "timed out connecting after {} ms; check that the base URL's host is reachable \
                 from here, or raise the connect timeout",
                ms(self.config.connect_timeout)
            )),
            E::Timeout(_) => Error::Timeout(format!(
                "timed out: no complete response within {} ms",
                ms(self.config.timeout)
            )),
            E::Io(e) => self.io_error(&e),
            E::HostNotFound => {
                Error::Network("host not found; check the host name in the base URL".into())
            }
            E::ConnectionFailed => Error::Network("connection failed".into()),
            E::Tls(reason) => Error::Network(format!("TLS failure: {reason}; {TLS_HINT}")),
            E::Rustls(e) => Error::Network(format!("TLS failure: {e}; {TLS_HINT}")),
            E::Pem(e) => Error::Network(format!("TLS failure: bad PEM data: {e}")),
            E::BodyExceedsLimit(_) => protocol(format!(
                "response body is larger than {MAX_BODY_BYTES} bytes"
            )),
            E::LargeResponseHeader(..) => protocol("response headers are too large".into()),
            E::Protocol(e) => protocol(format!("malformed HTTP response: {e}")),
            E::Http(e) => protocol(format!("malformed HTTP response: {e}")),
            E::BodyStalled => Error::Network("connection stalled while reading the body".into()),
            E::StatusCode(status) => Error::Http { status },
            E::ConnectProxyFailed(reason) => {
                // ureq says "proxy server responded 407/407": keep just the status.
                let status = reason
                    .rsplit_once("responded ")
                    .and_then(|(_, codes)| codes.split('/').next())
                    .filter(|code| code.bytes().all(|b| b.is_ascii_digit()));
                Error::Network(match status {
                    Some(code) => format!("the proxy refused the tunnel (HTTP {code})"),
                    None => format!("the proxy refused the tunnel: {reason}"),
                })
            }
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
            K::InvalidData if self.endpoints[0].scheme_str() == Some("https") => {
                return Error::Network(format!("TLS failure: {e}; {TLS_HINT}"));
            }
            K::ConnectionRefused => {
                "connection refused; check that the server in the base URL is running"
            }
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
    use crate::config::BASE_URL_ENV;
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
