//! `POST /record-call/start` and `POST /record-call/stop`: record parts of a live call.
//!
//! start {access_key, call_uuid, record_caller?, record_callee? (booleans, default true)},
//! after the common checks (`super::check`), in this order:
//! - call_uuid not a UUID → `INVALID_VALUE` fields `["call_uuid"]` (documented on this page);
//! - an unknown or ended call → `CALL_UUID_NOT_FOUND` (guess);
//! - a recording of the call already running → `RECORDING_ALREADY_RUNNING` (guess);
//! - otherwise `{"recording_uuid":"<new random v4 UUID>"}` (no success key), and the
//!   recording is logged with record_caller/record_callee as received (defaults applied).
//!   Calls in a block can be recorded too.
//!
//! stop {access_key, recording_uuid, call_uuid? (the examples send it)}, after the common
//! checks, in this order:
//! - recording_uuid not a UUID → `INVALID_FIELD` quoting it;
//! - call_uuid given but not a UUID → `INVALID_FIELD` quoting it (guess);
//! - no such recording, already stopped, or (call_uuid given) of another call →
//!   `RECORDING_NOT_FOUND` (guess);
//! - otherwise `{"success":"true"}`, the string, exactly as documented, or with
//!   `--record-stop-success boolean` `{"success":true}`, as TENIOS's own Java example reads it
//!   (it casts to Boolean); the recording is marked stopped, and the call can be recorded again.

use super::{check, error, invalid_field, invalid_value, ok, Account, ApiReply, Spec};
use crate::calls::{Calls, Recording};
use crate::uuid::{is_canonical_uuid, random_uuid};

/// How `/record-call/stop` says success: TENIOS's page documents `{"success": "true"}` (a
/// string), TENIOS's own Java example casts it to Boolean. A client must survive both; this
/// lets it be tested against each (`--record-stop-success`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopSuccess {
    /// `{"success":"true"}`, as documented (the default).
    #[default]
    String,
    /// `{"success":true}`.
    Boolean,
}

impl StopSuccess {
    /// The value of `--record-stop-success`: `string` or `boolean`.
    pub fn parse(text: &str) -> Option<StopSuccess> {
        match text {
            "string" => Some(StopSuccess::String),
            "boolean" => Some(StopSuccess::Boolean),
            _ => None,
        }
    }

    fn body(self) -> &'static str {
        match self {
            StopSuccess::String => r#"{"success":"true"}"#,
            StopSuccess::Boolean => r#"{"success":true}"#,
        }
    }
}

pub const START_PATH: &str = "/record-call/start";
pub const STOP_PATH: &str = "/record-call/stop";

const START: Spec = Spec {
    required: &["access_key", "call_uuid"],
    optional_booleans: &["record_caller", "record_callee"],
    optional_strings: &[],
    success_false: false,
    other: &[],
    field_is_required: false,
};

const STOP: Spec = Spec {
    required: &["access_key", "recording_uuid"],
    optional_booleans: &[],
    optional_strings: &["call_uuid"],
    success_false: false,
    other: &[],
    field_is_required: false,
};

pub fn start(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &START, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let call_uuid = body.string("call_uuid");
    if !is_canonical_uuid(call_uuid) {
        return invalid_value(None, &["call_uuid"]);
    }
    let Some(call) = calls.live(call_uuid) else {
        return START.call_not_found();
    };
    if call.is_recording() {
        return error(
            None,
            "RECORDING_ALREADY_RUNNING",
            "A recording of this call is already running",
            &["call_uuid"],
        );
    }
    let recording_uuid = random_uuid();
    call.recordings.push(Recording {
        recording_uuid: recording_uuid.clone(),
        record_caller: body.boolean("record_caller", true),
        record_callee: body.boolean("record_callee", true),
        running: true,
    });
    ok(format!(r#"{{"recording_uuid":"{recording_uuid}"}}"#))
}

pub fn stop(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &STOP, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let recording_uuid = body.string("recording_uuid");
    if !is_canonical_uuid(recording_uuid) {
        return invalid_field("recording_uuid", recording_uuid);
    }
    let call_uuid = body.optional_string("call_uuid");
    if let Some(call_uuid) = call_uuid.filter(|call_uuid| !is_canonical_uuid(call_uuid)) {
        return invalid_field("call_uuid", call_uuid);
    }
    let found = calls
        .find_recording(recording_uuid)
        .filter(|(call, index)| {
            call.recordings[*index].running
                && call_uuid.is_none_or(|wanted| wanted.eq_ignore_ascii_case(&call.call_uuid))
        });
    let Some((call, index)) = found else {
        return error(
            None,
            "RECORDING_NOT_FOUND",
            "The recording wasn't found",
            &["recording_uuid"],
        );
    };
    call.recordings[index].running = false;
    ok(account.record_stop_success.body().to_owned())
}
