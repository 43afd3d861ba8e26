//! `POST /refer-call`: hand the call to another SIP system with a SIP REFER.

use serde::Serialize;

use super::{check_key_and_call, check_sip_uri};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::classify;

#[derive(Serialize)]
struct ReferRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
    sip_uri: &'a str,
}

impl Client {
    /// Sends the call `call_uuid` a SIP REFER to `sip_uri` (which becomes its `Refer-To`, e.g.
    /// `sip:4044@192.0.2.10:5060;user=phone`). Once accepted, the call leaves TENIOS.
    pub fn refer_call(
        &self,
        access_key: &str,
        call_uuid: &str,
        sip_uri: &str,
    ) -> Result<(), Error> {
        check_key_and_call(access_key, call_uuid)?;
        check_arg("sip_uri", sip_uri.as_bytes())?;
        // A key passed here by mistake must not show in the message.
        check_sip_uri("sip_uri", sip_uri).map_err(|e| e.redacted(&[access_key]))?;
        let request = ReferRequest {
            access_key,
            call_uuid,
            sip_uri,
        };
        self.post(Endpoint::ReferCall, &request, &[access_key], classify)
    }
}
