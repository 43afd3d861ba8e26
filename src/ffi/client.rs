//! `tenios_client_builder` and `tenios_client`: a client with its own options and connection
//! pool, for programs that outgrow the default client.

use std::ffi::c_char;
use std::path::Path;
use std::ptr;

use super::error::{report_object, tenios_error};
use super::{bounded_bytes, c_arg, free_handle, guard};
use crate::api::check_key;
use crate::base_url::BaseUrl;
use crate::client::Client;
use crate::config::{
    check_product, check_proxy, check_timeout_ms, ClientConfig, MAX_PRODUCT_BYTES,
};
use crate::error::Error;
use crate::status::tenios_status;
use crate::tls::{load_pem_file, TrustStore};

/// The longest CA file path accepted, in bytes (Linux's PATH_MAX).
const MAX_PATH_BYTES: usize = 4096;

/// Options for a `tenios_client`, set one by one and then built with `tenios_client_build`.
/// Created with `tenios_client_builder_new`, freed with `tenios_client_builder_free`.
///
/// Not thread-safe: a builder is used by one thread at a time (different builders may be used
/// by different threads at once). It may be handed from one thread to another.
pub struct tenios_client_builder {
    _private: [u8; 0],
}

/// A client with its own options, access key and connection pool, built with
/// `tenios_client_build` and freed with `tenios_client_free`.
///
/// Thread-safe: any number of threads may make calls on one client at once, and
/// `tenios_client_shutdown` may be called from any thread at any time. Freeing it is not:
/// `tenios_client_free` while another thread is inside a call on the same client is undefined
/// behaviour (shut it down, wait for those calls to return, then free it).
///
/// After `fork`, a client may be used in the parent and in the child: the child's first call
/// opens its own connections and never touches the ones it inherited.
pub struct tenios_client {
    _private: [u8; 0],
}

/// What a `tenios_client` points to.
pub(super) struct ClientHandle {
    pub(super) client: Client,
    pub(super) access_key: String,
}

impl Drop for ClientHandle {
    fn drop(&mut self) {
        // Leave no copy of the secret in freed memory.
        let mut key = std::mem::take(&mut self.access_key).into_bytes();
        key.fill(0);
        std::hint::black_box(&key);
    }
}

/// A new builder with the default options: base URL `https://api.tenios.com` (the
/// `TENIOS_API_URL` variable is not read here), 5000 ms to connect, 10000 ms in all, Mozilla's
/// bundled root certificates, no proxy (proxy variables ignored), User-Agent
/// `libtenios/<version>`. Returns NULL only on an internal error.
#[no_mangle]
pub extern "C" fn tenios_client_builder_new() -> *mut tenios_client_builder {
    guard("tenios_client_builder_new", || {
        Ok(Box::new(ClientConfig::default()))
    })
    .map_or(ptr::null_mut(), |config| Box::into_raw(config).cast())
}

/// Frees a builder. NULL is ignored. Clients built from it are not affected.
#[no_mangle]
pub extern "C" fn tenios_client_builder_free(builder: *mut tenios_client_builder) {
    // SAFETY: `builder` is NULL or came from tenios_client_builder_new, freed once.
    unsafe { free_handle("tenios_client_builder_free", builder.cast::<ClientConfig>()) }
}

/// Sets the base URL, e.g. `"https://api.tenios.com"` or `"http://127.0.0.1:8080"` for a
/// simulator: `https://`, or `http://` for loopback hosts only (127.0.0.0/8, ::1, localhost).
/// On error the builder keeps its previous value.
///
/// Every setter returns `TENIOS_OK`, or `TENIOS_ERR_INVALID_ARGUMENT` and, when `out_err` is
/// not NULL, an error object in `*out_err` (NULL on success) to free with `tenios_error_free`.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_base_url(
    builder: *mut tenios_client_builder,
    base_url: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_base_url",
        |config| {
            // SAFETY: the caller passes NULL or a NUL-terminated string.
            let url = unsafe { c_arg("base URL", base_url) }?;
            BaseUrl::parse(url).map_err(|reason| {
                Error::InvalidArgument(format!("base URL is unusable: {reason}"))
            })?;
            config.base_url = url.to_owned();
            config.base_url_origin = "base URL";
            Ok(())
        },
    )
}

/// Sets how long connecting may take, TLS handshake included: 1 to 600000 ms (default 5000).
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_connect_timeout_ms(
    builder: *mut tenios_client_builder,
    milliseconds: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_connect_timeout_ms",
        |config| {
            config.connect_timeout = check_timeout_ms("connect timeout", milliseconds)?;
            Ok(())
        },
    )
}

/// Sets how long a whole call may take, from connecting to the last byte of the response:
/// 1 to 600000 ms (default 10000).
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_timeout_ms(
    builder: *mut tenios_client_builder,
    milliseconds: u32,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_timeout_ms",
        |config| {
            config.timeout = check_timeout_ms("timeout", milliseconds)?;
            Ok(())
        },
    )
}

/// Trusts the CA certificates in the PEM file `pem_path` besides the trust store (for a
/// company CA that re-signs HTTPS, say). The file is read and checked now; NULL removes
/// them again.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_ca_file(
    builder: *mut tenios_client_builder,
    pem_path: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_ca_file",
        |config| {
            if pem_path.is_null() {
                config.extra_roots.clear();
                return Ok(());
            }
            // SAFETY: the caller passes a NUL-terminated string.
            let bytes = unsafe { bounded_bytes(pem_path, MAX_PATH_BYTES) };
            if bytes.len() > MAX_PATH_BYTES {
                return Err(Error::InvalidArgument(format!(
                    "CA file path is longer than {MAX_PATH_BYTES} bytes"
                )));
            }
            let path = std::str::from_utf8(bytes)
                .map_err(|_| Error::InvalidArgument("CA file path is not valid UTF-8".into()))?;
            config.extra_roots =
                load_pem_file(Path::new(path), "CA file").map_err(Error::InvalidArgument)?;
            Ok(())
        },
    )
}

/// With `true`, trusts the operating system's CA bundle (`SSL_CERT_FILE`, or the
/// distribution's file such as /etc/ssl/certs/ca-certificates.crt, read when the client is
/// built) instead of the Mozilla roots bundled in libtenios. Default `false`.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_system_trust_store(
    builder: *mut tenios_client_builder,
    use_system: bool,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_system_trust_store",
        |config| {
            config.trust_store = if use_system {
                TrustStore::System
            } else {
                TrustStore::Bundled
            };
            Ok(())
        },
    )
}

/// Sends requests through the HTTP proxy `proxy_url`, `http://[user:password@]host:port`,
/// e.g. `"http://proxy.example:3128"` (the port is required; every request is tunnelled with
/// CONNECT). NULL removes it.
/// With a plain-http (loopback) base URL the proxy must be on a loopback host too, or
/// `tenios_client_build` rejects the combination.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_proxy(
    builder: *mut tenios_client_builder,
    proxy_url: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_proxy",
        |config| {
            if proxy_url.is_null() {
                config.proxy = None;
                return Ok(());
            }
            // SAFETY: the caller passes a NUL-terminated string.
            let url = unsafe { c_arg("proxy URL", proxy_url) }?;
            check_proxy(url).map_err(Error::InvalidArgument)?;
            config.proxy = Some(url.to_owned());
            Ok(())
        },
    )
}

/// With `true`, and no proxy set, uses the proxy named by `ALL_PROXY`/`HTTPS_PROXY`/
/// `HTTP_PROXY` (and honours `NO_PROXY`), read when the client is built. Default `false`: the
/// variables are ignored, so that a stray one cannot reroute the access key.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_proxy_from_env(
    builder: *mut tenios_client_builder,
    honour: bool,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_proxy_from_env",
        |config| {
            config.proxy_from_env = honour;
            Ok(())
        },
    )
}

/// Appends a product token to the User-Agent, which becomes `libtenios/<version> <product>`
/// (e.g. `"my-pbx/2.1"`): printable ASCII, at most 256 bytes; surrounding spaces are
/// dropped. NULL removes it.
#[no_mangle]
pub extern "C" fn tenios_client_builder_set_user_agent_product(
    builder: *mut tenios_client_builder,
    product: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    set(
        builder,
        out_err,
        "tenios_client_builder_set_user_agent_product",
        |config| {
            if product.is_null() {
                config.user_agent_product = None;
                return Ok(());
            }
            // SAFETY: the caller passes a NUL-terminated string.
            let bytes = unsafe { bounded_bytes(product, MAX_PRODUCT_BYTES) };
            if bytes.len() > MAX_PRODUCT_BYTES {
                // Checked before decoding: the cut may have split a character.
                return Err(Error::InvalidArgument(format!(
                    "user agent product is longer than {MAX_PRODUCT_BYTES} bytes"
                )));
            }
            let text = std::str::from_utf8(bytes).map_err(|_| {
                Error::InvalidArgument("user agent product is not valid UTF-8".into())
            })?;
            config.user_agent_product = Some(check_product(text)?.to_owned());
            Ok(())
        },
    )
}

/// Builds a client for `access_key` with the builder's options. Nothing is sent yet. The
/// builder is not consumed: free it when done, and build more clients from it if you like.
///
/// On success `*out_client` is a new client to free with `tenios_client_free`; on error it is
/// NULL and the status says why (`TENIOS_ERR_INVALID_ARGUMENT` for a bad key or option; a key
/// must be 8 to 1024 bytes, see the header's "Keys").
#[no_mangle]
pub extern "C" fn tenios_client_build(
    builder: *const tenios_client_builder,
    access_key: *const c_char,
    out_client: *mut *mut tenios_client,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_build", || {
        if out_client.is_null() {
            return Err(Error::InvalidArgument("out_client is NULL".into()));
        }
        // SAFETY: the caller passes a writable `tenios_client *`.
        unsafe { *out_client = ptr::null_mut() };
        // SAFETY: the caller passes NULL or a live builder from tenios_client_builder_new.
        let config = unsafe { builder.cast::<ClientConfig>().as_ref() }
            .ok_or_else(|| Error::InvalidArgument("builder is NULL".into()))?;
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let access_key = unsafe { c_arg("access_key", access_key) }?;
        check_key("access_key", access_key)?;
        let access_key = access_key.to_owned();
        let client = Client::new(config.clone())?;
        let handle = Box::new(ClientHandle { client, access_key });
        // SAFETY: checked non-NULL above.
        unsafe { *out_client = Box::into_raw(handle).cast() };
        Ok(())
    });
    report_object(result, out_err)
}

/// Frees a client and closes its connections. NULL is ignored. No other thread may be inside a
/// call on this client (undefined behaviour otherwise): use `tenios_client_shutdown` first to
/// make such calls return, and wait for them. In a child process after `fork`, only the
/// child's copies of the inherited connections are closed: the parent keeps using them.
#[no_mangle]
pub extern "C" fn tenios_client_free(client: *mut tenios_client) {
    // SAFETY: `client` is NULL or came from tenios_client_build, freed once.
    unsafe { free_handle("tenios_client_free", client.cast::<ClientHandle>()) }
}

/// Interrupts the block running on the live call `call_uuid`, like `tenios_interrupt_block`
/// but with this client's key, options and connection pool.
///
/// Returns `TENIOS_OK` (and NULL in `*out_err`), or an error status with, when `out_err` is
/// not NULL, an error object in `*out_err` to free with `tenios_error_free`. After
/// `tenios_client_shutdown`: `TENIOS_ERR_SHUTDOWN`. Thread-safe.
#[no_mangle]
pub extern "C" fn tenios_client_interrupt_block(
    client: *const tenios_client,
    call_uuid: *const c_char,
    out_err: *mut *mut tenios_error,
) -> tenios_status {
    let result = guard("tenios_client_interrupt_block", || {
        // SAFETY: the caller passes NULL or a live client from tenios_client_build.
        let handle = unsafe { client_handle(client) }?;
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let call_uuid = unsafe { c_arg("call_uuid", call_uuid) }?;
        handle.client.interrupt_block(&handle.access_key, call_uuid)
    });
    report_object(result, out_err)
}

/// Shuts a client down, for a module that must stop now: calls on it in flight in other
/// threads return `TENIOS_ERR_SHUTDOWN` at once instead of waiting out their timeout, whether
/// they are reading or writing, in their TCP connect, their TLS handshake, a proxy's CONNECT
/// or a pre-connect (every socket the client opened in this process is shut down); a call
/// waiting for a name lookup returns within 50 ms; a call whose response had fully arrived
/// succeeds. Later calls return `TENIOS_ERR_SHUTDOWN` without sending anything. The message
/// says whether a cancelled request was not sent (the shutdown came before it was written)
/// or may or may not have reached the API.
///
/// NULL is ignored. Idempotent and thread-safe: it may be called while other threads are
/// inside calls on `client`. It does not free the client: call `tenios_client_free` once those
/// calls have returned. In a child process after `fork`, it does not touch the connections
/// inherited from the parent.
#[no_mangle]
pub extern "C" fn tenios_client_shutdown(client: *const tenios_client) {
    let _ = guard("tenios_client_shutdown", || {
        // SAFETY: the caller passes NULL or a live client from tenios_client_build.
        if let Some(handle) = unsafe { client.cast::<ClientHandle>().as_ref() } {
            handle.client.shutdown();
        }
        Ok(())
    });
}

/// The client behind a C pointer, or an argument error for NULL.
///
/// # Safety
/// `client` is NULL or a live client from `tenios_client_build`.
pub(super) unsafe fn client_handle<'a>(
    client: *const tenios_client,
) -> Result<&'a ClientHandle, Error> {
    // SAFETY: forwarded from the caller.
    unsafe { client.cast::<ClientHandle>().as_ref() }
        .ok_or_else(|| Error::InvalidArgument("client is NULL".into()))
}

/// Runs a setter on the builder behind `builder`, reporting through `out_err`.
pub(super) fn set(
    builder: *mut tenios_client_builder,
    out_err: *mut *mut tenios_error,
    function: &str,
    apply: impl FnOnce(&mut ClientConfig) -> Result<(), Error>,
) -> tenios_status {
    let result = guard(function, || {
        // SAFETY: the caller passes NULL or a live builder used by one thread at a time.
        let config = unsafe { builder.cast::<ClientConfig>().as_mut() }
            .ok_or_else(|| Error::InvalidArgument("builder is NULL".into()))?;
        // Apply to a copy so that a failed setter leaves the builder as it was.
        let mut updated = config.clone();
        apply(&mut updated)?;
        *config = updated;
        Ok(())
    });
    report_object(result, out_err)
}
