//! An HTTP proxy's CONNECT tunnel, written once here: the request, the proxy's answer read
//! with ureq-proto's response parser, and its status reported as it is.

use std::fmt;
use std::time::Instant;

use ureq_proto::parser::try_parse_response;

use super::socket::Conn;
use super::{Deadline, Failure};
use crate::telemetry::{self, LogLevel};

/// The longest answer head accepted from a proxy.
const MAX_ANSWER_HEAD: usize = 16 * 1024;
/// The most header lines accepted in it.
const MAX_ANSWER_HEADERS: usize = 64;

/// An HTTP proxy: where it is, and the Basic credentials of its URL, if any.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    host: String,
    port: u16,
    /// `user:password`, percent-decoded, base64-encoded for `Proxy-Authorization`.
    authorization: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "credentials",
                &self.authorization.as_ref().map(|_| "hidden"),
            )
            .finish()
    }
}

impl Proxy {
    /// From a URL already checked to be `http://[user[:password]@]host:port[/]`.
    pub(crate) fn new(host: &str, port: u16, userinfo: Option<&str>) -> Result<Proxy, String> {
        let authorization = match userinfo {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let decoded = format!("{}:{}", percent_decode(user)?, percent_decode(password)?);
                Some(base64(decoded.as_bytes()))
            }
        };
        Ok(Proxy {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            authorization,
        })
    }

    /// The proxy's host, without brackets for IPv6.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Asks `proxy` (connected as `conn`) for a tunnel to `host:port` and reads its answer, within
/// `deadline`. On success the socket is the tunnel.
pub(crate) fn tunnel(
    conn: &Conn,
    proxy: &Proxy,
    host: &str,
    port: u16,
    user_agent: &str,
    deadline: &Deadline,
) -> Result<(), Failure> {
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: {user_agent}\r\n\
         Proxy-Connection: Keep-Alive\r\n"
    );
    if let Some(credentials) = &proxy.authorization {
        request.push_str("Proxy-Authorization: Basic ");
        request.push_str(credentials);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let start = Instant::now();
    conn.write_all(request.as_bytes(), deadline)?;
    telemetry::event(LogLevel::Info, || {
        format!(
            "CONNECT {target} sent to the proxy ({} bytes)",
            request.len()
        )
    });
    // Read only up to the end of the answer's head: what follows belongs to the tunnel, and
    // neither TLS nor HTTP lets the API speak first, so nothing may follow yet.
    let mut answer = Vec::with_capacity(512);
    let mut buf = [0u8; 1024];
    let status = loop {
        let n = conn.read(&mut buf, deadline)?;
        if n == 0 {
            return Err(Failure::ProxyProtocol(
                "the proxy closed the connection before answering CONNECT".into(),
            ));
        }
        answer.extend_from_slice(&buf[..n]);
        match try_parse_response::<MAX_ANSWER_HEADERS>(&answer) {
            Ok(Some((used, response))) => {
                if used != answer.len() && response.status().is_success() {
                    return Err(Failure::ProxyProtocol(
                        "the proxy sent bytes after its answer to CONNECT".into(),
                    ));
                }
                break response.status().as_u16();
            }
            Ok(None) if answer.len() < MAX_ANSWER_HEAD => {}
            Ok(None) => {
                return Err(Failure::ProxyProtocol(
                    "the proxy's answer to CONNECT is too large".into(),
                ))
            }
            Err(e) => {
                return Err(Failure::ProxyProtocol(format!(
                    "the proxy's answer to CONNECT is not HTTP: {e}"
                )))
            }
        }
    };
    let took = start.elapsed();
    telemetry::event(LogLevel::Info, || {
        format!(
            "proxy answered CONNECT with HTTP {status} in {}",
            telemetry::ms(took)
        )
    });
    telemetry::add_connection(took, std::time::Duration::ZERO);
    if !(200..300).contains(&status) {
        return Err(Failure::ProxyRefused(status));
    }
    Ok(())
}

/// Percent-decoding of a URL's user info, as UTF-8.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a % in the user info is not followed by two hex digits")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the user info is not UTF-8 once decoded".into())
}

/// Standard base64 with padding (RFC 4648), for the Basic credentials.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
    }

    #[test]
    fn user_info_is_percent_decoded_once() {
        let proxy = Proxy::new("[::1]", 3128, Some("us%40er:p%2Bss+%2525")).unwrap();
        assert_eq!(proxy.host(), "::1");
        assert_eq!(proxy.authorization, Some(base64(b"us@er:p+ss+%25")));
        assert!(Proxy::new("h", 1, Some("a:%zz")).is_err());
        assert_eq!(
            format!("{proxy:?}"),
            "Proxy { host: \"::1\", port: 3128, credentials: Some(\"hidden\") }"
        );
    }
}
