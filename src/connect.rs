//! Opening connections: the name lookup, the TCP connect and the TLS handshake, in place of
//! ureq's own TCP and rustls connectors, for four reasons:
//!
//! - **Names are looked up only for a new connection.** ureq resolves before it looks in its
//!   pool; here the lookup happens in the connector, which ureq runs only when the pool has no
//!   connection (the resolver handed to ureq does nothing: see `resolver.rs`).
//! - **TCP keepalive** on every socket (idle 15 s, then 5 s apart, 3 probes), so that a pooled
//!   connection a NAT or firewall dropped in silence is found dead before a request is sent
//!   into it, and a live one keeps its NAT mapping.
//! - **TLS details**: the negotiated version and cipher and whether the session was resumed
//!   are logged; one rustls configuration (with its session cache) per client, so that a
//!   reconnect resumes the previous session (one round trip saved with TLS 1.2; 1.3 saves the
//!   certificate work).
//! - **Pre-connect**: a connection opened ahead of a call is kept here until a call needs
//!   a new connection.
//!
//! Through an HTTP proxy, ureq's `ConnectProxyConnector` (before this one in the chain) opens
//! the tunnel, using this connector for the TCP connection to the proxy; TLS to the API then
//! runs here over the tunnel.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use rustls::{ClientConfig, ClientConnection, HandshakeKind, StreamOwned};
use ureq::http::Uri;
use ureq::unversioned::transport::time::Instant as UreqInstant;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
    TransportAdapter,
};

use crate::resolver::{resolve_name, system_lookup, LookupError};
use crate::telemetry::{self, ms, LogLevel};

/// TCP keepalive: first probe after this much idle time.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(15);
/// Between probes.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
/// Probes before the kernel gives the connection up.
const KEEPALIVE_PROBES: u32 = 3;
/// Pre-connected connections kept per client at most.
const MAX_PRECONNECTED: usize = 4;

/// A new connection and the handle that shuts its socket down.
type Opened = (Box<dyn Transport>, Weak<dyn ShutdownHandle>);

/// What the connectors of one client (in one process) share.
pub(crate) struct Shared {
    tls: Arc<ClientConfig>,
    shut_down: Arc<AtomicBool>,
    /// How long an idle connection is reused (a pre-connected one too).
    idle_timeout: Duration,
    preconnected: Mutex<Vec<Preconnected>>,
}

struct Preconnected {
    /// `scheme://host:port` of the connection.
    key: String,
    opened: Instant,
    transport: Box<dyn Transport>,
    shutdown: Weak<dyn ShutdownHandle>,
}

impl Shared {
    pub(crate) fn new(
        tls: Arc<ClientConfig>,
        shut_down: Arc<AtomicBool>,
        idle_timeout: Duration,
    ) -> Self {
        Shared {
            tls,
            shut_down,
            idle_timeout,
            preconnected: Mutex::new(Vec::new()),
        }
    }

    /// Opens a connection to `uri` now and keeps it for the next call that needs one.
    pub(crate) fn preconnect(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        connect_timeout: Duration,
    ) -> Result<(), ureq::Error> {
        let key = pool_key(uri);
        let now = UreqInstant::now();
        let timeout = NextTimeout {
            after: connect_timeout.into(),
            reason: ureq::Timeout::Connect,
            ..NextTimeout::default()
        };
        let current_time: Arc<dyn Fn() -> UreqInstant + Send + Sync> = Arc::new(UreqInstant::now);
        let (transport, shutdown) = self.open(uri, config, now, timeout, current_time)?;
        let mut kept = lock(&self.preconnected);
        kept.retain(|p| p.opened.elapsed() < self.idle_timeout);
        if kept.len() >= MAX_PRECONNECTED {
            kept.remove(0);
        }
        kept.push(Preconnected {
            key,
            opened: Instant::now(),
            transport,
            shutdown,
        });
        telemetry::event(LogLevel::Info, || {
            format!("pre-connected to {}", authority(uri))
        });
        Ok(())
    }

    /// Closes the pre-connected connections (at shutdown).
    pub(crate) fn drop_preconnected(&self) {
        lock(&self.preconnected).clear();
    }

    /// A pre-connected connection for `uri` that is still usable, if there is one.
    fn take_preconnected(&self, uri: &Uri) -> Option<Preconnected> {
        let key = pool_key(uri);
        let mut kept = lock(&self.preconnected);
        while let Some(i) = kept.iter().position(|p| p.key == key) {
            let mut candidate = kept.remove(i);
            if candidate.opened.elapsed() < self.idle_timeout && candidate.transport.is_open() {
                return Some(candidate);
            }
        }
        None
    }

    /// Looks the host up, connects, and does TLS for `https`.
    fn open(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        started: UreqInstant,
        timeout: NextTimeout,
        current_time: Arc<dyn Fn() -> UreqInstant + Send + Sync>,
    ) -> Result<Opened, ureq::Error> {
        let deadline = Instant::now() + *timeout.after;
        let (host, port) = host_and_port(uri)?;
        let addresses = self.resolve(&host, port, deadline)?;

        let connect_start = Instant::now();
        let stream = connect_any(&addresses, deadline, timeout)?;
        let connected = connect_start.elapsed();
        telemetry::event(LogLevel::Info, || {
            format!(
                "connected to {} in {}",
                stream
                    .peer_addr()
                    .map_or_else(|_| authority(uri), |a| a.to_string()),
                ms(connected)
            )
        });
        let stream = Arc::new(SharedStream(stream));
        let shutdown = Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>;
        if uri.scheme_str() != Some("https") {
            telemetry::add_connection(connected, Duration::ZERO);
            return Ok((Box::new(TcpTransport::new(stream, config)), shutdown));
        }
        let tls_start = Instant::now();
        let tls = tls_handshake(
            &self.tls,
            DirectIo::new(stream),
            &host,
            config,
            started,
            timeout,
            current_time,
        )?;
        telemetry::add_connection(connected, tls_start.elapsed());
        Ok((Box::new(tls), shutdown))
    }

    fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: Instant,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let start = Instant::now();
        let result = resolve_name(host, port, deadline, &self.shut_down, system_lookup);
        let took = start.elapsed();
        telemetry::add_resolve(took);
        match result {
            Ok(addresses) => {
                telemetry::event(LogLevel::Debug, || {
                    let list: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
                    format!("resolved {host} to {} in {}", list.join(", "), ms(took))
                });
                Ok(addresses)
            }
            Err(LookupError::TimedOut) => Err(ureq::Error::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer from DNS for {host} in time"),
            ))),
            Err(LookupError::ShutDown) => Err(ureq::Error::Io(io::Error::new(
                io::ErrorKind::NotConnected,
                "the client was shut down",
            ))),
            Err(LookupError::Failed(reason) | LookupError::Busy(reason)) => {
                Err(ureq::Error::Io(io::Error::other(reason)))
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn host_and_port(uri: &Uri) -> Result<(String, u16), ureq::Error> {
    let authority = uri
        .authority()
        .ok_or_else(|| ureq::Error::BadUri(format!("{uri} has no host")))?;
    let default_port = if uri.scheme_str() == Some("https") {
        443
    } else {
        80
    };
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    Ok((host, authority.port_u16().unwrap_or(default_port)))
}

fn authority(uri: &Uri) -> String {
    uri.authority().map_or_else(String::new, |a| a.to_string())
}

fn pool_key(uri: &Uri) -> String {
    let (host, port) = host_and_port(uri).unwrap_or_default();
    format!("{}://{host}:{port}", uri.scheme_str().unwrap_or(""))
}

/// Connects to the first address that answers, giving each the time left shared among the
/// ones not yet tried.
fn connect_any(
    addresses: &[SocketAddr],
    deadline: Instant,
    timeout: NextTimeout,
) -> Result<TcpStream, ureq::Error> {
    let mut last = None;
    for (i, address) in addresses.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let share = (left / (addresses.len() - i) as u32).max(Duration::from_millis(10));
        telemetry::event(LogLevel::Debug, || format!("connecting to {address}"));
        match TcpStream::connect_timeout(address, share) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                let keepalive = socket2::TcpKeepalive::new()
                    .with_time(KEEPALIVE_IDLE)
                    .with_interval(KEEPALIVE_INTERVAL)
                    .with_retries(KEEPALIVE_PROBES);
                socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() != io::ErrorKind::TimedOut && e.kind() != io::ErrorKind::WouldBlock => {
            ureq::Error::Io(e)
        }
        _ => ureq::Error::Timeout(timeout.reason),
    })
}

fn tls_handshake<S: TlsIo>(
    config: &Arc<ClientConfig>,
    mut io: S,
    host: &str,
    ureq_config: &ureq::config::Config,
    started: UreqInstant,
    timeout: NextTimeout,
    current_time: Arc<dyn Fn() -> UreqInstant + Send + Sync>,
) -> Result<TlsTransport<S>, ureq::Error> {
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| ureq::Error::Tls("invalid DNS name"))?;
    let mut connection = ClientConnection::new(Arc::clone(config), name)?;
    // The connect budget counts from the start of the connection.
    let elapsed = current_time().duration_since_std(started);
    let mut remaining = timeout;
    remaining.after = (*timeout.after).saturating_sub(elapsed).into();
    io.set_timeout(remaining);
    let start = Instant::now();
    connection.complete_io(&mut io)?;
    telemetry::event(LogLevel::Info, || {
        format!(
            "TLS established: {}, {}, {} in {}",
            connection
                .protocol_version()
                .map_or_else(|| "unknown version".into(), |v| format!("{v:?}")),
            connection
                .negotiated_cipher_suite()
                .map_or_else(|| "unknown cipher".into(), |c| format!("{:?}", c.suite())),
            match connection.handshake_kind() {
                Some(HandshakeKind::Resumed) => "session resumed",
                _ => "full handshake",
            },
            ms(start.elapsed())
        )
    });
    Ok(TlsTransport {
        buffers: LazyBuffers::new(
            ureq_config.input_buffer_size(),
            ureq_config.output_buffer_size(),
        ),
        stream: StreamOwned::new(connection, io),
    })
}

/// What TLS runs over: the socket itself, or a proxy's tunnel (a ureq transport).
trait TlsIo: Read + Write + Send + Sync + 'static {
    /// Applies a call's time limit to the reads and writes that follow.
    fn set_timeout(&mut self, timeout: NextTimeout);

    /// Whether a pooled connection is fit for a request. A TLS 1.3 server sends session
    /// tickets after the handshake; on a connection that has not carried a request yet (a
    /// pre-connected one) they wait unread, and must not count as stray bytes: rustls reads
    /// what is there first.
    fn fit_for_reuse(&mut self, connection: &mut ClientConnection) -> bool;
}

impl TlsIo for TransportAdapter {
    fn set_timeout(&mut self, timeout: NextTimeout) {
        TransportAdapter::set_timeout(self, timeout);
    }

    fn fit_for_reuse(&mut self, _connection: &mut ClientConnection) -> bool {
        // A tunnel cannot be read without blocking: waiting bytes make it unfit.
        self.get_mut().is_open()
    }
}

/// TLS straight over the socket (no proxy).
struct DirectIo {
    stream: Arc<SharedStream>,
    deadline: Option<Instant>,
    reason: ureq::Timeout,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl DirectIo {
    fn new(stream: Arc<SharedStream>) -> Self {
        DirectIo {
            stream,
            deadline: None,
            reason: ureq::Timeout::Global,
            read_timeout: None,
            write_timeout: None,
        }
    }

    /// The time left, as a socket timeout; a timeout error when none is left.
    fn left(&self) -> io::Result<Option<Duration>> {
        let Some(deadline) = self.deadline else {
            return Ok(None);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ureq::Error::Timeout(self.reason).into_io());
        }
        Ok(Some(left))
    }

    fn timeout_error(&self, e: io::Error) -> io::Error {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                ureq::Error::Timeout(self.reason).into_io()
            }
            _ => e,
        }
    }
}

impl Read for DirectIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left()?;
        if left != self.read_timeout {
            self.stream.0.set_read_timeout(left)?;
            self.read_timeout = left;
        }
        loop {
            match (&self.stream.0).read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other.map_err(|e| self.timeout_error(e)),
            }
        }
    }
}

impl Write for DirectIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.left()?;
        if left != self.write_timeout {
            self.stream.0.set_write_timeout(left)?;
            self.write_timeout = left;
        }
        (&self.stream.0)
            .write(buf)
            .map_err(|e| self.timeout_error(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TlsIo for DirectIo {
    fn set_timeout(&mut self, timeout: NextTimeout) {
        self.reason = timeout.reason;
        self.deadline =
            (!timeout.after.is_not_happening()).then(|| Instant::now() + *timeout.after);
    }

    fn fit_for_reuse(&mut self, connection: &mut ClientConnection) -> bool {
        let stream = &self.stream.0;
        if probe(stream).unwrap_or(false) {
            return true;
        }
        // Let rustls take what is waiting, straight from the socket and without blocking.
        if stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut closed = false;
        loop {
            match connection.read_tls(&mut &*stream) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        let restored = stream.set_nonblocking(false).is_ok();
        if closed || !restored || connection.process_new_packets().is_err() {
            return false;
        }
        // Fit when that was only TLS's own messages: no application data, no close.
        let mut byte = [0u8; 1];
        matches!(
            connection.reader().read(&mut byte),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock
        ) && probe(stream).unwrap_or(false)
    }
}

/// ureq's time type as a std duration since `earlier`.
trait SinceStd {
    fn duration_since_std(&self, earlier: UreqInstant) -> Duration;
}

impl SinceStd for UreqInstant {
    fn duration_since_std(&self, earlier: UreqInstant) -> Duration {
        match (self, earlier) {
            (UreqInstant::Exact(now), UreqInstant::Exact(then)) => {
                now.saturating_duration_since(then)
            }
            _ => Duration::ZERO,
        }
    }
}

/// The connector: a pre-connected connection, or a new one; TLS over a proxy's tunnel.
#[derive(Clone)]
pub(crate) struct DirectConnector(pub(crate) Arc<Shared>);

impl std::fmt::Debug for DirectConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectConnector")
    }
}

impl<In: Transport> Connector<In> for DirectConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let shared = &self.0;
        if let Some(tunnel) = chained {
            // A proxy's CONNECT tunnel: TLS to the API runs through it.
            if !details.needs_tls() || tunnel.is_tls() {
                return Ok(Some(Box::new(tunnel)));
            }
            let (host, _) = host_and_port(details.uri)?;
            let start = Instant::now();
            let adapter = TransportAdapter::new(
                Box::new(tunnel) as Box<dyn Transport>,
                details.current_time.clone(),
            );
            let tls = tls_handshake(
                &shared.tls,
                adapter,
                &host,
                details.config,
                details.now,
                details.timeout,
                details.current_time.clone(),
            )?;
            telemetry::add_connection(Duration::ZERO, start.elapsed());
            return Ok(Some(Box::new(tls)));
        }
        if let Some(kept) = shared.take_preconnected(details.uri) {
            (details.register_shutdown)(kept.shutdown)?;
            telemetry::event(LogLevel::Info, || {
                format!(
                    "using the connection pre-connected {} ago",
                    ms(kept.opened.elapsed())
                )
            });
            return Ok(Some(kept.transport));
        }
        let (transport, shutdown) = shared.open(
            details.uri,
            details.config,
            details.now,
            details.timeout,
            details.current_time.clone(),
        )?;
        (details.register_shutdown)(shutdown)?;
        Ok(Some(transport))
    }
}

/// A socket shared with its shutdown handle.
struct SharedStream(TcpStream);

impl ShutdownHandle for SharedStream {
    fn shutdown(&self) {
        // An error means it is closed or shut down already.
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

struct TcpTransport {
    stream: Arc<SharedStream>,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl TcpTransport {
    fn new(stream: Arc<SharedStream>, config: &ureq::config::Config) -> Self {
        TcpTransport {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
        }
    }
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.0.peer_addr().ok())
            .finish()
    }
}

/// The timeout to set for `timeout` (None: none), or a timeout error when none is left.
fn io_timeout(timeout: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    let left = *timeout.after;
    if left.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(Some(left))
}

fn timed_out(e: io::Error, reason: ureq::Timeout) -> ureq::Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ureq::Error::Timeout(reason),
        _ => ureq::Error::Io(e),
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        let wanted = io_timeout(timeout)?;
        // Only when it changes: one system call saved per write.
        if wanted != self.write_timeout {
            self.stream.0.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        (&self.stream.0)
            .write_all(output)
            .map_err(|e| timed_out(e, timeout.reason))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        let wanted = io_timeout(timeout)?;
        if wanted != self.read_timeout {
            self.stream.0.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&self.stream.0).read(input) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| timed_out(e, timeout.reason))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        probe(&self.stream.0).unwrap_or(false)
    }
}

/// Whether a pooled socket is still fit for a request: nothing to read (no close from the
/// server, no stray bytes) and no error (a reset, or keepalive probes that went unanswered).
fn probe(stream: &TcpStream) -> io::Result<bool> {
    stream.set_nonblocking(true)?;
    let mut byte = [0];
    let open = matches!(stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false)?;
    Ok(open)
}

struct TlsTransport<S: TlsIo> {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, S>,
}

impl<S: TlsIo> std::fmt::Debug for TlsTransport<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsTransport")
    }
}

impl<S: TlsIo> Transport for TlsTransport<S> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        let StreamOwned { conn, sock } = &mut self.stream;
        sock.fit_for_reuse(conn)
    }

    fn is_tls(&self) -> bool {
        true
    }
}
