//! When a run counts as failed: the `--fail-on` policy, required capabilities, and
//! regressions against a previous report (`--baseline`).

use crate::outcome::Status;
use crate::report::{Change, Report};
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
}

/// The statuses of a previous report, by (target, check, model).
pub struct Baseline(HashMap<(String, String, String), String>);

impl Baseline {
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
        Ok(Baseline(map))
    }
}

/// Mark regressions and fixes against `baseline`, then decide whether the run failed and
/// say why.
pub fn judge(report: &mut Report, fail_on: FailOn, baseline: Option<&Baseline>) {
    if let Some(b) = baseline {
        for c in &mut report.checks {
            let key = (
                c.target.clone(),
                c.check.clone(),
                c.model.clone().unwrap_or_default(),
            );
            let Some(before) = b.0.get(&key) else {
                continue;
            };
            let (was, is) = (before == "pass", c.status == Status::Pass);
            c.baseline = match (was, is) {
                (true, false) => Some(Change::Regressed),
                (false, true) => Some(Change::Fixed),
                _ => None,
            };
        }
    }
    let mut reasons = Vec::new();
    let count = |f: &dyn Fn(&crate::report::CheckResult) -> bool| {
        report.checks.iter().filter(|c| f(c)).count()
    };
    let failed = count(&|c| c.status == Status::Fail);
    if failed > 0 {
        reasons.push(format!("{failed} check(s) failed"));
    }
    let missing: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.required && c.status != Status::Pass)
        .map(where_)
        .collect();
    if !missing.is_empty() {
        reasons.push(format!("required but not passing: {}", missing.join(", ")));
    }
    let regressed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.baseline == Some(Change::Regressed))
        .map(where_)
        .collect();
    if !regressed.is_empty() {
        reasons.push(format!(
            "passed in the baseline, not now: {}",
            regressed.join(", ")
        ));
    }
    let warned = count(&|c| c.status == Status::Warn);
    if fail_on == FailOn::Warn && warned > 0 {
        reasons.push(format!("{warned} warning(s) with --fail-on warn"));
    }
    report.summary.regressed = regressed.len();
    report.summary.fixed = count(&|c| c.baseline == Some(Change::Fixed));
    report.outcome.failed = fail_on != FailOn::Never && !reasons.is_empty();
    report.outcome.fail_on = fail_on;
    report.outcome.reasons = reasons;
}

fn where_(c: &crate::report::CheckResult) -> String {
    match &c.model {
        Some(m) => format!("{}/{} ({m})", c.target, c.check),
        None => format!("{}/{}", c.target, c.check),
    }
}
