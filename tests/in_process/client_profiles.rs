//! `probe --as CLIENT`: the profile's User-Agent and headers reach the server, the user's own
//! `--header` wins, and a relay that blocks unknown clients is told from a broken endpoint:
//! blocked as zencheck, answered as opencode.

use crate::common;

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use common::{check, probe, serve_app};
use serde_json::json;
use std::sync::{Arc, Mutex};
use zencheck::failure::Kind;
use zencheck::finding::Status;

type Seen = Arc<Mutex<Vec<HeaderMap>>>;

/// A relay that lets only opencode through: anyone else gets Cloudflare's challenge page.
async fn opencode_only() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(axum::routing::any(move |headers: HeaderMap| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(headers.clone());
            let ua = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !ua.starts_with("opencode/") {
                return (
                    axum::http::StatusCode::FORBIDDEN,
                    [("content-type", "text/html; charset=UTF-8"), ("cf-ray", "8f2a1b3c4d5e6f70-FRA"), ("server", "cloudflare")],
                    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Enable JavaScript and cookies to continue</body></html>",
                )
                    .into_response();
            }
            axum::Json(json!({
                "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}
            }))
            .into_response()
        }
    }));
    (format!("http://{}/v1", serve_app(app).await), seen)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    h.get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

#[tokio::test]
async fn a_relay_that_blocks_unknown_clients_is_blocked_as_zencheck_and_answers_as_opencode() {
    let (base, seen) = opencode_only().await;
    let args = [
        "--base-url",
        base.as_str(),
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--timeout",
        "3",
    ];
    let r = probe(&args).await;
    let c = check(&r, "chat.basic");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::Blocked)),
        "{}",
        r.to_json()
    );
    let hint = c.hint.as_deref().unwrap_or("");
    assert!(hint.contains("zencheck probe --as opencode"), "{hint}");

    let mut as_opencode = args.to_vec();
    as_opencode.extend(["--as", "opencode"]);
    let r = probe(&as_opencode).await;
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(header(&last, "user-agent"), ["opencode/1.18.34"]);
    assert_eq!(header(&last, "x-opencode-client"), ["cli"]);
}

#[tokio::test]
async fn every_profile_sends_its_headers_and_the_users_header_wins() {
    let (base, seen) = opencode_only().await;
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--timeout",
        "3",
        "--as",
        "openai-python",
        "-H",
        "User-Agent: opencode/custom",
    ])
    .await;
    assert_eq!(
        check(&r, "chat.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(header(&last, "user-agent"), ["opencode/custom"]);
    assert_eq!(header(&last, "x-stainless-lang"), ["python"]);
    for (client, ua) in [
        ("ai-sdk", "ai-sdk/openai-compatible/"),
        ("openai-node", "OpenAI/JS "),
        ("litellm", "AsyncOpenAI/Python "),
        ("codex", "codex_cli_rs/"),
        ("claude-code", "claude-cli/"),
    ] {
        let before = seen.lock().unwrap().len();
        let r = probe(&[
            "--base-url",
            &base,
            "-m",
            "m",
            "--checks",
            "chat.basic",
            "--timeout",
            "3",
            "--as",
            client,
        ])
        .await;
        let c = check(&r, "chat.basic");
        assert_eq!(c.kind, Some(Kind::Blocked), "{client}");
        // Blocked as zencheck too (the relay lets only opencode through): not this profile.
        assert_eq!(
            c.as_zencheck.as_ref().map(|a| a.status),
            Some(Status::Fail),
            "{client}"
        );
        assert!(
            c.detail.contains("blocked as zencheck too")
                && c.detail.contains("only another client"),
            "{client}: {}",
            c.detail
        );
        let last = seen.lock().unwrap()[before].clone();
        let sent = header(&last, "user-agent");
        assert!(
            sent.len() == 1 && sent[0].starts_with(ua),
            "{client}: {sent:?}"
        );
        assert!(
            last.get("authorization").is_none(),
            "{client} sent a credential nobody configured"
        );
    }
}

#[tokio::test]
async fn a_server_that_refuses_what_opencode_always_sends_passes_as_zencheck_and_fails_as_opencode()
{
    use common::probe_mock;
    use zencheck::mock::Scenario;
    // Old Azure: 400 on stream_options, which opencode sends on every stream.
    let args = ["-m", "mock-small", "--checks", "chat.stream"];
    let (_, r) = probe_mock(Scenario::StreamOptionsRejected, &args).await;
    assert_eq!(
        check(&r, "chat.stream").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let mut as_opencode = args.to_vec();
    as_opencode.extend(["--as", "opencode"]);
    let (_, r) = probe_mock(Scenario::StreamOptionsRejected, &as_opencode).await;
    let c = check(&r, "chat.stream");
    assert_eq!(
        (c.kind, c.param.as_deref()),
        (Some(Kind::ParamRejected), Some("stream_options")),
        "{}",
        r.to_json()
    );
    // One run answers it: sent again as zencheck, the check passes, and the row names the
    // field opencode adds as the difference.
    let again = c.as_zencheck.as_ref().expect("sent again as zencheck");
    assert_eq!(
        (again.status, again.difference.clone()),
        (Status::Pass, vec!["stream_options".to_string()]),
        "{}",
        r.to_json()
    );
    assert!(
        c.detail.contains("fails as opencode, passes as zencheck: the difference is the body field `stream_options`"),
        "{}",
        c.detail
    );
    common::assert_valid(&serde_json::from_str(&r.to_json()).unwrap());
}

#[tokio::test]
async fn codex_sends_store_parallel_tool_calls_and_include_on_every_responses_request() {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let log = bodies.clone();
    let base = common::serve_reply(move |_, body| {
        log.lock().unwrap().push(body.clone());
        axum::Json(json!({
            "id": "resp_1", "object": "response", "status": "completed", "model": "m",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "pong"}]}],
            "usage": {"input_tokens": 5, "output_tokens": 1}
        }))
        .into_response()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "m",
        "--routes",
        "responses",
        "--checks",
        "responses.basic",
        "--as",
        "codex",
        "--timeout",
        "3",
    ])
    .await;
    assert_eq!(
        check(&r, "responses.basic").status,
        Status::Pass,
        "{}",
        r.to_json()
    );
    let sent = bodies.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (
            sent["store"].clone(),
            sent["parallel_tool_calls"].clone(),
            sent["include"].clone()
        ),
        (json!(false), json!(false), json!([]))
    );
    // zencheck's own cap stays: every generation request is bounded.
    assert!(sent["max_output_tokens"].is_u64(), "{sent}");
}

/// Zen's FreeTierError is the key's plan, not the User-Agent: `--as opencode` does not get a
/// free model through (`access_denied` either way), as the mock's own description says.
#[tokio::test]
async fn zens_free_tier_refusal_is_access_denied_as_opencode_too() {
    use common::probe_mock;
    use zencheck::mock::{Scenario, SCENARIOS};
    let info = SCENARIOS
        .iter()
        .find(|i| i.scenario == Scenario::AccessDenied)
        .unwrap();
    assert!(
        info.summary.contains("--as opencode too"),
        "{}",
        info.summary
    );
    for extra in [&[][..], &["--as", "opencode"][..]] {
        let mut args = vec!["-m", "big-pickle", "--checks", "chat.basic"];
        args.extend_from_slice(extra);
        let (_, r) = probe_mock(Scenario::AccessDenied, &args).await;
        assert_eq!(
            check(&r, "chat.basic").kind,
            Some(Kind::AccessDenied),
            "{extra:?}: {}",
            r.to_json()
        );
        // As opencode, sent again as zencheck: refused the same, so not the profile.
        let again = check(&r, "chat.basic")
            .as_zencheck
            .as_ref()
            .map(|a| a.status);
        let expected = if extra.is_empty() {
            None
        } else {
            Some(Status::Fail)
        };
        assert_eq!(again, expected, "{extra:?}: {}", r.to_json());
    }
}

/// The report records the client a target was probed as: `client_profile` in the JSON (null
/// for zencheck's own), and a line in every renderer's header.
#[tokio::test]
async fn every_report_says_which_client_the_requests_were_sent_as() {
    use common::{assert_valid, probe_mock};
    use zencheck::mock::Scenario;
    use zencheck::report::{render_html, render_junit, render_markdown, render_table};
    let args = ["-m", "mock-small", "--checks", "chat.basic"];
    let (_, r) = probe_mock(Scenario::Healthy, &args).await;
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_valid(&v);
    assert_eq!(
        v["targets"][0]["client_profile"],
        serde_json::Value::Null,
        "{v}"
    );
    assert!(!render_table(&r, false).contains(" as "));

    let mut as_codex = args.to_vec();
    as_codex.extend(["--as", "codex"]);
    let (_, r) = probe_mock(Scenario::Healthy, &as_codex).await;
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_valid(&v);
    assert_eq!(
        (
            v["target"]["client_profile"].as_str(),
            v["targets"][0]["client_profile"].as_str()
        ),
        (Some("codex"), Some("codex")),
        "{v}"
    );
    let head = render_table(&r, false);
    let head = head.lines().next().unwrap();
    assert!(head.contains(" · no key · as codex · "), "{head}");
    let md = render_markdown(&r);
    assert!(
        md.contains(r"requests sent as codex \(--as codex\)"),
        "{md}"
    );
    assert!(render_html(&r).contains("requests sent as codex (--as codex)"));
    assert!(render_junit(&r).contains(r#"name="client_profile" value="codex""#));
}

type Recorded = Arc<Mutex<Vec<(HeaderMap, serde_json::Value)>>>;

/// A healthy chat server that records each request's headers and body.
async fn recorder() -> (String, Recorded) {
    let seen: Recorded = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(axum::routing::any(
        move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let body: serde_json::Value =
                    serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                log.lock().unwrap().push((headers, body.clone()));
                if body["stream"] == true {
                    return common::sse(&[
                        common::chat_chunk(
                            "m",
                            json!({"role": "assistant", "content": "pong"}),
                            None,
                        ),
                        common::chat_chunk("m", json!({}), Some("stop")),
                    ]);
                }
                axum::Json(common::chat_completion(
                    "m",
                    json!({"role": "assistant", "content": "pong"}),
                    "stop",
                    common::usage(5, 1),
                ))
                .into_response()
            }
        },
    ));
    (format!("http://{}/v1", serve_app(app).await), seen)
}

/// The opencode.json of `providers` (id, base URL, extra options), each serving `model`.
fn opencode_json(dir: &std::path::Path, model: &str, providers: &[(&str, &str, &str)]) -> String {
    let body: Vec<String> = providers
        .iter()
        .map(|(id, url, extra)| {
            format!(
                r#""{id}": {{"npm": "@ai-sdk/openai-compatible", "options": {{"baseURL": "{url}"{extra}}}, "models": {{"{model}": {{}}}}}}"#
            )
        })
        .collect();
    let path = dir.join("opencode.json");
    std::fs::write(&path, format!(r#"{{"provider": {{{}}}}}"#, body.join(","))).unwrap();
    path.to_str().unwrap().to_string()
}

/// An opencode.json's providers are probed as opencode calls them: its User-Agent, its
/// `stream_options` on every stream (none where `"includeUsage": false`), and the report
/// says so; `--as` still picks another client.
#[tokio::test]
async fn opencode_config_providers_are_probed_with_opencodes_request_shape() {
    let (gw, gw_seen) = recorder().await;
    let (quiet, quiet_seen) = recorder().await;
    let dir = tempfile::tempdir().unwrap();
    let config = opencode_json(
        dir.path(),
        "m",
        &[
            ("gw", &gw, ""),
            ("quiet", &quiet, r#", "includeUsage": false"#),
        ],
    );
    let args = [
        "--opencode-config",
        config.as_str(),
        "--checks",
        "chat.stream",
        "--timeout",
        "3",
    ];
    let r = probe(&args).await;
    for t in ["gw", "quiet"] {
        let c = r
            .checks
            .iter()
            .find(|c| c.target == t && c.check == "chat.stream")
            .unwrap();
        assert_eq!(c.status, Status::Pass, "{t}: {}", r.to_json());
    }
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    common::assert_valid(&v);
    assert_eq!(
        (
            v["targets"][0]["client_profile"].as_str(),
            v["targets"][1]["client_profile"].as_str()
        ),
        (Some("opencode"), Some("opencode")),
        "{v}"
    );
    let stream_request = |seen: &Recorded| {
        seen.lock()
            .unwrap()
            .iter()
            .find(|(_, b)| b["stream"] == true)
            .cloned()
            .unwrap()
    };
    let (h, b) = stream_request(&gw_seen);
    assert_eq!(header(&h, "user-agent"), ["opencode/1.18.34"]);
    assert_eq!(b["stream_options"], json!({"include_usage": true}), "{b}");
    let (h, b) = stream_request(&quiet_seen);
    assert_eq!(header(&h, "user-agent"), ["opencode/1.18.34"]);
    assert!(b.get("stream_options").is_none(), "includeUsage false: {b}");

    // --as wins over the default.
    let mut as_python = args.to_vec();
    as_python.extend(["--as", "openai-python", "--target", "gw"]);
    let r = probe(&as_python).await;
    assert_eq!(
        r.targets[0].info.client_profile.as_deref(),
        Some("openai-python")
    );
    let (h, b) = gw_seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(header(&h, "user-agent"), ["OpenAI/Python 3.3.1"]);
    assert!(b.get("stream_options").is_none(), "{b}");
}

/// The checks of an opencode.json's providers catch the three classes opencode users meet on
/// Zen: a stream that never sends a finish_reason, a character cut in a gateway's stream, and
/// a reasoning model that needs its reasoning sent back.
#[tokio::test]
async fn opencode_config_providers_get_the_three_zen_classes() {
    use zencheck::mock::{self, Scenario};
    let no_finish = mock::start(Scenario::StreamNoFinish, 0).await.unwrap();
    let utf8 = mock::start(Scenario::StreamUtf8Replaced, 0).await.unwrap();
    let thinking = mock::start(Scenario::ReasoningRequired, 0).await.unwrap();
    let healthy = mock::start(Scenario::Healthy, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = opencode_json(
        dir.path(),
        "mock-small",
        &[
            ("nofinish", &no_finish.base_url(), ""),
            ("utf8", &utf8.base_url(), ""),
            ("thinking", &thinking.base_url(), ""),
            ("healthy", &healthy.base_url(), ""),
        ],
    );
    let r = probe(&["--opencode-config", &config, "--timeout", "5"]).await;
    let row = |t: &str, id: &str| {
        r.checks
            .iter()
            .find(|c| c.target == t && c.check == id)
            .map(|c| (c.status, c.kind))
            .unwrap_or_else(|| panic!("no {id} for {t}: {}", r.to_json()))
    };
    assert_eq!(
        row("nofinish", "chat.stream").1,
        Some(Kind::StreamNoFinish),
        "{}",
        r.to_json()
    );
    assert_eq!(
        row("utf8", "chat.stream_usage").1,
        Some(Kind::StreamMalformed),
        "{}",
        r.to_json()
    );
    assert_eq!(
        row("thinking", "chat.reasoning_passback"),
        (Status::Warn, Some(Kind::BadRequest)),
        "{}",
        r.to_json()
    );
    let problems: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.target == "healthy" && c.status.is_problem())
        .map(|c| c.check.as_str())
        .collect();
    assert!(problems.is_empty(), "{problems:?}: {}", r.to_json());
}

/// A relay that refuses what codex always sends on `/responses` (`parallel_tool_calls`):
/// one run as codex names that field as the difference.
#[tokio::test]
async fn a_relay_refusing_a_field_codex_always_sends_names_that_field() {
    let base = common::serve_reply(move |_, body| {
        if body.get("parallel_tool_calls").is_some() {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": "Unrecognized request argument supplied: parallel_tool_calls", "type": "invalid_request_error", "param": null, "code": null}})),
            )
                .into_response();
        }
        axum::Json(json!({
            "id": "resp_1", "object": "response", "status": "completed", "model": "m",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "pong"}]}],
            "usage": {"input_tokens": 5, "output_tokens": 1}
        }))
        .into_response()
    })
    .await;
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "m",
        "--routes",
        "responses",
        "--checks",
        "responses.basic",
        "--as",
        "codex",
        "--timeout",
        "3",
    ])
    .await;
    let c = check(&r, "responses.basic");
    assert_eq!(
        (c.status, c.param.as_deref()),
        (Status::Fail, Some("parallel_tool_calls")),
        "{}",
        r.to_json()
    );
    let again = c.as_zencheck.as_ref().expect("sent again as zencheck");
    assert_eq!(
        (again.status, again.difference.clone()),
        (Status::Pass, vec!["parallel_tool_calls".to_string()]),
        "{}",
        r.to_json()
    );
    assert!(
        c.detail.contains("fails as codex, passes as zencheck"),
        "{}",
        c.detail
    );
    // The first request and the one sent again: both in the row's cost.
    assert_eq!(c.cost.unwrap().requests, 2, "{}", r.to_json());
}

/// A relay that blocks opencode's User-Agent (a risk control aimed at one client): blocked as
/// opencode, answered as zencheck, and the headers named as the difference, told from the
/// key or the endpoint in one run.
#[tokio::test]
async fn a_relay_that_blocks_one_clients_user_agent_names_the_header() {
    let app = axum::Router::new().fallback(axum::routing::any(|headers: HeaderMap| async move {
        let ua = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("");
        if ua.starts_with("opencode/") {
            return (
                axum::http::StatusCode::FORBIDDEN,
                [("content-type", "text/html; charset=UTF-8"), ("cf-ray", "8f2a1b3c4d5e6f70-FRA"), ("server", "cloudflare")],
                "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked</body></html>",
            )
                .into_response();
        }
        axum::Json(common::chat_completion("m", json!({"role": "assistant", "content": "pong"}), "stop", common::usage(5, 1)))
            .into_response()
    }));
    let base = format!("http://{}/v1", serve_app(app).await);
    let r = probe(&[
        "--base-url",
        &base,
        "-m",
        "m",
        "--checks",
        "chat.basic",
        "--as",
        "opencode",
        "--timeout",
        "3",
    ])
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(
        (c.status, c.kind),
        (Status::Fail, Some(Kind::Blocked)),
        "{}",
        r.to_json()
    );
    let again = c.as_zencheck.as_ref().expect("sent again as zencheck");
    assert_eq!(again.status, Status::Pass, "{}", r.to_json());
    assert_eq!(
        again.difference,
        ["User-Agent: opencode/1.18.34", "x-opencode-client: cli"],
        "{}",
        r.to_json()
    );
    assert!(
        c.detail.contains(
            "the difference is the headers User-Agent: opencode/1.18.34, x-opencode-client: cli"
        ),
        "{}",
        c.detail
    );
}

/// A broken endpoint fails whoever asks: sent again as zencheck it fails too, and the row
/// says so instead of blaming the profile.
#[tokio::test]
async fn a_broken_endpoint_is_not_blamed_on_the_profile() {
    use common::probe_mock;
    use zencheck::mock::Scenario;
    let (_, r) = probe_mock(
        Scenario::ServerError,
        &[
            "-m",
            "mock-small",
            "--checks",
            "chat.basic",
            "--as",
            "opencode",
        ],
    )
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(c.kind, Some(Kind::ServerError), "{}", r.to_json());
    let again = c.as_zencheck.as_ref().expect("sent again as zencheck");
    assert_eq!(
        (again.status, again.kind, again.difference.is_empty()),
        (Status::Fail, Some(Kind::ServerError), true),
        "{}",
        r.to_json()
    );
    assert!(c.detail.contains("fails as zencheck too"), "{}", c.detail);
    assert!(!c.detail.contains("the difference is"), "{}", c.detail);
}

/// A healthy server: a run as a client costs what a run as zencheck costs, and no row speaks
/// of the profile.
#[tokio::test]
async fn a_healthy_server_as_a_client_costs_nothing_more_and_says_nothing_more() {
    use common::probe_mock;
    use zencheck::mock::Scenario;
    let (_, plain) = probe_mock(Scenario::Healthy, &["-m", "mock-small"]).await;
    let (_, as_opencode) =
        probe_mock(Scenario::Healthy, &["-m", "mock-small", "--as", "opencode"]).await;
    let requests = |r: &zencheck::report::Report| r.cost.unwrap().requests;
    assert_eq!(
        requests(&plain),
        requests(&as_opencode),
        "{}",
        as_opencode.to_json()
    );
    assert!(requests(&as_opencode) <= 25);
    for c in &as_opencode.checks {
        assert!(
            c.as_zencheck.is_none() && !c.detail.contains("as zencheck"),
            "{}: {}",
            c.check,
            c.detail
        );
    }
}

/// `--dry-run` as a client says what a run may send more: each failing check once more as
/// zencheck, at most one request per planned one.
#[test]
fn a_dry_run_as_a_client_says_what_it_may_send_more() {
    use zencheck::cmd::probe::describe;
    use zencheck::profile::Profile;
    let mut t = zencheck::target::Target::new("t", "http://127.0.0.1:9/v1").unwrap();
    t.models = vec!["m".into()];
    let opts = zencheck::probe::Options::default();
    let planned = zencheck::probe::planned_requests(&t, &opts);
    assert!(!describe(&t, &planned, 100).contains("as zencheck"));
    t.speak_as(Profile::Opencode, true);
    let text = describe(&t, &planned, 1000);
    let more = format!("at most {} requests more", planned.len());
    assert!(
        text.contains("As opencode: a check that fails is sent once more as zencheck itself")
            && text.contains(&more),
        "{text}"
    );
}
