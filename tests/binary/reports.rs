//! For CI and support: a zencheck.toml with several targets on local servers, every
//! output format, the fail policy, a baseline, reproduction commands, config diagnostics,
//! and `zencheck explain` — all through the real binary.

use crate::common;

use assert_cmd::Command;
use common::assert_valid;
use serde_json::Value;
use std::path::Path;
use zencheck::mock::{self, MockServer, Scenario};

const KEY: &str = "sk-zc-reports-5a4b3c2d1e0f";

struct Setup {
    dir: tempfile::TempDir,
    _servers: Vec<MockServer>,
}

/// Mocks for the scenarios, and a zencheck.toml naming them as targets `t0`, `t1`, ….
async fn setup(targets: &[(Scenario, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    let mut toml = String::from("[settings]\ntimeout = 2\nconcurrency = 4\n\n");
    for (i, (scenario, extra)) in targets.iter().enumerate() {
        let s = mock::start(*scenario, 0).await.unwrap();
        toml.push_str(&format!(
            "[targets.t{i}]\nbase_url = \"http://{}/v1\"\napi_key_env = \"ZC_REPORT_KEY\"\nmodels = [\"mock-small\"]\nchecks = [\"models\", \"chat.basic\", \"chat.stream\", \"chat.stream_usage\"]\n{extra}\n\n",
            s.addr
        ));
        servers.push(s);
    }
    std::fs::write(dir.path().join("zencheck.toml"), toml).unwrap();
    Setup {
        dir,
        _servers: servers,
    }
}

fn zencheck(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    c.current_dir(dir)
        .env("ZC_REPORT_KEY", KEY)
        .env_remove("ZENCHECK_CONFIG")
        .env_remove("ZENCHECK_FAIL_ON")
        .env_remove("ZENCHECK_FORMAT");
    c.timeout(std::time::Duration::from_secs(60));
    c
}

async fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let (dir, args): (std::path::PathBuf, Vec<String>) = (
        dir.to_path_buf(),
        args.iter().map(|s| s.to_string()).collect(),
    );
    tokio::task::spawn_blocking(move || zencheck(&dir).arg("probe").args(&args).output().unwrap())
        .await
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_targets_in_every_format() {
    let s = setup(&[
        (Scenario::Healthy, ""),
        (
            Scenario::StreamOptionsRejected,
            "require = [\"chat.stream_usage\"]",
        ),
        (Scenario::StreamTruncated, ""),
    ])
    .await;
    let dir = s.dir.path();

    let out = run(dir, &["--format", "json", "--curl"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&report);
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(
        targets
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["t0", "t1", "t2"]
    );
    assert!(
        report["target"].is_null(),
        "several targets: no single target"
    );
    let checks = report["checks"].as_array().unwrap();
    let of = |t: &str, id: &str| {
        checks
            .iter()
            .find(|c| c["target"] == t && c["check"] == id)
            .unwrap_or_else(|| panic!("{t}/{id}"))
            .clone()
    };
    assert_eq!(of("t0", "chat.stream")["status"], "pass");
    assert_eq!(of("t1", "chat.stream_usage")["kind"], "param_rejected");
    assert_eq!(of("t1", "chat.stream_usage")["required"], true);
    assert_eq!(of("t2", "chat.stream")["kind"], "stream_truncated");
    let reasons = report["outcome"]["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r
            .as_str()
            .unwrap()
            .contains("required but not passing: t1/chat.stream_usage")),
        "{reasons:?}"
    );
    // curl only where a check did not pass, with the key as a variable reference.
    let curl = of("t1", "chat.stream_usage")["curl"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        curl.starts_with("curl -sS -N -X POST")
            && curl.contains("\"Authorization: Bearer $ZC_REPORT_KEY\"")
            && curl.contains("stream_options"),
        "{curl}"
    );
    assert!(of("t0", "chat.stream")["curl"].is_null());

    let out = run(dir, &["--format", "junit", "--curl"]).await;
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout.clone()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3);
    for suite in &suites {
        let name = suite.attribute("name").unwrap();
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let expected = checks.iter().filter(|c| c["target"] == name).count();
        assert_eq!(cases.len(), expected, "{name}");
        assert_eq!(
            suite.attribute("tests").unwrap().parse::<usize>().unwrap(),
            expected
        );
        let failures = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(
            suite
                .attribute("failures")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            failures
        );
        let should_fail = checks
            .iter()
            .filter(|c| {
                c["target"] == name
                    && (c["status"] == "fail" || (c["required"] == true && c["status"] != "pass"))
            })
            .count();
        assert_eq!(failures, should_fail, "{name}");
    }
    let truncated = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name") == Some("chat.stream [mock-small]")
                && n.parent().unwrap().attribute("name") == Some("t2")
        })
        .unwrap();
    let failure = truncated
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("stream_truncated"));
    assert!(
        failure.text().unwrap().contains("fix: "),
        "the failure body carries the hint"
    );

    let out = run(dir, &["--format", "markdown", "--curl"]).await;
    let md = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(md.starts_with("## zencheck report: ❌ failed"));
    assert!(
        md.contains("| t1 |")
            && md.contains("`param_rejected`")
            && md.contains("<details>")
            && md.contains("```sh")
    );

    let out = run(dir, &["--curl"]).await;
    let table = text(&out);
    assert!(
        table.contains("target t2") && table.contains("Reproduce") && table.contains("FAILED: ")
    );

    for out in [
        run(dir, &["--format", "json", "--curl"]).await,
        run(dir, &["--format", "markdown", "--curl"]).await,
        run(dir, &["--format", "junit", "--curl"]).await,
        run(dir, &["--curl"]).await,
    ] {
        assert!(!text(&out).contains(KEY), "a format leaks the key");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_follow_the_policy() {
    let s = setup(&[
        (Scenario::Healthy, ""),
        (Scenario::StreamNoDone, ""),
        (Scenario::ServerError, ""),
        (Scenario::UsageIgnored, "require = [\"chat.stream_usage\"]"),
    ])
    .await;
    let dir = s.dir.path();
    let code = |out: std::process::Output| out.status.code();
    assert_eq!(
        code(run(dir, &[]).await),
        Some(1),
        "a failing target fails the run"
    );
    assert_eq!(code(run(dir, &["--fail-on", "never"]).await), Some(0));
    assert_eq!(code(run(dir, &["--target", "t0"]).await), Some(0));
    // Warnings pass under fail-on fail, and fail under fail-on warn.
    assert_eq!(code(run(dir, &["--target", "t1"]).await), Some(0));
    assert_eq!(
        code(run(dir, &["--target", "t1", "--fail-on", "warn"]).await),
        Some(1)
    );
    // ZENCHECK_FAIL_ON is read, and the flag beats it.
    let d = dir.to_path_buf();
    let env_warn = tokio::task::spawn_blocking(move || {
        zencheck(&d)
            .env("ZENCHECK_FAIL_ON", "warn")
            .args(["probe", "--target", "t1"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(env_warn.status.code(), Some(1));
    let d = dir.to_path_buf();
    let flag_wins = tokio::task::spawn_blocking(move || {
        zencheck(&d)
            .env("ZENCHECK_FAIL_ON", "warn")
            .args(["probe", "--target", "t1", "--fail-on", "fail"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(flag_wins.status.code(), Some(0));
    // A required capability that only warns fails the run.
    let out = run(dir, &["--target", "t3"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("required but not passing: t3/chat.stream_usage"),
        "{}",
        text(&out)
    );
    assert_eq!(code(run(dir, &["--target", "nope"]).await), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_turns_a_new_failure_into_a_regression() {
    let before = setup(&[(Scenario::Healthy, "")]).await;
    let out = run(
        before.dir.path(),
        &["--format", "json", "--output", "before.json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("report written to before.json"));
    let baseline = before.dir.path().join("before.json");

    // Same target name, now served by a provider whose streams break.
    let after = setup(&[(Scenario::StreamTruncated, "")]).await;
    let b = baseline.display().to_string();
    let out = run(after.dir.path(), &["--format", "json", "--baseline", &b]).await;
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&report);
    let stream = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "chat.stream")
        .unwrap();
    assert_eq!(stream["baseline"], "regressed");
    assert!(report["summary"]["regressed"].as_u64().unwrap() >= 1);
    assert!(report["outcome"]["reasons"]
        .to_string()
        .contains("passed in the baseline, not now"));
    // The report says what it was compared with, and the words are the baseline's.
    assert_eq!(report["comparison"]["with"], "baseline");
    assert_eq!(report["comparison"]["source"], b.as_str());
    // With --fail-on never the run passes, and the table still shows the regression.
    let out = run(after.dir.path(), &["--baseline", &b, "--fail-on", "never"]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out).contains("regressed"));
    assert!(!text(&out).contains("works direct"), "{}", text(&out));

    let out = run(after.dir.path(), &["--baseline", "."]).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "an unreadable baseline means zencheck could not run"
    );
    // A missing one is a first run: empty, said on stderr.
    let out = run(after.dir.path(), &["--baseline", "missing.json"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist yet"));
}

#[test]
fn config_mistakes_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let probe = |toml: &str| {
        std::fs::write(dir.path().join("zencheck.toml"), toml).unwrap();
        zencheck(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("ZC_UNSET_GATEWAY")
            .arg("probe")
            .output()
            .unwrap()
    };
    let out = probe("[targets.a]\nprovider = \"zen\"\nmodle = [\"x\"]\n");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("modle") && err.contains("zencheck.toml") && err.contains("3 │"),
        "{err}"
    );

    let out = probe("[targets.a]\nbase_url = \"${ZC_UNSET_GATEWAY}/v1\"\n");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZC_UNSET_GATEWAY is not set"));
}

#[test]
fn explain_classifies_pasted_errors_offline() {
    let dir = tempfile::tempdir().unwrap();
    let explain = |input: &str, args: &[&str]| {
        zencheck(dir.path())
            .arg("explain")
            .args(args)
            .write_stdin(input.to_string())
            .output()
            .unwrap()
    };
    let out = explain("HTTP/1.1 401 Unauthorized\n{\"type\":\"error\",\"error\":{\"type\":\"CreditsError\",\"message\":\"Insufficient balance\"}}", &["--provider", "zen"]);
    assert_eq!(out.status.code(), Some(0));
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("kind:    billing") && t.contains("fix:") && t.contains("Zen"),
        "{t}"
    );

    let out = explain(
        r#"{"type":"error","error":{"name":"ProviderAuthError","data":{"providerID":"zen","message":"Invalid API key"}}}"#,
        &["--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["read_as"].as_str()),
        (Some("auth"), Some("opencode"))
    );
    assert!(v["hint"].as_str().unwrap().len() > 30);

    let out = zencheck(dir.path())
        .args(["explain", "connect ECONNREFUSED 127.0.0.1:4000"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("kind:    network"));
    let out = explain("", &[]);
    assert_eq!(out.status.code(), Some(2));
}
