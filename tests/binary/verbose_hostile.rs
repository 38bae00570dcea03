//! `-v`, `-vv` and `--trace` against a hostile server (#12): a raw TCP server (axum cannot
//! send these bytes) answers with response headers holding C1 escapes, bidi overrides,
//! bytes that are not UTF-8 and a 60 KB value, and with bodies and SSE frames holding ANSI
//! escapes, carriage returns, bells, bytes that are not UTF-8 and lines of 200 KB. Nothing
//! of it may drive the terminal, no line on stderr may be huge, and the trace stays JSON Lines.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

/// The control sequences the server plants everywhere it can.
const HOSTILE: &[u8] = b"\x1b[31mred\x1b]0;pwned\x07\r\x1b[2K\x08\x7f";
/// A C1 CSI and a right-to-left override, as UTF-8 (header-legal bytes), and a lone 0x9b.
const HEADER_HOSTILE: &[u8] = b"\xc2\x9b31m c1 \xe2\x80\xae rlo \x9b raw \xff";
const HUGE: usize = 200 * 1024;

fn answer(head: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nx-evil: ");
    out.extend_from_slice(HEADER_HOSTILE);
    out.extend_from_slice(b"\r\nx-huge: ");
    out.extend_from_slice("h".repeat(60 * 1024).as_bytes());
    out.extend_from_slice(
        format!(
            "\r\n{head}content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

fn reply(path: &str, body: &str) -> Vec<u8> {
    if path.ends_with("/models") {
        return answer(
            "content-type: application/json\r\n",
            br#"{"object":"list","data":[{"id":"m"}]}"#,
        );
    }
    let mut text = Vec::new();
    text.extend_from_slice(b"pong ");
    text.extend_from_slice(HOSTILE);
    text.extend_from_slice(b" \xff\xfe not utf-8 ");
    text.extend_from_slice("y".repeat(HUGE).as_bytes());
    // The hostile bytes sit inside JSON strings raw, as a broken server would send them.
    if body.contains("\"stream\":true") {
        let mut sse = Vec::new();
        sse.extend_from_slice(b"event: ");
        sse.extend_from_slice(HOSTILE);
        sse.extend_from_slice(b"\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
        sse.extend_from_slice(&text);
        sse.extend_from_slice(b"\"},\"finish_reason\":null}]}\n\n");
        sse.extend_from_slice(b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        return answer("content-type: text/event-stream\r\n", &sse);
    }
    let mut json = Vec::new();
    json.extend_from_slice(b"{\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"");
    json.extend_from_slice(&text);
    json.extend_from_slice(b"\"},\"finish_reason\":\"stop\"}]}");
    answer("content-type: application/json\r\n", &json)
}

/// Serve until the process ends; each connection gets one answer.
fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().unwrap());
                let mut first = String::new();
                if r.read_line(&mut first).is_err() {
                    return;
                }
                let path = first.split(' ').nth(1).unwrap_or("/").to_string();
                let mut len = 0;
                loop {
                    let mut l = String::new();
                    if r.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                        break;
                    }
                    if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                let _ = r.read_exact(&mut body);
                let _ = conn.write_all(&reply(&path, &String::from_utf8_lossy(&body)));
            });
        }
    });
    format!("http://{addr}/v1")
}

/// What may never reach a terminal: C0 controls but tab and newline, DEL, C1, bidi overrides.
fn hostile_char(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn run(url: &str, extra: &[&str]) -> (std::process::Output, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .args(["probe", "--base-url", url, "-m", "m"])
        .args(["--checks", "chat.basic,chat.stream"])
        .args(["--timeout", "10", "--deadline", "60"])
        .args(extra)
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{:?}: {err}",
        out.status
    );
    (out, err)
}

#[test]
fn hostile_headers_bodies_and_frames_are_defused_and_capped_on_stderr() {
    let url = start();
    for v in ["-v", "-vv"] {
        let (out, err) = run(&url, &[v]);
        assert!(err.contains("< HTTP 200"), "{v}: {err}");
        assert!(
            err.contains("< x-evil: "),
            "{v}: the header is shown: {err}"
        );
        for (i, line) in err.lines().enumerate() {
            let bad: Vec<char> = line.chars().filter(|c| hostile_char(*c)).collect();
            assert!(bad.is_empty(), "{v}: line {i} holds {bad:?}: {line:.200}");
            // A line is capped (the body cap and a short label), never a 60 KB header
            // or a 200 KB body.
            let n = line.chars().count();
            assert!(n <= 2300, "{v}: line {i} has {n} characters: {line:.200}…");
        }
        assert!(err.len() < 64 * 1024, "{v}: {} bytes on stderr", err.len());
        if v == "-vv" {
            assert!(
                err.contains("characters in all)"),
                "-vv says a body was cut: {err:.3000}"
            );
            assert!(
                err.contains("ms event "),
                "-vv shows the frames: {err:.3000}"
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.chars().any(hostile_char), "{stdout}");
    }
}

#[test]
fn the_trace_of_a_hostile_server_is_json_lines_and_capped() {
    let url = start();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl");
    let (_, err) = run(&url, &["--trace", trace.to_str().unwrap()]);
    assert!(err.is_empty() || !err.chars().any(hostile_char), "{err}");
    let t = std::fs::read_to_string(&trace).unwrap();
    let mut kinds = Vec::new();
    for l in t.lines() {
        let r: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:.300}"));
        kinds.push(r["type"].as_str().unwrap_or("").to_string());
        // The trace keeps more than the terminal (64 KiB of a body) but is still capped.
        assert!(l.len() < 200 * 1024, "a record of {} bytes", l.len());
        if r["type"] == "response" {
            let evil = r["headers"]["x-evil"].as_str().unwrap();
            assert!(evil.contains("c1") && evil.contains("rlo"), "{evil}");
        }
    }
    for k in ["request", "response", "body", "sse", "stream_end"] {
        assert!(kinds.iter().any(|x| x == k), "no {k} record in {kinds:?}");
    }
    assert!(
        t.contains("\"truncated\":true"),
        "a 200 KB body is cut in the trace"
    );
}
