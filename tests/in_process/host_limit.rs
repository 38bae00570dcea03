//! The per-host limit, measured at a real server on 127.0.0.1: it counts the requests in
//! flight and notes when each arrives. Small numbers, so each test takes about a second.

use crate::common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server saw.
#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Arrival instants, in order.
    arrivals: Mutex<Vec<Instant>>,
    /// When the one 429 went out.
    throttled_at: Mutex<Option<Instant>>,
    /// The one slot of a server that decodes one request at a time.
    slot: tokio::sync::Mutex<()>,
}

#[derive(Clone, Copy)]
enum Plan {
    /// Every request is held `hold`, then answered 200.
    Calm { hold: Duration },
    /// The first request gets `429 Retry-After: secs` at once; the rest as `Calm`.
    FirstThrottled { hold: Duration, secs: u64 },
    /// Every request gets `429 Retry-After: secs`.
    AlwaysThrottled { secs: u64 },
    /// One request at a time is held `hold` and answered; the others wait in the server's
    /// queue (a CPU model server with one slot).
    OneAtATime { hold: Duration },
}

/// An ordinary answer for the model asked for.
fn completion(model: &str) -> serde_json::Value {
    let pong = serde_json::json!({"role": "assistant", "content": "pong"});
    common::chat_completion(model, pong, "stop", common::usage(5, 1))
}

async fn serve(plan: Plan) -> (SocketAddr, Arc<Seen>) {
    async fn chat(
        State((plan, seen)): State<(Plan, Arc<Seen>)>,
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> Response {
        let now = Instant::now();
        let first = {
            let mut a = seen.arrivals.lock().unwrap();
            a.push(now);
            a.len() == 1
        };
        let n = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        seen.max_in_flight.fetch_max(n, Ordering::SeqCst);
        let throttle = |secs: u64| {
            *seen.throttled_at.lock().unwrap() = Some(Instant::now());
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                r#"{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}"#,
            )
                .into_response()
        };
        let r = match plan {
            Plan::AlwaysThrottled { secs } => throttle(secs),
            Plan::FirstThrottled { secs, .. } if first => throttle(secs),
            Plan::OneAtATime { hold } => {
                let _slot = seen.slot.lock().await;
                tokio::time::sleep(hold).await;
                let model = body["model"].as_str().unwrap_or("");
                axum::Json(completion(model)).into_response()
            }
            Plan::Calm { hold } | Plan::FirstThrottled { hold, .. } => {
                tokio::time::sleep(hold).await;
                let model = body["model"].as_str().unwrap_or("");
                axum::Json(completion(model)).into_response()
            }
        };
        seen.in_flight.fetch_sub(1, Ordering::SeqCst);
        r
    }
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/{prefix}/chat/completions", post(chat))
        .with_state((plan, seen.clone()));
    let addr = common::serve_app(app).await;
    (addr, seen)
}

/// `-m m1 … -m mN --checks chat.basic`: N requests that may all go at once.
fn models(n: usize) -> Vec<String> {
    (1..=n)
        .flat_map(|i| ["-m".to_string(), format!("m{i}")])
        .collect()
}

fn args<'a>(url: &'a str, extra: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["--base-url", url, "--checks", "chat.basic"];
    if !more.contains(&"--timeout") {
        a.extend(["--timeout", "5"]);
    }
    a.extend(extra.iter().map(String::as_str));
    a.extend_from_slice(more);
    a
}

#[tokio::test]
async fn requests_in_flight_to_one_host_never_pass_the_ceiling() {
    let (addr, seen) = serve(Plan::Calm {
        hold: Duration::from_millis(100),
    })
    .await;
    let url = format!("http://{addr}/v1");
    let m = models(9);
    // Each target may have all 9 checks in flight: only the host's limit holds them back.
    let r = common::probe(&args(&url, &m, &["--per-host", "3", "--concurrency", "9"])).await;
    assert_eq!(r.checks.len(), 9, "{}", r.to_json());
    assert!(r.checks.iter().all(|c| c.status.as_str() == "pass"));
    // The ceiling is reached (the requests do go out together) and never passed.
    assert_eq!(seen.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn two_targets_on_one_host_share_its_limit() {
    let (addr, seen) = serve(Plan::Calm {
        hold: Duration::from_millis(100),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("zencheck.toml");
    // Two targets, two base paths, one host:port; each alone may send 3 at once.
    std::fs::write(
        &cfg,
        format!(
            "[settings]\nper_host = 3\ntimeout = 5\n\
             [targets.a]\nbase_url = \"http://{addr}/a\"\nmodels = [\"m1\", \"m2\", \"m3\", \"m4\"]\nchecks = [\"chat.basic\"]\n\
             [targets.b]\nbase_url = \"http://{addr}/b\"\nmodels = [\"m1\", \"m2\", \"m3\", \"m4\"]\nchecks = [\"chat.basic\"]\n"
        ),
    )
    .unwrap();
    let r = common::probe(&["--config", cfg.to_str().unwrap()]).await;
    assert_eq!(r.checks.len(), 8, "{}", r.to_json());
    assert_eq!(seen.arrivals.lock().unwrap().len(), 8);
    assert_eq!(
        seen.max_in_flight.load(Ordering::SeqCst),
        3,
        "per host, not per target"
    );
}

#[tokio::test]
async fn a_429_pauses_the_whole_host_for_its_retry_after_and_halves_the_limit() {
    let hold = Duration::from_millis(200);
    let (addr, seen) = serve(Plan::FirstThrottled { hold, secs: 1 }).await;
    let url = format!("http://{addr}/v1");
    let m = models(8);
    let started = Instant::now();
    let r = common::probe(&args(
        &url,
        &m,
        &[
            "--per-host",
            "4",
            "--concurrency",
            "8",
            "--max-retry-wait",
            "2",
        ],
    ))
    .await;
    let took = started.elapsed();
    assert!(
        r.checks.iter().all(|c| c.status.as_str() == "pass"),
        "{}",
        r.to_json()
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
    // One retry, no more: 8 checks, 9 requests.
    let arrivals = seen.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 9);
    let t429 = seen.throttled_at.lock().unwrap().expect("a 429 was sent");
    // The first wave (4, the ceiling) was on its way before the 429; nothing after it may
    // arrive before the Retry-After has passed, the retry included.
    let (before, after): (Vec<Instant>, Vec<Instant>) = arrivals
        .iter()
        .partition(|a| **a <= t429 + Duration::from_millis(50));
    assert_eq!(before.len(), 4, "the first wave");
    assert_eq!(after.len(), 5);
    for a in &after {
        let since = a.duration_since(t429);
        assert!(
            since >= Duration::from_secs(1),
            "a request arrived {since:?} after the 429 (Retry-After: 1)"
        );
    }
    // After the pause the limit is halved: of the 5 left, 2 go first, the others only once
    // one of those is answered (each is held 200 ms).
    let first = after[0];
    let together = after
        .iter()
        .filter(|a| a.duration_since(first) < hold / 2)
        .count();
    assert_eq!(together, 2, "requests sent at once after the pause");
}

#[tokio::test]
async fn the_run_deadline_bounds_a_host_that_keeps_asking_to_wait() {
    let (addr, seen) = serve(Plan::AlwaysThrottled { secs: 1 }).await;
    let url = format!("http://{addr}/v1");
    let m = models(6);
    let started = Instant::now();
    let r = common::probe(&args(
        &url,
        &m,
        &[
            "--per-host",
            "2",
            "--max-retry-wait",
            "2",
            "--deadline",
            "1.5",
        ],
    ))
    .await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(2500),
        "took {took:?} with --deadline 1.5"
    );
    // Each request is retried at most once: never a storm.
    let checks = r.checks.len();
    assert_eq!(checks, 6);
    assert!(seen.arrivals.lock().unwrap().len() <= 2 * checks);
    let cut = r
        .checks
        .iter()
        .filter(|c| c.detail.contains("run deadline fired"))
        .count();
    assert!(cut > 0, "{}", r.to_json());
}

#[tokio::test]
async fn a_timeout_in_the_servers_queue_behind_zencheck_is_not_called_the_servers_fault() {
    // One slot, 600 ms a request, 2 s for headers: sent 8 at once, the last ones wait in the
    // queue past the bound while the server answers the first three (margins wide enough
    // for a loaded machine).
    let (addr, seen) = serve(Plan::OneAtATime {
        hold: Duration::from_millis(600),
    })
    .await;
    let url = format!("http://{addr}/v1");
    let m = models(8);
    let r = common::probe(&args(&url, &m, &["--timeout", "2", "--per-host", "8"])).await;
    assert_eq!(r.checks.len(), 8, "{}", r.to_json());
    for c in &r.checks {
        assert!(
            c.status.as_str() != "fail",
            "a wait zencheck caused is no failure of the server: {}",
            r.to_json()
        );
        if c.kind.map(|k| k.code()) == Some("timeout") {
            assert!(c.detail.contains("zencheck's own queue"), "{}", c.detail);
        }
    }
    // Each was sent at most twice, and the queue was noticed at least once.
    assert!(seen.arrivals.lock().unwrap().len() <= 16);
    assert!(
        r.checks
            .iter()
            .any(|c| c.detail.contains("zencheck's own queue")),
        "{}",
        r.to_json()
    );
}

#[tokio::test]
async fn a_local_server_is_probed_at_a_pace_it_serves_without_flags() {
    // The same one-slot server, no --per-host or --concurrency: loopback starts low and
    // grows only while answers keep pace, so nothing waits past a bound of 5 s (sent all
    // at once, the last of 24 would wait 6 s).
    let (addr, seen) = serve(Plan::OneAtATime {
        hold: Duration::from_millis(250),
    })
    .await;
    let url = format!("http://{addr}/v1");
    let m = models(24);
    let r = common::probe(&args(&url, &m, &["--timeout", "5"])).await;
    assert!(
        r.checks.iter().all(|c| c.status.as_str() == "pass"),
        "{}",
        r.to_json()
    );
    assert_eq!(seen.arrivals.lock().unwrap().len(), 24, "no resends");
    assert!(seen.max_in_flight.load(Ordering::SeqCst) < 24);
}

/// A server that answers the first request of each connection (kept alive) and closes a
/// connection without a byte when another request arrives on it: the close of an idle
/// timeout crossing a request on its way.
async fn closes_reused_connections() -> (SocketAddr, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut served = 0;
                loop {
                    // Read one request: the head, then Content-Length bytes of body.
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + len {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    seen.fetch_add(1, Ordering::SeqCst);
                    if served > 0 {
                        return; // closed, nothing answered
                    }
                    served += 1;
                    let asked: serde_json::Value =
                        serde_json::from_slice(&buf[head_end..head_end + len]).unwrap_or_default();
                    let body = completion(asked["model"].as_str().unwrap_or("")).to_string();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nkeep-alive: timeout=5\r\n\r\n{body}",
                        body.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, requests)
}

#[tokio::test]
async fn a_request_on_a_kept_alive_connection_the_server_closed_is_sent_once_more_on_a_new_one() {
    let (addr, requests) = closes_reused_connections().await;
    let url = format!("http://{addr}/v1");
    let m = models(3);
    // One at a time, so the second and third requests go out on the first's connection.
    let r = common::probe(&args(&url, &m, &["--per-host", "1"])).await;
    for c in &r.checks {
        assert_eq!(c.status.as_str(), "pass", "{}", r.to_json());
    }
    // At least one request went out on a reused connection, was closed unanswered and was
    // sent once more on a new connection; none more than once more.
    let n = requests.load(Ordering::SeqCst);
    assert!((4..=6).contains(&n), "{n} requests for 3 checks");
}
