//! `POST /interrupt-ecc-block` {access_key, call_uuid}: end the Call Control block a call is
//! in now.
//!
//! After the common checks (`super::check`; its errors carry `"success": false` as this
//! method's page documents): call_uuid not a UUID → `INVALID_FIELD` quoting it; an unknown or
//! ended call → `CALL_UUID_NOT_FOUND`; a block that cannot be interrupted, or a connected
//! call (no block to interrupt) → `BLOCK_NOT_INTERRUPTIBLE` (the real code is undocumented);
//! otherwise `{"success":true}`, and the interrupt is logged. The call stays in its block
//! (TENIOS asks the webhook for the next blocks).

use super::{check, error, invalid_field, success, Account, ApiReply, Spec};
use crate::calls::{CallState, Calls};
use crate::uuid::is_canonical_uuid;

pub const PATH: &str = "/interrupt-ecc-block";

const SPEC: Spec = Spec {
    required: &["access_key", "call_uuid"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: true,
    other: &[],
    field_is_required: false,
};

pub fn handle(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &SPEC, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let call_uuid = body.string("call_uuid");
    if !is_canonical_uuid(call_uuid) {
        return invalid_field("call_uuid", call_uuid);
    }
    let Some(call) = calls.live(call_uuid) else {
        return SPEC.call_not_found();
    };
    if call.state != CallState::InBlock || !call.interruptible {
        return error(
            Some(false),
            "BLOCK_NOT_INTERRUPTIBLE",
            "The current block of the call can't be interrupted",
            &["call_uuid"],
        );
    }
    calls.record_interrupt(call_uuid);
    success()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::CallSetup;

    const KEY: &str = "sim-access-key";
    const LIVE: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";
    const STUCK: &str = "11111111-2222-3333-4444-555555555555";
    const CONNECTED: &str = "22222222-2222-3333-4444-555555555555";
    const UNKNOWN: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    const INVALID_JSON: &str = r#"{"error_code":"INVALID_JSON","error_message":"An invalid JSON object was provided in the request body.","fields":[]}"#;

    fn account() -> Account {
        Account {
            access_key: KEY.to_owned(),
            supervisor_key: "sup".to_owned(),
            blacklist: Vec::new(),
            tenios_numbers: Vec::new(),
            callback_configs: Vec::new(),
            unreachable: Vec::new(),
            call_control: false,
            record_stop_success: Default::default(),
        }
    }

    fn calls() -> Calls {
        let setup = |call_uuid: &str, state, interruptible| CallSetup {
            call_uuid: call_uuid.to_owned(),
            state,
            interruptible,
            destination: None,
            control: crate::calls::ControlSetup::default(),
        };
        Calls::new(vec![
            setup(LIVE, CallState::InBlock, true),
            setup(STUCK, CallState::InBlock, false),
            setup(CONNECTED, CallState::Connected, true),
        ])
    }

    fn reply(body: &str) -> ApiReply {
        handle(body.as_bytes(), &account(), &mut calls())
    }

    fn assert_error(body: &str, expected: &str) {
        assert_eq!(
            reply(body),
            ApiReply {
                status: 400,
                body: expected.to_owned(),
            },
            "request body: {body}"
        );
    }

    #[test]
    fn success_logs_the_interrupt_as_sent_and_counts_it() {
        let mut calls = calls();
        let upper = LIVE.to_uppercase();
        for call_uuid in [LIVE, &upper] {
            let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{call_uuid}"}}"#);
            assert_eq!(handle(body.as_bytes(), &account(), &mut calls), success());
        }
        assert_eq!(calls.interrupted(), [LIVE.to_owned(), upper]);
        assert_eq!(calls.get(LIVE).unwrap().interrupts, 2);
        assert_eq!(calls.get(LIVE).unwrap().state, CallState::InBlock);
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
    fn rule_5_unknown_or_ended_call() {
        let not_found = r#"{"success":false,"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#;
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{UNKNOWN}"}}"#);
        assert_error(&body, not_found);
        let mut calls = calls();
        calls.live(LIVE).unwrap().end();
        let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{LIVE}"}}"#);
        let reply = handle(body.as_bytes(), &account(), &mut calls);
        assert_eq!(reply.body, not_found);
    }

    #[test]
    fn rule_6_stuck_or_connected_call() {
        for call_uuid in [STUCK, CONNECTED] {
            let body = format!(r#"{{"access_key":"{KEY}","call_uuid":"{call_uuid}"}}"#);
            assert_error(
                &body,
                r#"{"success":false,"error_code":"BLOCK_NOT_INTERRUPTIBLE","error_message":"The current block of the call can't be interrupted","fields":["call_uuid"]}"#,
            );
        }
    }
}
