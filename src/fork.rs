//! What `fork` does to the library's state, decided in one place.
//!
//! A child of `fork` has one thread: the one that forked. Two things follow.
//!
//! - **No lock may be left held.** Had another parent thread been inside one of the
//!   library's critical sections at that instant, the child would wait on that lock forever.
//!   So every lock the library takes on shared state (the pools, the resolver's table, the
//!   default client) is taken through [`lock`], which also holds [`GATE`] for reading, and
//!   the `pthread_atfork` prepare handler ([`prepare`], registered in `ffi/fork.rs` when the
//!   library is loaded) takes the gate for writing: `fork` then waits until no thread is in
//!   such a section, which is brief, since none of them does I/O, waits or calls out. The
//!   gate is let go again in the parent and in the child. Locks that are not taken this way
//!   never outlive a call on one thread or are only taken by the child's own new state.
//! - **Nothing the parent opened is used.** [`generation`] counts forks; each process-bound
//!   state (a client's pool and TLS session cache, the resolver's table) records the
//!   generation it was made in and is replaced, never touched, in another one. Reading it is
//!   an atomic load: no `getpid` per call.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Held for reading by every critical section on shared state; for writing across `fork`.
static GATE: RwLock<()> = RwLock::new(());

/// Incremented in every child of `fork`.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The write guard the forking thread holds between [`prepare`] and [`parent`]/[`child`].
    static FORKING: RefCell<Option<RwLockWriteGuard<'static, ()>>> = const { RefCell::new(None) };
}

/// Which process the state belongs to: changes in a child of `fork`, and only there.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// A locked mutex together with a read hold of the fork gate, so that `fork` never copies it
/// locked. Never take a second one while holding one (the gate is not reentrant once a fork
/// is waiting). Poison is ignored: every critical section leaves its state consistent.
pub(crate) struct Locked<'a, T> {
    // Field order matters: the mutex is unlocked before the gate is released.
    guard: MutexGuard<'a, T>,
    _gate: RwLockReadGuard<'static, ()>,
}

impl<T> std::ops::Deref for Locked<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> std::ops::DerefMut for Locked<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// Locks `mutex` so that a concurrent `fork` waits until it is unlocked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Locked<'_, T> {
    let gate = GATE.read().unwrap_or_else(PoisonError::into_inner);
    Locked {
        guard: mutex.lock().unwrap_or_else(PoisonError::into_inner),
        _gate: gate,
    }
}

/// `pthread_atfork` prepare: waits until no thread is inside a critical section and keeps
/// them out until the fork is done.
pub(crate) fn prepare() {
    let guard = GATE.write().unwrap_or_else(PoisonError::into_inner);
    FORKING.with(|f| *f.borrow_mut() = Some(guard));
}

/// `pthread_atfork` parent: lets the other threads in again.
pub(crate) fn parent() {
    FORKING.with(|f| drop(f.borrow_mut().take()));
}

/// `pthread_atfork` child: a new generation, and the gate open again.
pub(crate) fn child() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
    FORKING.with(|f| drop(f.borrow_mut().take()));
}
