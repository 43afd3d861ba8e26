//! Times the parsers of untrusted bytes on the worst inputs we know how to build
//! (tests/common/adversarial.rs): the webhook request parser, the API response classifier and
//! the simulator's HTTP request reader. Prints one line per input: its size, the outcome and
//! the fastest and median time. `make bench-parse` runs it; a measurement, not a test.
//!
//! Each input runs until 2 s have passed or 15 times (at least once; an input slower than 2 s
//! runs once).

#[path = "../tests/common/adversarial.rs"]
mod adversarial;
#[path = "../src/bin/tenios-sim/http.rs"]
#[allow(dead_code)] // the simulator's writing half is not timed here
mod sim_http;

use std::hint::black_box;
use std::io::BufReader;
use std::time::{Duration, Instant};

use adversarial::*;
use tenios::response::classify;
use tenios::webhook::WebhookRequest;

/// Runs `f` until 2 s have passed or 15 times; returns its outcome and the fastest and
/// median times.
fn time(mut f: impl FnMut() -> String) -> (String, Duration, Duration) {
    let mut times = Vec::new();
    let started = Instant::now();
    let mut outcome = String::new();
    while times.is_empty() || (started.elapsed() < Duration::from_secs(2) && times.len() < 15) {
        let t = Instant::now();
        outcome = black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    (outcome, times[0], times[times.len() / 2])
}

fn report(parser: &str, input: &str, bytes: usize, f: impl FnMut() -> String) {
    let (outcome, fastest, median) = time(f);
    let mut outcome: String = outcome.chars().take(58).collect();
    if outcome.len() == 58 {
        outcome.push_str("...");
    }
    println!(
        "{parser:<8} {input:<44} {:>9} {:>10.3} {:>10.3}  {outcome}",
        bytes,
        fastest.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
    );
}

fn webhook(input: &str, body: &[u8]) {
    report(
        "webhook",
        input,
        body.len(),
        || match WebhookRequest::parse(black_box(body)) {
            Ok(request) => format!("ok, {} variables", request.variables().len()),
            Err(e) => format!("refused: {e}"),
        },
    );
}

fn response(input: &str, status: u16, body: &[u8]) {
    report("response", input, body.len(), || {
        match classify(status, black_box(body)) {
            Ok(()) => "ok".to_owned(),
            // The message is what a caller reads: build it as the library does.
            Err(e) => format!("{:?}: {} bytes of message", e.status(), e.to_string().len()),
        }
    });
}

/// The simulator reads `bytes` through a buffer of `buffer` bytes: 1 is a peer that sends a
/// byte at a time.
fn sim(input: &str, buffer: usize, bytes: &[u8]) {
    report("sim", input, bytes.len(), || {
        let mut reader = BufReader::with_capacity(buffer, black_box(bytes));
        match sim_http::read_request(&mut reader, || Ok(())) {
            Ok(request) => format!(
                "ok, {} fields, {} body bytes",
                request.headers.len(),
                request.body.len()
            ),
            Err(e) => format!("{e:?}"),
        }
    });
}

fn main() {
    println!(
        "{:<8} {:<44} {:>9} {:>10} {:>10}  outcome",
        "parser", "input", "bytes", "min ms", "median ms"
    );
    webhook(
        "131,060 top-level fields",
        &webhook_top_level_fields(131_060),
    );
    webhook(
        "80,000 fields in blocksProcessingResult",
        &webhook_result_fields(80_000),
    );
    webhook(
        "1,000 variables, 1,000-byte names",
        &webhook_long_variable_names(1000, 1000),
    );
    webhook(
        "1,000 top-level fields, 1,000-byte names",
        &webhook_long_field_names(1000, 1000),
    );
    webhook(
        "240 top-level fields, 4,000-byte names",
        &webhook_long_field_names(240, 4000),
    );
    // Two sizes, to see how the time grows. Nested arrays cost about one allocation per two
    // bytes; serde_json alone parses them at a flat 60 to 100 ns a byte from 64 KiB to 8 MiB
    // (measured), so a step above 4x from 256 KiB to 1 MiB is the caches, not the parser.
    webhook(
        "arrays 30 deep, repeated to 256 KiB",
        &webhook_deep_nesting(30, MIB / 4),
    );
    webhook(
        "arrays 30 deep, repeated to 1 MiB",
        &webhook_deep_nesting(30, MIB),
    );
    webhook("a variable of 1 MiB of \\u00e9", &webhook_escapes(MIB));

    response(
        "131,000 distinct fields, HTTP 200",
        200,
        &response_distinct_fields(131_000),
    );
    response(
        "\"success\":true again and again, HTTP 200",
        200,
        &response_duplicate_fields(MIB),
    );
    response(
        "262,000 error fields, HTTP 400",
        400,
        &response_many_error_fields(MIB),
    );
    response(
        "arrays 100 deep, repeated to 256 KiB",
        200,
        &response_deep_nesting(MIB / 4),
    );
    response(
        "arrays 100 deep, repeated to 1 MiB",
        200,
        &response_deep_nesting(MIB),
    );

    let long = sim_one_long_field(SIM_HEAD_BYTES - 8);
    sim("64 KiB head, one field, all at once", 1 << 17, &long);
    sim("64 KiB head, one field, a byte at a time", 1, &long);
    let many = sim_many_fields(256, SIM_HEAD_BYTES - 8);
    sim("64 KiB head, 256 fields, a byte at a time", 1, &many);
    sim(
        "64 KiB of empty lines, a byte at a time",
        1,
        &sim_leading_empty_lines(SIM_HEAD_BYTES - 64),
    );
    sim(
        "1 MiB body in one-byte chunks",
        8192,
        &sim_one_byte_chunks(MIB),
    );
}
