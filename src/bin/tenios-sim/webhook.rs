//! The side of TENIOS that calls the user's Call Control webhook (`--webhook URL`).
//!
//! A call enters a Call Control block (`POST /_sim/calls/<uuid>/enter-call-control`, or at
//! launch with `--call-control-call` / `"call_control": true`). A thread of its own then plays
//! TENIOS's part of the loop:
//!
//! 1. POST request `loopCount` to the webhook (`REQUESTING_BLOCKS`), with the exact body
//!    TENIOS documents (`client.rs` sends it);
//! 2. validate the answer (`blocks.rs`). Invalid, or no answer at all: the next request is
//!    `VALIDATION_ERRORS` with the messages, its reply is ignored, and the call leaves the
//!    block for normal routing (state `routing`). An empty `blocks` list: `routing` at once;
//! 3. "run" each block in order: ANNOUNCEMENT until interrupted (or `announcement_ms`), SAY for
//!    `say_ms`, COLLECT_* until input arrives (or interrupted, or `collect_timeout_ms`),
//!    CALL_SETTINGS at once; BRIDGE connects the call to its first destination (it then
//!    stays connected until something ends the call); HANGUP and REFER end the call;
//!    ROUTINGPLAN leaves the block (`routing`);
//! 4. an accepted `/interrupt-ecc-block` ends the running block at once and skips the rest of
//!    the answer; when the blocks are over (or interrupted) go to 1 with `loopCount` + 1.
//!
//! Everything lands in the call's timeline (`calls::Event`). The session stops quietly when
//! `/_sim/reset` bumps the epoch, and records `call_ended` when an API method (refer-call)
//! ends the call under it.

mod blocks;
mod client;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

use crate::calls::{Call, CallState, Calls, Event, Session};
use crate::monitor::Monitor;

pub use client::WebhookUrl;

pub const DEFAULT_CUSTOMER_NUMBER: u64 = 200_002;
pub const DEFAULT_KEY: &str = "sim-webhook-key";
/// How long the simulator waits for the webhook's answer (TENIOS's own limit is undocumented).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a SAY block "speaks" unless configured.
pub const DEFAULT_SAY: Duration = Duration::from_millis(1000);

/// `--webhook` and the config file's `"webhook"` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub url: WebhookUrl,
    /// The `accessKey` every request carries.
    pub access_key: String,
    pub customer_number: u64,
    /// For the whole exchange with the webhook, per request.
    pub timeout: Duration,
    /// How long an ANNOUNCEMENT plays (`None`: until interrupted: the waiting loop).
    pub announcement: Option<Duration>,
    pub say: Duration,
    /// How long a COLLECT_* block waits for input (`None`: until input or an interrupt).
    pub collect_timeout: Option<Duration>,
}

/// The request body, fields in the documented order.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    request_type: &'static str,
    customer_number: u64,
    access_key: &'a str,
    variables: Variables<'a>,
    call_control_uuid: &'a str,
    loop_count: u64,
    request_status: &'static str,
    blocks_processing_result: Value,
}

/// The call's variables as a JSON object in their order (serde_json's own map sorts keys).
pub struct Variables<'a>(pub &'a [(String, String)]);

impl Serialize for Variables<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// What the control endpoint answers when a call cannot enter Call Control.
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

fn refuse(status: u16, message: &str) -> Refusal {
    Refusal {
        status,
        message: message.to_owned(),
    }
}

/// Puts the call in a new Call Control block (with the lock held): its variables are the
/// documented four, then `extra` (replacing one of those of the same name). The caller starts
/// the session's thread with `spawn` once the lock is released... or at once: the thread
/// waits for the lock.
pub fn enter(
    calls: &mut Calls,
    call_uuid: &str,
    extra: Vec<(String, String)>,
) -> Result<String, Refusal> {
    let at_ms = calls.now_ms();
    let Some(call) = calls.get_mut(call_uuid) else {
        return Err(refuse(404, "Not Found"));
    };
    match call.state {
        CallState::Ended => return Err(refuse(409, "the call has ended")),
        CallState::Connected => {
            return Err(refuse(
                409,
                "the call is connected to a destination: only a call in a block or in routing can enter Call Control",
            ))
        }
        CallState::InBlock | CallState::Routing => {}
    }
    if call.session.is_some() {
        return Err(refuse(409, "the call is already in a Call Control block"));
    }
    let mut variables = vec![
        ("call_uuid".to_owned(), call.call_uuid.clone()),
        (
            "destination_number".to_owned(),
            call.control.destination_number.clone(),
        ),
        (
            "caller_id_number".to_owned(),
            call.control.caller_id_number.clone(),
        ),
        (
            "correlation_id".to_owned(),
            call.control.correlation_id.clone().unwrap_or_default(),
        ),
    ];
    for (name, value) in extra {
        set_variable(&mut variables, name, value);
    }
    let call_control_uuid = crate::uuid::random_uuid();
    call.state = CallState::InBlock;
    call.interruptible = false;
    call.session = Some(Session {
        call_control_uuid: call_control_uuid.clone(),
        loop_count: 0,
        variables,
        running: None,
        interrupted: false,
    });
    call.timeline.push(Event::Entered {
        at_ms,
        call_control_uuid: call_control_uuid.clone(),
    });
    Ok(call_control_uuid)
}

fn set_variable(variables: &mut Vec<(String, String)>, name: String, value: String) {
    match variables.iter_mut().find(|(known, _)| *known == name) {
        Some(slot) => slot.1 = value,
        None => variables.push((name, value)),
    }
}

/// The state a session runs on: whatever holds the calls (the simulator's log, in
/// `state.rs`), behind a [`Monitor`] that is notified when calls change from outside.
pub trait HoldsCalls: Send + 'static {
    fn calls(&mut self) -> &mut Calls;
}

/// Starts the thread that runs the call's session (entered with `enter`) until it leaves.
pub fn spawn<L: HoldsCalls>(
    shared: Arc<Monitor<L>>,
    settings: Settings,
    call_uuid: String,
    epoch: u64,
) {
    let _ = thread::Builder::new()
        .name(format!("call-control-{call_uuid}"))
        .spawn(move || run(&shared, &settings, &call_uuid, epoch));
}

/// How a block run ends for the loop.
enum Flow {
    /// The next block of the answer.
    Next,
    /// Interrupted: ask the webhook again now.
    Ask,
    /// The session is over (left, ended, or reset).
    Stop,
}

/// The call, if its session still runs in this epoch. A call that something else ended
/// (refer-call) is closed here: its running block and the session end with `call_ended`.
fn alive<'a>(calls: &'a mut Calls, call_uuid: &str, epoch: u64) -> Option<(&'a mut Call, u64)> {
    if calls.epoch != epoch {
        return None;
    }
    let now = calls.now_ms();
    let call = calls.get_mut(call_uuid)?;
    call.session.as_ref()?;
    if call.state == CallState::Ended {
        finish_block(call, now, "call_ended");
        leave(call, now, "call_ended", CallState::Ended);
        return None;
    }
    Some((call, now))
}

/// Marks the running block ended (`how`): nothing runs any more.
fn finish_block(call: &mut Call, now: u64, how: &str) {
    let Some(session) = call.session.as_mut() else {
        return;
    };
    if let Some(index) = session.running.take() {
        if let Some(Event::Block {
            ended_ms,
            how: slot,
            ..
        }) = call.timeline.get_mut(index)
        {
            *ended_ms = Some(now);
            *slot = Some(how.to_owned());
        }
    }
    session.interrupted = false;
    call.interruptible = false;
}

/// The call leaves its Call Control block for `state` (`routing`, or `ended` when it is over).
fn leave(call: &mut Call, now: u64, reason: &str, state: CallState) {
    call.session = None;
    call.interruptible = false;
    if state == CallState::Ended {
        call.end();
    } else {
        call.state = state;
    }
    call.timeline.push(Event::Left {
        at_ms: now,
        reason: reason.to_owned(),
        state,
    });
}

fn run<L: HoldsCalls>(shared: &Monitor<L>, settings: &Settings, call_uuid: &str, epoch: u64) {
    // The messages of a refused answer, for the next (last) request.
    let mut errors: Option<Vec<String>> = None;
    loop {
        let Some((body, reporting)) = next_request(shared, settings, call_uuid, epoch, &errors)
        else {
            return;
        };
        let result = client::post(&settings.url, &body, settings.timeout);

        let mut log = shared.lock();
        let Some((call, now)) = alive(log.calls(), call_uuid, epoch) else {
            return;
        };
        let verdict = match &result {
            Ok(answer) if !reporting => blocks::validate(answer.status, &answer.body),
            _ => blocks::Verdict::default(),
        };
        call.timeline.push(match &result {
            Ok(answer) => Event::Answer {
                at_ms: now,
                status: Some(answer.status),
                body: Some(String::from_utf8_lossy(&answer.body).into_owned()),
                error: None,
                warnings: verdict.warnings.clone(),
            },
            Err(error) => Event::Answer {
                at_ms: now,
                status: None,
                body: None,
                error: Some(error.clone()),
                warnings: Vec::new(),
            },
        });
        if reporting {
            // [doc] The reply to VALIDATION_ERRORS is ignored; [infer] routing goes on.
            leave(call, now, "validation_errors", CallState::Routing);
            return;
        }
        let messages = match &result {
            Err(error) => vec![format!("the webhook did not answer: {error}")],
            Ok(_) => verdict.errors,
        };
        let session = call.session.as_mut().expect("alive checked the session");
        session.loop_count += 1;
        if !messages.is_empty() {
            call.timeline.push(Event::ValidationErrors {
                at_ms: now,
                messages: messages.clone(),
            });
            errors = Some(messages);
            continue;
        }
        if verdict.blocks.is_empty() {
            leave(call, now, "empty_answer", CallState::Routing);
            return;
        }
        let loop_count = session.loop_count - 1;
        drop(log);
        for (index, block) in verdict.blocks.iter().enumerate() {
            match run_block(shared, settings, call_uuid, epoch, loop_count, index, block) {
                Flow::Next => {}
                Flow::Ask => break,
                Flow::Stop => return,
            }
        }
    }
}

/// Builds and logs the next request (`None`: the session is over). The flag says whether it
/// reports validation errors.
fn next_request<L: HoldsCalls>(
    shared: &Monitor<L>,
    settings: &Settings,
    call_uuid: &str,
    epoch: u64,
    errors: &Option<Vec<String>>,
) -> Option<(String, bool)> {
    let mut log = shared.lock();
    let (call, now) = alive(log.calls(), call_uuid, epoch)?;
    let session = call.session.as_ref()?;
    let (request_status, result) = match errors {
        Some(messages) => ("VALIDATION_ERRORS", json!({ "validationErrors": messages })),
        // [doc] null at loopCount 0; later an object with an empty list (a guess: the docs
        // show only the error case).
        None if session.loop_count == 0 => ("REQUESTING_BLOCKS", Value::Null),
        None => ("REQUESTING_BLOCKS", json!({ "validationErrors": [] })),
    };
    let request = Request {
        request_type: "EXTERNAL_CALL_CONTROL",
        customer_number: settings.customer_number,
        access_key: &settings.access_key,
        variables: Variables(&session.variables),
        call_control_uuid: &session.call_control_uuid,
        loop_count: session.loop_count,
        request_status,
        blocks_processing_result: result,
    };
    let body = serde_json::to_string(&request).unwrap_or_default();
    let loop_count = session.loop_count;
    call.state = CallState::InBlock;
    call.interruptible = false;
    call.timeline.push(Event::Request {
        at_ms: now,
        loop_count,
        request_status: request_status.to_owned(),
        body: body.clone(),
    });
    Some((body, errors.is_some()))
}

/// Runs one (valid) block; see the module's comment for what each does.
fn run_block<L: HoldsCalls>(
    shared: &Monitor<L>,
    settings: &Settings,
    call_uuid: &str,
    epoch: u64,
    loop_count: u64,
    index: usize,
    block: &Value,
) -> Flow {
    let block_type = block["blockType"].as_str().unwrap_or_default().to_owned();
    let mut log = shared.lock();
    let Some((call, now)) = alive(log.calls(), call_uuid, epoch) else {
        return Flow::Stop;
    };
    let position = call.timeline.len();
    call.timeline.push(Event::Block {
        loop_count,
        index,
        block_type: block_type.clone(),
        block: block.clone(),
        started_ms: now,
        ended_ms: None,
        how: None,
        input: None,
        destination: None,
    });
    let session = call.session.as_mut().expect("alive checked the session");
    session.running = Some(position);
    session.interrupted = false;
    call.interruptible = blocks::interruptible(&block_type);

    let (limit, collects) = match block_type.as_str() {
        "ANNOUNCEMENT" => (settings.announcement, false),
        "SAY" => (Some(settings.say), false),
        "COLLECT_DIGITS" | "COLLECT_SPEECH" => (settings.collect_timeout, true),
        "BRIDGE" => {
            // Connected to the first destination (the simulator's callees always answer);
            // the block runs until something ends the call.
            let destination = block["destinations"][0]["destination"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            call.state = CallState::Connected;
            call.destination = Some(destination.clone());
            if let Some(Event::Block {
                destination: slot, ..
            }) = call.timeline.get_mut(position)
            {
                *slot = Some(destination);
            }
            (None, false)
        }
        "CALL_SETTINGS" => {
            finish_block(call, now, "completed");
            return Flow::Next;
        }
        "HANGUP" | "REFER" => {
            finish_block(call, now, "completed");
            leave(
                call,
                now,
                &block_type.to_ascii_lowercase(),
                CallState::Ended,
            );
            return Flow::Stop;
        }
        _ => {
            // ROUTINGPLAN: the named plan takes over.
            finish_block(call, now, "completed");
            leave(call, now, "routingplan", CallState::Routing);
            return Flow::Stop;
        }
    };
    let variable = block["variableName"]
        .as_str()
        .map(|name| format!("collected_{name}"));
    let deadline = limit.map(|limit| Instant::now() + limit);
    loop {
        let Some((call, now)) = alive(log.calls(), call_uuid, epoch) else {
            return Flow::Stop;
        };
        let session = call.session.as_mut().expect("alive checked the session");
        if session.interrupted {
            finish_block(call, now, "interrupted");
            return Flow::Ask;
        }
        if collects {
            if let Some(input) = call.input.pop_front() {
                // [3rd] The next request carries it as variables.collected_<variableName>.
                if let Some(variable) = &variable {
                    set_variable(&mut session.variables, variable.clone(), input.clone());
                }
                if let Some(Event::Block { input: slot, .. }) = call.timeline.get_mut(position) {
                    *slot = Some(input);
                }
                finish_block(call, now, "completed");
                return Flow::Next;
            }
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            finish_block(call, now, "completed");
            return Flow::Next;
        }
        log = shared.wait(log, deadline);
    }
}
