//! `zencheck mcp` on the wire, without any SDK: JSON-RPC lines written to the real binary's
//! stdin. Its stdout must hold protocol messages only, whatever zencheck has to say
//! meanwhile (that goes to stderr). The full client test is `tests/peer_mcp.rs`.

use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use zencheck::mock::{self, Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdout_carries_protocol_messages_only() {
    let server = mock::start(Scenario::from_name("healthy").unwrap(), 0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .arg("mcp")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // Set, and not sent: zencheck says so on stderr, which must not reach stdout.
        .env("OPENAI_API_KEY", "sk-stdio-test-0123456789abcdef")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
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
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let read = async {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        while stdout.read_line(&mut line).await.unwrap() > 0 {
            let done = line.contains("\"id\":3");
            lines.push(std::mem::take(&mut line));
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("the probe answers within 60 s");
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("the server exits when stdin closes")
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    lines.extend(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string),
    );
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON on stdout ({e}): {l}"))
        })
        .collect();
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
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .arg("mcp")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let big = "x".repeat(17 << 20);
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
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
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut parsed: Vec<Value> = Vec::new();
    let read = async {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        while stdout.read_line(&mut line).await.unwrap() > 0 {
            let m: Value = serde_json::from_str(&line).unwrap();
            line.clear();
            let done = m["id"] == 3;
            parsed.push(m);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .unwrap_or_else(|_| panic!("no answer to the call after the big messages: {parsed:?}"));
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
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_zencheck"))
        .arg("mcp")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let call = |id: u64, repeat: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "probe", "arguments": {"base_url": server.base_url(), "models": ["mock-small"],
            "checks": ["chat.basic"], "repeat": repeat}}})
    };
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        call(2, 2),
        call(3, 0),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for m in &messages {
        stdin.write_all(format!("{m}\n").as_bytes()).await.unwrap();
    }
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut parsed: Vec<Value> = Vec::new();
    let read = async {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        while parsed
            .iter()
            .filter(|m| m["id"] == 2 || m["id"] == 3)
            .count()
            < 2
            && stdout.read_line(&mut line).await.unwrap() > 0
        {
            parsed.push(serde_json::from_str(&line).unwrap());
            line.clear();
        }
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("both calls answer within 60 s");
    drop(stdin);
    let by_id = |id: u64| parsed.iter().find(|m| m["id"] == id).unwrap();
    let report = &by_id(2)["result"]["structuredContent"];
    let basic = report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("{:?}", by_id(2)))
        .iter()
        .find(|c| c["check"] == "chat.basic")
        .unwrap();
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
