//! The context checks (`chat.truncation_canary`, `chat.context_overflow`): against the mock
//! in its window scenarios, and against servers written here that cut, refuse or choke on a
//! long prompt the ways real ones do.

use crate::common;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{probe, probe_mock, verdict};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

const BOTH: &str = "chat.basic,chat.truncation_canary,chat.context_overflow";

#[tokio::test]
async fn a_healthy_server_passes_both_and_star_leaves_the_costly_one_out() {
    let (_s, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small", "--checks", BOTH]).await;
    assert_eq!(
        verdict(&r, "chat.truncation_canary").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
    assert_eq!(
        verdict(&r, "chat.context_overflow").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let (_s, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small", "--checks", "*"]).await;
    assert!(r.checks.iter().any(|c| c.check == "chat.truncation_canary"));
    assert!(
        !r.checks.iter().any(|c| c.check == "chat.context_overflow"),
        "`*` must not run the million-token check: {}",
        r.to_json()
    );
    assert_eq!(r.summary.fail + r.summary.warn, 0, "{}", r.to_json());
}

#[tokio::test]
async fn the_mock_scenarios_get_their_verdicts() {
    for (scenario, id, kind) in [
        (
            Scenario::Overflow500,
            "chat.context_overflow",
            Kind::ServerError,
        ),
        (
            Scenario::OverflowUnrecognised,
            "chat.context_overflow",
            Kind::BadRequest,
        ),
        (
            Scenario::ContextTruncated,
            "chat.context_overflow",
            Kind::ContextTruncated,
        ),
        (
            Scenario::ContextTruncated,
            "chat.truncation_canary",
            Kind::ContextTruncated,
        ),
    ] {
        let (_s, r) = probe_mock(scenario, &["-m", "mock-small", "--checks", BOTH]).await;
        let (status, got, _) = verdict(&r, id);
        assert_eq!(
            (status, got),
            (Status::Fail, Some(kind)),
            "{scenario:?} {id}: {}",
            r.to_json()
        );
    }
}

/// How a server written here treats a long prompt.
#[derive(Clone, Copy)]
enum Long {
    /// llama.cpp with a small --ctx-size and context shift: keeps the last 2 048 tokens.
    Cut,
    /// Counts the whole prompt, answers without the word (a model that did not follow).
    Forget,
    /// Anthropic's wording of an honest refusal, in a 400.
    AnthropicRefusal,
}

fn words(v: &Value) -> u64 {
    v.to_string().split_whitespace().count() as u64
}

async fn serve(long: Long, body_limit: Option<usize>) -> String {
    let chat = move |body: Bytes| async move {
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let sent = words(&v["messages"]);
        let (content, counted) = match long {
            _ if sent < 100 => ("pong".to_string(), sent),
            Long::Cut => (
                "Hello! How can I help you today?".to_string(),
                sent.min(2048),
            ),
            Long::Forget => ("I cannot tell.".to_string(), sent),
            Long::AnthropicRefusal => {
                let msg = format!("prompt is too long: {sent} tokens > 8192 maximum");
                return (
                    axum::http::StatusCode::BAD_REQUEST,
                    Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": msg}})),
                )
                    .into_response();
            }
        };
        let usage = common::usage(counted, 3);
        Json(common::chat_completion(
            "m",
            json!({"role": "assistant", "content": content}),
            "stop",
            usage,
        ))
        .into_response()
    };
    let mut app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route(
            "/v1/models",
            get(|| async { Json(json!({"data": [{"id": "m"}]})) }),
        );
    if let Some(n) = body_limit {
        app = app.layer(DefaultBodyLimit::max(n));
    }
    format!("http://{}/v1", common::serve_app(app).await)
}

async fn run(url: &str, checks: &str) -> zencheck::report::Report {
    probe(&["--base-url", url, "-m", "m", "--checks", checks]).await
}

#[tokio::test]
async fn a_server_that_cuts_long_prompts_fails_both() {
    let url = serve(Long::Cut, Some(16 << 20)).await;
    let r = run(&url, BOTH).await;
    for id in ["chat.truncation_canary", "chat.context_overflow"] {
        let (status, kind, _) = verdict(&r, id);
        assert_eq!(
            (status, kind),
            (Status::Fail, Some(Kind::ContextTruncated)),
            "{id}: {}",
            r.to_json()
        );
        assert!(
            common::check(&r, id).detail.contains("2048"),
            "{}",
            r.to_json()
        );
    }
}

#[tokio::test]
async fn a_whole_count_without_the_word_is_only_a_warning() {
    let url = serve(Long::Forget, None).await;
    let r = run(&url, "chat.truncation_canary").await;
    assert_eq!(
        verdict(&r, "chat.truncation_canary").0,
        Status::Warn,
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn an_honest_refusal_in_anthropic_words_passes_both() {
    let url = serve(Long::AnthropicRefusal, Some(16 << 20)).await;
    let r = run(&url, BOTH).await;
    for id in ["chat.truncation_canary", "chat.context_overflow"] {
        assert_eq!(verdict(&r, id).0, Status::Pass, "{id}: {}", r.to_json());
    }
}

#[tokio::test]
async fn a_body_limit_in_front_of_the_model_is_named() {
    // axum's own 2 MB default: a 413 before the model sees the prompt.
    let url = serve(Long::Forget, Some(2 << 20)).await;
    let r = run(&url, "chat.context_overflow").await;
    let (status, kind, _) = verdict(&r, "chat.context_overflow");
    assert_eq!(
        (status, kind),
        (Status::Fail, Some(Kind::RequestTooLarge)),
        "{}",
        r.to_json()
    );
}
