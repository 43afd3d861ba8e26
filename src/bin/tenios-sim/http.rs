//! Just enough HTTP/1.1: reading one request from a buffered stream and building responses.
//!
//! httparse parses the request head and chunk sizes; this module adds what httparse leaves to
//! its caller: reading bytes as they arrive, size limits, body framing (Content-Length,
//! chunked, `Expect: 100-continue`) and keep-alive. Responses are written byte by byte here
//! (and by `faults`, which must be able to write anything at all). Reading is generic over
//! `BufRead` so it can be unit-tested on byte slices; timeouts and the socket itself are the
//! caller's business.

use std::io::{self, BufRead, Read};

/// Request line plus header fields, in bytes. Larger heads get 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest accepted request body. Larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A chunk-size line (hex size plus extensions) longer than this is refused.
const MAX_CHUNK_LINE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// The peer went away or stalled mid-request: there is no one to answer.
    Aborted,
    /// The request is unacceptable: answer with this status and explanation, then close.
    Rejected { status: u16, reason: &'static str },
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Aborted
    }
}

fn bad_request(reason: &'static str) -> ReadError {
    ReadError::Rejected {
        status: 400,
        reason,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target exactly as sent, query string included.
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    /// Header fields in arrival order with their original case.
    pub headers: Vec<(String, String)>,
    /// The body after any chunked transfer coding is removed.
    pub body: Vec<u8>,
}

impl Request {
    /// The target without its query string.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _query)| path)
    }

    /// Whether the client asked for the connection to end after this exchange.
    pub fn wants_close(&self) -> bool {
        let tokens: Vec<String> = header_tokens(&self.headers, "connection").collect();
        if tokens.iter().any(|token| token == "close") {
            return true;
        }
        self.minor_version == 0 && !tokens.iter().any(|token| token == "keep-alive")
    }
}

/// Lowercased comma-separated tokens of every field called `name`.
fn header_tokens<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = String> + 'a {
    headers
        .iter()
        .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
        .flat_map(|(_, value)| value.split(','))
        .map(|token| token.trim().to_ascii_lowercase())
        .filter(|token| !token.is_empty())
}

/// How many header fields a request may have; more get 431 like an oversized head.
const MAX_HEADERS: usize = 256;

/// Reads one request. `send_continue` is called when the client waits for
/// `100 Continue` before sending its body.
///
/// The head (request line and header fields) is parsed by httparse, fed from the reader's
/// buffer as bytes arrive; only the bytes of this request are consumed, so pipelined requests
/// stay in the reader for the next call.
pub fn read_request(
    reader: &mut impl BufRead,
    send_continue: impl FnOnce() -> io::Result<()>,
) -> Result<Request, ReadError> {
    let head = read_head(reader)?;
    let Head {
        method,
        target,
        minor_version,
        headers,
    } = head;

    let framing = body_framing(&headers, minor_version)?;
    let expects_continue = minor_version >= 1
        && framing != Framing::Empty
        && header_tokens(&headers, "expect").any(|token| token == "100-continue");
    if expects_continue {
        send_continue()?;
    }
    let body = match framing {
        Framing::Empty => Vec::new(),
        Framing::Length(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            body
        }
        Framing::Chunked => read_chunked_body(reader)?,
    };
    Ok(Request {
        method,
        target,
        minor_version,
        headers,
        body,
    })
}

struct Head {
    method: String,
    target: String,
    minor_version: u8,
    headers: Vec<(String, String)>,
}

/// Feeds bytes to httparse until the head is complete, at most `MAX_HEAD_BYTES` of them.
/// httparse refuses an invalid byte as soon as it sees it, so a peer speaking another protocol
/// (a TLS ClientHello, say) is refused at once rather than waited on for a line end.
///
/// httparse cannot resume, so each parse reads the head from its start. To stay linear in the
/// head's size however the bytes arrive (a byte per read, say), it parses only when the end of
/// the head may have arrived (an empty line after the request line), when the bytes have doubled
/// since the last parse (so that a bad byte is still refused early), at the size limit, and when
/// the peer closes with bytes not yet parsed.
fn read_head(reader: &mut impl BufRead) -> Result<Head, ReadError> {
    let mut bytes: Vec<u8> = Vec::new();
    let mut parsed_len = 0;
    let mut end = HeadEnd::default();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            // The peer closed before (or in the middle of) a request; a refusal the bytes not
            // yet parsed hold is still the answer.
            if bytes.len() > parsed_len {
                parse_head(&bytes)?;
            }
            return Err(ReadError::Aborted);
        }
        let taken = available.len().min(MAX_HEAD_BYTES - bytes.len());
        let before = bytes.len();
        bytes.extend_from_slice(&available[..taken]);
        let may_be_complete = end.scan(&bytes, before);
        if !(may_be_complete || bytes.len() >= 2 * parsed_len || bytes.len() == MAX_HEAD_BYTES) {
            reader.consume(taken);
            continue;
        }
        parsed_len = bytes.len();
        match parse_head(&bytes)? {
            Some((head_length, head)) => {
                reader.consume(head_length - before);
                return Ok(head);
            }
            None => {
                reader.consume(taken);
                if bytes.len() == MAX_HEAD_BYTES {
                    return Err(head_too_large());
                }
            }
        }
    }
}

/// The head in `bytes` and its length, None when it is not complete yet, or the refusal.
fn parse_head(bytes: &[u8]) -> Result<Option<(usize, Head)>, ReadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut fields);
    match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(head_length)) => Ok(Some((head_length, head_from(&parsed)?))),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => Err(head_too_large()),
        Err(error) => Err(head_error(error, bytes)),
    }
}

fn head_too_large() -> ReadError {
    ReadError::Rejected {
        status: 431,
        reason: "request header section too large",
    }
}

/// Where a head may end: an empty line (`\n\n` or `\n\r\n`) after the first byte that is not
/// part of the empty lines a request may start with. Scans each byte once.
#[derive(Default)]
struct HeadEnd {
    /// Where the request line starts, once a byte other than CR or LF has arrived.
    request_line: Option<usize>,
}

impl HeadEnd {
    /// Whether `bytes[from..]`, the bytes just arrived, hold a possible end of the head.
    fn scan(&mut self, bytes: &[u8], from: usize) -> bool {
        let start = match self.request_line {
            Some(start) => start,
            None => match bytes[from..]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
            {
                Some(offset) => {
                    self.request_line = Some(from + offset);
                    from + offset
                }
                None => return false,
            },
        };
        (from.max(start + 1)..bytes.len()).any(|i| {
            bytes[i] == b'\n'
                && (bytes[i - 1] == b'\n'
                    || (bytes[i - 1] == b'\r' && i >= start + 2 && bytes[i - 2] == b'\n'))
        })
    }
}

fn head_from(parsed: &httparse::Request<'_, '_>) -> Result<Head, ReadError> {
    // httparse fills all three once the head is complete.
    let (Some(method), Some(target), Some(minor_version)) =
        (parsed.method, parsed.path, parsed.version)
    else {
        return Err(bad_request("malformed request line"));
    };
    // httparse lets UTF-8 through in the target; a request target is ASCII (RFC 9112).
    if !target.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(bad_request("invalid request target"));
    }
    let headers = parsed
        .headers
        .iter()
        .map(|field| {
            (
                field.name.to_owned(),
                String::from_utf8_lossy(field.value).into_owned(),
            )
        })
        .collect();
    Ok(Head {
        method: method.to_owned(),
        target: target.to_owned(),
        minor_version,
        headers,
    })
}

/// The answer to a head httparse refused. A version other than HTTP/1.0 or 1.1 gets 505
/// when the request line otherwise looks like HTTP.
fn head_error(error: httparse::Error, bytes: &[u8]) -> ReadError {
    match error {
        httparse::Error::HeaderName => bad_request("invalid header line"),
        httparse::Error::HeaderValue => bad_request("invalid header value"),
        httparse::Error::Version if request_line_version(bytes).starts_with(b"HTTP/") => {
            ReadError::Rejected {
                status: 505,
                reason: "HTTP version not supported",
            }
        }
        _ => bad_request("malformed request line"),
    }
}

/// The third space-separated part of the first non-empty line (empty if there is none).
fn request_line_version(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&byte| byte != b'\r' && byte != b'\n')
        .unwrap_or(bytes.len());
    let line = bytes[start..]
        .split(|&byte| byte == b'\n')
        .next()
        .unwrap_or(&[]);
    line.split(|&byte| byte == b' ').nth(2).unwrap_or(&[])
}

/// Reads one line of at most `*budget` bytes, without its line ending (CRLF or a bare LF).
fn read_line(
    reader: &mut impl BufRead,
    budget: &mut usize,
    too_long: ReadError,
) -> Result<Vec<u8>, ReadError> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(*budget as u64)
        .read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        // Either the budget ran out before the line did, or the peer hung up mid-line.
        return Err(if read == *budget {
            too_long
        } else {
            ReadError::Aborted
        });
    }
    *budget -= read;
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(line)
}

fn body_framing(headers: &[(String, String)], minor_version: u8) -> Result<Framing, ReadError> {
    let has_field = |name: &str| {
        headers
            .iter()
            .any(|(field, _)| field.eq_ignore_ascii_case(name))
    };

    if has_field("transfer-encoding") {
        // Both framings at once is a request-smuggling pattern; RFC 9112 allows refusing it.
        if has_field("content-length") {
            return Err(bad_request("both Transfer-Encoding and Content-Length"));
        }
        if minor_version == 0 {
            return Err(bad_request("Transfer-Encoding in an HTTP/1.0 request"));
        }
        let codings: Vec<String> = header_tokens(headers, "transfer-encoding").collect();
        if codings != ["chunked"] {
            return Err(ReadError::Rejected {
                status: 501,
                reason: "unsupported transfer coding (only chunked is supported)",
            });
        }
        return Ok(Framing::Chunked);
    }

    // Repeated Content-Length fields (or a list) are fine only if they all agree.
    let mut length: Option<u64> = None;
    for (_, value) in headers
        .iter()
        .filter(|(field, _)| field.eq_ignore_ascii_case("content-length"))
    {
        for item in value.split(',').map(str::trim) {
            if item.is_empty() || !item.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(bad_request("invalid Content-Length"));
            }
            // All digits, so parsing can only fail by overflowing: far too large either way.
            let item_length = item.parse::<u64>().unwrap_or(u64::MAX);
            if length.is_some_and(|previous| previous != item_length) {
                return Err(bad_request("conflicting Content-Length values"));
            }
            length = Some(item_length);
        }
    }
    match length {
        None | Some(0) => Ok(Framing::Empty),
        Some(length) if length > MAX_BODY_BYTES as u64 => Err(body_too_large()),
        Some(length) => Ok(Framing::Length(length as usize)),
    }
}

fn body_too_large() -> ReadError {
    ReadError::Rejected {
        status: 413,
        reason: "request body larger than 1 MiB",
    }
}

fn read_chunked_body(reader: &mut impl BufRead) -> Result<Vec<u8>, ReadError> {
    let size_line_too_long = bad_request("chunk size line too long");
    let missing_crlf = bad_request("chunk data not followed by CRLF");
    let mut body = Vec::new();
    loop {
        // The line is read here (bounded, bare LF allowed), its size parsed by httparse.
        let mut budget = MAX_CHUNK_LINE_BYTES;
        let mut line = read_line(reader, &mut budget, size_line_too_long)?;
        line.extend_from_slice(b"\r\n");
        let size = match httparse::parse_chunk_size(&line) {
            Ok(httparse::Status::Complete((_, size))) => size,
            // A complete line cannot be partial; anything else is not a chunk size.
            Ok(httparse::Status::Partial) => return Err(bad_request("invalid chunk size")),
            // httparse refuses sizes of more than 16 hex digits: far too large, not malformed.
            Err(_) if is_long_hex_size(&line) => return Err(body_too_large()),
            Err(_) => return Err(bad_request("invalid chunk size")),
        };
        if size == 0 {
            break;
        }
        if size > (MAX_BODY_BYTES - body.len()) as u64 {
            return Err(body_too_large());
        }
        let start = body.len();
        body.resize(start + size as usize, 0);
        reader.read_exact(&mut body[start..])?;
        let mut crlf_budget = 2;
        if !read_line(reader, &mut crlf_budget, missing_crlf)?.is_empty() {
            return Err(missing_crlf);
        }
    }
    // Trailer fields are read and ignored.
    let mut budget = MAX_HEAD_BYTES;
    let too_large = ReadError::Rejected {
        status: 431,
        reason: "trailer section too large",
    };
    while !read_line(reader, &mut budget, too_large)?.is_empty() {}
    Ok(body)
}

/// A chunk-size line whose size is more than 16 hex digits.
fn is_long_hex_size(line: &[u8]) -> bool {
    let digits = line
        .iter()
        .take_while(|byte| byte.is_ascii_hexdigit())
        .count();
    digits > 16 && matches!(line.get(digits), Some(b'\r' | b';' | b' ' | b'\t'))
}

/// A complete response with a body; `Content-Length` is added when serializing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body: body.into().into_bytes(),
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain".to_owned())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The bytes to send. `close` adds `Connection: close`; `omit_body` is for HEAD requests,
    /// whose responses carry the length of a body that is not sent.
    pub fn to_bytes(&self, close: bool, omit_body: bool) -> Vec<u8> {
        let mut head = status_line(self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        if !omit_body {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }
}

/// `HTTP/1.1 <status> <reason>\r\n`; an unknown status gets an empty reason, which the
/// grammar allows.
pub fn status_line(status: u16) -> String {
    format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status))
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Request, ReadError> {
        read_request(&mut &bytes[..], || Ok(()))
    }

    fn rejected(status: u16) -> impl Fn(&Result<Request, ReadError>) -> bool {
        move |result| matches!(result, Err(ReadError::Rejected { status: s, .. }) if *s == status)
    }

    #[test]
    fn reads_a_request_with_content_length() {
        let request = read(
            b"POST /x?y=1 HTTP/1.1\r\nHost: a\r\ncontent-length: 2\r\nX-Odd:  v v \r\n\r\n{}rest",
        )
        .unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/x?y=1");
        assert_eq!(request.path(), "/x");
        assert_eq!(request.minor_version, 1);
        assert_eq!(
            request.headers,
            [
                ("Host".to_owned(), "a".to_owned()),
                ("content-length".to_owned(), "2".to_owned()),
                ("X-Odd".to_owned(), "v v".to_owned()),
            ]
        );
        assert_eq!(request.body, b"{}");
        assert!(!request.wants_close());
    }

    #[test]
    fn reads_consecutive_requests_from_one_stream() {
        let mut stream: &[u8] = b"GET /a HTTP/1.1\n\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
        let first = read_request(&mut stream, || Ok(())).unwrap();
        let second = read_request(&mut stream, || Ok(())).unwrap();
        assert_eq!((first.target.as_str(), first.wants_close()), ("/a", false));
        assert_eq!((second.target.as_str(), second.wants_close()), ("/b", true));
        assert_eq!(
            read_request(&mut stream, || Ok(())),
            Err(ReadError::Aborted)
        );
    }

    #[test]
    fn heads_arriving_a_byte_at_a_time_leave_the_next_request_unread() {
        let bytes: &[u8] =
            b"\r\nPOST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.1\r\n\r\n";
        let mut reader = std::io::BufReader::with_capacity(1, bytes);
        let first = read_request(&mut reader, || Ok(())).unwrap();
        assert_eq!((first.target.as_str(), &first.body[..]), ("/a", &b"{}"[..]));
        let second = read_request(&mut reader, || Ok(())).unwrap();
        assert_eq!(second.target, "/b");
        assert_eq!(
            read_request(&mut reader, || Ok(())),
            Err(ReadError::Aborted)
        );
    }

    /// Every request of these tests, and the worst heads, read through buffers of 1, 2 and 7
    /// bytes: the same answer however the bytes arrive.
    #[test]
    fn the_answer_does_not_depend_on_how_the_bytes_arrive() {
        let mut inputs: Vec<Vec<u8>> = vec![
            b"POST /x?y=1 HTTP/1.1\r\nHost: a\r\ncontent-length: 2\r\n\r\n{}".to_vec(),
            b"\r\n\n\r\nGET / HTTP/1.1\n\n".to_vec(),
            b"GET / HTTP/1.1\r\nA: b\r\n\r".to_vec(),
            b"GET / HTTP/1.1\r\nA: b\n\r\n".to_vec(),
            b"GET / HTTP/2.0\r\n\r\n".to_vec(),
            b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n".to_vec(),
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            format!(
                "GET / HTTP/1.1\r\n{}\r\n",
                "A: b\r\n".repeat(MAX_HEADERS + 1)
            )
            .into_bytes(),
        ];
        let mut huge_head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge_head.resize(MAX_HEAD_BYTES + 10, b'a');
        inputs.push(huge_head);
        for bytes in &inputs {
            let whole = read(bytes);
            for capacity in [1, 2, 7] {
                let mut reader = std::io::BufReader::with_capacity(capacity, &bytes[..]);
                assert_eq!(
                    read_request(&mut reader, || Ok(())),
                    whole,
                    "{capacity}: {:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }

    /// A 64 KiB head sent a byte at a time is parsed a handful of times, not once per byte
    /// (about 1 s in a release build before; a few milliseconds now). A generous bound.
    #[test]
    fn a_head_arriving_a_byte_at_a_time_is_read_in_linear_time() {
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.resize(MAX_HEAD_BYTES - 4, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        let mut blank_lines = b"\r\n".repeat(MAX_HEAD_BYTES / 2 - 16);
        blank_lines.extend_from_slice(b"GET / HTTP/1.1\r\n\r\n");
        for bytes in [head, blank_lines] {
            let started = std::time::Instant::now();
            let mut reader = std::io::BufReader::with_capacity(1, &bytes[..]);
            assert!(read_request(&mut reader, || Ok(())).is_ok());
            let took = started.elapsed();
            assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
        }
    }

    #[test]
    fn non_ascii_targets_and_too_many_fields_are_refused() {
        assert!(rejected(400)(&read("GET /ä HTTP/1.1\r\n\r\n".as_bytes())));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "A: b\r\n".repeat(MAX_HEADERS + 1)
        );
        assert!(rejected(431)(&read(many.as_bytes())));
        let enough = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(MAX_HEADERS));
        assert_eq!(read(enough.as_bytes()).unwrap().headers.len(), MAX_HEADERS);
    }

    #[test]
    fn http_1_0_closes_unless_keep_alive() {
        assert!(read(b"GET / HTTP/1.0\r\n\r\n").unwrap().wants_close());
        assert!(!read(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            .unwrap()
            .wants_close());
    }

    #[test]
    fn missing_content_length_means_empty_body() {
        assert_eq!(read(b"POST / HTTP/1.1\r\n\r\n{}").unwrap().body, b"");
    }

    #[test]
    fn decodes_chunked_bodies() {
        let request = read(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nTrailer: x\r\n\r\n",
        )
        .unwrap();
        assert_eq!(request.body, b"{\"a\":1}");
    }

    #[test]
    fn sends_100_continue_only_when_asked_and_a_body_follows() {
        let mut continued = false;
        let bytes = b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx";
        read_request(&mut &bytes[..], || {
            continued = true;
            Ok(())
        })
        .unwrap();
        assert!(continued);
        let mut continued = false;
        let bytes = b"POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n";
        read_request(&mut &bytes[..], || {
            continued = true;
            Ok(())
        })
        .unwrap();
        assert!(!continued);
    }

    #[test]
    fn truncated_input_is_aborted() {
        assert_eq!(read(b""), Err(ReadError::Aborted));
        assert_eq!(read(b"POST / HTTP/1.1\r\nHost"), Err(ReadError::Aborted));
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"),
            Err(ReadError::Aborted)
        );
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"),
            Err(ReadError::Aborted)
        );
    }

    #[test]
    fn malformed_requests_are_rejected() {
        for bytes in [
            &b"GARBAGE\r\n\r\n"[..],
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1 extra\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b"GET / FTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n",
            b"GET / HTTP/1.1\r\n: v\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz\r\n0\r\n\r\n",
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ] {
            assert!(
                rejected(400)(&read(bytes)),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert!(rejected(505)(&read(b"GET / HTTP/2.0\r\n\r\n")));
        // A TLS ClientHello is refused at its first byte, without waiting for a line end.
        assert!(rejected(400)(&read(
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
        )));
        assert!(rejected(501)(&read(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        )));
    }

    #[test]
    fn agreeing_content_lengths_are_accepted() {
        let request =
            read(b"POST / HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab")
                .unwrap();
        assert_eq!(request.body, b"ab");
    }

    #[test]
    fn size_limits() {
        let mut huge_head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge_head.resize(MAX_HEAD_BYTES + 10, b'a');
        assert!(rejected(431)(&read(&huge_head)));

        let too_long = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        );
        assert!(rejected(413)(&read(too_long.as_bytes())));
        assert!(rejected(413)(&read(
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"
        )));
        let too_big_chunk = format!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_BODY_BYTES + 1
        );
        assert!(rejected(413)(&read(too_big_chunk.as_bytes())));
        assert!(rejected(413)(&read(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffff\r\n"
        )));

        let exactly_max = format!("POST / HTTP/1.1\r\nContent-Length: {MAX_BODY_BYTES}\r\n\r\n");
        let mut bytes = exactly_max.into_bytes();
        bytes.resize(bytes.len() + MAX_BODY_BYTES, b' ');
        assert_eq!(read(&bytes).unwrap().body.len(), MAX_BODY_BYTES);
    }

    #[test]
    fn response_bytes() {
        let response = Response::text(405, "Method Not Allowed").with_header("Allow", "POST");
        assert_eq!(
            response.to_bytes(true, false),
            b"HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nAllow: POST\r\nContent-Length: 18\r\nConnection: close\r\n\r\nMethod Not Allowed"
        );
        assert_eq!(
            Response::json(200, "{}").to_bytes(false, true),
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
        );
        assert_eq!(status_line(599), "HTTP/1.1 599 \r\n");
    }
}
