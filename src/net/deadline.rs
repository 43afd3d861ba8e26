//! A call's one deadline. Every blocking step asks it for the time left, again after every
//! interruption, partial read or partial write; nothing re-arms a full timeout.

use std::time::{Duration, Instant};

use super::Failure;

/// Which limit a deadline is, for the message when it passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limit {
    /// The connect timeout: name lookup, TCP connect, proxy CONNECT and TLS handshake.
    Connect,
    /// The call's timeout: everything from the start of the call to the last response byte.
    Call,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Instant,
    limit: Limit,
}

impl Deadline {
    pub(crate) fn new(at: Instant, limit: Limit) -> Deadline {
        Deadline { at, limit }
    }

    /// The deadline for setting up a connection: the connect timeout from `start`, or the
    /// call's own deadline when that comes first.
    pub(crate) fn for_connecting(self, start: Instant, connect_timeout: Duration) -> Deadline {
        let connect = start + connect_timeout;
        if connect < self.at {
            Deadline::new(connect, Limit::Connect)
        } else {
            self
        }
    }

    /// The time left; [`Failure::TimedOut`] once none is.
    pub(crate) fn left(&self) -> Result<Duration, Failure> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::TimedOut(self.limit));
        }
        Ok(left)
    }

    pub(crate) fn limit(&self) -> Limit {
        self.limit
    }
}

/// How finely a socket timeout follows the time left. A socket timeout that is at most the
/// time left, and at most this much below it, is kept as it is, so that warm calls (whose
/// time left at the read differs by microseconds from call to call) set none.
const GRAIN: Duration = Duration::from_millis(10);

/// The socket timeout to use for a blocking step with `left` time left: never more than
/// `left` (so the step ends by the deadline), rounded down to [`GRAIN`] so that it is stable
/// from call to call, and at least 1 ms (a zero socket timeout would mean "no timeout").
pub(crate) fn socket_timeout(left: Duration) -> Duration {
    let grains = left.as_nanos() / GRAIN.as_nanos();
    if grains == 0 {
        return left.max(Duration::from_millis(1)).min(GRAIN);
    }
    GRAIN * grains as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_never_exceed_the_time_left_and_are_stable() {
        let ms = Duration::from_millis;
        assert_eq!(
            socket_timeout(ms(5000) - Duration::from_micros(7)),
            ms(4990)
        );
        assert_eq!(
            socket_timeout(ms(5000) - Duration::from_micros(900)),
            ms(4990)
        );
        assert_eq!(socket_timeout(ms(5000)), ms(5000));
        assert_eq!(socket_timeout(ms(15)), ms(10));
        assert_eq!(socket_timeout(ms(7)), ms(7));
        assert_eq!(socket_timeout(Duration::from_micros(10)), ms(1));
    }

    #[test]
    fn the_connect_limit_applies_only_when_it_comes_first() {
        let start = Instant::now();
        let call = Deadline::new(start + Duration::from_secs(10), Limit::Call);
        let connecting = call.for_connecting(start, Duration::from_secs(5));
        assert_eq!(connecting.limit(), Limit::Connect);
        let connecting = call.for_connecting(start, Duration::from_secs(20));
        assert_eq!(connecting.limit(), Limit::Call);
    }
}
