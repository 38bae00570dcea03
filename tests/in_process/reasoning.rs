//! Reasoning models, probed in-process against the built-in mock's reasoning
//! scenarios and a small axum server: the retry when reasoning spends a cap, its cost, which
//! field a stream reasons in, and `reasoning_effort` by effect.

use crate::common;

use axum::routing::post;
use axum::Router;
use common::{check, probe, probe_mock};
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::Scenario;

#[tokio::test]
async fn a_reasoning_model_answers_after_one_retry_which_is_said_and_counted() {
    let (s, r) = probe_mock(
        Scenario::Reasoning,
        &[
            "-m",
            "mock-small",
            "--checks",
            "chat.basic,chat.stream,chat.reasoning_effort",
        ],
    )
    .await;
    // It answers at 1024 tokens, but an app that sends 16 gets empty text: a warning that
    // says what was measured (the reasoning tokens) and the smallest cap that answered.
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Warn, Some(Kind::OutputLength)),
        "{}",
        r.to_json()
    );
    for words in [
        "retried once with a 1024-token cap",
        "whole 16-token cap",
        "24 reasoning tokens",
        "smallest cap tried that answered is 1024",
    ] {
        assert!(basic.detail.contains(words), "{words}: {}", basic.detail);
    }
    let hint = basic.hint.as_deref().unwrap_or("");
    assert!(
        hint.contains("reasoning") && hint.contains("max_completion_tokens"),
        "{hint}"
    );
    // The model did answer: the fix says so, with what was measured, and never that it
    // wrote no answer.
    for words in [
        "answered, but only once the output cap was raised to 1024 tokens",
        "reasoned for 24 tokens",
        "at least 1024 tokens",
    ] {
        assert!(hint.contains(words), "{words}: {hint}");
    }
    assert!(!hint.contains("wrote no answer"), "{hint}");
    assert_eq!(r.summary.fail, 0, "{}", r.to_json());
    let thought = basic.reasoning.as_ref().expect("reasoning reported");
    assert_eq!(
        (thought.fields.as_slice(), thought.tokens),
        (&["reasoning_content".to_string()][..], Some(24))
    );
    let stream = check(&r, "chat.stream");
    assert_eq!(stream.status, Status::Pass, "{}", r.to_json());
    let st = stream.reasoning.as_ref().expect("stream reasoning");
    assert_eq!(
        (st.fields.as_slice(), st.chunks),
        (&["reasoning_content".to_string()][..], Some(6))
    );
    assert_eq!(check(&r, "chat.reasoning_effort").status, Status::Pass);
    // chat.basic twice (16 tokens spent on reasoning, then 1024), the stream once at 1024
    // (no second try: the model was known to reason), the effort check's two requests.
    let cost = r.cost.expect("cost");
    assert_eq!(cost.requests, 5, "{}", r.to_json());
    assert_eq!(
        cost.requests,
        s.requests(),
        "the report counts every request sent"
    );
    // Usage: 16 (all reasoning) + 24+5, the stream reports none, 8+5 at low, 96+5 at high.
    assert_eq!(cost.output_tokens, 16 + 29 + 13 + 101, "{}", r.to_json());
}

#[tokio::test]
async fn reasoning_that_spends_every_cap_is_output_length_and_stays_cheap() {
    let (s, r) = probe_mock(Scenario::ReasoningEatsCap, &["-m", "mock-small"]).await;
    let basic = check(&r, "chat.basic");
    assert_eq!(
        (basic.status, basic.kind),
        (Status::Warn, Some(Kind::OutputLength)),
        "{}",
        r.to_json()
    );
    let hint = basic.hint.as_deref().unwrap();
    assert!(
        hint.contains("reasoning") && hint.contains("max_completion_tokens"),
        "{hint}"
    );
    // The route's other checks would spend the same cap for nothing.
    assert_eq!(check(&r, "chat.tools").status, Status::Skip);
    assert_eq!(check(&r, "responses.stream").status, Status::Skip);
    assert_eq!(r.summary.fail, 0, "a working endpoint is not an outage");
    // /models, chat.basic and its one retry, responses.basic and its one retry.
    assert_eq!(s.requests(), 5, "{}", r.to_json());
}

#[tokio::test]
async fn the_field_a_stream_reasons_in_is_named() {
    let (_, r) = probe_mock(
        Scenario::ReasoningField,
        &["-m", "mock-small", "--checks", "chat.stream"],
    )
    .await;
    // Its first 16-token cap was spent on reasoning: an output_length warning, nothing else.
    let st = check(&r, "chat.stream");
    assert!(
        st.status == Status::Pass || st.kind == Some(Kind::OutputLength),
        "{}",
        r.to_json()
    );
    assert_eq!(
        st.reasoning.as_ref().map(|x| x.fields.clone()),
        Some(vec!["reasoning".to_string()])
    );
    assert!(st.detail.contains("delta.reasoning"), "{}", st.detail);
    assert!(st.detail.contains("opencode"), "{}", st.detail);
}

/// Naming routes is not naming the check: a model that does not reason gets no
/// `chat.reasoning_effort` row, so a healthy report stays all-pass.
#[tokio::test]
async fn routes_alone_do_not_name_the_reasoning_check() {
    let (_, r) = probe_mock(Scenario::Healthy, &["-m", "mock-small", "--routes", "chat"]).await;
    assert!(
        r.checks.iter().all(|c| c.check != "chat.reasoning_effort"),
        "{}",
        r.to_json()
    );
    assert_eq!(r.summary.skip, 0, "{}", r.to_json());
}

#[tokio::test]
async fn reasoning_effort_is_judged_only_on_reasoning_models() {
    let (healthy, r) = probe_mock(
        Scenario::Healthy,
        &["-m", "mock-small", "--checks", "chat.reasoning_effort"],
    )
    .await;
    let e = check(&r, "chat.reasoning_effort");
    assert_eq!((e.status, e.kind), (Status::Skip, None), "{}", r.to_json());
    assert!(e.detail.contains("no reasoning"), "{}", e.detail);
    // Only chat.basic went out, to see whether the model reasons.
    assert_eq!(healthy.requests(), 1);

    let (_, r) = probe_mock(
        Scenario::ReasoningEffortIgnored,
        &["-m", "mock-small", "--checks", "chat.reasoning_effort"],
    )
    .await;
    let e = check(&r, "chat.reasoning_effort");
    assert_eq!(
        (e.status, e.kind, e.param.as_deref()),
        (
            Status::Warn,
            Some(Kind::ParamIgnored),
            Some("reasoning_effort")
        ),
        "{}",
        r.to_json()
    );
    assert!(e
        .detail
        .contains("24 reasoning_tokens at reasoning_effort low, 24 at high"));
}

/// A reasoning model behind a server that refuses `reasoning_effort` the way OpenAI refuses
/// an unknown argument.
async fn refuses_effort() -> String {
    async fn chat(body: axum::Json<Value>) -> axum::response::Response {
        use axum::response::IntoResponse;
        if body.get("reasoning_effort").is_some() {
            let e = json!({"error": {"message": "Unrecognized request argument supplied: reasoning_effort", "type": "invalid_request_error", "param": null, "code": null}});
            return (axum::http::StatusCode::BAD_REQUEST, axum::Json(e)).into_response();
        }
        axum::Json(json!({"id": "c", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 12, "completion_tokens_details": {"reasoning_tokens": 11}}}))
        .into_response()
    }
    let app = Router::new().route("/v1/chat/completions", post(chat));
    let addr = common::serve_app(app).await;
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn a_refused_reasoning_effort_is_rejected_with_the_parameter_named() {
    let url = refuses_effort().await;
    let r = probe(&[
        "--base-url",
        &url,
        "-m",
        "m",
        "--checks",
        "chat.basic,chat.reasoning_effort",
    ])
    .await;
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let e = check(&r, "chat.reasoning_effort");
    assert_eq!(
        (e.status, e.kind, e.param.as_deref()),
        (
            Status::Warn,
            Some(Kind::ParamRejected),
            Some("reasoning_effort")
        ),
        "{}",
        r.to_json()
    );
    assert!(e.hint.as_deref().unwrap().contains("reasoningEffort"));
}
