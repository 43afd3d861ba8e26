//! The `/_sim/` endpoints tests use to inspect and steer the simulator.

use crate::faults::Fault;
use crate::http::{Request, Response};
use crate::state::Simulator;

pub const PREFIX: &str = "/_sim/";
/// `/_sim/calls/<uuid>`: one call.
const CALL_PREFIX: &str = "/_sim/calls/";

pub fn is_control_path(path: &str) -> bool {
    path.starts_with(PREFIX)
}

pub fn handle(request: &Request, simulator: &Simulator) -> Response {
    match (request.method.as_str(), request.path()) {
        ("GET", "/_sim/requests") => Response::json(200, simulator.requests_json()),
        ("GET", "/_sim/interrupts") => Response::json(200, simulator.interrupts_json()),
        ("GET", "/_sim/stats") => Response::json(200, simulator.stats_json()),
        ("GET", "/_sim/calls") => Response::json(200, simulator.calls_json()),
        ("GET", path) if path.starts_with(CALL_PREFIX) => {
            match simulator.call_json(&path[CALL_PREFIX.len()..]) {
                Some(call) => Response::json(200, call),
                None => Response::text(404, "Not Found"),
            }
        }
        ("POST", "/_sim/reset") => {
            simulator.reset();
            Response::json(200, "{}")
        }
        ("POST", "/_sim/faults") => match Fault::from_json(&request.body) {
            Ok(fault) => {
                simulator.push_fault(fault);
                Response::json(200, "{}")
            }
            Err(explanation) => Response::text(400, &explanation),
        },
        (_, "/_sim/requests" | "/_sim/interrupts" | "/_sim/stats" | "/_sim/calls") => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "GET")
        }
        (_, path) if path.starts_with(CALL_PREFIX) => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "GET")
        }
        (_, "/_sim/reset" | "/_sim/faults") => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "POST")
        }
        _ => Response::text(404, "Not Found"),
    }
}
