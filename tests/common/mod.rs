//! Helpers shared by the integration tests: probing in-process, and small servers on
//! 127.0.0.1 for behaviours the built-in mock does not have.
#![allow(dead_code)]

use clap::Parser;
use std::net::SocketAddr;
use zencheck::cli::{Cli, Command, ProbeArgs};
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
