//! `probe --reference URL`: the same checks against a reference endpoint and the target;
//! the rows whose verdicts differ are marked (regressed: works there, breaks here) and say
//! what the reference gave; the rows that agree are not. Every format words the marks as a
//! reference comparison ("works direct, breaks through the gateway", "breaks direct too"),
//! never as a baseline's.

use crate::common::{check, probe};
use zencheck::cli::outputs::render_with;
use zencheck::cli::Format;
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, Scenario};
use zencheck::policy::ComparedWith;
use zencheck::report::Change;

/// No format may speak of a baseline when the comparison was with a reference.
fn no_baseline_words(format: Format, text: &str) {
    for w in [
        "regressed",
        "in the baseline",
        "since the baseline",
        "(known)",
    ] {
        assert!(!text.contains(w), "{format:?} says `{w}`:\n{text}");
    }
}

#[tokio::test]
async fn what_works_at_the_reference_and_breaks_here_is_regressed() {
    let direct = mock::start(Scenario::Healthy, 0).await.unwrap();
    let gateway = mock::start(Scenario::ToolChoiceIgnored, 0).await.unwrap();
    let r = probe(&[
        "--base-url",
        &gateway.base_url(),
        "-m",
        "mock-small",
        "--routes",
        "chat",
        "--checks",
        "chat.basic,chat.stream,chat.tool_choice_required",
        "--reference",
        &direct.base_url(),
        "--fail-on",
        "new",
    ])
    .await;
    // Only the target's rows, judged against the reference's.
    assert!(
        r.checks.iter().all(|c| c.target != "reference"),
        "{}",
        r.to_json()
    );
    let broke = check(&r, "chat.tool_choice_required");
    assert_eq!(
        (broke.status, broke.kind, broke.baseline),
        (
            Status::Fail,
            Some(Kind::ParamIgnored),
            Some(Change::Regressed)
        ),
        "{}",
        r.to_json()
    );
    assert!(
        broke
            .detail
            .contains(&format!("at the reference ({}): pass", direct.base_url())),
        "{}",
        broke.detail
    );
    for id in ["chat.basic", "chat.stream"] {
        let c = check(&r, id);
        assert_eq!((c.status, c.baseline), (Status::Pass, None), "{id}");
        assert!(!c.detail.contains("at the reference"), "{id}: {}", c.detail);
    }
    assert!(r.failed(), "a regression fails --fail-on new");
    assert_eq!(r.summary.regressed, 1);
    // The report says what it compared with, and every format words it so.
    let cmp = r.comparison.as_ref().expect("a comparison");
    assert_eq!(
        (cmp.with, cmp.source.as_str()),
        (ComparedWith::Reference, direct.base_url().as_str())
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    crate::common::assert_valid(&json);
    assert_eq!(json["comparison"]["with"], "reference");
    assert!(r
        .outcome
        .reasons
        .iter()
        .any(|w| w.starts_with("works direct, breaks through the gateway: ")));
    for (format, all, want) in [
        (
            Format::Table,
            false,
            "works direct, breaks through the gateway",
        ),
        (Format::Table, true, "works direct"),
        (Format::Markdown, false, "fail (works direct)"),
        (
            Format::Markdown,
            false,
            "works direct, breaks through the gateway",
        ),
        (Format::Html, false, "fail (works direct)"),
        (
            Format::Html,
            false,
            "works direct, breaks through the gateway",
        ),
        (
            Format::Junit,
            false,
            "(works direct, breaks through the gateway)",
        ),
    ] {
        let text = render_with(&r, format, false, all);
        assert!(text.contains(want), "{format:?} lacks `{want}`:\n{text}");
        if format != Format::Junit {
            no_baseline_words(format, &text);
        }
    }
    // Both endpoints were asked.
    assert!(direct.requests() >= 3 && gateway.requests() >= 3);
}

#[tokio::test]
async fn a_target_as_good_as_its_reference_passes_under_fail_on_new() {
    let direct = mock::start(Scenario::ToolChoiceIgnored, 0).await.unwrap();
    let gateway = mock::start(Scenario::ToolChoiceIgnored, 0).await.unwrap();
    let r = probe(&[
        "--base-url",
        &gateway.base_url(),
        "-m",
        "mock-small",
        "--routes",
        "chat",
        "--checks",
        "chat.basic,chat.tool_choice_required",
        "--reference",
        &direct.base_url(),
        "--fail-on",
        "new",
    ])
    .await;
    // Broken at both: known, not a difference of the gateway.
    let c = check(&r, "chat.tool_choice_required");
    assert_eq!((c.status, c.baseline), (Status::Fail, Some(Change::Known)));
    assert!(!r.failed(), "{}", r.to_json());
    // Known at both: "breaks direct too", in every format.
    for (format, want) in [
        (Format::Table, "breaks direct too"),
        (Format::Markdown, "fail (breaks direct too)"),
        (Format::Html, "fail (breaks direct too)"),
        (
            Format::Junit,
            "known failure (broken direct too, tolerated by --fail-on new)",
        ),
        (Format::Github, "fail (breaks direct too)"),
    ] {
        let text = render_with(&r, format, false, false);
        assert!(text.contains(want), "{format:?} lacks `{want}`:\n{text}");
        no_baseline_words(format, &text);
    }
    assert!(
        r.summary
            .line(r.compared_with())
            .contains("1 broken direct too, 0 broken only through the gateway, 0 working only through it beside the reference"),
        "{}",
        r.summary.line(r.compared_with())
    );
    // Only --fail-on new tolerates a known problem: under the default policy a known row
    // that does not count is a warning, and no format may say --fail-on new let it through.
    let mut warned = r.clone();
    for c in warned.checks.iter_mut() {
        if c.status == Status::Fail {
            c.status = Status::Warn;
        }
    }
    warned.decide(zencheck::policy::FailOn::Fail);
    for format in [Format::Table, Format::Markdown, Format::Html, Format::Junit] {
        let text = render_with(&warned, format, false, false);
        // JUnit words a warning by its title alone.
        if format != Format::Junit {
            assert!(text.contains("direct too"), "{format:?}:\n{text}");
        }
        assert!(!text.contains("tolerated"), "{format:?}:\n{text}");
    }
}

/// A gateway that fails one chat request in three with a 502 (one bad replica behind it);
/// its base URL.
async fn one_in_three() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = std::sync::Arc::new(AtomicUsize::new(0));
    crate::common::serve_reply(move |path, _| {
        use axum::response::IntoResponse;
        if path.ends_with("/models") {
            return axum::Json(crate::common::model_list(&["mock-small"])).into_response();
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
        axum::Json(crate::common::chat_completion(
            "mock-small",
            serde_json::json!({"role": "assistant", "content": "OK"}),
            "stop",
            crate::common::usage(5, 1),
        ))
        .into_response()
    })
    .await
}

#[tokio::test]
async fn under_repeat_a_check_flaky_through_the_gateway_and_steady_direct_works_direct() {
    let direct = mock::start(Scenario::Healthy, 0).await.unwrap();
    let gateway = one_in_three().await;
    let r = probe(&[
        "--base-url",
        &gateway,
        "-m",
        "mock-small",
        "--routes",
        "chat",
        "--checks",
        "chat.basic",
        "--repeat",
        "3",
        "--reference",
        &direct.base_url(),
    ])
    .await;
    let c = check(&r, "chat.basic");
    assert_eq!(
        (c.status, c.baseline),
        (Status::Flaky, Some(Change::Regressed)),
        "{}",
        r.to_json()
    );
    let repeats = c.repeats.as_ref().expect("the runs are counted");
    assert_eq!((repeats.runs, repeats.pass), (3, 2));
    assert!(
        c.detail
            .contains(&format!("at the reference ({}): pass", direct.base_url())),
        "{}",
        c.detail
    );
    assert!(r.failed(), "a regression fails the run");
    assert!(r
        .outcome
        .reasons
        .iter()
        .any(|w| w.starts_with("works direct, breaks through the gateway: ")));
    // The reference ran three times too: models.list once a run, chat.basic once a run.
    assert!(direct.requests() >= 3, "{}", direct.requests());
}
