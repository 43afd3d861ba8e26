//! `POST /call/listen-in/start` {access_key, supervisor_key, call_uuid,
//! supervisor_destination, whisper_to_agent? (boolean, default false)}: a supervisor listens
//! in on a connected call (silent monitoring). No stop method is documented.
//!
//! After the common checks (`super::check`: a wrong access_key or supervisor_key is
//! `BAD_CREDENTIALS`, documented), in this order:
//! - call_uuid not a UUID → `INVALID_FIELD` quoting it (guess);
//! - supervisor_destination empty, or neither E.164 nor a `sip:`/`sips:` URI →
//!   `INVALID_FIELD` quoting it (guess);
//! - supervisor_destination on the account's blacklist →
//!   `LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST` (the code is documented; status and
//!   message a guess);
//! - an unknown or ended call → `CALL_UUID_NOT_FOUND` (guess);
//! - a call still in a block → `CALL_NOT_CONNECTED` (guess);
//! - otherwise `{"success":true}`, and the listen-in is logged with whisper_to_agent.

use tenios::rules::{is_e164, is_sip_uri};

use super::{call_not_connected, check, error, invalid_field, success, Account, ApiReply, Spec};
use crate::calls::{CallState, Calls, ListenIn};
use crate::uuid::is_canonical_uuid;

pub const PATH: &str = "/call/listen-in/start";

const SPEC: Spec = Spec {
    required: &[
        "access_key",
        "supervisor_key",
        "call_uuid",
        "supervisor_destination",
    ],
    optional_booleans: &["whisper_to_agent"],
    optional_strings: &[],
    success_false: false,
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
    let destination = body.string("supervisor_destination");
    if !is_e164(destination) && !is_sip_uri(destination) {
        return invalid_field("supervisor_destination", destination);
    }
    if account.blacklist.iter().any(|listed| listed == destination) {
        return error(
            None,
            "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST",
            "The supervisor destination is in the blacklist",
            &["supervisor_destination"],
        );
    }
    let Some(call) = calls.live(call_uuid) else {
        return SPEC.call_not_found();
    };
    if call.state != CallState::Connected {
        return call_not_connected();
    }
    call.listen_ins.push(ListenIn {
        supervisor_destination: destination.to_owned(),
        whisper_to_agent: body.boolean("whisper_to_agent", false),
    });
    success()
}
