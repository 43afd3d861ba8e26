//! The simulated API methods, one module per method family, and the checks they share.
//!
//! Each method is a function from request body (and the account and its calls) to reply.
//! Every method checks in the same order first (`check`): the body is a JSON object with its
//! required string fields, no unknown fields, optional fields of the right type, the right
//! keys. Then the method's own rules run, in the order its module lists them.

pub mod agent_state;
pub mod callback;
pub mod interrupt;
pub mod listen_in;
pub mod makecall;
pub mod record;
pub mod refer;
pub mod transfer;
pub mod wrap_up;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::calls::Calls;

/// What the simulated account knows besides its calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub access_key: String,
    /// The key listen-in requests need besides the access key.
    pub supervisor_key: String,
    /// Supervisor destinations on the account's blacklist (compared exactly).
    pub blacklist: Vec<String>,
    /// The account's TENIOS numbers (a makecall's `tenios_number`).
    pub tenios_numbers: Vec<String>,
    /// The callback configurations' ids (a callback's `callback_config_id`).
    pub callback_configs: Vec<String>,
    /// Numbers that never answer: a makecall's or callback's leg to one fails.
    pub unreachable: Vec<String>,
    /// Whether a call reaching a TENIOS number runs Call Control (`--webhook` given).
    pub call_control: bool,
    /// Which documented form `/record-call/stop` answers success in.
    pub record_stop_success: record::StopSuccess,
}

/// The HTTP status and JSON body to send.
#[derive(Debug, PartialEq, Eq)]
pub struct ApiReply {
    pub status: u16,
    pub body: String,
}

type Handler = fn(&[u8], &Account, &mut Calls) -> ApiReply;

fn handler(path: &str) -> Option<Handler> {
    Some(match path {
        interrupt::PATH => interrupt::handle,
        transfer::PATH => transfer::handle,
        refer::PATH => refer::handle,
        record::START_PATH => record::start,
        record::STOP_PATH => record::stop,
        listen_in::PATH => listen_in::handle,
        makecall::INIT_PATH => makecall::init,
        makecall::STATUS_PATH => makecall::status,
        callback::INIT_PATH => callback::init,
        callback::STATUS_PATH => callback::status,
        agent_state::RETRIEVE_PATH => agent_state::retrieve,
        agent_state::CHANGE_PATH => agent_state::change,
        wrap_up::EXTEND_PATH => wrap_up::extend,
        wrap_up::CANCEL_PATH => wrap_up::cancel,
        _ => return None,
    })
}

/// Whether `path` is one of the simulated API methods.
pub fn is_api_path(path: &str) -> bool {
    handler(path).is_some()
}

/// The answer of the method at `path` to a POST with `body` (`None`: no such method).
pub fn answer(path: &str, body: &[u8], account: &Account, calls: &mut Calls) -> Option<ApiReply> {
    handler(path).map(|handle| handle(body, account, calls))
}

/// The fields a method takes. Every required field is a string.
pub struct Spec {
    pub required: &'static [&'static str],
    pub optional_booleans: &'static [&'static str],
    pub optional_strings: &'static [&'static str],
    /// Whether INVALID_VALUE, BAD_CREDENTIALS and CALL_UUID_NOT_FOUND bodies start with
    /// `"success": false` (interrupt's do, as its page documents; the other pages show none).
    pub success_false: bool,
    /// Other known fields, whose type the method checks itself (callback's `delay`: a number
    /// or a string).
    pub other: &'static [&'static str],
    /// A required field missing or empty is `FIELD_IS_REQUIRED` "Parameter 'NAME' is
    /// required" naming it (the ACD and wrap-up pages) instead of `INVALID_JSON`.
    pub field_is_required: bool,
}

impl Spec {
    fn success(&self) -> Option<bool> {
        self.success_false.then_some(false)
    }

    fn knows(&self, name: &str) -> bool {
        self.required.contains(&name)
            || self.optional_booleans.contains(&name)
            || self.optional_strings.contains(&name)
            || self.other.contains(&name)
    }

    /// CALL_UUID_NOT_FOUND: an unknown or ended call.
    pub fn call_not_found(&self) -> ApiReply {
        error(
            self.success(),
            "CALL_UUID_NOT_FOUND",
            "The call wasn't found",
            &["call_uuid"],
        )
    }
}

/// A request body that passed the common checks.
pub struct Body {
    object: Map<String, Value>,
}

impl Body {
    /// A required field (checked to be a string).
    pub fn string(&self, name: &str) -> &str {
        self.object.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// An optional string field, checked to be a string when present.
    pub fn optional_string(&self, name: &str) -> Option<&str> {
        self.object.get(name).and_then(Value::as_str)
    }

    /// Any field, as received.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.object.get(name)
    }

    /// The whole body.
    pub fn json(&self) -> Value {
        Value::Object(self.object.clone())
    }

    /// An optional boolean field (checked to be a boolean when present), or `default`.
    pub fn boolean(&self, name: &str, default: bool) -> bool {
        self.object
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }
}

/// The checks every method makes, in this order:
/// 1. not a JSON object, a required field missing or not a string → `INVALID_JSON`
///    (`FIELD_IS_REQUIRED` for a field missing or `""` where `field_is_required`);
/// 2. unknown fields → `INVALID_VALUE` naming them (sorted);
/// 3. an optional field of the wrong JSON type → `INVALID_VALUE` naming it;
/// 4. a wrong `access_key` (or `supervisor_key`, where the method takes one) →
///    `BAD_CREDENTIALS`.
pub fn check(body: &[u8], spec: &Spec, account: &Account) -> Result<Body, ApiReply> {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid_json());
    };
    if spec.field_is_required {
        let missing = spec.required.iter().find(|name| {
            object
                .get(**name)
                .is_none_or(|value| value.as_str() == Some(""))
        });
        if let Some(name) = missing {
            return Err(field_is_required(name));
        }
    }
    if !spec
        .required
        .iter()
        .all(|name| object.get(*name).is_some_and(Value::is_string))
    {
        return Err(invalid_json());
    }

    let mut unknown: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|name| !spec.knows(name))
        .collect();
    if !unknown.is_empty() {
        unknown.sort_unstable();
        return Err(invalid_value(spec.success(), &unknown));
    }

    let wrong_type: Vec<&str> = spec
        .optional_booleans
        .iter()
        .filter(|name| object.get(**name).is_some_and(|value| !value.is_boolean()))
        .chain(
            spec.optional_strings
                .iter()
                .filter(|name| object.get(**name).is_some_and(|value| !value.is_string())),
        )
        .copied()
        .collect();
    if !wrong_type.is_empty() {
        return Err(invalid_value(spec.success(), &wrong_type));
    }

    let body = Body { object };
    let supervisor_key_wrong = spec.required.contains(&"supervisor_key")
        && body.string("supervisor_key") != account.supervisor_key;
    if body.string("access_key") != account.access_key || supervisor_key_wrong {
        return Err(error(
            spec.success(),
            "BAD_CREDENTIALS",
            "Bad credentials",
            &[],
        ));
    }
    Ok(body)
}

/// `{"success":true}`.
pub fn success() -> ApiReply {
    ApiReply {
        status: 200,
        body: r#"{"success":true}"#.to_owned(),
    }
}

/// A 200 answer with this JSON body.
pub fn ok(body: String) -> ApiReply {
    ApiReply { status: 200, body }
}

pub fn invalid_json() -> ApiReply {
    error(
        None,
        "INVALID_JSON",
        "An invalid JSON object was provided in the request body.",
        &[],
    )
}

/// FIELD_IS_REQUIRED, exactly as the wrap-up page documents it for agent_email.
pub fn field_is_required(name: &str) -> ApiReply {
    let message = format!("Parameter '{name}' is required");
    error(None, "FIELD_IS_REQUIRED", &message, &[name])
}

/// INVALID_VALUE "Invalid parameter type or format" naming `fields`.
pub fn invalid_value(success: Option<bool>, fields: &[&str]) -> ApiReply {
    error(
        success,
        "INVALID_VALUE",
        "Invalid parameter type or format",
        fields,
    )
}

/// INVALID_FIELD quoting the value: `Invalid 'NAME' input parameter. Invalid value - 'VALUE'.`
pub fn invalid_field(name: &str, value: &str) -> ApiReply {
    let message = format!("Invalid '{name}' input parameter. Invalid value - '{value}'.");
    error(None, "INVALID_FIELD", &message, &[name])
}

/// CALL_NOT_CONNECTED: the method needs a connected call, and this one is in a block.
/// (The real code is undocumented: the simulator's own.)
pub fn call_not_connected() -> ApiReply {
    error(
        None,
        "CALL_NOT_CONNECTED",
        "The call is not connected to a destination",
        &["call_uuid"],
    )
}

/// Error body. A struct rather than `json!` so the field order is fixed (as in the docs)
/// whatever serde_json features other crates switch on.
#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    success: Option<bool>,
    error_code: &'a str,
    error_message: &'a str,
    fields: &'a [&'a str],
}

/// A 400 answer with an error body.
pub fn error(
    success: Option<bool>,
    error_code: &str,
    error_message: &str,
    fields: &[&str],
) -> ApiReply {
    let body = ErrorBody {
        success,
        error_code,
        error_message,
        fields,
    };
    ApiReply {
        status: 400,
        // Serializing plain strings and booleans cannot fail.
        body: serde_json::to_string(&body).unwrap_or_default(),
    }
}
