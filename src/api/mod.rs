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

/// `value` as an E.164 number: `+`, then 2 to 15 digits, the first not 0.
fn check_e164(name: &str, value: &str) -> Result<(), Error> {
    let digits = value.strip_prefix('+').unwrap_or("");
    let valid = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} \"{value}\" is not an E.164 number (a + and 2 to 15 digits, e.g. +492215540030)"
    )))
}

/// `value` as a SIP URI: `sip:` or `sips:` and something after it.
fn check_sip_uri(name: &str, value: &str) -> Result<(), Error> {
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("sip:")
        .or_else(|| lower.strip_prefix("sips:"));
    if rest.is_some_and(|rest| !rest.is_empty()) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} \"{value}\" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)"
    )))
}

/// The checks every method makes on the key and the call, before its own.
fn check_key_and_call(access_key: &str, call_uuid: &str) -> Result<(), Error> {
    check_arg("access_key", access_key.as_bytes())?;
    check_arg("call_uuid", call_uuid.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers() {
        for good in ["+492215540030", "+12", "+123456789012345"] {
            assert!(check_e164("destination", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "+",
            "+1",
            "+0221",
            "492215540030",
            "+49 221",
            "+1234567890123456",
            "+49a",
        ] {
            assert_eq!(
                check_e164("destination", bad).unwrap_err().to_string(),
                format!(
                    "destination \"{bad}\" is not an E.164 number (a + and 2 to 15 digits, e.g. \
                     +492215540030)"
                ),
            );
        }
    }

    #[test]
    fn sip_uris() {
        for good in ["sip:4044@8.8.8.8:5060;user=phone", "SIPS:a@b", "sip:x"] {
            assert!(check_sip_uri("sip_uri", good).is_ok(), "{good}");
        }
        for bad in ["", "sip:", "tel:+49", "4044@8.8.8.8"] {
            assert!(check_sip_uri("sip_uri", bad).is_err(), "{bad}");
        }
    }
}
