//! The blocks builder: any sequence of blocks with any arguments either adds the block or
//! refuses it, and the answer is always valid JSON with one object per block added.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tenios::webhook::blocks::{CollectDigits, CollectSpeech};
use tenios::webhook::{Blocks, BridgeMode, Destination};
use tenios::DestinationType;

fuzz_target!(|data: &[u8]| {
    let mut blocks = Blocks::new();
    let mut u = Unstructured::new(data);
    while !u.is_empty() {
        let before = blocks.len();
        match add_one(&mut u, &mut blocks) {
            Ok(Ok(())) => assert_eq!(blocks.len(), before + 1),
            Ok(Err(error)) => {
                assert_eq!(blocks.len(), before);
                assert!(!error.to_string().is_empty());
            }
            Err(_) => break, // the input ran out mid-block
        }
    }
    let answer: Value = serde_json::from_str(&blocks.to_json()).expect("the answer is JSON");
    let list = answer["blocks"].as_array().expect("a blocks array");
    assert_eq!(list.len(), blocks.len());
    assert!(list.iter().all(|block| block["blockType"].is_string()));
    for warning in blocks.warnings() {
        assert!(warning.starts_with("block "), "{warning}");
    }
});

fn optional_u32(u: &mut Unstructured<'_>) -> Result<Option<u32>> {
    u.arbitrary()
}

/// Adds one block chosen by the input: Err when the input ran out, Ok(outcome) otherwise.
fn add_one(
    u: &mut Unstructured<'_>,
    blocks: &mut Blocks,
) -> Result<std::result::Result<(), tenios::Error>> {
    Ok(match u.int_in_range(0u8..=8)? {
        0 => {
            let mode = if u.arbitrary()? {
                BridgeMode::Sequential
            } else {
                BridgeMode::Parallel
            };
            let block_timeout = optional_u32(u)?;
            let mut destinations = Vec::new();
            for _ in 0..u.int_in_range(0u8..=4)? {
                let kind = match u.int_in_range(0u8..=2)? {
                    0 => DestinationType::ExternalNumber,
                    1 => DestinationType::SipUser,
                    _ => DestinationType::SipTrunk,
                };
                let destination: &str = u.arbitrary()?;
                match Destination::new(kind, destination, optional_u32(u)?) {
                    Ok(d) => destinations.push(d),
                    Err(error) => return Ok(Err(error)),
                }
            }
            blocks.add_bridge(mode, block_timeout, &destinations)
        }
        1 => blocks.add_announcement(u.arbitrary()?, u.arbitrary()?),
        2 => blocks.add_say(u.arbitrary()?, u.arbitrary()?, u.arbitrary()?),
        3 => blocks.add_routing_plan(u.arbitrary()?),
        4 => blocks.add_collect_digits(&CollectDigits {
            announcement_name: u.arbitrary()?,
            standard_announcement: u.arbitrary()?,
            error_announcement_name: u.arbitrary()?,
            standard_error_announcement: u.arbitrary()?,
            variable_name: u.arbitrary()?,
            min_digits: u.arbitrary()?,
            max_digits: u.arbitrary()?,
            terminator: u.arbitrary()?,
            max_tries: u.arbitrary()?,
            timeout: u.arbitrary()?,
        }),
        5 => blocks.add_collect_speech(&CollectSpeech {
            announcement_name: u.arbitrary()?,
            standard_announcement: u.arbitrary()?,
            missing_input_announcement_name: u.arbitrary()?,
            standard_missing_input_announcement: u.arbitrary()?,
            language: u.arbitrary()?,
            variable_name: u.arbitrary()?,
            max_tries: u.arbitrary()?,
        }),
        6 => blocks.add_hangup(u.arbitrary()?),
        7 => blocks.add_call_settings(u.arbitrary()?),
        _ => blocks.add_refer(u.arbitrary()?),
    })
}
