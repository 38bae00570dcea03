//! `zencheck serve` as the real binary against hostile and careless clients: slow and
//! half-sent requests, too many connections, a module above the configured one, a tiny
//! scrape timeout, an open listener without a token, SIGTERM with half-open connections;
//! and what an operator reads: gzip when asked, the bearer scheme in any case, the probe
//! count without a budget, `/report`'s times; `min_interval` per module and the catalog's
//! rate limit; the status page; the memory bound against upstreams that stream without end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zencheck::mock::{self, MockServer, Options, Scenario};

/// The exporter process; killed when the test ends, however it ends.
struct Exporter {
    child: Child,
    addr: String,
    /// The exporter's stderr lines after the first.
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target(name: &str, m: &MockServer, extra: &str) -> String {
    format!(
        "[targets.{name}]\nbase_url = \"{}\"\nmodels = [\"mock-small\"]\n{extra}\n",
        m.base_url()
    )
}

/// Start `zencheck serve` over `config` with `flags`, and read its address off stderr.
fn exporter(config: &str, flags: &[&str]) -> Exporter {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zencheck.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .args(flags)
        .env("ZENCHECK_SERVE_TOKEN", "t0ken-for-tests")
        .stderr(Stdio::piped())
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
    // Keep draining stderr so the exporter never blocks writing its log.
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });
    Exporter {
        child,
        addr,
        log,
        _dir: dir,
    }
}

async fn get(e: &Exporter, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(format!("http://{}{path}", e.addr))
        .timeout(Duration::from_secs(20));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.expect("the exporter answers")
}

async fn text(e: &Exporter, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let r = get(e, path, headers).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the first sample whose name and labels start `prefix`.
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

/// Whether the server closed `c` (EOF or reset) within `within`.
fn closed_within(c: &mut TcpStream, within: Duration) -> bool {
    c.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return true,
            // An answer (a 408, say) before the close: read on to the close.
            Ok(_) => continue,
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_slow_clients_neither_hold_healthy_nor_their_connections() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(&target("t", &m, ""), &[]);
    // 300 clients that send part of a request head and then nothing.
    let mut slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut c = TcpStream::connect(&e.addr).unwrap();
            c.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            c
        })
        .collect();
    // And one that trickles a byte every 300 ms: never done, never idle.
    let mut trickle = TcpStream::connect(&e.addr).unwrap();
    let trickling = std::thread::spawn(move || {
        let started = Instant::now();
        let head = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Trickle: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for b in head.iter().cycle() {
            if trickle.write_all(&[*b]).is_err() || started.elapsed() > Duration::from_secs(30) {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        started.elapsed()
    });
    let started = Instant::now();
    let r = get(&e, "/-/healthy", &[]).await;
    assert_eq!(r.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "/-/healthy took {:?} beside 300 slow clients",
        started.elapsed()
    );
    // The head of a request has 10 s: every slow client is dropped soon after.
    let waited = Instant::now();
    for c in slow.iter_mut() {
        let left = Duration::from_secs(14).saturating_sub(waited.elapsed());
        assert!(
            closed_within(c, left.max(Duration::from_millis(50))),
            "a client that never finished its head still holds a connection after {:?}",
            waited.elapsed()
        );
    }
    let trickled = trickling.join().unwrap();
    assert!(
        trickled < Duration::from_secs(14),
        "a trickled head was read for {trickled:?}"
    );
    assert_eq!(get(&e, "/-/healthy", &[]).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_are_closed_at_once_and_counted() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(&target("t", &m, ""), &["--max-connections", "20"]);
    let held: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(&e.addr).unwrap())
        .collect();
    // Let the exporter take all twenty before the next one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut over = TcpStream::connect(&e.addr).unwrap();
    assert!(
        closed_within(&mut over, Duration::from_secs(2)),
        "the 21st connection was kept open"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, metrics) = text(&e, "/metrics", &[]).await;
    assert_eq!(status, 200);
    assert!(
        sample(&metrics, "zencheck_connections_refused_total").is_some_and(|v| v >= 1.0),
        "{metrics}"
    );
    assert!(sample(&metrics, "zencheck_connections_open").is_some_and(|v| v >= 1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_above_the_configured_one_is_refused_with_403_and_counted() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(&target("cheap", &m, "module = \"catalog\""), &[]);
    let (status, why) = text(&e, "/probe?target=cheap&module=full", &[]).await;
    assert_eq!(status, 403, "{why}");
    assert!(why.contains("catalog"), "{why}");
    assert_eq!(m.requests(), 0, "a refused scrape sent nothing");
    let (status, _) = text(&e, "/probe?target=cheap&module=catalog", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(m.requests(), 1, "the catalog is /models alone");
    let (_, metrics) = text(&e, "/metrics", &[]).await;
    assert_eq!(
        sample(
            &metrics,
            "zencheck_module_refusals_total{target=\"cheap\",module=\"full\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_scrape_timeout_never_becomes_everyones_outage() {
    // Every request takes 1.2 s: a chat probe outlives the 1 s floor a tiny timeout gets,
    // and fits in a normal scrape's 9.5 s.
    let m = mock::start_with(
        Scenario::Healthy,
        0,
        Options {
            latency: Duration::from_millis(1200),
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let e = exporter(
        &target("t", &m, "module = \"chat\"\nmin_interval = 300"),
        &[],
    );
    let tiny = [("X-Prometheus-Scrape-Timeout-Seconds", "0.001")];
    let normal = [("X-Prometheus-Scrape-Timeout-Seconds", "10")];
    let started = Instant::now();
    let (_, first) = text(&e, "/probe?target=t", &tiny).await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "a floor under the probe time: {:?}",
        started.elapsed()
    );
    assert_eq!(sample(&first, "probe_success"), Some(0.0), "{first}");
    // The next normal scrape probes again instead of reusing the cut result.
    let (_, second) = text(&e, "/probe?target=t", &normal).await;
    assert_eq!(sample(&second, "probe_success"), Some(1.0), "{second}");
    assert_eq!(sample(&second, "zencheck_probe_age_seconds"), Some(0.0));
    // And that whole result now answers every scrape, the tiny one included.
    let sent = m.requests();
    let (_, third) = text(&e, "/probe?target=t", &tiny).await;
    assert_eq!(sample(&third, "probe_success"), Some(1.0), "{third}");
    assert_eq!(m.requests(), sent, "answered from cache");
    let (_, metrics) = text(&e, "/metrics", &[]).await;
    assert_eq!(
        sample(
            &metrics,
            "zencheck_probes_cut_short_total{target=\"t\",module=\"chat\"}"
        ),
        Some(1.0),
        "{metrics}"
    );
}

#[test]
fn an_open_listener_without_a_token_refuses_to_start_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zencheck.toml");
    std::fs::write(
        &path,
        "[targets.t]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodels = [\"m\"]\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["serve", "--listen", "0.0.0.0:0", "--config"])
        .arg(&path)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zencheck serve started on 0.0.0.0 without a token");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("--allow-unauthenticated") && err.contains("--auth-token-env"),
        "{err}"
    );
    // Said explicitly, it starts (and still warns).
    let mut child = Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--allow-unauthenticated",
            "--config",
        ])
        .arg(&path)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("warning"), "{first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_gzipped_when_asked_and_plain_otherwise() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(&target("t", &m, ""), &[]);
    let plain = get(&e, "/probe?target=t", &[]).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let zipped = get(&e, "/probe?target=t", &[("Accept-Encoding", "gzip")]).await;
    assert_eq!(
        zipped.headers().get("content-encoding").unwrap(),
        "gzip",
        "Prometheus asks for gzip"
    );
    let zipped = zipped.bytes().await.unwrap();
    assert!(
        zipped.len() < plain.len(),
        "{} >= {}",
        zipped.len(),
        plain.len()
    );
    // What gzip itself reads back is the OpenMetrics text.
    let mut gunzip = Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip on PATH");
    gunzip.stdin.take().unwrap().write_all(&zipped).unwrap();
    let out = gunzip.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("probe_success 1") && text.ends_with("# EOF\n"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(
        &target("t", &m, ""),
        &["--auth-token-env", "ZENCHECK_SERVE_TOKEN"],
    );
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let auth = format!("{scheme} t0ken-for-tests");
        let (status, _) = text(&e, "/metrics", &[("Authorization", &auth)]).await;
        assert_eq!(status, 200, "{scheme}");
    }
    let (status, _) = text(
        &e,
        "/metrics",
        &[("Authorization", "Basic t0ken-for-tests")],
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = text(&e, "/metrics", &[("Authorization", "bearer wrong")]).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_are_counted_without_a_budget_and_report_says_when_and_how_old() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(&target("t", &m, "module = \"chat\""), &[]);
    let (_, metrics) = text(&e, "/metrics", &[]).await;
    assert_eq!(sample(&metrics, "zencheck_probe_budget_spent"), Some(0.0));
    assert_eq!(
        sample(&metrics, "zencheck_probe_budget_per_hour"),
        Some(-1.0)
    );
    assert_eq!(text(&e, "/probe?target=t", &[]).await.0, 200);
    let (_, metrics) = text(&e, "/metrics", &[]).await;
    assert_eq!(
        sample(&metrics, "zencheck_probe_budget_spent"),
        Some(1.0),
        "{metrics}"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = get(&e, "/report?target=t", &[]).await;
    let age: u64 = r
        .headers()
        .get("age")
        .expect("an Age header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..30).contains(&age), "age {age}");
    let report: serde_json::Value = r.json().await.unwrap();
    let started = report["started_at"].as_str().expect("started_at");
    assert!(chrono_like(started), "{started}");
    assert!(report["duration_ms"].as_u64().is_some(), "{report}");
}

/// `2026-12-06T07:00:00.123Z`, as the report writes it.
fn chrono_like(s: &str) -> bool {
    s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T'
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_is_not_held_by_half_open_or_idle_connections() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let mut e = exporter(&target("t", &m, ""), &[]);
    // One connection idle, one with half a request head, one with a head whose body never
    // comes.
    let _idle = TcpStream::connect(&e.addr).unwrap();
    let mut half = TcpStream::connect(&e.addr).unwrap();
    half.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let mut body = TcpStream::connect(&e.addr).unwrap();
    body.write_all(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab")
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &e.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let until = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = e.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "SIGTERM held past 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "SIGTERM took {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scrapes_of_one_result_read_the_same_in_a_sorted_order() {
    let m = mock::start_with(
        Scenario::Healthy,
        0,
        Options {
            extra_models: vec!["m-c".into(), "m-a".into(), "m-b".into()],
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let config = format!(
        "[targets.t]\nbase_url = \"{}\"\nmodels = [\"mock-small\", \"m-c\", \"m-a\", \"m-b\"]\nmodule = \"stream\"\nmin_interval = 300\n",
        m.base_url()
    );
    let e = exporter(&config, &[]);
    let without_age = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("zencheck_probe_age_seconds"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_, first) = text(&e, "/probe?target=t", &[]).await;
    let (_, second) = text(&e, "/probe?target=t", &[]).await;
    assert!(sample(&second, "zencheck_probe_age_seconds").is_some_and(|a| a > 0.0));
    assert_eq!(without_age(&first), without_age(&second));
    let series: Vec<&str> = first
        .lines()
        .filter(|l| l.starts_with("zencheck_check_status{"))
        .collect();
    assert!(series.len() > 20, "{first}");
    let mut sorted = series.clone();
    sorted.sort();
    assert_eq!(series, sorted, "series in label order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_line_of_a_probe_names_what_failed_and_the_kind() {
    let m = mock::start(Scenario::Auth, 0).await.unwrap();
    let e = exporter(&target("locked", &m, "module = \"chat\""), &[]);
    let (_, answer) = text(&e, "/probe?target=locked", &[]).await;
    assert_eq!(sample(&answer, "probe_success"), Some(0.0), "{answer}");
    let until = Instant::now() + Duration::from_secs(5);
    let line = loop {
        let found = e
            .log
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains("probed locked (chat)"))
            .cloned();
        if let Some(l) = found {
            break l;
        }
        assert!(Instant::now() < until, "no probe log line: {:?}", e.log);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(line.contains("failure; failed: "), "{line}");
    assert!(line.contains("[auth]"), "{line}");
    assert!(line.contains("chat.basic on mock-small [auth]"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_interval_is_set_per_module_and_the_catalog_is_rate_limited() {
    let m = mock::start(Scenario::Healthy, 0).await.unwrap();
    let c = mock::start(Scenario::Healthy, 0).await.unwrap();
    let z = mock::start(Scenario::Healthy, 0).await.unwrap();
    let e = exporter(
        &(target(
            "t",
            &m,
            "module = \"stream\"\nmin_interval = { chat = 0, stream = 300 }",
        ) + &target("c", &c, "")
            + &target("z", &z, "min_interval = 0")),
        &[],
    );
    // chat: 0 here, so every scrape probes; stream: 300, so the second is cached.
    let (status, _) = text(&e, "/probe?target=t&module=chat", &[]).await;
    assert_eq!(status, 200);
    let one_chat = m.requests();
    text(&e, "/probe?target=t&module=chat", &[]).await;
    assert_eq!(m.requests(), 2 * one_chat, "chat = 0: probed again");
    text(&e, "/probe?target=t&module=stream", &[]).await;
    let after_stream = m.requests();
    let (_, cached) = text(&e, "/probe?target=t&module=stream", &[]).await;
    assert_eq!(m.requests(), after_stream, "stream = 300: cached");
    assert!(sample(&cached, "zencheck_probe_age_seconds").unwrap() > 0.0);

    // The catalog by default: a flood of scrapes is one GET /models per 10 s.
    for _ in 0..20 {
        let (_, t) = text(&e, "/probe?target=c", &[]).await;
        assert_eq!(sample(&t, "probe_success"), Some(1.0), "{t}");
    }
    assert_eq!(c.requests(), 1, "20 catalog scrapes cost one GET /models");
    // min_interval = 0 still leaves the catalog's rate limit: one per second.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        text(&e, "/probe?target=z", &[]).await;
    }
    assert!(
        (2..=4).contains(&z.requests()),
        "2.5 s of scrapes, at most one GET /models a second: {}",
        z.requests()
    );
}

/// An upstream whose model ids and error message are markup and a script.
async fn markup_upstream() -> std::net::SocketAddr {
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    const SCRIPT: &str = "<script>document.title='pwned'</script>";
    let models = get(|| async {
        axum::Json(serde_json::json!({"object": "list", "data": [
            {"id": "m", "object": "model"},
            {"id": SCRIPT, "object": "model"},
        ]}))
    });
    let refuse = post(|| async {
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": {
                "message": format!("model {SCRIPT} is not allowed <img src=x onerror=alert(1)>"),
                "type": "invalid_request_error", "param": null, "code": null}})),
        )
            .into_response()
    });
    crate::common::serve_app(
        axum::Router::new()
            .route("/v1/models", models)
            .route("/v1/chat/completions", refuse),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_shows_every_targets_latest_probe_escaped_behind_the_token() {
    let good = mock::start(Scenario::Healthy, 0).await.unwrap();
    let idle = mock::start(Scenario::Healthy, 0).await.unwrap();
    let hostile = markup_upstream().await;
    let config = target("good", &good, "")
        + &format!(
            "[targets.hostile]\nbase_url = \"http://{hostile}/v1\"\nmodels = [\"m\"]\nmodule = \"chat\"\n"
        )
        + &target("idle", &idle, "");
    let e = exporter(&config, &["--auth-token-env", "ZENCHECK_SERVE_TOKEN"]);
    let auth = [("Authorization", "Bearer t0ken-for-tests")];
    // The rule of /report: the token, when there is one.
    let (status, _) = text(&e, "/", &[]).await;
    assert_eq!(status, 401);
    // Before any probe: every target listed as not probed yet, and nothing sent.
    let r = get(&e, "/", &auth).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let page = r.text().await.unwrap();
    for t in ["good", "hostile", "idle"] {
        assert!(page.contains(&format!("data-target=\"{t}\"")), "{page}");
    }
    assert_eq!(page.matches("not yet").count(), 3, "{page}");
    assert_eq!(
        good.requests() + idle.requests(),
        0,
        "the page probes nothing"
    );

    text(&e, "/probe?target=good", &auth).await;
    let (_, t) = text(&e, "/probe?target=hostile", &auth).await;
    assert_eq!(sample(&t, "probe_success"), Some(0.0), "{t}");
    let (_, page) = text(&e, "/", &auth).await;
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<code>chat</code>") && page.contains("<code>catalog</code>"));
    assert_eq!(page.matches("not yet").count(), 1, "idle alone: {page}");
    // The HTML report's rows: every check of both probes, the failure by kind.
    assert!(
        page.contains(
            "data-target=\"good\" data-model=\"\" data-check=\"models.list\" data-status=\"pass\""
        ),
        "{page}"
    );
    assert!(
        page.contains("data-target=\"hostile\" data-model=\"m\" data-check=\"chat.basic\" data-status=\"fail\""),
        "{page}"
    );
    assert!(page.contains("id=\"verdict\">failed"), "{page}");
    // Server text is escaped: no markup of the upstream's survives as markup.
    assert!(
        !page.contains("<script>") && !page.contains("<img src=x"),
        "{page}"
    );
    assert!(page.contains("&lt;script&gt;"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_keeps_each_modules_latest_probe() {
    // A target scraped by a frequent catalog job and a rarer stream job: its streams are
    // cut. The catalog probe after the stream probe must not hide what the stream found.
    let cut = mock::start(Scenario::StreamTruncated, 0).await.unwrap();
    let e = exporter(&target("t", &cut, "module = \"stream\""), &[]);
    let (_, t) = text(&e, "/probe?target=t&module=stream", &[]).await;
    assert_eq!(sample(&t, "probe_success"), Some(0.0), "{t}");
    let (_, t) = text(&e, "/probe?target=t&module=catalog", &[]).await;
    assert_eq!(sample(&t, "probe_success"), Some(1.0), "{t}");
    let (_, page) = text(&e, "/", &[]).await;
    // One row per module probed, each with its own result.
    assert!(
        page.contains("<code>stream</code>") && page.contains("<code>catalog</code>"),
        "{page}"
    );
    assert_eq!(
        page.matches("data-target=\"t\" data-age-s").count(),
        2,
        "{page}"
    );
    assert!(
        page.contains("data-check=\"chat.stream\" data-status=\"fail\""),
        "the stream probe's failure is still shown: {page}"
    );
    assert!(page.contains("id=\"verdict\">failed"), "{page}");
    // models.list ran in both probes: shown once, the newest.
    assert_eq!(
        page.matches("data-check=\"models.list\"").count(),
        1,
        "{page}"
    );
    // /report gives the newest probe, or the one of the module asked.
    let (_, newest) = text(&e, "/report?target=t", &[]).await;
    assert!(!newest.contains("\"chat.stream\""), "{newest}");
    let (status, stream) = text(&e, "/report?target=t&module=stream", &[]).await;
    assert_eq!(status, 200);
    assert!(stream.contains("\"chat.stream\""), "{stream}");
    let (status, _) = text(&e, "/report?target=t&module=full", &[]).await;
    assert_eq!(status, 404, "never probed in full");
    let (status, _) = text(&e, "/report?target=t&module=everything", &[]).await;
    assert_eq!(status, 400);
}

/// Streams open now and the most open at once, across the upstreams sharing it.
#[derive(Default)]
pub struct Open {
    now: std::sync::atomic::AtomicUsize,
    most: std::sync::atomic::AtomicUsize,
}

/// Counts a stream open while it lives (the server drops it when the client hangs up).
struct Streaming(Arc<Open>);

impl Streaming {
    fn new(open: Arc<Open>) -> Streaming {
        use std::sync::atomic::Ordering::SeqCst;
        let n = open.now.fetch_add(1, SeqCst) + 1;
        open.most.fetch_max(n, SeqCst);
        Streaming(open)
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// An upstream whose chat streams never end: events of 40 characters as fast as the socket
/// takes them, each stream counted in `open`. Non-streamed chat gets a small answer.
pub async fn endless_upstream(open: Arc<Open>) -> std::net::SocketAddr {
    use axum::body::Body;
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    let chunk = format!(
        "data: {}\n\n",
        serde_json::json!({"id": "c", "object": "chat.completion.chunk", "model": "m",
            "choices": [{"index": 0, "delta": {"content": "x".repeat(40)}, "finish_reason": null}]})
    )
    .repeat(200);
    let models = get(|| async {
        axum::Json(serde_json::json!({"object": "list", "data": [{"id": "m", "object": "model"}]}))
    });
    let chat = post(move |body: axum::Json<serde_json::Value>| {
        let chunk = chunk.clone();
        let open = open.clone();
        async move {
            if body.0["stream"] != serde_json::Value::Bool(true) {
                return axum::Json(serde_json::json!({"id": "c", "object": "chat.completion",
                    "model": "m", "choices": [{"index": 0, "message": {"role": "assistant",
                    "content": "pong"}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}))
                .into_response();
            }
            let streaming = Streaming::new(open);
            let s = futures_util::stream::repeat_with(move || {
                let _open = &streaming;
                Ok::<_, std::io::Error>(bytes::Bytes::from(chunk.clone()))
            });
            (
                [("content-type", "text/event-stream")],
                Body::from_stream(s),
            )
                .into_response()
        }
    });
    crate::common::serve_app(
        axum::Router::new()
            .route("/v1/models", models)
            .route("/v1/chat/completions", chat),
    )
    .await
}

/// The exporter's peak resident memory so far (VmHWM), in MiB.
fn peak_rss_mib(e: &Exporter) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", e.child.id())).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kib / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_in_flight_stay_under_the_memory_bound_and_the_rest_queue() {
    // Eight targets on eight hostile upstreams, each probe reading an endless stream to the
    // 8 MiB cap: eight streams at once without a bound, four under 8 MiB (a stream reserves
    // 2 MiB, a body 4 MiB).
    let open = Arc::new(Open::default());
    let mut config = String::new();
    for i in 0..8 {
        let up = endless_upstream(open.clone()).await;
        config.push_str(&format!(
            "[targets.t{i}]\nbase_url = \"http://{up}/v1\"\nmodels = [\"m\"]\nroutes = [\"chat\"]\nmodule = \"stream\"\nchecks = [\"models.*\", \"chat.basic\", \"chat.stream\"]\n"
        ));
    }
    let e = exporter(&config, &["--max-memory", "8"]);
    let idle = peak_rss_mib(&e);
    let long = [("X-Prometheus-Scrape-Timeout-Seconds", "120")];
    let scrapes = (0..8).map(|i| {
        let url = format!("http://{}/probe?target=t{i}", e.addr);
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .header(long[0].0, long[0].1)
                .timeout(Duration::from_secs(150))
                .send()
                .await
                .expect("the exporter answers");
            (r.status().as_u16(), r.text().await.unwrap())
        }
    });
    let answers = futures_util::future::join_all(scrapes).await;
    for (status, t) in &answers {
        assert_eq!(*status, 200, "{t}");
        // Queued, not cut: every stream was read to the cap and judged for it.
        assert_eq!(
            sample(
                t,
                "zencheck_failure_info{model=\"m\",check=\"chat.stream\",kind=\"bad_response\"}"
            ),
            Some(1.0),
            "{t}"
        );
    }
    // 8 MiB holds four streams at a time and the rest queue for them. An upstream sees a
    // stream close only when its next write fails, a moment after the exporter let go of it
    // and started a queued one, so it may count one more: five at most, never the eight of
    // no bound.
    let most = open.most.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=5).contains(&most),
        "{most} streams open at once under an 8 MiB bound"
    );
    // The process grows by about one stream read
    // to the cap and judged (20 to 30 MiB), not by four (about 95 MiB without the bound).
    let peak = peak_rss_mib(&e);
    eprintln!("peak {peak:.0} MiB, {idle:.0} MiB before the scrapes");
    assert!(
        peak - idle < 55.0,
        "peak {peak:.0} MiB, {idle:.0} MiB before the scrapes"
    );
}
