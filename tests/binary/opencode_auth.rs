//! `opencode serve-check --password-env VAR` against a server that wants basic auth as
//! user "opencode" (what `opencode serve` does with OPENCODE_SERVER_PASSWORD), through the
//! shared HTTP client. The password never appears in the report, even when echoed.

use crate::common;

use assert_cmd::Command;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

const PASSWORD: &str = "pw-opencode-server-7531";

/// Health answers only with the right credentials, and then not as opencode would: it
/// echoes the password in a body the report quotes.
async fn guarded_server() -> String {
    let app = Router::new().route(
        "/global/health",
        get(|headers: HeaderMap| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            // "opencode:pw-opencode-server-7531" in base64.
            if auth == "Basic b3BlbmNvZGU6cHctb3BlbmNvZGUtc2VydmVyLTc1MzE=" {
                Json(json!({"healthy": "yes", "echo": PASSWORD})).into_response()
            } else {
                (StatusCode::UNAUTHORIZED, "bad credentials").into_response()
            }
        }),
    );
    let addr = common::serve_app(app).await;
    format!("http://{addr}")
}

fn serve_check(url: &str, password: Option<&str>) -> (String, Value) {
    let mut cmd = Command::cargo_bin("zencheck").unwrap();
    cmd.timeout(std::time::Duration::from_secs(30)).args([
        "opencode",
        "serve-check",
        "--model",
        "local/m",
        "--format",
        "json",
        "--timeout",
        "10",
        "--url",
        url,
    ]);
    if let Some(p) = password {
        cmd.env("OC_TEST_PASSWORD", p)
            .args(["--password-env", "OC_TEST_PASSWORD"]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (stdout, report)
}

fn health(report: &Value) -> &Value {
    report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["check"] == "opencode.health"))
        .unwrap_or_else(|| panic!("no opencode.health in {report:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_goes_as_basic_auth_and_never_into_the_report() {
    let url = guarded_server().await;
    let u = url.clone();
    let (stdout, report) = tokio::task::spawn_blocking(move || serve_check(&u, Some(PASSWORD)))
        .await
        .unwrap();
    // Past the auth, to the quoted body.
    let h = health(&report);
    assert_eq!(h["kind"], "bad_response", "{report:#}");
    assert!(h["detail"].as_str().unwrap().contains("echo"), "{h:#}");
    assert!(!stdout.contains(PASSWORD), "{stdout}");
    assert_eq!(report["target"]["api_key_env"], "OC_TEST_PASSWORD");

    // The password in the URL's user info, as some people write it: sent, never shown.
    let with_userinfo = url.replacen("://", &format!("://opencode:{PASSWORD}@"), 1);
    let (stdout, report) = tokio::task::spawn_blocking(move || serve_check(&with_userinfo, None))
        .await
        .unwrap();
    assert_eq!(health(&report)["kind"], "bad_response", "{report:#}");
    assert!(!stdout.contains(PASSWORD), "{stdout}");

    let (_, report) = tokio::task::spawn_blocking(move || serve_check(&url, None))
        .await
        .unwrap();
    assert_eq!(health(&report)["kind"], "auth", "{report:#}");
    assert!(
        health(&report)["detail"]
            .as_str()
            .unwrap()
            .contains("--password-env"),
        "{report:#}"
    );
}
