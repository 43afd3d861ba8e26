//! Issue 16, item 9: a webhook body built to be slow to parse (1 MiB of distinct fields, at the
//! top level or inside `blocksProcessingResult`) is refused or parsed in well under a second.
//! On 1.0.0 the duplicate-field check compared every field with every earlier one: 18 s and 8 s
//! of CPU. The bound is generous (a shared machine is noisy): 1 s in a release build, 3 s in a
//! debug one, where serde_json alone runs about ten times slower. `make bench-parse` times these
//! and worse inputs precisely.

#[path = "common/adversarial.rs"]
mod adversarial;

use std::time::{Duration, Instant};

use adversarial::{webhook_result_fields, webhook_top_level_fields, MIB};
use tenios::webhook::WebhookRequest;

const BOUND: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(3)
} else {
    Duration::from_secs(1)
};

/// Parses `body` and returns the outcome as text and the time it took.
fn timed_parse(body: &[u8]) -> (String, Duration) {
    let started = Instant::now();
    let outcome = match WebhookRequest::parse(body) {
        Ok(request) => format!(
            "ok, {} validation errors",
            request.validation_errors().len()
        ),
        Err(e) => e.to_string(),
    };
    (outcome, started.elapsed())
}

#[test]
fn one_mib_of_distinct_top_level_fields() {
    let body = webhook_top_level_fields(131_060);
    assert!(body.len() > MIB - 8 * 1024, "{} bytes", body.len());
    let (outcome, took) = timed_parse(&body);
    assert_eq!(
        outcome,
        "webhook request has 131060 fields, more than the limit of 256"
    );
    assert!(took < BOUND, "took {took:?}");
}

#[test]
fn eighty_thousand_fields_in_blocks_processing_result() {
    let body = webhook_result_fields(80_000);
    let (outcome, took) = timed_parse(&body);
    assert_eq!(
        outcome,
        "webhook request's blocksProcessingResult has 80000 fields, more than the limit of 256"
    );
    assert!(took < BOUND, "took {took:?}");
}
