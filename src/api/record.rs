//! `POST /record-call/start` and `/record-call/stop`: record a live call, in as many parts as
//! wanted.

use serde::Serialize;

use super::check_key_and_call;
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::{classify, classify_recording};

#[derive(Serialize)]
struct StartRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
    record_caller: bool,
    record_callee: bool,
}

/// The documentation lists only `recording_uuid`, but its example request, TENIOS's own
/// example code and every public client also send `call_uuid`: it is sent.
#[derive(Serialize)]
struct StopRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
    recording_uuid: &'a str,
}

impl Client {
    /// Starts recording the call `call_uuid` (the caller's channel, the callee's, or both: the
    /// API's default is both) and returns the new recording's UUID, for
    /// [`Client::record_stop`].
    pub fn record_start(
        &self,
        access_key: &str,
        call_uuid: &str,
        record_caller: bool,
        record_callee: bool,
    ) -> Result<String, Error> {
        check_key_and_call(access_key, call_uuid)?;
        let request = StartRequest {
            access_key,
            call_uuid,
            record_caller,
            record_callee,
        };
        self.post(
            Endpoint::RecordStart,
            &request,
            &[access_key],
            classify_recording,
        )
    }

    /// Stops the recording `recording_uuid` of the call `call_uuid`. The API answers
    /// `{"success": "true"}` (a string) here; `true` is accepted as well.
    pub fn record_stop(
        &self,
        access_key: &str,
        call_uuid: &str,
        recording_uuid: &str,
    ) -> Result<(), Error> {
        check_key_and_call(access_key, call_uuid)?;
        check_arg("recording_uuid", recording_uuid.as_bytes())?;
        let request = StopRequest {
            access_key,
            call_uuid,
            recording_uuid,
        };
        self.post(Endpoint::RecordStop, &request, &[access_key], classify)
    }
}
