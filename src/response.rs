//! Turning an HTTP status and response body into the outcome of a call: a pure function, so
//! that it can be tested (and fuzzed) without a network.

use serde_json::{Map, Value};

use crate::error::{ApiError, Error};

/// The most response body libtenios reads: the API answers a few dozen bytes.
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The outcome of a method that answers `{"success": true}` (`/interrupt-ecc-block`,
/// `/transfer-call`, `/refer-call`, `/record-call/stop`, `/call/listen-in/start`), given the
/// HTTP status and the (already size-limited) body.
///
/// An API error body (one with an `error_code`, or `"success": false`) wins over the HTTP
/// status, since the API sends its errors with 400 and sometimes 403. Without one, any status
/// but 200 is an HTTP error; a 200 must carry `"success": true`.
pub fn classify(http_status: u16, body: &[u8]) -> Result<(), Error> {
    // The answer to nearly every call, recognised without building a JSON tree.
    if http_status == 200 && is_plain_success(body) {
        return Ok(());
    }
    // /record-call/stop answers `"success": "true"` (documented), the others a boolean.
    require_success(&answer_object(http_status, body)?)
}

/// The outcome of `POST /record-call/start`, which answers `{"recording_uuid": "..."}`: the
/// recording's UUID (non-empty, at most 1024 bytes, no control characters).
pub fn classify_recording(http_status: u16, body: &[u8]) -> Result<String, Error> {
    classify_text("recording_uuid")(http_status, body)
}

/// The outcome of a method whose answer carries one text field, `field` (`/callback/status`'s
/// `status`, `/acd/agent-state/retrieve`'s `state`): its value, non-empty, at most 1024 bytes,
/// without control characters.
pub fn classify_text(field: &'static str) -> impl FnOnce(u16, &[u8]) -> Result<String, Error> {
    move |http_status, body| text_field(&answer_object(http_status, body)?, field)
}

/// The outcome of `/makecall/init` and `/callback/init`, which answer `{"id": 10}`: the id as
/// text. The documentation shows it as a number there, as a string in the webhook's
/// `callback_id` and in the status methods' requests: both are accepted, a number (a
/// non-negative integer) is returned in decimal.
pub fn classify_id(http_status: u16, body: &[u8]) -> Result<String, Error> {
    let object = answer_object(http_status, body)?;
    match object.get("id") {
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.to_string()),
        Some(Value::String(_)) => text_field(&object, "id"),
        None => Err(protocol("response has no \"id\" field")),
        Some(_) => Err(protocol("response has an unexpected \"id\" value")),
    }
}

/// The outcome of `/wrap-up/extend`, which answers `{"success": true, "wrap_up_end_time":
/// "2020-01-01T09:00:00.000Z"}`: the end time TENIOS set, as sent.
pub fn classify_wrap_up_end(http_status: u16, body: &[u8]) -> Result<String, Error> {
    let object = answer_object(http_status, body)?;
    require_success(&object)?;
    text_field(&object, "wrap_up_end_time")
}

/// The outcome of the generic call (any method): the answer's JSON text, as received. An API
/// error body wins over the status, as for every method; any status but 200 without one is an
/// HTTP error; a 200 must carry JSON (of any kind: the library does not know the method).
pub fn classify_json(http_status: u16, body: &[u8]) -> Result<String, Error> {
    let json = serde_json::from_slice::<Value>(body).ok();
    if let Some(Value::Object(object)) = &json {
        if let Some(api) = api_error(http_status, object) {
            return Err(Error::Api(api));
        }
    }
    if http_status != 200 {
        return Err(Error::Http {
            status: http_status,
        });
    }
    match json {
        // Valid JSON is valid UTF-8 (serde_json checks): the text is returned unchanged.
        Some(_) => Ok(String::from_utf8_lossy(body.trim_ascii()).into_owned()),
        None if body.iter().all(u8::is_ascii_whitespace) => Err(protocol("response body is empty")),
        None => Err(protocol("response body is not JSON")),
    }
}

/// The text field `field` of an answer: non-empty, at most 1024 bytes, no control characters.
fn text_field(object: &Map<String, Value>, field: &str) -> Result<String, Error> {
    match object.get(field) {
        Some(Value::String(text))
            if !text.is_empty() && text.len() <= 1024 && !text.chars().any(char::is_control) =>
        {
            Ok(text.clone())
        }
        None => Err(protocol(&format!("response has no \"{field}\" field"))),
        Some(_) => Err(protocol(&format!(
            "response has an unexpected \"{field}\" value"
        ))),
    }
}

/// `"success": true` (or the string `"true"`, as `/record-call/stop` documents it).
fn require_success(object: &Map<String, Value>) -> Result<(), Error> {
    match object.get("success") {
        Some(Value::Bool(true)) => Ok(()),
        Some(Value::String(s)) if s == "true" => Ok(()),
        None => Err(protocol("response has no \"success\" field")),
        Some(_) => Err(protocol("response has an unexpected \"success\" value")),
    }
}

/// The JSON object of an answer that is not an error: the API's error, an HTTP error or a
/// protocol error otherwise.
fn answer_object(http_status: u16, body: &[u8]) -> Result<Map<String, Value>, Error> {
    let json = serde_json::from_slice::<Value>(body).ok();
    let is_json = json.is_some();
    let object = match json {
        Some(Value::Object(object)) => Some(object),
        _ => None,
    };
    if let Some(api) = object.as_ref().and_then(|o| api_error(http_status, o)) {
        return Err(Error::Api(api));
    }
    if http_status != 200 {
        return Err(Error::Http {
            status: http_status,
        });
    }
    object.ok_or_else(|| {
        protocol(if body.iter().all(u8::is_ascii_whitespace) {
            "response body is empty"
        } else if is_json {
            "response body is not a JSON object"
        } else {
            "response body is not JSON"
        })
    })
}

/// A protocol error about a 200 answer.
fn protocol(message: &str) -> Error {
    Error::Protocol {
        message: format!("{message} (HTTP 200)"),
        http_status: 200,
    }
}

/// Whether `body` is `{"success": true}` in one of its usual spellings (anything else takes
/// the full parse).
fn is_plain_success(body: &[u8]) -> bool {
    const SPELLINGS: [&[u8]; 3] = [
        br#"{"success":true}"#,
        br#"{"success": true}"#,
        br#"{ "success": true }"#,
    ];
    SPELLINGS.contains(&body.trim_ascii())
}

/// The API error this body reports, if it reports one.
fn api_error(http_status: u16, object: &Map<String, Value>) -> Option<ApiError> {
    let code = object.get("error_code").and_then(text);
    let failed = matches!(object.get("success"), Some(Value::Bool(false)))
        || matches!(object.get("success"), Some(Value::String(s)) if s == "false");
    if code.is_none() && !failed {
        return None;
    }
    let fields = match object.get("fields") {
        Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
        Some(other) => text(other).into_iter().collect(),
        None => Vec::new(),
    };
    Some(ApiError {
        http_status,
        code,
        message: object.get("error_message").and_then(text),
        fields,
        hint: None,
    })
}

/// A JSON value as message text: strings as they are, other values in JSON form, and nothing
/// for null or blank strings (so `"error_code": ""` counts as no code, and no message is
/// ever empty).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    fn status_of(http: u16, body: &str) -> Status {
        match classify(http, body.as_bytes()) {
            Ok(()) => Status::TENIOS_OK,
            Err(e) => e.status(),
        }
    }

    fn message_of(http: u16, body: &str) -> String {
        classify(http, body.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn recording_start_answers() {
        let uuid = "0b0e6a5e-54b2-4a36-9d4d-2b1f6b2e8a71";
        assert_eq!(
            classify_recording(200, format!(r#"{{"recording_uuid":"{uuid}"}}"#).as_bytes()),
            Ok(uuid.to_owned())
        );
        let message = |body: &str| {
            classify_recording(200, body.as_bytes())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(r#"{"success":true}"#),
            "protocol error: response has no \"recording_uuid\" field (HTTP 200)"
        );
        for bad in [
            r#"{"recording_uuid":""}"#,
            r#"{"recording_uuid":7}"#,
            "{\"recording_uuid\":\"a\\n\"}",
        ] {
            assert_eq!(
                message(bad),
                "protocol error: response has an unexpected \"recording_uuid\" value (HTTP 200)",
                "{bad}"
            );
        }
        let error = classify_recording(
            400,
            br#"{"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#,
        )
        .unwrap_err();
        assert_eq!(error.status(), Status::TENIOS_ERR_CALL_UUID_NOT_FOUND);
        assert_eq!(
            classify_recording(503, b"").unwrap_err().status(),
            Status::TENIOS_ERR_HTTP
        );
    }

    #[test]
    fn success() {
        assert_eq!(status_of(200, r#"{"success": true}"#), Status::TENIOS_OK);
        assert_eq!(
            status_of(200, "{\n  \"success\" : true\n}\n"),
            Status::TENIOS_OK
        );
        assert_eq!(
            status_of(200, r#"{"success": true, "x": 1}"#),
            Status::TENIOS_OK
        );
        assert!(is_plain_success(b"{\"success\": true}\n"));
        assert!(!is_plain_success(br#"{"success": true}x"#));
        assert!(!is_plain_success(br#"{"succ ess":true}"#));
        assert_eq!(status_of(200, r#"{"success":"true"}"#), Status::TENIOS_OK);
    }

    #[test]
    fn documented_api_errors() {
        let cases = [
            ("INVALID_VALUE", Status::TENIOS_ERR_INVALID_VALUE),
            ("INVALID_FIELD", Status::TENIOS_ERR_INVALID_FIELD),
            ("INVALID_JSON", Status::TENIOS_ERR_INVALID_JSON),
            (
                "CALL_UUID_NOT_FOUND",
                Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
            ),
            ("BAD_CREDENTIALS", Status::TENIOS_ERR_BAD_CREDENTIALS),
            ("BLOCK_NOT_INTERRUPTIBLE", Status::TENIOS_ERR_API),
        ];
        for (code, status) in cases {
            let body = format!(r#"{{"error_code":"{code}","error_message":"m","fields":[]}}"#);
            assert_eq!(status_of(400, &body), status, "{code}");
        }
        assert_eq!(
            message_of(
                400,
                r#"{"success":false,"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#
            ),
            "CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid)"
        );
        assert_eq!(
            message_of(400, r#"{"error_code":"X","fields":["a","b"]}"#),
            "X (fields: a, b)"
        );
    }

    #[test]
    fn api_error_body_wins_over_http_status() {
        assert_eq!(
            status_of(
                403,
                r#"{"error_code":"BAD_CREDENTIALS","error_message":"Bad credentials","fields":[]}"#
            ),
            Status::TENIOS_ERR_BAD_CREDENTIALS
        );
        assert_eq!(
            status_of(500, r#"{"error_code":"INVALID_JSON"}"#),
            Status::TENIOS_ERR_INVALID_JSON
        );
        assert_eq!(
            status_of(200, r#"{"error_code":"SOMETHING"}"#),
            Status::TENIOS_ERR_API
        );
    }

    #[test]
    fn failure_without_code() {
        assert_eq!(
            status_of(200, r#"{"success": false}"#),
            Status::TENIOS_ERR_API
        );
        assert_eq!(
            message_of(200, r#"{"success": false}"#),
            "the API reported failure without an error code (HTTP 200)"
        );
        assert_eq!(
            message_of(400, r#"{"success": "false", "error_message": "nope"}"#),
            "the API reported failure without an error code (HTTP 400): nope"
        );
    }

    #[test]
    fn http_errors() {
        assert_eq!(status_of(503, "<html>down</html>"), Status::TENIOS_ERR_HTTP);
        assert_eq!(status_of(404, ""), Status::TENIOS_ERR_HTTP);
        assert_eq!(status_of(302, ""), Status::TENIOS_ERR_HTTP);
        assert_eq!(status_of(400, r#"{"oops": 1}"#), Status::TENIOS_ERR_HTTP);
        assert_eq!(status_of(204, ""), Status::TENIOS_ERR_HTTP);
        assert_eq!(
            message_of(503, "x"),
            "HTTP 503 with no API error in the body"
        );
        assert_eq!(status_of(401, ""), Status::TENIOS_ERR_BAD_CREDENTIALS);
        assert_eq!(
            message_of(403, "<h1>Forbidden</h1>"),
            format!(
                "HTTP 403: access key rejected (no API error in the body); {}",
                crate::error::KEY_HINT
            )
        );
        assert_eq!(
            message_of(404, ""),
            "HTTP 404 with no API error in the body; check the base URL (TENIOS's is https://api.tenios.com)"
        );
        assert_eq!(
            message_of(301, ""),
            "HTTP 301 with no API error in the body; redirects are not followed: give the final URL as the base URL"
        );
    }

    #[test]
    fn protocol_errors() {
        assert_eq!(
            message_of(200, "not json"),
            "protocol error: response body is not JSON (HTTP 200)"
        );
        assert_eq!(
            message_of(200, ""),
            "protocol error: response body is empty (HTTP 200)"
        );
        assert_eq!(
            message_of(200, "[true]"),
            "protocol error: response body is not a JSON object (HTTP 200)"
        );
        assert_eq!(
            message_of(200, "{}"),
            "protocol error: response has no \"success\" field (HTTP 200)"
        );
        assert_eq!(
            message_of(200, r#"{"success": 1}"#),
            "protocol error: response has an unexpected \"success\" value (HTTP 200)"
        );
        assert_eq!(classify(200, b"\xff\xfe").unwrap_err().http_status(), 200);
    }

    #[test]
    fn odd_but_tolerated_shapes() {
        // A null code is no code; non-string codes and fields are shown in JSON form.
        assert_eq!(
            status_of(200, r#"{"error_code": null, "success": true}"#),
            Status::TENIOS_OK
        );
        assert_eq!(
            message_of(400, r#"{"error_code": 42, "fields": "call_uuid"}"#),
            "42 (fields: call_uuid)"
        );
    }
}
