//! The answer to a Call Control webhook request: `{"blocks":[...]}`, built block by block.
//!
//! Each `add_*` function checks its block when it is added. What TENIOS's documentation states
//! (labelled \[doc\] in [`RULES`](crate::rules::RULES)), and what the library needs of its
//! arguments, is an **error**: the block is not added, the builder is unchanged, and the
//! message names the rule. What comes only from an example or a client library's validation
//! (\[ex\], \[client\], \[infer\]) is a **warning**: the block is added and a warning is recorded,
//! readable with [`Blocks::warnings`]. [`RULES`](crate::rules::RULES) is the table of both (docs/webhook.md
//! prints the same table; a test keeps them equal).
//!
//! The JSON is compact, with attributes in the order of TENIOS's documented examples (BRIDGE:
//! `blockType`, `bridgeMode`, `blockTimeout`, `destinations`; each destination
//! `destinationType`, `destination`, `timeout`; ANNOUNCEMENT: `blockType`,
//! `standardAnnouncement`, `announcementName`) and, for blocks without a documented example, in
//! the order of the tables of `shared/tenios/call-control-webhook.md`. No block but BRIDGE gets
//! a `blockTimeout`: which blocks take one is not documented, and TENIOS's own examples never
//! set it.

use crate::api::DestinationType;
use crate::client::check_arg;
use crate::error::Error;
use crate::rules::{
    bridge_warnings, call_settings_warnings, collect_digits_warnings, collect_speech_warnings,
    hangup_warnings, is_e164, say_warnings, CollectDigitsRules, BRIDGE_MODES, REFER_WARNING,
};

/// The longest SAY text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 8192;

/// The answer that hands the call back to the routing plan: no blocks.
pub const EMPTY_ANSWER: &str = r#"{"blocks":[]}"#;

/// How a BRIDGE rings its destinations (`bridgeMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BridgeMode {
    /// One after another, each for its own `timeout`.
    Sequential,
    /// All at once, under one `blockTimeout`.
    Parallel,
}

impl BridgeMode {
    /// The API's name: `SEQUENTIAL` or `PARALLEL`.
    pub fn api_name(self) -> &'static str {
        let [sequential, parallel] = BRIDGE_MODES;
        match self {
            BridgeMode::Sequential => sequential,
            BridgeMode::Parallel => parallel,
        }
    }
}

/// One destination of a BRIDGE, checked when it is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    kind: DestinationType,
    destination: String,
    timeout: Option<u32>,
}

impl Destination {
    /// A destination: for `ExternalNumber` an international number (`+` and digits, E.164);
    /// for `SipUser` a SIP account's user name; for `SipTrunk` a SIP forwarding profile's name.
    /// `timeout` is in seconds (see [`RULES`](crate::rules::RULES) for when TENIOS wants one).
    pub fn new(
        kind: DestinationType,
        destination: &str,
        timeout: Option<u32>,
    ) -> Result<Destination, Error> {
        check_arg("destination", destination.as_bytes())?;
        if kind == DestinationType::ExternalNumber {
            check_e164(destination)?;
        }
        Ok(Destination {
            kind,
            destination: destination.to_owned(),
            timeout,
        })
    }
}

/// An international number: `+`, then 2 to 15 digits, the first not 0.
fn check_e164(value: &str) -> Result<(), Error> {
    if is_e164(value) {
        return Ok(());
    }
    Err(Error::InvalidArgument(format!(
        "BRIDGE: EXTERNALNUMBER destination \"{value}\" is not an international number in E.164 \
         form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)"
    )))
}

/// A COLLECT_DIGITS block (DTMF input). All attributes are sent, as TENIOS's example and
/// tenios-ruby send them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectDigits<'a> {
    /// The prompt (`announcementName`) and whether it is a stock announcement.
    pub announcement_name: &'a str,
    pub standard_announcement: bool,
    /// Played after invalid input (`errorAnnouncementName`).
    pub error_announcement_name: &'a str,
    pub standard_error_announcement: bool,
    /// Where the digits go (`variableName`).
    pub variable_name: &'a str,
    pub min_digits: u32,
    pub max_digits: u32,
    /// `#` or `*`.
    pub terminator: &'a str,
    pub max_tries: u32,
    /// Seconds to wait for digits (`timeout`; not `blockTimeout`).
    pub timeout: u32,
}

/// A COLLECT_SPEECH block (speech recognition), with the attributes of TENIOS's example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectSpeech<'a> {
    pub announcement_name: &'a str,
    pub standard_announcement: bool,
    /// Played when nothing was said (`missingInputAnnouncementName`).
    pub missing_input_announcement_name: &'a str,
    pub standard_missing_input_announcement: bool,
    /// e.g. `de-DE`.
    pub language: &'a str,
    pub variable_name: &'a str,
    pub max_tries: u32,
}

/// The blocks of one answer, and the warnings their checks gave.
#[derive(Clone, Debug, Default)]
pub struct Blocks {
    blocks: Vec<String>,
    warnings: Vec<String>,
}

/// One block's JSON object, written attribute by attribute.
struct Object(String);

impl Object {
    fn new(block_type: &str) -> Object {
        let mut out = String::from("{");
        push_key(&mut out, "blockType");
        push_string(&mut out, block_type);
        Object(out)
    }
    fn string(mut self, key: &str, value: &str) -> Object {
        self.0.push(',');
        push_key(&mut self.0, key);
        push_string(&mut self.0, value);
        self
    }
    fn boolean(self, key: &str, value: bool) -> Object {
        self.raw(key, if value { "true" } else { "false" })
    }
    fn number(self, key: &str, value: u32) -> Object {
        self.raw(key, &value.to_string())
    }
    fn raw(mut self, key: &str, json: &str) -> Object {
        self.0.push(',');
        push_key(&mut self.0, key);
        self.0.push_str(json);
        self
    }
    fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

fn push_key(out: &mut String, key: &str) {
    push_string(out, key);
    out.push(':');
}

/// `value` as a JSON string (the escapes serde_json writes).
fn push_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// SAY's text: like [`check_arg`], but longer and with tabs and line breaks allowed.
fn check_text(name: &str, text: &str) -> Result<(), Error> {
    let invalid = |why: String| Err(Error::InvalidArgument(format!("{name} {why}")));
    if text.is_empty() {
        return invalid("is empty".into());
    }
    if text.len() > MAX_TEXT_BYTES {
        return invalid(format!("is longer than {MAX_TEXT_BYTES} bytes"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return invalid("contains a control character other than a tab or line break".into());
    }
    Ok(())
}

impl Blocks {
    /// An empty answer: with no blocks added, [`to_json`](Self::to_json) is [`EMPTY_ANSWER`].
    pub fn new() -> Blocks {
        Blocks::default()
    }

    /// How many blocks were added.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether no block was added (the answer hands the call back to routing).
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Every warning so far, in the order the blocks were added; each names its block, e.g.
    /// `block 2 (COLLECT_DIGITS): maxTries 0 is outside 1 to 10 [client]`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The answer: `{"blocks":[...]}`.
    pub fn to_json(&self) -> String {
        format!("{{\"blocks\":[{}]}}", self.blocks.join(","))
    }

    /// Adds a block whose checks passed, with its warnings.
    fn push(&mut self, block_type: &str, json: String, warnings: Vec<String>) {
        let n = self.blocks.len() + 1;
        self.blocks.push(json);
        self.warnings.extend(
            warnings
                .into_iter()
                .map(|w| format!("block {n} ({block_type}): {w}")),
        );
    }

    /// BRIDGE: forwards the call to `destinations` in `mode`. `block_timeout` (seconds) is
    /// PARALLEL's.
    pub fn add_bridge(
        &mut self,
        mode: BridgeMode,
        block_timeout: Option<u32>,
        destinations: &[Destination],
    ) -> Result<(), Error> {
        if destinations.is_empty() {
            return Err(Error::InvalidArgument(
                "BRIDGE: a bridge needs at least one destination".into(),
            ));
        }
        let timeouts: Vec<Option<i64>> = destinations
            .iter()
            .map(|d| d.timeout.map(i64::from))
            .collect();
        let warnings = bridge_warnings(mode.api_name(), block_timeout.map(i64::from), &timeouts);
        let mut list = String::from("[");
        for (i, d) in destinations.iter().enumerate() {
            if i > 0 {
                list.push(',');
            }
            let mut o = String::from("{");
            push_key(&mut o, "destinationType");
            push_string(&mut o, d.kind.api_name());
            o.push(',');
            push_key(&mut o, "destination");
            push_string(&mut o, &d.destination);
            if let Some(timeout) = d.timeout {
                o.push(',');
                push_key(&mut o, "timeout");
                o.push_str(&timeout.to_string());
            }
            o.push('}');
            list.push_str(&o);
        }
        list.push(']');
        let mut object = Object::new("BRIDGE").string("bridgeMode", mode.api_name());
        if let Some(timeout) = block_timeout {
            object = object.number("blockTimeout", timeout);
        }
        let json = object.raw("destinations", &list).end();
        self.push("BRIDGE", json, warnings);
        Ok(())
    }

    /// ANNOUNCEMENT: plays the announcement `announcement_name` (as listed in the portal; a
    /// stock TENIOS announcement when `standard_announcement`).
    pub fn add_announcement(
        &mut self,
        standard_announcement: bool,
        announcement_name: &str,
    ) -> Result<(), Error> {
        check_arg("announcement_name", announcement_name.as_bytes())?;
        let json = Object::new("ANNOUNCEMENT")
            .boolean("standardAnnouncement", standard_announcement)
            .string("announcementName", announcement_name)
            .end();
        self.push("ANNOUNCEMENT", json, Vec::new());
        Ok(())
    }

    /// SAY: speaks `text` with the voice `voice_name` (e.g. `de.female.2`); SSML markup in
    /// `text` when `use_ssml`.
    pub fn add_say(&mut self, text: &str, voice_name: &str, use_ssml: bool) -> Result<(), Error> {
        check_text("text", text)?;
        check_arg("voice_name", voice_name.as_bytes())?;
        let warnings = say_warnings(Some(voice_name));
        let json = Object::new("SAY")
            .string("text", text)
            .string("voiceName", voice_name)
            .boolean("useSsml", use_ssml)
            .end();
        self.push("SAY", json, warnings);
        Ok(())
    }

    /// ROUTINGPLAN: runs the routing plan `routing_plan_name` from the portal.
    pub fn add_routing_plan(&mut self, routing_plan_name: &str) -> Result<(), Error> {
        check_arg("routing_plan_name", routing_plan_name.as_bytes())?;
        let json = Object::new("ROUTINGPLAN")
            .string("routingplanName", routing_plan_name)
            .end();
        self.push("ROUTINGPLAN", json, Vec::new());
        Ok(())
    }

    /// COLLECT_DIGITS: plays a prompt and collects DTMF digits into a variable.
    pub fn add_collect_digits(&mut self, c: &CollectDigits<'_>) -> Result<(), Error> {
        check_arg("announcement_name", c.announcement_name.as_bytes())?;
        check_arg(
            "error_announcement_name",
            c.error_announcement_name.as_bytes(),
        )?;
        check_arg("variable_name", c.variable_name.as_bytes())?;
        check_arg("terminator", c.terminator.as_bytes())?;
        let warnings = collect_digits_warnings(&CollectDigitsRules {
            variable_name: Some(c.variable_name),
            min_digits: Some(i64::from(c.min_digits)),
            max_digits: Some(i64::from(c.max_digits)),
            terminator: Some(c.terminator),
            max_tries: Some(i64::from(c.max_tries)),
            timeout: Some(i64::from(c.timeout)),
        });
        let json = Object::new("COLLECT_DIGITS")
            .string("announcementName", c.announcement_name)
            .boolean("standardAnnouncement", c.standard_announcement)
            .string("errorAnnouncementName", c.error_announcement_name)
            .boolean("standardErrorAnnouncement", c.standard_error_announcement)
            .string("variableName", c.variable_name)
            .number("minDigits", c.min_digits)
            .number("maxDigits", c.max_digits)
            .string("terminator", c.terminator)
            .number("maxTries", c.max_tries)
            .number("timeout", c.timeout)
            .end();
        self.push("COLLECT_DIGITS", json, warnings);
        Ok(())
    }

    /// COLLECT_SPEECH: plays a prompt and collects speech (recognised text) into a variable.
    pub fn add_collect_speech(&mut self, c: &CollectSpeech<'_>) -> Result<(), Error> {
        check_arg("announcement_name", c.announcement_name.as_bytes())?;
        check_arg(
            "missing_input_announcement_name",
            c.missing_input_announcement_name.as_bytes(),
        )?;
        check_arg("language", c.language.as_bytes())?;
        check_arg("variable_name", c.variable_name.as_bytes())?;
        let warnings = collect_speech_warnings(Some(c.variable_name), Some(i64::from(c.max_tries)));
        let json = Object::new("COLLECT_SPEECH")
            .string("announcementName", c.announcement_name)
            .boolean("standardAnnouncement", c.standard_announcement)
            .string(
                "missingInputAnnouncementName",
                c.missing_input_announcement_name,
            )
            .boolean(
                "standardMissingInputAnnouncement",
                c.standard_missing_input_announcement,
            )
            .string("language", c.language)
            .string("variableName", c.variable_name)
            .number("maxTries", c.max_tries)
            .end();
        self.push("COLLECT_SPEECH", json, warnings);
        Ok(())
    }

    /// HANGUP: ends the call with `hangup_cause`, e.g. `CALL_REJECTED`.
    pub fn add_hangup(&mut self, hangup_cause: &str) -> Result<(), Error> {
        check_arg("hangup_cause", hangup_cause.as_bytes())?;
        let warnings = hangup_warnings(Some(hangup_cause));
        let json = Object::new("HANGUP")
            .string("hangupCause", hangup_cause)
            .end();
        self.push("HANGUP", json, warnings);
        Ok(())
    }

    /// CALL_SETTINGS: the caller ID shown on later forwards (`forwardAni`, e.g. `+4922155400`).
    pub fn add_call_settings(&mut self, forward_ani: &str) -> Result<(), Error> {
        check_arg("forward_ani", forward_ani.as_bytes())?;
        let warnings = call_settings_warnings(Some(forward_ani));
        let json = Object::new("CALL_SETTINGS")
            .string("forwardAni", forward_ani)
            .end();
        self.push("CALL_SETTINGS", json, warnings);
        Ok(())
    }

    /// REFER: sends the call back to the SIP trunk it came from with a SIP REFER (only for
    /// calls that came in over a registered trunk). TENIOS documents no JSON for it: the
    /// `destination` attribute (left out when None) is an inference, so a warning is always
    /// recorded.
    pub fn add_refer(&mut self, destination: Option<&str>) -> Result<(), Error> {
        if let Some(destination) = destination {
            check_arg("destination", destination.as_bytes())?;
        }
        let warnings = vec![REFER_WARNING.to_owned()];
        let mut object = Object::new("REFER");
        if let Some(destination) = destination {
            object = object.string("destination", destination);
        }
        self.push("REFER", object.end(), warnings);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DestinationType::{ExternalNumber, SipTrunk, SipUser};

    fn dest(kind: DestinationType, d: &str, timeout: Option<u32>) -> Destination {
        Destination::new(kind, d, timeout).unwrap()
    }

    #[test]
    fn the_documented_bridge_examples_byte_for_byte() {
        let mut b = Blocks::new();
        b.add_bridge(
            BridgeMode::Sequential,
            None,
            &[
                dest(SipUser, "1001", Some(25)),
                dest(ExternalNumber, "+4978787878", Some(30)),
            ],
        )
        .unwrap();
        assert_eq!(
            b.to_json(),
            r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"SIP_USER","destination":"1001","timeout":25},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]}"#
        );
        assert!(b.warnings().is_empty(), "{:?}", b.warnings());

        let mut b = Blocks::new();
        b.add_bridge(
            BridgeMode::Parallel,
            Some(50),
            &[
                dest(SipUser, "1001", None),
                dest(ExternalNumber, "+4978787878", None),
            ],
        )
        .unwrap();
        assert_eq!(
            b.to_json(),
            r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,"destinations":[{"destinationType":"SIP_USER","destination":"1001"},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]}"#
        );
        assert!(b.warnings().is_empty());
    }

    #[test]
    fn the_documented_announcement_example_byte_for_byte() {
        let mut b = Blocks::new();
        b.add_announcement(false, "MySpecialAnnouncement").unwrap();
        assert_eq!(
            b.to_json(),
            r#"{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,"announcementName":"MySpecialAnnouncement"}]}"#
        );
    }

    #[test]
    fn empty_answer() {
        assert_eq!(Blocks::new().to_json(), EMPTY_ANSWER);
        assert!(Blocks::new().is_empty());
    }

    #[test]
    fn bridge_errors_leave_the_builder_unchanged() {
        let mut b = Blocks::new();
        b.add_announcement(true, "a").unwrap();
        let before = b.to_json();
        assert_eq!(
            b.add_bridge(BridgeMode::Sequential, None, &[])
                .unwrap_err()
                .to_string(),
            "BRIDGE: a bridge needs at least one destination"
        );
        for bad in [
            "+49 221",
            "0221",
            "+",
            "+0221",
            "+1234567890123456",
            "49221",
        ] {
            assert_eq!(
                Destination::new(ExternalNumber, bad, Some(5))
                    .unwrap_err()
                    .to_string(),
                format!(
                    "BRIDGE: EXTERNALNUMBER destination \"{bad}\" is not an international number \
                     in E.164 form (a + and 2 to 15 digits, no spaces, e.g. +49221987654321)"
                )
            );
        }
        assert_eq!(
            Destination::new(SipUser, "", None).unwrap_err().to_string(),
            "destination is empty"
        );
        // SIP names are not numbers.
        assert!(Destination::new(SipTrunk, "my-profile", None).is_ok());
        assert_eq!(b.to_json(), before);
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn bridge_warnings() {
        let mut b = Blocks::new();
        b.add_bridge(
            BridgeMode::Sequential,
            Some(60),
            &[dest(SipUser, "1001", None), dest(SipUser, "1002", Some(0))],
        )
        .unwrap();
        b.add_bridge(
            BridgeMode::Parallel,
            None,
            &[dest(SipUser, "1001", Some(5))],
        )
        .unwrap();
        assert_eq!(
            b.warnings(),
            [
                "block 1 (BRIDGE): SEQUENTIAL mode with a blockTimeout; the documented examples \
                 have none and tenios-ruby rejects it [client]",
                "block 1 (BRIDGE): destination 1 has no timeout; tenios-ruby requires one per \
                 destination in SEQUENTIAL mode [client]",
                "block 1 (BRIDGE): destination 2 has a timeout of 0 s [infer]",
                "block 2 (BRIDGE): PARALLEL mode without blockTimeout; the documented example \
                 sets one and tenios-ruby requires it [client]",
                "block 2 (BRIDGE): destination 1 has a timeout; tenios-ruby rejects it in \
                 PARALLEL mode, where blockTimeout applies [client]",
            ]
        );
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn every_other_block() {
        let mut b = Blocks::new();
        b.add_say("Hallo \"Welt\"\nzwei", "de.female.2", false)
            .unwrap();
        b.add_routing_plan("Support").unwrap();
        b.add_collect_digits(&CollectDigits {
            announcement_name: "EnterPin",
            standard_announcement: false,
            error_announcement_name: "WrongPin",
            standard_error_announcement: true,
            variable_name: "pin",
            min_digits: 4,
            max_digits: 6,
            terminator: "#",
            max_tries: 3,
            timeout: 10,
        })
        .unwrap();
        b.add_collect_speech(&CollectSpeech {
            announcement_name: "SayIt",
            standard_announcement: false,
            missing_input_announcement_name: "Silence",
            standard_missing_input_announcement: false,
            language: "de-DE",
            variable_name: "wish",
            max_tries: 2,
        })
        .unwrap();
        b.add_hangup("CALL_REJECTED").unwrap();
        b.add_call_settings("+4922155400").unwrap();
        assert!(b.warnings().is_empty(), "{:?}", b.warnings());
        b.add_refer(Some("sip:4044@192.0.2.10")).unwrap();
        b.add_refer(None).unwrap();
        assert_eq!(
            b.to_json(),
            concat!(
                r#"{"blocks":["#,
                r#"{"blockType":"SAY","text":"Hallo \"Welt\"\nzwei","voiceName":"de.female.2","useSsml":false},"#,
                r#"{"blockType":"ROUTINGPLAN","routingplanName":"Support"},"#,
                r##"{"blockType":"COLLECT_DIGITS","announcementName":"EnterPin","standardAnnouncement":false,"errorAnnouncementName":"WrongPin","standardErrorAnnouncement":true,"variableName":"pin","minDigits":4,"maxDigits":6,"terminator":"#","maxTries":3,"timeout":10},"##,
                r#"{"blockType":"COLLECT_SPEECH","announcementName":"SayIt","standardAnnouncement":false,"missingInputAnnouncementName":"Silence","standardMissingInputAnnouncement":false,"language":"de-DE","variableName":"wish","maxTries":2},"#,
                r#"{"blockType":"HANGUP","hangupCause":"CALL_REJECTED"},"#,
                r#"{"blockType":"CALL_SETTINGS","forwardAni":"+4922155400"},"#,
                r#"{"blockType":"REFER","destination":"sip:4044@192.0.2.10"},"#,
                r#"{"blockType":"REFER"}"#,
                r#"]}"#
            )
        );
        assert_eq!(b.warnings().len(), 2);
        assert!(b.warnings()[0].starts_with("block 7 (REFER): TENIOS documents no JSON"));
        // The answer is JSON.
        let parsed: serde_json::Value = serde_json::from_str(&b.to_json()).unwrap();
        assert_eq!(parsed["blocks"].as_array().unwrap().len(), 8);
    }

    #[test]
    fn warnings_of_the_client_rules() {
        let mut b = Blocks::new();
        b.add_say("x", "German", true).unwrap();
        b.add_collect_digits(&CollectDigits {
            announcement_name: "a",
            standard_announcement: false,
            error_announcement_name: "b",
            standard_error_announcement: false,
            variable_name: "Pin-Code",
            min_digits: 0,
            max_digits: 40,
            terminator: "x",
            max_tries: 11,
            timeout: 301,
        })
        .unwrap();
        b.add_collect_digits(&CollectDigits {
            announcement_name: "a",
            standard_announcement: false,
            error_announcement_name: "b",
            standard_error_announcement: false,
            variable_name: "pin",
            min_digits: 6,
            max_digits: 4,
            terminator: "*",
            max_tries: 0,
            timeout: 0,
        })
        .unwrap();
        b.add_collect_speech(&CollectSpeech {
            announcement_name: "a",
            standard_announcement: true,
            missing_input_announcement_name: "b",
            standard_missing_input_announcement: true,
            language: "de-DE",
            variable_name: "A B",
            max_tries: 0,
        })
        .unwrap();
        b.add_hangup("NORMAL_CLEARING").unwrap();
        b.add_call_settings("0221 5540").unwrap();
        assert_eq!(
            b.warnings(),
            [
                "block 1 (SAY): voiceName \"German\" does not look like <lang>.<gender>.<n> \
                 (de.male.1, en-au.female.1) [ex]",
                "block 2 (COLLECT_DIGITS): variableName \"Pin-Code\" does not match ^[a-z0-9_]+$ \
                 [client]",
                "block 2 (COLLECT_DIGITS): minDigits 0 is outside 1 to 32 [client]",
                "block 2 (COLLECT_DIGITS): maxDigits 40 is outside 1 to 32 [client]",
                "block 2 (COLLECT_DIGITS): terminator \"x\" is not # or * [client]",
                "block 2 (COLLECT_DIGITS): maxTries 11 is outside 1 to 10 [client]",
                "block 2 (COLLECT_DIGITS): timeout 301 s is outside 1 to 300 [client]",
                "block 3 (COLLECT_DIGITS): minDigits 6 is greater than maxDigits 4 [client]",
                "block 3 (COLLECT_DIGITS): maxTries 0 is outside 1 to 10 [client]",
                "block 3 (COLLECT_DIGITS): timeout 0 s is outside 1 to 300 [client]",
                "block 4 (COLLECT_SPEECH): variableName \"A B\" does not match ^[a-z0-9_]+$ \
                 [infer]",
                "block 4 (COLLECT_SPEECH): maxTries is 0 [infer]",
                "block 5 (HANGUP): hangupCause \"NORMAL_CLEARING\" is not one of the 30 causes \
                 tenios-ruby knows [client]",
                "block 6 (CALL_SETTINGS): forwardAni \"0221 5540\" is not an E.164 number \
                 [infer]",
            ]
        );
        assert_eq!(b.len(), 6);
    }

    #[test]
    fn argument_errors_add_nothing() {
        let mut b = Blocks::new();
        let cases: Vec<(Result<(), Error>, &str)> = vec![
            (
                b.clone().add_announcement(false, ""),
                "announcement_name is empty",
            ),
            (b.clone().add_say("", "de.male.1", false), "text is empty"),
            (
                b.clone()
                    .add_say(&"x".repeat(MAX_TEXT_BYTES + 1), "de.male.1", false),
                "text is longer than 8192 bytes",
            ),
            (
                b.clone().add_say("a\u{7}b", "de.male.1", false),
                "text contains a control character other than a tab or line break",
            ),
            (
                b.clone().add_routing_plan("a\nb"),
                "routing_plan_name contains a control character",
            ),
            (
                b.clone().add_hangup(&"X".repeat(1025)),
                "hangup_cause is longer than 1024 bytes",
            ),
            (b.clone().add_call_settings(""), "forward_ani is empty"),
            (b.clone().add_refer(Some("")), "destination is empty"),
        ];
        for (result, want) in cases {
            assert_eq!(result.unwrap_err().to_string(), want);
        }
        b.add_say("a\tb\r\nc", "de.male.1", true).unwrap();
        assert_eq!(b.len(), 1);
    }

    /// The certainty table of docs/webhook.md is the builder's RULES, row for row.
    #[test]
    fn the_docs_table_is_rules() {
        use crate::rules::{Outcome, RULES};
        let readme = include_str!("../../docs/webhook.md");
        for r in RULES {
            let outcome = match r.outcome {
                Outcome::Error => "error",
                Outcome::Warning => "warning",
            };
            let row = format!(
                "| {} | {} | {} | {} |",
                r.block, r.rule, r.certainty, outcome
            );
            assert!(
                readme.contains(&row),
                "docs/webhook.md lacks the row\n{row}"
            );
        }
    }
}
