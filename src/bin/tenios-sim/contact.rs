//! The contact-center side of the simulated account: the click-to-calls and callbacks it
//! started (`/makecall/*`, `/callback/*`) and its ACD agents (`/acd/agent-state/*`,
//! `/wrap-up/*`). Lives in `Calls`, under the same lock, and is put back by `/_sim/reset`.

use serde::Serialize;

use crate::calls::CallState;

/// An agent as configured (`--agent`, `--wrap-up-agent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSetup {
    pub email: String,
    /// In wrap-up at launch (and after a reset).
    pub in_wrap_up: bool,
}

/// An ACD agent now, as `/_sim/agents` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub email: String,
    /// `READY` or `NOT_READY`. [guess] Every configured agent starts READY.
    pub state: String,
    /// The reason of the last change to NOT_READY, under the name it was sent with.
    pub not_ready_reason: Option<String>,
    pub in_wrap_up: bool,
    /// The `end_time` of the last accepted `/wrap-up/extend`, as sent. [guess] The simulator
    /// never ends a wrap-up on its own: only `/wrap-up/cancel` does.
    pub wrap_up_end_time: Option<String>,
}

impl Agent {
    fn new(setup: &AgentSetup) -> Agent {
        Agent {
            email: setup.email.clone(),
            state: "READY".to_owned(),
            not_ready_reason: None,
            in_wrap_up: setup.in_wrap_up,
            wrap_up_end_time: None,
        }
    }
}

/// What started a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Makecall,
    Callback,
}

/// One `/makecall/init` or `/callback/init` the API accepted, as `/_sim/callbacks` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Started {
    pub id: u64,
    pub kind: Kind,
    /// The request's body as received.
    pub request: serde_json::Value,
    /// The call it made (`None`: a leg failed, nothing was bridged).
    pub call_uuid: Option<String>,
    /// `CALL_A_FAILED` or `CALL_B_FAILED` when a number was unreachable.
    pub failed: Option<&'static str>,
}

impl Started {
    /// The documented state the status methods answer, from what the call is doing now.
    /// [guess] The simulated numbers answer at once, so REQUESTED, ACCEPTED, CALLING_A and
    /// CALLING_B pass before init returns: a started call is CONNECTED until it ends
    /// (DISCONNECTED).
    pub fn status(&self, call_state: Option<CallState>) -> &'static str {
        match (self.failed, call_state) {
            (Some(failed), _) => failed,
            (None, Some(CallState::Ended) | None) => "DISCONNECTED",
            (None, Some(_)) => "CONNECTED",
        }
    }
}

/// The contact-center state of the account.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    setup: Vec<AgentSetup>,
    pub agents: Vec<Agent>,
    pub started: Vec<Started>,
    /// Calls a method put into Call Control whose session the simulator must start.
    pub pending_sessions: Vec<String>,
}

impl Contact {
    pub fn new(setup: Vec<AgentSetup>) -> Contact {
        let mut contact = Contact {
            setup,
            ..Contact::default()
        };
        contact.reset();
        contact
    }

    pub fn reset(&mut self) {
        self.agents = self.setup.iter().map(Agent::new).collect();
        self.started.clear();
        self.pending_sessions.clear();
    }

    /// The agent with this e-mail (compared ASCII-case-insensitively, as e-mail domains are).
    pub fn agent(&mut self, email: &str) -> Option<&mut Agent> {
        self.agents
            .iter_mut()
            .find(|agent| agent.email.eq_ignore_ascii_case(email))
    }

    /// The next id: [doc] ids are numbers (`{"id": 10}`); counted from 1 per simulator run.
    pub fn next_id(&self) -> u64 {
        self.started.last().map_or(1, |started| started.id + 1)
    }

    /// The started call with this id, given as a string or a number.
    pub fn find(&self, id: &serde_json::Value) -> Option<&Started> {
        let wanted = match id {
            serde_json::Value::String(text) => text.trim().parse::<u64>().ok()?,
            serde_json::Value::Number(number) => number.as_u64()?,
            _ => return None,
        };
        self.started.iter().find(|started| started.id == wanted)
    }
}
