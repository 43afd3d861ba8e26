//! The generic call: any documented method the library has no typed function for
//! (`/cdrs/retrieve`, `/verification/create`, `/number/order`, `/cloud-pbx/list`, ...), with
//! the client's key, transport, error mapping, redaction, log lines and timings. A path and a
//! JSON object in, the answer's JSON out.

use std::borrow::Cow;

use serde_json::Value;

use super::check_key;
use crate::client::Client;
use crate::error::Error;
use crate::response::classify_json;
use crate::rules::MAX_ARG_BYTES;

/// The largest request body the generic call sends: room for `/verification/create`'s
/// base64 PDF.
pub const MAX_JSON_BODY_BYTES: usize = 4 * 1024 * 1024;

impl Client {
    /// POSTs `body_json` (a JSON object, without `access_key`: the client's key is put first)
    /// to the API method at `path` (e.g. `/cdrs/retrieve`) and returns the answer's JSON text
    /// as received. Errors are those of every method: an API error body (`error_code`,
    /// `"success": false`) wins over the HTTP status; another status than 200 is an HTTP
    /// error; a 200 that is not JSON a protocol error.
    ///
    /// `path` must be one absolute path of the API: `/`, then segments of letters, digits and
    /// `-._~!$&'()*+,;=:@` or `%XX`; no empty, `.` or `..` segment, no query or fragment, no
    /// scheme or host, at most 1024 bytes. `body_json` at most 4 MiB.
    pub fn call_json(
        &self,
        access_key: &str,
        path: &str,
        body_json: &str,
    ) -> Result<String, Error> {
        check_key("access_key", access_key)?;
        check_api_path(path)?;
        let body = request_body(access_key, body_json)?;
        self.post_path(
            path,
            Cow::Owned(format!("POST {path}")),
            &body,
            &[access_key],
            classify_json,
        )
    }
}

/// Checks `path` as described at [`Client::call_json`].
pub fn check_api_path(path: &str) -> Result<(), Error> {
    let invalid = |why: &str| {
        // The path is quoted in JSON form, so that control characters show as escapes.
        let quoted = serde_json::to_string(path).unwrap_or_default();
        Err(Error::InvalidArgument(format!("path {quoted} {why}")))
    };
    if path.is_empty() {
        return Err(Error::InvalidArgument("path is empty".into()));
    }
    if path.len() > MAX_ARG_BYTES {
        return Err(Error::InvalidArgument(format!(
            "path is longer than {MAX_ARG_BYTES} bytes"
        )));
    }
    if path.chars().any(char::is_control) {
        return invalid("contains a control character");
    }
    if path.contains("://") || !path.starts_with('/') {
        return invalid(
            "is not an absolute path of the API (e.g. /cdrs/retrieve): no scheme or host",
        );
    }
    if path.contains(['?', '#']) {
        return invalid("has a query or fragment");
    }
    for segment in path[1..].split('/') {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@%".contains(&b);
        if segment.is_empty() {
            return invalid("has an empty segment");
        }
        if !segment.bytes().all(allowed) {
            return invalid("has a character a path cannot carry (percent-encode it)");
        }
        let Some(decoded) = percent_decoded(segment) else {
            return invalid("has a % not followed by two hex digits");
        };
        if decoded == b"." || decoded == b".." {
            return invalid("has a . or .. segment");
        }
        if decoded.contains(&b'/') || decoded.contains(&b'\\') {
            return invalid("has an encoded / or \\");
        }
    }
    Ok(())
}

/// `segment` with its `%XX` escapes decoded (`None`: a malformed escape).
fn percent_decoded(segment: &str) -> Option<Vec<u8>> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The request body: `{"access_key":KEY` and then the caller's members exactly as written.
fn request_body(access_key: &str, body_json: &str) -> Result<Vec<u8>, Error> {
    let invalid = |why: &str| Err(Error::InvalidArgument(format!("body_json {why}")));
    if body_json.len() > MAX_JSON_BODY_BYTES {
        return invalid(&format!("is longer than {MAX_JSON_BODY_BYTES} bytes"));
    }
    let object = match serde_json::from_str::<Value>(body_json) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return invalid("is not a JSON object"),
        Err(e) => return invalid(&format!("is not JSON: {e}")),
    };
    if object.contains_key("access_key") {
        return invalid("has its own access_key (the client's key is sent)");
    }
    // The object's text between its braces: the caller's members, order and spelling kept.
    let text = body_json.trim_matches(|c: char| c.is_ascii_whitespace());
    let members = text[1..text.len() - 1].trim_matches(|c: char| c.is_ascii_whitespace());
    let key = serde_json::to_string(access_key).map_err(|e| Error::Internal(e.to_string()))?;
    let mut body = format!("{{\"access_key\":{key}");
    if !members.is_empty() {
        body.push(',');
        body.push_str(members);
    }
    body.push('}');
    Ok(body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for good in [
            "/cdrs/retrieve",
            "/verification/create",
            "/cloud-pbx/upsert/+49221234567",
            "/a/%41b",
        ] {
            assert_eq!(check_api_path(good), Ok(()), "{good}");
        }
        let message = |path: &str| check_api_path(path).unwrap_err().to_string();
        assert_eq!(message(""), "path is empty");
        assert_eq!(
            message("cdrs/retrieve"),
            "path \"cdrs/retrieve\" is not an absolute path of the API (e.g. /cdrs/retrieve): no scheme or host"
        );
        assert_eq!(
            message("https://evil.example/cdrs"),
            "path \"https://evil.example/cdrs\" is not an absolute path of the API (e.g. /cdrs/retrieve): no scheme or host"
        );
        assert_eq!(
            message("//evil.example/cdrs"),
            "path \"//evil.example/cdrs\" has an empty segment"
        );
        assert_eq!(
            message("/cdrs/retrieve?page=1"),
            "path \"/cdrs/retrieve?page=1\" has a query or fragment"
        );
        assert_eq!(message("/a/../b"), "path \"/a/../b\" has a . or .. segment");
        assert_eq!(
            message("/a/%2e%2E/b"),
            "path \"/a/%2e%2E/b\" has a . or .. segment"
        );
        assert_eq!(
            message("/a/%2fb"),
            "path \"/a/%2fb\" has an encoded / or \\"
        );
        assert_eq!(
            message("/a\r\nHost: x"),
            "path \"/a\\r\\nHost: x\" contains a control character"
        );
        assert_eq!(
            message("/a b"),
            "path \"/a b\" has a character a path cannot carry (percent-encode it)"
        );
        assert_eq!(
            message("/a%zz"),
            "path \"/a%zz\" has a % not followed by two hex digits"
        );
        assert_eq!(message("/a/"), "path \"/a/\" has an empty segment");
        assert_eq!(
            message(&format!("/{}", "a".repeat(1024))),
            "path is longer than 1024 bytes"
        );
    }

    #[test]
    fn bodies_keep_the_callers_members_after_the_key() {
        let body = |json: &str| request_body("k\"ey", json).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(body("{}"), Ok(r#"{"access_key":"k\"ey"}"#.into()));
        assert_eq!(body(" { } "), Ok(r#"{"access_key":"k\"ey"}"#.into()));
        assert_eq!(
            body(r#"{"page": 1, "page_size":10 }"#),
            Ok(r#"{"access_key":"k\"ey","page": 1, "page_size":10}"#.into())
        );
        let message = |json: &str| body(json).unwrap_err().to_string();
        assert_eq!(message("[1]"), "body_json is not a JSON object");
        assert_eq!(
            message("{\"page\":1"),
            "body_json is not JSON: EOF while parsing an object at line 1 column 9"
        );
        assert_eq!(
            message(r#"{"access_key":"other"}"#),
            "body_json has its own access_key (the client's key is sent)"
        );
        assert_eq!(
            message(r#"{"access\u005fkey":"other"}"#),
            "body_json has its own access_key (the client's key is sent)"
        );
    }
}
