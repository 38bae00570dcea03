//! Against a real model server: llama.cpp's own HTTP server (PyPI `xllamacpp`, pinned in
//! `.ci/run`) serving SmolLM2-135M-Instruct on 127.0.0.1, started here with
//! `tests/real_model/serve.py` in two variants: with `tests/real_model/smollm2-tools.jinja`
//! (a chat template with tools, so llama.cpp's parser turns the model's `<tool_call>` text
//! into `tool_calls`) and with the model's own template (no tools: llama.cpp drops them).
//! Each is probed as a new user would, `zencheck probe --base-url … --model smollm2` with no
//! concurrency or timeout flags, and every check's verdict in the JSON report is held to a
//! table that says why it is right. `ZENCHECK_LLAMACPP_PYTHON` (the venv's python) and
//! `ZENCHECK_SMOLLM2_GGUF` (the model file) enable it; without them the test is skipped,
//! unless `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn peer() -> Option<(PathBuf, PathBuf)> {
    let python = crate::peer_var(
        "ZENCHECK_LLAMACPP_PYTHON",
        "the python of a venv with xllamacpp (see .ci/run)",
    )?;
    let gguf = crate::peer_var(
        "ZENCHECK_SMOLLM2_GGUF",
        "SmolLM2-135M-Instruct.Q4_1.gguf (see .ci/run)",
    )?;
    Some((python.into(), gguf.into()))
}

/// The model server, stopped when the test ends however it ends.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `serve.py` and wait (at most 60 s) until `/health` answers 200.
fn start(python: &Path, gguf: &Path, template: Option<&str>, log: &Path) -> Server {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real_model");
    let port = crate::common::free_port();
    let mut cmd = std::process::Command::new(python);
    cmd.arg(dir.join("serve.py"))
        .arg(gguf)
        .arg(port.to_string())
        .arg("smollm2");
    if let Some(t) = template {
        cmd.arg(dir.join(t));
    }
    let out = std::fs::File::create(log).unwrap();
    let child = cmd
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("start serve.py");
    let server = Server { child, port };
    let started = Instant::now();
    loop {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut s| {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut buf = [0u8; 64];
            s.read(&mut buf)
                .is_ok_and(|n| buf[..n].starts_with(b"HTTP/1.1 200"))
        });
        if up {
            return server;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "llama.cpp not ready in 60 s: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `zencheck probe` with the defaults, the JSON report and the wall time.
fn probe(port: u16, dir: &Path, name: &str) -> (Value, Duration) {
    let json = dir.join(format!("{name}.json"));
    let started = Instant::now();
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .args(["probe", "--base-url"])
        .arg(format!("http://127.0.0.1:{port}/v1"))
        .args(["--model", "smollm2", "--json"])
        .arg(&json)
        .timeout(Duration::from_secs(400))
        .output()
        .unwrap();
    let took = started.elapsed();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_else(|e| {
        panic!(
            "no report ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }))
    .unwrap();
    (report, took)
}

/// A check's expected verdict: status, kind (None for a pass), and why it is right.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// What every check of the probe must say of each variant, and why that is right. The text
/// the model writes is nonsense (135M parameters); the protocol is what is judged.
const TOOLS: &[Row] = &[
    ("models.list", "pass", None, "/v1/models lists the alias smollm2"),
    ("models.exists", "pass", None, "smollm2 is listed"),
    ("chat.basic", "pass", None, "\"The perfect pong!\" in 6 tokens, finish stop, usage"),
    ("chat.unknown_model", "warn", Some("model_mismatch"), "llama.cpp serves its one model whatever the id: the model under test answers the impossible id"),
    ("chat.max_tokens", "pass", None, "max_tokens was accepted by chat.basic"),
    ("chat.stream", "pass", None, "SSE chunks, finish_reason, [DONE]"),
    ("chat.stream_usage", "warn", Some("output_length"), "the usage chunk comes, but SmolLM2-135M does not copy the Chinese text: it answers in English until the 48-token cap"),
    ("chat.tools", "pass", None, "the template shows the tools; llama.cpp parses <tool_call> into tool_calls"),
    ("chat.tool_choice_required", "pass", None, "a parsed get_weather call"),
    ("chat.tool_choice_none", "fail", Some("param_ignored"), "no tool_calls, but the <tool_call> markup is left in content, which an app shows its user"),
    ("chat.tool_choice_named", "fail", Some("param_ignored"), "llama.cpp runs the object form of tool_choice as auto (it logs \"Wrong type supplied for parameter 'tool_choice'\"): get_time named, get_weather called"),
    ("chat.stream_tools", "pass", None, "streamed tool_calls deltas assemble into get_weather"),
    ("chat.json_schema", "pass", None, "llama.cpp enforces json_schema with a grammar: exactly the two fields"),
    ("chat.json_object", "warn", Some("output_length"), "a JSON object that runs past the 64-token cap, cut mid-object: the cap, not the format"),
    ("chat.tool_roundtrip", "pass", None, "the call's id goes back with the result, and the answer quotes the result's token"),
    ("chat.stream_tool_roundtrip", "pass", None, "the same with turn one streamed"),
    ("chat.tools_seen", "pass", None, "the model called: it saw the tools"),
    ("chat.error_shape", "pass", None, "400 with OpenAI's {error: {message}}"),
    ("responses.basic", "pass", None, "/responses answers with output_text and status completed (6 tokens, under the cap)"),
    ("responses.stream", "pass", None, "typed events ending in response.completed"),
    ("responses.tools", "pass", None, "a function_call item"),
    ("responses.json_schema", "fail", Some("param_ignored"), "llama.cpp ignores text.format on /responses: JSON with keys outside the schema, cut at the cap while status says completed"),
    ("responses.tool_roundtrip", "pass", None, "turn 2 sends the whole input again, as clients do (previous_response_id, which llama.cpp does not store, is the opt-in responses.previous_response)"),
];

const OWN: &[Row] = &[
    ("models.list", "pass", None, "/v1/models lists the alias smollm2"),
    ("models.exists", "pass", None, "smollm2 is listed"),
    ("chat.basic", "pass", None, "\"The perfect pong!\" in 6 tokens, finish stop, usage"),
    ("chat.unknown_model", "warn", Some("model_mismatch"), "llama.cpp serves its one model whatever the id: the model under test answers the impossible id"),
    ("chat.max_tokens", "pass", None, "max_tokens was accepted by chat.basic"),
    ("chat.stream", "pass", None, "SSE chunks, finish_reason, [DONE]"),
    ("chat.stream_usage", "warn", Some("output_length"), "the usage chunk comes, but SmolLM2-135M does not copy the Chinese text: it answers in English until the 48-token cap"),
    ("chat.tools", "warn", Some("output_length"), "under auto prose is allowed; it runs to the 64-token cap, and shows no reasoning, so it is not retried at 1024"),
    ("chat.tool_choice_required", "fail", Some("param_ignored"), "the template cannot show tools, llama.cpp drops them: prose to the cap, no call"),
    ("chat.tool_choice_none", "pass", None, "no call, no call markup: prose cut at the cap"),
    ("chat.tool_choice_named", "fail", Some("param_ignored"), "no call at all (tools dropped)"),
    ("chat.stream_tools", "fail", Some("param_ignored"), "a forced call, none streamed (tools dropped)"),
    ("chat.json_schema", "pass", None, "llama.cpp enforces json_schema with a grammar whatever the template"),
    ("chat.json_object", "warn", Some("output_length"), "a JSON object cut at the 64-token cap"),
    ("chat.tool_roundtrip", "fail", Some("param_ignored"), "turn one gets no call (tools dropped), so there is no result to send back"),
    ("chat.stream_tool_roundtrip", "fail", Some("param_ignored"), "the same, streamed"),
    ("chat.tools_seen", "fail", Some("param_ignored"), "prompt_tokens is the same with and without the tool: llama.cpp drops tools for a template without tool support"),
    ("chat.error_shape", "pass", None, "400 with OpenAI's {error: {message}}"),
    ("responses.basic", "pass", None, "output_text, status completed, 6 tokens"),
    ("responses.stream", "pass", None, "typed events ending in response.completed"),
    ("responses.tools", "fail", Some("param_ignored"), "tool_choice required, no function_call (tools dropped); status completed at the cap is flagged too"),
    ("responses.json_schema", "fail", Some("param_ignored"), "text.format ignored: JSON with keys outside the schema, cut at the cap"),
    ("responses.tool_roundtrip", "fail", Some("param_ignored"), "turn one gets no function_call, so there is nothing to send back"),
];

fn hold_to(report: &Value, table: &[Row], variant: &str) -> Vec<String> {
    let checks = report["checks"].as_array().expect("checks[]");
    let mut wrong = Vec::new();
    for c in checks {
        let id = c["check"].as_str().unwrap_or("?");
        let status = c["status"].as_str().unwrap_or("?");
        let kind = c["kind"].as_str();
        // No wait of zencheck's own making, no connection it broke: never with defaults.
        if matches!(kind, Some("timeout" | "network")) {
            wrong.push(format!(
                "{variant} {id}: {status} {kind:?}: {}",
                c["detail"]
            ));
            continue;
        }
        match table.iter().find(|r| r.0 == id) {
            Some((_, want, want_kind, why)) if (*want, *want_kind) != (status, kind) => {
                wrong.push(format!(
                    "{variant} {id}: {status} {kind:?}, expected {want} {want_kind:?} ({why}): {}",
                    c["detail"]
                ))
            }
            Some(_) => {}
            None => wrong.push(format!(
                "{variant} {id}: {status} {kind:?} is not in the table: {}",
                c["detail"]
            )),
        }
    }
    for (id, ..) in table {
        if !checks.iter().any(|c| c["check"] == *id) {
            wrong.push(format!("{variant} {id}: in the table, not in the report"));
        }
    }
    wrong
}

#[test]
fn llama_cpp_with_smollm2_gets_the_right_verdicts_with_default_settings() {
    let Some((python, gguf)) = peer() else { return };
    // Alone on the CPU (see `crate::CPU`): the verdicts are held to no timeout.
    let _cpu = crate::CPU.blocking_write();
    let dir = tempfile::tempdir().unwrap();
    let tools = start(
        &python,
        &gguf,
        Some("smollm2-tools.jinja"),
        &dir.path().join("tools.log"),
    );
    let own = start(&python, &gguf, None, &dir.path().join("own.log"));
    // Both at once: each server decodes on one thread of its own.
    let (tools_run, own_run) = std::thread::scope(|s| {
        let t = s.spawn(|| probe(tools.port, dir.path(), "tools"));
        let o = s.spawn(|| probe(own.port, dir.path(), "own"));
        (t.join().unwrap(), o.join().unwrap())
    });
    eprintln!(
        "wall time with default settings: tools template {:.1} s, own template {:.1} s",
        tools_run.1.as_secs_f64(),
        own_run.1.as_secs_f64()
    );
    let mut wrong = hold_to(&tools_run.0, TOOLS, "tools");
    wrong.extend(hold_to(&own_run.0, OWN, "own"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
