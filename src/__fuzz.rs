//! Entry points for the fuzz targets (fuzz/, docs/fuzzing.md): not part of the API, hidden from
//! the docs, no C face.
//!
//! [`response`] is an interim stand-in for the HTTP exchange: it splits a raw response at its
//! first empty line, reads the status code from the status line and hands the body to the
//! classifier the methods use. It does not do what the real exchange does with headers
//! (framing, chunked bodies, connection rules); the exchange on ureq-proto replaces its body.

use crate::error::Error;
use crate::response::{classify, MAX_BODY_BYTES};

/// A whole raw HTTP response (status line, header fields, empty line, body) to the status
/// number and message a call would report: `(0, "")` for success.
pub fn response(bytes: &[u8]) -> (u32, String) {
    match outcome(bytes) {
        Ok(()) => (0, String::new()),
        Err(e) => (e.status() as u32, e.to_string()),
    }
}

fn outcome(bytes: &[u8]) -> Result<(), Error> {
    let protocol = |message: &str, http_status: u16| Error::Protocol {
        message: message.to_owned(),
        http_status,
    };
    let Some(head_end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(protocol("malformed HTTP response: no end of head", 0));
    };
    let status = status_code(&bytes[..head_end])
        .ok_or_else(|| protocol("malformed HTTP response: bad status line", 0))?;
    let body = &bytes[head_end + 4..];
    if body.len() as u64 > MAX_BODY_BYTES {
        return Err(protocol(
            &format!("response body is larger than {MAX_BODY_BYTES} bytes"),
            status,
        ));
    }
    classify(status, body)
}

/// The code of a status line `HTTP/1.x DDD[ reason]`: three digits, 100 to 599.
fn status_code(head: &[u8]) -> Option<u16> {
    let line = head.split(|&b| b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let rest = line
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| line.strip_prefix(b"HTTP/1.0 "))?;
    let (digits, after) = rest.split_at_checked(3)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(after.is_empty() || after[0] == b' ') {
        return None;
    }
    let code = digits
        .iter()
        .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    (100..=599).contains(&code).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_responses_to_status_and_message() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true}";
        assert_eq!(response(ok), (0, String::new()));
        assert_eq!(
            response(b"HTTP/1.1 400 Bad Request\r\n\r\n{\"error_code\":\"CALL_UUID_NOT_FOUND\",\"error_message\":\"The call wasn't found\"}"),
            (5, "CALL_UUID_NOT_FOUND: The call wasn't found".to_owned())
        );
        assert_eq!(
            response(b"HTTP/1.0 503\r\n\r\n"),
            (8, "HTTP 503 with no API error in the body".to_owned())
        );
        for bad in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"HTTP/2 200\r\n\r\n",
            b"HTTP/1.1 99x\r\n\r\n",
        ] {
            assert_eq!(response(bad).0, 11, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
