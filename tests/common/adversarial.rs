//! The worst inputs we know how to build for the parsers of untrusted bytes: the webhook
//! request parser, the API response classifier and the simulator's HTTP request reader. Used by
//! the timing test (tests/parse_time.rs) and the benchmark (benches/parse_worst.rs); std only,
//! so that both can include it.
#![allow(dead_code)] // each user takes a different part

/// The webhook parser's and the simulator's body limit: 1 MiB.
pub const MIB: usize = 1 << 20;

/// The `i`-th distinct key of the shortest keys made of ASCII letters and digits: 62 keys of
/// one character, then 3,844 of two, then three-character ones.
pub fn short_key(mut i: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut len = 1;
    let mut count = ALPHABET.len();
    while i >= count {
        i -= count;
        len += 1;
        count *= ALPHABET.len();
    }
    let mut key = vec![0u8; len];
    for slot in key.iter_mut().rev() {
        *slot = ALPHABET[i % ALPHABET.len()];
        i /= ALPHABET.len();
    }
    String::from_utf8(key).expect("ASCII")
}

/// `"k":0,"k2":0,...` with `count` distinct short keys (no braces).
fn distinct_members(count: usize) -> String {
    let mut out = String::with_capacity(count * 8);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&short_key(i));
        out.push_str("\":0");
    }
    out
}

/// The fields every webhook request has (the documented minimal request, shortened).
const REQUIRED: &str = r#""requestType":"EXTERNAL_CALL_CONTROL","customerNumber":200002,"accessKey":"my-key","loopCount":1,"requestStatus":"VALIDATION_ERRORS""#;

fn checked(body: String) -> Vec<u8> {
    assert!(
        body.len() <= MIB,
        "{} bytes is over the 1 MiB limit",
        body.len()
    );
    body.into_bytes()
}

/// A webhook body of `count` distinct top-level fields and nothing else (131,060 fit in
/// 1 MiB): issue 16's 18-second body.
pub fn webhook_top_level_fields(count: usize) -> Vec<u8> {
    checked(format!("{{{}}}", distinct_members(count)))
}

/// A valid webhook request whose `blocksProcessingResult` has `count` distinct fields
/// (80,000: issue 16's 8-second body).
pub fn webhook_result_fields(count: usize) -> Vec<u8> {
    checked(format!(
        "{{{REQUIRED},\"blocksProcessingResult\":{{{}}}}}",
        distinct_members(count)
    ))
}

/// `count` names of `len` bytes that differ only in their last three characters, so that
/// comparing two of them reads the whole name.
fn long_names(count: usize, len: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let tail = format!("{:0>3}", short_key(i));
            format!("{}{tail}", "k".repeat(len - tail.len()))
        })
        .collect()
}

/// A valid webhook request with `count` variables whose names are `len` bytes long and share
/// all but their last three characters.
pub fn webhook_long_variable_names(count: usize, len: usize) -> Vec<u8> {
    let vars: Vec<String> = long_names(count, len)
        .into_iter()
        .map(|name| format!("\"{name}\":\"v\""))
        .collect();
    checked(format!(
        "{{{REQUIRED},\"variables\":{{{}}}}}",
        vars.join(",")
    ))
}

/// A valid webhook request with `count` extra top-level fields whose names are `len` bytes
/// long and share all but their last three characters.
pub fn webhook_long_field_names(count: usize, len: usize) -> Vec<u8> {
    let fields: Vec<String> = long_names(count, len)
        .into_iter()
        .map(|name| format!("\"{name}\":0"))
        .collect();
    checked(format!("{{{REQUIRED},{}}}", fields.join(",")))
}

/// A valid webhook request with an unknown field holding as many arrays nested `depth` deep
/// (the whole body then nests `depth + 2` deep) as fit in `max_bytes`.
pub fn webhook_deep_nesting(depth: usize, max_bytes: usize) -> Vec<u8> {
    let one = format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
    let head = format!("{{{REQUIRED},\"x\":[");
    let room = max_bytes - head.len() - 2;
    let count = (room + 1) / (one.len() + 1);
    let items = vec![one; count].join(",");
    checked(format!("{head}{items}]}}"))
}

/// A valid webhook request with one variable holding as many `\u00e9` escapes as fit.
pub fn webhook_escapes(max_bytes: usize) -> Vec<u8> {
    let head = format!("{{{REQUIRED},\"variables\":{{\"v\":\"");
    let count = (max_bytes - head.len() - 4) / 6;
    checked(format!("{head}{}\"}}}}", "\\u00e9".repeat(count)))
}

/// An API answer of `count` distinct fields and no `success` (about 131,000 fit in 1 MiB).
pub fn response_distinct_fields(count: usize) -> Vec<u8> {
    checked(format!("{{{}}}", distinct_members(count)))
}

/// An API answer with the same field, `"success":true`, as often as fits in `max_bytes`.
pub fn response_duplicate_fields(max_bytes: usize) -> Vec<u8> {
    let one = "\"success\":true";
    let count = (max_bytes - 2 + 1) / (one.len() + 1);
    checked(format!("{{{}}}", vec![one; count].join(",")))
}

/// An API error whose `fields` list has as many one-character names as fit in `max_bytes`:
/// every one ends up in the error message.
pub fn response_many_error_fields(max_bytes: usize) -> Vec<u8> {
    let head = "{\"error_code\":\"INVALID_VALUE\",\"error_message\":\"m\",\"fields\":[";
    let count = (max_bytes - head.len() - 2 + 1) / 4;
    checked(format!("{head}{}]}}", vec!["\"a\""; count].join(",")))
}

/// An API answer nesting arrays 100 deep (serde_json's own limit is 128), repeated.
pub fn response_deep_nesting(max_bytes: usize) -> Vec<u8> {
    let one = format!("{}0{}", "[".repeat(100), "]".repeat(100));
    let head = "{\"success\":true,\"x\":[";
    let count = (max_bytes - head.len() - 2 + 1) / (one.len() + 1);
    checked(format!("{head}{}]}}", vec![one; count].join(",")))
}

/// The simulator's head limit: 64 KiB.
pub const SIM_HEAD_BYTES: usize = 64 * 1024;

/// A request head of about `size` bytes whose one header field holds nearly all of it.
pub fn sim_one_long_field(size: usize) -> Vec<u8> {
    let head = "POST /interrupt-ecc-block HTTP/1.1\r\nX-Long: ";
    let tail = "\r\nContent-Length: 2\r\n\r\n{}";
    let value = "a".repeat(size - head.len() - tail.len());
    format!("{head}{value}{tail}").into_bytes()
}

/// A request head of about `size` bytes in `count` header fields.
pub fn sim_many_fields(count: usize, size: usize) -> Vec<u8> {
    let head = "POST /interrupt-ecc-block HTTP/1.1\r\n";
    let tail = "Content-Length: 2\r\n\r\n{}";
    let per_field = (size - head.len() - tail.len()) / count;
    let value = "v".repeat(per_field - "X-000: \r\n".len());
    let fields: String = (0..count)
        .map(|i| format!("X-{i:03}: {value}\r\n"))
        .collect();
    format!("{head}{fields}{tail}").into_bytes()
}

/// `size` bytes of empty lines before a request line (HTTP lets a server skip them).
pub fn sim_leading_empty_lines(size: usize) -> Vec<u8> {
    let mut bytes = b"\r\n".repeat(size / 2);
    bytes.extend_from_slice(b"GET / HTTP/1.1\r\n\r\n");
    bytes
}

/// A chunked request whose 1 MiB body comes in one-byte chunks.
pub fn sim_one_byte_chunks(body_bytes: usize) -> Vec<u8> {
    let mut bytes = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..body_bytes {
        bytes.extend_from_slice(b"1\r\nx\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    bytes
}
