//! One run, every report: `--json`, `--junit`, `--markdown` beside the table, paths checked
//! before the first request, `zencheck report` re-rendering each format byte for byte from
//! the JSON, and `--fail-on new` against a baseline. All through the real binary, against
//! the built-in mock on 127.0.0.1.

use crate::common;

use assert_cmd::Command;
use common::assert_valid;
use serde_json::Value;
use std::path::{Path, PathBuf};
use zencheck::mock::{self, MockServer, Scenario};

struct Setup {
    dir: tempfile::TempDir,
    _servers: Vec<MockServer>,
}

/// A zencheck.toml with one target `tN` per scenario, on its own mock.
async fn setup(scenarios: &[Scenario]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    let mut toml = String::from("[settings]\ntimeout = 2\n\n");
    for (i, scenario) in scenarios.iter().enumerate() {
        let s = mock::start(*scenario, 0).await.unwrap();
        toml.push_str(&format!(
            "[targets.t{i}]\nbase_url = \"http://{}/v1\"\nmodels = [\"mock-small\"]\nchecks = [\"models\", \"chat.basic\", \"chat.stream\", \"responses.basic\"]\n\n",
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

fn zencheck(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    c.current_dir(dir)
        .env_remove("ZENCHECK_CONFIG")
        .env_remove("ZENCHECK_FAIL_ON")
        .env_remove("ZENCHECK_FORMAT")
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(std::time::Duration::from_secs(60));
    c.output().unwrap()
}

async fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let dir: PathBuf = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        zencheck(&dir, &a)
    })
    .await
    .unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_writes_every_report_and_report_reproduces_each_byte_for_byte() {
    // healthy, a warning (no [DONE]), a failure (HTML 502), unsupported (/responses 404)
    let s = setup(&[
        Scenario::Healthy,
        Scenario::StreamNoDone,
        Scenario::ServerError,
        Scenario::ChatOnly,
    ])
    .await;
    let dir = s.dir.path();
    let out = run(
        dir,
        &[
            "probe",
            "--json",
            "run.json",
            "--junit",
            "run.xml",
            "--markdown",
            "run.md",
            "--html",
            "run.html",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "the 502 fails the run");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("FAILED:"), "the table is on stdout: {table}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("report written to run.xml"), "{stderr}");

    let json_text = read(dir, "run.json");
    let json: Value = serde_json::from_str(&json_text).unwrap();
    assert_valid(&json);
    let started = json["started_at"].as_str().expect("started_at");
    assert!(
        chrono::DateTime::parse_from_rfc3339(started).is_ok(),
        "{started}"
    );
    assert!(json["duration_ms"].as_u64().is_some());

    // The three files agree: what fails in JSON fails in JUnit and is marked in Markdown.
    let xml = read(dir, "run.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let failed_in_json = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .count();
    assert!(failed_in_json > 0);
    assert_eq!(failures, failed_in_json, "{xml}");
    let md = read(dir, "run.md");
    assert!(md.starts_with("## zencheck report: ❌ failed"), "{md}");
    assert!(md.contains(&format!("started {started}")), "{md}");
    // The HTML page shows every check, and each streamed one as a timeline with a mark per
    // content chunk the JSON recorded.
    let html = read(dir, "run.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(
        html.matches("<details class=\"check ").count(),
        checks.len()
    );
    let streamed: Vec<&Value> = checks.iter().filter(|c| !c["stream"].is_null()).collect();
    assert!(!streamed.is_empty());
    assert_eq!(
        html.matches("<svg class=\"timeline").count(),
        streamed.len()
    );
    let marks: usize = streamed
        .iter()
        .map(|c| c["stream"]["arrivals_ms"].as_array().unwrap().len())
        .sum();
    assert!(marks > 0);
    assert_eq!(html.matches("<rect class=\"chunk\"").count(), marks);
    let suites = doc.root_element();
    assert!(suites.attribute("timestamp").is_some(), "{xml}");
    assert!(suites.attribute("time").is_some(), "{xml}");

    // Warnings pass the build, visible in system-out and as a property.
    let warned = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .find(|n| {
            n.descendants()
                .any(|p| p.has_tag_name("property") && p.attribute("name") == Some("warning"))
        })
        .expect("a testcase carries the warning property");
    assert!(!warned.children().any(|n| n.has_tag_name("failure")));
    let system_out = warned
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(system_out.starts_with("warning: "), "{system_out}");
    assert!(system_out.contains("fix: "), "{system_out}");
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .filter_map(|n| n.attribute("message"))
        .collect::<Vec<_>>();
    assert!(
        skipped.iter().any(|m| m.starts_with("unsupported: ")),
        "{skipped:?}"
    );

    // `zencheck report` renders each of them again, byte for byte, sending nothing.
    for (format, expected) in [
        ("table", table.as_str()),
        ("junit", xml.as_str()),
        ("markdown", md.as_str()),
        ("json", json_text.as_str()),
        ("html", html.as_str()),
    ] {
        let again = run(dir, &["report", "run.json", "--format", format]).await;
        assert_eq!(
            again.status.code(),
            Some(1),
            "{format}: the outcome is kept"
        );
        assert_eq!(
            String::from_utf8(again.stdout).unwrap(),
            expected,
            "{format} differs"
        );
    }
    // -o infers the format from the extension.
    let again = run(dir, &["report", "run.json", "-o", "again.xml"]).await;
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(read(dir, "again.xml"), xml);
    let again = run(dir, &["report", "run.json", "-o", "again.html"]).await;
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(read(dir, "again.html"), html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_output_path_stops_the_run_before_any_request() {
    // A server that counts connections: nothing may reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        vec!["--junit", "no/such/folder/r.xml"],
        vec!["--json", "."],
        vec!["--json", "same.json", "-o", "same.json"],
    ] {
        let mut args = vec!["probe", "--base-url", &base, "-m", "m"];
        args.extend(bad.iter());
        let out = run(dir.path(), &args).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            listener.accept().is_err(),
            "{bad:?}: a request was sent before the paths were checked"
        );
    }
    assert!(!dir.path().join("same.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_new_tolerates_what_the_baseline_knew_and_fails_on_what_is_new() {
    let before = setup(&[Scenario::ServerError]).await;
    let out = run(before.dir.path(), &["probe", "-o", "base.json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let baseline = before.dir.path().join("base.json");
    let b = baseline.to_str().unwrap();
    // The same broken target again: known, so `new` passes it; `fail` still fails it.
    let again = run(
        before.dir.path(),
        &["probe", "--fail-on", "new", "--baseline", b],
    )
    .await;
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    // A second broken target the baseline never saw fails the run.
    let after = setup(&[Scenario::ServerError, Scenario::ServerError]).await;
    let out = run(
        after.dir.path(),
        &[
            "probe",
            "--fail-on",
            "new",
            "--baseline",
            b,
            "--json",
            "now.json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let now: Value = serde_json::from_str(&read(after.dir.path(), "now.json")).unwrap();
    assert_valid(&now);
    let reasons = now["outcome"]["reasons"].to_string();
    assert!(reasons.contains("failed"), "{reasons}");
    assert!(now["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| (c["target"] == "t1") == (c["baseline"] == "new")));
    // `zencheck report` judges the saved run again: under `fail` the known failure counts.
    let rejudged = run(
        after.dir.path(),
        &[
            "report",
            "now.json",
            "--fail-on",
            "fail",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(rejudged.status.code(), Some(1));
    // Without a baseline, `new` cannot judge.
    let out = run(before.dir.path(), &["probe", "--fail-on", "new"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baseline"));
}
