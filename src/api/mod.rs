//! The API's methods, one file per method family: each holds the request's shape, its
//! argument checks and how its answer is read. They all go through `Client::post` (the
//! generic call through `Client::post_path`, which `post` calls), which owns timeouts,
//! shutdown, at-most-once and redaction.

mod agent_state;
mod callback;
mod generic;
mod interrupt;
mod listen_in;
mod makecall;
mod record;
mod refer;
mod transfer;
mod wrap_up;

pub use agent_state::AGENT_STATES;
pub use generic::{check_api_path, MAX_JSON_BODY_BYTES};
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

/// An optional argument: absent, or checked like any other (so never empty).
fn check_optional(name: &str, value: Option<&str>) -> Result<(), Error> {
    value.map_or(Ok(()), |value| check_arg(name, value.as_bytes()).map(drop))
}

/// `value` as an `https://` URL with something after the scheme (the makecall page asks for
/// an HTTPS URL).
fn check_https_url(name: &str, value: &str) -> Result<(), Error> {
    let scheme = value
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"));
    if scheme.is_some() && value.len() > 8 && !value.contains(char::is_whitespace) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "{name} \"{value}\" is not an https:// URL"
    )))
}

/// `value` as the absolute time with a time zone `/wrap-up/extend` documents:
/// `YYYY-MM-DDThh:mm:ss`, optional fractional seconds, then `Z` or `+hh:mm` / `-hh:mm`
/// (e.g. `2020-01-01T09:00:00.000Z`). Fields are range-checked, not calendar-checked.
fn check_end_time(value: &str) -> Result<(), Error> {
    if is_date_time_with_zone(value) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "end_time \"{value}\" is not a time with a time zone (e.g. 2020-01-01T09:00:00.000Z or \
         2020-01-01T10:00:00+01:00)"
    )))
}

fn is_date_time_with_zone(value: &str) -> bool {
    let b = value.as_bytes();
    // The digits at `range` (ASCII only, so slicing `value` there is safe), at most `max`.
    let number = |range: std::ops::Range<usize>, max: u32| -> bool {
        b.get(range.clone()).is_some_and(|digits| {
            digits.iter().all(u8::is_ascii_digit)
                && value[range].parse::<u32>().is_ok_and(|n| n <= max)
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let date_time = number(0..4, 9999)
        && at(4, b'-')
        && number(5..7, 12)
        && at(7, b'-')
        && number(8..10, 31)
        && (at(10, b'T') || at(10, b't'))
        && number(11..13, 23)
        && at(13, b':')
        && number(14..16, 59)
        && at(16, b':')
        && number(17..19, 60);
    if !date_time || &value[5..7] == "00" || &value[8..10] == "00" {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match &b[i..] {
        b"Z" | b"z" => true,
        zone => {
            zone.len() == 6
                && (zone[0] == b'+' || zone[0] == b'-')
                && number(i + 1..i + 3, 23)
                && at(i + 3, b':')
                && number(i + 4..i + 6, 59)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which numbers are E.164 is `rules::is_e164`'s test; this is the message.
    #[test]
    fn e164_messages() {
        assert!(check_e164("destination", "+492215540030").is_ok());
        assert_eq!(
            check_e164("destination", "+49 221")
                .unwrap_err()
                .to_string(),
            "destination \"+49 221\" is not an E.164 number (a + and 2 to 15 digits, e.g. \
             +492215540030)"
        );
    }

    #[test]
    fn end_times() {
        for good in [
            "2020-01-01T09:00:00.000Z",
            "2020-01-01T09:00:00Z",
            "2026-12-06T10:30:00+01:00",
            "2026-12-06T10:30:00.5-06:00",
        ] {
            assert!(check_end_time(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "2020-01-01T09:00:00.000",
            "2020-01-01 09:00:00Z",
            "2020-13-01T09:00:00Z",
            "2020-01-00T09:00:00Z",
            "2020-01-01T24:00:00Z",
            "2020-01-01T09:00:00.Z",
            "2020-01-01T09:00:00+0100",
            "2020-01-01T09:00:00+01:00x",
            "600",
            "2020-01-01T09:00:00\u{FF10}Z",
            "2020-01-01T09:00:00.0\u{e9}",
        ] {
            assert_eq!(
                check_end_time(bad).unwrap_err().to_string(),
                format!(
                    "end_time \"{bad}\" is not a time with a time zone (e.g. \
                     2020-01-01T09:00:00.000Z or 2020-01-01T10:00:00+01:00)"
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn https_urls() {
        assert!(check_https_url("u", "https://example.com/cb").is_ok());
        assert!(check_https_url("u", "HTTPS://x").is_ok());
        for bad in [
            "http://example.com",
            "https://",
            "example.com",
            "https://a b",
            "é",
        ] {
            assert_eq!(
                check_https_url("u", bad).unwrap_err().to_string(),
                format!("u \"{bad}\" is not an https:// URL")
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
