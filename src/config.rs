//! How a client is configured: its options, their checks, and the environment variables the
//! default client reads. Nothing here does network I/O.

use std::ffi::OsString;
use std::fmt;
use std::time::Duration;

use crate::base_url::{parse_authority, DEFAULT_BASE_URL};
use crate::error::Error;
pub use crate::net::proxy::Proxy;
use crate::tls::TrustStore;

/// The environment variable that overrides the base URL of the default client.
pub const BASE_URL_ENV: &str = "TENIOS_API_URL";

/// The environment variable naming a PEM file of extra CAs for the default client.
pub const CA_FILE_ENV: &str = "TENIOS_CA_FILE";

/// `libtenios/<version>`: the User-Agent every request carries.
pub const USER_AGENT: &str = concat!("libtenios/", env!("CARGO_PKG_VERSION"));

/// The longest timeout accepted, in milliseconds (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;

/// How long an idle pooled connection is reused by default: 70 s, below nginx's 75 s
/// keepalive_timeout (so a connection is rarely reused at the instant the server closes it),
/// above a minute (calls a minute apart stay one round trip), and far above ureq's 15 s, which
/// cost a PBX calling every 20 s two extra round trips per call.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(70);

/// The longest user agent product token accepted, in bytes.
pub const MAX_PRODUCT_BYTES: usize = 256;

/// How a [`crate::Client`] talks to the API. Its `Debug` output hides a proxy password.
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
    pub extra_roots: Vec<crate::tls::Certificate>,
    /// An HTTP proxy URL such as `http://proxy.example:3128`; HTTPS goes through it with CONNECT.
    pub proxy: Option<String>,
    /// Use `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` when no `proxy` is set. Off by default so that
    /// a stray variable cannot send the access key somewhere unexpected.
    pub proxy_from_env: bool,
    /// A product token appended to the User-Agent, e.g. `my-pbx/2.1`.
    pub user_agent_product: Option<String>,
    /// How long an idle pooled connection is reused. Servers commonly keep one 60 s or more
    /// (nginx 75 s); TCP keepalive finds one that a NAT dropped in silence.
    pub idle_timeout: Duration,
    /// Where log lines go; None: nowhere (nothing is formatted).
    pub log: Option<crate::telemetry::LogSink>,
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
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            log: None,
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
            .field("idle_timeout", &self.idle_timeout)
            .field("log", &self.log)
            .finish()
    }
}

/// The environment variables the default client reads, captured at one moment.
///
/// Reading the environment while another thread calls `setenv` is a data race in C, so the
/// library reads these once, when it is loaded (or when the program asks again with
/// `tenios_global_init`), never during a call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// `TENIOS_API_URL`.
    pub api_url: Option<OsString>,
    /// `TENIOS_CA_FILE`.
    pub ca_file: Option<OsString>,
}

impl Environment {
    /// Reads the variables now.
    pub fn read() -> Environment {
        Environment {
            api_url: std::env::var_os(BASE_URL_ENV),
            ca_file: std::env::var_os(CA_FILE_ENV),
        }
    }
}

impl ClientConfig {
    /// The default client's configuration: the defaults, with the base URL from
    /// `TENIOS_API_URL` and extra CA certificates from the PEM file `TENIOS_CA_FILE` when
    /// they were set (for an API behind a company CA, or a local HTTPS test server). The CA
    /// file is read here.
    pub fn from_environment(env: &Environment) -> Result<Self, Error> {
        let mut config = ClientConfig::default();
        if let Some(url) = &env.api_url {
            // A non-UTF-8 value is kept lossily so that building fails with a reason.
            config.base_url = url.to_string_lossy().into_owned();
            config.base_url_origin = BASE_URL_ENV;
        }
        if let Some(path) = env.ca_file.as_ref().filter(|p| !p.is_empty()) {
            config.extra_roots = crate::tls::load_pem_file(path.as_ref(), CA_FILE_ENV)
                .map_err(Error::InvalidArgument)?;
        }
        Ok(config)
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

/// An HTTP proxy URL, `http://[user:password@]host:port` (user and password
/// percent-encoded).
pub fn check_proxy(url: &str) -> Result<Proxy, String> {
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
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, authority),
    };
    let host = parse_authority(host_port).map_err(|why| unusable(&why))?;
    // A proxy's port is never obvious (3128, 8080, ...), so it must be written.
    let after_host = host_port
        .rsplit_once(']')
        .map_or(host_port, |(_, rest)| rest);
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Err(unusable("it has no port (expected http://host:port)"));
    };
    let port = port
        .parse::<u16>()
        .map_err(|_| unusable("the port is not a number"))?;
    Proxy::new(host, port, userinfo).map_err(|why| unusable(&why))
}

/// The proxy variables, upper case before lower, in this order.
const PROXY_VARIABLES: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// The proxy named by the environment for requests to `target_host`: the first of
/// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (upper or lower case) that is set, checked like
/// an explicit one, unless `NO_PROXY` (or `no_proxy`) names the host. Read when a client is
/// built with `proxy_from_env`, never during a call. A variable that names an unusable proxy
/// is an error, not ignored: a SOCKS proxy, say, would otherwise be bypassed in silence.
pub(crate) fn proxy_from_env(target_host: &str) -> Result<Option<Proxy>, String> {
    for name in PROXY_VARIABLES {
        if let Some(value) = std::env::var_os(name).filter(|v| !v.is_empty()) {
            let proxy =
                check_proxy(&value.to_string_lossy()).map_err(|e| format!("{name}: {e}"))?;
            let no_proxy = ["NO_PROXY", "no_proxy"]
                .into_iter()
                .find_map(std::env::var_os)
                .unwrap_or_default();
            if no_proxy_matches(&no_proxy.to_string_lossy(), target_host) {
                return Ok(None);
            }
            return Ok(Some(proxy));
        }
    }
    Ok(None)
}

/// Whether a `NO_PROXY` list names `host`. Its entries are compared with the host as text,
/// case-insensitively, as curl and ureq do: `*` (every host), an exact name or address,
/// `.suffix` or `*.suffix` (names below it), `prefix.` or `prefix*` (names starting so). No
/// CIDR ranges, no ports, no DNS.
pub(crate) fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    list.split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                true
            } else if let Some(suffix) = entry.strip_prefix('*') {
                host.ends_with(suffix)
            } else if entry.starts_with('.') {
                host.ends_with(&entry)
            } else if let Some(prefix) = entry.strip_suffix('*') {
                host.starts_with(prefix)
            } else if entry.ends_with('.') {
                host.starts_with(&entry)
            } else {
                host == entry
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_entries() {
        let cases = [
            ("127.0.0.1", "127.0.0.1", true),
            ("*", "api.tenios.com", true),
            ("example.com, 127.0.0.1", "127.0.0.1", true),
            ("127.0.0.", "127.0.0.1", true),
            ("127.*", "127.0.0.1", true),
            (".tenios.com", "api.tenios.com", true),
            ("*.tenios.com", "api.tenios.com", true),
            (".tenios.com", "tenios.com", false),
            ("localhost", "127.0.0.1", false),
            ("127.0.0.0/8", "127.0.0.1", false),
            ("127.0.0.2", "127.0.0.1", false),
            ("", "127.0.0.1", false),
            ("API.TENIOS.COM", "api.tenios.com", true),
        ];
        for (list, host, matches) in cases {
            assert_eq!(no_proxy_matches(list, host), matches, "{list:?} {host}");
        }
    }

    #[test]
    fn proxy_urls() {
        assert!(check_proxy("http://u:p@127.0.0.1:3128/").is_ok());
        assert_eq!(
            check_proxy("http://127.0.0.1").unwrap_err(),
            "proxy URL is unusable: it has no port (expected http://host:port)"
        );
        assert_eq!(
            check_proxy("socks5://127.0.0.1:1080").unwrap_err(),
            "proxy URL is unusable: expected http://host:port"
        );
    }
}
