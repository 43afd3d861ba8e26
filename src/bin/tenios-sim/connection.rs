//! One connection, plain or TLS: read requests one after another (keep-alive), answer each.

use std::io::{self, BufRead, BufReader};
use std::time::Duration;

use crate::api;
use crate::control;
use crate::faults::Aftermath;
use crate::http::{self, ReadError, Request, Response};
use crate::socket;
use crate::state::Simulator;
use crate::stream::Stream;

/// Read and write timeout once a request has started, so stalled peers cannot pin a thread.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an idle connection waits for its next request without `--idle-close-ms`.
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

enum Next {
    KeepOpen,
    /// Close politely (FIN after the response).
    Close,
    /// Nothing more to do or say: drop the socket.
    Drop,
}

pub fn serve(stream: Stream, connection_id: u64, simulator: &Simulator) {
    // Faults drip single bytes; Nagle would batch them.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(ACTIVE_TIMEOUT));
    let idle_timeout = simulator.idle_close.unwrap_or(DEFAULT_IDLE_TIMEOUT);
    let mut reader = BufReader::new(&stream);
    loop {
        if !next_request_arrives(&stream, &mut reader, idle_timeout) {
            // Idle too long or the client left: a plain close (FIN, after TLS's close_notify)
            // is what a server does.
            stream.send_close_notify();
            return;
        }
        let _ = stream.set_read_timeout(Some(ACTIVE_TIMEOUT));
        match serve_one(&stream, &mut reader, connection_id, simulator) {
            Next::KeepOpen => {}
            Next::Close => {
                socket::close_gracefully(&stream);
                return;
            }
            Next::Drop => return,
        }
    }
}

/// Waits up to `idle_timeout` for the first byte of the next request.
fn next_request_arrives(
    stream: &Stream,
    reader: &mut BufReader<&Stream>,
    idle_timeout: Duration,
) -> bool {
    if !reader.buffer().is_empty() {
        return true; // pipelined
    }
    if stream.set_read_timeout(Some(idle_timeout)).is_err() {
        return false;
    }
    loop {
        match reader.fill_buf() {
            Ok(buffer) => return !buffer.is_empty(),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn serve_one(
    stream: &Stream,
    reader: &mut BufReader<&Stream>,
    connection_id: u64,
    simulator: &Simulator,
) -> Next {
    let send_continue = || socket::write_all(stream, b"HTTP/1.1 100 Continue\r\n\r\n");
    let request = match http::read_request(reader, send_continue) {
        Ok(request) => request,
        Err(ReadError::Aborted) => return Next::Drop,
        Err(ReadError::Rejected { status, reason }) => {
            return send(stream, &Response::text(status, reason), true, false);
        }
    };
    let close = request.wants_close();
    let omit_body = request.method == "HEAD";

    if control::is_control_path(request.path()) {
        return send(
            stream,
            &control::handle(&request, simulator),
            close,
            omit_body,
        );
    }

    if let Some(fault) = simulator.record_api_request(connection_id, &request) {
        return match fault.act_out(stream) {
            Aftermath::KeepOpen if !close => Next::KeepOpen,
            Aftermath::KeepOpen | Aftermath::Close => Next::Close,
            Aftermath::Finished => Next::Drop,
        };
    }
    send(stream, &answer_api(&request, simulator), close, omit_body)
}

fn answer_api(request: &Request, simulator: &Simulator) -> Response {
    if !api::is_api_path(request.path()) {
        // What a load balancer in front of the real API says: not JSON.
        return Response::text(404, "Not Found");
    }
    if request.method != "POST" {
        return Response::text(405, "Method Not Allowed").with_header("Allow", "POST");
    }
    // The effect is applied before answering, so a client that reads the response then asks
    // /_sim/ always finds it there.
    match simulator.answer_api(request.path(), &request.body) {
        Some(reply) => Response::json(reply.status, reply.body),
        None => Response::text(404, "Not Found"),
    }
}

fn send(stream: &Stream, response: &Response, close: bool, omit_body: bool) -> Next {
    match socket::write_all(stream, &response.to_bytes(close, omit_body)) {
        Err(_) => Next::Drop,
        Ok(()) if close => Next::Close,
        Ok(()) => Next::KeepOpen,
    }
}
