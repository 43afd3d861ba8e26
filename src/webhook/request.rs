//! The request TENIOS POSTs to a Call Control webhook (`EXTERNAL_CALL_CONTROL`), parsed from
//! the bytes of its body into a [`WebhookRequest`].
//!
//! The body comes from the network, so nothing in it is trusted. Before serde_json sees it, the
//! body is checked for its size ([`MAX_BODY_BYTES`]), UTF-8 and its nesting depth
//! ([`MAX_DEPTH`], by a flat scan that cannot recurse), so that neither memory nor serde_json's
//! recursion can be abused. Every failure is an [`Error::InvalidArgument`] whose message says
//! what is wrong; the access key never appears in a message, in `Debug` output or in a panic.
//!
//! Decisions where TENIOS documents nothing (docs/webhook.md):
//! - unknown fields are ignored (TENIOS says more may come); a field that appears twice, at the
//!   top level or among the variables, is an error (two readers could otherwise disagree about
//!   which one counts);
//! - `customerNumber` and `loopCount`, the request's numeric fields, are taken as JSON numbers
//!   or as strings of decimal digits (`"0"`, `"200002"`): TENIOS documents numbers and its Java
//!   test sends them, but its own PHP test script sends `loopCount` as a string. Anything else
//!   (a sign, a fraction, an exponent, spaces, an empty string) is an error;
//! - the objects the parser looks into have count caps, so that the work after serde_json is
//!   linear in the body and small: [`MAX_FIELDS`] fields at the top level and in
//!   `blocksProcessingResult` (TENIOS sends 8 and 1), [`MAX_VARIABLES`] variables and
//!   [`MAX_VALIDATION_ERRORS`] validation errors. The values of unknown fields are parsed (the
//!   body is JSON as a whole or refused) but never looked into;
//! - `variables` is string to string. A number or boolean value is kept as its JSON text
//!   (`42`, `true`), a `null` value leaves the variable out, an array or object is an error;
//!   `variables` itself may be missing or `null` (no variables). They are kept in body order;
//! - `callControlUuid` may be missing or `null` (absent); `blocksProcessingResult` may be
//!   missing or `null` (no validation errors), and so may its `validationErrors`;
//! - strings handed to C cannot hold a NUL character, so a `\u0000` in any text field but the
//!   access key is an error.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::Error;

/// The largest body accepted: 1 MiB (a real request is well under 1 KiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How deeply arrays and objects may nest (a real request nests 3 deep).
pub const MAX_DEPTH: usize = 32;
/// The most fields the top level of a request, and its `blocksProcessingResult`, may have
/// (TENIOS sends 8 and 1; unknown ones are allowed, since more may come).
pub const MAX_FIELDS: usize = 256;
/// The most variables a request may carry.
pub const MAX_VARIABLES: usize = 1000;
/// The most validation errors a request may carry.
pub const MAX_VALIDATION_ERRORS: usize = 1000;
/// How much of a variable name a message quotes.
const QUOTE_CHARS: usize = 64;

/// `requestStatus`: what TENIOS asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// `REQUESTING_BLOCKS`: answer with zero or more blocks.
    RequestingBlocks,
    /// `VALIDATION_ERRORS`: the previous answer was invalid; read the validation errors. No
    /// more blocks are accepted: the answer's body is ignored.
    ValidationErrors,
    /// Any other value, kept as text.
    Other(String),
}

impl RequestStatus {
    /// The value as TENIOS sent it, e.g. `REQUESTING_BLOCKS`.
    pub fn as_str(&self) -> &str {
        match self {
            RequestStatus::RequestingBlocks => "REQUESTING_BLOCKS",
            RequestStatus::ValidationErrors => "VALIDATION_ERRORS",
            RequestStatus::Other(text) => text,
        }
    }
}

/// The webhook's access key: compared, never shown, wiped when dropped.
struct AccessKey(String);

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::error::REDACTED)
    }
}

impl Drop for AccessKey {
    fn drop(&mut self) {
        let mut key = std::mem::take(&mut self.0).into_bytes();
        key.fill(0);
        std::hint::black_box(&key);
    }
}

/// One parsed webhook request. Immutable once parsed.
#[derive(Debug)]
pub struct WebhookRequest {
    request_type: String,
    customer_number: u64,
    customer_number_text: String,
    access_key: AccessKey,
    variables: Vec<(String, String)>,
    call_control_uuid: Option<String>,
    loop_count: u32,
    request_status: RequestStatus,
    validation_errors: Vec<String>,
}

impl WebhookRequest {
    /// Parses a request body. See the module documentation for the limits and decisions.
    pub fn parse(body: &[u8]) -> Result<WebhookRequest, Error> {
        check_body_len(body.len())?;
        let text = std::str::from_utf8(body).map_err(|e| {
            invalid(format!(
                "webhook request body is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ))
        })?;
        check_depth(body)?;
        let json: Json = serde_json::from_str(text)
            .map_err(|e| invalid(format!("webhook request body is not JSON: {e}")))?;
        let Json::Object(fields) = json else {
            return Err(invalid(format!(
                "webhook request body is not a JSON object but {}",
                json.kind()
            )));
        };
        Fields::new("webhook request", fields)?.into_request()
    }

    /// `requestType`, e.g. `EXTERNAL_CALL_CONTROL` (any text is accepted).
    pub fn request_type(&self) -> &str {
        &self.request_type
    }

    /// `customerNumber`, the TENIOS account number.
    pub fn customer_number(&self) -> u64 {
        self.customer_number
    }

    /// `customerNumber` as a decimal string, e.g. `"200002"`.
    pub fn customer_number_text(&self) -> &str {
        &self.customer_number_text
    }

    /// The variables, in the order of the body.
    pub fn variables(&self) -> &[(String, String)] {
        &self.variables
    }

    /// The variable `name`, or None when the request has no such variable.
    pub fn variable(&self, name: &str) -> Option<&str> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `callControlUuid`, when the request has one.
    pub fn call_control_uuid(&self) -> Option<&str> {
        self.call_control_uuid.as_deref()
    }

    /// `loopCount`: 0 for the first request of this Call Control block, then 1, 2, ...
    pub fn loop_count(&self) -> u32 {
        self.loop_count
    }

    /// `requestStatus`.
    pub fn request_status(&self) -> &RequestStatus {
        &self.request_status
    }

    /// `blocksProcessingResult.validationErrors`: empty when there are none.
    pub fn validation_errors(&self) -> &[String] {
        &self.validation_errors
    }

    /// Whether the request's `accessKey` equals `expected`, compared in constant time: the
    /// time taken depends on the length of `expected` only, never on where the keys differ.
    pub fn access_key_matches(&self, expected: &[u8]) -> bool {
        constant_time_eq(self.access_key.0.as_bytes(), expected, || {})
    }
}

/// Checks the length of a body before it is looked at (the C face checks it before it makes a
/// slice of the caller's pointer): 1 to [`MAX_BODY_BYTES`] bytes.
pub fn check_body_len(len: usize) -> Result<(), Error> {
    if len == 0 {
        return Err(invalid("webhook request body is empty".into()));
    }
    if len > MAX_BODY_BYTES {
        return Err(invalid(format!(
            "webhook request body is {len} bytes, more than the limit of {MAX_BODY_BYTES} bytes \
             (1 MiB)"
        )));
    }
    Ok(())
}

/// Whether `given` equals `expected`, looking at every byte of `expected` whatever the
/// contents: no early exit at the first difference, and a length difference is folded into the
/// result instead of returning at once. `on_step` runs once per byte compared (a test counts
/// the steps; production passes a no-op that compiles away).
fn constant_time_eq(given: &[u8], expected: &[u8], mut on_step: impl FnMut()) -> bool {
    // The lengths are not secret from the sender (it chose `given`), but a shorter `given` must
    // still cost a full pass over `expected`.
    let mut diff = u8::from(given.len() != expected.len());
    for (i, &want) in expected.iter().enumerate() {
        let got = given.get(i).copied().unwrap_or(0);
        diff |= std::hint::black_box(got ^ want);
        on_step();
    }
    std::hint::black_box(diff) == 0
}

fn invalid(message: String) -> Error {
    Error::InvalidArgument(message)
}

/// Rejects a body whose arrays and objects nest more than [`MAX_DEPTH`] deep, without
/// recursing: one pass that knows where strings begin and end. On a malformed body the count
/// may be off, but never below the depth serde_json would reach before failing, since
/// serde_json stops at the first bracket that does not match.
fn check_depth(body: &[u8]) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(invalid(format!(
                        "webhook request body nests arrays and objects more than {MAX_DEPTH} \
                         levels deep"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A JSON value that keeps every member of an object, duplicates included, in body order.
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// "a string", "an array", ... for messages.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

/// `name` quoted for a message, cut to [`QUOTE_CHARS`] characters.
fn quote(name: &str) -> String {
    let mut chars = name.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    let cut = if chars.next().is_some() { "..." } else { "" };
    format!("\"{}{cut}\"", head.escape_debug())
}

/// A text that will be handed to C as a NUL-terminated string.
fn c_text(what: &str, text: String) -> Result<String, Error> {
    if text.contains('\0') {
        return Err(invalid(format!(
            "webhook request's {what} contains a NUL character (\\u0000), which a C string \
             cannot carry"
        )));
    }
    Ok(text)
}

/// The first name that appears twice among `members`, in one pass (a hash set: SipHash with a
/// random key, so a sender cannot choose names that collide).
fn first_duplicate<T>(members: &[(String, T)]) -> Option<&str> {
    let mut seen = HashSet::with_capacity(members.len());
    members
        .iter()
        .map(|(name, _)| name.as_str())
        .find(|name| !seen.insert(*name))
}

/// The top-level members of a request, each taken at most once.
struct Fields(Vec<(String, Json)>);

impl Fields {
    /// The members of the object `what` names ("webhook request", or "webhook request's
    /// blocksProcessingResult"): at most [`MAX_FIELDS`], each name once.
    fn new(what: &str, members: Vec<(String, Json)>) -> Result<Fields, Error> {
        if members.len() > MAX_FIELDS {
            return Err(invalid(format!(
                "{what} has {} fields, more than the limit of {MAX_FIELDS}",
                members.len()
            )));
        }
        if let Some(name) = first_duplicate(&members) {
            return Err(invalid(format!(
                "{what} has the field {} more than once",
                quote(name)
            )));
        }
        Ok(Fields(members))
    }

    /// The member `name`, taken out (None when missing).
    fn take(&mut self, name: &str) -> Option<Json> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(i).1)
    }

    fn required(&mut self, name: &str) -> Result<Json, Error> {
        self.take(name)
            .ok_or_else(|| invalid(format!("webhook request has no {name}")))
    }

    fn required_string(&mut self, name: &str) -> Result<String, Error> {
        match self.required(name)? {
            Json::String(s) => Ok(s),
            other => Err(not_a(name, &other, "a string")),
        }
    }

    fn into_request(mut self) -> Result<WebhookRequest, Error> {
        let request_type = c_text("requestType", self.required_string("requestType")?)?;
        let customer_number = whole_number(
            "customerNumber",
            self.required("customerNumber")?,
            u64::MAX,
            "a whole number >= 0",
        )?;
        // Taken as it is; it is never quoted, so its type is the only thing a message says.
        let access_key = AccessKey(self.required_string("accessKey")?);
        let variables = match self.take("variables") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Object(members)) => variables(members)?,
            Some(other) => return Err(not_a("variables", &other, "an object")),
        };
        let call_control_uuid = match self.take("callControlUuid") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(c_text("callControlUuid", s)?),
            Some(other) => return Err(not_a("callControlUuid", &other, "a string")),
        };
        let loop_count = whole_number(
            "loopCount",
            self.required("loopCount")?,
            u64::from(u32::MAX),
            &format!("a whole number from 0 to {}", u32::MAX),
        )?;
        let loop_count = u32::try_from(loop_count).unwrap_or(u32::MAX);
        let request_status = match c_text("requestStatus", self.required_string("requestStatus")?)?
        {
            s if s == "REQUESTING_BLOCKS" => RequestStatus::RequestingBlocks,
            s if s == "VALIDATION_ERRORS" => RequestStatus::ValidationErrors,
            s => RequestStatus::Other(s),
        };
        let validation_errors = match self.take("blocksProcessingResult") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Object(members)) => validation_errors(members)?,
            Some(other) => return Err(not_a("blocksProcessingResult", &other, "an object")),
        };
        Ok(WebhookRequest {
            request_type,
            customer_number_text: customer_number.to_string(),
            customer_number,
            access_key,
            variables,
            call_control_uuid,
            loop_count,
            request_status,
            validation_errors,
        })
    }
}

/// A numeric field: a JSON number, or a string of decimal digits, that is a whole number from 0
/// to `max` (`range` says so in messages).
fn whole_number(name: &str, value: Json, max: u64, range: &str) -> Result<u64, Error> {
    let out_of_range =
        |shown: String| invalid(format!("webhook request's {name} is {shown}, not {range}"));
    match value {
        Json::Number(n) => n
            .as_u64()
            .filter(|&n| n <= max)
            .ok_or_else(|| out_of_range(n.to_string())),
        Json::String(text) => {
            let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| text.parse::<u64>().ok())
                .flatten()
                .filter(|&n| n <= max)
                .ok_or_else(|| out_of_range(format!("the string {}", quote(&text))))
        }
        other => Err(not_a(name, &other, "a number or a string of digits")),
    }
}

fn not_a(name: &str, value: &Json, wanted: &str) -> Error {
    invalid(format!(
        "webhook request's {name} is {}, not {wanted}",
        value.kind()
    ))
}

fn variables(members: Vec<(String, Json)>) -> Result<Vec<(String, String)>, Error> {
    if members.len() > MAX_VARIABLES {
        return Err(invalid(format!(
            "webhook request has {} variables, more than the limit of {MAX_VARIABLES}",
            members.len()
        )));
    }
    if let Some(name) = first_duplicate(&members) {
        return Err(invalid(format!(
            "webhook request's variable {} appears more than once",
            quote(name)
        )));
    }
    let mut variables: Vec<(String, String)> = Vec::with_capacity(members.len());
    for (name, value) in members {
        let value = match value {
            Json::String(s) => s,
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            Json::Null => continue,
            other => {
                return Err(invalid(format!(
                    "webhook request's variable {} is {}, not a string (numbers, booleans and \
                     null are accepted too)",
                    quote(&name),
                    other.kind()
                )))
            }
        };
        let what = format!("variable {}", quote(&name));
        let name = c_text("variable name", name)?;
        let value = c_text(&what, value)?;
        variables.push((name, value));
    }
    Ok(variables)
}

fn validation_errors(members: Vec<(String, Json)>) -> Result<Vec<String>, Error> {
    let mut fields = Fields::new("webhook request's blocksProcessingResult", members)?;
    let list = match fields.take("validationErrors") {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Array(list)) => list,
        Some(other) => {
            return Err(not_a(
                "blocksProcessingResult.validationErrors",
                &other,
                "an array",
            ))
        }
    };
    if list.len() > MAX_VALIDATION_ERRORS {
        return Err(invalid(format!(
            "webhook request has {} validation errors, more than the limit of \
             {MAX_VALIDATION_ERRORS}",
            list.len()
        )));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Json::String(s) => c_text(&format!("validation error {i}"), s),
            other => Err(not_a(
                &format!("blocksProcessingResult.validationErrors[{i}]"),
                &other,
                "a string",
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key",
 "variables":{"call_uuid":"c0b93a5e-4ce0-4adb-940e-5079f2abbcb4","correlation_id":"6b1f1a0e-2f7c-4b8e-9a55-3c2d1e0f9a88","destination_number":"+4922155400","caller_id_number":"+491701234567"},
 "callControlUuid":"5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718","loopCount":0,"requestStatus":"REQUESTING_BLOCKS","blocksProcessingResult":null}"#;

    fn err(body: &[u8]) -> String {
        WebhookRequest::parse(body).unwrap_err().to_string()
    }

    #[test]
    fn the_documented_minimal_request() {
        let r = WebhookRequest::parse(MINIMAL.as_bytes()).unwrap();
        assert_eq!(r.request_type(), "EXTERNAL_CALL_CONTROL");
        assert_eq!(r.customer_number(), 200002);
        assert_eq!(r.customer_number_text(), "200002");
        assert_eq!(r.loop_count(), 0);
        assert_eq!(r.request_status(), &RequestStatus::RequestingBlocks);
        assert_eq!(
            r.call_control_uuid(),
            Some("5f0b2a7c-8d9e-4f10-a1b2-c3d4e5f60718")
        );
        assert_eq!(r.variables().len(), 4);
        assert_eq!(r.variables()[0].0, "call_uuid");
        assert_eq!(r.variable("caller_id_number"), Some("+491701234567"));
        assert_eq!(r.variable("nope"), None);
        assert!(r.validation_errors().is_empty());
        assert!(r.access_key_matches(b"my-key"));
        assert!(!r.access_key_matches(b"my-kez"));
        assert!(!r.access_key_matches(b"my-ke"));
        assert!(!r.access_key_matches(b"my-key2"));
        assert!(!r.access_key_matches(b""));
    }

    #[test]
    fn validation_errors_shape() {
        let body = br#"{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"k",
            "variables":{},"loopCount":1,"requestStatus":"VALIDATION_ERRORS",
            "blocksProcessingResult":{"validationErrors":["Low level (JSON) error on line 1, column 25","second"],"later":1}}"#;
        let r = WebhookRequest::parse(body).unwrap();
        assert_eq!(r.request_status(), &RequestStatus::ValidationErrors);
        assert_eq!(r.request_status().as_str(), "VALIDATION_ERRORS");
        assert_eq!(
            r.validation_errors(),
            ["Low level (JSON) error on line 1, column 25", "second"]
        );
        assert_eq!(r.call_control_uuid(), None);
        assert_eq!(r.loop_count(), 1);
    }

    #[test]
    fn other_statuses_and_variable_values() {
        let body = br#"{"requestType":"EXTERNAL_POST","customerNumber":1,"accessKey":"k","loopCount":4294967295,
            "requestStatus":"SOMETHING_NEW","variables":{"a":"x","n":42,"f":1.5,"b":true,"z":null},"extra":[1,{"x":2}]}"#;
        let r = WebhookRequest::parse(body).unwrap();
        assert_eq!(
            r.request_status(),
            &RequestStatus::Other("SOMETHING_NEW".into())
        );
        assert_eq!(r.loop_count(), u32::MAX);
        let vars: Vec<(&str, &str)> = r
            .variables()
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(vars, [("a", "x"), ("n", "42"), ("f", "1.5"), ("b", "true")]);
    }

    #[test]
    fn hostile_and_malformed_bodies() {
        assert_eq!(err(b""), "webhook request body is empty");
        assert_eq!(
            err(&vec![b' '; MAX_BODY_BYTES + 1]),
            "webhook request body is 1048577 bytes, more than the limit of 1048576 bytes (1 MiB)"
        );
        assert_eq!(
            err(b"{\"a\":\"\xff\"}"),
            "webhook request body is not valid UTF-8 (at byte 6)"
        );
        assert_eq!(
            err("[".repeat(100_000).as_bytes()),
            "webhook request body nests arrays and objects more than 32 levels deep"
        );
        // Brackets inside strings do not count.
        let mut deep_in_string = String::from(r#"{"requestType":""#);
        deep_in_string.push_str(&"[".repeat(100));
        deep_in_string.push_str(r#"\"{{""#);
        deep_in_string.push('}');
        assert!(err(deep_in_string.as_bytes()).contains("has no customerNumber"));
        assert_eq!(
            err(b"not json"),
            "webhook request body is not JSON: expected ident at line 1 column 2"
        );
        assert_eq!(
            err(b"{\"a\":1}\0"),
            "webhook request body is not JSON: trailing characters at line 1 column 8"
        );
        assert_eq!(
            err(b"[1,2]"),
            "webhook request body is not a JSON object but an array"
        );
        assert_eq!(
            err(br#"{"accessKey":"a","accessKey":"b"}"#),
            "webhook request has the field \"accessKey\" more than once"
        );
        assert_eq!(err(b"{}"), "webhook request has no requestType");
        assert_eq!(
            err(br#"{"requestType":1}"#),
            "webhook request's requestType is a number, not a string"
        );
        let base = |rest: &str| {
            format!(
                r#"{{"requestType":"EXTERNAL_CALL_CONTROL","accessKey":"SECRET-KEY-123",{rest}}}"#
            )
        };
        for (rest, want) in [
            (r#""customerNumber":-5"#, "webhook request's customerNumber is -5, not a whole number >= 0"),
            (r#""customerNumber":2.5"#, "webhook request's customerNumber is 2.5, not a whole number >= 0"),
            (r#""customerNumber":"-5""#, "webhook request's customerNumber is the string \"-5\", not a whole number >= 0"),
            (r#""customerNumber":true"#, "webhook request's customerNumber is a boolean, not a number or a string of digits"),
            (r#""customerNumber":1"#, "webhook request has no loopCount"),
            (r#""customerNumber":1,"loopCount":-1"#, "webhook request's loopCount is -1, not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":4294967296"#, "webhook request's loopCount is 4294967296, not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":"4294967296""#, "webhook request's loopCount is the string \"4294967296\", not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":"""#, "webhook request's loopCount is the string \"\", not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":" 1""#, "webhook request's loopCount is the string \" 1\", not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":"1.0""#, "webhook request's loopCount is the string \"1.0\", not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":"+1""#, "webhook request's loopCount is the string \"+1\", not a whole number from 0 to 4294967295"),
            (r#""customerNumber":1,"loopCount":null"#, "webhook request's loopCount is null, not a number or a string of digits"),
            (r#""customerNumber":1,"loopCount":0"#, "webhook request has no requestStatus"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":null"#, "webhook request's requestStatus is null, not a string"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","variables":[]"#, "webhook request's variables is an array, not an object"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","variables":{"a":[]}"#, "webhook request's variable \"a\" is an array, not a string (numbers, booleans and null are accepted too)"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","variables":{"a":"1","a":"2"}"#, "webhook request's variable \"a\" appears more than once"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","variables":{"a":"\u0000"}"#, "webhook request's variable \"a\" contains a NUL character (\\u0000), which a C string cannot carry"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","callControlUuid":7"#, "webhook request's callControlUuid is a number, not a string"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","blocksProcessingResult":[]"#, "webhook request's blocksProcessingResult is an array, not an object"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","blocksProcessingResult":{"validationErrors":"x"}"#, "webhook request's blocksProcessingResult.validationErrors is a string, not an array"),
            (r#""customerNumber":1,"loopCount":0,"requestStatus":"X","blocksProcessingResult":{"validationErrors":["a",2]}"#, "webhook request's blocksProcessingResult.validationErrors[1] is a number, not a string"),
        ] {
            let message = err(base(rest).as_bytes());
            assert_eq!(message, want, "{rest}");
            assert!(!message.contains("SECRET"));
        }
        assert_eq!(
            err(br#"{"requestType":"X","customerNumber":1,"accessKey":5}"#),
            "webhook request's accessKey is a number, not a string"
        );
    }

    /// TENIOS's own PHP test script sends `loopCount` as a string (its Java test and the
    /// documentation use numbers): both are read alike, and so is `customerNumber`.
    #[test]
    fn numeric_fields_as_numbers_or_numeric_strings() {
        let body = |customer: &str, loop_count: &str| {
            format!(
                r#"{{"requestType":"EXTERNAL_CALL_CONTROL","customerNumber":{customer},"accessKey":"k","loopCount":{loop_count},"requestStatus":"REQUESTING_BLOCKS"}}"#
            )
        };
        for (customer, loop_count, want_customer, want_loop) in [
            ("200002", "0", 200002, 0),
            ("\"200002\"", "\"0\"", 200002, 0),
            ("200002", "\"3\"", 200002, 3),
            ("\"007\"", "\"4294967295\"", 7, u32::MAX),
            ("\"18446744073709551615\"", "1", u64::MAX, 1),
        ] {
            let r = WebhookRequest::parse(body(customer, loop_count).as_bytes()).unwrap();
            assert_eq!(r.customer_number(), want_customer, "{customer}");
            assert_eq!(r.customer_number_text(), want_customer.to_string());
            assert_eq!(r.loop_count(), want_loop, "{loop_count}");
        }
        assert_eq!(
            err(body("\"18446744073709551616\"", "0").as_bytes()),
            "webhook request's customerNumber is the string \"18446744073709551616\", not a \
             whole number >= 0"
        );
    }

    #[test]
    fn too_many_variables() {
        let vars: Vec<String> = (0..=MAX_VARIABLES)
            .map(|i| format!("\"v{i}\":\"x\""))
            .collect();
        let body = format!(
            r#"{{"requestType":"X","customerNumber":1,"accessKey":"k","loopCount":0,"requestStatus":"X","variables":{{{}}}}}"#,
            vars.join(",")
        );
        assert_eq!(
            err(body.as_bytes()),
            "webhook request has 1001 variables, more than the limit of 1000"
        );
    }

    /// The top level and blocksProcessingResult take up to MAX_FIELDS fields, unknown ones
    /// included; one more is refused before any duplicate is looked for.
    #[test]
    fn field_count_caps() {
        let extra = |count: usize, prefix: &str| -> String {
            (0..count).map(|i| format!(",\"{prefix}{i}\":0")).collect()
        };
        // 7 known fields, so MAX_FIELDS - 7 unknown ones make MAX_FIELDS in all.
        let top = |count: usize| {
            format!(
                r#"{{"requestType":"X","customerNumber":1,"accessKey":"k","loopCount":0,"requestStatus":"X","variables":null,"blocksProcessingResult":null{}}}"#,
                extra(count, "x")
            )
        };
        assert!(WebhookRequest::parse(top(MAX_FIELDS - 7).as_bytes()).is_ok());
        assert_eq!(
            err(top(MAX_FIELDS - 6).as_bytes()),
            "webhook request has 257 fields, more than the limit of 256"
        );
        let result = |count: usize, more: &str| {
            format!(
                r#"{{"requestType":"X","customerNumber":1,"accessKey":"k","loopCount":1,"requestStatus":"X","blocksProcessingResult":{{"validationErrors":["e"]{}{more}}}}}"#,
                extra(count, "y")
            )
        };
        let r = WebhookRequest::parse(result(MAX_FIELDS - 1, "").as_bytes()).unwrap();
        assert_eq!(r.validation_errors(), ["e"]);
        assert_eq!(
            err(result(MAX_FIELDS, "").as_bytes()),
            "webhook request's blocksProcessingResult has 257 fields, more than the limit of 256"
        );
        assert_eq!(
            err(result(3, r#","y1":2"#).as_bytes()),
            "webhook request's blocksProcessingResult has the field \"y1\" more than once"
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let r = WebhookRequest::parse(MINIMAL.as_bytes()).unwrap();
        let debug = format!("{r:?}");
        assert!(!debug.contains("my-key"), "{debug}");
        assert!(debug.contains("[REDACTED]"));
    }

    /// The comparison looks at every byte of the expected key, wherever the first difference
    /// is: an early exit would make its time tell an attacker how much of a guess was right.
    #[test]
    fn the_comparison_takes_the_same_steps_wherever_the_keys_differ() {
        let expected = b"0123456789abcdef";
        let mut guesses: Vec<Vec<u8>> = vec![
            b"0123456789abcdef".to_vec(),
            b"X123456789abcdef".to_vec(),
            b"0123456789abcdeX".to_vec(),
            b"".to_vec(),
            b"0".to_vec(),
            b"0123456789abcdef0123".to_vec(),
        ];
        guesses.push(vec![0u8; 1000]);
        for guess in guesses {
            let mut steps = 0;
            let equal = constant_time_eq(&guess, expected, || steps += 1);
            assert_eq!(equal, guess == expected);
            assert_eq!(steps, expected.len(), "guess {guess:?}");
        }
    }
}
