//! Command line and `--config` file parsing.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::api::record::StopSuccess;
use crate::api::Account;
use crate::calls::{
    CallSetup, CallState, ControlSetup, DEFAULT_DESTINATION, DEFAULT_DESTINATION_NUMBER,
};
use crate::contact::AgentSetup;
use crate::uuid::is_canonical_uuid;
use crate::webhook::{self, WebhookUrl};

pub const DEFAULT_ACCESS_KEY: &str = "sim-access-key";
pub const DEFAULT_SUPERVISOR_KEY: &str = "sim-supervisor-key";
/// The callback configuration every simulated account has.
pub const DEFAULT_CALLBACK_CONFIG: &str = "sim-callback-config";

pub const USAGE: &str = "usage: tenios-sim [--port N] [--access-key KEY] [--supervisor-key KEY] \
[--call UUID] [--stuck-call UUID] [--connected-call UUID] [--blacklist NUMBER] [--config FILE] \
[--idle-close-ms N] [--tls-cert FILE --tls-key FILE] [--record-stop-success string|boolean] \
[--webhook URL [--webhook-key KEY] [--customer-number N] [--announcement-ms N] \
[--call-control-call UUID]] [--tenios-number NUMBER] [--callback-config ID] \
[--unreachable NUMBER] [--agent EMAIL] [--wrap-up-agent EMAIL] [--address-file FILE] \
[--follow-parent]";

pub const HELP: &str = "\
tenios-sim: a local simulator of the TENIOS Call Control Voice API's live-call methods
(interrupt-ecc-block, transfer-call, refer-call, record-call/start and /stop,
call/listen-in/start)

usage: tenios-sim [--port N] [--access-key KEY] [--supervisor-key KEY] [--call UUID]
                  [--stuck-call UUID] [--connected-call UUID] [--blacklist NUMBER]
                  [--config FILE] [--idle-close-ms N] [--tls-cert FILE --tls-key FILE]
                  [--record-stop-success string|boolean]
                  [--webhook URL [--webhook-key KEY] [--customer-number N]
                   [--announcement-ms N] [--call-control-call UUID]]
                  [--tenios-number NUMBER] [--callback-config ID] [--unreachable NUMBER]
                  [--agent EMAIL] [--wrap-up-agent EMAIL]
                  [--address-file FILE] [--follow-parent]

  --port N              listen on 127.0.0.1:N (default 0: a free port)
  --access-key KEY      the one valid access key (default sim-access-key)
  --supervisor-key KEY  the one valid listen-in supervisor key (default sim-supervisor-key)
  --call UUID           a call in a block that can be interrupted (repeatable)
  --stuck-call UUID     a call in a block that cannot be interrupted (repeatable)
  --connected-call UUID a call connected to a destination (+4922155400300 unless the
                        config file gives one) (repeatable)
  --blacklist NUMBER    a supervisor destination on the account's blacklist (repeatable)
  --config FILE         JSON {\"access_key\": \"...\", \"supervisor_key\": \"...\",
                        \"blacklist\": [\"+49...\"], \"calls\": [{\"call_uuid\": \"...\",
                        \"state\": \"in_block\"|\"connected\"|\"ended\", \"interruptible\": true,
                        \"destination\": \"+49...\"}]}; flags add to and override the file
  --idle-close-ms N     close a connection that has been idle for N ms (default: after 60 s)
  --tls-cert FILE       serve HTTPS (TLS 1.2/1.3) instead of HTTP, with this PEM certificate
                        chain, server certificate first; needs --tls-key
  --tls-key FILE        the PEM private key of --tls-cert (PKCS#8, SEC1 or PKCS#1)
  --record-stop-success string|boolean
                        how record-call/stop answers success: string (the default) is
                        {\"success\":\"true\"}, as TENIOS documents it; boolean is
                        {\"success\":true}, as TENIOS's own Java example reads it. A client
                        should accept both: test it against each
  --webhook URL         call this Call Control webhook (http:// on this machine only) when
                        a call enters a Call Control block
  --webhook-key KEY     the accessKey sent to the webhook (default sim-webhook-key)
  --customer-number N   the customerNumber sent to the webhook (default 200002)
  --announcement-ms N   an ANNOUNCEMENT block plays N ms (default: until interrupted)
  --call-control-call UUID
                        a call that enters Call Control at launch (repeatable; needs --webhook)
  --tenios-number NUMBER
                        a TENIOS number of the account, for /makecall/init (repeatable;
                        +4922112345678 always is one). With --webhook a click-to-call
                        reaching it enters Call Control
  --callback-config ID  a callback configuration id, for /callback/init (repeatable;
                        sim-callback-config always is one; its agent side is +4922155400300)
  --unreachable NUMBER  a number that never answers: a click-to-call's or callback's leg to
                        it fails (repeatable)
  --agent EMAIL         an ACD agent, READY (repeatable)
  --wrap-up-agent EMAIL an ACD agent, READY and in wrap-up (repeatable)
  --address-file FILE   once bound, write the base URL (http://127.0.0.1:PORT and a line end)
                        to FILE (written to FILE.tmp, then renamed: never seen half-written)
  --follow-parent       exit when the process that started the simulator exits (for test
                        harnesses, so that a runner that dies leaves no simulator behind)
  --help                show this help

Prints `listening on http://127.0.0.1:PORT` (https:// with --tls-cert) once bound, then
serves until killed (SIGTERM), or with --follow-parent until its parent process exits.
It does not detach from the terminal by itself: start it with `&` (or setsid) in a CI step
and kill its pid when done. Unreadable or mismatched TLS
files exit with status 2; a client whose TLS handshake fails is just disconnected.
Control endpoints for tests (served over HTTPS too):
GET /_sim/requests, GET /_sim/interrupts, GET /_sim/calls, GET /_sim/calls/UUID,
GET /_sim/stats, GET /_sim/agents, GET /_sim/callbacks, POST /_sim/reset,
POST /_sim/faults; with --webhook also
POST /_sim/calls/UUID/enter-call-control and POST /_sim/calls/UUID/input.
The config file's \"webhook\" object: {\"url\", \"access_key\", \"customer_number\",
\"timeout_ms\", \"announcement_ms\", \"say_ms\", \"collect_timeout_ms\"}; a call's
\"call_control\": true enters Call Control at launch, with \"destination_number\",
\"caller_id_number\", \"correlation_id\" and \"input\": [\"123\", ...] for its variables
and COLLECT_* blocks.
";

pub struct Settings {
    pub port: u16,
    pub account: Account,
    /// The calls as configured (what `/_sim/reset` restores).
    pub calls: Vec<CallSetup>,
    pub idle_close: Option<Duration>,
    /// Serve HTTPS with these files (`--tls-cert`, `--tls-key`).
    pub tls: Option<TlsFiles>,
    /// Call this Call Control webhook (`--webhook`, the config's `"webhook"`).
    pub webhook: Option<webhook::Settings>,
    /// The ACD agents (`--agent`, `--wrap-up-agent`).
    pub agents: Vec<AgentSetup>,
    /// Write the base URL here once bound (`--address-file`).
    pub address_file: Option<PathBuf>,
    /// Exit when the parent process exits (`--follow-parent`).
    pub follow_parent: bool,
}

/// The PEM files of `--tls-cert` and `--tls-key`; read by `tls::server_config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub enum Invocation {
    Help,
    Run(Box<Settings>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    access_key: Option<String>,
    supervisor_key: Option<String>,
    #[serde(default)]
    blacklist: Vec<String>,
    #[serde(default)]
    calls: Vec<ConfigCall>,
    webhook: Option<ConfigWebhook>,
}

/// The config file's `"webhook"` object.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigWebhook {
    url: Option<String>,
    access_key: Option<String>,
    customer_number: Option<u64>,
    timeout_ms: Option<u64>,
    announcement_ms: Option<u64>,
    say_ms: Option<u64>,
    collect_timeout_ms: Option<u64>,
}

/// A call in `--config`. The first format had only `call_uuid` and `interruptible`: such a
/// call is in a block.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigCall {
    call_uuid: String,
    #[serde(default = "in_block")]
    state: CallState,
    #[serde(default = "interruptible_by_default")]
    interruptible: bool,
    destination: Option<String>,
    #[serde(default)]
    call_control: bool,
    destination_number: Option<String>,
    caller_id_number: Option<String>,
    correlation_id: Option<String>,
    #[serde(default)]
    input: Vec<String>,
}

fn in_block() -> CallState {
    CallState::InBlock
}

fn interruptible_by_default() -> bool {
    true
}

/// The kinds of call a flag can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallFlag {
    Call,
    Stuck,
    Connected,
    CallControl,
}

impl CallFlag {
    fn name(self) -> &'static str {
        match self {
            CallFlag::Call => "--call",
            CallFlag::Stuck => "--stuck-call",
            CallFlag::Connected => "--connected-call",
            CallFlag::CallControl => "--call-control-call",
        }
    }
}

/// Parses the arguments after the program name. `Err` carries a message for stderr.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, String> {
    let mut port: u16 = 0;
    let mut access_key: Option<String> = None;
    let mut supervisor_key: Option<String> = None;
    let mut blacklist: Vec<String> = Vec::new();
    let mut flag_calls: Vec<(String, CallFlag)> = Vec::new();
    let mut config_path: Option<String> = None;
    let mut idle_close: Option<Duration> = None;
    let mut tls_cert: Option<PathBuf> = None;
    let mut tls_key: Option<PathBuf> = None;
    let mut webhook_url: Option<String> = None;
    let mut webhook_key: Option<String> = None;
    let mut customer_number: Option<u64> = None;
    let mut announcement_ms: Option<u64> = None;
    let mut tenios_numbers = vec![DEFAULT_DESTINATION_NUMBER.to_owned()];
    let mut callback_configs = vec![DEFAULT_CALLBACK_CONFIG.to_owned()];
    let mut unreachable: Vec<String> = Vec::new();
    let mut agents: Vec<AgentSetup> = Vec::new();
    let mut record_stop_success = StopSuccess::default();
    let mut address_file: Option<PathBuf> = None;
    let mut follow_parent = false;

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|arg| format!("argument is not valid UTF-8: {arg:?}"))?;
        if arg == "--help" || arg == "-h" {
            return Ok(Invocation::Help);
        }
        if arg == "--follow-parent" {
            follow_parent = true;
            continue;
        }
        // Both `--flag value` and `--flag=value` are accepted.
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            match inline_value.clone() {
                Some(value) => Ok(value),
                None => args
                    .next()
                    .ok_or_else(|| format!("{flag} needs a value"))?
                    .into_string()
                    .map_err(|value| format!("{flag}: value is not valid UTF-8: {value:?}")),
            }
        };
        match flag.as_str() {
            "--port" => {
                let text = value()?;
                port = text
                    .parse()
                    .map_err(|_| format!("--port: '{text}' is not a port number (0-65535)"))?;
            }
            "--access-key" => access_key = Some(value()?),
            "--supervisor-key" => supervisor_key = Some(value()?),
            "--blacklist" => blacklist.push(value()?),
            "--call" => flag_calls.push((value()?, CallFlag::Call)),
            "--stuck-call" => flag_calls.push((value()?, CallFlag::Stuck)),
            "--connected-call" => flag_calls.push((value()?, CallFlag::Connected)),
            "--config" => config_path = Some(value()?),
            "--idle-close-ms" => {
                let text = value()?;
                match text.parse::<u64>() {
                    Ok(millis) if millis > 0 => idle_close = Some(Duration::from_millis(millis)),
                    _ => {
                        return Err(format!(
                            "--idle-close-ms: '{text}' is not a positive integer"
                        ));
                    }
                }
            }
            "--tls-cert" => tls_cert = Some(PathBuf::from(value()?)),
            "--tls-key" => tls_key = Some(PathBuf::from(value()?)),
            "--webhook" => webhook_url = Some(value()?),
            "--webhook-key" => webhook_key = Some(value()?),
            "--customer-number" => {
                let text = value()?;
                customer_number = Some(text.parse().map_err(|_| {
                    format!("--customer-number: '{text}' is not a non-negative integer")
                })?);
            }
            "--announcement-ms" => {
                let text = value()?;
                announcement_ms = Some(text.parse().map_err(|_| {
                    format!("--announcement-ms: '{text}' is not a non-negative integer")
                })?);
            }
            "--call-control-call" => flag_calls.push((value()?, CallFlag::CallControl)),
            "--tenios-number" => tenios_numbers.push(value()?),
            "--callback-config" => callback_configs.push(value()?),
            "--unreachable" => unreachable.push(value()?),
            "--agent" | "--wrap-up-agent" => {
                let email = value()?;
                if agents.iter().any(|a| a.email.eq_ignore_ascii_case(&email)) {
                    return Err(format!("agent '{email}' is given twice"));
                }
                agents.push(AgentSetup {
                    email,
                    in_wrap_up: flag == "--wrap-up-agent",
                });
            }
            "--record-stop-success" => {
                let text = value()?;
                record_stop_success = StopSuccess::parse(&text).ok_or_else(|| {
                    format!("--record-stop-success: '{text}' is neither string nor boolean")
                })?;
            }
            "--follow-parent" => return Err("--follow-parent takes no value".to_owned()),
            "--address-file" => {
                let path = value()?;
                if path.is_empty() {
                    return Err("--address-file needs a file name".to_owned());
                }
                address_file = Some(PathBuf::from(path));
            }
            _ => return Err(format!("unknown argument '{flag}'")),
        }
    }

    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        (Some(_), None) => return Err("--tls-cert needs --tls-key too".to_owned()),
        (None, Some(_)) => return Err("--tls-key needs --tls-cert too".to_owned()),
    };

    let config = match &config_path {
        Some(path) => load_config(Path::new(path))?,
        None => ConfigFile::default(),
    };
    let account = Account {
        access_key: access_key
            .or(config.access_key)
            .unwrap_or_else(|| DEFAULT_ACCESS_KEY.to_owned()),
        supervisor_key: supervisor_key
            .or(config.supervisor_key)
            .unwrap_or_else(|| DEFAULT_SUPERVISOR_KEY.to_owned()),
        blacklist: config.blacklist.into_iter().chain(blacklist).collect(),
        tenios_numbers,
        callback_configs,
        unreachable,
        call_control: false,
        record_stop_success,
    };

    let file_webhook = config.webhook.unwrap_or_default();
    let webhook = match webhook_url.or(file_webhook.url) {
        Some(url) => Some(webhook::Settings {
            url: WebhookUrl::parse(&url)?,
            access_key: webhook_key
                .or(file_webhook.access_key)
                .unwrap_or_else(|| webhook::DEFAULT_KEY.to_owned()),
            customer_number: customer_number
                .or(file_webhook.customer_number)
                .unwrap_or(webhook::DEFAULT_CUSTOMER_NUMBER),
            timeout: match file_webhook.timeout_ms {
                Some(0) => return Err("--config: webhook.timeout_ms must be positive".to_owned()),
                Some(millis) => Duration::from_millis(millis),
                None => webhook::DEFAULT_TIMEOUT,
            },
            announcement: announcement_ms
                .or(file_webhook.announcement_ms)
                .map(Duration::from_millis),
            say: file_webhook
                .say_ms
                .map_or(webhook::DEFAULT_SAY, Duration::from_millis),
            collect_timeout: file_webhook.collect_timeout_ms.map(Duration::from_millis),
        }),
        None if webhook_key.is_some()
            || customer_number.is_some()
            || announcement_ms.is_some()
            || file_webhook.access_key.is_some()
            || file_webhook.customer_number.is_some()
            || file_webhook.timeout_ms.is_some()
            || file_webhook.announcement_ms.is_some()
            || file_webhook.say_ms.is_some()
            || file_webhook.collect_timeout_ms.is_some() =>
        {
            return Err("the webhook settings need a webhook URL (--webhook URL)".to_owned());
        }
        None => None,
    };

    let mut calls = file_calls(config.calls)?;
    // Flags override the file: a UUID given by flag replaces the file's entry (a connected
    // call keeps the file's destination; a call-control call the file's numbers and input).
    for (call_uuid, setup) in flag_call_setups(&flag_calls)? {
        let file = calls.get(&call_uuid);
        let destination = match (setup.state, file) {
            (CallState::Connected, Some(file)) => file.destination.clone(),
            _ => None,
        };
        let control = match file {
            Some(file) if setup.control.call_control => ControlSetup {
                call_control: true,
                ..file.control.clone()
            },
            _ => setup.control.clone(),
        };
        let setup = CallSetup {
            destination: destination.or(setup.destination),
            control,
            ..setup
        };
        calls.insert(call_uuid, setup);
    }
    if webhook.is_none() {
        if let Some(call) = calls.values().find(|call| call.control.call_control) {
            return Err(format!(
                "call '{}' enters Call Control at launch, which needs --webhook URL",
                call.call_uuid
            ));
        }
    }

    let account = Account {
        call_control: webhook.is_some(),
        ..account
    };
    Ok(Invocation::Run(Box::new(Settings {
        port,
        account,
        agents,
        calls: calls.into_values().collect(),
        idle_close,
        tls,
        webhook,
        address_file,
        follow_parent,
    })))
}

fn canonical(call_uuid: &str, source: &str) -> Result<String, String> {
    if is_canonical_uuid(call_uuid) {
        Ok(call_uuid.to_ascii_lowercase())
    } else {
        Err(format!(
            "{source}: '{call_uuid}' is not a canonical UUID (8-4-4-4-12 hex digits)"
        ))
    }
}

/// The file's calls keyed by lowercase UUID. A UUID listed twice with different settings, or
/// a destination on a call in a block, is a contradiction, so it is refused.
fn file_calls(calls: Vec<ConfigCall>) -> Result<HashMap<String, CallSetup>, String> {
    let mut merged: HashMap<String, CallSetup> = HashMap::new();
    for call in calls {
        let call_uuid = canonical(&call.call_uuid, "--config")?;
        let destination = match (call.state, call.destination) {
            (CallState::InBlock, Some(_)) => {
                return Err(format!(
                    "--config: call '{}' is in a block, so it has no destination",
                    call.call_uuid
                ));
            }
            (CallState::Connected, None) => Some(DEFAULT_DESTINATION.to_owned()),
            (_, destination) => destination,
        };
        if call.call_control && call.state != CallState::InBlock {
            return Err(format!(
                "--config: call '{}' enters Call Control at launch, so its state must be in_block",
                call.call_uuid
            ));
        }
        let defaults = ControlSetup::default();
        let control = ControlSetup {
            call_control: call.call_control,
            destination_number: call
                .destination_number
                .unwrap_or(defaults.destination_number),
            caller_id_number: call.caller_id_number.unwrap_or(defaults.caller_id_number),
            correlation_id: call.correlation_id,
            input: call.input,
        };
        let setup = CallSetup {
            call_uuid: call_uuid.clone(),
            state: call.state,
            interruptible: call.interruptible,
            destination,
            control,
        };
        if merged
            .insert(call_uuid, setup.clone())
            .is_some_and(|previous| previous != setup)
        {
            return Err(format!(
                "--config: call '{}' is listed twice with different settings",
                call.call_uuid
            ));
        }
    }
    Ok(merged)
}

/// The flags' calls keyed by lowercase UUID. The same call named by two different flags is a
/// contradiction, so it is refused.
fn flag_call_setups(calls: &[(String, CallFlag)]) -> Result<HashMap<String, CallSetup>, String> {
    let mut kinds: HashMap<String, CallFlag> = HashMap::new();
    let mut setups = HashMap::new();
    for (call_uuid, kind) in calls {
        let key = canonical(call_uuid, kind.name())?;
        if let Some(previous) = kinds.insert(key.clone(), *kind) {
            if previous != *kind {
                return Err(format!(
                    "call '{call_uuid}' is given as both {} and {}",
                    previous.name(),
                    kind.name()
                ));
            }
        }
        let (state, interruptible, destination) = match kind {
            CallFlag::Call | CallFlag::CallControl => (CallState::InBlock, true, None),
            CallFlag::Stuck => (CallState::InBlock, false, None),
            CallFlag::Connected => (
                CallState::Connected,
                true,
                Some(DEFAULT_DESTINATION.to_owned()),
            ),
        };
        setups.insert(
            key.clone(),
            CallSetup {
                call_uuid: key,
                state,
                interruptible,
                destination,
                control: ControlSetup {
                    call_control: *kind == CallFlag::CallControl,
                    ..ControlSetup::default()
                },
            },
        );
    }
    Ok(setups)
}

fn load_config(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("--config {}: cannot read: {error}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|error| format!("--config {}: invalid: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID_A: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";

    fn run(args: &[&str]) -> Result<Settings, String> {
        match parse(args.iter().map(OsString::from))? {
            Invocation::Run(settings) => Ok(*settings),
            Invocation::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults() {
        let settings = run(&[]).unwrap();
        assert_eq!(settings.port, 0);
        assert_eq!(settings.idle_close, None);
        assert_eq!(settings.tls, None);
        assert_eq!(settings.account.access_key, DEFAULT_ACCESS_KEY);
        assert_eq!(settings.account.supervisor_key, DEFAULT_SUPERVISOR_KEY);
        assert!(settings.account.blacklist.is_empty());
        assert!(settings.calls.is_empty());
        assert_eq!(settings.address_file, None);
        assert!(!settings.follow_parent);
    }

    #[test]
    fn address_file_and_follow_parent() {
        let settings = run(&["--address-file", "/tmp/a", "--follow-parent"]).unwrap();
        assert_eq!(settings.address_file, Some(PathBuf::from("/tmp/a")));
        assert!(settings.follow_parent);
        assert!(run(&["--address-file"]).is_err());
        assert!(run(&["--address-file="]).is_err());
        assert!(run(&["--follow-parent=yes"]).is_err());
    }

    #[test]
    fn flags_in_both_forms() {
        let settings =
            run(&["--port=8080", "--access-key", "k", "--idle-close-ms", "250"]).unwrap();
        assert_eq!(settings.port, 8080);
        assert_eq!(settings.account.access_key, "k");
        assert_eq!(settings.idle_close, Some(Duration::from_millis(250)));
    }

    #[test]
    fn tls_files_come_in_pairs() {
        let settings = run(&["--tls-key=k.pem", "--tls-cert", "c.pem"]).unwrap();
        assert_eq!(
            settings.tls,
            Some(TlsFiles {
                cert: PathBuf::from("c.pem"),
                key: PathBuf::from("k.pem"),
            })
        );
        assert_eq!(
            run(&["--tls-cert", "c.pem"]).err().unwrap(),
            "--tls-cert needs --tls-key too"
        );
        assert_eq!(
            run(&["--tls-key", "k.pem"]).err().unwrap(),
            "--tls-key needs --tls-cert too"
        );
    }

    #[test]
    fn calls_are_case_insensitive() {
        let settings = run(&["--stuck-call", &UUID_A.to_uppercase()]).unwrap();
        assert_eq!(
            settings.calls,
            [CallSetup {
                call_uuid: UUID_A.to_owned(),
                state: CallState::InBlock,
                interruptible: false,
                destination: None,
                control: ControlSetup::default(),
            }]
        );
    }

    #[test]
    fn connected_calls_supervisor_key_and_blacklist() {
        let settings = run(&[
            "--connected-call",
            UUID_A,
            "--supervisor-key=s",
            "--blacklist",
            "+491",
            "--blacklist",
            "sip:x@y",
        ])
        .unwrap();
        assert_eq!(settings.account.supervisor_key, "s");
        assert_eq!(settings.account.blacklist, ["+491", "sip:x@y"]);
        assert_eq!(settings.calls[0].state, CallState::Connected);
        assert_eq!(
            settings.calls[0].destination.as_deref(),
            Some(DEFAULT_DESTINATION)
        );
    }

    #[test]
    fn webhook_flags() {
        let settings = run(&["--call", UUID_A]).unwrap();
        assert_eq!(settings.webhook, None);
        let settings = run(&[
            "--webhook",
            "http://127.0.0.1:9/hook",
            "--webhook-key=wk",
            "--customer-number",
            "12",
            "--announcement-ms",
            "30",
            "--call-control-call",
            UUID_A,
        ])
        .unwrap();
        let webhook = settings.webhook.unwrap();
        assert_eq!(webhook.url.target, "/hook");
        assert_eq!(webhook.access_key, "wk");
        assert_eq!(webhook.customer_number, 12);
        assert_eq!(webhook.announcement, Some(Duration::from_millis(30)));
        assert_eq!(webhook.say, webhook::DEFAULT_SAY);
        assert_eq!(webhook.collect_timeout, None);
        assert_eq!(webhook.timeout, webhook::DEFAULT_TIMEOUT);
        assert!(settings.calls[0].control.call_control);
        assert_eq!(settings.calls[0].state, CallState::InBlock);
        let webhook = run(&["--webhook", "http://localhost:9"])
            .unwrap()
            .webhook
            .unwrap();
        assert_eq!(webhook.access_key, webhook::DEFAULT_KEY);
        assert_eq!(webhook.customer_number, 200_002);
        assert_eq!(webhook.announcement, None);
    }

    #[test]
    fn help() {
        assert!(matches!(
            parse([OsString::from("--help")]),
            Ok(Invocation::Help)
        ));
    }

    #[test]
    fn bad_arguments() {
        for args in [
            &["--bogus"][..],
            &["--port"],
            &["--port", "70000"],
            &["--call", "not-a-uuid"],
            &["--call", UUID_A, "--stuck-call", UUID_A],
            &["--connected-call", UUID_A, "--call", UUID_A],
            &["--connected-call", "nope"],
            &["--blacklist"],
            &["--supervisor-key"],
            &["--idle-close-ms", "0"],
            &["--tls-cert"],
            &["--config", "/nonexistent/tenios-sim.json"],
            &["positional"],
            &["--webhook", "https://127.0.0.1:1/"],
            &["--webhook", "http://example.com/"],
            &["--webhook-key", "k"],
            &["--announcement-ms", "5"],
            &["--call-control-call", UUID_A],
            &[
                "--webhook",
                "http://127.0.0.1:1/",
                "--customer-number",
                "-1",
            ],
            &[
                "--webhook",
                "http://127.0.0.1:1/",
                "--call-control-call",
                UUID_A,
                "--call",
                UUID_A,
            ],
        ] {
            assert!(run(args).is_err(), "{args:?} should be refused");
        }
    }
}
