//! A tiny blocking HTTP/1.1 client for the webhook: one `POST` per connection, plain TCP to
//! a loopback address only, with one deadline for the whole exchange.
//!
//! TENIOS itself calls HTTPS URLs on the internet; the simulator calls the user's server on
//! this machine, so `http://` to 127.0.0.0/8, `localhost` or `[::1]` is all it needs.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The largest answer read (a blocks list is a few KiB).
const MAX_ANSWER: usize = 1 << 20;
/// How many header fields an answer may have.
const MAX_HEADERS: usize = 64;

/// Where the webhook is: `http://HOST:PORT/PATH` with a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    pub address: SocketAddr,
    /// The `Host` header: the host and port as written in the URL.
    pub host: String,
    /// The request target: the path and query, `/` when the URL has none.
    pub target: String,
}

impl WebhookUrl {
    /// Parses `http://127.0.0.1:8080/hook`, `http://localhost:8080`, `http://[::1]:8080/x`.
    /// The port defaults to 80. Anything else (https, another host) is refused with a message.
    pub fn parse(url: &str) -> Result<WebhookUrl, String> {
        let refuse = |why: &str| format!("--webhook: '{url}' {why}");
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => {
                return Err(refuse(
                    "is not an http:// URL (the simulator calls plain HTTP)",
                ))
            }
            None => return Err(refuse("is not a URL (http://127.0.0.1:PORT/PATH)")),
        };
        let (authority, target) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], rest[at..].to_owned()),
            None => (rest, "/".to_owned()),
        };
        let target = if target.starts_with('?') {
            format!("/{target}")
        } else {
            target
        };
        if target.contains('#') || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(refuse(
                "has a fragment, spaces or control characters in its path",
            ));
        }
        if authority.contains('@') {
            return Err(refuse(
                "has user information: the webhook's only key is accessKey",
            ));
        }
        let (host, port) =
            split_host_port(authority).ok_or_else(|| refuse("has a bad host or port"))?;
        let ip = match host.to_ascii_lowercase().as_str() {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            "[::1]" => IpAddr::V6(Ipv6Addr::LOCALHOST),
            other => match other.parse::<Ipv4Addr>() {
                Ok(ip) if ip.is_loopback() => IpAddr::V4(ip),
                _ => {
                    return Err(refuse(
                        "is not on this machine (127.0.0.0/8, localhost or [::1] only)",
                    ))
                }
            },
        };
        Ok(WebhookUrl {
            address: SocketAddr::new(ip, port),
            host: authority.to_owned(),
            target,
        })
    }
}

/// `host:port`, `host`, `[v6]:port` or `[v6]`.
fn split_host_port(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        match &authority[end..] {
            "" => (&authority[..end], None),
            rest => (&authority[..end], Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        None => 80,
        Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            text.parse().ok().filter(|port| *port != 0)?
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// The webhook's answer: status and body (chunked coding removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// POSTs `body` as JSON and reads the answer, all within `timeout`. `Err` says what went
/// wrong (refused, timed out, not HTTP, too big).
pub fn post(url: &WebhookUrl, body: &str, timeout: Duration) -> Result<Answer, String> {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&url.address, timeout)
        .map_err(|error| format!("cannot connect to {}: {error}", url.address))?;
    let _ = stream.set_nodelay(true);
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tenios-sim\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        url.target,
        url.host,
        body.len()
    );
    set_timeouts(&stream, deadline)?;
    stream
        .write_all(request.as_bytes())
        .map_err(|error| format!("cannot send the request: {}", describe(&error)))?;
    read_answer(&mut stream, deadline)
}

fn set_timeouts(stream: &TcpStream, deadline: Instant) -> Result<(), String> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|left| !left.is_zero())
        .ok_or_else(|| "no answer in time".to_owned())?;
    stream
        .set_read_timeout(Some(left))
        .and_then(|()| stream.set_write_timeout(Some(left)))
        .map_err(|error| format!("socket error: {error}"))
}

fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            "no answer in time".to_owned()
        }
        _ => error.to_string(),
    }
}

/// Reads until the answer is complete: by Content-Length, chunked coding, or the end of the
/// connection (we asked for `Connection: close`).
fn read_answer(stream: &mut TcpStream, deadline: Instant) -> Result<Answer, String> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    let mut eof = false;
    loop {
        if let Some(answer) = complete(&bytes, eof)? {
            return Ok(answer);
        }
        if eof {
            return Err(if bytes.is_empty() {
                "the connection closed without an answer".to_owned()
            } else {
                "the answer ended early".to_owned()
            });
        }
        if bytes.len() > MAX_ANSWER {
            return Err(format!("the answer is larger than {MAX_ANSWER} bytes"));
        }
        set_timeouts(stream, deadline)?;
        match stream.read(&mut buffer) {
            Ok(0) => eof = true,
            Ok(read) => bytes.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error)
                if error.kind() == std::io::ErrorKind::ConnectionReset && !bytes.is_empty() =>
            {
                eof = true;
            }
            Err(error) => return Err(format!("reading the answer: {}", describe(&error))),
        }
    }
}

/// The answer in `bytes` if it is complete (`eof`: nothing more will come).
fn complete(bytes: &[u8], eof: bool) -> Result<Option<Answer>, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(error) => return Err(format!("the answer is not HTTP: {error}")),
    };
    let status = response.code.unwrap_or(0);
    if (100..200).contains(&status) {
        // 100 Continue and friends: the real answer follows.
        return complete(&bytes[head_len..], eof);
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .map(|header| {
                String::from_utf8_lossy(header.value)
                    .trim()
                    .to_ascii_lowercase()
            })
    };
    let rest = &bytes[head_len..];
    if header("transfer-encoding").is_some_and(|coding| coding.ends_with("chunked")) {
        return Ok(dechunk(rest)?.map(|body| Answer { status, body }));
    }
    if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| format!("the answer's Content-Length '{length}' is not a number"))?;
        if length > MAX_ANSWER {
            return Err(format!("the answer is larger than {MAX_ANSWER} bytes"));
        }
        return Ok((rest.len() >= length).then(|| Answer {
            status,
            body: rest[..length].to_vec(),
        }));
    }
    if status == 204 || status == 304 {
        return Ok(Some(Answer {
            status,
            body: Vec::new(),
        }));
    }
    Ok(eof.then(|| Answer {
        status,
        body: rest.to_vec(),
    }))
}

/// The body of a complete chunked message (`None`: more to come).
fn dechunk(mut rest: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = rest.windows(2).position(|pair| pair == b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("the answer's chunk size '{size_text}' is not hexadecimal"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(Some(body)); // trailers, if any, are not needed
        }
        if body.len() + size > MAX_ANSWER {
            return Err(format!("the answer is larger than {MAX_ANSWER} bytes"));
        }
        if rest.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    #[test]
    fn urls() {
        let url = WebhookUrl::parse("http://127.0.0.1:8080/hook?x=1").unwrap();
        assert_eq!(url.address, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(url.host, "127.0.0.1:8080");
        assert_eq!(url.target, "/hook?x=1");
        let url = WebhookUrl::parse("HTTP://localhost").unwrap();
        assert_eq!(url.address, "127.0.0.1:80".parse().unwrap());
        assert_eq!(url.target, "/");
        let url = WebhookUrl::parse("http://[::1]:9/a").unwrap();
        assert_eq!(url.address, "[::1]:9".parse().unwrap());
        assert_eq!(
            WebhookUrl::parse("http://127.1.2.3:1?q").unwrap().target,
            "/?q"
        );
        for bad in [
            "https://127.0.0.1:8080/",
            "127.0.0.1:8080",
            "http://example.com/hook",
            "http://10.0.0.1:80/",
            "http://0.0.0.0:80/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:x/",
            "http://127.0.0.1:/",
            "http://u:p@127.0.0.1:80/",
            "http://127.0.0.1:80/a b",
            "http://:80/",
            "http://[::2]:80/",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }

    /// A one-shot server that reads the request head and answers `answer`.
    fn serve_once(answer: &'static [u8]) -> WebhookUrl {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buffer = [0u8; 1024];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = stream.read(&mut buffer).unwrap();
                seen.extend_from_slice(&buffer[..read]);
            }
            stream.write_all(answer).unwrap();
        });
        WebhookUrl::parse(&format!("http://127.0.0.1:{port}/hook")).unwrap()
    }

    #[test]
    fn answers_by_length_chunked_and_close() {
        let second = Duration::from_secs(5);
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra");
        assert_eq!(
            post(&url, "{}", second).unwrap(),
            Answer {
                status: 200,
                body: b"{}".to_vec()
            }
        );
        let url = serve_once(b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n1;x\r\n \r\n0\r\n\r\n");
        assert_eq!(
            post(&url, "{}", second).unwrap(),
            Answer {
                status: 201,
                body: b"{} ".to_vec()
            }
        );
        let url = serve_once(b"HTTP/1.0 500 Oops\r\n\r\nbroken");
        assert_eq!(
            post(&url, "{}", second).unwrap(),
            Answer {
                status: 500,
                body: b"broken".to_vec()
            }
        );
        let url = serve_once(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        );
        assert_eq!(
            post(&url, "{}", second).unwrap(),
            Answer {
                status: 200,
                body: Vec::new()
            }
        );
        let url = serve_once(b"nonsense\r\n\r\n");
        assert!(post(&url, "{}", second)
            .unwrap_err()
            .starts_with("the answer is not HTTP"));
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}");
        assert_eq!(
            post(&url, "{}", second).unwrap_err(),
            "the answer ended early"
        );
    }

    #[test]
    fn refused_and_silent_servers() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let url = WebhookUrl::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        // Accepted by the backlog but never answered: the deadline ends it.
        let started = Instant::now();
        let error = post(&url, "{}", Duration::from_millis(200)).unwrap_err();
        assert!(error.contains("no answer in time"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(3));
        drop(listener);
        let error = post(&url, "{}", Duration::from_secs(1)).unwrap_err();
        assert!(error.starts_with("cannot connect"), "{error}");
    }
}
