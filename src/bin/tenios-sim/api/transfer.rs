//! `POST /transfer-call` {access_key, call_uuid, destination_type, destination}: move a
//! connected call to a new destination.
//!
//! After the common checks (`super::check`), in this order:
//! - destination_type not EXTERNALNUMBER, SIP_USER or SIP_TRUNK → `INVALID_VALUE` with
//!   `"success": false`, fields `["destination_type"]` (documented);
//! - call_uuid not a UUID → `INVALID_FIELD` quoting it (documented, body cut off in the copy);
//! - an empty destination, or an EXTERNALNUMBER one that is not E.164 → `INVALID_FIELD`
//!   quoting it (guess);
//! - an unknown or ended call → `CALL_UUID_NOT_FOUND` (guess);
//! - a call still in a block → `CALL_NOT_CONNECTED` (guess: the page says only a connected
//!   call can be transferred, without the code);
//! - otherwise `{"success":true}`; the call stays connected, now to the new destination, and
//!   the transfer is logged.

use tenios::rules::is_e164;

use super::{
    call_not_connected, check, invalid_field, invalid_value, success, Account, ApiReply, Spec,
};
use crate::calls::{CallState, Calls, Transfer};
use crate::uuid::is_canonical_uuid;

pub const PATH: &str = "/transfer-call";

const SPEC: Spec = Spec {
    required: &["access_key", "call_uuid", "destination_type", "destination"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: false,
    other: &[],
    field_is_required: false,
};

const DESTINATION_TYPES: [&str; 3] = ["EXTERNALNUMBER", "SIP_USER", "SIP_TRUNK"];

pub fn handle(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &SPEC, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let destination_type = body.string("destination_type");
    if !DESTINATION_TYPES.contains(&destination_type) {
        return invalid_value(Some(false), &["destination_type"]);
    }
    let call_uuid = body.string("call_uuid");
    if !is_canonical_uuid(call_uuid) {
        return invalid_field("call_uuid", call_uuid);
    }
    let destination = body.string("destination");
    if destination.is_empty() || (destination_type == "EXTERNALNUMBER" && !is_e164(destination)) {
        return invalid_field("destination", destination);
    }
    let Some(call) = calls.live(call_uuid) else {
        return SPEC.call_not_found();
    };
    if call.state != CallState::Connected {
        return call_not_connected();
    }
    call.destination = Some(destination.to_owned());
    call.transfers.push(Transfer {
        destination_type: destination_type.to_owned(),
        destination: destination.to_owned(),
    });
    success()
}
