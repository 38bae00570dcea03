//! zencheck: tells whether an OpenAI-compatible LLM endpoint really works for the way an
//! application calls it, and if not, why and what to change.
//!
//! `run` drives everything, so tests can call it in-process; `main.rs` only parses
//! arguments and maps the outcome to an exit code.

// A failed check travels as `Err(Finding)` inside the checks; it is a value, not an
// exceptional path, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod checks_cmd;
pub mod classify;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod explain;
pub mod failure;
pub mod files;
pub mod help_examples;
pub mod http;
pub mod init;
pub mod limit;
pub mod manual;
pub mod mock;
pub mod observe;
pub mod openai_env;
pub mod opencode;
pub mod out;
pub mod outcome;
pub mod outputs;
pub mod policy;
pub mod probe;
pub mod progress;
pub mod provider;
pub mod reasoning;
pub mod redact;
pub mod report;
pub mod reproduce;
pub mod rerender;
pub mod route;
pub mod serve;
pub mod setup;
pub mod spend;
pub mod sse;
pub mod stop;
pub mod target;
pub mod term;
pub mod timings;
pub mod transport;
pub mod verdict;

pub use error::{RunError, EXIT_CHECK_FAILED, EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_USAGE};

use cli::{Cli, Command, Format, MockArgs, OpencodeCommand, ProbeArgs};
use http::Http;
use report::Report;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> ExitCode {
    let term = cli.term;
    let command = command_name(&cli.command);
    let result = match cli.command {
        Command::Probe(args) => probe_command(&args, term).await,
        Command::Mock(args) => mock_command(&args).await,
        Command::Explain(args) => explain::command(&args),
        Command::Opencode(args) => opencode_command(args.command, term).await,
        Command::Serve(args) => serve::command(&args).await,
        Command::Demo(args) => {
            demo::run(&args, term).await.map(
                |all_ok| {
                    if all_ok {
                        EXIT_OK
                    } else {
                        EXIT_CHECK_FAILED
                    }
                },
            )
        }
        Command::Report(args) => rerender::command(&args, term),
        Command::Completions(args) => manual::completions(args.shell),
        Command::Man => manual::man(),
        Command::Checks(args) => checks_cmd::command(&args),
        Command::Init(args) => init::command(&args),
    };
    // A usage error points at the help of the subcommand that refused it.
    match result.map_err(|e| from_variable(e).of_command(command)) {
        Ok(code) => ExitCode::from(code),
        Err(RunError::BrokenPipe) => ExitCode::from(EXIT_OK),
        Err(e) => {
            let code = e.exit_code();
            out::warn(&format!("{:?}", miette::Report::new(e)));
            ExitCode::from(code)
        }
    }
}

/// A usage error about a flag (`--timeout takes …`) whose value came from a `ZENCHECK_*`
/// variable says so: the user did not type that flag.
fn from_variable(e: RunError) -> RunError {
    let RunError::Usage(m) = e else { return e };
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let var = m
        .split_whitespace()
        .next()
        .and_then(|f| cli::variable_behind(f, &argv));
    match var {
        Some(var) => RunError::Usage(format!("{m} (from the environment variable {var})")),
        None => RunError::Usage(m),
    }
}

/// The subcommand as typed, for "see `zencheck NAME --help`".
fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Probe(_) => "probe",
        Command::Mock(_) => "mock",
        Command::Explain(_) => "explain",
        Command::Opencode(a) => match a.command {
            OpencodeCommand::ServeCheck(_) => "opencode serve-check",
            OpencodeCommand::RunCheck(_) => "opencode run-check",
        },
        Command::Demo(_) => "demo",
        Command::Serve(_) => "serve",
        Command::Report(_) => "report",
        Command::Completions(_) => "completions",
        Command::Man => "man",
        Command::Checks(_) => "checks",
        Command::Init(_) => "init",
    }
}

async fn probe_command(args: &ProbeArgs, term: term::TermArgs) -> Result<u8, RunError> {
    if args.dry_run {
        let run = setup::build(args)?;
        for (target, opts) in &run.targets {
            let planned = probe::planned_requests(target, opts);
            match outputs::format_for(args.format, args.output.as_deref()) {
                Format::Json => {
                    out::println(&format!("{:#}", reproduce::describe_json(target, &planned)))?
                }
                _ => out::print(&reproduce::describe(
                    target,
                    &planned,
                    report::fit::line_width(),
                ))?,
            }
        }
        return Ok(EXIT_OK);
    }
    // Every output path is checked before the first request is sent.
    let plan = outputs::Plan::prepare(args.format, args.output.as_deref(), &args.outputs)?
        .quiet(term.quiet);
    // On stderr whenever it is a terminal, whatever the format or -o: stdout is untouched.
    let progress = progress::Progress::on_terminal(term.quiet);
    // A first Ctrl-C stops the run where it is and reports what finished; a second exits at once.
    let interrupt = stop::Interrupt::default();
    let run = probe_report_until(args, progress.as_ref(), interrupt.stop());
    tokio::pin!(run);
    let mut report = tokio::select! {
        r = &mut run => r?,
        _ = tokio::signal::ctrl_c() => {
            interrupt.fire();
            tokio::spawn(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(i32::from(error::EXIT_INTERRUPTED));
                }
            });
            run.await?
        }
    };
    if let Some(p) = &progress {
        p.finish();
    }
    if !interrupt.fired() {
        return plan.emit(&report, term.stdout_color());
    }
    let done = report
        .checks
        .iter()
        .filter(|c| !c.detail.starts_with("interrupted (Ctrl-C)"))
        .count();
    let why =
        format!("interrupted (Ctrl-C): a partial report of the {done} checks finished so far");
    report.interrupted = true;
    report.outcome.reasons.insert(0, why.clone());
    let marked = plan.format() == Format::Table || !plan.to_stdout();
    plan.emit(&report, term.stdout_color())?;
    if marked {
        println!("INTERRUPTED: {why}");
    }
    Ok(error::EXIT_INTERRUPTED)
}

async fn opencode_command(cmd: OpencodeCommand, term: term::TermArgs) -> Result<u8, RunError> {
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
    policy::judge(&mut report, report_args.fail_on.unwrap_or_default(), None);
    plan.emit(&report, term.stdout_color())
}

/// Resolve the targets, probe them concurrently, and judge the result under the policy.
pub async fn probe_report(
    args: &ProbeArgs,
    progress: Option<&progress::Progress>,
) -> Result<Report, RunError> {
    probe_report_until(args, progress, stop::Stop::default()).await
}

/// [`probe_report`] that also ends when `stop` fires; the run's `--deadline` is added to it.
pub async fn probe_report_until(
    args: &ProbeArgs,
    progress: Option<&progress::Progress>,
    stop: stop::Stop,
) -> Result<Report, RunError> {
    let mut run = setup::build(args)?;
    // One instant for the whole run, shared by every target.
    let stop = stop.with_deadline(run.deadline, "--deadline");
    for (_, o) in &mut run.targets {
        o.stop = stop.clone();
    }
    let baseline = args
        .baseline
        .as_deref()
        .map(policy::Baseline::read)
        .transpose()?;
    policy::needs_baseline(run.fail_on, baseline.is_some())?;
    let http = Http::with_transport(run.limits, run.transport)
        .map_err(RunError::from)?
        .observed(observe::Observer::from_args(&args.observe)?);
    let probes = run
        .targets
        .iter()
        .map(|(t, o)| probe::probe(&http, t, o, progress));
    let clock = report::RunClock::start();
    let mut report = Report::new(futures_util::future::join_all(probes).await).timed(&clock);
    policy::judge(&mut report, run.fail_on, baseline.as_ref());
    Ok(report)
}

async fn mock_command(args: &MockArgs) -> Result<u8, RunError> {
    if args.list {
        out::print(&mock::scenario_list(report::fit::line_width()))?;
        return Ok(EXIT_OK);
    }
    let name = args.scenario.as_deref().unwrap_or_default();
    let scenario = mock::Scenario::from_name(name).ok_or_else(|| RunError::UnknownScenario {
        name: crate::redact::strip_controls(name),
        help: mock::closest_hint(name),
    })?;
    let opts = mock::Options {
        latency: std::time::Duration::from_millis(args.latency_ms),
        extra_models: args.models.clone(),
    };
    let server = mock::start_with(scenario, args.port, opts)
        .await
        .map_err(|e| RunError::Mock(e.to_string()))?;
    out::println(&format!(
        "zencheck mock: scenario `{name}` listening on {}",
        server.base_url()
    ))?;
    out::println(&format!(
        "try: zencheck probe --base-url {} --model {}",
        server.base_url(),
        demo::DEMO_MODEL
    ))?;
    let _ = tokio::signal::ctrl_c().await;
    Ok(EXIT_OK)
}
