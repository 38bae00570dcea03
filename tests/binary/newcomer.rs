//! Wrong turns a newcomer still took, through the real binary against the built-in mock:
//! one root cause filling pages (every format grouped by kind and fix), known failures
//! under `--fail-on new` that read as failures, a first run refused for want of its
//! baseline file, and more below.

use assert_cmd::Command;
use zencheck::mock::{self, Scenario};

fn zencheck() -> Command {
    crate::common::zencheck_plain(100)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run the binary off the async runtime; (exit code, stdout, stderr).
async fn run(args: Vec<String>) -> (Option<i32>, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = zencheck().args(&args).output().unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    })
    .await
    .unwrap()
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Probe a scenario with two models writing every format; the files' texts by extension.
async fn every_format(scenario: Scenario, extra: &[&str]) -> (String, Vec<(String, String)>) {
    let server = mock::start(scenario, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = |ext: &str| dir.path().join(format!("r.{ext}")).display().to_string();
    let mut args = strings(&[
        "probe",
        "--base-url",
        &server.base_url(),
        "-m",
        "mock-small,mock-large",
        "--markdown",
        &path("md"),
        "--html",
        &path("html"),
        "--json",
        &path("json"),
    ]);
    args.extend(strings(extra));
    let (_, table, err) = run(args).await;
    // 100 columns: the narrow layout, each field a block; read as words.
    let table = table.split_whitespace().collect::<Vec<_>>().join(" ");
    let files = ["md", "html", "json"]
        .iter()
        .map(|e| {
            let t = std::fs::read_to_string(path(e)).unwrap_or_else(|_| panic!("{err}"));
            (e.to_string(), t)
        })
        .collect();
    (table, files)
}

fn file<'a>(files: &'a [(String, String)], ext: &str) -> &'a str {
    &files.iter().find(|(e, _)| e == ext).unwrap().1
}

/// tool_choice ignored on two models: one cause (kind and fix) in the table, the Markdown
/// and the HTML, whose checks and varying details are listed inside; the JSON stays one
/// entry per check.
#[tokio::test]
async fn one_cause_is_one_entry_in_every_format() {
    let (table, files) = every_format(Scenario::ToolChoiceIgnored, &[]).await;
    assert_eq!(table.matches("[param_ignored]").count(), 1, "{table}");
    for id in [
        "chat.tool_choice_named",
        "chat.tool_roundtrip",
        "responses.tools",
    ] {
        assert!(table.contains(id), "{id}: {table}");
    }
    assert!(
        table.contains("2 models: mock-small, mock-large"),
        "{table}"
    );
    assert!(table.contains("tool_choice named get_time"), "{table}");
    assert_eq!(
        table.matches("The forced tool call did not come").count(),
        1,
        "{table}"
    );

    let md = file(&files, "md");
    assert_eq!(md.matches("`param_ignored`").count(), 1, "{md}");
    assert_eq!(
        md.matches("The forced tool call did not come").count(),
        1,
        "{md}"
    );
    assert!(md.contains("`chat.tool_roundtrip`"), "{md}");

    let html = file(&files, "html");
    assert_eq!(html.matches("<article class=\"cause").count(), 1, "{html}");
    let article = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
    assert_eq!(
        article.matches("The forced tool call did not come").count(),
        1
    );
    assert!(article.contains("tool_choice named get_time"));

    let json: serde_json::Value = serde_json::from_str(file(&files, "json")).unwrap();
    let ignored = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "param_ignored")
        .count();
    assert!(ignored >= 12, "the JSON keeps every check: {ignored}");
}

/// Another model answering every check of two models: one entry whose fix names
/// `{model}` once, not one entry per model repeating the fix.
#[tokio::test]
async fn a_fix_that_names_the_model_is_still_one_cause() {
    let (table, files) = every_format(Scenario::ModelMismatch, &[]).await;
    assert_eq!(table.matches("[model_mismatch]").count(), 1, "{table}");
    assert!(table.contains("another model than {model}"), "{table}");
    let md = file(&files, "md");
    assert_eq!(md.matches("`model_mismatch`").count(), 1, "{md}");
    let html = file(&files, "html");
    assert_eq!(html.matches("<article class=\"cause").count(), 1, "{html}");
}

/// The first run of `--fail-on new` has no baseline file yet: it runs (read as empty, said on
/// stderr) and writes the report that becomes the baseline; the next run shows the same
/// failures as known in every format and the JSON marks them `known`, and it passes.
#[tokio::test]
async fn known_failures_are_shown_as_known_and_a_first_run_makes_the_baseline() {
    let server = mock::start(Scenario::ToolChoiceIgnored, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    let base = at("baseline.json");
    let probe = |extra: &[&str]| {
        let mut a = strings(&[
            "probe",
            "--base-url",
            &server.base_url(),
            "-m",
            "mock-small",
            "--fail-on",
            "new",
            "--baseline",
            &base,
        ]);
        a.extend(strings(extra));
        a
    };
    let (code, _, err) = run(probe(&["--json", &base])).await;
    assert_eq!(code, Some(1), "every failure is new on a first run: {err}");
    assert!(err.contains("does not exist yet"), "{err}");
    assert!(
        std::path::Path::new(&base).exists(),
        "the report was written"
    );

    let (code, table, err) = run(probe(&[
        "--json",
        &at("now.json"),
        "--markdown",
        &at("now.md"),
        "--html",
        &at("now.html"),
    ]))
    .await;
    assert_eq!(code, Some(0), "{table}{err}");
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("KNOWN FAIL Parameter accepted but ignored"),
        "{table}"
    );
    assert!(words.contains("7 known"), "{table}");
    assert!(!words.contains("7 failed"), "{table}");
    assert!(
        words.contains("(7 known, 0 regressed, 0 fixed since the baseline)"),
        "{table}"
    );
    assert!(
        words.contains("7 known problems tolerated by --fail-on new"),
        "{table}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(at("now.json")).unwrap()).unwrap();
    crate::common::assert_valid(&json);
    assert_eq!(json["summary"]["known"], 7);
    for c in json["checks"].as_array().unwrap() {
        let want = if c["status"] == "fail" { "known" } else { "" };
        assert_eq!(c["baseline"].as_str().unwrap_or(""), want, "{c}");
    }
    let md = std::fs::read_to_string(at("now.md")).unwrap();
    assert!(md.contains("📌") && md.contains("**known**"), "{md}");
    assert!(md.contains("❌ fail (known)"), "{md}");
    let html = std::fs::read_to_string(at("now.html")).unwrap();
    assert!(html.contains("<article class=\"cause known\""), "{html}");
    assert!(html.contains("fail (known)"), "{html}");
}

/// A buffered stream: a long silence, then every chunk at once. The table, the JSON and the
/// HTML give each pause one name and one value: the silence before the first token, and the
/// largest gap between chunks (0 ms here), never "max gap 1501 ms" beside `gap_max_ms: 0`.
#[tokio::test]
async fn a_gap_has_one_definition_in_every_format() {
    let server = mock::start(Scenario::StreamBuffered, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).display().to_string();
    let (_, table, err) = run(strings(&[
        "probe",
        "--base-url",
        &server.base_url(),
        "-m",
        "mock-small",
        "--checks",
        "chat.stream",
        "--all",
        "--json",
        &at("r.json"),
        "--html",
        &at("r.html"),
    ]))
    .await;
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!words.contains("max gap"), "{table}{err}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(at("r.json")).unwrap()).unwrap();
    crate::common::assert_valid(&json);
    let s = &json["checks"][0]["stream"];
    assert_eq!(s["gap_max_ms"], 0, "{s}");
    let silence = s["silence_before_first_token_ms"].as_u64().unwrap();
    assert!(silence >= 1000, "{s}");
    let detail = json["checks"][0]["detail"].as_str().unwrap();
    for text in [words.as_str(), detail] {
        assert!(text.contains("largest gap between chunks 0 ms"), "{text}");
        assert!(
            text.contains(&format!("silence before the first token {silence} ms")),
            "{text}"
        );
    }
    let html = std::fs::read_to_string(at("r.html")).unwrap();
    assert!(
        html.contains(&format!(
            "silence before the first token {silence} ms · largest gap between chunks 0 ms"
        )),
        "{html}"
    );
}

/// Small wrong turns, each through the binary: a typo in `--checks` gets "did you mean", the
/// mock takes its scenario as a word, a model id with a space around it is named as such, a
/// name that does not resolve gets DNS advice (not the TLS sentence), a redirect's fix names
/// the base URL it implies, and counts of one are singular.
#[tokio::test]
async fn small_wrong_turns_are_set_right() {
    let (code, _, err) = run(strings(&[
        "probe",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "-m",
        "m",
        "--checks",
        "chat.strem",
    ]))
    .await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean `chat.stream`?"), "{err}");

    // `zencheck mock stream-truncated`, positional, serves.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zencheck"))
        .args(["mock", "stream-truncated"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.contains("scenario `stream-truncated` listening on"),
        "{first}"
    );

    let json = |out: &str| -> serde_json::Value {
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
    };
    let healthy = mock::start(Scenario::Healthy, 0).await.unwrap();
    let (_, out, _) = run(strings(&[
        "probe",
        "--base-url",
        &healthy.base_url(),
        "-m",
        "mock-small ",
        "--checks",
        "models.exists",
        "--format",
        "json",
    ]))
    .await;
    let r = json(&out);
    let exists = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "models.exists")
        .unwrap();
    let detail = exists["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("\"mock-small \" has whitespace around it")
            && detail.contains("`mock-small` is listed"),
        "{r:#}"
    );

    let (_, out, _) = run(strings(&[
        "probe",
        "--base-url",
        "http://zencheck-newcomer.invalid/v1",
        "--no-proxy",
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--format",
        "json",
    ]))
    .await;
    let r = json(&out);
    let basic = &r["checks"][0];
    let hint = basic["hint"].as_str().unwrap_or_default();
    if basic["detail"]
        .as_str()
        .unwrap_or_default()
        .starts_with("DNS lookup failed")
    {
        assert!(hint.contains("does not resolve"), "{basic:#}");
        assert!(!hint.contains("TLS"), "{basic:#}");
    }

    let moved = mock::start(Scenario::Redirect, 0).await.unwrap();
    let (_, table, _) = run(strings(&[
        "probe",
        "--base-url",
        &moved.base_url(),
        "-m",
        "mock-small",
        "--checks",
        "chat.basic",
    ]))
    .await;
    let words = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("fix Use http://127.0.0.1:9/v1 as the base URL"),
        "{table}"
    );
    assert!(
        words.contains("cost: 1 request, 0 output tokens"),
        "{table}"
    );
    assert!(words.contains("FAILED: 1 check failed"), "{table}");
}

/// `-v` and `--trace` name how a stream ended with a stable code and the error in words
/// (`cut`, `end_error`), not Rust's `Cut("…")`.
#[tokio::test]
async fn a_stream_end_has_a_stable_code_in_verbose_and_trace() {
    let server = mock::start(Scenario::StreamTruncated, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl").display().to_string();
    let (_, _, err) = run(strings(&[
        "probe",
        "--base-url",
        &server.base_url(),
        "-m",
        "mock-small",
        "--checks",
        "chat.stream",
        "-v",
        "--trace",
        &trace,
    ]))
    .await;
    assert!(err.contains("(end: cut: "), "{err}");
    assert!(!err.contains("Cut("), "{err}");
    let t = std::fs::read_to_string(&trace).unwrap();
    let end: serde_json::Value = t
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["type"] == "stream_end")
        .unwrap();
    assert_eq!(end["end"], "cut", "{end}");
    assert!(
        end["end_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{end}"
    );
}

/// `zencheck demo`: each broken scenario prints the header and model lines a real run
/// prints above its failures, and the `auth` scenario is sent a (fake) key, which the mock
/// echoes and the report shows scrubbed.
#[tokio::test]
async fn the_demos_broken_scenarios_read_like_a_run_and_its_fake_key_is_scrubbed() {
    let (code, out, err) = run(strings(&["demo"])).await;
    assert_eq!(code, Some(0), "{out}\n{err}");
    let head = format!("zencheck {} · http://127.0.0.1:", env!("CARGO_PKG_VERSION"));
    let blocks: Vec<&str> = out.split("━━ scenario `").skip(1).collect();
    assert!(blocks.len() > 5, "{out}");
    for b in &blocks {
        let name = b.split('`').next().unwrap();
        assert!(b.contains(&head), "scenario {name} has no header line: {b}");
        // `✗ mock-small  1 failed · 5 skipped`: a mark, the model, what its checks did.
        let model_line = |l: &str| {
            l.starts_with(['✓', '✗', '!'])
                && !l.contains("models.list:")
                && ["passed", "failed", "warned", "skipped", "unsupported"]
                    .iter()
                    .any(|w| l.contains(w))
        };
        assert!(
            b.lines().any(model_line),
            "scenario {name} has no model line: {b}"
        );
    }
    let auth = blocks
        .iter()
        .find(|b| b.starts_with("auth`"))
        .expect("the auth scenario is in the showcase");
    assert!(auth.contains("key $DEMO_FAKE_KEY (set)"), "{auth}");
    assert!(
        auth.contains("Incorrect API key provided: [redacted]"),
        "the echoed key is scrubbed: {auth}"
    );
    let key = zencheck::cmd::demo::DEMO_KEY;
    assert!(!out.contains(key) && !out.contains(&key[..12]), "{out}");
}

/// Counts in details are worded for their number: `1 chunk with`, `1 event carries`, never
/// `chunk(s)`.
#[tokio::test]
async fn details_count_in_words_not_parenthesised_plurals() {
    for (scenario, check, said) in [
        (
            Scenario::StreamEmptyChoices,
            "chat.stream",
            "1 chunk with `choices: []`",
        ),
        (
            Scenario::StreamUtf8Broken,
            "chat.stream",
            "1 event carries bytes that are not UTF-8 inside its data",
        ),
        (
            Scenario::StreamUtf8Replaced,
            "chat.stream_usage",
            " U+FFFD (",
        ),
    ] {
        let server = mock::start(scenario, 0).await.unwrap();
        let (_, out, err) = run(strings(&[
            "probe",
            "--base-url",
            &server.base_url(),
            "-m",
            "mock-small",
            "--checks",
            check,
            "--format",
            "json",
        ]))
        .await;
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        let detail = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .and_then(|c| c["detail"].as_str())
            .unwrap_or_else(|| panic!("{v:#}"))
            .to_string();
        assert!(detail.contains(said), "{scenario:?}: {detail}");
        assert!(!detail.contains("(s)"), "{scenario:?}: {detail}");
    }
}
