//! The live-call state model: what each simulated call is doing, and what was done to it.
//!
//! A call is in a Call Control block (`in_block`; its block can be interrupted or not),
//! connected to a destination (`connected`), back in normal routing after a Call Control block
//! (`routing`, only with `--webhook`), or `ended`. The API methods (in `api/`) read and
//! change calls only through this module; `/_sim/calls` shows them, and `/_sim/reset` puts
//! every call back the way the command line and `--config` described it.
//!
//! With `--webhook`, a call can also run a Call Control session (`webhook.rs` drives it):
//! its `session`, its `timeline` of everything said and done, and the input queued for its
//! COLLECT_* blocks live here, under the same lock as the rest of the call.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::contact::{AgentSetup, Contact};

/// Where a connected call goes when neither `--config` nor anything else names a destination.
pub const DEFAULT_DESTINATION: &str = "+4922155400300";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// In a Call Control block (an announcement loop, say).
    InBlock,
    /// Bridged to a destination.
    Connected,
    /// Over (or handed away with a REFER): the API no longer knows it.
    Ended,
    /// Left a Call Control block (empty answer, validation errors, ROUTINGPLAN): normal
    /// routing goes on. Only reached with `--webhook`.
    Routing,
}

/// The numbers TENIOS puts in a Call Control request's `variables` when the config names none.
pub const DEFAULT_DESTINATION_NUMBER: &str = "+4922112345678";
pub const DEFAULT_CALLER_ID_NUMBER: &str = "+4917098765432";

/// What a call brings to a Call Control block (only used with `--webhook`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSetup {
    /// Enter Call Control at launch (and again after `/_sim/reset`).
    pub call_control: bool,
    pub destination_number: String,
    pub caller_id_number: String,
    /// `None`: a random v4 UUID, made once when the simulator starts.
    pub correlation_id: Option<String>,
    /// Input for the call's COLLECT_* blocks, taken in order.
    pub input: Vec<String>,
}

impl Default for ControlSetup {
    fn default() -> Self {
        ControlSetup {
            call_control: false,
            destination_number: DEFAULT_DESTINATION_NUMBER.to_owned(),
            caller_id_number: DEFAULT_CALLER_ID_NUMBER.to_owned(),
            correlation_id: None,
            input: Vec::new(),
        }
    }
}

/// A call as configured: what `/_sim/reset` restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSetup {
    /// Lowercase canonical UUID.
    pub call_uuid: String,
    pub state: CallState,
    /// Whether the current block can be interrupted (meaningful while `in_block`).
    pub interruptible: bool,
    /// The destination of a connected call (`None` for a call in a block).
    pub destination: Option<String>,
    pub control: ControlSetup,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transfer {
    pub destination_type: String,
    pub destination: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refer {
    pub sip_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// Lowercase, as handed out by record-call/start.
    pub recording_uuid: String,
    pub record_caller: bool,
    pub record_callee: bool,
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenIn {
    pub supervisor_destination: String,
    pub whisper_to_agent: bool,
}

/// One call now, as `/_sim/calls` shows it (fields in this order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    pub call_uuid: String,
    pub state: CallState,
    pub interruptible: bool,
    pub destination: Option<String>,
    pub interrupts: u64,
    pub transfers: Vec<Transfer>,
    pub refers: Vec<Refer>,
    pub recordings: Vec<Recording>,
    pub listen_ins: Vec<ListenIn>,
    /// Everything that happened in Call Control, in order (shown only with `--webhook`).
    #[serde(skip)]
    pub timeline: Vec<Event>,
    /// The Call Control block running now, if any.
    #[serde(skip)]
    pub session: Option<Session>,
    /// Input not yet taken by a COLLECT_* block.
    #[serde(skip)]
    pub input: VecDeque<String>,
    #[serde(skip)]
    pub control: ControlSetup,
}

/// One Call Control block instance of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub call_control_uuid: String,
    pub loop_count: u64,
    /// The call's variables as the next request sends them, in order.
    pub variables: Vec<(String, String)>,
    /// The timeline index of the block running now (`None`: between blocks or waiting for
    /// the webhook).
    pub running: Option<usize>,
    /// An accepted `/interrupt-ecc-block` the running block has not yet seen.
    pub interrupted: bool,
}

/// One entry of a call's timeline (`/_sim/calls/<uuid>` with `--webhook`). Times are
/// milliseconds since the simulator started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The call entered a Call Control block.
    Entered {
        at_ms: u64,
        call_control_uuid: String,
    },
    /// A request sent to the webhook, with its exact body.
    Request {
        at_ms: u64,
        loop_count: u64,
        request_status: String,
        body: String,
    },
    /// The webhook's answer (`status` and `body` null when none came: `error` says why).
    /// `warnings` name rules that only TENIOS's examples or clients suggest: not enforced.
    Answer {
        at_ms: u64,
        status: Option<u16>,
        body: Option<String>,
        error: Option<String>,
        warnings: Vec<String>,
    },
    /// The answer failed validation: the next request says so.
    ValidationErrors { at_ms: u64, messages: Vec<String> },
    /// A block run: `ended_ms` and `how` stay null while it runs.
    Block {
        loop_count: u64,
        index: usize,
        block_type: String,
        block: Value,
        started_ms: u64,
        ended_ms: Option<u64>,
        /// `completed`, `interrupted` or `call_ended`.
        how: Option<String>,
        /// COLLECT_*: what was collected (null: nothing).
        #[serde(skip_serializing_if = "Option::is_none")]
        input: Option<String>,
        /// BRIDGE: the destination the call was connected to.
        #[serde(skip_serializing_if = "Option::is_none")]
        destination: Option<String>,
    },
    /// An accepted `/interrupt-ecc-block`.
    Interrupt { at_ms: u64 },
    /// The call left the Call Control block: `state` is where it went, `reason` why.
    Left {
        at_ms: u64,
        reason: String,
        state: CallState,
    },
}

impl Call {
    fn new(setup: &CallSetup) -> Call {
        Call {
            call_uuid: setup.call_uuid.clone(),
            state: setup.state,
            interruptible: setup.interruptible,
            destination: setup.destination.clone(),
            interrupts: 0,
            transfers: Vec::new(),
            refers: Vec::new(),
            recordings: Vec::new(),
            listen_ins: Vec::new(),
            timeline: Vec::new(),
            session: None,
            input: setup.control.input.iter().cloned().collect(),
            control: setup.control.clone(),
        }
    }

    /// Whether a recording of this call is running now.
    pub fn is_recording(&self) -> bool {
        self.recordings.iter().any(|recording| recording.running)
    }

    /// The call leaves TENIOS: a running recording stops with it.
    pub fn end(&mut self) {
        self.state = CallState::Ended;
        for recording in &mut self.recordings {
            recording.running = false;
        }
    }
}

/// Every call the simulated account has, keyed by lowercase UUID, plus the interrupt log.
#[derive(Debug, Clone)]
pub struct Calls {
    setup: Vec<CallSetup>,
    calls: BTreeMap<String, Call>,
    /// The call UUIDs interrupted, as sent, in order (`/_sim/interrupts`).
    interrupted: Vec<String>,
    /// When the simulator started: timeline times count from here.
    clock: Instant,
    /// Bumped by every reset, so that Call Control sessions of before the reset stop.
    pub epoch: u64,
    /// Agents, click-to-calls and callbacks.
    pub contact: Contact,
}

impl Calls {
    pub fn new(mut setup: Vec<CallSetup>) -> Calls {
        // A correlation id the config left out is made once, so that a reset keeps it.
        for call in &mut setup {
            if call.control.correlation_id.is_none() {
                call.control.correlation_id = Some(crate::uuid::random_uuid());
            }
        }
        let mut calls = Calls {
            setup,
            calls: BTreeMap::new(),
            interrupted: Vec::new(),
            clock: Instant::now(),
            epoch: 0,
            contact: Contact::default(),
        };
        calls.reset();
        calls
    }

    /// The same, with these ACD agents.
    pub fn with_agents(setup: Vec<CallSetup>, agents: Vec<AgentSetup>) -> Calls {
        Calls {
            contact: Contact::new(agents),
            ..Calls::new(setup)
        }
    }

    /// Adds a call a method started (a click-to-call, a callback): gone after a reset.
    pub fn add(&mut self, setup: &CallSetup) {
        self.calls.insert(setup.call_uuid.clone(), Call::new(setup));
    }

    /// Back to the configured calls, with nothing done to them.
    pub fn reset(&mut self) {
        self.contact.reset();
        self.calls = self
            .setup
            .iter()
            .map(|setup| (setup.call_uuid.clone(), Call::new(setup)))
            .collect();
        self.interrupted.clear();
        self.epoch += 1;
    }

    /// Milliseconds since the simulator started.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The configured calls that enter Call Control at launch and after a reset.
    pub fn call_control_at_start(&self) -> Vec<String> {
        self.setup
            .iter()
            .filter(|setup| setup.control.call_control)
            .map(|setup| setup.call_uuid.clone())
            .collect()
    }

    /// A call the API knows, compared case-insensitively: ended calls are not found.
    pub fn live(&mut self, call_uuid: &str) -> Option<&mut Call> {
        self.calls
            .get_mut(&call_uuid.to_ascii_lowercase())
            .filter(|call| call.state != CallState::Ended)
    }

    /// Any configured call, ended or not (for `/_sim/calls/<uuid>`).
    pub fn get(&self, call_uuid: &str) -> Option<&Call> {
        self.calls.get(&call_uuid.to_ascii_lowercase())
    }

    /// Every call, ordered by UUID.
    pub fn all(&self) -> Vec<&Call> {
        self.calls.values().collect()
    }

    /// Any configured call, ended or not, to change (Call Control sessions).
    pub fn get_mut(&mut self, call_uuid: &str) -> Option<&mut Call> {
        self.calls.get_mut(&call_uuid.to_ascii_lowercase())
    }

    /// Logs an interrupt of a live call (`call_uuid` as sent). A block running in a Call
    /// Control session learns of it (`webhook.rs` ends it).
    pub fn record_interrupt(&mut self, call_uuid: &str) {
        let at_ms = self.now_ms();
        if let Some(call) = self.live(call_uuid) {
            call.interrupts += 1;
            if let Some(session) = call.session.as_mut().filter(|s| s.running.is_some()) {
                session.interrupted = true;
                call.timeline.push(Event::Interrupt { at_ms });
            }
        }
        self.interrupted.push(call_uuid.to_owned());
    }

    pub fn interrupted(&self) -> &[String] {
        &self.interrupted
    }

    /// The call and the index of the recording `recording_uuid` (case-insensitive), if any.
    pub fn find_recording(&mut self, recording_uuid: &str) -> Option<(&mut Call, usize)> {
        let wanted = recording_uuid.to_ascii_lowercase();
        self.calls.values_mut().find_map(|call| {
            let index = call
                .recordings
                .iter()
                .position(|recording| recording.recording_uuid == wanted)?;
            Some((call, index))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";

    fn calls() -> Calls {
        Calls::new(vec![CallSetup {
            call_uuid: A.to_owned(),
            state: CallState::Connected,
            interruptible: true,
            destination: Some(DEFAULT_DESTINATION.to_owned()),
            control: ControlSetup::default(),
        }])
    }

    #[test]
    fn lookups_are_case_insensitive_and_ended_calls_are_not_live() {
        let mut calls = calls();
        assert!(calls.live(&A.to_uppercase()).is_some());
        calls.live(A).unwrap().end();
        assert!(calls.live(A).is_none());
        assert_eq!(calls.get(A).unwrap().state, CallState::Ended);
    }

    #[test]
    fn ending_stops_recordings_and_reset_restores_the_setup() {
        let mut calls = calls();
        let call = calls.live(A).unwrap();
        call.recordings.push(Recording {
            recording_uuid: "r".to_owned(),
            record_caller: true,
            record_callee: false,
            running: true,
        });
        assert!(call.is_recording());
        call.end();
        assert!(!calls.get(A).unwrap().is_recording());
        calls.record_interrupt(A);
        assert_eq!(calls.interrupted(), [A]);
        calls.reset();
        assert_eq!(calls.get(A).unwrap(), &Call::new(&calls.setup[0]));
        assert!(calls.setup[0].control.correlation_id.is_some());
        assert!(calls.interrupted().is_empty());
    }
}
