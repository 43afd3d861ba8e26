//! The Call Control webhook: the documented request and answers through the Rust API and the
//! C ABI, and property tests that feed the parser random and hostile bodies (never a panic,
//! always a documented outcome) and the builder random arguments (always valid JSON).

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use proptest::prelude::*;
use serde_json::{json, Value};
use tenios::webhook::blocks::{CollectDigits, CollectSpeech, EMPTY_ANSWER};
use tenios::webhook::{Blocks, BridgeMode, Destination, RequestStatus, WebhookRequest};
use tenios::{DestinationType, Status};

#[allow(non_camel_case_types)]
#[repr(C)]
struct tenios_webhook_request {
    _private: [u8; 0],
}
#[allow(non_camel_case_types)]
#[repr(C)]
struct tenios_blocks {
    _private: [u8; 0],
}
#[allow(non_camel_case_types)]
#[repr(C)]
struct tenios_error {
    _private: [u8; 0],
}

extern "C" {
    fn tenios_webhook_request_parse(
        body: *const u8,
        body_len: usize,
        out_request: *mut *mut tenios_webhook_request,
        out_err: *mut *mut tenios_error,
    ) -> u32;
    fn tenios_webhook_request_free(request: *mut tenios_webhook_request);
    fn tenios_webhook_request_loop_count(request: *const tenios_webhook_request) -> u32;
    fn tenios_webhook_request_variable(
        request: *const tenios_webhook_request,
        name: *const c_char,
    ) -> *const c_char;
    fn tenios_webhook_request_access_key_matches(
        request: *const tenios_webhook_request,
        expected_key: *const c_char,
    ) -> bool;
    fn tenios_blocks_new() -> *mut tenios_blocks;
    fn tenios_blocks_free(blocks: *mut tenios_blocks);
    fn tenios_blocks_bridge_begin(
        blocks: *mut tenios_blocks,
        mode: u32,
        block_timeout_s: i32,
        out_err: *mut *mut tenios_error,
    ) -> u32;
    fn tenios_blocks_bridge_add_destination(
        blocks: *mut tenios_blocks,
        destination_type: u32,
        destination: *const c_char,
        timeout_s: i32,
        out_err: *mut *mut tenios_error,
    ) -> u32;
    fn tenios_blocks_bridge_end(blocks: *mut tenios_blocks, out_err: *mut *mut tenios_error)
        -> u32;
    fn tenios_blocks_to_json(
        blocks: *const tenios_blocks,
        out_json: *mut *mut c_char,
        out_err: *mut *mut tenios_error,
    ) -> u32;
    fn tenios_error_message(error: *const tenios_error) -> *const c_char;
    fn tenios_error_free(error: *mut tenios_error);
    fn tenios_string_free(s: *mut c_char);
}

/// The documented minimal request 0, with the placeholders filled in.
const REQUEST_0: &str = r#"{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key",
 "variables":{"call_uuid":"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4","correlation_id":"0b8b1f1e-5c1a-4d7a-9f0e-1a2b3c4d5e6f","destination_number":"+4922155400","caller_id_number":"+491701234567"},
 "callControlUuid":"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718","loopCount":0,"requestStatus":"REQUESTING_BLOCKS","blocksProcessingResult":null}"#;

const VALIDATION_ERRORS: &str = r#"{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key",
 "variables":{"call_uuid":"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"},"callControlUuid":"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718",
 "loopCount":1,"requestStatus":"VALIDATION_ERRORS",
 "blocksProcessingResult":{"validationErrors":["Low level (JSON) error on line 1, column 25"]}}"#;

#[test]
fn documented_request_0() {
    let r = WebhookRequest::parse(REQUEST_0.as_bytes()).unwrap();
    assert_eq!(r.request_type(), "EXTERNAL_CALL_CONTROL");
    assert_eq!(r.customer_number(), 200002);
    assert_eq!(r.loop_count(), 0);
    assert_eq!(r.request_status(), &RequestStatus::RequestingBlocks);
    assert_eq!(
        r.variable("call_uuid"),
        Some("c0b93a5e-4ce0-4adb-940e-5079f2abbcb4")
    );
    assert_eq!(
        r.variables()
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        [
            "call_uuid",
            "correlation_id",
            "destination_number",
            "caller_id_number"
        ]
    );
    assert!(r.validation_errors().is_empty());
    assert!(r.access_key_matches(b"my-key"));
    assert!(!r.access_key_matches(b"my-kex"));
}

#[test]
fn documented_validation_errors() {
    let r = WebhookRequest::parse(VALIDATION_ERRORS.as_bytes()).unwrap();
    assert_eq!(r.request_status(), &RequestStatus::ValidationErrors);
    assert_eq!(
        r.validation_errors(),
        ["Low level (JSON) error on line 1, column 25"]
    );
    assert_eq!(r.loop_count(), 1);
}

#[test]
fn documented_answers_byte_for_byte() {
    let mut b = Blocks::new();
    b.add_bridge(
        BridgeMode::Sequential,
        None,
        &[
            Destination::new(DestinationType::SipUser, "1001", Some(25)).unwrap(),
            Destination::new(DestinationType::ExternalNumber, "+4978787878", Some(30)).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(
        b.to_json(),
        r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"SEQUENTIAL","destinations":[{"destinationType":"SIP_USER","destination":"1001","timeout":25},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878","timeout":30}]}]}"#
    );
    let mut b = Blocks::new();
    b.add_bridge(
        BridgeMode::Parallel,
        Some(50),
        &[
            Destination::new(DestinationType::SipUser, "1001", None).unwrap(),
            Destination::new(DestinationType::ExternalNumber, "+4978787878", None).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(
        b.to_json(),
        r#"{"blocks":[{"blockType":"BRIDGE","bridgeMode":"PARALLEL","blockTimeout":50,"destinations":[{"destinationType":"SIP_USER","destination":"1001"},{"destinationType":"EXTERNALNUMBER","destination":"+4978787878"}]}]}"#
    );
    let mut b = Blocks::new();
    b.add_announcement(false, "MySpecialAnnouncement").unwrap();
    assert_eq!(
        b.to_json(),
        r#"{"blocks":[{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,"announcementName":"MySpecialAnnouncement"}]}"#
    );
    assert_eq!(Blocks::new().to_json(), EMPTY_ANSWER);
}

// ----------------------------------------------------------------------- through the C ABI

fn c_message(err: *mut tenios_error) -> String {
    let text = unsafe { CStr::from_ptr(tenios_error_message(err)) }
        .to_string_lossy()
        .into_owned();
    unsafe { tenios_error_free(err) };
    text
}

/// Parses through the C ABI: Ok(loop count) or Err((status, message)).
fn c_parse(body: &[u8]) -> Result<u32, (u32, String)> {
    let mut req = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { tenios_webhook_request_parse(body.as_ptr(), body.len(), &mut req, &mut err) };
    if st == 0 {
        assert!(err.is_null() && !req.is_null());
        let n = unsafe { tenios_webhook_request_loop_count(req) };
        unsafe { tenios_webhook_request_free(req) };
        Ok(n)
    } else {
        assert!(req.is_null() && !err.is_null());
        Err((st, c_message(err)))
    }
}

#[test]
fn c_abi_request() {
    assert_eq!(c_parse(REQUEST_0.as_bytes()), Ok(0));
    let mut req = ptr::null_mut();
    let st = unsafe {
        tenios_webhook_request_parse(
            REQUEST_0.as_ptr(),
            REQUEST_0.len(),
            &mut req,
            ptr::null_mut(),
        )
    };
    assert_eq!(st, 0);
    let key = CString::new("my-key").unwrap();
    let wrong = CString::new("my-key ").unwrap();
    let name = CString::new("caller_id_number").unwrap();
    unsafe {
        assert!(tenios_webhook_request_access_key_matches(req, key.as_ptr()));
        assert!(!tenios_webhook_request_access_key_matches(
            req,
            wrong.as_ptr()
        ));
        assert!(!tenios_webhook_request_access_key_matches(req, ptr::null()));
        assert!(!tenios_webhook_request_access_key_matches(
            ptr::null(),
            key.as_ptr()
        ));
        let v = tenios_webhook_request_variable(req, name.as_ptr());
        assert_eq!(CStr::from_ptr(v).to_str().unwrap(), "+491701234567");
        assert!(tenios_webhook_request_variable(req, ptr::null()).is_null());
        tenios_webhook_request_free(req);
        tenios_webhook_request_free(ptr::null_mut());
    }
    // A length far beyond the limit is rejected before a slice is made of it.
    let mut err = ptr::null_mut();
    let st = unsafe { tenios_webhook_request_parse(b"{".as_ptr(), usize::MAX, &mut req, &mut err) };
    assert_eq!(st, Status::TENIOS_ERR_INVALID_ARGUMENT as u32);
    assert!(req.is_null());
    assert_eq!(
        c_message(err),
        format!(
            "webhook request body is {} bytes, more than the limit of 1048576 bytes (1 MiB)",
            usize::MAX
        )
    );
    let st = unsafe { tenios_webhook_request_parse(ptr::null(), 0, &mut req, &mut err) };
    assert_eq!(st, 1);
    assert_eq!(c_message(err), "body is NULL");
    let st = unsafe { tenios_webhook_request_parse(b"{}".as_ptr(), 2, ptr::null_mut(), &mut err) };
    assert_eq!(st, 1);
    assert_eq!(c_message(err), "out_request is NULL");
}

#[test]
fn c_abi_bridge_steps() {
    let b = unsafe { tenios_blocks_new() };
    let mut err = ptr::null_mut();
    let user = CString::new("1001").unwrap();
    let bad = CString::new("+49 221").unwrap();
    unsafe {
        assert_eq!(tenios_blocks_bridge_end(b, &mut err), 1);
        assert_eq!(
            c_message(err),
            "no BRIDGE is open: call tenios_blocks_bridge_begin first (a failed BRIDGE step \
             discards the whole BRIDGE)"
        );
        assert_eq!(tenios_blocks_bridge_begin(b, 3, -1, &mut err), 1);
        assert_eq!(
            c_message(err),
            "BRIDGE: mode 3 is not TENIOS_BRIDGE_SEQUENTIAL (1) or TENIOS_BRIDGE_PARALLEL (2): \
             bridgeMode is SEQUENTIAL or PARALLEL"
        );
        assert_eq!(tenios_blocks_bridge_begin(b, 1, -1, &mut err), 0);
        assert!(err.is_null());
        assert_eq!(
            tenios_blocks_bridge_add_destination(b, 2, user.as_ptr(), 25, &mut err),
            0
        );
        // A bad destination discards the whole bridge.
        assert_eq!(
            tenios_blocks_bridge_add_destination(b, 1, bad.as_ptr(), 25, &mut err),
            1
        );
        assert!(c_message(err).starts_with("BRIDGE: EXTERNALNUMBER destination \"+49 221\""));
        assert_eq!(tenios_blocks_bridge_end(b, &mut err), 1);
        tenios_error_free(err);
        let mut out: *mut c_char = ptr::null_mut();
        assert_eq!(tenios_blocks_to_json(b, &mut out, &mut err), 0);
        assert_eq!(CStr::from_ptr(out).to_str().unwrap(), r#"{"blocks":[]}"#);
        tenios_string_free(out);
        tenios_blocks_free(b);
        tenios_blocks_free(ptr::null_mut());
    }
}

// ----------------------------------------------------------------------- property tests

/// Outcomes the parser documents: Ok, or INVALID_ARGUMENT with a "webhook request" message.
fn documented(result: &Result<WebhookRequest, tenios::Error>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => {
            e.status() == Status::TENIOS_ERR_INVALID_ARGUMENT
                && e.to_string().starts_with("webhook request")
        }
    }
}

/// Any JSON value, nested up to `depth`.
fn any_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Request-shaped bodies: each documented field present, missing, or of a random type.
fn request_like() -> impl Strategy<Value = (Vec<u8>, String)> {
    let field = |good: Value| {
        prop_oneof![
            3 => Just(Some(good)),
            1 => Just(None),
            1 => any_json(2).prop_map(Some),
        ]
    };
    (
        "[A-Za-z0-9+/=_-]{4,40}",
        field(json!("EXTERNAL_CALL_CONTROL")),
        field(json!(200002)),
        prop::collection::btree_map("[a-z_]{1,10}", any_json(1), 0..8),
        field(json!(0)),
        field(json!("REQUESTING_BLOCKS")),
        field(json!({"validationErrors": ["x"]})),
        any::<bool>(),
    )
        .prop_map(|(key, rt, cn, vars, lc, rs, bpr, key_is_string)| {
            let mut o = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    o.insert(k.into(), v);
                }
            };
            put("requestType", rt);
            put("customerNumber", cn);
            put(
                "accessKey",
                Some(if key_is_string { json!(key) } else { json!(7) }),
            );
            put("variables", Some(Value::Object(vars.into_iter().collect())));
            put("loopCount", lc);
            put("requestStatus", rs);
            put("blocksProcessingResult", bpr);
            (serde_json::to_vec(&Value::Object(o)).unwrap(), key)
        })
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random bytes: never a panic, always Ok or INVALID_ARGUMENT; the C face agrees.
    #[test]
    fn random_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let result = WebhookRequest::parse(&body);
        prop_assert!(documented(&result));
        match c_parse(&body) {
            Ok(n) => prop_assert_eq!(n, result.unwrap().loop_count()),
            Err((status, message)) => {
                prop_assert_eq!(status, 1);
                prop_assert_eq!(message, result.unwrap_err().to_string());
            }
        }
    }

    /// Any JSON value at all.
    #[test]
    fn random_json(value in any_json(5)) {
        let body = serde_json::to_vec(&value).unwrap();
        prop_assert!(documented(&WebhookRequest::parse(&body)));
    }

    /// Request-shaped bodies with random fields: a documented outcome, the key never in a
    /// message, and a parsed request holding what was sent.
    #[test]
    fn request_shaped((body, key) in request_like()) {
        let result = WebhookRequest::parse(&body);
        prop_assert!(documented(&result));
        match result {
            Err(e) => prop_assert!(!e.to_string().contains(&key), "{}", e),
            Ok(r) => {
                let sent: Value = serde_json::from_slice(&body).unwrap();
                prop_assert!(r.access_key_matches(key.as_bytes()));
                prop_assert_eq!(Some(r.customer_number()), sent["customerNumber"].as_u64());
                prop_assert_eq!(Some(u64::from(r.loop_count())), sent["loopCount"].as_u64());
                let debug = format!("{:?}", r);
                prop_assert!(!debug.contains(&key));
                for (name, value) in r.variables() {
                    let original = &sent["variables"][name.as_str()];
                    let expected = match original {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    prop_assert_eq!(value, &expected);
                }
            }
        }
    }

    /// The documented request with bytes cut, flipped or inserted.
    #[test]
    fn mutated_request(cut in 0..REQUEST_0.len(), at in 0..REQUEST_0.len(), byte in any::<u8>()) {
        let mut body = REQUEST_0.as_bytes().to_vec();
        body[at] = byte;
        prop_assert!(documented(&WebhookRequest::parse(&body)));
        prop_assert!(documented(&WebhookRequest::parse(&body[..cut])));
        let mut inserted = REQUEST_0.as_bytes().to_vec();
        inserted.insert(at, byte);
        prop_assert!(documented(&WebhookRequest::parse(&inserted)));
    }

    /// Nesting of any depth and shape, far past serde_json's own recursion limit.
    #[test]
    fn deep_nesting(depth in 0usize..5000, open in prop::sample::select(vec!["[", "{\"a\":"])) {
        let body = format!("{}{}", open.repeat(depth), "1");
        let result = WebhookRequest::parse(body.as_bytes());
        prop_assert!(documented(&result));
        if depth > 32 {
            prop_assert_eq!(
                result.unwrap_err().to_string(),
                "webhook request body nests arrays and objects more than 32 levels deep"
            );
        }
    }

    /// Random arguments to the builder: never a panic; the answer is always valid JSON with
    /// exactly the blocks added.
    #[test]
    fn builder_output_is_always_json(
        texts in prop::collection::vec(".{0,20}", 6),
        numbers in prop::collection::vec(any::<u32>(), 5),
        flag in any::<bool>(),
    ) {
        let mut b = Blocks::new();
        let _ = b.add_announcement(flag, &texts[0]);
        let _ = b.add_say(&texts[1], &texts[2], flag);
        let _ = b.add_routing_plan(&texts[3]);
        let _ = b.add_hangup(&texts[4]);
        let _ = b.add_call_settings(&texts[5]);
        let _ = b.add_refer(Some(&texts[0]));
        let _ = b.add_collect_digits(&CollectDigits {
            announcement_name: &texts[0], standard_announcement: flag,
            error_announcement_name: &texts[1], standard_error_announcement: !flag,
            variable_name: &texts[2], min_digits: numbers[0], max_digits: numbers[1],
            terminator: &texts[3], max_tries: numbers[2], timeout: numbers[3],
        });
        let _ = b.add_collect_speech(&CollectSpeech {
            announcement_name: &texts[0], standard_announcement: flag,
            missing_input_announcement_name: &texts[1], standard_missing_input_announcement: flag,
            language: &texts[4], variable_name: &texts[5], max_tries: numbers[4],
        });
        if let Ok(d) = Destination::new(DestinationType::ExternalNumber, &texts[0], Some(numbers[0])) {
            let _ = b.add_bridge(BridgeMode::Parallel, Some(numbers[1]), &[d]);
        }
        let parsed: Value = serde_json::from_str(&b.to_json()).unwrap();
        prop_assert_eq!(parsed["blocks"].as_array().unwrap().len(), b.len());
        // Strings come back exactly as given.
        if b.add_routing_plan(&texts[3]).is_ok() {
            let parsed: Value = serde_json::from_str(&b.to_json()).unwrap();
            let last = parsed["blocks"].as_array().unwrap().last().unwrap().clone();
            prop_assert_eq!(last["routingplanName"].as_str(), Some(texts[3].as_str()));
        }
    }
}

/// The hostile bodies the C tests use too, in one place: 10 MiB, depth 100000, NUL bytes,
/// invalid UTF-8, lone surrogates.
#[test]
fn hostile_bodies() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            vec![b'{'; 10 << 20],
            "webhook request body is 10485760 bytes, more than the limit of 1048576 bytes (1 MiB)",
        ),
        (
            "[".repeat(100_000).into_bytes(),
            "webhook request body nests arrays and objects more than 32 levels deep",
        ),
        (
            b"{\"requestType\":\"a\0b\"}".to_vec(),
            "webhook request body is not JSON: control character (\\u0000-\\u001F) found while \
             parsing a string at line 1 column 18",
        ),
        (
            b"\0".to_vec(),
            "webhook request body is not JSON: expected value at line 1 column 1",
        ),
        (
            b"{\"x\":\"\xc3\x28\"}".to_vec(),
            "webhook request body is not valid UTF-8 (at byte 6)",
        ),
        (
            br#"{"requestType":"\ud800"}"#.to_vec(),
            "webhook request body is not JSON: unexpected end of hex escape at line 1 column 23",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(WebhookRequest::parse(&body).unwrap_err().to_string(), want);
        assert_eq!(c_parse(&body), Err((1, want.to_owned())));
    }
}
