//! A whole run cut short still yields a report: `--deadline` against a server that trickles
//! every generation answer (a byte well inside the idle bound, never the end), so only the
//! run's deadline can end it; and Ctrl-C (SIGINT to the real binary), which reports what
//! finished.

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

/// Start the real binary probing the trickling server; SIGINT it `signals` times once
/// `/models` has surely been answered.
async fn interrupted_run(
    signals: usize,
    out: &std::path::Path,
) -> (std::process::Output, Duration) {
    let addr = trickle_server().await;
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args([
            "probe",
            "--base-url",
            &format!("http://{addr}/v1"),
            "-m",
            "slow-model",
        ])
        .args([
            "--timeout",
            "5",
            "--max-time",
            "30",
            "--format",
            "json",
            "-o",
        ])
        .arg(out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let started = Instant::now();
    for _ in 0..signals {
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    (output, started.elapsed())
}

#[tokio::test]
async fn a_first_ctrl_c_writes_the_partial_report_marked_interrupted_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let (output, took) = interrupted_run(1, &out).await;
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    assert!(took < Duration::from_secs(2), "took {took:?} after Ctrl-C");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("INTERRUPTED: interrupted (Ctrl-C)"),
        "{stdout}"
    );
    assert!(stdout.contains("report written to"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    common::assert_valid(&json);
    assert_eq!(json["interrupted"], true);
    assert!(json["outcome"]["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("interrupted (Ctrl-C)"));
    let by_id = |id: &str| {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == id)
            .unwrap_or_else(|| panic!("no {id}: {json:#}"))
            .clone()
    };
    assert_eq!(
        by_id("models.list")["status"],
        "pass",
        "finished before Ctrl-C"
    );
    let basic = by_id("chat.basic");
    assert_eq!(basic["status"], "skip");
    assert!(basic["detail"]
        .as_str()
        .unwrap()
        .contains("interrupted (Ctrl-C)"));
}

#[tokio::test]
async fn two_quick_ctrl_cs_exit_130_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (output, took) = interrupted_run(2, &dir.path().join("r.json")).await;
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
