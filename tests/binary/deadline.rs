//! A whole run cut short still yields a report: `--deadline` against a server that trickles
//! every generation answer (a byte well inside the idle bound, never the end), so only the
//! run's deadline can end it; and Ctrl-C (SIGINT to the real binary), which reports what
//! finished.

use crate::common;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `/v1/models` answers at once; every POST sends headers, then one byte every 200 ms for a
/// minute — each request alone would run into `--max-time`.
pub async fn trickle_server() -> SocketAddr {
    trickle_server_counting().await.0
}

/// [`trickle_server`], with the number of POSTs it has begun to answer.
async fn trickle_server_counting() -> (SocketAddr, Arc<AtomicUsize>) {
    async fn models() -> axum::Json<serde_json::Value> {
        axum::Json(
            serde_json::json!({"object": "list", "data": [{"id": "slow-model", "object": "model"}]}),
        )
    }
    async fn trickle(State(posts): State<Arc<AtomicUsize>>) -> Response {
        posts.fetch_add(1, Ordering::Relaxed);
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
    let posts = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/v1/models", get(models))
        .fallback(post(trickle))
        .with_state(posts.clone());
    let addr = common::serve_app(app).await;
    (addr, posts)
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
    let Err(err) = zencheck::cmd::probe::probe_report(&args, None).await else {
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

/// What the second Ctrl-C is for: a run the first cannot end. Its report (32 models,
/// well over a pipe's 64 KiB) goes to a stdout pipe nobody reads, so once the first Ctrl-C
/// has stopped the checks, writing the report blocks; only the second ends the process.
#[tokio::test]
async fn a_second_ctrl_c_exits_130_while_the_first_is_stuck_writing_the_report() {
    let (addr, posts) = trickle_server_counting().await;
    let url = format!("http://{addr}/v1");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_zencheck"));
    cmd.args([
        "probe",
        "--base-url",
        &url,
        "--timeout",
        "5",
        "--max-time",
        "30",
        // Every check in flight at once, as against a remote host: a loopback server is
        // otherwise paced from 4, and fewer started checks make a report too small to block.
        "--per-host",
        "32",
    ])
    .args(["--format", "json"]);
    // 32 models, not 16: on a loaded machine fewer checks have started by the first Ctrl-C,
    // and sixteen models' report then fitted in the pipe (a CI run saw it once).
    for i in 0..32 {
        cmd.args(["-m", &format!("slow-model-{i}")]);
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let sigint = |pid: u32| {
        let sent = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    // Generation requests are on their way, so the Ctrl-C handler is in place (however
    // slowly the binary started on a loaded machine), and many of them: a Ctrl-C at the
    // first one, on a loaded CI machine, found too few checks started for the report to
    // fill the pipe.
    let until = Instant::now() + Duration::from_secs(20);
    while posts.load(Ordering::Relaxed) < 16 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(posts.load(Ordering::Relaxed) > 0, "the probe never started");
    sigint(child.id());
    let after_first = exited(&mut child, Duration::from_millis(1500)).await;
    if after_first.is_some() {
        panic!("the first Ctrl-C ended the run ({after_first:?}): the report did not block, so this test would prove nothing");
    }
    sigint(child.id());
    let after_second = exited(&mut child, Duration::from_secs(2)).await;
    if after_second.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(
        after_second.and_then(|s| s.code()),
        Some(130),
        "a second Ctrl-C must exit 130 at once"
    );
    // The pipe held what was written before the block: part of the report, never read back.
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0u8; 1];
    use std::io::Read;
    assert_eq!(stdout.read(&mut head).unwrap(), 1, "the report had started");
}

/// The child's exit status if it ends within `within`; None while it still runs.
async fn exited(
    child: &mut std::process::Child,
    within: Duration,
) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= until {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
