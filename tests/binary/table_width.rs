//! At 80 columns (#12), through the real binary: `zencheck demo` (the showcase, and every
//! scenario with every row), a multi-model probe against the built-in mock, and `zencheck
//! report --all` of a saved multi-model run have no line wider than 80 display columns and
//! never break a check id, model id or kind code across lines.

use assert_cmd::Command;
use unicode_width::UnicodeWidthStr;

fn zencheck() -> Command {
    let mut c = Command::cargo_bin("zencheck").unwrap();
    for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"] {
        c.env_remove(v);
    }
    c.env("COLUMNS", "80")
        .timeout(std::time::Duration::from_secs(90));
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Every id the output could hold: the registry's check ids, every kind code, the mock's
/// model ids.
fn ids() -> Vec<String> {
    let json = stdout(zencheck().args(["checks", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut ids: Vec<String> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() > 10, "{json}");
    ids.extend(
        zencheck::failure::Kind::ALL
            .iter()
            .map(|k| k.code().to_string()),
    );
    for info in zencheck::mock::SCENARIOS {
        ids.extend(info.models.iter().map(|m| m.to_string()));
    }
    ids.extend(["mock-small", "mock-large", "mock-nope"].map(String::from));
    ids.sort();
    ids.dedup();
    ids
}

/// No line over 80 columns, and no id whose head ends one line and whose tail starts the
/// next (box borders aside).
fn assert_reads_at_80(what: &str, text: &str, ids: &[String]) {
    assert!(!text.trim().is_empty(), "{what}: no output");
    let lines: Vec<&str> = text.lines().collect();
    for l in &lines {
        let cols = UnicodeWidthStr::width(*l);
        assert!(cols <= 80, "{what}: {cols} columns: {l}\n{text}");
    }
    let cell = |l: &str| {
        l.trim_matches(|c: char| c.is_whitespace() || "│┆".contains(c))
            .to_string()
    };
    let part_of_id = |c: char| c.is_alphanumeric() || "._-".contains(c);
    for pair in lines.windows(2) {
        let (a, b) = (cell(pair[0]), cell(pair[1]));
        for id in ids {
            for (at, _) in id.char_indices().skip(1) {
                let (head, tail) = id.split_at(at);
                let ends = a.ends_with(head)
                    && !a[..a.len() - head.len()]
                        .chars()
                        .next_back()
                        .is_some_and(part_of_id);
                let starts =
                    b.starts_with(tail) && !b[tail.len()..].chars().next().is_some_and(part_of_id);
                assert!(
                    !(ends && starts),
                    "{what}: `{id}` split as `{head}` / `{tail}`:\n{}\n{}",
                    pair[0],
                    pair[1]
                );
            }
        }
    }
}

#[test]
fn the_demo_reads_at_80_columns() {
    let ids = ids();
    let showcase = stdout(zencheck().arg("demo"));
    assert!(
        showcase.contains("scenarios diagnosed as expected"),
        "{showcase}"
    );
    assert_reads_at_80("demo", &showcase, &ids);
    // Every scenario, every row: the narrow row layout and the multi-model list.
    let every = stdout(zencheck().args(["demo", "--all", "--all-rows"]));
    assert!(every.contains("scenarios diagnosed as expected"), "{every}");
    assert!(every.contains("chat.stream_tool_roundtrip"), "{every}");
    assert_reads_at_80("demo --all --all-rows", &every, &ids);
}

/// `zencheck probe --base-url URL ARGS` at 80 columns, off the runtime's thread (the mock
/// answers on it); its stdout.
async fn probe_stdout(url: &str, args: &[&str]) -> String {
    let url = url.to_string();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut c = zencheck();
        c.args(["probe", "--base-url", &url])
            .env("ZC_WIDTH_KEY", "sk-width-test-key-0123456789")
            .args(&args);
        stdout(&mut c)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_multi_model_probe_reads_at_80_columns() {
    let ids = ids();
    let server = zencheck::mock::start(zencheck::mock::Scenario::StreamOptionsRejected, 0)
        .await
        .unwrap();
    let url = server.base_url();
    const MODELS: [&str; 6] = ["-m", "mock-small", "-m", "mock-large", "-m", "mock-nope"];
    let compact = probe_stdout(&url, &MODELS).await;
    assert!(
        compact.contains("2 models: mock-small, mock-large"),
        "one entry for the rejection on both models: {compact}"
    );
    assert_reads_at_80("probe, 3 models", &compact, &ids);
    let all = probe_stdout(
        &url,
        &[
            "-m",
            "mock-small",
            "-m",
            "mock-large",
            "-m",
            "mock-nope",
            "--all",
        ],
    )
    .await;
    assert!(all.contains("chat.tool_choice_named"), "{all}");
    assert_reads_at_80("probe --all, 3 models", &all, &ids);
    drop(server);
}

#[test]
fn a_saved_multi_model_report_reads_at_80_columns() {
    let ids = ids();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/reports/multi-model.json"
    );
    for args in [&["report", path][..], &["report", path, "--all"][..]] {
        let text = stdout(zencheck().args(args));
        assert!(text.contains("FAILED"), "{text}");
        assert_reads_at_80(&args.join(" "), &text, &ids);
    }
}

/// The check above can fail: a split id is caught, in a list or in a box cell.
#[test]
#[should_panic(expected = "split as")]
fn a_split_id_is_caught() {
    let ids = vec!["models.exists".to_string()];
    assert_reads_at_80(
        "sample",
        "│ PASS ┆ models.exis ┆\n│      ┆ ts          ┆\n",
        &ids,
    );
}

#[test]
fn an_id_ending_a_line_whole_is_not_a_split() {
    let ids = vec!["chat.stream".to_string(), "chat.stream_usage".to_string()];
    assert_reads_at_80("sample", "where chat.stream,\n  chat.stream_usage\n", &ids);
}

/// `zencheck mock --list` and `explain` of a long pasted error: at 80 columns, no line
/// wider and no id split (`init`'s config: terminal.rs).
#[test]
fn the_scenario_list_and_an_explanation_read_at_80_columns() {
    let ids = ids();
    let list = stdout(zencheck().args(["mock", "--list"]));
    for info in zencheck::mock::SCENARIOS {
        assert!(
            list.lines()
                .any(|l| l.split_whitespace().next() == Some(info.name)),
            "{} starts no line:\n{list}",
            info.name
        );
    }
    assert_reads_at_80("mock --list", &list, &ids);
    let paste = format!(
        "HTTP 400 {{\"error\":{{\"message\":\"Unrecognized request argument supplied: \
         stream_options. {} request id {}\",\"type\":\"invalid_request_error\",\
         \"param\":\"stream_options\",\"code\":null}}}}",
        "A long explanation from a gateway that goes on. ".repeat(6),
        "0123456789abcdef".repeat(6)
    );
    let explained = stdout(zencheck().args(["explain", &paste]));
    assert!(explained.contains("param_rejected"), "{explained}");
    assert_reads_at_80("explain", &explained, &ids);
}

/// `--dry-run` and `--curl` at 80 columns: labels under URLs, bodies wrapped after commas
/// (a JSON string longer than a line is the only thing left wider); and a wrapped curl,
/// pasted into a shell, still sends the request it reproduces.
#[tokio::test]
async fn dry_run_and_curl_read_at_80_columns_and_the_curl_still_runs() {
    let ids = ids();
    let server = zencheck::mock::start(zencheck::mock::Scenario::StreamOptionsRejected, 0)
        .await
        .unwrap();
    let url = server.base_url();
    const ARGS: &[&str] = &["-m", "mock-small", "-m", "mock-large"];
    const KEY: &[&str] = &["--api-key-env", "ZC_WIDTH_KEY"];
    let dry = probe_stdout(
        &url,
        &[
            ARGS[0],
            ARGS[1],
            ARGS[2],
            ARGS[3],
            KEY[0],
            KEY[1],
            "--dry-run",
        ],
    )
    .await;
    assert!(dry.contains("[chat.stream_usage · mock-small]"), "{dry}");
    // Only a body line whose one JSON string is too long for any line may pass 80 columns.
    let unbreakable = |l: &str| {
        l.starts_with("  \"")
            && l.split("\":\"").nth(1).is_some_and(|v| v.len() > 60)
            && UnicodeWidthStr::width(l) > 80
    };
    let kept: String = dry
        .lines()
        .filter(|l| !unbreakable(l))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kept.lines().count() + 40 > dry.lines().count(), "{dry}");
    assert_reads_at_80("--dry-run", &kept, &ids);

    let curl = probe_stdout(
        &url,
        &[ARGS[0], ARGS[1], ARGS[2], ARGS[3], KEY[0], KEY[1], "--curl"],
    )
    .await;
    assert!(curl.contains("curl -sS"), "{curl}");
    assert!(
        curl.contains(" \\\n  -d '"),
        "a long command is split: {curl}"
    );
    assert_reads_at_80("--curl", &curl, &ids);
    // The first reproduction, as pasted: the lines after its label, up to the next label.
    let cmd: Vec<&str> = curl
        .lines()
        .skip_while(|l| !l.starts_with("# chat.stream_usage"))
        .skip(1)
        .take_while(|l| !l.starts_with("# ") && !l.is_empty())
        .collect();
    assert!(cmd.len() > 3, "{curl}");
    let cmd = cmd.join("\n");
    // Off the runtime's thread: the mock answers on it.
    let cmd = format!("{cmd} --max-time 20");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .args(["-c", &cmd])
            .env("ZC_WIDTH_KEY", "sk-width-test-key-0123456789")
            .output()
    })
    .await
    .unwrap();
    if let Ok(out) = out {
        let body = String::from_utf8_lossy(&out.stdout);
        assert!(
            body.contains("Unrecognized request argument supplied: stream_options"),
            "the wrapped curl sent the same request:\n{curl}\n{body}"
        );
    }
    drop(server);
}

/// A model id too long for the indented "where" column but not for the line (gateways
/// name models like this) gets a line of its own in the narrow failures, never split.
#[tokio::test]
async fn a_long_model_id_is_never_split() {
    const LONG: &str = "a-very-long-model-identifier-from-a-gateway-provider-2026-12-01-preview";
    let mut ids = ids();
    ids.push(LONG.to_string());
    let opts = zencheck::mock::Options {
        latency: std::time::Duration::ZERO,
        extra_models: vec![LONG.to_string()],
    };
    let server =
        zencheck::mock::start_with(zencheck::mock::Scenario::StreamOptionsRejected, 0, opts)
            .await
            .unwrap();
    let text = probe_stdout(&server.base_url(), &["-m", LONG, "-m", "mock-small"]).await;
    assert!(text.contains("param_rejected"), "{text}");
    assert!(
        text.lines().any(|l| l.trim().trim_end_matches(',') == LONG),
        "the id whole on a line of its own: {text}"
    );
    assert_reads_at_80("a long model id", &text, &ids);
    drop(server);
}
