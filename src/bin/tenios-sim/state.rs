//! The simulator's shared state: fixed configuration, the calls, and the logs the control API
//! reads.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::api::{self, Account, ApiReply};
use crate::calls::{Call, CallSetup, Calls, Event};
use crate::contact::AgentSetup;
use crate::faults::Fault;
use crate::http::Request;
use crate::monitor::Monitor;
use crate::webhook::{self, HoldsCalls, Refusal, Variables};

pub struct Simulator {
    account: Account,
    /// Close a connection idle this long between requests (`--idle-close-ms`).
    pub idle_close: Option<Duration>,
    /// The user's Call Control webhook (`--webhook`), if any.
    webhook: Option<webhook::Settings>,
    /// One lock for everything, so that recording a request and taking its fault is atomic;
    /// notified whenever calls change from outside a Call Control session (an API method,
    /// input, a reset), so that a running block notices at once. Shared with the sessions.
    log: Arc<Monitor<Log>>,
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

/// A call as `/_sim/calls` shows it with `--webhook`: the fields of before, then its Call
/// Control block (`null` when none runs) and its timeline.
#[derive(Serialize)]
struct CallView<'a> {
    #[serde(flatten)]
    call: &'a Call,
    call_control: Option<ControlView<'a>>,
    timeline: &'a [Event],
}

#[derive(Serialize)]
struct ControlView<'a> {
    call_control_uuid: &'a str,
    /// The loopCount of the next request, or of the one waiting for its answer.
    loop_count: u64,
    variables: Variables<'a>,
    /// The type of the block running now (null: waiting for the webhook).
    running_block: Option<&'a str>,
    /// Input not yet taken by a COLLECT_* block.
    queued_input: Vec<&'a str>,
}

impl Simulator {
    pub fn new(
        account: Account,
        calls: Vec<CallSetup>,
        agents: Vec<AgentSetup>,
        idle_close: Option<Duration>,
        webhook: Option<webhook::Settings>,
    ) -> Arc<Self> {
        Arc::new(Simulator {
            account,
            idle_close,
            webhook,
            log: Arc::new(Monitor::new(Log {
                requests: Vec::new(),
                calls: Calls::with_agents(calls, agents),
                api_connections: HashSet::new(),
                faults: VecDeque::new(),
            })),
        })
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock()
    }

    /// Starts Call Control on the calls configured to start in it (at launch, after a reset).
    pub fn start_call_control(&self) {
        if self.webhook.is_none() {
            return;
        }
        let mut log = self.log();
        let epoch = log.calls.epoch;
        for call_uuid in log.calls.call_control_at_start() {
            if webhook::enter(&mut log.calls, &call_uuid, Vec::new()).is_ok() {
                self.spawn_session(call_uuid, epoch);
            }
        }
    }

    fn spawn_session(&self, call_uuid: String, epoch: u64) {
        if let Some(settings) = &self.webhook {
            webhook::spawn(Arc::clone(&self.log), settings.clone(), call_uuid, epoch);
        }
    }

    /// `POST /_sim/calls/<uuid>/enter-call-control` with an optional body
    /// `{"variables": {"name": "value"}}`: `Ok` carries the answer's JSON.
    pub fn enter_call_control(&self, call_uuid: &str, body: &[u8]) -> Result<String, Refusal> {
        let refusal = |status, message: &str| Refusal {
            status,
            message: message.to_owned(),
        };
        if self.webhook.is_none() {
            return Err(refusal(
                409,
                "no webhook: start tenios-sim with --webhook URL",
            ));
        }
        let mut extra = Vec::new();
        if !body.iter().all(u8::is_ascii_whitespace) {
            let bad = "the body must be {\"variables\": {\"name\": \"value\", ...}} or empty";
            let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
                return Err(refusal(400, bad));
            };
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("variables", Value::Object(variables)) => {
                        for (name, value) in variables {
                            let Value::String(value) = value else {
                                return Err(refusal(400, bad));
                            };
                            extra.push((name, value));
                        }
                    }
                    _ => return Err(refusal(400, bad)),
                }
            }
        }
        let mut log = self.log();
        let call_control_uuid = webhook::enter(&mut log.calls, call_uuid, extra)?;
        let epoch = log.calls.epoch;
        drop(log);
        self.spawn_session(call_uuid.to_ascii_lowercase(), epoch);
        Ok(format!(r#"{{"call_control_uuid":"{call_control_uuid}"}}"#))
    }

    /// `POST /_sim/calls/<uuid>/input` `{"digits": "..."}` or `{"speech": "..."}`: queued for
    /// the call's next (or running) COLLECT_* block.
    pub fn add_input(&self, call_uuid: &str, body: &[u8]) -> Result<(), Refusal> {
        let refusal = |status, message: &str| Refusal {
            status,
            message: message.to_owned(),
        };
        if self.webhook.is_none() {
            return Err(refusal(
                409,
                "no webhook: start tenios-sim with --webhook URL",
            ));
        }
        let bad = || {
            refusal(
                400,
                "the body must be {\"digits\": \"...\"} or {\"speech\": \"...\"}",
            )
        };
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
            return Err(bad());
        };
        let mut entries = object.into_iter();
        let input = match (entries.next(), entries.next()) {
            (Some((key, Value::String(input))), None) if key == "digits" || key == "speech" => {
                input
            }
            _ => return Err(bad()),
        };
        let mut log = self.log();
        let Some(call) = log.calls.get_mut(call_uuid) else {
            return Err(refusal(404, "Not Found"));
        };
        call.input.push_back(input);
        drop(log);
        self.log.notify();
        Ok(())
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
        let mut log = self.log();
        let reply = api::answer(path, body, &self.account, &mut log.calls);
        // A click-to-call that reached Call Control: its session starts now.
        let sessions = std::mem::take(&mut log.calls.contact.pending_sessions);
        let epoch = log.calls.epoch;
        drop(log);
        for call_uuid in sessions {
            self.spawn_session(call_uuid, epoch);
        }
        // An interrupt or a refer may end a running Call Control block.
        self.log.notify();
        reply
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
        drop(log);
        // Sessions of before the reset see the new epoch and stop.
        self.log.notify();
        self.start_call_control();
    }

    pub fn requests_json(&self) -> String {
        to_json(&self.log().requests)
    }

    pub fn interrupts_json(&self) -> String {
        to_json(&self.log().calls.interrupted())
    }

    pub fn calls_json(&self) -> String {
        let log = self.log();
        let calls = log.calls.all();
        if self.webhook.is_none() {
            return to_json(&calls);
        }
        to_json(&calls.into_iter().map(view).collect::<Vec<_>>())
    }

    /// One call (`None`: not a configured call).
    pub fn call_json(&self, call_uuid: &str) -> Option<String> {
        let log = self.log();
        let call = log.calls.get(call_uuid)?;
        Some(if self.webhook.is_none() {
            to_json(call)
        } else {
            to_json(&view(call))
        })
    }

    /// The ACD agents now (`/_sim/agents`).
    pub fn agents_json(&self) -> String {
        to_json(&self.log().calls.contact.agents)
    }

    /// The click-to-calls and callbacks started (`/_sim/callbacks`).
    pub fn callbacks_json(&self) -> String {
        to_json(&self.log().calls.contact.started)
    }

    pub fn stats_json(&self) -> String {
        let log = self.log();
        to_json(&Stats {
            connections: log.api_connections.len(),
            requests: log.requests.len(),
        })
    }
}

/// A call with its Call Control block and timeline (with `--webhook`).
fn view(call: &Call) -> CallView<'_> {
    let call_control = call.session.as_ref().map(|session| ControlView {
        call_control_uuid: &session.call_control_uuid,
        loop_count: session.loop_count,
        variables: Variables(&session.variables),
        running_block: session
            .running
            .and_then(|index| match call.timeline.get(index) {
                Some(Event::Block { block_type, .. }) => Some(block_type.as_str()),
                _ => None,
            }),
        queued_input: call.input.iter().map(String::as_str).collect(),
    });
    CallView {
        call,
        call_control,
        timeline: &call.timeline,
    }
}

/// These types hold only strings, booleans and integers, so serializing cannot fail.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl HoldsCalls for Log {
    fn calls(&mut self) -> &mut Calls {
        &mut self.calls
    }
}
