//! Command line and `--config` file parsing.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::api::{is_canonical_uuid, Directory};

pub const DEFAULT_ACCESS_KEY: &str = "sim-access-key";

pub const USAGE: &str = "usage: tenios-sim [--port N] [--access-key KEY] [--call UUID] \
[--stuck-call UUID] [--config FILE] [--idle-close-ms N] [--tls-cert FILE --tls-key FILE]";

pub const HELP: &str = "\
tenios-sim: a local simulator of the TENIOS Call Control Voice API (POST /interrupt-ecc-block)

usage: tenios-sim [--port N] [--access-key KEY] [--call UUID] [--stuck-call UUID]
                  [--config FILE] [--idle-close-ms N] [--tls-cert FILE --tls-key FILE]

  --port N            listen on 127.0.0.1:N (default 0: a free port)
  --access-key KEY    the one valid access key (default sim-access-key)
  --call UUID         a known call whose current block can be interrupted (repeatable)
  --stuck-call UUID   a known call whose current block cannot be interrupted (repeatable)
  --config FILE       JSON {\"access_key\": \"...\", \"calls\": [{\"call_uuid\": \"...\",
                      \"interruptible\": true}]}; flags add to and override the file
  --idle-close-ms N   close a connection that has been idle for N ms (default: after 60 s)
  --tls-cert FILE     serve HTTPS (TLS 1.2/1.3) instead of HTTP, with this PEM certificate
                      chain, server certificate first; needs --tls-key
  --tls-key FILE      the PEM private key of --tls-cert (PKCS#8, SEC1 or PKCS#1)
  --help              show this help

Prints `listening on http://127.0.0.1:PORT` (https:// with --tls-cert) once bound, then
serves until killed or until its parent process exits (Unix). Unreadable or mismatched TLS
files exit with status 2; a client whose TLS handshake fails is just disconnected.
Control endpoints for tests (served over HTTPS too):
GET /_sim/requests, GET /_sim/interrupts, GET /_sim/stats, POST /_sim/reset, POST /_sim/faults.
";

pub struct Settings {
    pub port: u16,
    pub directory: Directory,
    pub idle_close: Option<Duration>,
    /// Serve HTTPS with these files (`--tls-cert`, `--tls-key`).
    pub tls: Option<TlsFiles>,
}

/// The PEM files of `--tls-cert` and `--tls-key`; read by `tls::server_config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub enum Invocation {
    Help,
    Run(Settings),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    access_key: Option<String>,
    #[serde(default)]
    calls: Vec<ConfigCall>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigCall {
    call_uuid: String,
    #[serde(default = "interruptible_by_default")]
    interruptible: bool,
}

fn interruptible_by_default() -> bool {
    true
}

/// Parses the arguments after the program name. `Err` carries a message for stderr.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, String> {
    let mut port: u16 = 0;
    let mut access_key: Option<String> = None;
    let mut flag_calls: Vec<(String, bool)> = Vec::new();
    let mut config_path: Option<String> = None;
    let mut idle_close: Option<Duration> = None;
    let mut tls_cert: Option<PathBuf> = None;
    let mut tls_key: Option<PathBuf> = None;

    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|arg| format!("argument is not valid UTF-8: {arg:?}"))?;
        if arg == "--help" || arg == "-h" {
            return Ok(Invocation::Help);
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
            "--call" => flag_calls.push((value()?, true)),
            "--stuck-call" => flag_calls.push((value()?, false)),
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
        None => ConfigFile {
            access_key: None,
            calls: Vec::new(),
        },
    };
    let key = access_key
        .or(config.access_key)
        .unwrap_or_else(|| DEFAULT_ACCESS_KEY.to_owned());
    let file_calls: Vec<(String, bool)> = config
        .calls
        .into_iter()
        .map(|call| (call.call_uuid, call.interruptible))
        .collect();

    let mut calls = merge_calls(&file_calls, "--config")?;
    // Flags override the file: a UUID given by flag replaces the file's entry.
    calls.extend(merge_calls(&flag_calls, "--call/--stuck-call")?);

    let mut directory = Directory::new(key);
    for (call_uuid, interruptible) in calls {
        directory.add_call(&call_uuid, interruptible);
    }
    Ok(Invocation::Run(Settings {
        port,
        directory,
        idle_close,
        tls,
    }))
}

/// Validates one source's calls, keyed by lowercase UUID. The same call named both
/// interruptible and stuck by one source is a contradiction, so it is refused.
fn merge_calls(calls: &[(String, bool)], source: &str) -> Result<HashMap<String, bool>, String> {
    let mut merged: HashMap<String, bool> = HashMap::new();
    for (call_uuid, interruptible) in calls {
        if !is_canonical_uuid(call_uuid) {
            return Err(format!(
                "{source}: '{call_uuid}' is not a canonical UUID (8-4-4-4-12 hex digits)"
            ));
        }
        let key = call_uuid.to_ascii_lowercase();
        if merged
            .insert(key, *interruptible)
            .is_some_and(|previous| previous != *interruptible)
        {
            return Err(format!(
                "{source}: call '{call_uuid}' is given as both interruptible and stuck"
            ));
        }
    }
    Ok(merged)
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
            Invocation::Run(settings) => Ok(settings),
            Invocation::Help => Err("help".to_owned()),
        }
    }

    #[test]
    fn defaults() {
        let settings = run(&[]).unwrap();
        assert_eq!(settings.port, 0);
        assert_eq!(settings.idle_close, None);
        assert_eq!(settings.tls, None);
        assert_eq!(settings.directory.access_key(), DEFAULT_ACCESS_KEY);
    }

    #[test]
    fn flags_in_both_forms() {
        let settings =
            run(&["--port=8080", "--access-key", "k", "--idle-close-ms", "250"]).unwrap();
        assert_eq!(settings.port, 8080);
        assert_eq!(settings.directory.access_key(), "k");
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
        assert_eq!(settings.directory.call(UUID_A), Some(false));
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
            &["--idle-close-ms", "0"],
            &["--tls-cert"],
            &["--config", "/nonexistent/tenios-sim.json"],
            &["positional"],
        ] {
            assert!(run(args).is_err(), "{args:?} should be refused");
        }
    }
}
