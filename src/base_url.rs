//! Where requests go: the API's base URL, checked once when a client is built.

use std::net::{IpAddr, Ipv6Addr};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.tenios.com";

/// A checked base URL without a trailing slash, e.g. `http://127.0.0.1:8080` or
/// `https://gw.example.com/tenios`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Accepts `https://host[:port][/path]`, and `http://` only for loopback hosts
    /// (127.0.0.0/8, ::1, localhost), since the access key travels in the request body.
    /// Returns the reason when the URL is unusable.
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        if url.is_empty() {
            return Err("it is empty".into());
        }
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("it contains whitespace or control characters".into());
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or("expected https://host[:port][/path]")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(format!(
                "scheme {scheme}:// is not supported (use https://)"
            ));
        }
        if rest.contains(['?', '#', '@']) {
            return Err("user info, query and fragment are not allowed".into());
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = parse_authority(authority)?;
        if scheme == "http" && !is_loopback(host) {
            return Err(format!(
                "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not {host}; use https://"
            ));
        }
        let path = path.trim_end_matches('/');
        Ok(BaseUrl(format!("{scheme}://{authority}{path}")))
    }

    /// The full URL of an API method, e.g. `endpoint("interrupt-ecc-block")`.
    pub fn endpoint(&self, method: &str) -> String {
        format!("{}/{method}", self.0)
    }

    /// The URL as given, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the scheme is https (else it is http, on a loopback host).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https:")
    }

    fn authority(&self) -> &str {
        let rest = &self.0[self.0.find("://").map_or(0, |i| i + 3)..];
        &rest[..rest.find('/').unwrap_or(rest.len())]
    }

    /// The host, without brackets for an IPv6 literal.
    pub fn host(&self) -> &str {
        let authority = self.authority();
        match authority.strip_prefix('[') {
            Some(bracketed) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
            None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
        }
    }

    /// The port, written or the scheme's.
    pub fn port(&self) -> u16 {
        let authority = self.authority();
        let after_host = authority
            .rsplit_once(']')
            .map_or(authority, |(_, rest)| rest);
        after_host
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or(if self.is_https() { 443 } else { 80 })
    }
}

/// Checks `host[:port]` (host may be a bracketed IPv6 literal) and returns the host.
pub(crate) fn parse_authority(authority: &str) -> Result<&str, String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or("unclosed [ in the host")?;
        host.parse::<Ipv6Addr>()
            .map_err(|_| format!("[{host}] is not an IPv6 address"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or("garbage after the IPv6 address")?,
            ),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host".into());
    }
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(format!("port {port:?} is not a number from 1 to 65535")),
        }
    }
    Ok(host)
}

/// Whether `host` (a name or an IP literal, IPv6 without brackets) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_loopback_http() {
        let ok = [
            ("https://api.tenios.com", "https://api.tenios.com"),
            ("https://api.tenios.com/", "https://api.tenios.com"),
            (
                "HTTPS://gw.example.com:8443/tenios//",
                "https://gw.example.com:8443/tenios",
            ),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://127.3.2.1", "http://127.3.2.1"),
            ("http://localhost:1234", "http://localhost:1234"),
            ("http://LOCALHOST", "http://LOCALHOST"),
            ("http://[::1]:99/x", "http://[::1]:99/x"),
        ];
        for (input, want) in ok {
            assert_eq!(BaseUrl::parse(input).unwrap().as_str(), want, "{input}");
        }
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8/")
                .unwrap()
                .endpoint("interrupt-ecc-block"),
            "http://127.0.0.1:8/interrupt-ecc-block"
        );
        let parts = |url: &str| {
            let url = BaseUrl::parse(url).unwrap();
            (url.is_https(), url.host().to_owned(), url.port())
        };
        assert_eq!(
            parts("https://api.tenios.com"),
            (true, "api.tenios.com".into(), 443)
        );
        assert_eq!(
            parts("HTTPS://gw.example.com:8443/t"),
            (true, "gw.example.com".into(), 8443)
        );
        assert_eq!(parts("http://[::1]:99/x"), (false, "::1".into(), 99));
        assert_eq!(parts("http://[::1]"), (false, "::1".into(), 80));
        assert_eq!(parts("http://localhost"), (false, "localhost".into(), 80));
    }

    #[test]
    fn rejects_unusable_urls_with_a_reason() {
        let bad = [
            ("", "it is empty"),
            ("api.tenios.com", "expected https://host[:port][/path]"),
            ("ftp://x", "scheme ftp:// is not supported (use https://)"),
            ("http://example.com", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://"),
            ("http://128.0.0.1", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not 128.0.0.1; use https://"),
            ("http://localhost.evil.com", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not localhost.evil.com; use https://"),
            ("https://", "it has no host"),
            ("https://h:0", "port \"0\" is not a number from 1 to 65535"),
            ("https://h:99999", "port \"99999\" is not a number from 1 to 65535"),
            ("https://h:+80", "port \"+80\" is not a number from 1 to 65535"),
            ("https://u:p@h", "user info, query and fragment are not allowed"),
            ("https://h/?q", "user info, query and fragment are not allowed"),
            ("https://h x", "it contains whitespace or control characters"),
            ("http://[::2]", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not ::2; use https://"),
            ("http://[zz]", "[zz] is not an IPv6 address"),
        ];
        for (input, reason) in bad {
            assert_eq!(BaseUrl::parse(input).unwrap_err(), reason, "{input}");
        }
    }
}
