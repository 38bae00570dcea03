//! The GitHub Action's own logic (`action/run.sh`, which `action.yml` runs), run here as
//! the runner would: GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are temporary files that earlier
//! steps already wrote to, zencheck is the binary under test, the targets are the built-in
//! mock on 127.0.0.1.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use zencheck::mock::{self, Scenario};

const KEY: &str = "sk-zc-action-0a1b2c3d4e5f6a7b";

struct Ran {
    code: Option<i32>,
    stdout: String,
    outputs: HashMap<String, String>,
    summary: String,
}

/// Run action/run.sh with these inputs, bounded in time.
fn action(dir: &Path, inputs: &[(&str, &str)]) -> Ran {
    let output = dir.join("github_output");
    let summary = dir.join("step_summary");
    std::fs::write(&output, "earlier=kept\n").unwrap();
    std::fs::write(&summary, "## An earlier step\n\n").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
        .current_dir(dir)
        .env("ZENCHECK_BIN", env!("CARGO_BIN_EXE_zencheck"))
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", dir)
        .env("ZC_ACTION_KEY", KEY)
        .env_remove("ZENCHECK_CONFIG")
        .env_remove("ZENCHECK_FAIL_ON")
        .env_remove("ZENCHECK_FORMAT")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("action/run.sh did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(
        text.starts_with("earlier=kept\n"),
        "GITHUB_OUTPUT overwritten: {text}"
    );
    let outputs = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ran {
        code: status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap(),
    }
}

fn run_blocking(dir: std::path::PathBuf, inputs: Vec<(&'static str, String)>) -> Ran {
    let i: Vec<(&str, &str)> = inputs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    action(&dir, &i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_script_sets_every_output_appends_the_summary_and_annotates() {
    // t0 warns (no [DONE]); t1 is a 401 that echoes the key it was sent.
    let warn = mock::start(Scenario::StreamNoDone, 0).await.unwrap();
    let auth = mock::start(Scenario::Auth, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ci.toml");
    let mut toml = String::from("[settings]\ntimeout = 2\n\n");
    for (name, s) in [("t0", &warn), ("t1", &auth)] {
        toml.push_str(&format!(
            "[targets.{name}]\nbase_url = \"http://{}/v1\"\napi_key_env = \"ZC_ACTION_KEY\"\nmodels = [\"mock-small\"]\nchecks = [\"chat.basic\", \"chat.stream\"]\n\n",
            s.addr
        ));
    }
    std::fs::write(&config, toml).unwrap();
    let d = dir.path().to_path_buf();
    let c = config.display().to_string();
    let ran = tokio::task::spawn_blocking(move || run_blocking(d, vec![("INPUT_CONFIG", c)]))
        .await
        .unwrap();

    assert_eq!(ran.code, Some(1), "the 401 fails the step");
    let o = &ran.outputs;
    assert_eq!(o["exit_code"], "1");
    assert_eq!(o["verdict"], "failed");
    assert_eq!(o["warned"], "1", "chat.stream of t0: {o:?}");
    let report = Path::new(&o["report"]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(json["outcome"]["failed"], true);
    // The 401 fails t1's chat.basic (its stream check is skipped after it).
    let failing = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .count();
    assert_eq!(failing, 1, "{json:#}");
    assert_eq!(o["failed"], failing.to_string(), "{o:?}");

    assert!(
        ran.summary.starts_with("## An earlier step\n\n"),
        "summary overwritten"
    );
    assert!(
        ran.summary.contains("## zencheck report: ❌ failed"),
        "{}",
        ran.summary
    );

    let errors: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), failing, "{}", ran.stdout);
    assert!(
        errors[0].starts_with("::error title=zencheck t1%3A chat.basic (mock-small)::fail [auth]"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("fix: "), "the fix is in the message");
    assert!(ran.stdout.contains(
        "::warning title=zencheck t0%3A chat.stream (mock-small)::warn [stream_no_done]"
    ));
    for text in [&ran.stdout, &ran.summary] {
        assert!(
            !text.contains(KEY) && !text.contains("0a1b2c3d4e5f"),
            "key leaked"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_run_passes_and_a_bad_input_is_an_error_verdict() {
    let healthy = mock::start(Scenario::Healthy, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let args = format!(
        "--base-url http://{}/v1\n  -m mock-small --checks chat.basic",
        healthy.addr
    );
    let d = dir.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || {
        run_blocking(
            d,
            vec![("INPUT_ARGS", args), ("INPUT_FAIL_ON", "warn".into())],
        )
    })
    .await
    .unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "passed");
    assert_eq!(
        (
            ran.outputs["failed"].as_str(),
            ran.outputs["warned"].as_str()
        ),
        ("0", "0")
    );
    assert!(!ran.stdout.contains("::error"));

    // --fail-on new without a baseline: zencheck cannot judge; the outputs say so.
    let d = dir.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || {
        run_blocking(
            d,
            vec![
                ("INPUT_ARGS", "--base-url http://127.0.0.1:9/v1".into()),
                ("INPUT_FAIL_ON", "new".into()),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(ran.code, Some(2));
    assert_eq!(ran.outputs["verdict"], "error");
    assert_eq!(ran.outputs["report"], "");
    assert!(ran
        .stdout
        .contains("::error title=zencheck::zencheck could not run (exit 2)"));
}

/// GitHub shows 10 error annotations a step and drops the rest silently: the action prints
/// ten, says how many more there are, and lists them in the job summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_past_githubs_ten_are_announced_and_listed_in_the_summary() {
    let auth = mock::start(Scenario::Auth, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let models: Vec<String> = (1..=12).map(|i| format!("m{i}")).collect();
    let args = format!(
        "--base-url http://{}/v1 -m {} --checks chat.basic",
        auth.addr,
        models.join(",")
    );
    let d = dir.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || run_blocking(d, vec![("INPUT_ARGS", args)]))
        .await
        .unwrap();
    assert_eq!(ran.code, Some(1), "{}", ran.stdout);
    assert_eq!(ran.outputs["failed"], "12", "every failure is counted");
    let errors = ran
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert_eq!(errors, 10, "GitHub would drop the rest: {}", ran.stdout);
    assert!(
        ran.stdout.lines().any(|l| l.starts_with("::notice ")
            && l.contains("2 more checks failed or warned than GitHub shows")),
        "{}",
        ran.stdout
    );
    let (_, rest) = ran
        .summary
        .split_once("### Not annotated")
        .unwrap_or_else(|| panic!("no list of the rest: {}", ran.summary));
    let listed: Vec<&str> = rest
        .lines()
        .filter(|l| l.starts_with("    error: zencheck "))
        .collect();
    assert_eq!(listed.len(), 2, "{rest}");
    assert!(
        rest.contains("    fix: ") && !rest.contains("%0A"),
        "decoded, one field a line: {rest}"
    );
    for m in &models {
        let annotated = ran.stdout.contains(&format!("chat.basic ({m})::"));
        let summarised = listed.iter().any(|l| l.ends_with(&format!("({m})")));
        assert!(annotated != summarised, "{m}: once, in one place");
    }
}

/// A user's own `--json FILE` in args is the report the action reads (a second `--json`
/// would be a conflict), and the `headers` input passes a header with spaces whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_json_file_is_kept_and_headers_keep_their_spaces() {
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let s = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let s = s.clone();
        async move {
            if let Some(v) = headers.get("x-title") {
                s.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(v.as_bytes()).into_owned());
            }
            axum::Json(
                serde_json::json!({"object": "list", "data": [{"id": "rec", "object": "model"}]}),
            )
        }
    });
    let addr = crate::common::serve_app(app).await;
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.json");
    let args = format!(
        "--base-url http://{addr}/v1 --checks models.list --json {}",
        mine.display()
    );
    let d = dir.path().to_path_buf();
    let ran = tokio::task::spawn_blocking(move || {
        run_blocking(
            d,
            vec![
                ("INPUT_ARGS", args),
                (
                    "INPUT_HEADERS",
                    "X-Title: my app, v2\r\n\n  X-Other: a b\n".into(),
                ),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(ran.code, Some(0), "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "passed");
    assert_eq!(ran.outputs["report"], mine.display().to_string());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mine).unwrap()).unwrap();
    assert_eq!(json["checks"][0]["check"], "models.list", "{json:#}");
    assert!(
        ran.summary.contains("## zencheck report"),
        "{}",
        ran.summary
    );
    let seen = seen.lock().unwrap().clone();
    assert!(
        !seen.is_empty() && seen.iter().all(|v| v == "my app, v2"),
        "{seen:?}"
    );
}
