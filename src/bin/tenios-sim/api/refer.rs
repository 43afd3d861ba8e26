//! `POST /refer-call` {access_key, call_uuid, sip_uri}: hand the call to the customer's own
//! PBX with a SIP REFER (the sip_uri becomes its Refer-To).
//!
//! After the common checks (`super::check`), in this order:
//! - call_uuid not a UUID → `INVALID_FIELD` quoting it (documented);
//! - an empty sip_uri → `INVALID_FIELD` "Invalid 'sip_uri' input parameter. Invalid value -
//!   '' ." (documented, with the space before the period); one that is not a `sip:`/`sips:`
//!   URI gets the same form (guess);
//! - an unknown or ended call → `CALL_UUID_NOT_FOUND` (guess);
//! - otherwise `{"success":true}`: the call leaves TENIOS (ended, any running recording
//!   stops), and the refer is logged. A call in a block can be referred too.

use tenios::rules::is_sip_uri;

use super::{check, error, invalid_field, success, Account, ApiReply, Spec};
use crate::calls::{Calls, Refer};
use crate::uuid::is_canonical_uuid;

pub const PATH: &str = "/refer-call";

const SPEC: Spec = Spec {
    required: &["access_key", "call_uuid", "sip_uri"],
    optional_booleans: &[],
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
    let sip_uri = body.string("sip_uri");
    if !is_sip_uri(sip_uri) {
        // The documented message has a space before its period, unlike the call_uuid one.
        let message = format!("Invalid 'sip_uri' input parameter. Invalid value - '{sip_uri}' .");
        return error(None, "INVALID_FIELD", &message, &["sip_uri"]);
    }
    let Some(call) = calls.live(call_uuid) else {
        return SPEC.call_not_found();
    };
    call.end();
    call.refers.push(Refer {
        sip_uri: sip_uri.to_owned(),
    });
    success()
}
