//! The blocking client: the call path (one deadline, at most one request, redaction,
//! telemetry) and the one place where transport failures become the library's errors.

use std::borrow::Cow;
use std::io;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use ureq_proto::http::header::{self, HeaderMap, HeaderValue};
use ureq_proto::http::{Method, Request, Uri};

use crate::base_url::{is_loopback, BaseUrl};
use crate::config::{check_product, check_proxy, proxy_from_env, ClientConfig, USER_AGENT};
use crate::error::{with_request_hint, Error, TLS_HINT};
use crate::http::exchange::exchange;
use crate::net::pool::{Origin, Pool};
use crate::net::{Deadline, Failure, Limit};
use crate::response::MAX_BODY_BYTES;
use crate::rules::MAX_ARG_BYTES;
use crate::telemetry::{self, LogLevel, LogSink};
use crate::tls::client_config;

/// A blocking TENIOS client with its own connection pool. Cheap to share: it is `Send` and
/// `Sync`, and concurrent calls use separate pooled connections. After a `fork`, the child's
/// first call starts a pool of its own (see `net/pool.rs`).
pub struct Client {
    pool: Pool,
    /// Where log lines go (changeable: the default client's is set after it is built).
    log: RwLock<Option<LogSink>>,
    /// Each method's URL, parsed once here rather than on every call.
    endpoints: [Uri; Endpoint::ALL.len()],
    /// The checked base URL the generic call's URLs are built from.
    base: BaseUrl,
    /// The headers every request carries but its length: user agent, accept, content type.
    headers: HeaderMap,
    config: ClientConfig,
}

/// The API methods that have a typed function, by path. (Any other path goes through
/// [`Client::post_path`], the generic call.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    InterruptBlock,
    TransferCall,
    ReferCall,
    RecordStart,
    RecordStop,
    ListenInStart,
    MakecallInit,
    MakecallStatus,
    CallbackInit,
    CallbackStatus,
    AgentStateRetrieve,
    AgentStateChange,
    WrapUpExtend,
    WrapUpCancel,
}

impl Endpoint {
    const ALL: [Endpoint; 14] = [
        Endpoint::InterruptBlock,
        Endpoint::TransferCall,
        Endpoint::ReferCall,
        Endpoint::RecordStart,
        Endpoint::RecordStop,
        Endpoint::ListenInStart,
        Endpoint::MakecallInit,
        Endpoint::MakecallStatus,
        Endpoint::CallbackInit,
        Endpoint::CallbackStatus,
        Endpoint::AgentStateRetrieve,
        Endpoint::AgentStateChange,
        Endpoint::WrapUpExtend,
        Endpoint::WrapUpCancel,
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
            Endpoint::MakecallInit => "POST /makecall/init",
            Endpoint::MakecallStatus => "POST /makecall/status",
            Endpoint::CallbackInit => "POST /callback/init",
            Endpoint::CallbackStatus => "POST /callback/status",
            Endpoint::AgentStateRetrieve => "POST /acd/agent-state/retrieve",
            Endpoint::AgentStateChange => "POST /acd/agent-state/change",
            Endpoint::WrapUpExtend => "POST /wrap-up/extend",
            Endpoint::WrapUpCancel => "POST /wrap-up/cancel",
        }
    }

    /// The path below the base URL.
    pub(crate) fn path(self) -> &'static str {
        // The request line without "POST /": each path is written once.
        &self.request_line()["POST /".len()..]
    }
}

/// Where a request goes: a typed method (its URL parsed once, when the client was built) or
/// a path of the generic call (parsed per call).
enum Target<'a> {
    Endpoint(Endpoint),
    Path(&'a str),
}

/// The message of a call refused after [`Client::shutdown`].
const SHUT_DOWN: &str = "the client was shut down; the request was not sent";
/// The message of a call in flight when [`Client::shutdown`] was called, before its request
/// was written.
const CANCELLED_UNSENT: &str = "the client was shut down during the call; the request was not sent";
/// The message of a call in flight when [`Client::shutdown`] was called, once its request
/// was being written.
const CANCELLED: &str =
    "the client was shut down during the call; the request may or may not have reached the API";

impl Client {
    /// Checks the configuration and builds the client. Nothing is sent; only a system CA
    /// bundle, when asked for, and the proxy variables, when asked for, are read here.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let invalid = |message: String| Error::InvalidArgument(message);
        let base = BaseUrl::parse(&config.base_url).map_err(|reason| {
            invalid(format!("{} is unusable: {reason}", config.base_url_origin))
        })?;
        let proxy = match &config.proxy {
            Some(url) => Some(check_proxy(url).map_err(invalid)?),
            None if config.proxy_from_env => proxy_from_env(base.host()).map_err(invalid)?,
            None => None,
        };
        if let Some(proxy) = &proxy {
            // Plain http:// is only for loopback, where the key never crosses a network; a
            // proxy elsewhere would carry it in the clear.
            if !base.is_https() && !is_loopback(proxy.host()) {
                return Err(invalid(format!(
                    "proxy {} is not on a loopback host, but the base URL is plain http://",
                    proxy.host()
                )));
            }
        }
        let tls = client_config(config.trust_store, &config.extra_roots).map_err(invalid)?;
        let user_agent = match &config.user_agent_product {
            Some(product) => format!("{USER_AGENT} {}", check_product(product)?),
            None => USER_AGENT.to_owned(),
        };
        let mut endpoints = Vec::with_capacity(Endpoint::ALL.len());
        for endpoint in Endpoint::ALL {
            endpoints.push(
                base.endpoint(endpoint.path())
                    .parse::<Uri>()
                    .map_err(|e| invalid(format!("{} is unusable: {e}", config.base_url_origin)))?,
            );
        }
        let endpoints = endpoints
            .try_into()
            .map_err(|_| Error::Internal("internal error: endpoint table".into()))?;
        let mut headers = HeaderMap::with_capacity(4);
        let user_agent_value = HeaderValue::from_str(&user_agent)
            .map_err(|_| invalid("the user agent is not a valid header value".into()))?;
        headers.insert(header::USER_AGENT, user_agent_value);
        let json = HeaderValue::from_static("application/json");
        headers.insert(header::ACCEPT, json.clone());
        headers.insert(header::CONTENT_TYPE, json);
        let origin = Origin {
            https: base.is_https(),
            host: base.host().to_owned(),
            port: base.port(),
            proxy,
            user_agent,
        };
        Ok(Client {
            pool: Pool::new(origin, tls, config.idle_timeout),
            log: RwLock::new(config.log.clone()),
            endpoints,
            base,
            headers,
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
        let request = body;
        let body = serde_json::to_vec(request).map_err(|e| {
            Error::Internal(format!("internal error: cannot encode the request: {e}"))
        })?;
        self.send(
            Target::Endpoint(endpoint),
            Cow::Borrowed(endpoint.request_line()),
            &body,
            secrets,
            Some(request),
            classify,
        )
    }

    /// The generic call's request: `body` (JSON, checked by the caller) to `path` below the
    /// base URL, with everything [`Client::post`] gives a typed method. `request_line`
    /// (`POST /path`) names the call in log lines. `path` must have been checked already.
    pub(crate) fn post_path<T>(
        &self,
        path: &str,
        request_line: Cow<'static, str>,
        body: &[u8],
        secrets: &[&str],
        classify: impl FnOnce(u16, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.send(
            Target::Path(path),
            request_line,
            body,
            secrets,
            None::<&()>,
            classify,
        )
    }

    /// `request`, when given, is the typed request `body` encodes: an error then says what to
    /// do next where the request tells more than the error (see `with_request_hint`).
    fn send<T>(
        &self,
        target: Target<'_>,
        request_line: Cow<'static, str>,
        body: &[u8],
        secrets: &[&str],
        request: Option<&impl Serialize>,
        classify: impl FnOnce(u16, &[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.traced(request_line, || {
            let uri = match target {
                Target::Endpoint(endpoint) => self.endpoints[endpoint as usize].clone(),
                Target::Path(path) => self.url(path)?,
            };
            self.exchange(uri, body)
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
                .map_err(|e| e.redacted(secrets))
                .map_err(|e| match request.map(serde_json::to_value) {
                    Some(Ok(request)) => with_request_hint(e, &request),
                    _ => e,
                })
        })
    }

    /// Runs one call (or pre-connect) of this client: refused once the client is shut down;
    /// its failures become [`Error::Shutdown`] when a shutdown cancelled them; traced (see
    /// telemetry.rs), its log lines delivered when it is over, on the calling thread, with no
    /// lock held.
    fn traced<T>(
        &self,
        request_line: Cow<'static, str>,
        call: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let sink = self
            .log
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        telemetry::begin(sink.as_ref().map(LogSink::max_level), request_line);
        let refused = self.pool.is_shut_down();
        let result = if refused {
            Err(Error::Shutdown(SHUT_DOWN.into()))
        } else {
            call().map_err(|e| match e {
                e @ Error::Shutdown(_) => e,
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
            // Dropped if the sink was replaced during the call (see LogSink::retire).
            sink.deliver(&events);
        }
        // A call the callback made is this thread's last call now: this one is.
        telemetry::set_last_call_timings(timings);
        // What an error object of this call reports: nothing for a call refused before it
        // could send (after the shutdown, or an argument such as the proxy for a pre-connect).
        let sent_nothing = refused || matches!(result, Err(Error::InvalidArgument(_)));
        telemetry::set_entry_call_timings(if sent_nothing {
            telemetry::Timings::default()
        } else {
            timings
        });
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
        self.traced(Cow::Borrowed("pre-connect"), || {
            if self.config.proxy.is_some() || self.config.proxy_from_env {
                return Err(Error::InvalidArgument(
                    "pre-connect does not work through a proxy".into(),
                ));
            }
            let start = Instant::now();
            let deadline = Deadline::new(start + self.config.connect_timeout, Limit::Connect);
            self.pool
                .preconnect(&deadline)
                .map_err(|f| self.error(f, false))
        })
    }

    /// Refuses new calls with [`Error::Shutdown`] and makes the calls in flight in this
    /// process return with it as soon as their socket is shut down: those reading or writing,
    /// and those still connecting, in a TLS handshake or in a proxy's CONNECT. Idempotent;
    /// the client stays valid (and must still be dropped).
    ///
    /// Not interrupted at once: a name lookup in progress (its callers return within 50 ms);
    /// a call that already has its complete response succeeds.
    pub fn shutdown(&self) {
        self.pool.shutdown();
    }

    /// The request on the wire: the HTTP status and the body (at most [`MAX_BODY_BYTES`]).
    /// One deadline for all of it; a connection is kept for the next call only when the
    /// response ended cleanly.
    fn exchange(&self, uri: Uri, body: &[u8]) -> Result<(u16, Vec<u8>), Error> {
        let start = Instant::now();
        let deadline = Deadline::new(start + self.config.timeout, Limit::Call);
        let mut connection = match self.pool.checkout(&deadline) {
            Some(connection) => connection,
            None => self
                .pool
                .open(&deadline.for_connecting(start, self.config.connect_timeout))
                .map_err(|f| self.error(f, false))?,
        };
        let mut request = Request::new(());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = uri;
        // The fixed headers were checked and hashed once, when the client was built.
        *request.headers_mut() = self.headers.clone();
        request
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let response = exchange(
            &mut connection,
            request,
            body,
            MAX_BODY_BYTES as usize,
            &deadline,
        )
        .map_err(|f| self.error(f, true))?;
        if response.reusable {
            self.pool.checkin(connection);
        }
        Ok((response.status, response.body))
    }

    /// The URL of the generic call's `path` (`cdrs/retrieve` or `/cdrs/retrieve`).
    fn url(&self, path: &str) -> Result<Uri, Error> {
        self.base
            .endpoint(path.trim_start_matches('/'))
            .parse::<Uri>()
            .map_err(|e| Error::InvalidArgument(format!("path {path} gives an unusable URL: {e}")))
    }

    /// What a transport failure of this client's is reported as (see [`transport_error`]).
    fn error(&self, failure: Failure, sending: bool) -> Error {
        transport_error(failure, &self.config, self.pool.is_shut_down(), sending)
    }
}

/// The one place where a transport failure becomes the library's error: `config` for the
/// timeouts a message names; `shut_down` when the client was shut down (then that is the
/// reason, whatever the I/O said); `sending` when the request was (being) written.
pub(crate) fn transport_error(
    failure: Failure,
    config: &ClientConfig,
    shut_down: bool,
    sending: bool,
) -> Error {
    let ms = |d: Duration| d.as_millis();
    if matches!(failure, Failure::ShutDown) || shut_down {
        return Error::Shutdown(if sending { CANCELLED } else { CANCELLED_UNSENT }.into());
    }
    match failure {
        Failure::TimedOut(Limit::Connect) => Error::Timeout(format!(
            "timed out connecting after {} ms; check that the base URL's host is reachable \
                 from here, or raise the connect timeout",
            ms(config.connect_timeout)
        )),
        Failure::TimedOut(Limit::Call) => Error::Timeout(format!(
            "timed out: no complete response within {} ms",
            ms(config.timeout)
        )),
        Failure::Lookup { message, timed_out } if timed_out => {
            Error::Timeout(format!("timed out: {message}"))
        }
        Failure::Lookup { message, .. } => Error::Network(message),
        Failure::Io(e) => io_error(&e),
        Failure::Tls(reason) => Error::Network(format!("TLS failure: {reason}; {TLS_HINT}")),
        Failure::ProxyRefused(status) => {
            Error::Network(format!("the proxy refused the tunnel (HTTP {status})"))
        }
        Failure::ProxyProtocol(reason) => Error::Network(reason),
        Failure::Protocol { message, status } => Error::Protocol {
            message,
            http_status: status,
        },
        Failure::ClosedEarly => {
            Error::Network("connection closed before the response was complete".into())
        }
        Failure::ShutDown => Error::Shutdown(CANCELLED_UNSENT.into()),
    }
}

/// The message for a socket-level failure.
fn io_error(e: &io::Error) -> Error {
    use io::ErrorKind as K;
    let what = match e.kind() {
        K::ConnectionRefused => {
            "connection refused; check that the server in the base URL is running"
        }
        K::ConnectionReset => "connection reset by peer",
        K::ConnectionAborted => "connection aborted",
        K::UnexpectedEof => "connection closed before the response was complete",
        K::BrokenPipe => "connection closed while sending the request",
        K::NotConnected => "not connected",
        K::AddrNotAvailable => "address not available",
        K::NetworkUnreachable => "network unreachable",
        K::HostUnreachable => "host unreachable",
        _ => return Error::Network(e.to_string()),
    };
    Error::Network(what.into())
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
    // ASCII first: the usual argument, checked without decoding characters.
    let control = if text.is_ascii() {
        text.bytes().any(|b| b.is_ascii_control())
    } else {
        text.chars().any(char::is_control)
    };
    if control {
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
