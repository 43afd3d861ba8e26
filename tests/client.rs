//! The Rust core against tenios-sim: one test (at least) per row of the status table, with
//! exact statuses, messages and bytes on the wire.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tenios::{Client, ClientConfig, Error, Status};

fn client_for(url: &str) -> Client {
    Client::new(ClientConfig {
        base_url: url.to_owned(),
        ..ClientConfig::default()
    })
    .unwrap()
}

fn quick_client_for(url: &str, connect_ms: u64, total_ms: u64) -> Client {
    Client::new(ClientConfig {
        base_url: url.to_owned(),
        connect_timeout: Duration::from_millis(connect_ms),
        timeout: Duration::from_millis(total_ms),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// Status and message of a failed call.
fn failure(result: Result<(), Error>) -> (Status, String) {
    let error = result.expect_err("the call should fail");
    (error.status(), error.to_string())
}

#[test]
fn ok_sends_exactly_the_documented_request() {
    let sim = Sim::start();
    client_for(&format!("{}/", sim.url))
        .interrupt_block(KEY, CALL)
        .unwrap();

    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request["method"], "POST");
    assert_eq!(request["path"], "/interrupt-ecc-block");
    assert_eq!(
        request["body"].as_str().unwrap(),
        format!(r#"{{"access_key":"{KEY}","call_uuid":"{CALL}"}}"#)
    );
    assert_eq!(header(request, "content-type"), Some("application/json"));
    let length = request["body"].as_str().unwrap().len().to_string();
    assert_eq!(header(request, "content-length"), Some(length.as_str()));
    assert_eq!(
        header(request, "user-agent"),
        Some(concat!("libtenios/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_eq!(header(request, "accept-encoding"), None);
}

#[test]
fn invalid_arguments_send_nothing() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    let long = "a".repeat(1025);
    let cases = [
        ("", CALL, "access_key is empty"),
        (long.as_str(), CALL, "access_key is longer than 1024 bytes"),
        (
            "key\r\nX-Injected: 1",
            CALL,
            "access_key contains a control character",
        ),
        (KEY, "", "call_uuid is empty"),
        (KEY, long.as_str(), "call_uuid is longer than 1024 bytes"),
        (KEY, "c0b93a5e\t", "call_uuid contains a control character"),
        (KEY, "\u{7f}", "call_uuid contains a control character"),
    ];
    for (key, uuid, message) in cases {
        assert_eq!(
            failure(client.interrupt_block(key, uuid)),
            (Status::TENIOS_ERR_INVALID_ARGUMENT, message.to_owned())
        );
    }
    assert_eq!(sim.request_count(), 0);
    assert_eq!(sim.connection_count(), 0);
    // Fails closed: the same client's valid call is counted.
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn unusable_base_urls_are_rejected_when_the_client_is_built() {
    for (url, reason) in [
        ("http://example.com", "plain http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost), not example.com; use https://"),
        ("ftp://127.0.0.1", "scheme ftp:// is not supported (use https://)"),
        ("127.0.0.1:80", "expected https://host[:port][/path]"),
    ] {
        let error = Client::new(ClientConfig {
            base_url: url.into(),
            ..ClientConfig::default()
        })
        .err()
        .unwrap();
        assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
        assert_eq!(error.to_string(), format!("base URL is unusable: {reason}"));
    }
}

#[test]
fn api_errors_from_the_simulator() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    assert_eq!(
        failure(client.interrupt_block(KEY, UNKNOWN_CALL)),
        (
            Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
            common::call_not_found(UNKNOWN_CALL)
        )
    );
    assert_eq!(
        failure(client.interrupt_block(KEY, "123456789")),
        (
            Status::TENIOS_ERR_INVALID_FIELD,
            "INVALID_FIELD: Invalid 'call_uuid' input parameter. Invalid value - '123456789'. (fields: call_uuid)"
                .to_owned()
        )
    );
    assert_eq!(
        failure(client.interrupt_block("wrong-key", CALL)),
        (
            Status::TENIOS_ERR_BAD_CREDENTIALS,
            format!("BAD_CREDENTIALS: Bad credentials; {KEY_HINT}")
        )
    );
    assert_eq!(
        failure(client.interrupt_block(KEY, STUCK_CALL)),
        (
            Status::TENIOS_ERR_API,
            "BLOCK_NOT_INTERRUPTIBLE: The current block of the call can't be interrupted (fields: call_uuid)"
                .to_owned()
        )
    );
    assert!(sim.interrupts().is_empty());
}

#[test]
fn api_errors_the_client_cannot_provoke_are_mapped_too() {
    // The client only ever sends the two documented fields, so INVALID_VALUE and INVALID_JSON
    // are served as canned answers, with the bodies the API documents.
    let sim = Sim::start();
    let client = client_for(&sim.url);
    let cases = [
        (
            json!({"success": false, "error_code": "INVALID_VALUE", "error_message": "Invalid parameter type or format", "fields": ["destination_type"]}),
            Status::TENIOS_ERR_INVALID_VALUE,
            "INVALID_VALUE: Invalid parameter type or format (fields: destination_type)",
        ),
        (
            json!({"error_code": "INVALID_JSON", "error_message": "An invalid JSON object was provided in the request body.", "fields": []}),
            Status::TENIOS_ERR_INVALID_JSON,
            "INVALID_JSON: An invalid JSON object was provided in the request body.",
        ),
    ];
    for (body, status, message) in cases {
        sim.fault(json!({"status": 400, "body": body.to_string()}));
        assert_eq!(
            failure(client.interrupt_block(KEY, CALL)),
            (status, message.to_owned())
        );
    }
    sim.fault(json!({"status": 200, "body": r#"{"success": false}"#}));
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_API,
            "the API reported failure without an error code (HTTP 200)".to_owned()
        )
    );
}

#[test]
fn http_errors_without_an_api_body() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    let cases = [
        (
            json!({"status": 503, "headers": [["Content-Type", "text/html"]], "body": "<h1>Service Unavailable</h1>"}),
            Status::TENIOS_ERR_HTTP,
            "HTTP 503 with no API error in the body",
        ),
        (
            json!({"status": 500, "body": ""}),
            Status::TENIOS_ERR_HTTP,
            "HTTP 500 with no API error in the body",
        ),
        (
            json!({"status": 403, "body": ""}),
            Status::TENIOS_ERR_BAD_CREDENTIALS,
            &format!("HTTP 403: access key rejected (no API error in the body); {KEY_HINT}"),
        ),
        (
            json!({"status": 401, "headers": [["Content-Type", "text/plain"]], "body": "Unauthorized"}),
            Status::TENIOS_ERR_BAD_CREDENTIALS,
            &format!("HTTP 401: access key rejected (no API error in the body); {KEY_HINT}"),
        ),
    ];
    for (fault, status, message) in cases {
        sim.fault(fault);
        assert_eq!(
            failure(client.interrupt_block(KEY, CALL)),
            (status, message.to_owned())
        );
    }
    // An unknown path: the simulator answers 404 text/plain, as a load balancer would.
    assert_eq!(
        failure(client_for(&format!("{}/no/such/prefix", sim.url)).interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_HTTP,
            "HTTP 404 with no API error in the body; check the base URL (TENIOS's is https://api.tenios.com)".to_owned()
        )
    );
}

#[test]
fn redirects_are_never_followed() {
    let sim = Sim::start();
    for status in [301, 302, 307, 308] {
        sim.fault(json!({
            "status": status,
            "headers": [["Location", format!("{}/interrupt-ecc-block", sim.url)], ["Content-Length", "0"]],
        }));
        assert_eq!(
            failure(client_for(&sim.url).interrupt_block(KEY, CALL)),
            (
                Status::TENIOS_ERR_HTTP,
                format!(
                    "HTTP {status} with no API error in the body; redirects are not followed: \
                     give the final URL as the base URL"
                )
            )
        );
    }
    assert_eq!(
        sim.request_count(),
        4,
        "each redirect answered, none followed"
    );
    assert!(sim.interrupts().is_empty());
}

#[test]
fn protocol_errors() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    let cases = [
        (
            json!({"body": "<html>ok</html>", "headers": [["Content-Type", "text/html"]]}),
            "protocol error: response body is not JSON (HTTP 200)",
        ),
        (
            json!({"body": "{}"}),
            "protocol error: response has no \"success\" field (HTTP 200)",
        ),
        (
            json!({"body": ""}),
            "protocol error: response body is empty (HTTP 200)",
        ),
        (
            json!({"body": "{\"success\": true}", "pad_to": 1024 * 1024 + 1}),
            "protocol error: response body is larger than 1048576 bytes",
        ),
    ];
    for (fault, message) in cases {
        sim.fault(fault);
        let error = client.interrupt_block(KEY, CALL).unwrap_err();
        assert_eq!(
            (error.status(), error.to_string()),
            (Status::TENIOS_ERR_PROTOCOL, message.to_owned())
        );
        assert_eq!(error.http_status(), 200);
    }
    // Exactly 1 MiB is still read.
    sim.fault(json!({"body": "{\"success\": true}", "pad_to": 1024 * 1024}));
    client.interrupt_block(KEY, CALL).unwrap();

    sim.fault(json!({"raw": "HTTP/1.1 OK-ISH\r\n\r\n"}));
    let (status, message) = failure(client.interrupt_block(KEY, CALL));
    assert_eq!(status, Status::TENIOS_ERR_PROTOCOL);
    assert!(
        message.starts_with("protocol error: malformed HTTP response"),
        "{message}"
    );
}

#[test]
fn the_access_key_is_redacted_when_the_server_echoes_it() {
    let sim = Sim::start();
    sim.fault(json!({"status": 400, "body": json!({
        "error_code": format!("BAD_{KEY}"),
        "error_message": format!("key {KEY} is not valid"),
        "fields": [KEY],
    }).to_string()}));
    let (status, message) = failure(client_for(&sim.url).interrupt_block(KEY, CALL));
    assert_eq!(status, Status::TENIOS_ERR_API);
    assert_eq!(
        message,
        "BAD_[REDACTED]: key [REDACTED] is not valid (fields: [REDACTED])"
    );
    let debug = format!(
        "{:?}",
        client_for(&sim.url).interrupt_block(KEY, UNKNOWN_CALL)
    );
    assert!(!debug.contains(KEY), "{debug}");
}

#[test]
fn response_timeout_fires() {
    let sim = Sim::start();
    sim.fault(json!({"delay_ms": 5000, "body": "{\"success\": true}"}));
    let started = Instant::now();
    let (status, message) =
        failure(quick_client_for(&sim.url, 1000, 300).interrupt_block(KEY, CALL));
    assert_eq!(status, Status::TENIOS_ERR_TIMEOUT);
    assert_eq!(message, "timed out: no complete response within 300 ms");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "it did not wait for the server"
    );

    // Headers arrive, the body drips: the whole-call timeout covers the body too.
    sim.fault(json!({"drip_ms": 200, "body": "{\"success\": true}"}));
    assert_eq!(
        failure(quick_client_for(&sim.url, 1000, 500).interrupt_block(KEY, CALL)).0,
        Status::TENIOS_ERR_TIMEOUT
    );
}

#[test]
fn connect_timeout_fires_when_the_tls_handshake_never_completes() {
    // The connect phase includes the TLS handshake: a peer that accepts TCP and then says
    // nothing keeps the client in it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut sink = Vec::new();
        let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = socket.read_to_end(&mut sink);
    });
    let client = quick_client_for(&format!("https://localhost:{port}"), 300, 3000);
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_TIMEOUT,
            "timed out connecting after 300 ms; check that the base URL's host is reachable from here, or raise the connect timeout".to_owned()
        )
    );
    silent.join().unwrap();
}

#[test]
fn network_errors() {
    let port = closed_port();
    assert_eq!(
        failure(client_for(&format!("http://127.0.0.1:{port}")).interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: connection refused; check that the server in the base URL is running"
                .to_owned()
        )
    );

    let sim = Sim::start();
    sim.fault(
        json!({"after": "close", "raw": "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"succ"}),
    );
    assert_eq!(
        failure(client_for(&sim.url).interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: connection closed before the response was complete".to_owned()
        )
    );

    // https:// to a plain-HTTP server: the TLS handshake fails.
    let https = sim.url.replace("http://", "https://");
    let (status, message) = failure(client_for(&https).interrupt_block(KEY, CALL));
    assert_eq!(status, Status::TENIOS_ERR_NETWORK);
    assert!(
        message.starts_with("network error: TLS failure"),
        "{message}"
    );
}

#[test]
fn sequential_calls_reuse_one_connection() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    for _ in 0..5 {
        client.interrupt_block(KEY, CALL).unwrap();
    }
    let _ = client.interrupt_block(KEY, UNKNOWN_CALL);
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(sim.connection_count(), 1);
    assert_eq!(sim.interrupts().len(), 6);
}

#[test]
fn one_client_serves_many_threads() {
    let sim = Sim::start();
    let client = client_for(&sim.url);
    thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                for _ in 0..50 {
                    client.interrupt_block(KEY, CALL).unwrap();
                    assert_eq!(
                        client
                            .interrupt_block(KEY, UNKNOWN_CALL)
                            .unwrap_err()
                            .status(),
                        Status::TENIOS_ERR_CALL_UUID_NOT_FOUND
                    );
                }
            });
        }
    });
    assert_eq!(sim.interrupts().len(), 800);
    assert!(sim.connection_count() <= 16, "connections are pooled");
}

#[test]
fn user_agent_product_is_appended() {
    let sim = Sim::start();
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        user_agent_product: Some("my-pbx/2.1".into()),
        ..ClientConfig::default()
    })
    .unwrap();
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(
        header(&sim.requests()[0], "user-agent"),
        Some(concat!(
            "libtenios/",
            env!("CARGO_PKG_VERSION"),
            " my-pbx/2.1"
        ))
    );
}

#[test]
fn bad_options_are_rejected_before_any_call() {
    fn message<T>(result: Result<T, Error>) -> String {
        result.err().unwrap().to_string()
    }
    use tenios::config::{check_product, check_timeout_ms};
    assert_eq!(
        message(check_timeout_ms("timeout", 0)),
        "timeout must be 1 to 600000 ms, not 0"
    );
    assert_eq!(
        message(check_timeout_ms("connect timeout", 600_001)),
        "connect timeout must be 1 to 600000 ms, not 600001"
    );
    assert_eq!(
        check_timeout_ms("timeout", 600_000).unwrap(),
        Duration::from_secs(600)
    );
    assert_eq!(message(check_product("")), "user agent product is empty");
    assert_eq!(
        message(check_product("a\r\nX: y")),
        "user agent product contains a control character"
    );
    assert_eq!(
        message(check_product(&"p".repeat(257))),
        "user agent product is longer than 256 bytes"
    );
    assert_eq!(
        message(check_product("pbx/ü")),
        "user agent product is not ASCII"
    );

    let mut config = ClientConfig {
        base_url: "http://127.0.0.1:9".into(),
        proxy: Some("http://proxy.example:3128".into()),
        ..ClientConfig::default()
    };
    let build = |config: &ClientConfig| Client::new(config.clone()).err().map(|e| e.to_string());
    assert_eq!(
        build(&config),
        Some(
            "proxy proxy.example is not on a loopback host, but the base URL is plain http://"
                .into()
        )
    );
    config.proxy = Some("socks5://127.0.0.1:1080".into());
    assert_eq!(
        build(&config),
        Some("proxy URL is unusable: expected http://host:port".into())
    );
}
