//! The blocking client: argument checks, the request on the wire, and transport errors.

use std::fmt;
use std::io;
use std::time::Duration;

use serde::Serialize;
use ureq::unversioned::transport::{Connector, DefaultConnector};
use ureq::Agent;

use crate::base_url::{is_loopback, parse_authority, BaseUrl, DEFAULT_BASE_URL};
use crate::error::Error;
use crate::resolver::CachingResolver;
use crate::response::{classify, MAX_BODY_BYTES};
use crate::tls::{root_certs, TrustStore};
use crate::transport::LeanConnector;

/// The longest access key or call UUID accepted, in bytes.
pub const MAX_ARG_BYTES: usize = 1024;

/// The environment variable that overrides the base URL of the default client.
pub const BASE_URL_ENV: &str = "TENIOS_API_URL";

/// The environment variable naming a PEM file of extra CAs for the default client.
pub const CA_FILE_ENV: &str = "TENIOS_CA_FILE";

/// `libtenios/<version>`: the User-Agent every request carries.
pub const USER_AGENT: &str = concat!("libtenios/", env!("CARGO_PKG_VERSION"));

/// The longest timeout accepted, in milliseconds (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;

/// The longest user agent product token accepted, in bytes.
pub const MAX_PRODUCT_BYTES: usize = 256;

/// How a [`Client`] talks to the API. Its `Debug` output hides a proxy password.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL; see [`BaseUrl::parse`] for what is accepted.
    pub base_url: String,
    /// Where `base_url` came from, for messages (`TENIOS_API_URL`, `base URL`).
    pub base_url_origin: &'static str,
    /// Time allowed to set up the connection, TLS included.
    pub connect_timeout: Duration,
    /// Time allowed for the whole call, from the first byte to the last.
    pub timeout: Duration,
    /// Which root certificates HTTPS trusts.
    pub trust_store: TrustStore,
    /// Extra CA certificates trusted besides the store (from a PEM file, see
    /// [`crate::tls::load_pem_file`]).
    pub extra_roots: Vec<ureq::tls::Certificate<'static>>,
    /// An HTTP proxy URL such as `http://proxy.example:3128`; HTTPS goes through it with CONNECT.
    pub proxy: Option<String>,
    /// Use `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` when no `proxy` is set. Off by default so that
    /// a stray variable cannot send the access key somewhere unexpected.
    pub proxy_from_env: bool,
    /// A product token appended to the User-Agent, e.g. `my-pbx/2.1`.
    pub user_agent_product: Option<String>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            base_url_origin: "base URL",
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            trust_store: TrustStore::Bundled,
            extra_roots: Vec::new(),
            proxy: None,
            proxy_from_env: false,
            user_agent_product: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proxy = self.proxy.as_deref().map(|url| match url.rsplit_once('@') {
            Some((_, host)) => format!("http://[credentials hidden]@{host}"),
            None => url.to_owned(),
        });
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("trust_store", &self.trust_store)
            .field("extra_roots", &self.extra_roots.len())
            .field("proxy", &proxy)
            .field("proxy_from_env", &self.proxy_from_env)
            .field("user_agent_product", &self.user_agent_product)
            .finish()
    }
}

impl ClientConfig {
    /// The default client's configuration: the defaults, with the base URL from
    /// `TENIOS_API_URL` and extra CA certificates from the PEM file `TENIOS_CA_FILE` when
    /// they are set (for an API behind a company CA, or a local HTTPS test server).
    pub fn from_env() -> Result<Self, Error> {
        let mut config = ClientConfig::default();
        if let Some(url) = std::env::var_os(BASE_URL_ENV) {
            // A non-UTF-8 value is kept lossily so that building fails with a reason.
            config.base_url = url.to_string_lossy().into_owned();
            config.base_url_origin = BASE_URL_ENV;
        }
        if let Some(path) = std::env::var_os(CA_FILE_ENV).filter(|p| !p.is_empty()) {
            config.extra_roots = crate::tls::load_pem_file(path.as_ref(), CA_FILE_ENV)
                .map_err(Error::InvalidArgument)?;
        }
        Ok(config)
    }
}

/// A blocking TENIOS client with its own connection pool. Cheap to share: it is `Send` and
/// `Sync`, and concurrent calls use separate pooled connections.
pub struct Client {
    agent: Agent,
    /// Parsed once here rather than on every call.
    interrupt_uri: ureq::http::Uri,
    config: ClientConfig,
}

#[derive(Serialize)]
struct InterruptRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
}

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
        let user_agent = match &config.user_agent_product {
            Some(product) => format!("{USER_AGENT} {}", check_product(product)?),
            None => USER_AGENT.to_owned(),
        };
        let interrupt_uri = base
            .endpoint("interrupt-ecc-block")
            .parse::<ureq::http::Uri>()
            .map_err(|e| invalid(format!("{} is unusable: {e}", config.base_url_origin)))?;
        let agent_config = Agent::config_builder()
            // Statuses are data here: classify() decides what a 4xx or 5xx means.
            .http_status_as_error(false)
            // Never follow redirects: the access key is in the body and an interrupt must
            // reach the API it was meant for or fail.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy)
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .user_agent(user_agent)
            .accept("application/json")
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .max_idle_connections(64)
            .max_idle_connections_per_host(32)
            .build();
        let connector = DefaultConnector::default().chain(LeanConnector);
        let agent = Agent::with_parts(agent_config, connector, CachingResolver::default());
        Ok(Client {
            agent,
            interrupt_uri,
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
            .post(self.interrupt_uri.clone())
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
            K::InvalidData if self.interrupt_uri.scheme_str() == Some("https") => {
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

/// A timeout option in milliseconds: 1 to [`MAX_TIMEOUT_MS`]. `what` names it in messages.
pub fn check_timeout_ms(what: &str, ms: u32) -> Result<Duration, Error> {
    if ms == 0 || ms > MAX_TIMEOUT_MS {
        return Err(Error::InvalidArgument(format!(
            "{what} must be 1 to {MAX_TIMEOUT_MS} ms, not {ms}"
        )));
    }
    Ok(Duration::from_millis(u64::from(ms)))
}

/// A User-Agent product token such as `my-pbx/2.1`: printable ASCII, 1 to
/// [`MAX_PRODUCT_BYTES`] bytes.
pub fn check_product(product: &str) -> Result<&str, Error> {
    let invalid = |why: &str| Err(Error::InvalidArgument(format!("user agent product {why}")));
    if product.trim().is_empty() {
        return invalid("is empty");
    }
    if product.len() > MAX_PRODUCT_BYTES {
        return invalid(&format!("is longer than {MAX_PRODUCT_BYTES} bytes"));
    }
    if product.chars().any(|c| c.is_control()) {
        return invalid("contains a control character");
    }
    if !product.is_ascii() {
        return invalid("is not ASCII");
    }
    Ok(product.trim())
}

/// An HTTP proxy URL, `http://[user:password@]host[:port]`.
pub fn check_proxy(url: &str) -> Result<ureq::Proxy, String> {
    let unusable = |why: &str| format!("proxy URL is unusable: {why}");
    if url.is_empty() {
        return Err(unusable("it is empty"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(unusable("it contains whitespace or control characters"));
    }
    let Some(rest) = url
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return Err(unusable("expected http://host:port"));
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(unusable("a path, query or fragment is not allowed"));
    }
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    parse_authority(host_port).map_err(|why| unusable(&why))?;
    ureq::Proxy::new(url).map_err(|e| unusable(&e.to_string()))
}

/// The proxy named by the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, upper or
/// lower case, in that order, as ureq reads them), checked like an explicit one; ureq then
/// applies `NO_PROXY`. A variable that names an unusable proxy is an error, not ignored: a
/// SOCKS proxy, say, would otherwise be bypassed in silence.
fn proxy_from_env() -> Result<Option<ureq::Proxy>, String> {
    const VARIABLES: [&str; 6] = [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ];
    for name in VARIABLES {
        if let Some(value) = std::env::var_os(name).filter(|v| !v.is_empty()) {
            check_proxy(&value.to_string_lossy()).map_err(|e| format!("{name}: {e}"))?;
            return Ok(ureq::Proxy::try_from_env());
        }
    }
    Ok(None)
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
