//! The process-wide default client behind `tenios_interrupt_block`, and its life cycle:
//! `tenios_global_init` and `tenios_global_cleanup`, and the environment read at load time.

use std::ffi::c_char;
use std::sync::{Arc, Mutex, OnceLock};

use super::error::{report_object, tenios_error};
use super::{c_arg, guard, report};
use crate::client::Client;
use crate::config::{ClientConfig, Environment};
use crate::error::Error;
use crate::fork::{self, Locked};
use crate::status::tenios_status;
use crate::telemetry::LogSink;

/// The environment as it was when the library was loaded.
static LOAD_TIME_ENVIRONMENT: OnceLock<Environment> = OnceLock::new();

/// Runs when the library is loaded (by the dynamic loader, before `dlopen` returns or, for a
/// program linked with `-ltenios`, before `main`): the one moment at which reading the
/// environment cannot race a `setenv` of the program's own threads unless the program loads
/// libtenios while another thread changes its environment.
extern "C" fn read_environment_at_load() {
    // Nothing may unwind out of a loader callback.
    let _ = std::panic::catch_unwind(|| LOAD_TIME_ENVIRONMENT.get_or_init(Environment::read));
}

#[used]
#[link_section = ".init_array"]
static READ_ENVIRONMENT_AT_LOAD: extern "C" fn() = read_environment_at_load;

enum DefaultClient {
    /// Not built yet: the first call builds it from the load-time environment.
    Unbuilt,
    Ready(Arc<Client>),
    /// The environment named an unusable base URL or CA file: every call reports it.
    Unusable(Error),
    /// `tenios_global_cleanup` was called; `tenios_global_init` makes it usable again.
    ShutDown,
}

/// Everything the default client is: the client and its log sink, changed together under one
/// lock so that a client built by `tenios_global_init` always gets the sink that is current
/// when it is installed (never one a concurrent `tenios_global_set_log_callback` replaced).
struct DefaultState {
    client: DefaultClient,
    /// Survives `tenios_global_init` and `tenios_global_cleanup`.
    log: Option<LogSink>,
}

impl DefaultState {
    /// Installs `client`, giving it the current log sink.
    fn install(&mut self, client: DefaultClient) {
        if let DefaultClient::Ready(client) = &client {
            client.set_log(self.log.clone());
        }
        self.client = client;
    }
}

/// Locked only to read or replace the state (and to build the client on first use), never
/// during a call or a log delivery.
static DEFAULT: Mutex<DefaultState> = Mutex::new(DefaultState {
    client: DefaultClient::Unbuilt,
    log: None,
});

/// Through the fork gate (`crate::fork`): a child never inherits it held.
fn lock() -> Locked<'static, DefaultState> {
    fork::lock(&DEFAULT)
}

/// A client from `environment`, without a log sink (see [`DefaultState::install`]).
fn build(environment: &Environment) -> DefaultClient {
    match ClientConfig::from_environment(environment).and_then(Client::new) {
        Ok(client) => DefaultClient::Ready(Arc::new(client)),
        Err(e) => DefaultClient::Unusable(e),
    }
}

fn default_client() -> Result<Arc<Client>, Error> {
    let mut state = lock();
    if matches!(state.client, DefaultClient::Unbuilt) {
        let client = build(LOAD_TIME_ENVIRONMENT.get_or_init(Environment::read));
        state.install(client);
    }
    match &state.client {
        DefaultClient::Ready(client) => Ok(Arc::clone(client)),
        DefaultClient::Unusable(e) => Err(e.clone()),
        DefaultClient::ShutDown => Err(Error::Shutdown(
            "the default client was shut down by tenios_global_cleanup; call \
             tenios_global_init to use it again"
                .into(),
        )),
        DefaultClient::Unbuilt => unreachable!("built above"),
    }
}

/// Makes `sink` the default client's log sink (None: no logging), and returns once the
/// previous sink's function is never entered again: deliveries of it in flight on other
/// threads have returned, later ones are dropped. Refused, changing nothing, when this thread
/// is inside the previous sink's function (waiting for itself would never end).
pub(super) fn set_log(sink: Option<LogSink>, function: &str) -> Result<(), Error> {
    let previous = {
        let mut state = lock();
        if state
            .log
            .as_ref()
            .is_some_and(LogSink::is_delivering_on_this_thread)
        {
            return Err(Error::InvalidArgument(format!(
                "{function} was called from inside the log callback it would replace; the \
                 callback was not changed (change it from outside the callback)"
            )));
        }
        if let DefaultClient::Ready(client) = &state.client {
            client.set_log(sink.clone());
        }
        std::mem::replace(&mut state.log, sink)
    };
    // Outside the lock: a delivery being waited for may itself call the default client.
    if let Some(previous) = previous {
        previous.retire();
    }
    Ok(())
}

/// Interrupts the block that is currently running on a live call (an announcement loop, say),
/// through `POST /interrupt-ecc-block`. TENIOS then asks your Call Control webhook for the next
/// blocks.
///
/// `access_key` and `call_uuid` must be NUL-terminated UTF-8 of 1 to 1024 bytes without control
/// characters, the key at least 8 bytes; anything else returns `TENIOS_ERR_INVALID_ARGUMENT`
/// before anything is sent.
///
/// This uses the process-wide default client. Its base URL is `https://api.tenios.com`, or
/// the environment variable `TENIOS_API_URL` (`http://` is accepted only for loopback hosts);
/// `TENIOS_CA_FILE` names a PEM file of CA certificates to trust besides the bundled Mozilla
/// roots. Both are read when libtenios is loaded, or again by `tenios_global_init`, never
/// during a call; an unusable value makes every call return `TENIOS_ERR_INVALID_ARGUMENT`.
/// It waits at most 5 s to connect and 10 s in all, never follows a redirect and never sends
/// a request twice. After `tenios_global_cleanup` it returns `TENIOS_ERR_SHUTDOWN`.
///
/// `out_err` may be NULL. Otherwise `*out_err` is set to NULL on `TENIOS_OK` and, on every
/// error, to a newly allocated NUL-terminated UTF-8 message that the caller must free with
/// `tenios_string_free`. The message never contains the access key.
///
/// Thread-safe: any number of threads may call at once; they share one connection pool.
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
        default_client()?.interrupt_block(access_key, call_uuid)
    });
    report(result, out_err)
}

/// Reads `TENIOS_API_URL` and `TENIOS_CA_FILE` now and builds a new default client from them
/// for `tenios_interrupt_block`. Optional: without it, the default client is built on the
/// first call from the values these variables had when libtenios was loaded. Call it after
/// changing them, or after `tenios_global_cleanup` to use the default client again; call it
/// while no other thread changes the environment (reading it then is a data race in C).
///
/// Calls already in flight finish on the previous default client. Returns `TENIOS_OK`, or
/// `TENIOS_ERR_INVALID_ARGUMENT` when a variable is unusable (the error object says which,
/// and later calls of `tenios_interrupt_block` report the same error). `out_err` as for
/// `tenios_client_build`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_global_init(out_err: *mut *mut tenios_error) -> tenios_status {
    let result = guard("tenios_global_init", || {
        // Built outside the lock (it may read a CA file); installed with the sink that is
        // current then.
        let next = build(&Environment::read());
        let outcome = match &next {
            DefaultClient::Unusable(e) => Err(e.clone()),
            _ => Ok(()),
        };
        lock().install(next);
        outcome
    });
    report_object(result, out_err)
}

/// Shuts the default client down, for a module that is about to stop or be unloaded: calls of
/// `tenios_interrupt_block` in flight in other threads return `TENIOS_ERR_SHUTDOWN` at once
/// (a call still making its TCP connection returns when that ends, within the 5 s connect
/// timeout), its pooled connections are closed, and later calls return `TENIOS_ERR_SHUTDOWN`
/// until `tenios_global_init` is called. Client handles are not affected. Idempotent and
/// thread-safe. The default client is shared by everything in the process that uses
/// `tenios_interrupt_block`: a host with several such users should give each a client handle.
#[no_mangle]
pub extern "C" fn tenios_global_cleanup() {
    let _ = guard("tenios_global_cleanup", || {
        let previous = std::mem::replace(&mut lock().client, DefaultClient::ShutDown);
        // Outside the lock: shutting sockets down is I/O.
        if let DefaultClient::Ready(client) = previous {
            client.shutdown();
        }
        Ok(())
    });
}
