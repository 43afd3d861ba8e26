//! A client's connections: the idle ones it keeps, every socket it has open (so that a
//! shutdown reaches each one), and the opening of new ones.
//!
//! **One origin.** A client talks to one API origin through one (or no) proxy, both fixed
//! when it is built, so the pool needs no key: every connection in it goes to the same place.
//!
//! **Checkout** takes the most recently used idle connection younger than the idle timeout
//! and proves it alive with one system call (`recv` with `MSG_PEEK | MSG_DONTWAIT`): a
//! connection the server closed, reset or wrote to unasked is dropped and the next one tried.
//! This holds for tunnelled connections too, since a tunnel is the same socket.
//!
//! **fork.** The state records the fork generation it was made in (`crate::fork`); the first
//! use in a child replaces it, never touching the parent's connections (dropping them only
//! closes the child's copies of the descriptors) nor its TLS session cache (the child gets a
//! new one: it never resumes the parent's sessions). The state's lock is one `fork` waits
//! for, and it is never held during I/O or while code runs that could panic.
//!
//! **shutdown** sets a flag that refuses new calls and new sockets, then shuts down every
//! socket of this process's pool, idle or in use, including one still connecting, in a TLS
//! handshake, in a proxy's CONNECT or pre-connected: the calls blocked on them return at
//! once. A name lookup in progress is left (it cannot be cancelled); its waiters return
//! within 50 ms.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use socket2::Socket;

use super::proxy::{self, Proxy};
use super::resolve::{literal_addresses, resolve_name, system_lookup, LookupError};
use super::socket::{Conn, Idle};
use super::tls::{with_fresh_session_cache, TlsConn};
use super::{tcp, Deadline, Failure};
use crate::fork;
use crate::telemetry::{self, LogLevel};

/// Idle connections kept per client at most.
const MAX_IDLE: usize = 32;

/// Where a client's connections go.
pub(crate) struct Origin {
    pub(crate) https: bool,
    /// Without brackets for IPv6.
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) proxy: Option<Proxy>,
    /// For the proxy's CONNECT.
    pub(crate) user_agent: String,
}

/// An open connection to the origin: plain, or TLS (directly or through a tunnel), with the
/// buffer its exchanges use (kept with it, so that a warm call neither allocates nor clears
/// one).
pub(crate) struct Connection {
    link: Link,
    pub(crate) buffer: Vec<u8>,
}

enum Link {
    Plain(Conn),
    Tls(Box<TlsConn>),
}

/// The size of a connection's buffer: a request or response of this API fits many times.
const BUFFER_BYTES: usize = 8 * 1024;

impl Connection {
    fn new(link: Link) -> Connection {
        Connection {
            link,
            buffer: vec![0; BUFFER_BYTES],
        }
    }

    pub(crate) fn send(&mut self, bytes: &[u8], deadline: &Deadline) -> Result<(), Failure> {
        match &mut self.link {
            Link::Plain(conn) => conn.write_all(bytes, deadline),
            Link::Tls(tls) => tls.send(bytes, deadline),
        }
    }

    pub(crate) fn recv(&mut self, buf: &mut [u8], deadline: &Deadline) -> Result<usize, Failure> {
        match &mut self.link {
            Link::Plain(conn) => conn.read(buf, deadline),
            Link::Tls(tls) => tls.recv(buf, deadline),
        }
    }

    fn fit_for_reuse(&mut self, deadline: &Deadline) -> bool {
        match &mut self.link {
            Link::Plain(conn) => conn.look() == Idle::Quiet,
            Link::Tls(tls) => tls.fit_for_reuse(deadline),
        }
    }
}

struct Kept {
    connection: Connection,
    since: Instant,
    /// Opened by a pre-connect and not used yet.
    preconnected: bool,
}

struct State {
    generation: u64,
    /// This process's TLS configuration: the client's, with a session cache of its own.
    tls: Arc<ClientConfig>,
    /// Most recently used last.
    idle: Vec<Kept>,
    /// Every socket opened in this process, for shutdown; dead ones are pruned as new ones
    /// are added.
    sockets: Vec<Weak<Socket>>,
}

pub(crate) struct Pool {
    origin: Origin,
    tls: Arc<ClientConfig>,
    idle_timeout: Duration,
    state: Mutex<State>,
    shut_down: AtomicBool,
}

impl Pool {
    pub(crate) fn new(origin: Origin, tls: Arc<ClientConfig>, idle_timeout: Duration) -> Pool {
        let state = State::new(&tls);
        Pool {
            origin,
            tls,
            idle_timeout,
            state: Mutex::new(state),
            shut_down: AtomicBool::new(false),
        }
    }

    /// This process's state, made anew on the first use after a fork.
    fn state(&self) -> fork::Locked<'_, State> {
        let mut state = fork::lock(&self.state);
        if state.generation != fork::generation() {
            // The parent's connections and sockets are dropped here: that closes only this
            // process's descriptors, and rustls does no I/O when dropped.
            *state = State::new(&self.tls);
        }
        // Proves that a panic with this lock held leaves the pool usable (test_panic.c).
        #[cfg(feature = "test-hooks")]
        crate::test_hooks::maybe_panic_holding_lock("pool");
        state
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    /// A live idle connection, if there is one.
    pub(crate) fn checkout(&self, deadline: &Deadline) -> Option<Connection> {
        loop {
            let (kept, expired) = {
                let mut state = self.state();
                let cutoff = Instant::now().checked_sub(self.idle_timeout);
                // Oldest first: everything up to the last expired one is expired.
                let fresh_from = state
                    .idle
                    .iter()
                    .rposition(|k| cutoff.is_some_and(|c| k.since <= c))
                    .map_or(0, |i| i + 1);
                let expired: Vec<Kept> = state.idle.drain(..fresh_from).collect();
                (state.idle.pop(), expired)
            };
            drop(expired);
            let mut kept = kept?;
            if kept.connection.fit_for_reuse(deadline) {
                if kept.preconnected {
                    telemetry::event(LogLevel::Info, || {
                        format!(
                            "using the connection pre-connected {} ago",
                            telemetry::ms(kept.since.elapsed())
                        )
                    });
                }
                return Some(kept.connection);
            }
            telemetry::event(LogLevel::Debug, || {
                "a pooled connection was closed by the server; dropped".to_owned()
            });
        }
    }

    /// Keeps a connection whose exchange ended cleanly for the next call.
    pub(crate) fn checkin(&self, connection: Connection) {
        self.keep(connection, false);
    }

    fn keep(&self, connection: Connection, preconnected: bool) {
        let rejected = {
            let mut state = self.state();
            if self.is_shut_down() || state.idle.len() >= MAX_IDLE {
                Some(connection)
            } else {
                state.idle.push(Kept {
                    connection,
                    since: Instant::now(),
                    preconnected,
                });
                None
            }
        };
        drop(rejected);
    }

    /// Opens a connection now and keeps it for the next call that needs one.
    pub(crate) fn preconnect(&self, deadline: &Deadline) -> Result<(), Failure> {
        let connection = self.open(deadline)?;
        telemetry::event(LogLevel::Info, || {
            format!("pre-connected to {}:{}", self.origin.host, self.origin.port)
        });
        self.keep(connection, true);
        Ok(())
    }

    /// A new connection: name lookup, TCP, the proxy's tunnel, TLS, all within `deadline`.
    pub(crate) fn open(&self, deadline: &Deadline) -> Result<Connection, Failure> {
        let origin = &self.origin;
        let (host, port) = match &origin.proxy {
            Some(proxy) => (proxy.host(), proxy.port()),
            None => (origin.host.as_str(), origin.port),
        };
        let addresses = self.resolve(host, port, deadline)?;
        let conn = tcp::connect(&addresses, deadline, &|socket| self.register(socket))?;
        if let Some(proxy) = &origin.proxy {
            proxy::tunnel(
                &conn,
                proxy,
                &origin.host,
                origin.port,
                &origin.user_agent,
                deadline,
            )?;
        }
        if !origin.https {
            return Ok(Connection::new(Link::Plain(conn)));
        }
        let tls = Arc::clone(&self.state().tls);
        let tls = TlsConn::handshake(conn, &tls, &origin.host, deadline)?;
        Ok(Connection::new(Link::Tls(Box::new(tls))))
    }

    fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: &Deadline,
    ) -> Result<Vec<std::net::SocketAddr>, Failure> {
        if let Some(addresses) = literal_addresses(host, port) {
            return Ok(addresses);
        }
        let start = Instant::now();
        // The lookup's own deadline: the connect phase's, checked below for its kind.
        let at = start + deadline.left()?;
        let result = resolve_name(host, port, at, &self.shut_down, system_lookup);
        let took = start.elapsed();
        telemetry::add_resolve(took);
        match result {
            Ok(addresses) => {
                telemetry::event(LogLevel::Debug, || {
                    let list: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
                    format!(
                        "resolved {host} to {} in {}",
                        list.join(", "),
                        telemetry::ms(took)
                    )
                });
                Ok(addresses)
            }
            Err(LookupError::TimedOut) => Err(Failure::Lookup {
                message: format!("no answer from DNS for {host} in time"),
                timed_out: true,
            }),
            Err(LookupError::ShutDown) => Err(Failure::ShutDown),
            Err(LookupError::Failed(message) | LookupError::Busy(message)) => {
                Err(Failure::Lookup {
                    message,
                    timed_out: false,
                })
            }
        }
    }

    /// Records a new socket so that a shutdown reaches it; refused once shut down.
    fn register(&self, socket: &Arc<Socket>) -> Result<(), Failure> {
        let mut state = self.state();
        if self.is_shut_down() {
            return Err(Failure::ShutDown);
        }
        state.sockets.retain(|s| s.strong_count() > 0);
        state.sockets.push(Arc::downgrade(socket));
        Ok(())
    }

    /// Refuses new calls and interrupts the ones in flight in this process. Idempotent.
    pub(crate) fn shutdown(&self) {
        self.shut_down.store(true, Ordering::Release);
        let (sockets, idle) = {
            let mut state = self.state();
            let sockets: Vec<Arc<Socket>> =
                state.sockets.iter().filter_map(Weak::upgrade).collect();
            (sockets, std::mem::take(&mut state.idle))
        };
        for socket in &sockets {
            // An error means it is not connected (any more): nothing to interrupt.
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
        drop(idle);
    }
}

impl State {
    fn new(tls: &ClientConfig) -> State {
        State {
            generation: fork::generation(),
            tls: with_fresh_session_cache(tls),
            idle: Vec::new(),
            sockets: Vec::new(),
        }
    }
}
