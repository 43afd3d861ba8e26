//! The simulator's shared state: fixed configuration, the calls, and the logs the control API
//! reads.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;

use crate::api::{self, Account, ApiReply};
use crate::calls::{CallSetup, Calls};
use crate::faults::Fault;
use crate::http::Request;

pub struct Simulator {
    account: Account,
    /// Close a connection idle this long between requests (`--idle-close-ms`).
    pub idle_close: Option<Duration>,
    /// One lock for everything, so that recording a request and taking its fault is atomic.
    log: Mutex<Log>,
}

struct Log {
    requests: Vec<RecordedRequest>,
    /// The calls, what was done to them, and the interrupt log.
    calls: Calls,
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
    pub fn new(account: Account, calls: Vec<CallSetup>, idle_close: Option<Duration>) -> Self {
        Simulator {
            account,
            idle_close,
            log: Mutex::new(Log {
                requests: Vec::new(),
                calls: Calls::new(calls),
                api_connections: HashSet::new(),
                faults: VecDeque::new(),
            }),
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

    /// The answer of the API method at `path` to `body` (`None`: no such method). Its effect
    /// on the calls is visible to `/_sim/` before the answer is sent.
    pub fn answer_api(&self, path: &str, body: &[u8]) -> Option<ApiReply> {
        api::answer(path, body, &self.account, &mut self.log().calls)
    }

    pub fn push_fault(&self, fault: Fault) {
        self.log().faults.push_back(fault);
    }

    /// Forgets requests, stats and faults, and puts every call back as configured.
    pub fn reset(&self) {
        let mut log = self.log();
        log.requests.clear();
        log.api_connections.clear();
        log.faults.clear();
        log.calls.reset();
    }

    pub fn requests_json(&self) -> String {
        to_json(&self.log().requests)
    }

    pub fn interrupts_json(&self) -> String {
        to_json(&self.log().calls.interrupted())
    }

    pub fn calls_json(&self) -> String {
        to_json(&self.log().calls.all())
    }

    /// One call (`None`: not a configured call).
    pub fn call_json(&self, call_uuid: &str) -> Option<String> {
        self.log().calls.get(call_uuid).map(to_json)
    }

    pub fn stats_json(&self) -> String {
        let log = self.log();
        to_json(&Stats {
            connections: log.api_connections.len(),
            requests: log.requests.len(),
        })
    }
}

/// These types hold only strings, booleans and integers, so serializing cannot fail.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
