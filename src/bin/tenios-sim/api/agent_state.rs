//! `POST /acd/agent-state/retrieve` {access_key, email} and `POST /acd/agent-state/change`
//! {access_key, email, state, not_ready_reason? | nrr?}.
//!
//! After the common checks (`super::check`; a required field missing or `""` is
//! `FIELD_IS_REQUIRED`, documented for this page), in this order:
//! - change: state not READY or NOT_READY → `INVALID_VALUE` fields `["state"]` (guess);
//! - no agent with this email (`--agent`, `--wrap-up-agent`) → `AGENT_NOT_FOUND` "Agent not
//!   found." fields `["email"]` (guess: the wrap-up page documents the code for
//!   agent_email);
//! - retrieve: `{"email":"...","state":"READY"}` (documented);
//! - change: `{"success":true}` (documented), the state set; the reason is taken under
//!   either name (`not_ready_reason`, the newest page, or `nrr`, the older ones) and kept
//!   until the next change.

use serde_json::json;

use super::{check, error, invalid_value, ok, success, Account, ApiReply, Spec};
use crate::calls::Calls;

pub const RETRIEVE_PATH: &str = "/acd/agent-state/retrieve";
pub const CHANGE_PATH: &str = "/acd/agent-state/change";

const RETRIEVE: Spec = Spec {
    required: &["access_key", "email"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: false,
    other: &[],
    field_is_required: true,
};

const CHANGE: Spec = Spec {
    required: &["access_key", "email", "state"],
    optional_booleans: &[],
    optional_strings: &["not_ready_reason", "nrr"],
    success_false: false,
    other: &[],
    field_is_required: true,
};

/// AGENT_NOT_FOUND as the wrap-up page documents it, naming `field`.
pub fn agent_not_found(field: &str) -> ApiReply {
    error(None, "AGENT_NOT_FOUND", "Agent not found.", &[field])
}

pub fn retrieve(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &RETRIEVE, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(agent) = calls.contact.agent(body.string("email")) else {
        return agent_not_found("email");
    };
    ok(json!({ "email": agent.email, "state": agent.state }).to_string())
}

pub fn change(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &CHANGE, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let state = body.string("state");
    if state != "READY" && state != "NOT_READY" {
        return invalid_value(None, &["state"]);
    }
    let Some(agent) = calls.contact.agent(body.string("email")) else {
        return agent_not_found("email");
    };
    agent.state = state.to_owned();
    agent.not_ready_reason = body
        .optional_string("not_ready_reason")
        .or(body.optional_string("nrr"))
        .map(str::to_owned);
    success()
}
