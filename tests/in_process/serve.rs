//! `zencheck serve` in-process, against the mock on 127.0.0.1: the endpoints, the metrics,
//! the scrape deadline, and the cost guard (min_interval, single flight, budget), counted
//! from the mock's own request count.

use crate::common;
use common::{config_target as target, exporter};

use std::time::{Duration, Instant};
use zencheck::mock::{self, MockServer, Scenario};
use zencheck::serve;

const KEY: &str = "sk-serve-secret-0123456789abcdef";

async fn mock(s: Scenario) -> MockServer {
    mock::start(s, 0).await.unwrap()
}

async fn get(s: &serve::Server, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let client = reqwest::Client::new();
    let mut req = client
        .get(format!("http://{}{path}", s.addr))
        .timeout(Duration::from_secs(20));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("the exporter answers");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

/// The value of the sample whose name and labels start `prefix` (`probe_success`,
/// `zencheck_failure_info{model="",check="models.list"`).
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            l.starts_with(prefix)
                && matches!(l.as_bytes().get(prefix.len()), Some(b' ' | b'{' | b','))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn probe_answers_openmetrics_for_a_healthy_and_a_broken_target() {
    let (good, bad) = (mock(Scenario::Healthy).await, mock(Scenario::Auth).await);
    common::set_env("ZENCHECK_SERVE_TEST_KEY", KEY);
    let config = target("good", &good, "")
        + &target(
            "bad",
            &bad,
            "api_key_env = \"ZENCHECK_SERVE_TEST_KEY\"\nmodule = \"chat\"\nrequire = [\"chat.basic\"]",
        );
    let (s, _dir) = exporter(&config, &[]).await;

    let (status, ct, text) = get(&s, "/probe?target=good", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        ct,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(text.ends_with("# EOF\n"));
    assert_eq!(sample(&text, "probe_success"), Some(1.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "zencheck_check_success{model=\"\",check=\"models.list\"}"
        ),
        Some(1.0)
    );
    // The default module is catalog: /models only.
    assert_eq!(good.requests(), 1);
    assert!(!text.contains("chat.basic"));

    // The broken target's own module (chat): the key is refused, and said so by kind.
    let (_, _, text) = get(&s, "/probe?target=bad", &[]).await;
    assert_eq!(sample(&text, "probe_success"), Some(0.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "zencheck_failure_info{model=\"mock-small\",check=\"chat.basic\",kind=\"auth\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "zencheck_check_status{model=\"mock-small\",check=\"chat.basic\",status=\"fail\"}"
        ),
        Some(1.0)
    );
    assert_eq!(sample(&text, "zencheck_probe_age_seconds"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            "zencheck_check_required{model=\"mock-small\",check=\"chat.basic\"}"
        ),
        Some(1.0),
        "{text}"
    );
    // The mock echoes the key in its error; it appears in no answer.
    let (status, ct, report) = get(&s, "/report?target=bad", &[]).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    common::assert_valid(&json);
    assert_eq!(json["target"]["name"], "bad");
    for t in [&text, &report] {
        assert!(!t.contains(&KEY[5..]), "the key leaked: {t}");
    }

    let (_, _, own) = get(&s, "/metrics", &[]).await;
    assert_eq!(
        sample(
            &own,
            "zencheck_probes_total{target=\"bad\",module=\"chat\",result=\"failure\"}"
        ),
        Some(1.0),
        "{own}"
    );
    assert!(sample(&own, "zencheck_build_info").is_some());
    let (status, _, ok) = get(&s, "/-/healthy", &[]).await;
    assert_eq!((status, ok.as_str()), (200, "OK\n"));
    s.stop().await;
}

#[tokio::test]
async fn only_config_target_names_are_probed_never_a_url() {
    let m = mock(Scenario::Healthy).await;
    let (s, _dir) = exporter(&target("good", &m, ""), &[]).await;
    let url = format!("/probe?target={}", m.base_url());
    for path in [url.as_str(), "/probe?target=nope", "/report?target=nope"] {
        let (status, _, why) = get(&s, path, &[]).await;
        assert_eq!(status, 404, "{path}: {why}");
        assert!(
            why.contains("never a URL") || why.contains("unknown target"),
            "{why}"
        );
        assert!(
            !why.contains("127.0.0.1"),
            "the refusal echoes what was asked: {why}"
        );
    }
    let (status, _, why) = get(&s, "/probe?target=good&module=everything", &[]).await;
    assert_eq!(status, 400);
    assert!(why.contains("catalog, chat, stream or full"));
    let (status, _, _) = get(&s, "/report?target=good", &[]).await;
    assert_eq!(status, 404, "nothing probed yet");
    assert_eq!(m.requests(), 0, "a refused scrape sends nothing");
    s.stop().await;
}

#[tokio::test]
async fn a_scrape_is_answered_before_its_timeout_when_the_server_stalls() {
    let m = mock(Scenario::Timeout).await;
    let (s, _dir) = exporter(
        &target("stalls", &m, "module = \"chat\""),
        &["--deadline", "2.5"],
    )
    .await;
    let started = Instant::now();
    let (status, _, text) = get(
        &s,
        "/probe?target=stalls",
        &[("X-Prometheus-Scrape-Timeout-Seconds", "2")],
    )
    .await;
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert!(
        took >= Duration::from_millis(1400),
        "gave up early: {took:?}"
    );
    assert_eq!(sample(&text, "probe_success"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            "zencheck_failure_info{model=\"\",check=\"models.list\",kind=\"timeout\"}"
        ),
        Some(1.0),
        "{text}"
    );
    let (_, _, report) = get(&s, "/report?target=stalls", &[]).await;
    assert!(
        report.contains("the run deadline fired (the scrape timeout 1.5 s)"),
        "{report}"
    );
    // Without the header, --deadline is the bound.
    let started = Instant::now();
    let (_, _, text) = get(&s, "/probe?target=stalls&module=catalog", &[]).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(2400) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(sample(&text, "probe_success"), Some(0.0));
    let (_, _, report) = get(&s, "/report?target=stalls", &[]).await;
    assert!(report.contains("(--deadline 2.5 s)"), "{report}");
    s.stop().await;
}

#[tokio::test]
async fn twenty_concurrent_scrapes_and_repeats_inside_min_interval_cost_one_probe() {
    let (m, once) = (mock(Scenario::Healthy).await, mock(Scenario::Healthy).await);
    let config =
        target("a", &m, "module = \"stream\"") + &target("b", &once, "module = \"stream\"");
    let (s, _dir) = exporter(&config, &[]).await;
    // What one probe of this target costs, on a mock of its own.
    let (_, _, single) = get(&s, "/probe?target=b", &[]).await;
    let one = once.requests();
    assert!(
        one >= 5,
        "a stream probe sends several requests: {one}\n{single}"
    );

    let scrapes = (0..20).map(|_| get(&s, "/probe?target=a", &[]));
    let answers = futures_util::future::join_all(scrapes).await;
    assert!(answers
        .iter()
        .all(|(st, _, t)| *st == 200 && sample(t, "probe_success") == Some(1.0)));
    assert_eq!(m.requests(), one, "20 concurrent scrapes cost one probe");
    // Inside min_interval (300 s for generating modules): cached, with its age.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (_, _, cached) = get(&s, "/probe?target=a", &[]).await;
    assert_eq!(m.requests(), one);
    assert!(sample(&cached, "zencheck_probe_age_seconds").unwrap() > 0.0);
    let (_, _, own) = get(&s, "/metrics", &[]).await;
    assert_eq!(
        sample(
            &own,
            "zencheck_probes_total{target=\"a\",module=\"stream\",result=\"success\"}"
        ),
        Some(1.0),
        "{own}"
    );
    assert!(
        sample(
            &own,
            "zencheck_cache_hits_total{target=\"a\",module=\"stream\"}"
        )
        .unwrap()
            >= 20.0,
        "{own}"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_budget_stops_generation_probes_and_says_so() {
    let (m, n) = (mock(Scenario::Healthy).await, mock(Scenario::Healthy).await);
    let config = target("a", &m, "module = \"chat\"\nmin_interval = 0")
        + &target("b", &n, "module = \"chat\"")
        + "[serve]\nmax_probes_per_hour = 1\n";
    let (s, _dir) = exporter(&config, &[]).await;
    let (_, _, first) = get(&s, "/probe?target=a", &[]).await;
    assert_eq!(sample(&first, "probe_success"), Some(1.0));
    let spent = m.requests();
    let (_, _, second) = get(&s, "/probe?target=a", &[]).await;
    assert_eq!(m.requests(), spent, "over budget: no new probe");
    assert_eq!(
        sample(&second, "probe_success"),
        Some(1.0),
        "the cached result"
    );
    assert!(sample(&second, "zencheck_probe_age_seconds").unwrap() > 0.0);
    let (_, _, none) = get(&s, "/probe?target=b", &[]).await;
    assert_eq!(n.requests(), 0);
    assert_eq!(
        sample(&none, "zencheck_probe_budget_exhausted"),
        Some(1.0),
        "{none}"
    );
    assert_eq!(sample(&none, "probe_success"), None);
    // Catalog is free: the budget does not apply.
    let (_, _, free) = get(&s, "/probe?target=b&module=catalog", &[]).await;
    assert_eq!(sample(&free, "probe_success"), Some(1.0));
    let (_, _, own) = get(&s, "/metrics", &[]).await;
    assert_eq!(
        sample(&own, "zencheck_probe_budget_refusals_total"),
        Some(2.0),
        "{own}"
    );
    assert_eq!(sample(&own, "zencheck_probe_budget_spent"), Some(1.0));
    assert_eq!(sample(&own, "zencheck_probe_budget_per_hour"), Some(1.0));
    s.stop().await;
}

#[tokio::test]
async fn a_bearer_token_guards_every_endpoint_but_healthy() {
    let m = mock(Scenario::Healthy).await;
    common::set_env("ZENCHECK_SERVE_TEST_TOKEN", "t0ken-for-tests");
    let (s, _dir) = exporter(
        &target("good", &m, ""),
        &["--auth-token-env", "ZENCHECK_SERVE_TEST_TOKEN"],
    )
    .await;
    for path in ["/probe?target=good", "/metrics", "/report?target=good"] {
        assert_eq!(get(&s, path, &[]).await.0, 401, "{path}");
        assert_eq!(
            get(&s, path, &[("Authorization", "Bearer wrong")]).await.0,
            401
        );
    }
    assert_eq!(m.requests(), 0);
    assert_eq!(get(&s, "/-/healthy", &[]).await.0, 200);
    let auth = [("Authorization", "Bearer t0ken-for-tests")];
    assert_eq!(get(&s, "/probe?target=good", &auth).await.0, 200);
    assert_eq!(get(&s, "/metrics", &auth).await.0, 200);
    s.stop().await;
}

#[tokio::test]
async fn sigterm_drains_the_scrape_in_flight_and_exits_0() {
    use std::io::{BufRead, BufReader};
    let m = mock(Scenario::Timeout).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zencheck.toml");
    std::fs::write(&path, target("stalls", &m, "")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let scrape = tokio::spawn(async move {
        reqwest::Client::new()
            .get(format!("http://{addr}/probe?target=stalls"))
            .header("X-Prometheus-Scrape-Timeout-Seconds", "3")
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        scrape
            .await
            .unwrap()
            .expect("the scrape in flight is answered"),
        200
    );
}

#[tokio::test]
async fn serve_makes_one_attempt_and_reports_a_retry_after_instead_of_waiting() {
    // The mock answers each request's first attempt with 429 and `Retry-After: 1`.
    let m = mock(Scenario::RateLimitBrief).await;
    let (s, _dir) = exporter(&target("limited", &m, ""), &[]).await;
    let started = Instant::now();
    let (_, _, text) = get(&s, "/probe?target=limited", &[]).await;
    assert!(started.elapsed() < Duration::from_millis(900), "it waited");
    assert_eq!(m.requests(), 1, "one attempt, no retry");
    assert_eq!(sample(&text, "probe_success"), Some(0.0));
    assert_eq!(
        sample(
            &text,
            "zencheck_failure_info{model=\"\",check=\"models.list\",kind=\"rate_limit\"}"
        ),
        Some(1.0),
        "{text}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_zero_max_retry_wait_never_retries_not_even_on_retry_after_0() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    let hits = Arc::new(AtomicU64::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::Relaxed);
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "0"), ("content-type", "application/json")],
                r#"{"error":{"message":"slow down","type":"rate_limit_exceeded"}}"#,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    common::probe(&["--base-url", &url]).await;
    assert_eq!(
        hits.load(Ordering::Relaxed),
        2,
        "by default a Retry-After: 0 is retried once"
    );
    common::probe(&["--base-url", &url, "--max-retry-wait", "0"]).await;
    assert_eq!(
        hits.load(Ordering::Relaxed),
        3,
        "--max-retry-wait 0: one attempt"
    );
}

#[tokio::test]
async fn the_cost_metrics_count_every_turn_and_every_output_token() {
    // The full module on the reasoning mock: multi-turn checks (2 requests each), reasoning
    // tokens in usage, and chat.basic sent again with a larger cap.
    let m = mock(Scenario::Reasoning).await;
    let (s, _dir) = exporter(&target("full", &m, "module = \"full\""), &[]).await;
    let (status, _, text) = get(&s, "/probe?target=full", &[]).await;
    assert_eq!(status, 200);
    let (_, _, report) = get(&s, "/report?target=full", &[]).await;
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    common::assert_valid(&report);
    let requests = sample(&text, "zencheck_requests{model=\"mock-small\"}").expect("requests");
    let tokens = sample(&text, "zencheck_output_tokens{model=\"mock-small\"}").expect("tokens");
    // Everything the mock received but the one GET /models, which belongs to no model.
    assert_eq!(requests, (m.requests() - 1) as f64, "{text}");
    assert_eq!(report["cost"]["requests"].as_u64(), Some(m.requests()));
    // Every output token the usage reported, the round trips' second turns included.
    assert_eq!(
        Some(tokens as u64),
        report["cost"]["output_tokens"].as_u64(),
        "{text}"
    );
    let per_check: u64 = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cost"]["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(
        per_check,
        m.requests(),
        "the checks' costs sum to the target's"
    );
    let roundtrip = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "responses.tool_roundtrip")
        .expect("the full module runs responses.tool_roundtrip");
    assert_eq!(roundtrip["cost"]["requests"], 2, "{roundtrip}");
    s.stop().await;
}
