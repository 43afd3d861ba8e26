//! `tenios-sim`: a local stand-in for the TENIOS Call Control Voice API, used by tests.
//!
//! It answers the live-call methods (`/interrupt-ecc-block`, `/transfer-call`, `/refer-call`,
//! `/record-call/start` and `/stop`, `/call/listen-in/start`) and the contact-center methods
//! (`/makecall/*`, `/callback/*`, `/acd/agent-state/*`, `/wrap-up/*`; `contact`) the way the
//! real API documents, keeping each call's state (`calls`), records every request it receives, and can be told (through `/_sim/` control endpoints) to misbehave
//! in specific ways so that client error handling can be tested without the real service.
//! With `--tls-cert`/`--tls-key` it speaks HTTPS instead of HTTP. With `--webhook` it also
//! plays TENIOS's side of a Call Control block: it calls the user's webhook (`webhook`).

mod api;
mod calls;
mod cli;
mod connection;
mod contact;
mod control;
mod faults;
mod http;
mod monitor;
mod socket;
mod state;
mod stream;
mod tls;
mod uuid;
mod webhook;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use cli::Invocation;
use rustls::ServerConfig;
use state::Simulator;
use stream::Stream;

fn main() -> ExitCode {
    // Taken first, so a parent that dies while we start up is still noticed (--follow-parent).
    #[cfg(unix)]
    let parent = std::os::unix::process::parent_id();

    let settings = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Invocation::Help) => {
            print!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Invocation::Run(settings)) => *settings,
        Err(message) => {
            eprintln!("tenios-sim: {message}\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };

    // Read before binding, so that bad files fail like bad arguments (status 2, no output).
    let tls = match settings.tls.as_ref().map(tls::server_config).transpose() {
        Ok(tls) => tls,
        Err(message) => {
            eprintln!("tenios-sim: {message}");
            return ExitCode::from(2);
        }
    };

    let listener = match TcpListener::bind(("127.0.0.1", settings.port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "tenios-sim: cannot listen on 127.0.0.1:{}: {error}",
                settings.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(error) => {
            eprintln!("tenios-sim: cannot read the bound address: {error}");
            return ExitCode::FAILURE;
        }
    };

    let scheme = if tls.is_some() { "https" } else { "http" };
    // Before the line: whoever saw the line finds the file complete.
    if let Some(path) = &settings.address_file {
        if let Err(error) = write_address_file(path, &format!("{scheme}://127.0.0.1:{port}")) {
            eprintln!(
                "tenios-sim: --address-file {}: cannot write: {error}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
    }

    // Tests learn the port from this line, so it must be out before the first accept.
    // A parent that closed our stdout does not need the line: keep serving regardless.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {scheme}://127.0.0.1:{port}");
    let _ = stdout.flush();
    drop(stdout);

    #[cfg(unix)]
    if settings.follow_parent {
        exit_when_orphaned(parent);
    }
    let simulator = Simulator::new(
        settings.account,
        settings.calls,
        settings.agents,
        settings.idle_close,
        settings.webhook,
    );
    // Calls configured to start in Call Control call the webhook now.
    simulator.start_call_control();
    serve_forever(&listener, &simulator, tls.as_ref());
}

/// Writes `url` and a line end to `path` through a temporary file renamed into place, so that
/// a CI step polling for the file never reads half of it.
fn write_address_file(path: &std::path::Path, url: &str) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, format!("{url}\n"))?;
    std::fs::rename(&temporary, path)
}

/// With `--follow-parent`: exits once the process that started the simulator is gone. A test that never kills its
/// simulator (one kept in a `static`, whose `Drop` never runs) would otherwise leave it
/// running, holding the test's inherited stdout/stderr open and stalling whatever reads them.
#[cfg(unix)]
fn exit_when_orphaned(parent: u32) {
    use std::os::unix::process::parent_id;
    const CHECK_EVERY: Duration = Duration::from_millis(500);
    let _ = thread::Builder::new()
        .name("parent-watch".to_owned())
        .spawn(move || {
            loop {
                thread::sleep(CHECK_EVERY);
                // When the parent dies the process is re-parented (to init or a subreaper).
                if parent_id() != parent {
                    std::process::exit(0);
                }
            }
        });
}

fn serve_forever(
    listener: &TcpListener,
    simulator: &Arc<Simulator>,
    tls: Option<&Arc<ServerConfig>>,
) -> ! {
    let mut accepted: u64 = 0;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(_) => {
                // Typically EMFILE: back off instead of spinning until descriptors free up.
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        accepted += 1;
        let connection_id = accepted;
        let simulator = Arc::clone(simulator);
        let tls = tls.cloned();
        // A failed spawn drops the stream, which closes it: the client sees a closed connection.
        let _ = thread::Builder::new()
            .name(format!("connection-{connection_id}"))
            .spawn(move || {
                // The handshake runs on the connection's own thread, so a slow or silent client
                // cannot hold up the others.
                if let Some(stream) = secure(stream, tls.as_ref()) {
                    connection::serve(stream, connection_id, &simulator);
                }
            });
    }
}

/// The connection's stream: plain, or TLS once the handshake succeeds (`None` if it fails,
/// which drops the connection without a word).
fn secure(tcp: TcpStream, tls: Option<&Arc<ServerConfig>>) -> Option<Stream> {
    match tls {
        None => Some(Stream::Plain(tcp)),
        Some(config) => tls::accept(tcp, config),
    }
}
