//! Test-only faults, compiled only with the `test-hooks` feature (never in a release build):
//! a call whose call_uuid names a fault panics at that place, so that tests can prove a
//! caught panic prints nothing and leaves the client usable.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// call_uuid that panics in the call path, outside any lock.
pub const PANIC_IN_CALL: &str = "tenios-test-hook:panic-in-call";
/// call_uuid that panics while the client's pool lock is held.
pub const PANIC_IN_POOL: &str = "tenios-test-hook:panic-in-pool";
/// call_uuid that makes the next name lookup to finish (on its own thread) hold the
/// resolver's lock for [`HOLD`], so that a test can fork inside that window.
pub const HOLD_RESOLVER_LOCK: &str = "tenios-test-hook:hold-resolver-lock";

/// How long an armed lock is held.
const HOLD: Duration = Duration::from_millis(500);

static HOLD_ARMED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static ARMED: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Called with each call's call_uuid: panics now, or arms a panic for a later place.
pub(crate) fn arm(call_uuid: &str) {
    match call_uuid {
        PANIC_IN_CALL => panic!("test hook: panic in the call path"),
        PANIC_IN_POOL => ARMED.with(|a| a.set(Some("pool"))),
        HOLD_RESOLVER_LOCK => HOLD_ARMED.store(true, Ordering::SeqCst),
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

/// Sleeps for [`HOLD`] (with the caller's lock held) once after [`HOLD_RESOLVER_LOCK`].
pub(crate) fn maybe_hold_lock() {
    if HOLD_ARMED.swap(false, Ordering::SeqCst) {
        std::thread::sleep(HOLD);
    }
}
