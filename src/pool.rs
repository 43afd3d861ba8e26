//! A client's connections, owned by one process, and its shutdown switch.
//!
//! **fork.** A child process inherits the parent's pooled sockets. Were it to send on one,
//! parent and child would read each other's responses. So the pool remembers the process id
//! it was made in, and the first call in another process makes a new, empty pool. The
//! inherited one is never used or shut down in the child; it is only dropped, which closes
//! the child's copies of the descriptors and frees memory. That is harmless to the parent: a
//! socket lives until its last descriptor is closed, and dropping does no I/O (ureq 3.5 and
//! rustls have no `Drop` that writes; ureq is pinned exactly, so a new version is reviewed
//! before it can change that) and takes no lock another thread could have held at fork.
//!
//! **shutdown.** [`Pool::shutdown`] sets a flag that refuses new calls and shuts down the
//! sockets of this process's pool (ureq's `Agent::shutdown`), so that calls blocked reading
//! or writing return at once. Only sockets this process made are touched.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::ClientConfig;
use ureq::config::Config;
use ureq::unversioned::transport::{ConnectProxyConnector, Connector};
use ureq::Agent;

use crate::connect::{DirectConnector, Shared};
use crate::resolver::LazyResolver;
use crate::transport::LeanConnector;

/// An agent (connection pool, resolver, connectors) and the process it belongs to.
pub(crate) struct ProcessAgent {
    pid: u32,
    agent: Agent,
    /// What its connector keeps: pre-connected connections, the TLS configuration.
    connections: Arc<Shared>,
}

impl ProcessAgent {
    pub(crate) fn agent(&self) -> &Agent {
        &self.agent
    }

    pub(crate) fn connections(&self) -> &Shared {
        &self.connections
    }
}

pub(crate) struct Pool {
    config: Config,
    tls: Arc<ClientConfig>,
    current: Mutex<Arc<ProcessAgent>>,
    shut_down: Arc<AtomicBool>,
}

impl Pool {
    pub(crate) fn new(config: Config, tls: Arc<ClientConfig>) -> Pool {
        let shut_down = Arc::new(AtomicBool::new(false));
        let current = Mutex::new(Arc::new(make_agent(&config, &tls, &shut_down)));
        Pool {
            config,
            tls,
            current,
            shut_down,
        }
    }

    /// This process's agent, made afresh on the first call after a fork.
    pub(crate) fn agent(&self) -> Arc<ProcessAgent> {
        let pid = std::process::id();
        // Held for a moment only, never across I/O: a panic cannot leave it poisoned in a way
        // that matters, and a fork cannot catch another thread inside a call holding it.
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.pid != pid {
            *current = Arc::new(make_agent(&self.config, &self.tls, &self.shut_down));
        }
        #[cfg(feature = "test-hooks")]
        crate::test_hooks::maybe_panic_holding_lock("pool");
        Arc::clone(&current)
    }

    /// Refuses new calls and interrupts the ones in flight in this process. Idempotent.
    pub(crate) fn shutdown(&self) {
        self.shut_down.store(true, Ordering::Release);
        let current = Arc::clone(&self.current.lock().unwrap_or_else(PoisonError::into_inner));
        if current.pid == std::process::id() {
            current.connections.drop_preconnected();
            current.agent().clone().shutdown();
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }
}

fn make_agent(
    config: &Config,
    tls: &Arc<ClientConfig>,
    shut_down: &Arc<AtomicBool>,
) -> ProcessAgent {
    let connections = Arc::new(Shared::new(
        Arc::clone(tls),
        Arc::clone(shut_down),
        config.max_idle_age(),
    ));
    // A proxy's CONNECT tunnel first (ureq's), then ours: TCP and TLS (see connect.rs).
    let connector = ConnectProxyConnector::default()
        .chain(DirectConnector(Arc::clone(&connections)))
        .chain(LeanConnector);
    ProcessAgent {
        pid: std::process::id(),
        agent: Agent::with_parts(config.clone(), connector, LazyResolver),
        connections,
    }
}
