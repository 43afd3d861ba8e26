//! A connected TCP socket whose every blocking read and write ends by the call's deadline.
//!
//! The socket stays blocking; each read or write first makes sure the socket timeout
//! (`SO_RCVTIMEO`/`SO_SNDTIMEO`) is at most the time left (see
//! [`deadline::socket_timeout`]), and after an interruption (`EINTR`, which Linux reports for
//! a socket with a timeout whatever `SA_RESTART` says), a timeout or a partial transfer, asks
//! the deadline again. A warm call sets no timeout at all: the one already set still fits.

use std::cell::Cell;
use std::io::{self, Read};
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::Duration;

use socket2::Socket;

use super::deadline::{socket_timeout, Deadline};
use super::Failure;

/// A connected socket, shared with its pool's shutdown list.
pub(crate) struct Conn {
    socket: Arc<Socket>,
    /// The socket timeouts as set now (None: none, as a new socket has).
    read_timeout: Cell<Option<Duration>>,
    write_timeout: Cell<Option<Duration>>,
}

/// What a look at an idle connection found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Idle {
    /// Nothing to read and no error: fit for a request.
    Quiet,
    /// Bytes are waiting (stray data, or for TLS, the server's session tickets).
    Readable,
    /// Closed by the peer, reset, or failed.
    Dead,
}

impl Conn {
    pub(crate) fn new(socket: Arc<Socket>) -> Conn {
        Conn {
            socket,
            read_timeout: Cell::new(None),
            write_timeout: Cell::new(None),
        }
    }

    /// Reads what is there, waiting until `deadline` at most. 0 means the peer closed.
    pub(crate) fn read(&self, buf: &mut [u8], deadline: &Deadline) -> Result<usize, Failure> {
        loop {
            let wanted = socket_timeout(deadline.left()?);
            if self.read_timeout.get() != Some(wanted) {
                self.socket.set_read_timeout(Some(wanted))?;
                self.read_timeout.set(Some(wanted));
            }
            match (&*self.socket).read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if retry(&e) => continue,
                Err(e) => return Err(Failure::Io(e)),
            }
        }
    }

    /// Writes all of `bytes`, until `deadline` at most. Never raises SIGPIPE.
    pub(crate) fn write_all(&self, mut bytes: &[u8], deadline: &Deadline) -> Result<(), Failure> {
        while !bytes.is_empty() {
            let wanted = socket_timeout(deadline.left()?);
            if self.write_timeout.get() != Some(wanted) {
                self.socket.set_write_timeout(Some(wanted))?;
                self.write_timeout.set(Some(wanted));
            }
            match self.socket.send_with_flags(bytes, libc::MSG_NOSIGNAL) {
                Ok(0) => return Err(Failure::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if retry(&e) => continue,
                Err(e) => return Err(Failure::Io(e)),
            }
        }
        Ok(())
    }

    /// Looks at an idle connection without blocking: one system call.
    pub(crate) fn look(&self) -> Idle {
        let mut byte = [MaybeUninit::<u8>::uninit()];
        loop {
            return match self
                .socket
                .recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT)
            {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Idle::Quiet,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(n) if n > 0 => Idle::Readable,
                _ => Idle::Dead,
            };
        }
    }
}

/// Whether a failed read or write should ask the deadline again: an interruption, or the
/// socket timeout (set to at most the time left) expired.
fn retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
