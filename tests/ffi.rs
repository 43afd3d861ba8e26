//! The C ABI, called from Rust exactly as C calls it, on the shared default client that
//! reads TENIOS_API_URL once per process.

mod common;

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;

use common::c_api::{
    tenios_global_init, tenios_interrupt_block, tenios_status_str, tenios_string_free,
    tenios_version,
};
use common::*;
use serde_json::json;
use tenios::Status;

/// One simulator for this process; tests take the lock so that request counts are their own.
fn sim() -> MutexGuard<'static, Sim> {
    static SIM: OnceLock<Mutex<Sim>> = OnceLock::new();
    let guard = SIM
        .get_or_init(|| {
            let sim = Sim::start();
            // The library read the environment when it was loaded; tenios_global_init reads it
            // again (no other thread touches the environment at this point).
            std::env::set_var("TENIOS_API_URL", &sim.url);
            assert_eq!(tenios_global_init(ptr::null_mut()), Status::TENIOS_OK);
            Mutex::new(sim)
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    guard
}

fn reset(sim: &Sim) {
    let status = ureq::post(format!("{}/_sim/reset", sim.url))
        .send("")
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 200);
}

/// Calls tenios_interrupt_block with raw pointers and returns the status and message.
fn call_raw(key: *const c_char, uuid: *const c_char) -> (Status, Option<String>) {
    // Garbage in *out_err first: the library must overwrite it on every path.
    let mut message: *mut c_char = ptr::dangling_mut::<c_char>();
    let status = tenios_interrupt_block(key, uuid, &mut message);
    let text = (!message.is_null()).then(|| {
        let text = unsafe { CStr::from_ptr(message) }
            .to_str()
            .unwrap()
            .to_owned();
        tenios_string_free(message);
        text
    });
    (status, text)
}

fn call(key: &[u8], uuid: &[u8]) -> (Status, Option<String>) {
    let key = CString::new(key).unwrap();
    let uuid = CString::new(uuid).unwrap();
    call_raw(key.as_ptr(), uuid.as_ptr())
}

#[test]
fn success_and_api_errors_through_the_c_abi() {
    let sim = sim();
    reset(&sim);
    assert_eq!(
        call(KEY.as_bytes(), CALL.as_bytes()),
        (Status::TENIOS_OK, None)
    );
    assert_eq!(
        call(KEY.as_bytes(), UNKNOWN_CALL.as_bytes()),
        (
            Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
            Some(common::call_not_found(UNKNOWN_CALL))
        )
    );
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
    // out_err may be NULL, on success and on error.
    let key = CString::new(KEY).unwrap();
    let stuck = CString::new(STUCK_CALL).unwrap();
    assert_eq!(
        tenios_interrupt_block(key.as_ptr(), stuck.as_ptr(), ptr::null_mut()),
        Status::TENIOS_ERR_API
    );
    let call_c = CString::new(CALL).unwrap();
    assert_eq!(
        tenios_interrupt_block(key.as_ptr(), call_c.as_ptr(), ptr::null_mut()),
        Status::TENIOS_OK
    );
}

#[test]
fn every_wrong_argument_is_rejected_before_sending() {
    let sim = sim();
    reset(&sim);
    let long = vec![b'a'; 1025];
    let huge = vec![b'b'; 10 * 1024 * 1024];
    let bad: [(&[u8], &str); 9] = [
        (b"", "is empty"),
        (&long, "is longer than 1024 bytes"),
        (&huge, "is longer than 1024 bytes"),
        (b"\xff\xfe", "is not valid UTF-8"),
        (b"\xc0\xaf", "is not valid UTF-8"),
        (b"\xed\xa0\x80", "is not valid UTF-8"),
        (b"abc\xe2\x82", "is not valid UTF-8"),
        (b"a\nb", "contains a control character"),
        (b"\x1b[31m", "contains a control character"),
    ];
    for (value, why) in bad {
        assert_eq!(
            call(value, CALL.as_bytes()),
            (
                Status::TENIOS_ERR_INVALID_ARGUMENT,
                Some(format!("access_key {why}"))
            )
        );
        assert_eq!(
            call(KEY.as_bytes(), value),
            (
                Status::TENIOS_ERR_INVALID_ARGUMENT,
                Some(format!("call_uuid {why}"))
            )
        );
    }
    let key = CString::new(KEY).unwrap();
    assert_eq!(
        call_raw(ptr::null(), key.as_ptr()),
        (
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            Some("access_key is NULL".into())
        )
    );
    assert_eq!(
        call_raw(key.as_ptr(), ptr::null()),
        (
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            Some("call_uuid is NULL".into())
        )
    );
    assert_eq!(
        call_raw(ptr::null(), ptr::null()),
        (
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            Some("access_key is NULL".into())
        )
    );
    assert_eq!(
        tenios_interrupt_block(ptr::null(), ptr::null(), ptr::null_mut()),
        Status::TENIOS_ERR_INVALID_ARGUMENT
    );
    assert_eq!(sim.request_count(), 0, "nothing was sent");

    // 1024 bytes is allowed: it reaches the server, which rejects the unknown key.
    let max = vec![b'k'; 1024];
    assert_eq!(
        call(&max, CALL.as_bytes()).0,
        Status::TENIOS_ERR_BAD_CREDENTIALS
    );
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn error_messages_never_hold_the_key() {
    let sim = sim();
    reset(&sim);
    sim.fault(json!({"status": 400, "body": json!({"error_code": "BAD_CREDENTIALS", "error_message": format!("unknown key {KEY}")}).to_string()}));
    assert_eq!(
        call(KEY.as_bytes(), CALL.as_bytes()),
        (
            Status::TENIOS_ERR_BAD_CREDENTIALS,
            Some(format!(
                "BAD_CREDENTIALS: unknown key [REDACTED]; {KEY_HINT}"
            ))
        )
    );
}

#[test]
fn sequential_calls_share_one_connection_and_threads_share_the_pool() {
    let sim = sim();
    reset(&sim);
    for _ in 0..10 {
        assert_eq!(call(KEY.as_bytes(), CALL.as_bytes()).0, Status::TENIOS_OK);
    }
    assert_eq!(sim.connection_count(), 1);
    thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                for _ in 0..25 {
                    assert_eq!(
                        call(KEY.as_bytes(), CALL.as_bytes()),
                        (Status::TENIOS_OK, None)
                    );
                }
            });
        }
    });
    assert_eq!(sim.interrupts().len(), 10 + 16 * 25);
}

/// The statuses the committed header declares, as (name, number), in its order.
fn header_statuses() -> Vec<(String, u32)> {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/tenios.h")).unwrap();
    // The constants between `enum tenios_status` and the end of that enum.
    let start = header
        .find("enum tenios_status\n")
        .expect("the status enum");
    let body = &header[start..];
    let body = &body[..body.find("};").expect("its end")];
    body.lines()
        .filter_map(|line| {
            let (name, value) = line.trim().strip_suffix(',')?.split_once(" = ")?;
            name.starts_with("TENIOS_")
                .then(|| (name.to_owned(), value.parse().unwrap()))
        })
        .collect()
}

#[test]
fn status_names_match_the_header_and_version() {
    let name = |code: u32| {
        unsafe { CStr::from_ptr(tenios_status_str(code)) }
            .to_str()
            .unwrap()
    };
    // The header is the reference: every constant it declares is named by the library with
    // its own name, the numbers run 0, 1, 2, ... without a gap, and the Rust enum has exactly
    // those statuses.
    let declared = header_statuses();
    assert_eq!(declared.len(), Status::ALL.len(), "{declared:?}");
    for (i, (constant, number)) in declared.iter().enumerate() {
        assert_eq!(*number, i as u32, "{constant}");
        assert_eq!(name(*number), constant);
        assert_eq!(Status::from_code(*number).unwrap().name(), constant);
    }
    assert_eq!(declared[9].0, "TENIOS_ERR_TIMEOUT");
    assert_eq!(declared[13].0, "TENIOS_ERR_SHUTDOWN");
    for unknown in [declared.len() as u32, 1000, u32::MAX] {
        assert_eq!(name(unknown), "TENIOS_UNKNOWN");
    }
    let version = unsafe { CStr::from_ptr(tenios_version()) }
        .to_str()
        .unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    tenios_string_free(ptr::null_mut());
}

#[test]
fn header_version_macros_match_the_crate() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/tenios.h")).unwrap();
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
    for line in [
        format!("#define TENIOS_VERSION_MAJOR {major}"),
        format!("#define TENIOS_VERSION_MINOR {minor}"),
        format!("#define TENIOS_VERSION_PATCH {patch}"),
        format!(
            "#define TENIOS_VERSION_STRING \"{}\"",
            env!("CARGO_PKG_VERSION")
        ),
        format!("#define TENIOS_VERSION_NUM 0x{major:02x}{minor:02x}{patch:02x}"),
    ] {
        assert!(header.lines().any(|l| l == line), "missing: {line}");
    }
}
