//! Validating the webhook's answer as TENIOS would, and no stricter than its documentation is
//! certain (`/work/shared/tenios/call-control-webhook.md`, labelled [doc], [ex], [client],
//! [3rd], [infer]).
//!
//! Errors (the answer is refused: the next request is `VALIDATION_ERRORS`):
//! - [doc] not HTTP 200; not JSON; not an object with a `blocks` list; a block without a known
//!   `blockType`; BRIDGE and ANNOUNCEMENT attributes missing or of the wrong type (their pages
//!   are complete); an EXTERNALNUMBER destination that is not `+` and digits;
//! - [ex]/[client] (a guess: TENIOS's own text is cut off there) the attributes that TENIOS's
//!   examples always send and its Ruby client requires: SAY `text`/`voiceName`, ROUTINGPLAN
//!   `routingplanName`, COLLECT_DIGITS `variableName`/`announcementName`/
//!   `errorAnnouncementName`, COLLECT_SPEECH `variableName`; and every known attribute, when
//!   present, must have its type.
//!
//! Warnings (shown in the timeline, never enforced): the Ruby client's ranges and rules
//! (timeouts per bridge mode, digit counts, terminator, tries, `variableName`'s characters,
//! hangup causes), attributes the examples always send but that are left out, and REFER, whose
//! JSON attributes are undocumented.
//!
//! The messages' wording is the simulator's own: TENIOS's are undocumented, except one seen in
//! third-party code, "Low level (JSON) error on line 1, column 25", whose form is kept for
//! JSON syntax errors.

use serde_json::{Map, Value};

use crate::api::is_e164;

/// The block types TENIOS documents.
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

/// [client]'s list of hangup causes.
const HANGUP_CAUSES: [&str; 30] = [
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

/// What the validation found: the blocks (only meaningful without errors), the errors that
/// refuse the answer, and the warnings that do not.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub blocks: Vec<Value>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// Checks an answer: its HTTP status and body.
pub fn validate(status: u16, body: &[u8]) -> Verdict {
    let mut verdict = Verdict::default();
    if status != 200 {
        verdict.errors.push(format!(
            "HTTP status {status}: the answer must be 200 with {{\"blocks\": [...]}}"
        ));
        return verdict;
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            verdict.errors.push(format!(
                "Low level (JSON) error on line {}, column {}",
                error.line(),
                error.column()
            ));
            return verdict;
        }
    };
    let Value::Object(object) = value else {
        verdict
            .errors
            .push("the answer is not a JSON object".to_owned());
        return verdict;
    };
    let blocks = match object.get("blocks") {
        Some(Value::Array(blocks)) => blocks.clone(),
        Some(_) => {
            verdict.errors.push("'blocks' must be a list".to_owned());
            return verdict;
        }
        None => {
            verdict.errors.push("'blocks' is missing".to_owned());
            return verdict;
        }
    };
    for (index, block) in blocks.iter().enumerate() {
        check_block(index, block, &mut verdict);
    }
    verdict.blocks = blocks;
    verdict
}

/// Collects one block's problems under its name, `blocks[i] (TYPE)`.
struct Checker<'a> {
    name: String,
    block: &'a Map<String, Value>,
    errors: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Boolean,
    Integer,
}

impl Kind {
    fn matches(self, value: &Value) -> bool {
        match self {
            Kind::String => value.is_string(),
            Kind::Boolean => value.is_boolean(),
            Kind::Integer => value.is_i64() || value.is_u64(),
        }
    }

    fn article(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Boolean => "a boolean",
            Kind::Integer => "a whole number",
        }
    }
}

impl Checker<'_> {
    fn error(&mut self, message: String) {
        self.errors.push(format!("{}: {message}", self.name));
    }

    fn warn(&mut self, message: String) {
        self.warnings.push(format!("{}: {message}", self.name));
    }

    /// A required attribute: an error when missing or of the wrong type.
    fn required(&mut self, attribute: &str, kind: Kind) -> Option<&Value> {
        let block = self.block;
        match block.get(attribute) {
            None => {
                self.error(format!("'{attribute}' is missing"));
                None
            }
            Some(value) if !kind.matches(value) => {
                self.error(format!("'{attribute}' must be {}", kind.article()));
                None
            }
            Some(value) => Some(value),
        }
    }

    /// An optional attribute: an error only when present with the wrong type.
    fn optional(&mut self, attribute: &str, kind: Kind) -> Option<&Value> {
        let block = self.block;
        match block.get(attribute) {
            Some(value) if !kind.matches(value) => {
                self.error(format!("'{attribute}' must be {}", kind.article()));
                None
            }
            other => other,
        }
    }

    /// An attribute TENIOS's examples always send: a warning when missing.
    fn expected(&mut self, attribute: &str, kind: Kind) -> Option<&Value> {
        if !self.block.contains_key(attribute) {
            self.warn(format!(
                "'{attribute}' is missing (TENIOS's examples always send it; whether TENIOS needs it is undocumented)"
            ));
        }
        self.optional(attribute, kind)
    }

    /// A [client] range rule on an integer attribute, as a warning.
    fn range(&mut self, attribute: &str, low: i64, high: i64) {
        if let Some(number) = self.block.get(attribute).and_then(Value::as_i64) {
            if !(low..=high).contains(&number) {
                self.warn(format!(
                    "'{attribute}' {number} is outside {low}..{high} (a client library's rule, not TENIOS's text)"
                ));
            }
        }
    }
}

fn check_block(index: usize, block: &Value, verdict: &mut Verdict) {
    let Value::Object(block) = block else {
        verdict
            .errors
            .push(format!("blocks[{index}]: not a JSON object"));
        return;
    };
    let block_type = match block.get("blockType") {
        Some(Value::String(block_type)) if BLOCK_TYPES.contains(&block_type.as_str()) => {
            block_type.as_str()
        }
        Some(Value::String(other)) => {
            verdict
                .errors
                .push(format!("blocks[{index}]: unknown blockType '{other}'"));
            return;
        }
        Some(_) => {
            verdict
                .errors
                .push(format!("blocks[{index}]: 'blockType' must be a string"));
            return;
        }
        None => {
            verdict
                .errors
                .push(format!("blocks[{index}]: 'blockType' is missing"));
            return;
        }
    };
    let mut checker = Checker {
        name: format!("blocks[{index}] ({block_type})"),
        block,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    // [doc] integer seconds; which blocks require or forbid it is cut off in the docs.
    checker.optional("blockTimeout", Kind::Integer);
    match block_type {
        "BRIDGE" => bridge(&mut checker),
        "ANNOUNCEMENT" => {
            checker.required("standardAnnouncement", Kind::Boolean);
            checker.required("announcementName", Kind::String);
        }
        "SAY" => {
            checker.required("text", Kind::String);
            checker.required("voiceName", Kind::String);
            checker.optional("useSsml", Kind::Boolean);
        }
        "ROUTINGPLAN" => {
            checker.required("routingplanName", Kind::String);
        }
        "COLLECT_DIGITS" => collect_digits(&mut checker),
        "COLLECT_SPEECH" => {
            variable_name(&mut checker);
            for attribute in [
                "announcementName",
                "missingInputAnnouncementName",
                "language",
            ] {
                checker.expected(attribute, Kind::String);
            }
            for attribute in ["standardAnnouncement", "standardMissingInputAnnouncement"] {
                checker.expected(attribute, Kind::Boolean);
            }
            checker.expected("maxTries", Kind::Integer);
            checker.optional("timeout", Kind::Integer);
            checker.optional("asrProvider", Kind::String);
        }
        "HANGUP" => {
            if let Some(cause) = checker.expected("hangupCause", Kind::String) {
                let cause = cause.as_str().unwrap_or_default().to_owned();
                if !HANGUP_CAUSES.contains(&cause.as_str()) {
                    checker.warn(format!(
                        "'hangupCause' '{cause}' is not one of the causes a client library knows"
                    ));
                }
            }
        }
        "CALL_SETTINGS" => {
            checker.optional("forwardAni", Kind::String);
        }
        _ => {
            // REFER
            checker.warn(
                "the REFER block's JSON attributes are undocumented: nothing was checked"
                    .to_owned(),
            );
        }
    }
    verdict.errors.append(&mut checker.errors);
    verdict.warnings.append(&mut checker.warnings);
}

fn bridge(checker: &mut Checker<'_>) {
    let mode = checker
        .required("bridgeMode", Kind::String)
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(mode) = &mode {
        if mode != "SEQUENTIAL" && mode != "PARALLEL" {
            checker.error(format!(
                "'bridgeMode' must be SEQUENTIAL or PARALLEL, not '{mode}'"
            ));
        }
    }
    let destinations = match checker.block.get("destinations") {
        None => {
            checker.error("'destinations' is missing".to_owned());
            return;
        }
        Some(Value::Array(destinations)) if !destinations.is_empty() => destinations,
        Some(Value::Array(_)) => {
            checker.error("'destinations' is empty".to_owned());
            return;
        }
        Some(_) => {
            checker.error("'destinations' must be a list".to_owned());
            return;
        }
    };
    let parallel = mode.as_deref() == Some("PARALLEL");
    let sequential = mode.as_deref() == Some("SEQUENTIAL");
    for (position, destination) in destinations.iter().enumerate() {
        let name = format!("destinations[{position}]");
        let Value::Object(destination) = destination else {
            checker.error(format!("{name} is not a JSON object"));
            continue;
        };
        let destination_type = match destination.get("destinationType") {
            Some(Value::String(kind))
                if ["EXTERNALNUMBER", "SIP_USER", "SIP_TRUNK"].contains(&kind.as_str()) =>
            {
                Some(kind.as_str())
            }
            Some(Value::String(kind)) => {
                checker.error(format!(
                    "{name}.destinationType must be EXTERNALNUMBER, SIP_USER or SIP_TRUNK, not '{kind}'"
                ));
                None
            }
            Some(_) => {
                checker.error(format!("{name}.destinationType must be a string"));
                None
            }
            None => {
                checker.error(format!("{name}.destinationType is missing"));
                None
            }
        };
        match destination.get("destination") {
            Some(Value::String(target)) if target.is_empty() => {
                checker.error(format!("{name}.destination is empty"));
            }
            Some(Value::String(target)) => {
                if destination_type == Some("EXTERNALNUMBER") && !is_e164(target) {
                    checker.error(format!(
                        "{name}.destination '{target}' is not an international number (+ and 2 to 15 digits, no spaces)"
                    ));
                }
            }
            Some(_) => checker.error(format!("{name}.destination must be a string")),
            None => checker.error(format!("{name}.destination is missing")),
        }
        match destination.get("timeout") {
            Some(value) if !Kind::Integer.matches(value) => {
                checker.error(format!("{name}.timeout must be a whole number"));
            }
            Some(_) if parallel => checker.warn(format!(
                "{name}.timeout in PARALLEL mode (a client library rejects it: PARALLEL uses blockTimeout)"
            )),
            None if sequential => checker.warn(format!(
                "{name}.timeout is missing in SEQUENTIAL mode (a client library requires it)"
            )),
            _ => {}
        }
    }
    let has_block_timeout = checker.block.contains_key("blockTimeout");
    if parallel && !has_block_timeout {
        checker.warn(
            "'blockTimeout' is missing in PARALLEL mode (the documentation's example sets it; a client library requires it)"
                .to_owned(),
        );
    }
    if sequential && has_block_timeout {
        checker.warn("'blockTimeout' in SEQUENTIAL mode (a client library rejects it)".to_owned());
    }
}

/// `variableName`: required; [client] allows only `^[a-z0-9_]+$` (a warning).
fn variable_name(checker: &mut Checker<'_>) {
    if let Some(name) = checker.required("variableName", Kind::String) {
        let name = name.as_str().unwrap_or_default().to_owned();
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !plain {
            checker.warn(format!(
                "'variableName' '{name}' is not lowercase letters, digits and _ (a client library's rule)"
            ));
        }
    }
}

fn collect_digits(checker: &mut Checker<'_>) {
    variable_name(checker);
    checker.required("announcementName", Kind::String);
    checker.required("errorAnnouncementName", Kind::String);
    checker.expected("standardAnnouncement", Kind::Boolean);
    checker.expected("standardErrorAnnouncement", Kind::Boolean);
    for attribute in ["minDigits", "maxDigits", "maxTries", "timeout"] {
        checker.expected(attribute, Kind::Integer);
    }
    if let Some(terminator) = checker.expected("terminator", Kind::String) {
        let terminator = terminator.as_str().unwrap_or_default().to_owned();
        if terminator != "#" && terminator != "*" {
            checker.warn(format!(
                "'terminator' '{terminator}' is neither # nor * (a client library's rule)"
            ));
        }
    }
    checker.range("minDigits", 1, 32);
    checker.range("maxDigits", 1, 32);
    checker.range("maxTries", 1, 10);
    checker.range("timeout", 1, 300);
    let digits = |name| checker.block.get(name).and_then(Value::as_i64);
    if let (Some(min), Some(max)) = (digits("minDigits"), digits("maxDigits")) {
        if min > max {
            checker.warn(format!(
                "'minDigits' {min} is more than 'maxDigits' {max} (a client library's rule)"
            ));
        }
    }
}

/// Whether `/interrupt-ecc-block` can end a block of this type while it runs (undocumented:
/// the long-running blocks that only play or listen; a BRIDGE is connected, so the
/// interrupt is refused like on any connected call).
pub fn interruptible(block_type: &str) -> bool {
    matches!(
        block_type,
        "ANNOUNCEMENT" | "SAY" | "COLLECT_DIGITS" | "COLLECT_SPEECH"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Verdict {
        validate(200, body.to_string().as_bytes())
    }

    fn errors(body: Value) -> Vec<String> {
        check(body).errors
    }

    #[test]
    fn documented_examples_pass_without_warnings() {
        for body in [
            json!({"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[
                {"destinationType":"SIP_USER","destination":"1001","timeout":25},
                {"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]}),
            json!({"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,"destinations":[
                {"destinationType":"SIP_USER","destination":"1001"},
                {"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]}),
            json!({"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,
                "announcementName":"MySpecialAnnouncement"}]}),
            json!({"blocks":[{"blockType":"SAY","text":"Hallo","voiceName":"de.male.1","useSsml":false}]}),
            json!({"blocks":[{"blockType":"ROUTINGPLAN","routingplanName":"night"}]}),
            json!({"blocks":[{"blockType":"COLLECT_DIGITS","announcementName":"pin",
                "standardAnnouncement":false,"errorAnnouncementName":"again",
                "standardErrorAnnouncement":false,"variableName":"user_pin","minDigits":4,
                "maxDigits":6,"terminator":"#","maxTries":3,"timeout":10}]}),
            json!({"blocks":[{"blockType":"COLLECT_SPEECH","announcementName":"q",
                "standardAnnouncement":false,"missingInputAnnouncementName":"m",
                "standardMissingInputAnnouncement":false,"language":"de-DE",
                "variableName":"said","maxTries":2}]}),
            json!({"blocks":[{"blockType":"HANGUP","hangupCause":"CALL_REJECTED"}]}),
            json!({"blocks":[{"blockType":"CALL_SETTINGS","forwardAni":"+4922199"}]}),
            json!({"blocks":[]}),
        ] {
            let verdict = check(body.clone());
            assert_eq!(verdict.errors, Vec::<String>::new(), "{body}");
            assert_eq!(verdict.warnings, Vec::<String>::new(), "{body}");
        }
    }

    #[test]
    fn frame_errors() {
        assert_eq!(
            validate(500, b"{}").errors,
            ["HTTP status 500: the answer must be 200 with {\"blocks\": [...]}"]
        );
        assert_eq!(
            validate(200, b"{\"blocks\": [}").errors,
            ["Low level (JSON) error on line 1, column 13"]
        );
        assert_eq!(errors(json!([])), ["the answer is not a JSON object"]);
        assert_eq!(errors(json!({})), ["'blocks' is missing"]);
        assert_eq!(errors(json!({"blocks": {}})), ["'blocks' must be a list"]);
        assert_eq!(
            errors(json!({"blocks": [1, {}, {"blockType": 2}, {"blockType": "PLAY"}]})),
            [
                "blocks[0]: not a JSON object",
                "blocks[1]: 'blockType' is missing",
                "blocks[2]: 'blockType' must be a string",
                "blocks[3]: unknown blockType 'PLAY'",
            ]
        );
    }

    #[test]
    fn block_errors() {
        assert_eq!(
            errors(json!({"blocks": [
                {"blockType": "ANNOUNCEMENT", "standardAnnouncement": "no"},
                {"blockType": "BRIDGE", "bridgeMode": "ROUND_ROBIN", "destinations": [
                    {"destinationType": "EXTERNALNUMBER", "destination": "+49 221"},
                    {"destinationType": "PHONE", "destination": 7, "timeout": "25"},
                    "x"]},
                {"blockType": "BRIDGE", "bridgeMode": "SEQUENTIAL", "destinations": []},
                {"blockType": "SAY", "blockTimeout": 1.5},
                {"blockType": "COLLECT_DIGITS", "variableName": "pin", "announcementName": "a",
                 "errorAnnouncementName": "e", "minDigits": "4"},
            ]})),
            [
                "blocks[0] (ANNOUNCEMENT): 'standardAnnouncement' must be a boolean",
                "blocks[0] (ANNOUNCEMENT): 'announcementName' is missing",
                "blocks[1] (BRIDGE): 'bridgeMode' must be SEQUENTIAL or PARALLEL, not 'ROUND_ROBIN'",
                "blocks[1] (BRIDGE): destinations[0].destination '+49 221' is not an international number (+ and 2 to 15 digits, no spaces)",
                "blocks[1] (BRIDGE): destinations[1].destinationType must be EXTERNALNUMBER, SIP_USER or SIP_TRUNK, not 'PHONE'",
                "blocks[1] (BRIDGE): destinations[1].destination must be a string",
                "blocks[1] (BRIDGE): destinations[1].timeout must be a whole number",
                "blocks[1] (BRIDGE): destinations[2] is not a JSON object",
                "blocks[2] (BRIDGE): 'destinations' is empty",
                "blocks[3] (SAY): 'blockTimeout' must be a whole number",
                "blocks[3] (SAY): 'text' is missing",
                "blocks[3] (SAY): 'voiceName' is missing",
                "blocks[4] (COLLECT_DIGITS): 'minDigits' must be a whole number",
            ]
        );
    }

    #[test]
    fn client_rules_are_warnings() {
        let verdict = check(json!({"blocks": [
            {"blockType": "BRIDGE", "bridgeMode": "PARALLEL", "destinations": [
                {"destinationType": "SIP_USER", "destination": "1001", "timeout": 20}]},
            {"blockType": "COLLECT_DIGITS", "variableName": "PIN", "announcementName": "a",
             "errorAnnouncementName": "e", "standardAnnouncement": false,
             "standardErrorAnnouncement": false, "minDigits": 40, "maxDigits": 4,
             "terminator": "0", "maxTries": 3, "timeout": 10},
            {"blockType": "HANGUP", "hangupCause": "NORMAL_CLEARING"},
            {"blockType": "REFER", "destination": "+4922"},
        ]}));
        assert!(verdict.errors.is_empty(), "{:?}", verdict.errors);
        assert_eq!(
            verdict.warnings,
            [
                "blocks[0] (BRIDGE): destinations[0].timeout in PARALLEL mode (a client library rejects it: PARALLEL uses blockTimeout)",
                "blocks[0] (BRIDGE): 'blockTimeout' is missing in PARALLEL mode (the documentation's example sets it; a client library requires it)",
                "blocks[1] (COLLECT_DIGITS): 'variableName' 'PIN' is not lowercase letters, digits and _ (a client library's rule)",
                "blocks[1] (COLLECT_DIGITS): 'terminator' '0' is neither # nor * (a client library's rule)",
                "blocks[1] (COLLECT_DIGITS): 'minDigits' 40 is outside 1..32 (a client library's rule, not TENIOS's text)",
                "blocks[1] (COLLECT_DIGITS): 'minDigits' 40 is more than 'maxDigits' 4 (a client library's rule)",
                "blocks[2] (HANGUP): 'hangupCause' 'NORMAL_CLEARING' is not one of the causes a client library knows",
                "blocks[3] (REFER): the REFER block's JSON attributes are undocumented: nothing was checked",
            ]
        );
        assert_eq!(check(json!({"blocks": [
            {"blockType": "BRIDGE", "bridgeMode": "SEQUENTIAL", "blockTimeout": 5, "destinations": [
                {"destinationType": "SIP_TRUNK", "destination": "trunk"}]}]})).warnings, [
            "blocks[0] (BRIDGE): destinations[0].timeout is missing in SEQUENTIAL mode (a client library requires it)",
            "blocks[0] (BRIDGE): 'blockTimeout' in SEQUENTIAL mode (a client library rejects it)",
        ]);
    }
}
