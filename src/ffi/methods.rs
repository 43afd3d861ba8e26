//! The live-call methods on a client handle besides interrupt: transfer, refer, record
//! start/stop and listen-in. Each has the contract of `tenios_client_interrupt_block`: a
//! status and an optional error object, arguments checked before anything is sent, at most
//! one request, secrets redacted, the client's timeouts.
//!
//! The rule for their arguments: each takes the client, then the call's UUID, then the fields
//! the API documents as plain arguments (a C programmer sees every input in the prototype, and
//! optional API booleans become `bool` with the API's default stated), then the
//! out-parameters. If TENIOS adds a field to a method, a new function is added beside it; an
//! existing function never changes.

use std::ffi::c_char;
use std::ptr;

use super::client::{client_handle, tenios_client};
use super::error::{report_object, tenios_error};
use super::{c_arg, guard, into_raw_string};
use crate::api::DestinationType;
use crate::error::Error;
use crate::status::tenios_status;

/// Where `tenios_client_transfer_call` sends a call: a `uint32_t` with these values (the same
/// rule as `tenios_status`: numbers never change, new ones are appended).
#[allow(non_camel_case_types)]
#[repr(u32)]
pub enum tenios_destination_type {
    /// A phone number in E.164 form, e.g. `"+492215540030"` (API name `EXTERNALNUMBER`).
    TENIOS_DESTINATION_EXTERNALNUMBER = 1,
    /// The user name of a SIP account (`SIP_USER`).
    TENIOS_DESTINATION_SIP_USER = 2,
    /// The user name of a SIP trunk (`SIP_TRUNK`).
    TENIOS_DESTINATION_SIP_TRUNK = 3,
}

/// The destination type with the C number `value`, by the enum above (so the numbers are
/// written once).
pub(super) fn checked_destination_type(value: u32) -> Result<DestinationType, Error> {
    use tenios_destination_type as C;
    const EXTERNAL: u32 = C::TENIOS_DESTINATION_EXTERNALNUMBER as u32;
    const SIP_USER: u32 = C::TENIOS_DESTINATION_SIP_USER as u32;
    const SIP_TRUNK: u32 = C::TENIOS_DESTINATION_SIP_TRUNK as u32;
    match value {
        EXTERNAL => Ok(DestinationType::ExternalNumber),
        SIP_USER => Ok(DestinationType::SipUser),
        SIP_TRUNK => Ok(DestinationType::SipTrunk),
        other => Err(Error::InvalidArgument(format!(
            "destination_type {other} is not TENIOS_DESTINATION_EXTERNALNUMBER ({EXTERNAL}), \
             TENIOS_DESTINATION_SIP_USER ({SIP_USER}) or TENIOS_DESTINATION_SIP_TRUNK ({SIP_TRUNK})"
        ))),
    }
}

/// Transfers the connected call `call_uuid` to another destination (`POST /transfer-call`);
/// TENIOS transfers only a call already put through to a destination.
///
/// `destination_type` is one of `tenios_destination_type`; `destination` is an E.164 number
/// for `TENIOS_DESTINATION_EXTERNALNUMBER` (`+`, then 2 to 15 digits, checked before
/// sending), a SIP user or trunk name otherwise. Strings are NUL-terminated UTF-8 of 1 to 1024
/// bytes without control characters.
///
/// Returns `TENIOS_OK`, or an error status with, when `out_err` is not NULL, an error object
/// in `*out_err` (NULL on success) to free with `tenios_error_free`. An unknown
/// `destination_type` or a bad argument: `TENIOS_ERR_INVALID_ARGUMENT`, nothing sent.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_transfer_call(
    client: *const tenios_client,
    call_uuid: *const c_char,
    destination_type: u32,
    destination: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_transfer_call", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let kind = checked_destination_type(destination_type)?;
        let destination = unsafe { c_arg("destination", destination) }?;
        handle
            .client
            .transfer_call(&handle.access_key, call_uuid, kind, destination)
    });
    report_object(result, out_err)
}

/// Sends the call `call_uuid` a SIP REFER to `sip_uri`, which becomes its `Refer-To` (`POST
/// /refer-call`), e.g. `"sip:4044@192.0.2.10:5060;user=phone"`; it must start with `sip:` or
/// `sips:` (checked before sending). Once accepted the call leaves TENIOS.
///
/// Returns and reports like `tenios_client_transfer_call`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_refer_call(
    client: *const tenios_client,
    call_uuid: *const c_char,
    sip_uri: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_refer_call", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let sip_uri = unsafe { c_arg("sip_uri", sip_uri) }?;
        handle
            .client
            .refer_call(&handle.access_key, call_uuid, sip_uri)
    });
    report_object(result, out_err)
}

/// Starts recording the call `call_uuid` (`POST /record-call/start`): the caller's channel
/// when `record_caller`, the called party's when `record_callee` (the API's default is both
/// `true`). A call may be recorded in several parts, one start and stop each.
///
/// On `TENIOS_OK`, `*out_recording_uuid` is the new recording's UUID, a NUL-terminated string
/// the caller owns and frees with `tenios_string_free` (pass it to `tenios_client_record_stop`);
/// on every error it is NULL. `out_recording_uuid` must not be NULL
/// (`TENIOS_ERR_INVALID_ARGUMENT`, nothing sent). Reports errors like
/// `tenios_client_transfer_call`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_record_start(
    client: *const tenios_client,
    call_uuid: *const c_char,
    record_caller: bool,
    record_callee: bool,
    out_recording_uuid: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_record_start", || {
        if out_recording_uuid.is_null() {
            return Err(Error::InvalidArgument("out_recording_uuid is NULL".into()));
        }
        // SAFETY: checked non-NULL; the caller passes a writable `char *`.
        unsafe { *out_recording_uuid = ptr::null_mut() };
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let recording = handle.client.record_start(
            &handle.access_key,
            call_uuid,
            record_caller,
            record_callee,
        )?;
        let recording = into_raw_string(recording);
        if recording.is_null() {
            return Err(Error::Internal("internal error: out of memory".into()));
        }
        // SAFETY: checked non-NULL above.
        unsafe { *out_recording_uuid = recording };
        Ok(())
    });
    report_object(result, out_err)
}

/// Stops the recording `recording_uuid` (from `tenios_client_record_start`) of the call
/// `call_uuid` (`POST /record-call/stop`; both are sent). Returns and reports like
/// `tenios_client_transfer_call`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_record_stop(
    client: *const tenios_client,
    call_uuid: *const c_char,
    recording_uuid: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_record_stop", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let recording_uuid = unsafe { c_arg("recording_uuid", recording_uuid) }?;
        handle
            .client
            .record_stop(&handle.access_key, call_uuid, recording_uuid)
    });
    report_object(result, out_err)
}

/// Lets a supervisor listen in on the call `call_uuid` without the parties noticing (`POST
/// /call/listen-in/start`): TENIOS calls the supervisor at `supervisor_destination` (a number
/// such as `"+4922155400300"` or a SIP address; TENIOS decides what it accepts). With
/// `whisper_to_agent`, supervisor and agent can talk without the caller hearing (the API's
/// default is `false`). There is no stop method: it ends when the supervisor hangs up.
///
/// `supervisor_key` is the separate key TENIOS issues for this, a secret like the access key
/// (at least 8 bytes): it never appears in a message, even where it holds the access key. A destination on the account's blacklist gives
/// `TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED`. Returns and reports like
/// `tenios_client_transfer_call`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_listen_in_start(
    client: *const tenios_client,
    call_uuid: *const c_char,
    supervisor_key: *const c_char,
    supervisor_destination: *const c_char,
    whisper_to_agent: bool,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_listen_in_start", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        let supervisor_key = unsafe { c_arg("supervisor_key", supervisor_key) }?;
        let destination = unsafe { c_arg("supervisor_destination", supervisor_destination) }?;
        handle.client.listen_in_start(
            &handle.access_key,
            call_uuid,
            supervisor_key,
            destination,
            whisper_to_agent,
        )
    });
    report_object(result, out_err)
}

/// The API's name of a destination type (`"EXTERNALNUMBER"`, `"SIP_USER"`, `"SIP_TRUNK"`), or
/// NULL for a number that is not one. Static: do not free it. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_destination_type_str(destination_type: u32) -> *const c_char {
    match checked_destination_type(destination_type) {
        Ok(DestinationType::ExternalNumber) => c"EXTERNALNUMBER".as_ptr(),
        Ok(DestinationType::SipUser) => c"SIP_USER".as_ptr(),
        Ok(DestinationType::SipTrunk) => c"SIP_TRUNK".as_ptr(),
        Err(_) => ptr::null(),
    }
}
