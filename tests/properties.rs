//! Property tests (beside the cargo-fuzz targets in fuzz/): whatever a server sends
//! maps to a documented status without panicking, and whatever bytes a C caller passes are
//! rejected before anything is sent.

mod common;

use std::ffi::{c_char, CStr};
use std::net::TcpListener;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;

use common::c_api::{tenios_interrupt_block, tenios_string_free};
use proptest::prelude::*;
use tenios::response::classify;
use tenios::Status;

/// `cases` random cases, after the saved inputs that once found bugs
/// (tests/properties.proptest-regressions, replayed first on every run).
/// `PROPTEST_CASES` overrides the count: `make test-fuzz` runs far more cases for about a
/// minute.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/properties.proptest-regressions"
            )),
        )),
        ..ProptestConfig::default()
    }
}

/// Statuses a response can map to: everything but the ones only I/O or arguments produce.
const RESPONSE_STATUSES: [Status; 10] = [
    Status::TENIOS_OK,
    Status::TENIOS_ERR_INVALID_VALUE,
    Status::TENIOS_ERR_INVALID_FIELD,
    Status::TENIOS_ERR_INVALID_JSON,
    Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
    Status::TENIOS_ERR_BAD_CREDENTIALS,
    Status::TENIOS_ERR_API,
    Status::TENIOS_ERR_HTTP,
    Status::TENIOS_ERR_PROTOCOL,
    Status::TENIOS_ERR_INTERNAL, // never expected; listed so the assertion below names it
];

/// Bodies shaped like the API's, with arbitrary values in its fields.
fn api_like_body() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        ".{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        prop::collection::vec(".{0,8}", 0..3).prop_map(|v| serde_json::to_string(&v).unwrap()),
    ];
    let key = prop_oneof![
        Just("success"),
        Just("error_code"),
        Just("error_message"),
        Just("fields"),
        Just("other")
    ];
    prop::collection::vec((key, value), 0..5).prop_map(|pairs| {
        let members: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", members.join(",")).into_bytes()
    })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn any_response_maps_to_a_documented_status(
        status in prop_oneof![Just(200u16), Just(400u16), 100u16..600, any::<u16>()],
        body in prop_oneof![api_like_body(), prop::collection::vec(any::<u8>(), 0..200)],
    ) {
        let outcome = classify(status, &body);
        let mapped = outcome.as_ref().err().map_or(Status::TENIOS_OK, |e| e.status());
        prop_assert!(RESPONSE_STATUSES.contains(&mapped));
        prop_assert_ne!(mapped, Status::TENIOS_ERR_INTERNAL);
        if mapped == Status::TENIOS_OK {
            prop_assert_eq!(status, 200);
        }
        if let Err(error) = outcome {
            prop_assert!(!error.to_string().is_empty());
            prop_assert_eq!(error.http_status(), status);
        }
    }
}

/// A loopback listener standing in for the API: it counts connections, so a test can prove
/// that nothing was sent. The default client is pointed at it once per process.
fn connections_seen() -> &'static AtomicUsize {
    static SEEN: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    SEEN.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        std::env::set_var(
            "TENIOS_API_URL",
            format!("http://{}", listener.local_addr().unwrap()),
        );
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        thread::spawn(move || {
            for _ in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        seen
    })
}

/// Bytes that are not a valid argument: empty, too long, not UTF-8, or with a control char.
fn invalid_argument() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(1u8..=255, 1025..3000),
        // arbitrary non-NUL bytes that are not UTF-8
        prop::collection::vec(1u8..=255, 1..64)
            .prop_filter("not UTF-8", |b| std::str::from_utf8(b).is_err()),
        // valid text with a control character somewhere
        (
            "[^\\x00]{0,30}",
            prop::sample::select(vec![
                '\u{1}', '\n', '\r', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'
            ]),
            "[^\\x00]{0,30}"
        )
            .prop_map(|(a, c, b)| format!("{a}{c}{b}").into_bytes()),
    ]
}

/// Any argument bytes (valid or not), without NUL.
fn any_argument() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-zA-Z0-9-]{1,40}".prop_map(String::into_bytes),
        prop::collection::vec(1u8..=255, 0..1100),
    ]
}

fn call(key: Option<&[u8]>, uuid: Option<&[u8]>) -> (Status, String) {
    let owned = |b: &[u8]| {
        let mut v = b.to_vec();
        v.push(0);
        v
    };
    let key = key.map(owned);
    let uuid = uuid.map(owned);
    let ptr_of = |v: &Option<Vec<u8>>| {
        v.as_ref()
            .map_or(ptr::null(), |v| v.as_ptr().cast::<c_char>())
    };
    let mut message: *mut c_char = ptr::null_mut();
    let status = tenios_interrupt_block(ptr_of(&key), ptr_of(&uuid), &mut message);
    assert!(!message.is_null(), "every error carries a message");
    let text = unsafe { CStr::from_ptr(message) }
        .to_str()
        .unwrap()
        .to_owned();
    tenios_string_free(message);
    (status, text)
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn wrong_arguments_are_rejected_before_sending(
        bad in invalid_argument(),
        other in any_argument(),
        bad_is_key in any::<bool>(),
        null_instead in any::<bool>(),
    ) {
        let seen = connections_seen();
        let before = seen.load(Ordering::SeqCst);
        let bad = if null_instead { None } else { Some(bad.as_slice()) };
        let (status, message) = if bad_is_key {
            call(bad, Some(&other))
        } else {
            call(Some(&other), bad)
        };
        prop_assert_eq!(status, Status::TENIOS_ERR_INVALID_ARGUMENT);
        prop_assert!(message.starts_with("access_key ") || message.starts_with("call_uuid "), "{}", message);
        prop_assert_eq!(seen.load(Ordering::SeqCst), before, "nothing was sent");
    }
}
