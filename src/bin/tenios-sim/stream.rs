//! A connection's byte stream: plain TCP, or TLS over TCP (`--tls-cert`/`--tls-key`).
//!
//! Like `&TcpStream`, a `&Stream` can both read and write, so the connection code can read
//! requests through a `BufReader<&Stream>` while it writes answers through the same stream.
//! For TLS that needs interior mutability: the rustls stream sits in a `RefCell`, borrowed
//! only for the length of one read or write (never nested: nothing writes from inside a read).

use std::cell::{RefCell, RefMut};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use rustls::{ServerConnection, StreamOwned};

pub type TlsStream = StreamOwned<ServerConnection, TcpStream>;

pub enum Stream {
    Plain(TcpStream),
    /// Boxed: a rustls connection is large, and there is one per connection thread anyway.
    Tls(Box<RefCell<TlsStream>>),
}

impl Stream {
    /// A TLS stream whose handshake has completed.
    pub fn tls(stream: TlsStream) -> Stream {
        Stream::Tls(Box::new(RefCell::new(stream)))
    }

    /// Runs `action` on the TCP socket underneath (socket options, shutdown, raw reads).
    fn tcp<R>(&self, action: impl FnOnce(&TcpStream) -> io::Result<R>) -> io::Result<R> {
        match self {
            Stream::Plain(tcp) => action(tcp),
            Stream::Tls(tls) => action(&tls.try_borrow().map_err(io::Error::other)?.sock),
        }
    }

    fn tls_mut(tls: &RefCell<TlsStream>) -> io::Result<RefMut<'_, TlsStream>> {
        tls.try_borrow_mut().map_err(io::Error::other)
    }

    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp(|tcp| tcp.set_read_timeout(timeout))
    }

    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp(|tcp| tcp.set_write_timeout(timeout))
    }

    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.tcp(|tcp| tcp.set_nodelay(nodelay))
    }

    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.tcp(|tcp| tcp.shutdown(how))
    }

    /// Reads from the socket itself, bypassing TLS: for discarding input while closing.
    pub fn read_raw(&self, buffer: &mut [u8]) -> io::Result<usize> {
        self.tcp(|mut tcp| tcp.read(buffer))
    }

    /// TLS only: sends the `close_notify` alert that announces a clean end of the stream
    /// (best effort; nothing to do for plain TCP, where FIN says it all).
    pub fn send_close_notify(&self) {
        if let Stream::Tls(tls) = self {
            if let Ok(mut tls) = Stream::tls_mut(tls) {
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    }
}

impl Read for &Stream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match *self {
            Stream::Plain(tcp) => (&*tcp).read(buffer),
            Stream::Tls(tls) => Stream::tls_mut(tls)?.read(buffer),
        }
    }
}

impl Write for &Stream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match *self {
            Stream::Plain(tcp) => (&*tcp).write(bytes),
            Stream::Tls(tls) => Stream::tls_mut(tls)?.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match *self {
            Stream::Plain(tcp) => (&*tcp).flush(),
            Stream::Tls(tls) => Stream::tls_mut(tls)?.flush(),
        }
    }
}
