//! `zencheck fidelity`: serve the gateway's upstream on `--upstream-listen`, send every act
//! through the gateway, and report each aspect as one run (exit codes as for `probe`).

use crate::cli::term::TermArgs;
use crate::cli::{outputs, setup, FidelityArgs};
use crate::error::{self, RunError};
use crate::fidelity;
use crate::http::{observe, Http, Limits};
use crate::mock::upstream;
use crate::policy;
use crate::report::{self, Report};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// The model asked for when `-m` is not given.
pub const DEFAULT_MODEL: &str = "zencheck-upstream";

pub async fn command(args: &FidelityArgs, term: TermArgs) -> Result<u8, RunError> {
    // Every output path is checked before the upstream starts.
    let plan = outputs::Plan::prepare(args.format, args.output.as_deref(), &args.outputs)?
        .quiet(term.quiet);
    let report = fidelity_report(args).await?;
    plan.emit(&report, term.stdout_color())
}

/// Start the upstream, run every act through the gateway, and judge the report.
pub async fn fidelity_report(args: &FidelityArgs) -> Result<Report, RunError> {
    let fail_on = args.fail_on.unwrap_or_default();
    policy::needs_baseline(fail_on, false)?;
    let gateway = setup::gateway(
        &args.through,
        args.api_key_env.clone(),
        args.headers.clone(),
        args.name.clone(),
    )?;
    let model = args.model.clone().unwrap_or_else(|| DEFAULT_MODEL.into());
    if model.trim().is_empty() {
        return Err(RunError::Usage(
            "--model needs a model id; an empty one was given".into(),
        ));
    }
    let silence = args
        .silence
        .map(|s| error::secs(s, "--silence"))
        .transpose()?;
    let timeout = error::secs(args.timeout.unwrap_or(30.0), "--timeout")?;
    let listen = listen_addr(&args.upstream_listen)?;
    // `--trace FILE` is created before the upstream starts: a bad path sends nothing.
    let observer = observe::Observer::new(args.observe.verbose, args.observe.trace.as_deref())?;
    let upstream = upstream::start(
        listen,
        upstream::Plan {
            silence: silence.unwrap_or_default(),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| RunError::Io {
        what: format!("listen on --upstream-listen {}", args.upstream_listen),
        why: e.to_string(),
    })?;
    // A silence the gateway is meant to wait out must not be cut by zencheck first.
    let idle = timeout + silence.unwrap_or_default();
    let http = Http::new(Limits {
        idle,
        total: idle * 2 + Duration::from_secs(60),
        max_retry_wait: Duration::ZERO,
        ..Default::default()
    })
    .map_err(RunError::from)?
    .observed(observer);
    let clock = report::RunClock::start();
    let run = fidelity::check(&fidelity::Run {
        http: &http,
        gateway: &gateway,
        model: &model,
        upstream: &upstream,
        upstream_url: format!("http://{}/v1", args.upstream_listen),
        silence,
    })
    .await;
    let mut report = Report::new(vec![run]).timed(&clock);
    report.judge(fail_on, None);
    Ok(report)
}

/// `HOST:PORT` as an address to listen on (a name is resolved once).
fn listen_addr(s: &str) -> Result<SocketAddr, RunError> {
    s.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            RunError::Usage(format!(
                "--upstream-listen takes HOST:PORT (e.g. 127.0.0.1:9901), got `{}`",
                crate::redact::strip_controls(s)
            ))
        })
}
