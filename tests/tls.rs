//! HTTPS end to end: the Rust core and the C-ABI handle against `tenios-sim --tls-cert/--tls-key`,
//! with throwaway certificates made by `tests/tls/make-certs.sh` (the same script the C and
//! Python tests can use).
//!
//! Which trust decisions are proved: an unknown CA fails the handshake (and the simulator
//! records nothing), the test CA given as an extra root (or as `SSL_CERT_FILE` with the system
//! trust store) succeeds, an unrelated CA does not help, and a certificate for another name is
//! refused even from the trusted CA.
//!
//! `SSL_CERT_FILE` is process-global and the tests here run on parallel threads, so the
//! system-store test never changes this process's environment: it runs itself again as a child
//! process with the variable set there (see `system_trust_store_honours_ssl_cert_file`).

mod common;

use std::ffi::{c_char, CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::c_api::{
    tenios_client, tenios_client_build, tenios_client_builder_free, tenios_client_builder_new,
    tenios_client_builder_set_base_url, tenios_client_builder_set_ca_file, tenios_client_free,
    tenios_client_interrupt_block, tenios_error, tenios_error_free, tenios_error_message,
    tenios_error_status,
};
use common::*;
use serde_json::json;
use tenios::{Client, ClientConfig, Error, Status, TrustStore};

/// The certificates of tests/tls/make-certs.sh, made once per test process.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    fn ca(&self) -> PathBuf {
        self.file("ca.pem")
    }
    fn other_ca(&self) -> PathBuf {
        self.file("other-ca.pem")
    }
}

fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| Certs {
        dir: make_test_certs("tls-certs"),
    })
}

/// A simulator serving HTTPS with the certificate for localhost and 127.0.0.1.
fn https_sim() -> Sim {
    let certs = certs();
    Sim::start_tls(
        &certs.file("server.pem"),
        &certs.file("server.key"),
        &certs.ca(),
    )
}

fn port(sim: &Sim) -> u16 {
    sim.url
        .strip_prefix("https://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected simulator URL {}", sim.url))
}

fn localhost(sim: &Sim) -> String {
    format!("https://localhost:{}", port(sim))
}

fn config(url: &str, trust_store: TrustStore, extra_ca_files: &[PathBuf]) -> ClientConfig {
    let extra_roots = extra_ca_files
        .iter()
        .flat_map(|file| tenios::tls::load_pem_file(file, "CA file").unwrap())
        .collect();
    ClientConfig {
        base_url: url.to_owned(),
        trust_store,
        extra_roots,
        ..ClientConfig::default()
    }
}

fn client(url: &str, extra_ca_files: &[PathBuf]) -> Client {
    Client::new(config(url, TrustStore::Bundled, extra_ca_files)).unwrap()
}

fn failure(result: Result<(), Error>) -> (Status, String) {
    let error = result.expect_err("the call should fail");
    (error.status(), error.to_string())
}

/// Asserts a TLS failure whose message names `problem`.
fn assert_tls_failure(result: Result<(), Error>, problem: &str) {
    let (status, message) = failure(result);
    assert_eq!(status, Status::TENIOS_ERR_NETWORK, "{message}");
    assert!(
        message.starts_with("network error: TLS failure"),
        "{message}"
    );
    assert!(message.contains(problem), "{problem:?} not in {message:?}");
}

fn assert_nothing_recorded(sim: &Sim) {
    assert_eq!(sim.request_count(), 0, "no request got past the handshake");
    assert_eq!(sim.connection_count(), 0);
    assert!(sim.interrupts().is_empty());
}

#[test]
fn an_unknown_ca_fails_the_handshake_and_nothing_is_recorded() {
    let sim = https_sim();
    // The bundled Mozilla roots do not know the test CA; nor does an empty extra list.
    for url in [localhost(&sim), sim.url.clone()] {
        assert_tls_failure(
            client(&url, &[]).interrupt_block(KEY, CALL),
            "UnknownIssuer",
        );
    }
    assert_nothing_recorded(&sim);
}

#[test]
fn the_ca_as_an_extra_root_makes_https_work() {
    let sim = https_sim();
    let ca = [certs().ca()];
    // A DNS name and an IP address, both in the certificate's subjectAltName.
    for url in [localhost(&sim), sim.url.clone()] {
        let client = client(&url, &ca);
        client.interrupt_block(KEY, CALL).unwrap();
        // Sequential calls share one TLS connection, and API errors come through as usual.
        assert_eq!(
            failure(client.interrupt_block(KEY, UNKNOWN_CALL)),
            (
                Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
                common::call_not_found(UNKNOWN_CALL)
            )
        );
    }
    assert_eq!(sim.interrupts(), vec![CALL.to_owned(), CALL.to_owned()]);
    let requests = sim.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0]["path"], "/interrupt-ecc-block");
    assert_eq!(
        requests[0]["body"],
        format!(r#"{{"access_key":"{KEY}","call_uuid":"{CALL}"}}"#)
    );
    let host = format!("localhost:{}", port(&sim));
    assert_eq!(header(&requests[0], "host"), Some(host.as_str()));
    assert_eq!(sim.connection_count(), 2, "one connection per client");
}

#[test]
fn an_unrelated_ca_does_not_help() {
    let sim = https_sim();
    let other = [certs().other_ca()];
    assert_tls_failure(
        client(&localhost(&sim), &other).interrupt_block(KEY, CALL),
        "UnknownIssuer",
    );
    assert_nothing_recorded(&sim);
}

#[test]
fn a_certificate_for_another_name_is_refused_even_from_the_trusted_ca() {
    // The simulator only listens on 127.0.0.1, so a URL the normal certificate does not cover
    // (https://127.0.0.2:PORT, say) could not even connect. Instead the simulator serves a
    // certificate from the trusted CA for the address 127.0.0.1 only: localhost is then the
    // name it lacks, while the control client (which uses 127.0.0.1) still works.
    let certs = certs();
    let sim = Sim::start_tls(
        &certs.file("ip-only.pem"),
        &certs.file("ip-only.key"),
        &certs.ca(),
    );
    let ca = [certs.ca()];
    assert_tls_failure(
        client(&localhost(&sim), &ca).interrupt_block(KEY, CALL),
        "certificate not valid for name \"localhost\"",
    );
    assert_nothing_recorded(&sim);
    // The same certificate and CA, under the name it does carry.
    client(&sim.url, &ca).interrupt_block(KEY, CALL).unwrap();
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
}

#[test]
fn plain_http_to_the_https_simulator_gets_no_http_answer() {
    let sim = https_sim();
    let http = format!("http://127.0.0.1:{}", port(&sim));
    let (status, message) = failure(client(&http, &[]).interrupt_block(KEY, CALL));
    // rustls answers the non-TLS bytes with a TLS alert record, which the client reads as a
    // malformed HTTP response; should the close overtake it (an RST), the client sees a
    // network error instead. Either way no request is recorded.
    assert!(
        (status == Status::TENIOS_ERR_PROTOCOL
            && message.starts_with("protocol error: malformed HTTP response"))
            || status == Status::TENIOS_ERR_NETWORK,
        "{status:?}: {message}"
    );
    assert_nothing_recorded(&sim);
}

#[test]
fn control_endpoints_and_faults_work_over_https() {
    let sim = https_sim();
    let client = client(&localhost(&sim), &[certs().ca()]);

    sim.fault(
        json!({"status": 503, "headers": [["Content-Type", "text/html"]], "body": "<h1>down</h1>"}),
    );
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_HTTP,
            "HTTP 503 with no API error in the body".to_owned()
        )
    );

    // A truncated body, then close_notify and FIN.
    sim.fault(
        json!({"after": "close", "raw": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"succ"}),
    );
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: connection closed before the response was complete".to_owned()
        )
    );

    // "reset" over TLS: the socket is shut without close_notify, so the client sees the TLS
    // stream cut short rather than a true RST.
    sim.fault(json!({"after": "reset", "raw": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"}));
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)).0,
        Status::TENIOS_ERR_NETWORK
    );

    // delay, drip and hang keep the client waiting: its whole-call timeout ends it.
    let quick = Client::new(ClientConfig {
        timeout: Duration::from_millis(400),
        ..config(&localhost(&sim), TrustStore::Bundled, &[certs().ca()])
    })
    .unwrap();
    for fault in [
        json!({"delay_ms": 3000, "body": "{\"success\": true}"}),
        json!({"drip_ms": 200, "body": "{\"success\": true}"}),
        json!({"after": "hang"}),
    ] {
        sim.fault(fault.clone());
        let started = Instant::now();
        assert_eq!(
            failure(quick.interrupt_block(KEY, CALL)),
            (
                Status::TENIOS_ERR_TIMEOUT,
                "timed out: no complete response within 400 ms".to_owned()
            ),
            "{fault}"
        );
        assert!(started.elapsed() < Duration::from_secs(3), "{fault}");
    }

    // A dripped answer that fits in the time arrives whole, one TLS record per byte.
    sim.fault(json!({"drip_ms": 1, "body": "{\"success\": true}"}));
    client.interrupt_block(KEY, CALL).unwrap();
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(
        sim.interrupts(),
        vec![CALL.to_owned()],
        "the fault replaced the first answer"
    );
    assert_eq!(sim.request_count(), 8);

    // POST /_sim/reset over HTTPS, as a plain ureq client trusting the test CA would send it.
    let pem = std::fs::read(certs().ca()).unwrap();
    let roots = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item.unwrap() {
            ureq::tls::PemItem::Certificate(cert) => Some(cert),
            _ => None,
        })
        .collect();
    let agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(roots)))
                .build(),
        )
        .build()
        .new_agent();
    let response = agent
        .post(format!("{}/_sim/reset", localhost(&sim)))
        .send("")
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(sim.request_count(), 0);
    assert!(sim.interrupts().is_empty());
}

// ---------------------------------------------------------------- system trust store

const CHILD_URL: &str = "TENIOS_TLS_TEST_CHILD_URL";
const CHILD_EXPECT: &str = "TENIOS_TLS_TEST_CHILD_EXPECT";
const SYSTEM_STORE_TEST: &str = "system_trust_store_honours_ssl_cert_file";

#[test]
fn system_trust_store_honours_ssl_cert_file() {
    if let Ok(url) = std::env::var(CHILD_URL) {
        return system_store_child(&url, &std::env::var(CHILD_EXPECT).unwrap());
    }
    let certs = certs();
    let sim = https_sim();
    let missing = certs.file("no-such-bundle.pem");
    for (bundle, expect) in [
        (certs.ca(), "ok"),
        (certs.other_ca(), "tls failure"),
        (missing, "invalid argument"),
    ] {
        // This same test, alone, in a child process whose environment holds SSL_CERT_FILE.
        let output = Command::new(std::env::current_exe().unwrap())
            .args([
                SYSTEM_STORE_TEST,
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SSL_CERT_FILE", &bundle)
            .env(CHILD_URL, localhost(&sim))
            .env(CHILD_EXPECT, expect)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "child with SSL_CERT_FILE={} expecting {expect}:\n{stdout}{}",
            bundle.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
    assert_eq!(sim.request_count(), 1);
}

/// The child's half: SSL_CERT_FILE was set by the parent before this process started.
fn system_store_child(url: &str, expect: &str) {
    let bundle = std::env::var("SSL_CERT_FILE").unwrap();
    let built = Client::new(config(url, TrustStore::System, &[]));
    match expect {
        "ok" => built.unwrap().interrupt_block(KEY, CALL).unwrap(),
        "tls failure" => {
            assert_tls_failure(built.unwrap().interrupt_block(KEY, CALL), "UnknownIssuer");
        }
        "invalid argument" => {
            let error = built.err().expect("building fails without a bundle");
            assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
            let prefix = format!("system CA bundle (SSL_CERT_FILE) {bundle}: ");
            assert!(error.to_string().starts_with(&prefix), "{error}");
        }
        other => panic!("unknown expectation {other}"),
    }
}

// ------------------------------------------------------------------------ C ABI

/// Takes an error object: its status and message, then frees it.
fn take_error(error: *mut tenios_error) -> (Status, String) {
    assert!(!error.is_null());
    let status = tenios_error_status(error);
    let message = unsafe { CStr::from_ptr(tenios_error_message(error)) }
        .to_str()
        .unwrap()
        .to_owned();
    tenios_error_free(error);
    (status, message)
}

/// Builds a handle client for `url` (with `ca_file` when given) and interrupts CALL once.
fn handle_interrupt(url: &str, ca_file: Option<&Path>) -> Result<(), (Status, String)> {
    let builder = tenios_client_builder_new();
    assert!(!builder.is_null());
    let mut error: *mut tenios_error = ptr::null_mut();
    let url = CString::new(url).unwrap();
    assert_eq!(
        tenios_client_builder_set_base_url(builder, url.as_ptr(), &mut error),
        Status::TENIOS_OK
    );
    if let Some(file) = ca_file {
        let file = CString::new(file.to_str().unwrap()).unwrap();
        assert_eq!(
            tenios_client_builder_set_ca_file(builder, file.as_ptr(), &mut error),
            Status::TENIOS_OK
        );
        assert!(error.is_null());
    }
    let key = CString::new(KEY).unwrap();
    let mut client: *mut tenios_client = ptr::null_mut();
    assert_eq!(
        tenios_client_build(builder, key.as_ptr(), &mut client, &mut error),
        Status::TENIOS_OK
    );
    tenios_client_builder_free(builder);
    let call = CString::new(CALL).unwrap();
    let status = tenios_client_interrupt_block(client, call.as_ptr(), &mut error);
    tenios_client_free(client);
    if status == Status::TENIOS_OK {
        assert!(error.is_null());
        Ok(())
    } else {
        let (error_status, message) = take_error(error);
        assert_eq!(error_status, status);
        Err((status, message))
    }
}

#[test]
fn c_abi_set_ca_file_makes_https_work() {
    let sim = https_sim();
    let url = localhost(&sim);
    handle_interrupt(&url, Some(&certs().ca())).unwrap();
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);

    let (status, message) = handle_interrupt(&url, None).unwrap_err();
    assert_eq!(status, Status::TENIOS_ERR_NETWORK, "{message}");
    assert!(
        message.starts_with("network error: TLS failure") && message.contains("UnknownIssuer"),
        "{message}"
    );
    let (status, message) = handle_interrupt(&url, Some(&certs().other_ca())).unwrap_err();
    assert_eq!(status, Status::TENIOS_ERR_NETWORK, "{message}");
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn c_abi_set_ca_file_checks_the_file_at_once() {
    let builder = tenios_client_builder_new();
    // Garbage first: the setter must overwrite it.
    let mut error: *mut tenios_error = ptr::dangling_mut();
    let missing = certs().file("no-such-ca.pem");
    let path = CString::new(missing.to_str().unwrap()).unwrap();
    assert_eq!(
        tenios_client_builder_set_ca_file(builder, path.as_ptr(), &mut error),
        Status::TENIOS_ERR_INVALID_ARGUMENT
    );
    let (status, message) = take_error(error);
    assert_eq!(status, Status::TENIOS_ERR_INVALID_ARGUMENT);
    assert!(
        message.starts_with(&format!("CA file {}: ", missing.display())),
        "{message}"
    );

    // A key file holds no certificate.
    let key = CString::new(certs().file("server.key").to_str().unwrap()).unwrap();
    let mut error: *mut tenios_error = ptr::null_mut();
    assert_eq!(
        tenios_client_builder_set_ca_file(builder, key.as_ptr(), &mut error),
        Status::TENIOS_ERR_INVALID_ARGUMENT
    );
    assert_eq!(
        take_error(error).1,
        format!(
            "CA file {}: no PEM certificates in it",
            certs().file("server.key").display()
        )
    );
    let null: *const c_char = ptr::null();
    assert_eq!(
        tenios_client_builder_set_ca_file(builder, null, ptr::null_mut()),
        Status::TENIOS_OK,
        "NULL clears"
    );
    tenios_client_builder_free(builder);
}

// ------------------------------------------------- the default client and TENIOS_CA_FILE

const CA_FILE_CHILD: &str = "TENIOS_TLS_TEST_CA_FILE_CHILD";

/// `tenios_interrupt_block` reads TENIOS_API_URL and TENIOS_CA_FILE once per process, so each
/// case runs in a child process (this test again) with its own environment.
#[test]
fn default_client_trusts_tenios_ca_file() {
    if let Ok(expect) = std::env::var(CA_FILE_CHILD) {
        let key = CString::new(KEY).unwrap();
        let call = CString::new(CALL).unwrap();
        let mut message: *mut c_char = ptr::null_mut();
        let status =
            common::c_api::tenios_interrupt_block(key.as_ptr(), call.as_ptr(), &mut message);
        let text = if message.is_null() {
            String::new()
        } else {
            let text = unsafe { CStr::from_ptr(message) }
                .to_str()
                .unwrap()
                .to_owned();
            common::c_api::tenios_string_free(message);
            text
        };
        println!("CHILD {} {text}", status.name());
        assert!(
            text.starts_with(&expect) || status.name() == expect,
            "{status:?} {text}"
        );
        return;
    }
    let certs = certs();
    let sim = https_sim();
    let missing = certs.file("no-such-ca.pem");
    let cases = [
        (Some(certs.ca()), "TENIOS_OK".to_owned()),
        (
            None,
            "network error: TLS failure: invalid peer certificate: UnknownIssuer".to_owned(),
        ),
        (
            Some(certs.other_ca()),
            "network error: TLS failure: invalid peer certificate: UnknownIssuer".to_owned(),
        ),
        (
            Some(missing.clone()),
            format!("TENIOS_CA_FILE {}: ", missing.display()),
        ),
    ];
    for (ca_file, expect) in cases {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "default_client_trusts_tenios_ca_file",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("TENIOS_API_URL", localhost(&sim))
            .env(CA_FILE_CHILD, &expect)
            .env_remove("TENIOS_CA_FILE");
        if let Some(path) = &ca_file {
            command.env("TENIOS_CA_FILE", path);
        }
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "child with TENIOS_CA_FILE={ca_file:?} expecting {expect}:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
}

/// A child of `fork` never resumes its parent's TLS sessions (their cache and its lock are the
/// parent's): its first HTTPS connection is a full handshake, while the parent's next one is
/// resumed. (1.0.0 shared the session cache with the child.)
#[test]
fn a_child_of_fork_makes_a_full_handshake() {
    use std::sync::{Arc, Mutex};
    use tenios::telemetry::{LogLevel, LogSink};

    let sim = https_sim();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = {
        let lines = Arc::clone(&lines);
        LogSink::new(LogLevel::Info, move |_, line| {
            if line.starts_with("TLS established") {
                lines.lock().unwrap().push(line.to_owned());
            }
        })
    };
    let client = Client::new(ClientConfig {
        log: Some(sink),
        ..config(&localhost(&sim), TrustStore::Bundled, &[certs().ca()])
    })
    .unwrap();
    client.interrupt_block(KEY, CALL).unwrap();
    let handshakes = |lines: &Mutex<Vec<String>>| -> Vec<String> {
        std::mem::take(&mut *lines.lock().unwrap())
            .iter()
            .map(|l| {
                l.rsplit(", ")
                    .next()
                    .unwrap()
                    .split(" in ")
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(handshakes(&lines), ["full handshake"]);

    // SAFETY: the child only makes a call through the library and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok =
            client.interrupt_block(KEY, CALL).is_ok() && handshakes(&lines) == ["full handshake"];
        // SAFETY: ends the child without running the parent's exit handlers.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the child of fork did not finish its call within 20 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's call failed or resumed the parent's session (status {status})"
    );

    // The parent's next connection resumes its own session.
    sim.fault(json!({"after": "close", "body": "{\"success\": true}"}));
    client.interrupt_block(KEY, CALL).unwrap();
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(handshakes(&lines), ["session resumed"]);
}
