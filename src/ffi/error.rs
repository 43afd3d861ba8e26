//! `tenios_error`: a failure as an object, with the API's error_code, fields and the HTTP status
//! as data.

use std::ffi::{c_char, CString};
use std::ptr;

use super::{c_string, free_handle};
use crate::error::Error;
use crate::status::tenios_status;

/// A failed call: its status, message, the API's error_code and fields, and the HTTP status.
/// Created by libtenios, owned by the caller, freed with `tenios_error_free`. Every accessor
/// accepts NULL. Strings it returns are borrowed: they live until `tenios_error_free`.
pub struct tenios_error {
    _private: [u8; 0],
}

/// What a `tenios_error` points to.
pub(crate) struct ErrorObject {
    status: tenios_status,
    message: CString,
    api_code: Option<CString>,
    http_status: u16,
    fields: Vec<CString>,
    /// The timings of the call that failed; zero when the failing function sent nothing.
    pub(super) timings: crate::telemetry::Timings,
}

impl From<Error> for ErrorObject {
    fn from(error: Error) -> Self {
        let (api_code, fields) = match &error {
            Error::Api(api) => (
                api.code.clone().map(c_string),
                api.fields.iter().cloned().map(c_string).collect(),
            ),
            _ => (None, Vec::new()),
        };
        ErrorObject {
            status: error.status(),
            message: c_string(error.to_string()),
            api_code,
            http_status: error.http_status(),
            fields,
            timings: crate::telemetry::entry_call_timings(),
        }
    }
}

/// Hands `result` to C: stores an error object in `*out_err` (when `out_err` is not NULL; NULL
/// on success) and returns the status.
pub(crate) fn report_object(
    result: Result<(), Error>,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let (status, object) = match result {
        Ok(()) => (tenios_status::TENIOS_OK, ptr::null_mut()),
        Err(e) => (
            e.status(),
            Box::into_raw(Box::new(ErrorObject::from(e))).cast::<tenios_error>(),
        ),
    };
    if out_err.is_null() {
        if !object.is_null() {
            tenios_error_free(object);
        }
    } else {
        // SAFETY: the caller passes NULL or a pointer to a writable `tenios_error *`.
        unsafe { *out_err = object };
    }
    status
}

/// The error object behind a C pointer, or None for NULL.
///
/// # Safety
/// `e` is NULL or came from libtenios and has not been freed.
unsafe fn object<'a>(e: *const tenios_error) -> Option<&'a ErrorObject> {
    // SAFETY: see above; the cast undoes the one in report_object.
    unsafe { e.cast::<ErrorObject>().as_ref() }
}

/// The status of the failure; `TENIOS_OK` for NULL (no error).
#[no_mangle]
pub extern "C" fn tenios_error_status(error: *const tenios_error) -> tenios_status {
    // SAFETY: see `object`.
    unsafe { object(error) }.map_or(tenios_status::TENIOS_OK, |e| e.status)
}

/// The message, e.g. `"CALL_UUID_NOT_FOUND: The call wasn't found (fields: call_uuid)"`: the
/// same text `tenios_interrupt_block` gives. Never contains the access key. NULL for NULL.
#[no_mangle]
pub extern "C" fn tenios_error_message(error: *const tenios_error) -> *const c_char {
    // SAFETY: see `object`.
    unsafe { object(error) }.map_or(ptr::null(), |e| e.message.as_ptr())
}

/// The API's error_code, e.g. `"CALL_UUID_NOT_FOUND"`, or NULL when the API did not report
/// the failure (an HTTP, network, timeout or argument error, or `"success": false` without a
/// code).
#[no_mangle]
pub extern "C" fn tenios_error_api_code(error: *const tenios_error) -> *const c_char {
    // SAFETY: see `object`.
    unsafe { object(error) }
        .and_then(|e| e.api_code.as_ref())
        .map_or(ptr::null(), |code| code.as_ptr())
}

/// The HTTP status of the response the failure came with, or 0 when no response arrived
/// (argument, network and timeout errors).
#[no_mangle]
pub extern "C" fn tenios_error_http_status(error: *const tenios_error) -> u16 {
    // SAFETY: see `object`.
    unsafe { object(error) }.map_or(0, |e| e.http_status)
}

/// How many request fields the API named in its error (its `fields` list); 0 for NULL.
#[no_mangle]
pub extern "C" fn tenios_error_field_count(error: *const tenios_error) -> usize {
    // SAFETY: see `object`.
    unsafe { object(error) }.map_or(0, |e| e.fields.len())
}

/// The field at `index` (0-based), e.g. `"call_uuid"`, or NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn tenios_error_field(error: *const tenios_error, index: usize) -> *const c_char {
    // SAFETY: see `object`.
    unsafe { object(error) }
        .and_then(|e| e.fields.get(index))
        .map_or(ptr::null(), |field| field.as_ptr())
}

/// Frees an error object. NULL is ignored. Strings borrowed from it become invalid.
#[no_mangle]
pub extern "C" fn tenios_error_free(error: *mut tenios_error) {
    // SAFETY: `error` is NULL or came from report_object, freed once.
    unsafe { free_handle("tenios_error_free", error.cast::<ErrorObject>()) }
}
