//! Test-only faults, compiled only with the `test-hooks` feature (never in a release build):
//! a call whose call_uuid names a fault panics at that place, so that tests can prove a
//! caught panic prints nothing and leaves the client usable.

use std::cell::Cell;

/// call_uuid that panics in the call path, outside any lock.
pub const PANIC_IN_CALL: &str = "tenios-test-hook:panic-in-call";
/// call_uuid that panics while the client's pool lock is held.
pub const PANIC_IN_POOL: &str = "tenios-test-hook:panic-in-pool";

thread_local! {
    static ARMED: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Called with each call's call_uuid: panics now, or arms a panic for a later place.
pub(crate) fn arm(call_uuid: &str) {
    match call_uuid {
        PANIC_IN_CALL => panic!("test hook: panic in the call path"),
        PANIC_IN_POOL => ARMED.with(|a| a.set(Some("pool"))),
        _ => {}
    }
}

/// Panics when a panic was armed for `place` on this thread.
pub(crate) fn maybe_panic_holding_lock(place: &'static str) {
    if ARMED.with(|a| a.get() == Some(place)) {
        ARMED.with(|a| a.set(None));
        panic!("test hook: panic holding the {place} lock");
    }
}
