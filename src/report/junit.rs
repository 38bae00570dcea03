//! JUnit XML: one testsuite per target, one testcase per check, for GitHub and GitLab
//! test reporting. A check fails its testcase when it counts against the run. A flaky
//! check (`--repeat`) that does not is a passing testcase with a `<flakyFailure>` (Maven
//! Surefire's convention for a test that passed on a rerun) carrying a failing run's
//! evidence.

use super::{CheckResult, Report};
use crate::finding::Status;
use crate::policy::ComparedWith;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

pub fn render_junit(r: &Report) -> String {
    let mut out = quick_junit::Report::new("zencheck");
    // The run's start and length (from the report, so `zencheck report` writes the same).
    let started = r
        .started_at
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    if let Some(t) = started {
        out.set_timestamp(t);
    }
    if let Some(ms) = r.duration_ms {
        out.set_time(Duration::from_millis(ms));
    }
    for t in &r.targets {
        let mut suite = TestSuite::new(t.info.name.as_str());
        suite.add_property(("base_url", t.info.base_url.as_str()));
        for note in super::transport_notes(&t.info) {
            suite.add_property(("transport", note.as_str()));
        }
        if let Some(c) = &t.info.client_profile {
            suite.add_property(("client_profile", c.as_str()));
        }
        if let Some(ts) = started {
            suite.set_timestamp(ts);
        }
        let checks: Vec<&CheckResult> = r
            .checks
            .iter()
            .filter(|c| c.target == t.info.name)
            .collect();
        let warned = checks.iter().filter(|c| is_warning(r, c)).count();
        suite.add_property(("warnings", warned.to_string().as_str()));
        for c in checks {
            let mut case = TestCase::new(case_name(c), status(r, c));
            case.set_classname(format!("zencheck.{}", t.info.name));
            if let Some(ms) = c.timing_ms.total {
                case.set_time(Duration::from_millis(ms));
            }
            // A warning passes the build but stays visible: its kind as a property, its
            // evidence and fix in system-out.
            if let (Status::Flaky, Some(n)) = (c.status, c.repeats) {
                // The pass ratio of `--repeat`, as `passed/runs`.
                case.add_property(("flaky", format!("{}/{}", n.pass, n.runs).as_str()));
            }
            if is_warning(r, c) {
                let kind = c.kind.map(|k| k.code()).unwrap_or("warn");
                case.add_property(("warning", kind));
                let title = c.title.as_deref().unwrap_or("warning");
                let known = format!(
                    "known failure ({}, tolerated by --fail-on new)",
                    r.compared_with().tolerated_why()
                );
                let word = match c.status {
                    Status::Fail => known.as_str(),
                    Status::Flaky => "flaky",
                    _ => "warning",
                };
                case.set_system_out(format!("{word}: {title}\n{}", super::evidence_and_fix(c)));
            }
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    out.to_string().expect("JUnit serialises to a string")
}

/// A warning (or, under `--fail-on new`, a known failure) that does not count against the
/// run; under `--fail-on warn` a warning fails its testcase instead.
fn is_warning(r: &Report, c: &CheckResult) -> bool {
    c.status.is_problem() && !r.counts_as_failure(c)
}

fn case_name(c: &CheckResult) -> String {
    match &c.model {
        Some(m) => format!("{} [{m}]", c.check),
        None => c.check.clone(),
    }
}

fn status(r: &Report, c: &CheckResult) -> TestCaseStatus {
    if r.counts_as_failure(c) {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let title = c
            .title
            .clone()
            .unwrap_or_else(|| format!("{} did not pass", c.check));
        let why = match (c.required, c.baseline, r.compared_with()) {
            (_, Some(super::Change::Regressed), ComparedWith::Baseline) => {
                " (regressed: it passed in the baseline)"
            }
            (_, Some(super::Change::Regressed), ComparedWith::Reference) => {
                " (works direct, breaks through the gateway)"
            }
            (true, _, _) => " (required)",
            _ => "",
        };
        s.set_message(format!("{title}{why}: {}", c.detail));
        if let Some(k) = c.kind {
            s.set_type(k.code());
        }
        s.set_description(super::evidence_and_fix(c));
        return s;
    }
    match c.status {
        Status::Skip | Status::Unsupported => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("{}: {}", c.status.as_str(), c.detail));
            s
        }
        Status::Flaky => {
            let mut s = TestCaseStatus::success();
            let mut run = quick_junit::TestRerun::new(NonSuccessKind::Failure);
            run.set_message(format!(
                "{}: {}",
                c.title.as_deref().unwrap_or("did not pass"),
                c.detail
            ));
            if let Some(k) = c.kind {
                run.set_type(k.code());
            }
            run.set_description(super::evidence_and_fix(c));
            s.add_rerun(run);
            s
        }
        _ => TestCaseStatus::success(),
    }
}
