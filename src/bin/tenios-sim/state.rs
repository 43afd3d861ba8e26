//! The simulator's shared state: fixed configuration plus the logs the control API reads.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;

use crate::api::Directory;
use crate::faults::Fault;
use crate::http::Request;

pub struct Simulator {
    pub directory: Directory,
    /// Close a connection idle this long between requests (`--idle-close-ms`).
    pub idle_close: Option<Duration>,
    /// One lock for everything, so that recording a request and taking its fault is atomic.
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    requests: Vec<RecordedRequest>,
    interrupts: Vec<String>,
    /// Ids of connections that carried at least one API request since the last reset.
    api_connections: HashSet<u64>,
    faults: VecDeque<Fault>,
}

#[derive(Serialize)]
struct RecordedRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
    connection: u64,
}

#[derive(Serialize)]
struct Stats {
    connections: usize,
    requests: usize,
}

impl Simulator {
    pub fn new(directory: Directory, idle_close: Option<Duration>) -> Self {
        Simulator {
            directory,
            idle_close,
            log: Mutex::new(Log::default()),
        }
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        // A panic elsewhere must not take the whole simulator down with it.
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an API (non-`/_sim/`) request and hands back the next queued fault, if any.
    pub fn record_api_request(&self, connection: u64, request: &Request) -> Option<Fault> {
        let mut log = self.log();
        log.requests.push(RecordedRequest {
            method: request.method.clone(),
            path: request.target.clone(),
            headers: request.headers.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            connection,
        });
        log.api_connections.insert(connection);
        log.faults.pop_front()
    }

    pub fn record_interrupt(&self, call_uuid: String) {
        self.log().interrupts.push(call_uuid);
    }

    pub fn push_fault(&self, fault: Fault) {
        self.log().faults.push_back(fault);
    }

    pub fn reset(&self) {
        *self.log() = Log::default();
    }

    pub fn requests_json(&self) -> String {
        to_json(&self.log().requests)
    }

    pub fn interrupts_json(&self) -> String {
        to_json(&self.log().interrupts)
    }

    pub fn stats_json(&self) -> String {
        let log = self.log();
        to_json(&Stats {
            connections: log.api_connections.len(),
            requests: log.requests.len(),
        })
    }
}

/// These types hold only strings and integers, so serializing cannot fail.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
