//! `probe --reference URL`: the same checks against a reference endpoint and the target;
//! the rows whose verdicts differ are marked (regressed: works there, breaks here) and say
//! what the reference gave; the rows that agree are not.

use crate::common::{check, probe};
use zencheck::failure::Kind;
use zencheck::finding::Status;
use zencheck::mock::{self, Scenario};
use zencheck::report::Change;

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
}
