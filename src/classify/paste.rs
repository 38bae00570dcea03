//! What a user pasted: an SDK's exception, a log line, a traceback, a wrapper around a body.
//!
//! Each client prints a failed call its own way, and the status, body and codes sit in
//! different places: openai-python `Error code: 400 - {'error': …}`; openai-node
//! `BadRequestError: 400 …`; the AI SDK's `AI_APICallError` dump with `statusCode: 401`,
//! `responseBody: '…'` and a `data:` property (not an SSE line); litellm's
//! `litellm.BadRequestError: OpenAIException - Error code: 400 - {…}`; curl's `HTTP/1.1 429`
//! headers; a gateway's HTML page. This finds the status, the body, and the text around it
//! (exception names, whose words the rules read too), plus the request id and the wait a
//! paste quotes. Only anchored patterns give a status, so a traceback's line numbers do not.

use super::envelope::{self, find_structure, from_value, html_body, looks_html, seconds_of};
use super::{one_line, ErrorBody};
use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub status: Option<u16>,
    pub body: ErrorBody,
    /// The paste outside the body: exception names, a traceback, headers.
    pub context: String,
    /// The structured value found in the paste, if any (an opencode error is one).
    pub value: Option<Value>,
    /// `http` (a status was found), `body` (a body without status) or `text`.
    pub read_as: &'static str,
    pub request_id: Option<String>,
    pub retry_after_secs: Option<u64>,
}

pub fn read(text: &str) -> Reading {
    let mut r = Reading {
        read_as: "text",
        ..Default::default()
    };
    if let Some((v, range)) = find_structure(text) {
        r.context = format!("{} {}", &text[..range.start], &text[range.end..]);
        if let Some(sdk) = sdk_wrapper(&v) {
            r.status = sdk.0;
            r.body = sdk.1;
        } else if let Some(b) = from_value(&v, 0) {
            r.body = b;
        }
        if r.body.message.is_none() {
            r.body.message = exception_line(&r.context);
        }
        r.value = Some(v);
        r.read_as = "body";
    } else if let Some(i) = html_start(text) {
        r.body = html_body(&text[i..]);
        r.context = text[..i].to_string();
        r.read_as = "body";
    } else {
        r.body = ErrorBody {
            message: exception_line(text).or_else(|| Some(one_line(text))),
            ..Default::default()
        };
        r.context = text.to_string();
    }
    r.status = r
        .status
        .or_else(|| explicit_status(&r.context))
        .or_else(|| {
            r.body
                .code
                .as_deref()
                .and_then(|c| c.parse().ok())
                .filter(|s| (400..600).contains(s))
        })
        .or_else(|| {
            r.body
                .html
                .then(|| r.body.message.as_deref().and_then(leading_status))
                .flatten()
        })
        .or_else(|| status_of_exception(&r.context));
    if r.status.is_some() {
        r.read_as = "http";
    }
    r.request_id = request_id(text);
    r.retry_after_secs = r.body.retry_after_secs.or_else(|| retry_after(text));
    r
}

/// The AI SDK's `APICallError` (and LangChain.js's copies of it): `statusCode`, and the
/// provider's body as the string `responseBody` or the parsed `data`.
fn sdk_wrapper(v: &Value) -> Option<(Option<u16>, ErrorBody)> {
    let o = v.as_object()?;
    if !o.contains_key("statusCode") && !o.contains_key("responseBody") {
        return None;
    }
    let status = o
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let body = o
        .get("responseBody")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(|s| envelope::parse_error_body(None, s.as_bytes()))
        .or_else(|| o.get("data").and_then(|d| from_value(d, 0)))
        .or_else(|| from_value(v, 0))
        .unwrap_or_default();
    Some((status, body))
}

fn html_start(text: &str) -> Option<usize> {
    text.match_indices('<')
        .map(|(i, _)| i)
        .take(64)
        .find(|&i| looks_html(&text[i..]))
}

/// The last line shaped like an exception (`httpx.ConnectError: All connection attempts
/// failed`): what a traceback is about.
fn exception_line(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .take(200)
        .map(str::trim)
        .find(|l| {
            l.split_once(':').is_some_and(|(name, _)| {
                !name.contains(' ')
                    && (name.ends_with("Error")
                        || name.ends_with("Exception")
                        || name.ends_with("Timeout"))
            })
        })
        .map(one_line)
}

/// Where a status may be written: after these, and at the very start.
const STATUS_LEADS: &[&str] = &[
    "http/1.1 ",
    "http/1.0 ",
    "http/2 ",
    "http/2.0 ",
    "http ",
    "error code:",
    "error code ",
    "status code:",
    "status code ",
    "statuscode:",
    "\"statuscode\":",
    "status_code=",
    "status_code:",
    "\"status_code\":",
    "status:",
    "\"status\":",
    "'status':",
    "status=",
    "got status",
    "api error:",
    "error:",
    "exception:",
    "status ",
    "[",
];

/// The first status written after one of [`STATUS_LEADS`], or leading the paste.
pub fn explicit_status(text: &str) -> Option<u16> {
    let lower = text.to_ascii_lowercase();
    let mut best: Option<(usize, u16)> = None;
    if let Some(s) = leading_status(text) {
        return Some(s);
    }
    for lead in STATUS_LEADS {
        for (i, _) in lower.match_indices(lead).take(32) {
            let at = i + lead.len();
            if best.is_some_and(|(b, _)| b <= i) {
                break;
            }
            if let Some(s) = status_at(&lower[at..]) {
                best = Some((i, s));
                break;
            }
        }
    }
    best.map(|(_, s)| s)
}

/// `429 Too Many Requests`, `502 Bad Gateway`, `401 {…}` at the start of a text.
fn leading_status(text: &str) -> Option<u16> {
    let t = text.trim_start();
    let t = t
        .strip_prefix("Error:")
        .or_else(|| t.strip_prefix("error:"))
        .unwrap_or(t);
    status_at(t)
}

/// A three-digit status at the start of `s` (after spaces, quotes or a colon), not part
/// of a longer number, a version or an address.
fn status_at(s: &str) -> Option<u16> {
    let s = s.trim_start_matches([' ', ':', '=', '"', '\'', '(', '-']);
    let digits = s.get(..3)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let next = s.as_bytes().get(3).copied();
    if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b':' || c == b'_') {
        return None;
    }
    let n: u16 = digits.parse().ok()?;
    (100..600).contains(&n).then_some(n)
}

/// The status an SDK's exception class stands for (openai-python, anthropic, litellm).
fn status_of_exception(text: &str) -> Option<u16> {
    const CLASSES: &[(&str, u16)] = &[
        ("authenticationerror", 401),
        ("permissiondeniederror", 403),
        ("notfounderror", 404),
        ("ratelimiterror", 429),
        ("badrequesterror", 400),
        ("unprocessableentityerror", 422),
        ("conflicterror", 409),
        ("internalservererror", 500),
        ("serviceunavailableerror", 503),
    ];
    let lower = text.to_ascii_lowercase();
    CLASSES
        .iter()
        .filter_map(|(name, s)| {
            lower
                .match_indices(name)
                .find(|(i, _)| {
                    let after = lower.as_bytes().get(i + name.len()).copied();
                    matches!(after, Some(b':' | b'(' | b' ' | b'\n') | None)
                })
                .map(|(i, _)| (i, *s))
        })
        .min()
        .map(|(_, s)| s)
}

/// `x-request-id: req_…`, `"request_id": "…"`, `(request id: …)`, or an OpenAI-style
/// `req_…` token anywhere.
pub fn request_id(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    for lead in [
        "x-request-id",
        "request-id",
        "request_id",
        "request id",
        "requestid",
        "x-amzn-requestid",
        "cf-ray",
    ] {
        for (i, _) in lower.match_indices(lead).take(8) {
            let rest = &text[i + lead.len()..];
            let rest = rest.trim_start_matches([' ', ':', '=', '"', '\'']);
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .take(128)
                .collect();
            if id.len() >= 6 {
                return Some(id);
            }
        }
    }
    lower.match_indices("req_").find_map(|(i, _)| {
        let id: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(128)
            .collect();
        (id.len() >= 12).then_some(id)
    })
}

/// The wait a paste quotes: a `retry-after` header, "try again in 6ms", "retry in 43.5s",
/// Google's `retryDelay`.
pub fn retry_after(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.find("retry-after-ms") {
        let ms = number_token(&lower[i + "retry-after-ms".len()..])?;
        return seconds_of(&format!("{ms}ms"));
    }
    for lead in [
        "retry-after",
        "retrydelay",
        "try again in",
        "retry in",
        "retry after",
    ] {
        if let Some(i) = lower.find(lead) {
            let rest = &lower[i + lead.len()..];
            let rest = rest.trim_start_matches([' ', ':', '=', '"', '\'']);
            let tok: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || c.is_ascii_alphabetic())
                .take(24)
                .collect();
            // "6ms", "43s", "20.5s", "43" (a header: seconds); "1m30s" keeps its first part.
            let tok = tok
                .trim_end_matches('.')
                .trim_end_matches(|c: char| c.is_ascii_alphabetic() && c != 's' && c != 'm');
            if let Some(s) = seconds_of(tok) {
                return Some(s);
            }
        }
    }
    None
}

fn number_token(s: &str) -> Option<String> {
    let s = s.trim_start_matches([' ', ':', '=', '"', '\'']);
    let n: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(12)
        .collect();
    (!n.is_empty()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_only_where_written() {
        assert_eq!(explicit_status("HTTP/1.1 429 Too Many Requests"), Some(429));
        assert_eq!(
            explicit_status("openai.BadRequestError: Error code: 400 - "),
            Some(400)
        );
        assert_eq!(explicit_status("Error: 401 Incorrect API key"), Some(401));
        assert_eq!(explicit_status("  statusCode: 404,\n"), Some(404));
        assert_eq!(
            explicit_status("[400 Bad Request] API key not valid"),
            Some(400)
        );
        assert_eq!(
            explicit_status("  File \"x.py\", line 404, in <module>\n    resp = client.chat()"),
            None
        );
        assert_eq!(explicit_status("connect ECONNREFUSED 127.0.0.1:4000"), None);
        assert_eq!(explicit_status("nginx/1.18.0 version 502.1"), None);
    }

    #[test]
    fn waits_and_request_ids() {
        assert_eq!(retry_after("Please try again in 6ms."), Some(1));
        assert_eq!(retry_after("retry-after: 43\r\n"), Some(43));
        assert_eq!(retry_after("'retryDelay': '43s'"), Some(43));
        assert_eq!(retry_after("Please retry in 20.5s"), Some(21));
        assert_eq!(
            request_id("x-request-id: req_01hxnxvkfjf6ttkqzfpw23ng08\n").as_deref(),
            Some("req_01hxnxvkfjf6ttkqzfpw23ng08")
        );
    }
}
