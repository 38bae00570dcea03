//! `zencheck report RUN.json`: render a saved JSON report again, in any format, without
//! sending anything. Every renderer reads only what the JSON holds, so the table, Markdown
//! and JUnit written from the file are byte for byte those the run itself wrote. With
//! `--baseline` or `--fail-on`, the checks are judged again first.

use crate::cli::outputs::Plan;
use crate::cli::RenderArgs;
use crate::error::RunError;
use crate::policy::{self, Baseline};
use crate::report::{Report, SCHEMA_VERSION};
use std::path::Path;

pub fn command(args: &RenderArgs, term: crate::cli::term::TermArgs) -> Result<u8, RunError> {
    let plan = Plan::prepare(args.format, args.output.as_deref(), &args.outputs)?.quiet(term.quiet);
    let mut report = load(&args.run)?;
    if args.baseline.is_some() || args.fail_on.is_some() {
        let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
        if baseline.is_some() {
            for c in &mut report.checks {
                c.baseline = None;
            }
        }
        let fail_on = args.fail_on.unwrap_or(report.outcome.fail_on);
        if args.fail_on.is_some() {
            policy::needs_baseline(fail_on, baseline.is_some())?;
        }
        report.judge(fail_on, baseline.as_ref());
    }
    plan.emit(&report, term.stdout_color())
}

/// Read and parse a JSON report, bounded in size.
pub fn load(path: &Path) -> Result<Report, RunError> {
    let fail = |why: String| RunError::Io {
        what: format!("read the report {}", path.display()),
        why,
    };
    // Capped like every file a user names: a wrong path (a log, /dev/zero) is an error.
    let text = crate::files::read_text(path).map_err(fail)?;
    let report = Report::from_json(&text).map_err(fail)?;
    if report.schema_version > SCHEMA_VERSION {
        return Err(fail(format!(
            "schema_version {} is newer than this zencheck reads ({SCHEMA_VERSION}): upgrade zencheck",
            report.schema_version
        )));
    }
    Ok(report)
}
