//! The C ABI as a C program sees it: `extern "C"` declarations matching include/tenios.h,
//! resolved against the library's exported symbols (the `ffi` module is not part of the Rust
//! API). Each wrapper passes its raw pointers through unchanged; the tests, like a C program,
//! are responsible for them. A status is received as the `uint32_t` it is in C and must be
//! one the library documents.
#![allow(non_camel_case_types)]
#![allow(dead_code, clippy::not_unsafe_ptr_arg_deref)]

use std::ffi::c_char;

use tenios::Status;

/// The opaque C types.
#[repr(C)]
pub struct tenios_client_builder {
    _private: [u8; 0],
}
#[repr(C)]
pub struct tenios_client {
    _private: [u8; 0],
}
#[repr(C)]
pub struct tenios_error {
    _private: [u8; 0],
}

mod raw {
    use super::*;
    extern "C" {
        pub fn tenios_string_free(s: *mut c_char);
        pub fn tenios_status_str(status: u32) -> *const c_char;
        pub fn tenios_version() -> *const c_char;
        pub fn tenios_client_builder_new() -> *mut tenios_client_builder;
        pub fn tenios_client_builder_free(builder: *mut tenios_client_builder);
        pub fn tenios_client_builder_set_base_url(
            builder: *mut tenios_client_builder,
            base_url: *const c_char,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_connect_timeout_ms(
            builder: *mut tenios_client_builder,
            milliseconds: u32,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_timeout_ms(
            builder: *mut tenios_client_builder,
            milliseconds: u32,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_ca_file(
            builder: *mut tenios_client_builder,
            pem_path: *const c_char,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_system_trust_store(
            builder: *mut tenios_client_builder,
            use_system: bool,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_proxy(
            builder: *mut tenios_client_builder,
            proxy_url: *const c_char,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_proxy_from_env(
            builder: *mut tenios_client_builder,
            honour: bool,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_builder_set_user_agent_product(
            builder: *mut tenios_client_builder,
            product: *const c_char,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_build(
            builder: *const tenios_client_builder,
            access_key: *const c_char,
            out_client: *mut *mut tenios_client,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_free(client: *mut tenios_client);
        pub fn tenios_client_interrupt_block(
            client: *const tenios_client,
            call_uuid: *const c_char,
            out_err: *mut *mut tenios_error,
        ) -> u32;
        pub fn tenios_client_shutdown(client: *const tenios_client);
        pub fn tenios_interrupt_block(
            access_key: *const c_char,
            call_uuid: *const c_char,
            out_err: *mut *mut c_char,
        ) -> u32;
        pub fn tenios_global_init(out_err: *mut *mut tenios_error) -> u32;
        pub fn tenios_global_cleanup();
        pub fn tenios_error_status(error: *const tenios_error) -> u32;
        pub fn tenios_error_message(error: *const tenios_error) -> *const c_char;
        pub fn tenios_error_api_code(error: *const tenios_error) -> *const c_char;
        pub fn tenios_error_http_status(error: *const tenios_error) -> u16;
        pub fn tenios_error_field_count(error: *const tenios_error) -> usize;
        pub fn tenios_error_field(error: *const tenios_error, index: usize) -> *const c_char;
        pub fn tenios_error_free(error: *mut tenios_error);
    }
}

/// A status from the library, which must be one of the documented values.
fn status(code: u32) -> Status {
    Status::from_code(code).unwrap_or_else(|| panic!("undocumented status {code}"))
}

pub fn tenios_string_free(s: *mut c_char) {
    unsafe { raw::tenios_string_free(s) }
}

pub fn tenios_status_str(status: u32) -> *const c_char {
    unsafe { raw::tenios_status_str(status) }
}

pub fn tenios_version() -> *const c_char {
    unsafe { raw::tenios_version() }
}

pub fn tenios_client_builder_new() -> *mut tenios_client_builder {
    unsafe { raw::tenios_client_builder_new() }
}

pub fn tenios_client_builder_free(builder: *mut tenios_client_builder) {
    unsafe { raw::tenios_client_builder_free(builder) }
}

pub fn tenios_client_builder_set_base_url(
    builder: *mut tenios_client_builder,
    base_url: *const c_char,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_base_url(builder, base_url, out_err) })
}

pub fn tenios_client_builder_set_connect_timeout_ms(
    builder: *mut tenios_client_builder,
    milliseconds: u32,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe {
        raw::tenios_client_builder_set_connect_timeout_ms(builder, milliseconds, out_err)
    })
}

pub fn tenios_client_builder_set_timeout_ms(
    builder: *mut tenios_client_builder,
    milliseconds: u32,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_timeout_ms(builder, milliseconds, out_err) })
}

pub fn tenios_client_builder_set_ca_file(
    builder: *mut tenios_client_builder,
    pem_path: *const c_char,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_ca_file(builder, pem_path, out_err) })
}

pub fn tenios_client_builder_set_system_trust_store(
    builder: *mut tenios_client_builder,
    use_system: bool,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe {
        raw::tenios_client_builder_set_system_trust_store(builder, use_system, out_err)
    })
}

pub fn tenios_client_builder_set_proxy(
    builder: *mut tenios_client_builder,
    proxy_url: *const c_char,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_proxy(builder, proxy_url, out_err) })
}

pub fn tenios_client_builder_set_proxy_from_env(
    builder: *mut tenios_client_builder,
    honour: bool,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_proxy_from_env(builder, honour, out_err) })
}

pub fn tenios_client_builder_set_user_agent_product(
    builder: *mut tenios_client_builder,
    product: *const c_char,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_builder_set_user_agent_product(builder, product, out_err) })
}

pub fn tenios_client_build(
    builder: *const tenios_client_builder,
    access_key: *const c_char,
    out_client: *mut *mut tenios_client,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_build(builder, access_key, out_client, out_err) })
}

pub fn tenios_client_free(client: *mut tenios_client) {
    unsafe { raw::tenios_client_free(client) }
}

pub fn tenios_client_interrupt_block(
    client: *const tenios_client,
    call_uuid: *const c_char,
    out_err: *mut *mut tenios_error,
) -> Status {
    status(unsafe { raw::tenios_client_interrupt_block(client, call_uuid, out_err) })
}

pub fn tenios_client_shutdown(client: *const tenios_client) {
    unsafe { raw::tenios_client_shutdown(client) }
}

pub fn tenios_interrupt_block(
    access_key: *const c_char,
    call_uuid: *const c_char,
    out_err: *mut *mut c_char,
) -> Status {
    status(unsafe { raw::tenios_interrupt_block(access_key, call_uuid, out_err) })
}

pub fn tenios_global_init(out_err: *mut *mut tenios_error) -> Status {
    status(unsafe { raw::tenios_global_init(out_err) })
}

pub fn tenios_global_cleanup() {
    unsafe { raw::tenios_global_cleanup() }
}

pub fn tenios_error_status(error: *const tenios_error) -> Status {
    status(unsafe { raw::tenios_error_status(error) })
}

pub fn tenios_error_message(error: *const tenios_error) -> *const c_char {
    unsafe { raw::tenios_error_message(error) }
}

pub fn tenios_error_api_code(error: *const tenios_error) -> *const c_char {
    unsafe { raw::tenios_error_api_code(error) }
}

pub fn tenios_error_http_status(error: *const tenios_error) -> u16 {
    unsafe { raw::tenios_error_http_status(error) }
}

pub fn tenios_error_field_count(error: *const tenios_error) -> usize {
    unsafe { raw::tenios_error_field_count(error) }
}

pub fn tenios_error_field(error: *const tenios_error, index: usize) -> *const c_char {
    unsafe { raw::tenios_error_field(error, index) }
}

pub fn tenios_error_free(error: *mut tenios_error) {
    unsafe { raw::tenios_error_free(error) }
}
