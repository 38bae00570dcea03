//! `zencheck opencode serve-check` against hostile servers of our own on 127.0.0.1: an
//! `/event` that floods (events, or one line that never ends), and servers that trickle
//! bytes or `: ping` comments forever. The real binary must end within `--timeout` + 2 s
//! and stay under 100 MB of memory.
//!
//! Memory is the binary's own peak resident set (`VmHWM` in /proc/PID/status, a high-water
//! mark the kernel keeps), read every 10 ms while it runs: only the last few milliseconds
//! before exit go unobserved.

use crate::common;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::io::Read;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RSS_LIMIT_KB: u64 = 100 * 1024;

#[derive(Clone, Copy)]
enum Hostile {
    /// `/event` sends events as fast as the socket takes them, forever.
    Flood,
    /// `/event` sends one line that never ends, as fast as the socket takes it.
    LongLine,
    /// `/event` sends only `: ping` every 100 ms; the prompt's answer arrives one byte per
    /// 100 ms and never ends.
    Trickle,
}

/// A fake `opencode serve` whose health, providers and sessions are sane, and whose event
/// stream and prompt behave as `mode` says.
async fn hostile_server(mode: Hostile) -> String {
    let app = Router::new()
        .route("/global/health", get(|| async { Json(json!({"healthy": true, "version": "0.0.0-hostile"})) }))
        .route("/config", get(|| async { Json(json!({"model": "local/m"})) }))
        .route(
            "/config/providers",
            get(|| async { Json(json!({"providers": [{"id": "local", "models": {"m": {"api": {"npm": "@ai-sdk/openai-compatible"}}}}]})) }),
        )
        .route("/session", post(|| async { Json(json!({"id": "ses_hostile"})) }))
        .route("/session/{id}", delete(|| async { Json(json!(true)) }))
        .route("/session/{id}/message", post(message))
        .route("/event", get(events))
        .with_state(mode);
    let addr = common::serve_app(app).await;
    format!("http://{addr}")
}

async fn message(State(mode): State<Hostile>, Path(id): Path<String>) -> axum::response::Response {
    match mode {
        Hostile::Flood | Hostile::LongLine => {
            // Long enough for a reader without a cap to fill any memory.
            tokio::time::sleep(Duration::from_secs(3)).await;
            Json(json!({"info": {"id": "msg_1", "sessionID": id, "role": "assistant", "providerID": "local", "modelID": "m"},
                        "parts": [{"type": "text", "text": "pong"}]}))
            .into_response()
        }
        Hostile::Trickle => {
            let bytes = futures_util::stream::once(async {
                Ok::<_, std::io::Error>("{\"info\":".to_string())
            })
            .chain(futures_util::stream::unfold((), |_| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok(" ".to_string()), ()))
            }));
            (
                [("content-type", "application/json")],
                axum::body::Body::from_stream(bytes),
            )
                .into_response()
        }
    }
}

async fn events(State(mode): State<Hostile>) -> axum::response::Response {
    let body = match mode {
        Hostile::Flood => {
            // Heartbeats and events of the prompt's own session that carry no text: every
            // one of them is something a careless reader would keep.
            let mut block = String::new();
            for i in 0..200 {
                block.push_str("data: {\"type\":\"server.heartbeat\",\"properties\":{}}\n\n");
                block.push_str(&format!(
                    "data: {{\"type\":\"message.part.updated\",\"properties\":{{\"part\":{{\"sessionID\":\"ses_hostile\",\"messageID\":\"msg_{i}\",\"type\":\"reasoning\",\"text\":\"{}\"}}}}}}\n\n",
                    "x".repeat(200)
                ));
            }
            let block = bytes::Bytes::from(block);
            axum::body::Body::from_stream(futures_util::stream::repeat_with(move || {
                Ok::<_, std::io::Error>(block.clone())
            }))
        }
        Hostile::LongLine => {
            let block = bytes::Bytes::from(format!("data: {}", "x".repeat(64 << 10)));
            axum::body::Body::from_stream(futures_util::stream::repeat_with(move || {
                Ok::<_, std::io::Error>(block.clone())
            }))
        }
        Hostile::Trickle => axum::body::Body::from_stream(
            futures_util::stream::once(async {
                Ok::<_, std::io::Error>(
                    "data: {\"type\":\"server.connected\",\"properties\":{}}\n\n".to_string(),
                )
            })
            .chain(futures_util::stream::unfold((), |_| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok(": ping\n\n".to_string()), ()))
            })),
        ),
    };
    ([("content-type", "text/event-stream")], body).into_response()
}

/// A raw server whose every answer is a 200 head and then one body byte per 100 ms, forever.
async fn trickling_tcp_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                while sock.write_all(b"1\r\n \r\n").await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

struct Run {
    code: Option<i32>,
    report: Value,
    elapsed: Duration,
    peak_rss_kb: u64,
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Run the real binary's serve-check against `url`, watching its peak memory; killed (and
/// the test failed) if it outlives the bound by far.
fn serve_check(url: String, timeout_secs: u64) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("zencheck");
    let started = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args([
            "opencode",
            "serve-check",
            "--model",
            "local/m",
            "--format",
            "json",
            "--timeout",
        ])
        .arg(timeout_secs.to_string())
        .arg("--url")
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let pid = child.id();
    let mut peak = 0;
    let code = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(timeout_secs + 30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve-check still running {} s after its bound", 30);
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let out = reader.join().unwrap();
    Run {
        code,
        report: serde_json::from_slice(&out).unwrap_or(Value::Null),
        elapsed,
        peak_rss_kb: peak,
    }
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["check"] == id))
        .unwrap_or_else(|| panic!("no {id} in {r:#}"))
}

fn assert_bounded(run: &Run, timeout_secs: u64) {
    eprintln!(
        "ended in {:.2} s, peak RSS {} kB",
        run.elapsed.as_secs_f32(),
        run.peak_rss_kb
    );
    assert!(
        run.elapsed < Duration::from_secs(timeout_secs + 2),
        "took {:?} with --timeout {timeout_secs}",
        run.elapsed
    );
    assert!(run.peak_rss_kb > 0, "memory was never observed");
    assert!(
        run.peak_rss_kb < RSS_LIMIT_KB,
        "peak RSS {} kB",
        run.peak_rss_kb
    );
    assert_eq!(run.code, Some(1), "{:#}", run.report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_event_stream_is_capped() {
    let url = hostile_server(Hostile::Flood).await;
    let run = tokio::task::spawn_blocking(move || serve_check(url, 10))
        .await
        .unwrap();
    assert_bounded(&run, 10);
    assert_eq!(check(&run.report, "opencode.prompt")["status"], "pass");
    let events = check(&run.report, "opencode.events");
    assert_eq!(events["kind"], "bad_response", "{events:#}");
    let detail = events["detail"].as_str().unwrap();
    assert!(
        detail.contains("byte cap") && detail.contains("not kept"),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_line_that_never_ends_is_bounded() {
    let url = hostile_server(Hostile::LongLine).await;
    let run = tokio::task::spawn_blocking(move || serve_check(url, 4))
        .await
        .unwrap();
    assert_bounded(&run, 4);
    // The SSE reader's line cap ends it, long before the byte cap.
    let events = check(&run.report, "opencode.events");
    assert_eq!(events["kind"], "stream_malformed", "{events:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_answer_and_pings_end_at_the_timeout() {
    let url = hostile_server(Hostile::Trickle).await;
    let run = tokio::task::spawn_blocking(move || serve_check(url, 4))
        .await
        .unwrap();
    assert_bounded(&run, 4);
    let prompt = check(&run.report, "opencode.prompt");
    assert_eq!(prompt["kind"], "timeout", "{prompt:#}");
    // The pings were dropped, the connection event was not.
    let events = check(&run.report, "opencode.events");
    assert_eq!(events["status"], "fail", "{events:#}");
    assert!(
        events["detail"]
            .as_str()
            .unwrap()
            .contains("server.connected"),
        "{events:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_health_answer_ends_at_the_timeout() {
    let url = trickling_tcp_server().await;
    let run = tokio::task::spawn_blocking(move || serve_check(url, 3))
        .await
        .unwrap();
    assert_bounded(&run, 3);
    assert_eq!(check(&run.report, "opencode.health")["kind"], "timeout");
    assert_eq!(check(&run.report, "opencode.events")["status"], "skip");
}

/// A stand-in `opencode` that prints events forever and never exits.
#[test]
fn an_opencode_run_that_prints_forever_is_killed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("opencode");
    std::fs::write(
        &bin,
        "#!/bin/sh\nexec yes '{\"type\":\"step_start\",\"part\":{}}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let started = Instant::now();
    let out = assert_cmd::Command::cargo_bin("zencheck")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .args([
            "opencode",
            "run-check",
            "--model",
            "local/m",
            "--format",
            "json",
            "--timeout",
            "30",
            "--opencode-bin",
        ])
        .arg(&bin)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &report["checks"][0];
    assert_eq!(c["kind"], "bad_response", "{c:#}");
    assert!(c["detail"].as_str().unwrap().contains("64 MiB"), "{c:#}");
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
}
