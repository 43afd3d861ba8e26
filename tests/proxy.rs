//! The proxy options, `ClientConfig::proxy` / `proxy_from_env` and their C-ABI setters, against
//! a real HTTP proxy: tinyproxy on loopback in front of tenios-sim. Each test starts its own
//! tinyproxy (config `tests/proxy/tinyproxy.conf.in`, on a free port, logging at Info to a file
//! in its own temporary directory) and kills it when dropped.
//!
//! What proves that a call went through the proxy: ureq 3 always tunnels through an HTTP proxy
//! with CONNECT, for http:// targets too (ureq-3.5.2/src/unversioned/transport/connect.rs; it
//! never forwards an absolute-form `POST http://...`). So tinyproxy logs exactly one request,
//! `CONNECT 127.0.0.1:<sim port> HTTP/1.1`, then `Established connection to host "127.0.0.1"`;
//! and because the bytes inside a tunnel are not tinyproxy's to touch, the request the simulator
//! records is byte for byte what the client sent: origin-form path, no `Via`, no `Proxy-*`
//! header. (The simulator cannot tell the proxy's socket from the client's: both are on
//! 127.0.0.1.) A call that must not use the proxy leaves tinyproxy's log unchanged; since the
//! CONNECT line is logged before the tunnel answers, that is already certain when the call
//! returns.
//!
//! The proxy variables are process-global and tests run on parallel threads, so every case that
//! needs them runs this test binary again as a child process with exactly the variables it
//! wants (`run_child`, `child_process_entry`); this process's environment is never changed.
//!
//! tinyproxy comes from Debian (`make deps` installs it); without it these tests fail and say so.

mod common;

use std::ffi::{CStr, CString};
use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use common::c_api::{
    tenios_client, tenios_client_build, tenios_client_builder, tenios_client_builder_free,
    tenios_client_builder_new, tenios_client_builder_set_base_url, tenios_client_builder_set_proxy,
    tenios_client_builder_set_proxy_from_env, tenios_client_free, tenios_client_interrupt_block,
    tenios_error, tenios_error_free, tenios_error_message, tenios_error_status,
};
use common::*;
use serde_json::{json, Value};
use tenios::config::check_proxy;
use tenios::{Client, ClientConfig, Error, Status};

// ---------------------------------------------------------------------------------- tinyproxy

const CONFIG_TEMPLATE: &str = include_str!("proxy/tinyproxy.conf.in");
const WRAPPER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/proxy/run-tinyproxy.sh");

/// The tinyproxy executable: `$TINYPROXY`, else the first on PATH or in /usr/bin, /usr/sbin.
fn tinyproxy_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("TINYPROXY") {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "TINYPROXY={} is not a file; unset it to use the tinyproxy that `make deps` \
                 installs",
                path.display()
            );
            return path;
        }
        let path_var = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path_var)
            .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
            .map(|dir| dir.join("tinyproxy"))
            .find(|candidate| candidate.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "tinyproxy is not installed (not on PATH, not in /usr/bin or /usr/sbin), and \
                     the proxy tests need it: run `make deps` (it installs Debian's tinyproxy \
                     package), or set TINYPROXY=/path/to/tinyproxy"
                )
            })
    })
}

/// A tinyproxy process for one test, listening on 127.0.0.1:`port`.
struct Tinyproxy {
    wrapper: Child,
    /// The write end of the wrapper's stdin: closing it stops tinyproxy.
    stdin: Option<ChildStdin>,
    port: u16,
    dir: PathBuf,
}

impl Tinyproxy {
    fn start() -> Tinyproxy {
        Tinyproxy::start_with("")
    }

    /// Starts tinyproxy with `extra` appended to the configuration, and waits until it accepts
    /// connections.
    fn start_with(extra: &str) -> Tinyproxy {
        let binary = tinyproxy_binary();
        // A free port can be taken by someone else between probing and binding: try again.
        let mut failures = Vec::new();
        for _ in 0..5 {
            match Tinyproxy::try_start(binary, extra) {
                Ok(proxy) => return proxy,
                Err(why) => failures.push(why),
            }
        }
        panic!("tinyproxy did not start:\n{}", failures.join("\n---\n"));
    }

    fn try_start(binary: &Path, extra: &str) -> Result<Tinyproxy, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tenios-proxy-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let dir_text = dir.to_str().expect("temporary directory is UTF-8");
        assert!(!dir_text.contains('"'), "{dir_text}");
        let port = closed_port();
        let config = CONFIG_TEMPLATE
            .replace("@PORT@", &port.to_string())
            .replace("@DIR@", dir_text)
            .replace("@EXTRA@", extra);
        let config_path = dir.join("tinyproxy.conf");
        fs::write(&config_path, config).unwrap();
        let output = fs::File::create(dir.join("output.txt")).unwrap();
        let wrapper = Command::new("sh")
            .arg(WRAPPER)
            .arg(binary)
            .arg(&config_path)
            .stdin(Stdio::piped())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .map_err(|e| format!("cannot run sh {WRAPPER}: {e}"))?;
        let mut proxy = Tinyproxy {
            stdin: None,
            wrapper,
            port,
            dir,
        };
        proxy.stdin = proxy.wrapper.stdin.take();
        proxy.wait_until_accepting()?;
        Ok(proxy)
    }

    /// Waits for the log line tinyproxy writes once its listening socket is bound and its
    /// accept loop runs, then checks that a TCP connection is accepted; the probe's own log
    /// lines are waited for, so that nothing is written to the log after this returns but what
    /// clients cause.
    fn wait_until_accepting(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let ready = |log: &str| log.contains("Starting main loop. Accepting connections.");
        while !ready(&self.log()) {
            if let Some(status) = self.wrapper.try_wait().unwrap() {
                return Err(format!(
                    "tinyproxy exited with {status} before accepting connections on port {}\n\
                     log:\n{}\noutput:\n{}",
                    self.port,
                    self.log(),
                    fs::read_to_string(self.dir.join("output.txt")).unwrap_or_default()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "tinyproxy not ready after 10 s; log:\n{}",
                    self.log()
                ));
            }
            thread::sleep(Duration::from_millis(10));
        }
        // Connect and close without a request.
        TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("tinyproxy does not accept on port {}: {e}", self.port))?;
        while !self.log().contains("closed socket before read") {
            if Instant::now() > deadline {
                return Err(format!(
                    "tinyproxy did not log the probe; log:\n{}",
                    self.log()
                ));
            }
            thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The whole log so far.
    fn log(&self) -> String {
        fs::read_to_string(self.dir.join("tinyproxy.log")).unwrap_or_default()
    }

    /// A position in the log, for `log_since`.
    fn mark(&self) -> usize {
        self.log().len()
    }

    fn log_since(&self, mark: usize) -> String {
        self.log()[mark..].to_owned()
    }

    /// The request lines tinyproxy received since `mark`, e.g.
    /// `CONNECT 127.0.0.1:41234 HTTP/1.1`.
    fn requests_since(&self, mark: usize) -> Vec<String> {
        self.log_since(mark)
            .lines()
            .filter_map(|line| {
                let (_, rest) = line.split_once("]: Request (file descriptor ")?;
                Some(rest.split_once("): ")?.1.to_owned())
            })
            .collect()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        // End of file on the wrapper's stdin: it kills tinyproxy and exits.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.wrapper.try_wait(), Ok(None)) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        if matches!(self.wrapper.try_wait(), Ok(None)) {
            let _ = self.wrapper.kill();
            let _ = self.wrapper.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

// ------------------------------------------------------------------------------------ helpers

fn sim_port(sim: &Sim) -> u16 {
    sim.url.rsplit(':').next().unwrap().parse().unwrap()
}

/// The only request line the proxy must see for a call to the simulator.
fn connect_line(sim: &Sim) -> String {
    format!("CONNECT 127.0.0.1:{} HTTP/1.1", sim_port(sim))
}

fn client(base_url: &str, proxy: Option<String>) -> Client {
    Client::new(ClientConfig {
        base_url: base_url.to_owned(),
        proxy,
        ..ClientConfig::default()
    })
    .unwrap()
}

fn failure(result: Result<(), Error>) -> (Status, String) {
    let error = result.expect_err("the call should fail");
    (error.status(), error.to_string())
}

/// Asserts that a request the simulator recorded is the client's own, untouched: a tunnel
/// carries the bytes as they were sent, where a forwarding proxy would rewrite the request line
/// and add headers.
fn assert_untouched_request(sim: &Sim, request: &Value) {
    assert_eq!(request["method"], "POST");
    assert_eq!(
        request["path"], "/interrupt-ecc-block",
        "origin-form, not a proxy's absolute-form"
    );
    assert_eq!(
        request["body"].as_str().unwrap(),
        format!(r#"{{"access_key":"{KEY}","call_uuid":"{CALL}"}}"#)
    );
    let host = format!("127.0.0.1:{}", sim_port(sim));
    assert_eq!(header(request, "host"), Some(host.as_str()));
    assert_eq!(
        header(request, "user-agent"),
        Some(concat!("libtenios/", env!("CARGO_PKG_VERSION")))
    );
    for added_by_a_forwarding_proxy in [
        "via",
        "x-forwarded-for",
        "forwarded",
        "proxy-connection",
        "proxy-authorization",
    ] {
        assert_eq!(
            header(request, added_by_a_forwarding_proxy),
            None,
            "{added_by_a_forwarding_proxy} in {request}"
        );
    }
}

// ------------------------------------------------------------------ 1, 2: through or around

#[test]
fn a_call_through_the_proxy_is_tunnelled_with_connect() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let client = client(&sim.url, Some(proxy.url()));

    let mark = proxy.mark();
    client.interrupt_block(KEY, CALL).unwrap();

    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    let log = proxy.log_since(mark);
    assert!(
        log.contains(r#"Established connection to host "127.0.0.1" using file descriptor"#),
        "{log}"
    );
    // The proxy only ever saw the CONNECT line: the key travelled inside the tunnel.
    assert!(!proxy.log().contains(KEY));
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    assert_untouched_request(&sim, &requests[0]);

    // The next call reuses the pooled tunnel: no second CONNECT, one connection at the sim.
    let mark = proxy.mark();
    assert_eq!(
        failure(client.interrupt_block(KEY, STUCK_CALL)).0,
        Status::TENIOS_ERR_API
    );
    assert_eq!(proxy.requests_since(mark), Vec::<String>::new());
    assert_eq!(sim.request_count(), 2);
    assert_eq!(sim.connection_count(), 1);
}

#[test]
fn without_the_proxy_option_the_proxy_is_not_touched() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let before = proxy.log();

    client(&sim.url, None).interrupt_block(KEY, CALL).unwrap();
    // Spelled out: no proxy and no proxy variables (the default).
    Client::new(ClientConfig {
        base_url: sim.url.clone(),
        proxy: None,
        proxy_from_env: false,
        ..ClientConfig::default()
    })
    .unwrap()
    .interrupt_block(KEY, CALL)
    .unwrap();

    assert_eq!(proxy.log(), before);
    assert_eq!(sim.interrupts(), vec![CALL.to_owned(), CALL.to_owned()]);
    assert_untouched_request(&sim, &sim.requests()[0]);
}

// ---------------------------------------------------------------- 3: the option is really used

#[test]
fn a_proxy_on_a_closed_port_is_a_network_error() {
    let sim = Sim::start();
    let closed = closed_port();
    let client = client(&sim.url, Some(format!("http://127.0.0.1:{closed}")));
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: connection refused; check that the server in the base URL is running"
                .to_owned()
        )
    );
    // The simulator was there all along, and never reached.
    assert_eq!(sim.connection_count(), 0);
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_a_network_error() {
    // Debian's own rule: CONNECT only to 443 and 563. The simulator is on neither.
    let sim = Sim::start();
    let proxy = Tinyproxy::start_with("ConnectPort 443\nConnectPort 563\n");
    let client = client(&sim.url, Some(proxy.url()));
    let mark = proxy.mark();
    assert_eq!(
        failure(client.interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: the proxy refused the tunnel (HTTP 403)".to_owned()
        )
    );
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    let refused = format!("Refused CONNECT method on port {}", sim_port(&sim));
    assert!(proxy.log_since(mark).contains(&refused));
    assert_eq!(sim.connection_count(), 0);
}

#[test]
fn proxy_credentials_in_the_url_are_sent_and_never_shown() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start_with("BasicAuth tenios s3cret-pw\n");
    let with = |credentials: &str| {
        client(
            &sim.url,
            Some(format!("http://{credentials}@127.0.0.1:{}", proxy.port)),
        )
    };

    let mark = proxy.mark();
    with("tenios:s3cret-pw").interrupt_block(KEY, CALL).unwrap();
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);

    // ureq reports the status code twice (`{code}/{StatusCode::as_str()}`), not a reason
    // phrase. tinyproxy answers a wrong password with 401, and missing credentials with 407.
    let mark = proxy.mark();
    assert_eq!(
        failure(with("tenios:wrong-pw").interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: the proxy refused the tunnel (HTTP 401)".to_owned()
        )
    );
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    assert_eq!(
        failure(client(&sim.url, Some(proxy.url())).interrupt_block(KEY, CALL)),
        (
            Status::TENIOS_ERR_NETWORK,
            "network error: the proxy refused the tunnel (HTTP 407)".to_owned()
        )
    );
    // The password is in no message and in nothing the proxy logged.
    assert!(!proxy.log().contains("s3cret-pw"));
    assert_eq!(sim.request_count(), 1);
}

// -------------------------------------------------------------------- HTTPS through the proxy

/// Throwaway certificates from tests/tls/make-certs.sh (shared with tests/tls.rs), made once.
fn tls_certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| make_test_certs("proxy-tls-certs"))
}

#[test]
fn https_goes_through_the_tunnel_end_to_end() {
    let certs = tls_certs();
    let sim = Sim::start_tls(
        &certs.join("server.pem"),
        &certs.join("server.key"),
        &certs.join("ca.pem"),
    );
    let proxy = Tinyproxy::start();
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        extra_roots: tenios::tls::load_pem_file(&certs.join("ca.pem"), "CA file").unwrap(),
        proxy: Some(proxy.url()),
        ..ClientConfig::default()
    })
    .unwrap();

    let mark = proxy.mark();
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    assert!(!proxy.log().contains(KEY));
    assert_eq!(sim.interrupts(), vec![CALL.to_owned()]);
    assert_untouched_request(&sim, &sim.requests()[0]);
}

// -------------------------------------------------------------------------- 5: option checks

#[test]
fn unusable_proxy_urls_are_rejected_with_a_reason() {
    let cases = [
        ("", "it is empty"),
        ("socks5://x", "expected http://host:port"),
        ("socks5://127.0.0.1:1080", "expected http://host:port"),
        ("ftp://x", "expected http://host:port"),
        ("https://proxy.example:443", "expected http://host:port"),
        ("127.0.0.1:3128", "expected http://host:port"),
        ("http://", "it has no host"),
        ("http:///x", "a path, query or fragment is not allowed"),
        (
            "http://u:p@h:1/path?q",
            "a path, query or fragment is not allowed",
        ),
        (
            "http://proxy.example:99999",
            "port \"99999\" is not a number from 1 to 65535",
        ),
        (
            "http://proxy.example:0",
            "port \"0\" is not a number from 1 to 65535",
        ),
        ("http://:3128", "it has no host"),
        // ureq would assume port 80: the documented form has the port.
        (
            "http://127.0.0.1",
            "it has no port (expected http://host:port)",
        ),
        (
            "http://user:pass@proxy.example/",
            "it has no port (expected http://host:port)",
        ),
        ("http://[::1]", "it has no port (expected http://host:port)"),
        (
            "http://proxy example:3128",
            "it contains whitespace or control characters",
        ),
        (
            "http://proxy.example:3128\n",
            "it contains whitespace or control characters",
        ),
    ];
    for (url, reason) in cases {
        assert_eq!(
            check_proxy(url).err().as_deref(),
            Some(format!("proxy URL is unusable: {reason}").as_str()),
            "{url:?}"
        );
        // Client::new reports the same reason as an invalid argument.
        let error = Client::new(ClientConfig {
            proxy: Some(url.into()),
            ..ClientConfig::default()
        })
        .err()
        .unwrap();
        assert_eq!(
            error.status(),
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            "{url:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("proxy URL is unusable: {reason}")
        );
    }
    for url in [
        "http://127.0.0.1:3128",
        "HTTP://proxy.example:3128",
        "http://user:pa%40ss@proxy.example:3128",
        "http://[::1]:3128",
    ] {
        assert!(check_proxy(url).is_ok(), "{url}");
    }
}

#[test]
fn a_plain_http_base_url_only_takes_a_loopback_proxy() {
    for proxy in [
        "http://proxy.example:3128",
        "http://10.0.0.1:3128",
        "http://[::ffff:127.0.0.1]:3128",
    ] {
        let error = Client::new(ClientConfig {
            base_url: "http://127.0.0.1:8080".into(),
            proxy: Some(proxy.into()),
            ..ClientConfig::default()
        })
        .err()
        .unwrap();
        let host = check_proxy(proxy).unwrap().host().to_owned();
        assert_eq!(error.status(), Status::TENIOS_ERR_INVALID_ARGUMENT);
        assert_eq!(
            error.to_string(),
            format!("proxy {host} is not on a loopback host, but the base URL is plain http://")
        );
    }
    assert_eq!(
        Client::new(ClientConfig {
            base_url: "http://127.0.0.1:8080".into(),
            proxy: Some("http://proxy.example:3128".into()),
            ..ClientConfig::default()
        })
        .err()
        .unwrap()
        .to_string(),
        "proxy proxy.example is not on a loopback host, but the base URL is plain http://"
    );
    for proxy in [
        "http://127.0.0.1:3128",
        "http://127.9.9.9:3128",
        "http://localhost:3128",
        "http://[::1]:3128",
    ] {
        Client::new(ClientConfig {
            base_url: "http://127.0.0.1:8080".into(),
            proxy: Some(proxy.into()),
            ..ClientConfig::default()
        })
        .unwrap_or_else(|e| panic!("{proxy}: {e}"));
    }
    // Over https:// any proxy is fine: it only sees a CONNECT and TLS bytes.
    Client::new(ClientConfig {
        proxy: Some("http://proxy.example:3128".into()),
        ..ClientConfig::default()
    })
    .unwrap();
}

// ------------------------------------------------------- 4: the environment, in a child process

const CHILD_VAR: &str = "TENIOS_PROXY_TEST_CHILD";
const PROXY_VARS: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// How the child builds its client.
#[derive(Clone, Copy)]
enum Api {
    Core,
    Ffi,
}

/// What the child is asked to do: build a client for `base_url` with these options, under
/// exactly the proxy variables `env`, and interrupt `CALL` once.
struct ChildCase<'a> {
    api: Api,
    base_url: &'a str,
    proxy_from_env: bool,
    proxy: Option<&'a str>,
    env: &'a [(&'a str, &'a str)],
}

/// What happened in the child: `Ok(())`, or the failing stage ("build" or "call"), the
/// status name and the message.
type ChildOutcome = Result<(), (String, String, String)>;

fn run_child(case: &ChildCase) -> ChildOutcome {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        "--exact",
        "child_process_entry",
        "--nocapture",
        "--test-threads=1",
    ]);
    for var in PROXY_VARS {
        command.env_remove(var);
    }
    command
        .env_remove("TENIOS_API_URL")
        .env(
            CHILD_VAR,
            match case.api {
                Api::Core => "core",
                Api::Ffi => "ffi",
            },
        )
        .env("TENIOS_PROXY_TEST_BASE_URL", case.base_url)
        .env(
            "TENIOS_PROXY_TEST_FROM_ENV",
            if case.proxy_from_env { "1" } else { "0" },
        )
        .envs(case.env.iter().copied());
    match case.proxy {
        Some(proxy) => command.env("TENIOS_PROXY_TEST_PROXY", proxy),
        None => command.env_remove("TENIOS_PROXY_TEST_PROXY"),
    };
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        // The harness prints "test child_process_entry ... " on the same line first.
        .find_map(|line| Some(line.split_once("CHILD-RESULT ")?.1))
        .unwrap_or_else(|| panic!("no CHILD-RESULT line in the child's output:\n{stdout}"));
    let result: Value = serde_json::from_str(line).unwrap();
    if result["ok"] == true {
        return Ok(());
    }
    let text = |key: &str| result[key].as_str().unwrap().to_owned();
    Err((text("stage"), text("status"), text("message")))
}

/// Not a test of its own: the body of the child processes of `run_child`, and a no-op in a
/// normal run.
#[test]
fn child_process_entry() {
    let Ok(api) = std::env::var(CHILD_VAR) else {
        return;
    };
    let var = |name: &str| std::env::var(name).ok();
    let base_url = var("TENIOS_PROXY_TEST_BASE_URL").unwrap();
    let proxy_from_env = var("TENIOS_PROXY_TEST_FROM_ENV").as_deref() == Some("1");
    let proxy = var("TENIOS_PROXY_TEST_PROXY");
    let outcome: Result<(), (&str, Status, String)> = match api.as_str() {
        "core" => (|| {
            let client = Client::new(ClientConfig {
                base_url,
                proxy,
                proxy_from_env,
                ..ClientConfig::default()
            })
            .map_err(|e| ("build", e.status(), e.to_string()))?;
            client
                .interrupt_block(KEY, CALL)
                .map_err(|e| ("call", e.status(), e.to_string()))
        })(),
        "ffi" => {
            let builder = Builder::new();
            builder.set_base_url(&base_url).unwrap();
            if let Some(proxy) = &proxy {
                builder.set_proxy(Some(proxy)).unwrap();
            }
            builder.set_proxy_from_env(proxy_from_env).unwrap();
            match builder.build(KEY) {
                Err((status, message)) => Err(("build", status, message)),
                Ok(client) => client
                    .interrupt_block(CALL)
                    .map_err(|(status, message)| ("call", status, message)),
            }
        }
        other => panic!("{CHILD_VAR}={other}"),
    };
    let result = match outcome {
        Ok(()) => json!({"ok": true}),
        Err((stage, status, message)) => {
            json!({"ok": false, "stage": stage, "status": status.name(), "message": message})
        }
    };
    println!("CHILD-RESULT {result}");
}

fn ok() -> ChildOutcome {
    Ok(())
}

fn err(stage: &str, status: &str, message: &str) -> ChildOutcome {
    Err((stage.into(), status.into(), message.into()))
}

#[test]
fn proxy_from_env_routes_through_each_proxy_variable() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    for api in [Api::Core, Api::Ffi] {
        for var in PROXY_VARS
            .into_iter()
            .filter(|v| !v.eq_ignore_ascii_case("no_proxy"))
        {
            let mark = proxy.mark();
            let outcome = run_child(&ChildCase {
                api,
                base_url: &sim.url,
                proxy_from_env: true,
                proxy: None,
                env: &[(var, url.as_str())],
            });
            assert_eq!(outcome, ok(), "{var}");
            assert_eq!(
                proxy.requests_since(mark),
                vec![connect_line(&sim)],
                "{var}"
            );
        }
    }
    assert_eq!(sim.request_count(), 12);
    for request in sim.requests() {
        assert_untouched_request(&sim, &request);
    }
}

#[test]
fn without_proxy_from_env_the_variables_are_ignored() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let before = proxy.log();
    // Every variable at the live proxy, and then every one at a dead one: neither matters.
    for target in [url.as_str(), closed.as_str()] {
        let env: Vec<(&str, &str)> = PROXY_VARS[..6].iter().map(|v| (*v, target)).collect();
        for api in [Api::Core, Api::Ffi] {
            let outcome = run_child(&ChildCase {
                api,
                base_url: &sim.url,
                proxy_from_env: false,
                proxy: None,
                env: &env,
            });
            assert_eq!(outcome, ok(), "{target}");
        }
    }
    assert_eq!(proxy.log(), before);
    assert_eq!(sim.request_count(), 4);
}

#[test]
fn all_proxy_is_preferred_to_https_proxy_and_http_proxy() {
    // ureq reads ALL_PROXY first (curl would prefer the scheme's own variable).
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let before = proxy.log();
    let outcome = run_child(&ChildCase {
        api: Api::Core,
        base_url: &sim.url,
        proxy_from_env: true,
        proxy: None,
        env: &[
            ("ALL_PROXY", &closed),
            ("HTTPS_PROXY", &url),
            ("HTTP_PROXY", &url),
        ],
    });
    assert_eq!(
        outcome,
        err(
            "call",
            "TENIOS_ERR_NETWORK",
            "network error: connection refused; check that the server in the base URL is running"
        )
    );
    assert_eq!(proxy.log(), before);
    // HTTPS_PROXY before HTTP_PROXY.
    let mark = proxy.mark();
    let outcome = run_child(&ChildCase {
        api: Api::Core,
        base_url: &sim.url,
        proxy_from_env: true,
        proxy: None,
        env: &[("HTTPS_PROXY", &url), ("HTTP_PROXY", &closed)],
    });
    assert_eq!(outcome, ok());
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
}

#[test]
fn no_proxy_is_honoured_for_the_env_proxy() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    // ureq compares NO_PROXY entries with the URL's host as text: exact names, `*`,
    // `.suffix`/`*.suffix`, `prefix.`/`prefix*`; no CIDR ranges, no ports, no DNS.
    let cases: [(&str, &str, bool); 9] = [
        ("NO_PROXY", "127.0.0.1", false),
        ("no_proxy", "127.0.0.1", false),
        ("NO_PROXY", "*", false),
        ("NO_PROXY", "example.com,127.0.0.1", false),
        ("NO_PROXY", "127.0.0.", false),
        ("NO_PROXY", "localhost", true),
        ("NO_PROXY", "127.0.0.0/8", true),
        ("NO_PROXY", "127.0.0.2", true),
        ("NO_PROXY", "", true),
    ];
    for (var, value, proxied) in cases {
        let mark = proxy.mark();
        for api in [Api::Core, Api::Ffi] {
            let outcome = run_child(&ChildCase {
                api,
                base_url: &sim.url,
                proxy_from_env: true,
                proxy: None,
                env: &[("HTTPS_PROXY", &url), (var, value)],
            });
            assert_eq!(outcome, ok(), "{var}={value}");
        }
        let want = if proxied {
            vec![connect_line(&sim); 2]
        } else {
            vec![]
        };
        assert_eq!(proxy.requests_since(mark), want, "{var}={value:?}");
    }
}

#[test]
fn an_explicit_proxy_wins_over_the_variables_and_ignores_no_proxy() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let url = proxy.url();
    let closed = format!("http://127.0.0.1:{}", closed_port());
    for api in [Api::Core, Api::Ffi] {
        for proxy_from_env in [false, true] {
            let mark = proxy.mark();
            let outcome = run_child(&ChildCase {
                api,
                base_url: &sim.url,
                proxy_from_env,
                proxy: Some(&url),
                env: &[
                    ("ALL_PROXY", &closed),
                    ("HTTPS_PROXY", &closed),
                    ("NO_PROXY", "*"),
                ],
            });
            assert_eq!(outcome, ok());
            assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
        }
    }
}

#[test]
fn a_non_loopback_env_proxy_is_refused_for_a_plain_http_base_url() {
    let sim = Sim::start();
    for api in [Api::Core, Api::Ffi] {
        let outcome = run_child(&ChildCase {
            api,
            base_url: &sim.url,
            proxy_from_env: true,
            proxy: None,
            env: &[("HTTPS_PROXY", "http://proxy.example:3128")],
        });
        assert_eq!(
            outcome,
            err(
                "build",
                "TENIOS_ERR_INVALID_ARGUMENT",
                "proxy proxy.example is not on a loopback host, but the base URL is plain http://"
            )
        );
    }
    assert_eq!(sim.connection_count(), 0);
}

// ------------------------------------------------------------------------- 6: the C-ABI handle

/// A `tenios_client_builder`, used exactly as C uses it.
struct Builder(*mut tenios_client_builder);

/// A `tenios_client`.
struct Handle(*mut tenios_client);

/// Status and message of an error object, which is freed.
fn take_error(status: Status, error: *mut tenios_error) -> (Status, String) {
    assert!(!error.is_null(), "{status:?} without an error object");
    assert_eq!(tenios_error_status(error), status);
    let message = unsafe { CStr::from_ptr(tenios_error_message(error)) }
        .to_str()
        .unwrap()
        .to_owned();
    tenios_error_free(error);
    (status, message)
}

fn result_of(status: Status, error: *mut tenios_error) -> Result<(), (Status, String)> {
    if status == Status::TENIOS_OK {
        assert!(error.is_null());
        return Ok(());
    }
    Err(take_error(status, error))
}

impl Builder {
    fn new() -> Builder {
        let builder = tenios_client_builder_new();
        assert!(!builder.is_null());
        Builder(builder)
    }

    fn set_base_url(&self, url: &str) -> Result<(), (Status, String)> {
        let url = CString::new(url).unwrap();
        let mut error = ptr::null_mut();
        let status = tenios_client_builder_set_base_url(self.0, url.as_ptr(), &mut error);
        result_of(status, error)
    }

    fn set_proxy(&self, url: Option<&str>) -> Result<(), (Status, String)> {
        let url = url.map(|u| CString::new(u).unwrap());
        let pointer = url.as_ref().map_or(ptr::null(), |u| u.as_ptr());
        let mut error = ptr::null_mut();
        let status = tenios_client_builder_set_proxy(self.0, pointer, &mut error);
        result_of(status, error)
    }

    fn set_proxy_from_env(&self, honour: bool) -> Result<(), (Status, String)> {
        let mut error = ptr::null_mut();
        let status = tenios_client_builder_set_proxy_from_env(self.0, honour, &mut error);
        result_of(status, error)
    }

    fn build(&self, key: &str) -> Result<Handle, (Status, String)> {
        let key = CString::new(key).unwrap();
        let mut client = ptr::dangling_mut::<tenios_client>(); // garbage: must be overwritten
        let mut error = ptr::null_mut();
        let status = tenios_client_build(self.0, key.as_ptr(), &mut client, &mut error);
        match result_of(status, error) {
            Ok(()) => {
                assert!(!client.is_null());
                Ok(Handle(client))
            }
            Err(e) => {
                assert!(client.is_null());
                Err(e)
            }
        }
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        tenios_client_builder_free(self.0);
    }
}

impl Handle {
    fn interrupt_block(&self, call_uuid: &str) -> Result<(), (Status, String)> {
        let uuid = CString::new(call_uuid).unwrap();
        let mut error = ptr::null_mut();
        let status = tenios_client_interrupt_block(self.0, uuid.as_ptr(), &mut error);
        result_of(status, error)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        tenios_client_free(self.0);
    }
}

#[test]
fn the_c_abi_handle_goes_through_the_proxy() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let builder = Builder::new();
    builder.set_base_url(&sim.url).unwrap();
    builder.set_proxy(Some(&proxy.url())).unwrap();

    let mark = proxy.mark();
    builder.build(KEY).unwrap().interrupt_block(CALL).unwrap();
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    assert_untouched_request(&sim, &sim.requests()[0]);

    // NULL removes the proxy again.
    builder.set_proxy(None).unwrap();
    let before = proxy.log();
    builder.build(KEY).unwrap().interrupt_block(CALL).unwrap();
    assert_eq!(proxy.log(), before);

    // A proxy on a closed port: the handle really uses the option.
    builder
        .set_proxy(Some(&format!("http://127.0.0.1:{}", closed_port())))
        .unwrap();
    assert_eq!(
        builder.build(KEY).unwrap().interrupt_block(CALL),
        Err((
            Status::TENIOS_ERR_NETWORK,
            "network error: connection refused; check that the server in the base URL is running"
                .to_owned()
        ))
    );
    assert_eq!(sim.request_count(), 2);
}

#[test]
fn the_c_abi_rejects_a_bad_proxy_url_when_it_is_set() {
    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let builder = Builder::new();
    builder.set_base_url(&sim.url).unwrap();
    builder.set_proxy(Some(&proxy.url())).unwrap();
    let long = format!("http://{}.example:3128", "a".repeat(1024));
    let cases = [
        (
            "socks5://127.0.0.1:1080",
            "proxy URL is unusable: expected http://host:port",
        ),
        (
            "ftp://x",
            "proxy URL is unusable: expected http://host:port",
        ),
        ("http://", "proxy URL is unusable: it has no host"),
        ("http://:3128", "proxy URL is unusable: it has no host"),
        (
            "http://x y",
            "proxy URL is unusable: it contains whitespace or control characters",
        ),
        // Read like every string argument first, so these are worded as such.
        ("", "proxy URL is empty"),
        (
            "http://127.0.0.1:3128\t",
            "proxy URL contains a control character",
        ),
        (long.as_str(), "proxy URL is longer than 1024 bytes"),
    ];
    for (url, message) in cases {
        assert_eq!(
            builder.set_proxy(Some(url)),
            Err((Status::TENIOS_ERR_INVALID_ARGUMENT, message.to_owned())),
            "{url:?}"
        );
    }
    // Every failed setter left the previous proxy in place.
    let mark = proxy.mark();
    builder.build(KEY).unwrap().interrupt_block(CALL).unwrap();
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);

    // NULL builder.
    let url = CString::new(proxy.url()).unwrap();
    let mut error = ptr::null_mut();
    let status = tenios_client_builder_set_proxy(ptr::null_mut(), url.as_ptr(), &mut error);
    assert_eq!(
        take_error(status, error),
        (
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            "builder is NULL".to_owned()
        )
    );

    // A non-loopback proxy is a fine setting on its own; with a plain-http base URL the
    // client cannot be built.
    builder
        .set_proxy(Some("http://proxy.example:3128"))
        .unwrap();
    assert_eq!(
        builder.build(KEY).err(),
        Some((
            Status::TENIOS_ERR_INVALID_ARGUMENT,
            "proxy proxy.example is not on a loopback host, but the base URL is plain http://"
                .to_owned()
        ))
    );
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn an_unusable_proxy_variable_is_an_error_not_a_silent_bypass() {
    let sim = Sim::start();
    for (var, value, reason) in [
        (
            "ALL_PROXY",
            "socks5://127.0.0.1:1080",
            "expected http://host:port",
        ),
        (
            "HTTPS_PROXY",
            "http://127.0.0.1:99999",
            "port \"99999\" is not a number from 1 to 65535",
        ),
    ] {
        for api in [Api::Core, Api::Ffi] {
            let outcome = run_child(&ChildCase {
                api,
                base_url: &sim.url,
                proxy_from_env: true,
                proxy: None,
                env: &[(var, value)],
            });
            assert_eq!(
                outcome,
                err(
                    "build",
                    "TENIOS_ERR_INVALID_ARGUMENT",
                    &format!("{var}: proxy URL is unusable: {reason}")
                ),
                "{var}={value}"
            );
        }
    }
    assert_eq!(sim.request_count(), 0);
}

// ------------------------------------------------------- the tunnel in the library's own pool

/// A server that closes an idle connection behind a proxy closes the proxy's side too; the
/// pooled tunnel is proved dead by the checkout probe and a new one is made, so the call
/// succeeds and the request reaches the API once. (1.0.0 skipped the probe through a proxy
/// and failed this call with "connection closed before the response was complete".)
#[test]
fn a_tunnel_the_server_closed_while_idle_is_not_reused() {
    let sim = Sim::start_with(&["--idle-close-ms", "300"]);
    let proxy = Tinyproxy::start();
    let client = client(&sim.url, Some(proxy.url()));
    client.interrupt_block(KEY, CALL).unwrap();
    thread::sleep(Duration::from_millis(1500));
    let mark = proxy.mark();
    client.interrupt_block(KEY, CALL).unwrap();
    assert_eq!(proxy.requests_since(mark), vec![connect_line(&sim)]);
    assert_eq!(sim.request_count(), 2);
    assert_eq!(sim.connection_count(), 2);
}

/// Through a proxy the log names the CONNECT and the API request separately, and the time to
/// the first byte is the API's answer, not the proxy's.
#[test]
fn telemetry_through_a_proxy_names_the_connect_and_times_the_api() {
    use std::sync::{Arc, Mutex};
    use tenios::telemetry::{last_call_timings, LogLevel, LogSink};

    let sim = Sim::start();
    let proxy = Tinyproxy::start();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let lines = Arc::clone(&lines);
        LogSink::new(LogLevel::Info, move |_, line| {
            lines.lock().unwrap().push(line.to_owned())
        })
    };
    let client = Client::new(ClientConfig {
        base_url: sim.url.clone(),
        proxy: Some(proxy.url()),
        log: Some(sink),
        ..ClientConfig::default()
    })
    .unwrap();
    sim.fault(json!({"delay_ms": 400, "body": "{\"success\": true}"}));
    client.interrupt_block(KEY, CALL).unwrap();
    let timings = last_call_timings();
    let lines = lines.lock().unwrap().clone();
    let port = sim_port(&sim);
    let connect = format!("CONNECT 127.0.0.1:{port} sent to the proxy (");
    assert!(lines[1].starts_with(&connect), "{lines:?}");
    assert!(
        lines[2].starts_with("proxy answered CONNECT with HTTP 200 in "),
        "{lines:?}"
    );
    assert!(
        lines[3].starts_with("POST /interrupt-ecc-block sent ("),
        "{lines:?}"
    );
    assert!(lines[4].starts_with("HTTP 200 after "), "{lines:?}");
    assert_eq!(lines.len(), 5, "{lines:?}");
    // The proxy answered at once; the API after 400 ms.
    assert!(
        timings.first_byte >= Duration::from_millis(400),
        "{timings:?}"
    );
    assert!(!timings.connection_reused);
}
