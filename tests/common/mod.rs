//! A tenios-sim process for one test, and a little client for its control endpoints.
#![allow(dead_code)] // each test binary uses a different part

pub mod c_api;
pub mod hook;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const KEY: &str = "test-key-7f3a9c";
pub const CALL: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";
pub const STUCK_CALL: &str = "5a1d2b3c-0000-4e6f-8a9b-0c1d2e3f4a5b";
pub const UNKNOWN_CALL: &str = "00000000-1111-2222-3333-444444444444";

/// What every message about a rejected access key says after the API's text.
#[allow(dead_code)]
pub const KEY_HINT: &str = "check the access key: the TENIOS customer portal shows it under \
MY ACCOUNT > General settings, API section";

/// The library's message for a call the API did not find: the simulator's words, then the
/// hint that repeats the uuid.
#[allow(dead_code)]
pub fn call_not_found(call_uuid: &str) -> String {
    format!(
        "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid); no live call has the \
         uuid {call_uuid}: the call may have ended (the caller hung up or it was transferred \
         away), or the uuid is wrong"
    )
}

pub struct Sim {
    child: Child,
    pub url: String,
    control: ureq::Agent,
}

impl Sim {
    /// Starts a simulator that knows `KEY`, `CALL` (interruptible) and `STUCK_CALL`.
    pub fn start() -> Sim {
        Sim::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Sim {
        let mut args = vec![
            "--access-key",
            KEY,
            "--call",
            CALL,
            "--stuck-call",
            STUCK_CALL,
        ];
        args.extend_from_slice(extra);
        Sim::start_bare(&args)
    }

    /// Starts a simulator with exactly these arguments (no key or calls of its own).
    pub fn start_bare(args: &[&str]) -> Sim {
        // --follow-parent: a test binary that dies never leaves a simulator behind.
        let mut child = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .arg("--follow-parent")
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("tenios-sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let control = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Sim {
            child,
            url,
            control,
        }
    }

    /// Starts a simulator that serves HTTPS with the PEM files `cert` (chain) and `key`; its
    /// `url` is `https://127.0.0.1:PORT`. The control client trusts only the CA in `ca_pem`.
    pub fn start_tls(
        cert: &std::path::Path,
        key: &std::path::Path,
        ca_pem: &std::path::Path,
    ) -> Sim {
        let cert = cert.to_str().expect("UTF-8 path");
        let key = key.to_str().expect("UTF-8 path");
        let mut sim = Sim::start_with(&["--tls-cert", cert, "--tls-key", key]);
        assert!(sim.url.starts_with("https://"), "{}", sim.url);
        let pem = std::fs::read(ca_pem).expect("CA file readable");
        let roots = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item.expect("valid PEM") {
                ureq::tls::PemItem::Certificate(cert) => Some(cert),
                _ => None,
            })
            .collect::<Vec<_>>();
        sim.control = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(roots)))
                    .build(),
            )
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        sim
    }

    pub fn get(&self, what: &str) -> Value {
        let mut response = self
            .control
            .get(format!("{}/_sim/{what}", self.url))
            .call()
            .unwrap();
        serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap()
    }

    /// The API requests the simulator received, as recorded.
    pub fn requests(&self) -> Vec<Value> {
        self.get("requests").as_array().unwrap().clone()
    }

    pub fn request_count(&self) -> u64 {
        self.get("stats")["requests"].as_u64().unwrap()
    }

    pub fn connection_count(&self) -> u64 {
        self.get("stats")["connections"].as_u64().unwrap()
    }

    pub fn interrupts(&self) -> Vec<String> {
        serde_json::from_value(self.get("interrupts")).unwrap()
    }

    /// Every call as `/_sim/calls` shows it.
    pub fn calls(&self) -> Vec<Value> {
        self.get("calls").as_array().unwrap().clone()
    }

    /// One call as `/_sim/calls/<uuid>` shows it.
    pub fn call(&self, call_uuid: &str) -> Value {
        self.get(&format!("calls/{call_uuid}"))
    }

    /// The status of `GET /_sim/<what>` (for the 404 of an unknown call).
    pub fn get_status(&self, what: &str) -> u16 {
        self.control
            .get(format!("{}/_sim/{what}", self.url))
            .call()
            .unwrap()
            .status()
            .as_u16()
    }

    /// `POST /_sim/reset`.
    pub fn reset(&self) {
        let status = self
            .control
            .post(format!("{}/_sim/reset", self.url))
            .send("")
            .unwrap()
            .status()
            .as_u16();
        assert_eq!(status, 200);
    }

    /// POSTs `body` (sent byte for byte) to the API method at `path`; returns the status, the
    /// Content-Type and the body exactly as received.
    pub fn api(&self, path: &str, body: &str) -> (u16, String, String) {
        let mut response = self
            .control
            .post(format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.body_mut().read_to_string().unwrap();
        (response.status().as_u16(), content_type, body)
    }

    /// Queues a canned answer for the next API request.
    pub fn fault(&self, spec: Value) {
        let status = self
            .control
            .post(format!("{}/_sim/faults", self.url))
            .header("Content-Type", "application/json")
            .send(spec.to_string())
            .map(|r| r.status().as_u16())
            .unwrap();
        assert_eq!(status, 200, "fault {spec} accepted");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A loopback listener standing in for the API where a test must prove that nothing was sent:
/// it counts the connections made to it (stricter than counting requests) and drops each at
/// once. Point a client at [`CountingServer::url`] explicitly (a client handle's base URL):
/// the default client reads `TENIOS_API_URL` only when the library is loaded.
pub struct CountingServer {
    pub url: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl CountingServer {
    pub fn start() -> CountingServer {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&connections);
        std::thread::spawn(move || {
            for _ in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        CountingServer { url, connections }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The value of a header in a recorded request (names compared case-insensitively).
pub fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"].as_array()?.iter().find_map(|pair| {
        let pair = pair.as_array()?;
        pair[0]
            .as_str()?
            .eq_ignore_ascii_case(name)
            .then(|| pair[1].as_str())?
    })
}

/// Runs tests/tls/make-certs.sh into `CARGO_TARGET_TMPDIR/<name>` (a test CA, a certificate
/// for localhost and 127.0.0.1, and an unrelated CA) and returns that directory. The script
/// keeps a complete, still valid set, so reruns cost nothing.
pub fn make_test_certs(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/make-certs.sh");
    let output = Command::new("sh")
        .arg(&script)
        .arg(&dir)
        .output()
        .expect("sh runs tests/tls/make-certs.sh (needs the openssl command)");
    assert!(
        output.status.success(),
        "make-certs.sh failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}
