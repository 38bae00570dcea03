//! `chat.error_shape`: a deliberately invalid request (`messages` is not an array) must get
//! a 4xx whose JSON body carries an error message. A 200, a 5xx, an HTML page or a body
//! without a message is `bad_response`: clients then show only "An error occurred" for
//! every real error too.

use super::chat::{self, excerpt};
use super::spec::{cost, Judge, Spec};
use super::{answer_error, Ctx, TokenCap};
use crate::classify::parse_error_body;
use crate::failure::Kind;
use crate::http::{Answer, Auth, Request};
use crate::outcome::{Finding, Status};
use crate::route::Route;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec::main(
    "chat.error_shape",
    Route::Chat,
    |m, c| vec![invalid_request(m, c)],
    Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
    cost(1, super::MAX_TOKENS),
);

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
    let json_object = serde_json::from_slice::<Value>(&a.body).is_ok_and(|v| v.is_object());
    let quoted = parsed.message.clone().unwrap_or_default();
    let bad = |status, detail: String| {
        Finding::new(status, Some(Kind::BadResponse), detail)
            .with_evidence(a.evidence())
            .with_timing(a.timing)
    };
    match a.status {
        // A refusal for the key, credit or rate says nothing about the error shape.
        401 | 402 | 403 | 429 => answer_error(a, &[]),
        200..=299 => bad(
            Status::Fail,
            format!(
                "HTTP {} for a request whose `messages` is not an array: invalid requests are accepted{}",
                a.status,
                if json_object { "" } else { " (and the body is not JSON)" }
            ),
        ),
        400..=499 if json_object && !quoted.is_empty() => Finding::pass(format!(
            "HTTP {} with a JSON error: \"{}\"",
            a.status,
            excerpt(&quoted, 80)
        ))
        .with_evidence(a.evidence())
        .with_timing(a.timing),
        400..=499 if parsed.html => bad(
            Status::Warn,
            format!("HTTP {} with an HTML page instead of a JSON error", a.status),
        ),
        400..=499 if json_object => bad(
            Status::Warn,
            format!(
                "HTTP {} with JSON that carries no error message: {}",
                a.status,
                excerpt(&String::from_utf8_lossy(&a.body), 80)
            ),
        ),
        400..=499 => bad(
            Status::Warn,
            format!(
                "HTTP {} with a body that is not JSON: \"{}\"",
                a.status,
                excerpt(&quoted, 80)
            ),
        ),
        s => bad(
            Status::Warn,
            format!(
                "HTTP {s} for an invalid request (a client error, 4xx, was due){}",
                if parsed.html { ": an HTML page" } else { "" }
            ),
        ),
    }
}
