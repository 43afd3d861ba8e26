//! `POST /interrupt-ecc-block`: end the block a call is in, so that TENIOS asks the Call
//! Control webhook for the next blocks.

use serde::Serialize;

use super::check_key_and_call;
use crate::client::{Client, Endpoint};
use crate::error::Error;
use crate::response::classify;

#[derive(Serialize)]
struct InterruptRequest<'a> {
    access_key: &'a str,
    call_uuid: &'a str,
}

impl Client {
    /// Interrupts the block that is running on the live call `call_uuid`.
    ///
    /// Arguments are checked before anything is sent. The access key never appears in a
    /// returned error, even when the server echoes it back.
    pub fn interrupt_block(&self, access_key: &str, call_uuid: &str) -> Result<(), Error> {
        check_key_and_call(access_key, call_uuid)?;
        #[cfg(feature = "test-hooks")]
        crate::test_hooks::arm(call_uuid);
        let request = InterruptRequest {
            access_key,
            call_uuid,
        };
        self.post(Endpoint::InterruptBlock, &request, &[access_key], classify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_is_exactly_the_two_fields() {
        let body = serde_json::to_string(&InterruptRequest {
            access_key: "k\"ey",
            call_uuid: "u",
        })
        .unwrap();
        assert_eq!(body, r#"{"access_key":"k\"ey","call_uuid":"u"}"#);
    }
}
