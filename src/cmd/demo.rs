//! `zencheck demo`: start the built-in provider in several scenarios, probe each, show
//! the reports, and check that each broken one was diagnosed as expected. Offline.

use crate::cli::DemoArgs;
use crate::error::RunError;
use crate::finding::Status;
use crate::http::{Http, Limits};
use crate::mock::{self, Expect, Info, SCENARIOS};
use crate::report::{render_failures, render_head, render_table_with, Layout, Report};
use crate::target::Target;
use std::time::Duration;

pub const DEMO_MODEL: &str = "mock-small";
/// The fake key the `auth` scenario is sent (the mock echoes it; the report shows it
/// scrubbed), and the variable the report names as its source.
pub const DEMO_KEY: &str = "sk-demo-0123456789abcdefFAKE";
pub const DEMO_KEY_ENV: &str = "DEMO_FAKE_KEY";

/// Did the report say what the scenario should make it say?
pub fn diagnosed(info: &Info, report: &Report) -> bool {
    let clean = report.summary.fail == 0 && report.summary.warn == 0 && report.summary.pass > 0;
    match info.expect {
        Expect::Clean => clean,
        Expect::Kind(check, kind) => report
            .checks
            .iter()
            .any(|c| c.check == check && c.kind == Some(kind)),
        Expect::Unsupported(check) => {
            clean
                && report
                    .checks
                    .iter()
                    .any(|c| c.check == check && c.status == Status::Unsupported)
        }
        Expect::Reasoning(check, field) => {
            // The first cap of a basic check is too small for a reasoning model: that one
            // warning (output_length) is part of the diagnosis.
            let cap_warned_only = report.summary.fail == 0
                && report
                    .checks
                    .iter()
                    .filter(|c| c.status == Status::Warn)
                    .all(|c| c.kind == Some(crate::failure::Kind::OutputLength));
            cap_warned_only
                && report.checks.iter().any(|c| {
                    c.check == check && c.reasoning.as_ref().is_some_and(|r| r.fields == [field])
                })
        }
    }
}

/// Probe one scenario's mock as the demo does: its models and routes, and for `auth` a
/// fake key the mock echoes, so the scrubbing shows.
async fn probe_scenario(
    http: &Http,
    server: &mock::MockServer,
    info: &Info,
    progress: Option<&crate::progress::Progress>,
) -> Report {
    let mut target = Target {
        provider: info.zen.then_some(crate::provider::Provider::Zen),
        models: info.models.iter().map(|m| m.to_string()).collect(),
        ..Target::new(info.name, &server.base_url()).expect("the mock's URL is valid")
    };
    if info.scenario == mock::Scenario::Auth {
        target.key_env = Some(DEMO_KEY_ENV.to_string());
        target.key = Some(DEMO_KEY.to_string().into());
    }
    let opts = crate::probe::Options {
        concurrency: 4,
        routes: (!info.routes.is_empty()).then(|| info.routes.to_vec()),
        explicit: !info.routes.is_empty(),
        selection: scenario_selection(info),
        ..Default::default()
    };
    Report::new(vec![
        crate::probe::probe(http, &target, &opts, progress).await,
    ])
}

/// Runs the demo; `Ok(true)` when every scenario was diagnosed as expected.
pub async fn run(args: &DemoArgs, term: crate::cli::term::TermArgs) -> Result<bool, RunError> {
    let color = term.stdout_color();
    let chosen: Vec<&Info> = SCENARIOS
        .iter()
        .filter(|i| args.all || i.showcase)
        .collect();
    let idle = crate::error::secs(args.timeout, "--timeout")?;
    let limits = Limits {
        idle,
        total: idle * 4,
        max_retry_wait: Duration::from_secs(2),
        ..Limits::default()
    };
    let http = Http::new(limits).map_err(|e| RunError::Client(e.to_string()))?;
    let mut servers = Vec::new();
    for info in &chosen {
        servers.push(
            mock::start(info.scenario, 0)
                .await
                .map_err(|e| RunError::Mock(e.to_string()))?,
        );
    }
    let progress = crate::progress::Progress::on_terminal(term.quiet);
    let progress = progress.as_ref();
    let probes = servers
        .iter()
        .zip(&chosen)
        .map(|(server, info)| probe_scenario(&http, server, info, progress));
    let mut reports = futures_util::future::join_all(probes).await;
    // Every scenario runs at once in this one process, so a stream's pacing is measured
    // under the demo's own load: a scenario that came out otherwise than expected is probed
    // once more, alone, and that run stands (and says so).
    let mut again = vec![false; chosen.len()];
    for (i, (server, info)) in servers.iter().zip(&chosen).enumerate() {
        if !diagnosed(info, &reports[i]) {
            reports[i] = probe_scenario(&http, server, info, progress).await;
            again[i] = true;
        }
    }
    if let Some(p) = progress {
        p.finish();
    }

    let mut ok = 0;
    for ((info, report), again) in chosen.iter().zip(&reports).zip(again) {
        let good = diagnosed(info, report);
        ok += usize::from(good);
        let expect = format!("expect {}", info.expect.describe());
        let verdict = match (good, again) {
            (true, false) => "as expected",
            (true, true) => "as expected when probed again alone (not in the first run, beside the other scenarios)",
            (false, _) => "NOT AS EXPECTED",
        };
        let width = crate::fit::line_width();
        let mut text = format!(
            "{}\n{}\n\n",
            crate::fit::wrap_words(
                &format!("━━ scenario `{}`: {}", info.name, info.summary),
                width,
                "   "
            ),
            crate::fit::wrap_words(&format!("   {expect}: {verdict}"), width, "   ")
        );
        // Clean and multi-model scenarios show the whole table; broken ones their failures
        // (with --all-rows, every row); one with no failure to show (a route unsupported)
        // its table.
        let failures = render_failures(report, color);
        let whole = matches!(info.expect, Expect::Clean) || info.models.len() > 1 || !good;
        if whole || args.all_rows || failures.is_empty() {
            let layout = Layout {
                all: args.all_rows,
                ..Default::default()
            };
            text.push_str(&render_table_with(report, color, layout));
        } else {
            // The header and model lines a run prints, then the failures.
            text.push_str(&render_head(report, color, Layout::default()));
            text.push_str(&format!("\n{failures}"));
        }
        // `-q` keeps only the demo's own verdict below.
        if !term.quiet {
            crate::out::println(&text)?;
        }
    }
    crate::out::println(&format!(
        "demo: {ok} of {} scenarios diagnosed as expected",
        chosen.len()
    ))?;
    // The next step: the same on the user's own endpoint (`-q` keeps only the verdict).
    if !term.quiet {
        crate::out::println(
            "next: probe your own endpoint (its key in a variable --api-key-env names):\n  \
             zencheck probe --base-url https://HOST/v1 -m MODEL --api-key-env MY_KEY",
        )?;
    }
    Ok(ok == chosen.len())
}

/// The checks a scenario is probed with: the defaults, or `chat.basic` and the opt-in checks
/// it names.
fn scenario_selection(info: &Info) -> crate::check::Selection {
    if info.checks.is_empty() {
        return crate::check::Selection::default();
    }
    let basic = crate::check::CheckId::basic_of(crate::route::Route::Chat);
    let mut names = vec![basic.id().to_string()];
    names.extend(info.checks.iter().map(|c| c.to_string()));
    crate::check::Selection::new(&names, &[]).expect("a scenario names real checks")
}
