//! The simulator as TENIOS's side of a Call Control block: it calls a webhook (a small server
//! written here on a loopback port), validates the answers, runs the blocks, and shows the
//! whole conversation in `/_sim/calls/<uuid>`'s timeline. The interrupt and the transfer go
//! through the real library (`tenios::Client`).
#![cfg(feature = "sim")]

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::hook::{Hook, EMPTY};
use common::{closed_port, Sim, CALL, KEY};
use serde_json::{json, Value};
use tenios::{Client, ClientConfig, DestinationType, Status};

const HOOK_KEY: &str = "hook-key-5e1d";
const CONNECTED: &str = "9b2f4c1d-7e3a-4b5c-8d6e-0f1a2b3c4d5e";
const CORRELATION: &str = "0d7f3a42-9c1b-4e8d-a5f6-2b3c4d5e6f70";
const DIALLED: &str = "+4922155400111";
const CALLER: &str = "+4917012345678";

const ANNOUNCEMENT: &str = r#"{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,"announcementName":"PleaseHold"}]}"#;
const BRIDGE: &str = r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"SIP_USER","destination":"agent-7","timeout":25}]}]}"#;

/// A config file in the test's temporary directory.
fn config(name: &str, config: &Value) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.json"));
    std::fs::write(&path, config.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A simulator with `hook`, `CALL` in a block (known numbers and correlation id) and
/// `CONNECTED`, plus `extra` in the config's `"webhook"` object.
fn sim(name: &str, hook: &Hook, extra: Value) -> Sim {
    let mut webhook = json!({"url": hook.url, "access_key": HOOK_KEY, "customer_number": 200002});
    for (key, value) in extra.as_object().unwrap() {
        webhook[key] = value.clone();
    }
    let file = config(
        name,
        &json!({"access_key": KEY, "webhook": webhook, "calls": [
            {"call_uuid": CALL, "destination_number": DIALLED, "caller_id_number": CALLER,
             "correlation_id": CORRELATION},
            {"call_uuid": CONNECTED, "state": "connected"}]}),
    );
    Sim::start_bare(&["--config", &file])
}

fn client(sim: &Sim) -> Client {
    Client::new(ClientConfig {
        base_url: sim.url.clone(),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// `POST /_sim/calls/<uuid>/enter-call-control`: the new callControlUuid.
fn enter(sim: &Sim, call_uuid: &str, body: &str) -> String {
    let (status, _, answer) = sim.api(&format!("/_sim/calls/{call_uuid}/enter-call-control"), body);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    answer["call_control_uuid"].as_str().unwrap().to_owned()
}

/// Waits (at most 10 s) until the call, as `/_sim/calls/<uuid>` shows it, satisfies `done`.
#[track_caller]
fn wait_for(sim: &Sim, call_uuid: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let call = sim.call(call_uuid);
        if done(&call) {
            return call;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}: {call:#}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn running(sim: &Sim, block_type: &str) -> Value {
    wait_for(sim, CALL, block_type, |call| {
        call["call_control"]["running_block"] == block_type
    })
}

fn left(sim: &Sim, call_uuid: &str) -> Value {
    wait_for(sim, call_uuid, "the call to leave Call Control", |call| {
        call["call_control"].is_null()
            && call["timeline"]
                .as_array()
                .is_some_and(|timeline| timeline.last().is_some_and(|e| e["event"] == "left"))
    })
}

/// The timeline with every time replaced by "ms" (null stays null), after checking that the
/// times never go backwards.
fn timeline(call: &Value) -> Value {
    let mut timeline = call["timeline"].clone();
    let mut last = 0;
    for event in timeline.as_array_mut().unwrap() {
        for key in ["at_ms", "started_ms", "ended_ms"] {
            if let Some(value) = event.get_mut(key) {
                if let Some(ms) = value.as_u64() {
                    assert!(ms >= last || key == "at_ms", "times go backwards: {call:#}");
                    last = last.max(ms);
                    *value = json!("ms");
                }
            }
        }
    }
    timeline
}

/// The request body the simulator sends, byte for byte.
fn request_body(
    call_control_uuid: &str,
    loop_count: u64,
    status: &str,
    result: &str,
    extra: &str,
) -> String {
    format!(
        r#"{{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"{HOOK_KEY}","variables":{{"call_uuid":"{CALL}","destination_number":"{DIALLED}","caller_id_number":"{CALLER}","correlation_id":"{CORRELATION}"{extra}}},"callControlUuid":"{call_control_uuid}","loopCount":{loop_count},"requestStatus":"{status}","blocksProcessingResult":{result}}}"#
    )
}

fn request_event(body: &str, loop_count: u64, status: &str) -> Value {
    json!({"event": "request", "at_ms": "ms", "loop_count": loop_count,
           "request_status": status, "body": body})
}

fn answer_event(body: &str) -> Value {
    json!({"event": "answer", "at_ms": "ms", "status": 200, "body": body, "error": null,
           "warnings": []})
}

fn block_event(
    loop_count: u64,
    block_type: &str,
    block: Value,
    ended: bool,
    how: Option<&str>,
) -> Value {
    json!({"event": "block", "loop_count": loop_count, "index": 0, "block_type": block_type,
           "block": block, "started_ms": "ms", "ended_ms": if ended { json!("ms") } else { Value::Null },
           "how": how})
}

#[test]
fn request_0_has_the_documented_shape_and_the_access_key() {
    let hook = Hook::scripted(&[ANNOUNCEMENT]);
    let sim = sim("request-0", &hook, json!({}));
    let call_control_uuid = enter(&sim, CALL, "");
    let request = hook.next();
    assert_eq!(
        request.body,
        request_body(&call_control_uuid, 0, "REQUESTING_BLOCKS", "null", "")
    );
    let head = request.head.to_ascii_lowercase();
    assert!(head.starts_with("post /tenios/hook http/1.1\r\n"), "{head}");
    assert!(
        head.contains("\r\ncontent-type: application/json\r\n"),
        "{head}"
    );
    assert!(
        head.contains(&format!(
            "\r\nhost: {}\r\n",
            &hook.url[7..].split('/').next().unwrap()
        )),
        "{head}"
    );
    assert_eq!(request.json()["accessKey"], HOOK_KEY);
    // A fresh v4 UUID for the block instance.
    assert_eq!(call_control_uuid.len(), 36);
    assert_eq!(&call_control_uuid[14..15], "4");

    let call = running(&sim, "ANNOUNCEMENT");
    assert_eq!(call["state"], "in_block");
    assert_eq!(call["interruptible"], true);
    assert_eq!(
        call["call_control"],
        json!({"call_control_uuid": call_control_uuid, "loop_count": 1,
               "variables": {"call_uuid": CALL, "destination_number": DIALLED,
                             "caller_id_number": CALLER, "correlation_id": CORRELATION},
               "running_block": "ANNOUNCEMENT", "queued_input": []})
    );
    // The announcement loop runs until interrupted: nothing more is asked.
    hook.assert_quiet(Duration::from_millis(300));
}

#[test]
fn an_interrupted_announcement_loop_asks_again_and_the_bridge_connects() {
    let hook = Hook::scripted(&[ANNOUNCEMENT, BRIDGE]);
    let sim = sim("interrupt-bridge", &hook, json!({}));
    let client = client(&sim);
    // Not in Call Control yet: the call's static block.
    let call_control_uuid = enter(&sim, CALL, "");
    let request_0 = hook.next();
    running(&sim, "ANNOUNCEMENT");

    client
        .interrupt_block(KEY, CALL)
        .expect("the announcement can be interrupted");
    let request_1 = hook.next();
    let body_1 = request_body(
        &call_control_uuid,
        1,
        "REQUESTING_BLOCKS",
        r#"{"validationErrors":[]}"#,
        "",
    );
    assert_eq!(request_1.body, body_1);

    let call = wait_for(&sim, CALL, "the bridge", |call| {
        call["state"] == "connected"
    });
    assert_eq!(call["destination"], "agent-7");
    assert_eq!(call["interrupts"], 1);
    assert_eq!(call["call_control"]["running_block"], "BRIDGE");
    assert_eq!(call["call_control"]["loop_count"], 2);
    // A bridged call cannot be interrupted, but it can be transferred like any connected one.
    let error = client.interrupt_block(KEY, CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_API, "{error:?}");
    client
        .transfer_call(KEY, CALL, DestinationType::ExternalNumber, "+4922155400999")
        .expect("a connected call can be transferred");
    let call = sim.call(CALL);
    assert_eq!(call["destination"], "+4922155400999");
    assert_eq!(
        call["transfers"],
        json!([{"destination_type": "EXTERNALNUMBER", "destination": "+4922155400999"}])
    );

    let mut bridge = block_event(
        1,
        "BRIDGE",
        serde_json::from_str::<Value>(BRIDGE).unwrap()["blocks"][0].clone(),
        false,
        None,
    );
    bridge["destination"] = json!("agent-7");
    assert_eq!(
        timeline(&call),
        json!([
            {"event": "entered", "at_ms": "ms", "call_control_uuid": call_control_uuid},
            request_event(&request_0.body, 0, "REQUESTING_BLOCKS"),
            answer_event(ANNOUNCEMENT),
            block_event(0, "ANNOUNCEMENT", serde_json::from_str::<Value>(ANNOUNCEMENT).unwrap()["blocks"][0].clone(), true, Some("interrupted")),
            {"event": "interrupt", "at_ms": "ms"},
            request_event(&body_1, 1, "REQUESTING_BLOCKS"),
            answer_event(BRIDGE),
            bridge,
        ])
    );
    // A refer ends the bridged call, and with it the block and the session.
    let (status, _, _) = sim.api(
        "/refer-call",
        &json!({"access_key": KEY, "call_uuid": CALL, "sip_uri": "sip:a@b"}).to_string(),
    );
    assert_eq!(status, 200);
    let call = left(&sim, CALL);
    assert_eq!(call["state"], "ended");
    let timeline = timeline(&call);
    assert_eq!(timeline[7]["how"], "call_ended");
    assert_eq!(
        timeline[8],
        json!({"event": "left", "at_ms": "ms", "reason": "call_ended", "state": "ended"})
    );
    hook.assert_quiet(Duration::from_millis(100));
}

#[test]
fn an_invalid_answer_is_reported_with_validation_errors_then_routing_goes_on() {
    let invalid = r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"EXTERNALNUMBER","destination":"0221 123"}]},{"blockType":"PLAY"}]}"#;
    let hook = Hook::start(move |request| match request["requestStatus"].as_str() {
        Some("VALIDATION_ERRORS") => (200, r#"{"blocks":[{"blockType":"HANGUP"}]}"#.to_owned()),
        _ => (200, invalid.to_owned()),
    });
    let sim = sim("invalid", &hook, json!({}));
    let call_control_uuid = enter(&sim, CALL, "");
    let request_0 = hook.next();
    let messages = [
        "blocks[0] (BRIDGE): destinations[0].destination '0221 123' is not an international number (+ and 2 to 15 digits, no spaces)",
        "blocks[1]: unknown blockType 'PLAY'",
    ];
    let body_1 = request_body(
        &call_control_uuid,
        1,
        "VALIDATION_ERRORS",
        &json!({"validationErrors": messages}).to_string(),
        "",
    );
    assert_eq!(hook.next().body, body_1);
    let call = left(&sim, CALL);
    // The reply to VALIDATION_ERRORS (a HANGUP here) is ignored: the call goes on routing.
    assert_eq!(call["state"], "routing");
    assert_eq!(call["interruptible"], false);
    assert_eq!(
        timeline(&call),
        json!([
            {"event": "entered", "at_ms": "ms", "call_control_uuid": call_control_uuid},
            request_event(&request_0.body, 0, "REQUESTING_BLOCKS"),
            {"event": "answer", "at_ms": "ms", "status": 200, "body": invalid, "error": null,
             "warnings": ["blocks[0] (BRIDGE): destination 1 has no timeout; tenios-ruby requires one per destination in SEQUENTIAL mode [client]"]},
            {"event": "validation_errors", "at_ms": "ms", "messages": messages},
            request_event(&body_1, 1, "VALIDATION_ERRORS"),
            answer_event(r#"{"blocks":[{"blockType":"HANGUP"}]}"#),
            {"event": "left", "at_ms": "ms", "reason": "validation_errors", "state": "routing"},
        ])
    );
    hook.assert_quiet(Duration::from_millis(100));
    // Routing is not a block: no interrupt; not connected: no transfer.
    let error = client(&sim).interrupt_block(KEY, CALL).unwrap_err();
    assert_eq!(error.status(), Status::TENIOS_ERR_API);
    // A call in routing can enter Call Control again; loopCount starts at 0 again.
    let again = enter(&sim, CALL, "");
    assert_ne!(again, call_control_uuid);
    let request = hook.next().json();
    assert_eq!(
        (
            request["loopCount"].clone(),
            request["callControlUuid"].clone()
        ),
        (json!(0), json!(again))
    );
}

#[test]
fn non_200_and_silent_webhooks_are_validation_errors_too() {
    let hook = Hook::start(|_| (500, "oops".to_owned()));
    let sim = sim("status-500", &hook, json!({}));
    enter(&sim, CALL, "");
    hook.next();
    let request = hook.next().json();
    assert_eq!(request["requestStatus"], "VALIDATION_ERRORS");
    assert_eq!(
        request["blocksProcessingResult"],
        json!({"validationErrors": ["HTTP status 500: the answer must be 200 with {\"blocks\": [...]}"]})
    );
    assert_eq!(left(&sim, CALL)["state"], "routing");

    // Nobody listens: both requests fail, and the call still goes back to routing.
    let port = closed_port();
    let file = config(
        "nobody",
        &json!({"webhook": {"url": format!("http://127.0.0.1:{port}/"), "timeout_ms": 500},
                "calls": [{"call_uuid": CALL}]}),
    );
    let sim = Sim::start_bare(&["--config", &file]);
    enter(&sim, CALL, "");
    let call = left(&sim, CALL);
    assert_eq!(call["state"], "routing");
    let timeline = timeline(&call);
    let events: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "entered",
            "request",
            "answer",
            "validation_errors",
            "request",
            "answer",
            "left"
        ]
    );
    assert_eq!(timeline[2]["status"], Value::Null);
    let error = timeline[2]["error"].as_str().unwrap();
    assert!(error.starts_with("cannot connect to 127.0.0.1:"), "{error}");
    assert_eq!(
        timeline[3]["messages"],
        json!([format!("the webhook did not answer: {error}")])
    );
}

#[test]
fn an_empty_answer_hands_the_call_back_to_routing() {
    let hook = Hook::scripted(&[EMPTY]);
    let sim = sim("empty", &hook, json!({}));
    let call_control_uuid = enter(&sim, CALL, "");
    let request_0 = hook.next();
    let call = left(&sim, CALL);
    assert_eq!(call["state"], "routing");
    assert_eq!(call["call_control"], Value::Null);
    assert_eq!(
        timeline(&call),
        json!([
            {"event": "entered", "at_ms": "ms", "call_control_uuid": call_control_uuid},
            request_event(&request_0.body, 0, "REQUESTING_BLOCKS"),
            answer_event(EMPTY),
            {"event": "left", "at_ms": "ms", "reason": "empty_answer", "state": "routing"},
        ])
    );
    hook.assert_quiet(Duration::from_millis(200));
}

#[test]
fn collected_digits_come_back_in_the_next_requests_variables() {
    let collect = r##"{"blocks":[{"blockType":"COLLECT_DIGITS","announcementName":"EnterPin","standardAnnouncement":false,"errorAnnouncementName":"Again","standardErrorAnnouncement":false,"variableName":"pin","minDigits":4,"maxDigits":4,"terminator":"#","maxTries":3,"timeout":10}]}"##;
    let hook = Hook::scripted(&[collect, collect]);
    let sim = sim("collect", &hook, json!({}));
    // Extra variables from the enter request come after the documented four.
    let call_control_uuid = enter(&sim, CALL, r#"{"variables": {"answered_time": "0"}}"#);
    assert_eq!(hook.next().json()["variables"]["answered_time"], "0");
    running(&sim, "COLLECT_DIGITS");
    let (status, _, body) = sim.api(
        &format!("/_sim/calls/{CALL}/input"),
        r#"{"digits": "4711"}"#,
    );
    assert_eq!((status, body.as_str()), (200, "{}"));
    let request_1 = hook.next();
    assert_eq!(
        request_1.body,
        request_body(
            &call_control_uuid,
            1,
            "REQUESTING_BLOCKS",
            r#"{"validationErrors":[]}"#,
            r#","answered_time":"0","collected_pin":"4711""#
        )
    );
    // The second collect is interrupted: no input, the old value stays, and loopCount 2.
    running(&sim, "COLLECT_DIGITS");
    client(&sim).interrupt_block(KEY, CALL).unwrap();
    let request_2 = hook.next().json();
    assert_eq!(request_2["loopCount"], 2);
    assert_eq!(request_2["variables"]["collected_pin"], "4711");
    let call = left(&sim, CALL);
    let blocks: Vec<(Value, Value)> = call["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "block")
        .map(|e| {
            (
                e["how"].clone(),
                e.get("input").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    assert_eq!(
        blocks,
        [
            (json!("completed"), json!("4711")),
            (json!("interrupted"), Value::Null)
        ]
    );
}

#[test]
fn input_sent_early_is_queued_and_speech_works_alike() {
    let speech = r#"{"blocks":[{"blockType":"COLLECT_SPEECH","announcementName":"Ask","standardAnnouncement":false,"missingInputAnnouncementName":"Missing","standardMissingInputAnnouncement":false,"language":"de-DE","variableName":"said","maxTries":2}]}"#;
    let hook = Hook::scripted(&[speech]);
    let sim = sim("speech", &hook, json!({}));
    let (status, _, _) = sim.api(
        &format!("/_sim/calls/{CALL}/input"),
        r#"{"speech": "ja bitte"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(sim.call(CALL)["call_control"], Value::Null);
    enter(&sim, CALL, "");
    hook.next();
    assert_eq!(
        hook.next().json()["variables"]["collected_said"],
        "ja bitte"
    );
    for bad in [
        "",
        "{}",
        r#"{"digits": 1}"#,
        r#"{"digits": "1", "speech": "x"}"#,
        r#"{"dtmf": "1"}"#,
    ] {
        let (status, _, _) = sim.api(&format!("/_sim/calls/{CALL}/input"), bad);
        assert_eq!(status, 400, "{bad}");
    }
}

#[test]
fn timed_blocks_run_in_order_and_hangup_ends_the_call() {
    let blocks = r#"{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":true,"announcementName":"Welcome"},{"blockType":"SAY","text":"Hallo","voiceName":"de.female.2"},{"blockType":"CALL_SETTINGS","forwardAni":"+4922199"}]}"#;
    let hook = Hook::scripted(&[
        blocks,
        r#"{"blocks":[{"blockType":"HANGUP","hangupCause":"NORMAL_UNSPECIFIED"}]}"#,
    ]);
    let sim = sim(
        "timed",
        &hook,
        json!({"announcement_ms": 100, "say_ms": 100}),
    );
    enter(&sim, CALL, "");
    hook.next();
    let request_1 = hook.next().json();
    assert_eq!(request_1["loopCount"], 1);
    let call = left(&sim, CALL);
    assert_eq!(call["state"], "ended");
    let timeline = timeline(&call);
    let runs: Vec<(&str, &str, u64)> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "block")
        .map(|e| {
            (
                e["block_type"].as_str().unwrap(),
                e["how"].as_str().unwrap(),
                e["loop_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            ("ANNOUNCEMENT", "completed", 0),
            ("SAY", "completed", 0),
            ("CALL_SETTINGS", "completed", 0),
            ("HANGUP", "completed", 1)
        ]
    );
    assert_eq!(
        timeline.as_array().unwrap().last().unwrap(),
        &json!({"event": "left", "at_ms": "ms", "reason": "hangup", "state": "ended"})
    );
    // Each timed block lasted its configured time.
    let raw = call["timeline"].as_array().unwrap();
    for event in raw
        .iter()
        .filter(|e| e["block_type"] == "ANNOUNCEMENT" || e["block_type"] == "SAY")
    {
        let took = event["ended_ms"].as_u64().unwrap() - event["started_ms"].as_u64().unwrap();
        assert!((100..2000).contains(&took), "{event}");
    }
}

#[test]
fn routingplan_leaves_and_refer_ends_the_call() {
    for (block, state, reason) in [
        (
            r#"{"blocks":[{"blockType":"ROUTINGPLAN","routingplanName":"Night"}]}"#,
            "routing",
            "routingplan",
        ),
        (
            r#"{"blocks":[{"blockType":"REFER","destination":"+4922"}]}"#,
            "ended",
            "refer",
        ),
    ] {
        let hook = Hook::scripted(&[block]);
        let sim = sim(reason, &hook, json!({}));
        enter(&sim, CALL, "");
        hook.next();
        let call = left(&sim, CALL);
        assert_eq!(call["state"], state);
        assert_eq!(
            call["timeline"].as_array().unwrap().last().unwrap()["reason"],
            reason
        );
        hook.assert_quiet(Duration::from_millis(100));
    }
}

#[test]
fn call_control_at_launch_and_after_a_reset() {
    let hook = Hook::scripted(&[ANNOUNCEMENT]);
    let sim = Sim::start_bare(&[
        "--access-key",
        KEY,
        "--webhook",
        &hook.url,
        "--webhook-key",
        HOOK_KEY,
        "--customer-number",
        "4711",
        "--call-control-call",
        CALL,
    ]);
    let first = hook.next().json();
    assert_eq!(first["customerNumber"], 4711);
    assert_eq!(first["accessKey"], HOOK_KEY);
    assert_eq!(first["variables"]["destination_number"], "+4922112345678");
    assert_eq!(first["variables"]["caller_id_number"], "+4917098765432");
    let correlation = first["variables"]["correlation_id"].clone();
    running(&sim, "ANNOUNCEMENT");
    client(&sim).interrupt_block(KEY, CALL).unwrap();
    assert_eq!(hook.next().json()["loopCount"], 1);
    left(&sim, CALL);
    // A reset restores the call and starts its Call Control again, with a new instance.
    sim.reset();
    let again = hook.next().json();
    assert_eq!(again["loopCount"], 0);
    assert_eq!(again["variables"]["correlation_id"], correlation);
    assert_ne!(again["callControlUuid"], first["callControlUuid"]);
    let call = running(&sim, "ANNOUNCEMENT");
    assert_eq!(call["interrupts"], 0);
    assert_eq!(call["timeline"].as_array().unwrap().len(), 4);
}

#[test]
fn enter_call_control_refusals() {
    let hook = Hook::scripted(&[ANNOUNCEMENT]);
    let sim = sim("refusals", &hook, json!({}));
    let enter_status = |call_uuid: &str, body: &str| {
        let (status, content_type, message) =
            sim.api(&format!("/_sim/calls/{call_uuid}/enter-call-control"), body);
        (status, content_type, message)
    };
    assert_eq!(
        enter_status("00000000-1111-2222-3333-444444444444", "").0,
        404
    );
    assert_eq!(
        enter_status(CONNECTED, ""),
        (409, "text/plain".to_owned(), "the call is connected to a destination: only a call in a block or in routing can enter Call Control".to_owned())
    );
    for bad in [
        "[]",
        r#"{"variables": {"a": 1}}"#,
        r#"{"vars": {}}"#,
        "nope",
    ] {
        assert_eq!(enter_status(CALL, bad).0, 400, "{bad}");
    }
    enter(&sim, CALL, "");
    assert_eq!(
        enter_status(CALL, ""),
        (
            409,
            "text/plain".to_owned(),
            "the call is already in a Call Control block".to_owned()
        )
    );
    let status = ureq::get(format!("{}/_sim/calls/{CALL}/enter-call-control", sim.url))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap()
        .status();
    assert_eq!(status, 405);
    // Every call shows its Call Control and timeline (null and [] when it never had one).
    let calls = sim.calls();
    let connected = calls
        .iter()
        .find(|call| call["call_uuid"] == CONNECTED)
        .unwrap();
    assert_eq!(connected["call_control"], Value::Null);
    assert_eq!(connected["timeline"], json!([]));
}

#[test]
fn without_a_webhook_nothing_changes() {
    let sim = Sim::start();
    let call = sim.call(CALL);
    assert!(
        call.get("timeline").is_none() && call.get("call_control").is_none(),
        "{call}"
    );
    for action in ["enter-call-control", "input"] {
        let (status, _, message) =
            sim.api(&format!("/_sim/calls/{CALL}/{action}"), r#"{"digits":"1"}"#);
        assert_eq!(
            (status, message.as_str()),
            (409, "no webhook: start tenios-sim with --webhook URL")
        );
    }
}

#[test]
fn bad_webhook_arguments_exit_with_status_2() {
    for args in [
        &["--webhook", "https://127.0.0.1:1/"][..],
        &["--webhook", "http://192.0.2.1:80/"],
        &["--webhook-key", "k"],
        &["--call-control-call", CALL],
        &[
            "--webhook",
            "http://127.0.0.1:1/",
            "--call-control-call",
            CALL,
            "--connected-call",
            CALL,
        ],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_tenios-sim"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}
