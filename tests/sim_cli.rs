//! Black-box tests of the `tenios-sim` binary: spawn it, speak raw HTTP/1.1 over TCP.
//!
//! Deliberately independent of the library under test (no ureq, no tenios): a bug in the
//! client must not be able to hide a bug in the simulator it is tested against.
#![cfg(feature = "sim")]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const KEY: &str = "sim-access-key";
const LIVE: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";
const STUCK: &str = "11111111-2222-3333-4444-555555555555";
const UNKNOWN: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
/// Upper bound for any single read, so a broken simulator fails tests instead of hanging them.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A running simulator, killed when dropped.
struct Sim {
    child: Child,
    port: u16,
}

impl Sim {
    fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .arg("--follow-parent")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn tenios-sim");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut sim = Sim { child, port: 0 };
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the startup line");
        sim.port = line
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('\n'))
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected startup line {line:?}"));
        sim
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// One exchange on a fresh keep-alive connection.
    fn interrupt(&self, access_key: &str, call_uuid: &str) -> Reply {
        self.connect().post(
            "/interrupt-ecc-block",
            &interrupt_body(access_key, call_uuid),
            "",
        )
    }

    /// One exchange on a fresh connection that the client closes (`Connection: close`).
    fn control(&self, method: &str, path: &str, body: &str) -> Reply {
        let mut client = self.connect();
        client.send(&format!(
            "{method} {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
        let reply = client.read_response();
        client.expect_eof();
        reply
    }

    fn control_json(&self, method: &str, path: &str, body: &str) -> Value {
        let reply = self.control(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        serde_json::from_slice(&reply.body).expect("control endpoint answers JSON")
    }

    fn push_fault(&self, spec: &str) {
        let reply = self.control("POST", "/_sim/faults", spec);
        assert_eq!(reply.text(), ok_json("{}", true), "fault {spec}");
    }

    fn interrupts(&self) -> Value {
        self.control_json("GET", "/_sim/interrupts", "")
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    reader: BufReader<TcpStream>,
}

struct Reply {
    /// Status line, headers and body exactly as received.
    bytes: Vec<u8>,
    status: u16,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl Client {
    fn send(&mut self, raw: &str) {
        self.send_bytes(raw.as_bytes());
    }

    fn send_bytes(&mut self, raw: &[u8]) {
        let stream = self.reader.get_mut();
        stream.write_all(raw).expect("write request");
        stream.flush().unwrap();
    }

    fn post(&mut self, path: &str, body: &str, extra_headers: &str) -> Reply {
        self.send(&post_request(path, body, extra_headers));
        self.read_response()
    }

    /// Reads one response framed by Content-Length (the simulator always sends one).
    fn read_response(&mut self) -> Reply {
        let mut bytes = Vec::new();
        loop {
            let mut line = Vec::new();
            let read = self
                .reader
                .read_until(b'\n', &mut line)
                .expect("read response head");
            assert!(
                read > 0,
                "connection closed mid-head after {:?}",
                String::from_utf8_lossy(&bytes)
            );
            bytes.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
        let head = String::from_utf8(bytes.clone()).expect("ASCII head");
        let status = head
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("bad status line in {head:?}"));
        let length = head
            .lines()
            .filter_map(|line| line.split_once(": "))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, value)| {
                value.parse::<usize>().expect("numeric Content-Length")
            });
        let mut body = vec![0; length];
        self.reader
            .read_exact(&mut body)
            .expect("read response body");
        bytes.extend_from_slice(&body);
        Reply {
            bytes,
            status,
            body,
        }
    }

    fn read_to_end(&mut self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .expect("read until the server closes");
        bytes
    }

    /// Asserts that the server has closed the connection (clean EOF or reset), with no data.
    fn expect_eof(&mut self) {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => {}
            Ok(_) => panic!("expected EOF, got data {:?}", byte[0] as char),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
            Err(error) => panic!("expected EOF, got {error}"),
        }
    }
}

fn interrupt_body(access_key: &str, call_uuid: &str) -> String {
    format!(r#"{{"access_key":"{access_key}","call_uuid":"{call_uuid}"}}"#)
}

fn post_request(path: &str, body: &str, extra_headers: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

fn response(status_line: &str, content_type: &str, body: &str, close: bool) -> String {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!(
        "{status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{connection}\r\n{body}",
        body.len()
    )
}

fn ok_json(body: &str, close: bool) -> String {
    response("HTTP/1.1 200 OK", "application/json", body, close)
}

fn bad_request_json(body: &str) -> String {
    response("HTTP/1.1 400 Bad Request", "application/json", body, false)
}

const SUCCESS: &str = r#"{"success":true}"#;
const INVALID_JSON: &str = r#"{"error_code":"INVALID_JSON","error_message":"An invalid JSON object was provided in the request body.","fields":[]}"#;

/// A config file in the temp directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("tenios-sim-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("write temp file");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn success_is_answered_and_the_interrupt_recorded() {
    let sim = Sim::start(&["--call", LIVE]);
    assert_eq!(sim.interrupts(), json!([]));
    assert_eq!(sim.interrupt(KEY, LIVE).text(), ok_json(SUCCESS, false));
    // Known calls match case-insensitively; the log keeps the UUID as sent.
    let upper = LIVE.to_uppercase();
    assert_eq!(sim.interrupt(KEY, &upper).text(), ok_json(SUCCESS, false));
    assert_eq!(sim.interrupts(), json!([LIVE, upper]));
}

#[test]
fn each_error_rule_answers_exactly() {
    let sim = Sim::start(&["--call", LIVE, "--stuck-call", STUCK]);
    let cases = [
        ("not json".to_owned(), INVALID_JSON.to_owned()),
        ("[]".to_owned(), INVALID_JSON.to_owned()),
        (format!(r#"{{"call_uuid":"{LIVE}"}}"#), INVALID_JSON.to_owned()),
        (format!(r#"{{"access_key":"{KEY}","call_uuid":7}}"#), INVALID_JSON.to_owned()),
        (
            format!(r#"{{"access_key":"{KEY}","call_uuid":"{LIVE}","sip_uri":"x","destination":"y"}}"#),
            r#"{"success":false,"error_code":"INVALID_VALUE","error_message":"Invalid parameter type or format","fields":["destination","sip_uri"]}"#.to_owned(),
        ),
        (
            interrupt_body("wrong-key", LIVE),
            r#"{"success":false,"error_code":"BAD_CREDENTIALS","error_message":"Bad credentials","fields":[]}"#.to_owned(),
        ),
        (
            interrupt_body(KEY, "123456789"),
            r#"{"error_code":"INVALID_FIELD","error_message":"Invalid 'call_uuid' input parameter. Invalid value - '123456789'.","fields":["call_uuid"]}"#.to_owned(),
        ),
        (
            interrupt_body(KEY, UNKNOWN),
            r#"{"success":false,"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#.to_owned(),
        ),
        (
            interrupt_body(KEY, STUCK),
            r#"{"success":false,"error_code":"BLOCK_NOT_INTERRUPTIBLE","error_message":"The current block of the call can't be interrupted","fields":["call_uuid"]}"#.to_owned(),
        ),
    ];
    // All on one keep-alive connection: errors must not end it.
    let mut client = sim.connect();
    for (body, expected) in &cases {
        let reply = client.post("/interrupt-ecc-block", body, "");
        assert_eq!(
            reply.text(),
            bad_request_json(expected),
            "request body {body}"
        );
    }
    assert_eq!(sim.interrupts(), json!([]));
}

#[test]
fn unknown_paths_and_methods_get_plain_text() {
    let sim = Sim::start(&["--call", LIVE]);
    let mut client = sim.connect();
    assert_eq!(
        client
            .post("/call/hangup", &interrupt_body(KEY, LIVE), "")
            .text(),
        response("HTTP/1.1 404 Not Found", "text/plain", "Not Found", false)
    );
    client.send("GET /interrupt-ecc-block HTTP/1.1\r\nHost: sim\r\n\r\n");
    assert_eq!(
        client.read_response().text(),
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nAllow: POST\r\nContent-Length: 18\r\n\r\nMethod Not Allowed"
    );
    // A query string does not change the route.
    let reply = client.post("/interrupt-ecc-block?x=1", &interrupt_body(KEY, LIVE), "");
    assert_eq!(reply.text(), ok_json(SUCCESS, false));
    assert_eq!(sim.control("GET", "/_sim/nothing", "").status, 404);
    assert_eq!(sim.control("POST", "/_sim/requests", "").status, 405);
    // Every API request is recorded, whatever its path or method; control requests never are.
    let paths: Vec<Value> = sim
        .control_json("GET", "/_sim/requests", "")
        .as_array()
        .unwrap()
        .iter()
        .map(|request| json!([request["method"], request["path"]]))
        .collect();
    assert_eq!(
        paths,
        [
            json!(["POST", "/call/hangup"]),
            json!(["GET", "/interrupt-ecc-block"]),
            json!(["POST", "/interrupt-ecc-block?x=1"]),
        ]
    );
}

#[test]
fn requests_are_recorded_with_exact_headers_body_and_connection() {
    let sim = Sim::start(&["--call", LIVE]);
    let body = interrupt_body(KEY, LIVE);

    let mut first = sim.connect();
    first.send(&format!(
        "POST /interrupt-ecc-block HTTP/1.1\r\nhost: 127.0.0.1\r\nX-Mixed-CASE:  padded value \r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    assert_eq!(first.read_response().status, 200);
    // Same connection, chunked body: recorded decoded.
    let (head, tail) = body.split_at(10);
    first.send(&format!(
        "POST /interrupt-ecc-block HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{head}\r\n{:x}\r\n{tail}\r\n0\r\n\r\n",
        head.len(),
        tail.len()
    ));
    assert_eq!(first.read_response().status, 200);

    let mut second = sim.connect();
    second.send("POST /interrupt-ecc-block HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(
        second.read_to_end(),
        response(
            "HTTP/1.1 400 Bad Request",
            "application/json",
            INVALID_JSON,
            true
        )
        .into_bytes()
    );

    assert_eq!(
        sim.control_json("GET", "/_sim/requests", ""),
        json!([
            {
                "method": "POST",
                "path": "/interrupt-ecc-block",
                "headers": [["host", "127.0.0.1"], ["X-Mixed-CASE", "padded value"], ["Content-Length", body.len().to_string()]],
                "body": body,
                "connection": 1,
            },
            {
                "method": "POST",
                "path": "/interrupt-ecc-block",
                "headers": [["Transfer-Encoding", "chunked"]],
                "body": body,
                "connection": 1,
            },
            {
                "method": "POST",
                "path": "/interrupt-ecc-block",
                "headers": [["Connection", "close"]],
                "body": "",
                "connection": 2,
            },
        ])
    );
    // Control connections (several by now) do not count.
    assert_eq!(
        sim.control("GET", "/_sim/stats", "").text(),
        ok_json(r#"{"connections":2,"requests":3}"#, true)
    );
}

#[test]
fn reset_clears_requests_interrupts_stats_and_faults() {
    let sim = Sim::start(&["--call", LIVE]);
    assert_eq!(sim.interrupt(KEY, LIVE).status, 200);
    sim.push_fault(r#"{"status":500}"#);
    assert_eq!(
        sim.control("POST", "/_sim/reset", "").text(),
        ok_json("{}", true)
    );
    assert_eq!(sim.control_json("GET", "/_sim/requests", ""), json!([]));
    assert_eq!(sim.interrupts(), json!([]));
    assert_eq!(
        sim.control("GET", "/_sim/stats", "").text(),
        ok_json(r#"{"connections":0,"requests":0}"#, true)
    );
    // The queued 500 is gone.
    assert_eq!(sim.interrupt(KEY, LIVE).text(), ok_json(SUCCESS, false));
}

#[test]
fn fault_replaces_one_answer_then_the_connection_goes_on() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(
        r#"{"status":503,"headers":[["Content-Type","text/html"]],"body":"<h1>down</h1>"}"#,
    );
    sim.push_fault(r#"{"status":403,"body":"{}"}"#);
    let mut client = sim.connect();
    let body = interrupt_body(KEY, LIVE);
    assert_eq!(
        client.post("/interrupt-ecc-block", &body, "").text(),
        response(
            "HTTP/1.1 503 Service Unavailable",
            "text/html",
            "<h1>down</h1>",
            false
        )
    );
    assert_eq!(
        client.post("/interrupt-ecc-block", &body, "").text(),
        response("HTTP/1.1 403 Forbidden", "application/json", "{}", false)
    );
    assert_eq!(
        client.post("/interrupt-ecc-block", &body, "").text(),
        ok_json(SUCCESS, false)
    );
    // Faulted requests are still recorded, but only the real answer interrupted the call.
    let recorded = sim.control_json("GET", "/_sim/requests", "");
    assert_eq!(recorded.as_array().unwrap().len(), 3);
    assert_eq!(sim.interrupts(), json!([LIVE]));
}

#[test]
fn fault_pad_to_makes_a_large_valid_body() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(r#"{"body":"{\"success\":true}","pad_to":2000000}"#);
    let reply = sim.interrupt(KEY, LIVE);
    assert_eq!(reply.status, 200);
    assert!(reply.text().starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n{\"success\":true}"));
    assert_eq!(reply.body.len(), 2_000_000);
    assert!(reply.body[SUCCESS.len()..].iter().all(|&byte| byte == b' '));
}

#[test]
fn fault_raw_is_written_verbatim_then_closed() {
    let sim = Sim::start(&["--call", LIVE]);
    let raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"succ";
    sim.push_fault(&json!({ "raw": raw }).to_string());
    let mut client = sim.connect();
    client.send(&post_request(
        "/interrupt-ecc-block",
        &interrupt_body(KEY, LIVE),
        "",
    ));
    assert_eq!(client.read_to_end(), raw.as_bytes());
}

#[test]
fn fault_own_framing_headers_are_not_corrected() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(r#"{"headers":[["Content-Length","50"]],"body":"{}","after":"close"}"#);
    let mut client = sim.connect();
    client.send(&post_request(
        "/interrupt-ecc-block",
        &interrupt_body(KEY, LIVE),
        "",
    ));
    assert_eq!(
        client.read_to_end(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}"
    );
}

#[test]
fn fault_delay_holds_the_answer_back() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(r#"{"delay_ms":400,"body":"{}"}"#);
    let started = Instant::now();
    let reply = sim.interrupt(KEY, LIVE);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "answered after {:?}",
        started.elapsed()
    );
    assert_eq!(reply.text(), ok_json("{}", false));
}

#[test]
fn fault_drip_still_delivers_every_byte() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(r#"{"body":"{}","drip_ms":1}"#);
    assert_eq!(sim.interrupt(KEY, LIVE).text(), ok_json("{}", false));
}

#[test]
fn fault_after_hang_sends_nothing() {
    let sim = Sim::start(&["--call", LIVE]);
    sim.push_fault(r#"{"after":"hang"}"#);
    let mut client = sim.connect();
    client.send(&post_request(
        "/interrupt-ecc-block",
        &interrupt_body(KEY, LIVE),
        "",
    ));
    client
        .reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let error = client
        .reader
        .read(&mut byte)
        .expect_err("a hanging server sends nothing");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
    // Other connections are unaffected.
    assert_eq!(sim.interrupt(KEY, LIVE).text(), ok_json(SUCCESS, false));
}

#[test]
fn fault_after_close_and_reset_end_the_connection() {
    let sim = Sim::start(&["--call", LIVE]);
    for after in ["close", "reset"] {
        sim.push_fault(&format!(r#"{{"body":"{{}}","after":"{after}"}}"#));
        let mut client = sim.connect();
        assert_eq!(
            client
                .post("/interrupt-ecc-block", &interrupt_body(KEY, LIVE), "")
                .text(),
            ok_json("{}", false),
            "after {after}"
        );
        client.expect_eof();
    }
}

#[test]
fn invalid_fault_specs_are_refused() {
    let sim = Sim::start(&[]);
    for spec in [
        r#"{"bogus":1}"#,
        "[]",
        "{",
        r#"{"after":"later"}"#,
        r#"{"raw":"x","status":500}"#,
    ] {
        let reply = sim.control("POST", "/_sim/faults", spec);
        assert_eq!(reply.status, 400, "{spec}");
        assert!(
            reply.text().contains("Content-Type: text/plain\r\n"),
            "{spec}"
        );
    }
    let reply = sim.control("POST", "/_sim/faults", r#"{"bogus":1}"#);
    assert!(String::from_utf8_lossy(&reply.body).contains("bogus"));
    // Nothing was queued.
    assert_eq!(sim.interrupt(KEY, UNKNOWN).status, 400);
}

#[test]
fn config_file_sets_key_and_calls_and_flags_override_it() {
    let config = TempFile::new(
        "config.json",
        &json!({
            "access_key": "file-key",
            "calls": [
                {"call_uuid": LIVE, "interruptible": true},
                {"call_uuid": STUCK, "interruptible": false},
            ],
        })
        .to_string(),
    );
    let sim = Sim::start(&["--config", config.path()]);
    assert_eq!(
        sim.interrupt("file-key", LIVE).text(),
        ok_json(SUCCESS, false)
    );
    assert!(sim
        .interrupt("file-key", STUCK)
        .text()
        .contains("BLOCK_NOT_INTERRUPTIBLE"));
    assert!(sim.interrupt(KEY, LIVE).text().contains("BAD_CREDENTIALS"));
    drop(sim);

    let sim = Sim::start(&[
        "--config",
        config.path(),
        "--access-key",
        "flag-key",
        "--call",
        STUCK,
    ]);
    assert_eq!(
        sim.interrupt("flag-key", STUCK).text(),
        ok_json(SUCCESS, false)
    );
    assert_eq!(
        sim.interrupt("flag-key", LIVE).text(),
        ok_json(SUCCESS, false)
    );
    assert!(sim
        .interrupt("file-key", LIVE)
        .text()
        .contains("BAD_CREDENTIALS"));
}

#[test]
fn stuck_call_flag_makes_a_call_uninterruptible() {
    let sim = Sim::start(&["--stuck-call", &STUCK.to_uppercase(), "--access-key", "k"]);
    assert_eq!(
        sim.interrupt("k", STUCK).text(),
        bad_request_json(
            r#"{"success":false,"error_code":"BLOCK_NOT_INTERRUPTIBLE","error_message":"The current block of the call can't be interrupted","fields":["call_uuid"]}"#
        )
    );
}

#[test]
fn bad_arguments_exit_with_status_2() {
    let bad_json = TempFile::new("bad.json", "{not json");
    let unknown_key = TempFile::new("unknown-key.json", r#"{"access_key":"k","extra":1}"#);
    let bad_uuid = TempFile::new("bad-uuid.json", r#"{"calls":[{"call_uuid":"nope"}]}"#);
    let cases: [&[&str]; 12] = [
        &["--bogus"],
        &["--port"],
        &["--port", "65536"],
        &["--port", "http"],
        &["--call", "123"],
        &["--idle-close-ms", "-5"],
        &["--config", "/nonexistent/tenios-sim.json"],
        &["--config", bad_json.path()],
        &["--config", unknown_key.path()],
        &["--config", bad_uuid.path()],
        &["--record-stop-success", "yes"],
        &["--record-stop-success"],
    ];
    for args in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tenios-sim");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }

    let help = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: tenios-sim"));
}

#[test]
fn idle_close_ms_closes_an_idle_keep_alive_connection() {
    let sim = Sim::start(&["--call", LIVE, "--idle-close-ms", "200"]);
    let mut client = sim.connect();
    assert_eq!(
        client
            .post("/interrupt-ecc-block", &interrupt_body(KEY, LIVE), "")
            .status,
        200
    );
    let idle_since = Instant::now();
    client.expect_eof();
    assert!(
        idle_since.elapsed() >= Duration::from_millis(150),
        "closed after {:?}",
        idle_since.elapsed()
    );
}

#[test]
fn connection_close_is_honoured() {
    let sim = Sim::start(&["--call", LIVE]);
    let mut client = sim.connect();
    client.send(&post_request(
        "/interrupt-ecc-block",
        &interrupt_body(KEY, LIVE),
        "Connection: close\r\n",
    ));
    assert_eq!(client.read_to_end(), ok_json(SUCCESS, true).into_bytes());
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let sim = Sim::start(&["--call", LIVE]);
    let mut client = sim.connect();
    let request = post_request("/interrupt-ecc-block", &interrupt_body(KEY, LIVE), "");
    client.send(&format!("{request}{request}"));
    assert_eq!(client.read_response().text(), ok_json(SUCCESS, false));
    assert_eq!(client.read_response().text(), ok_json(SUCCESS, false));
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let sim = Sim::start(&["--call", LIVE]);
    let mut client = sim.connect();
    let body = interrupt_body(KEY, LIVE);
    client.send(&format!(
        "POST /interrupt-ecc-block HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    assert_eq!(
        client.read_response().text(),
        "HTTP/1.1 100 Continue\r\n\r\n"
    );
    client.send(&body);
    assert_eq!(client.read_response().text(), ok_json(SUCCESS, false));
}

#[test]
fn malformed_and_oversized_requests_get_an_error_and_a_close() {
    let sim = Sim::start(&[]);
    let mut huge_head = "GET / HTTP/1.1\r\nX-Big: ".to_owned();
    huge_head.push_str(&"a".repeat(70 * 1024));
    let cases = [
        (
            "POST /interrupt-ecc-block HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n".to_owned(),
            response(
                "HTTP/1.1 413 Content Too Large",
                "text/plain",
                "request body larger than 1 MiB",
                true,
            ),
        ),
        (
            "BROKEN\r\n\r\n".to_owned(),
            response(
                "HTTP/1.1 400 Bad Request",
                "text/plain",
                "malformed request line",
                true,
            ),
        ),
        (
            huge_head,
            response(
                "HTTP/1.1 431 Request Header Fields Too Large",
                "text/plain",
                "request header section too large",
                true,
            ),
        ),
    ];
    for (request, expected) in cases {
        let mut client = sim.connect();
        client.send(&request);
        assert_eq!(String::from_utf8_lossy(&client.read_to_end()), expected);
    }
    // The start of a TLS ClientHello (no line end in sight) is refused at once, so a client
    // that speaks https to this plain-HTTP server fails fast instead of waiting for a timeout.
    let mut client = sim.connect();
    client.send_bytes(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03");
    assert_eq!(
        String::from_utf8_lossy(&client.read_to_end()),
        response(
            "HTTP/1.1 400 Bad Request",
            "text/plain",
            "malformed request line",
            true
        )
    );
    // Rejected requests are not recorded, and the server is still up.
    assert_eq!(sim.control_json("GET", "/_sim/requests", ""), json!([]));
}

/// sh starts the simulator in the background with `extra` arguments, reports its pid, and
/// exits, orphaning it. Returns the simulator's pid and port.
#[cfg(unix)]
fn start_orphaned(extra: &[&str]) -> (String, u16) {
    let mut shell = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" "$@" & echo "pid $!"; sleep 0.3"#)
        .arg(env!("CARGO_BIN_EXE_tenios-sim"))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn sh");
    let mut lines = BufReader::new(shell.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap);
    let (mut pid, mut port) = (None, None);
    for _ in 0..2 {
        let line = lines.next().expect("two lines: pid and listening");
        if let Some(value) = line.strip_prefix("pid ") {
            pid = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("listening on http://127.0.0.1:") {
            port = Some(value.parse::<u16>().unwrap());
        }
    }
    shell.wait().unwrap();
    (pid.expect("pid line"), port.expect("listening line"))
}

/// Whether something still accepts on `port` after `wait` (polled every 50 ms until then
/// for a simulator that should go, once at the end for one that should stay).
#[cfg(unix)]
fn listening_after(port: u16, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_err() {
            return false;
        }
        if Instant::now() > deadline {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn with_follow_parent_exits_when_its_parent_exits() {
    // The parent watch checks every 0.5 s: the orphan must notice within a second or so.
    let (pid, port) = start_orphaned(&["--follow-parent"]);
    if listening_after(port, Duration::from_secs(10)) {
        // Do not leak the orphan when the feature is broken.
        let _ = Command::new("kill").arg(&pid).status();
        panic!("tenios-sim --follow-parent (pid {pid}) kept running after its parent exited");
    }
}

#[cfg(unix)]
#[test]
fn without_follow_parent_outlives_its_parent() {
    // A CI step starts the simulator and ends; the next step uses it.
    let (pid, port) = start_orphaned(&[]);
    // Three times the parent watch's period: a watch still running would have fired.
    std::thread::sleep(Duration::from_millis(1500));
    let alive = TcpStream::connect(("127.0.0.1", port)).is_ok();
    let _ = Command::new("kill").arg(&pid).status();
    assert!(alive, "tenios-sim (pid {pid}) quit when its parent exited");
    assert!(
        !listening_after(port, Duration::from_secs(10)),
        "tenios-sim (pid {pid}) did not stop on SIGTERM"
    );
}

#[test]
fn address_file_holds_the_base_url() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sim-cli-address-file");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("address");
    let sim = Sim::start(&["--address-file", file.to_str().unwrap()]);
    // The file is complete before the line is printed, and nothing else is left beside it.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("http://127.0.0.1:{}\n", sim.port)
    );
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("address")]);

    // An unwritable place is an error at start, before serving.
    let output = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
        .args(["--address-file", "/nonexistent/dir/address"])
        .stdin(Stdio::null())
        .output()
        .expect("run tenios-sim");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .starts_with("tenios-sim: --address-file /nonexistent/dir/address: cannot write: "),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------------------- HTTPS

/// The certificates of tests/tls/make-certs.sh, in this binary's own directory.
fn tls_certs() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sim-cli-tls-certs");
    let status = Command::new("sh")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tls/make-certs.sh"
        ))
        .arg(&dir)
        .status()
        .expect("sh runs make-certs.sh (needs the openssl command)");
    assert!(status.success(), "make-certs.sh failed");
    dir
}

#[test]
fn bad_tls_files_exit_with_status_2() {
    let certs = tls_certs();
    let file = |name: &str| certs.join(name).to_str().unwrap().to_owned();
    let not_pem = TempFile::new("not.pem", "not PEM at all\n");
    let (cert, key) = (file("server.pem"), file("server.key"));
    let cases: [(&[&str], String); 7] = [
        (
            &["--tls-cert", &cert],
            "--tls-cert needs --tls-key too".into(),
        ),
        (
            &["--tls-key", &key],
            "--tls-key needs --tls-cert too".into(),
        ),
        (
            &["--tls-cert", "/nonexistent/cert.pem", "--tls-key", &key],
            "--tls-cert /nonexistent/cert.pem: cannot read: ".into(),
        ),
        (
            &["--tls-cert", not_pem.path(), "--tls-key", &key],
            format!("--tls-cert {}: no PEM certificates in it", not_pem.path()),
        ),
        (
            &["--tls-cert", &cert, "--tls-key", "/nonexistent/key.pem"],
            "--tls-key /nonexistent/key.pem: cannot read: ".into(),
        ),
        (
            // A certificate where the key should be.
            &["--tls-cert", &cert, "--tls-key", &cert],
            format!("--tls-key {cert}: no PEM private key in it"),
        ),
        (
            // A key that is not the certificate's.
            &["--tls-cert", &cert, "--tls-key", &file("other-ca.key")],
            format!(
                "--tls-cert {cert} / --tls-key {}: unusable: ",
                file("other-ca.key")
            ),
        ),
    ];
    for (args, message) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tenios-sim");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.starts_with(&format!("tenios-sim: {message}")),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn tls_flags_serve_https() {
    let certs = tls_certs();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
        .arg("--follow-parent")
        .arg("--tls-cert")
        .arg(certs.join("server.pem"))
        .arg("--tls-key")
        .arg(certs.join("server.key"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn tenios-sim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let sim = Sim { child, port: 0 }; // killed when dropped
    let port: u16 = line
        .strip_prefix("listening on https://127.0.0.1:")
        .and_then(|rest| rest.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("unexpected startup line {line:?}"));

    // Plain HTTP gets no HTTP answer: a TLS alert record (0x15) or nothing, then the close.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    plain
        .write_all(b"GET /_sim/stats HTTP/1.1\r\nHost: sim\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        answer.is_empty() || answer[0] == 0x15,
        "not a TLS alert: {:?}",
        String::from_utf8_lossy(&answer)
    );

    // A rustls client that trusts the test CA, independent of the library's client.
    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read(certs.join("ca.pem")).unwrap();
    let ca = rustls::pki_types::pem::PemObject::from_pem_slice(&ca).unwrap();
    roots.add(ca).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    for name in ["localhost", "127.0.0.1"] {
        let server_name = rustls::pki_types::ServerName::try_from(name).unwrap();
        let connection =
            rustls::ClientConnection::new(std::sync::Arc::new(config.clone()), server_name)
                .unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
        tcp.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        tls.write_all(b"GET /_sim/stats HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = Vec::new();
        // The simulator ends with close_notify, so this is a clean EOF, not an error.
        tls.read_to_end(&mut reply).expect("clean TLS close");
        let reply = String::from_utf8(reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.ends_with("\r\n\r\n{\"connections\":0,\"requests\":0}"),
            "{reply}"
        );
    }
    drop(sim);
}
