//! `POST /makecall/init` {access_key, destination_number, tenios_number, caller_id?,
//! callstate_info_url?} and `POST /makecall/status` {access_key, id}: click-to-call.
//!
//! init, after the common checks (`super::check`), in this order:
//! - tenios_number not a number of the account (`--tenios-number`) → `INVALID_VALUE` fields
//!   `["tenios_number"]` (guess: the page's errors are cut off);
//! - destination_number unreachable (`--unreachable`) → accepted, the status says
//!   `CALL_A_FAILED` and no call is made;
//! - otherwise `{"id":N}` (a number, as callback/init documents; N counts from 1) and a new
//!   call (random call_uuid) reaches the TENIOS number's routing: with `--webhook` it enters
//!   Call Control, its variables the documented four (destination_number = the TENIOS number,
//!   caller_id_number = the number called first: a guess) plus `callback_id` (the id as a
//!   string, as documented) and `callback_bleg_uuid` (a random UUID for the leg to the TENIOS
//!   number: a guess at how it relates to call_uuid); without, it is in routing.
//!   callstate_info_url is recorded, never called.
//!
//! status, after the common checks (`id` may be a string, as documented for callback/status,
//! or a number, as TENIOS's PHP example sends it):
//! - no such id (or one of a callback) → `INVALID_VALUE` fields `["id"]` (guess);
//! - otherwise `{"status":"..."}`: see `contact::Started::status`.

use serde_json::json;

use super::{check, error, invalid_value, ok, Account, ApiReply, Spec};
use crate::calls::{CallSetup, CallState, Calls, ControlSetup};
use crate::contact::{Kind, Started};
use crate::uuid::random_uuid;

pub const INIT_PATH: &str = "/makecall/init";
pub const STATUS_PATH: &str = "/makecall/status";

const INIT: Spec = Spec {
    required: &["access_key", "destination_number", "tenios_number"],
    optional_booleans: &[],
    optional_strings: &["caller_id", "callstate_info_url"],
    success_false: false,
    other: &[],
    field_is_required: false,
};

/// Both status methods: `id` is a string or a number.
pub const STATUS: Spec = Spec {
    required: &["access_key"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: false,
    other: &["id"],
    field_is_required: false,
};

pub fn init(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &INIT, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let tenios_number = body.string("tenios_number");
    if !account.tenios_numbers.iter().any(|n| n == tenios_number) {
        return invalid_value(None, &["tenios_number"]);
    }
    let destination_number = body.string("destination_number");
    let id = calls.contact.next_id();
    let mut started = Started {
        id,
        kind: Kind::Makecall,
        request: body.json(),
        call_uuid: None,
        failed: None,
    };
    if account.unreachable.iter().any(|n| n == destination_number) {
        started.failed = Some("CALL_A_FAILED");
        calls.contact.started.push(started);
        return ok(json!({ "id": id }).to_string());
    }
    let call_uuid = random_uuid();
    calls.add(&CallSetup {
        call_uuid: call_uuid.clone(),
        state: CallState::Routing,
        interruptible: false,
        destination: None,
        control: ControlSetup {
            call_control: false,
            destination_number: tenios_number.to_owned(),
            caller_id_number: destination_number.to_owned(),
            correlation_id: Some(random_uuid()),
            input: Vec::new(),
        },
    });
    started.call_uuid = Some(call_uuid.clone());
    calls.contact.started.push(started);
    if account.call_control {
        let variables = vec![
            ("callback_id".to_owned(), id.to_string()),
            ("callback_bleg_uuid".to_owned(), random_uuid()),
        ];
        if crate::webhook::enter(calls, &call_uuid, variables).is_ok() {
            calls.contact.pending_sessions.push(call_uuid);
        }
    }
    ok(json!({ "id": id }).to_string())
}

pub fn status(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    answer_status(body, account, calls, Kind::Makecall)
}

/// The status of a click-to-call or callback (`kind`).
pub fn answer_status(body: &[u8], account: &Account, calls: &mut Calls, kind: Kind) -> ApiReply {
    let body = match check(body, &STATUS, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(id) = body.value("id") else {
        return super::invalid_json();
    };
    let Some(started) = calls.contact.find(id).filter(|s| s.kind == kind).cloned() else {
        return error(
            None,
            "INVALID_VALUE",
            "Invalid parameter type or format",
            &["id"],
        );
    };
    let call_state = started
        .call_uuid
        .as_deref()
        .and_then(|uuid| calls.get(uuid))
        .map(|call| call.state);
    ok(json!({ "status": started.status(call_state) }).to_string())
}
