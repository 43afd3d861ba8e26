//! A thin layer on top of ureq's transport chain (after TLS) that saves system calls per call:
//!
//! - A request head that announces a body is held back and sent together with the body in
//!   one write: one TCP segment (one TLS record) instead of two, and one wake-up of the server.
//! - ureq probes a connection when it returns it to the pool and again when it takes it out
//!   (each probe is three system calls). The first probe is skipped: the one at checkout sees
//!   the same things (a server that closed the connection, or sent bytes nobody asked for)
//!   and is the one that matters, since it runs after the idle time.

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

#[derive(Debug)]
pub(crate) struct LeanConnector;

impl<In: Transport> Connector<In> for LeanConnector {
    type Out = LeanTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| LeanTransport {
            inner,
            held_head: Vec::new(),
            probe_due: false,
        }))
    }
}

#[derive(Debug)]
pub(crate) struct LeanTransport<T> {
    inner: T,
    /// A request head waiting for its body.
    held_head: Vec<u8>,
    /// False right after a response was read: the pool's return probe is then skipped.
    probe_due: bool,
}

impl<T: Transport> LeanTransport<T> {
    /// Sends the held head and then `amount` bytes of the output buffer, in one write when
    /// they fit in the buffer together.
    fn send_with_head(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let head = std::mem::take(&mut self.held_head);
        crate::telemetry::note_sending(head.len() + amount);
        let output = self.inner.buffers().output();
        if head.len() + amount <= output.len() {
            output.copy_within(..amount, head.len());
            output[..head.len()].copy_from_slice(&head);
            return self.inner.transmit_output(head.len() + amount, timeout);
        }
        // Too big to join (never for this API's requests): the body is moved aside.
        let body = output[..amount].to_vec();
        for part in [head, body] {
            let output = self.inner.buffers().output();
            output[..part.len()].copy_from_slice(&part);
            self.inner.transmit_output(part.len(), timeout)?;
        }
        Ok(())
    }
}

impl<T: Transport> Transport for LeanTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.probe_due = true;
        if !self.held_head.is_empty() {
            return self.send_with_head(amount, timeout);
        }
        let output = &self.inner.buffers().output()[..amount];
        if announces_body(output) {
            self.held_head.extend_from_slice(output);
            return Ok(());
        }
        crate::telemetry::note_sending(amount);
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if !self.held_head.is_empty() {
            // No body followed after all: the head goes out alone.
            self.send_with_head(0, timeout)?;
        }
        let progress = self.inner.await_input(timeout)?;
        if progress {
            crate::telemetry::mark_first_byte();
        }
        self.probe_due = false;
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        if !self.probe_due {
            self.probe_due = true;
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Whether `bytes` is a complete request head with a non-zero Content-Length.
fn announces_body(bytes: &[u8]) -> bool {
    if !bytes.ends_with(b"\r\n\r\n") {
        return false;
    }
    bytes.split(|&b| b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.len() > 15
            && line[..15].eq_ignore_ascii_case(b"content-length:")
            && std::str::from_utf8(&line[15..])
                .ok()
                .and_then(|n| n.trim().parse::<u64>().ok())
                .is_some_and(|n| n > 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_complete_head_with_a_body_is_held_back() {
        assert!(announces_body(
            b"POST /x HTTP/1.1\r\nHost: h\r\ncontent-length: 61\r\n\r\n"
        ));
        assert!(announces_body(
            b"POST /x HTTP/1.1\r\nContent-Length:7\r\n\r\n"
        ));
        assert!(!announces_body(
            b"POST /x HTTP/1.1\r\ncontent-length: 0\r\n\r\n"
        ));
        assert!(!announces_body(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
        assert!(!announces_body(
            b"POST /x HTTP/1.1\r\ncontent-length: 61\r\n"
        ));
        assert!(!announces_body(
            b"{\"access_key\":\"content-length: 5\r\n\r\n\"}"
        ));
    }
}
