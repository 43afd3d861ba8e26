//! The response path: the bytes a server sends (status line, header fields, body) to the
//! status and message a call reports, through `tenios::__fuzz::response`. Every answer maps
//! to a status a response can produce, with a message exactly when it is an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenios::Status;

/// The statuses a server's answer can produce: never an argument, timeout, internal or shutdown
/// status. A network error only for an answer cut short (the input is all the server sends).
const FROM_A_RESPONSE: [Status; 14] = [
    Status::TENIOS_OK,
    Status::TENIOS_ERR_INVALID_VALUE,
    Status::TENIOS_ERR_INVALID_FIELD,
    Status::TENIOS_ERR_INVALID_JSON,
    Status::TENIOS_ERR_CALL_UUID_NOT_FOUND,
    Status::TENIOS_ERR_BAD_CREDENTIALS,
    Status::TENIOS_ERR_API,
    Status::TENIOS_ERR_HTTP,
    Status::TENIOS_ERR_PROTOCOL,
    Status::TENIOS_ERR_SUPERVISOR_DESTINATION_BLACKLISTED,
    Status::TENIOS_ERR_AGENT_NOT_FOUND,
    Status::TENIOS_ERR_AGENT_NOT_IN_WRAP_UP,
    Status::TENIOS_ERR_NETWORK,
    // Listed so that a failure names it; the assertion below refuses it.
    Status::TENIOS_ERR_INTERNAL,
];

fuzz_target!(|bytes: &[u8]| {
    let (code, message) = tenios::__fuzz::response(bytes);
    let status = Status::from_code(code).expect("a documented status number");
    assert!(FROM_A_RESPONSE.contains(&status), "{status:?}");
    assert_ne!(status, Status::TENIOS_ERR_INTERNAL);
    if status == Status::TENIOS_ERR_NETWORK {
        assert_eq!(
            message,
            "network error: connection closed before the response was complete"
        );
    }
    assert_eq!(
        status == Status::TENIOS_OK,
        message.is_empty(),
        "{message:?}"
    );
});
