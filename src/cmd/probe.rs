//! `zencheck probe`: resolve the targets, probe them concurrently, judge the report under
//! the policy and write it everywhere it was asked for; `--dry-run` shows the requests
//! instead of sending them; Ctrl-C ends with a partial report; `--reference` runs the same
//! checks against a reference endpoint too and marks what differs (`probe/reference.rs`).

use crate::check::{CheckId, Stage};
use crate::cli::outputs;
use crate::cli::term::TermArgs;
use crate::cli::{setup, Format, ProbeArgs};
use crate::error::{self, RunError, EXIT_OK};
use crate::http::curl::json_wrapped;
use crate::http::request::headers;
use crate::http::Request;
use crate::http::{observe, Http};
use crate::report::{self, Report};
use crate::target::Target;
use crate::{out, policy, probe, progress, stop};
use serde_json::{json, Value};

mod reference;

pub async fn command(args: &ProbeArgs, term: TermArgs) -> Result<u8, RunError> {
    if args.dry_run {
        let run = setup::build(args)?;
        if !term.quiet {
            warn_unprobed_routes(&run);
        }
        // What is shown is one run: under --repeat, say what all of them would send.
        if args.repeat > 1 && !term.quiet {
            out::warn(&repeat_cost(&run, args.repeat));
        }
        let planned = run
            .targets
            .iter()
            .map(|(target, opts)| (target, probe::planned_requests(target, opts)));
        if outputs::format_for(args.format, args.output.as_deref()) == Format::Json {
            // One JSON document: one target's object, or an array of one a target.
            let mut docs: Vec<Value> = planned.map(|(t, p)| describe_json(t, &p)).collect();
            let doc = match docs.len() {
                1 => docs.remove(0),
                _ => Value::Array(docs),
            };
            out::println(&format!("{doc:#}"))?;
        } else {
            for (target, p) in planned {
                out::print(&describe(target, &p, crate::fit::line_width()))?;
            }
        }
        return Ok(EXIT_OK);
    }
    // Every output path is checked before the first request is sent.
    let plan = outputs::Plan::prepare(args.format, args.output.as_deref(), &args.outputs)?
        .quiet(term.quiet);
    let args = &ProbeArgs {
        quiet: term.quiet,
        ..args.clone()
    };
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
    if let Some(url) = &args.reference {
        return reference::compared(args, url, progress, stop).await;
    }
    probe_built(setup::build(args)?, args, progress, stop).await
}

/// [`probe_report_until`] for targets already resolved (`zencheck mcp` decides which of
/// them may carry a key in between).
pub async fn probe_built(
    mut run: setup::Run,
    args: &ProbeArgs,
    progress: Option<&progress::Progress>,
    stop: stop::Stop,
) -> Result<Report, RunError> {
    // One instant for the whole run, shared by every target.
    let stop = stop.with_deadline(run.deadline, "--deadline");
    if let Some(p) = progress {
        p.bound(run.deadline);
    }
    for (_, o) in &mut run.targets {
        o.stop = stop.clone();
    }
    let baseline = args
        .baseline
        .as_deref()
        .map(policy::Baseline::read)
        .transpose()?;
    policy::needs_baseline(run.fail_on, baseline.is_some())?;
    if !args.quiet {
        warn_unprobed_routes(&run);
    }
    let repeat = args.repeat.max(1);
    if repeat > 1 && !args.quiet {
        out::warn(&repeat_cost(&run, repeat));
    }
    let http = Http::with_transport(run.limits, run.transport)
        .map_err(RunError::from)?
        .observed(observe::Observer::new(
            args.observe.verbose,
            args.observe.trace.as_deref(),
        )?);
    let clock = report::RunClock::start();
    // `--repeat`: the runs one after another, joined into one report; a run the deadline or
    // Ctrl-C cut short is left out when an earlier one finished (its cut rows would read as
    // flaky).
    let mut rounds = Vec::new();
    for i in 1..=repeat {
        if let Some(p) = progress {
            p.round(i, repeat);
        }
        let probes = run
            .targets
            .iter()
            .map(|(t, o)| probe::probe(&http, t, o, progress));
        let runs = futures_util::future::join_all(probes).await;
        let cut = stop.fired().is_some();
        if !cut || rounds.is_empty() {
            rounds.push(runs);
        }
        if cut {
            if repeat > 1 && i > 1 && !args.quiet {
                out::warn(&format!(
                    "zencheck: --repeat {repeat}: run {i} was cut short (--deadline or Ctrl-C) and is left out; the report joins the {} that finished (each check's repeats.runs says how many had it)",
                    crate::fit::count(u64::from(i - 1), "run")
                ));
            }
            break;
        }
    }
    let mut report = Report::new(report::repeat::join(rounds)).timed(&clock);
    report.judge(run.fail_on, baseline.as_ref());
    Ok(report)
}

/// Checks `--checks` names by id or family (a glob such as `*` says nothing) on a route no model of the target is probed on (`/messages` for a
/// model not named claude-…) would silently not run: say so, and the flag that runs them.
fn warn_unprobed_routes(run: &setup::Run) {
    for (t, o) in &run.targets {
        if t.models.is_empty() {
            continue;
        }
        let probed: Vec<_> = probe::plan(t, o).iter().map(|p| p.route).collect();
        let mut missed: Vec<(crate::route::Route, Vec<&str>)> = Vec::new();
        for c in CheckId::ALL {
            let Some(r) = c.route() else { continue };
            if probed.contains(&r) || !o.selection.names_outright(*c) || !o.selection.wants(*c) {
                continue;
            }
            match missed.iter_mut().find(|(m, _)| *m == r) {
                Some((_, ids)) => ids.push(c.id()),
                None => missed.push((r, vec![c.id()])),
            }
        }
        for (r, ids) in missed {
            let flag = clap::ValueEnum::to_possible_value(&r)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default();
            out::warn(&format!(
                "zencheck: {} not run: {} on {}, and no model of `{}` is probed there (messages only for claude-… models, embeddings only for embedding models, unless --routes says): add --routes {flag} (beside any other route you want probed) to run {}",
                ids.join(", "),
                if ids.len() == 1 { "it runs" } else { "they run" },
                r.path(),
                t.name,
                if ids.len() == 1 { "it" } else { "them" },
            ));
        }
    }
}

/// What `--repeat N` will cost, said before anything is sent: N times one run's planned
/// requests and output-token caps.
fn repeat_cost(run: &setup::Run, repeat: u32) -> String {
    let (requests, tokens) = repeat_counts(run, repeat);
    format!(
        "zencheck: --repeat {repeat}: every check runs {repeat} times, one run after another: about {} and at most {} ({repeat} × one run's; a reasoning model's raised caps come on top)",
        crate::fit::count(requests, "request"),
        crate::fit::count(tokens, "output token"),
    )
}

/// What `repeat` runs of `run` send: requests, and output tokens at most.
fn repeat_counts(run: &setup::Run, repeat: u32) -> (u64, u64) {
    let (mut requests, mut tokens) = (0u64, 0u64);
    for (t, o) in &run.targets {
        let planned = probe::planned_requests(t, o);
        requests += planned.len() as u64;
        tokens += output_cap(&planned);
    }
    let n = u64::from(repeat);
    (requests * n, tokens * n)
}

/// Text for `--dry-run`, laid out for `width` columns: a request's label goes under its
/// URL when both do not fit on a line, and a body is wrapped after its commas.
pub fn describe(
    target: &Target,
    planned: &[(CheckId, Option<String>, Request)],
    width: usize,
) -> String {
    use crate::fit::{cols, wrap_words};
    let para = |s: String| format!("{}\n", wrap_words(&s, width, ""));
    let input = input_tokens(planned);
    let input = if input > 0 {
        format!(" and about {input} input tokens of long prompts")
    } else {
        String::new()
    };
    let mut out = para(format!(
        "zencheck dry run: {} to {}, at most {}{input} (nothing sent)",
        crate::fit::count(planned.len() as u64, "request"),
        target.shown_url(),
        crate::fit::count(output_cap(planned), "output token")
    ));
    if let (Some(env), None) = (&target.key_env, &target.key) {
        out.push_str(&para(format!(
            "note: ${env} is not set, so no key would be sent"
        )));
    }
    for (id, model, req) in planned {
        let what = match model {
            Some(m) => format!("{} · {m}", id.id()),
            None => id.id().to_string(),
        };
        let line = format!("{} {}", req.method, target.shown_endpoint(&req.path));
        let label = format!("[{what}]");
        if cols(&line) + 4 + cols(&label) <= width {
            out.push_str(&format!("\n{line}    {label}\n"));
        } else {
            out.push_str(&format!("\n{line}\n  {label}\n"));
        }
        for (n, v) in headers(target, req) {
            out.push_str(&format!("  {n}: {v}\n"));
        }
        if let Some(b) = as_sent(target, req) {
            out.push_str(&format!("  {}\n", json_wrapped(&b, width - 2, "  ")));
        }
    }
    out.push('\n');
    out.push_str(&para(format!(
        "A run may also send: one retry of a request after a short Retry-After, and {} once more with \
         max_completion_tokens if a model refuses max_tokens. Checks after a failing basic check are skipped.",
        CheckId::basic_of(crate::route::Route::Chat).id()
    )));
    let for_reasoning: Vec<String> = CheckId::ALL
        .iter()
        .filter(|c| c.stage() == Stage::Reasoning)
        .map(|c| format!("{}'s", c.id()))
        .collect();
    out.push_str(&para(format!(
        "A model whose answers show reasoning gets every later request with its output cap raised to {cap} tokens, \
         and a request whose whole cap went to reasoning, or whose answer stopped at its cap, is sent once more with \
         {cap}; {} requests go only to such a model.",
        for_reasoning.join(" and "),
        cap = crate::check::REASONING_MAX_TOKENS
    )));
    if let Some(p) = target.profile {
        out.push_str(&para(format!(
            "As {c}: a check that fails is sent once more as zencheck itself, without {c}'s headers and \
             body fields, to tell whether the profile makes the difference: at most {} more; a check that passes costs \
             nothing more.",
            crate::fit::count(planned.len() as u64, "request"),
            c = p.name()
        )));
    }
    out
}

/// A request's body as it would go out: with `--as`, the client's fields added.
fn as_sent(target: &Target, req: &Request) -> Option<Value> {
    let b = req.body.as_ref()?;
    Some(target.shaped(&req.path, b))
}

/// JSON for `--dry-run --format json`: one target's requests (several targets print an
/// array of these).
pub fn describe_json(target: &Target, planned: &[(CheckId, Option<String>, Request)]) -> Value {
    let requests: Vec<Value> = planned
        .iter()
        .map(|(id, model, req)| {
            let headers: serde_json::Map<String, Value> = headers(target, req).into_iter().map(|(n, v)| (n, json!(v))).collect();
            json!({"check": id.id(), "model": model, "method": req.method.as_str(), "url": target.shown_endpoint(&req.path), "headers": headers, "body": as_sent(target, req)})
        })
        .collect();
    json!({"dry_run": true, "target": target.name, "base_url": target.shown_url(), "count": requests.len(), "output_tokens_cap": output_cap(planned),
           "input_tokens": input_tokens(planned),
           "reasoning_max_tokens": crate::check::REASONING_MAX_TOKENS, "requests": requests})
}

/// The input tokens the planned checks declare (their long prompts), once per check and
/// model: a multi-turn check lists one line per turn.
pub fn input_tokens(planned: &[(CheckId, Option<String>, Request)]) -> u64 {
    let mut seen = std::collections::HashSet::new();
    planned
        .iter()
        .filter(|(id, model, _)| seen.insert((*id, model.clone())))
        .map(|(id, _, _)| id.cost().input_tokens)
        .sum()
}

/// The sum of the output caps the planned requests carry.
pub fn output_cap(planned: &[(CheckId, Option<String>, Request)]) -> u64 {
    planned
        .iter()
        .filter_map(|(_, _, r)| r.body.as_ref())
        .filter_map(|b| {
            ["max_tokens", "max_completion_tokens", "max_output_tokens"]
                .iter()
                .find_map(|k| b.get(*k).and_then(Value::as_u64))
        })
        .sum()
}
