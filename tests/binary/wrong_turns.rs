//! Fewer wrong turns (#12), through the real binary: errors that point at the right help and
//! the fix, opencode.json read as opencode reads it, `explain` saying what it waits for, and
//! a base URL without `/v1`.

use crate::common;

use assert_cmd::Command;
use serde_json::Value;
use zencheck::mock::{self, Scenario};

fn zencheck() -> Command {
    crate::common::zencheck_plain(200)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run the binary and return (exit code, stdout, stderr).
fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut c = zencheck();
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).output().unwrap();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn explain_and_opencode_errors_point_at_their_own_help() {
    let (code, _, err) = run(&["explain", ""], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("zencheck explain --help"), "{err}");
    assert!(!err.contains("probe --help"), "{err}");

    let (code, _, err) = run(
        &[
            "opencode",
            "serve-check",
            "-m",
            "no-slash",
            "--url",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("zencheck opencode serve-check --help"),
        "{err}"
    );
    assert!(!err.contains("probe --help"), "{err}");

    // probe's own usage errors still point at probe's help.
    let (code, _, err) = run(
        &[
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--concurrency",
            "0",
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("zencheck probe --help"), "{err}");
}

#[test]
fn a_bad_header_is_not_followed_by_a_base_url_hint() {
    for h in ["no colon here", "X-Title: a\u{7}b"] {
        let (code, _, err) = run(
            &["probe", "--base-url", "http://127.0.0.1:9/v1", "-H", h],
            &[],
        );
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("header"), "{err}");
        assert!(!err.contains("base URL looks like"), "{err}");
    }
}

#[test]
fn a_bad_zencheck_variable_is_named() {
    // Refused by clap (not a number, not a choice) and by zencheck (out of range).
    for (var, value) in [
        ("ZENCHECK_TIMEOUT", "abc"),
        ("ZENCHECK_FORMAT", "yaml"),
        ("ZENCHECK_CONNECT_TIMEOUT", "-1"),
        ("ZENCHECK_CONCURRENCY", "0"),
    ] {
        let (code, _, err) = run(
            &["probe", "--base-url", "http://127.0.0.1:9/v1"],
            &[(var, value)],
        );
        assert_eq!(code, Some(2), "{var}: {err}");
        assert!(err.contains(var), "{var}: {err}");
    }
    // The same value typed as a flag is the flag's fault, not the variable's.
    let (code, _, err) = run(
        &[
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--timeout",
            "abc",
        ],
        &[("ZENCHECK_TIMEOUT", "5")],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("ZENCHECK_TIMEOUT"), "{err}");
}

#[test]
fn an_unknown_scenario_gets_the_closest_name() {
    let (code, _, err) = run(&["mock", "--scenario", "stream-stall"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean `stream-stalled`"), "{err}");
    let (code, _, err) = run(&["mock", "--scenario", "zzzzzzzzzzzz"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("mock --list"), "{err}");
}

#[test]
fn a_base_url_without_a_scheme_gets_one_suggested() {
    for (given, want) in [
        ("localhost:8080/v1", "http://localhost:8080/v1"),
        ("127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
        ("api.openai.com/v1", "https://api.openai.com/v1"),
    ] {
        let (code, _, err) = run(&["probe", "--base-url", given], &[]);
        assert_eq!(code, Some(2), "{given}: {err}");
        assert!(
            err.contains(&format!("--base-url {want}")),
            "{given}: {err}"
        );
    }
    // Secrets in it are not shown, in the suggestion either.
    let (_, _, err) = run(
        &["probe", "--base-url", "me:Sekr3tPass@gw.example.com/v1"],
        &[],
    );
    assert!(!err.contains("Sekr3tPass"), "{err}");
}

/// opencode reads its config as JSONC with trailing commas; so does `--opencode-config`.
#[tokio::test]
async fn opencode_json_with_comments_and_trailing_commas_is_read() {
    let server = mock::start(Scenario::Healthy, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opencode.json");
    let config = format!(
        r#"{{
  "$schema": "https://opencode.ai/config.json",
  // a local gateway
  "provider": {{
    "gw": {{
      "npm": "@ai-sdk/openai-compatible", /* as opencode calls it */
      "options": {{ "baseURL": "{}", }},
      "models": {{ "mock-small": {{}}, }},
    }},
  }},
}}
"#,
        server.base_url()
    );
    std::fs::write(&path, config).unwrap();
    let p = path.to_str().unwrap().to_string();
    let out = tokio::task::spawn_blocking(move || {
        zencheck()
            .args([
                "probe",
                "--format",
                "json",
                "--checks",
                "chat.basic",
                "--opencode-config",
                &p,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["targets"][0]["name"], "gw", "{v}");
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "chat.basic" && c["status"] == "pass"));

    // What opencode refuses is refused too, with the place named.
    std::fs::write(&path, "{ \"provider\": { 'gw': {} } }").unwrap();
    let (code, _, err) = run(&["probe", "--opencode-config", path.to_str().unwrap()], &[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("JSONC"), "{err}");
}

#[test]
fn explain_with_piped_stdin_asks_nothing() {
    let out = zencheck()
        .args(["explain"])
        .write_stdin("HTTP 401 {\"error\":{\"code\":\"invalid_api_key\"}}")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("Ctrl-D"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("auth"), "{}", text(&out.stdout));
}

/// With a terminal as stdin, `explain` says what it waits for before it reads.
#[cfg(target_os = "linux")]
#[test]
fn explain_at_a_terminal_says_to_paste_then_ctrl_d() {
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two new descriptors into the pointers; the rest may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zencheck"))
        .arg("explain")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::from(slave))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // The prompt comes before anything is typed (read on a thread: a missing prompt must
    // fail the test, not hang it).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = [0u8; 200];
        let n = stderr.read(&mut first).unwrap_or(0);
        let _ = tx.send(text(&first[..n]));
    });
    let prompt = rx.recv_timeout(std::time::Duration::from_secs(20));
    if !prompt
        .as_deref()
        .is_ok_and(|p| p.contains("paste the error, then press Ctrl-D"))
    {
        let _ = child.kill();
        panic!("no prompt: {prompt:?}");
    }
    let mut m = std::fs::File::from(master);
    // Ctrl-D at the start of a line is end of input for a terminal.
    m.write_all(b"HTTP 401 invalid_api_key\n\x04").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "explain did not end");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(status.success(), "{out}");
    assert!(out.contains("auth"), "{out}");
}

/// A server that serves only under /v1; counts the GET /v1/models it gets.
async fn v1_only() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::routing::{get, post};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let lists = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = lists.clone();
    let api = axum::Router::new()
        .route(
            "/models",
            get(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                async { axum::Json(serde_json::json!({"object": "list", "data": [{"id": "m", "object": "model"}]})) }
            }),
        )
        .route(
            "/chat/completions",
            post(|| async { axum::Json(serde_json::json!({"id": "c", "object": "chat.completion", "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})) }),
        );
    // Everything else, / included, is axum's empty 404.
    let app = axum::Router::new().nest("/v1", api);
    let addr = common::serve_app(app).await;
    (format!("http://{addr}"), lists)
}

async fn probe_json(args: Vec<String>) -> Value {
    let out = tokio::task::spawn_blocking(move || {
        zencheck()
            .arg("probe")
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)))
}

#[tokio::test]
async fn a_base_url_without_v1_is_told_the_url_that_answers() {
    use std::sync::atomic::Ordering;
    let (base, lists) = v1_only().await;
    let want = format!("use {base}/v1");
    for models in [vec!["-m", "m"], vec![]] {
        let mut args = vec!["--base-url".to_string(), base.clone()];
        args.extend(models.iter().map(|s| s.to_string()));
        let before = lists.load(Ordering::Relaxed);
        let v = probe_json(args).await;
        let list = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "models.list")
            .unwrap();
        assert_eq!(list["kind"], "base_url", "{v}");
        assert!(list["hint"].as_str().unwrap().contains(&want), "{v}");
        // Once, and zencheck did not switch to it silently: nothing else passed.
        assert_eq!(lists.load(Ordering::Relaxed) - before, 1, "{v}");
        assert_eq!(v["summary"]["pass"], 0, "{v}");
    }
    // Given with /v1, it passes, and /v1/v1 is never tried.
    let before = lists.load(Ordering::Relaxed);
    let v = probe_json(vec![
        "--base-url".into(),
        format!("{base}/v1"),
        "-m".into(),
        "m".into(),
        "--checks".into(),
        "models,chat.basic".into(),
    ])
    .await;
    assert_eq!(v["summary"]["fail"], 0, "{v}");
    assert_eq!(lists.load(Ordering::Relaxed) - before, 1);
}

#[tokio::test]
async fn a_server_that_404s_under_v1_too_gets_no_url_to_use() {
    let app = axum::Router::new();
    let addr = common::serve_app(app).await;
    let v = probe_json(vec![
        "--base-url".into(),
        format!("http://{addr}/api"),
        "-m".into(),
        "m".into(),
    ])
    .await;
    let hints: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "base_url")
        .filter_map(|c| c["hint"].as_str())
        .collect();
    assert!(!hints.is_empty(), "{v}");
    assert!(hints.iter().all(|h| !h.contains("use http")), "{v}");
}

/// `zencheck init`'s template names `${GATEWAY_URL}`: while it is unset, the other targets
/// and ad-hoc probes still run; only a run that uses that target is refused.
#[test]
fn an_unset_variable_stops_only_the_runs_that_use_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let init = zencheck()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    let run = |args: &[&str]| {
        let out = zencheck()
            .current_dir(dir.path())
            .env_remove("GATEWAY_URL")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, out, err) = run(&["probe", "--target", "zen", "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("opencode.ai/zen"), "{out}");
    let (code, _, err) = run(&["probe", "--base-url", "http://127.0.0.1:9/v1", "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    // A real run of that target stops before sending anything, naming the variable.
    let (code, _, err) = run(&["probe", "--target", "gateway"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("GATEWAY_URL is not set"), "{err}");
    // A dry run of the whole file shows the other targets and says what to export.
    let (code, out, err) = run(&["probe", "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("opencode.ai/zen") && out.contains("127.0.0.1:11434"),
        "{out}"
    );
    assert!(
        err.contains("target `gateway` left out: GATEWAY_URL is not set")
            && err.contains("export GATEWAY_URL="),
        "{err}"
    );
}

/// `zencheck init`'s Zen target passes against a healthy Zen as written: the zen-routes
/// mock (each model only on its own route) at the template's own settings, only the URL
/// changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_init_templates_zen_target_passes_against_a_healthy_zen() {
    let zen = mock::start(Scenario::ZenRoutes, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let url = zen.base_url();
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let init = zencheck().current_dir(&d).arg("init").output().unwrap();
        assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
        let path = d.join("zencheck.toml");
        let toml = std::fs::read_to_string(&path).unwrap();
        let toml = toml.replacen(
            "provider = \"zen\"\n",
            &format!("provider = \"zen\"\nbase_url = \"{url}\"\n"),
            1,
        );
        std::fs::write(&path, toml).unwrap();
        let out = zencheck()
            .current_dir(&d)
            .env("OPENCODE_API_KEY", "sk-zen-init-test")
            .args(["probe", "--target", "zen", "--fail-on", "warn", "--all"])
            .output()
            .unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains(" pass, 0 fail, 0 warn, 0 unsupported, 0 skip"),
        "{out}"
    );
}

#[test]
fn a_named_check_on_a_route_no_model_is_probed_on_is_said_not_run() {
    // messages.thinking on a model not named claude-…: /messages is not probed, so the
    // check would silently not run; stderr says so and names the flag that runs it.
    let base = [
        "probe",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "-m",
        "m",
        "--dry-run",
    ];
    let (code, out, err) = run(
        &[&base[..], &["--checks", "messages.thinking"]].concat(),
        &[],
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        err.contains("messages.thinking not run") && err.contains("add --routes messages"),
        "{err}"
    );
    // Named where it runs: nothing to say.
    let (_, _, err) = run(
        &[
            &base[..],
            &["--checks", "messages.thinking", "--routes", "messages"],
        ]
        .concat(),
        &[],
    );
    assert!(!err.contains("not run"), "{err}");
    // A glob names no check in particular: `--checks '*'` says nothing of /messages.
    let (_, _, err) = run(&[&base[..], &["--checks", "*"]].concat(), &[]);
    assert!(!err.contains("not run"), "{err}");
}
