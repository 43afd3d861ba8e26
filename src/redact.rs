//! Finding secrets (the access key, the supervisor key) in text a server sent, in every form a
//! server can echo them in, and replacing them with [`REDACTED`]. The rule is stated once, for
//! users, in `docs/redaction.md`; in short:
//!
//! - a form is the key with each of its characters written as itself or as a JSON escape of
//!   it (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` in either case, a surrogate
//!   pair above U+FFFF), in any mix, and escapes escaped again, up to [`MAX_ESCAPE_DEPTH`]
//!   levels (JSON text inside a JSON string inside a non-string value);
//! - the pieces of one error are searched one after another as one text, so a key split
//!   across them is found too, and a found span is redacted in every piece it touches;
//! - where occurrences overlap (an access key inside the supervisor key, a key repeated),
//!   their spans are merged: the longest reach wins and no tail stays visible;
//! - it fails closed: a text that is still found to hold a key after redaction, or that is too
//!   costly to search (thousands of nested backslashes), is withheld whole.

use std::ops::Range;

use crate::error::REDACTED;

/// How many times a key may have been JSON-escaped and still be found: once (JSON text of a
/// non-string value), twice (JSON text inside a string inside such a value), three times.
pub const MAX_ESCAPE_DEPTH: u8 = 3;

/// The search of a text with backslashes gives up (and the text is withheld) after this many
/// steps per byte: each backslash costs a dozen or two, so only a text thick with them (or
/// with near-copies of a key) needs more. It bounds the time a hostile 1 MiB message costs.
const STEPS_PER_BYTE: usize = 8;
/// ... plus this many, so that a short text is never cut short.
const STEPS_BASE: usize = 65_536;

/// A text too costly to search: withheld instead.
#[derive(Debug)]
pub(crate) struct TooCostly;

/// One piece of an error's text: `fixed` pieces (a documented error code, the separators of a
/// message) are searched with the others but never changed.
pub(crate) struct Part {
    pub text: String,
    pub fixed: bool,
}

/// Redacts every form of every secret in `parts`, searched as one text so that a key split
/// across parts is found. Returns `Err` when the text was too costly to search (the caller
/// withholds it).
pub(crate) fn redact_parts(parts: &mut [Part], secrets: &[&str]) -> Result<(), TooCostly> {
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(parts.len());
    for part in parts.iter() {
        starts.push(joined.len());
        joined.push_str(&part.text);
    }
    let spans = find(&joined, secrets)?;
    if spans.is_empty() {
        return Ok(());
    }
    for (part, start) in parts.iter_mut().zip(starts) {
        if part.fixed {
            continue;
        }
        let end = start + part.text.len();
        let local: Vec<Range<usize>> = spans
            .iter()
            .filter(|span| span.start < end && span.end > start)
            .map(|span| span.start.max(start) - start..span.end.min(end) - start)
            .collect();
        if !local.is_empty() {
            part.text = replace(&part.text, &local);
        }
    }
    Ok(())
}

/// Whether `text` holds a form of any of `secrets` (a text too costly to search counts as
/// holding one).
pub(crate) fn holds_secret(text: &str, secrets: &[&str]) -> bool {
    find(text, secrets).map_or(true, |spans| !spans.is_empty())
}

/// `text` with each of the (sorted, disjoint) `spans` replaced by [`REDACTED`].
fn replace(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push_str(REDACTED);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The byte spans of `text` that are a form of one of `secrets`, sorted, overlapping and
/// touching spans merged.
fn find(text: &str, secrets: &[&str]) -> Result<Vec<Range<usize>>, TooCostly> {
    let mut matcher = Matcher {
        text: text.as_bytes(),
        steps: 0,
        budget: STEPS_BASE.saturating_add(text.len().saturating_mul(STEPS_PER_BYTE)),
    };
    let mut spans = Vec::new();
    // Without a backslash no escape can be there: a plain search (overlaps included) will do.
    if !text.contains('\\') {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            let mut from = 0;
            while let Some(at) = text[from..].find(secret) {
                let start = from + at;
                spans.push(start..start + secret.len());
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        return Ok(merge(spans));
    }
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let targets: Vec<Target> = secret.chars().map(Target::Char).collect();
        let first = secret.as_bytes()[0];
        for (pos, &byte) in text.as_bytes().iter().enumerate() {
            // Every form starts with the key's first byte or with a backslash. Both are never
            // UTF-8 continuation bytes, so `pos` is a character boundary.
            if byte != first && byte != b'\\' {
                continue;
            }
            let ends = matcher.sequence(vec![pos], &targets, MAX_ESCAPE_DEPTH)?;
            if let Some(&end) = ends.iter().max() {
                spans.push(pos..end);
            }
        }
    }
    Ok(merge(spans))
}

/// `spans` sorted, with overlapping and touching ones merged.
fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_unstable_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// What one step of a form must match: a character, or a hexadecimal digit of a `\u` escape
/// (either case).
#[derive(Clone, Copy)]
enum Target {
    Char(char),
    Hex(u8),
}

struct Matcher<'t> {
    text: &'t [u8],
    steps: usize,
    budget: usize,
}

impl Matcher<'_> {
    /// Where a form (up to `depth` escapes deep) of `targets`, one after another, can end when
    /// it starts at one of `starts`.
    fn sequence(
        &mut self,
        starts: Vec<usize>,
        targets: &[Target],
        depth: u8,
    ) -> Result<Vec<usize>, TooCostly> {
        let mut at = starts;
        for &target in targets {
            let mut next = Vec::new();
            for &pos in &at {
                self.ends(pos, target, depth, &mut next)?;
            }
            next.sort_unstable();
            next.dedup();
            if next.is_empty() {
                return Ok(next);
            }
            at = next;
        }
        Ok(at)
    }

    /// Adds to `out` where a form of `target` starting at `pos` can end: the character itself,
    /// or (when `depth` allows) a form one level shallower of one of its JSON escapes.
    fn ends(
        &mut self,
        pos: usize,
        target: Target,
        depth: u8,
        out: &mut Vec<usize>,
    ) -> Result<(), TooCostly> {
        self.steps += 1;
        if self.steps > self.budget {
            return Err(TooCostly);
        }
        let c = match target {
            Target::Char(c) => c,
            Target::Hex(n) => {
                for c in hex_digits(n) {
                    self.ends(pos, Target::Char(c), depth, out)?;
                }
                return Ok(());
            }
        };
        let mut buffer = [0u8; 4];
        let raw = c.encode_utf8(&mut buffer).as_bytes();
        if self.text[pos..].starts_with(raw) {
            out.push(pos + raw.len());
        }
        // Every escape, however deep, starts with a backslash.
        if depth == 0 || self.text.get(pos) != Some(&b'\\') {
            return Ok(());
        }
        for escape in escapes(c) {
            let ends = self.sequence(vec![pos], &escape, depth - 1)?;
            out.extend(ends);
        }
        Ok(())
    }
}

/// The hexadecimal digits of the value `n` (0 to 15): one, or two for a letter (a and A).
fn hex_digits(n: u8) -> impl Iterator<Item = char> {
    let lower = char::from_digit(u32::from(n), 16).unwrap_or('0');
    let upper = lower.to_ascii_uppercase();
    std::iter::once(lower).chain((upper != lower).then_some(upper))
}

/// The JSON escapes of `c`: its short escape if it has one, and `\uXXXX` (a surrogate pair
/// above U+FFFF).
fn escapes(c: char) -> Vec<Vec<Target>> {
    let mut forms = Vec::with_capacity(2);
    let short = match c {
        '"' => Some('"'),
        '\\' => Some('\\'),
        '/' => Some('/'),
        '\u{8}' => Some('b'),
        '\u{c}' => Some('f'),
        '\n' => Some('n'),
        '\r' => Some('r'),
        '\t' => Some('t'),
        _ => None,
    };
    if let Some(letter) = short {
        forms.push(vec![Target::Char('\\'), Target::Char(letter)]);
    }
    let mut units = [0u16; 2];
    let mut form = Vec::with_capacity(12);
    for unit in c.encode_utf16(&mut units).iter() {
        form.push(Target::Char('\\'));
        form.push(Target::Char('u'));
        for shift in [12, 8, 4, 0] {
            form.push(Target::Hex(((unit >> shift) & 0xf) as u8));
        }
    }
    forms.push(form);
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str, secrets: &[&str]) -> String {
        let mut parts = [Part {
            text: text.to_owned(),
            fixed: false,
        }];
        redact_parts(&mut parts, secrets).unwrap();
        let [part] = parts;
        part.text
    }

    #[test]
    fn raw_and_escaped_forms() {
        let key = "Secret\"Key42/é😀";
        for (text, want) in [
            ("a Secret\"Key42/é😀 b", "a [REDACTED] b"),
            (r#"{"k":"Secret\"Key42/é😀"}"#, r#"{"k":"[REDACTED]"}"#),
            (r#"Secret\u0022Key42\/\u00E9\ud83d\uDE00!"#, "[REDACTED]!"),
            (r#"\u0053ecret\"Key42/\u00e9😀"#, "[REDACTED]"),
            // Escaped twice: JSON text in a string, rendered as JSON again.
            (r#"x Secret\\\"Key42\\/é\\ud83d\\ude00 y"#, "x [REDACTED] y"),
            // Leniently decoded twice (a bare quote is not valid JSON, but is found anyway).
            (r#"Secret\u005c"Key42/é😀"#, "[REDACTED]"),
            (r#"Secret\u005c\u0022Key42/é😀"#, "[REDACTED]"),
            ("Secret\"Key4", "Secret\"Key4"),
        ] {
            assert_eq!(redact(text, &[key]), want, "{text}");
        }
    }

    #[test]
    fn overlapping_keys_leave_no_tail() {
        let access = "Secret-Key-0001";
        let supervisor = "Secret-Key-0001-SUPERVISOR-9f1";
        assert_eq!(
            redact(&format!("{supervisor} and {access}"), &[access, supervisor]),
            "[REDACTED] and [REDACTED]"
        );
        assert_eq!(redact("aaaaaaaaaaa", &["aaaaaaaa"]), "[REDACTED]");
    }

    #[test]
    fn split_across_parts() {
        let mut parts = [
            Part {
                text: "CODE".into(),
                fixed: true,
            },
            Part {
                text: "x Secret-".into(),
                fixed: false,
            },
            Part {
                text: "Key-0001 y".into(),
                fixed: false,
            },
        ];
        redact_parts(&mut parts, &["Secret-Key-0001"]).unwrap();
        assert_eq!(parts[1].text, "x [REDACTED]");
        assert_eq!(parts[2].text, "[REDACTED] y");
    }

    #[test]
    fn a_backslash_thicket_is_too_costly_to_search() {
        let text = "\\".repeat(1 << 16);
        assert!(find(&text, &["\\\\\\\\\\\\\\\\"]).is_err());
        assert!(holds_secret(&text, &["\\\\\\\\\\\\\\\\"]));
        // An ordinary text with escapes is searched in full.
        let escaped = r#"{\"a\":\"b\"} "#.repeat(1 << 12);
        assert_eq!(find(&escaped, &["Secret-Key-0001"]).unwrap(), []);
    }
}
