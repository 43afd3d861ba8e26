//! The TCP connect: each address in turn within the deadline, with TCP keepalive.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, TcpKeepalive, Type};

use super::socket::Conn;
use super::{Deadline, Failure};
use crate::telemetry::{self, LogLevel};

/// TCP keepalive: first probe after this much idle time, so that a pooled connection a NAT
/// or firewall dropped in silence is found dead before a request is sent into it, and a live
/// one keeps its NAT mapping.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(15);
/// Between probes.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
/// Probes before the kernel gives the connection up.
const KEEPALIVE_PROBES: u32 = 3;

/// Connects to the first of `addresses` that answers, giving each an equal share of the time
/// left among those not yet tried. `register` receives each socket before its connect starts,
/// so that a shutdown can interrupt the connect; it fails once the client is shut down.
pub(crate) fn connect(
    addresses: &[SocketAddr],
    deadline: &Deadline,
    register: &dyn Fn(&Arc<Socket>) -> Result<(), Failure>,
) -> Result<Conn, Failure> {
    let mut last = None;
    for (i, address) in addresses.iter().enumerate() {
        let left = deadline.left()?;
        let share = (left / (addresses.len() - i) as u32).max(Duration::from_millis(10));
        telemetry::event(LogLevel::Debug, || format!("connecting to {address}"));
        let socket = Arc::new(Socket::new(
            Domain::for_address(*address),
            Type::STREAM,
            Some(Protocol::TCP),
        )?);
        register(&socket)?;
        let start = Instant::now();
        match socket.connect_timeout(&SockAddr::from(*address), share.min(left)) {
            Ok(()) => {
                socket.set_tcp_nodelay(true)?;
                let keepalive = TcpKeepalive::new()
                    .with_time(KEEPALIVE_IDLE)
                    .with_interval(KEEPALIVE_INTERVAL)
                    .with_retries(KEEPALIVE_PROBES);
                socket.set_tcp_keepalive(&keepalive)?;
                let took = start.elapsed();
                telemetry::event(LogLevel::Info, || {
                    format!("connected to {address} in {}", telemetry::ms(took))
                });
                telemetry::add_connection(took, Duration::ZERO);
                return Ok(Conn::new(socket));
            }
            Err(e) => last = Some(e),
        }
    }
    deadline.left()?;
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => Failure::TimedOut(deadline.limit()),
        Some(e) => Failure::Io(e),
        None => Failure::TimedOut(deadline.limit()),
    })
}
