//! Property tests (beside the cargo-fuzz targets in fuzz/): whatever a server sends
//! maps to a documented status without panicking, and whatever bytes a C caller passes are
//! rejected before anything is sent.

mod common;

use std::ffi::{c_char, CStr};
use std::ptr;
use std::sync::OnceLock;

use common::c_api::{
    tenios_client, tenios_client_build, tenios_client_builder_free, tenios_client_builder_new,
    tenios_client_builder_set_base_url, tenios_client_free, tenios_client_interrupt_block,
    tenios_error, tenios_error_free, tenios_error_message,
};
use common::{CountingServer, CALL, KEY};
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

/// The loopback server the arguments test points its clients at (by base URL, never through
/// `TENIOS_API_URL`, which the library reads only when it is loaded). Before any case runs, a
/// valid call through a client built the same way must reach it: the proof that "nothing was
/// sent" is measured where a request would go.
fn counting_server() -> &'static CountingServer {
    static SERVER: OnceLock<CountingServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = CountingServer::start();
        let (client, outcome) = build_client(&server, KEY.as_bytes());
        let client = client.unwrap_or_else(|| panic!("a valid key was refused: {outcome:?}"));
        let (status, message) = interrupt(&client, Some(CALL.as_bytes()));
        assert_eq!(status, Status::TENIOS_ERR_NETWORK, "{message}");
        assert_eq!(
            server.connections(),
            1,
            "the valid call did not reach the counting server"
        );
        server
    })
}

/// A client handle, freed on drop.
struct Client(*mut tenios_client);

impl Drop for Client {
    fn drop(&mut self) {
        tenios_client_free(self.0);
    }
}

fn nul_terminated(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.push(0);
    v
}

fn ptr_of(v: &Option<Vec<u8>>) -> *const c_char {
    v.as_ref()
        .map_or(ptr::null(), |v| v.as_ptr().cast::<c_char>())
}

/// Takes an error object's status and message, and frees it.
fn outcome(status: Status, err: *mut tenios_error) -> (Status, String) {
    assert!(!err.is_null(), "every error carries an error object");
    let text = unsafe { CStr::from_ptr(tenios_error_message(err)) }
        .to_str()
        .unwrap()
        .to_owned();
    tenios_error_free(err);
    (status, text)
}

/// A client for `key` with `server`'s URL as its base URL, or the build's error.
fn build_client(server: &CountingServer, key: &[u8]) -> (Option<Client>, (Status, String)) {
    build_client_with(server, Some(nul_terminated(key)))
}

fn build_client_with(
    server: &CountingServer,
    key: Option<Vec<u8>>,
) -> (Option<Client>, (Status, String)) {
    let builder = tenios_client_builder_new();
    let url = nul_terminated(server.url.as_bytes());
    assert_eq!(
        tenios_client_builder_set_base_url(builder, url.as_ptr().cast(), ptr::null_mut()),
        Status::TENIOS_OK
    );
    let mut client: *mut tenios_client = ptr::null_mut();
    let mut err: *mut tenios_error = ptr::null_mut();
    let status = tenios_client_build(builder, ptr_of(&key), &mut client, &mut err);
    tenios_client_builder_free(builder);
    if status == Status::TENIOS_OK {
        (Some(Client(client)), (status, String::new()))
    } else {
        assert!(client.is_null());
        (None, outcome(status, err))
    }
}

fn interrupt(client: &Client, uuid: Option<&[u8]>) -> (Status, String) {
    let uuid = uuid.map(nul_terminated);
    let mut err: *mut tenios_error = ptr::null_mut();
    let status = tenios_client_interrupt_block(client.0, ptr_of(&uuid), &mut err);
    outcome(status, err)
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

/// Builds a client for `key` against the counting server and, when that works, interrupts
/// `uuid` with it: the first refusal's status and message.
fn call(key: Option<&[u8]>, uuid: Option<&[u8]>) -> (Status, String) {
    let (client, refused) = build_client_with(counting_server(), key.map(nul_terminated));
    match client {
        Some(client) => interrupt(&client, uuid),
        None => refused,
    }
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
        let server = counting_server();
        let before = server.connections();
        let bad = if null_instead { None } else { Some(bad.as_slice()) };
        let (status, message) = if bad_is_key {
            call(bad, Some(&other))
        } else {
            call(Some(&other), bad)
        };
        prop_assert_eq!(status, Status::TENIOS_ERR_INVALID_ARGUMENT);
        prop_assert!(message.starts_with("access_key ") || message.starts_with("call_uuid "), "{}", message);
        prop_assert_eq!(server.connections(), before, "nothing was sent");
    }
}
