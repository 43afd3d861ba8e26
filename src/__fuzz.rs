//! Entry points for the fuzz targets (fuzz/, docs/fuzzing.md): not part of the API, hidden from
//! the docs, no C face.

use crate::client::transport_error;
use crate::config::ClientConfig;
use crate::http::exchange::read_response;
use crate::response::{classify, MAX_BODY_BYTES};

/// A whole raw HTTP response (status line, header fields, empty line, body; the stream ends
/// after it) to the status number and message a call would report: `(0, "")` for success.
/// The same path a call takes: ureq-proto's response parsing and body framing in the
/// exchange, the client's transport error mapping, then the classifier of the methods that
/// answer `{"success": true}`.
pub fn response(bytes: &[u8]) -> (u32, String) {
    let outcome = match read_response(bytes, MAX_BODY_BYTES as usize) {
        Ok(response) => classify(response.status, &response.body),
        Err(failure) => Err(transport_error(
            failure,
            &ClientConfig::default(),
            false,
            true,
        )),
    };
    match outcome {
        Ok(()) => (0, String::new()),
        Err(e) => (e.status() as u32, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_responses_to_status_and_message() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"success\":true}";
        assert_eq!(response(ok), (0, String::new()));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"success\":true}\r\n0\r\n\r\n";
        assert_eq!(response(chunked), (0, String::new()));
        assert_eq!(
            response(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 76\r\n\r\n{\"error_code\":\"CALL_UUID_NOT_FOUND\",\"error_message\":\"The call wasn't found\"}"),
            (5, "CALL_UUID_NOT_FOUND: The call wasn't found".to_owned())
        );
        assert_eq!(response(b"HTTP/1.0 503\r\n\r\n").0, 8);
        // A head that never ends, or a body shorter than announced: the connection closed early.
        for short in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"succ",
        ] {
            assert_eq!(
                response(short),
                (
                    10,
                    "network error: connection closed before the response was complete".to_owned()
                ),
                "{:?}",
                String::from_utf8_lossy(short)
            );
        }
        for bad in [&b"HTTP/2 200\r\n\r\n"[..], b"HTTP/1.1 99x\r\n\r\n"] {
            assert_eq!(response(bad).0, 11, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
