//! When a run counts as failed: the `--fail-on` policy, required capabilities, and
//! regressions against a previous report (`--baseline`).

use crate::outcome::Status;
use crate::report::{Change, Report};
use serde_json::Value;
use std::collections::HashMap;

/// The rule itself lives in `verdict`; named here too, where callers look for the policy.
pub use crate::verdict::FailOn;

/// The statuses of a previous report, by (target, check, model).
pub struct Baseline(HashMap<(String, String, String), String>);

impl Baseline {
    /// Read `--baseline FILE` (before anything is sent).
    pub fn read(path: &std::path::Path) -> Result<Baseline, crate::error::RunError> {
        let fail = |why: String| crate::error::RunError::Baseline {
            path: path.display().to_string(),
            why,
        };
        let text = crate::files::read_text(path).map_err(fail)?;
        Baseline::from_json(&text).map_err(fail)
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
        Ok(Baseline(map))
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
                c.baseline = Some(Change::New);
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
    report.decide(fail_on);
}
