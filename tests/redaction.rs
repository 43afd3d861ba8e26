//! Redaction that cannot be fooled (docs/redaction.md): the findings of issue 16 with their
//! exact examples, end to end through the simulator, and a property test that generates keys
//! and the shapes a server can echo them in.

mod common;

use std::ffi::{CStr, CString};
use std::ptr;

use common::c_api::*;
use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use tenios::response::classify;
use tenios::{Client, ClientConfig, Error, Status};

fn client(sim: &Sim) -> Client {
    Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// Issue 16, finding 3a: `{"access_key":"Secret\"Key42"}` inside a non-string JSON value
/// reached the message in its escaped form.
#[test]
fn a_key_inside_a_non_string_value_is_redacted() {
    let key = "Secret\"Key42";
    let sim = Sim::start_bare(&["--access-key", key, "--call", CALL]);
    sim.fault(json!({"status": 400, "body": json!({
        "error_code": "BAD_CREDENTIALS",
        "error_message": {"access_key": key},
        "fields": [["access_key", key]],
    }).to_string()}));
    let error = client(&sim).interrupt_block(key, CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
    assert_eq!(
        error.to_string(),
        format!(
            r#"BAD_CREDENTIALS: {{"access_key":"[REDACTED]"}} (fields: ["access_key","[REDACTED]"]); {KEY_HINT}"#
        )
    );
    assert_eq!(sim.request_count(), 1);
}

/// Issue 16, finding 3b: an access key that is a substring of the supervisor key left the
/// supervisor key's tail visible (`[REDACTED][REDACTED]-SUPERVISOR-9f1`).
#[test]
fn an_access_key_inside_the_supervisor_key_leaves_no_tail() {
    let access_key = "sim-access-key";
    let supervisor_key = format!("{access_key}{access_key}-SUPERVISOR-9f1");
    let sim = Sim::start_bare(&[
        "--access-key",
        access_key,
        "--supervisor-key",
        &supervisor_key,
        "--call",
        CALL,
    ]);
    sim.fault(json!({"status": 400, "body": json!({
        "error_code": "BAD_CREDENTIALS",
        "error_message": format!("supervisor key {supervisor_key} is not valid for {access_key}"),
        "fields": [],
    }).to_string()}));
    let error = client(&sim)
        .listen_in_start(access_key, CALL, &supervisor_key, "+4922155400300", false)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "BAD_CREDENTIALS: supervisor key [REDACTED] is not valid for [REDACTED]; {KEY_HINT}; \
             check the supervisor key too"
        )
    );
}

/// Issue 16, finding 3c: a one-byte key mangled every message (and so revealed itself). A key
/// shorter than 8 bytes is now refused before anything is sent, from Rust and from C.
#[test]
fn a_short_key_is_refused_before_anything_is_sent() {
    let sim = Sim::start();
    let client = client(&sim);
    for short in ["e", "o", "1234567"] {
        let error = client.interrupt_block(short, CALL).unwrap_err();
        assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
        assert_eq!(
            error.to_string(),
            "access_key is shorter than 8 bytes (too short to be redacted from messages \
             safely; see docs/redaction.md)"
        );
        let error = client
            .listen_in_start(KEY, CALL, short, "+4922155400300", false)
            .unwrap_err();
        assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
        assert!(error
            .to_string()
            .starts_with("supervisor_key is shorter than 8 bytes"));
    }
    assert_eq!(sim.request_count(), 0, "nothing was sent");

    // From C, the handle API refuses the key when the client is built.
    let builder = tenios_client_builder_new();
    let url = CString::new(sim.url.clone()).unwrap();
    assert_eq!(
        tenios_client_builder_set_base_url(builder, url.as_ptr(), ptr::null_mut()),
        Status::TENIOS_OK
    );
    let key = CString::new("e").unwrap();
    let mut handle = ptr::null_mut();
    let mut error = ptr::null_mut();
    assert_eq!(
        tenios_client_build(builder, key.as_ptr(), &mut handle, &mut error),
        Status::TENIOS_ERR_INVALID_ARGUMENT
    );
    assert!(handle.is_null());
    let message = unsafe { CStr::from_ptr(tenios_error_message(error)) };
    assert!(message
        .to_str()
        .unwrap()
        .starts_with("access_key is shorter than 8 bytes"));
    tenios_error_free(error);
    tenios_client_builder_free(builder);
    assert_eq!(sim.request_count(), 0, "nothing was sent");
}

/// A key split across the error's fields, and a key escaped with `\u` in the server's text
/// (KEY is `test-key-7f3a9c`).
#[test]
fn split_and_unicode_escaped_keys_are_redacted() {
    let sim = Sim::start();
    let client = client(&sim);
    for (answer, shown) in [
        (
            json!({"error_code": "INVALID_FIELD", "error_message": "bad",
                   "fields": ["test-key", "-7f3a9c", "call_uuid"]}),
            "INVALID_FIELD: bad (fields: [REDACTED], [REDACTED], call_uuid)",
        ),
        (
            json!({"error_code": "INVALID_VALUE",
                   "error_message": r#"got {"access_key":"\u0074est-\u006bey\u002D7f3a9c"}"#}),
            r#"INVALID_VALUE: got {"access_key":"[REDACTED]"}"#,
        ),
        // An upper-case K: not the key, left alone.
        (
            json!({"error_code": "INVALID_VALUE",
                   "error_message": r#"got {"access_key":"\u0074est-\u004Bey\u002d7f3a9c"}"#}),
            r#"INVALID_VALUE: got {"access_key":"\u0074est-\u004Bey\u002d7f3a9c"}"#,
        ),
    ] {
        sim.fault(json!({"status": 400, "body": answer.to_string()}));
        let error = client.interrupt_block(KEY, CALL).unwrap_err();
        assert_eq!(error.to_string(), shown);
    }
}

// ---- The property test ----

/// Characters keys are made of: plain ones, the ones JSON escapes, and non-ASCII ones (one
/// outside the BMP, written as a surrogate pair in `\u` form). No `~`: the text around an
/// echo is made of it, so that it can be told apart from the key.
const KEY_CHARS: &[char] = &[
    'a', 'b', 'K', 'Z', '0', '7', '-', '_', '.', ' ', '"', '\\', '/', 'é', '€', '😀',
];

fn key() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(KEY_CHARS), 8..24)
        .prop_map(|chars| chars.into_iter().collect())
}

/// How one character is written in JSON text: as itself (where JSON allows it), its short
/// escape, or `\u` in lower or upper case.
fn escape_char(c: char, how: u8) -> String {
    let short = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '/' => Some("\\/"),
        _ => None,
    };
    let unicode = |upper: bool| {
        let mut units = [0u16; 2];
        c.encode_utf16(&mut units)
            .iter()
            .map(|unit| {
                if upper {
                    format!("\\u{unit:04X}")
                } else {
                    format!("\\u{unit:04x}")
                }
            })
            .collect::<String>()
    };
    match how % 4 {
        0 if short.is_none() => c.to_string(),
        0 | 1 if short.is_some() => short.unwrap_or_default().to_owned(),
        2 => unicode(true),
        _ => unicode(false),
    }
}

/// The key as JSON string content, each character written its own way (`choices` cycles).
fn escaped(key: &str, choices: &[u8]) -> String {
    key.chars()
        .zip(choices.iter().cycle())
        .map(|(c, &how)| escape_char(c, how))
        .collect()
}

/// The ways a server can echo a key in an error body, as `(body, extra secrets)`.
#[derive(Clone, Debug)]
enum Shape {
    /// In the message, as it is.
    Raw,
    /// On the wire, each character escaped its own way (JSON decoding gives the key back).
    EscapedOnTheWire(Vec<u8>),
    /// In the message text, JSON-escaped (the server wrote JSON text into a string).
    EscapedInText(Vec<u8>),
    /// Inside a non-string value: an object, an array, a field that is an object.
    InsideValue(u8),
    /// JSON text in a string inside a non-string value: escaped twice once rendered.
    EscapedTwice,
    /// Split in two across the fields (at a character).
    SplitAcrossFields(usize),
    /// Split across an undocumented code and the message.
    SplitAcrossCodeAndMessage(usize),
    /// The supervisor key, which contains the access key, echoed with the access key.
    InsideTheSupervisorKey,
}

fn shape() -> impl Strategy<Value = Shape> {
    let choices = || prop::collection::vec(0u8..4, 1..8);
    prop_oneof![
        Just(Shape::Raw),
        choices().prop_map(Shape::EscapedOnTheWire),
        choices().prop_map(Shape::EscapedInText),
        (0u8..3).prop_map(Shape::InsideValue),
        Just(Shape::EscapedTwice),
        (1usize..8).prop_map(Shape::SplitAcrossFields),
        (1usize..8).prop_map(Shape::SplitAcrossCodeAndMessage),
        Just(Shape::InsideTheSupervisorKey),
    ]
}

const AROUND: &str = "~~~~";

/// 2000 cases, or `PROPTEST_CASES` (`make test-fuzz` style runs take far more).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

/// The error body of `shape` for `key`, and the secrets of the call.
fn echo(key: &str, shape: &Shape) -> (String, Vec<String>) {
    let message = |inner: &str| format!("{AROUND}{inner}{AROUND}");
    let split = |at: usize| {
        let at = key
            .char_indices()
            .map(|(i, _)| i)
            .nth(at)
            .filter(|&i| i > 0)
            .unwrap_or(key.chars().next().map_or(0, char::len_utf8));
        key.split_at(at)
    };
    let mut secrets = vec![key.to_owned()];
    let body = match shape {
        Shape::Raw => {
            json!({"error_code": "BAD_CREDENTIALS", "error_message": message(key)}).to_string()
        }
        Shape::EscapedOnTheWire(choices) => format!(
            r#"{{"error_code":"BAD_CREDENTIALS","error_message":"{AROUND}{}{AROUND}"}}"#,
            escaped(key, choices)
        ),
        Shape::EscapedInText(choices) => json!({
            "error_code": "INVALID_VALUE",
            "error_message": message(&format!(r#"{{"access_key":"{}"}}"#, escaped(key, choices))),
        })
        .to_string(),
        Shape::InsideValue(0) => {
            json!({"error_code": "BAD_CREDENTIALS", "error_message": {"access_key": key}})
                .to_string()
        }
        Shape::InsideValue(1) => {
            json!({"success": false, "error_message": [AROUND, key, 1]}).to_string()
        }
        Shape::InsideValue(_) => json!({
            "error_code": "INVALID_FIELD", "error_message": AROUND,
            "fields": [{"access_key": key}, "call_uuid"],
        })
        .to_string(),
        Shape::EscapedTwice => json!({
            "error_code": "INVALID_JSON",
            "error_message": {"note": format!("you sent {}", json!({"access_key": key}))},
        })
        .to_string(),
        Shape::SplitAcrossFields(at) => {
            let (head, tail) = split(*at);
            json!({"error_code": "INVALID_FIELD", "error_message": AROUND,
                   "fields": [format!("{AROUND}{head}"), format!("{tail}{AROUND}")]})
            .to_string()
        }
        Shape::SplitAcrossCodeAndMessage(at) => {
            let (head, tail) = split(*at);
            json!({"error_code": format!("NOPE{AROUND}{head}"), "error_message": format!("{tail}{AROUND}")})
                .to_string()
        }
        Shape::InsideTheSupervisorKey => {
            let supervisor = format!("{key}{key}-SUPERVISOR-9f1");
            secrets.push(supervisor.clone());
            json!({"error_code": "BAD_CREDENTIALS",
                   "error_message": format!("{supervisor} {AROUND} {key}")})
            .to_string()
        }
    };
    (body, secrets)
}

/// `text` with JSON escapes decoded once, leniently (an escape that is not one is kept): an
/// independent reading, not the library's search.
fn unescape_once(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{fffd}')));
    };
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 6 <= chars.len() && chars[i + 1] == 'u' {
            let hex: String = chars[i + 2..i + 6].iter().collect();
            if let Ok(unit) = u16::from_str_radix(&hex, 16) {
                units.push(unit);
                i += 6;
                continue;
            }
        }
        flush(&mut units, &mut out);
        if chars[i] == '\\' && i + 1 < chars.len() {
            let decoded = match chars[i + 1] {
                '"' => Some('"'),
                '\\' => Some('\\'),
                '/' => Some('/'),
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                'b' => Some('\u{8}'),
                'f' => Some('\u{c}'),
                _ => None,
            };
            if let Some(c) = decoded {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    flush(&mut units, &mut out);
    out
}

/// Whether `text`, read as it is or with escapes decoded up to three times, contains `secret`.
fn shows(text: &str, secret: &str) -> bool {
    let mut reading = text.to_owned();
    for _ in 0..4 {
        if reading.contains(secret) {
            return true;
        }
        reading = unescape_once(&reading);
    }
    false
}

/// Every text of an error a user can see: Display, Debug, and (for an API error) the code,
/// the message and the fields one by one and run together.
fn visible_texts(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    if let Error::Api(api) = error {
        let pieces: Vec<String> = api
            .code
            .iter()
            .chain(api.message.iter())
            .chain(api.fields.iter())
            .cloned()
            .collect();
        texts.push(pieces.concat());
        texts.extend(pieces);
    }
    texts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_echoed_key_shows_in_any_form(key in key(), shape in shape(), status in prop_oneof![Just(400u16), Just(403u16), Just(200u16)]) {
        let (body, secrets) = echo(&key, &shape);
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let original = classify(status, body.as_bytes()).unwrap_err();
        let before = original.status();
        let error = original.redacted(&secrets);
        prop_assert_eq!(error.status(), before, "the status never depends on the key");
        for text in visible_texts(&error) {
            for secret in &secrets {
                prop_assert!(!shows(&text, secret), "{:?} shows {:?} in {}", shape, secret, text);
            }
        }
        let shown = error.to_string();
        prop_assert!(shown.contains("[REDACTED]"), "{}", shown);
        // Redaction takes the key, not the text around it.
        if !matches!(shape, Shape::InsideValue(0) | Shape::EscapedTwice) {
            prop_assert!(shown.contains(AROUND), "{}", shown);
        }
    }
}

/// The oracle itself reads the forms it is meant to read.
#[test]
fn the_oracle_reads_escapes() {
    assert!(shows(r#"\u0053ecret\"Key"#, "Secret\"Key"));
    assert!(shows(r#"x\\\"y"#, "x\"y"));
    assert!(shows(r#"\ud83d\ude00"#, "😀"));
    assert!(!shows("Secr et", "Secret"));
    let (body, _) = echo("abcdefgh", &Shape::EscapedOnTheWire(vec![2]));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error_message"],
        "~~~~abcdefgh~~~~"
    );
}
