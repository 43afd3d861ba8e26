//! The Call Control webhook from C: `tenios_webhook_request` (parse the request TENIOS POSTs,
//! read it, check its access key in constant time) and `tenios_blocks` (build the answer).
//!
//! The rule for BRIDGE, the one block with a list inside: it is built in three steps,
//! `tenios_blocks_bridge_begin` (mode and blockTimeout), `tenios_blocks_bridge_add_destination`
//! once per destination, and `tenios_blocks_bridge_end`, which checks the whole block and adds
//! it. Every argument stays a plain C value (no struct whose layout would become ABI), and a
//! destination can be checked the moment it is given. If any of the three steps fails, the
//! whole BRIDGE is discarded: nothing of it is added and no BRIDGE is open any more. While a
//! BRIDGE is open, the other `tenios_blocks_add_*` functions and `tenios_blocks_to_json` fail.
//!
//! Optional integers are `int32_t` with -1 for "absent"; required ones are `uint32_t`. Enums
//! (`tenios_bridge_mode`, `tenios_destination_type`) are taken as `uint32_t`, so an unknown
//! number is an error, never undefined behaviour.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use super::error::{report_object, tenios_error};
use super::methods::checked_destination_type;
use super::{bounded_bytes, c_arg, c_string, free_handle, guard, into_raw_string};
use crate::error::Error;
use crate::rules::MAX_ARG_BYTES;
use crate::status::tenios_status;
use crate::webhook::blocks::{CollectDigits, CollectSpeech, MAX_TEXT_BYTES};
use crate::webhook::request::check_body_len;
use crate::webhook::{Blocks, BridgeMode, Destination, WebhookRequest};

/// A parsed Call Control webhook request, from `tenios_webhook_request_parse`, freed with
/// `tenios_webhook_request_free`.
///
/// Immutable: its accessors may be called from any number of threads at once. Every accessor
/// accepts NULL (and then returns NULL, 0 or false). Strings it returns are borrowed: they
/// live until `tenios_webhook_request_free`. No accessor returns the access key: check it
/// with `tenios_webhook_request_access_key_matches`.
pub struct tenios_webhook_request {
    _private: [u8; 0],
}

/// The blocks of one answer to a webhook request, from `tenios_blocks_new`, freed with
/// `tenios_blocks_free`.
///
/// Not thread-safe: a `tenios_blocks` is used by one thread at a time (it may be handed from
/// one thread to another).
pub struct tenios_blocks {
    _private: [u8; 0],
}

/// How a BRIDGE rings its destinations: a `uint32_t` with these values (numbers never change;
/// new ones are appended).
#[allow(non_camel_case_types)]
#[repr(u32)]
pub enum tenios_bridge_mode {
    /// One destination after another, each for its own timeout (`SEQUENTIAL`).
    TENIOS_BRIDGE_SEQUENTIAL = 1,
    /// All destinations at once, under one blockTimeout (`PARALLEL`).
    TENIOS_BRIDGE_PARALLEL = 2,
}

fn checked_bridge_mode(value: u32) -> Result<BridgeMode, Error> {
    const SEQUENTIAL: u32 = tenios_bridge_mode::TENIOS_BRIDGE_SEQUENTIAL as u32;
    const PARALLEL: u32 = tenios_bridge_mode::TENIOS_BRIDGE_PARALLEL as u32;
    match value {
        SEQUENTIAL => Ok(BridgeMode::Sequential),
        PARALLEL => Ok(BridgeMode::Parallel),
        other => Err(Error::InvalidArgument(format!(
            "BRIDGE: mode {other} is not TENIOS_BRIDGE_SEQUENTIAL ({SEQUENTIAL}) or \
             TENIOS_BRIDGE_PARALLEL ({PARALLEL}): bridgeMode is SEQUENTIAL or PARALLEL"
        ))),
    }
}

/// An optional number of seconds: -1 is absent.
fn optional_seconds(name: &str, value: i32) -> Result<Option<u32>, Error> {
    match value {
        -1 => Ok(None),
        v if v >= 0 => Ok(Some(v.unsigned_abs())),
        v => Err(Error::InvalidArgument(format!(
            "{name} must be -1 (absent) or 0 to 2147483647 seconds, not {v}"
        ))),
    }
}

// ------------------------------------------------------------------------------- the request

/// What a `tenios_webhook_request` points to: the request and its strings as C strings.
struct RequestHandle {
    request: WebhookRequest,
    request_type: CString,
    customer_number: CString,
    call_control_uuid: Option<CString>,
    request_status: CString,
    variables: Vec<(CString, CString)>,
    validation_errors: Vec<CString>,
}

impl RequestHandle {
    fn new(request: WebhookRequest) -> RequestHandle {
        // The parser rejects NUL characters, so c_string never has to replace one.
        RequestHandle {
            request_type: c_string(request.request_type().to_owned()),
            customer_number: c_string(request.customer_number_text().to_owned()),
            call_control_uuid: request.call_control_uuid().map(|s| c_string(s.to_owned())),
            request_status: c_string(request.request_status().as_str().to_owned()),
            variables: request
                .variables()
                .iter()
                .map(|(n, v)| (c_string(n.clone()), c_string(v.clone())))
                .collect(),
            validation_errors: request
                .validation_errors()
                .iter()
                .map(|e| c_string(e.clone()))
                .collect(),
            request,
        }
    }
}

/// The request behind a C pointer, or None for NULL.
///
/// # Safety
/// `request` is NULL or came from `tenios_webhook_request_parse` and has not been freed.
unsafe fn request_handle<'a>(request: *const tenios_webhook_request) -> Option<&'a RequestHandle> {
    // SAFETY: see above; the cast undoes the one in tenios_webhook_request_parse.
    unsafe { request.cast::<RequestHandle>().as_ref() }
}

/// A borrowed string from a request, or NULL; panics become NULL.
fn borrowed(
    function: &str,
    req: *const tenios_webhook_request,
    pick: impl FnOnce(&RequestHandle) -> Option<*const c_char>,
) -> *const c_char {
    guard(function, || {
        // SAFETY: the caller passes NULL or a live request.
        Ok(unsafe { request_handle(req) }.and_then(pick))
    })
    .ok()
    .flatten()
    .unwrap_or(ptr::null())
}

/// Parses the body of a Call Control webhook request (the bytes TENIOS POSTed, `body_len` of
/// them; no terminator needed, none is looked for).
///
/// On `TENIOS_OK`, `*out_request` is a new request to free with `tenios_webhook_request_free`;
/// on every error it is NULL, the status is `TENIOS_ERR_INVALID_ARGUMENT`, and the message
/// (in `*out_err` when `out_err` is not NULL, to free with `tenios_error_free`) says what is
/// wrong, e.g. `webhook request has no loopCount`. A body is rejected when it is empty, over
/// 1048576 bytes (1 MiB), not UTF-8, nested more than 32 levels deep, not a JSON object, has a
/// field twice, more than 256 fields at its top level or in blocksProcessingResult, more than
/// 1000 variables or validation errors, a required field (requestType,
/// customerNumber, accessKey, loopCount, requestStatus) missing or of the wrong type, or a
/// `\u0000` in a string handed to C. The numeric fields, customerNumber and loopCount, may be
/// JSON numbers or strings of decimal digits (`"0"`: TENIOS's own PHP test script sends
/// loopCount as a string); a sign, fraction, exponent or space is an error. Unknown fields are
/// ignored; a variable whose value is a number or boolean is kept as its JSON text, one whose
/// value is null is left out. The
/// access key never appears in a message. `body` and `out_request` must not be NULL.
///
/// The body is only read during the call. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_parse(
    body: *const u8,
    body_len: usize,
    out_request: *mut *mut tenios_webhook_request,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_webhook_request_parse", || {
        if out_request.is_null() {
            return Err(Error::InvalidArgument("out_request is NULL".into()));
        }
        // SAFETY: checked non-NULL; the caller passes a writable `tenios_webhook_request *`.
        unsafe { *out_request = ptr::null_mut() };
        if body.is_null() {
            return Err(Error::InvalidArgument("body is NULL".into()));
        }
        // Before the slice is made: a length over the limit is never used as a slice length.
        check_body_len(body_len)?;
        // SAFETY: the caller passes `body_len` readable bytes at `body`, which is not NULL and
        // which live for the call; body_len is at most 1 MiB.
        let bytes = unsafe { std::slice::from_raw_parts(body, body_len) };
        let handle = Box::new(RequestHandle::new(WebhookRequest::parse(bytes)?));
        // SAFETY: checked non-NULL above.
        unsafe { *out_request = Box::into_raw(handle).cast() };
        Ok(())
    });
    report_object(result, out_err)
}

/// Frees a request. NULL is ignored. Strings borrowed from it become invalid. No other thread
/// may be using it.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_free(request: *mut tenios_webhook_request) {
    // SAFETY: `request` is NULL or came from tenios_webhook_request_parse, freed once.
    unsafe {
        free_handle(
            "tenios_webhook_request_free",
            request.cast::<RequestHandle>(),
        )
    }
}

/// `requestType`, e.g. `"EXTERNAL_CALL_CONTROL"` (any text is accepted). Borrowed: lives until
/// `tenios_webhook_request_free`. NULL for NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_request_type(
    request: *const tenios_webhook_request,
) -> *const c_char {
    borrowed("tenios_webhook_request_request_type", request, |r| {
        Some(r.request_type.as_ptr())
    })
}

/// `customerNumber` (the TENIOS account number; a whole number >= 0, sent as a JSON number or
/// a string of digits) as a decimal string without leading zeros, e.g. `"200002"`. Check it on every request. Borrowed: lives until
/// `tenios_webhook_request_free`. NULL for NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_customer_number(
    request: *const tenios_webhook_request,
) -> *const c_char {
    borrowed("tenios_webhook_request_customer_number", request, |r| {
        Some(r.customer_number.as_ptr())
    })
}

/// `callControlUuid`, or NULL when the request has none (it is not in TENIOS's field table,
/// only in examples). Borrowed: lives until `tenios_webhook_request_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_call_control_uuid(
    request: *const tenios_webhook_request,
) -> *const c_char {
    borrowed("tenios_webhook_request_call_control_uuid", request, |r| {
        r.call_control_uuid.as_ref().map(|s| s.as_ptr())
    })
}

/// `loopCount`: 0 for the first request of this Call Control block, then 1, 2, ... after each
/// answer has run (or its running block was interrupted); sent as a JSON number or a string of
/// digits. 0 for NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_loop_count(request: *const tenios_webhook_request) -> u32 {
    guard("tenios_webhook_request_loop_count", || {
        // SAFETY: the caller passes NULL or a live request.
        Ok(unsafe { request_handle(request) }.map_or(0, |r| r.request.loop_count()))
    })
    .unwrap_or(0)
}

/// `requestStatus` as TENIOS sent it: `"REQUESTING_BLOCKS"` (answer with blocks),
/// `"VALIDATION_ERRORS"` (the last answer was invalid: read the validation errors; the answer's
/// body is ignored), or any other text. Borrowed: lives until `tenios_webhook_request_free`.
/// NULL for NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_request_status(
    request: *const tenios_webhook_request,
) -> *const c_char {
    borrowed("tenios_webhook_request_request_status", request, |r| {
        Some(r.request_status.as_ptr())
    })
}

/// The value of the variable `name` (e.g. `"call_uuid"`), or NULL when the request has no such
/// variable, or `request` or `name` is NULL, or `name` is longer than 1024 bytes. Borrowed:
/// lives until `tenios_webhook_request_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_variable(
    request: *const tenios_webhook_request,
    name: *const c_char,
) -> *const c_char {
    borrowed("tenios_webhook_request_variable", request, |r| {
        if name.is_null() {
            return None;
        }
        // SAFETY: `name` is a NUL-terminated string (or at least MAX_ARG_BYTES + 1 readable
        // bytes), read during the call only.
        let name = unsafe { bounded_bytes(name, MAX_ARG_BYTES) };
        if name.len() > MAX_ARG_BYTES {
            return None;
        }
        r.variables
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, v)| v.as_ptr())
    })
}

/// How many variables the request has (those whose value was null are not counted). 0 for
/// NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_variable_count(
    request: *const tenios_webhook_request,
) -> usize {
    guard("tenios_webhook_request_variable_count", || {
        // SAFETY: the caller passes NULL or a live request.
        Ok(unsafe { request_handle(request) }.map_or(0, |r| r.variables.len()))
    })
    .unwrap_or(0)
}

/// The name of variable `index` (0-based, in the order of the body), or NULL past the end.
/// Borrowed: lives until `tenios_webhook_request_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_variable_name(
    request: *const tenios_webhook_request,
    index: usize,
) -> *const c_char {
    borrowed("tenios_webhook_request_variable_name", request, |r| {
        r.variables.get(index).map(|(n, _)| n.as_ptr())
    })
}

/// The value of variable `index` (0-based), or NULL past the end. Strings are kept as they
/// are; a number or boolean value as its JSON text (`"42"`, `"true"`). Borrowed: lives until
/// `tenios_webhook_request_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_variable_value(
    request: *const tenios_webhook_request,
    index: usize,
) -> *const c_char {
    borrowed("tenios_webhook_request_variable_value", request, |r| {
        r.variables.get(index).map(|(_, v)| v.as_ptr())
    })
}

/// How many validation errors (`blocksProcessingResult.validationErrors`) the request carries;
/// 0 when there are none (always at loopCount 0) and for NULL. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_validation_error_count(
    request: *const tenios_webhook_request,
) -> usize {
    guard("tenios_webhook_request_validation_error_count", || {
        // SAFETY: the caller passes NULL or a live request.
        Ok(unsafe { request_handle(request) }.map_or(0, |r| r.validation_errors.len()))
    })
    .unwrap_or(0)
}

/// Validation error `index` (0-based), e.g. `"Low level (JSON) error on line 1, column 25"`,
/// or NULL past the end. Borrowed: lives until `tenios_webhook_request_free`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_validation_error(
    request: *const tenios_webhook_request,
    index: usize,
) -> *const c_char {
    borrowed("tenios_webhook_request_validation_error", request, |r| {
        r.validation_errors.get(index).map(|e| e.as_ptr())
    })
}

/// Whether the request's `accessKey` equals `expected_key` (the key set up in the Call
/// Control block; a NUL-terminated string of 1 to 1024 bytes). Compared in constant time: the
/// time depends on the length of `expected_key` only, never on how much of it a request got
/// right. False when `request` or `expected_key` is NULL or `expected_key` is not a valid
/// argument (empty, too long, not UTF-8, control characters). Check it on every request and
/// answer anything else with 403. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_webhook_request_access_key_matches(
    request: *const tenios_webhook_request,
    expected_key: *const c_char,
) -> bool {
    guard("tenios_webhook_request_access_key_matches", || {
        // SAFETY: the caller passes NULL or a live request.
        let Some(r) = (unsafe { request_handle(request) }) else {
            return Ok(false);
        };
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let expected = unsafe { c_arg("expected_key", expected_key) }?;
        Ok(r.request.access_key_matches(expected.as_bytes()))
    })
    .unwrap_or(false)
}

// -------------------------------------------------------------------------------- the blocks

/// A BRIDGE between `tenios_blocks_bridge_begin` and `tenios_blocks_bridge_end`.
struct BridgeDraft {
    mode: BridgeMode,
    block_timeout: Option<u32>,
    destinations: Vec<Destination>,
}

/// What a `tenios_blocks` points to.
struct BlocksHandle {
    blocks: Blocks,
    bridge: Option<BridgeDraft>,
    /// `blocks.warnings()` as C strings.
    warnings: Vec<CString>,
}

impl BlocksHandle {
    fn sync_warnings(&mut self) {
        let new = &self.blocks.warnings()[self.warnings.len()..];
        let new: Vec<CString> = new.iter().map(|w| c_string(w.clone())).collect();
        self.warnings.extend(new);
    }

    fn no_open_bridge(&self) -> Result<(), Error> {
        if self.bridge.is_some() {
            return Err(Error::InvalidArgument(
                "a BRIDGE is open: end it with tenios_blocks_bridge_end first".into(),
            ));
        }
        Ok(())
    }
}

/// The builder behind a C pointer.
///
/// # Safety
/// `blocks` is NULL or came from `tenios_blocks_new`, is not freed, and no other thread uses it.
unsafe fn blocks_mut<'a>(blocks: *mut tenios_blocks) -> Result<&'a mut BlocksHandle, Error> {
    // SAFETY: see above.
    unsafe { blocks.cast::<BlocksHandle>().as_mut() }
        .ok_or_else(|| Error::InvalidArgument("blocks is NULL".into()))
}

/// # Safety
/// As [`blocks_mut`], read-only.
unsafe fn blocks_ref<'a>(blocks: *const tenios_blocks) -> Option<&'a BlocksHandle> {
    // SAFETY: see above.
    unsafe { blocks.cast::<BlocksHandle>().as_ref() }
}

/// Runs `add` on the builder (no BRIDGE may be open), then records its warnings.
fn add(
    function: &str,
    blocks: *mut tenios_blocks,
    out_err: *mut *mut tenios_error,
    add: impl FnOnce(&mut Blocks) -> Result<(), Error>,
) -> tenios_status {
    let result = guard(function, || {
        // SAFETY: the caller passes NULL or a live builder used by one thread at a time.
        let handle = unsafe { blocks_mut(blocks) }?;
        handle.no_open_bridge()?;
        add(&mut handle.blocks)?;
        handle.sync_warnings();
        Ok(())
    });
    report_object(result, out_err)
}

/// A new, empty answer. Returns NULL only on an internal error. Free it with
/// `tenios_blocks_free`. With no block added, `tenios_blocks_to_json` gives `{"blocks":[]}`.
#[no_mangle]
pub extern "C" fn tenios_blocks_new() -> *mut tenios_blocks {
    guard("tenios_blocks_new", || {
        Ok(Box::new(BlocksHandle {
            blocks: Blocks::new(),
            bridge: None,
            warnings: Vec::new(),
        }))
    })
    .map_or(ptr::null_mut(), |h| Box::into_raw(h).cast())
}

/// Frees a builder. NULL is ignored. Warnings borrowed from it become invalid.
#[no_mangle]
pub extern "C" fn tenios_blocks_free(blocks: *mut tenios_blocks) {
    // SAFETY: `blocks` is NULL or came from tenios_blocks_new, freed once.
    unsafe { free_handle("tenios_blocks_free", blocks.cast::<BlocksHandle>()) }
}

/// The answer that hands the call back to the routing plan, `{"blocks":[]}`: TENIOS ends the
/// Call Control block and routing continues with the plan's next block. Static: do not free it.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_blocks_empty_answer() -> *const c_char {
    const EMPTY: &CStr = c"{\"blocks\":[]}";
    EMPTY.as_ptr()
}

/// Begins a BRIDGE block, which forwards the call: `mode` is a `tenios_bridge_mode`;
/// `block_timeout_s` is the whole block's timeout in seconds (`blockTimeout`, PARALLEL's), or
/// -1 for none. Add destinations with `tenios_blocks_bridge_add_destination`, then add the
/// block with `tenios_blocks_bridge_end`. Errors (`TENIOS_ERR_INVALID_ARGUMENT`): `blocks` is
/// NULL, a BRIDGE is already open (it is discarded too), an unknown mode, `block_timeout_s`
/// below -1. Reports through `out_err` like every function here (NULL on success, else an
/// error object to free with `tenios_error_free`; `out_err` may be NULL). One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_bridge_begin(
    blocks: *mut tenios_blocks,
    mode: u32,
    block_timeout_s: i32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_blocks_bridge_begin", || {
        // SAFETY: the caller passes NULL or a live builder used by one thread at a time.
        let handle = unsafe { blocks_mut(blocks) }?;
        if handle.bridge.take().is_some() {
            return Err(Error::InvalidArgument(
                "a BRIDGE was already open (tenios_blocks_bridge_end was not called); it is \
                 discarded"
                    .into(),
            ));
        }
        let mode = checked_bridge_mode(mode)?;
        let block_timeout = optional_seconds("block_timeout_s", block_timeout_s)?;
        handle.bridge = Some(BridgeDraft {
            mode,
            block_timeout,
            destinations: Vec::new(),
        });
        Ok(())
    });
    report_object(result, out_err)
}

/// Adds a destination to the open BRIDGE: `destination_type` is a `tenios_destination_type`;
/// `destination` is an international number in E.164 form for
/// `TENIOS_DESTINATION_EXTERNALNUMBER` (`"+49221987654321"`: a + and 2 to 15 digits, no
/// spaces), a SIP account's user name for `TENIOS_DESTINATION_SIP_USER`, a SIP forwarding
/// profile's name for `TENIOS_DESTINATION_SIP_TRUNK` (NUL-terminated UTF-8, 1 to 1024 bytes,
/// no control characters); `timeout_s` is how long it rings in SEQUENTIAL mode, in seconds, or
/// -1 for none. On any error the whole BRIDGE is discarded (begin again). One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_bridge_add_destination(
    blocks: *mut tenios_blocks,
    destination_type: u32,
    destination: *const c_char,
    timeout_s: i32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_blocks_bridge_add_destination", || {
        // SAFETY: the caller passes NULL or a live builder used by one thread at a time.
        let handle = unsafe { blocks_mut(blocks) }?;
        let Some(mut draft) = handle.bridge.take() else {
            return Err(no_bridge_open());
        };
        let kind = checked_destination_type(destination_type)?;
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let destination = unsafe { c_arg("destination", destination) }?;
        let timeout = optional_seconds("timeout_s", timeout_s)?;
        draft
            .destinations
            .push(Destination::new(kind, destination, timeout)?);
        handle.bridge = Some(draft);
        Ok(())
    });
    report_object(result, out_err)
}

fn no_bridge_open() -> Error {
    Error::InvalidArgument(
        "no BRIDGE is open: call tenios_blocks_bridge_begin first (a failed BRIDGE step \
         discards the whole BRIDGE)"
            .into(),
    )
}

/// Checks the open BRIDGE and adds it: it needs at least one destination (an error
/// otherwise); timeouts that TENIOS's examples or clients would not use are warnings
/// (`tenios_blocks_warning`). Whatever the outcome, no BRIDGE is open afterwards. One thread at
/// a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_bridge_end(
    blocks: *mut tenios_blocks,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_blocks_bridge_end", || {
        // SAFETY: the caller passes NULL or a live builder used by one thread at a time.
        let handle = unsafe { blocks_mut(blocks) }?;
        let draft = handle.bridge.take().ok_or_else(no_bridge_open)?;
        handle
            .blocks
            .add_bridge(draft.mode, draft.block_timeout, &draft.destinations)?;
        handle.sync_warnings();
        Ok(())
    });
    report_object(result, out_err)
}

/// Adds an ANNOUNCEMENT block: plays `announcement_name` as listed in the portal (a TENIOS
/// stock announcement when `standard_announcement`). JSON:
/// `{"blockType":"ANNOUNCEMENT","standardAnnouncement":false,"announcementName":"..."}`.
/// Strings here and below: NUL-terminated UTF-8, 1 to 1024 bytes, no control characters.
/// On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_announcement(
    blocks: *mut tenios_blocks,
    standard_announcement: bool,
    announcement_name: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_announcement", blocks, out_err, |b| {
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let name = unsafe { c_arg("announcement_name", announcement_name) }?;
        b.add_announcement(standard_announcement, name)
    })
}

/// Adds a SAY block (text to speech): `text` (up to 8192 bytes; tabs and line breaks allowed;
/// SSML when `use_ssml`) spoken with `voice_name` (e.g. `"de.female.2"`; one that does not look
/// like `<lang>.<gender>.<n>` is a warning). JSON attributes: `text`, `voiceName`, `useSsml`.
/// On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_say(
    blocks: *mut tenios_blocks,
    text: *const c_char,
    voice_name: *const c_char,
    use_ssml: bool,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_say", blocks, out_err, |b| {
        if text.is_null() {
            return Err(Error::InvalidArgument("text is NULL".into()));
        }
        // SAFETY: a NUL-terminated string (or MAX_TEXT_BYTES + 1 readable bytes), read during
        // the call only.
        let text = std::str::from_utf8(unsafe { bounded_bytes(text, MAX_TEXT_BYTES) })
            .map_err(|_| Error::InvalidArgument("text is not valid UTF-8".into()))?;
        // SAFETY: as above.
        let voice_name = unsafe { c_arg("voice_name", voice_name) }?;
        b.add_say(text, voice_name, use_ssml)
    })
}

/// Adds a ROUTINGPLAN block: the call runs the routing plan `routing_plan_name` from the
/// portal (JSON attribute `routingplanName`). On an error nothing is added. One thread at a
/// time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_routing_plan(
    blocks: *mut tenios_blocks,
    routing_plan_name: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_routing_plan", blocks, out_err, |b| {
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let name = unsafe { c_arg("routing_plan_name", routing_plan_name) }?;
        b.add_routing_plan(name)
    })
}

/// Adds a COLLECT_DIGITS block (DTMF): plays `announcement_name`, collects `min_digits` to
/// `max_digits` digits ended by `terminator` (`"#"` or `"*"`) into the variable
/// `variable_name` (the next request's variables; third-party code reads it as
/// `collected_<variable_name>`, which TENIOS does not document), with `max_tries` attempts,
/// `timeout_s` seconds each, playing `error_announcement_name` after invalid input. Values
/// outside tenios-ruby's ranges (digits 1 to 32, min <= max, tries 1 to 10, timeout 1 to 300,
/// variable name `^[a-z0-9_]+$`) are warnings. JSON attributes in this order:
/// `announcementName`, `standardAnnouncement`, `errorAnnouncementName`,
/// `standardErrorAnnouncement`, `variableName`, `minDigits`, `maxDigits`, `terminator`,
/// `maxTries`, `timeout`. On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_collect_digits(
    blocks: *mut tenios_blocks,
    announcement_name: *const c_char,
    standard_announcement: bool,
    error_announcement_name: *const c_char,
    standard_error_announcement: bool,
    variable_name: *const c_char,
    min_digits: u32,
    max_digits: u32,
    terminator: *const c_char,
    max_tries: u32,
    timeout_s: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_collect_digits", blocks, out_err, |b| {
        // SAFETY: NULL or NUL-terminated strings, read during the call only.
        let collect = unsafe {
            CollectDigits {
                announcement_name: c_arg("announcement_name", announcement_name)?,
                standard_announcement,
                error_announcement_name: c_arg("error_announcement_name", error_announcement_name)?,
                standard_error_announcement,
                variable_name: c_arg("variable_name", variable_name)?,
                min_digits,
                max_digits,
                terminator: c_arg("terminator", terminator)?,
                max_tries,
                timeout: timeout_s,
            }
        };
        b.add_collect_digits(&collect)
    })
}

/// Adds a COLLECT_SPEECH block (speech recognition): plays `announcement_name`, recognises
/// speech in `language` (e.g. `"de-DE"`) into the variable `variable_name`, with `max_tries`
/// attempts, playing `missing_input_announcement_name` when nothing was said. JSON attributes
/// in this order: `announcementName`, `standardAnnouncement`, `missingInputAnnouncementName`,
/// `standardMissingInputAnnouncement`, `language`, `variableName`, `maxTries` (TENIOS's
/// example's; no ranges are known). On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_collect_speech(
    blocks: *mut tenios_blocks,
    announcement_name: *const c_char,
    standard_announcement: bool,
    missing_input_announcement_name: *const c_char,
    standard_missing_input_announcement: bool,
    language: *const c_char,
    variable_name: *const c_char,
    max_tries: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_collect_speech", blocks, out_err, |b| {
        // SAFETY: NULL or NUL-terminated strings, read during the call only.
        let collect = unsafe {
            CollectSpeech {
                announcement_name: c_arg("announcement_name", announcement_name)?,
                standard_announcement,
                missing_input_announcement_name: c_arg(
                    "missing_input_announcement_name",
                    missing_input_announcement_name,
                )?,
                standard_missing_input_announcement,
                language: c_arg("language", language)?,
                variable_name: c_arg("variable_name", variable_name)?,
                max_tries,
            }
        };
        b.add_collect_speech(&collect)
    })
}

/// Adds a HANGUP block: ends the call with `hangup_cause`, e.g. `"CALL_REJECTED"` (a cause
/// outside the 30 tenios-ruby knows is a warning; `NORMAL_CLEARING` is not among them). On an
/// error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_hangup(
    blocks: *mut tenios_blocks,
    hangup_cause: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_hangup", blocks, out_err, |b| {
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let cause = unsafe { c_arg("hangup_cause", hangup_cause) }?;
        b.add_hangup(cause)
    })
}

/// Adds a CALL_SETTINGS block: `forward_ani` is the caller ID shown on later forwards
/// (`forwardAni`, e.g. `"+4922155400"`; not E.164 is a warning). The only attribute known.
/// On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_call_settings(
    blocks: *mut tenios_blocks,
    forward_ani: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_call_settings", blocks, out_err, |b| {
        // SAFETY: NULL or a NUL-terminated string, read during the call only.
        let ani = unsafe { c_arg("forward_ani", forward_ani) }?;
        b.add_call_settings(ani)
    })
}

/// Adds a REFER block: the call goes back to the SIP trunk it came in on with a SIP REFER and
/// leaves TENIOS (only for calls over a registered trunk; others are hung up). TENIOS
/// documents no JSON for it: `blockType` `REFER` and the attribute `destination` (left out when
/// `destination` is NULL; the one argument here that may be NULL) are inferred, so a warning
/// is always recorded. On an error nothing is added. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_add_refer(
    blocks: *mut tenios_blocks,
    destination: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    add("tenios_blocks_add_refer", blocks, out_err, |b| {
        let destination = if destination.is_null() {
            None
        } else {
            // SAFETY: a NUL-terminated string, read during the call only.
            Some(unsafe { c_arg("destination", destination) }?)
        };
        b.add_refer(destination)
    })
}

/// How many blocks were added (an open BRIDGE is not counted). 0 for NULL. One thread at a
/// time.
#[no_mangle]
pub extern "C" fn tenios_blocks_count(blocks: *const tenios_blocks) -> usize {
    guard("tenios_blocks_count", || {
        // SAFETY: the caller passes NULL or a live builder.
        Ok(unsafe { blocks_ref(blocks) }.map_or(0, |h| h.blocks.len()))
    })
    .unwrap_or(0)
}

/// The answer's body, `{"blocks":[...]}` (compact JSON; `{"blocks":[]}` with no blocks), in
/// `*out_json`: a new NUL-terminated string the caller frees with `tenios_string_free`; NULL on
/// every error. Serve it with HTTP 200 and `Content-Type: application/json`. Fails when
/// `blocks` or `out_json` is NULL or a BRIDGE is open. The builder is not changed: it may be
/// serialised again. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_to_json(
    blocks: *const tenios_blocks,
    out_json: *mut *mut c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_blocks_to_json", || {
        if out_json.is_null() {
            return Err(Error::InvalidArgument("out_json is NULL".into()));
        }
        // SAFETY: checked non-NULL; the caller passes a writable `char *`.
        unsafe { *out_json = ptr::null_mut() };
        // SAFETY: the caller passes NULL or a live builder.
        let handle = unsafe { blocks_ref(blocks) }
            .ok_or_else(|| Error::InvalidArgument("blocks is NULL".into()))?;
        handle.no_open_bridge()?;
        let json = into_raw_string(handle.blocks.to_json());
        if json.is_null() {
            return Err(Error::Internal("internal error: out of memory".into()));
        }
        // SAFETY: checked non-NULL above.
        unsafe { *out_json = json };
        Ok(())
    });
    report_object(result, out_err)
}

/// How many warnings the added blocks gave (rules only an example or a client library
/// states; see the table in docs/webhook.md). 0 for NULL. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_warning_count(blocks: *const tenios_blocks) -> usize {
    guard("tenios_blocks_warning_count", || {
        // SAFETY: the caller passes NULL or a live builder.
        Ok(unsafe { blocks_ref(blocks) }.map_or(0, |h| h.warnings.len()))
    })
    .unwrap_or(0)
}

/// Warning `index` (0-based, in the order the blocks were added), e.g. `"block 2
/// (COLLECT_DIGITS): maxTries 0 is outside 1 to 10 [client]"`, or NULL past the end. Borrowed:
/// valid until the next call that adds to or frees the builder. One thread at a time.
#[no_mangle]
pub extern "C" fn tenios_blocks_warning(
    blocks: *const tenios_blocks,
    index: usize,
) -> *const c_char {
    guard("tenios_blocks_warning", || {
        // SAFETY: the caller passes NULL or a live builder.
        Ok(unsafe { blocks_ref(blocks) }
            .and_then(|h| h.warnings.get(index))
            .map_or(ptr::null(), |w| w.as_ptr()))
    })
    .unwrap_or(ptr::null())
}
