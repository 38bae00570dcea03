//! Against the real opencode (npm `opencode-ai`, pinned in `.ci/run`): `opencode serve` and
//! `opencode run`, isolated and offline, with custom `@ai-sdk/openai-compatible` providers
//! whose baseURL is zencheck's own mock in healthy and faulty scenarios.
//! `ZENCHECK_OPENCODE_BIN` names the binary; without it the test is skipped, unless
//! `ZENCHECK_REQUIRE_PEERS=1` (set by CI) makes a missing peer a failure.

use crate::common;

use assert_cmd::Command;
use common::{check, serve_check};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, Scenario};

/// A key the `badkey` provider's mock echoes back; no output may contain it.
const WRONG_KEY: &str = "sk-wrong-opencode-key-2468";

fn opencode_bin() -> Option<PathBuf> {
    crate::peer_var(
        "ZENCHECK_OPENCODE_BIN",
        "an opencode binary (npm opencode-ai)",
    )
    .map(PathBuf::from)
}

/// Environment that keeps opencode away from the user's files and the network.
fn isolation(home: &Path) -> Vec<(String, String)> {
    let h = |p: &str| home.join(p).display().to_string();
    vec![
        ("HOME".into(), h("")),
        ("XDG_CONFIG_HOME".into(), h(".config")),
        ("XDG_DATA_HOME".into(), h(".local/share")),
        ("XDG_CACHE_HOME".into(), h(".cache")),
        ("XDG_STATE_HOME".into(), h(".local/state")),
        ("OPENCODE_CONFIG".into(), h("opencode.json")),
        ("OPENCODE_DISABLE_AUTOUPDATE".into(), "1".into()),
        ("OPENCODE_DISABLE_SHARE".into(), "1".into()),
        ("OPENCODE_DISABLE_LSP_DOWNLOAD".into(), "1".into()),
        ("OPENCODE_DISABLE_MODELS_FETCH".into(), "1".into()),
        ("OPENCODE_DISABLE_DEFAULT_PLUGINS".into(), "1".into()),
    ]
}

fn provider(url: &str, key: &str, models: &[&str]) -> Value {
    let models: serde_json::Map<String, Value> = models
        .iter()
        .map(|m| (m.to_string(), json!({"name": m})))
        .collect();
    json!({"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": url, "apiKey": key}, "models": models})
}

/// Kills `opencode serve` when the test ends, however it ends.
struct Server(std::process::Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_opencode() {
    let _cpu = crate::CPU.read().await;
    let Some(bin) = opencode_bin() else { return };
    // However opencode misbehaves, this test ends: CI must never hang on a peer.
    tokio::time::timeout(Duration::from_secs(300), against_real_opencode(bin))
        .await
        .expect("the opencode test took over 5 minutes");
}

async fn against_real_opencode(bin: PathBuf) {
    let healthy = mock::start(Scenario::Healthy, 0).await.unwrap();
    let strict = mock::start(Scenario::StreamOptionsRejected, 0)
        .await
        .unwrap();
    let badkey = mock::start(Scenario::Auth, 0).await.unwrap();
    let renamed = mock::start(Scenario::ModelNotFound, 0).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let config = json!({
        "$schema": "https://opencode.ai/config.json",
        "provider": {
            "local": provider(&healthy.base_url(), "sk-test", &["mock-small", "mock-large"]),
            "strict": provider(&strict.base_url(), "sk-test", &["mock-small"]),
            "badkey": provider(&badkey.base_url(), WRONG_KEY, &["mock-small"]),
            "renamed": provider(&renamed.base_url(), "sk-test", &["mock-small"]),
        },
        "model": "local/mock-small", "small_model": "local/mock-small", "autoupdate": false, "share": "disabled"
    });
    let config_path = home.path().join("opencode.json");
    std::fs::write(&config_path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(work.path())
        .status()
        .unwrap();
    let env = isolation(home.path());

    let port = crate::common::free_port();
    let child = std::process::Command::new(&bin)
        .args([
            "serve",
            "--port",
            &port.to_string(),
            "--hostname",
            "127.0.0.1",
        ])
        .envs(env.iter().cloned())
        .current_dir(work.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("opencode starts");
    let _server = Server(child);
    let url = format!("http://127.0.0.1:{port}");
    // Each attempt is bounded: during startup opencode may accept a connection and never
    // answer it.
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let t0 = Instant::now();
    while !probe
        .get(format!("{url}/global/health"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "opencode serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // A healthy provider: every check passes, and the flat form is reported as information.
    let ok = serve_check(&url, "local/mock-large", Duration::from_secs(60)).await;
    for c in &ok.checks {
        assert_eq!(c.status, Status::Pass, "{}: {}", c.check, ok.to_json());
    }
    assert!(
        check(&ok, "opencode.events")
            .timing_ms
            .first_token
            .is_some(),
        "time to the first delta is measured"
    );
    assert!(check(&ok, "opencode.health").detail.contains("opencode 1."));

    // Faulty providers: the provider's own error, classified, with opencode-worded fixes.
    let r = serve_check(&url, "strict/mock-small", Duration::from_secs(60)).await;
    let p = check(&r, "opencode.prompt");
    assert_eq!(
        (p.kind, p.param.as_deref(), p.http_status),
        (Some(Kind::ParamRejected), Some("stream_options"), Some(400)),
        "{}",
        r.to_json()
    );
    assert!(
        p.hint
            .as_deref()
            .unwrap()
            .contains("\"strict\": {\"options\": {\"includeUsage\": false}}"),
        "{:?}",
        p.hint
    );
    assert_eq!(
        check(&r, "opencode.events").status,
        Status::Pass,
        "the failure reaches /event as session.error"
    );

    let r = serve_check(&url, "badkey/mock-small", Duration::from_secs(60)).await;
    assert_eq!(check(&r, "opencode.prompt").kind, Some(Kind::Auth));
    assert!(check(&r, "opencode.prompt")
        .hint
        .as_deref()
        .unwrap()
        .contains("opencode.json"));
    assert!(!r.to_json().contains(WRONG_KEY), "the echoed key is masked");

    let r = serve_check(&url, "renamed/mock-small", Duration::from_secs(60)).await;
    assert_eq!(check(&r, "opencode.prompt").kind, Some(Kind::ModelNotFound));

    let r = serve_check(&url, "local/mock-tiny", Duration::from_secs(60)).await;
    assert_eq!(
        check(&r, "opencode.providers").kind,
        Some(Kind::ModelNotFound)
    );

    // opencode run: a good answer, and a provider failure.
    let run = |model: &str| {
        let out = Command::cargo_bin("zencheck")
            .unwrap()
            .timeout(Duration::from_secs(120))
            .envs(env.iter().cloned())
            .current_dir(work.path())
            .args([
                "opencode",
                "run-check",
                "--format",
                "json",
                "--model",
                model,
                "--opencode-bin",
            ])
            .arg(&bin)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
        )
    };
    let (code, report) = run("local/mock-small");
    assert_eq!(code, Some(0), "{report}");
    assert!(report["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("pong"));
    let (code, report) = run("strict/mock-small");
    assert_eq!(code, Some(1));
    assert_eq!(report["checks"][0]["kind"], "param_rejected");

    // The user's opencode.json, probed as opencode will call each provider.
    let out = Command::cargo_bin("zencheck")
        .unwrap()
        .timeout(Duration::from_secs(120))
        .args(["probe", "--format", "json", "--opencode-config"])
        .arg(&config_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = |t: &str, id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["target"] == t && c["check"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let usage = check("strict", "chat.stream_usage");
    assert_eq!(
        (usage["kind"].as_str(), usage["required"].as_bool()),
        (Some("param_rejected"), Some(true)),
        "{report:#}"
    );
    assert!(usage["hint"].as_str().unwrap().contains("includeUsage"));
    assert_eq!(check("local", "chat.stream")["status"], "pass");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(WRONG_KEY));
    drop((healthy, strict, badkey, renamed));
}
