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
//! Warnings (shown in the timeline, never enforced): the library's block rules, the same ones
//! and the same words as its blocks builder gives (`tenios::rules`: timeouts per bridge mode,
//! digit counts, terminator, tries, `variableName`'s characters, voice names, hangup causes,
//! `forwardAni`, REFER's undocumented attributes), where an attribute of the wrong type (an
//! error already) counts as absent; and attributes the examples always send but that are left
//! out.
//!
//! The messages' wording is the simulator's own: TENIOS's are undocumented, except one seen in
//! third-party code, "Low level (JSON) error on line 1, column 25", whose form is kept for
//! JSON syntax errors.

use serde_json::{Map, Value};
use tenios::rules::{
    bridge_warnings, call_settings_warnings, collect_digits_warnings, collect_speech_warnings,
    hangup_warnings, is_e164, say_warnings, CollectDigitsRules, BLOCK_TYPES, BRIDGE_MODES,
    DESTINATION_TYPES, REFER_WARNING,
};

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

    /// The attribute as a string, when it is one.
    fn text(&self, attribute: &str) -> Option<&str> {
        self.block.get(attribute).and_then(Value::as_str)
    }

    /// The attribute as a whole number, when it is one.
    fn integer(&self, attribute: &str) -> Option<i64> {
        self.block.get(attribute).and_then(Value::as_i64)
    }

    /// The warnings of the library's rules, each under this block's name.
    fn warn_all(&mut self, warnings: Vec<String>) {
        for warning in warnings {
            self.warn(warning);
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
            checker.required("variableName", Kind::String);
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
            checker.expected("hangupCause", Kind::String);
        }
        "CALL_SETTINGS" => {
            checker.optional("forwardAni", Kind::String);
        }
        _ => {} // REFER: its attributes are undocumented.
    }
    library_rules(block_type, &mut checker);
    verdict.errors.append(&mut checker.errors);
    verdict.warnings.append(&mut checker.warnings);
}

/// The warnings the library's blocks builder would give for this block (`tenios::rules`).
fn library_rules(block_type: &str, checker: &mut Checker<'_>) {
    let warnings = match block_type {
        "BRIDGE" => {
            let timeouts: Vec<Option<i64>> = checker
                .block
                .get("destinations")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|d| d.get("timeout").and_then(Value::as_i64))
                        .collect()
                })
                .unwrap_or_default();
            let mode = checker.text("bridgeMode").unwrap_or_default();
            bridge_warnings(mode, checker.integer("blockTimeout"), &timeouts)
        }
        "SAY" => say_warnings(checker.text("voiceName")),
        "COLLECT_DIGITS" => collect_digits_warnings(&CollectDigitsRules {
            variable_name: checker.text("variableName"),
            min_digits: checker.integer("minDigits"),
            max_digits: checker.integer("maxDigits"),
            terminator: checker.text("terminator"),
            max_tries: checker.integer("maxTries"),
            timeout: checker.integer("timeout"),
        }),
        "COLLECT_SPEECH" => {
            collect_speech_warnings(checker.text("variableName"), checker.integer("maxTries"))
        }
        "HANGUP" => hangup_warnings(checker.text("hangupCause")),
        "CALL_SETTINGS" => call_settings_warnings(checker.text("forwardAni")),
        "REFER" => vec![REFER_WARNING.to_owned()],
        _ => Vec::new(),
    };
    checker.warn_all(warnings);
}

fn bridge(checker: &mut Checker<'_>) {
    let mode = checker
        .required("bridgeMode", Kind::String)
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(mode) = &mode {
        if !BRIDGE_MODES.contains(&mode.as_str()) {
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
    for (position, destination) in destinations.iter().enumerate() {
        let name = format!("destinations[{position}]");
        let Value::Object(destination) = destination else {
            checker.error(format!("{name} is not a JSON object"));
            continue;
        };
        let destination_type = match destination.get("destinationType") {
            Some(Value::String(kind)) if DESTINATION_TYPES.contains(&kind.as_str()) => {
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
        if destination
            .get("timeout")
            .is_some_and(|value| !Kind::Integer.matches(value))
        {
            checker.error(format!("{name}.timeout must be a whole number"));
        }
    }
}

fn collect_digits(checker: &mut Checker<'_>) {
    checker.required("variableName", Kind::String);
    checker.required("announcementName", Kind::String);
    checker.required("errorAnnouncementName", Kind::String);
    checker.expected("standardAnnouncement", Kind::Boolean);
    checker.expected("standardErrorAnnouncement", Kind::Boolean);
    for attribute in ["minDigits", "maxDigits", "maxTries", "timeout"] {
        checker.expected(attribute, Kind::Integer);
    }
    checker.expected("terminator", Kind::String);
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
    fn the_library_rules_are_warnings() {
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
                "blocks[0] (BRIDGE): PARALLEL mode without blockTimeout; the documented example sets one and tenios-ruby requires it [client]",
                "blocks[0] (BRIDGE): destination 1 has a timeout; tenios-ruby rejects it in PARALLEL mode, where blockTimeout applies [client]",
                "blocks[1] (COLLECT_DIGITS): variableName \"PIN\" does not match ^[a-z0-9_]+$ [client]",
                "blocks[1] (COLLECT_DIGITS): minDigits 40 is outside 1 to 32 [client]",
                "blocks[1] (COLLECT_DIGITS): minDigits 40 is greater than maxDigits 4 [client]",
                "blocks[1] (COLLECT_DIGITS): terminator \"0\" is not # or * [client]",
                "blocks[2] (HANGUP): hangupCause \"NORMAL_CLEARING\" is not one of the 30 causes tenios-ruby knows [client]",
                "blocks[3] (REFER): TENIOS documents no JSON for REFER: the blockType REFER and the attribute destination are inferred; test on a live account [infer]",
            ]
        );
        assert_eq!(check(json!({"blocks": [
            {"blockType": "BRIDGE", "bridgeMode": "SEQUENTIAL", "blockTimeout": 5, "destinations": [
                {"destinationType": "SIP_TRUNK", "destination": "trunk"}]}]})).warnings, [
            "blocks[0] (BRIDGE): SEQUENTIAL mode with a blockTimeout; the documented examples have none and tenios-ruby rejects it [client]",
            "blocks[0] (BRIDGE): destination 1 has no timeout; tenios-ruby requires one per destination in SEQUENTIAL mode [client]",
        ]);
    }

    /// Issue 16, finding 8: the library's builder warns on a non-E.164 forwardAni and on
    /// COLLECT_SPEECH maxTries 0, and the simulator did not; it called COLLECT_SPEECH's
    /// variableName rule a client library's, which no client has ([infer]).
    #[test]
    fn the_warnings_the_simulator_lacked() {
        let verdict = check(json!({"blocks": [
            {"blockType": "CALL_SETTINGS", "forwardAni": "0221 5540"},
            {"blockType": "COLLECT_SPEECH", "announcementName": "a", "standardAnnouncement": true,
             "missingInputAnnouncementName": "b", "standardMissingInputAnnouncement": true,
             "language": "de-DE", "variableName": "A B", "maxTries": 0},
        ]}));
        assert!(verdict.errors.is_empty(), "{:?}", verdict.errors);
        assert_eq!(
            verdict.warnings,
            [
                "blocks[0] (CALL_SETTINGS): forwardAni \"0221 5540\" is not an E.164 number [infer]",
                "blocks[1] (COLLECT_SPEECH): variableName \"A B\" does not match ^[a-z0-9_]+$ [infer]",
                "blocks[1] (COLLECT_SPEECH): maxTries is 0 [infer]",
            ]
        );
    }

    /// The same blocks, built by the library's builder and checked here, give the same
    /// warnings, word for word (each names its block its own way).
    #[test]
    fn the_builders_warnings_and_these_are_the_same() {
        use tenios::webhook::blocks::{CollectDigits, CollectSpeech};
        use tenios::webhook::{Blocks, BridgeMode, Destination};
        use tenios::DestinationType::{ExternalNumber, SipUser};
        let mut b = Blocks::new();
        let destination = |kind, d: &str, timeout| Destination::new(kind, d, timeout).unwrap();
        b.add_bridge(
            BridgeMode::Sequential,
            Some(0),
            &[
                destination(SipUser, "1001", None),
                destination(ExternalNumber, "+4922", Some(0)),
            ],
        )
        .unwrap();
        b.add_bridge(
            BridgeMode::Parallel,
            None,
            &[destination(SipUser, "1", Some(5))],
        )
        .unwrap();
        b.add_say("Guten Tag", "de_male_1", false).unwrap();
        b.add_collect_digits(&CollectDigits {
            announcement_name: "enter-pin",
            standard_announcement: true,
            error_announcement_name: "wrong-pin",
            standard_error_announcement: true,
            variable_name: "Pin-Code",
            min_digits: 6,
            max_digits: 40,
            terminator: "x",
            max_tries: 0,
            timeout: 301,
        })
        .unwrap();
        let speech = CollectSpeech {
            language: "en-GB",
            variable_name: "What-Was-Said",
            max_tries: 0,
            ..CollectSpeech {
                announcement_name: "ask",
                standard_announcement: false,
                missing_input_announcement_name: "silence",
                standard_missing_input_announcement: false,
                language: "",
                variable_name: "",
                max_tries: 1,
            }
        };
        b.add_collect_speech(&speech).unwrap();
        for (hangup, ani) in [("NORMAL_CLEARING", "0221"), ("USER_BUSY", "+49221")] {
            b.add_hangup(hangup).unwrap();
            b.add_call_settings(ani).unwrap();
        }
        b.add_refer(Some("sip:4044@192.0.2.10")).unwrap();
        let verdict = validate(200, b.to_json().as_bytes());
        assert!(verdict.errors.is_empty(), "{:?}", verdict.errors);
        let words = |warnings: &[String]| -> Vec<String> {
            warnings
                .iter()
                .map(|w| w.split_once("): ").unwrap().1.to_owned())
                .collect()
        };
        assert_eq!(b.warnings().len(), 17, "{:#?}", b.warnings());
        assert_eq!(words(&verdict.warnings), words(b.warnings()));
    }
}
