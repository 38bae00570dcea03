//! Helpers shared by every tier of the integration tests (each tier's `main.rs` declares
//! this module): probing in-process and finding a row, small servers on 127.0.0.1 for
//! behaviours the built-in mock does not have, the answers they send, and the schema check.
#![allow(dead_code)]

use clap::Parser;
use std::net::SocketAddr;
use zencheck::cli::{Cli, Command, ProbeArgs};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, MockServer, Scenario};
use zencheck::report::{CheckResult, Report};

/// Parse `zencheck probe ARGS…` exactly as the binary would.
pub fn probe_args(args: &[&str]) -> ProbeArgs {
    let mut full = vec!["zencheck", "probe"];
    full.extend_from_slice(args);
    match Cli::try_parse_from(full).expect("valid arguments").command {
        Command::Probe(p) => *p,
        _ => unreachable!(),
    }
}

pub async fn probe(args: &[&str]) -> Report {
    zencheck::cmd::probe::probe_report(&probe_args(args), None)
        .await
        .expect("probe runs")
}

pub fn check<'a>(r: &'a Report, id: &str) -> &'a CheckResult {
    r.checks
        .iter()
        .find(|c| c.check == id)
        .unwrap_or_else(|| panic!("no {id} in {}", r.to_json()))
}

/// A free port on 127.0.0.1, for a server that must be told its port before it starts.
///
/// Why not `bind(":0")`: that hands out a port from the kernel's ephemeral range, the same range
/// every outgoing connection takes its source port from, so a port picked early and bound
/// seconds later (nginx's upstream, after other runs made hundreds of connections) can be taken
/// meanwhile (CI stop 30 failed on exactly that). Ports below the ephemeral range are only ever
/// taken by an explicit bind; each is handed out once per process, from a start that differs
/// between processes, and checked free before it is returned.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let (base, span) = (10_000u32, low.saturating_sub(10_000).max(1_000));
    let start = std::process::id().wrapping_mul(7919) % span;
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (base + (start + n) % span) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below the ephemeral range")
}

/// Run `zencheck fidelity ARGS…` in-process, its arguments parsed as the binary would.
pub async fn fidelity(args: &[&str]) -> Report {
    let mut full = vec!["zencheck", "fidelity"];
    full.extend_from_slice(args);
    let Command::Fidelity(a) = Cli::try_parse_from(full).expect("valid arguments").command else {
        unreachable!()
    };
    zencheck::cmd::fidelity::fidelity_report(&a)
        .await
        .expect("fidelity runs")
}

/// Start `zencheck serve` in-process on a free port of 127.0.0.1 over `config` (TOML, written
/// to the temporary folder returned with it), with extra `zencheck serve` flags.
pub async fn exporter(
    config: &str,
    flags: &[&str],
) -> (zencheck::serve::Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zencheck.toml");
    std::fs::write(&path, config).unwrap();
    let mut argv = vec![
        "zencheck",
        "serve",
        "--config",
        path.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    argv.extend_from_slice(flags);
    let Command::Serve(args) = Cli::try_parse_from(argv).unwrap().command else {
        unreachable!()
    };
    let server = zencheck::serve::start(&args).await.expect("serve starts");
    (server, dir)
}

/// A config file's target `name` on the mock `m` with its model `mock-small`, then `extra`
/// (more TOML lines for the target).
pub fn config_target(name: &str, m: &MockServer, extra: &str) -> String {
    format!(
        "[targets.{name}]\nbase_url = \"{}\"\nmodels = [\"mock-small\"]\n{extra}\n",
        m.base_url()
    )
}

/// Serve `app` on a free port of 127.0.0.1 for as long as the test's runtime lives.
pub async fn serve_app(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A server on 127.0.0.1 answering every request with `reply(path, body)` (the body read as
/// JSON, `null` when it is not); returns its base URL, `/v1` included.
pub async fn serve_reply<F>(reply: F) -> String
where
    F: Fn(&str, &serde_json::Value) -> axum::response::Response + Clone + Send + Sync + 'static,
{
    let app =
        axum::Router::new().fallback(axum::routing::any(move |req: axum::extract::Request| {
            let reply = reply.clone();
            async move {
                let path = req.uri().path().to_string();
                let bytes = axum::body::to_bytes(req.into_body(), 1 << 20)
                    .await
                    .unwrap_or_default();
                let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
                reply(&path, &body)
            }
        }));
    format!("http://{}/v1", serve_app(app).await)
}

/// A `text/event-stream` answer: each frame a `data:` event, then `data: [DONE]`.
pub fn sse(frames: &[serde_json::Value]) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut body = String::new();
    for f in frames {
        body.push_str(&format!("data: {f}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    ([("content-type", "text/event-stream")], body).into_response()
}

/// A chat completion as OpenAI shapes it: one choice holding `message`, ended by `finish`.
pub fn chat_completion(
    model: &str,
    message: serde_json::Value,
    finish: &str,
    usage: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({"id": "c1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage})
}

/// One chunk of a chat completion stream: one choice's `delta`, and its `finish` if any.
pub fn chat_chunk(
    model: &str,
    delta: serde_json::Value,
    finish: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// `usage` with these prompt and completion token counts.
pub fn usage(prompt: u64, completion: u64) -> serde_json::Value {
    serde_json::json!({"prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion})
}

/// Probe the built-in mock in `scenario` (`--base-url` its URL, then `args`); the mock is
/// returned too, for its request count.
pub async fn probe_mock(scenario: Scenario, args: &[&str]) -> (MockServer, Report) {
    let server = mock::start(scenario, 0).await.unwrap();
    let url = server.base_url();
    let mut full = vec!["--base-url", url.as_str()];
    full.extend_from_slice(args);
    let report = probe(&full).await;
    (server, report)
}

/// A JSON report's row for check `id` (the first, whatever its model).
pub fn json_check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks in {report:#}"))
        .iter()
        .find(|c| c["check"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

/// A `/models` list holding these ids.
pub fn model_list(ids: &[&str]) -> serde_json::Value {
    let data: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "object": "model"}))
        .collect();
    serde_json::json!({"object": "list", "data": data})
}

/// The built binary with none of this environment's `ZENCHECK_*` and `OPENAI_*` variables,
/// without colour, `columns` wide, each run bounded to 60 s.
pub fn zencheck_plain(columns: u16) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("zencheck").unwrap();
    for (v, _) in std::env::vars() {
        if v.starts_with("ZENCHECK_") || v.starts_with("OPENAI_") {
            c.env_remove(v);
        }
    }
    c.env("NO_COLOR", "1")
        .env("COLUMNS", columns.to_string())
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// A row's verdict: its status, kind and parameter, to assert in one line.
pub fn verdict(r: &Report, id: &str) -> (Status, Option<Kind>, Option<String>) {
    let c = check(r, id);
    (c.status, c.kind, c.param.clone())
}

/// What a row must show: its status, and its kind, parameter and a piece of its detail where
/// they are given (`is(Status::Warn).kind(Kind::ParamIgnored).param("tools")`).
#[derive(Debug, Clone, Copy)]
pub struct Want {
    status: Status,
    kind: Option<Option<Kind>>,
    param: Option<Option<&'static str>>,
    says: Option<&'static str>,
}

/// A row of this status; [`Want`]'s methods add what else it must show.
pub fn is(status: Status) -> Want {
    Want {
        status,
        kind: None,
        param: None,
        says: None,
    }
}

impl Want {
    pub fn kind(self, kind: Kind) -> Want {
        Want {
            kind: Some(Some(kind)),
            ..self
        }
    }

    pub fn param(self, param: &'static str) -> Want {
        Want {
            param: Some(Some(param)),
            ..self
        }
    }

    /// Its detail holds `text`.
    pub fn says(self, text: &'static str) -> Want {
        Want {
            says: Some(text),
            ..self
        }
    }

    fn holds(&self, c: &CheckResult) -> bool {
        c.status == self.status
            && self.kind.is_none_or(|k| c.kind == k)
            && self.param.is_none_or(|p| c.param.as_deref() == p)
            && self.says.is_none_or(|t| c.detail.contains(t))
    }
}

/// Assert that row `id` of `r` shows `want`; the row, for what else a test asserts of it.
#[track_caller]
pub fn expect<'a>(r: &'a Report, id: &str, want: Want) -> &'a CheckResult {
    let c = check(r, id);
    assert!(
        want.holds(c),
        "{id}: want {want:?}, got {:?} {:?} {:?}: {}\n{}",
        c.status,
        c.kind,
        c.param,
        c.detail,
        r.to_json()
    );
    c
}

/// Probe the built-in mock in each scenario (`--base-url` its URL, then `args`) and hold row
/// `id` to the [`Want`] beside it; each probe's report, in order.
pub async fn expect_of_mock(id: &str, args: &[&str], cases: &[(Scenario, Want)]) -> Vec<Report> {
    let mut reports = Vec::new();
    for (scenario, want) in cases {
        let (_, r) = probe_mock(*scenario, args).await;
        expect(&r, id, *want);
        reports.push(r);
    }
    reports
}

/// Probe the server at `base` (`--base-url` it, then `args`) with a 3 s `--timeout`.
pub async fn probe_at(base: &str, args: &[&str]) -> Report {
    let mut full = vec!["--base-url", base];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--timeout", "3"]);
    probe(&full).await
}

/// Serve raw bytes for every connection: read the request head, write `response`
/// (already framed), then do what `after` says. For framing the HTTP stack won't produce.
pub async fn raw_server(response: Vec<u8>, after: After) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut seen = Vec::new();
                // Read until the end of the head and the body it announces.
                loop {
                    let Ok(n) = sock.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(head_end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= head_end + 4 + len {
                            break;
                        }
                    }
                }
                let _ = sock.write_all(&response).await;
                let _ = sock.flush().await;
                match after {
                    After::Close => {}
                    After::Hold => tokio::time::sleep(std::time::Duration::from_secs(60)).await,
                }
            });
        }
    });
    addr
}

#[derive(Clone, Copy)]
pub enum After {
    Close,
    Hold,
}

/// An HTTP/1.1 chunked response carrying `parts` as separate chunks.
pub fn chunked(status: &str, content_type: &str, parts: &[&str], terminate: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n").into_bytes();
    for p in parts {
        out.extend(format!("{:x}\r\n{p}\r\n", p.len()).into_bytes());
    }
    if terminate {
        out.extend(b"0\r\n\r\n");
    }
    out
}

pub fn plain(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

/// Run `zencheck opencode serve-check` in-process against `url`.
pub async fn serve_check(url: &str, model: &str, timeout: std::time::Duration) -> Report {
    use zencheck::opencode::{serve, ModelRef};
    let sc = serve::ServeCheck {
        url: url.to_string(),
        model: ModelRef::parse(model).unwrap(),
        password_env: None,
        password: None,
        timeout,
    };
    Report::new(vec![serve::check(&sc).await.unwrap()])
}

/// Fail with every violation when `report` does not match the committed JSON Schema.
pub fn assert_valid(report: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the committed schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match schema/report.schema.json: {errors:#?}\n{report:#}"
    );
}

/// Set `name` in this process's environment, for a key zencheck reads by name in-process
/// (`api_key_env`, `--auth-token-env`). Tests share their binary's process and run on
/// several threads, so each name is one test's own and keeps one value: a second test
/// setting it to another value fails here instead of racing. std orders every
/// `std::env` read and write under one lock, and neither zencheck nor these tests read the
/// environment any other way. What a child process needs goes to it alone
/// (`Command::env`), never through here.
pub fn set_env(name: &str, value: &str) {
    if let Ok(was) = std::env::var(name) {
        assert_eq!(was, value, "{name} is already set to another value");
    }
    // SAFETY: see above; every reader of the environment in this process goes through std.
    unsafe { std::env::set_var(name, value) }
}
