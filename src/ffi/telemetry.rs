//! Seeing what calls did: the log callback (per client and for the default client), per-call
//! timings, pre-connect and the idle timeout of pooled connections.

use std::ffi::{c_char, c_void, CString};

use super::client::{client_handle, tenios_client, tenios_client_builder};
use super::error::{report_object, tenios_error, ErrorObject};
use super::{c_string, guard};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::status::tenios_status;
use crate::telemetry::{last_call_timings, LogLevel, LogSink, Timings};

/// How much a log line matters, for the `max_level` of a log callback: a `uint32_t` with these
/// values (numbers never change; a callback receives every level up to its maximum).
#[allow(non_camel_case_types)]
#[repr(u32)]
pub enum tenios_log_level {
    /// A call failed: its status and message.
    TENIOS_LOG_ERROR = 1,
    /// Worth an operator's attention without failing the call.
    TENIOS_LOG_WARN = 2,
    /// One line per notable step: connected, TLS established (version, cipher, resumed or
    /// not), connection reused, request sent, response status and time.
    TENIOS_LOG_INFO = 3,
    /// Details: name lookups and connection attempts.
    TENIOS_LOG_DEBUG = 4,
}

/// A log callback: `user_data` as given when it was set, the line's `tenios_log_level`, and the
/// line, NUL-terminated UTF-8, valid only during the callback.
///
/// The rules: it is called on the thread that made the call, after the call's I/O is done and
/// before the call returns, once per line in order, with no libtenios lock held. It may call
/// libtenios (even make another call, whose lines it then receives too: do not recurse without
/// end), but must not free the client it is logging for, cannot replace or remove itself
/// (`tenios_global_set_log_callback` refuses that from inside it), must not unwind (throw a C++
/// exception or longjmp) out of itself, and should return quickly: the call that logs waits
/// for it. Calls from several threads invoke it concurrently, so `user_data` must be safe to
/// use from any thread. Lines never contain the access key, the supervisor key or a request
/// body.
///
/// When `user_data` may be freed: a client's callback (`tenios_client_builder_set_log_callback`)
/// is entered only during calls on a client built with it, so once `tenios_client_free` has
/// returned for every such client (a builder never calls it). The default client's callback
/// (`tenios_global_set_log_callback`) as soon as the call that replaced or removed it has
/// returned `TENIOS_OK`: that call waits for deliveries of the old callback in flight on other
/// threads to return, and the old callback is never entered again (the lines of calls still in
/// flight then are dropped).
pub type tenios_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

/// The time one call took, by step: filled by `tenios_last_call_timings` and
/// `tenios_error_timings`. Before passing one, set `struct_size` to
/// `sizeof(tenios_call_timings)`: libtenios fills only that many bytes (so a program compiled
/// against an older header gets the fields it knows) and sets `struct_size` to what it filled.
/// Fields may be appended in later versions, never changed.
#[repr(C)]
pub struct tenios_call_timings {
    /// In: the size of the caller's struct. Out: the bytes libtenios filled.
    pub struct_size: u32,
    /// True when the call used a pooled (or pre-connected) connection: no lookup, no connect,
    /// no TLS handshake.
    pub connection_reused: bool,
    /// Name resolution, in microseconds (0 for an IP address, a cached name or a reused
    /// connection).
    pub resolve_us: u64,
    /// The TCP connect, in microseconds.
    pub connect_us: u64,
    /// The TLS handshake, in microseconds.
    pub tls_us: u64,
    /// From the start of the call to the first byte of the response, in microseconds (0 when
    /// none arrived).
    pub first_byte_us: u64,
    /// The whole call, in microseconds.
    pub total_us: u64,
}

// The C numbers are the Rust levels' numbers: written once, checked here.
const _: () = assert!(
    tenios_log_level::TENIOS_LOG_ERROR as u32 == LogLevel::Error as u32
        && tenios_log_level::TENIOS_LOG_WARN as u32 == LogLevel::Warn as u32
        && tenios_log_level::TENIOS_LOG_INFO as u32 == LogLevel::Info as u32
        && tenios_log_level::TENIOS_LOG_DEBUG as u32 == LogLevel::Debug as u32
);

fn level(value: u32) -> Result<LogLevel, Error> {
    LogLevel::from_number(value).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "max_level {value} is not TENIOS_LOG_ERROR (1), TENIOS_LOG_WARN (2), TENIOS_LOG_INFO \
             (3) or TENIOS_LOG_DEBUG (4)"
        ))
    })
}

/// A sink that calls a C function.
fn c_sink(
    callback: tenios_log_callback,
    user_data: *mut c_void,
    max_level: u32,
) -> Result<Option<LogSink>, Error> {
    let Some(callback) = callback else {
        return Ok(None);
    };
    let max = level(max_level)?;
    // Carried as an integer: the caller promised it may be used from any thread.
    let user_data = user_data as usize;
    Ok(Some(LogSink::new(max, move |level, line| {
        let line = c_string(line.to_owned());
        // SAFETY: the caller gave a function with this signature, to be called with its
        // user_data and a NUL-terminated string that lives during the call.
        unsafe { callback(user_data as *mut c_void, level as u32, line.as_ptr()) };
        drop::<CString>(line);
    })))
}

/// Sends this client's log lines to `callback` (NULL: no logging, the default), with every
/// level up to `max_level` (a `tenios_log_level`; lines above it are never even formatted).
/// See `tenios_log_callback` for the rules a callback follows. Like every setter: on error the
/// builder keeps its previous value.
///
/// Every client built from the builder afterwards keeps this callback and `user_data` for its
/// whole life (replacing the builder's callback does not change clients already built):
/// `user_data` may be freed once `tenios_client_free` has returned for every one of them.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_log_callback(
    builder: *mut tenios_client_builder,
    callback: tenios_log_callback,
    user_data: *mut c_void,
    max_level: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    super::client::set(
        builder,
        out_err,
        "tenios_client_builder_set_log_callback",
        |config: &mut ClientConfig| {
            config.log = c_sink(callback, user_data, max_level)?;
            Ok(())
        },
    )
}

/// The log callback of the default client (`tenios_interrupt_block`); NULL removes it. It
/// applies from the next call on, and survives `tenios_global_init` and
/// `tenios_global_cleanup`. Thread-safe.
///
/// When it returns `TENIOS_OK`, the previous callback is never entered again, deliveries in
/// flight included: it waits for the previous callback's deliveries in flight on other threads
/// to return (so do not call it while holding a lock your callback takes), and lines of calls
/// still in flight are dropped. From then on the previous `user_data` may be freed.
///
/// Called from inside the default client's current callback (on the thread it is delivering
/// on), it would wait for itself: it returns `TENIOS_ERR_INVALID_ARGUMENT` instead and changes
/// nothing. On every error the previous callback stays in place.
#[no_mangle]
pub extern "C" fn tenios_global_set_log_callback(
    callback: tenios_log_callback,
    user_data: *mut c_void,
    max_level: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_global_set_log_callback", || {
        let sink = c_sink(callback, user_data, max_level)?;
        super::default_client::set_log(sink, "tenios_global_set_log_callback")
    });
    report_object(result, out_err)
}

/// How long an idle pooled connection is kept for reuse: 1 to 600000 ms (default 70000).
/// Servers commonly keep one 60 s or more (nginx 75 s); TCP keepalive on every connection
/// (first probe after 15 s idle) finds one that a NAT or firewall dropped in silence before a
/// request is sent into it.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_idle_timeout_ms(
    builder: *mut tenios_client_builder,
    milliseconds: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    super::client::set(
        builder,
        out_err,
        "tenios_client_builder_set_idle_timeout_ms",
        |config: &mut ClientConfig| {
            config.idle_timeout = crate::config::check_timeout_ms("idle timeout", milliseconds)?;
            Ok(())
        },
    )
}

/// Opens a connection to the API now (name lookup, TCP connect, TLS handshake) and keeps it
/// for the next call on this client that needs a new connection, so that call costs one round
/// trip: for a program that knows a call may come soon (a caller just entered the waiting
/// loop). Sends no request. The connection is kept as long as an idle pooled one
/// (`tenios_client_builder_set_idle_timeout_ms`); at most 4 are kept. Not through a proxy
/// (`TENIOS_ERR_INVALID_ARGUMENT`). Returns like a call: `TENIOS_ERR_NETWORK` or
/// `TENIOS_ERR_TIMEOUT` when the connection cannot be made. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_preconnect(
    client: *const tenios_client,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_preconnect", || {
        // SAFETY: the caller passes NULL or a live client.
        let handle = unsafe { client_handle(client) }?;
        handle.client.preconnect()
    });
    report_object(result, out_err)
}

/// Fills `*out` with the timings of the last call this thread made (on any client, the
/// default one included; a pre-connect counts as a call here), whether it succeeded or not.
/// `out->struct_size` must be set first (see `tenios_call_timings`). Returns `TENIOS_OK`, or
/// `TENIOS_ERR_INVALID_ARGUMENT` when `out` is NULL or `struct_size` is smaller than 4.
/// Thread-safe: each thread has its own last call.
#[no_mangle]
pub extern "C" fn tenios_last_call_timings(out: *mut tenios_call_timings) -> tenios_status {
    let result = guard("tenios_last_call_timings", || {
        // SAFETY: the caller passes NULL or a struct of at least struct_size bytes.
        unsafe { fill(out, last_call_timings()) }
    });
    result.map_or_else(|e| e.status(), |()| tenios_status::TENIOS_OK)
}

/// Fills `*out` with the timings of the call that failed with `error` (see
/// `tenios_last_call_timings`): only that call's, never an earlier one's. An error from a
/// function that sent nothing because it refused its input or state has every field zero
/// (`connection_reused` false): every `TENIOS_ERR_INVALID_ARGUMENT` (an argument, a builder
/// option, a client that could not be built), `TENIOS_ERR_SHUTDOWN` for a call made after the
/// shutdown, and every error of the webhook functions.
/// Returns `TENIOS_OK`, or `TENIOS_ERR_INVALID_ARGUMENT` for a NULL `error` or `out` or a
/// `struct_size` below 4.
#[no_mangle]
pub extern "C" fn tenios_error_timings(
    error: *const tenios_error,
    out: *mut tenios_call_timings,
) -> tenios_status {
    let result = guard("tenios_error_timings", || {
        // SAFETY: the caller passes NULL or an error object from libtenios.
        let object = unsafe { error.cast::<ErrorObject>().as_ref() }
            .ok_or_else(|| Error::InvalidArgument("error is NULL".into()))?;
        // SAFETY: as above.
        unsafe { fill(out, object.timings) }
    });
    result.map_or_else(|e| e.status(), |()| tenios_status::TENIOS_OK)
}

/// Writes `timings` into the caller's struct, no more than its `struct_size` bytes.
///
/// # Safety
/// `out` is NULL or points to a writable struct of at least `out->struct_size` bytes.
unsafe fn fill(out: *mut tenios_call_timings, timings: Timings) -> Result<(), Error> {
    if out.is_null() {
        return Err(Error::InvalidArgument("out is NULL".into()));
    }
    // SAFETY: non-NULL; struct_size is the first field, readable in any version's struct.
    let size = unsafe { out.cast::<u32>().read() } as usize;
    if size < 4 {
        return Err(Error::InvalidArgument(format!(
            "struct_size {size} is too small"
        )));
    }
    let us = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    let full = tenios_call_timings {
        struct_size: 0,
        connection_reused: timings.connection_reused,
        resolve_us: us(timings.resolve),
        connect_us: us(timings.connect),
        tls_us: us(timings.tls),
        first_byte_us: us(timings.first_byte),
        total_us: us(timings.total),
    };
    let filled = size.min(std::mem::size_of::<tenios_call_timings>());
    // SAFETY: both are valid for `filled` bytes; they do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(
            (&full as *const tenios_call_timings).cast::<u8>(),
            out.cast::<u8>(),
            filled,
        );
        out.cast::<u32>().write(filled as u32);
    }
    Ok(())
}
