//! Socket-level helpers: writing, and the different ways of ending a connection.

use std::io::{self, Write};
use std::net::Shutdown;
use std::thread;
use std::time::{Duration, Instant};

use crate::stream::Stream;

/// How long a closing connection keeps reading (and discarding) what the client still sends.
/// Closing a socket with unread input makes the kernel send RST, which can destroy the
/// response before the client has read it.
const CLOSE_DRAIN_TIME: Duration = Duration::from_secs(2);

pub fn write_all(mut stream: &Stream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)?;
    stream.flush()
}

/// Writes one byte at a time with `pause` between bytes (for slow-response tests).
pub fn write_dripping(mut stream: &Stream, bytes: &[u8], pause: Duration) -> io::Result<()> {
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            thread::sleep(pause);
        }
        stream.write_all(std::slice::from_ref(byte))?;
        stream.flush()?;
    }
    Ok(())
}

/// Sends FIN (after TLS's `close_notify`), then drains the client's input briefly so the
/// close cannot turn into a RST.
pub fn close_gracefully(stream: &Stream) {
    stream.send_close_notify();
    let _ = stream.shutdown(Shutdown::Write);
    discard_input_until(stream, Instant::now() + CLOSE_DRAIN_TIME);
}

/// Ends the connection abruptly. A true RST needs `SO_LINGER` 0, which std only offers
/// unstably (`TcpStream::set_linger`, feature `tcp_linger`) and which otherwise needs raw
/// file descriptors. So this shuts both directions down and returns without draining: the
/// client sees EOF, and anything it sends afterwards is answered with RST by the kernel. Over TLS
/// no `close_notify` is sent, so the client sees a truncated TLS stream.
pub fn close_abruptly(stream: &Stream) {
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads and throws away input until the client closes, an error occurs, or `deadline`.
/// TLS records are discarded undecrypted: nothing read here is ever answered.
pub fn discard_input_until(stream: &Stream, deadline: Instant) {
    let mut scratch = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read_raw(&mut scratch) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
