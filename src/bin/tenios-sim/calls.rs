//! The live-call state model: what each simulated call is doing, and what was done to it.
//!
//! A call is in a Call Control block (`in_block`; its block can be interrupted or not),
//! connected to a destination (`connected`), or `ended`. The API methods (in `api/`) read and
//! change calls only through this module; `/_sim/calls` shows them, and `/_sim/reset` puts
//! every call back the way the command line and `--config` described it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
}

impl Calls {
    pub fn new(setup: Vec<CallSetup>) -> Calls {
        let mut calls = Calls {
            setup,
            calls: BTreeMap::new(),
            interrupted: Vec::new(),
        };
        calls.reset();
        calls
    }

    /// Back to the configured calls, with nothing done to them.
    pub fn reset(&mut self) {
        self.calls = self
            .setup
            .iter()
            .map(|setup| (setup.call_uuid.clone(), Call::new(setup)))
            .collect();
        self.interrupted.clear();
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

    /// Logs an interrupt of a live call (`call_uuid` as sent).
    pub fn record_interrupt(&mut self, call_uuid: &str) {
        if let Some(call) = self.live(call_uuid) {
            call.interrupts += 1;
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
        assert!(calls.interrupted().is_empty());
    }
}
