//! The simulated `POST /interrupt-ecc-block`: a pure function from request body to reply.
//!
//! The checks run in a fixed order, mirroring what the real API documents: JSON shape,
//! unknown fields, credentials, UUID syntax, then the call's existence and state.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

/// What the simulated account knows: its access key and its live calls.
#[derive(Debug, Clone)]
pub struct Directory {
    access_key: String,
    /// Keyed by lowercase UUID; the value says whether the current block can be interrupted.
    calls: HashMap<String, bool>,
}

impl Directory {
    pub fn new(access_key: impl Into<String>) -> Self {
        Directory {
            access_key: access_key.into(),
            calls: HashMap::new(),
        }
    }

    pub fn add_call(&mut self, call_uuid: &str, interruptible: bool) {
        self.calls
            .insert(call_uuid.to_ascii_lowercase(), interruptible);
    }

    #[cfg(test)]
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// `Some(interruptible)` for a known call, compared case-insensitively.
    pub fn call(&self, call_uuid: &str) -> Option<bool> {
        self.calls.get(&call_uuid.to_ascii_lowercase()).copied()
    }
}

/// The HTTP status and JSON body to send, plus the call to log if it was interrupted.
#[derive(Debug, PartialEq, Eq)]
pub struct ApiReply {
    pub status: u16,
    pub body: String,
    pub interrupted: Option<String>,
}

/// Error body. A struct rather than `json!` so the field order is fixed (as in the docs)
/// whatever serde_json features other crates switch on.
#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    success: Option<bool>,
    error_code: &'a str,
    error_message: &'a str,
    fields: &'a [String],
}

pub fn interrupt_ecc_block(body: &[u8], directory: &Directory) -> ApiReply {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return invalid_json();
    };
    let (Some(Value::String(access_key)), Some(Value::String(call_uuid))) =
        (object.get("access_key"), object.get("call_uuid"))
    else {
        return invalid_json();
    };

    let mut unknown_fields: Vec<String> = object
        .keys()
        .filter(|key| *key != "access_key" && *key != "call_uuid")
        .cloned()
        .collect();
    if !unknown_fields.is_empty() {
        unknown_fields.sort();
        return error(
            Some(false),
            "INVALID_VALUE",
            "Invalid parameter type or format",
            &unknown_fields,
        );
    }

    if *access_key != directory.access_key {
        return error(Some(false), "BAD_CREDENTIALS", "Bad credentials", &[]);
    }

    let call_uuid_field = ["call_uuid".to_owned()];
    if !is_canonical_uuid(call_uuid) {
        let message =
            format!("Invalid 'call_uuid' input parameter. Invalid value - '{call_uuid}'.");
        return error(None, "INVALID_FIELD", &message, &call_uuid_field);
    }

    match directory.call(call_uuid) {
        None => error(
            Some(false),
            "CALL_UUID_NOT_FOUND",
            "The call wasn't found",
            &call_uuid_field,
        ),
        // The real error code is undocumented; this one is the simulator's own.
        Some(false) => error(
            Some(false),
            "BLOCK_NOT_INTERRUPTIBLE",
            "The current block of the call can't be interrupted",
            &call_uuid_field,
        ),
        Some(true) => ApiReply {
            status: 200,
            body: r#"{"success":true}"#.to_owned(),
            interrupted: Some(call_uuid.clone()),
        },
    }
}

/// 8-4-4-4-12 hex digits, either case.
pub fn is_canonical_uuid(text: &str) -> bool {
    const GROUP_LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == GROUP_LENGTHS.len()
        && groups.iter().zip(GROUP_LENGTHS).all(|(group, length)| {
            group.len() == length && group.bytes().all(|byte| byte.is_ascii_hexdigit())
        })
}

fn invalid_json() -> ApiReply {
    error(
        None,
        "INVALID_JSON",
        "An invalid JSON object was provided in the request body.",
        &[],
    )
}

fn error(
    success: Option<bool>,
    error_code: &str,
    error_message: &str,
    fields: &[String],
) -> ApiReply {
    let body = ErrorBody {
        success,
        error_code,
        error_message,
        fields,
    };
    ApiReply {
        status: 400,
        // Serializing plain strings and booleans cannot fail.
        body: serde_json::to_string(&body).unwrap_or_default(),
        interrupted: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sim-access-key";
    const LIVE: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";
    const STUCK: &str = "11111111-2222-3333-4444-555555555555";
    const UNKNOWN: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    const INVALID_JSON: &str = r#"{"error_code":"INVALID_JSON","error_message":"An invalid JSON object was provided in the request body.","fields":[]}"#;

    fn directory() -> Directory {
        let mut directory = Directory::new(KEY);
        directory.add_call(LIVE, true);
        directory.add_call(STUCK, false);
        directory
    }

    fn reply(body: &str) -> ApiReply {
        interrupt_ecc_block(body.as_bytes(), &directory())
    }

    fn assert_error(body: &str, expected: &str) {
        assert_eq!(
            reply(body),
            ApiReply {
                status: 400,
                body: expected.to_owned(),
                interrupted: None
            },
            "request body: {body}"
        );
    }

    #[test]
    fn success_reports_the_interrupted_call() {
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{LIVE}"}}"#);
        assert_eq!(
            reply(&body),
            ApiReply {
                status: 200,
                body: r#"{"success":true}"#.to_owned(),
                interrupted: Some(LIVE.to_owned()),
            }
        );
    }

    #[test]
    fn known_calls_match_case_insensitively_and_log_the_uuid_as_sent() {
        let upper = LIVE.to_uppercase();
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{upper}"}}"#);
        let reply = reply(&body);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.interrupted, Some(upper));
    }

    #[test]
    fn rule_1_invalid_json() {
        for body in [
            "",
            "{",
            "not json",
            r#"["access_key","call_uuid"]"#,
            "null",
            r#""text""#,
            &format!(r#"{{"call_uuid":"{LIVE}"}}"#),
            r#"{"access_key":"sim-access-key"}"#,
            &format!(r#"{{"access_key":1,"call_uuid":"{LIVE}"}}"#),
            r#"{"access_key":"sim-access-key","call_uuid":null}"#,
            // Missing field wins over unknown field: rule 1 runs before rule 2.
            r#"{"access_key":"sim-access-key","destination":"x"}"#,
        ] {
            assert_error(body, INVALID_JSON);
        }
    }

    #[test]
    fn rule_2_unknown_fields_are_listed_sorted() {
        let body = r#"{"access_key":"wrong","call_uuid":"bad","zeta":1,"destination_type":"EXTERNAL","alpha":null}"#;
        assert_error(
            body,
            r#"{"success":false,"error_code":"INVALID_VALUE","error_message":"Invalid parameter type or format","fields":["alpha","destination_type","zeta"]}"#,
        );
    }

    #[test]
    fn rule_3_bad_credentials() {
        let body = r#"{"access_key":"SIM-ACCESS-KEY","call_uuid":"bad"}"#;
        assert_error(
            body,
            r#"{"success":false,"error_code":"BAD_CREDENTIALS","error_message":"Bad credentials","fields":[]}"#,
        );
    }

    #[test]
    fn rule_4_invalid_call_uuid_quotes_the_value() {
        for value in [
            "1234567890",
            "",
            "c0b93a5e4ce04adb940e5079f2abbcb4",
            "{c0b93a5e-4ce0-4adb-940e-5079f2abbcb4}",
            "c0b93a5e-4ce0-4adb-940e-5079f2abbcbg",
            "c0b93a5e-4ce0-4adb-940e5-079f2abbcb4",
            "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4-",
        ] {
            let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{value}"}}"#);
            let expected = format!(
                r#"{{"error_code":"INVALID_FIELD","error_message":"Invalid 'call_uuid' input parameter. Invalid value - '{value}'.","fields":["call_uuid"]}}"#
            );
            assert_error(&body, &expected);
        }
    }

    #[test]
    fn rule_4_escapes_the_value_in_json() {
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"a\"b"}}"#);
        assert_error(
            &body,
            r#"{"error_code":"INVALID_FIELD","error_message":"Invalid 'call_uuid' input parameter. Invalid value - 'a\"b'.","fields":["call_uuid"]}"#,
        );
    }

    #[test]
    fn rule_5_unknown_call() {
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{UNKNOWN}"}}"#);
        assert_error(
            &body,
            r#"{"success":false,"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#,
        );
    }

    #[test]
    fn rule_6_stuck_call() {
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{STUCK}"}}"#);
        assert_error(
            &body,
            r#"{"success":false,"error_code":"BLOCK_NOT_INTERRUPTIBLE","error_message":"The current block of the call can't be interrupted","fields":["call_uuid"]}"#,
        );
    }

    #[test]
    fn canonical_uuid() {
        assert!(is_canonical_uuid(LIVE));
        assert!(is_canonical_uuid(&LIVE.to_uppercase()));
        assert!(is_canonical_uuid("C0b93A5e-4ce0-4ADB-940e-5079f2abbcb4"));
        assert!(!is_canonical_uuid("c0b93a5e-4ce0-4adb-940e-5079f2abbcb"));
        assert!(!is_canonical_uuid("c0b93a5e_4ce0_4adb_940e_5079f2abbcb4"));
        assert!(!is_canonical_uuid(" c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"));
        assert!(!is_canonical_uuid("c0b93a5e-4ce0-4adb-940e-5079f2abbcb４"));
    }
}
