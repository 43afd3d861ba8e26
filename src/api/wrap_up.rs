//! `POST /wrap-up/extend` and `/wrap-up/cancel`: an agent's wrap-up (post-processing) time
//! after an ACD call. Cancel is known only from a third-party client
//! (matthiez/tenios-voice-client), not from TENIOS's pages.

use serde::Serialize;

use super::{check_end_time, check_key};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::{classify, classify_wrap_up_end};

#[derive(Serialize)]
struct ExtendRequest<'a> {
    access_key: &'a str,
    agent_email: &'a str,
    end_time: &'a str,
}

#[derive(Serialize)]
struct CancelRequest<'a> {
    access_key: &'a str,
    agent_email: &'a str,
}

impl Client {
    /// Extends the wrap-up of the agent `agent_email` until `end_time`, an absolute time with
    /// a time zone (`2020-01-01T09:00:00.000Z` or `...+01:00`, checked before sending), and
    /// returns the end time TENIOS answers (`wrap_up_end_time`).
    pub fn wrap_up_extend(
        &self,
        access_key: &str,
        agent_email: &str,
        end_time: &str,
    ) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("agent_email", agent_email.as_bytes())?;
        check_arg("end_time", end_time.as_bytes())?;
        check_end_time(end_time)?;
        let request = ExtendRequest {
            access_key,
            agent_email,
            end_time,
        };
        self.post(
            Endpoint::WrapUpExtend,
            &request,
            &[access_key],
            classify_wrap_up_end,
        )
    }

    /// Ends the wrap-up of the agent `agent_email` now. Known only from a third-party client:
    /// TENIOS's pages as far as they could be read do not show this method.
    pub fn wrap_up_cancel(&self, access_key: &str, agent_email: &str) -> Result<(), Error> {
        check_key("access_key", access_key)?;
        check_arg("agent_email", agent_email.as_bytes())?;
        let request = CancelRequest {
            access_key,
            agent_email,
        };
        self.post(Endpoint::WrapUpCancel, &request, &[access_key], classify)
    }
}
