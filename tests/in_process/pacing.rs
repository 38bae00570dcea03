//! `chat.stream_pacing`: a long streamed answer judged on how fast its tokens arrived. A
//! server that holds the headers with the body and lets everything go at once (nginx under
//! its defaults in front of a provider) passes `chat.stream` and is named here.

use crate::common::{chat_chunk, chat_completion, check, probe, serve_app, sse, usage};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{json, Value};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, Scenario};

#[tokio::test]
async fn the_mock_counts_at_its_pace_and_passes() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let r = probe(&[
        "--base-url",
        &m.base_url(),
        "-m",
        "mock-small",
        "--checks",
        "chat.stream_pacing",
    ])
    .await;
    let c = check(&r, "chat.stream_pacing");
    assert_eq!(c.status, Status::Pass, "{}", r.to_json());
    assert!(
        c.detail.contains("100 tokens in 100 content chunks"),
        "{}",
        c.detail
    );
    assert!(c.detail.contains("paced as generated"), "{}", c.detail);
}

/// Answers every stream late, headers and the whole body together: a buffering proxy that
/// holds the headers too.
async fn held_server() -> std::net::SocketAddr {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(|body: axum::Json<Value>| async move {
            if body.get("stream") != Some(&json!(true)) {
                let message = json!({"role": "assistant", "content": "pong"});
                return axum::Json(chat_completion("m", message, "stop", usage(5, 1)))
                    .into_response();
            }
            tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
            let mut frames: Vec<Value> = (1..=100)
                .map(|i| chat_chunk("m", json!({"content": format!(" {i}")}), None))
                .collect();
            frames.push(chat_chunk("m", json!({}), Some("stop")));
            sse(&frames)
        }),
    );
    serve_app(app).await
}

#[tokio::test]
async fn a_stream_held_with_its_headers_and_let_go_at_once_is_buffered() {
    let addr = held_server().await;
    let r = probe(&[
        "--base-url",
        &format!("http://{addr}/v1"),
        "-m",
        "m",
        "--checks",
        "chat.stream,chat.stream_pacing",
    ])
    .await;
    // The short check cannot tell it from a fast server.
    assert_eq!(
        check(&r, "chat.stream").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let c = check(&r, "chat.stream_pacing");
    assert_eq!(
        (c.status, c.kind),
        (Status::Warn, Some(Kind::StreamBuffered)),
        "{}",
        r.to_json()
    );
    assert!(
        c.detail
            .contains("100 tokens in 100 content chunks arrived within"),
        "{}",
        c.detail
    );
    assert_eq!(c.stream.as_ref().map(|s| s.content_chunks), Some(100));
}

#[tokio::test]
async fn the_check_is_opt_in_and_declares_its_cost() {
    let spec = zencheck::check::CheckId::ALL
        .iter()
        .find(|c| c.id() == "chat.stream_pacing")
        .expect("registered");
    assert!(!spec.spec().default);
    assert_eq!((spec.cost().requests, spec.cost().output_tokens), (1, 160));
}
