//! An error event inside a 200 stream, against servers on 127.0.0.1 that send one after a
//! first chunk: the probe reads the event as an error body is read, so a rate limit, a
//! context overflow or a quota inside the stream fails with its own kind and fix, an
//! overloaded or failing upstream stays `stream_error`, and `zencheck explain` on the same
//! transcript pasted says the same.

use crate::common;

use axum::response::IntoResponse;
use common::{check, probe_at};
use zencheck::cmd::explain::explain;
use zencheck::failure::Kind;
use zencheck::finding::Status;

const CHUNK: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"po"}}]}"#;

/// A chat stream: one chunk of text, then `event` (a whole SSE event, its lines and the
/// blank line after), then the body ends.
fn chat_stream(event: &str) -> String {
    format!("data: {CHUNK}\n\n{event}")
}

/// An Anthropic `/messages` stream that starts, then sends `error`'s data as `event: error`.
fn messages_stream(error: &str) -> String {
    let start = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":3,"output_tokens":0}}}"#;
    format!("event: message_start\ndata: {start}\n\nevent: error\ndata: {error}\n\n")
}

/// A server whose every POST answers 200 with `body` as an event stream.
async fn streaming(body: String) -> String {
    common::serve_reply(move |_, _| {
        ([("content-type", "text/event-stream")], body.clone()).into_response()
    })
    .await
}

async fn row_of(body: String, id: &str) -> zencheck::report::CheckResult {
    let url = streaming(body).await;
    // A claude model is probed on /messages too.
    let model = if id.starts_with("messages.") {
        "claude-sonnet-4-5"
    } else {
        "m"
    };
    let r = probe_at(&url, &["-m", model, "--checks", id]).await;
    check(&r, id).clone()
}

#[tokio::test]
async fn an_error_event_that_names_its_cause_fails_with_that_kind() {
    let cases = [
        (
            "data: {\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n",
            Kind::RateLimit,
        ),
        (
            "data: {\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens.\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}\n\n",
            Kind::ContextOverflow,
        ),
        (
            "event: error\ndata: {\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}\n\n",
            Kind::Billing,
        ),
        (
            "data: {\"error\":{\"message\":\"upstream overloaded\",\"type\":\"server_error\"}}\n\n",
            Kind::StreamError,
        ),
    ];
    for (event, want) in cases {
        let body = chat_stream(event);
        let c = row_of(body.clone(), "chat.stream").await;
        assert_eq!((c.status, c.kind), (Status::Fail, Some(want)), "{event}");
        assert_eq!(c.http_status, Some(200), "{event}");
        assert!(c.provider_message.is_some(), "{event}");
        if want != Kind::StreamError {
            assert!(
                c.detail.contains("inside the 200 stream after 1 events"),
                "{}",
                c.detail
            );
        }
        // The same transcript, pasted, is read the same way.
        assert_eq!(explain(&body, None).kind, Some(want), "{event}");
    }
}

#[tokio::test]
async fn the_fix_is_the_causes_own() {
    let body = chat_stream(
        "data: {\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n",
    );
    let url = streaming(body).await;
    let r = probe_at(&url, &["-m", "m", "--checks", "chat.stream"]).await;
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let row = common::json_check(&json, "chat.stream");
    assert_eq!(row["kind"], "rate_limit");
    let hint = row["hint"].as_str().unwrap();
    // The rate limit's own fix (wait, back off), not "read error events".
    assert!(!hint.contains("onError"), "{hint}");
    assert_eq!(
        row["provider_message"], "Rate limit reached for requests",
        "{row}"
    );
}

#[tokio::test]
async fn an_anthropic_error_event_is_read_by_its_type() {
    let limited = messages_stream(
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#,
    );
    let c = row_of(limited.clone(), "messages.stream").await;
    assert_eq!(c.kind, Some(Kind::RateLimit), "{}", c.detail);
    assert_eq!(explain(&limited, None).kind, Some(Kind::RateLimit));
    let overloaded = messages_stream(
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    );
    let c = row_of(overloaded.clone(), "messages.stream").await;
    assert_eq!(c.kind, Some(Kind::StreamError), "{}", c.detail);
    assert_eq!(c.provider_message.as_deref(), Some("Overloaded"));
    assert_eq!(explain(&overloaded, None).kind, Some(Kind::StreamError));
}
