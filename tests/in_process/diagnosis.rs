//! Probe-side diagnoses against small real servers on 127.0.0.1, each misbehaving the way a
//! real one was seen to: a base URL that is no API, a server without /models, an answer
//! from a prefix-sharing model, an error object inside a 200 stream, a cold server.

use crate::common;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use common::{check, probe};
use serde_json::{json, Value};
use std::time::Duration;
use zencheck::failure::Kind;
use zencheck::finding::Status;

async fn serve(app: Router) -> String {
    let addr = common::serve_app(app).await;
    format!("http://{addr}/v1")
}

fn completion(model: &str) -> Value {
    let pong = json!({"role": "assistant", "content": "pong"});
    common::chat_completion(model, pong, "stop", common::usage(3, 1))
}

/// A stream of `frames`, after `before_headers` of silence, `gap` between frames.
async fn sse(frames: Vec<String>, before_headers: Duration, gap: Duration) -> Response {
    {
        tokio::time::sleep(before_headers).await;
        let body = futures_util::stream::unfold(
            (frames.into_iter(), true),
            move |(mut it, first)| async move {
                let f = it.next()?;
                if !first {
                    tokio::time::sleep(gap).await;
                }
                Some((
                    Ok::<_, std::io::Error>(Bytes::from(format!("data: {f}\n\n"))),
                    (it, false),
                ))
            },
        );
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(Body::from_stream(body))
            .unwrap()
    }
}

fn chunks(model: &str) -> Vec<String> {
    let mut out: Vec<String> = ["p", "o", "n", "g", "!"]
        .iter()
        .map(|t| {
            json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
                        "choices": [{"index": 0, "delta": {"content": t}}]})
            .to_string()
        })
        .collect();
    out.push(
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        .to_string(),
    );
    out.push("[DONE]".into());
    out
}

#[tokio::test]
async fn a_base_url_that_is_no_api_is_a_base_url_failure() {
    // 404 on every route (the base URL lacks its /v1 prefix, or points at another service).
    let url =
        serve(Router::new().fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") }))
            .await;
    let r = probe(&[
        "--base-url",
        &url,
        "-m",
        "gpt-4o",
        "--checks",
        "models.list,chat.basic",
    ])
    .await;
    let list = check(&r, "models.list");
    assert_eq!(
        (list.status, list.kind),
        (Status::Fail, Some(Kind::BaseUrl)),
        "{}",
        r.to_json()
    );

    // A web app answering at /models with its HTML page.
    let page = "<!doctype html><html><head><title>Acme Chat</title></head><body><div id=app></div></body></html>";
    let url =
        serve(Router::new().fallback(move || async move {
            ([("content-type", "text/html")], page).into_response()
        }))
        .await;
    let r = probe(&["--base-url", &url, "--checks", "models.list"]).await;
    let list = check(&r, "models.list");
    assert_eq!(
        (list.status, list.kind),
        (Status::Fail, Some(Kind::BaseUrl)),
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn a_server_without_models_whose_chat_works_is_not_a_base_url_problem() {
    let app = Router::new()
        .route(
            "/v1/chat/completions",
            post(|| async { axum::Json(completion("local-model")) }),
        )
        .route(
            "/v1/models",
            get(|| async { (StatusCode::NOT_FOUND, "{\"detail\":\"Not Found\"}") }),
        );
    let url = serve(app).await;
    let r = probe(&[
        "--base-url",
        &url,
        "-m",
        "local-model",
        "--checks",
        "models.list,chat.basic",
    ])
    .await;
    assert_eq!(
        check(&r, "models.list").status,
        Status::Unsupported,
        "{}",
        r.to_json()
    );
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    assert!(
        r.checks.iter().all(|c| c.kind != Some(Kind::BaseUrl)),
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn an_answer_from_a_prefix_sharing_model_is_a_mismatch() {
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|| async { axum::Json(completion("gpt-4o-mini")) }),
    );
    let url = serve(app).await;
    let r = probe(&["--base-url", &url, "-m", "gpt-4o", "--checks", "chat.basic"]).await;
    let c = check(&r, "chat.basic");
    assert_eq!(
        (c.status, c.kind),
        (Status::Warn, Some(Kind::ModelMismatch)),
        "{}",
        r.to_json()
    );
    // A dated snapshot of the same model is no mismatch.
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|| async { axum::Json(completion("gpt-4o-2024-08-06")) }),
    );
    let url = serve(app).await;
    let r = probe(&["--base-url", &url, "-m", "gpt-4o", "--checks", "chat.basic"]).await;
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn a_model_the_gateway_does_not_list_is_not_found_not_on_another_route() {
    // Zen's shape: GPT models live on /responses, and an unknown id is a 401 ModelError.
    let app = Router::new()
        .route("/v1/models", get(|| async {
            axum::Json(json!({"object": "list", "data": [{"id": "gpt-5", "object": "model"}, {"id": "kimi-k2", "object": "model"}]}))
        }))
        .fallback(post(|| async {
            (StatusCode::UNAUTHORIZED, axum::Json(json!({"type": "error", "error": {"type": "ModelError", "message": "Model gpt-5-turbo-max is not supported"}})))
        }));
    let url = serve(app).await;
    let r = probe(&[
        "--provider",
        "zen",
        "--base-url",
        &url,
        "--api-key-env",
        "ZC_DIAG_UNUSED_KEY",
        "-m",
        "gpt-5-turbo-max",
        "--checks",
        "models,chat.basic",
    ])
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(c.kind, Some(Kind::ModelNotFound), "{}", r.to_json());
    assert!(
        r.checks.iter().all(|c| c.kind != Some(Kind::WrongRoute)),
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn an_error_object_inside_a_200_stream_is_a_stream_error() {
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|| {
            let frames = vec![
                json!({"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "delta": {"content": "po"}}]}).to_string(),
                json!({"object": "error", "message": "CUDA out of memory", "type": "InternalServerError", "code": 500}).to_string(),
                "[DONE]".to_string(),
            ];
            sse(frames, Duration::ZERO, Duration::from_millis(5))
        }),
    );
    let url = serve(app).await;
    let r = probe(&["--base-url", &url, "-m", "m", "--checks", "chat.stream"]).await;
    let c = check(&r, "chat.stream");
    assert_eq!(c.kind, Some(Kind::StreamError), "{}", r.to_json());
    assert_eq!(c.provider_message.as_deref(), Some("CUDA out of memory"));
}

#[tokio::test]
async fn a_cold_server_that_delays_everything_is_not_buffering() {
    // Like the LiteLLM proxy just started: nothing for 1.5 s, headers included, then the
    // chunks within milliseconds. A buffering proxy would send the headers first.
    let app = Router::new().route(
        "/v1/chat/completions",
        post(|| {
            sse(
                chunks("m"),
                Duration::from_millis(1500),
                Duration::from_millis(1),
            )
        }),
    );
    let url = serve(app).await;
    let r = probe(&["--base-url", &url, "-m", "m", "--checks", "chat.stream"]).await;
    let c = check(&r, "chat.stream");
    assert_eq!(c.status, Status::Pass, "{}", r.to_json());
}
