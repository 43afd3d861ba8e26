//! The simulator's HTTP request reader (src/bin/tenios-sim/http.rs, compiled in from its
//! source: the simulator is a program, not a library). The first input byte chooses how many
//! bytes arrive per read (1 to 16); the rest is what a peer sends. The requests read through
//! that small buffer must equal those read from the whole input at once, and keep the limits.
#![no_main]

#[path = "../../src/bin/tenios-sim/http.rs"]
#[allow(dead_code)] // the writing half is not fuzzed
mod sim_http;

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use sim_http::{read_request, ReadError, Request, MAX_BODY_BYTES};

/// Every request on the stream, then the error that ended it (at most 8 requests).
fn read_all(mut stream: impl std::io::BufRead) -> (Vec<Request>, ReadError) {
    let mut requests = Vec::new();
    loop {
        match read_request(&mut stream, || Ok(())) {
            Ok(request) if requests.len() < 8 => requests.push(request),
            Ok(_) => return (requests, ReadError::Aborted),
            Err(error) => return (requests, error),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, sent)) = data.split_first() else {
        return;
    };
    let whole = read_all(sent);
    let capacity = usize::from(first % 16) + 1;
    let trickled = read_all(BufReader::with_capacity(capacity, sent));
    assert_eq!(whole, trickled, "read {capacity} bytes at a time");
    for request in &whole.0 {
        assert!(request.body.len() <= MAX_BODY_BYTES);
        assert!(request.target.bytes().all(|b| b.is_ascii_graphic()));
        assert!(request.minor_version <= 1);
    }
});
