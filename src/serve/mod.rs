//! `zencheck serve`: the config's targets as a Prometheus multi-target exporter, in the
//! pattern of blackbox_exporter (`/probe?target=NAME&module=MODULE`), with a guard on what
//! probes cost (see `guard`). It uses the one probe engine and HTTP client of `probe`.
//!
//! A target is a config target's name, never a URL: the exporter holds API keys and must
//! not send them to an address a caller names.

pub mod guard;
pub mod listen;
pub mod metrics;
mod routes;

use crate::check::tier::Tier;
use crate::cli::{ProbeArgs, ServeArgs};
use crate::error::RunError;
use crate::http::Http;
use crate::policy::FailOn;
use crate::probe::Options;
use crate::report::Report;
use crate::stop::Stop;
use crate::target::Target;
use guard::{Guard, Outcome};
use indexmap::IndexMap;
use secrecy::SecretString;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Cached this long unless the target says otherwise: a generation tier costs money.
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(300);

/// The catalog's default: free for the key, but a flood of scrapes must not become a flood
/// of `GET /models` that gets the key rate-limited.
pub const CATALOG_MIN_INTERVAL: Duration = Duration::from_secs(10);

/// The catalog's rate limit: at most one probe of a target's catalog per this, whatever
/// the config says.
pub const CATALOG_FLOOR: Duration = Duration::from_secs(1);

/// How long a module's result is reused when the config sets no `min_interval` for it.
pub fn default_min_interval(module: Tier) -> Duration {
    if module.generates() {
        DEFAULT_MIN_INTERVAL
    } else {
        CATALOG_MIN_INTERVAL
    }
}

/// One config target as the exporter runs it.
struct Entry {
    target: Target,
    opts: Options,
    /// The module of a scrape without `module=`.
    module: Tier,
    /// The config's `min_interval` per module (indexed by `Tier as usize`); else the
    /// module's default.
    min_interval: [Option<Duration>; 4],
}

/// Everything the endpoints share.
pub struct State {
    http: Http,
    targets: IndexMap<String, Entry>,
    fail_on: FailOn,
    /// The probe's bound when a scrape does not send its timeout.
    deadline: Duration,
    guard: Guard,
    metrics: metrics::Exporter,
    token: Option<SecretString>,
    /// The last outcome of each target in each module it was probed in (`/report`, the
    /// status page).
    reports: Mutex<HashMap<String, BTreeMap<Tier, Arc<Outcome>>>>,
    /// The requests being answered, which the shutdown waits for.
    in_flight: listen::InFlight,
    connections: Arc<listen::Counts>,
}

/// A running exporter; `stop` drains it.
pub struct Server {
    pub addr: SocketAddr,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stop accepting, let the scrapes being answered (and their probes) finish within the
    /// drain bound, drop every other connection, then return.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

/// Parse the config's targets exactly as `zencheck probe --config PATH` would.
fn probe_args(args: &ServeArgs) -> Result<ProbeArgs, RunError> {
    #[derive(clap::Parser)]
    struct Wrap {
        #[command(flatten)]
        probe: ProbeArgs,
    }
    use clap::Parser;
    let mut argv: Vec<std::ffi::OsString> = vec!["zencheck serve".into()];
    if let Some(p) = &args.config {
        argv.push("--config".into());
        argv.push(p.into());
    }
    if let Some(d) = args.deadline {
        argv.push(format!("--deadline={d}").into());
    }
    Wrap::try_parse_from(argv)
        .map(|w| w.probe)
        .map_err(|e| RunError::Usage(e.to_string()))
}

/// Load the config, bind `--listen` and serve until [`Server::stop`].
pub async fn start(args: &ServeArgs) -> Result<Server, RunError> {
    let probe_args = probe_args(args)?;
    let loaded = crate::cli::config::find(probe_args.config.as_deref()).map_err(RunError::from)?;
    let Some(loaded) = loaded else {
        return Err(RunError::Usage(format!(
            "zencheck serve probes the targets of a config file: write a {} or give --config PATH",
            crate::cli::config::DEFAULT_FILE
        )));
    };
    let run = crate::cli::setup::build(&probe_args)?;
    let mut targets = IndexMap::new();
    for (target, opts) in run.targets {
        let file = loaded.config.targets.get(&target.name);
        let mut min_interval = [None; 4];
        for module in Tier::ALL {
            min_interval[module as usize] =
                match file.and_then(|t| t.min_interval.as_ref()?.get(module)) {
                    None => None,
                    Some(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => {
                        Some(Duration::from_secs_f64(v))
                    }
                    Some(v) => {
                        return Err(RunError::Usage(format!(
                        "target `{}`: min_interval takes seconds from 0 to 86400, got {v} for {}",
                        target.name,
                        module.name()
                    )))
                    }
                };
        }
        let entry = Entry {
            module: file.and_then(|t| t.module).unwrap_or(Tier::Catalog),
            min_interval,
            target,
            opts,
        };
        targets.insert(entry.target.name.clone(), entry);
    }
    let token = match &args.auth_token_env {
        None => None,
        Some(var) => match std::env::var(var) {
            Ok(t) if !t.trim().is_empty() => Some(SecretString::from(t.trim().to_string())),
            _ => {
                return Err(RunError::Usage(format!(
                    "--auth-token-env: {var} is not set"
                )))
            }
        },
    };
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        RunError::Usage(format!(
            "--listen takes an address and port such as 127.0.0.1:9464, got `{}`",
            args.listen
        ))
    })?;
    let budget = args
        .max_probes_per_hour
        .or(loaded.config.serve.max_probes_per_hour);
    // One attempt, no retry: a Retry-After is reported, never waited out, in serve mode.
    let limits = crate::http::Limits {
        max_retry_wait: Duration::ZERO,
        ..run.limits
    };
    let state = Arc::new(State {
        http: Http::new(limits)
            .map_err(|e| RunError::Client(e.to_string()))?
            .with_memory_bound((args.max_memory as usize) << 20),
        targets,
        fail_on: run.fail_on,
        deadline: run.deadline,
        guard: Guard::new(budget),
        metrics: metrics::Exporter::new(budget),
        token,
        reports: Mutex::default(),
        in_flight: listen::InFlight::default(),
        connections: Arc::default(),
    });
    if !addr.ip().is_loopback() && state.token.is_none() {
        if !args.allow_unauthenticated {
            return Err(RunError::Usage(format!(
                "--listen {addr} is reachable beyond this machine and there is no --auth-token-env: anyone who can reach it could make this exporter spend its targets' keys. Give --auth-token-env VAR, listen on 127.0.0.1, or say --allow-unauthenticated"
            )));
        }
        eprintln!(
            "zencheck serve: warning: listening on {addr} without --auth-token-env (--allow-unauthenticated): anyone who can reach it can make this exporter spend its targets' keys"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| RunError::Io {
            what: format!("listen on {addr}"),
            why: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| RunError::Io {
        what: "read the listening address".into(),
        why: e.to_string(),
    })?;
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    let drain = run.deadline.min(Duration::from_secs(60)) + Duration::from_secs(2);
    let (in_flight, counts) = (state.in_flight.clone(), state.connections.clone());
    let app = routes::router(state);
    let max_connections = args.max_connections as usize;
    let task = tokio::spawn(listen::serve(
        listener,
        app,
        max_connections,
        in_flight,
        counts,
        rx,
        drain,
    ));
    Ok(Server {
        addr,
        shutdown,
        task,
    })
}

/// `; failed: chat.basic on m [auth], …`: the checks that failed or warned and their kinds,
/// for the probe's log line (at most ten, then how many more).
fn failed_checks(report: &Report) -> String {
    use crate::finding::Status;
    let bad: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.status.is_problem())
        .map(|c| {
            let on = c
                .model
                .as_deref()
                .map(|m| format!(" on {m}"))
                .unwrap_or_default();
            let kind = c
                .kind
                .map(|k| format!(" [{}]", k.code()))
                .unwrap_or_default();
            let warn = if c.status == Status::Warn {
                " (warning)"
            } else {
                ""
            };
            format!("{}{on}{kind}{warn}", c.check)
        })
        .collect();
    if bad.is_empty() {
        return String::new();
    }
    let more = bad.len().saturating_sub(10);
    let mut s = format!("; failed: {}", bad[..bad.len().min(10)].join(", "));
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

/// What a scrape is answered with.
pub enum Answer {
    Metrics(String),
    /// The probe of this target and module outlived the scrape's deadline and there is no
    /// earlier result to give.
    Busy,
}

impl State {
    fn min_interval(&self, name: &str, module: Tier) -> Duration {
        let set = self.targets[name].min_interval[module as usize]
            .unwrap_or_else(|| default_min_interval(module));
        if module.generates() {
            set
        } else {
            set.max(CATALOG_FLOOR)
        }
    }

    /// The guard's decision for one scrape: cached, shared, refused by the budget, or a
    /// new probe bounded by `bound`.
    async fn answer(
        self: &Arc<Self>,
        name: &str,
        module: Tier,
        bound: Duration,
        source: &'static str,
    ) -> Answer {
        let arrived = Instant::now();
        let until = arrived + bound;
        let min_interval = self.min_interval(name, module);
        let slot = self.guard.slot(name, module);
        let hit = |o: Arc<Outcome>| {
            self.metrics.cache_hit(name, module);
            Answer::Metrics(metrics::probe_answer(&o, o.age()))
        };
        if let Some(o) = slot
            .last()
            .filter(|o| o.age() < min_interval && o.serves(bound))
        {
            return hit(o);
        }
        let lock = tokio::time::timeout_at(until.into(), slot.running.clone().lock_owned()).await;
        let Ok(lock) = lock else {
            return slot
                .last()
                .filter(|o| o.serves(bound))
                .map_or(Answer::Busy, hit);
        };
        // A run that finished while this scrape waited for it is this scrape's answer too,
        // unless a shorter deadline than this scrape's cut it.
        if let Some(o) = slot
            .last()
            .filter(|o| (o.at >= arrived || o.age() < min_interval) && o.serves(bound))
        {
            return hit(o);
        }
        if module.generates() && !self.guard.spend() {
            self.metrics.budget_refused();
            return match slot.last().filter(|o| o.serves(bound)) {
                Some(o) => hit(o),
                None => Answer::Metrics(metrics::budget_exhausted_answer()),
            };
        }
        let bound = until.saturating_duration_since(Instant::now());
        let (state, name) = (self.clone(), name.to_string());
        // Spawned, so the probe finishes and fills the cache even if the scraper hangs up.
        let job = tokio::spawn(async move {
            let _lock = lock;
            let o = Arc::new(state.run(&name, module, bound, source).await);
            // A result cut short replaces one that answers more scrapes only once that one
            // is past min_interval.
            let keep = slot.last().filter(|old| {
                o.cut.is_some() && old.age() < min_interval && old.cut.is_none_or(|c| c > bound)
            });
            if keep.is_none() {
                slot.set(o.clone());
            }
            state
                .reports
                .lock()
                .expect("reports lock")
                .entry(name.clone())
                .or_default()
                .insert(module, o.clone());
            state.metrics.probed(&name, module, &o);
            eprintln!(
                "zencheck serve: probed {name} ({}) in {:.1} s: {}{}{}",
                module.name(),
                o.duration.as_secs_f64(),
                if o.report.failed() {
                    "failure"
                } else {
                    "success"
                },
                if o.cut.is_some() {
                    format!(" (cut short by {source})")
                } else {
                    String::new()
                },
                failed_checks(&o.report)
            );
            o
        });
        match job.await {
            Ok(o) => Answer::Metrics(metrics::probe_answer(&o, Duration::ZERO)),
            Err(_) => Answer::Busy,
        }
    }

    /// Probe one target in one module, within `bound`.
    async fn run(
        &self,
        name: &str,
        module: Tier,
        bound: Duration,
        source: &'static str,
    ) -> Outcome {
        let e = &self.targets[name];
        let mut opts = e.opts.clone();
        opts.selection = module.selection(&e.opts.selection);
        opts.stop = Stop::default().with_deadline(bound, source);
        let clock = crate::report::RunClock::start();
        let started = Instant::now();
        let run = crate::probe::probe(&self.http, &e.target, &opts, None).await;
        let cut = opts.stop.fired().map(|_| bound);
        let mut report = Report::new(vec![run]).timed(&clock);
        report.judge(self.fail_on, None);
        Outcome {
            report,
            at: Instant::now(),
            duration: started.elapsed(),
            cut,
            module,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_catalog_is_cached_briefly_by_default() {
        assert_eq!(default_min_interval(Tier::Catalog), CATALOG_MIN_INTERVAL);
        assert_eq!(default_min_interval(Tier::Stream), DEFAULT_MIN_INTERVAL);
    }
}
