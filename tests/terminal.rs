//! At the terminal (#12), through the real binary against the built-in mock: `-q`,
//! `--color` and the colour variables, `-v`, `--trace`.

use assert_cmd::Command;
use zencheck::mock::{self, Scenario};

/// A key no server or renderer could produce by accident.
const KEY: &str = "sk-zc-term-1a2b3c4d5e6f7a8b9c0d";

fn zencheck() -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS"] {
        c.env_remove(v);
    }
    c.env("ZC_TEST_KEY", KEY)
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// Run `zencheck probe --base-url MOCK ARGS` with `env` set while a mock serves.
async fn probe(scenario: Scenario, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let server = mock::start(scenario, 0).await.unwrap();
    let mut argv: Vec<String> = vec![
        "probe".into(),
        "--base-url".into(),
        server.base_url(),
        "--model".into(),
        zencheck::demo::DEMO_MODEL.into(),
        "--api-key-env".into(),
        "ZC_TEST_KEY".into(),
    ];
    argv.extend(args.iter().map(|s| s.to_string()));
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        let mut c = zencheck();
        for (k, v) in &env {
            c.env(k, v);
        }
        c.args(&argv).output().unwrap()
    })
    .await
    .unwrap();
    drop(server);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const ESC: &str = "\x1b[";

#[tokio::test]
async fn quiet_prints_only_the_verdict() {
    let ok = probe(Scenario::Healthy, &["-q"], &[]).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let out = text(&ok.stdout);
    assert_eq!(out.lines().count(), 1, "one line: {out}");
    assert!(out.contains(" pass, 0 fail"), "{out}");

    let bad = probe(Scenario::Auth, &["--quiet"], &[]).await;
    assert_eq!(bad.status.code(), Some(1));
    let out = text(&bad.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "summary and FAILED: {out}");
    assert!(lines[1].starts_with("FAILED: "), "{out}");
    assert!(!out.contains('│'), "no table: {out}");
}

#[tokio::test]
async fn quiet_keeps_json_and_does_not_list_written_files() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = probe(
        Scenario::Healthy,
        &["-q", "--json", json.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(json.exists());
    assert!(
        !text(&out.stderr).contains("report written"),
        "{}",
        text(&out.stderr)
    );
    let out = probe(Scenario::Healthy, &["-q", "--format", "json"], &[]).await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON kept under -q");
    assert!(v["checks"].is_array());
}

#[tokio::test]
async fn colour_follows_the_flag_then_the_variables() {
    let has = |o: &std::process::Output| text(&o.stdout).contains(ESC);
    // Piped: no colour unless asked for.
    assert!(!has(&probe(Scenario::Auth, &[], &[]).await));
    assert!(has(
        &probe(Scenario::Auth, &["--color", "always"], &[]).await
    ));
    assert!(has(
        &probe(Scenario::Auth, &[], &[("FORCE_COLOR", "1")]).await
    ));
    assert!(has(
        &probe(Scenario::Auth, &[], &[("CLICOLOR_FORCE", "1")]).await
    ));
    assert!(!has(&probe(
        Scenario::Auth,
        &[],
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )
    .await));
    assert!(!has(&probe(
        Scenario::Auth,
        &["--color=never"],
        &[("FORCE_COLOR", "1")]
    )
    .await));
    assert!(has(&probe(
        Scenario::Auth,
        &["--color=always"],
        &[("NO_COLOR", "1")]
    )
    .await));
}

#[test]
fn demo_honours_quiet_and_color() {
    let out = zencheck()
        .args(["demo", "-q", "--color", "always"])
        .output()
        .unwrap();
    let s = text(&out.stdout);
    assert_eq!(s.lines().count(), 1, "{s}");
    assert!(s.starts_with("demo: "), "{s}");
    let out = zencheck()
        .args(["--color", "always", "demo"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains(ESC),
        "global flag before the subcommand"
    );
}

#[tokio::test]
async fn each_curl_is_labelled_with_its_check_and_model() {
    let out = probe(Scenario::Auth, &["--curl"], &[]).await;
    let s = text(&out.stdout);
    let labels: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with("# ") && s.contains("curl -sS"))
        .collect();
    assert!(!labels.is_empty(), "{s}");
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("# chat.") && l.contains(zencheck::demo::DEMO_MODEL)),
        "{labels:?}"
    );
    assert!(!s.contains(KEY));
}
