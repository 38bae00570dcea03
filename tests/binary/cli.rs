//! The real binary's contract: exit codes, the stdout/stderr split, the JSON report against
//! the committed schema, and no key in any output.

use crate::common;

use assert_cmd::Command;
use common::assert_valid;
use serde_json::Value;
use zencheck::mock::{self, Scenario};

/// A key no server or renderer could produce by accident.
const KEY: &str = "sk-zc-test-9f8e7d6c5b4a39281706";

fn zencheck() -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    c.env_remove("NO_COLOR")
        .env("ZC_TEST_KEY", KEY)
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// Run the binary while a mock serves on this test's runtime.
async fn run(scenario: Scenario, args: &[&str]) -> std::process::Output {
    let server = mock::start(scenario, 0).await.unwrap();
    let mut argv: Vec<String> = vec!["probe".into(), "--base-url".into(), server.base_url()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || zencheck().args(&argv).output().unwrap())
        .await
        .unwrap();
    drop(server);
    out
}

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_target_exits_0_with_a_schema_valid_report() {
    let out = run(Scenario::Healthy, &["-m", "mock-small", "--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = stdout_json(&out);
    assert_valid(&report);
    // Every check that ran passed: nothing failed, warned or was skipped (the check for
    // reasoning models says nothing of one that does not reason).
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.len() >= 15, "{report:#}");
    assert_eq!(
        report["summary"]["pass"].as_u64(),
        Some(checks.len() as u64),
        "{report:#}"
    );
    assert!(
        checks
            .iter()
            .all(|c| c["reasoning"].is_null() && c["check"] != "chat.reasoning_effort"),
        "{report:#}"
    );
    // Nothing but the report on stdout; off a terminal, no progress line on stderr.
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_check_exits_1_and_names_its_kind() {
    let out = run(
        Scenario::StreamTruncated,
        &["-m", "mock-small", "--format", "json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    assert_valid(&report);
    let stream = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "chat.stream")
        .unwrap();
    assert_eq!(stream["kind"], "stream_truncated");
    assert_eq!(stream["status"], "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_alone_exit_0() {
    let out = run(
        Scenario::StreamNoDone,
        &["-m", "mock-small", "--format", "json"],
    )
    .await;
    let report = stdout_json(&out);
    assert_valid(&report);
    assert!(report["summary"]["warn"].as_u64().unwrap() > 0);
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_appears_in_any_output_even_when_the_server_echoes_it() {
    for format in ["table", "json"] {
        let out = run(
            Scenario::Auth,
            &[
                "-m",
                "mock-small",
                "--api-key-env",
                "ZC_TEST_KEY",
                "--header",
                "X-Api-Key: hdr-secret-5566",
                "--format",
                format,
            ],
        )
        .await;
        assert_eq!(out.status.code(), Some(1));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The server did receive and echo the key: the redaction is what hides it.
        assert!(all.contains("[redacted]"), "{format}: {all}");
        if format == "json" {
            assert!(
                all.contains("Incorrect API key provided: [redacted]"),
                "{all}"
            );
        }
        assert!(!all.contains(KEY), "{format} output leaks the key");
        assert!(
            !all.contains("hdr-secret-5566"),
            "{format} output leaks a credential header"
        );
        assert!(
            all.contains("ZC_TEST_KEY"),
            "{format}: the report should name the variable"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_output_off_a_terminal_has_no_colour_and_ends_with_the_summary() {
    let out = run(Scenario::ServerError, &["-m", "mock-small"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "ANSI escapes off a terminal");
    assert!(
        text.contains("Failures and warnings")
            && text.contains("[server_error]")
            && text.contains("502 Bad Gateway")
    );
    let last = text
        .lines()
        .find(|l| l.contains(" pass, ") && l.ends_with(" skip"))
        .expect("a summary line");
    let fails: u32 = last
        .split(", ")
        .nth(1)
        .and_then(|f| f.strip_suffix(" fail"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary line: {last}"));
    assert!(fails > 0, "{last}");
    assert!(
        text.trim_end().ends_with(&format!(
            "FAILED: {fails} check{} failed",
            if fails == 1 { "" } else { "s" }
        )),
        "the verdict closes the output: {text}"
    );
}

#[test]
fn usage_errors_exit_2_with_the_fix() {
    let out = zencheck().args(["probe", "-m", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base-url"));

    let out = zencheck()
        .args(["probe", "--base-url", "localhost:11434/v1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = zencheck()
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--header",
            "no-colon",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = zencheck()
        .args(["probe", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = zencheck()
        .args(["mock", "--scenario", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list"));
}

#[test]
fn mock_list_names_every_scenario() {
    let out = zencheck().args(["mock", "--list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for info in mock::SCENARIOS {
        assert!(text.contains(info.name), "{} missing", info.name);
    }
}

#[test]
fn demo_runs_offline_and_diagnoses_its_showcase_scenarios() {
    let out = zencheck().args(["demo"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let shown = mock::SCENARIOS.iter().filter(|i| i.showcase).count();
    assert!(
        text.contains(&format!(
            "demo: {shown} of {shown} scenarios diagnosed as expected"
        )),
        "{text}"
    );
    assert!(!text.contains("NOT AS EXPECTED"));
    // It ends with the next step: the same probe on the user's own endpoint.
    assert!(
        text.trim_end()
            .ends_with("zencheck probe --base-url https://HOST/v1 -m MODEL --api-key-env MY_KEY"),
        "{text}"
    );
}

#[test]
fn dry_run_sends_nothing_and_writes_the_key_as_a_variable() {
    // A listener that counts connections: a dry run must make none.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let base = [
        "probe",
        "--base-url",
        &url,
        "-m",
        "m",
        "--api-key-env",
        "ZC_TEST_KEY",
        "-H",
        "Authorization-Extra-Token: tok-4242",
        "--dry-run",
    ];
    let out = zencheck().args(base).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Authorization: Bearer $ZC_TEST_KEY"),
        "{text}"
    );
    assert!(!text.contains(KEY) && !text.contains("tok-4242"), "{text}");
    assert!(
        text.contains("POST ")
            && text.contains("/chat/completions")
            && text.contains("\"stream_options\"")
    );

    let out = zencheck()
        .args(base)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = stdout_json(&out);
    let requests = v["requests"].as_array().unwrap();
    assert_eq!(v["count"].as_u64(), Some(requests.len() as u64));
    assert_eq!(v["reasoning_max_tokens"].as_u64(), Some(1024));
    // /models, then every generation check of the chat and responses routes.
    assert_eq!(requests[0]["url"], format!("{url}/models"));
    assert!(requests
        .iter()
        .all(|r| r["body"].is_null() || r["body"].get("model").is_some()));
    assert!(
        listener.accept().is_err(),
        "a dry run connected to the server"
    );
}

/// A dry run of several config targets as JSON is one document: an array of each target's
/// object, named; one target's stays the object it was.
#[test]
fn a_dry_run_of_several_targets_is_one_json_document() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("zencheck.toml");
    std::fs::write(
        &config,
        "[targets.a]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodels = [\"m\"]\n\
         [targets.b]\nbase_url = \"http://127.0.0.1:10/v1\"\nmodels = [\"n\"]\n",
    )
    .unwrap();
    let dry = |extra: &[&str]| {
        let out = zencheck()
            .args(["probe", "--config", config.to_str().unwrap()])
            .args(["--checks", "chat.basic", "--dry-run", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        stdout_json(&out)
    };
    let both = dry(&[]);
    let targets: Vec<(&str, &str)> = both
        .as_array()
        .unwrap_or_else(|| panic!("{both:#}"))
        .iter()
        .map(|t| {
            (
                t["target"].as_str().unwrap(),
                t["base_url"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            ("a", "http://127.0.0.1:9/v1"),
            ("b", "http://127.0.0.1:10/v1")
        ]
    );
    assert!(both[1]["requests"][0]["body"]["model"] == "n", "{both:#}");
    let one = dry(&["--target", "b"]);
    assert_eq!(
        (one["target"].as_str(), one["count"].as_u64()),
        (Some("b"), Some(1)),
        "{one:#}"
    );
}

#[test]
fn an_unknown_check_pattern_is_a_usage_error() {
    let out = zencheck()
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--checks",
            "chat.bogus",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("chat.basic"),
        "the error lists the ids"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comma_separated_model_list_probes_each_model() {
    let out = run(
        Scenario::Healthy,
        &["--model", "mock-small,mock-large", "--format", "json"],
    )
    .await;
    let report = stdout_json(&out);
    let mut models: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["model"].as_str())
        .collect();
    models.sort();
    models.dedup();
    assert_eq!(models, ["mock-large", "mock-small"], "{report}");
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reasoning_stream_reports_its_field_as_data_in_the_schema() {
    let out = run(
        Scenario::ReasoningField,
        &["-m", "mock-small", "--format", "json"],
    )
    .await;
    // Which field a stream reasons in is information, not a failure.
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = stdout_json(&out);
    assert_valid(&report);
    let row = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == id)
            .unwrap_or_else(|| panic!("no {id}: {report:#}"))
            .clone()
    };
    let stream = row("chat.stream");
    assert_eq!(
        stream["reasoning"]["fields"],
        serde_json::json!(["reasoning"])
    );
    assert_eq!(stream["reasoning"]["chunks"], 6);
    assert_eq!(row("chat.basic")["reasoning"]["tokens"], 24);
    // chat.reasoning_effort is opt-in: a default probe sends it nothing.
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["check"] != "chat.reasoning_effort"),
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cap_spent_on_reasoning_warns_and_exits_0() {
    let out = run(
        Scenario::ReasoningEatsCap,
        &["-m", "mock-small", "--format", "json"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning does not fail the run"
    );
    let report = stdout_json(&out);
    assert_valid(&report);
    let basic = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "chat.basic")
        .unwrap()
        .clone();
    assert_eq!(
        (basic["status"].as_str(), basic["kind"].as_str()),
        (Some("warn"), Some("output_length")),
        "{report:#}"
    );
    assert_eq!(
        basic["reasoning"]["fields"],
        serde_json::json!(["reasoning_content"])
    );
}

/// The README's cost table (under "Bounds and cost") against `zencheck checks --format json`:
/// every check that sends requests has a row, and each row's first numbers are the declared
/// requests and output tokens of every id it names (`_none` continues the id before it).
#[test]
fn the_readme_cost_table_matches_the_declared_costs() {
    let out = zencheck()
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let declared: std::collections::BTreeMap<String, (u64, u64)> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let n = |k: &str| c[k].as_u64().unwrap();
            (
                c["id"].as_str().unwrap().to_string(),
                (n("requests"), n("output_tokens")),
            )
        })
        .collect();
    let readme = include_str!("../../README.md");
    let section = readme
        .split("### Bounds and cost")
        .nth(1)
        .expect("README has a Bounds and cost section");
    let section = section.split("\n### ").next().unwrap();
    let first_number = |cell: &str| -> u64 {
        let digits: String = cell
            .trim_start_matches(|ch: char| !ch.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no number in `{cell}`"))
    };
    let mut tabled = std::collections::BTreeSet::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 3, "{row}");
        let (requests, tokens) = (first_number(cells[1]), first_number(cells[2]));
        let mut last = String::new();
        for id in cells[0].split('`').skip(1).step_by(2) {
            let id = match id.strip_prefix('_') {
                Some(tail) => {
                    let stem = last.rsplit_once('_').expect("a full id before `_…`").0;
                    format!("{stem}_{tail}")
                }
                None => id.to_string(),
            };
            let Some(&(r, t)) = declared.get(&id) else {
                panic!("the README's cost table names `{id}`, which is no check")
            };
            assert_eq!((requests, tokens), (r, t), "README cost row of {id}: {row}");
            tabled.insert(id.clone());
            last = id;
        }
    }
    for (id, (r, t)) in &declared {
        assert!(
            tabled.contains(id) || (*r, *t) == (0, 0),
            "{id} costs {r} requests and {t} tokens but has no row in the README's cost table"
        );
    }
    // The sentence under the table: a default probe of one model (the chat and /responses
    // routes and /models; the messages and embeddings routes are for other models).
    let (r, t) = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["default"] == true
                && matches!(
                    c["route"].as_str(),
                    None | Some("/chat/completions" | "/responses")
                )
        })
        .fold((0, 0), |(r, t), c| {
            (
                r + c["requests"].as_u64().unwrap(),
                t + c["output_tokens"].as_u64().unwrap(),
            )
        });
    let prose = section.split_whitespace().collect::<Vec<_>>().join(" ");
    // The README groups thousands with a space: 3 312.
    let grouped = |n: u64| match n {
        0..1000 => n.to_string(),
        _ => format!("{} {:03}", n / 1000, n % 1000),
    };
    assert!(
        prose.contains(&format!(
            "A default probe of one model is at most {r} requests"
        )),
        "the README's default-probe total is not {r} requests"
    );
    assert!(
        prose.contains(&format!("combined cap of {} output tokens", grouped(t))),
        "the README's default-probe cap is not {t} output tokens"
    );
}

/// `--dry-run --as opencode` shows the request as opencode would send it: its headers and
/// the stream_options it adds to every chat stream.
#[test]
fn a_dry_run_as_a_client_shows_its_headers_and_body_fields() {
    let out = zencheck()
        .args([
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "-m",
            "m",
            "--checks",
            "chat.stream",
            "--as",
            "opencode",
            "--dry-run",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let req = &v["requests"][0];
    assert_eq!(req["headers"]["User-Agent"], "opencode/1.18.34");
    assert_eq!(req["body"]["stream_options"]["include_usage"], true);
}
