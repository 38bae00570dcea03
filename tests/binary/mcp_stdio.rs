//! `zencheck mcp` on the wire, without any SDK: JSON-RPC lines written to the real binary's
//! stdin. Its stdout must hold protocol messages only, whatever zencheck has to say
//! meanwhile (that goes to stderr). The full client test is `tests/peers/mcp.rs`.

use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout};
use zencheck::mock::{self, Scenario};

/// `zencheck mcp` on pipes, in a fresh folder (returned, to keep while it runs), with only
/// PATH and `env` in its environment, its stderr to `stderr`.
fn mcp(env: &[(&str, &str)], stderr: Stdio) -> (Child, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .arg("mcp")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    (child, dir)
}

/// What opens every session: `initialize`, then the `initialized` notification.
fn handshake() -> [Value; 2] {
    [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ]
}

/// Read stdout's lines, each a JSON-RPC message, until `done` holds of those read so far or
/// stdout ends; at most 60 s, else a failure saying `what` was awaited.
async fn read_until(
    stdout: &mut BufReader<ChildStdout>,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let mut parsed: Vec<Value> = Vec::new();
    let read = async {
        let mut line = String::new();
        while !done(&parsed) && stdout.read_line(&mut line).await.unwrap() > 0 {
            let m = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {line}"));
            parsed.push(m);
            line.clear();
        }
    };
    if tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .is_err()
    {
        panic!("{what} within 60 s: {parsed:?}");
    }
    parsed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdout_carries_protocol_messages_only() {
    let server = mock::start(Scenario::from_name("healthy").unwrap(), 0)
        .await
        .unwrap();
    // Set, and not sent: zencheck says so on stderr, which must not reach stdout.
    let key = [("OPENAI_API_KEY", "sk-stdio-test-0123456789abcdef")];
    let (mut child, _dir) = mcp(&key, Stdio::piped());
    let [initialize, initialized] = handshake();
    let messages = [
        initialize,
        initialized,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "probe", "arguments": {"base_url": server.base_url(), "models": ["mock-small"],
            "checks": ["chat.basic"]}}}),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for m in &messages {
        stdin.write_all(format!("{m}\n").as_bytes()).await.unwrap();
    }
    // Close stdin only once the probe has answered: the session ends with it.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut parsed = read_until(&mut stdout, "the probe answers", |m| {
        m.last().is_some_and(|m| m["id"] == 3)
    })
    .await;
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("the server exits when stdin closes")
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    // The rest of stdout, after the answer: JSON too.
    parsed.extend(String::from_utf8_lossy(&out.stdout).lines().map(|l| {
        serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {l}"))
    }));
    for m in &parsed {
        assert_eq!(m["jsonrpc"], "2.0", "{m}");
    }
    let by_id = |id: u64| {
        parsed
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("no answer to {id}: {parsed:?}"))
    };
    assert_eq!(by_id(1)["result"]["serverInfo"]["name"], "zencheck");
    assert_eq!(by_id(2)["result"]["tools"].as_array().unwrap().len(), 3);
    let probe = &by_id(3)["result"];
    assert_eq!(probe["structuredContent"]["summary"]["pass"], 1, "{probe}");
    // The summary an agent reads counts in words: one check, not `1 checks`.
    let said = probe["content"].to_string();
    assert!(said.contains("1 check: 1 pass"), "{said}");
    // What zencheck said on the way went to stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no key is sent"), "{stderr}");
    assert!(!stderr.contains("0123456789abcdef"), "{stderr}");
}

/// A message past the 16 MiB line cap is answered with an MCP error (under its id when it
/// comes first, else with a null id; a notification gets none) instead of silence, and
/// the session goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_past_16_mib_gets_an_error_answer() {
    let (mut child, _dir) = mcp(&[], Stdio::null());
    let big = "x".repeat(17 << 20);
    let [initialize, initialized] = handshake();
    let messages = [
        initialize.to_string(),
        initialized.to_string(),
        // The id first, as clients write it.
        json!({"jsonrpc": "2.0", "id": "big-1", "method": "tools/call", "params": {
            "name": "explain", "arguments": {"text": big}}})
        .to_string(),
        format!(
            r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"reason":"{big}"}}}}"#
        ),
        // The id after 17 MiB: not found in time, so answered with a null id.
        format!(
            r#"{{"jsonrpc":"2.0","method":"tools/call","params":{{"name":"explain","arguments":{{"text":"{big}"}}}},"id":2}}"#
        ),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "list_checks", "arguments": {}}})
        .to_string(),
    ];
    let mut stdin = child.stdin.take().unwrap();
    let writer = tokio::spawn(async move {
        for m in &messages {
            stdin.write_all(format!("{m}\n").as_bytes()).await.unwrap();
        }
        stdin
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let parsed = read_until(
        &mut stdout,
        "an answer to the call after the big messages",
        |m| m.last().is_some_and(|m| m["id"] == 3),
    )
    .await;
    drop(writer.await.unwrap());
    let big_call = parsed
        .iter()
        .find(|m| m["id"] == "big-1")
        .unwrap_or_else(|| panic!("the 17 MiB call went unanswered: {parsed:?}"));
    let message = big_call["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("16 MiB") && message.contains(&format!("{}", big.len())[..4]),
        "{big_call}"
    );
    let null_id = parsed
        .iter()
        .filter(|m| m["id"].is_null() && m.get("error").is_some())
        .count();
    assert_eq!(
        null_id, 1,
        "the call whose id comes too late gets one error with a null id, the notification none: {parsed:?}"
    );
    assert!(!parsed.iter().any(|m| m["id"] == 2), "{parsed:?}");
    let last = parsed.last().unwrap();
    assert!(
        last["result"]["structuredContent"].is_object() || last["result"]["content"].is_array(),
        "{last}"
    );
}

/// The `probe` tool takes `repeat`, as `probe --repeat` does: its report carries each
/// check's runs; a count outside 1-20 is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_tool_repeats_and_reports_each_checks_runs() {
    let server = mock::start(Scenario::from_name("healthy").unwrap(), 0)
        .await
        .unwrap();
    let (mut child, _dir) = mcp(&[], Stdio::null());
    let call = |id: u64, repeat: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "probe", "arguments": {"base_url": server.base_url(), "models": ["mock-small"],
            "checks": ["chat.basic"], "repeat": repeat}}})
    };
    let [initialize, initialized] = handshake();
    let messages = [initialize, initialized, call(2, 2), call(3, 0)];
    let mut stdin = child.stdin.take().unwrap();
    for m in &messages {
        stdin.write_all(format!("{m}\n").as_bytes()).await.unwrap();
    }
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let parsed = read_until(&mut stdout, "both calls answer", |m| {
        m.iter().filter(|m| m["id"] == 2 || m["id"] == 3).count() == 2
    })
    .await;
    drop(stdin);
    let by_id = |id: u64| parsed.iter().find(|m| m["id"] == id).unwrap();
    let report = &by_id(2)["result"]["structuredContent"];
    let basic = crate::common::json_check(report, "chat.basic");
    assert_eq!(basic["repeats"], json!({"runs": 2, "pass": 2}), "{basic}");
    assert_eq!(
        report["cost"]["requests"].as_u64().map(|n| n >= 2),
        Some(true)
    );
    let refused = by_id(3);
    let said = refused.to_string();
    assert!(
        refused.get("error").is_some() || refused["result"]["isError"] == true,
        "{said}"
    );
    assert!(said.contains("repeat"), "{said}");
}
