//! The API's methods on a live call, one file per method family: each holds the request's
//! shape, its argument checks and how its answer is read. They all go through
//! [`Client::post`](crate::Client), which owns timeouts, shutdown, at-most-once and redaction.

mod interrupt;
mod listen_in;
mod record;
mod refer;
mod transfer;

pub use transfer::DestinationType;

use crate::client::check_arg;
use crate::error::Error;
use crate::rules::{is_e164, is_sip_uri, MIN_KEY_BYTES};

/// `value` as an E.164 number (see [`is_e164`]).
fn check_e164(name: &str, value: &str) -> Result<(), Error> {
    if is_e164(value) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} \"{value}\" is not an E.164 number (a + and 2 to 15 digits, e.g. +492215540030)"
    )))
}

/// `value` as a SIP URI (see [`is_sip_uri`]).
fn check_sip_uri(name: &str, value: &str) -> Result<(), Error> {
    if is_sip_uri(value) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} \"{value}\" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)"
    )))
}

/// A key (`access_key`, `supervisor_key`): an argument (see [`check_arg`]) of at least
/// [`MIN_KEY_BYTES`] bytes. The message never quotes it.
pub(crate) fn check_key(name: &str, key: &str) -> Result<(), Error> {
    check_arg(name, key.as_bytes())?;
    if key.len() < MIN_KEY_BYTES {
        return Err(Error::InvalidArgument(format!(
            "{name} is shorter than {MIN_KEY_BYTES} bytes (too short to be redacted from \
             messages safely; see docs/redaction.md)"
        )));
    }
    Ok(())
}

/// The checks every method makes on the key and the call, before its own.
fn check_key_and_call(access_key: &str, call_uuid: &str) -> Result<(), Error> {
    check_key("access_key", access_key)?;
    check_arg("call_uuid", call_uuid.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_the_number_and_uri_checks() {
        assert!(check_e164("destination", "+492215540030").is_ok());
        assert_eq!(
            check_e164("destination", "+49 221")
                .unwrap_err()
                .to_string(),
            "destination \"+49 221\" is not an E.164 number (a + and 2 to 15 digits, e.g. \
             +492215540030)"
        );
        assert!(check_sip_uri("sip_uri", "sip:4044@8.8.8.8:5060;user=phone").is_ok());
        assert_eq!(
            check_sip_uri("sip_uri", "tel:+49").unwrap_err().to_string(),
            "sip_uri \"tel:+49\" is not a SIP URI (sip:... or sips:..., e.g. \
             sip:4044@192.0.2.10:5060)"
        );
    }

    #[test]
    fn keys_have_a_minimum_length() {
        assert!(check_key("access_key", &"k".repeat(MIN_KEY_BYTES)).is_ok());
        for short in ["k", "the", "1234567"] {
            let error = check_key("supervisor_key", short).unwrap_err();
            assert_eq!(
                error.to_string(),
                "supervisor_key is shorter than 8 bytes (too short to be redacted from \
                 messages safely; see docs/redaction.md)"
            );
        }
        // Bytes, not characters: four two-byte letters are long enough.
        assert!(check_key("access_key", "ßßßß").is_ok());
        assert_eq!(
            check_key("access_key", "").unwrap_err().to_string(),
            "access_key is empty"
        );
    }
}
