//! Scripted misbehaviour: a fault replaces the normal answer to one API request.

use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use crate::http::status_line;
use crate::socket;
use crate::stream::Stream;

/// `pad_to` beyond this is refused: it only has to exceed the client's 1 MiB limit.
const MAX_PAD_BYTES: usize = 64 * 1024 * 1024;
/// A hanging connection is given up after this long even if the client never closes it.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// The JSON accepted by `POST /_sim/faults`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    status: Option<u16>,
    headers: Option<Vec<(String, String)>>,
    body: Option<String>,
    pad_to: Option<usize>,
    delay_ms: Option<u64>,
    raw: Option<String>,
    drip_ms: Option<u64>,
    after: Option<After>,
}

/// What happens to the connection once the fault's bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum After {
    /// Carry on serving requests (unless the client asked to close).
    Keep,
    /// Send FIN.
    Close,
    /// Drop the connection abruptly (see `socket::close_abruptly` for the RST caveat).
    Reset,
    /// Never write anything more; wait for the client to give up.
    Hang,
}

/// A validated fault, its bytes built in advance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    delay: Duration,
    drip: Duration,
    output: Vec<u8>,
    after: After,
}

/// What the connection should do after a fault has been acted out.
#[derive(Debug, PartialEq, Eq)]
pub enum Aftermath {
    KeepOpen,
    Close,
    /// The connection has already been dealt with; just drop it.
    Finished,
}

impl Fault {
    /// Parses and validates a fault spec; `Err` explains what is wrong, for a 400 answer.
    pub fn from_json(body: &[u8]) -> Result<Fault, String> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| format!("fault spec is not valid JSON: {error}"))?;
        // serde would also accept an array for a struct; only objects make sense here.
        if !value.is_object() {
            return Err("fault spec must be a JSON object".to_owned());
        }
        let spec: FaultSpec = serde_json::from_value(value)
            .map_err(|error| format!("invalid fault spec: {error}"))?;
        spec.compile()
    }

    /// Sleeps, writes the fault's bytes, then does what `after` says.
    pub fn act_out(&self, stream: &Stream) -> Aftermath {
        if !self.delay.is_zero() {
            thread::sleep(self.delay);
        }
        let written = if self.drip.is_zero() {
            socket::write_all(stream, &self.output)
        } else {
            socket::write_dripping(stream, &self.output, self.drip)
        };
        if written.is_err() {
            return Aftermath::Finished;
        }
        match self.after {
            After::Keep => Aftermath::KeepOpen,
            After::Close => Aftermath::Close,
            After::Reset => {
                socket::close_abruptly(stream);
                Aftermath::Finished
            }
            After::Hang => {
                socket::discard_input_until(stream, Instant::now() + HANG_LIMIT);
                Aftermath::Finished
            }
        }
    }
}

impl FaultSpec {
    fn compile(self) -> Result<Fault, String> {
        let builds_response = self.status.is_some()
            || self.headers.is_some()
            || self.body.is_some()
            || self.pad_to.is_some();
        let after_default = if self.raw.is_some() {
            After::Close
        } else {
            After::Keep
        };
        let after = self.after.unwrap_or(after_default);
        let output = match self.raw {
            Some(_) if builds_response => {
                return Err(
                    "\"raw\" cannot be combined with status, headers, body or pad_to".to_owned(),
                );
            }
            Some(raw) => raw.into_bytes(),
            // `{"after": "hang"}` alone: the response head never arrives.
            None if !builds_response && after == After::Hang => Vec::new(),
            None => build_response(self.status, self.headers, self.body, self.pad_to)?,
        };
        Ok(Fault {
            delay: Duration::from_millis(self.delay_ms.unwrap_or(0)),
            drip: Duration::from_millis(self.drip_ms.unwrap_or(0)),
            output,
            after,
        })
    }
}

fn build_response(
    status: Option<u16>,
    headers: Option<Vec<(String, String)>>,
    body: Option<String>,
    pad_to: Option<usize>,
) -> Result<Vec<u8>, String> {
    let status = status.unwrap_or(200);
    if !(100..=999).contains(&status) {
        return Err(format!("status {status} is not a three-digit code"));
    }
    let headers =
        headers.unwrap_or_else(|| vec![("Content-Type".to_owned(), "application/json".to_owned())]);
    for (name, value) in &headers {
        // Line breaks would silently change the response structure; `raw` is for that.
        if name.is_empty() || name.contains(['\r', '\n', ':']) || value.contains(['\r', '\n']) {
            return Err(format!(
                "invalid header {name:?}: {value:?} (use \"raw\" for malformed heads)"
            ));
        }
    }
    let mut body = body.unwrap_or_default().into_bytes();
    if let Some(pad_to) = pad_to {
        if pad_to > MAX_PAD_BYTES {
            return Err(format!(
                "pad_to {pad_to} exceeds the limit of {MAX_PAD_BYTES} bytes"
            ));
        }
        if body.len() < pad_to {
            body.resize(pad_to, b' ');
        }
    }

    // A fault that sets its own framing headers may lie on purpose: leave them alone.
    let frames_itself = headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    let mut head = status_line(status);
    for (name, value) in &headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !frames_itself {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut output = head.into_bytes();
    output.extend_from_slice(&body);
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(spec: &str) -> Fault {
        Fault::from_json(spec.as_bytes()).unwrap_or_else(|error| panic!("{spec}: {error}"))
    }

    fn output(spec: &str) -> String {
        String::from_utf8(fault(spec).output).unwrap()
    }

    #[test]
    fn empty_spec_is_an_empty_200() {
        assert_eq!(
            fault("{}"),
            Fault {
                delay: Duration::ZERO,
                drip: Duration::ZERO,
                output: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n".to_vec(),
                after: After::Keep,
            }
        );
    }

    #[test]
    fn status_headers_and_body() {
        assert_eq!(
            output(
                r#"{"status":503,"headers":[["Content-Type","text/html"],["Retry-After","1"]],"body":"<h1>down</h1>"}"#
            ),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nRetry-After: 1\r\nContent-Length: 13\r\n\r\n<h1>down</h1>"
        );
        assert_eq!(
            output(r#"{"status":299,"headers":[]}"#),
            "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn own_framing_headers_are_kept_as_given() {
        assert_eq!(
            output(r#"{"headers":[["content-length","10"]],"body":"abc"}"#),
            "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"
        );
        assert_eq!(
            output(r#"{"headers":[["Transfer-Encoding","chunked"]],"body":"zz\r\n"}"#),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        );
    }

    #[test]
    fn pad_to_appends_spaces() {
        let text = output(r#"{"body":"{}","pad_to":5}"#);
        assert!(text.ends_with("Content-Length: 5\r\n\r\n{}   "), "{text}");
        // A body already long enough is left alone.
        assert!(output(r#"{"body":"{}","pad_to":1}"#).ends_with("\r\n\r\n{}"));
    }

    #[test]
    fn raw_and_after_defaults() {
        let raw = fault(r#"{"raw":"garbage\r\n"}"#);
        assert_eq!(raw.output, b"garbage\r\n");
        assert_eq!(raw.after, After::Close);
        assert_eq!(fault(r#"{"raw":"x","after":"keep"}"#).after, After::Keep);
        assert_eq!(fault(r#"{"raw":null}"#).after, After::Keep);
    }

    #[test]
    fn hang_alone_writes_nothing() {
        let hang = fault(r#"{"after":"hang","delay_ms":5,"drip_ms":7}"#);
        assert_eq!(hang.output, b"");
        assert_eq!(
            (hang.delay, hang.drip),
            (Duration::from_millis(5), Duration::from_millis(7))
        );
        assert!(fault(r#"{"after":"hang","status":200}"#)
            .output
            .starts_with(b"HTTP/1.1 200 OK"));
    }

    #[test]
    fn invalid_specs_are_refused() {
        for spec in [
            "",
            "[]",
            r#"[200]"#,
            r#"{"bogus":1}"#,
            r#"{"status":"200"}"#,
            r#"{"status":99}"#,
            r#"{"status":1000}"#,
            r#"{"status":70000}"#,
            r#"{"headers":[["A"]]}"#,
            r#"{"headers":[["A","b\r\nC: d"]]}"#,
            r#"{"headers":[["","b"]]}"#,
            r#"{"delay_ms":-1}"#,
            r#"{"after":"explode"}"#,
            r#"{"raw":"x","status":200}"#,
            r#"{"pad_to":100000000}"#,
        ] {
            assert!(
                Fault::from_json(spec.as_bytes()).is_err(),
                "{spec} should be refused"
            );
        }
    }
}
