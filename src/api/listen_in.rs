//! `POST /call/listen-in/start`: a supervisor listens in on a call (silent monitoring),
//! optionally whispering to the agent. The API has no stop method: it ends when the
//! supervisor hangs up or the call ends.

use serde::Serialize;

use super::{check_key, check_key_and_call};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::classify;

#[derive(Serialize)]
struct ListenInRequest<'a> {
    access_key: &'a str,
    supervisor_key: &'a str,
    call_uuid: &'a str,
    supervisor_destination: &'a str,
    whisper_to_agent: bool,
}

impl Client {
    /// Lets a supervisor listen in on the call `call_uuid`, reached at
    /// `supervisor_destination` (a number or SIP address; TENIOS decides what it accepts).
    /// `supervisor_key` is a secret like the access key: never in any message.
    pub fn listen_in_start(
        &self,
        access_key: &str,
        call_uuid: &str,
        supervisor_key: &str,
        supervisor_destination: &str,
        whisper_to_agent: bool,
    ) -> Result<(), Error> {
        check_key_and_call(access_key, call_uuid)?;
        check_key("supervisor_key", supervisor_key)?;
        check_arg("supervisor_destination", supervisor_destination.as_bytes())?;
        let request = ListenInRequest {
            access_key,
            supervisor_key,
            call_uuid,
            supervisor_destination,
            whisper_to_agent,
        };
        self.post(
            Endpoint::ListenInStart,
            &request,
            &[access_key, supervisor_key],
            classify,
        )
    }
}
