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

/// A chat stream whose frames are right but labelled `application/json`: openai-python,
/// openai-node and the AI SDK read it (they go by the request's `stream` flag); a warning
/// names the readers that check the label. A whole JSON answer to `stream: true` still fails.
#[tokio::test]
async fn an_event_stream_labelled_json_is_a_warning_naming_the_strict_readers() {
    let base = serve_reply(|path, body: &Value| {
        if path.ends_with("/models") {
            return axum::Json(json!({"data": [{"id": "m"}]})).into_response();
        }
        if body["stream"] != true {
            return axum::Json(chat_completion(
                "m",
                json!({"role": "assistant", "content": "pong"}),
                "stop",
                usage(9, 1),
            ))
            .into_response();
        }
        let mut frames = String::new();
        for (delta, finish) in [
            (json!({"role": "assistant", "content": "po"}), Value::Null),
            (json!({"content": "ng"}), Value::Null),
            (json!({}), json!("stop")),
        ] {
            let chunk = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
            frames.push_str(&format!("data: {chunk}\n\n"));
        }
        frames.push_str("data: [DONE]\n\n");
        ([("content-type", "application/json")], frames).into_response()
    })
    .await;
    let r = probe(&["--base-url", &base, "-m", "m", "--checks", "chat.stream"]).await;
    let c = check(&r, "chat.stream");
    assert_eq!(
        (c.status, c.kind),
        (Status::Warn, Some(Kind::NotSse)),
        "{}",
        r.to_json()
    );
    for reader in [
        "openai-python",
        "httpx-sse",
        "fetch-event-source",
        "async-openai",
    ] {
        assert!(c.detail.contains(reader), "{reader}: {}", c.detail);
    }
    assert!(
        c.detail.contains("\"pong\""),
        "the stream was read: {}",
        c.detail
    );
    let hint = c.hint.as_deref().unwrap_or("");
    assert!(hint.contains("text/event-stream"), "{hint}");
    assert!(!hint.contains("turn streaming off"), "{hint}");
    assert!(!r.failed(), "{}", r.to_json());

    // One whole completion under stream: true is still streaming ignored.
    let (_mock, r) = probe_mock(
        Scenario::NotSse,
        &["-m", "mock-small", "--checks", "chat.stream"],
    )
    .await;
    let c = check(&r, "chat.stream");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::NotSse)),
        "{}",
        r.to_json()
    );
}

/// A thinking model whose server refuses a tool result unless the assistant message that
/// called carries its `reasoning_content` (DeepSeek's thinking mode): the AI SDK sends it
/// back and succeeds, so the default round trips do too.
#[tokio::test]
async fn the_round_trips_send_the_reasoning_back_as_clients_do() {
    let (_mock, r) = probe_mock(
        Scenario::ReasoningRequired,
        &[
            "-m",
            "mock-small",
            "--checks",
            "chat.tool_roundtrip,chat.stream_tool_roundtrip",
        ],
    )
    .await;
    for id in ["chat.tool_roundtrip", "chat.stream_tool_roundtrip"] {
        let c = check(&r, id);
        assert_eq!(c.status, Status::Pass, "{id}: {}", r.to_json());
    }
}

/// An edge timeout advises streaming: the finding says whether streams worked in the run, or
/// that none was checked and how to check one.
#[tokio::test]
async fn an_edge_timeout_that_advises_streaming_says_whether_streams_work() {
    let (_mock, r) = probe_mock(Scenario::EdgeTimeout, &["-m", "mock-small"]).await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::Timeout), "{}", r.to_json());
    assert!(
        basic.detail.contains("streaming works through this edge")
            && basic.detail.contains("chat.stream passed"),
        "{}",
        basic.detail
    );

    let (_mock, r) = probe_mock(
        Scenario::EdgeTimeout,
        &["-m", "mock-small", "--checks", "chat.basic"],
    )
    .await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.kind, Some(Kind::Timeout), "{}", r.to_json());
    assert!(
        basic
            .detail
            .contains("streaming was not checked in this run")
            && basic.detail.contains("--checks chat.stream"),
        "{}",
        basic.detail
    );
}

/// A 404 on the chat route read by its shape: the API's own error envelope says the route
/// answered (what was not found is the model, or the key's access to it), while a router's
/// plain 404 or an empty one on the same path says the URL is wrong.
#[tokio::test]
async fn a_404_in_the_apis_own_shape_on_the_chat_route_is_the_model_not_the_base_url() {
    let base = serve_reply(|path, _body: &Value| {
        if path.ends_with("/models") {
            return axum::Json(json!({"data": [{"id": "served-1"}]})).into_response();
        }
        (
            axum::http::StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"message": "nope-1 is not served here", "type": "invalid_request_error", "code": null}})),
        )
            .into_response()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "nope-1",
        "--checks",
        "chat.basic",
    ])
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::ModelNotFound)),
        "{}",
        r.to_json()
    );
    let hint = c.hint.as_deref().unwrap_or("");
    assert!(hint.contains("reaches the API"), "{hint}");
    assert!(!hint.to_lowercase().contains("base url"), "{hint}");

    // The same path answered by a router with no such route: the base URL, as before.
    for (ct, body) in [
        ("text/plain", "404 page not found"),
        ("application/json", r#"{"detail":"Not Found"}"#),
        (
            "text/html",
            "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
        ),
        ("text/plain", ""),
    ] {
        let base = serve_reply(move |_path, _body: &Value| {
            (
                axum::http::StatusCode::NOT_FOUND,
                [(axum::http::header::CONTENT_TYPE, ct)],
                body,
            )
                .into_response()
        })
        .await;
        let r = probe(&[
            "--base-url",
            &base,
            "-m",
            "nope-1",
            "--checks",
            "chat.basic",
        ])
        .await;
        let c = check(&r, "chat.basic");
        assert_eq!(
            (c.status, c.kind),
            (Status::Fail, Some(Kind::BaseUrl)),
            "{body}: {}",
            r.to_json()
        );
    }
}
