//! Name resolution for the connection pools, with a bounded number of lookup threads.
//!
//! `getaddrinfo` cannot be cancelled, so a lookup with a timeout runs on a thread of its own
//! and the caller stops waiting when its time is up (ureq's resolver does the same, but with a
//! new thread per call: during a DNS outage they piled up without limit). Here:
//!
//! - an IP literal needs no lookup at all;
//! - a host name's addresses are reused for [`CACHE_TTL`], and a failed lookup's reason for
//!   [`FAILURE_TTL`] (calls during a DNS outage fail at once instead of each waiting);
//! - at most one lookup per host name and port is in flight in the process: later callers
//!   wait for that one, each up to its own deadline, and a lookup that outlives its callers
//!   finishes for the next one;
//! - at most [`MAX_LOOKUP_THREADS`] lookups run at once in the process; a call that would
//!   need another fails at once with a network error.
//! - `localhost` is never looked up: it is 127.0.0.1 and then ::1, as curl pins it, so that
//!   a resolver that answers it with another address cannot receive the key of a plain
//!   http:// base URL.
//!
//! **fork.** The state is per process: a child of `fork` starts with none (the parent's
//! lookup threads do not exist there), decided by the fork generation (`crate::fork`), and
//! the table's lock is one `fork` waits for, so a child never inherits it held. The lock is
//! never held while a thread is started or a lookup runs.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::fork::{self, Locked};

/// How long a host name's addresses are reused.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// How long a failed lookup's reason is reused.
pub const FAILURE_TTL: Duration = Duration::from_secs(2);

/// The most lookup threads alive at once in one process.
pub const MAX_LOOKUP_THREADS: usize = 4;

/// How often a caller waiting for a lookup checks whether its client was shut down.
const SHUTDOWN_POLL: Duration = Duration::from_millis(50);

/// A lookup function: host and port to addresses. The real one is `getaddrinfo` through std;
/// tests inject slow or failing ones.
pub(crate) type LookupFn = fn(&str, u16) -> io::Result<Vec<SocketAddr>>;

pub(crate) fn system_lookup(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    (host, port).to_socket_addrs().map(Iterator::collect)
}

/// The addresses `host` stands for without a lookup: an IP literal (IPv6 without brackets),
/// or `localhost` (any case), which is pinned to 127.0.0.1 and ::1.
pub(crate) fn literal_addresses(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    host.eq_ignore_ascii_case("localhost").then(|| {
        vec![
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port),
        ]
    })
}

/// Why a name could not be resolved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// The lookup failed (now or within [`FAILURE_TTL`]); the text says why.
    Failed(String),
    /// The deadline passed while the lookup was still running.
    TimedOut,
    /// The client was shut down while waiting.
    ShutDown,
    /// [`MAX_LOOKUP_THREADS`] lookups are already running, or no thread could be started.
    Busy(String),
}

/// The outcome of one lookup, shared by everyone waiting for it. Its lock is only ever taken
/// by the lookup's own process (a child never sees the parent's pending lookups).
#[derive(Default)]
struct Pending {
    result: Mutex<Option<Result<Vec<SocketAddr>, String>>>,
    ready: Condvar,
}

impl Pending {
    fn publish(&self, outcome: Result<Vec<SocketAddr>, String>) {
        *self.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.ready.notify_all();
    }
}

enum Entry {
    Resolved(Vec<SocketAddr>, Instant),
    Failed(String, Instant),
    InFlight(Arc<Pending>),
}

/// The process's lookups. `generation` is the process they belong to (`crate::fork`).
struct Lookups {
    generation: u64,
    hosts: HashMap<(String, u16), Entry>,
    threads: usize,
}

static LOOKUPS: Mutex<Option<Lookups>> = Mutex::new(None);

/// The lookups of this process; a child of `fork` starts afresh. A panic elsewhere never
/// leaves this unusable (the state is consistent at every unlock).
fn lookups() -> Locked<'static, Option<Lookups>> {
    let mut guard = fork::lock(&LOOKUPS);
    let generation = fork::generation();
    if guard.as_ref().is_none_or(|l| l.generation != generation) {
        *guard = Some(Lookups {
            generation,
            hosts: HashMap::new(),
            threads: 0,
        });
    }
    guard
}

/// Resolves `host:port` by the rules in the module documentation, waiting until `deadline` at
/// most, and returning early with [`LookupError::ShutDown`] once `shut_down` is set.
pub(crate) fn resolve_name(
    host: &str,
    port: u16,
    deadline: Instant,
    shut_down: &AtomicBool,
    lookup: LookupFn,
) -> Result<Vec<SocketAddr>, LookupError> {
    if let Some(addresses) = literal_addresses(host, port) {
        return Ok(addresses);
    }
    let key = (host.to_owned(), port);
    let (pending, start_thread) = {
        let mut guard = lookups();
        let state = guard.as_mut().expect("set by lookups()");
        match state.hosts.get(&key) {
            Some(Entry::Resolved(addresses, at)) if at.elapsed() < CACHE_TTL => {
                return Ok(addresses.clone());
            }
            Some(Entry::Failed(reason, at)) if at.elapsed() < FAILURE_TTL => {
                return Err(LookupError::Failed(reason.clone()));
            }
            Some(Entry::InFlight(pending)) => (Arc::clone(pending), false),
            _ => {
                if state.threads >= MAX_LOOKUP_THREADS {
                    return Err(LookupError::Busy(format!(
                        "cannot resolve {host}: {MAX_LOOKUP_THREADS} name lookups are already \
                         in progress (is DNS slow?)"
                    )));
                }
                // The thread is counted and announced now, started after the unlock.
                let pending = Arc::new(Pending::default());
                state.threads += 1;
                state
                    .hosts
                    .insert(key.clone(), Entry::InFlight(Arc::clone(&pending)));
                (pending, true)
            }
        }
    };
    if start_thread {
        let generation = fork::generation();
        if let Err(e) = spawn_lookup(key.clone(), Arc::clone(&pending), lookup, generation) {
            let reason = format!("cannot resolve {host}: {e}");
            finish(&key, generation, Err(reason.clone()));
            pending.publish(Err(reason.clone()));
            return Err(LookupError::Busy(reason));
        }
    }
    wait(&pending, deadline, shut_down)
}

/// Waits for `pending` until `deadline` or a shutdown.
fn wait(
    pending: &Pending,
    deadline: Instant,
    shut_down: &AtomicBool,
) -> Result<Vec<SocketAddr>, LookupError> {
    let mut result = pending
        .result
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(outcome) = result.as_ref() {
            return outcome.clone().map_err(LookupError::Failed);
        }
        if shut_down.load(Ordering::Acquire) {
            return Err(LookupError::ShutDown);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(LookupError::TimedOut);
        }
        let slice = (deadline - now).min(SHUTDOWN_POLL);
        result = pending
            .ready
            .wait_timeout(result, slice)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Records a finished lookup of `key` started in `generation`, and its thread as gone.
fn finish(key: &(String, u16), generation: u64, outcome: Result<Vec<SocketAddr>, String>) {
    let mut guard = lookups();
    // Widens the window in which a fork could catch this lock held (test_fork_locks.c).
    #[cfg(feature = "test-hooks")]
    crate::test_hooks::maybe_hold_lock();
    let state = guard.as_mut().expect("set by lookups()");
    if state.generation != generation {
        return; // counted in another process's table (not reachable: threads do not fork)
    }
    state.threads -= 1;
    let now = Instant::now();
    let entry = match outcome {
        Ok(addresses) => Entry::Resolved(addresses, now),
        Err(reason) => Entry::Failed(reason, now),
    };
    state.hosts.insert(key.clone(), entry);
}

/// Starts the thread that looks `key` up and publishes the outcome. The caller counted it.
fn spawn_lookup(
    key: (String, u16),
    pending: Arc<Pending>,
    lookup: LookupFn,
    generation: u64,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("tenios-dns".into())
        .spawn(move || {
            let (host, port) = (&key.0, key.1);
            let outcome = std::panic::catch_unwind(|| lookup(host, port))
                .unwrap_or_else(|_| Err(io::Error::other("the lookup panicked")));
            let outcome = match outcome {
                Ok(addresses) if addresses.is_empty() => Err(format!("{host} has no address")),
                Ok(addresses) => Ok(addresses),
                Err(e) => Err(format!("cannot resolve {host}: {e}")),
            };
            finish(&key, generation, outcome.clone());
            pending.publish(outcome);
        })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::MutexGuard;

    /// The tests share the process's lookup threads, so they run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entries_for(host: &str) -> usize {
        let guard = lookups();
        let state = guard.as_ref().unwrap();
        state.hosts.keys().filter(|(h, _)| h == host).count()
    }

    static CACHED_CALLS: AtomicUsize = AtomicUsize::new(0);
    fn counted(_: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        CACHED_CALLS.fetch_add(1, Ordering::SeqCst);
        Ok(vec![SocketAddr::from(([127, 0, 0, 7], port))])
    }

    #[test]
    fn names_are_looked_up_once_and_cached() {
        let _serial = serial();
        let shut_down = AtomicBool::new(false);
        let deadline = Instant::now() + Duration::from_secs(5);
        let first = resolve_name("cached.test", 9, deadline, &shut_down, counted).unwrap();
        assert_eq!(first, vec!["127.0.0.7:9".parse().unwrap()]);
        assert_eq!(
            resolve_name("cached.test", 9, deadline, &shut_down, counted).unwrap(),
            first
        );
        assert_eq!(CACHED_CALLS.load(Ordering::SeqCst), 1);
        assert_eq!(entries_for("cached.test"), 1);
    }

    fn never_called(host: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        panic!("{host} was looked up")
    }

    /// `localhost` is pinned, as curl pins it: no resolver can answer it with another address
    /// (which would receive the key of a plain http:// base URL).
    #[test]
    fn localhost_is_never_looked_up() {
        let shut_down = AtomicBool::new(false);
        let deadline = Instant::now() + Duration::from_secs(5);
        for name in ["localhost", "LocalHost"] {
            assert_eq!(
                resolve_name(name, 8080, deadline, &shut_down, never_called).unwrap(),
                vec![
                    "127.0.0.1:8080".parse::<SocketAddr>().unwrap(),
                    "[::1]:8080".parse().unwrap()
                ]
            );
        }
        assert_eq!(
            literal_addresses("::1", 1),
            Some(vec!["[::1]:1".parse().unwrap()])
        );
        assert_eq!(literal_addresses("localhost.evil.test", 1), None);
    }

    static FAILED_CALLS: AtomicUsize = AtomicUsize::new(0);
    fn failing(_: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        FAILED_CALLS.fetch_add(1, Ordering::SeqCst);
        Err(io::Error::other("no such name"))
    }

    #[test]
    fn failures_are_cached_briefly() {
        let _serial = serial();
        let shut_down = AtomicBool::new(false);
        let deadline = || Instant::now() + Duration::from_secs(5);
        let expected = LookupError::Failed("cannot resolve failing.test: no such name".into());
        assert_eq!(
            resolve_name("failing.test", 1, deadline(), &shut_down, failing),
            Err(expected)
        );
        let second = resolve_name("failing.test", 1, deadline(), &shut_down, failing);
        assert!(matches!(second, Err(LookupError::Failed(_))), "{second:?}");
        assert_eq!(
            FAILED_CALLS.load(Ordering::SeqCst),
            1,
            "the failure was reused"
        );
    }

    static SLOW_STARTED: AtomicUsize = AtomicUsize::new(0);
    static SLOW_RELEASE: AtomicBool = AtomicBool::new(false);
    fn slow(_: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        SLOW_STARTED.fetch_add(1, Ordering::SeqCst);
        while !SLOW_RELEASE.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(vec![SocketAddr::from(([127, 0, 0, 9], port))])
    }

    /// One test for everything that needs hanging lookups, since they share the process's
    /// thread budget: one lookup per name however many wait, waiters give up at their
    /// deadline or at shutdown, the budget is enforced, and a late answer serves later calls.
    #[test]
    fn hanging_lookups_are_bounded() {
        let _serial = serial();
        let shut_down = AtomicBool::new(false);
        let soon = || Instant::now() + Duration::from_millis(100);
        let waiters: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(move || {
                    resolve_name("slow-0.test", 1, soon(), &AtomicBool::new(false), slow)
                })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.join().unwrap(), Err(LookupError::TimedOut));
        }
        assert_eq!(
            SLOW_STARTED.load(Ordering::SeqCst),
            1,
            "one lookup for 8 waiters"
        );

        // A waiter returns at shutdown rather than at its deadline.
        let flag = Arc::new(AtomicBool::new(false));
        let waiter = {
            let flag = Arc::clone(&flag);
            std::thread::spawn(move || {
                let far = Instant::now() + Duration::from_secs(600);
                resolve_name("slow-0.test", 1, far, &flag, slow)
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        flag.store(true, Ordering::Release);
        assert_eq!(waiter.join().unwrap(), Err(LookupError::ShutDown));

        // Other names take threads until the budget is spent; then calls fail at once.
        for i in 1..MAX_LOOKUP_THREADS {
            let name = format!("slow-{i}.test");
            assert_eq!(
                resolve_name(&name, 1, soon(), &shut_down, slow),
                Err(LookupError::TimedOut)
            );
        }
        let over = resolve_name("slow-extra.test", 1, soon(), &shut_down, slow);
        let Err(LookupError::Busy(reason)) = over else {
            panic!("{over:?}")
        };
        assert_eq!(
            reason,
            "cannot resolve slow-extra.test: 4 name lookups are already in progress (is DNS slow?)"
        );
        assert_eq!(SLOW_STARTED.load(Ordering::SeqCst), MAX_LOOKUP_THREADS);

        // When DNS answers, the threads end and their answers serve the next calls.
        SLOW_RELEASE.store(true, Ordering::SeqCst);
        let until = Instant::now() + Duration::from_secs(10);
        while lookups().as_ref().unwrap().threads > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(lookups().as_ref().unwrap().threads, 0);
        assert_eq!(
            resolve_name("slow-0.test", 1, soon(), &shut_down, slow),
            Ok(vec!["127.0.0.9:1".parse().unwrap()])
        );
        assert_eq!(SLOW_STARTED.load(Ordering::SeqCst), MAX_LOOKUP_THREADS);
    }
}
