//! The probe's misses, measured against misbehaving servers, and where zencheck's verdict
//! must agree with what real clients experience: each test against a server on 127.0.0.1
//! (the built-in mock or an axum server written here) that the verdict before the fix got
//! wrong.

use crate::common;

use common::{chat_completion, check, probe, probe_mock, serve_reply, usage};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

#[tokio::test]
async fn the_tool_round_trips_notice_another_model_answered() {
    let (_mock, r) = probe_mock(
        Scenario::ModelMismatch,
        &[
            "-m",
            "mock-small",
            "--checks",
            "chat.tool_roundtrip,responses.tool_roundtrip",
        ],
    )
    .await;
    for id in ["chat.tool_roundtrip", "responses.tool_roundtrip"] {
        let c = check(&r, id);
        assert_eq!(
            (c.status, c.kind),
            (Status::Warn, Some(Kind::ModelMismatch)),
            "{id}: {}",
            r.to_json()
        );
        assert!(c.detail.contains("mock-fallback"), "{id}: {}", c.detail);
    }
}

/// Turn one answered by the model asked for, turn two by another maker's: the round trip's
/// answer came from a model the app was not built for.
#[tokio::test]
async fn another_makers_model_on_the_second_turn_fails_the_round_trip() {
    let base = serve_reply(|path, body: &Value| {
        if path.ends_with("/models") {
            return axum::Json(json!({"data": [{"id": "gpt-4o"}]})).into_response();
        }
        let turn2 = body["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["role"] == "tool"));
        let v = if turn2 {
            chat_completion(
                "claude-3-5-haiku",
                json!({"role": "assistant", "content": "Paris: 17 C, report ZC-4821"}),
                "stop",
                usage(40, 9),
            )
        } else {
            chat_completion(
                "gpt-4o",
                json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]}),
                "tool_calls",
                usage(30, 8),
            )
        };
        axum::Json(v).into_response()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "gpt-4o",
        "--checks",
        "chat.tool_roundtrip",
    ])
    .await;
    let c = check(&r, "chat.tool_roundtrip");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::ModelMismatch)),
        "{}",
        r.to_json()
    );
    assert!(
        c.detail.contains("turn 2") && c.detail.contains("claude-3-5-haiku"),
        "{}",
        c.detail
    );
}

use axum::response::IntoResponse;
