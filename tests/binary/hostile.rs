//! Hostile servers and careless users: redirects that would carry the key away, keys in
//! the URL, control characters and Markdown from the server, closed pipes, bad input.

use crate::common;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use common::{check, probe};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use zencheck::failure::Kind;

/// A server on 127.0.0.1 that records every request line and answers with `reply`.
async fn recording<F>(reply: F) -> (String, Arc<Mutex<Vec<String>>>)
where
    F: Fn(&str) -> Response + Clone + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(any(move |req: Request| {
        let reply = reply.clone();
        let log = log.clone();
        async move {
            let line = format!("{} {}", req.method(), req.uri());
            log.lock().unwrap().push(line.clone());
            reply(&line)
        }
    }));
    let addr = common::serve_app(app).await;
    (format!("http://{addr}"), seen)
}

fn models_and(chat: serde_json::Value) -> impl Fn(&str) -> Response + Clone {
    move |line: &str| {
        if line.contains("/models") {
            axum::Json(serde_json::json!({"object": "list", "data": [{"id": "m"}]})).into_response()
        } else {
            axum::Json(chat.clone()).into_response()
        }
    }
}

#[tokio::test]
async fn a_redirect_is_reported_and_never_followed() {
    let (elsewhere, hits) = recording(|_| "stolen".into_response()).await;
    let to = format!("{elsewhere}/v1/chat/completions");
    let (base, _) = recording(move |_| {
        Response::builder()
            .status(307)
            .header("location", to.clone())
            .body(axum::body::Body::empty())
            .unwrap()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &format!("{base}/v1"),
        "-m",
        "m",
        "-H",
        "api-key: sk-redirect-secret-123456",
        "--checks",
        "chat.basic",
    ])
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(c.kind, Some(Kind::Redirect), "{}", r.to_json());
    assert!(c.detail.contains(&elsewhere), "{}", c.detail);
    assert!(c.detail.contains("leaves this origin"), "{}", c.detail);
    assert!(
        hits.lock().unwrap().is_empty(),
        "the redirect target was contacted"
    );
}

#[tokio::test]
async fn a_query_in_the_base_url_stays_a_query_and_is_never_shown() {
    let ok = serde_json::json!({"id": "c", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}});
    let (base, seen) = recording(models_and(ok)).await;
    let url = format!("{base}/openai/v1?api-version=2024-10-21&api-key=AzureSecret0123456789");
    let r = probe(&["--base-url", &url, "-m", "m", "--checks", "chat.basic"]).await;
    assert_eq!(
        check(&r, "chat.basic").status,
        zencheck::finding::Status::Pass,
        "{}",
        r.to_json()
    );
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l
            == "POST /openai/v1/chat/completions?api-version=2024-10-21&api-key=AzureSecret0123456789"),
        "{lines:?}"
    );
    let json = r.to_json();
    assert!(!json.contains("AzureSecret"), "{json}");
    assert!(json.contains("api-version=2024-10-21"), "{json}");
}

#[tokio::test]
async fn control_characters_and_markdown_from_a_server_are_defused() {
    let err = serde_json::json!({"error": {"message":
        "\u{1b}]0;pwned\u{7}\u{1b}[2J\rall checks passed ![x](http://evil/p.png) [openai.com](http://evil/) `tick`",
        "type": "invalid_request_error"}});
    let (base, _) = recording(move |line| {
        if line.contains("/models") {
            axum::Json(serde_json::json!({"object": "list", "data": [{"id": "m\u{1b}[31m"}]}))
                .into_response()
        } else {
            (axum::http::StatusCode::BAD_REQUEST, axum::Json(err.clone())).into_response()
        }
    })
    .await;
    let r = probe(&["--base-url", &format!("{base}/v1"), "-m", "m"]).await;
    for text in [
        zencheck::report::render_table(&r, false),
        zencheck::report::render_markdown(&r),
        r.to_json(),
    ] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'));
    }
    let md = zencheck::report::render_markdown(&r);
    assert!(
        !md.contains("![x](http://evil") && !md.contains("[openai.com](http://evil"),
        "server text renders as Markdown:\n{md}"
    );
}

fn zencheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zencheck"))
}

#[test]
fn a_closed_pipe_is_a_quiet_end_not_a_panic() {
    for args in [&["mock", "--list"][..], &["demo", "--all"][..]] {
        let mut child = zencheck()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before zencheck writes (as `| head -0` does).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}

#[test]
fn careless_input_is_a_usage_error_that_shows_no_secret() {
    let cases: &[(&[&str], &str)] = &[
        (&["--base-url", "http://127.0.0.1:9/v1", "-m", ""], "model"),
        (&["--base-url", "http:///v1", "-m", "m"], "no host"),
        (
            &[
                "--base-url",
                "http://127.0.0.1:9/v1",
                "-m",
                "m",
                "--per-host",
                "0",
            ],
            "per-host",
        ),
        (
            &["--base-url", "http://127.0.0.1:9/v1#frag", "-m", "m"],
            "fragment",
        ),
        (
            &[
                "--base-url",
                "ftp://u:HiddenPass99@h/v1?api-key=HiddenKey99",
                "-m",
                "m",
            ],
            "http",
        ),
        (
            &[
                "--base-url",
                "http://127.0.0.1:9/v1",
                "-m",
                "m",
                "-H",
                "sk-HiddenKey99-no-colon",
            ],
            "header",
        ),
        (
            &[
                "--base-url",
                "http://127.0.0.1:9/v1",
                "-m",
                "m",
                "-H",
                "api-key: HiddenKey99\r\nX: y",
            ],
            "api-key",
        ),
    ];
    for (args, says) in cases {
        let out = zencheck().arg("probe").args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("Hidden"), "{args:?} leaks: {stderr}");
    }
}

#[test]
fn a_key_variable_with_a_prefix_is_warned_about_and_one_with_a_newline_refused() {
    let out = zencheck()
        .args(["probe", "--base-url", "http://127.0.0.1:9/v1", "-m", "m"])
        .args(["--api-key-env", "K", "--dry-run"])
        .env("K", "Bearer sk-abcdefghijklmnop")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("$K starts with `Bearer `"), "{stderr}");
    assert!(!stderr.contains("abcdefghijklmnop"));
    let out = zencheck()
        .args(["probe", "--base-url", "http://127.0.0.1:9/v1", "-m", "m"])
        .args(["--api-key-env", "K", "--dry-run"])
        .env("K", "sk-abc\ndefghijklmnop")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line break"));
}

#[test]
fn curl_reproductions_single_quote_everything_but_the_key_reference() {
    let out = zencheck()
        .args(["probe", "--base-url", "http://127.0.0.1:9/v1", "-m", "m"])
        .args(["--api-key-env", "K", "--curl", "--checks", "chat.basic"])
        .args(["-H", "X-Title: $(touch /tmp/zencheck-pwned) $K"])
        .args(["--connect-timeout", "1", "--timeout", "1"])
        .env("K", "sk-abcdefghijklmnop")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // A long command is split over lines with ` \` continuations; read it as the shell does.
    let joined = stdout.replace(" \\\n  ", " ");
    let line = joined
        .lines()
        .find(|l| l.contains("curl -sS"))
        .unwrap_or_else(|| panic!("no curl line in {stdout}"));
    assert!(
        line.contains("'X-Title: $(touch /tmp/zencheck-pwned) $K'"),
        "{line}"
    );
    assert!(line.contains("\"Authorization: Bearer $K\""), "{line}");
}

#[tokio::test]
async fn a_four_megabyte_model_id_renders_quickly_and_stays_small() {
    let huge = "x".repeat(4_000_000);
    let (base, _) = recording(move |_| {
        axum::Json(
            serde_json::json!({"object": "list", "data": [{"id": huge.clone()}, {"id": "n"}]}),
        )
        .into_response()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &format!("{base}/v1"),
        "-m",
        "m",
        "--checks",
        "models.list,models.exists",
    ])
    .await;
    let t0 = std::time::Instant::now();
    let table = zencheck::report::render_table(&r, false);
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(1),
        "table took {:?}",
        t0.elapsed()
    );
    assert!(table.len() < 200_000, "table is {} bytes", table.len());
    assert!(
        r.to_json().len() < 200_000,
        "JSON is {} bytes",
        r.to_json().len()
    );
}

#[tokio::test]
async fn proxies_are_honoured_for_remote_hosts_and_named_in_the_report() {
    let ok = serde_json::json!({"object": "list", "data": [{"id": "m"}]});
    let (proxy, seen) = recording(move |_| axum::Json(ok.clone()).into_response()).await;
    let run = |extra: Vec<(&'static str, String)>, args: Vec<String>| {
        let mut c = zencheck();
        c.args([
            "probe",
            "--base-url",
            "http://llm.example.invalid/v1",
            "-m",
            "m",
        ])
        .args([
            "--checks",
            "models.list",
            "--format",
            "json",
            "--timeout",
            "3",
        ])
        .args(args);
        for v in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            c.env_remove(v);
        }
        for (k, v) in extra {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let r = tokio::task::spawn_blocking({
        let proxy = proxy.clone();
        move || run(vec![], vec!["--proxy".into(), proxy])
    })
    .await
    .unwrap();
    assert_eq!(
        r["targets"][0]["proxy"]
            .as_str()
            .map(|p| p.trim_end_matches('/')),
        Some(proxy.as_str())
    );
    assert_eq!(r["checks"][0]["status"], "pass", "{r}");
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("llm.example.invalid")));
    // From the environment, and NO_PROXY takes a host out again.
    let r = tokio::task::spawn_blocking({
        let proxy = proxy.clone();
        move || run(vec![("HTTP_PROXY", proxy)], vec![])
    })
    .await
    .unwrap();
    assert_eq!(r["checks"][0]["status"], "pass", "{r}");
    let r = tokio::task::spawn_blocking({
        let proxy = proxy.clone();
        move || {
            run(
                vec![
                    ("HTTP_PROXY", proxy),
                    ("NO_PROXY", ".example.invalid".into()),
                ],
                vec![],
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(r["targets"][0]["proxy"], serde_json::Value::Null, "{r}");
    assert_eq!(r["checks"][0]["kind"], "network", "{r}");
}

#[test]
fn insecure_is_said_loudly_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = zencheck()
        .current_dir(dir.path())
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "-m",
            "m",
            "--insecure",
        ])
        .args(["--checks", "models.list", "--connect-timeout", "1"])
        .args(["--json", "r.json", "--markdown", "r.md", "--junit", "r.xml"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    for (what, text) in [
        ("table", table),
        (
            "markdown",
            std::fs::read_to_string(dir.path().join("r.md")).unwrap(),
        ),
        (
            "junit",
            std::fs::read_to_string(dir.path().join("r.xml")).unwrap(),
        ),
    ] {
        assert!(text.contains("NOT verified"), "{what}: {text}");
    }
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(json.contains("\"insecure\": true"), "{json}");
}

#[tokio::test]
async fn https_to_a_plain_http_port_names_the_cause_and_keeps_the_words() {
    let (base, _) = recording(|_| "plain".into_response()).await;
    let url = base.replace("http://", "https://");
    let r = probe(&[
        "--base-url",
        &format!("{url}/v1"),
        "-m",
        "m",
        "--checks",
        "models.list",
    ])
    .await;
    let c = check(&r, "models.list");
    assert_eq!(c.kind, Some(Kind::Network), "{}", r.to_json());
    assert!(
        c.detail.contains("does not speak TLS") && c.detail.contains("http://"),
        "{}",
        c.detail
    );
}

/// The peak resident memory (KiB) of `zencheck ARGS` run to its end, from the kernel's own
/// accounting of the finished child (`wait4`'s `ru_maxrss`, which reaps it).
#[allow(clippy::zombie_processes)]
fn peak_rss_kib(args: &[&str]) -> i64 {
    let child = zencheck()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    usage.ru_maxrss
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_read_to_their_cap_cost_what_their_judges_keep_not_the_streams() {
    // An upstream whose chat streams never end: each is read to the 8 MiB cap. The three
    // chat stream checks read three at once; holding them would cost 24 MiB and more.
    let up = crate::serve_hostile::endless_upstream(Default::default()).await;
    let base = format!("http://{up}/v1");
    let run = |checks: &'static str| {
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            peak_rss_kib(&[
                "probe",
                "--base-url",
                &base,
                "-m",
                "m",
                "--checks",
                checks,
                "--format",
                "json",
            ])
        })
    };
    let idle = run("chat.basic").await.unwrap();
    let streams = run("chat.stream,chat.stream_usage,chat.stream_tools")
        .await
        .unwrap();
    let grew = (streams - idle) as f64 / 1024.0;
    eprintln!(
        "peak {:.1} MiB with three streams at the cap, {:.1} MiB with none",
        streams as f64 / 1024.0,
        idle as f64 / 1024.0
    );
    // What serve reserves for each stream under --max-memory holds for three at once.
    let room = zencheck::http::STREAM_ROOM as f64 / (1 << 20) as f64;
    assert!(
        grew < 3.0 * room,
        "three streams read to the 8 MiB cap grew the probe by {grew:.1} MiB, over {room} MiB each"
    );
}
