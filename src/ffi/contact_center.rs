//! The contact-center methods on a client handle (click-to-call, callback, ACD agent state,
//! wrap-up) and the generic call for every other method. Each has the contract of the
//! live-call methods: a status and an optional error object, arguments checked before
//! anything is sent, at most one request, the key redacted, the client's timeouts.
//!
//! Optional API fields are `const char *` arguments that may be NULL (the field is then left
//! out of the request); every other string is required. A string the caller gets back is
//! owned by the caller and freed with `tenios_string_free`.

use std::ffi::c_char;
use std::ptr;

use super::client::{client_handle, tenios_client};
use super::error::{report_object, tenios_error};
use super::{bounded_bytes, c_arg, guard, into_raw_string};
use crate::api::MAX_JSON_BODY_BYTES;
use crate::error::Error;
use crate::rules::MAX_ARG_BYTES;
use crate::status::tenios_status;

/// An optional string argument: NULL is `None`; anything else is checked like `c_arg`.
///
/// # Safety
/// As for `c_arg`.
unsafe fn optional_arg<'a>(name: &str, p: *const c_char) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { c_arg(name, p) }.map(Some)
}

/// Runs `call` inside `guard` and hands the string it returns to C in `*out` (NULL on every
/// error); `out` must not be NULL (an argument error, nothing sent).
fn string_out(
    function: &str,
    out_name: &str,
    out: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
    call: impl FnOnce() -> Result<String, Error>,
) -> tenios_status {
    let result = guard(function, || {
        if out.is_null() {
            return Err(Error::InvalidArgument(format!("{out_name} is NULL")));
        }
        // SAFETY: checked non-NULL; the caller passes a writable `char *`.
        unsafe { *out = ptr::null_mut() };
        let text = into_raw_string(call()?);
        if text.is_null() {
            return Err(Error::Internal("internal error: out of memory".into()));
        }
        // SAFETY: checked non-NULL above.
        unsafe { *out = text };
        Ok(())
    });
    report_object(result, out_err)
}

/// Starts a click-to-call (`POST /makecall/init`): TENIOS calls `destination_number` first
/// and, once it answers, puts the call through to `tenios_number` (a number of the account),
/// whose routing plan runs; a Call Control block there gets the id as
/// `variables.callback_id`. The account needs the Callbacks feature (enabled by TENIOS
/// support).
///
/// `caller_id` (the number shown: any number of the account, "plus max. 5-digit
/// Extension") and `callstate_info_url` (an `https://` URL TENIOS POSTs every call-state
/// change to; checked before sending) may be NULL: the field is then not sent.
///
/// On `TENIOS_OK`, `*out_id` is the call's id as text (the API answers a number, e.g.
/// `"10"`; a string is passed on as it is), owned by the caller (`tenios_string_free`); NULL
/// on every error. `out_id` must not be NULL. Returns `TENIOS_OK` or an error status with,
/// when `out_err` is not NULL, an error object in `*out_err`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_makecall_init(
    client: *const tenios_client,
    destination_number: *const c_char,
    tenios_number: *const c_char,
    caller_id: *const c_char,
    callstate_info_url: *const c_char,
    out_id: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_makecall_init",
        "out_id",
        out_id,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let destination = unsafe { c_arg("destination_number", destination_number) }?;
            let tenios_number = unsafe { c_arg("tenios_number", tenios_number) }?;
            let caller_id = unsafe { optional_arg("caller_id", caller_id) }?;
            let url = unsafe { optional_arg("callstate_info_url", callstate_info_url) }?;
            handle.client.makecall_init(
                &handle.access_key,
                destination,
                tenios_number,
                caller_id,
                url,
            )
        },
    )
}

/// The state of the click-to-call `id` (from `tenios_client_makecall_init`; `POST
/// /makecall/status`, the id sent as a JSON string): on `TENIOS_OK`, `*out_status` is the
/// API's `status` (e.g. `"REQUESTED"`, `"CONNECTED"`; the values are believed to be the
/// callback states of `tenios_client_callback_status`), owned by the caller. Reports like
/// `tenios_client_makecall_init`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_makecall_status(
    client: *const tenios_client,
    id: *const c_char,
    out_status: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_makecall_status",
        "out_status",
        out_status,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let id = unsafe { c_arg("id", id) }?;
            handle.client.makecall_status(&handle.access_key, id)
        },
    )
}

/// Starts a callback (`POST /callback/init`) with the portal's callback configuration
/// `callback_config_id` (its "Configuration ID") to the customer at `callback_number`, after
/// `delay_s` seconds (sent as a JSON number, as the documentation's examples do): TENIOS
/// calls the configuration's agent side first, then the customer, and bridges them.
///
/// `agent_announcement` (text read to the agent) and `dtmf_key` (the key the agent presses
/// to start the customer's call, `dtmf_key_to_trigger_customer_call`) may be NULL: not sent.
///
/// On `TENIOS_OK`, `*out_id` is the callback's id as text (the API answers a number),
/// owned by the caller. A bad `callback_config_id` is reported by TENIOS like a bad key
/// (`TENIOS_ERR_BAD_CREDENTIALS`, documented). Reports like `tenios_client_makecall_init`.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_callback_init(
    client: *const tenios_client,
    callback_config_id: *const c_char,
    callback_number: *const c_char,
    delay_s: u32,
    agent_announcement: *const c_char,
    dtmf_key: *const c_char,
    out_id: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_callback_init",
        "out_id",
        out_id,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let config_id = unsafe { c_arg("callback_config_id", callback_config_id) }?;
            let number = unsafe { c_arg("callback_number", callback_number) }?;
            let announcement = unsafe { optional_arg("agent_announcement", agent_announcement) }?;
            let dtmf_key = unsafe { optional_arg("dtmf_key_to_trigger_customer_call", dtmf_key) }?;
            handle.client.callback_init(
                &handle.access_key,
                config_id,
                number,
                delay_s,
                announcement,
                dtmf_key,
            )
        },
    )
}

/// The state of the callback `id` (`POST /callback/status`, the id sent as a JSON string as
/// the page's table says): on `TENIOS_OK`, `*out_status` is one of `"REQUESTED"`,
/// `"ACCEPTED"`, `"CALLING_A"`, `"CALL_A_FAILED"`, `"CALLING_B"`, `"CALL_B_FAILED"`,
/// `"CONNECTED"`, `"DISCONNECTED"` (documented; any other text is passed on), owned by the
/// caller. Reports like `tenios_client_makecall_init`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_callback_status(
    client: *const tenios_client,
    id: *const c_char,
    out_status: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_callback_status",
        "out_status",
        out_status,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let id = unsafe { c_arg("id", id) }?;
            handle.client.callback_status(&handle.access_key, id)
        },
    )
}

/// The ACD state of the agent whose Cloud PBX user has the e-mail `email` (`POST
/// /acd/agent-state/retrieve`): on `TENIOS_OK`, `*out_state` is `"READY"` or `"NOT_READY"`
/// (documented; any other text is passed on), owned by the caller. Reports like
/// `tenios_client_makecall_init`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_agent_state_retrieve(
    client: *const tenios_client,
    email: *const c_char,
    out_state: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_agent_state_retrieve",
        "out_state",
        out_state,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let email = unsafe { c_arg("email", email) }?;
            handle
                .client
                .agent_state_retrieve(&handle.access_key, email)
        },
    )
}

/// Sets the agent `email` `"READY"` or `"NOT_READY"` (`state`, checked before sending; `POST
/// /acd/agent-state/change`). `not_ready_reason` is the acronym of a Not-Ready Reason
/// configured in the portal (e.g. `"COF"`), or NULL: it is sent as `not_ready_reason`, the
/// newest page's name; older pages call it `nrr` (send that with
/// `tenios_client_call_json` if your account wants it). The API answers `{"success":
/// true}`; `false` is `TENIOS_ERR_API`. Returns `TENIOS_OK` or an error status with, when
/// `out_err` is not NULL, an error object in `*out_err`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_agent_state_change(
    client: *const tenios_client,
    email: *const c_char,
    state: *const c_char,
    not_ready_reason: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_agent_state_change", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let email = unsafe { c_arg("email", email) }?;
        let state = unsafe { c_arg("state", state) }?;
        let reason = unsafe { optional_arg("not_ready_reason", not_ready_reason) }?;
        handle
            .client
            .agent_state_change(&handle.access_key, email, state, reason)
    });
    report_object(result, out_err)
}

/// Extends the wrap-up (post-processing) time of the agent `agent_email` until `end_time`
/// (`POST /wrap-up/extend`): an absolute time with a time zone, as documented, e.g.
/// `"2020-01-01T09:00:00.000Z"` or `"2020-01-01T10:00:00+01:00"` (checked before sending;
/// not a duration). On `TENIOS_OK`, `*out_end_time` is the `wrap_up_end_time` TENIOS
/// answers, owned by the caller. An unknown agent gives `TENIOS_ERR_AGENT_NOT_FOUND`, an agent
/// not in wrap-up `TENIOS_ERR_AGENT_NOT_IN_WRAP_UP`. Reports like
/// `tenios_client_makecall_init`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_wrap_up_extend(
    client: *const tenios_client,
    agent_email: *const c_char,
    end_time: *const c_char,
    out_end_time: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_wrap_up_extend",
        "out_end_time",
        out_end_time,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let email = unsafe { c_arg("agent_email", agent_email) }?;
            let end_time = unsafe { c_arg("end_time", end_time) }?;
            handle
                .client
                .wrap_up_extend(&handle.access_key, email, end_time)
        },
    )
}

/// Ends the wrap-up of the agent `agent_email` now (`POST /wrap-up/cancel`, answered
/// `{"success": true}`). Known only from a third-party client (matthiez/tenios-voice-client):
/// TENIOS's own pages, as far as they could be read, do not show it. Reports like
/// `tenios_client_agent_state_change`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_wrap_up_cancel(
    client: *const tenios_client,
    agent_email: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_wrap_up_cancel", || {
        // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
        let handle = unsafe { client_handle(client) }?;
        let email = unsafe { c_arg("agent_email", agent_email) }?;
        handle.client.wrap_up_cancel(&handle.access_key, email)
    });
    report_object(result, out_err)
}

/// The generic call, for any API method without a function of its own (`/cdrs/retrieve`,
/// `/verification/create`, `/number/order`, `/cloud-pbx/list`, ...): POSTs `body_json` to
/// `path` with the client's key, transport, error mapping, redaction, log lines and timings.
///
/// `path` is one absolute path of the API, e.g. `"/cdrs/retrieve"`: `/` and segments of
/// letters, digits, `-._~!$&'()*+,;=:@` or `%XX`; no empty, `.` or `..` segment, no query
/// (`?`) or fragment, no scheme or host, no control character, at most 1024 bytes.
/// `body_json` is a JSON object of at most 4 MiB without an `access_key` member: the request
/// body is `{"access_key":"<the client's key>",` followed by its members exactly as written.
///
/// On `TENIOS_OK` (HTTP 200 with JSON that is no API error), `*out_json` is the answer's
/// JSON text as received, owned by the caller (`tenios_string_free`); NULL on every error.
/// Errors are those of every method: an API error body (`error_code`, or `"success":
/// false`) gives its status whatever the HTTP status; any other status than 200
/// `TENIOS_ERR_HTTP`; a 200 without JSON `TENIOS_ERR_PROTOCOL`. A bad `path` or `body_json`
/// is `TENIOS_ERR_INVALID_ARGUMENT`, nothing sent. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_call_json(
    client: *const tenios_client,
    path: *const c_char,
    body_json: *const c_char,
    out_json: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    string_out(
        "tenios_client_call_json",
        "out_json",
        out_json,
        out_err,
        || {
            // SAFETY: the caller passes NULL or a live client and NUL-terminated strings.
            let handle = unsafe { client_handle(client) }?;
            let path = unsafe { path_arg(path) }?;
            let body = unsafe { body_arg(body_json) }?;
            handle.client.call_json(&handle.access_key, path, body)
        },
    )
}

/// The path of the generic call: checked by `check_api_path` (which names every rule); only
/// NULL and invalid UTF-8 are this layer's to report.
///
/// # Safety
/// As for `c_arg`.
unsafe fn path_arg<'a>(p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::InvalidArgument("path is NULL".into()));
    }
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { bounded_bytes(p, MAX_ARG_BYTES) };
    if bytes.len() > MAX_ARG_BYTES {
        return Err(Error::InvalidArgument(format!(
            "path is longer than {MAX_ARG_BYTES} bytes"
        )));
    }
    std::str::from_utf8(bytes).map_err(|_| Error::InvalidArgument("path is not valid UTF-8".into()))
}

/// The JSON body of the generic call, scanned to at most `MAX_JSON_BODY_BYTES + 1` bytes.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string (or one of at least `MAX_JSON_BODY_BYTES + 1`
/// readable bytes).
unsafe fn body_arg<'a>(p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::InvalidArgument("body_json is NULL".into()));
    }
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { bounded_bytes(p, MAX_JSON_BODY_BYTES) };
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(Error::InvalidArgument(format!(
            "body_json is longer than {MAX_JSON_BODY_BYTES} bytes"
        )));
    }
    std::str::from_utf8(bytes)
        .map_err(|_| Error::InvalidArgument("body_json is not valid UTF-8".into()))
}
