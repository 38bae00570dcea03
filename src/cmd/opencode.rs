//! `zencheck opencode serve-check` and `zencheck opencode run-check`: ask a real opencode
//! whether it can use the model, and report it as one run.

use crate::cli::outputs;
use crate::cli::term::TermArgs;
use crate::cli::OpencodeCommand;
use crate::error::{self, RunError};
use crate::report::{self, Report};
use crate::{opencode, policy};

pub async fn command(cmd: OpencodeCommand, term: TermArgs) -> Result<u8, RunError> {
    let report_args = match &cmd {
        OpencodeCommand::ServeCheck(a) => a.report.clone(),
        OpencodeCommand::RunCheck(a) => a.report.clone(),
    };
    // Every output path is checked before opencode is asked anything.
    let plan = outputs::Plan::prepare(
        report_args.format,
        report_args.output.as_deref(),
        &report_args.outputs,
    )?
    .quiet(term.quiet);
    policy::needs_baseline(report_args.fail_on.unwrap_or_default(), false)?;
    let clock = report::RunClock::start();
    let run = match cmd {
        OpencodeCommand::ServeCheck(a) => {
            let password = match &a.password_env {
                Some(v) => Some(
                    std::env::var(v)
                        .map(secrecy::SecretString::from)
                        .map_err(|_| RunError::Usage(format!("{v} is not set")))?,
                ),
                None => None,
            };
            let sc = opencode::serve::ServeCheck {
                url: a.url.clone(),
                model: opencode::ModelRef::parse(&a.model)?,
                password_env: a.password_env.clone(),
                password,
                timeout: error::secs(a.timeout, "--timeout")?,
            };
            opencode::serve::check(&sc).await?
        }
        OpencodeCommand::RunCheck(a) => {
            let dir = match &a.dir {
                Some(d) => d.clone(),
                None => std::env::current_dir().map_err(|e| RunError::Io {
                    what: "find the current folder".into(),
                    why: e.to_string(),
                })?,
            };
            let rc = opencode::run::RunCheck {
                model: opencode::ModelRef::parse(&a.model)?,
                bin: opencode::run::find_bin(a.opencode_bin.as_deref())?,
                dir,
                timeout: error::secs(a.timeout, "--timeout")?,
            };
            opencode::run::check(&rc).await?
        }
    };
    let mut report = Report::new(vec![run]).timed(&clock);
    report.judge(report_args.fail_on.unwrap_or_default(), None);
    plan.emit(&report, term.stdout_color())
}
