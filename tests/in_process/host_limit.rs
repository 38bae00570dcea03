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
}

#[derive(Clone, Copy)]
enum Plan {
    /// Every request is held `hold`, then answered 200.
    Calm { hold: Duration },
    /// The first request gets `429 Retry-After: secs` at once; the rest as `Calm`.
    FirstThrottled { hold: Duration, secs: u64 },
    /// Every request gets `429 Retry-After: secs`.
    AlwaysThrottled { secs: u64 },
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
    let mut a = vec![
        "--base-url",
        url,
        "--checks",
        "chat.basic",
        "--timeout",
        "5",
    ];
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
