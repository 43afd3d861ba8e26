//! The C ABI: every `extern "C"` function and every `unsafe` block of libtenios lives here.
//! `include/tenios.h` is generated from this file by cbindgen.
//!
//! Each export catches panics (unwinding into C is undefined), treats NULL as an error, and
//! reads C strings with a bounded scan so that a missing terminator past the length limit
//! is never chased.
#![allow(clippy::not_unsafe_ptr_arg_deref)] // C callers pass raw pointers; each is checked.
#![allow(non_camel_case_types)] // opaque handle types carry their C names

mod client;
mod error;

pub use client::*;
pub use error::*;

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::LazyLock;

use crate::client::{check_arg, Client, ClientConfig, MAX_ARG_BYTES};
use crate::error::Error;
use crate::status::{tenios_status, UNKNOWN_STATUS_NAME};

/// The process-wide client behind `tenios_interrupt_block`, built on first use.
static DEFAULT_CLIENT: LazyLock<Result<Client, Error>> =
    LazyLock::new(|| ClientConfig::from_env().and_then(Client::new));

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// Interrupts the block that is currently running on a live call (an announcement loop, say),
/// through `POST /interrupt-ecc-block`. TENIOS then asks your Call Control webhook for the next
/// blocks.
///
/// `access_key` and `call_uuid` must be NUL-terminated UTF-8 of 1 to 1024 bytes without control
/// characters; anything else returns `TENIOS_ERR_INVALID_ARGUMENT` before anything is sent.
///
/// The request goes to `https://api.tenios.com`, or to the environment variable
/// `TENIOS_API_URL` (read once, on the first call of the process; `http://` is accepted only
/// for loopback hosts). `TENIOS_CA_FILE`, read at the same time, names a PEM file of CA
/// certificates to trust besides the bundled Mozilla roots; an unusable one makes every call
/// return `TENIOS_ERR_INVALID_ARGUMENT`. It waits at most 5 s to connect and 10 s in all, never follows a
/// redirect and is never sent twice.
///
/// `out_err` may be NULL. Otherwise `*out_err` is set to NULL on `TENIOS_OK` and, on every
/// error, to a newly allocated NUL-terminated UTF-8 message that the caller must free with
/// `tenios_string_free`. The message never contains the access key.
///
/// Thread-safe: all calls share one connection pool, and any number of threads may call at once.
#[no_mangle]
pub extern "C" fn tenios_interrupt_block(
    access_key: *const c_char,
    call_uuid: *const c_char,
    out_err: *mut *mut c_char,
) -> tenios_status {
    let result = guard("tenios_interrupt_block", || {
        // SAFETY: the caller passes NULL or NUL-terminated strings that outlive this call.
        let access_key = unsafe { c_arg("access_key", access_key) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let client = DEFAULT_CLIENT.as_ref().map_err(Error::clone)?;
        client.interrupt_block(access_key, call_uuid)
    });
    report(result, out_err)
}

/// Frees a string that libtenios returned (such as an error message). NULL is ignored.
/// Never pass a string that did not come from libtenios, and never free one twice.
#[no_mangle]
pub extern "C" fn tenios_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: libtenios allocated `s` with CString::into_raw and the caller gives it back once.
        drop(unsafe { CString::from_raw(s) });
    });
}

/// The name of a status, e.g. `"TENIOS_ERR_TIMEOUT"`, or `"TENIOS_UNKNOWN"` for a number that
/// is not a status. Never NULL. The string is static: do not free it.
#[no_mangle]
pub extern "C" fn tenios_status_str(status: i32) -> *const c_char {
    tenios_status::from_code(status)
        .map_or(UNKNOWN_STATUS_NAME, tenios_status::c_name)
        .as_ptr()
}

/// The version of libtenios, e.g. `"0.1.0"`. Static: do not free it.
#[no_mangle]
pub extern "C" fn tenios_version() -> *const c_char {
    VERSION.as_ptr()
}

/// Frees an opaque handle that `Box::into_raw` gave to C. NULL is ignored; a panic while
/// dropping is swallowed, since a free has no way to report it.
///
/// # Safety
/// `handle` is NULL, or came from `Box::<T>::into_raw` and has not been freed.
unsafe fn free_handle<T>(function: &str, handle: *mut T) {
    if handle.is_null() {
        return;
    }
    let _ = guard(function, || {
        // SAFETY: see above.
        drop(unsafe { Box::from_raw(handle) });
        Ok(())
    });
}

/// Runs `body`, turning a panic into `TENIOS_ERR_INTERNAL`.
pub(crate) fn guard<T>(
    function: &str,
    body: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        // The panic payload is left out: it is not meant for users and could quote anything.
        Err(Error::Internal(format!(
            "internal error: a panic was caught in {function}; please report this bug"
        )))
    })
}

/// Reads a C string argument and checks it (see `check_arg`), scanning at most
/// `MAX_ARG_BYTES + 1` bytes for the terminator.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string, or to at least `MAX_ARG_BYTES + 1`
/// readable bytes, that lives as long as `'a`.
unsafe fn c_arg<'a>(name: &str, p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL")));
    }
    // SAFETY: forwarded from the caller.
    check_arg(name, unsafe { bounded_bytes(p, MAX_ARG_BYTES) })
}

/// The bytes of a non-NULL C string, or its first `max + 1` bytes when it is longer (so that
/// a check can report it as too long without reading further).
///
/// # Safety
/// `p` points to a NUL-terminated string, or to at least `max + 1` readable bytes, that lives
/// as long as `'a`.
unsafe fn bounded_bytes<'a>(p: *const c_char, max: usize) -> &'a [u8] {
    let bytes = p.cast::<u8>();
    let mut len = 0;
    // SAFETY: every byte read is at or before the terminator, or within the first max + 1
    // bytes, which the caller guarantees are readable.
    while len <= max && unsafe { *bytes.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: the `len` bytes just scanned are readable and live for 'a.
    unsafe { std::slice::from_raw_parts(bytes, len) }
}

/// `text` as a C string. Server text may hold NUL bytes, which a C string cannot carry: they
/// become U+FFFD.
fn c_string(text: String) -> CString {
    let text = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    };
    CString::new(text).unwrap_or_default()
}

/// Writes the outcome to `out_err` (when not NULL) and returns its status.
fn report(result: Result<(), Error>, out_err: *mut *mut c_char) -> tenios_status {
    let (status, message) = match result {
        Ok(()) => (tenios_status::TENIOS_OK, None),
        Err(e) => (e.status(), Some(e.to_string())),
    };
    if !out_err.is_null() {
        let message = message.map(|m| c_string(m).into_raw());
        // SAFETY: the caller passes NULL or a pointer to a writable `char *`.
        unsafe { *out_err = message.unwrap_or(ptr::null_mut()) };
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal_with_a_message() {
        let result = guard::<()>("tenios_test", || panic!("boom with secret"));
        let mut message: *mut c_char = ptr::null_mut();
        assert_eq!(
            report(result, &mut message),
            tenios_status::TENIOS_ERR_INTERNAL
        );
        let text = unsafe { CStr::from_ptr(message) }
            .to_str()
            .unwrap()
            .to_owned();
        tenios_string_free(message);
        assert_eq!(
            text,
            "internal error: a panic was caught in tenios_test; please report this bug"
        );
    }

    #[test]
    fn report_replaces_nul_bytes() {
        let mut message: *mut c_char = ptr::null_mut();
        let status = report(Err(Error::Network("a\0b".into())), &mut message);
        assert_eq!(status, tenios_status::TENIOS_ERR_NETWORK);
        let text = unsafe { CStr::from_ptr(message) }
            .to_str()
            .unwrap()
            .to_owned();
        tenios_string_free(message);
        assert_eq!(text, "network error: a\u{FFFD}b");
    }

    #[test]
    fn c_arg_stops_scanning_past_the_limit() {
        // No terminator within the first 1025 bytes: reported as too long, nothing past read.
        let long = vec![b'a'; MAX_ARG_BYTES + 1];
        let err = unsafe { c_arg("call_uuid", long.as_ptr().cast()) }.unwrap_err();
        assert_eq!(err.to_string(), "call_uuid is longer than 1024 bytes");
        let err = unsafe { c_arg("access_key", ptr::null()) }.unwrap_err();
        assert_eq!(err.to_string(), "access_key is NULL");
    }
}
