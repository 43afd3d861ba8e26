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
//!
//! The state is per process: after a `fork` the child starts with none (the parent's lookup
//! threads do not exist there), decided by comparing the process id on every use.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

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

/// The outcome of one lookup, shared by everyone waiting for it.
#[derive(Default)]
struct Pending {
    result: Mutex<Option<Result<Vec<SocketAddr>, String>>>,
    ready: Condvar,
}

enum Entry {
    Resolved(Vec<SocketAddr>, Instant),
    Failed(String, Instant),
    InFlight(Arc<Pending>),
}

/// The process's lookups. `pid` is the process they belong to.
struct Lookups {
    pid: u32,
    hosts: HashMap<(String, u16), Entry>,
    threads: usize,
}

static LOOKUPS: Mutex<Option<Lookups>> = Mutex::new(None);

/// The lookups of this process; a child of `fork` starts afresh. A panic elsewhere never
/// leaves this unusable (the state is consistent at every unlock).
fn lookups() -> MutexGuard<'static, Option<Lookups>> {
    let mut guard = LOOKUPS.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if guard.as_ref().is_none_or(|l| l.pid != pid) {
        *guard = Some(Lookups {
            pid,
            hosts: HashMap::new(),
            threads: 0,
        });
    }
    guard
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
    let key = (host.to_owned(), port);
    let pending = {
        let mut guard = lookups();
        let state = guard.as_mut().expect("set by lookups()");
        match state.hosts.get(&key) {
            Some(Entry::Resolved(addresses, at)) if at.elapsed() < CACHE_TTL => {
                return Ok(addresses.clone());
            }
            Some(Entry::Failed(reason, at)) if at.elapsed() < FAILURE_TTL => {
                return Err(LookupError::Failed(reason.clone()));
            }
            Some(Entry::InFlight(pending)) => Arc::clone(pending),
            _ => {
                if state.threads >= MAX_LOOKUP_THREADS {
                    return Err(LookupError::Busy(format!(
                        "cannot resolve {host}: {MAX_LOOKUP_THREADS} name lookups are already \
                         in progress (is DNS slow?)"
                    )));
                }
                let pending = Arc::new(Pending::default());
                spawn_lookup(key.clone(), Arc::clone(&pending), lookup)
                    .map_err(|e| LookupError::Busy(format!("cannot resolve {host}: {e}")))?;
                state.threads += 1;
                state
                    .hosts
                    .insert(key, Entry::InFlight(Arc::clone(&pending)));
                pending
            }
        }
    };
    wait(&pending, deadline, shut_down)
}

/// Waits for `pending` until `deadline` or a shutdown.
fn wait(
    pending: &Pending,
    deadline: Instant,
    shut_down: &AtomicBool,
) -> Result<Vec<SocketAddr>, LookupError> {
    let mut result = lock(&pending.result);
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

/// Starts the thread that looks `key` up and publishes the outcome. The caller counts it.
fn spawn_lookup(key: (String, u16), pending: Arc<Pending>, lookup: LookupFn) -> io::Result<()> {
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
            let mut guard = lookups();
            let state = guard.as_mut().expect("set by lookups()");
            // This thread exists only in the process that started it, so `state` is the
            // one that counted it.
            state.threads -= 1;
            let now = Instant::now();
            let entry = match &outcome {
                Ok(addresses) => Entry::Resolved(addresses.clone(), now),
                Err(reason) => Entry::Failed(reason.clone(), now),
            };
            state.hosts.insert(key, entry);
            drop(guard);
            *lock(&pending.result) = Some(outcome);
            pending.ready.notify_all();
        })
        .map(drop)
}

/// The resolver ureq gets: it looks nothing up. ureq asks for addresses before it looks in its
/// pool, but they are only needed for a new connection, so the connector (`connect.rs`) looks
/// the name up itself, only then.
#[derive(Debug, Default)]
pub(crate) struct LazyResolver;

impl Resolver for LazyResolver {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        Ok(self.empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// The tests share the process's lookup threads, so they run one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        lock(&SERIAL)
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
