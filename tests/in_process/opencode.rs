//! opencode failures the real server (1.18.33) no longer shows, reproduced by small fakes:
//! an event stream that delivers only `server.connected` and heartbeats (report 002), a
//! server that answers with its default model whatever is asked, and an `opencode run` that
//! exits 0 after an error event (report 001). The real opencode is in `tests/peers/opencode.rs`.

use crate::common;

use assert_cmd::Command;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use common::{check, serve_check};
use serde_json::{json, Value};
use std::time::Duration;
use zencheck::failure::Kind;
use zencheck::finding::Status;

/// A fake `opencode serve`: answers prompts, but its /event sends only heartbeats. With
/// `ignore_model`, every prompt is answered by its default model.
async fn fake_server(ignore_model: bool) -> String {
    let app = Router::new()
        .route("/global/health", get(|| async { Json(json!({"healthy": true, "version": "0.9.0-fake"})) }))
        .route("/config", get(|| async { Json(json!({"model": "local/default-model"})) }))
        .route(
            "/config/providers",
            get(|| async {
                Json(json!({"providers": [{"id": "local", "options": {"baseURL": "http://127.0.0.1:1/v1"},
                    "models": {"m": {"api": {"npm": "@ai-sdk/openai-compatible"}}, "default-model": {}}}], "default": {"local": "default-model"}}))
            }),
        )
        .route("/session", post(|| async { Json(json!({"id": "ses_fake1"})) }))
        .route("/session/{id}", delete(|| async { Json(json!(true)) }))
        .route(
            "/session/{id}/message",
            post(|State(ignore): State<bool>, Path(id): Path<String>, Json(body): Json<Value>| async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let asked = body.pointer("/model/modelID").and_then(Value::as_str).unwrap_or("default-model");
                let model = if ignore { "default-model" } else { asked };
                Json(json!({"info": {"id": "msg_2", "sessionID": id, "role": "assistant", "providerID": "local", "modelID": model},
                            "parts": [{"type": "text", "text": "pong"}]}))
            }),
        )
        .route(
            "/event",
            get(|| async {
                let heartbeat = "data: {\"type\":\"server.heartbeat\",\"properties\":{}}\n\n";
                let stream = futures_util::stream::once(async { Ok::<_, std::io::Error>("data: {\"type\":\"server.connected\",\"properties\":{}}\n\n".to_string()) })
                    .chain(futures_util::stream::unfold((), move |_| async move {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Some((Ok(heartbeat.to_string()), ()))
                    }));
                ([("content-type", "text/event-stream")], axum::body::Body::from_stream(stream)).into_response()
            }),
        )
        .with_state(ignore_model);
    let addr = common::serve_app(app).await;
    format!("http://{addr}")
}

use futures_util::StreamExt;

#[tokio::test]
async fn an_event_stream_of_heartbeats_only_is_the_report_002_failure() {
    let r = serve_check(
        &fake_server(false).await,
        "local/m",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        check(&r, "opencode.prompt").status,
        Status::Pass,
        "the prompt itself answers"
    );
    let events = check(&r, "opencode.events");
    assert_eq!(
        (events.status, events.kind),
        (Status::Fail, Some(Kind::StreamStalled))
    );
    assert!(
        events.detail.contains("server.connected") && events.detail.contains("server.heartbeat"),
        "{}",
        events.detail
    );
    assert_eq!(check(&r, "opencode.model_selection").status, Status::Pass);
}

#[tokio::test]
async fn a_server_that_answers_with_its_default_model_is_a_mismatch() {
    let r = serve_check(&fake_server(true).await, "local/m", Duration::from_secs(10)).await;
    let sel = check(&r, "opencode.model_selection");
    assert_eq!(
        (sel.status, sel.kind),
        (Status::Fail, Some(Kind::ModelMismatch))
    );
    assert!(
        sel.detail.contains("local/default-model answered"),
        "{}",
        sel.detail
    );
    assert!(sel
        .hint
        .as_deref()
        .unwrap()
        .contains("\"model\":{\"providerID\",\"modelID\"}"));
}

#[tokio::test]
async fn an_unconfigured_model_is_named_with_the_closest() {
    let r = serve_check(
        &fake_server(false).await,
        "local/n",
        Duration::from_secs(10),
    )
    .await;
    let p = check(&r, "opencode.providers");
    assert_eq!(p.kind, Some(Kind::ModelNotFound));
    assert!(
        p.hint.as_deref().unwrap().contains("local/m"),
        "{:?}",
        p.hint
    );
    assert_eq!(check(&r, "opencode.prompt").status, Status::Skip);
}

#[tokio::test]
async fn nothing_listening_fails_health_and_skips_the_rest() {
    let port = crate::common::free_port();
    let r = serve_check(
        &format!("http://127.0.0.1:{port}"),
        "local/m",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(check(&r, "opencode.health").kind, Some(Kind::Network));
    assert_eq!(check(&r, "opencode.events").status, Status::Skip);
}

/// A stand-in `opencode` that prints `stdout` and exits with `code`.
fn fake_opencode(dir: &std::path::Path, stdout: &str, code: i32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(dir.join("out.jsonl"), stdout).unwrap();
    let path = dir.join("opencode");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncat '{}'\nexit {code}\n",
            dir.join("out.jsonl").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn run_check(bin: &std::path::Path) -> (Option<i32>, Value) {
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .args([
            "opencode",
            "run-check",
            "--model",
            "zen/kimi-k2",
            "--format",
            "json",
            "--opencode-bin",
        ])
        .arg(bin)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn an_error_hidden_behind_exit_0_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let error = r#"{"type":"error","sessionID":"ses_1","error":{"name":"APIError","data":{"message":"Insufficient balance","statusCode":401,"isRetryable":false,"responseBody":"{\"type\":\"error\",\"error\":{\"type\":\"CreditsError\",\"message\":\"Insufficient balance\"}}"}}}"#;
    let (code, report) = run_check(&fake_opencode(dir.path(), &format!("{error}\n"), 0));
    assert_eq!(code, Some(1));
    let c = &report["checks"][0];
    assert_eq!(
        (c["check"].as_str(), c["kind"].as_str()),
        (Some("opencode.run"), Some("billing"))
    );
    assert!(c["detail"].as_str().unwrap().contains("exited 0"), "{c}");
}

#[test]
fn output_beyond_64_kib_is_read_whole() {
    // Piped, opencode's stdout is cut at 64 KiB; run-check sends it to a file instead.
    let dir = tempfile::tempdir().unwrap();
    let mut out = String::new();
    for i in 0..2000 {
        out.push_str(&format!(
            "{{\"type\":\"text\",\"part\":{{\"text\":\"{:060}\"}}}}\n",
            i
        ));
    }
    out.push_str(
        "{\"type\":\"step_finish\",\"part\":{\"tokens\":{\"input\":5,\"output\":9000}}}\n",
    );
    assert!(out.len() > 128 << 10);
    let (code, report) = run_check(&fake_opencode(dir.path(), &out, 0));
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("5+9000 tokens"),
        "the last event, past 64 KiB, was read"
    );
}
