//! The simulator's live-call model: transfer-call, refer-call, record-call/start and /stop,
//! call/listen-in/start (and interrupt on calls in each state), each rule's exact status and
//! body, the effects in `/_sim/calls`, reset, and the flags and `--config` that describe calls.
#![cfg(feature = "sim")]

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{Sim, CALL, KEY, STUCK_CALL, UNKNOWN_CALL};
use serde_json::{json, Value};

const CONNECTED: &str = "9b2f4c1d-7e3a-4b5c-8d6e-0f1a2b3c4d5e";
const BLACKLISTED: &str = "+4930123456";
const SUPERVISOR_KEY: &str = "sim-supervisor-key";
const DEFAULT_DESTINATION: &str = "+4922155400300";

const TRANSFER: &str = "/transfer-call";
const REFER: &str = "/refer-call";
const RECORD_START: &str = "/record-call/start";
const RECORD_STOP: &str = "/record-call/stop";
const LISTEN_IN: &str = "/call/listen-in/start";
const INTERRUPT: &str = "/interrupt-ecc-block";

const SUCCESS: &str = r#"{"success":true}"#;
const INVALID_JSON: &str = r#"{"error_code":"INVALID_JSON","error_message":"An invalid JSON object was provided in the request body.","fields":[]}"#;
const BAD_CREDENTIALS: &str =
    r#"{"error_code":"BAD_CREDENTIALS","error_message":"Bad credentials","fields":[]}"#;
const NOT_FOUND: &str = r#"{"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#;
const NOT_CONNECTED: &str = r#"{"error_code":"CALL_NOT_CONNECTED","error_message":"The call is not connected to a destination","fields":["call_uuid"]}"#;
const RECORDING_NOT_FOUND: &str = r#"{"error_code":"RECORDING_NOT_FOUND","error_message":"The recording wasn't found","fields":["recording_uuid"]}"#;

/// A simulator with `CALL` (in a block, interruptible), `STUCK_CALL` (in a block, not
/// interruptible), `CONNECTED` (to the default destination) and one blacklisted number.
fn sim() -> Sim {
    Sim::start_with(&["--connected-call", CONNECTED, "--blacklist", BLACKLISTED])
}

/// Asserts a 400 with exactly this JSON body.
#[track_caller]
fn assert_400(sim: &Sim, path: &str, body: &str, expected: &str) {
    assert_eq!(
        sim.api(path, body),
        (400, "application/json".to_owned(), expected.to_owned()),
        "{path} {body}"
    );
}

/// Asserts a 200 with exactly this JSON body.
#[track_caller]
fn assert_200(sim: &Sim, path: &str, body: &str, expected: &str) {
    assert_eq!(
        sim.api(path, body),
        (200, "application/json".to_owned(), expected.to_owned()),
        "{path} {body}"
    );
}

fn invalid_value(fields: &str) -> String {
    format!(
        r#"{{"error_code":"INVALID_VALUE","error_message":"Invalid parameter type or format","fields":{fields}}}"#
    )
}

fn invalid_field(name: &str, value: &str) -> String {
    format!(
        r#"{{"error_code":"INVALID_FIELD","error_message":"Invalid '{name}' input parameter. Invalid value - '{value}'.","fields":["{name}"]}}"#
    )
}

fn transfer(call_uuid: &str, destination_type: &str, destination: &str) -> String {
    json!({"access_key": KEY, "call_uuid": call_uuid,
           "destination_type": destination_type, "destination": destination})
    .to_string()
}

fn refer(call_uuid: &str, sip_uri: &str) -> String {
    json!({"access_key": KEY, "call_uuid": call_uuid, "sip_uri": sip_uri}).to_string()
}

fn record_start(call_uuid: &str) -> String {
    json!({"access_key": KEY, "call_uuid": call_uuid}).to_string()
}

fn record_stop(recording_uuid: &str, call_uuid: &str) -> String {
    json!({"access_key": KEY, "recording_uuid": recording_uuid, "call_uuid": call_uuid}).to_string()
}

fn listen_in(call_uuid: &str, destination: &str) -> String {
    json!({"access_key": KEY, "supervisor_key": SUPERVISOR_KEY, "call_uuid": call_uuid,
           "supervisor_destination": destination})
    .to_string()
}

/// Starts a recording and returns its UUID.
fn start_recording(sim: &Sim, body: &str) -> String {
    let (status, _, reply) = sim.api(RECORD_START, body);
    assert_eq!(status, 200, "{reply}");
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(reply.as_object().unwrap().len(), 1, "{reply}");
    reply["recording_uuid"].as_str().unwrap().to_owned()
}

/// The checks every method shares, in their order, for a method whose valid body is `valid`.
fn assert_common_rules(sim: &Sim, path: &str, valid: &Value) {
    let object = valid.as_object().unwrap();
    for body in ["", "{", "null", "[]", r#""text""#, "1"] {
        assert_400(sim, path, body, INVALID_JSON);
    }
    for field in object.keys() {
        // A required field missing, null or not a string; missing wins over unknown fields.
        let mut missing = object.clone();
        missing.remove(field);
        assert_400(
            sim,
            path,
            &Value::Object(missing.clone()).to_string(),
            INVALID_JSON,
        );
        missing.insert("zzz".to_owned(), json!(1));
        assert_400(sim, path, &Value::Object(missing).to_string(), INVALID_JSON);
        for wrong in [json!(null), json!(1), json!(true), json!([]), json!({})] {
            let mut changed = object.clone();
            changed.insert(field.clone(), wrong);
            assert_400(sim, path, &Value::Object(changed).to_string(), INVALID_JSON);
        }
    }
    // Unknown fields are named, sorted, before the credentials are checked.
    let mut extra = object.clone();
    extra.insert("zeta".to_owned(), json!(1));
    extra.insert("alpha".to_owned(), json!(null));
    extra.insert("access_key".to_owned(), json!("wrong"));
    assert_400(
        sim,
        path,
        &Value::Object(extra).to_string(),
        &invalid_value(r#"["alpha","zeta"]"#),
    );
    // A wrong key (compared exactly) before any of the method's own checks.
    let mut wrong_key = object.clone();
    wrong_key.insert("access_key".to_owned(), json!(KEY.to_uppercase()));
    wrong_key.insert("call_uuid".to_owned(), json!("not-a-uuid"));
    assert_400(
        sim,
        path,
        &Value::Object(wrong_key).to_string(),
        BAD_CREDENTIALS,
    );
}

#[test]
fn transfer_moves_a_connected_call_and_is_recorded() {
    let sim = sim();
    assert_200(
        &sim,
        TRANSFER,
        &transfer(CONNECTED, "EXTERNALNUMBER", "+4940123456"),
        SUCCESS,
    );
    assert_200(
        &sim,
        TRANSFER,
        &transfer(&CONNECTED.to_uppercase(), "SIP_USER", "agent-7"),
        SUCCESS,
    );
    assert_200(
        &sim,
        TRANSFER,
        &transfer(CONNECTED, "SIP_TRUNK", "trunk one"),
        SUCCESS,
    );
    let call = sim.call(CONNECTED);
    assert_eq!(call["state"], "connected");
    assert_eq!(call["destination"], "trunk one");
    assert_eq!(
        call["transfers"],
        json!([
            {"destination_type": "EXTERNALNUMBER", "destination": "+4940123456"},
            {"destination_type": "SIP_USER", "destination": "agent-7"},
            {"destination_type": "SIP_TRUNK", "destination": "trunk one"},
        ])
    );
    // The request went over the wire as sent.
    let requests = sim.requests();
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["path"], TRANSFER);
    assert_eq!(
        requests[0]["body"],
        transfer(CONNECTED, "EXTERNALNUMBER", "+4940123456")
    );
}

#[test]
fn transfer_errors() {
    let sim = sim();
    let valid: Value =
        serde_json::from_str(&transfer(CONNECTED, "EXTERNALNUMBER", "+4940123456")).unwrap();
    assert_common_rules(&sim, TRANSFER, &valid);

    // destination_type first (documented, with success:false), even before a bad call_uuid.
    for destination_type in ["EXTERNAL", "", "externalnumber", "SIP"] {
        assert_400(
            &sim,
            TRANSFER,
            &transfer("123", destination_type, ""),
            r#"{"success":false,"error_code":"INVALID_VALUE","error_message":"Invalid parameter type or format","fields":["destination_type"]}"#,
        );
    }
    // Then call_uuid syntax, before the destination.
    assert_400(
        &sim,
        TRANSFER,
        &transfer("1234567890", "EXTERNALNUMBER", "0221"),
        &invalid_field("call_uuid", "1234567890"),
    );
    // Then the destination: E.164 for EXTERNALNUMBER, non-empty for every type.
    for destination in [
        "",
        "0221554003",
        "+0221554003",
        "+1",
        "+1234567890123456",
        "+49 221 554",
        "4922155400300",
        "sip:a@b",
    ] {
        assert_400(
            &sim,
            TRANSFER,
            &transfer(UNKNOWN_CALL, "EXTERNALNUMBER", destination),
            &invalid_field("destination", destination),
        );
    }
    for destination_type in ["SIP_USER", "SIP_TRUNK"] {
        assert_400(
            &sim,
            TRANSFER,
            &transfer(UNKNOWN_CALL, destination_type, ""),
            &invalid_field("destination", ""),
        );
    }
    // Then the call: unknown, then not connected.
    assert_400(
        &sim,
        TRANSFER,
        &transfer(UNKNOWN_CALL, "SIP_USER", "a"),
        NOT_FOUND,
    );
    for call_uuid in [CALL, STUCK_CALL] {
        assert_400(
            &sim,
            TRANSFER,
            &transfer(call_uuid, "EXTERNALNUMBER", "+12"),
            NOT_CONNECTED,
        );
    }
    // An ended call is not found.
    assert_200(&sim, REFER, &refer(CONNECTED, "sip:4044@8.8.8.8"), SUCCESS);
    assert_400(
        &sim,
        TRANSFER,
        &transfer(CONNECTED, "SIP_USER", "a"),
        NOT_FOUND,
    );
    // Nothing but the refer happened.
    assert!(sim
        .calls()
        .iter()
        .all(|call| call["transfers"] == json!([])));
}

#[test]
fn refer_ends_the_call_and_is_recorded() {
    let sim = sim();
    let uri = "sip:4044@8.8.8.8:5060;user=phone";
    assert_200(&sim, REFER, &refer(CALL, uri), SUCCESS);
    assert_200(
        &sim,
        REFER,
        &refer(CONNECTED, "SIPS:pbx@example.com"),
        SUCCESS,
    );
    let call = sim.call(CALL);
    assert_eq!(call["state"], "ended");
    assert_eq!(call["refers"], json!([{"sip_uri": uri}]));
    assert_eq!(sim.call(CONNECTED)["state"], "ended");
    // The call has left TENIOS.
    assert_400(&sim, REFER, &refer(CALL, uri), NOT_FOUND);
    assert_400(
        &sim,
        INTERRUPT,
        &json!({"access_key": KEY, "call_uuid": CALL}).to_string(),
        r#"{"success":false,"error_code":"CALL_UUID_NOT_FOUND","error_message":"The call wasn't found","fields":["call_uuid"]}"#,
    );
    assert_eq!(sim.call(CALL)["refers"].as_array().unwrap().len(), 1);
}

#[test]
fn refer_errors() {
    let sim = sim();
    let valid: Value = serde_json::from_str(&refer(CALL, "sip:a@b")).unwrap();
    assert_common_rules(&sim, REFER, &valid);
    // call_uuid syntax first.
    assert_400(
        &sim,
        REFER,
        &refer("123456789", ""),
        &invalid_field("call_uuid", "123456789"),
    );
    // The documented empty sip_uri message, with its space before the period.
    assert_400(
        &sim,
        REFER,
        &refer(CALL, ""),
        r#"{"error_code":"INVALID_FIELD","error_message":"Invalid 'sip_uri' input parameter. Invalid value - '' .","fields":["sip_uri"]}"#,
    );
    for sip_uri in ["4044@8.8.8.8", "tel:+4922", "sip:", "http://x"] {
        assert_400(
            &sim,
            REFER,
            &refer(UNKNOWN_CALL, sip_uri),
            &format!(
                r#"{{"error_code":"INVALID_FIELD","error_message":"Invalid 'sip_uri' input parameter. Invalid value - '{sip_uri}' .","fields":["sip_uri"]}}"#
            ),
        );
    }
    assert_400(&sim, REFER, &refer(UNKNOWN_CALL, "sip:a@b"), NOT_FOUND);
    assert_eq!(sim.call(CALL)["state"], "in_block");
}

#[test]
fn recordings_start_stop_and_start_again() {
    let sim = sim();
    let first = start_recording(&sim, &record_start(CALL));
    assert!(
        first.len() == 36 && first == first.to_ascii_lowercase() && &first[14..15] == "4",
        "{first}"
    );
    assert_eq!(
        sim.call(CALL)["recordings"],
        json!([{"recording_uuid": first, "record_caller": true, "record_callee": true, "running": true}])
    );
    // One at a time per call.
    assert_400(
        &sim,
        RECORD_START,
        &record_start(&CALL.to_uppercase()),
        r#"{"error_code":"RECORDING_ALREADY_RUNNING","error_message":"A recording of this call is already running","fields":["call_uuid"]}"#,
    );
    // Stop answers the string "true", exactly as documented.
    assert_200(
        &sim,
        RECORD_STOP,
        &record_stop(&first, CALL),
        r#"{"success":"true"}"#,
    );
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(&first, CALL),
        RECORDING_NOT_FOUND,
    );

    // Started again, with the options as received; stopped without call_uuid.
    let second = start_recording(
        &sim,
        &json!({"access_key": KEY, "call_uuid": CALL, "record_caller": false}).to_string(),
    );
    assert_ne!(first, second);
    let third = start_recording(
        &sim,
        &json!({"access_key": KEY, "call_uuid": CONNECTED, "record_caller": true,
                "record_callee": false})
        .to_string(),
    );
    // A recording of another call is not found through this call.
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(&third, CALL),
        RECORDING_NOT_FOUND,
    );
    assert_200(
        &sim,
        RECORD_STOP,
        &json!({"access_key": KEY, "recording_uuid": second.to_uppercase()}).to_string(),
        r#"{"success":"true"}"#,
    );
    assert_eq!(
        sim.call(CALL)["recordings"],
        json!([
            {"recording_uuid": first, "record_caller": true, "record_callee": true, "running": false},
            {"recording_uuid": second, "record_caller": false, "record_callee": true, "running": false},
        ])
    );
    assert_eq!(
        sim.call(CONNECTED)["recordings"],
        json!([{"recording_uuid": third, "record_caller": true, "record_callee": false, "running": true}])
    );
    // A call that ends stops its recording.
    assert_200(&sim, REFER, &refer(CONNECTED, "sip:a@b"), SUCCESS);
    assert_eq!(sim.call(CONNECTED)["recordings"][0]["running"], false);
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(&third, CONNECTED),
        RECORDING_NOT_FOUND,
    );
    assert_400(&sim, RECORD_START, &record_start(CONNECTED), NOT_FOUND);
}

#[test]
fn record_start_errors() {
    let sim = sim();
    let valid: Value = serde_json::from_str(&record_start(CALL)).unwrap();
    assert_common_rules(&sim, RECORD_START, &valid);
    // Optional booleans must be booleans (the page calls them "String" but means Boolean).
    for (field, wrong) in [
        ("record_caller", json!("false")),
        ("record_callee", json!(0)),
        ("record_caller", json!(null)),
    ] {
        let mut body = valid.clone();
        body[field] = wrong;
        assert_400(
            &sim,
            RECORD_START,
            &body.to_string(),
            &invalid_value(&format!(r#"["{field}"]"#)),
        );
    }
    // The documented INVALID_VALUE for a call_uuid that is not a UUID.
    assert_400(
        &sim,
        RECORD_START,
        &record_start("a"),
        &invalid_value(r#"["call_uuid"]"#),
    );
    assert_400(&sim, RECORD_START, &record_start(UNKNOWN_CALL), NOT_FOUND);
    assert_eq!(sim.call(CALL)["recordings"], json!([]));
}

/// `--record-stop-success boolean` answers `{"success":true}` (TENIOS's Java example casts
/// to Boolean), the default the documented string; the library accepts both.
#[test]
fn record_stop_answers_either_documented_form() {
    for (flag, expected) in [
        (None, r#"{"success":"true"}"#),
        (Some("string"), r#"{"success":"true"}"#),
        (Some("boolean"), r#"{"success":true}"#),
    ] {
        let sim = match flag {
            Some(form) => Sim::start_with(&["--record-stop-success", form]),
            None => Sim::start(),
        };
        let recording = start_recording(&sim, &record_start(CALL));
        assert_200(&sim, RECORD_STOP, &record_stop(&recording, CALL), expected);

        let client = tenios::Client::new(tenios::ClientConfig {
            base_url: sim.url.clone(),
            ..tenios::ClientConfig::default()
        })
        .unwrap();
        let recording = client.record_start(KEY, CALL, true, true).unwrap();
        client.record_stop(KEY, CALL, &recording).unwrap();
        assert_eq!(
            sim.call(CALL)["recordings"][1]["running"],
            false,
            "{flag:?}"
        );
    }
}

#[test]
fn record_stop_errors() {
    let sim = sim();
    let recording = start_recording(&sim, &record_start(CALL));
    let valid: Value =
        serde_json::from_str(&json!({"access_key": KEY, "recording_uuid": recording}).to_string())
            .unwrap();
    assert_common_rules(&sim, RECORD_STOP, &valid);
    // The optional call_uuid must be a string...
    assert_400(
        &sim,
        RECORD_STOP,
        &json!({"access_key": KEY, "recording_uuid": recording, "call_uuid": 5}).to_string(),
        &invalid_value(r#"["call_uuid"]"#),
    );
    // ...and a UUID (after recording_uuid's own check).
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop("x", "y"),
        &invalid_field("recording_uuid", "x"),
    );
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(&recording, "y"),
        &invalid_field("call_uuid", "y"),
    );
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(UNKNOWN_CALL, CALL),
        RECORDING_NOT_FOUND,
    );
    assert_400(
        &sim,
        RECORD_STOP,
        &record_stop(&recording, UNKNOWN_CALL),
        RECORDING_NOT_FOUND,
    );
    assert_eq!(sim.call(CALL)["recordings"][0]["running"], true);
}

#[test]
fn listen_in_on_a_connected_call_is_recorded() {
    let sim = sim();
    assert_200(
        &sim,
        LISTEN_IN,
        &listen_in(CONNECTED, "+4922155400301"),
        SUCCESS,
    );
    let mut whisper: Value = serde_json::from_str(&listen_in(CONNECTED, "sip:sup@pbx")).unwrap();
    whisper["whisper_to_agent"] = json!(true);
    assert_200(&sim, LISTEN_IN, &whisper.to_string(), SUCCESS);
    assert_eq!(
        sim.call(CONNECTED)["listen_ins"],
        json!([
            {"supervisor_destination": "+4922155400301", "whisper_to_agent": false},
            {"supervisor_destination": "sip:sup@pbx", "whisper_to_agent": true},
        ])
    );
}

#[test]
fn listen_in_errors() {
    let sim = sim();
    let valid: Value = serde_json::from_str(&listen_in(CONNECTED, "+4922155400301")).unwrap();
    assert_common_rules(&sim, LISTEN_IN, &valid);
    // A wrong supervisor key is bad credentials too (documented).
    let mut wrong_supervisor = valid.clone();
    wrong_supervisor["supervisor_key"] = json!(KEY);
    wrong_supervisor["call_uuid"] = json!("x");
    assert_400(
        &sim,
        LISTEN_IN,
        &wrong_supervisor.to_string(),
        BAD_CREDENTIALS,
    );
    let mut not_boolean = valid.clone();
    not_boolean["whisper_to_agent"] = json!("true");
    assert_400(
        &sim,
        LISTEN_IN,
        &not_boolean.to_string(),
        &invalid_value(r#"["whisper_to_agent"]"#),
    );
    assert_400(
        &sim,
        LISTEN_IN,
        &listen_in("abc", ""),
        &invalid_field("call_uuid", "abc"),
    );
    for destination in ["", "0221", "+0221", "tel:+4922", "sip:"] {
        assert_400(
            &sim,
            LISTEN_IN,
            &listen_in(UNKNOWN_CALL, destination),
            &invalid_field("supervisor_destination", destination),
        );
    }
    // The blacklist before the call.
    assert_400(
        &sim,
        LISTEN_IN,
        &listen_in(UNKNOWN_CALL, BLACKLISTED),
        r#"{"error_code":"LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST","error_message":"The supervisor destination is in the blacklist","fields":["supervisor_destination"]}"#,
    );
    assert_400(
        &sim,
        LISTEN_IN,
        &listen_in(UNKNOWN_CALL, "+4922"),
        NOT_FOUND,
    );
    assert_400(&sim, LISTEN_IN, &listen_in(CALL, "+4922"), NOT_CONNECTED);
    assert!(sim
        .calls()
        .iter()
        .all(|call| call["listen_ins"] == json!([])));
}

#[test]
fn interrupt_on_a_connected_call_is_refused_and_counted_otherwise() {
    let sim = sim();
    let body = |call_uuid: &str| json!({"access_key": KEY, "call_uuid": call_uuid}).to_string();
    assert_400(
        &sim,
        INTERRUPT,
        &body(CONNECTED),
        r#"{"success":false,"error_code":"BLOCK_NOT_INTERRUPTIBLE","error_message":"The current block of the call can't be interrupted","fields":["call_uuid"]}"#,
    );
    assert_200(&sim, INTERRUPT, &body(CALL), SUCCESS);
    assert_200(&sim, INTERRUPT, &body(CALL), SUCCESS);
    assert_eq!(sim.call(CALL)["interrupts"], 2);
    assert_eq!(sim.call(CALL)["state"], "in_block");
    assert_eq!(sim.interrupts(), [CALL, CALL]);
}

#[test]
fn sim_calls_shows_every_call_and_reset_restores_them() {
    let sim = sim();
    let initial = json!([
        {"call_uuid": STUCK_CALL, "state": "in_block", "interruptible": false, "destination": null,
         "interrupts": 0, "transfers": [], "refers": [], "recordings": [], "listen_ins": []},
        {"call_uuid": CONNECTED, "state": "connected", "interruptible": true,
         "destination": DEFAULT_DESTINATION,
         "interrupts": 0, "transfers": [], "refers": [], "recordings": [], "listen_ins": []},
        {"call_uuid": CALL, "state": "in_block", "interruptible": true, "destination": null,
         "interrupts": 0, "transfers": [], "refers": [], "recordings": [], "listen_ins": []},
    ]);
    assert_eq!(Value::Array(sim.calls()), initial);
    // The exact bytes of one call, fields in the documented order.
    assert_eq!(
        serde_json::to_string(&sim.call(&CALL.to_uppercase())).unwrap(),
        serde_json::to_string(&initial[2]).unwrap()
    );
    assert_eq!(sim.get_status(&format!("calls/{UNKNOWN_CALL}")), 404);
    assert_eq!(sim.get_status("calls/nonsense"), 404);

    let body = |call_uuid: &str| json!({"access_key": KEY, "call_uuid": call_uuid}).to_string();
    assert_200(&sim, INTERRUPT, &body(CALL), SUCCESS);
    assert_200(
        &sim,
        TRANSFER,
        &transfer(CONNECTED, "SIP_USER", "agent"),
        SUCCESS,
    );
    assert_200(&sim, LISTEN_IN, &listen_in(CONNECTED, "+4922"), SUCCESS);
    start_recording(&sim, &record_start(CONNECTED));
    assert_200(&sim, REFER, &refer(CONNECTED, "sip:x@y"), SUCCESS);
    assert_ne!(Value::Array(sim.calls()), initial);
    sim.reset();
    assert_eq!(Value::Array(sim.calls()), initial);
    assert!(sim.interrupts().is_empty());
    assert!(sim.requests().is_empty());
    // The restored calls work again.
    assert_200(
        &sim,
        TRANSFER,
        &transfer(CONNECTED, "SIP_USER", "agent"),
        SUCCESS,
    );
}

/// A config file in the test's temp directory.
fn config_file(name: &str, contents: &Value) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("sim-calls-{name}.json"));
    std::fs::write(&path, contents.to_string()).unwrap();
    path
}

const ENDED: &str = "e0e0e0e0-0000-4000-8000-000000000001";

#[test]
fn config_describes_calls_keys_and_blacklist() {
    let config = config_file(
        "full",
        &json!({
            "access_key": "file-key",
            "supervisor_key": "file-supervisor",
            "blacklist": ["+4911111"],
            "calls": [
                {"call_uuid": CALL, "state": "in_block", "interruptible": false},
                {"call_uuid": CONNECTED, "state": "connected", "destination": "sip:agent@pbx"},
                {"call_uuid": STUCK_CALL, "state": "connected"},
                {"call_uuid": ENDED, "state": "ended"},
            ],
        }),
    );
    let sim = Sim::start_bare(&[
        "--config",
        config.to_str().unwrap(),
        "--blacklist",
        "+4922222",
    ]);
    let by_uuid = |call_uuid: &str| sim.call(call_uuid);
    assert_eq!(by_uuid(CALL)["interruptible"], false);
    assert_eq!(by_uuid(CONNECTED)["destination"], "sip:agent@pbx");
    assert_eq!(by_uuid(STUCK_CALL)["destination"], DEFAULT_DESTINATION);
    assert_eq!(by_uuid(ENDED)["state"], "ended");
    let listen = |call_uuid: &str, destination: &str, supervisor_key: &str| {
        json!({"access_key": "file-key", "supervisor_key": supervisor_key,
               "call_uuid": call_uuid, "supervisor_destination": destination})
        .to_string()
    };
    assert_200(
        &sim,
        LISTEN_IN,
        &listen(CONNECTED, "+4933", "file-supervisor"),
        SUCCESS,
    );
    assert_400(
        &sim,
        LISTEN_IN,
        &listen(CONNECTED, "+4933", SUPERVISOR_KEY),
        BAD_CREDENTIALS,
    );
    for listed in ["+4911111", "+4922222"] {
        assert!(sim
            .api(LISTEN_IN, &listen(CONNECTED, listed, "file-supervisor"))
            .2
            .contains("LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST"));
    }
    let interrupt =
        |call_uuid: &str| json!({"access_key": "file-key", "call_uuid": call_uuid}).to_string();
    assert!(sim
        .api(INTERRUPT, &interrupt(CALL))
        .2
        .contains("BLOCK_NOT_INTERRUPTIBLE"));
    assert!(sim
        .api(INTERRUPT, &interrupt(ENDED))
        .2
        .contains("CALL_UUID_NOT_FOUND"));
    drop(sim);

    // Flags override the file: keys, and calls (a connected call keeps the file's destination).
    let sim = Sim::start_bare(&[
        "--config",
        config.to_str().unwrap(),
        "--supervisor-key",
        "flag-supervisor",
        "--connected-call",
        CONNECTED,
        "--connected-call",
        CALL,
        "--call",
        ENDED,
    ]);
    assert_eq!(sim.call(CONNECTED)["destination"], "sip:agent@pbx");
    assert_eq!(sim.call(CALL)["state"], "connected");
    assert_eq!(sim.call(CALL)["destination"], DEFAULT_DESTINATION);
    assert_eq!(sim.call(ENDED)["state"], "in_block");
    assert_200(
        &sim,
        LISTEN_IN,
        &listen(CALL, "+4933", "flag-supervisor"),
        SUCCESS,
    );
}

#[test]
fn the_first_config_format_still_works() {
    let config = config_file(
        "old",
        &json!({"access_key": "k", "calls": [
            {"call_uuid": CALL, "interruptible": true},
            {"call_uuid": STUCK_CALL, "interruptible": false},
            {"call_uuid": CONNECTED},
        ]}),
    );
    let sim = Sim::start_bare(&["--config", config.to_str().unwrap()]);
    let states: Vec<(Value, Value, Value)> = sim
        .calls()
        .into_iter()
        .map(|call| {
            (
                call["call_uuid"].clone(),
                call["state"].clone(),
                call["interruptible"].clone(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (json!(STUCK_CALL), json!("in_block"), json!(false)),
            (json!(CONNECTED), json!("in_block"), json!(true)),
            (json!(CALL), json!("in_block"), json!(true)),
        ]
    );
}

#[test]
fn contradictory_configs_and_flags_exit_with_status_2() {
    let files = [
        json!({"calls": [{"call_uuid": CALL, "state": "in_block", "destination": "+4922"}]}),
        json!({"calls": [{"call_uuid": CALL, "state": "hungup"}]}),
        json!({"calls": [{"call_uuid": CALL, "state": "connected"},
                         {"call_uuid": CALL, "state": "ended"}]}),
        json!({"blacklist": "+4922"}),
        json!({"supervisor_key": 7}),
    ];
    let paths: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(index, contents)| config_file(&format!("bad-{index}"), contents))
        .collect();
    let mut cases: Vec<Vec<&str>> = paths
        .iter()
        .map(|path| vec!["--config", path.to_str().unwrap()])
        .collect();
    cases.push(vec!["--connected-call", CALL, "--stuck-call", CALL]);
    cases.push(vec!["--connected-call", "123"]);
    cases.push(vec!["--blacklist"]);
    for args in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}
