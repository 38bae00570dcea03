//! zencheck: tells whether an OpenAI-compatible LLM endpoint really works for the way an
//! application calls it, and if not, why and what to change.
//!
//! `run` drives everything, so tests can call it in-process; `main.rs` only parses
//! arguments and maps the outcome to an exit code.

// A failed check travels as `Err(Finding)` inside the checks; it is a value, not an
// exceptional path, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod classify;
pub mod cli;
pub mod cmd;
pub mod error;
pub mod failure;
pub mod fidelity;
pub mod files;
pub mod finding;
pub mod fit;
pub mod gateway;
pub mod http;
pub mod mock;
pub mod opencode;
pub mod out;
pub mod policy;
pub mod probe;
pub mod profile;
pub mod progress;
pub mod provider;
pub mod reasoning;
pub mod redact;
pub mod report;
pub mod route;
pub mod serve;
pub mod stop;
pub mod target;
pub mod timings;

pub use error::{RunError, EXIT_CHECK_FAILED, EXIT_COULD_NOT_RUN, EXIT_OK, EXIT_USAGE};

use cli::{Cli, Command, OpencodeCommand};
use cmd::{checks, demo, explain, init, manual};
use std::process::ExitCode;

pub async fn run(cli: Cli) -> ExitCode {
    let term = cli.term;
    let command = command_name(&cli.command);
    let result = match cli.command {
        Command::Probe(args) => cmd::probe::command(&args, term).await,
        Command::Fidelity(args) => cmd::fidelity::command(&args, term).await,
        Command::Mock(args) => cmd::mock::command(&args).await,
        Command::Explain(args) => explain::command(&args),
        Command::Opencode(args) => cmd::opencode::command(args.command, term).await,
        Command::Serve(args) => cmd::serve::command(&args).await,
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
        Command::Report(args) => cmd::report::command(&args, term),
        Command::Completions(args) => manual::completions(args.shell),
        Command::Man => manual::man(),
        Command::Checks(args) => checks::command(&args),
        Command::Init(args) => init::command(&args),
        Command::Mcp(args) => cmd::mcp::command(&args).await,
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
        Command::Fidelity(_) => "fidelity",
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
        Command::Mcp(_) => "mcp",
    }
}
