//! TLS over a connected socket (or a proxy's tunnel, which is the same socket): the handshake
//! within the deadline, then records in and out.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use rustls::client::Resumption;
use rustls::{ClientConfig, ClientConnection, HandshakeKind};

use super::socket::{Conn, Idle};
use super::{Deadline, Failure};
use crate::telemetry::{self, LogLevel};

/// A TLS configuration with a session cache of its own (for a child of `fork`, which must
/// never resume its parent's sessions: the cache and its lock are the parent's).
pub(crate) fn with_fresh_session_cache(config: &ClientConfig) -> Arc<ClientConfig> {
    let mut config = config.clone();
    config.resumption = Resumption::in_memory_sessions(SESSIONS_CACHED);
    Arc::new(config)
}

/// Sessions kept for resumption per client (rustls' default is 256; a client talks to one
/// server).
pub(crate) const SESSIONS_CACHED: usize = 32;

pub(crate) struct TlsConn {
    conn: Conn,
    tls: ClientConnection,
}

/// The socket as rustls' `Read`/`Write`, each call bounded by the deadline; a failure is
/// kept so that it is reported as itself rather than as an `io::Error`.
struct DeadlineIo<'a> {
    conn: &'a Conn,
    deadline: &'a Deadline,
    failure: Option<Failure>,
}

impl DeadlineIo<'_> {
    fn fail(&mut self, failure: Failure) -> io::Error {
        self.failure = Some(failure);
        io::Error::other("see failure")
    }
}

impl Read for DeadlineIo<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.conn.read(buf, self.deadline).map_err(|f| self.fail(f))
    }
}

impl Write for DeadlineIo<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.conn.write_all(buf, self.deadline) {
            Ok(()) => Ok(buf.len()),
            Err(f) => Err(self.fail(f)),
        }
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        // One send for all of it: records rustls queued together go out in one segment.
        match bufs.iter().filter(|b| !b.is_empty()).count() {
            0 => Ok(0),
            1 => self.write(bufs.iter().find(|b| !b.is_empty()).expect("one")),
            _ => self.write(
                &bufs
                    .iter()
                    .flat_map(|b| b.iter().copied())
                    .collect::<Vec<u8>>(),
            ),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TlsConn {
    /// The handshake with `host`, within `deadline`.
    pub(crate) fn handshake(
        conn: Conn,
        config: &Arc<ClientConfig>,
        host: &str,
        deadline: &Deadline,
    ) -> Result<TlsConn, Failure> {
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|_| Failure::Tls(format!("{host} is not a valid TLS server name")))?;
        let tls = ClientConnection::new(Arc::clone(config), name)
            .map_err(|e| Failure::Tls(e.to_string()))?;
        let mut this = TlsConn { conn, tls };
        let start = Instant::now();
        while this.tls.is_handshaking() {
            this.flush(deadline)?;
            if this.tls.is_handshaking() && this.tls.wants_read() && this.fill(deadline)? == 0 {
                return Err(Failure::Tls(
                    "the server closed the connection during the handshake".into(),
                ));
            }
        }
        // The client's Finished (TLS 1.3) or its last flight.
        this.flush(deadline)?;
        let took = start.elapsed();
        telemetry::add_connection(std::time::Duration::ZERO, took);
        let tls = &this.tls;
        telemetry::event(LogLevel::Info, || {
            format!(
                "TLS established: {}, {}, {} in {}",
                tls.protocol_version()
                    .map_or_else(|| "unknown version".into(), |v| format!("{v:?}")),
                tls.negotiated_cipher_suite()
                    .map_or_else(|| "unknown cipher".into(), |c| format!("{:?}", c.suite())),
                match tls.handshake_kind() {
                    Some(HandshakeKind::Resumed) => "session resumed",
                    _ => "full handshake",
                },
                telemetry::ms(took)
            )
        });
        Ok(this)
    }

    /// Sends what rustls has queued.
    fn flush(&mut self, deadline: &Deadline) -> Result<(), Failure> {
        let mut io = DeadlineIo {
            conn: &self.conn,
            deadline,
            failure: None,
        };
        while self.tls.wants_write() {
            if let Err(e) = self.tls.write_tls(&mut io) {
                return Err(io.failure.take().unwrap_or(Failure::Io(e)));
            }
        }
        Ok(())
    }

    /// Reads one batch of records from the socket and processes them. 0: the peer closed.
    fn fill(&mut self, deadline: &Deadline) -> Result<usize, Failure> {
        let mut io = DeadlineIo {
            conn: &self.conn,
            deadline,
            failure: None,
        };
        let n = match self.tls.read_tls(&mut io) {
            Ok(n) => n,
            Err(e) => return Err(io.failure.take().unwrap_or(Failure::Io(e))),
        };
        if let Err(e) = self.tls.process_new_packets() {
            // Tell the server why (an alert rustls queued), as far as the deadline allows.
            let _ = self.flush(deadline);
            return Err(Failure::Tls(e.to_string()));
        }
        Ok(n)
    }

    /// Encrypts and sends `bytes` (one record for a request of this API's size).
    pub(crate) fn send(&mut self, bytes: &[u8], deadline: &Deadline) -> Result<(), Failure> {
        self.tls.writer().write_all(bytes)?;
        self.flush(deadline)
    }

    /// Reads decrypted bytes; 0 at the end of the stream (close_notify or the socket closed).
    pub(crate) fn recv(&mut self, buf: &mut [u8], deadline: &Deadline) -> Result<usize, Failure> {
        loop {
            match self.tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // Closed without close_notify: the end of what the server sent.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(Failure::Io(e)),
            }
            if self.fill(deadline)? == 0 {
                // The socket's end: whatever rustls still holds was read above.
                return match self.tls.reader().read(buf) {
                    Ok(n) => Ok(n),
                    Err(_) => Ok(0),
                };
            }
        }
    }

    /// Whether an idle connection is fit for a request. A TLS 1.3 server sends session
    /// tickets after the handshake; on a connection that has not carried a request yet (a
    /// pre-connected one) they wait unread and must not count as stray bytes: rustls reads
    /// them. Anything else waiting (data, close_notify, a close) makes it unfit.
    pub(crate) fn fit_for_reuse(&mut self, deadline: &Deadline) -> bool {
        // A bound on records a server could keep sending while we look.
        for _ in 0..8 {
            match self.conn.look() {
                Idle::Quiet => return true,
                Idle::Dead => return false,
                // Bytes are waiting, so this read does not block.
                Idle::Readable => match self.fill(deadline) {
                    Ok(n) if n > 0 => {}
                    _ => return false,
                },
            }
            let mut byte = [0u8; 1];
            match self.tls.reader().read(&mut byte) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                _ => return false,
            }
        }
        false
    }
}
