//! The webhook request parser (`WebhookRequest::parse`, what `tenios_webhook_request_parse`
//! calls): any bytes give a request that keeps the documented limits, or an
//! InvalidArgument error with a message that never shows the access key.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tenios::webhook::request::{MAX_VALIDATION_ERRORS, MAX_VARIABLES};
use tenios::webhook::WebhookRequest;
use tenios::Status;

fuzz_target!(|body: &[u8]| {
    match WebhookRequest::parse(body) {
        Ok(request) => check_request(body, &request),
        Err(error) => {
            assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
            let message = error.to_string();
            assert!(message.starts_with("webhook request"), "{message}");
            if let Some(key) = lone_access_key(body) {
                assert!(!message.contains(&key), "the access key in {message:?}");
            }
        }
    }
});

/// What the C face hands out: C strings (no NUL), the limits held, each variable name once.
fn check_request(body: &[u8], request: &WebhookRequest) {
    assert!(request.variables().len() <= MAX_VARIABLES);
    assert!(request.validation_errors().len() <= MAX_VALIDATION_ERRORS);
    let mut texts = vec![request.request_type(), request.request_status().as_str()];
    texts.extend(request.call_control_uuid());
    texts.extend(request.validation_errors().iter().map(String::as_str));
    let mut names = HashSet::new();
    for (name, value) in request.variables() {
        assert!(names.insert(name.as_str()), "variable {name:?} twice");
        assert_eq!(request.variable(name), Some(value.as_str()));
        texts.extend([name.as_str(), value.as_str()]);
    }
    assert!(texts.iter().all(|text| !text.contains('\0')));
    assert_eq!(
        request.customer_number_text(),
        request.customer_number().to_string()
    );
    // An accepted body is JSON to any reader.
    assert!(serde_json::from_slice::<Value>(body).is_ok());
}

/// The access key of a body whose text holds it once only (in the accessKey field, given once,
/// at least 6 characters long): a message may then never contain it.
fn lone_access_key(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if text.matches("accessKey").count() != 1 {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let key = value.get("accessKey")?.as_str()?.to_owned();
    (key.chars().count() >= 6 && occurrences(&value, &key) == 1).then_some(key)
}

/// How often `needle` occurs in the keys, strings and numbers of `value`.
fn occurrences(value: &Value, needle: &str) -> usize {
    match value {
        Value::String(s) => s.matches(needle).count(),
        Value::Number(n) => n.to_string().matches(needle).count(),
        Value::Array(items) => items.iter().map(|v| occurrences(v, needle)).sum(),
        Value::Object(members) => members
            .iter()
            .map(|(k, v)| k.matches(needle).count() + occurrences(v, needle))
            .sum(),
        Value::Null | Value::Bool(_) => 0,
    }
}
