//! A Call Control webhook on a loopback port, for tests of the simulator's side of the loop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// The answer that hands the call back to routing.
pub const EMPTY: &str = r#"{"blocks":[]}"#;

/// One request the webhook received.
pub struct Received {
    /// Request line and header fields, as sent.
    pub head: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// A webhook on a loopback port: `answer` gives (status, body) for each request's JSON.
pub struct Hook {
    pub url: String,
    requests: Receiver<Received>,
}

impl Hook {
    pub fn start(answer: impl Fn(&Value) -> (u16, String) + Send + 'static) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tenios/hook", listener.local_addr().unwrap());
        let (sender, requests) = mpsc::channel();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    head.push_str(&line);
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let body = String::from_utf8(body).unwrap();
                let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let (status, answer) = answer(&request);
                let _ = sender.send(Received { head, body });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Hook { url, requests }
    }

    /// Answers by loopCount: the n-th body for loopCount n, `{"blocks":[]}` after them.
    pub fn scripted(answers: &[&str]) -> Hook {
        let answers: Vec<String> = answers.iter().map(|s| (*s).to_owned()).collect();
        Hook::start(move |request| {
            let n = request["loopCount"].as_u64().unwrap_or(0) as usize;
            (
                200,
                answers.get(n).cloned().unwrap_or_else(|| EMPTY.to_owned()),
            )
        })
    }

    /// The next request (fails after 10 s).
    pub fn next(&self) -> Received {
        self.requests
            .recv_timeout(Duration::from_secs(10))
            .expect("the simulator sends the webhook a request")
    }

    pub fn assert_quiet(&self, wait: Duration) {
        if let Ok(request) = self.requests.recv_timeout(wait) {
            panic!("unexpected request {}", request.body);
        }
    }
}
