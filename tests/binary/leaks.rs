//! The leak matrix: every way a person gives zencheck a key, against a hostile server that
//! echoes every header and the URL it received back in error messages, model ids, stream
//! events, request ids and redirects, through every output zencheck has (the table, JSON,
//! JUnit, Markdown, `--curl`, `--dry-run`, `-v`, `-vv` and the `--trace` file). No output may
//! hold the key, or any piece of 6 or more of its characters.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::json;
use std::path::Path;
use std::process::Command;

const KEY: &str = "Zq7xK9mW2vB4nR8tY3pLh6Jd";

/// Everything the request carried that could hold a key: every header value and the URL.
fn echo(headers: &HeaderMap, uri: &str) -> String {
    let mut parts: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!("{n}={}", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    parts.push(format!("uri={uri}"));
    parts.join(" | ")
}

async fn hostile(req: Request) -> Response {
    let uri = req.uri().to_string();
    let headers = req.headers().clone();
    let e = echo(&headers, &uri);
    let path = req.uri().path().to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let stream = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("stream").and_then(|s| s.as_bool()))
        .unwrap_or(false);
    // A request id header holding the echo (header-safe: control characters dropped).
    let rid: String = e.chars().filter(|c| !c.is_control()).take(500).collect();
    let with_id = |mut r: Response| {
        if let Ok(v) = rid.parse() {
            r.headers_mut().insert("x-request-id", v);
        }
        r
    };
    if path.ends_with("/models") {
        let data = json!({"object": "list", "data": [{"id": "m"}, {"id": format!("echo {e}")}]});
        return with_id(axum::Json(data).into_response());
    }
    if path.ends_with("/responses") {
        // A redirect whose Location carries what it was sent.
        return with_id(
            Response::builder()
                .status(307)
                .header(
                    "location",
                    format!("http://127.0.0.1:9/?got={}", urlish(&e)),
                )
                .body(axum::body::Body::empty())
                .unwrap(),
        );
    }
    if stream {
        let chunk = json!({"id": format!("chatcmpl {e}"), "object": "chat.completion.chunk", "model": "m",
            "choices": [{"index": 0, "delta": {"content": format!("you sent {e}")}, "finish_reason": null}]});
        let err = json!({"error": {"message": format!("Incorrect API key provided: {e}"), "type": "invalid_request_error"}});
        let sse = format!("data: {chunk}\n\ndata: {err}\n\ndata: [DONE]\n\n");
        return with_id(
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(axum::body::Body::from(sse))
                .unwrap(),
        );
    }
    let err = json!({"error": {"message": format!("Incorrect API key provided: {e}. You can find your API key at https://example/keys."),
        "type": "invalid_request_error", "param": format!("p {e}"), "code": "invalid_api_key"}});
    with_id((axum::http::StatusCode::UNAUTHORIZED, axum::Json(err)).into_response())
}

fn urlish(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn start_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            axum::serve(listener, axum::Router::new().fallback(any(hostile)))
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

/// Every 6-character piece of the key that appears in `text`.
fn pieces_in(text: &str) -> Vec<String> {
    KEY.as_bytes()
        .windows(6)
        .map(|w| std::str::from_utf8(w).unwrap().to_string())
        .filter(|w| text.contains(w.as_str()))
        .collect()
}

struct Way {
    name: &'static str,
    /// Extra arguments; `{url}` is the base URL.
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    base_url: String,
    config: Option<String>,
}

fn ways(addr: &str) -> Vec<Way> {
    let url = format!("http://{addr}/v1");
    let way = |name, args: &[&str], env: Vec<(&'static str, String)>| Way {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        env,
        base_url: url.clone(),
        config: None,
    };
    let mut v = vec![
        way(
            "flag variable",
            &["--api-key-env", "LEAK_KEY"],
            vec![("LEAK_KEY", KEY.into())],
        ),
        way(
            "variable holding Bearer",
            &["--api-key-env", "LEAK_KEY"],
            vec![("LEAK_KEY", format!("Bearer {KEY}"))],
        ),
        way(
            "variable holding double quotes",
            &["--api-key-env", "LEAK_KEY"],
            vec![("LEAK_KEY", format!("\"{KEY}\""))],
        ),
        way(
            "variable holding single quotes",
            &["--api-key-env", "LEAK_KEY"],
            vec![("LEAK_KEY", format!("'{KEY}'"))],
        ),
    ];
    for h in [
        format!("Authorization: Bearer {KEY}"),
        format!("x-api-key: {KEY}"),
        format!("api-key: {KEY}"),
        format!("Proxy-Authorization: Bearer {KEY}"),
        format!("cf-aig-authorization: Bearer {KEY}"),
        format!("Helicone-Auth: Bearer {KEY}"),
        format!("X-Auth-Token: {KEY}"),
        format!("X-Custom: Bearer {KEY}"),
        format!("Cookie: session={KEY}"),
    ] {
        let mut w = way("header", &[], vec![]);
        w.args = vec!["-H".into(), h];
        v.push(w);
    }
    v.push(Way {
        base_url: format!("http://user:{KEY}@{addr}/v1"),
        ..way("URL user info", &[], vec![])
    });
    v.push(Way {
        base_url: format!("http://{addr}/v1?api-version=1&api-key={KEY}"),
        ..way("URL query", &[], vec![])
    });
    v.push(Way {
        config: Some(format!(
            "[targets.t]\nbase_url = \"{url}\"\nmodels = [\"m\"]\napi_key_env = \"LEAK_KEY\"\n[targets.t.headers]\n\"X-Api-Token\" = \"${{LEAK_KEY2}}\"\n"
        )),
        ..way(
            "config ${VAR}",
            &[],
            vec![("LEAK_KEY", KEY.into()), ("LEAK_KEY2", KEY.into())],
        )
    });
    v
}

fn run(way: &Way, dir: &Path, extra: &[&str]) -> (String, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zencheck"));
    cmd.arg("probe").current_dir(dir);
    match &way.config {
        Some(c) => {
            let p = dir.join("zencheck.toml");
            std::fs::write(&p, c).unwrap();
            cmd.arg("--config").arg(&p);
        }
        None => {
            cmd.args(["--base-url", &way.base_url, "-m", "m"]);
        }
    }
    cmd.args(&way.args)
        .args(extra)
        .args(["--timeout", "5", "--max-time", "10", "--deadline", "30"])
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL");
    for (k, v) in &way.env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("zencheck runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("panicked"),
        "{}: zencheck panicked:\n{text}",
        way.name
    );
    let mut files = Vec::new();
    for f in ["r.json", "r.xml", "r.md", "o.json", "t.jsonl"] {
        if let Ok(t) = std::fs::read_to_string(dir.join(f)) {
            if f == "t.jsonl" {
                // The trace is for a ticket: every line a JSON record, even from this server.
                for l in t.lines() {
                    let r: Result<serde_json::Value, _> = serde_json::from_str(l);
                    assert!(r.is_ok(), "{}: a trace line is not JSON: {l}", way.name);
                }
                assert!(t.contains("\"type\":\"response\""), "{}: {t}", way.name);
            }
            files.push(t);
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    (text, files)
}

#[test]
fn no_way_of_giving_a_key_leaks_it_through_any_output() {
    let addr = start_server();
    let dir = tempfile::tempdir().unwrap();
    let mut leaks = Vec::new();
    let mut looked = 0;
    for way in ways(&addr) {
        let runs: [&[&str]; 7] = [
            &[
                "--curl",
                "--json",
                "r.json",
                "--junit",
                "r.xml",
                "--markdown",
                "r.md",
            ],
            &["--format", "json", "--curl"],
            &["-o", "o.json"],
            &["--dry-run"],
            &["--dry-run", "--format", "json"],
            &["-v"],
            &["-vv", "--trace", "t.jsonl", "--curl"],
        ];
        for extra in runs {
            let (text, files) = run(&way, dir.path(), extra);
            for (what, t) in std::iter::once(("stdout+stderr", &text))
                .chain(files.iter().map(|f| ("a report file", f)))
            {
                looked += 1;
                let found = pieces_in(t);
                if !found.is_empty() {
                    leaks.push(format!("{} {extra:?} in {what}: {found:?}", way.name));
                }
            }
        }
    }
    assert!(looked > 120, "only {looked} outputs were read");
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}

#[test]
fn the_echo_server_really_echoes_so_the_matrix_can_fail() {
    // Without zencheck's scrubbing the key would be there: the server puts it in the body.
    let addr = start_server();
    let out = Command::new("curl")
        .args([
            "-s",
            "-H",
            &format!("Authorization: Bearer {KEY}"),
            "-d",
            "{}",
            &format!("http://{addr}/v1/chat/completions"),
        ])
        .output();
    if let Ok(out) = out {
        assert!(String::from_utf8_lossy(&out.stdout).contains(KEY));
    }
}

/// A stream whose every event carries pieces of the key it was sent: each run of 6 or more of
/// its characters at each place, two pieces overlapping in one event, a piece split between
/// two events, thousands of events long, and a non-streamed answer that does the same.
async fn piecemeal(req: Request) -> Response {
    let got = echo(req.headers(), &req.uri().to_string());
    let key = KEY;
    assert!(got.contains(key), "the request carried the key");
    let path = req.uri().path().to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let stream = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("stream").and_then(|s| s.as_bool()))
        .unwrap_or(false);
    let mut texts = Vec::new();
    for len in 6..=key.len() {
        for at in 0..=key.len() - len {
            texts.push(format!("·{}·", &key[at..at + len]));
        }
    }
    for at in 0..key.len() - 12 {
        texts.push(format!("{}~{}", &key[at..at + 9], &key[at + 3..at + 12]));
    }
    // Split between events: the text a judge puts together holds the whole key.
    texts.extend(
        key.as_bytes()
            .chunks(5)
            .map(|c| String::from_utf8_lossy(c).into_owned()),
    );
    if path.ends_with("/models") {
        let data: Vec<_> = texts.iter().map(|t| json!({"id": t})).collect();
        return axum::Json(json!({"object": "list", "data": data})).into_response();
    }
    if !stream {
        return axum::Json(json!({"id": "c", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": texts.concat()}, "finish_reason": "stop"}]}))
        .into_response();
    }
    let mut sse = String::new();
    for round in 0..4 {
        for t in &texts {
            let chunk = json!({"id": "c", "object": "chat.completion.chunk", "model": "m",
                "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": null}]});
            sse.push_str(&format!("data: {chunk}\n\n"));
        }
        sse.push_str(&format!(
            "data: {{\"round\":{round}, \"error\": {{\"message\": \"{}\"}}}}\n\n",
            texts.concat()
        ));
    }
    sse.push_str("data: [DONE]\n\n");
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(axum::body::Body::from(sse))
        .unwrap()
}

#[test]
fn pieces_of_a_key_spread_over_a_long_stream_leak_nothing() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            axum::serve(listener, axum::Router::new().fallback(any(piecemeal)))
                .await
                .unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut leaks = Vec::new();
    let checks = ["--checks", "models.list,chat.basic,chat.stream"];
    // The key as a variable, with its Bearer, and in two headers: the forms a piece is cut from.
    let given: Vec<Way> = ways(&addr)
        .into_iter()
        .filter(|w| w.args.len() > 1)
        .collect();
    for way in [&given[0], &given[1], &given[4], &given[5]] {
        for extra in [
            &["--format", "json", "--curl"][..],
            &["--json", "r.json", "--markdown", "r.md"],
            &["-vv", "--trace", "t.jsonl"],
        ] {
            let extra: Vec<&str> = extra.iter().chain(&checks).copied().collect();
            let (text, files) = run(way, dir.path(), &extra);
            assert!(text.contains("chat.stream"), "{}: {text}", way.name);
            for t in std::iter::once(&text).chain(&files) {
                let found = pieces_in(t);
                if !found.is_empty() {
                    leaks.push(format!("{} {extra:?}: {found:?}", way.name));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}
