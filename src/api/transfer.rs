//! `POST /transfer-call`: move a connected call to another destination.

use serde::Serialize;

use super::{check_e164, check_key_and_call};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::classify;
use crate::rules::DESTINATION_TYPES;

/// Where `/transfer-call` sends a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DestinationType {
    /// A phone number in E.164 form (`+492215540030`).
    ExternalNumber,
    /// A SIP account's user name.
    SipUser,
    /// A SIP trunk's user name.
    SipTrunk,
}

impl DestinationType {
    /// The API's name, e.g. `EXTERNALNUMBER`.
    pub fn api_name(self) -> &'static str {
        let [external_number, sip_user, sip_trunk] = DESTINATION_TYPES;
        match self {
            DestinationType::ExternalNumber => external_number,
            DestinationType::SipUser => sip_user,
            DestinationType::SipTrunk => sip_trunk,
        }
    }
}

#[derive(Serialize)]
struct TransferRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
    destination_type: &'static str,
    destination: &'a str,
}

impl Client {
    /// Transfers the connected call `call_uuid` to `destination`: an E.164 number for
    /// [`DestinationType::ExternalNumber`] (checked here), a SIP user or trunk name otherwise.
    pub fn transfer_call(
        &self,
        access_key: &str,
        call_uuid: &str,
        destination_type: DestinationType,
        destination: &str,
    ) -> Result<(), Error> {
        check_key_and_call(access_key, call_uuid)?;
        check_arg("destination", destination.as_bytes())?;
        if destination_type == DestinationType::ExternalNumber {
            // A key passed here by mistake must not show in the message.
            check_e164("destination", destination).map_err(|e| e.redacted(&[access_key]))?;
        }
        let request = TransferRequest {
            access_key,
            call_uuid,
            destination_type: destination_type.api_name(),
            destination,
        };
        self.post(Endpoint::TransferCall, &request, &[access_key], classify)
    }
}
