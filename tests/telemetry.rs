//! Seeing every call: the log lines a client's sink receives (in order, for a success, an API
//! error, a timeout, a TLS failure; never a key), per-call timings, pre-connect, the idle
//! timeout, and lookups only for new connections.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use tenios::telemetry::{last_call_timings, LogLevel, LogSink, Timings};
use tenios::{Client, ClientConfig, Status};

const SECRET: &str = "SECRET-KEY-77e1d4b2";

type Lines = Arc<Mutex<Vec<String>>>;

/// A client logging every level into a list; numbers (times, ports, sizes) become `#`.
fn logged_client(
    url: &str,
    timeout: Duration,
    configure: impl FnOnce(&mut ClientConfig),
) -> (Client, Lines) {
    let lines: Lines = Arc::default();
    let sink_lines = Arc::clone(&lines);
    let mut config = ClientConfig {
        base_url: url.to_owned(),
        timeout,
        log: Some(LogSink::new(LogLevel::Debug, move |level, line| {
            sink_lines.lock().unwrap().push(format!("{level:?} {line}"));
        })),
        ..ClientConfig::default()
    };
    configure(&mut config);
    (Client::new(config).unwrap(), lines)
}

/// The lines logged since the last take, with digits runs replaced by `#`.
fn take(lines: &Lines) -> Vec<String> {
    let taken = std::mem::take(&mut *lines.lock().unwrap());
    for line in &taken {
        assert!(!line.contains(SECRET), "a log line holds the key: {line}");
    }
    taken
        .iter()
        .map(|line| {
            let mut out = String::new();
            let mut in_number = false;
            for c in line.chars() {
                if c.is_ascii_digit() || (in_number && c == '.') {
                    if !in_number {
                        out.push('#');
                    }
                    in_number = true;
                } else {
                    in_number = false;
                    out.push(c);
                }
            }
            out
        })
        .collect()
}

#[test]
fn a_success_and_an_api_error_log_each_step_in_order() {
    let sim = Sim::start_with(&["--access-key", SECRET]);
    let (client, lines) = logged_client(&sim.url, Duration::from_secs(10), |_| {});
    client.interrupt_block(SECRET, CALL).unwrap();
    assert_eq!(
        take(&lines),
        [
            "Debug connecting to #:#",
            "Info connected to #:# in # ms",
            "Info POST /interrupt-ecc-block sent (# bytes)",
            "Info HTTP # after # ms (# bytes)",
        ]
    );
    let first = last_call_timings();
    assert!(!first.connection_reused);
    // The next call reuses the connection: no lookup, no connect.
    let error = client.interrupt_block(SECRET, UNKNOWN_CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_CALL_UUID_NOT_FOUND);
    assert_eq!(
        take(&lines),
        [
            "Info reusing a pooled connection",
            "Info POST /interrupt-ecc-block sent (# bytes)",
            "Info HTTP # after # ms (# bytes)",
            &format!(
                "Error TENIOS_ERR_CALL_UUID_NOT_FOUND: {}",
                // The lines' numbers are masked with # (the uuid's too).
                common::call_not_found("#-#-#-#-#")
            ),
        ]
    );
    let reused = last_call_timings();
    assert!(reused.connection_reused);
    assert_eq!(
        (reused.resolve, reused.connect, reused.tls),
        (Duration::ZERO, Duration::ZERO, Duration::ZERO)
    );
    // A server that echoes the key: the error line is redacted like the error.
    sim.fault(json!({"status": 400, "body": json!({"error_code": "X", "error_message": SECRET}).to_string()}));
    client.interrupt_block(SECRET, CALL).unwrap_err();
    assert_eq!(
        take(&lines).last().unwrap(),
        "Error TENIOS_ERR_API: X: [REDACTED]"
    );
}

#[test]
fn a_timeout_and_the_levels_a_sink_asked_for() {
    let sim = Sim::start();
    let (client, lines) = logged_client(&sim.url, Duration::from_millis(300), |_| {});
    sim.fault(json!({"status": 200, "body": "{\"success\":true}", "delay_ms": 2000}));
    let error = client.interrupt_block(KEY, CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_TIMEOUT);
    assert_eq!(
        take(&lines),
        [
            "Debug connecting to #:#",
            "Info connected to #:# in # ms",
            "Info POST /interrupt-ecc-block sent (# bytes)",
            "Error TENIOS_ERR_TIMEOUT: timed out: no complete response within # ms",
        ]
    );
    // A sink that wants errors only gets the error line; nothing else is even formatted.
    let errors: Lines = Arc::default();
    let errors_sink = Arc::clone(&errors);
    client.set_log(Some(LogSink::new(LogLevel::Error, move |_, line| {
        errors_sink.lock().unwrap().push(line.to_owned())
    })));
    client.interrupt_block(KEY, UNKNOWN_CALL).unwrap_err();
    assert_eq!(
        *errors.lock().unwrap(),
        [format!(
            "TENIOS_ERR_CALL_UUID_NOT_FOUND: {}",
            common::call_not_found(UNKNOWN_CALL)
        )]
    );
    assert!(take(&lines).is_empty());
}

fn certs_dir() -> PathBuf {
    make_test_certs("telemetry-certs")
}

#[test]
fn tls_is_logged_with_version_cipher_and_resumption_and_its_failure_too() {
    let dir = certs_dir();
    let sim = Sim::start_tls(
        &dir.join("server.pem"),
        &dir.join("server.key"),
        &dir.join("ca.pem"),
    );
    let url = sim.url.replace("127.0.0.1", "localhost");
    let ca = tenios::tls::load_pem_file(&dir.join("ca.pem"), "CA file").unwrap();
    let (client, lines) = logged_client(&url, Duration::from_secs(10), |config| {
        config.extra_roots = ca.clone();
        config.idle_timeout = Duration::from_millis(1);
    });
    client.interrupt_block(KEY, CALL).unwrap();
    // Debug lines (the lookup, each address tried: localhost may be ::1 first) vary by host.
    let info = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|l| !l.starts_with("Debug"))
            .collect()
    };
    assert_eq!(
        info(take(&lines)),
        [
            "Info connected to #:# in # ms",
            "Info TLS established: TLSv#_#, TLS#_AES_#_GCM_SHA#, full handshake in # ms",
            "Info POST /interrupt-ecc-block sent (# bytes)",
            "Info HTTP # after # ms (# bytes)",
        ]
    );
    let timings = last_call_timings();
    assert!(timings.tls > Duration::ZERO && timings.connect > Duration::ZERO);
    // The pooled connection is past its 1 ms idle timeout: a new one, resuming the session.
    std::thread::sleep(Duration::from_millis(20));
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(
        info(take(&lines)),
        [
            "Info connected to #:# in # ms",
            "Info TLS established: TLSv#_#, TLS#_AES_#_GCM_SHA#, session resumed in # ms",
            "Info POST /interrupt-ecc-block sent (# bytes)",
            "Info HTTP # after # ms (# bytes)",
        ]
    );
    // No CA for it: the handshake fails, and says so.
    let (untrusting, lines) = logged_client(&url, Duration::from_secs(10), |_| {});
    let error = untrusting.interrupt_block(KEY, CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_NETWORK);
    let logged = take(&lines);
    assert!(
        logged
            .last()
            .unwrap()
            .starts_with("Error TENIOS_ERR_NETWORK: network error: TLS failure: "),
        "{logged:?}"
    );
}

#[test]
fn a_callback_may_call_back_into_the_library() {
    let sim = Sim::start();
    let client: Arc<Mutex<Option<Arc<Client>>>> = Arc::default();
    let inner_calls = Arc::new(Mutex::new(0));
    let (handle, counter) = (Arc::clone(&client), Arc::clone(&inner_calls));
    let config = ClientConfig {
        base_url: sim.url.clone(),
        log: Some(LogSink::new(LogLevel::Error, move |_, _| {
            // On the first error line only: a call from inside the callback.
            let mut n = counter.lock().unwrap();
            if *n == 0 {
                *n += 1;
                drop(n);
                let client = handle.lock().unwrap().clone().unwrap();
                client.interrupt_block(KEY, CALL).unwrap();
            }
        })),
        ..ClientConfig::default()
    };
    let built = Arc::new(Client::new(config).unwrap());
    *client.lock().unwrap() = Some(Arc::clone(&built));
    built.interrupt_block(KEY, UNKNOWN_CALL).unwrap_err();
    assert_eq!(*inner_calls.lock().unwrap(), 1);
    assert_eq!(sim.interrupts(), [CALL]);
    *client.lock().unwrap() = None;
}

fn assert_adds_up(t: Timings) {
    assert!(t.resolve + t.connect + t.tls <= t.first_byte, "{t:?}");
    assert!(t.first_byte <= t.total, "{t:?}");
    assert!(t.total > Duration::ZERO, "{t:?}");
}

#[test]
fn timings_add_up_and_preconnect_opens_the_one_connection_a_call_uses() {
    let sim = Sim::start();
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap();
    client.preconnect().unwrap();
    let preconnect = last_call_timings();
    assert!(!preconnect.connection_reused && preconnect.connect > Duration::ZERO);
    assert_eq!(sim.request_count(), 0, "pre-connect sends nothing");
    client.interrupt_block(KEY, CALL).unwrap();
    let call = last_call_timings();
    assert!(call.connection_reused, "{call:?}");
    assert_adds_up(call);
    assert_eq!((sim.connection_count(), sim.request_count()), (1, 1));
    // A cold call: connect counted, and everything adds up.
    let cold = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap();
    cold.interrupt_block(KEY, CALL).unwrap();
    let t = last_call_timings();
    assert!(!t.connection_reused && t.connect > Duration::ZERO, "{t:?}");
    assert_adds_up(t);
    assert_eq!(sim.connection_count(), 2);
    // Pre-connect on a shut-down client, and through a proxy, are refused.
    cold.shutdown();
    assert_eq!(
        cold.preconnect().unwrap_err().status(),
        Status::TENIOS_ERR_SHUTDOWN
    );
    let proxied = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        proxy: Some(format!("http://127.0.0.1:{}", closed_port())),
        ..ClientConfig::default()
    })
    .unwrap();
    assert_eq!(
        proxied.preconnect().unwrap_err().to_string(),
        "pre-connect does not work through a proxy"
    );
}

#[test]
fn idle_connections_are_reused_until_the_idle_timeout() {
    let sim = Sim::start();
    let short = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        idle_timeout: Duration::from_millis(100),
        ..ClientConfig::default()
    })
    .unwrap();
    short.interrupt_block(KEY, CALL).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    short.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(
        sim.connection_count(),
        2,
        "a connection idle past the timeout is not reused"
    );
    sim.reset();
    let default = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap();
    default.interrupt_block(KEY, CALL).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    default.interrupt_block(KEY, CALL).unwrap();
    assert!(last_call_timings().connection_reused);
    assert_eq!(sim.connection_count(), 1, "the default keeps it for 60 s");
}

/// Over HTTPS, a pre-connected connection has received the server's TLS 1.3 session tickets
/// and nobody read them yet: they must not make the reuse probe throw it away.
#[test]
fn a_preconnected_tls_connection_is_used_despite_its_session_tickets() {
    let dir = certs_dir();
    let sim = Sim::start_tls(
        &dir.join("server.pem"),
        &dir.join("server.key"),
        &dir.join("ca.pem"),
    );
    let ca = tenios::tls::load_pem_file(&dir.join("ca.pem"), "CA file").unwrap();
    let client = Client::new(ClientConfig {
        base_url: sim.url.replace("127.0.0.1", "localhost"),
        extra_roots: ca,
        ..ClientConfig::default()
    })
    .unwrap();
    client.preconnect().unwrap();
    // Time for the tickets to arrive and wait unread in the socket.
    std::thread::sleep(Duration::from_millis(200));
    client.interrupt_block(KEY, CALL).unwrap();
    let call = last_call_timings();
    assert!(call.connection_reused, "{call:?}");
    assert_eq!((sim.connection_count(), sim.request_count()), (1, 1));
    // And a pooled connection keeps being reused.
    std::thread::sleep(Duration::from_millis(200));
    client.interrupt_block(KEY, CALL).unwrap();
    assert!(last_call_timings().connection_reused);
    assert_eq!(sim.connection_count(), 1);
}

/// A call made from inside a log callback does not replace the outer call's timings.
#[test]
fn the_last_call_is_the_outer_one_when_a_callback_calls() {
    let sim = Sim::start();
    let holder: Arc<Mutex<Option<Arc<Client>>>> = Arc::default();
    let inner = Arc::clone(&holder);
    let client = Arc::new(
        Client::new(ClientConfig {
            base_url: sim.url.clone(),
            log: Some(LogSink::new(LogLevel::Error, move |_, _| {
                if let Some(client) = inner.lock().unwrap().take() {
                    client.interrupt_block(KEY, CALL).unwrap();
                }
            })),
            ..ClientConfig::default()
        })
        .unwrap(),
    );
    *holder.lock().unwrap() = Some(Arc::clone(&client));
    // The outer call waits 300 ms for its (failing) answer; the inner one is quick.
    sim.fault(json!({"status": 400, "body": "{\"error_code\":\"X\"}", "delay_ms": 300}));
    client.interrupt_block(KEY, CALL).unwrap_err();
    let outer = last_call_timings();
    assert!(outer.total >= Duration::from_millis(300), "{outer:?}");
    assert_eq!(sim.request_count(), 2);
}
