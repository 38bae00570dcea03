//! `zencheck mcp` driven by a real MCP client: the official Python SDK (PyPI `mcp`, pinned in
//! `.ci/run`) runs `testdata/peers/mcp_client.py`, which starts the server over stdio and
//! makes the calls this test plans. `ZENCHECK_MCP_PYTHON` names the Python that has the
//! SDK (the peer skip rule of `main.rs` applies).

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zencheck::mock::{self, Scenario};

/// The key in the server's environment; no result may hold it, whole or in part.
const KEY: &str = "sk-zc-mcp-7f3a9c1e5b2d4068";
/// The OpenAI key in the server's environment, for the preset-with-a-foreign-URL case.
const OPENAI_KEY: &str = "sk-openai-mcp-2c4e6a8b0d1f3579";

fn python() -> Option<String> {
    super::peer_var(
        "ZENCHECK_MCP_PYTHON",
        "a Python with the `mcp` package (the official MCP SDK)",
    )
}

/// A server that answers every request with a model list and records the Authorization
/// header each request carried (None: no header).
async fn recorder() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let s = s.clone();
        async move {
            let auth = headers
                .get("authorization")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            s.lock().unwrap().push(auth);
            axum::Json(json!({"object": "list", "data": [{"id": "rec-model", "object": "model"}]}))
        }
    });
    let addr = crate::common::serve_app(app).await;
    (format!("http://{addr}/v1"), seen)
}

async fn scenario(name: &str) -> mock::MockServer {
    mock::start(Scenario::from_name(name).unwrap(), 0)
        .await
        .unwrap()
}

/// Run the client with `plan`; what it got back.
async fn drive(python: &str, plan: &Value) -> Value {
    use tokio::io::AsyncWriteExt;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/peers/mcp_client.py");
    let mut child = tokio::process::Command::new(python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(plan.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(240), child.wait_with_output())
        .await
        .expect("the MCP session ends within 240 s")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the client failed: {}\n{stderr}",
        out.status
    );
    assert!(
        !stderr.contains(KEY) && !stderr.contains(OPENAI_KEY),
        "a key on the server's stderr: {stderr}"
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("client output is not JSON ({e}): {stderr}"))
}

fn texts(r: &Value) -> String {
    r["texts"]
        .as_array()
        .unwrap_or_else(|| panic!("not a tool result: {r}"))
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The check `id` of a probe result's structured report.
fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["structured"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == id)
        .unwrap_or_else(|| panic!("no {id} in {r}"))
}

// One session for every case: the server must keep serving across them, malformed calls
// included, and the keys in its environment are the same throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_mcp_client_probes_explains_and_cannot_move_a_key() {
    let _cpu = crate::CPU.read().await;
    let Some(python) = python() else { return };
    let healthy = scenario("healthy").await;
    let broken = scenario("tool-choice-ignored").await;
    let echo = scenario("auth").await;
    let (configured, configured_seen) = recorder().await;
    let (foreign, foreign_seen) = recorder().await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zencheck.toml"),
        format!(
            "[targets.mine]\nbase_url = \"{configured}\"\napi_key_env = \"ZC_MCP_KEY\"\n\n\
             [targets.echo]\nbase_url = \"{}\"\napi_key_env = \"ZC_MCP_KEY\"\nmodels = [\"mock-small\"]\nchecks = [\"chat.basic\"]\n",
            echo.base_url()
        ),
    )
    .unwrap();
    let calls = json!([
        // 0
        {"tool": "list_checks"},
        // 1: healthy
        {"tool": "probe", "arguments": {"base_url": healthy.base_url(), "models": ["mock-small"],
            "checks": ["chat.basic", "chat.stream", "chat.tools"]}},
        // 2: broken
        {"tool": "probe", "arguments": {"base_url": broken.base_url(), "models": ["mock-small"],
            "checks": ["chat.tool_choice_required"]}},
        // 3: a key variable named for a URL the config does not have
        {"tool": "probe", "arguments": {"base_url": foreign, "api_key_env": "ZC_MCP_KEY"}},
        // 4: a preset with a foreign base URL does not count
        {"tool": "probe", "arguments": {"provider": "openai", "base_url": foreign}},
        // 5: the configured URL gets its key (the control: the recorder can see one)
        {"tool": "probe", "arguments": {"base_url": configured}},
        // 6: a config target whose server echoes the key it was sent
        {"tool": "probe", "arguments": {"target": "echo"}},
        // 7-10: malformed calls
        {"tool": "no_such_tool", "arguments": {}},
        {"tool": "probe", "arguments": {"base_url": healthy.base_url(), "models": 5}},
        {"tool": "explain", "arguments": {"text": ["not", "a", "string"]}},
        {"tool": "explain", "big_text": 10_000_000},
        // 11-12: still serving
        {"tool": "explain", "arguments": {"text": "HTTP 401 {\"error\":{\"code\":\"invalid_api_key\"}}"}},
        {"tool": "probe", "arguments": {"base_url": healthy.base_url(),
            "models": ["mock-small,mock-large"], "checks": ["models"]}},
        // 13: an argument the schema does not have (headers could carry anything anywhere)
        {"tool": "probe", "arguments": {"base_url": foreign, "headers": ["Authorization: Bearer x"]}},
        // 14: a message past the 16 MiB line cap gets an answer, not silence; 15: still serving
        {"tool": "explain", "big_text": 17_000_000, "timeout": 60},
        {"tool": "list_checks"},
    ]);
    let plan = json!({
        "command": env!("CARGO_BIN_EXE_zencheck"),
        "args": ["mcp"],
        "cwd": dir.path(),
        "env": {"ZC_MCP_KEY": KEY, "OPENAI_API_KEY": OPENAI_KEY, "ZENCHECK_DEADLINE": "60"},
        "calls": calls,
    });
    let out = drive(&python, &plan).await;
    let whole = out.to_string();
    for (key, name) in [(KEY, "ZC_MCP_KEY"), (OPENAI_KEY, "OPENAI_API_KEY")] {
        // Whole or any 10-character piece of it.
        for i in 0..=key.len() - 10 {
            assert!(
                !whole.contains(&key[i..i + 10]),
                "part of ${name} in a tool result: {}",
                &key[i..i + 10]
            );
        }
    }
    let r = out["results"].as_array().unwrap();
    assert_eq!(r.len(), 16, "{}", &whole[..whole.len().min(2000)]);

    // The tools and their input schemas.
    let tools: Vec<&str> = out["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools.len(), 3, "{tools:?}");
    for t in ["probe", "explain", "list_checks"] {
        assert!(tools.contains(&t), "{tools:?}");
    }
    let probe_tool = out["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "probe")
        .unwrap();
    let props = &probe_tool["input_schema"]["properties"];
    for p in [
        "base_url",
        "provider",
        "models",
        "checks",
        "api_key_env",
        "target",
        "repeat",
    ] {
        assert!(
            props.get(p).is_some(),
            "probe's schema lacks {p}: {probe_tool}"
        );
    }
    assert_eq!(
        probe_tool["output_schema"]["title"], "zencheck probe report",
        "{probe_tool}"
    );
    // A probe spends the user's requests: not read-only, so clients ask before it runs;
    // the other two send nothing.
    for t in out["tools"].as_array().unwrap() {
        let read_only = t["name"] != "probe";
        assert_eq!(t["annotations"]["readOnlyHint"], read_only, "{t}");
    }

    // list_checks: the same list as `zencheck checks --format json`.
    let listed = r[0]["structured"]["checks"].as_array().unwrap();
    assert_eq!(listed.len(), zencheck::check::CheckId::ALL.len());
    assert!(listed.iter().any(|c| c["id"] == "chat.stream"), "{}", r[0]);

    // Healthy: passes; JSON and text agree; the summary states the cost.
    let h = &r[1];
    assert_eq!(h["is_error"], false, "{h}");
    assert_eq!(h["structured"]["outcome"]["failed"], false, "{h}");
    assert_eq!(h["structured"]["summary"]["pass"], 3, "{h}");
    let text_json: Value = serde_json::from_str(h["texts"][1].as_str().unwrap()).unwrap();
    assert_eq!(text_json, h["structured"]);
    let requests = h["structured"]["cost"]["requests"].as_u64().unwrap();
    assert!(requests >= 3, "{h}");
    assert!(
        texts(h).contains(&format!("cost: {requests} requests")),
        "{}",
        texts(h)
    );

    // Broken: the failing check, its kind and parameter named in the summary.
    let b = &r[2];
    assert_eq!(b["structured"]["outcome"]["failed"], true, "{b}");
    let c = check(b, "chat.tool_choice_required");
    assert_eq!(c["kind"], "param_ignored", "{c}");
    let summary = b["texts"][0].as_str().unwrap();
    assert!(summary.contains("FAILED"), "{summary}");
    assert!(
        summary.contains("chat.tool_choice_required (mock-small): fail, kind param_ignored"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("param {}", c["param"].as_str().unwrap())),
        "{summary}"
    );

    // Key safety: nothing reached the foreign URL with a header, and the result says why.
    let foreign_seen = foreign_seen.lock().unwrap().clone();
    assert!(
        !foreign_seen.is_empty(),
        "the foreign recorder saw no request"
    );
    assert!(
        foreign_seen.iter().all(Option::is_none),
        "a key went to a URL outside the config: {foreign_seen:?}"
    );
    for i in [3, 4] {
        let t = &r[i]["structured"]["targets"][0];
        assert_eq!(t["api_key_present"], false, "{}", r[i]);
        assert!(
            t["key_withheld"].as_str().unwrap().contains(&foreign),
            "{}",
            r[i]
        );
        assert!(texts(&r[i]).contains("probed with no key"), "{}", r[i]);
    }
    // The configured URL did get the key, so the recorder would have seen one.
    let configured_seen = configured_seen.lock().unwrap().clone();
    assert!(
        configured_seen
            .iter()
            .any(|a| a.as_deref() == Some(&format!("Bearer {KEY}"))),
        "{configured_seen:?}"
    );
    assert_eq!(r[5]["structured"]["targets"][0]["name"], "mine", "{}", r[5]);
    assert!(r[5]["structured"]["targets"][0]
        .get("key_withheld")
        .is_none());
    // The echoing server got the key and sent it back; the result has it scrubbed.
    let e = check(&r[6], "chat.basic");
    assert_eq!(e["kind"], "auth", "{e}");
    assert!(r[6].to_string().contains("[redacted]"), "{}", r[6]);

    // Malformed calls are MCP errors (a JSON-RPC error or a tool error result).
    let is_mcp_error = |v: &Value| v.get("error").is_some() || v["is_error"] == true;
    for (i, what) in [
        (7, "unknown tool"),
        (8, "wrong type"),
        (9, "wrong type"),
        (10, "10 MB argument"),
        (13, "unknown argument"),
    ] {
        assert!(is_mcp_error(&r[i]), "{what}: {}", r[i]);
        assert!(r[i].get("exception").is_none(), "{what}: {}", r[i]);
    }
    assert!(
        r[10]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 MiB"),
        "{}",
        r[10]
    );

    // A message past 16 MiB is answered with an MCP error under its own id, which names the
    // size (rmcp alone drops it, and the call waits for its timeout).
    assert!(r[14].get("exception").is_none(), "{}", r[14]);
    let too_big = r[14]["error"]["message"].as_str().unwrap_or_default();
    assert!(
        too_big.contains("16 MiB") && too_big.contains("the message was 1700"),
        "{}",
        r[14]
    );
    assert_eq!(r[15]["is_error"], false, "{}", r[15]);

    // And the server still serves.
    assert_eq!(r[11]["structured"]["kind"], "auth", "{}", r[11]);
    assert_eq!(r[12]["is_error"], false, "{}", r[12]);
    assert_eq!(r[12]["structured"]["outcome"]["failed"], false, "{}", r[12]);
    // A comma list of models is several models, as `-m a,b` is.
    assert_eq!(
        r[12]["structured"]["targets"][0]["models"],
        json!(["mock-small", "mock-large"]),
        "{}",
        r[12]
    );
}
