//! The live-call methods besides interrupt (transfer, refer, record start/stop, listen-in)
//! through the Rust client: the exact bytes on the wire, how each answer is read, arguments
//! rejected before anything is sent, and the supervisor key kept secret like the access key.
//! What the simulator's call model answers is in tests/sim_methods.rs.

mod common;

use common::*;
use serde_json::{json, Value};
use tenios::{Client, ClientConfig, DestinationType, Error, Status};

const SUPERVISOR_KEY: &str = "SUPERVISOR-3c9d1f-SECRET";
const RECORDING: &str = "0b0e6a5e-54b2-4a36-9d4d-2b1f6b2e8a71";

fn client(sim: &Sim) -> Client {
    Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// The last request the simulator saw: its path, body, and the whole record.
fn last_request(sim: &Sim) -> (String, String, Value) {
    let requests = sim.requests();
    let request = requests.last().expect("a request was sent").clone();
    (
        request["path"].as_str().unwrap().to_owned(),
        request["body"].as_str().unwrap().to_owned(),
        request,
    )
}

fn ok_answer(sim: &Sim, body: &str) {
    sim.fault(json!({"status": 200, "body": body}));
}

#[test]
fn each_method_sends_exactly_its_documented_fields() {
    let sim = Sim::start();
    let client = client(&sim);
    type Call<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;
    let cases: Vec<(&str, String, Call)> = vec![
        (
            "/transfer-call",
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","destination_type":"EXTERNALNUMBER","destination":"+492215540030"}}"#
            ),
            Box::new(|| {
                client.transfer_call(KEY, CALL, DestinationType::ExternalNumber, "+492215540030")
            }),
        ),
        (
            "/transfer-call",
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","destination_type":"SIP_USER","destination":"agent-7"}}"#
            ),
            Box::new(|| client.transfer_call(KEY, CALL, DestinationType::SipUser, "agent-7")),
        ),
        (
            "/transfer-call",
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","destination_type":"SIP_TRUNK","destination":"trunk \"a\""}}"#
            ),
            Box::new(|| client.transfer_call(KEY, CALL, DestinationType::SipTrunk, "trunk \"a\"")),
        ),
        (
            "/refer-call",
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","sip_uri":"sip:4044@192.0.2.10:5060;user=phone"}}"#
            ),
            Box::new(|| client.refer_call(KEY, CALL, "sip:4044@192.0.2.10:5060;user=phone")),
        ),
        (
            "/record-call/stop",
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","recording_uuid":"{RECORDING}"}}"#
            ),
            Box::new(|| client.record_stop(KEY, CALL, RECORDING)),
        ),
        (
            "/call/listen-in/start",
            format!(
                r#"{{"access_key":"{KEY}","supervisor_key":"{SUPERVISOR_KEY}","call_uuid":"{CALL}","supervisor_destination":"+4922155400300","whisper_to_agent":true}}"#
            ),
            Box::new(|| client.listen_in_start(KEY, CALL, SUPERVISOR_KEY, "+4922155400300", true)),
        ),
        (
            "/call/listen-in/start",
            format!(
                r#"{{"access_key":"{KEY}","supervisor_key":"{SUPERVISOR_KEY}","call_uuid":"{CALL}","supervisor_destination":"sip:sup@192.0.2.1","whisper_to_agent":false}}"#
            ),
            Box::new(|| {
                client.listen_in_start(KEY, CALL, SUPERVISOR_KEY, "sip:sup@192.0.2.1", false)
            }),
        ),
    ];
    for (path, body, call) in cases {
        ok_answer(&sim, r#"{"success":true}"#);
        assert_eq!(call(), Ok(()), "{path}");
        let (sent_path, sent_body, request) = last_request(&sim);
        assert_eq!(sent_path, path);
        assert_eq!(sent_body, body);
        assert_eq!(request["method"], "POST");
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(header(&request, "accept"), Some("application/json"));
    }
    // Record start: the two booleans as JSON booleans, and the answer's UUID returned.
    for (caller, callee) in [(true, true), (false, true), (true, false)] {
        ok_answer(&sim, &format!(r#"{{"recording_uuid":"{RECORDING}"}}"#));
        assert_eq!(
            client.record_start(KEY, CALL, caller, callee),
            Ok(RECORDING.to_owned())
        );
        let (path, body, _) = last_request(&sim);
        assert_eq!(path, "/record-call/start");
        assert_eq!(
            body,
            format!(
                r#"{{"access_key":"{KEY}","call_uuid":"{CALL}","record_caller":{caller},"record_callee":{callee}}}"#
            )
        );
    }
    assert_eq!(sim.request_count(), 10);
}

#[test]
fn answers_are_read_as_each_method_documents() {
    let sim = Sim::start();
    let client = client(&sim);
    // record-call/stop answers "success": "true" (a string, as documented) or true.
    for body in [r#"{"success":"true"}"#, r#"{"success": true}"#] {
        ok_answer(&sim, body);
        assert_eq!(client.record_stop(KEY, CALL, RECORDING), Ok(()), "{body}");
    }
    // record-call/start without a recording_uuid is not what the API sends.
    ok_answer(&sim, r#"{"success":true}"#);
    let error = client.record_start(KEY, CALL, true, true).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_PROTOCOL);
    assert_eq!(
        error.to_string(),
        "protocol error: response has no \"recording_uuid\" field (HTTP 200)"
    );
    // The documented transfer error, with "success": false.
    sim.fault(json!({"status": 400, "body": r#"{"success": false, "error_code": "INVALID_VALUE", "error_message": "Invalid parameter type or format", "fields": ["destination_type"]}"#}));
    let error = client
        .transfer_call(KEY, CALL, DestinationType::SipUser, "agent")
        .unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_VALUE);
    assert_eq!(
        error.to_string(),
        "INVALID_VALUE: Invalid parameter type or format (fields: destination_type)"
    );
    // The listen-in blacklist code has a status of its own.
    sim.fault(json!({"status": 400, "body": r#"{"error_code": "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST", "error_message": "blacklisted", "fields": ["supervisor_destination"]}"#}));
    let error = client
        .listen_in_start(KEY, CALL, SUPERVISOR_KEY, "+4922155400300", false)
        .unwrap_err();
    assert_eq!(
        error.status(),
        Status::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED
    );
    assert_eq!(
        error.to_string(),
        "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST: blacklisted (fields: supervisor_destination); \
         use another supervisor_destination, or take it off the account's blacklist"
    );
    // An undocumented code stays TENIOS_ERR_API, with the code in the error.
    sim.fault(json!({"status": 400, "body": r#"{"error_code": "CALL_NOT_CONNECTED", "error_message": "The call is not connected to a destination", "fields": ["call_uuid"]}"#}));
    let error = client
        .transfer_call(KEY, CALL, DestinationType::ExternalNumber, "+4930123456")
        .unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_API);
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.code.as_deref(), Some("CALL_NOT_CONNECTED"));
    assert_eq!(sim.request_count(), 6, "each call sent exactly once");
}

#[test]
fn arguments_are_checked_before_anything_is_sent() {
    let sim = Sim::start();
    let client = client(&sim);
    let invalid = |result: Result<(), Error>| match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("{other:?}"),
    };
    let e164 = |value: &str| {
        format!(
            "destination \"{value}\" is not an E.164 number (a + and 2 to 15 digits, e.g. +492215540030)"
        )
    };
    let external = DestinationType::ExternalNumber;
    assert_eq!(
        invalid(client.transfer_call(KEY, CALL, external, "0221554003")),
        e164("0221554003")
    );
    assert_eq!(
        invalid(client.transfer_call(KEY, CALL, external, "+0221")),
        e164("+0221")
    );
    assert_eq!(
        invalid(client.transfer_call(KEY, CALL, external, "+1234567890123456")),
        e164("+1234567890123456")
    );
    assert_eq!(
        invalid(client.transfer_call(KEY, CALL, DestinationType::SipUser, "")),
        "destination is empty"
    );
    assert_eq!(
        invalid(client.transfer_call(KEY, "", external, "+4930123")),
        "call_uuid is empty"
    );
    assert_eq!(
        invalid(client.refer_call(KEY, CALL, "tel:+49")),
        "sip_uri \"tel:+49\" is not a SIP URI (sip:... or sips:..., e.g. sip:4044@192.0.2.10:5060)"
    );
    assert_eq!(
        invalid(client.refer_call(KEY, CALL, "")),
        "sip_uri is empty"
    );
    assert_eq!(
        invalid(client.record_start(KEY, "a\u{7f}", true, true).map(drop)),
        "call_uuid contains a control character"
    );
    assert_eq!(
        invalid(client.record_stop(KEY, CALL, "")),
        "recording_uuid is empty"
    );
    assert_eq!(
        invalid(client.listen_in_start(KEY, CALL, "", "+4930123", false)),
        "supervisor_key is empty"
    );
    assert_eq!(
        invalid(client.listen_in_start(KEY, CALL, "sup\nkey", "+4930123", false)),
        "supervisor_key contains a control character"
    );
    assert_eq!(
        invalid(client.listen_in_start(KEY, CALL, SUPERVISOR_KEY, "", false)),
        "supervisor_destination is empty"
    );
    assert_eq!(
        invalid(client.record_stop("", CALL, RECORDING)),
        "access_key is empty"
    );
    assert_eq!(sim.request_count(), 0);
    // Fails closed: the same client's valid call is counted, so the zero above was measured
    // where a request would have gone.
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn the_supervisor_key_is_a_secret_like_the_access_key() {
    let sim = Sim::start();
    let client = client(&sim);
    let echo = format!("keys {KEY} and {SUPERVISOR_KEY} rejected");
    sim.fault(json!({"status": 400, "body": json!({"error_code": "BAD_CREDENTIALS", "error_message": echo, "fields": [SUPERVISOR_KEY, KEY]}).to_string()}));
    let error = client
        .listen_in_start(KEY, CALL, SUPERVISOR_KEY, "+4922155400300", false)
        .unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
    assert_eq!(
        error.to_string(),
        format!(
            "BAD_CREDENTIALS: keys [REDACTED] and [REDACTED] rejected (fields: [REDACTED], \
             [REDACTED]); {KEY_HINT}; check the supervisor key too"
        )
    );
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(
            !text.contains(SUPERVISOR_KEY) && !text.contains(KEY),
            "{text}"
        );
    }
}

#[test]
fn a_shut_down_client_sends_nothing() {
    let sim = Sim::start();
    let client = client(&sim);
    // Fails closed: before the shutdown this client's calls reach the simulator.
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(sim.request_count(), 1);
    client.shutdown();
    let message = "the client was shut down; the request was not sent";
    let results = [
        client.transfer_call(KEY, CALL, DestinationType::SipTrunk, "t"),
        client.refer_call(KEY, CALL, "sip:a@b"),
        client.record_start(KEY, CALL, true, true).map(drop),
        client.record_stop(KEY, CALL, RECORDING),
        client.listen_in_start(KEY, CALL, SUPERVISOR_KEY, "+4930123", false),
    ];
    for result in results {
        assert_eq!(result, Err(Error::Shutdown(message.into())));
    }
    assert_eq!(sim.request_count(), 1);
}

/// The library against the simulator's live-call model (not canned answers): a scripted call
/// through every method, each documented success and error reaching the caller with its
/// status, and the effects visible in `/_sim/calls/<uuid>`.
#[test]
fn a_scripted_call_against_the_simulators_call_model() {
    const CONNECTED: &str = "9b2f4c1d-7e3a-4b5c-8d6e-0f1a2b3c4d5e";
    const BLACKLISTED: &str = "+4930123456";
    const SIM_SUPERVISOR_KEY: &str = "sim-supervisor-key";
    let sim = Sim::start_with(&["--connected-call", CONNECTED, "--blacklist", BLACKLISTED]);
    let client = client(&sim);
    let api = |result: Result<(), Error>| match result {
        Err(error @ Error::Api(_)) => (error.status(), error.to_string()),
        other => panic!("{other:?}"),
    };

    // A call still in its Call Control block cannot be transferred or listened in on.
    assert_eq!(
        api(client.transfer_call(KEY, CALL, DestinationType::SipUser, "agent-7")),
        (
            Status::TENIOS_ERR_API,
            "CALL_NOT_CONNECTED: The call is not connected to a destination (fields: call_uuid)"
                .into()
        )
    );
    assert_eq!(
        api(client.transfer_call(KEY, UNKNOWN_CALL, DestinationType::SipUser, "agent-7")),
        (
            Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
            common::call_not_found(UNKNOWN_CALL)
        )
    );
    // Record, transfer, stop on the connected call.
    let recording = client.record_start(KEY, CONNECTED, true, false).unwrap();
    assert_eq!(recording.len(), 36, "{recording}");
    assert_eq!(
        client.record_start(KEY, CONNECTED, true, true).unwrap_err().to_string(),
        "RECORDING_ALREADY_RUNNING: A recording of this call is already running (fields: call_uuid)"
    );
    client
        .transfer_call(
            KEY,
            CONNECTED,
            DestinationType::ExternalNumber,
            "+492215540030",
        )
        .unwrap();
    client.record_stop(KEY, CONNECTED, &recording).unwrap();
    assert_eq!(
        api(client.record_stop(KEY, CONNECTED, &recording)),
        (
            Status::TENIOS_ERR_API,
            "RECORDING_NOT_FOUND: The recording wasn't found (fields: recording_uuid)".into()
        )
    );
    // Listen-in: the supervisor key, the blacklist, whispering.
    assert_eq!(
        api(client.listen_in_start(
            KEY,
            CONNECTED,
            "wrong-supervisor-key",
            "+4922155400301",
            false
        )),
        (
            Status::TENIOS_ERR_BAD_CREDENTIALS,
            format!("BAD_CREDENTIALS: Bad credentials; {KEY_HINT}; check the supervisor key too")
        )
    );
    assert_eq!(
        api(client.listen_in_start(KEY, CONNECTED, SIM_SUPERVISOR_KEY, BLACKLISTED, false)),
        (
            Status::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
            "LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST: The supervisor destination is in the \
             blacklist (fields: supervisor_destination); use another supervisor_destination, or take it off the account's blacklist"
                .into()
        )
    );
    client
        .listen_in_start(
            KEY,
            CONNECTED,
            SIM_SUPERVISOR_KEY,
            "sip:sup@192.0.2.1",
            true,
        )
        .unwrap();
    // The simulator's view of the call.
    let call = sim.call(CONNECTED);
    assert_eq!(call["state"], "connected");
    assert_eq!(call["destination"], "+492215540030");
    assert_eq!(
        call["transfers"],
        json!([{"destination_type": "EXTERNALNUMBER", "destination": "+492215540030"}])
    );
    assert_eq!(
        call["recordings"],
        json!([{"recording_uuid": recording, "record_caller": true, "record_callee": false, "running": false}])
    );
    assert_eq!(
        call["listen_ins"],
        json!([{"supervisor_destination": "sip:sup@192.0.2.1", "whisper_to_agent": true}])
    );
    // Refer hands the call away: it has ended for TENIOS.
    client
        .refer_call(KEY, CONNECTED, "sip:4044@192.0.2.10:5060;user=phone")
        .unwrap();
    assert_eq!(sim.call(CONNECTED)["state"], "ended");
    assert_eq!(
        api(client.transfer_call(KEY, CONNECTED, DestinationType::SipUser, "agent-7")).0,
        Status::TENIOS_ERR_CALL_UUID_NOT_FOUND
    );
    // Every call above sent exactly one request.
    assert_eq!(sim.request_count(), 12);
}
