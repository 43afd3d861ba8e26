//! `POST /wrap-up/extend` {access_key, agent_email, end_time} and `POST /wrap-up/cancel`
//! {access_key, agent_email} (cancel is known only from a third-party client).
//!
//! After the common checks (`super::check`; agent_email or end_time missing or `""` is
//! `FIELD_IS_REQUIRED` "Parameter 'agent_email' is required", documented), in this order:
//! - extend: end_time not `YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm|-hh:mm)` → `INVALID_VALUE`
//!   fields `["end_time"]` (guess: not visible in the documentation);
//! - no agent with this e-mail → `AGENT_NOT_FOUND` "Agent not found." fields
//!   `["agent_email"]` (documented);
//! - the agent not in wrap-up → `AGENT_NOT_IN_WRAP_UP` "The agent is currently not in a
//!   wrap-up status." fields `["agent_email"]` (the code and text documented, the status
//!   400 and the fields a guess);
//! - extend: `{"success":true,"wrap_up_end_time":"<end_time as sent>"}` (documented), kept
//!   as the agent's end time (never enforced: see `contact::Agent`);
//! - cancel: `{"success":true}`, the agent out of wrap-up.

use serde_json::json;

use super::agent_state::agent_not_found;
use super::{check, error, invalid_value, ok, success, Account, ApiReply, Spec};
use crate::calls::Calls;
use crate::contact::Agent;

pub const EXTEND_PATH: &str = "/wrap-up/extend";
pub const CANCEL_PATH: &str = "/wrap-up/cancel";

const EXTEND: Spec = Spec {
    required: &["access_key", "agent_email", "end_time"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: false,
    other: &[],
    field_is_required: true,
};

const CANCEL: Spec = Spec {
    required: &["access_key", "agent_email"],
    optional_booleans: &[],
    optional_strings: &[],
    success_false: false,
    other: &[],
    field_is_required: true,
};

/// The agent `agent_email` in wrap-up, or the documented error.
fn agent_in_wrap_up<'a>(calls: &'a mut Calls, email: &str) -> Result<&'a mut Agent, ApiReply> {
    let agent = calls
        .contact
        .agent(email)
        .ok_or_else(|| agent_not_found("agent_email"))?;
    if !agent.in_wrap_up {
        return Err(error(
            None,
            "AGENT_NOT_IN_WRAP_UP",
            "The agent is currently not in a wrap-up status.",
            &["agent_email"],
        ));
    }
    Ok(agent)
}

pub fn extend(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &EXTEND, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let end_time = body.string("end_time");
    if !is_time_with_zone(end_time) {
        return invalid_value(None, &["end_time"]);
    }
    let agent = match agent_in_wrap_up(calls, body.string("agent_email")) {
        Ok(agent) => agent,
        Err(reply) => return reply,
    };
    agent.wrap_up_end_time = Some(end_time.to_owned());
    ok(json!({ "success": true, "wrap_up_end_time": end_time }).to_string())
}

pub fn cancel(body: &[u8], account: &Account, calls: &mut Calls) -> ApiReply {
    let body = match check(body, &CANCEL, account) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let agent = match agent_in_wrap_up(calls, body.string("agent_email")) {
        Ok(agent) => agent,
        Err(reply) => return reply,
    };
    agent.in_wrap_up = false;
    agent.wrap_up_end_time = None;
    success()
}

/// `YYYY-MM-DDThh:mm:ss`, optional fraction, then `Z` or `±hh:mm` (shape only).
fn is_time_with_zone(text: &str) -> bool {
    let shape = |pattern: &str, text: &str| {
        pattern.len() == text.len()
            && pattern.bytes().zip(text.bytes()).all(|(p, t)| match p {
                b'9' => t.is_ascii_digit(),
                b'S' => t == b'+' || t == b'-',
                _ => p == t,
            })
    };
    let Some((date_time, rest)) = text.split_at_checked(19) else {
        return false;
    };
    if !shape("9999-99-99T99:99:99", date_time) {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            &fraction[digits..]
        }
        None => rest,
    };
    rest == "Z" || shape("S99:99", rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_a_zone() {
        for good in ["2020-01-01T09:00:00.000Z", "2020-01-01T10:00:00+01:00"] {
            assert!(is_time_with_zone(good), "{good}");
        }
        for bad in ["2020-01-01T09:00:00", "2020-01-01T09:00:00.Z", "600", "é"] {
            assert!(!is_time_with_zone(bad), "{bad}");
        }
    }
}
