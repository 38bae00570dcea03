//! How "zencheck could not run" reaches the user: the error type and the exit codes.
//! It imports nothing of the crate: a lower room's error becomes a `RunError` through a
//! `From` beside that error's own type.

use std::time::Duration;

/// A lower room's error, carried whole so that its code, help and source spans render as
/// its own type defines them.
pub type Diag = Box<dyn miette::Diagnostic + Send + Sync>;

/// Exit codes: documented in the README; clap itself exits 2 on usage errors.
pub const EXIT_OK: u8 = 0;
pub const EXIT_CHECK_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_COULD_NOT_RUN: u8 = 3;
/// Ctrl-C cut the run short (128 + SIGINT, as shells report it); the partial report was written.
pub const EXIT_INTERRUPTED: u8 = 130;

/// zencheck itself could not run. A failing check is never one of these.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error("{0}")]
    #[diagnostic(code("zencheck::usage"), help("see `zencheck probe --help`"))]
    Usage(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Target(Diag),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Diag),
    /// A usage error of the named subcommand, whose help it points at.
    #[error("{message}")]
    #[diagnostic(code("zencheck::usage"), help("see `zencheck {command} --help`"))]
    UsageOf {
        message: String,
        command: &'static str,
    },
    #[error("unknown scenario `{name}`")]
    #[diagnostic(code("zencheck::scenario"))]
    UnknownScenario {
        name: String,
        /// The closest scenario names, and where the rest are listed.
        #[help]
        help: String,
    },
    #[error("cannot use the baseline {path}: {why}")]
    #[diagnostic(
        code("zencheck::baseline"),
        help("pass a report written earlier by `zencheck probe --format json`")
    )]
    Baseline { path: String, why: String },
    #[error("cannot {what}: {why}")]
    #[diagnostic(code("zencheck::io"))]
    Io { what: String, why: String },
    /// stdout was closed under us (`| head`): nothing more can be shown; end quietly.
    #[error("standard output was closed")]
    #[diagnostic(code("zencheck::broken_pipe"))]
    BrokenPipe,
    #[error("could not start the HTTP client: {0}")]
    #[diagnostic(code("zencheck::client"))]
    Client(String),
    #[error("could not start the mock server: {0}")]
    #[diagnostic(
        code("zencheck::mock"),
        help("is the port already in use? --port 0 picks a free one")
    )]
    Mock(String),
}

impl RunError {
    /// A usage error pointed at the help of `command` (`explain`, `opencode serve-check`…)
    /// rather than `probe`'s; other errors unchanged.
    pub fn of_command(self, command: &'static str) -> RunError {
        match self {
            RunError::Usage(message) if command != "probe" => {
                RunError::UsageOf { message, command }
            }
            e => e,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage(_)
            | RunError::UsageOf { .. }
            | RunError::Target(_)
            | RunError::UnknownScenario { .. } => EXIT_USAGE,
            RunError::Config(_)
            | RunError::Baseline { .. }
            | RunError::Io { .. }
            | RunError::Client(_)
            | RunError::Mock(_) => EXIT_COULD_NOT_RUN,
            // A reader that stopped reading (`| head`) is not a failure of the run.
            RunError::BrokenPipe => EXIT_OK,
        }
    }
}

/// A duration flag in seconds: finite, above 0, at most a day.
pub(crate) fn secs(v: f64, flag: &str) -> Result<Duration, RunError> {
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(RunError::Usage(format!(
            "{flag} takes a number of seconds above 0, got {v}"
        )))
    }
}
