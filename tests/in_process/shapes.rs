//! The opt-in message-shape checks (`chat.developer_role`, `chat.content_parts`): against the
//! mock, and against servers written here that drop, flatten or refuse what carries the
//! instruction.

use crate::common;

use axum::body::Bytes;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use common::{probe, probe_mock, verdict};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

const BOTH: &str = "chat.basic,chat.developer_role,chat.content_parts";

#[tokio::test]
async fn the_mock_honours_both_and_its_scenarios_break_one_each() {
    let (_s, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small", "--checks", BOTH]).await;
    assert_eq!(
        verdict(&r, "chat.developer_role").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
    assert_eq!(
        verdict(&r, "chat.content_parts").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let (_s, r) = probe_mock(
        Scenario::DeveloperDropped,
        &["-m", "mock-small", "--checks", BOTH],
    )
    .await;
    assert_eq!(
        verdict(&r, "chat.developer_role"),
        (
            Status::Warn,
            Some(Kind::ParamIgnored),
            Some("developer".into())
        ),
        "{}",
        r.to_json()
    );
    assert_eq!(verdict(&r, "chat.content_parts").0, Status::Pass);
    let (_s, r) = probe_mock(
        Scenario::PartsRejected,
        &["-m", "mock-small", "--checks", BOTH],
    )
    .await;
    assert_eq!(
        verdict(&r, "chat.content_parts"),
        (
            Status::Warn,
            Some(Kind::ParamRejected),
            Some("content".into())
        ),
        "{}",
        r.to_json()
    );
}

/// How a server written here treats the shapes.
#[derive(Clone, Copy)]
enum Shape {
    /// Refuses the developer role in vLLM's words of old.
    RejectDeveloper,
    /// Reads only the first text part, answers as if told half.
    FirstPartOnly,
}

async fn serve(shape: Shape) -> String {
    let chat = move |body: Bytes| async move {
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let msgs = v["messages"].as_array().cloned().unwrap_or_default();
        if matches!(shape, Shape::RejectDeveloper) && msgs.iter().any(|m| m["role"] == "developer")
        {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                Json(json!({"object": "error", "message": "1 validation error: messages.0.role: Input should be 'system', 'user', 'assistant' or 'tool' [input_value='developer']", "type": "BadRequestError", "param": null, "code": 400})),
            )
                .into_response();
        }
        // The answer: the word of an instruction found in what this server reads.
        let read: Vec<String> = msgs
            .iter()
            .map(|m| match &m["content"] {
                Value::String(s) => s.clone(),
                Value::Array(p) if matches!(shape, Shape::FirstPartOnly) => p
                    .first()
                    .and_then(|p| p["text"].as_str())
                    .unwrap_or("")
                    .to_string(),
                Value::Array(p) => p
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => String::new(),
            })
            .collect();
        let word = read
            .iter()
            .find_map(|t| {
                t.split("single word ")
                    .nth(1)
                    .and_then(|w| w.split_whitespace().next())
            })
            .unwrap_or("pong")
            .to_string();
        Json(common::chat_completion(
            "m",
            json!({"role": "assistant", "content": word}),
            "stop",
            common::usage(12, 1),
        ))
        .into_response()
    };
    let app = Router::new()
        .route("/v1/chat/completions", post(chat))
        .route(
            "/v1/models",
            get(|| async { Json(json!({"data": [{"id": "m"}]})) }),
        );
    format!("http://{}/v1", common::serve_app(app).await)
}

#[tokio::test]
async fn a_refused_developer_role_is_named() {
    let url = serve(Shape::RejectDeveloper).await;
    let r = probe(&["--base-url", &url, "-m", "m", "--checks", BOTH]).await;
    assert_eq!(
        verdict(&r, "chat.developer_role"),
        (
            Status::Warn,
            Some(Kind::ParamRejected),
            Some("developer".into())
        ),
        "{}",
        r.to_json()
    );
    assert_eq!(
        verdict(&r, "chat.content_parts").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn a_server_that_reads_one_part_ignores_the_rest() {
    let url = serve(Shape::FirstPartOnly).await;
    let r = probe(&["--base-url", &url, "-m", "m", "--checks", BOTH]).await;
    assert_eq!(
        verdict(&r, "chat.content_parts"),
        (
            Status::Warn,
            Some(Kind::ParamIgnored),
            Some("content".into())
        ),
        "{}",
        r.to_json()
    );
    assert_eq!(
        verdict(&r, "chat.developer_role").0,
        Status::Pass,
        "{}",
        r.to_json()
    );
}
