//! `POST /makecall/init` and `/makecall/status`: click-to-call. TENIOS calls
//! `destination_number` first; once it answers, the call goes to `tenios_number` and that
//! number's routing plan runs (a Call Control block there gets the init's id as
//! `variables.callback_id`).

use serde::Serialize;

use super::{check_https_url, check_key, check_optional};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::{classify_id, classify_text};

/// The fields in the documentation's order; the optional ones are left out when not given.
#[derive(Serialize)]
struct InitRequest<'a> {
    access_key: &'a str,
    destination_number: &'a str,
    tenios_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    caller_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callstate_info_url: Option<&'a str>,
}

/// The request of both status methods: the id as a string, as the callback page's table
/// documents it (and TENIOS's Java example sends it).
#[derive(Serialize)]
pub(super) struct StatusRequest<'a> {
    pub access_key: &'a str,
    pub id: &'a str,
}

impl Client {
    /// Starts a click-to-call and returns its id (for [`Client::makecall_status`]; the API
    /// answers a number, returned in decimal). `caller_id` is the number shown (any number of
    /// the account, "plus max. 5-digit Extension"); `callstate_info_url` an `https://` URL
    /// TENIOS POSTs every call-state change to. Both are left out of the request when `None`.
    pub fn makecall_init(
        &self,
        access_key: &str,
        destination_number: &str,
        tenios_number: &str,
        caller_id: Option<&str>,
        callstate_info_url: Option<&str>,
    ) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("destination_number", destination_number.as_bytes())?;
        check_arg("tenios_number", tenios_number.as_bytes())?;
        check_optional("caller_id", caller_id)?;
        check_optional("callstate_info_url", callstate_info_url)?;
        if let Some(url) = callstate_info_url {
            check_https_url("callstate_info_url", url)?;
        }
        let request = InitRequest {
            access_key,
            destination_number,
            tenios_number,
            caller_id,
            callstate_info_url,
        };
        self.post(Endpoint::MakecallInit, &request, &[access_key], classify_id)
    }

    /// The state of the click-to-call `id` (from [`Client::makecall_init`]), as the API
    /// names it (e.g. `REQUESTED`; the values are the callback states, an inference).
    pub fn makecall_status(&self, access_key: &str, id: &str) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("id", id.as_bytes())?;
        let request = StatusRequest { access_key, id };
        self.post(
            Endpoint::MakecallStatus,
            &request,
            &[access_key],
            classify_text("status"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_are_left_out() {
        let body = |caller_id, url| {
            serde_json::to_string(&InitRequest {
                access_key: "k",
                destination_number: "+49221",
                tenios_number: "+49800",
                caller_id,
                callstate_info_url: url,
            })
            .unwrap()
        };
        assert_eq!(
            body(None, None),
            r#"{"access_key":"k","destination_number":"+49221","tenios_number":"+49800"}"#
        );
        assert_eq!(
            body(Some("+49301"), Some("https://x/y")),
            r#"{"access_key":"k","destination_number":"+49221","tenios_number":"+49800","caller_id":"+49301","callstate_info_url":"https://x/y"}"#
        );
    }
}
