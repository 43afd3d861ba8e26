//! A value behind one lock, with a signal for "it changed". The simulator's state (`state.rs`)
//! and the Call Control sessions that wait on it (`webhook.rs`) share one, without either
//! module knowing the other.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

pub struct Monitor<T> {
    value: Mutex<T>,
    changed: Condvar,
}

impl<T> Monitor<T> {
    pub fn new(value: T) -> Self {
        Monitor {
            value: Mutex::new(value),
            changed: Condvar::new(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, T> {
        // A panic elsewhere must not take the whole simulator down with it.
        self.value
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Releases the lock until [`notify`](Self::notify) or `deadline` (`None`: no deadline).
    pub fn wait<'a>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, T> {
        match deadline {
            None => self
                .changed
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.changed.wait_timeout(guard, left) {
                    Ok((guard, _)) => guard,
                    Err(poisoned) => poisoned.into_inner().0,
                }
            }
        }
    }

    /// Wakes every waiter: the value changed.
    pub fn notify(&self) {
        self.changed.notify_all();
    }
}
