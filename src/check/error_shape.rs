//! `chat.error_shape`: a deliberately invalid request (`messages` is not an array) must get
//! a 4xx whose JSON body carries its message in OpenAI's envelope, `{"error": {"message"}}`:
//! the only shape every client reads. The AI SDK's error schema wants exactly it and shows the
//! bare status phrase otherwise; openai-node reads `error.message` and shows "400 status code
//! (no body)" for any other JSON; only openai-python prints a raw body. So a FastAPI `detail`
//! list, vLLM's top-level `message`, an `error` string, an HTML or text page, a 5xx (which SDKs
//! retry) are `bad_response` warnings, and a 200 (with an error body or an answer) fails.

use super::chat;
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::answer::answer_error;
use super::ask::TokenCap;
use super::Ctx;
use crate::classify::parse_error_body;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Status};
use crate::route::Route;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec {
    proves: "an invalid request gets a 4xx with a JSON error message",
    hint: Some(CheckHint::ErrorShape),
    ..Spec::main(
        "chat.error_shape",
        Route::Chat,
        |m, c| vec![invalid_request(m, c)],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(1, super::ask::MAX_TOKENS),
    )
};

/// Valid JSON, invalid request: every OpenAI-compatible server must refuse it.
fn invalid_request(model: &str, cap: TokenCap) -> Request {
    let mut body = chat::chat_request(model, false, cap, json!({}));
    body["messages"] = json!("this should be an array of messages");
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    match cx.http.call(cx.target, &invalid_request(model, cap)).await {
        Err(f) => f,
        Ok(a) => judge(&a).note_retry(a.waited_secs),
    }
}

pub fn judge(a: &Answer) -> Finding {
    let parsed = parse_error_body(a.content_type.as_deref(), &a.body);
    let body = serde_json::from_slice::<Value>(&a.body)
        .ok()
        .filter(Value::is_object);
    let quoted = excerpt(&parsed.message.clone().unwrap_or_default(), 80);
    let bad = |status, detail: String| {
        Finding::new(status, Some(Kind::BadResponse), detail)
            .with_evidence(a.evidence())
            .with_timing(a.timing)
    };
    let s = a.status;
    match s {
        // A refusal for the key, credit or rate says nothing about the error shape.
        401 | 402 | 403 | 429 => answer_error(a, &[]),
        200..=299 if body.as_ref().is_some_and(error_body) => bad(
            Status::Fail,
            format!(
                "HTTP {s} with an error body (\"{quoted}\") for a request whose `messages` is not an array: clients take it for an answer (openai-python returns it, and the app fails later on `.choices`)"
            ),
        ),
        200..=299 => bad(
            Status::Fail,
            format!(
                "HTTP {s} for a request whose `messages` is not an array: invalid requests are accepted{}",
                if body.is_some() { "" } else { " (and the body is not JSON)" }
            ),
        ),
        400..=499 => match (body.as_ref().map(|v| shape(v, !quoted.is_empty())), parsed.html) {
            (Some(Shape::OpenAi(m)), _) => Finding::pass(format!(
                "HTTP {s} with a JSON error: \"{}\"",
                excerpt(&m, 80)
            ))
            .with_evidence(a.evidence())
            .with_timing(a.timing),
            (Some(Shape::Other(what)), _) => bad(
                Status::Warn,
                format!(
                    "HTTP {s} with {what} (\"{quoted}\"), not OpenAI's {{\"error\": {{\"message\"}}}}: openai-python prints the raw body, but openai-node shows \"{s} status code (no body)\" and the AI SDK only \"{}\"",
                    reason(s)
                ),
            ),
            (Some(Shape::NoMessage), _) => bad(
                Status::Warn,
                format!(
                    "HTTP {s} with JSON that carries no error message: {}",
                    excerpt(&String::from_utf8_lossy(&a.body), 80)
                ),
            ),
            (None, true) => bad(
                Status::Warn,
                format!("HTTP {s} with an HTML page (\"{quoted}\") instead of a JSON error: clients show \"{}\" or the page's markup", reason(s)),
            ),
            (None, false) if quoted.is_empty() => bad(
                Status::Warn,
                format!("HTTP {s} with an empty body: clients show only \"{}\"", reason(s)),
            ),
            (None, false) => bad(
                Status::Warn,
                format!(
                    "HTTP {s} with a body that is not JSON: \"{quoted}\": clients show only \"{}\" or the raw text",
                    reason(s)
                ),
            ),
        },
        500..=599 => bad(
            Status::Warn,
            format!(
                "HTTP {s} for an invalid request (a 4xx was due){}: SDKs take it for a server failure and retry it (openai-python twice), though it can never pass",
                match (parsed.html, quoted.is_empty()) {
                    (true, _) => format!(", an HTML page \"{quoted}\""),
                    (false, false) => format!(": \"{quoted}\""),
                    (false, true) => String::new(),
                }
            ),
        ),
        _ => bad(
            Status::Warn,
            format!("HTTP {s} for an invalid request (a client error, 4xx, was due)"),
        ),
    }
}

/// How an error body carries its message, as clients read it.
enum Shape {
    /// `{"error": {"message": "…"}}`: the only shape every SDK reads (the AI SDK's schema
    /// wants exactly it; openai-node reads `error.message`).
    OpenAi(String),
    /// A message elsewhere: FastAPI's `detail`, vLLM's top-level `message`, `error` as a string.
    Other(&'static str),
    NoMessage,
}

fn shape(v: &Value, has_message: bool) -> Shape {
    let text = |x: Option<&Value>| x.and_then(Value::as_str).map(str::trim).filter(|m| !m.is_empty()).map(str::to_string);
    if let Some(m) = text(v.pointer("/error/message")) {
        return Shape::OpenAi(m);
    }
    match () {
        _ if v.get("detail").is_some_and(|d| !d.is_null()) => Shape::Other("FastAPI's `detail`"),
        _ if text(v.get("error")).is_some() => Shape::Other("`error` as a bare string"),
        _ if v.get("message").is_some_and(|m| !m.is_null()) => Shape::Other("a top-level `message`"),
        _ if v.pointer("/error/message").is_some_and(|m| m.is_object()) => {
            Shape::Other("an object as `error.message`")
        }
        _ if has_message => Shape::Other("its message outside `error.message`"),
        _ => Shape::NoMessage,
    }
}

/// A JSON body that is an error, not an answer.
fn error_body(v: &Value) -> bool {
    v.get("choices").is_none()
        && (v.get("error").is_some_and(|e| !e.is_null())
            || v.get("object").and_then(Value::as_str) == Some("error")
            || v.get("type").and_then(Value::as_str) == Some("error")
            || v.get("detail").is_some_and(|d| !d.is_null()))
}

/// The status phrase a client falls back to ("Bad Request").
fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("an error occurred")
}
