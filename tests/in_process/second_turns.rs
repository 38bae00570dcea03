//! Second turns that carry what the first one returned: a reasoning model's
//! `reasoning_content` beside its tool calls (`chat.reasoning_passback`), against the mock's
//! reasoning scenarios and small axum servers that require it or refuse it.

use crate::common;

use axum::response::IntoResponse;
use common::{expect, is, probe_at, probe_mock, serve_reply};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

const PASSBACK: [&str; 4] = ["-m", "mock-small", "--checks", "chat.reasoning_passback"];

#[tokio::test]
async fn reasoning_passed_back_or_not_is_fine_on_the_mock_and_required_by_a_thinking_mode() {
    let (_, r) = probe_mock(Scenario::Reasoning, &PASSBACK).await;
    let c = expect(&r, "chat.reasoning_passback", is(Status::Pass));
    assert!(c.detail.starts_with("not required"), "{}", c.detail);

    let (m, r) = probe_mock(Scenario::ReasoningRequired, &PASSBACK).await;
    let c = expect(
        &r,
        "chat.reasoning_passback",
        is(Status::Warn)
            .kind(Kind::BadRequest)
            .param("reasoning_content"),
    );
    assert!(c.detail.starts_with("required"), "{}", c.detail);
    assert!(
        c.provider_message
            .as_deref()
            .is_some_and(|m| m.contains("Missing `reasoning_content`")),
        "{}",
        r.to_json()
    );
    let hint = c.hint.as_deref().unwrap_or("");
    assert!(
        hint.contains("interleaved") && hint.contains("crush#2696"),
        "{hint}"
    );
    // chat.basic (and its retry at a reasoning model's cap), then the three turns.
    assert!(m.requests() <= 6, "{} requests", m.requests());
}

#[tokio::test]
async fn a_model_that_shows_no_reasoning_gets_no_passback_requests() {
    let (m, r) = probe_mock(Scenario::Healthy, &PASSBACK).await;
    expect(&r, "chat.reasoning_passback", is(Status::Skip));
    let basic_only = m.requests();
    let (m, _) = probe_mock(
        Scenario::Healthy,
        &["-m", "mock-small", "--checks", "chat.basic"],
    )
    .await;
    assert_eq!(basic_only, m.requests());
}

/// A thinking model behind a strict validator: turn 1 reasons and calls, and any assistant
/// message that carries `reasoning_content` is refused as an unknown key.
fn strict_thinking(_: &str, body: &Value) -> axum::response::Response {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    if messages
        .iter()
        .any(|m| m.get("reasoning_content").is_some())
    {
        return (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"error": {"message": "messages.1.reasoning_content: Extra inputs are not permitted", "type": "invalid_request_error", "code": null}})),
        )
            .into_response();
    }
    let message = if messages.iter().any(|m| m["role"] == "tool") {
        json!({"role": "assistant", "content": "Paris: 17 °C, report ZC-4821.", "reasoning_content": "The tool answered."})
    } else {
        json!({"role": "assistant", "content": null, "reasoning_content": "The user wants the weather; call the tool.",
               "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]})
    };
    let finish = if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    axum::Json(json!({
        "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 30, "total_tokens": 50,
                  "completion_tokens_details": {"reasoning_tokens": 12}}
    }))
    .into_response()
}

#[tokio::test]
async fn a_validator_that_refuses_reasoning_sent_back_is_named() {
    let base = serve_reply(strict_thinking).await;
    let r = probe_at(&base, &["-m", "m", "--checks", "chat.reasoning_passback"]).await;
    let c = expect(
        &r,
        "chat.reasoning_passback",
        is(Status::Warn)
            .kind(Kind::ParamRejected)
            .param("reasoning_content"),
    );
    assert!(
        c.detail.starts_with("refused when sent back"),
        "{}",
        c.detail
    );
    assert!(
        c.hint.as_deref().is_some_and(|h| h.contains("interleaved")),
        "{}",
        r.to_json()
    );
}

const THINKING: [&str; 6] = [
    "-m",
    "mock-small",
    "--routes",
    "messages",
    "--checks",
    "messages.thinking",
];

#[tokio::test]
async fn thinking_blocks_go_back_signed_on_the_mock_and_an_unsigned_one_breaks_turn_two() {
    let (m, r) = probe_mock(Scenario::Healthy, &THINKING).await;
    let c = expect(&r, "messages.thinking", is(Status::Pass));
    assert!(
        c.detail.contains("1 thinking block") && c.detail.contains("the result was used"),
        "{}",
        c.detail
    );
    // The two turns, and nothing else.
    assert_eq!(m.requests(), 2);

    let (_, r) = probe_mock(Scenario::ThinkingUnsigned, &THINKING).await;
    let c = expect(
        &r,
        "messages.thinking",
        is(Status::Fail)
            .kind(Kind::BadRequest)
            .param("signature")
            .says("without its signature"),
    );
    assert!(
        c.provider_message
            .as_deref()
            .is_some_and(|m| m.contains("Invalid `signature`")),
        "{}",
        r.to_json()
    );
    assert!(
        c.hint
            .as_deref()
            .is_some_and(|h| h.contains("byte for byte")),
        "{}",
        r.to_json()
    );
}

/// A relay in front of Anthropic that strips thinking blocks from what it returns, while
/// the model behind it wants them back with the tool result.
fn stripping_relay(_: &str, body: &Value) -> axum::response::Response {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let tool_turn = messages.iter().any(|m| {
        m["role"] == "assistant"
            && m["content"]
                .as_array()
                .is_some_and(|c| c.iter().any(|b| b["type"] == "tool_use"))
    });
    if tool_turn {
        let first = messages[1]["content"][0]["type"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if first != "thinking" {
            let msg = format!("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{first}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.");
            return (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": msg}})),
            )
                .into_response();
        }
    }
    let content = if messages.len() == 1 && body.get("tools").is_some() {
        json!([{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}])
    } else {
        json!([{"type": "text", "text": "pong"}])
    };
    axum::Json(json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": content, "stop_reason": "end_turn", "usage": {"input_tokens": 9, "output_tokens": 3}}))
    .into_response()
}

#[tokio::test]
async fn a_relay_that_strips_thinking_blocks_is_named_when_turn_two_is_refused() {
    let base = serve_reply(stripping_relay).await;
    let r = probe_at(
        &base,
        &[&["-m", "claude-sonnet-4-5"], &THINKING[2..]].concat(),
    )
    .await;
    expect(
        &r,
        "messages.thinking",
        is(Status::Fail)
            .kind(Kind::BadRequest)
            .param("thinking")
            .says("no thinking block although thinking was on"),
    );
}
