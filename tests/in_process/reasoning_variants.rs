//! Reasoning models as real servers present them, against small servers on 127.0.0.1:
//! `<think>` tags inside content (DeepSeek-R1, Qwen3 on a server without a reasoning
//! parser), `delta.reasoning` against `delta.reasoning_content`, `reasoning_tokens` absent or
//! always 0, and `reasoning_effort` refused by name (OpenAI) or through Ollama's `think`.

use crate::common;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use common::{check, probe, sse};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;

async fn serve(handler: fn(&Value) -> Response) -> String {
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |Json(body): Json<Value>| async move { handler(&body) }),
    );
    let addr = common::serve_app(app).await;
    format!("http://{addr}/v1")
}

async fn run(url: &str, checks: &str) -> zencheck::report::Report {
    probe(&["--base-url", url, "-m", "m", "--checks", checks]).await
}

/// The output cap the request carries, under either key.
fn cap(body: &Value) -> u64 {
    body.get("max_completion_tokens")
        .or(body.get("max_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn completion(message: Value, finish: &str, usage: Value) -> Response {
    Json(common::chat_completion("m", message, finish, usage)).into_response()
}

fn delta(d: Value, finish: Option<&str>) -> Value {
    common::chat_chunk("m", d, finish)
}

/// DeepSeek-R1 on a server without a reasoning parser: the template opened `<think>` in the
/// prompt, so the content starts mid-thought and only `</think>` shows; a small cap ends
/// inside the thought.
fn r1_in_content(body: &Value) -> Response {
    let usage = json!({"prompt_tokens": 9, "completion_tokens": cap(body).min(40)});
    if body["stream"] == true {
        return sse(&[
            delta(
                json!({"role": "assistant", "content": "The user wants "}),
                None,
            ),
            delta(json!({"content": "pong.\n</think>\n\n"}), None),
            delta(json!({"content": "pong"}), None),
            delta(json!({}), Some("stop")),
        ]);
    }
    if cap(body) < 100 {
        return completion(
            json!({"role": "assistant", "content": "Okay, the user wants me to reply with"}),
            "length",
            usage,
        );
    }
    completion(
        json!({"role": "assistant", "content": "Okay, the user wants pong.\n</think>\n\npong"}),
        "stop",
        usage,
    )
}

#[tokio::test]
async fn think_tags_inside_content_are_reasoning_and_a_cap_they_spend_is_retried() {
    let url = serve(r1_in_content).await;
    let r = run(&url, "chat.basic,chat.stream").await;
    let basic = check(&r, "chat.basic");
    assert_eq!(basic.status, Status::Pass, "{}", basic.detail);
    assert!(basic.detail.contains("retried once"), "{}", basic.detail);
    assert!(
        basic.detail.contains("\"pong\""),
        "the answer is not the thought: {}",
        basic.detail
    );
    assert!(basic.detail.contains("<think> tags"), "{}", basic.detail);
    assert!(
        basic.detail.contains("--reasoning-parser"),
        "{}",
        basic.detail
    );
    assert_eq!(basic.reasoning.as_ref().unwrap().fields, ["think_tags"]);
    let stream = check(&r, "chat.stream");
    assert_eq!(stream.status, Status::Pass, "{}", stream.detail);
    assert_eq!(stream.reasoning.as_ref().unwrap().fields, ["think_tags"]);
    assert!(stream.detail.contains("\"pong\""), "{}", stream.detail);
}

/// Qwen3 with `<think>` opened in the answer and never closed at any cap: output_length.
fn never_closes(_: &Value) -> Response {
    completion(
        json!({"role": "assistant", "content": "<think>\nHmm, let me think about pong"}),
        "length",
        json!({"prompt_tokens": 9, "completion_tokens": 16}),
    )
}

#[tokio::test]
async fn a_thought_cut_by_the_cap_is_output_length_with_the_reasoning_fix() {
    let url = serve(never_closes).await;
    let r = run(&url, "chat.basic").await;
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Warn, Some(Kind::OutputLength)),
        "{}",
        basic.detail
    );
    let hint = basic.hint.clone().unwrap();
    assert!(
        hint.contains("spent the whole output cap on reasoning"),
        "{hint}"
    );
}

/// vLLM since the rename: `delta.reasoning`, which opencode drops.
fn delta_reasoning(body: &Value) -> Response {
    if body["stream"] == true {
        return sse(&[
            delta(
                json!({"role": "assistant", "reasoning": "They want pong."}),
                None,
            ),
            delta(json!({"content": "pong"}), None),
            delta(json!({}), Some("stop")),
        ]);
    }
    completion(
        json!({"role": "assistant", "content": "pong", "reasoning": "They want pong."}),
        "stop",
        json!({"prompt_tokens": 9, "completion_tokens": 6}),
    )
}

#[tokio::test]
async fn which_delta_field_a_stream_reasons_in_is_reported() {
    let url = serve(delta_reasoning).await;
    let r = run(&url, "chat.basic,chat.stream").await;
    let stream = check(&r, "chat.stream");
    assert_eq!(stream.status, Status::Pass, "{}", stream.detail);
    assert_eq!(stream.reasoning.as_ref().unwrap().fields, ["reasoning"]);
    assert!(stream.detail.contains("opencode"), "{}", stream.detail);
}

/// Reasoning text that grows with the effort, and a usage that counts no reasoning tokens
/// (`reasoning_tokens: 0`, or none at all).
fn counts_zero(body: &Value) -> Response {
    let thought = match body["reasoning_effort"].as_str() {
        Some("high") => "Let me multiply carefully. ".repeat(20),
        _ => "17*23=391.".to_string(),
    };
    let usage = if body["reasoning_effort"] == "high" {
        json!({"prompt_tokens": 9, "completion_tokens": 120, "completion_tokens_details": {"reasoning_tokens": 0}})
    } else {
        json!({"prompt_tokens": 9, "completion_tokens": 8})
    };
    completion(
        json!({"role": "assistant", "content": "391", "reasoning_content": thought}),
        "stop",
        usage,
    )
}

#[tokio::test]
async fn a_zero_or_absent_reasoning_count_falls_back_to_the_text() {
    let url = serve(counts_zero).await;
    let r = run(&url, "chat.basic,chat.reasoning_effort").await;
    let e = check(&r, "chat.reasoning_effort");
    assert_eq!(e.status, Status::Pass, "{}", e.detail);
    assert!(e.detail.contains("characters of reasoning"), "{}", e.detail);
}

fn effort_refused_openai(body: &Value) -> Response {
    if body.get("reasoning_effort").is_some() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "Unsupported parameter: 'reasoning_effort' is not supported with this model.", "type": "invalid_request_error", "param": "reasoning_effort", "code": "unsupported_parameter"}})),
        )
            .into_response();
    }
    completion(
        json!({"role": "assistant", "content": "pong", "reasoning_content": "pong it is"}),
        "stop",
        json!({"prompt_tokens": 9, "completion_tokens": 6}),
    )
}

fn effort_refused_ollama(body: &Value) -> Response {
    if let Some(e) = body["reasoning_effort"].as_str() {
        // Ollama's /v1 maps reasoning_effort to think and answers a 500 api_error.
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": {"message": format!("think value \"{e}\" is not supported for this model"), "type": "api_error", "param": null, "code": null}})),
        )
            .into_response();
    }
    completion(
        json!({"role": "assistant", "content": "<think>pong it is</think>pong"}),
        "stop",
        json!({"prompt_tokens": 9, "completion_tokens": 6}),
    )
}

#[tokio::test]
async fn reasoning_effort_refused_by_name_or_through_ollamas_think_is_a_rejection() {
    for handler in [
        effort_refused_openai as fn(&Value) -> Response,
        effort_refused_ollama,
    ] {
        let url = serve(handler).await;
        let r = run(&url, "chat.basic,chat.reasoning_effort").await;
        let e = check(&r, "chat.reasoning_effort");
        assert_eq!(
            (e.status, e.kind, e.param.as_deref()),
            (
                Status::Warn,
                Some(Kind::ParamRejected),
                Some("reasoning_effort")
            ),
            "{}",
            e.detail
        );
        assert!(
            e.detail.contains("reasoning_effort \"low\" refused"),
            "{}",
            e.detail
        );
        let hint = e.hint.clone().unwrap();
        assert!(hint.contains("stop sending it"), "{hint}");
    }
}

/// The largest output cap any request to [`rambler`] carried.
static RAMBLER_MAX_CAP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A small model that does not reason (SmolLM2-135M on llama.cpp): "pong" to the one-word
/// prompt, and prose that runs to the cap, with no call, for anything longer.
fn rambler(body: &Value) -> Response {
    RAMBLER_MAX_CAP.fetch_max(cap(body), std::sync::atomic::Ordering::SeqCst);
    if body.get("tools").is_none() {
        return completion(
            json!({"role": "assistant", "content": "pong"}),
            "stop",
            json!({"prompt_tokens": 9, "completion_tokens": 1}),
        );
    }
    completion(
        json!({"role": "assistant", "content": "The weather in Paris is mostly sunny, with a moderate breeze and"}),
        "length",
        json!({"prompt_tokens": 44, "completion_tokens": cap(body)}),
    )
}

#[tokio::test]
async fn a_model_that_shows_no_reasoning_is_not_retried_at_a_larger_cap() {
    let url = serve(rambler).await;
    let r = run(&url, "chat.basic,chat.tools,chat.tool_choice_required").await;
    let tools = check(&r, "chat.tools");
    assert_eq!(
        (tools.status, tools.kind),
        (Status::Warn, Some(Kind::OutputLength)),
        "{}",
        tools.detail
    );
    assert!(
        !tools.detail.contains("retried") && !tools.detail.contains("reasoning"),
        "{}",
        tools.detail
    );
    // A forced call that did not come within the cap was not honoured.
    let required = check(&r, "chat.tool_choice_required");
    assert_eq!(
        (required.status, required.kind, required.param.as_deref()),
        (Status::Fail, Some(Kind::ParamIgnored), Some("tool_choice")),
        "{}",
        required.detail
    );
    assert!(
        required
            .detail
            .contains("ran to the output cap without a call"),
        "{}",
        required.detail
    );
    assert_eq!(
        RAMBLER_MAX_CAP.load(std::sync::atomic::Ordering::SeqCst),
        64,
        "no request was sent with a reasoning-sized cap"
    );
    assert_eq!(r.cost.expect("cost").requests, 3, "one request per check");
}
