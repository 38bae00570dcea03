//! When a run counts as failed: the `--fail-on` policy, required capabilities, regressions
//! against a previous report (`--baseline`), and the one rule all of them meet in.
//! `Report::judge` (the outcome and its reasons), every renderer that marks a check as
//! failing, and so the exit code, all ask `counts_against`, so they cannot disagree. The
//! rule is pure: it looks only at a check's status, whether it is required, and how it
//! compares with the baseline.

use crate::finding::Status;
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// A failed check, a required check that did not pass, or a regression fails the run
    #[default]
    Fail,
    /// Warnings fail the run too
    Warn,
    /// Nothing fails the run (exit 0 whenever zencheck could run)
    Never,
    /// Only what is new since --baseline fails the run: a regression, or a failure of a check absent from the baseline
    New,
    /// As fail, and a flaky check (under --repeat, passed in some runs only) fails the run too
    Flaky,
}

/// How a check compares with the same check in `--baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Passed in the baseline, does not now.
    Regressed,
    /// Did not pass in the baseline, does now.
    Fixed,
    /// Absent from the baseline (a new check, model or target).
    New,
    /// Did not pass in the baseline and does not now: a known problem (tolerated by
    /// `--fail-on new`).
    Known,
}

/// What the run's rows were compared with: a previous report (`--baseline FILE`) or a
/// reference endpoint (`probe --reference URL`, the provider directly behind the gateway
/// probed). The marks are the same (`regressed`, `fixed`, `known`, `new`); their words are
/// each comparison's own, here, for every renderer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComparedWith {
    #[default]
    Baseline,
    Reference,
}

/// The report's record of its comparison (JSON `comparison`): with what, and which one (the
/// baseline's path, the reference's URL as reports show it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub with: ComparedWith,
    pub source: String,
}

impl ComparedWith {
    /// A regressed row, in a narrow place (a status cell): `regressed`, `works direct`.
    pub fn regressed_short(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "regressed",
            ComparedWith::Reference => "works direct",
        }
    }
    /// A regressed row, in words.
    pub fn regressed(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "regressed",
            ComparedWith::Reference => "works direct, breaks through the gateway",
        }
    }
    /// A known row, in a narrow place.
    pub fn known_short(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "known",
            ComparedWith::Reference => "breaks direct too",
        }
    }
    /// A known row, in words.
    pub fn known(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "known: in the baseline too",
            ComparedWith::Reference => "breaks direct too",
        }
    }
    /// How many rows are known, in a count: `2 known`, `2 broken direct too`.
    pub fn known_count(self, n: usize) -> String {
        match self {
            ComparedWith::Baseline => format!("{n} known"),
            ComparedWith::Reference => format!("{n} broken direct too"),
        }
    }
    /// A fixed row, in a narrow place.
    pub fn fixed_short(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "fixed",
            ComparedWith::Reference => "breaks direct",
        }
    }
    /// A row the other side lacks.
    pub fn new_short(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "new",
            ComparedWith::Reference => "not run direct",
        }
    }
    /// Why a known problem is tolerated by `--fail-on new`, in brackets.
    pub fn tolerated_why(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "in the baseline too",
            ComparedWith::Reference => "broken direct too",
        }
    }
    /// The outcome's reason for regressed rows, before their list.
    pub fn regressed_reason(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "passed in the baseline, not now",
            ComparedWith::Reference => "works direct, breaks through the gateway",
        }
    }
    /// The counts of the comparison: `2 known, 1 regressed, 0 fixed`.
    pub fn counts(self, known: usize, regressed: usize, fixed: usize) -> String {
        match self {
            ComparedWith::Baseline => {
                format!("{known} known, {regressed} regressed, {fixed} fixed")
            }
            ComparedWith::Reference => format!(
                "{known} broken direct too, {regressed} broken only through the gateway, {fixed} working only through it"
            ),
        }
    }
    /// What the comparison was with, for a label: `baseline`, `reference`.
    pub fn label(self) -> &'static str {
        match self {
            ComparedWith::Baseline => "baseline",
            ComparedWith::Reference => "reference",
        }
    }
}

/// Why one check counts against the run: every rule it breaks (a required check that
/// failed is both `failed` and `required`), so each reason lists all the checks it applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Against {
    pub failed: bool,
    /// Required (the target's `require`) and not a pass.
    pub required: bool,
    /// Passed in the baseline, does not now.
    pub regressed: bool,
    /// A warning, under `--fail-on warn`.
    pub warned: bool,
    /// Flaky (passed in some of `--repeat`'s runs only), under `--fail-on warn` or `flaky`.
    pub flaky: bool,
}

impl Against {
    /// The check counts against the run.
    pub fn any(self) -> bool {
        self.failed || self.required || self.regressed || self.warned || self.flaky
    }
}

/// Does this check count against the run under `fail_on`, and why? Under `never` a check
/// still counts (renderers mark it), it only does not fail the run: see `run_fails`. A
/// flaky check counts as a warning does (under `warn`), and under `flaky`.
pub fn counts_against(
    fail_on: FailOn,
    status: Status,
    required: bool,
    baseline: Option<Change>,
) -> Against {
    if fail_on == FailOn::New {
        // Known problems (in the baseline and not passing there) are tolerated; what is
        // new since it is not.
        let fresh = baseline == Some(Change::New);
        return Against {
            failed: fresh && status == Status::Fail,
            required: fresh && required && status != Status::Pass,
            regressed: baseline == Some(Change::Regressed),
            warned: false,
            flaky: false,
        };
    }
    Against {
        failed: status == Status::Fail,
        required: required && status != Status::Pass,
        regressed: baseline == Some(Change::Regressed),
        warned: fail_on == FailOn::Warn && status == Status::Warn,
        flaky: matches!(fail_on, FailOn::Warn | FailOn::Flaky) && status == Status::Flaky,
    }
}

/// The run fails when some check counts against it, unless the policy is `never`.
pub fn run_fails(fail_on: FailOn, counted: impl IntoIterator<Item = Against>) -> bool {
    fail_on != FailOn::Never && counted.into_iter().any(Against::any)
}

/// The outcome's reasons, from what each check broke (with where it ran, e.g.
/// `zen/chat.basic (kimi-k2)`).
pub fn reasons(counted: &[(Against, String)], with: ComparedWith) -> Vec<String> {
    let of = |rule: fn(&Against) -> bool| -> Vec<&str> {
        counted
            .iter()
            .filter(|(a, _)| rule(a))
            .map(|(_, w)| w.as_str())
            .collect()
    };
    let mut reasons = Vec::new();
    let failed = of(|a| a.failed).len();
    if failed > 0 {
        reasons.push(format!(
            "{} failed",
            crate::fit::count(failed as u64, "check")
        ));
    }
    let required = of(|a| a.required);
    if !required.is_empty() {
        reasons.push(format!("required but not passing: {}", required.join(", ")));
    }
    let regressed = of(|a| a.regressed);
    if !regressed.is_empty() {
        reasons.push(format!(
            "{}: {}",
            with.regressed_reason(),
            regressed.join(", ")
        ));
    }
    let warned = of(|a| a.warned).len();
    if warned > 0 {
        reasons.push(format!(
            "{} with --fail-on warn",
            crate::fit::count(warned as u64, "warning")
        ));
    }
    let flaky = of(|a| a.flaky);
    if !flaky.is_empty() {
        reasons.push(format!(
            "flaky (passed in some runs only): {}",
            flaky.join(", ")
        ));
    }
    reasons
}

/// The statuses of a previous report (or of the reference endpoint's run), by (target,
/// check, model), and what they are.
pub struct Baseline {
    rows: HashMap<(String, String, String), String>,
    pub comparison: Comparison,
}

impl Baseline {
    /// Read `--baseline FILE` (before anything is sent). A file that does not exist yet is
    /// a first run: an empty baseline (every check new), said on stderr.
    pub fn read(path: &std::path::Path) -> Result<Baseline, crate::error::RunError> {
        let fail = |why: String| crate::error::RunError::Baseline {
            path: path.display().to_string(),
            why,
        };
        if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            crate::out::warn(&format!(
                "zencheck: warning: the baseline {} does not exist yet: read as empty, so every \
                 check is new (a first run). Write this run's JSON report there (--json {}) and \
                 the next run has its baseline.",
                path.display(),
                path.display()
            ));
            return Ok(Baseline::of_file(HashMap::new(), path));
        }
        let text = crate::files::read_text(path).map_err(fail)?;
        let b = Baseline::from_json(&text).map_err(fail)?;
        Ok(Baseline::of_file(b.rows, path))
    }

    fn of_file(
        rows: HashMap<(String, String, String), String>,
        path: &std::path::Path,
    ) -> Baseline {
        Baseline {
            rows,
            comparison: Comparison {
                with: ComparedWith::Baseline,
                source: path.display().to_string(),
            },
        }
    }

    /// Read a report written by `--format json`. Only the fields needed are read, so a
    /// report from an older zencheck with the same check ids still compares.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let checks = v
            .get("checks")
            .and_then(Value::as_array)
            .ok_or("no checks[]: not a zencheck JSON report")?;
        let field = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let map = checks
            .iter()
            .map(|c| {
                (
                    (field(c, "target"), field(c, "check"), field(c, "model")),
                    field(c, "status"),
                )
            })
            .collect();
        Ok(Baseline {
            rows: map,
            comparison: Comparison {
                with: ComparedWith::Baseline,
                source: String::new(),
            },
        })
    }

    /// A baseline of the reference endpoint's rows (at `url`, as reports show it), each
    /// filed under `target`: `probe --reference` compares the target's verdicts with the
    /// reference's, row by row.
    pub fn of_reference<'a>(
        target: &str,
        url: &str,
        rows: impl IntoIterator<Item = (&'a str, Option<&'a str>, Status)>,
    ) -> Baseline {
        Baseline {
            comparison: Comparison {
                with: ComparedWith::Reference,
                source: url.to_string(),
            },
            rows: rows
                .into_iter()
                .map(|(check, model, status)| {
                    (
                        (
                            target.to_string(),
                            check.to_string(),
                            model.unwrap_or("").to_string(),
                        ),
                        status.as_str().to_string(),
                    )
                })
                .collect(),
        }
    }

    /// How the check `(target, check, model)`, now at `status`, compares with this
    /// baseline: new when the baseline lacks it, regressed or fixed when pass flipped, known
    /// when it did not pass there either.
    pub fn change(&self, key: &(String, String, String), status: Status) -> Option<Change> {
        let Some(before) = self.rows.get(key) else {
            return Some(Change::New);
        };
        match (before == "pass", status == Status::Pass) {
            (true, false) => Some(Change::Regressed),
            (false, true) => Some(Change::Fixed),
            (false, false) => Some(Change::Known),
            (true, true) => None,
        }
    }
}

/// `--fail-on new` judges against a baseline: without one, everything would be new.
pub fn needs_baseline(fail_on: FailOn, have: bool) -> Result<(), crate::error::RunError> {
    if fail_on == FailOn::New && !have {
        return Err(crate::error::RunError::Usage(
            "--fail-on new fails only on what changed since --baseline FILE: give one (a JSON report of an earlier run)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_failure_breaks_two_rules_and_never_fails_no_run() {
        let a = counts_against(FailOn::Fail, Status::Fail, true, None);
        assert!(a.failed && a.required && !a.regressed && !a.warned);
        assert!(run_fails(FailOn::Fail, [a]));
        assert!(!run_fails(FailOn::Never, [a]));
        assert_eq!(
            reasons(&[(a, "t/chat.basic (m)".into())], ComparedWith::Baseline),
            [
                "1 check failed",
                "required but not passing: t/chat.basic (m)"
            ]
        );
    }

    #[test]
    fn warnings_count_only_under_warn() {
        assert!(!counts_against(FailOn::Fail, Status::Warn, false, None).any());
        assert!(counts_against(FailOn::Warn, Status::Warn, false, None).warned);
        assert!(
            counts_against(FailOn::Fail, Status::Skip, false, Some(Change::Regressed)).regressed
        );
        assert!(!run_fails(FailOn::Fail, [Against::default()]));
    }

    #[test]
    fn flaky_is_a_warning_unless_fail_on_says_flaky() {
        assert!(!counts_against(FailOn::Fail, Status::Flaky, false, None).any());
        assert!(!counts_against(FailOn::New, Status::Flaky, false, Some(Change::New)).any());
        assert!(counts_against(FailOn::Warn, Status::Flaky, false, None).flaky);
        let f = counts_against(FailOn::Flaky, Status::Flaky, false, None);
        assert!(f.flaky && !f.failed);
        assert!(!counts_against(FailOn::Flaky, Status::Warn, false, None).any());
        assert!(counts_against(FailOn::Flaky, Status::Fail, false, None).failed);
        assert!(
            counts_against(FailOn::Fail, Status::Flaky, true, None).required,
            "a required check must pass every time"
        );
        assert_eq!(
            reasons(&[(f, "t/chat.stream (m)".into())], ComparedWith::Baseline),
            ["flaky (passed in some runs only): t/chat.stream (m)"]
        );
    }

    #[test]
    fn under_new_only_regressions_and_failures_absent_from_the_baseline_count() {
        let known = counts_against(FailOn::New, Status::Fail, true, None);
        assert!(
            !known.any(),
            "a failure the baseline already had is tolerated"
        );
        let fresh = counts_against(FailOn::New, Status::Fail, false, Some(Change::New));
        assert!(fresh.failed);
        let regressed = counts_against(FailOn::New, Status::Warn, false, Some(Change::Regressed));
        assert!(regressed.regressed && !regressed.failed);
        assert!(!counts_against(FailOn::New, Status::Warn, false, Some(Change::New)).any());
    }

    #[test]
    fn a_check_that_did_not_pass_either_time_is_known() {
        let b = Baseline::from_json(
            r#"{"checks": [{"target": "t", "check": "a", "model": "m", "status": "fail"},
                           {"target": "t", "check": "b", "model": "m", "status": "pass"}]}"#,
        )
        .unwrap();
        let k = |c: &str| ("t".to_string(), c.to_string(), "m".to_string());
        assert_eq!(b.change(&k("a"), Status::Fail), Some(Change::Known));
        assert_eq!(b.change(&k("a"), Status::Pass), Some(Change::Fixed));
        assert_eq!(b.change(&k("b"), Status::Pass), None);
        assert_eq!(b.change(&k("c"), Status::Fail), Some(Change::New));
        let dir = tempfile::tempdir().unwrap();
        let missing = Baseline::read(&dir.path().join("first.json")).unwrap();
        assert_eq!(missing.change(&k("a"), Status::Fail), Some(Change::New));
        assert!(
            Baseline::read(dir.path()).is_err(),
            "a folder is no baseline"
        );
    }
}
