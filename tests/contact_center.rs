//! The contact-center methods (click-to-call, callback, ACD agent state, wrap-up) and the
//! generic call through the Rust client: the exact bytes on the wire, the documentation's own
//! example answers (served by the simulator as canned answers), arguments rejected before
//! anything is sent; then the simulator's model: a click-to-call that reaches a Call Control
//! webhook, agents and wrap-up.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hook::Hook;
use common::*;
use serde_json::{json, Value};
use tenios::telemetry::{LogLevel, LogSink};
use tenios::{Client, ClientConfig, DestinationType, Error, Status};

const EMAIL: &str = "test@test.com";
const END_TIME: &str = "2020-01-01T09:00:00.000Z";

fn client(sim: &Sim) -> Client {
    Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// Queues `body` as the answer (HTTP `status`) to the next request.
fn answer(sim: &Sim, status: u16, body: &str) {
    sim.fault(json!({"status": status, "body": body}));
}

/// The path and body of the last request the simulator saw.
fn last_request(sim: &Sim) -> (String, String) {
    let requests = sim.requests();
    let request = requests.last().expect("a request was sent");
    assert_eq!(request["method"], "POST");
    assert_eq!(header(request, "content-type"), Some("application/json"));
    (
        request["path"].as_str().unwrap().to_owned(),
        request["body"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn each_method_sends_its_documented_fields_and_reads_the_documented_answer() {
    let sim = Sim::start();
    let client = client(&sim);
    type Call<'a> = Box<dyn Fn() -> Result<String, Error> + 'a>;
    // (path, exact body sent, the answer served, what the method returns)
    let cases: Vec<(&str, String, &str, &str, Call)> = vec![
        (
            "/makecall/init",
            format!(
                r#"{{"access_key":"{KEY}","destination_number":"+491234567890","tenios_number":"+4922112345678"}}"#
            ),
            // [infer] as callback/init: the makecall page's success body is cut off.
            r#"{"id": 10}"#,
            "10",
            Box::new(|| client.makecall_init(KEY, "+491234567890", "+4922112345678", None, None)),
        ),
        (
            "/makecall/init",
            format!(
                r#"{{"access_key":"{KEY}","destination_number":"+491234567890","tenios_number":"+4922112345678","caller_id":"+4922112345678123","callstate_info_url":"https://crm.example/tenios/state"}}"#
            ),
            // The webhook's callback_id is a string: accepted as well.
            r#"{"id": "66195"}"#,
            "66195",
            Box::new(|| {
                client.makecall_init(
                    KEY,
                    "+491234567890",
                    "+4922112345678",
                    Some("+4922112345678123"),
                    Some("https://crm.example/tenios/state"),
                )
            }),
        ),
        (
            "/makecall/status",
            format!(r#"{{"access_key":"{KEY}","id":"10"}}"#),
            r#"{"status": "REQUESTED"}"#,
            "REQUESTED",
            Box::new(|| client.makecall_status(KEY, "10")),
        ),
        (
            "/callback/init",
            // The documentation's example request, with this key.
            format!(
                r#"{{"access_key":"{KEY}","callback_config_id":"XXXXX-XXXX-XXXXXX","callback_number":"+491234567890","agent_announcement":"Customer Peter Müller is being called now, please press 1 to start the call.","dtmf_key_to_trigger_customer_call":"1","delay":30}}"#
            ),
            r#"{"id": 10}"#,
            "10",
            Box::new(|| {
                client.callback_init(
                    KEY,
                    "XXXXX-XXXX-XXXXXX",
                    "+491234567890",
                    30,
                    Some("Customer Peter Müller is being called now, please press 1 to start the call."),
                    Some("1"),
                )
            }),
        ),
        (
            "/callback/init",
            format!(
                r#"{{"access_key":"{KEY}","callback_config_id":"cfg","callback_number":"+491234567890","delay":0}}"#
            ),
            r#"{"id": 11}"#,
            "11",
            Box::new(|| client.callback_init(KEY, "cfg", "+491234567890", 0, None, None)),
        ),
        (
            "/callback/status",
            format!(r#"{{"access_key":"{KEY}","id":"10"}}"#),
            r#"{"status": "CALLING_A"}"#,
            "CALLING_A",
            Box::new(|| client.callback_status(KEY, "10")),
        ),
        (
            "/acd/agent-state/retrieve",
            format!(r#"{{"access_key":"{KEY}","email":"{EMAIL}"}}"#),
            r#"{"email": "test@test.com", "state": "NOT_READY"}"#,
            "NOT_READY",
            Box::new(|| client.agent_state_retrieve(KEY, EMAIL)),
        ),
        (
            "/acd/agent-state/change",
            format!(
                r#"{{"access_key":"{KEY}","email":"{EMAIL}","state":"NOT_READY","not_ready_reason":"COF"}}"#
            ),
            r#"{"success": true}"#,
            "",
            Box::new(|| {
                client
                    .agent_state_change(KEY, EMAIL, "NOT_READY", Some("COF"))
                    .map(|()| String::new())
            }),
        ),
        (
            "/acd/agent-state/change",
            format!(r#"{{"access_key":"{KEY}","email":"{EMAIL}","state":"READY"}}"#),
            r#"{"success": true}"#,
            "",
            Box::new(|| {
                client
                    .agent_state_change(KEY, EMAIL, "READY", None)
                    .map(|()| String::new())
            }),
        ),
        (
            "/wrap-up/extend",
            format!(r#"{{"access_key":"{KEY}","agent_email":"{EMAIL}","end_time":"{END_TIME}"}}"#),
            r#"{"success": true, "wrap_up_end_time": "2020-01-01T09:00:00.000Z"}"#,
            END_TIME,
            Box::new(|| client.wrap_up_extend(KEY, EMAIL, END_TIME)),
        ),
        (
            "/wrap-up/cancel",
            format!(r#"{{"access_key":"{KEY}","agent_email":"{EMAIL}"}}"#),
            r#"{"success": true}"#,
            "",
            Box::new(|| client.wrap_up_cancel(KEY, EMAIL).map(|()| String::new())),
        ),
    ];
    let count = cases.len() as u64;
    for (path, body, served, returned, call) in cases {
        answer(&sim, 200, served);
        assert_eq!(call().as_deref(), Ok(returned), "{path}");
        assert_eq!(last_request(&sim), (path.to_owned(), body), "{path}");
    }
    assert_eq!(sim.request_count(), count, "each call sent exactly once");
}

#[test]
fn documented_errors_reach_the_caller_with_their_status() {
    let sim = Sim::start();
    let client = client(&sim);
    let error = |served: &str| {
        answer(&sim, 400, served);
        client.wrap_up_extend(KEY, EMAIL, END_TIME).unwrap_err()
    };
    // The wrap-up page's three errors, verbatim.
    let e = error(
        r#"{"error_code": "FIELD_IS_REQUIRED", "error_message": "Parameter 'agent_email' is required", "fields": ["agent_email"]}"#,
    );
    assert_eq!(e.status(), Status::TENIOS_ERR_API);
    assert_eq!(
        e.to_string(),
        "FIELD_IS_REQUIRED: Parameter 'agent_email' is required (fields: agent_email)"
    );
    let e = error(
        r#"{"error_code": "AGENT_NOT_FOUND", "error_message": "Agent not found.", "fields": ["agent_email"]}"#,
    );
    assert_eq!(e.status(), Status::TENIOS_ERR_AGENT_NOT_FOUND);
    assert_eq!(e.status() as u32, 15);
    assert_eq!(
        e.to_string(),
        "AGENT_NOT_FOUND: Agent not found. (fields: agent_email)"
    );
    let e = error(
        r#"{"error_code": "AGENT_NOT_IN_WRAP_UP", "error_message": "The agent is currently not in a wrap-up status.", "fields": ["agent_email"]}"#,
    );
    assert_eq!(e.status(), Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP);
    assert_eq!(e.status() as u32, 16);
    // The callback page's BAD_CREDENTIALS (a wrong key or a wrong callback_config_id).
    answer(
        &sim,
        400,
        r#"{"error_code": "BAD_CREDENTIALS", "error_message": "Bad credentials", "fields": []}"#,
    );
    let e = client
        .callback_init(KEY, "wrong", "+491234567890", 0, None, None)
        .unwrap_err();
    assert_eq!(e.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
    // Answers the API would not send.
    answer(&sim, 200, r#"{"id": -1}"#);
    assert_eq!(
        client
            .makecall_init(KEY, "+491234567890", "+4922112345678", None, None)
            .unwrap_err()
            .to_string(),
        "protocol error: response has an unexpected \"id\" value (HTTP 200)"
    );
    answer(&sim, 200, r#"{"success": true}"#);
    assert_eq!(
        client
            .wrap_up_extend(KEY, EMAIL, END_TIME)
            .unwrap_err()
            .to_string(),
        "protocol error: response has no \"wrap_up_end_time\" field (HTTP 200)"
    );
    answer(&sim, 200, r#"{"success": false}"#);
    assert_eq!(
        client
            .agent_state_change(KEY, EMAIL, "READY", None)
            .unwrap_err()
            .status(),
        Status::TENIOS_ERR_API
    );
    assert_eq!(sim.request_count(), 7);
}

#[test]
fn arguments_are_checked_before_anything_is_sent() {
    let sim = Sim::start();
    let client = client(&sim);
    let message = |result: Result<String, Error>| match result {
        Err(Error::InvalidArgument(message)) => message,
        other => panic!("{other:?}"),
    };
    let unit = |result: Result<(), Error>| message(result.map(|()| String::new()));
    assert_eq!(
        message(client.makecall_init(KEY, "", "+4922112345678", None, None)),
        "destination_number is empty"
    );
    assert_eq!(
        message(client.makecall_init(KEY, "+49", "+49", Some(""), None)),
        "caller_id is empty"
    );
    assert_eq!(
        message(client.makecall_init(KEY, "+49", "+49", None, Some("http://crm.example/x"))),
        "callstate_info_url \"http://crm.example/x\" is not an https:// URL"
    );
    assert_eq!(message(client.makecall_status(KEY, "")), "id is empty");
    assert_eq!(
        message(client.callback_init(KEY, "cfg", "+49", 0, None, Some("1\n"))),
        "dtmf_key_to_trigger_customer_call contains a control character"
    );
    assert_eq!(
        message(client.callback_status("", "10")),
        "access_key is empty"
    );
    assert_eq!(
        unit(client.agent_state_change(KEY, EMAIL, "AWAY", None)),
        "state \"AWAY\" is not READY or NOT_READY"
    );
    assert_eq!(
        message(client.wrap_up_extend(KEY, EMAIL, "600")),
        "end_time \"600\" is not a time with a time zone (e.g. 2020-01-01T09:00:00.000Z or \
         2020-01-01T10:00:00+01:00)"
    );
    assert_eq!(unit(client.wrap_up_cancel(KEY, "")), "agent_email is empty");
    assert_eq!(
        message(client.call_json(KEY, "/cdrs/retrieve?page=2", "{}")),
        "path \"/cdrs/retrieve?page=2\" has a query or fragment"
    );
    assert_eq!(
        message(client.call_json(KEY, "https://evil.example/cdrs/retrieve", "{}")),
        "path \"https://evil.example/cdrs/retrieve\" is not an absolute path of the API (e.g. \
         /cdrs/retrieve): no scheme or host"
    );
    assert_eq!(
        message(client.call_json(KEY, "/cdrs/../interrupt-ecc-block", "{}")),
        "path \"/cdrs/../interrupt-ecc-block\" has a . or .. segment"
    );
    assert_eq!(
        message(client.call_json(KEY, "/cdrs/retrieve", r#"{"access_key":"other"}"#)),
        "body_json has its own access_key (the client's key is sent)"
    );
    assert_eq!(
        message(client.call_json(KEY, "/cdrs/retrieve", "[]")),
        "body_json is not a JSON object"
    );
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn the_generic_call_reaches_cdrs_and_verification_with_the_clients_key_log_and_errors() {
    let sim = Sim::start();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink_lines = Arc::clone(&lines);
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        log: Some(LogSink::new(LogLevel::Info, move |_, line| {
            sink_lines.lock().unwrap().push(line.to_owned())
        })),
        ..ClientConfig::default()
    })
    .unwrap();
    // /cdrs/retrieve: the caller's members after the key, exactly as written.
    let cdrs = r#"{"total_items": 1, "page": 1, "page_size": 10, "items": [{"call_type": "INBOUND", "destination_number": "+4922112345678", "hangup_cause": "NORMAL_CLEARING", "billusec": 15000000, "prepaid": false}]}"#;
    answer(&sim, 200, cdrs);
    let body = r#"{"start_date_from": "2016-04-11T09:00:00.000Z", "start_date_to": "2016-04-12T09:00:00.000Z", "page": 1, "page_size": 10}"#;
    assert_eq!(
        client.call_json(KEY, "/cdrs/retrieve", body).as_deref(),
        Ok(cdrs)
    );
    assert_eq!(
        last_request(&sim),
        (
            "/cdrs/retrieve".to_owned(),
            format!(
                r#"{{"access_key":"{KEY}","start_date_from": "2016-04-11T09:00:00.000Z", "start_date_to": "2016-04-12T09:00:00.000Z", "page": 1, "page_size": 10}}"#
            )
        )
    );
    assert!(
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.starts_with("POST /cdrs/retrieve sent (")),
        "{lines:?}"
    );
    // /verification/create: the documentation's example answer.
    let verification = r#"{"verification_id": "705d5302-d918-454a-b703-c9c23995726e"}"#;
    answer(&sim, 200, verification);
    let answer_json = client
        .call_json(
            KEY,
            "/verification/create",
            r#"{"country":"Germany","city":"Köln","street":"Weinsbergstr.","house_number":"190","zip":"50825","document_type":"ALLOCATION_NOTICE","document_data":"JVBERi0xLjQK","area_code":"221"}"#,
        )
        .unwrap();
    let parsed: Value = serde_json::from_str(&answer_json).unwrap();
    assert_eq!(
        parsed["verification_id"],
        "705d5302-d918-454a-b703-c9c23995726e"
    );
    assert_eq!(last_request(&sim).0, "/verification/create");
    // The errors of every method, the key redacted from what the server echoes.
    answer(
        &sim,
        400,
        &format!(
            r#"{{"error_code": "BAD_CREDENTIALS", "error_message": "Bad credentials {KEY}", "fields": []}}"#
        ),
    );
    let e = client
        .call_json(KEY, "/cloud-pbx/list", r#"{"page":1,"page_size":2}"#)
        .unwrap_err();
    assert_eq!(e.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
    assert_eq!(
        e.to_string(),
        format!("BAD_CREDENTIALS: Bad credentials [REDACTED]; {KEY_HINT}")
    );
    // A method the simulator does not have: its 404 (not JSON) is an HTTP error.
    let e = client.call_json(KEY, "/number/order", "{}").unwrap_err();
    assert_eq!(e, Error::Http { status: 404 });
    answer(&sim, 200, "<html>ok</html>");
    assert_eq!(
        client
            .call_json(KEY, "/cdrs/count", "{}")
            .unwrap_err()
            .to_string(),
        "protocol error: response body is not JSON (HTTP 200)"
    );
    assert_eq!(sim.request_count(), 5);
}

/// Waits (at most 10 s) until `done` holds for the status of the click-to-call `id`.
fn wait_for_status(client: &Client, id: &str, wanted: &str) {
    let start = Instant::now();
    loop {
        let status = client.makecall_status(KEY, id).unwrap();
        if status == wanted {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "status {status}, not {wanted}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The click-to-call flow end to end against the simulator's model: init, the webhook gets
/// the documented variables and answers with a BRIDGE, the status shows the call connected;
/// the interrupt and the transfer act on it; a hangup makes it DISCONNECTED.
#[test]
fn a_click_to_call_reaches_the_call_control_webhook_and_connects() {
    const BRIDGE: &str = r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"EXTERNALNUMBER","destination":"+492215540030","timeout":25}]}]}"#;
    let hook = Hook::scripted(&[BRIDGE]);
    let sim = Sim::start_with(&["--webhook", &hook.url, "--tenios-number", "+4980012345"]);
    let client = client(&sim);
    let id = client
        .makecall_init(KEY, "+491701234567", "+4980012345", None, None)
        .unwrap();
    assert_eq!(id, "1");
    let request = hook.next().json();
    let variables = &request["variables"];
    assert_eq!(variables["callback_id"], "1", "a string, as documented");
    assert_eq!(variables["destination_number"], "+4980012345");
    assert_eq!(variables["caller_id_number"], "+491701234567");
    let bleg = variables["callback_bleg_uuid"].as_str().unwrap();
    assert_eq!(bleg.len(), 36);
    let call_uuid = variables["call_uuid"].as_str().unwrap().to_owned();
    assert_ne!(call_uuid, bleg);
    wait_for_status(&client, &id, "CONNECTED");
    let started = sim.get("callbacks");
    assert_eq!(started[0]["kind"], "makecall");
    assert_eq!(started[0]["call_uuid"], call_uuid.as_str());
    // Connected by the BRIDGE: it can be transferred, then refer ends it.
    let start = Instant::now();
    while sim.call(&call_uuid)["state"] != "connected" {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(10));
    }
    client
        .transfer_call(KEY, &call_uuid, DestinationType::SipUser, "agent-7")
        .unwrap();
    client
        .refer_call(KEY, &call_uuid, "sip:4044@192.0.2.10")
        .unwrap();
    assert_eq!(client.makecall_status(KEY, &id).unwrap(), "DISCONNECTED");
    // Unknown ids, unknown numbers, unreachable numbers (the simulator's guesses).
    assert_eq!(
        client.makecall_status(KEY, "99").unwrap_err().to_string(),
        "INVALID_VALUE: Invalid parameter type or format (fields: id)"
    );
    assert_eq!(
        client
            .makecall_init(KEY, "+491701234567", "+4900000", None, None)
            .unwrap_err()
            .to_string(),
        "INVALID_VALUE: Invalid parameter type or format (fields: tenios_number)"
    );
    sim.reset();
    assert_eq!(sim.get("callbacks"), json!([]));
}

#[test]
fn without_a_webhook_a_click_to_call_goes_to_routing_and_callbacks_connect() {
    let sim = Sim::start_with(&["--unreachable", "+4915100000000"]);
    let client = client(&sim);
    let id = client
        .makecall_init(KEY, "+491701234567", "+4922112345678", None, None)
        .unwrap();
    assert_eq!(client.makecall_status(KEY, &id).unwrap(), "CONNECTED");
    let call_uuid = sim.get("callbacks")[0]["call_uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sim.call(&call_uuid)["state"], "routing");
    let failed = client
        .makecall_init(KEY, "+4915100000000", "+4922112345678", None, None)
        .unwrap();
    assert_eq!(
        client.makecall_status(KEY, &failed).unwrap(),
        "CALL_A_FAILED"
    );
    // A callback: the configuration every simulator has, the customer unreachable or not.
    let callback = client
        .callback_init(
            KEY,
            "sim-callback-config",
            "+491701234567",
            0,
            None,
            Some("1"),
        )
        .unwrap();
    assert_eq!(client.callback_status(KEY, &callback).unwrap(), "CONNECTED");
    assert_eq!(
        client.makecall_status(KEY, &callback).unwrap_err().status(),
        Status::TENIOS_ERR_INVALID_VALUE,
        "a callback's id is not a click-to-call's"
    );
    let failed = client
        .callback_init(KEY, "sim-callback-config", "+4915100000000", 0, None, None)
        .unwrap();
    assert_eq!(
        client.callback_status(KEY, &failed).unwrap(),
        "CALL_B_FAILED"
    );
    let e = client
        .callback_init(KEY, "no-such-config", "+491701234567", 0, None, None)
        .unwrap_err();
    assert_eq!(e.status(), Status::TENIOS_ERR_BAD_CREDENTIALS);
}

#[test]
fn agents_have_states_and_wrap_up_windows() {
    let sim = Sim::start_with(&[
        "--agent",
        "anna@example.com",
        "--wrap-up-agent",
        "ben@example.com",
    ]);
    let client = client(&sim);
    assert_eq!(
        client
            .agent_state_retrieve(KEY, "anna@example.com")
            .unwrap(),
        "READY"
    );
    client
        .agent_state_change(KEY, "anna@example.com", "NOT_READY", Some("COF"))
        .unwrap();
    assert_eq!(
        client
            .agent_state_retrieve(KEY, "anna@example.com")
            .unwrap(),
        "NOT_READY"
    );
    let e = client
        .agent_state_retrieve(KEY, "nobody@example.com")
        .unwrap_err();
    assert_eq!(e.status(), Status::TENIOS_ERR_AGENT_NOT_FOUND);
    // Wrap-up: only ben is in it.
    let e = client
        .wrap_up_extend(KEY, "anna@example.com", END_TIME)
        .unwrap_err();
    assert_eq!(e.status(), Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP);
    assert_eq!(
        e.to_string(),
        "AGENT_NOT_IN_WRAP_UP: The agent is currently not in a wrap-up status. (fields: agent_email)"
    );
    let e = client
        .wrap_up_extend(KEY, "nobody@example.com", END_TIME)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "AGENT_NOT_FOUND: Agent not found. (fields: agent_email)"
    );
    assert_eq!(
        client
            .wrap_up_extend(KEY, "ben@example.com", "2026-12-06T10:30:00+01:00")
            .unwrap(),
        "2026-12-06T10:30:00+01:00"
    );
    let agents = sim.get("agents");
    assert_eq!(
        agents,
        json!([
            {"email": "anna@example.com", "state": "NOT_READY", "not_ready_reason": "COF",
             "in_wrap_up": false, "wrap_up_end_time": null},
            {"email": "ben@example.com", "state": "READY", "not_ready_reason": null,
             "in_wrap_up": true, "wrap_up_end_time": "2026-12-06T10:30:00+01:00"}
        ])
    );
    client.wrap_up_cancel(KEY, "ben@example.com").unwrap();
    assert_eq!(
        client
            .wrap_up_cancel(KEY, "ben@example.com")
            .unwrap_err()
            .status(),
        Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP
    );
    // The documented FIELD_IS_REQUIRED, for a body the library would never send.
    let (status, _, body) = sim.api(
        "/wrap-up/extend",
        &format!(r#"{{"access_key":"{KEY}","agent_email":"","end_time":"{END_TIME}"}}"#),
    );
    assert_eq!(status, 400);
    assert_eq!(
        body,
        r#"{"error_code":"FIELD_IS_REQUIRED","error_message":"Parameter 'agent_email' is required","fields":["agent_email"]}"#
    );
    sim.reset();
    assert_eq!(sim.get("agents")[1]["in_wrap_up"], true);
}
