//! `--repeat N` through the real binary against a real server on 127.0.0.1 that fails one
//! chat request in three (a replica behind a load balancer that answers differently): the
//! check is `flaky` in every format, with its pass ratio, a warning under `--fail-on fail`
//! and a failure under `--fail-on warn` or `flaky`; the cost is said before anything is sent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common;

/// A chat answer "OK" from `model`.
fn ok(model: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(common::chat_completion(
        model,
        serde_json::json!({"role": "assistant", "content": "OK"}),
        "stop",
        common::usage(5, 1),
    ))
    .into_response()
}

/// A server whose chat answers fail with a 502 on every third request, the second of each
/// three; its base URL.
async fn one_in_three() -> String {
    one_in_three_as("m").await
}

/// [`one_in_three`], serving `model`.
async fn one_in_three_as(model: &'static str) -> String {
    let n = Arc::new(AtomicUsize::new(0));
    common::serve_reply(move |path, _| {
        use axum::response::IntoResponse;
        if path.ends_with("/models") {
            return axum::Json(common::model_list(&[model])).into_response();
        }
        if n.fetch_add(1, Ordering::SeqCst) % 3 == 1 {
            return (
                axum::http::StatusCode::BAD_GATEWAY,
                axum::Json(
                    serde_json::json!({"error": {"message": "upstream replica 3 is down",
                    "type": "server_error", "code": "bad_gateway"}}),
                ),
            )
                .into_response();
        }
        ok(model)
    })
    .await
}

/// Run the binary; (exit code, stdout, stderr).
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (Option<i32>, String, String) {
    let out = common::zencheck_plain(100).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// [`run`] off the async runtime, for a test whose servers it serves.
async fn run_off(args: &[&str]) -> (Option<i32>, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || run(&args))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_passes_some_of_the_time_is_flaky_in_every_format() {
    let url = one_in_three().await;
    let dir = tempfile::tempdir().unwrap();
    let path = |ext: &str| dir.path().join(format!("r.{ext}")).display().to_string();
    let (json_path, xml, md, html) = (path("json"), path("xml"), path("md"), path("html"));
    let args = [
        "probe",
        "--base-url",
        &url,
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--repeat",
        "3",
        "--json",
        &json_path,
        "--junit",
        &xml,
        "--markdown",
        &md,
        "--html",
        &html,
    ];
    let (code, table, err) = run_off(&args).await;
    assert_eq!(
        code,
        Some(0),
        "flaky is a warning by default: {table}\n{err}"
    );
    // The cost first.
    assert!(
        err.contains("--repeat 3: every check runs 3 times") && err.contains("request"),
        "{err}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("json")).unwrap()).unwrap();
    common::assert_valid(&json);
    let basic = common::json_check(&json, "chat.basic");
    assert_eq!(basic["status"], "flaky", "{basic:#}");
    assert_eq!(basic["repeats"], serde_json::json!({"runs": 3, "pass": 2}));
    assert_eq!(
        basic["kind"], "server_error",
        "a failing run's evidence: {basic:#}"
    );
    assert!(
        basic["detail"]
            .as_str()
            .unwrap()
            .starts_with("flaky: passed in 2 of 3 runs; fail in another: "),
        "{basic:#}"
    );
    assert_eq!(json["summary"]["flaky"], 1);
    assert_eq!(json["summary"]["runs"], 3);
    assert_eq!(json["outcome"]["failed"], false);

    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("FLAKY"), "{table}");
    assert!(words.contains("1 flaky"), "the model's line: {table}");
    assert!(words.contains("passed in 2 of 3 runs"), "{table}");
    assert!(
        words.contains(", 1 flaky over 3 runs"),
        "the summary line: {table}"
    );

    let junit = std::fs::read_to_string(path("xml")).unwrap();
    assert!(
        junit.contains("<flakyFailure") && junit.contains("type=\"server_error\""),
        "{junit}"
    );
    assert!(
        junit.contains("<property name=\"flaky\" value=\"2/3\"/>"),
        "the pass ratio: {junit}"
    );
    assert!(
        !junit.contains("<failure"),
        "a warning does not fail the testcase: {junit}"
    );
    let md = std::fs::read_to_string(path("md")).unwrap();
    assert!(
        md.contains("🔀 flaky") && md.contains("passed in 2 of 3 runs"),
        "{md}"
    );
    let html = std::fs::read_to_string(path("html")).unwrap();
    assert!(html.contains("data-status=\"flaky\""), "{html}");
    assert!(html.contains("<article class=\"cause flaky\""), "{html}");

    // The saved report renders the same and is judged again: flaky fails under warn/flaky.
    for (fail_on, expect) in [("fail", 0), ("warn", 1), ("flaky", 1)] {
        let (code, out, err) = run_off(&["report", &json_path, "--fail-on", fail_on]).await;
        assert_eq!(code, Some(expect), "--fail-on {fail_on}: {out}\n{err}");
        if expect == 1 {
            assert!(out.contains("flaky (passed in some runs only)"), "{out}");
        }
    }
    let (code, out, err) = run_off(&[&args[..], &["--fail-on", "flaky", "-q"]].concat()).await;
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(
        !err.contains("--repeat 3: every check"),
        "-q: no cost line: {err}"
    );
}

#[test]
fn repeat_takes_one_to_twenty_runs() {
    for n in ["21", "0"] {
        let (code, _, err) = run(&[
            "probe",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--repeat",
            n,
        ]);
        assert_eq!(code, Some(2), "--repeat {n}: {err}");
    }
}

/// A run the deadline cuts short is left out, not joined: its cut rows would read as flaky.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_the_deadline_cuts_is_left_out_not_read_as_flaky() {
    let n = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let n = n.clone();
        async move {
            use axum::response::IntoResponse;
            if req.uri().path().ends_with("/models") {
                return axum::Json(common::model_list(&["m"])).into_response();
            }
            // The first answer comes at once; every later one hangs past the deadline.
            if n.fetch_add(1, Ordering::SeqCst) > 0 {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            }
            ok("m")
        }
    });
    let url = format!("http://{}/v1", common::serve_app(app).await);
    let (code, out, err) = run_off(&[
        "probe",
        "--base-url",
        &url,
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--repeat",
        "3",
        "--deadline",
        "3",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(code, Some(0), "{out}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let basic = common::json_check(&json, "chat.basic");
    assert_eq!(basic["status"], "pass", "{basic:#}");
    assert_eq!(
        basic["repeats"],
        serde_json::Value::Null,
        "one run: {basic:#}"
    );
    assert!(
        err.contains("run 2 was cut short (--deadline or Ctrl-C) and is left out"),
        "{err}"
    );
}

#[test]
fn a_dry_run_under_repeat_says_the_runs_and_counts_in_words() {
    // One planned request: `1 request`, not `1 requests`; and --repeat 3 is not silently
    // dropped: the dry run says what the three runs would cost.
    let (code, out, err) = run(&[
        "probe",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--repeat",
        "3",
        "--dry-run",
    ]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains("zencheck dry run: 1 request to ") && out.contains("at most 16 output tokens"),
        "{out}"
    );
    assert!(
        err.contains("--repeat 3: every check runs 3 times") && err.contains("about 3 requests"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_runs_at_the_reference_too_and_says_its_cost() {
    let gateway = one_in_three_as("mock-small").await;
    let direct = zencheck::mock::start(zencheck::mock::Scenario::Healthy, 0)
        .await
        .unwrap();
    let reference = direct.base_url();
    let (code, table, err) = run_off(&[
        "probe",
        "--base-url",
        &gateway,
        "-m",
        "mock-small",
        "--checks",
        "chat.basic",
        "--repeat",
        "3",
        "--reference",
        &reference,
    ])
    .await;
    assert_eq!(code, Some(1), "works direct, flaky through: {table}\n{err}");
    // The cost of each side, once.
    assert_eq!(
        err.matches("--repeat 3: every check runs 3 times").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("--repeat 3 --reference: the reference runs every check 3 times too"),
        "{err}"
    );
    assert!(
        table.contains("works direct, breaks through the gateway"),
        "{table}"
    );
}
