//! Envelope reading: whatever shape an error body comes in, out comes one [`ErrorBody`].
//!
//! Shapes read (each seen from a real server, field guide §2 and §5, and the corpus in
//! `testdata/errors/`): OpenAI's `{"error":{message,type,param,code}}`; the same nested
//! once more (`error.error`, Groq through Node); vLLM's `{"object":"error",…}` whose message
//! may be an object; Zen's `{"type":"error","error":{"type":"ModelError",…}}`; FastAPI's
//! `{"detail":[…]}`; Google's JSON *array* `[{"error":{code,status,details}}]` with
//! `details[].reason` and `RetryInfo.retryDelay`; Azure's `innererror.code`; OpenRouter's
//! `metadata.raw` holding the upstream body; a message that is itself a JSON body (Gemini
//! through a gateway, litellm's `Error code: 400 - {…}`); Python reprs and Node literals
//! (see [`super::loose`]); HTML pages (title or first heading); plain text.

use super::loose;
use super::{one_line, ErrorBody, KNOWN_PARAMS};
use serde_json::Value;

/// How many nested bodies (a message holding a body holding a message…) are unwrapped.
const MAX_NESTING: u8 = 4;
/// How many `{`/`[` starts are tried when looking for a body inside prose.
const MAX_CANDIDATES: usize = 64;

pub fn parse_error_body(content_type: Option<&str>, body: &[u8]) -> ErrorBody {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if content_type.is_some_and(|c| c.contains("html")) || looks_html(trimmed) {
        return html_body(trimmed);
    }
    if trimmed.is_empty() {
        return ErrorBody::default();
    }
    if trimmed.starts_with(['{', '[']) {
        if let Some(b) = whole_value(trimmed).and_then(|v| from_value(&v, 0)) {
            return b;
        }
    }
    if let Some((v, _)) = find_structure(trimmed) {
        if let Some(b) = from_value(&v, 0) {
            return b;
        }
    }
    ErrorBody {
        message: Some(one_line(trimmed)),
        ..Default::default()
    }
}

/// The text parsed as one value: strict JSON first, then the forgiving reader.
fn whole_value(s: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str::<Value>(s) {
        return Some(v);
    }
    loose::parse_prefix(s)
        .map(|(v, _)| v)
        .filter(|v| v.is_object() || v.is_array())
}

/// An HTML page, not an API answer: a proxy's error page, a login page, a web app.
pub fn looks_html(s: &str) -> bool {
    if !s.starts_with('<') {
        return false;
    }
    let head: String = s
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<html",
        "<!doctype",
        "<head",
        "<body",
        "<title",
        "<h1",
        "<center",
    ]
    .iter()
    .any(|t| head.contains(t))
}

pub fn html_body(html: &str) -> ErrorBody {
    ErrorBody {
        message: html_message(html),
        html: true,
        page: Some(page_text(html)),
        ..Default::default()
    }
}

/// Longest page text kept: a CDN's or firewall's page says who blocked and why early on.
const PAGE_CAP: usize = 4096;

/// An HTML page's text: tags, scripts and styles dropped, whitespace collapsed, capped.
fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while !rest.is_empty() && out.len() < PAGE_CAP {
        match rest.find('<') {
            Some(i) => {
                out.push_str(&rest[..i]);
                out.push(' ');
                let tag = &rest[i..];
                let lower: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
                let close = if lower.starts_with("<script") {
                    "</script>"
                } else if lower.starts_with("<style") {
                    "</style>"
                } else {
                    ">"
                };
                rest = match tag.to_ascii_lowercase().find(close) {
                    Some(j) => &tag[j + close.len()..],
                    None => "",
                };
            }
            None => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    let mut text = one_line(&out.replace("&nbsp;", " ").replace("&bull;", "·"));
    text.truncate(
        text.char_indices()
            .nth(PAGE_CAP)
            .map_or(text.len(), |(i, _)| i),
    );
    text
}

fn html_message(html: &str) -> Option<String> {
    // ASCII lowercasing keeps every byte offset, so indices found in `lower` cut `html`
    // on the same char boundaries.
    let lower = html.to_ascii_lowercase();
    for tag in ["title", "h1"] {
        let open = format!("<{tag}");
        if let Some(start) = lower.find(&open) {
            let after = start + lower[start..].find('>')? + 1;
            let end = after + lower[after..].find(&format!("</{tag}"))?;
            let text = one_line(&html[after..end]);
            if !text.is_empty() {
                return Some(text);
            }
        }
    }
    Some(one_line(html))
}

/// The first value inside `text` that looks like an error body, with its byte range.
pub fn find_structure(text: &str) -> Option<(Value, std::ops::Range<usize>)> {
    let mut from = 0;
    let mut tried = 0;
    while tried < MAX_CANDIDATES {
        let i = from + text.get(from..)?.find(['{', '['])?;
        tried += 1;
        match loose::parse_prefix(&text[i..]) {
            Some((v, used)) if error_like(&v) => return Some((v, i..i + used)),
            // A value that parsed but is no error (request values, headers): skip it whole.
            Some((_, used)) if used > 1 => from = i + used,
            _ => from = i + 1,
        }
    }
    None
}

/// A value that carries an error: an `error` member, a message-like member, or an SDK's
/// wrapper of one (`statusCode`/`responseBody`).
pub fn error_like(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.first().is_some_and(error_like),
        Value::Object(o) => {
            o.get("error").is_some_and(|e| !e.is_null())
                || ["message", "msg", "detail", "error_message", "errorMessage", "error_msg"]
                    .iter()
                    .any(|k| o.get(*k).is_some_and(|m| m.is_string() || m.is_array()))
                || o.contains_key("statusCode")
                || o.contains_key("responseBody")
                // opencode's `{name: "…Error", data: {…}}`.
                || (o.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.ends_with("Error"))
                    && o.contains_key("data"))
        }
        _ => false,
    }
}

/// Normalise an error value; `None` when it holds nothing error-like.
pub fn from_value(v: &Value, depth: u8) -> Option<ErrorBody> {
    match v {
        Value::Array(a) => a.iter().find_map(|x| from_value(x, depth)),
        Value::Object(_) => Some(from_object(v, depth)),
        Value::String(s) if !s.trim().is_empty() => Some(from_message_text(s, depth)),
        _ => None,
    }
}

fn from_object(v: &Value, depth: u8) -> ErrorBody {
    let mut out = ErrorBody {
        envelope: true,
        ..Default::default()
    };
    // One of pydantic's errors on its own (`{'type': 'missing', 'loc': ('body', 'messages'),
    // 'msg': 'Field required'}`, quoted in a vLLM message): read with its loc, as FastAPI's
    // `detail` list is, so the field it names is not lost.
    if v.get("loc").is_some_and(Value::is_array) && v.get("msg").is_some_and(Value::is_string) {
        let (msg, param) = fastapi_detail(&Value::Array(vec![v.clone()]));
        out.message = msg;
        out.param = param;
        return out;
    }
    // Descend `error.error…`: the innermost object that says something is the real one.
    let mut err = v.get("error");
    for _ in 0..3 {
        match err {
            Some(Value::Object(e)) if e.get("message").is_none() && e.get("error").is_some() => {
                read_fields(&mut out, err.expect("matched"));
                err = e.get("error");
            }
            _ => break,
        }
    }
    match err {
        Some(e @ Value::Object(_)) => read_fields(&mut out, e),
        // OAuth 2.0's token-endpoint error (RFC 6749 §5.2): `error` is the code and
        // `error_description` the words (Baidu Qianfan's token refresh answers so).
        // So is a code beside a message (`{"error": "worker_error", "message": "…"}`).
        // A status as the code and the words beside it (`{'error': '500', 'details': '…'}`).
        Some(Value::String(s)) => match [
            "error_description",
            "message",
            "error_message",
            "details",
            "detail",
            "description",
        ]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        {
            // Spring Boot's error JSON (`"error": "Not Found", "message": "Model not found"`):
            // the reason phrase is the status again, the message says what.
            Some(d) if !s.trim().contains(char::is_whitespace) || is_reason_phrase(s) => {
                out.message = Some(one_line(d));
                out.code = Some(s.clone());
            }
            _ => out.message = Some(one_line(s)),
        },
        _ => {}
    }
    if out.message.is_none() {
        out.message = message_of(v.get("message"))
            .or_else(|| message_of(v.get("msg")))
            .or_else(|| message_of(v.get("error_msg")))
            .or_else(|| message_of(v.get("base_resp").and_then(|b| b.get("status_msg"))));
    }
    if out.etype.is_none() {
        out.etype = str_of(v.get("type")).filter(|t| t != "error");
    }
    if out.code.is_none() {
        out.code = str_of(v.get("code"))
            .or_else(|| str_of(v.get("error_code")))
            .or_else(|| {
                v.get("base_resp")
                    .and_then(|b| str_of(b.get("status_code")))
            });
    }
    collect_tags(&mut out, v);
    out.path = ["path", "instance"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_str))
        .find(|p| p.starts_with('/') && p.len() <= 512 && !p.contains(char::is_whitespace))
        .map(str::to_string);
    // Mistral nests FastAPI's detail in `message`: {"message":{"detail":[…]}}.
    let detail = v
        .get("detail")
        .or_else(|| v.get("message").and_then(|m| m.get("detail")));
    if out.message.is_none() || v.get("message").is_some_and(Value::is_object) {
        if let Some(detail) = detail {
            let (msg, param) = fastapi_detail(detail);
            out.message = msg;
            out.param = out.param.or(param);
        }
    }
    if out.message.is_none() {
        out.message = find_message_deep(v, 0);
    }
    // The upstream's own body, carried as a string (OpenRouter `metadata.raw`), or a
    // message that is a whole body itself: the inner one names the real cause.
    let raw_msg = err
        .and_then(|e| e.get("message").or(Some(e)))
        .and_then(Value::as_str)
        .or_else(|| v.get("message").and_then(Value::as_str));
    // A client's exception dump that carries the API's answer as a member (Dart's
    // `OpenAIClientException({"uri":…,"message":"Unsuccessful response","body":{"error":…}})`):
    // the answer's error is the real one.
    let carried = (err.is_none() && depth < MAX_NESTING)
        .then(|| {
            ["body", "response_body", "responseBody", "response"]
                .iter()
                .filter_map(|k| v.get(*k))
                .find(|b| b.get("error").is_some_and(|e| !e.is_null()))
                .and_then(|b| from_value(b, depth + 1))
        })
        .flatten();
    let inner = carried
        .or_else(|| {
            raw_upstream(v)
                .or(raw_msg)
                .filter(|_| depth < MAX_NESTING)
                .and_then(|s| nested_body(s, depth))
        })
        .or_else(|| {
            // A message that is only a code (`"error": "ERROR_PROVIDER_ERROR"`) with the
            // upstream's body in another field (`details.detail: "… body={…}"`): that body.
            let coded = out
                .message
                .as_deref()
                .is_none_or(|m| !m.trim().contains(char::is_whitespace));
            (coded && depth < MAX_NESTING)
                .then(|| body_in_strings(v, depth))
                .flatten()
        });
    if let Some(inner) = inner {
        merge(&mut out, inner);
    }
    out
}

/// An HTTP reason phrase as RFC 9110 registers it ("Not Found", "Bad Request").
fn is_reason_phrase(s: &str) -> bool {
    let s = s.trim();
    (100..600u16).any(|n| {
        reqwest::StatusCode::from_u16(n)
            .ok()
            .and_then(|c| c.canonical_reason())
            .is_some_and(|r| r.eq_ignore_ascii_case(s))
    })
}

/// Read the fields of one `error` object.
fn read_fields(out: &mut ErrorBody, e: &Value) {
    if let Some(m) = message_of(e.get("message")) {
        out.message = Some(m);
    }
    out.etype = str_of(e.get("type")).or(out.etype.take());
    out.code = str_of(e.get("code")).or(out.code.take());
    // Python and some gateways print a missing param as the string "None".
    let param = str_of(e.get("param")).filter(|p| !matches!(p.as_str(), "None" | "null" | "none"));
    // A relay that puts the upstream's sentence in `param` ("message": "Param Incorrect",
    // "param": "max_tokens is too large: …"): a sentence is no parameter's name, it is the
    // message that says what was wrong.
    let (param, said) = match param {
        Some(p) if p.trim().contains(char::is_whitespace) => (None, Some(p)),
        p => (p, None),
    };
    if let Some(said) = said {
        out.message = Some(match out.message.take() {
            Some(m) => format!("{m}: {said}"),
            None => said,
        });
    }
    out.param = param.or(out.param.take()).or_else(|| detail_param(e));
    collect_tags(out, e);
}

/// The parameter the first of `details[]` names (Azure AI Foundry's `invalid_payload`:
/// `{"message": "Invalid payload", "details": [{"code": "ValidationError", "message": …,
/// "param": "temperature"}]}`), when the error itself names none.
fn detail_param(e: &Value) -> Option<String> {
    e.get("details")?
        .as_array()?
        .iter()
        .take(8)
        .find_map(|d| str_of(d.get("param")))
        .filter(|p| !matches!(p.as_str(), "None" | "null" | "none" | ""))
}

/// Every code-like string the body carries, lowercased: `type`, `code`, Google's `status`
/// and `details[].reason`/quota ids, Azure's `innererror.code`, Zen's error class.
fn collect_tags(out: &mut ErrorBody, e: &Value) {
    let mut add = |s: Option<String>| {
        if let Some(s) = s {
            let s = s.to_ascii_lowercase();
            if !s.is_empty() && !out.tags.contains(&s) && out.tags.len() < 32 {
                out.tags.push(s);
            }
        }
    };
    add(str_of(e.get("type")));
    add(str_of(e.get("code")));
    add(str_of(e.get("error_code")));
    // A code-like `reason` beside the message (Cursor's `{"type":"client","reason":
    // "invalid_input"}`, Google's ErrorInfo flattened); prose in it is no code.
    add(str_of(e.get("reason")).filter(|r| !r.contains(' ') && r.len() <= 64));
    add(e
        .get("base_resp")
        .and_then(|b| str_of(b.get("status_code"))));
    add(e.get("status").and_then(Value::as_str).map(str::to_string));
    add(e
        .get("innererror")
        .and_then(|i| i.get("code"))
        .and_then(|c| str_of(Some(c))));
    if let Some(Value::Array(details)) = e.get("details") {
        for d in details.iter().take(16) {
            add(str_of(d.get("reason")));
            if let Some(Value::Array(vs)) = d.get("violations") {
                for q in vs.iter().take(8) {
                    add(str_of(q.get("quotaId")));
                }
            }
            if let Some(delay) = d.get("retryDelay").and_then(Value::as_str) {
                out.retry_after_secs = out.retry_after_secs.or(seconds_of(delay));
            }
        }
    }
    if e.get("failed_generation").is_some() {
        add(Some("failed_generation".into()));
    }
}

/// `"43s"`, `"1.5s"`, `"250ms"` → whole seconds, rounded up.
pub fn seconds_of(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && (0.0..1e9).contains(&v)).then(|| (v * scale).ceil() as u64)
}

fn raw_upstream(v: &Value) -> Option<&str> {
    v.get("error")
        .and_then(|e| e.get("metadata"))
        .and_then(|m| m.get("raw"))
        .and_then(Value::as_str)
}

/// A string that holds a whole error body (JSON or a repr), read as one.
fn nested_body(s: &str, depth: u8) -> Option<ErrorBody> {
    if !s.contains(['{', '[']) {
        return None;
    }
    let (v, _) = find_structure(s)?;
    let b = from_value(&v, depth + 1)?;
    (b.message.is_some() || !b.tags.is_empty()).then_some(b)
}

/// The first error body held in a string anywhere in `v` (a few levels down, a few strings).
fn body_in_strings(v: &Value, depth: u8) -> Option<ErrorBody> {
    let mut stack = vec![(v, 0u8)];
    let mut seen = 0;
    while let Some((x, level)) = stack.pop() {
        match x {
            Value::String(s) if s.contains('{') => {
                seen += 1;
                if let Some(b) = nested_body(s, depth) {
                    return Some(b);
                }
            }
            Value::Object(o) if level < 3 => stack.extend(o.values().map(|y| (y, level + 1))),
            Value::Array(a) if level < 3 => stack.extend(a.iter().take(8).map(|y| (y, level + 1))),
            _ => {}
        }
        if seen >= 8 {
            break;
        }
    }
    None
}

/// The inner body wins where it says something; tags and a numeric code add up.
fn merge(out: &mut ErrorBody, inner: ErrorBody) {
    if inner.message.is_some() {
        out.message = inner.message;
    }
    out.etype = inner.etype.or(out.etype.take());
    if inner.code.is_some() {
        out.code = inner.code;
    }
    out.param = inner.param.or(out.param.take());
    for t in inner.tags {
        if !out.tags.contains(&t) {
            out.tags.push(t);
        }
    }
    out.retry_after_secs = out.retry_after_secs.or(inner.retry_after_secs);
    out.envelope |= inner.envelope;
    out.path = out.path.take().or(inner.path);
}

/// A message that arrives as bare text may still be a body (`"Error code: 400 - {…}"`).
fn from_message_text(s: &str, depth: u8) -> ErrorBody {
    let mut out = ErrorBody {
        message: Some(one_line(s)),
        ..Default::default()
    };
    if depth < MAX_NESTING {
        if let Some(inner) = nested_body(s, depth) {
            merge(&mut out, inner);
        }
    }
    out
}

/// A message field may itself be an object (seen on vLLM) or an array of strings.
fn message_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(one_line(s)),
        Value::Object(o) => message_of(o.get("message"))
            .or_else(|| Some(one_line(&Value::Object(o.clone()).to_string()))),
        Value::Array(a) if !a.is_empty() => Some(one_line(
            &a.iter()
                .take(16)
                .filter_map(|x| message_of(Some(x)))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        _ => None,
    }
}

pub fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// FastAPI/pydantic 422: `{"detail":[{"loc":["body","stream_options"],"msg":"Extra inputs are not permitted"}]}`.
fn fastapi_detail(detail: &Value) -> (Option<String>, Option<String>) {
    match detail {
        Value::String(s) => (Some(one_line(s)), None),
        Value::Array(items) => {
            let mut param = None;
            let parts: Vec<String> = items
                .iter()
                .take(16)
                .map(|it| {
                    let loc: Vec<String> = it
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .map(|x| {
                                    x.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| x.to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if param.is_none() {
                        param = loc
                            .iter()
                            .find(|s| KNOWN_PARAMS.contains(&s.as_str()))
                            .cloned();
                    }
                    let msg = it.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                    if loc.is_empty() {
                        msg.to_string()
                    } else {
                        format!("{}: {msg}", loc.join("."))
                    }
                })
                .collect();
            (Some(one_line(&parts.join("; "))), param)
        }
        other => (message_of(Some(other)), None),
    }
}

fn find_message_deep(v: &Value, depth: u8) -> Option<String> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Object(o) => {
            for key in [
                "message",
                "msg",
                "error_message",
                "errorMessage",
                "error_msg",
                "status_msg",
                "description",
                "detail",
                "error",
            ] {
                if let Some(Value::String(s)) = o.get(key) {
                    if !s.trim().is_empty() {
                        return Some(one_line(s));
                    }
                }
            }
            o.values().find_map(|x| find_message_deep(x, depth + 1))
        }
        Value::Array(a) => a.iter().find_map(|x| find_message_deep(x, depth + 1)),
        _ => None,
    }
}

/// What an error answer's body says of who answered, beside its words: the same status
/// means another thing from an API that understood the route than from a router that
/// has no such path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The API's own error envelope, with a message of its own: the server understood the
    /// route and refused what the request named.
    ApiError,
    /// A router's or framework's answer for a path it has no handler for, in any dress
    /// (`{"detail":"Not Found"}`, `404 page not found`, `Cannot POST /v1/x`).
    RouteMiss,
    /// An HTML page: a proxy's, a web app's, a CDN's.
    Page,
    /// Nothing to read (an empty body, or a client's placeholder for one: "Unknown error").
    Empty,
    /// A line of text in no API's shape.
    Text,
}

/// Messages a router gives any path it has no handler for, whole (after a leading status).
const ROUTE_MISS_WHOLE: &[&str] = &[
    "not found",
    "page not found",
    "resource not found",
    "the requested resource was not found",
    "the requested resource could not be found",
    "not found error",
    "no such route",
    "no route",
];

/// Words a router's miss carries wherever they stand.
const ROUTE_MISS_WORDS: &[&str] = &[
    "cannot post /",
    "cannot get /",
    "no route for",
    "no route matched",
    "route not found",
    "unknown route",
    "no handler",
    "invalid url",
    "unknown request url",
    "unknown url",
    "endpoint not found",
    "unknown endpoint",
    "path not found",
    "url not found",
    "page not found",
    "not a valid endpoint",
    "requested url was not found",
    "method not allowed",
];

/// Placeholders clients print where the body was empty or unreadable.
const EMPTY_WORDS: &[&str] = &[
    "unknown error",
    "no body",
    "(no body)",
    "empty body",
    "null",
];

/// The shape of an error answer's body.
pub fn shape(body: &ErrorBody) -> Shape {
    if body.html {
        return Shape::Page;
    }
    let msg = body.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let bare = msg
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, ':' | '-' | ' '))
        .trim_start_matches("error:")
        .trim()
        .trim_end_matches(['.', '!'])
        .trim();
    if bare.is_empty() || EMPTY_WORDS.contains(&bare) {
        return if body.envelope && !body.tags.is_empty() && bare.is_empty() {
            // Codes and no message: an API's shape, but nothing it says beyond a code
            // (`{"error":{"type":"not_found_error"}}`) tells a route from a model.
            Shape::RouteMiss
        } else {
            Shape::Empty
        };
    }
    if ROUTE_MISS_WHOLE.contains(&bare) || ROUTE_MISS_WORDS.iter().any(|w| msg.contains(w)) {
        return Shape::RouteMiss;
    }
    if body.envelope {
        Shape::ApiError
    } else {
        Shape::Text
    }
}
