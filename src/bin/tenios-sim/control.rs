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

/// `/_sim/calls/<uuid>/<action>` (with `--webhook`): enter-call-control, input.
const ENTER: &str = "/enter-call-control";
const INPUT: &str = "/input";

pub fn handle(request: &Request, simulator: &Simulator) -> Response {
    if let Some(response) = call_action(request, simulator) {
        return response;
    }
    match (request.method.as_str(), request.path()) {
        ("GET", "/_sim/requests") => Response::json(200, simulator.requests_json()),
        ("GET", "/_sim/interrupts") => Response::json(200, simulator.interrupts_json()),
        ("GET", "/_sim/stats") => Response::json(200, simulator.stats_json()),
        ("GET", "/_sim/calls") => Response::json(200, simulator.calls_json()),
        ("GET", "/_sim/agents") => Response::json(200, simulator.agents_json()),
        ("GET", "/_sim/callbacks") => Response::json(200, simulator.callbacks_json()),
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
        (
            _,
            "/_sim/requests" | "/_sim/interrupts" | "/_sim/stats" | "/_sim/calls" | "/_sim/agents"
            | "/_sim/callbacks",
        ) => Response::text(405, "Method Not Allowed").with_header("Allow", "GET"),
        (_, path) if path.starts_with(CALL_PREFIX) => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "GET")
        }
        (_, "/_sim/reset" | "/_sim/faults") => {
            Response::text(405, "Method Not Allowed").with_header("Allow", "POST")
        }
        _ => Response::text(404, "Not Found"),
    }
}

/// `POST /_sim/calls/<uuid>/enter-call-control` and `POST /_sim/calls/<uuid>/input`.
fn call_action(request: &Request, simulator: &Simulator) -> Option<Response> {
    let rest = request.path().strip_prefix(CALL_PREFIX)?;
    let (call_uuid, enter) = match (rest.strip_suffix(ENTER), rest.strip_suffix(INPUT)) {
        (Some(call_uuid), _) => (call_uuid, true),
        (None, Some(call_uuid)) => (call_uuid, false),
        (None, None) => return None,
    };
    if request.method != "POST" {
        return Some(Response::text(405, "Method Not Allowed").with_header("Allow", "POST"));
    }
    let result = if enter {
        simulator.enter_call_control(call_uuid, &request.body)
    } else {
        simulator
            .add_input(call_uuid, &request.body)
            .map(|()| "{}".to_owned())
    };
    Some(match result {
        Ok(json) => Response::json(200, json),
        Err(refusal) => Response::text(refusal.status, &refusal.message),
    })
}
