//! The C ABI: every `extern "C"` function and every `unsafe` block of libtenios lives here.
//! `include/tenios.h` is generated from this file by cbindgen.
//!
//! Each export catches panics (unwinding into C is undefined), treats NULL as an error, and
//! reads C strings with a bounded scan so that a missing terminator past the length limit
//! is never chased.
#![allow(clippy::not_unsafe_ptr_arg_deref)] // C callers pass raw pointers; each is checked.
#![allow(non_camel_case_types)] // opaque handle types carry their C names

mod client;
mod contact_center;
mod default_client;
mod error;
mod fork;
mod methods;
mod telemetry;
mod webhook;

use std::alloc::{alloc, dealloc, Layout};
use std::cell::Cell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Once;

use crate::client::check_arg;
use crate::error::Error;
use crate::rules::MAX_ARG_BYTES;
use crate::status::{tenios_status, UNKNOWN_STATUS_NAME};

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// Frees a string that libtenios returned through a `char **` (such as the message of
/// `tenios_interrupt_block`). NULL is ignored. Never pass a string that did not come from
/// libtenios, and never free one twice. The string may have been modified (even shortened
/// with a NUL) before it is freed: its size is stored beside it.
///
/// Thread-safe: any thread may free a string, not only the one that received it.
#[no_mangle]
pub extern "C" fn tenios_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: `s` came from `into_raw_string` (the caller's promise) and is freed once.
    unsafe { free_raw_string(s) }
}

/// The name of a status, e.g. `"TENIOS_ERR_TIMEOUT"`, or `"TENIOS_UNKNOWN"` for a number that
/// is not a status (such as one added in a later version). Never NULL. The string is static:
/// it lives as long as the library is loaded; do not free it. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_status_str(status: u32) -> *const c_char {
    tenios_status::from_code(status)
        .map_or(UNKNOWN_STATUS_NAME, tenios_status::c_name)
        .as_ptr()
}

/// The version of the libtenios that is running, e.g. `"1.0.0"` (compare it with
/// `TENIOS_VERSION_STRING`, the version of the header a program was compiled with). Static:
/// do not free it. Thread-safe.
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

thread_local! {
    /// Whether this thread is inside a libtenios function (see [`guard`]).
    static IN_LIBRARY: Cell<bool> = const { Cell::new(false) };
}

/// Makes panics inside libtenios functions silent. Rust's default hook prints a panic to
/// stderr, which belongs to the host. The hook is that of the Rust standard library linked
/// into libtenios (not shared with any other Rust code in the process); panics outside a
/// libtenios function (in a test harness using the rlib, say) still reach the previous hook.
fn install_quiet_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_LIBRARY.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs `body`, turning a panic into `TENIOS_ERR_INTERNAL`, silently. Locks a panic may leave
/// poisoned are all taken with `unwrap_or_else(PoisonError::into_inner)`: every lock in
/// libtenios is consistent at any point a panic can happen, so a caught panic never turns
/// later calls into errors.
pub(crate) fn guard<T>(
    function: &str,
    body: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    install_quiet_panic_hook();
    // An error object reports the timings of this function's own call, never an earlier one.
    crate::telemetry::entry_started();
    let outer = IN_LIBRARY.with(|flag| flag.replace(true));
    let result = catch_unwind(AssertUnwindSafe(body));
    IN_LIBRARY.with(|flag| flag.set(outer));
    result.unwrap_or_else(|_| {
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

/// The bytes before a string handed to C: the size of the allocation, so that freeing it never
/// depends on the string's current length.
const SIZE_PREFIX: usize = std::mem::size_of::<usize>();

/// `text` as a C string the caller frees with `tenios_string_free`.
pub(crate) fn into_raw_string(text: String) -> *mut c_char {
    let bytes = c_string(text).into_bytes_with_nul();
    let size = SIZE_PREFIX + bytes.len();
    let Ok(layout) = Layout::from_size_align(size, std::mem::align_of::<usize>()) else {
        return ptr::null_mut();
    };
    // SAFETY: `layout` has a non-zero size.
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `base` is a fresh allocation of `size` bytes, aligned for `usize`.
    unsafe {
        base.cast::<usize>().write(size);
        let text = base.add(SIZE_PREFIX);
        ptr::copy_nonoverlapping(bytes.as_ptr(), text, bytes.len());
        text.cast()
    }
}

/// Frees a string from [`into_raw_string`].
///
/// # Safety
/// `s` came from `into_raw_string` and has not been freed.
unsafe fn free_raw_string(s: *mut c_char) {
    // SAFETY: `into_raw_string` put the allocation's size just before `s`.
    unsafe {
        let base = s.cast::<u8>().sub(SIZE_PREFIX);
        let size = base.cast::<usize>().read();
        let layout = Layout::from_size_align_unchecked(size, std::mem::align_of::<usize>());
        dealloc(base, layout);
    }
}

/// Writes the outcome to `out_err` (when not NULL) and returns its status.
fn report(result: Result<(), Error>, out_err: *mut *mut c_char) -> tenios_status {
    let (status, message) = match result {
        Ok(()) => (tenios_status::TENIOS_OK, None),
        Err(e) => (e.status(), Some(e.to_string())),
    };
    if !out_err.is_null() {
        let message = message.map(into_raw_string);
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
