//! What a call did: its log events and where its time went.
//!
//! A call runs on its caller's thread from start to end (the exchange is blocking; a name lookup's
//! own thread is only waited for), so the layers below `Client::post` (resolver, connector,
//! transport) report into a thread-local trace that `post` starts and finishes. The events
//! are handed to the client's [`LogSink`] when the call is over, on the calling thread and
//! with no lock held, so a callback may do anything, even call libtenios again. Events are
//! formatted only when a sink wants their level; timings are always kept (a few clock reads).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::fork;
use std::time::{Duration, Instant};

/// How much a log line matters; a sink receives the levels up to its maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// A call failed.
    Error = 1,
    /// Something worth an operator's attention that did not fail the call.
    Warn = 2,
    /// One line per notable step: connecting, TLS, request sent, response.
    Info = 3,
    /// Details: name lookups, connection reuse.
    Debug = 4,
}

impl LogLevel {
    /// The level with this number, if there is one.
    pub fn from_number(n: u32) -> Option<LogLevel> {
        [Self::Error, Self::Warn, Self::Info, Self::Debug]
            .into_iter()
            .find(|l| *l as u32 == n)
    }
}

/// A function that receives log lines.
type LogFn = dyn Fn(LogLevel, &str) + Send + Sync;

/// Where a client's log lines go: a function and the most detailed level it wants. Clones
/// share one function and one retirement: once [`LogSink::retire`] has returned, the function
/// is never entered again through any clone.
#[derive(Clone)]
pub struct LogSink {
    shared: Arc<Shared>,
    max_level: LogLevel,
}

struct Shared {
    callback: Box<LogFn>,
    /// Locked through the fork gate (`crate::fork`), for a moment only.
    deliveries: Mutex<Deliveries>,
}

struct Deliveries {
    retired: bool,
    /// Threads inside the function now.
    active: usize,
}

thread_local! {
    /// The sinks whose function this thread is inside (a callback may make a call whose lines
    /// it receives too, so there may be several), by address.
    static DELIVERING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A delivery in flight: counted while it lives, so that a retirement waits for it (even if
/// the function panicked).
struct InFlight<'a>(&'a Shared);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        DELIVERING.with(|d| d.borrow_mut().pop());
        fork::lock(&self.0.deliveries).active -= 1;
    }
}

impl LogSink {
    pub fn new(
        max_level: LogLevel,
        callback: impl Fn(LogLevel, &str) + Send + Sync + 'static,
    ) -> Self {
        LogSink {
            shared: Arc::new(Shared {
                callback: Box::new(callback),
                deliveries: Mutex::new(Deliveries {
                    retired: false,
                    active: 0,
                }),
            }),
            max_level,
        }
    }

    pub fn max_level(&self) -> LogLevel {
        self.max_level
    }

    fn address(&self) -> usize {
        Arc::as_ptr(&self.shared) as usize
    }

    /// Hands `events` to the function, in order, unless the sink was retired (then they are
    /// dropped).
    pub(crate) fn deliver(&self, events: &[(LogLevel, String)]) {
        if !events.iter().any(|(level, _)| *level <= self.max_level) {
            return;
        }
        {
            let mut deliveries = fork::lock(&self.shared.deliveries);
            if deliveries.retired {
                return;
            }
            deliveries.active += 1;
        }
        DELIVERING.with(|d| d.borrow_mut().push(self.address()));
        let _in_flight = InFlight(&self.shared);
        for (level, line) in events {
            if *level <= self.max_level {
                (self.shared.callback)(*level, line);
            }
        }
    }

    /// Whether this thread is inside this sink's function now.
    pub(crate) fn is_delivering_on_this_thread(&self) -> bool {
        let address = self.address();
        DELIVERING.with(|d| d.borrow().contains(&address))
    }

    /// Makes sure the function is never entered again: later deliveries are dropped, and this
    /// waits for the deliveries in flight on other threads to return. Must not be called from
    /// inside the function on this thread (check [`LogSink::is_delivering_on_this_thread`]
    /// first): that would wait for itself.
    pub(crate) fn retire(&self) {
        // Polled rather than waited for on a condition variable: the lock is the fork gate's
        // kind, which is never held while waiting. Retiring is rare (a setter call) and a
        // delivery is a few log lines.
        loop {
            {
                let mut deliveries = fork::lock(&self.shared.deliveries);
                deliveries.retired = true;
                if deliveries.active == 0 {
                    return;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

impl fmt::Debug for LogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogSink(up to {:?})", self.max_level)
    }
}

/// Where one call's time went. Durations are zero for steps the call did not take: a call on
/// a pooled connection has no name lookup, connect or TLS handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// The call used a pooled (or pre-connected) connection: no lookup, connect or handshake.
    pub connection_reused: bool,
    /// Name resolution (zero for an IP address, a cached name, or a reused connection).
    pub resolve: Duration,
    /// The TCP connect.
    pub connect: Duration,
    /// The TLS handshake.
    pub tls: Duration,
    /// From the start of the call to the first byte of the response.
    pub first_byte: Duration,
    /// The whole call, from its start to its end.
    pub total: Duration,
}

struct Trace {
    start: Instant,
    /// `POST /path`, for the line that says the request went out.
    request: Cow<'static, str>,
    request_logged: bool,
    max_level: Option<LogLevel>,
    events: Vec<(LogLevel, String)>,
    timings: Timings,
    opened_connection: bool,
    first_byte: Option<Instant>,
}

thread_local! {
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
    static LAST: Cell<Timings> = Cell::new(Timings::default());
    /// The timings of the call made by the library function this thread entered last, once
    /// that call is over; None when it made none (its arguments were refused, say).
    static ENTRY_CALL: Cell<Option<Timings>> = const { Cell::new(None) };
}

/// Starts tracing a call on this thread; `max_level` is the most detailed level any sink
/// wants (None: no events are formatted).
pub(crate) fn begin(max_level: Option<LogLevel>, request: Cow<'static, str>) {
    TRACE.with(|t| {
        *t.borrow_mut() = Some(Trace {
            start: Instant::now(),
            request,
            request_logged: false,
            max_level,
            events: Vec::new(),
            timings: Timings::default(),
            opened_connection: false,
            first_byte: None,
        })
    });
}

/// Ends the trace: its timings (also kept as this thread's [`last_call_timings`]) and events.
pub(crate) fn finish() -> (Timings, Vec<(LogLevel, String)>) {
    let trace = TRACE.with(|t| t.borrow_mut().take());
    let Some(trace) = trace else {
        return (Timings::default(), Vec::new());
    };
    let mut timings = trace.timings;
    timings.total = trace.start.elapsed();
    timings.connection_reused = !trace.opened_connection;
    timings.first_byte = trace
        .first_byte
        .map_or(Duration::ZERO, |at| at - trace.start);
    LAST.with(|l| l.set(timings));
    (timings, trace.events)
}

/// The timings of the call in progress on this thread so far (`first_byte` included).
pub(crate) fn current_timings() -> Timings {
    TRACE.with(|t| {
        t.borrow().as_ref().map_or_else(Timings::default, |trace| {
            let mut timings = trace.timings;
            timings.first_byte = trace
                .first_byte
                .map_or(Duration::ZERO, |at| at - trace.start);
            timings
        })
    })
}

/// Makes `timings` this thread's last call's again (after a log callback made calls).
pub(crate) fn set_last_call_timings(timings: Timings) {
    LAST.with(|l| l.set(timings));
}

/// A library function starts on this thread: it has made no call yet.
pub(crate) fn entry_started() {
    ENTRY_CALL.with(|c| c.set(None));
}

/// The call of the library function this thread is in is over and took `timings` (set after
/// its log lines are delivered, so calls made by a log callback do not overwrite it).
pub(crate) fn set_entry_call_timings(timings: Timings) {
    ENTRY_CALL.with(|c| c.set(Some(timings)));
}

/// The timings of the call the library function this thread is in made: all zero when it made
/// none.
pub(crate) fn entry_call_timings() -> Timings {
    ENTRY_CALL.with(Cell::get).unwrap_or_default()
}

/// The timings of the last call this thread made (all zero before the first). A call made
/// from inside a log callback does not count as the last one once the outer call returns.
pub fn last_call_timings() -> Timings {
    LAST.with(Cell::get)
}

/// Records an event, formatting it only when a sink wants `level`. Outside a call: ignored.
pub(crate) fn event(level: LogLevel, line: impl FnOnce() -> String) {
    TRACE.with(|t| {
        if let Some(trace) = t.borrow_mut().as_mut() {
            if trace.max_level.is_some_and(|max| level <= max) {
                trace.events.push((level, line()));
            }
        }
    });
}

fn with_trace(f: impl FnOnce(&mut Trace)) {
    TRACE.with(|t| {
        if let Some(trace) = t.borrow_mut().as_mut() {
            f(trace);
        }
    });
}

/// A name lookup took `d`.
pub(crate) fn add_resolve(d: Duration) {
    with_trace(|t| t.timings.resolve += d);
}

/// The call opened a connection: the TCP connect took `connect`, the TLS handshake `tls`.
pub(crate) fn add_connection(connect: Duration, tls: Duration) {
    with_trace(|t| {
        t.opened_connection = true;
        t.timings.connect += connect;
        t.timings.tls += tls;
    });
}

/// The request is being written (`bytes` of head and body): logs whether the connection was
/// reused and that the request went out, once per call.
pub(crate) fn note_sending(bytes: usize) {
    with_trace(|t| {
        if t.request_logged || t.max_level.is_none_or(|max| max < LogLevel::Info) {
            t.request_logged = true;
            return;
        }
        t.request_logged = true;
        if !t.opened_connection {
            t.events
                .push((LogLevel::Info, "reusing a pooled connection".to_owned()));
        }
        t.events.push((
            LogLevel::Info,
            format!("{} sent ({bytes} bytes)", t.request),
        ));
    });
}

/// The first response bytes arrived now (later calls of this are ignored).
pub(crate) fn mark_first_byte() {
    with_trace(|t| {
        if t.first_byte.is_none() {
            t.first_byte = Some(Instant::now());
        }
    });
}

/// Milliseconds with one decimal, for log lines.
pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_retired_sink_is_never_entered_again_and_knows_its_own_deliveries() {
        let calls = Arc::new(AtomicUsize::new(0));
        let inside = Arc::new(Mutex::new(None::<bool>));
        let slot: Arc<Mutex<Option<LogSink>>> = Arc::new(Mutex::new(None));
        let sink = {
            let (calls, inside, slot) = (calls.clone(), inside.clone(), slot.clone());
            LogSink::new(LogLevel::Info, move |_, _| {
                calls.fetch_add(1, Ordering::SeqCst);
                let me = slot.lock().unwrap().clone().unwrap();
                *inside.lock().unwrap() = Some(me.is_delivering_on_this_thread());
            })
        };
        *slot.lock().unwrap() = Some(sink.clone());
        let line = [(LogLevel::Info, "a line".to_owned())];
        assert!(!sink.is_delivering_on_this_thread());
        sink.deliver(&line);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(*inside.lock().unwrap(), Some(true));
        assert!(!sink.is_delivering_on_this_thread());
        sink.retire();
        sink.deliver(&line);
        sink.clone().deliver(&line);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a retired sink was entered"
        );
        slot.lock().unwrap().take(); // the sink held itself through the slot
    }

    #[test]
    fn retire_waits_for_a_delivery_on_another_thread() {
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let left = Arc::new(AtomicUsize::new(0));
        let sink = {
            let left = left.clone();
            LogSink::new(LogLevel::Error, move |_, _| {
                entered_tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(200));
                left.store(1, Ordering::SeqCst);
            })
        };
        let delivering = sink.clone();
        let thread = std::thread::spawn(move || {
            delivering.deliver(&[(LogLevel::Error, "x".to_owned())]);
        });
        entered_rx.recv().unwrap();
        sink.retire();
        assert_eq!(
            left.load(Ordering::SeqCst),
            1,
            "retire returned during a delivery"
        );
        thread.join().unwrap();
    }
}
