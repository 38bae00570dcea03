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
pub mod demo;
pub mod failure;
pub mod http;
pub mod mock;
pub mod outcome;
pub mod probe;
pub mod provider;
pub mod report;
pub mod reproduce;
pub mod route;
pub mod sse;
pub mod target;

use cli::{Cli, Command, Format, MockArgs, ProbeArgs};
use http::{Http, Limits};
use provider::Provider;
use report::Report;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;
use target::{normalise_base_url, parse_header, Target};

/// Exit codes: documented in the README; clap itself exits 2 on usage errors.
pub const EXIT_OK: u8 = 0;
pub const EXIT_CHECK_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_COULD_NOT_RUN: u8 = 3;

/// zencheck itself could not run. A failing check is never one of these.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error("{0}")]
    #[diagnostic(code(zencheck::usage), help("see `zencheck probe --help`"))]
    Usage(String),
    #[error(transparent)]
    #[diagnostic(
        code(zencheck::target),
        help("a base URL looks like https://opencode.ai/zen/v1 or http://127.0.0.1:11434/v1")
    )]
    Target(#[from] target::TargetError),
    #[error("unknown scenario `{0}`")]
    #[diagnostic(code(zencheck::scenario), help("`zencheck mock --list` names them"))]
    UnknownScenario(String),
    #[error("could not start the HTTP client: {0}")]
    #[diagnostic(code(zencheck::client))]
    Client(String),
    #[error("could not start the mock server: {0}")]
    #[diagnostic(
        code(zencheck::mock),
        help("is the port already in use? --port 0 picks a free one")
    )]
    Mock(String),
}

impl RunError {
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Usage(_) | RunError::Target(_) | RunError::UnknownScenario(_) => EXIT_USAGE,
            RunError::Client(_) | RunError::Mock(_) => EXIT_COULD_NOT_RUN,
        }
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Probe(args) => probe_command(&args).await,
        Command::Mock(args) => mock_command(&args).await,
        Command::Demo(args) => demo::run(&args, stdout_color()).await.map(|all_ok| {
            if all_ok {
                EXIT_OK
            } else {
                EXIT_CHECK_FAILED
            }
        }),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = e.exit_code();
            eprintln!("{:?}", miette::Report::new(e));
            ExitCode::from(code)
        }
    }
}

/// Colour only on a terminal, and never with NO_COLOR set (https://no-color.org).
fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

async fn probe_command(args: &ProbeArgs) -> Result<u8, RunError> {
    if args.dry_run {
        let target = build_target(args)?;
        let planned = probe::planned_requests(&target, &options(args)?);
        match args.format {
            Format::Table => print!("{}", reproduce::describe(&target, &planned)),
            Format::Json => println!("{:#}", reproduce::describe_json(&target, &planned)),
        }
        return Ok(EXIT_OK);
    }
    let progress = (args.format == Format::Table && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} probing: {pos}/{len} checks")
                .expect("static template"),
        );
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    });
    let report = probe_report(args, progress.as_ref()).await?;
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    match args.format {
        Format::Table => print!("{}", report::render_table(&report, stdout_color())),
        Format::Json => println!("{}", report.to_json()),
    }
    Ok(if report.failed() {
        EXIT_CHECK_FAILED
    } else {
        EXIT_OK
    })
}

/// Build the target from flags and the environment, probe it, and return the report.
pub async fn probe_report(
    args: &ProbeArgs,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<Report, RunError> {
    let target = build_target(args)?;
    let opts = options(args)?;
    let http = Http::new(limits(args)?).map_err(|e| RunError::Client(e.to_string()))?;
    Ok(probe::probe(&http, &target, &opts, progress).await)
}

pub fn options(args: &ProbeArgs) -> Result<probe::Options, RunError> {
    if args.concurrency == 0 {
        return Err(RunError::Usage("--concurrency must be at least 1".into()));
    }
    let selection = check::Selection::new(&args.checks, &args.skip).map_err(RunError::Usage)?;
    let routes = (!args.routes.is_empty()).then(|| args.routes.clone());
    let explicit = routes.is_some() || !args.checks.is_empty();
    Ok(probe::Options {
        concurrency: args.concurrency,
        selection,
        routes,
        explicit,
    })
}

pub fn limits(args: &ProbeArgs) -> Result<Limits, RunError> {
    Ok(Limits {
        connect: secs(args.connect_timeout, "--connect-timeout")?,
        idle: secs(args.timeout, "--timeout")?,
        total: secs(args.max_time, "--max-time")?,
        max_retry_wait: Duration::from_secs(args.max_retry_wait),
        ..Limits::default()
    })
}

pub(crate) fn secs(v: f64, flag: &str) -> Result<Duration, RunError> {
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(RunError::Usage(format!(
            "{flag} takes a number of seconds above 0, got {v}"
        )))
    }
}

pub fn build_target(args: &ProbeArgs) -> Result<Target, RunError> {
    let raw = match (&args.base_url, args.provider) {
        (Some(u), _) => u.clone(),
        (None, Some(p)) => p.base_url().to_string(),
        (None, None) => {
            return Err(RunError::Usage(
                "give --base-url URL or --provider NAME".into(),
            ))
        }
    };
    let (base_url, base_url_fix) = normalise_base_url(&raw)?;
    let parsed = url::Url::parse(&base_url)
        .map_err(|e| target::TargetError::BadUrl(raw.clone(), e.to_string()))?;
    let provider = args.provider.or_else(|| Provider::infer(&parsed));
    let key_env = args
        .api_key_env
        .clone()
        .or_else(|| provider.and_then(Provider::key_env).map(str::to_string));
    let key = key_env
        .as_deref()
        .and_then(|v| std::env::var(v).ok())
        .filter(|k| !k.trim().is_empty())
        .map(|k| secrecy::SecretString::from(k.trim().to_string()));
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let name = args.name.clone().unwrap_or_else(|| match provider {
        Some(p) if args.base_url.is_none() => format!("{p:?}").to_lowercase(),
        _ => parsed
            .host_str()
            .map(|h| match parsed.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_string(),
            })
            .unwrap_or_else(|| "target".into()),
    });
    Ok(Target {
        name,
        provider,
        base_url,
        base_url_fix,
        key_env,
        key,
        headers,
        models: args.models.clone(),
    })
}

async fn mock_command(args: &MockArgs) -> Result<u8, RunError> {
    if args.list {
        for i in mock::SCENARIOS {
            println!("{:<24} {}  [{}]", i.name, i.summary, i.expect.describe());
        }
        return Ok(EXIT_OK);
    }
    let name = args.scenario.as_deref().unwrap_or_default();
    let scenario = mock::Scenario::from_name(name)
        .ok_or_else(|| RunError::UnknownScenario(name.to_string()))?;
    let server = mock::start(scenario, args.port)
        .await
        .map_err(|e| RunError::Mock(e.to_string()))?;
    println!(
        "zencheck mock: scenario `{name}` listening on {}",
        server.base_url()
    );
    println!(
        "try: zencheck probe --base-url {} --model {}",
        server.base_url(),
        demo::DEMO_MODEL
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(EXIT_OK)
}
