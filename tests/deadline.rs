//! A whole run cut short still yields a report: `--deadline` against a server that trickles
//! every generation answer (a byte well inside the idle bound, never the end), so only the
//! run's deadline can end it.

mod common;

use axum::body::Body;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// `/v1/models` answers at once; every POST sends headers, then one byte every 200 ms for a
/// minute — each request alone would run into `--max-time`.
pub async fn trickle_server() -> SocketAddr {
    async fn models() -> axum::Json<serde_json::Value> {
        axum::Json(
            serde_json::json!({"object": "list", "data": [{"id": "slow-model", "object": "model"}]}),
        )
    }
    async fn trickle() -> Response {
        let bytes = futures_util::stream::unfold(0u32, |n| async move {
            if n >= 300 {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")),
                n + 1,
            ))
        });
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(bytes))
            .unwrap()
    }
    let app = Router::new()
        .route("/v1/models", get(models))
        .fallback(post(trickle));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test]
async fn a_run_ends_within_its_deadline_and_reports_the_unfinished_checks_as_timeouts() {
    let addr = trickle_server().await;
    let url = format!("http://{addr}/v1");
    let started = Instant::now();
    let report = common::probe(&[
        "--base-url",
        &url,
        "-m",
        "slow-model",
        "--timeout",
        "5",
        "--max-time",
        "30",
        "--deadline",
        "2",
    ])
    .await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "the run took {took:?} with --deadline 2"
    );
    assert_eq!(
        common::check(&report, "models.list").status.as_str(),
        "pass"
    );
    let basic = common::check(&report, "chat.basic");
    assert_eq!(basic.status.as_str(), "fail", "{}", report.to_json());
    assert_eq!(basic.kind.map(|k| k.code()), Some("timeout"));
    assert!(
        basic.detail.contains("run deadline fired (--deadline 2 s)"),
        "{}",
        basic.detail
    );
    common::assert_valid(&serde_json::from_str(&report.to_json()).unwrap());
}

#[tokio::test]
async fn the_deadline_comes_from_the_config_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let addr = trickle_server().await;
    let cfg = dir.path().join("zencheck.toml");
    std::fs::write(
        &cfg,
        format!(
            "[settings]\ndeadline = 1.5\ntimeout = 5\n[targets.slow]\nbase_url = \"http://{addr}/v1\"\nmodels = [\"slow-model\"]\nchecks = [\"chat.basic\"]\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let report = common::probe(&["--config", cfg.to_str().unwrap()]).await;
    assert!(started.elapsed() < Duration::from_millis(3500));
    let basic = common::check(&report, "chat.basic");
    assert!(
        basic.detail.contains("--deadline 1.5 s"),
        "{}",
        basic.detail
    );
    // A malformed deadline is a usage error, not a run without bound.
    let args = common::probe_args(&["--base-url", "http://127.0.0.1:9/v1", "--deadline", "0"]);
    let Err(err) = zencheck::probe_report(&args, None).await else {
        panic!("--deadline 0 was accepted");
    };
    assert_eq!(err.exit_code(), zencheck::EXIT_USAGE);
}
