//! `POST /callback/init` {access_key, callback_config_id, callback_number, delay,
//! agent_announcement?, dtmf_key_to_trigger_customer_call?} and `POST /callback/status`
//! {access_key, id}.
//!
//! init, after the common checks (`super::check`), in this order:
//! - delay missing → `INVALID_JSON` (like every missing field; guess); not a non-negative
//!   integer, as a number or a string of digits (the table says String, the examples send
//!   `30`) → `INVALID_VALUE` fields `["delay"]` (guess);
//! - callback_config_id not a configuration of the account (`--callback-config`) →
//!   `BAD_CREDENTIALS` (documented: BAD_CREDENTIALS_2, the same body as a wrong key);
//! - the agent side (the configuration's number, +4922155400300) or callback_number
//!   unreachable (`--unreachable`) → accepted, the status says `CALL_A_FAILED` or
//!   `CALL_B_FAILED`;
//! - otherwise `{"id":N}` (a number, as documented) and a new call, connected (agent and
//!   customer bridged), its destination callback_number. [guess] The delay is recorded, not
//!   waited for.
//!
//! status: as `/makecall/status` (see there), for callbacks' ids.

use serde_json::{json, Value};

use super::{check, error, invalid_value, ok, Account, ApiReply, Spec};
use crate::calls::{CallSetup, CallState, Calls, ControlSetup, DEFAULT_DESTINATION};
use crate::contact::{Kind, Started};
use crate::uuid::random_uuid;

pub const INIT_PATH: &str = "/callback/init";
pub const STATUS_PATH: &str = "/callback/status";

const INIT: Spec = Spec {
    required: &["access_key", "callback_config_id", "callback_number"],
    optional_booleans: &[],
    optional_strings: &["agent_announcement", "dtmf_key_to_trigger_customer_call"],
    success_false: false,
    other: &["delay"],
    field_is_required: false,
};

pub fn init(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &INIT, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let delay_ok = match body.value("delay") {
        None => return super::invalid_json(),
        Some(Value::Number(n)) => n.as_u64().is_some(),
        Some(Value::String(s)) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        Some(_) => false,
    };
    if !delay_ok {
        return invalid_value(None, &["delay"]);
    }
    if !account
        .callback_configs
        .iter()
        .any(|id| id == body.string("callback_config_id"))
    {
        return error(None, "BAD_CREDENTIALS", "Bad credentials", &[]);
    }
    let customer = body.string("callback_number");
    let id = calls.contact.next_id();
    let unreachable = |number: &str| account.unreachable.iter().any(|n| n == number);
    let failed = if unreachable(DEFAULT_DESTINATION) {
        Some("CALL_A_FAILED")
    } else if unreachable(customer) {
        Some("CALL_B_FAILED")
    } else {
        None
    };
    let call_uuid = failed.is_none().then(random_uuid);
    if let Some(call_uuid) = &call_uuid {
        calls.add(&CallSetup {
            call_uuid: call_uuid.clone(),
            state: CallState::Connected,
            interruptible: false,
            destination: Some(customer.to_owned()),
            control: ControlSetup::default(),
        });
    }
    calls.contact.started.push(Started {
        id,
        kind: Kind::Callback,
        request: body.json(),
        call_uuid,
        failed,
    });
    ok(json!({ "id": id }).to_string())
}

pub fn status(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    super::makecall::answer_status(body, account, calls, Kind::Callback)
}
