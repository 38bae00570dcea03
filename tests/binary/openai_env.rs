//! The names users already have: OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL as
//! fallbacks below flags and the config file, and the hints when no key was sent. Through
//! the real binary against the built-in mock on 127.0.0.1.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use zencheck::mock::{self, Scenario};

const KEY: &str = "sk-zc-openai-env-9f8e7d6c5b4a";

/// zencheck with no key variable of the machine leaking in.
fn zencheck(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    c.current_dir(dir)
        .env_remove("ZENCHECK_CONFIG")
        .env_remove("ZENCHECK_FORMAT")
        .env_remove("ZENCHECK_FAIL_ON")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_MODEL");
    for v in zencheck::cli::openai_env::WELL_KNOWN_KEYS {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).timeout(std::time::Duration::from_secs(60));
    c.output().unwrap()
}

async fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = dir.to_path_buf();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let e: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        zencheck(&dir, &e, &a)
    })
    .await
    .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_variables_alone_name_the_target_and_flags_and_files_win() {
    let healthy = mock::start(Scenario::Healthy, 0).await.unwrap();
    let other = mock::start(Scenario::Healthy, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env_url = format!("http://{}/v1", healthy.addr);
    let env = [
        ("OPENAI_BASE_URL", env_url.as_str()),
        ("OPENAI_API_KEY", KEY),
        ("OPENAI_MODEL", "mock-small"),
    ];
    let args = ["probe", "--checks", "chat.basic", "--format", "json"];

    // Only the variables: they are the target, its key and its model.
    let out = run(dir.path(), &env, &args).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let r = json(&out);
    assert_eq!(r["target"]["base_url"], env_url.as_str());
    assert_eq!(r["target"]["api_key_env"], "OPENAI_API_KEY");
    assert_eq!(r["target"]["api_key_present"], true);
    assert_eq!(r["target"]["models"][0], "mock-small");
    let all = format!("{out:?}");
    assert!(!all.contains(KEY) && !all.contains("9f8e7d6c5b4a"));

    // --base-url and --model win; the OpenAI key is not sent to another host, only named.
    let other_url = format!("http://{}/v1", other.addr);
    let mut a = args.to_vec();
    a.extend(["--base-url", other_url.as_str(), "-m", "mock-large"]);
    let out = run(dir.path(), &env, &a).await;
    let r = json(&out);
    assert_eq!(r["target"]["base_url"], other_url.as_str());
    assert_eq!(r["target"]["models"][0], "mock-large");
    assert!(r["target"]["api_key_env"].is_null(), "{r:#}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("OPENAI_API_KEY is set: add --api-key-env OPENAI_API_KEY"),
        "{stderr}"
    );

    // --provider openai honours OPENAI_BASE_URL.
    let mut a = args.to_vec();
    a.extend(["--provider", "openai"]);
    let r = json(&run(dir.path(), &env, &a).await);
    assert_eq!(r["target"]["base_url"], env_url.as_str());
    assert_eq!(r["target"]["api_key_env"], "OPENAI_API_KEY");

    // A config file wins over the variables.
    std::fs::write(
        dir.path().join("zencheck.toml"),
        format!("[targets.file]\nbase_url = \"{other_url}\"\nmodels = [\"mock-small\"]\n"),
    )
    .unwrap();
    let r = json(&run(dir.path(), &env, &args).await);
    assert_eq!(r["targets"][0]["name"], "file");
    assert_eq!(r["targets"][0]["base_url"], other_url.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_to_a_request_without_a_key_says_no_key_was_sent_and_how_to_send_one() {
    let auth = mock::start(Scenario::Auth, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{}/v1", auth.addr);
    let args = [
        "probe",
        "--base-url",
        url.as_str(),
        "-m",
        "mock-small",
        "--checks",
        "chat.basic",
        "--format",
        "json",
    ];
    let hint = |out: &std::process::Output| {
        let r = json(out);
        let c = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "chat.basic")
            .cloned()
            .unwrap();
        assert_eq!(c["kind"], "auth", "{c:#}");
        c["hint"].as_str().unwrap().to_string()
    };
    let h = hint(&run(dir.path(), &[("OPENAI_API_KEY", KEY)], &args).await);
    assert!(h.starts_with("No key was sent"), "{h}");
    assert!(h.contains("--api-key-env OPENAI_API_KEY"), "{h}");
    let h = hint(&run(dir.path(), &[], &args).await);
    assert!(
        h.starts_with("No key was sent") && h.contains("-H 'Authorization"),
        "{h}"
    );
    // With a key sent, the hint is about the key, not its absence.
    let mut a = args.to_vec();
    a.extend(["--api-key-env", "ZC_TEST_KEY"]);
    let h = hint(&run(dir.path(), &[("ZC_TEST_KEY", KEY)], &a).await);
    assert!(!h.contains("No key was sent"), "{h}");
}
