//! One blocking HTTP/1.1 exchange, driven by ureq-proto's sans-IO client (`Call`): it writes
//! the request head and body, parses the response head, reads a length-delimited, chunked or
//! close-delimited body, and says whether the connection may carry another request. This
//! module only moves bytes between that state machine and a [`Connection`], each step within
//! the call's deadline: no HTTP framing is written here.

use ureq_proto::client::state::RecvResponse;
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};
use ureq_proto::http::Request;
use ureq_proto::BodyMode;

use crate::net::pool::Connection;
use crate::net::{Deadline, Failure};
use crate::telemetry;

/// The longest response head accepted.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The answer of one exchange.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The response ended cleanly and HTTP allows another request on the connection.
    pub(crate) reusable: bool,
}

/// How much the socket is asked for at once.
const READ_CHUNK: usize = 4 * 1024;

/// Sends `request` with `body` (head and body in one write) and reads the response, with a
/// body of at most `max_body` bytes. Uses the connection's buffer for both directions.
pub(crate) fn exchange(
    connection: &mut Connection,
    request: Request<()>,
    body: &[u8],
    max_body: usize,
    deadline: &Deadline,
) -> Result<Response, Failure> {
    let mut buffer = std::mem::take(&mut connection.buffer);
    let result = send(connection, &mut buffer, request, body, deadline)
        .and_then(|call| receive(connection, &mut buffer, call, max_body, deadline));
    connection.buffer = buffer;
    result
}

fn protocol(e: impl std::fmt::Display, status: u16) -> Failure {
    Failure::Protocol {
        message: format!("malformed HTTP response: {e}"),
        status,
    }
}

/// Writes the request; returns the call waiting for the response.
fn send(
    connection: &mut Connection,
    out: &mut Vec<u8>,
    request: Request<()>,
    body: &[u8],
    deadline: &Deadline,
) -> Result<Call<RecvResponse>, Failure> {
    let (call, used) = frame(out, request, body)?;
    telemetry::note_sending(used);
    connection.send(&out[..used], deadline)?;
    Ok(call)
}

/// Frames the request's head and body into `out` (grown as needed): how many bytes, and the
/// call waiting for the response.
fn frame(
    out: &mut Vec<u8>,
    request: Request<()>,
    body: &[u8],
) -> Result<(Call<RecvResponse>, usize), Failure> {
    let internal = |e: ureq_proto::Error| Failure::Protocol {
        message: format!("internal error: cannot frame the request: {e}"),
        status: 0,
    };
    // Room for any head of this library's and the body, so that they go out in one write.
    let needed = HEAD_ROOM + body.len();
    if out.len() < needed {
        out.resize(needed, 0);
    }
    let mut call = Call::new(request).map_err(internal)?.proceed();
    let mut used = 0;
    while !call.can_proceed() {
        let written = call.write(&mut out[used..]).map_err(internal)?;
        if written == 0 {
            return Err(internal(ureq_proto::Error::OutputOverflow));
        }
        used += written;
    }
    let call = match call.proceed().map_err(internal)? {
        Some(SendRequestResult::SendBody(mut sending)) => {
            let mut input = body;
            while !sending.can_proceed() {
                let (taken, written) = sending.write(input, &mut out[used..]).map_err(internal)?;
                if taken == 0 && written == 0 {
                    return Err(internal(ureq_proto::Error::OutputOverflow));
                }
                input = &input[taken..];
                used += written;
            }
            sending
                .proceed()
                .ok_or_else(|| internal(ureq_proto::Error::BodyContentAfterFinish))?
        }
        Some(SendRequestResult::RecvResponse(call)) => call,
        // Never asked for (no Expect header), so never given.
        Some(SendRequestResult::Await100(_)) | None => {
            return Err(internal(ureq_proto::Error::HeadersWith100))
        }
    };
    Ok((call, used))
}

/// The response in `bytes` as the exchange reads it after a POST: the server's bytes arrive
/// at once, then the stream ends. For the fuzz target of the response path (`crate::__fuzz`).
pub(crate) fn read_response(bytes: &[u8], max_body: usize) -> Result<Response, Failure> {
    struct Slice<'a>(&'a [u8]);
    impl Recv for Slice<'_> {
        fn recv(&mut self, buf: &mut [u8], _: &Deadline) -> Result<usize, Failure> {
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let request = Request::post("http://127.0.0.1/interrupt-ecc-block")
        .header("content-length", "2")
        .body(())
        .map_err(|e| Failure::Protocol {
            message: format!("internal error: {e}"),
            status: 0,
        })?;
    let mut buffer = vec![0; 8 * 1024];
    let (call, _) = frame(&mut buffer, request, b"{}")?;
    let deadline = Deadline::new(
        std::time::Instant::now() + std::time::Duration::from_secs(3600),
        crate::net::Limit::Call,
    );
    receive(&mut Slice(bytes), &mut buffer, call, max_body, &deadline)
}

/// Room for a request head: this library's are a few hundred bytes.
const HEAD_ROOM: usize = 4096;

/// Where response bytes come from: a connection, or (for the fuzz target) a byte slice.
pub(crate) trait Recv {
    /// Reads what is there, waiting until `deadline` at most; 0 at the end of the stream.
    fn recv(&mut self, buf: &mut [u8], deadline: &Deadline) -> Result<usize, Failure>;
}

impl Recv for Connection {
    fn recv(&mut self, buf: &mut [u8], deadline: &Deadline) -> Result<usize, Failure> {
        Connection::recv(self, buf, deadline)
    }
}

/// Reads the response to the end into `input` (as scratch) and a new body.
fn receive(
    connection: &mut impl Recv,
    input: &mut Vec<u8>,
    mut call: Call<RecvResponse>,
    max_body: usize,
    deadline: &Deadline,
) -> Result<Response, Failure> {
    let mut filled = 0;
    let mut first = true;
    // The head.
    let status = loop {
        let (used, response) = call
            .try_response(&input[..filled], false)
            .map_err(|e| protocol(e, 0))?;
        if let Some(response) = response {
            input.copy_within(used..filled, 0);
            filled -= used;
            break response.status().as_u16();
        }
        if used > 0 {
            // A 1xx answer was skipped.
            input.copy_within(used..filled, 0);
            filled -= used;
            continue;
        }
        if filled >= MAX_HEAD_BYTES {
            return Err(Failure::Protocol {
                message: "response headers are too large".into(),
                status: 0,
            });
        }
        if read_more(connection, input, &mut filled, deadline)? == 0 {
            return Err(Failure::ClosedEarly);
        }
        if first {
            telemetry::mark_first_byte();
            first = false;
        }
    };
    // The body.
    let mut body = Vec::new();
    let (cleanup_closes, leftover) = match call.proceed() {
        Some(RecvResponseResult::RecvBody(mut reading)) => {
            let close_delimited = reading.body_mode() == BodyMode::CloseDelimited;
            loop {
                while filled > 0 {
                    let start = body.len();
                    body.resize(start + filled, 0);
                    let (taken, written) = reading
                        .read(&input[..filled], &mut body[start..])
                        .map_err(|e| protocol(e, status))?;
                    body.truncate(start + written);
                    input.copy_within(taken..filled, 0);
                    filled -= taken;
                    if taken == 0 && written == 0 {
                        break;
                    }
                }
                if body.len() > max_body {
                    return Err(Failure::Protocol {
                        message: format!("response body is larger than {max_body} bytes"),
                        status,
                    });
                }
                if !close_delimited && reading.can_proceed() {
                    break;
                }
                if read_more(connection, input, &mut filled, deadline)? == 0 {
                    if close_delimited {
                        break;
                    }
                    return Err(Failure::ClosedEarly);
                }
            }
            match reading.proceed() {
                Some(RecvBodyResult::Cleanup(done)) => (done.must_close_connection(), filled),
                Some(RecvBodyResult::Redirect(done)) => (done.must_close_connection(), filled),
                None => return Err(Failure::ClosedEarly),
            }
        }
        Some(RecvResponseResult::Cleanup(done)) => (done.must_close_connection(), filled),
        Some(RecvResponseResult::Redirect(done)) => (done.must_close_connection(), filled),
        None => return Err(protocol("the response head is incomplete", status)),
    };
    Ok(Response {
        status,
        body,
        // Bytes after the response were never asked for: the connection is out of step.
        reusable: !cleanup_closes && leftover == 0,
    })
}

/// Reads once more into `input` after its `filled` bytes, growing it when less than
/// [`READ_CHUNK`] is free; returns how many bytes arrived.
fn read_more(
    connection: &mut impl Recv,
    input: &mut Vec<u8>,
    filled: &mut usize,
    deadline: &Deadline,
) -> Result<usize, Failure> {
    if input.len() < *filled + READ_CHUNK {
        input.resize(*filled + READ_CHUNK, 0);
    }
    let n = connection.recv(&mut input[*filled..], deadline)?;
    *filled += n;
    Ok(n)
}
