//! The API's rules, each written once: the argument limits, what an E.164 number and a SIP URI
//! are, the hangup causes, the block types and the block rules of the Call Control answer with
//! the warnings they give. The library's checks and builder and the simulator (`tenios-sim`,
//! a binary of this crate) both use this module, so they cannot disagree.
//!
//! Public (not hidden): the simulator needs it, and a Rust user may want the same rules, e.g.
//! to check a number before building a block. It holds only pure functions and constants.
//!
//! Sources are labelled as in `shared/tenios/call-control-webhook.md`: \[doc\] TENIOS's pages,
//! \[ex\] TENIOS's examples, \[client\] the tenios-ruby client's validations, \[infer\] inference,
//! "library" this library's own choice.

/// The longest argument accepted (access key, call UUID, destination, block attribute...), in
/// bytes. A library limit: TENIOS documents none.
pub const MAX_ARG_BYTES: usize = 1024;

/// The shortest access key (and supervisor key) accepted, in bytes; a shorter one is refused
/// with `TENIOS_ERR_INVALID_ARGUMENT` before anything is sent.
///
/// A library rule, not TENIOS's: TENIOS documents no key format (its pages write the
/// placeholder `XXXXX-XXXX-XXXXXX` for keys and call UUIDs alike, and the key comes from the
/// customer portal). It exists for redaction: every form of the key is removed from every
/// message, and a key of a few bytes (`e`, `the`) occurs in ordinary words, so removing it
/// would mangle messages and show where the key's letters are.
pub const MIN_KEY_BYTES: usize = 8;

/// Whether `text` is an E.164 number as the API writes it: `+`, then 2 to 15 digits, the first
/// not 0 (`+492215540030`). \[doc\]
pub fn is_e164(text: &str) -> bool {
    text.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|byte| byte.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// Whether `text` is a SIP URI: `sip:` or `sips:` (in any case) and something after it
/// (`sip:4044@192.0.2.10:5060;user=phone`). \[doc\] refer-call's example.
pub fn is_sip_uri(text: &str) -> bool {
    ["sip:", "sips:"].iter().any(|scheme| {
        text.len() > scheme.len()
            && text
                .get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    })
}

/// The block types of a Call Control answer. \[doc\]
pub const BLOCK_TYPES: [&str; 9] = [
    "BRIDGE",
    "ANNOUNCEMENT",
    "SAY",
    "ROUTINGPLAN",
    "COLLECT_DIGITS",
    "COLLECT_SPEECH",
    "HANGUP",
    "CALL_SETTINGS",
    "REFER",
];

/// A BRIDGE's `bridgeMode`s. \[doc\]
pub const BRIDGE_MODES: [&str; 2] = ["SEQUENTIAL", "PARALLEL"];

/// The `destinationType`s of a BRIDGE destination and of `/transfer-call`. \[doc\]
pub const DESTINATION_TYPES: [&str; 3] = ["EXTERNALNUMBER", "SIP_USER", "SIP_TRUNK"];

/// The hangup causes tenios-ruby accepts. \[client\]
pub const HANGUP_CAUSES: [&str; 30] = [
    "UNALLOCATED_NUMBER",
    "NO_ROUTE_TRANSIT_NET",
    "NO_ROUTE_DESTINATION",
    "USER_BUSY",
    "NO_USER_RESPONSE",
    "NO_ANSWER",
    "SUBSCRIBER_ABSENT",
    "CALL_REJECTED",
    "NUMBER_CHANGED",
    "REDIRECTION_TO_NEW_DESTINATION",
    "EXCHANGE_ROUTING_ERROR",
    "DESTINATION_OUT_OF_ORDER",
    "INVALID_NUMBER_FORMAT",
    "FACILITY_REJECTED",
    "NORMAL_UNSPECIFIED",
    "NORMAL_CIRCUIT_CONGESTION",
    "NETWORK_OUT_OF_ORDER",
    "NORMAL_TEMPORARY_FAILURE",
    "SWITCH_CONGESTION",
    "REQUESTED_CHAN_UNAVAIL",
    "OUTGOING_CALL_BARRED",
    "INCOMING_CALL_BARRED",
    "BEARERCAPABILITY_NOTAUTH",
    "BEARERCAPABILITY_NOTAVAIL",
    "BEARERCAPABILITY_NOTIMPL",
    "FACILITY_NOT_IMPLEMENTED",
    "SERVICE_NOT_IMPLEMENTED",
    "INCOMPATIBLE_DESTINATION",
    "RECOVERY_ON_TIMER_EXPIRE",
    "ORIGINATOR_CANCEL",
];

/// Whether `name` is lowercase letters, digits and `_` (`^[a-z0-9_]+$`). \[client\]
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `name` looks like `<lang>.<gender>.<n>`: `de.male.1`, `en-au.female.1`. \[ex\]
pub fn is_voice_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    let [lang, gender, n] = parts.as_slice() else {
        return false;
    };
    let lang_ok = lang
        .split('-')
        .all(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    lang_ok
        && matches!(*gender, "male" | "female")
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a rule's breach is an error or a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The block is not added.
    Error,
    /// The block is added and a warning recorded.
    Warning,
}

/// One rule of the blocks builder.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub block: &'static str,
    pub rule: &'static str,
    /// Where it comes from: \[doc\], \[ex\], \[client\], \[infer\] or "library".
    pub certainty: &'static str,
    pub outcome: Outcome,
}

const fn rule(
    block: &'static str,
    rule: &'static str,
    certainty: &'static str,
    outcome: Outcome,
) -> Rule {
    Rule {
        block,
        rule,
        certainty,
        outcome,
    }
}

/// Every rule the blocks builder checks, in the documentation's order. The warnings are given
/// by the `*_warnings` functions below, which the simulator applies to a webhook's answer too.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    rule("BRIDGE", "`bridgeMode` is `SEQUENTIAL` or `PARALLEL`", "[doc]", Outcome::Error),
    rule("BRIDGE", "`destinationType` is `EXTERNALNUMBER`, `SIP_USER` or `SIP_TRUNK`", "[doc]", Outcome::Error),
    rule("BRIDGE", "an `EXTERNALNUMBER` destination is international: `+` and digits, no spaces (E.164: 2 to 15 digits, the first not 0)", "[doc]", Outcome::Error),
    rule("BRIDGE", "at least one destination", "[doc] (it forwards to them), [client]", Outcome::Error),
    rule("BRIDGE", "`SEQUENTIAL`: every destination has a `timeout`", "[client] ([ex] PHP leaves it out)", Outcome::Warning),
    rule("BRIDGE", "`PARALLEL`: no destination has a `timeout`", "[client]", Outcome::Warning),
    rule("BRIDGE", "`PARALLEL`: `blockTimeout` is set", "[doc] example, [client]", Outcome::Warning),
    rule("BRIDGE", "`SEQUENTIAL`: no `blockTimeout`", "[client]", Outcome::Warning),
    rule("BRIDGE", "timeouts are at least 1 s", "[infer] (no range documented)", Outcome::Warning),
    rule("SAY", "`voiceName` looks like `<lang>.<gender>.<n>` (`de.male.1`, `en-au.female.1`)", "[ex]", Outcome::Warning),
    rule("COLLECT_DIGITS", "`variableName` matches `^[a-z0-9_]+$`", "[client]", Outcome::Warning),
    rule("COLLECT_DIGITS", "`minDigits` and `maxDigits` are 1 to 32, `minDigits` <= `maxDigits`", "[client]", Outcome::Warning),
    rule("COLLECT_DIGITS", "`terminator` is `#` or `*`", "[client]", Outcome::Warning),
    rule("COLLECT_DIGITS", "`maxTries` is 1 to 10", "[client]", Outcome::Warning),
    rule("COLLECT_DIGITS", "`timeout` is 1 to 300 s", "[client]", Outcome::Warning),
    rule("COLLECT_SPEECH", "`variableName` matches `^[a-z0-9_]+$`", "[infer] (COLLECT_DIGITS's rule)", Outcome::Warning),
    rule("COLLECT_SPEECH", "`maxTries` is at least 1", "[infer]", Outcome::Warning),
    rule("HANGUP", "`hangupCause` is one of the 30 causes tenios-ruby knows (e.g. `CALL_REJECTED`)", "[client]", Outcome::Warning),
    rule("CALL_SETTINGS", "`forwardAni` is an E.164 number", "[client] example, [infer]", Outcome::Warning),
    rule("REFER", "always: TENIOS documents no JSON for REFER; `blockType` `REFER` and the attribute `destination` are inferred", "[infer]", Outcome::Warning),
    rule("all", "strings are 1 to 1024 bytes of UTF-8 without control characters (SAY `text`: up to 8192 bytes, tabs and line breaks allowed); from C, not NULL", "library", Outcome::Error),
    rule("all", "from C, an optional integer is -1 (absent) or 0 to 2147483647; BRIDGE is begun, given destinations and ended in that order", "library", Outcome::Error),
];

// The warnings of the rules above. Each function takes a block's attributes as far as they are
// present (`None`: absent; the builder always has them, an answer the simulator checks may
// not) and returns the warnings in a fixed order, worded for both the builder and the
// simulator, without the block's name (each caller prefixes its own).

/// BRIDGE: `mode` is `SEQUENTIAL` or `PARALLEL`; `timeouts` has one entry per destination.
pub fn bridge_warnings(
    mode: &str,
    block_timeout: Option<i64>,
    timeouts: &[Option<i64>],
) -> Vec<String> {
    let sequential = mode == "SEQUENTIAL";
    let parallel = mode == "PARALLEL";
    let mut warnings = Vec::new();
    if parallel && block_timeout.is_none() {
        warnings.push(
            "PARALLEL mode without blockTimeout; the documented example sets one and \
             tenios-ruby requires it [client]"
                .to_owned(),
        );
    }
    if sequential && block_timeout.is_some() {
        warnings.push(
            "SEQUENTIAL mode with a blockTimeout; the documented examples have none and \
             tenios-ruby rejects it [client]"
                .to_owned(),
        );
    }
    if block_timeout.is_some_and(|seconds| seconds < 1) {
        warnings.push(format!(
            "blockTimeout is {} s [infer]",
            block_timeout.unwrap_or_default()
        ));
    }
    for (i, timeout) in timeouts.iter().enumerate() {
        let n = i + 1;
        match timeout {
            None if sequential => warnings.push(format!(
                "destination {n} has no timeout; tenios-ruby requires one per destination in \
                 SEQUENTIAL mode [client]"
            )),
            Some(_) if parallel => warnings.push(format!(
                "destination {n} has a timeout; tenios-ruby rejects it in PARALLEL mode, \
                 where blockTimeout applies [client]"
            )),
            _ => {}
        }
        if let Some(seconds) = timeout.filter(|seconds| *seconds < 1) {
            warnings.push(format!(
                "destination {n} has a timeout of {seconds} s [infer]"
            ));
        }
    }
    warnings
}

/// SAY.
pub fn say_warnings(voice_name: Option<&str>) -> Vec<String> {
    voice_name
        .filter(|name| !is_voice_name(name))
        .map(|name| {
            format!(
                "voiceName \"{name}\" does not look like <lang>.<gender>.<n> (de.male.1, \
                 en-au.female.1) [ex]"
            )
        })
        .into_iter()
        .collect()
}

/// COLLECT_DIGITS's attributes that have rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct CollectDigitsRules<'a> {
    pub variable_name: Option<&'a str>,
    pub min_digits: Option<i64>,
    pub max_digits: Option<i64>,
    pub terminator: Option<&'a str>,
    pub max_tries: Option<i64>,
    pub timeout: Option<i64>,
}

/// COLLECT_DIGITS.
pub fn collect_digits_warnings(c: &CollectDigitsRules<'_>) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(name) = c.variable_name.filter(|name| !is_variable_name(name)) {
        warnings.push(format!(
            "variableName \"{name}\" does not match ^[a-z0-9_]+$ [client]"
        ));
    }
    for (name, value) in [("minDigits", c.min_digits), ("maxDigits", c.max_digits)] {
        if let Some(value) = value.filter(|value| !(1..=32).contains(value)) {
            warnings.push(format!("{name} {value} is outside 1 to 32 [client]"));
        }
    }
    if let (Some(min), Some(max)) = (c.min_digits, c.max_digits) {
        if min > max {
            warnings.push(format!(
                "minDigits {min} is greater than maxDigits {max} [client]"
            ));
        }
    }
    if let Some(terminator) = c.terminator.filter(|t| !matches!(*t, "#" | "*")) {
        warnings.push(format!(
            "terminator \"{terminator}\" is not # or * [client]"
        ));
    }
    if let Some(tries) = c.max_tries.filter(|tries| !(1..=10).contains(tries)) {
        warnings.push(format!("maxTries {tries} is outside 1 to 10 [client]"));
    }
    if let Some(timeout) = c.timeout.filter(|timeout| !(1..=300).contains(timeout)) {
        warnings.push(format!("timeout {timeout} s is outside 1 to 300 [client]"));
    }
    warnings
}

/// COLLECT_SPEECH.
pub fn collect_speech_warnings(variable_name: Option<&str>, max_tries: Option<i64>) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(name) = variable_name.filter(|name| !is_variable_name(name)) {
        warnings.push(format!(
            "variableName \"{name}\" does not match ^[a-z0-9_]+$ [infer]"
        ));
    }
    if let Some(tries) = max_tries.filter(|tries| *tries < 1) {
        warnings.push(format!("maxTries is {tries} [infer]"));
    }
    warnings
}

/// HANGUP.
pub fn hangup_warnings(hangup_cause: Option<&str>) -> Vec<String> {
    hangup_cause
        .filter(|cause| !HANGUP_CAUSES.contains(cause))
        .map(|cause| {
            format!(
                "hangupCause \"{cause}\" is not one of the 30 causes tenios-ruby knows [client]"
            )
        })
        .into_iter()
        .collect()
}

/// CALL_SETTINGS.
pub fn call_settings_warnings(forward_ani: Option<&str>) -> Vec<String> {
    forward_ani
        .filter(|ani| !is_e164(ani))
        .map(|ani| format!("forwardAni \"{ani}\" is not an E.164 number [infer]"))
        .into_iter()
        .collect()
}

/// REFER: always this one warning.
pub const REFER_WARNING: &str = "TENIOS documents no JSON for REFER: the blockType REFER and \
                                 the attribute destination are inferred; test on a live \
                                 account [infer]";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers() {
        for good in ["+492215540030", "+12", "+123456789012345"] {
            assert!(is_e164(good), "{good}");
        }
        for bad in [
            "",
            "+",
            "+1",
            "+0221",
            "492215540030",
            "+49 221",
            "+49-221",
            "++4922",
            "+1234567890123456",
            "+49a",
            "+４９２２",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn sip_uris() {
        for good in [
            "sip:4044@8.8.8.8:5060;user=phone",
            "SIPS:a@b",
            "sip:x",
            "SiP:é",
        ] {
            assert!(is_sip_uri(good), "{good}");
        }
        for bad in [
            "",
            "sip:",
            "sips:",
            "tel:+49",
            "4044@8.8.8.8",
            " sip:a",
            "é:x",
        ] {
            assert!(!is_sip_uri(bad), "{bad}");
        }
    }

    #[test]
    fn names() {
        for voice in ["de.male.1", "en-au.female.1", "de.female.2"] {
            assert!(is_voice_name(voice), "{voice}");
        }
        for voice in ["German", "de.male", "de.other.1", "DE.male.1", "de.male.x"] {
            assert!(!is_voice_name(voice), "{voice}");
        }
        assert!(is_variable_name("user_pin_2"));
        for name in ["", "PIN", "a b", "a-b"] {
            assert!(!is_variable_name(name), "{name}");
        }
    }

    #[test]
    fn absent_attributes_give_no_warnings() {
        assert!(say_warnings(None).is_empty());
        assert!(collect_digits_warnings(&CollectDigitsRules::default()).is_empty());
        assert!(collect_speech_warnings(None, None).is_empty());
        assert!(hangup_warnings(None).is_empty());
        assert!(call_settings_warnings(None).is_empty());
        assert!(bridge_warnings("SEQUENTIAL", None, &[Some(5)]).is_empty());
        assert!(bridge_warnings("PARALLEL", Some(5), &[None]).is_empty());
    }
}
