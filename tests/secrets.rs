//! The access key never shows: every error path is driven with a recognisable key, and every
//! message, Display and Debug output is searched for it.

mod common;

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::time::Duration;

use common::c_api::*;
use common::*;
use serde_json::json;
use tenios::{Client, ClientConfig, Error, Status};

/// A valid key the simulator accepts, easy to find in any text.
const SECRET: &str = "SECRET-5f1e9d7c-KEY";

/// Every error path a call can take, as canned answers or real ones.
fn faults(sim: &Sim) -> Vec<serde_json::Value> {
    let echo = format!("key {SECRET} rejected");
    vec![
        json!({"status": 400, "body": json!({"error_code": "BAD_CREDENTIALS", "error_message": echo, "fields": [SECRET]}).to_string()}),
        json!({"status": 400, "body": json!({"error_code": SECRET, "error_message": SECRET}).to_string()}),
        json!({"status": 200, "body": json!({"success": false, "error_message": echo}).to_string()}),
        json!({"status": 503, "headers": [["Content-Type", "text/html"]], "body": format!("<h1>{echo}</h1>")}),
        json!({"status": 403, "body": echo}),
        json!({"status": 302, "headers": [["Location", format!("{}/?key={SECRET}", sim.url)], ["Content-Length", "0"]]}),
        json!({"status": 200, "body": format!("not json {SECRET}")}),
        json!({"status": 200, "body": json!({"note": SECRET}).to_string()}),
        json!({"status": 200, "body": json!({"success": true, "pad": SECRET}).to_string(), "pad_to": 2 * 1024 * 1024}),
        json!({"raw": format!("HTTP/1.1 {SECRET}\r\n\r\n")}),
        json!({"raw": format!("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{SECRET}"), "after": "close"}),
        json!({"after": "hang"}),
    ]
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} leaks the key: {text}");
}

fn check_error(error: &Error) {
    assert_clean("Display", &error.to_string());
    assert_clean("Debug", &format!("{error:?}"));
    assert_clean("alternate Debug", &format!("{error:#?}"));
}

#[test]
fn the_rust_client_never_shows_the_key() {
    let sim = Sim::start_with(&["--access-key", SECRET]);
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        timeout: Duration::from_millis(500),
        ..ClientConfig::default()
    })
    .unwrap();
    let mut statuses = Vec::new();
    for fault in faults(&sim) {
        sim.fault(fault);
        let error = client.interrupt_block(SECRET, CALL).unwrap_err();
        check_error(&error);
        statuses.push(error.status());
    }
    // Real answers too: unknown call, stuck call, a non-UUID.
    for uuid in [UNKNOWN_CALL, STUCK_CALL, "not-a-uuid"] {
        check_error(&client.interrupt_block(SECRET, uuid).unwrap_err());
    }
    // Argument errors about the key itself.
    for bad in [
        format!("{SECRET}\n"),
        format!("{SECRET}{}", "x".repeat(1024)),
    ] {
        check_error(&client.interrupt_block(&bad, CALL).unwrap_err());
    }
    // Network: nothing listens.
    let closed = Client::new(ClientConfig {
        base_url: format!("http://127.0.0.1:{}", closed_port()),
        ..ClientConfig::default()
    })
    .unwrap();
    check_error(&closed.interrupt_block(SECRET, CALL).unwrap_err());
    // The configuration holds no key, and its Debug output says so.
    assert_clean(
        "ClientConfig Debug",
        &format!("{:?}", ClientConfig::default()),
    );

    for status in [
        Status::TENIOS_ERR_BAD_CREDENTIALS,
        Status::TENIOS_ERR_API,
        Status::TENIOS_ERR_HTTP,
        Status::TENIOS_ERR_PROTOCOL,
        Status::TENIOS_ERR_NETWORK,
        Status::TENIOS_ERR_TIMEOUT,
    ] {
        assert!(statuses.contains(&status), "{status:?} path was driven");
    }
}

#[test]
fn the_c_handle_never_shows_the_key() {
    let sim = Sim::start_with(&["--access-key", SECRET]);
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
    let builder = tenios_client_builder_new();
    let url = CString::new(sim.url.clone()).unwrap();
    assert_eq!(
        tenios_client_builder_set_base_url(builder, url.as_ptr(), ptr::null_mut()),
        Status::TENIOS_OK
    );
    assert_eq!(
        tenios_client_builder_set_timeout_ms(builder, 500, ptr::null_mut()),
        Status::TENIOS_OK
    );
    let key = CString::new(SECRET).unwrap();
    let mut client = ptr::null_mut();
    assert_eq!(
        tenios_client_build(builder, key.as_ptr(), &mut client, ptr::null_mut()),
        Status::TENIOS_OK
    );
    tenios_client_builder_free(builder);
    let uuid = CString::new(CALL).unwrap();
    for fault in faults(&sim) {
        sim.fault(fault);
        let mut error = ptr::null_mut();
        let status = tenios_client_interrupt_block(client, uuid.as_ptr(), &mut error);
        assert_ne!(status, Status::TENIOS_OK);
        assert_clean("tenios_error_message", &text(tenios_error_message(error)));
        let code = tenios_error_api_code(error);
        if !code.is_null() {
            assert_clean("tenios_error_api_code", &text(code));
        }
        for i in 0..tenios_error_field_count(error) {
            assert_clean("tenios_error_field", &text(tenios_error_field(error, i)));
        }
        tenios_error_free(error);
    }
    tenios_client_free(client);
}

/// A key is at least 8 bytes (docs/redaction.md), so redacting it mangles no message of the
/// library. A documented error code is kept even when it holds the key, so the status never
/// depends on the key; an undocumented one is server text like any other.
#[test]
fn a_documented_code_is_kept_and_an_undocumented_one_redacted() {
    let sim = Sim::start_with(&["--access-key", "the-real-key"]);
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap();
    // "CREDENTIALS" is in the code BAD_CREDENTIALS: the code and its status stay as they are.
    let error = client.interrupt_block("CREDENTIALS", CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
    assert_eq!(
        error.to_string(),
        format!("BAD_CREDENTIALS: Bad credentials; {KEY_HINT}")
    );
    sim.fault(json!({"status": 400, "body": json!({"error_code": "NOPE_xxxxxxxx", "error_message": "xxxxxxxx"}).to_string()}));
    let error = client.interrupt_block("xxxxxxxx", CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_API);
    assert_eq!(error.to_string(), "NOPE_[REDACTED]: [REDACTED]");
}
