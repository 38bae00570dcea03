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
use super::status_words::{counts_something, said_by_framework, BETWEEN, FOLLOWS, LEADS};
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
    /// The URL the paste says the request went to, when it names a model route
    /// (`url: https://api.example.com/v1/responses`).
    pub url: Option<String>,
}

pub fn read(text: &str) -> Reading {
    // JSON typed or pasted through an editor that curls its quotes (`{“error”:{“code”:“1214”}}`,
    // common where a Chinese input method wrote it): read as the straight quotes it stood for.
    let straight;
    let text = if text.contains(['“', '”']) && find_structure(text).is_none() {
        straight = text.replace(['“', '”'], "\"");
        straight.as_str()
    } else {
        text
    };
    let mut r = Reading {
        read_as: "text",
        ..Default::default()
    };
    if let Some((v, range)) = find_structure(text) {
        r.context = format!("{} {}", &text[..range.start], &text[range.end..]);
        // `… failed: 403 {"error":…}`: the status written right before the body.
        r.status = status_before_body(&text[..range.start]);
        if let Some(sdk) = sdk_wrapper(&v) {
            r.status = sdk.0.or(r.status);
            r.body = sdk.1;
        } else if let Some(b) = from_value(&v, 0) {
            r.body = b;
            // The provider's own status inside the body outvotes a wrapper's around it.
            r.status = body_status(&v).or(r.status);
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
            message: response_log_body(text)
                .or_else(|| status_line_body(text))
                .or_else(|| cut_envelope_message(text))
                .or_else(|| exception_line(text).map(|l| words_after_status(text, l)))
                .or_else(|| Some(one_line(text))),
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
                .then(|| r.body.message.as_deref().and_then(title_status))
                .flatten()
        })
        .or_else(|| reason_alone(text))
        .or_else(|| status_of_exception(&r.context))
        .or_else(|| status_named(&r.context));
    // A wrapper's 5xx around a web framework's own refusal: the framework's is innermost.
    if r.status.is_some_and(|s| s >= 500) {
        if let Some(inner) = said_by_framework(&text.to_ascii_lowercase()).filter(|s| *s < 500) {
            r.status = Some(inner);
        }
    }
    if r.status.is_some() {
        r.read_as = "http";
    }
    // A bare status line says nothing beyond its status: no words to read.
    if r.read_as == "http" && bare_status_line(text) {
        r.body.message = None;
        r.context.clear();
    }
    r.request_id = request_id(text);
    r.url = request_url(text);
    r.retry_after_secs = r.body.retry_after_secs.or_else(|| retry_after(text));
    r
}

/// `HTTP/1.1 429 Too Many Requests`, `502 Bad Gateway`, `429`: a status and its reason
/// phrase, nothing more.
fn bare_status_line(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    if t.lines().count() > 1 {
        return false;
    }
    let t = t
        .strip_prefix("http/1.1 ")
        .or_else(|| t.strip_prefix("http/2 "))
        .or_else(|| t.strip_prefix("http/1.0 "))
        .unwrap_or(&t);
    let Some(code) = t.get(..3).and_then(|c| c.parse::<u16>().ok()) else {
        return reason_alone(text).is_some();
    };
    let rest = t[3..].trim();
    rest.is_empty() || REASONS.iter().any(|(s, r)| *s == code && rest == *r)
}

/// A reason phrase and nothing else (`Forbidden`, `Error: Not Found.`): the status it names.
fn reason_alone(text: &str) -> Option<u16> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_prefix("error:").unwrap_or(&t).trim();
    let t = t.trim_end_matches(['.', '!']).trim();
    REASONS.iter().find(|(_, r)| *r == t).map(|(s, _)| *s)
}

/// The status an error page's title names: `502 Bad Gateway`, Cloudflare's
/// `example.com | 524: A timeout occurred`, `Error 503 Service Unavailable`.
fn title_status(title: &str) -> Option<u16> {
    if let Some(s) = leading_status(title) {
        return Some(s);
    }
    let lower = title.to_ascii_lowercase();
    let b = lower.as_bytes();
    (0..b.len().saturating_sub(2)).find_map(|i| {
        let three = b[i..i + 3].iter().all(u8::is_ascii_digit);
        let edge_before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let edge_after = b.get(i + 3).is_none_or(|c| !c.is_ascii_alphanumeric());
        if !(three && edge_before && edge_after) {
            return None;
        }
        let before = lower[..i].trim_end();
        let led = before.ends_with('|')
            || before.ends_with("error")
            || before.ends_with("http")
            || before.ends_with('-');
        let n: u16 = lower[i..i + 3].parse().ok()?;
        (led && (400..600).contains(&n)).then_some(n)
    })
}

/// An error status ending the text before a body (`Operation failed after 3 attempts: 403 `).
fn status_before_body(before: &str) -> Option<u16> {
    let t = before
        .trim_end()
        .trim_end_matches([':', '-', '='])
        .trim_end();
    let n = t.get(t.len().checked_sub(3)?..)?;
    let edge = t[..t.len() - 3].chars().next_back();
    (n.bytes().all(|b| b.is_ascii_digit())
        && !edge.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.'))
    .then(|| n.parse().ok())
    .flatten()
    .filter(|s| (400..600).contains(s))
}

/// The HTTP status an error body states of itself (`{"error":{"code":429,…}}`, Google's
/// `[{"error":{"code":400,"status":"INVALID_ARGUMENT"}}]`, Spring's `{"status":404,…}`):
/// an error status in the innermost error object's `code`, `status` or `statusCode`.
fn body_status(v: &Value) -> Option<u16> {
    let mut o = match v {
        Value::Array(a) => a.first()?,
        v => v,
    };
    for _ in 0..4 {
        match o.get("error") {
            Some(e) if e.is_object() => o = e,
            _ => break,
        }
    }
    ["code", "status", "statusCode", "status_code"]
        .iter()
        .find_map(|k| match o.get(*k)? {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) if s.len() == 3 => s.parse().ok(),
            _ => None,
        })
        .filter(|s| (400..600).contains(s))
}

/// The body a client's debug log shows the server sent, every line marked `<` after the
/// status line's (the Databricks SDK's request log `< 400 Bad Request` / `< Bad request: rpc
/// error: …`), without the headers' `< name: value` lines.
fn response_log_body(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .take(2000)
        .filter_map(|l| l.trim_start().strip_prefix("< "))
        .skip_while(|l| super::status_words::logged_status(l).is_none());
    lines.next()?;
    let body: Vec<&str> = lines
        .filter(|l| {
            let header = l.split_once(": ").is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            !header && !l.trim().is_empty()
        })
        .take(40)
        .collect();
    Some(one_line(&body.join(" "))).filter(|b| !b.is_empty())
}

/// What a client's status line quotes of the body: `unexpected status 404 Not Found:
/// {body}, url: …` (Codex), `… 502 Bad Gateway: {body}`. The body ends where the client's
/// own fields begin (`, url:`, `, cf-ray:`, `, request id:`) or at the line's end.
fn status_line_body(text: &str) -> Option<String> {
    let line = text.trim().lines().next()?;
    let lower = line.to_ascii_lowercase();
    let (i, n) = status_with_reason(&lower)?;
    let reason = REASONS
        .iter()
        .filter(|(s, r)| *s == n && lower[i + 3..].trim_start().starts_with(r))
        .map(|(_, r)| r.len())
        .max()?;
    let after = i + 3 + (lower[i + 3..].len() - lower[i + 3..].trim_start().len()) + reason;
    let rest = lower[after..].strip_prefix(':')?;
    let skip = after + 1 + (rest.len() - rest.trim_start().len());
    let end = [
        ", url:",
        " url:",
        ", cf-ray:",
        ", request id:",
        ", request-id:",
    ]
    .iter()
    .filter_map(|m| lower[skip..].find(m))
    .min()
    .map_or(line.len(), |e| skip + e);
    let body = line[skip..end].trim().trim_end_matches(',').trim();
    Some(one_line(body)).filter(|b| !b.is_empty() && !b.contains('{'))
}

/// The URL a paste says the request went to: the first `http(s)://` address whose path
/// ends in a model route (a link to documentation is no request).
pub fn request_url(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    ["https://", "http://"]
        .iter()
        .flat_map(|scheme| lower.match_indices(scheme).take(16).map(|(i, _)| i))
        .filter_map(|i| {
            let url: String = text[i..]
                .chars()
                .take_while(|c| {
                    !c.is_whitespace()
                        && !matches!(c, '"' | '\'' | '`' | ',' | ')' | '>' | ']' | '<')
                })
                .take(512)
                .collect();
            super::names_model_route(&url).then_some((i, url))
        })
        .min_by_key(|(i, _)| *i)
        .map(|(_, u)| u)
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

/// The `"message"` of an error envelope the paste cut before it closed (a log line's limit,
/// a user's trim): no parser reads it, yet its message is the provider's own words. Read
/// from its opening quote to the closing one, or to the end of the paste.
fn cut_envelope_message(text: &str) -> Option<String> {
    let brace = text.find('{')?;
    let key = brace + text[brace..].find("\"message\"")?;
    let rest = text[key + "\"message\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            // The closing quote: what follows it is the envelope again (`,` `}`) or nothing.
            // A quote inside the words a relay failed to escape (`Unknown name "$schema"`)
            // is kept.
            '"' if closes(chars.as_str()) => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push(' '),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
        if out.len() >= 4096 {
            break;
        }
    }
    let out = out.trim().to_string();
    (out.len() >= 8).then_some(out)
}

/// Whether a quote followed by `rest` closes a JSON string: the envelope goes on with `,`,
/// `}` or `]`, or the text ends.
fn closes(rest: &str) -> bool {
    let rest = rest.trim_start();
    rest.is_empty() || rest.starts_with([',', '}', ']'])
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

/// An exception line that carries only a status (`Exception: Stream error: Exception: HTTP
/// 400`) has its message on the lines after it, as a client that prints the status first and
/// the server's words below does; those lines, up to a blank one, are the message then.
fn words_after_status(text: &str, line: String) -> String {
    if !says_only_status(&line) {
        return line;
    }
    let mut lines = text.lines().map(str::trim);
    let Some(_) = lines.by_ref().find(|l| one_line(l) == line) else {
        return line;
    };
    let rest: Vec<&str> = lines
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .take(8)
        .collect();
    if rest.is_empty() || rest.iter().all(|l| says_only_status(l)) {
        return line;
    }
    one_line(&rest.join(" "))
}

/// Nothing but labels, a status and its reason phrase: no words a rule could read.
fn says_only_status(line: &str) -> bool {
    const FILLER: &[&str] = &[
        "http",
        "https",
        "status",
        "code",
        "error",
        "errors",
        "exception",
        "failed",
        "failure",
        "request",
        "response",
        "with",
        "stream",
        "api",
        "returned",
        "got",
        "the",
    ];
    let lower = line.to_ascii_lowercase();
    let mut rest = lower.clone();
    for (_, r) in REASONS {
        rest = rest.replace(r, " ");
    }
    let mut status = false;
    for w in rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.') {
        let w = w.trim_matches('.');
        if w.is_empty() || FILLER.contains(&w) {
            continue;
        }
        if w.len() == 3 && w.parse::<u16>().is_ok_and(|n| (400..600).contains(&n)) {
            status = true;
            continue;
        }
        // An exception's type name (`Lingarr.Server.Exceptions.TranslationException`).
        if w.ends_with("error") || w.ends_with("exception") {
            continue;
        }
        return false;
    }
    status
}

/// The standard reason phrases: `403 Forbidden` is a status wherever it is written.
const REASONS: &[(u16, &str)] = &[
    // Redirects (RFC 9110 §15.4): a client that does not follow one prints its status line.
    (301, "moved permanently"),
    (302, "moved temporarily"),
    (303, "see other"),
    (307, "temporary redirect"),
    (308, "permanent redirect"),
    (400, "bad request"),
    (401, "unauthorized"),
    (402, "payment required"),
    (403, "forbidden"),
    (404, "not found"),
    (405, "method not allowed"),
    (407, "proxy authentication required"),
    (408, "request timeout"),
    (409, "conflict"),
    (413, "payload too large"),
    (413, "request entity too large"),
    (415, "unsupported media type"),
    (422, "unprocessable entity"),
    (424, "failed dependency"),
    (429, "too many requests"),
    (500, "internal server error"),
    (501, "not implemented"),
    (502, "bad gateway"),
    (503, "service unavailable"),
    (503, "service temporarily unavailable"),
    (504, "gateway timeout"),
    (504, "gateway time-out"),
];

/// The status a paste states in prose: the first one written after a lead of
/// [`super::status_words::LEADS`], or by its context (a reason phrase, a body right after),
/// or leading the paste; when a wrapper's error status and the message inside it disagree on
/// one line (`Error: 400: => Invalid request: …, HTTP status: 404`), the innermost one, which
/// a chain of wrapped errors writes last.
pub fn explicit_status(text: &str) -> Option<u16> {
    let lower = text.to_ascii_lowercase();
    let found = statuses(&lower);
    let first = leading_status(text)
        .map(|s| (0, s))
        .or_else(|| found.first().copied())?;
    Some(innermost(first, &found, &lower))
}

/// Of the error statuses on the first one's line, the last: the innermost of a chain.
fn innermost(first: (usize, u16), found: &[(usize, u16)], lower: &str) -> u16 {
    if first.1 < 400 {
        return first.1;
    }
    found
        .iter()
        .rfind(|(i, s)| *i > first.0 && *s >= 400 && !lower[first.0..*i].contains('\n'))
        .map_or(first.1, |(_, s)| *s)
}

/// Every status written after a lead or by its context, by place in the text.
fn statuses(lower: &str) -> Vec<(usize, u16)> {
    let mut found = Vec::new();
    for lead in LEADS {
        for (i, _) in lower.match_indices(lead.words).take(32) {
            let at = i + lead.words.len();
            let s = status_at(&lower[at..])
                .or_else(|| {
                    lead.colon_after
                        .then(|| status_before_colon(&lower[at..]))
                        .flatten()
                })
                .filter(|s| !lead.errors_only || *s >= 400)
                .filter(|_| !number_counts(&lower[at..]));
            if let Some(s) = s {
                found.push((i, s));
            }
        }
    }
    found.extend(by_context(lower, 256));
    found.sort_unstable();
    found.dedup_by_key(|(i, _)| *i);
    found
}

/// `403 Forbidden`, `429 Too Many Requests`, or an error status right before a body
/// (`403 {"error":…}`): statuses by their context, wherever they stand.
fn status_with_reason(lower: &str) -> Option<(usize, u16)> {
    by_context(lower, 1).first().copied()
}

/// Every status [`status_with_reason`] reads, up to `max`, by place.
fn by_context(lower: &str, max: usize) -> Vec<(usize, u16)> {
    let mut found = Vec::new();
    let b = lower.as_bytes();
    let mut i = 0;
    let mut seen = 0;
    while i + 3 <= b.len() && seen < 4096 && found.len() < max {
        let three = b[i..i + 3].iter().all(u8::is_ascii_digit);
        let edge = i == 0
            || !(b[i - 1].is_ascii_alphanumeric()
                || matches!(b[i - 1], b'.' | b':' | b'_' | b'/' | b'-'));
        if three && edge && b.get(i + 3).is_none_or(|c| !c.is_ascii_digit()) {
            seen += 1;
            let Ok(n) = lower[i..i + 3].parse::<u16>() else {
                break;
            };
            // Ruby's Net::HTTPResponse#error! quotes the reason: `400 "Bad Request"`
            // (net/http/response.rb, `@code + ' ' + @message.dump`).
            let rest = lower[i + 3..].trim_start_matches([' ', '(', '-', '"']);
            if REASONS.iter().any(|(s, r)| *s == n && rest.starts_with(r)) {
                found.push((i, n));
                i += 3;
                continue;
            }
            let error = (400..600).contains(&n);
            // `403 {"error":…}`, openai-node's `429 status code (no body)`.
            if error
                && (lower[i + 3..].starts_with(" {")
                    || FOLLOWS.iter().any(|w| lower[i + 3..].starts_with(w)))
            {
                found.push((i, n));
                i += 3;
                continue;
            }
            // An exception class and its status: `google.api_core.exceptions.PermissionDenied: 403 …`.
            let before = lower[..i].trim_end();
            // A known status ending its line after a failure's colon (`Streaming request
            // failed: 429`) stands for itself too.
            let line_end = lower[i + 3..].trim_start_matches(' ');
            let ends_line = (line_end.is_empty() || line_end.starts_with(['\n', '\r']))
                && REASONS.iter().any(|(s, _)| *s == n);
            if error
                && before.ends_with(':')
                && (lower[i + 3..].starts_with([' ', ':']) || ends_line)
                && !counts_something(&lower[i + 3..])
            {
                let class = before[..before.len() - 1]
                    .rsplit(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or("");
                if class.len() >= 4
                    && class
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
                {
                    found.push((i, n));
                    i += 3;
                    continue;
                }
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    found
}

/// `429 Too Many Requests`, `502 Bad Gateway`, `401 {…}` at the start of a text.
fn leading_status(text: &str) -> Option<u16> {
    let t = text.trim_start();
    match t
        .strip_prefix("Error:")
        .or_else(|| t.strip_prefix("error:"))
    {
        Some(rest) => status_at(rest).filter(|s| *s >= 400),
        None => status_at(t).or_else(|| {
            // `500: unexpected server status …`: an error status led by its own colon, as
            // Open WebUI and other clients print it, at the very start of the paste only.
            let n: u16 = t.get(..3)?.parse().ok()?;
            (t[3..].starts_with(": ") && (400..600).contains(&n)).then_some(n)
        }),
    }
}

/// A three-digit status at the start of `s` (after spaces, quotes or a colon), not part
/// of a longer number, a version or an address.
fn status_at(s: &str) -> Option<u16> {
    let s = s.trim_start_matches(BETWEEN);
    let digits = s.get(..3)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let next = s.as_bytes().get(3).copied();
    // "429." ends a sentence; "502.1" is a version.
    let then_digit = s.as_bytes().get(4).is_some_and(u8::is_ascii_digit);
    if next.is_some_and(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, b':' | b'_' | b'%' | b'/')
            || (c == b'.' && then_digit)
    }) {
        return None;
    }
    let n: u16 = digits.parse().ok()?;
    // 1xx answers are interim, never what a client reports: "error: 111" is an errno.
    (200..600).contains(&n).then_some(n)
}

/// A status written right before a colon (`404: Not Found`), for the leads whose library
/// writes it so.
fn status_before_colon(s: &str) -> Option<u16> {
    let s = s.trim_start_matches(BETWEEN);
    let n: u16 = s.get(..3)?.parse().ok()?;
    (s[3..].starts_with(':') && (400..600).contains(&n)).then_some(n)
}

/// The number right after a lead (and what may stand between) counts something.
fn number_counts(after_lead: &str) -> bool {
    let s = after_lead.trim_start_matches(BETWEEN);
    s.get(..3)
        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
        && counts_something(&s[3..])
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
        // LiteLLM's BadGatewayError (docs.litellm.ai/docs/exception_mapping).
        ("badgatewayerror", 502),
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

/// The status a runtime's own name for it stands for, written where the number is not: .NET's
/// `HttpStatusCode` members as `ToString()` prints them ("response TooManyRequests") and
/// Spring's `HttpStatus` constants ("TOO_MANY_REQUESTS"). Only the names no sentence uses as
/// plain words (not "Unauthorized", "Forbidden"), matched in their own case, as whole tokens:
/// `TooManyRequestsException` is a class, read elsewhere.
fn status_named(text: &str) -> Option<u16> {
    // learn.microsoft.com/dotnet/api/system.net.httpstatuscode; Spring's
    // org.springframework.http.HttpStatus.
    const NAMES: &[(&str, u16)] = &[
        ("BadRequest", 400),
        ("PaymentRequired", 402),
        ("NotFound", 404),
        ("RequestTimeout", 408),
        ("RequestEntityTooLarge", 413),
        ("UnprocessableEntity", 422),
        ("UnprocessableContent", 422),
        ("TooManyRequests", 429),
        ("InternalServerError", 500),
        ("BadGateway", 502),
        ("ServiceUnavailable", 503),
        ("GatewayTimeout", 504),
        ("BAD_REQUEST", 400),
        ("PAYMENT_REQUIRED", 402),
        ("PAYLOAD_TOO_LARGE", 413),
        ("UNPROCESSABLE_ENTITY", 422),
        ("TOO_MANY_REQUESTS", 429),
        ("INTERNAL_SERVER_ERROR", 500),
        ("BAD_GATEWAY", 502),
        ("SERVICE_UNAVAILABLE", 503),
        ("GATEWAY_TIMEOUT", 504),
    ];
    let token = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    NAMES
        .iter()
        .filter_map(|(name, s)| {
            text.match_indices(name)
                .take(16)
                .find(|(i, _)| {
                    !token(text[..*i].chars().next_back())
                        && !token(text[i + name.len()..].chars().next())
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
    fn a_line_that_carries_only_a_status_hands_the_message_to_the_lines_below() {
        let r = read("Exception: Stream error: Exception: HTTP 400\nModel x does not support parameter topK.\n\nlater noise");
        assert_eq!(r.status, Some(400));
        assert_eq!(
            r.body.message.as_deref(),
            Some("Model x does not support parameter topK.")
        );
        // An exception line with words of its own keeps them.
        let r = read("ValueError: HTTP 400 the model is gone\nat line 3");
        assert_eq!(
            r.body.message.as_deref(),
            Some("ValueError: HTTP 400 the model is gone")
        );
        // Nothing below: the status line stays the message.
        let r = read("SomeError: 503 Service Unavailable");
        assert_eq!(
            r.body.message.as_deref(),
            Some("SomeError: 503 Service Unavailable")
        );
    }

    #[test]
    fn statuses_only_where_written() {
        assert_eq!(explicit_status("HTTP/1.1 429 Too Many Requests"), Some(429));
        // Dart's dio and Swift's Alamofire in their own words.
        assert_eq!(
            explicit_status("the response has a status code of 503 and RequestOptions.validateStatus was configured to throw"),
            Some(503)
        );
        assert_eq!(
            explicit_status("Response status code was unacceptable: 401."),
            Some(401)
        );
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
        // By context: a reason phrase, a body right after, a status-named field.
        assert_eq!(
            explicit_status("Operation failed after 3 attempts: 403 {\"error\":{}}"),
            Some(403)
        );
        assert_eq!(
            explicit_status("POST \"https://x/v1/messages\": 400 Bad Request {"),
            Some(400)
        );
        assert_eq!(
            explicit_status("Status Code: http_status_403 x-amzn"),
            Some(403)
        );
        assert_eq!(
            explicit_status("Unknown API response. Code: 422, Body: x"),
            Some(422)
        );
        assert_eq!(
            explicit_status("<400> InternalError.Algo.InvalidParameter"),
            Some(400)
        );
        // Numbers that are not statuses: a progress percentage, a port, a line, a code.
        assert_eq!(explicit_status("tests [100%] passed, 404 cases"), None);
        assert_eq!(
            explicit_status("pytest: 404 passed, 2 failed in 12.3s"),
            None
        );
        assert_eq!(explicit_status("Processed: 503 tokens in 2.1s"), None);
        assert_eq!(explicit_status("listening on 0.0.0.0:500 ok"), None);
        assert_eq!(explicit_status("{\"code\": 200, \"msg\": \"ok\"}"), None);
        assert_eq!(explicit_status("{\"error\":{\"code\":\"1210\"}}"), None);
        assert_eq!(explicit_status("delayed connect error: 111"), None);
        assert_eq!(explicit_status("Error: 200 rows written"), None);
    }

    #[test]
    fn a_proxy_s_5xx_around_its_client_s_words_for_a_4xx_is_that_4xx() {
        // axios's settle.js words, quoted by a proxy inside its own 500.
        let r = read(
            r#"HTTP 500 {"error":{"message":"Request failed with status code 401","type":"api_error","code":500}}"#,
        );
        assert_eq!(r.status, Some(401));
        // A 5xx it quotes stays a 5xx; a longer number is no status.
        assert_eq!(
            read(r#"HTTP 500 {"error":{"message":"Request failed with status code 502"}}"#).status,
            Some(500)
        );
        assert_eq!(
            read(r#"HTTP 500 {"error":{"message":"Request failed with status code 4010"}}"#).status,
            Some(500)
        );
    }

    #[test]
    fn a_runtime_s_name_for_a_status_stands_for_it() {
        // .NET's HttpStatusCode printed by ToString(), Spring's HttpStatus constant.
        assert_eq!(
            read("InvalidOperationException: Unsuccessful API response TooManyRequests").status,
            Some(429)
        );
        assert_eq!(
            read("WebClientResponseException: SERVICE_UNAVAILABLE from POST http://x/v1").status,
            Some(503)
        );
        // A class name and plain words are not the name.
        assert_eq!(status_named("TooManyRequestsException: slow down"), None);
        assert_eq!(
            status_named("the resource was not found, bad request"),
            None
        );
        assert_eq!(status_named("XBadGateway"), None);
    }

    #[test]
    fn a_reason_phrase_alone_and_an_error_page_title_name_their_status() {
        assert_eq!(read("Forbidden").status, Some(403));
        assert_eq!(read("Error: Not Found.").status, Some(404));
        assert_eq!(read("Forbidden to read this file").status, None);
        assert_eq!(
            title_status("api.example.com | 524: A timeout occurred"),
            Some(524)
        );
        assert_eq!(title_status("Error 503 Service Unavailable"), Some(503));
        assert_eq!(title_status("Welcome to nginx 1.25"), None);
        assert_eq!(title_status("Page 404 of the docs"), None);
    }

    #[test]
    fn a_status_line_quotes_its_body_and_its_url() {
        let r = read("unexpected status 404 Not Found: 404: Not Found, url: https://api.poe.com/v1/responses");
        assert_eq!(r.status, Some(404));
        assert_eq!(r.body.message.as_deref(), Some("404: Not Found"));
        assert_eq!(r.url.as_deref(), Some("https://api.poe.com/v1/responses"));
        let r = read("unexpected status 404 Not Found: Unknown error, url: https://chatgpt.com/backend-api/codex/responses, cf-ray: a3559f9709be9814-SJC");
        assert_eq!(r.body.message.as_deref(), Some("Unknown error"));
        // A link to documentation is no request's URL.
        assert_eq!(
            request_url("see https://platform.openai.com/docs/guides/error-codes"),
            None
        );
        assert_eq!(
            request_url("POST \"http://127.0.0.1:8080/v1/chat/completions\": 404").as_deref(),
            Some("http://127.0.0.1:8080/v1/chat/completions")
        );
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
