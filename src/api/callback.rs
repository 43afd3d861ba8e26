//! `POST /callback/init` and `/callback/status`: a callback through a callback configuration
//! of the portal. TENIOS calls the configuration's (agent) number first, then
//! `callback_number` (the customer), and bridges them.

use serde::Serialize;

use super::makecall::StatusRequest;
use super::{check_key, check_optional};
use crate::client::{check_arg, Client, Endpoint};
use crate::error::Error;
use crate::response::{classify_id, classify_text};

/// The fields in the order of the documentation's example. `delay` is sent as a JSON number,
/// as every example does (the table says "String").
#[derive(Serialize)]
struct InitRequest<'a> {
    access_key: &'a str,
    callback_config_id: &'a str,
    callback_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_announcement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dtmf_key_to_trigger_customer_call: Option<&'a str>,
    delay: u32,
}

impl Client {
    /// Starts a callback with the portal's callback configuration `callback_config_id` to
    /// `callback_number` after `delay_s` seconds, and returns its id (for
    /// [`Client::callback_status`]). `agent_announcement` is read to the agent first;
    /// `dtmf_key` is the key the agent presses to start the customer's call. Both are left
    /// out when `None`.
    pub fn callback_init(
        &self,
        access_key: &str,
        callback_config_id: &str,
        callback_number: &str,
        delay_s: u32,
        agent_announcement: Option<&str>,
        dtmf_key: Option<&str>,
    ) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("callback_config_id", callback_config_id.as_bytes())?;
        check_arg("callback_number", callback_number.as_bytes())?;
        check_optional("agent_announcement", agent_announcement)?;
        check_optional("dtmf_key_to_trigger_customer_call", dtmf_key)?;
        let request = InitRequest {
            access_key,
            callback_config_id,
            callback_number,
            agent_announcement,
            dtmf_key_to_trigger_customer_call: dtmf_key,
            delay: delay_s,
        };
        self.post(Endpoint::CallbackInit, &request, &[access_key], classify_id)
    }

    /// The state of the callback `id` as the API names it: `REQUESTED`, `ACCEPTED`,
    /// `CALLING_A`, `CALL_A_FAILED`, `CALLING_B`, `CALL_B_FAILED`, `CONNECTED`,
    /// `DISCONNECTED` (documented), or any other text TENIOS sends.
    pub fn callback_status(&self, access_key: &str, id: &str) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_arg("id", id.as_bytes())?;
        let request = StatusRequest { access_key, id };
        self.post(
            Endpoint::CallbackStatus,
            &request,
            &[access_key],
            classify_text("status"),
        )
    }
}
