//! `POST /acd/agent-state/retrieve` and `/acd/agent-state/change`: an ACD agent, known by
//! the e-mail of its Cloud PBX user, READY or NOT_READY.

use serde::Serialize;

use super::{check_key, check_optional};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::{classify, classify_text};

/// The states `/acd/agent-state/change` documents.
pub const AGENT_STATES: [&str; 2] = ["READY", "NOT_READY"];

#[derive(Serialize)]
struct RetrieveRequest<'a> {
    access_key: &'a str,
    email: &'a str,
}

/// The reason is sent as `not_ready_reason`, the newest page's name (older pages and the
/// German blog call it `nrr`).
#[derive(Serialize)]
struct ChangeRequest<'a> {
    access_key: &'a str,
    email: &'a str,
    state: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_ready_reason: Option<&'a str>,
}

impl Client {
    /// The state of the agent `email` (`READY` or `NOT_READY` as documented; any other text
    /// TENIOS sends is returned as it is).
    pub fn agent_state_retrieve(&self, access_key: &str, email: &str) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("email", email.as_bytes())?;
        let request = RetrieveRequest { access_key, email };
        self.post(
            Endpoint::AgentStateRetrieve,
            &request,
            &[access_key],
            classify_text("state"),
        )
    }

    /// Sets the agent `email` `READY` or `NOT_READY` (checked before sending), with the
    /// acronym of a Not-Ready Reason configured in the portal (e.g. `COF`) when given.
    pub fn agent_state_change(
        &self,
        access_key: &str,
        email: &str,
        state: &str,
        not_ready_reason: Option<&str>,
    ) -> Result<(), Error> {
        check_key("access_key", access_key)?;
        check_arg("email", email.as_bytes())?;
        check_arg("state", state.as_bytes())?;
        if !AGENT_STATES.contains(&state) {
            return Err(Error::InvalidArgument(format!(
                "state \"{state}\" is not READY or NOT_READY"
            )));
        }
        check_optional("not_ready_reason", not_ready_reason)?;
        let request = ChangeRequest {
            access_key,
            email,
            state,
            not_ready_reason,
        };
        self.post(
            Endpoint::AgentStateChange,
            &request,
            &[access_key],
            classify,
        )
    }
}
