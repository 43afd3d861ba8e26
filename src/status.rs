//! The status codes of the C ABI.

use std::ffi::CStr;

/// The result of every libtenios call: a `uint32_t`, with the `TENIOS_*` names below as its
/// values.
///
/// In C, `tenios_status` is a `typedef` of `uint32_t` and the enum only names the constants,
/// so its size never depends on the compiler (`-fshort-enums`) and a status added in a later
/// version is a valid value in every program. In C++ it is `enum tenios_status : uint32_t`.
/// The numbers are part of the ABI: they never change once released, and new codes are only
/// ever appended. Always compare against the names, and treat an unknown value like
/// `TENIOS_ERR_INTERNAL`.
//
// The variants carry their C names verbatim because cbindgen copies variant names into the
// header and has no rule that turns `ErrTimeout` into `TENIOS_ERR_TIMEOUT`. `repr(u32)` is
// what makes cbindgen write the `typedef uint32_t` (rustls-ffi's `rustls_result` is the model).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum tenios_status {
    /// The call succeeded: the API answered HTTP 200 with the method's success (e.g.
    /// `{"success": true}`: the block was interrupted).
    TENIOS_OK = 0,
    /// Rejected before anything was sent: an argument was NULL, empty, not UTF-8, longer than
    /// 1024 bytes or contained a control character; or the base URL is unusable.
    TENIOS_ERR_INVALID_ARGUMENT = 1,
    /// The API answered error_code `INVALID_VALUE`.
    TENIOS_ERR_INVALID_VALUE = 2,
    /// The API answered error_code `INVALID_FIELD` (e.g. a call_uuid that is not a UUID).
    TENIOS_ERR_INVALID_FIELD = 3,
    /// The API answered error_code `INVALID_JSON`.
    TENIOS_ERR_INVALID_JSON = 4,
    /// The API answered error_code `CALL_UUID_NOT_FOUND`: no such live call.
    TENIOS_ERR_CALL_UUID_NOT_FOUND = 5,
    /// The API answered error_code `BAD_CREDENTIALS`, or HTTP 401/403 without an API error body.
    TENIOS_ERR_BAD_CREDENTIALS = 6,
    /// Any other API error: an error_code not listed above (a block that cannot be
    /// interrupted, say), or `"success": false` without an error_code.
    TENIOS_ERR_API = 7,
    /// An HTTP status other than 200 without an API error in the body (3xx, 404, 5xx, ...).
    TENIOS_ERR_HTTP = 8,
    /// The connect timeout or the whole-request timeout expired.
    TENIOS_ERR_TIMEOUT = 9,
    /// Name resolution failed, the connection was refused, reset or closed early, or TLS failed.
    TENIOS_ERR_NETWORK = 10,
    /// A response the API would not send: not JSON, no `success` field, a body over 1 MiB,
    /// malformed HTTP.
    TENIOS_ERR_PROTOCOL = 11,
    /// A bug in libtenios (a panic caught at the library boundary). Please report it.
    TENIOS_ERR_INTERNAL = 12,
    /// The client was shut down (`tenios_client_shutdown`, or `tenios_global_cleanup` for the
    /// default client): a call in flight was cancelled, or a call was refused. Whether a
    /// cancelled request reached the API is unknown.
    TENIOS_ERR_SHUTDOWN = 13,
    /// The API answered error_code `LISTEN_IN_SUPERVISOR_DESTINATION_IN_BLACKLIST`
    /// (`tenios_client_listen_in_start`): the supervisor's destination is on the account's
    /// blacklist.
    TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED = 14,
    /// The API answered error_code `AGENT_NOT_FOUND` (`tenios_client_wrap_up_extend`,
    /// `tenios_client_wrap_up_cancel`): no agent has the e-mail given (documented on the
    /// wrap-up page).
    TENIOS_ERR_AGENT_NOT_FOUND = 15,
    /// The API answered error_code `AGENT_NOT_IN_WRAP_UP` (`tenios_client_wrap_up_extend`,
    /// `tenios_client_wrap_up_cancel`): the agent's wrap-up is already over, or never began
    /// (documented on the wrap-up page).
    TENIOS_ERR_AGENT_NOT_IN_WRAP_UP = 16,
}

/// The idiomatic Rust name for the status type.
pub type Status = tenios_status;

const NAMES: [&CStr; 17] = [
    c"TENIOS_OK",
    c"TENIOS_ERR_INVALID_ARGUMENT",
    c"TENIOS_ERR_INVALID_VALUE",
    c"TENIOS_ERR_INVALID_FIELD",
    c"TENIOS_ERR_INVALID_JSON",
    c"TENIOS_ERR_CALL_UUID_NOT_FOUND",
    c"TENIOS_ERR_BAD_CREDENTIALS",
    c"TENIOS_ERR_API",
    c"TENIOS_ERR_HTTP",
    c"TENIOS_ERR_TIMEOUT",
    c"TENIOS_ERR_NETWORK",
    c"TENIOS_ERR_PROTOCOL",
    c"TENIOS_ERR_INTERNAL",
    c"TENIOS_ERR_SHUTDOWN",
    c"TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED",
    c"TENIOS_ERR_AGENT_NOT_FOUND",
    c"TENIOS_ERR_AGENT_NOT_IN_WRAP_UP",
];

/// The name given to any integer that is not a status.
pub const UNKNOWN_STATUS_NAME: &CStr = c"TENIOS_UNKNOWN";

impl tenios_status {
    /// Every status, in numeric order.
    pub const ALL: [Status; 17] = [
        Self::TENIOS_OK,
        Self::TENIOS_ERR_INVALID_ARGUMENT,
        Self::TENIOS_ERR_INVALID_VALUE,
        Self::TENIOS_ERR_INVALID_FIELD,
        Self::TENIOS_ERR_INVALID_JSON,
        Self::TENIOS_ERR_CALL_UUID_NOT_FOUND,
        Self::TENIOS_ERR_BAD_CREDENTIALS,
        Self::TENIOS_ERR_API,
        Self::TENIOS_ERR_HTTP,
        Self::TENIOS_ERR_TIMEOUT,
        Self::TENIOS_ERR_NETWORK,
        Self::TENIOS_ERR_PROTOCOL,
        Self::TENIOS_ERR_INTERNAL,
        Self::TENIOS_ERR_SHUTDOWN,
        Self::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
        Self::TENIOS_ERR_AGENT_NOT_FOUND,
        Self::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP,
    ];

    /// The status with this number, if there is one.
    pub fn from_code(code: u32) -> Option<Status> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The C name, e.g. `TENIOS_ERR_TIMEOUT`, as a static C string.
    pub fn c_name(self) -> &'static CStr {
        NAMES[self as usize]
    }

    /// The C name, e.g. `TENIOS_ERR_TIMEOUT`.
    pub fn name(self) -> &'static str {
        // The table holds ASCII literals only, so this never falls back.
        self.c_name().to_str().unwrap_or("TENIOS_UNKNOWN")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_the_abi() {
        for (i, status) in Status::ALL.iter().enumerate() {
            assert_eq!(*status as u32, i as u32);
            assert_eq!(Status::from_code(i as u32), Some(*status));
        }
        assert_eq!(Status::TENIOS_ERR_TIMEOUT.name(), "TENIOS_ERR_TIMEOUT");
        assert_eq!(Status::TENIOS_ERR_INTERNAL as u32, 12);
        assert_eq!(Status::TENIOS_ERR_SHUTDOWN as u32, 13);
        assert_eq!(
            Status::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED as u32,
            14
        );
        assert_eq!(Status::TENIOS_ERR_AGENT_NOT_FOUND as u32, 15);
        assert_eq!(Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP as u32, 16);
        assert_eq!(Status::from_code(17), None);
        assert_eq!(Status::from_code(u32::MAX), None);
    }
}
