//! At the terminal (#12), through the real binary against the built-in mock: `-q`,
//! `--color` and the colour variables, `-v`, `--trace`.

use crate::common;

use assert_cmd::Command;
use zencheck::mock::{self, Scenario};

/// A key no server or renderer could produce by accident.
const KEY: &str = "sk-zc-term-1a2b3c4d5e6f7a8b9c0d";

fn zencheck() -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS"] {
        c.env_remove(v);
    }
    c.env("ZC_TEST_KEY", KEY)
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// Run `zencheck probe --base-url MOCK ARGS` with `env` set while a mock serves.
async fn probe(scenario: Scenario, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let server = mock::start(scenario, 0).await.unwrap();
    let mut argv: Vec<String> = vec![
        "probe".into(),
        "--base-url".into(),
        server.base_url(),
        "--model".into(),
        zencheck::cmd::demo::DEMO_MODEL.into(),
        "--api-key-env".into(),
        "ZC_TEST_KEY".into(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        let mut c = zencheck();
        for (k, v) in &env {
            c.env(k, v);
        }
        c.args(&argv).output().unwrap()
    })
    .await
    .unwrap();
    drop(server);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const ESC: &str = "\x1b[";

#[tokio::test]
async fn quiet_prints_only_the_verdict() {
    let ok = probe(Scenario::Healthy, &["-q"], &[]).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let out = text(&ok.stdout);
    assert_eq!(out.lines().count(), 1, "one line: {out}");
    assert!(out.contains(" pass, 0 fail"), "{out}");

    let bad = probe(Scenario::Auth, &["--quiet"], &[]).await;
    assert_eq!(bad.status.code(), Some(1));
    let out = text(&bad.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "summary and FAILED: {out}");
    assert!(lines[1].starts_with("FAILED: "), "{out}");
    assert!(!out.contains('│'), "no table: {out}");
}

/// `-q` keeps errors: a run that cannot start still says why on stderr, and prints no verdict.
#[test]
fn quiet_still_prints_errors() {
    let out = zencheck()
        .args(["-q", "probe", "--base-url", "127.0.0.1:9/v1", "-m", "m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("http://"), "the error and its hint: {err}");
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
}

#[tokio::test]
async fn quiet_keeps_json_and_does_not_list_written_files() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = probe(
        Scenario::Healthy,
        &["-q", "--json", json.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(json.exists());
    assert!(
        !text(&out.stderr).contains("report written"),
        "{}",
        text(&out.stderr)
    );
    let out = probe(Scenario::Healthy, &["-q", "--format", "json"], &[]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON kept under -q");
    assert!(v["checks"].is_array());
}

#[tokio::test]
async fn colour_follows_the_flag_then_the_variables() {
    let has = |o: &std::process::Output| text(&o.stdout).contains(ESC);
    // Piped: no colour unless asked for.
    assert!(!has(&probe(Scenario::Auth, &[], &[]).await));
    assert!(has(
        &probe(Scenario::Auth, &["--color", "always"], &[]).await
    ));
    assert!(has(
        &probe(Scenario::Auth, &[], &[("FORCE_COLOR", "1")]).await
    ));
    assert!(has(
        &probe(Scenario::Auth, &[], &[("CLICOLOR_FORCE", "1")]).await
    ));
    assert!(!has(&probe(
        Scenario::Auth,
        &[],
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )
    .await));
    assert!(!has(&probe(
        Scenario::Auth,
        &["--color=never"],
        &[("FORCE_COLOR", "1")]
    )
    .await));
    assert!(has(&probe(
        Scenario::Auth,
        &["--color=always"],
        &[("NO_COLOR", "1")]
    )
    .await));
}

#[test]
fn demo_honours_quiet_and_color() {
    let out = zencheck()
        .args(["demo", "-q", "--color", "always"])
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert_eq!(s.lines().count(), 1, "{s}");
    assert!(s.starts_with("demo: "), "{s}");
    let out = zencheck()
        .args(["--color", "always", "demo"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains(ESC),
        "global flag before the subcommand"
    );
}

#[tokio::test]
async fn each_curl_is_labelled_with_its_check_and_model() {
    let out = probe(Scenario::Auth, &["--curl"], &[]).await;
    let s = text(&out.stdout);
    let labels: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with("# ") && s.contains("curl -sS"))
        .collect();
    assert!(!labels.is_empty(), "{s}");
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("# chat.") && l.contains(zencheck::cmd::demo::DEMO_MODEL)),
        "{labels:?}"
    );
    assert!(!s.contains(KEY));
}

/// A server that echoes every request header back: in a response header, in the body,
/// and in SSE frames. Nothing it sends may bring the key to stderr or the trace.
async fn echo_server() -> String {
    use axum::response::{IntoResponse, Response};
    async fn echo(req: axum::extract::Request) -> Response {
        let seen: String = req
            .headers()
            .iter()
            .map(|(n, v)| format!("{n}={} ", String::from_utf8_lossy(v.as_bytes())))
            .collect();
        let stream = req.uri().query().is_none()
            && axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .map(|b| String::from_utf8_lossy(&b).contains("\"stream\":true"))
                .unwrap_or(false);
        let header: String = seen.chars().filter(|c| !c.is_control()).collect();
        let body = if stream {
            let chunk = serde_json::json!({"object": "chat.completion.chunk", "model": "m",
                "choices": [{"index": 0, "delta": {"content": format!("you sent \x1b[31m{seen}")}, "finish_reason": null}]});
            format!("data: {chunk}\n\ndata: [DONE]\n\n")
        } else {
            serde_json::json!({"object": "chat.completion", "model": "m", "choices": [{"index": 0,
                "message": {"role": "assistant", "content": format!("pong; you sent {seen}")}, "finish_reason": "stop"}]}).to_string()
        };
        let mut r = Response::builder()
            .status(200)
            .header("x-echo", header.clone())
            .header("set-cookie", format!("session={header}"))
            .header(
                "content-type",
                if stream {
                    "text/event-stream"
                } else {
                    "application/json"
                },
            )
            .body(axum::body::Body::from(body))
            .unwrap();
        r.headers_mut()
            .insert("x-request-id", "req_1".parse().unwrap());
        r.into_response()
    }
    let addr = common::serve_app(axum::Router::new().fallback(echo)).await;
    format!("http://{addr}/v1")
}

fn assert_no_key(what: &str, s: &str) {
    assert!(!s.contains(KEY), "{what} holds the key:\n{s}");
    for piece in KEY.as_bytes().windows(8) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !s.contains(piece),
            "{what} holds `{piece}` of the key:\n{s}"
        );
    }
}

#[tokio::test]
async fn verbose_and_trace_show_the_exchange_without_the_key() {
    let url = echo_server().await;
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl");
    let argv: Vec<String> = [
        "probe",
        "--base-url",
        &url,
        "-m",
        "m",
        "--api-key-env",
        "ZC_TEST_KEY",
        "--checks",
        "chat.basic,chat.stream",
        "-vv",
        "--trace",
        trace.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = tokio::task::spawn_blocking(move || zencheck().args(&argv).output().unwrap())
        .await
        .unwrap();
    let err = text(&out.stderr);
    assert_no_key("stderr", &err);
    assert!(
        !err.contains('\x1b'),
        "no escape reaches the terminal: {err}"
    );
    assert!(
        err.contains("> POST ") && err.contains("/chat/completions"),
        "{err}"
    );
    assert!(
        err.contains("> Authorization: Bearer $ZC_TEST_KEY"),
        "{err}"
    );
    assert!(err.contains("< HTTP 200"), "{err}");
    assert!(err.contains("< x-echo: "), "response headers: {err}");
    assert!(
        err.contains("ms event message: "),
        "-vv shows frames: {err}"
    );

    let t = std::fs::read_to_string(&trace).unwrap();
    assert_no_key("the trace", &t);
    let records: Vec<serde_json::Value> = t
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let kinds: Vec<&str> = records.iter().filter_map(|r| r["type"].as_str()).collect();
    for k in ["request", "response", "body", "sse", "stream_end"] {
        assert!(kinds.contains(&k), "no {k} record in {kinds:?}");
    }
    let req = records.iter().find(|r| r["type"] == "request").unwrap();
    assert!(req["ts"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(req["headers"]["Authorization"], "Bearer $ZC_TEST_KEY");
    let frame = records.iter().find(|r| r["type"] == "sse").unwrap();
    assert!(frame["at_ms"].as_u64().is_some());
    // Every record names the check and model it belongs to; -v names them too.
    for r in &records {
        assert_eq!(r["model"], "m", "{r}");
        assert!(
            ["chat.basic", "chat.stream"].contains(&r["check"].as_str().unwrap_or("")),
            "{r}"
        );
    }
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "sse" && r["check"] == "chat.stream"),
        "{kinds:?}"
    );
    assert!(err.contains("] * chat.stream (m)"), "{err}");
}

#[tokio::test]
async fn frames_are_shown_as_they_arrive() {
    // Two chunks, then silence with the socket open until --timeout: a frame printed
    // after the stream ended would carry the end's time.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl");
    let out = probe(
        Scenario::StreamStalled,
        &[
            "--checks",
            "chat.stream",
            "--timeout",
            "2",
            "-vv",
            "--trace",
            trace.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let ts = |r: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(r["ts"].as_str().expect("ts")).unwrap()
    };
    let t = std::fs::read_to_string(&trace).unwrap();
    let records: Vec<serde_json::Value> = t
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = records
        .iter()
        .find(|r| r["type"] == "sse")
        .expect("a frame");
    let end = records.iter().find(|r| r["type"] == "stream_end").unwrap();
    let lag = ts(end) - ts(first);
    assert!(
        lag.num_milliseconds() >= 1500,
        "the first frame was written {lag} before the stream's end: {t}"
    );
    assert!(first["at_ms"].as_u64().unwrap() < 1000, "{first}");
    let err = text(&out.stderr);
    assert!(err.contains("< +"), "frames on stderr: {err}");
}

#[tokio::test]
async fn one_v_shows_headers_and_sizes_but_no_bodies() {
    let out = probe(Scenario::Healthy, &["-v", "--checks", "chat.basic"], &[]).await;
    let err = text(&out.stderr);
    assert!(err.contains("< HTTP 200 ("), "{err}");
    assert!(
        err.contains("< body: ") && err.contains(" bytes in "),
        "{err}"
    );
    assert!(!err.contains("\"choices\""), "no body at -v: {err}");
    assert_no_key("stderr", &err);
    // Without -v nothing of the exchange is on stderr.
    let quiet = probe(Scenario::Healthy, &["--checks", "chat.basic"], &[]).await;
    assert!(!text(&quiet.stderr).contains("> POST"));
}

#[test]
fn checks_lists_the_registry_offline() {
    let out = zencheck()
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = zencheck::check::CheckId::ALL
        .iter()
        .map(|c| c.id())
        .collect();
    assert_eq!(ids, all);
    let basic = &v["checks"][ids.iter().position(|i| *i == "chat.basic").unwrap()];
    assert_eq!(basic["endpoint"], "POST /chat/completions");
    assert!(basic["requests"].as_u64().unwrap() >= 1);
    assert!(basic["output_tokens"].as_u64().unwrap() > 0);
    assert!(!basic["proves"].as_str().unwrap().is_empty());
    let out = zencheck().arg("checks").output().unwrap();
    let s = text(&out.stdout);
    assert!(
        s.contains("chat.basic") && s.contains("POST /chat/completions"),
        "{s}"
    );
    assert!(s.lines().all(|l| l.chars().count() <= 80), "{s}");
}

#[test]
fn init_writes_the_commented_config_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = zencheck()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.path().join("zencheck.toml");
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.starts_with('#') && written.contains("[targets."));
    written
        .parse::<toml::Table>()
        .expect("the written config is TOML");
    // Read in an 80-column editor or terminal: no line wider (display columns).
    for l in written.lines() {
        let cols = unicode_width::UnicodeWidthStr::width(l);
        assert!(cols <= 80, "{cols} columns: {l}");
    }
    std::fs::write(&path, "mine").unwrap();
    let again = zencheck()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

/// Every line of `s` within `width` characters.
fn assert_fits(s: &str, width: usize) {
    for l in s.lines() {
        assert!(l.chars().count() <= width, "over {width}: {l}\n{s}");
    }
}

#[tokio::test]
async fn the_table_fits_columns_and_never_splits_an_id() {
    let json = probe(Scenario::Healthy, &["--format", "json"], &[]).await;
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ids: Vec<String> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() > 5);
    let narrow = text(
        &probe(Scenario::Healthy, &["--all"], &[("COLUMNS", "80")])
            .await
            .stdout,
    );
    assert_fits(&narrow, 80);
    for id in &ids {
        assert!(
            narrow.contains(id.as_str()),
            "{id} split or missing:\n{narrow}"
        );
    }
    assert!(
        narrow.contains("(1st token ") && !narrow.contains('┆'),
        "narrow: lines, the timings merged: {narrow}"
    );
    let wide = text(
        &probe(Scenario::Healthy, &["--all"], &[("COLUMNS", "140")])
            .await
            .stdout,
    );
    assert_fits(&wide, 140);
    assert!(
        wide.contains("1st token") && wide.contains('┆'),
        "timings apart when wide: {wide}"
    );
    // A broken target's failures table fits too, its kind code whole.
    let bad = text(
        &probe(Scenario::Auth, &[], &[("COLUMNS", "80")])
            .await
            .stdout,
    );
    assert_fits(&bad, 80);
    assert!(bad.contains("[auth]"), "{bad}");
}

#[test]
fn demo_fits_80_columns() {
    let out = zencheck()
        .env("COLUMNS", "80")
        .arg("demo")
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert!(s.contains("scenarios diagnosed as expected"), "{s}");
    assert_fits(&s, 80);
}
