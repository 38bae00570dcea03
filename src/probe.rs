//! Plans the checks for one target, runs them concurrently in two stages, and builds the
//! report.
//!
//! Stage 1 sends `/models` and each route's `basic` check; stage 2 the rest of each route.
//! The basic answer decides two things first: which output-cap parameter the model takes
//! (`max_tokens`, or `max_completion_tokens` for reasoning models), and whether more
//! requests are pointless (a dead key, an unknown model, a route the server lacks).

use crate::check::{self, chat, models, CheckId, Ctx, Derive, Selection, Stage, TokenCap};
use crate::failure::{HintContext, Kind};
use crate::finding::{Finding, Status};
use crate::http::spend::Spent;
use crate::http::{Http, Request};
use crate::progress::Progress;
use crate::report::{CheckResult, TargetRun};
use crate::route::{self, Home, Route};
use crate::target::{Target, TargetInfo};
use futures_util::StreamExt;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub concurrency: usize,
    pub selection: Selection,
    /// Routes to probe for every model; `None` picks per model (see `route::default_routes`,
    /// or `route::every_route` when checks were named).
    pub routes: Option<Vec<Route>>,
    /// The user named the routes or checks: a route they asked for that refuses the model
    /// is a failure, not just information.
    pub explicit: bool,
    /// Check patterns the application depends on (`require` in the config).
    pub require: Vec<String>,
    /// Attach a reproducing curl command to every check that did not pass.
    pub curl: bool,
    /// When the run must end (deadline, Ctrl-C): unfinished checks become findings.
    pub stop: crate::stop::Stop,
}

/// One model's planned checks on one route, basic first when it runs.
pub struct RoutePlan {
    pub model: usize,
    pub route: Route,
    pub checks: Vec<CheckId>,
}

/// Kinds after which the route's other checks would only repeat the same failure.
const BLOCKING: [Kind; 11] = [
    Kind::Auth,
    // A firewall or risk control: more requests only risk getting the address banned.
    Kind::Blocked,
    Kind::Billing,
    Kind::AccessDenied,
    Kind::ModelNotFound,
    Kind::WrongRoute,
    Kind::Network,
    Kind::BaseUrl,
    Kind::RateLimit,
    Kind::Timeout,
    // Reasoning spent even the reasoning-sized cap: every other check would too.
    Kind::OutputLength,
];

/// The generation checks a run will make, per model and route.
pub fn plan(target: &Target, opts: &Options) -> Vec<RoutePlan> {
    let mut out = Vec::new();
    for (i, m) in target.models.iter().enumerate() {
        // Checks named without routes (`--checks chat.basic`) are probed where they were named,
        // even off the model's route; unnamed, a model known to live on one route gets that one.
        let routes = opts.routes.clone().unwrap_or_else(|| {
            if opts.explicit {
                route::every_route(target.provider, m)
            } else {
                route::default_routes(target.provider, m)
            }
        });
        for r in routes {
            let basic = CheckId::basic_of(r);
            let wanted: Vec<CheckId> = CheckId::ALL
                .iter()
                .copied()
                .filter(|c| c.route() == Some(r) && opts.selection.wants(*c))
                .collect();
            if wanted.is_empty() {
                continue;
            }
            // chat.max_tokens is judged from chat.basic's answer, so it needs chat.basic.
            let needs_basic = wanted
                .iter()
                .any(|c| *c == basic || matches!(c.stage(), Stage::FromBasic | Stage::Reasoning));
            let mut checks: Vec<CheckId> = if needs_basic { vec![basic] } else { vec![] };
            checks.extend(wanted.into_iter().filter(|c| *c != basic));
            out.push(RoutePlan {
                model: i,
                route: r,
                checks,
            });
        }
    }
    out
}

/// Every request a run would send if nothing failed (`--dry-run`).
pub fn planned_requests(
    target: &Target,
    opts: &Options,
) -> Vec<(CheckId, Option<String>, Request)> {
    let mut out = Vec::new();
    if wants_list(target, opts) {
        out.push((CheckId::ModelsList, None, Request::get("/models")));
    }
    for p in plan(target, opts) {
        let model = &target.models[p.model];
        for c in p.checks {
            // Every turn of a multi-turn check; later turns show placeholders.
            for r in check::requests(c, model, TokenCap::MaxTokens) {
                out.push((c, Some(model.clone()), r));
            }
        }
    }
    out
}

/// `models.list` runs when there is no model to probe, or when it or a check read off its
/// list (`models.exists`) is selected.
fn wants_list(target: &Target, opts: &Options) -> bool {
    target.models.is_empty()
        || opts.selection.wants(CheckId::ModelsList)
        || derived_from_list(opts).next().is_some()
}

/// The selected checks read off the model list.
fn derived_from_list(opts: &Options) -> impl Iterator<Item = CheckId> + '_ {
    CheckId::ALL
        .iter()
        .copied()
        .filter(|c| matches!(c.derive(), Some(Derive::FromList(_))) && opts.selection.wants(*c))
}

/// The checks read off the target that have something to say of it.
fn derived_from_target(target: &Target) -> impl Iterator<Item = (CheckId, Finding)> + '_ {
    CheckId::ALL.iter().filter_map(|&c| match c.derive() {
        Some(Derive::FromTarget(judge)) => judge(target).map(|f| (c, f)),
        _ => None,
    })
}

/// The rows the report of this run will have, as `probe_checks` builds them (the progress
/// line's total; `probe_checks` settles it with the real rows at the end).
fn planned_rows(
    target: &Target,
    opts: &Options,
    plans: &[RoutePlan],
) -> Vec<(&'static str, Option<String>)> {
    let mut rows: Vec<(CheckId, Option<usize>)> = Vec::new();
    if wants_list(target, opts) && opts.selection.wants(CheckId::ModelsList) {
        rows.push((CheckId::ModelsList, None));
    }
    for p in plans {
        let wanted = p.checks.iter().filter(|c| opts.selection.wants(**c));
        rows.extend(wanted.map(|c| (*c, Some(p.model))));
    }
    for c in derived_from_list(opts) {
        rows.extend((0..target.models.len()).map(|i| (c, Some(i))));
    }
    if target.models.is_empty() {
        for c in route::EVERY_MODEL.map(CheckId::basic_of) {
            if opts.selection.wants(c) {
                rows.push((c, None));
            }
        }
    }
    rows.extend(derived_from_target(target).map(|(c, _)| (c, None)));
    row_keys(target, &rows)
}

fn row_keys(
    target: &Target,
    rows: &[(CheckId, Option<usize>)],
) -> Vec<(&'static str, Option<String>)> {
    rows.iter()
        .map(|(c, m)| (c.id(), m.map(|i| target.models[i].clone())))
        .collect()
}

struct Row {
    model: Option<usize>,
    id: CheckId,
    finding: Finding,
    /// What the check itself sent and was answered (none for rows judged from another's).
    spent: Spent,
}

/// Run every planned check against `target`, at most `concurrency` requests at a time;
/// the run carries what it spent (requests, output tokens from usage).
pub async fn probe(
    http: &Http,
    target: &Target,
    opts: &Options,
    progress: Option<&Progress>,
) -> TargetRun {
    let (mut run, spent) =
        crate::http::spend::scope(probe_checks(http, target, opts, progress)).await;
    run.spent = spent;
    run
}

async fn probe_checks(
    http: &Http,
    target: &Target,
    opts: &Options,
    progress: Option<&Progress>,
) -> TargetRun {
    // One TCP connect per address family, first: a row the progress line plans for.
    let direct = http.transport.shown_proxy(&target.base_url).is_none();
    let family = opts
        .stop
        .bound(check::address_family::tell(target, direct), |_| None)
        .await;
    let mut run = Run::new(Ctx { http, target }, opts, progress, family);
    run.list_and_basics().await;
    run.retry_cold_basics().await;
    run.derive_from_basics();
    run.retry_refused_max_tokens().await;
    run.size_for_reasoning();
    run.judge_basics_by_route();
    run.tell_key_scope().await;
    run.rest_of_each_route().await;
    run.compare_without_profile().await;
    run.note_cold_starts();
    run.derive_from_list();
    run.settle_across_rows().await;
    run.skip_basics_without_model();
    run.derive_from_target();
    run.suggest_listed_models();
    run.into_target_run()
}

/// One target's run as it goes: each stage of `probe_checks` reads it and adds to it.
struct Run<'a> {
    cx: Ctx<'a>,
    opts: &'a Options,
    progress: Option<&'a Progress>,
    plans: Vec<RoutePlan>,
    /// Each model's output caps, settled by its basic answers.
    caps: Vec<TokenCap>,
    /// The model ids `models.list` read, when it could.
    listed: Option<Vec<String>>,
    /// The basic checks' rows: every other check of their route waits for them, and they are
    /// reported only when selected.
    basics: Vec<Row>,
    /// The report's rows so far.
    rows: Vec<Row>,
    /// The base URL with `/v1` added, when every route 404s and that one answers.
    below: Option<String>,
}

impl<'a> Run<'a> {
    /// `family`: what `target.address_family` found (`check::address_family::tell`).
    fn new(
        cx: Ctx<'a>,
        opts: &'a Options,
        progress: Option<&'a Progress>,
        family: Option<Finding>,
    ) -> Run<'a> {
        let plans = plan(cx.target, opts);
        if let Some(p) = progress {
            let mut rows = planned_rows(cx.target, opts, &plans);
            if family.is_some() {
                rows.push((CheckId::TargetAddressFamily.id(), None));
            }
            p.plan(&cx.target.name, rows);
        }
        let rows = family
            .into_iter()
            .map(|finding| Row {
                model: None,
                id: CheckId::TargetAddressFamily,
                finding,
                spent: Spent::default(),
            })
            .collect();
        Run {
            caps: vec![TokenCap::MaxTokens; cx.target.models.len()],
            cx,
            opts,
            progress,
            plans,
            listed: None,
            basics: Vec::new(),
            rows,
            below: None,
        }
    }

    fn target(&self) -> &'a Target {
        self.cx.target
    }

    /// Stage 1: the model list and each route's basic check.
    async fn list_and_basics(&mut self) {
        let mut jobs: Vec<(CheckId, Option<usize>)> = self
            .plans
            .iter()
            .filter(|p| p.checks.first() == Some(&CheckId::basic_of(p.route)))
            .map(|p| (p.checks[0], Some(p.model)))
            .collect();
        if wants_list(self.target(), self.opts) {
            jobs.insert(0, (CheckId::ModelsList, None));
        }
        let (listed, done) = run_jobs(&self.cx, jobs, &self.caps, self.opts, self.progress).await;
        self.listed = listed;
        self.basics = done;
    }

    /// A basic check that got no headers within `--timeout` is sent once more: a model that
    /// was loading answers the second at once, and that is a cold start, not an outage
    /// (`check::cold_start`). One request more, only then.
    async fn retry_cold_basics(&mut self) {
        let cold: Vec<(CheckId, Option<usize>)> = self
            .basics
            .iter()
            .filter(|r| check::cold_start::silent(&r.finding))
            .map(|r| (r.id, r.model))
            .collect();
        if cold.is_empty() {
            return;
        }
        let (_, again) = run_jobs(&self.cx, cold, &self.caps, self.opts, self.progress).await;
        let waited = self.cx.http.limits.idle;
        for r in again {
            if let Some(first) = self
                .basics
                .iter_mut()
                .find(|d| d.id == r.id && d.model == r.model)
            {
                let before = std::mem::replace(&mut first.finding, Finding::skip(""));
                first.finding = check::cold_start::after_retry(before, r.finding, waited);
                first.spent = first.spent.plus(r.spent);
            }
        }
    }

    /// A basic answer much slower than every later answer of its model is a cold start.
    fn note_cold_starts(&mut self) {
        for i in 0..self.target().models.len() {
            let later: Vec<u64> = self
                .rows
                .iter()
                .filter(|r| r.model == Some(i) && r.id.stage() != Stage::Basic)
                .filter_map(|r| r.finding.timing.headers)
                .collect();
            let idle = self.cx.http.limits.idle;
            for r in self
                .rows
                .iter_mut()
                .filter(|r| r.model == Some(i) && r.id.stage() == Stage::Basic)
            {
                if r.spent.silent_resends > 0 {
                    check::cold_start::resent_fast(&mut r.finding, idle);
                }
                check::cold_start::judge_first(&mut r.finding, &later);
            }
        }
    }

    /// The checks read off a basic answer (`chat.max_tokens`), from its first attempt.
    fn derive_from_basics(&mut self) {
        let mut derived = Vec::new();
        for b in &self.basics {
            let Some(route) = b.id.route() else { continue };
            for &c in CheckId::ALL.iter().filter(|c| c.route() == Some(route)) {
                if let Some(Derive::FromBasic(judge)) = c.derive() {
                    derived.push(Row {
                        model: Some(b.model.expect("a basic check runs per model")),
                        id: c,
                        finding: judge(&b.finding),
                        spent: Spent::default(),
                    });
                }
            }
        }
        let wanted = derived
            .into_iter()
            .filter(|r| self.opts.selection.wants(r.id));
        self.rows.extend(wanted);
    }

    /// A model that refuses max_tokens gets chat.basic again with max_completion_tokens,
    /// and every later chat check uses that.
    async fn retry_refused_max_tokens(&mut self) {
        let refused: Vec<usize> = self
            .basics
            .iter()
            .filter(|r| r.id == CheckId::ChatBasic && chat::refuses_max_tokens(&r.finding))
            .filter_map(|r| r.model)
            .collect();
        if refused.is_empty() {
            return;
        }
        for i in &refused {
            self.caps[*i] = self.caps[*i].completion_tokens();
        }
        let retry: Vec<_> = refused
            .iter()
            .map(|i| (CheckId::ChatBasic, Some(*i)))
            .collect();
        let (_, mut again) = run_jobs(&self.cx, retry, &self.caps, self.opts, self.progress).await;
        // The refused first attempt is replaced, but what it sent stays the check's cost.
        for r in again.iter_mut() {
            let first = self
                .basics
                .iter()
                .find(|d| d.id == CheckId::ChatBasic && d.model == r.model);
            r.spent = r.spent.plus(first.map_or(Spent::default(), |d| d.spent));
        }
        self.basics.retain(|r| {
            !(r.id == CheckId::ChatBasic && refused.contains(&r.model.unwrap_or(usize::MAX)))
        });
        self.basics.extend(again);
    }

    /// A model whose basic answer showed reasoning gets caps sized for it from now on.
    fn size_for_reasoning(&mut self) {
        for r in self.basics.iter().filter(|r| r.finding.reasoning.is_some()) {
            if let Some(i) = r.model {
                self.caps[i] = self.caps[i].for_reasoning();
            }
        }
    }

    /// Route-level verdicts from the basic answers: unsupported routes, wrong routes.
    fn judge_basics_by_route(&mut self) {
        let listed = self.listed.as_deref();
        for r in self.basics.iter_mut() {
            adjust_for_route(self.cx.target, self.opts, listed, r);
        }
        // A web page on every route is the base URL's fault, not a malformed answer.
        check::web_page::point_at_base_url(
            self.basics
                .iter_mut()
                .filter(|r| r.id.route().is_some_and(|rt| CheckId::basic_of(rt) == r.id))
                .map(|r| &mut r.finding)
                .collect(),
        );
    }

    /// The key lists but cannot infer: one keyless GET /models tells a key without the right
    /// to generate from a /models that checks no key at all (`check::key_scope`). Without any
    /// credential sent there is no key to tell of.
    async fn tell_key_scope(&mut self) {
        use check::key_scope::{applies, explain, keyless_models, Keyless};
        let listed = self.listed.is_some();
        if self.cx.target.sends_no_credentials()
            || !self.basics.iter().any(|r| applies(&r.finding, listed))
        {
            return;
        }
        let keyless = self
            .opts
            .stop
            .bound(keyless_models(&self.cx), |_| Keyless::Unknown)
            .await;
        for r in self
            .basics
            .iter_mut()
            .filter(|r| applies(&r.finding, listed))
        {
            explain(&mut r.finding, keyless);
        }
    }

    /// Stage 2: the rest of each route, unless its basic answer makes them pointless.
    async fn rest_of_each_route(&mut self) {
        let mut jobs = Vec::new();
        let mut unplanned = Vec::new();
        for p in &self.plans {
            let basic = self
                .basics
                .iter()
                .find(|r| r.model == Some(p.model) && r.id == CheckId::basic_of(p.route))
                .map(|r| &r.finding);
            let blocked = basic.and_then(|b| blocked_because(b, p.route));
            // An edge that cuts long answers advises streaming: the stream checks show
            // whether that works, so they run.
            let edge_cut = basic.is_some_and(check::edge::cut_by_edge);
            for c in p
                .checks
                .iter()
                .filter(|c| matches!(c.stage(), Stage::Main | Stage::Reasoning))
            {
                let reasons = self.caps[p.model].reasoning();
                let streams = c.streams();
                match &blocked {
                    Some(why) if !(edge_cut && streams) => self.rows.push(Row {
                        model: Some(p.model),
                        id: *c,
                        finding: Finding::skip(why),
                        spent: Spent::default(),
                    }),
                    // A check for reasoning models says nothing of a model that does not
                    // reason, unless the user named it in --checks (--routes alone does not).
                    None if c.stage() == Stage::Reasoning && !reasons => {
                        if self.opts.selection.names(*c) {
                            self.rows.push(Row {
                                model: Some(p.model),
                                id: *c,
                                finding: Finding::skip(check::NOT_REASONING),
                                spent: Spent::default(),
                            });
                        } else {
                            unplanned.push((*c, Some(p.model)));
                        }
                    }
                    _ => jobs.push((*c, Some(p.model))),
                }
            }
        }
        let target = self.target();
        if let Some(p) = self.progress {
            p.unplan(&target.name, &row_keys(target, &unplanned));
            p.only_left(&target.name, &row_keys(target, &jobs));
        }
        let (_, later) = run_jobs(&self.cx, jobs, &self.caps, self.opts, self.progress).await;
        for mut r in later {
            adjust_for_route(target, self.opts, self.listed.as_deref(), &mut r);
            self.rows.push(r);
        }
        // The basic checks ran for the others' sake; report them only when selected.
        let opts = self.opts;
        let basics = std::mem::take(&mut self.basics);
        self.rows
            .extend(basics.into_iter().filter(|r| opts.selection.wants(r.id)));
    }

    /// `--as CLIENT`: each check that failed is sent once more as zencheck itself (the same
    /// requests without the profile's headers and body fields). Passing so, the profile is the
    /// difference and the row names what of it; failing too, the endpoint fails whoever asks.
    /// A check that passed costs nothing more.
    async fn compare_without_profile(&mut self) {
        let target = self.target();
        let Some(client) = target.profile else {
            return;
        };
        let jobs: Vec<(CheckId, Option<usize>)> = self
            .rows
            .iter()
            .filter(|r| r.finding.status == Status::Fail && r.spent.requests > 0)
            .filter(|r| r.model.is_some())
            .map(|r| (r.id, r.model))
            .collect();
        if jobs.is_empty() {
            return;
        }
        let plain = target.as_zencheck();
        let cx = Ctx {
            http: self.cx.http,
            target: &plain,
        };
        let (_, again) = run_jobs(&cx, jobs, &self.caps, self.opts, None).await;
        for a in again {
            let (Some(i), Some(row)) = (
                a.model,
                self.rows
                    .iter_mut()
                    .find(|r| r.id == a.id && r.model == a.model),
            ) else {
                continue;
            };
            let sent = profile_sent(target, a.id, &target.models[i], self.caps[i]);
            compare(client, &mut row.finding, a.finding, sent);
            row.spent = row.spent.plus(a.spent);
        }
    }

    /// The checks read off the model list, per model (`models.exists`).
    fn derive_from_list(&mut self) {
        let target = self.target();
        for c in derived_from_list(self.opts) {
            let Some(Derive::FromList(judge)) = c.derive() else {
                continue;
            };
            for (i, m) in target.models.iter().enumerate() {
                self.rows.push(Row {
                    model: Some(i),
                    id: c,
                    finding: judge(self.listed.as_deref(), m),
                    spent: Spent::default(),
                });
            }
        }
    }

    /// What one row says of another: `/models` against the routes, dropped tools against the
    /// tool checks, and a base URL that lacks `/v1` (one more request, to tell).
    async fn settle_across_rows(&mut self) {
        settle_models_list(&mut self.rows);
        blame_dropped_tools(&mut self.rows);
        show_streams_for_edge(&mut self.rows);
        if lacks_prefix(self.target(), &self.rows) {
            let below = models::answers_below(&self.cx);
            self.below = self.opts.stop.bound(below, |_| None).await;
        }
        if let Some(u) = &self.below {
            point_below(&mut self.rows, u);
        }
    }

    /// Without a model, the basic checks of the routes every model is asked on say why they
    /// did not run.
    fn skip_basics_without_model(&mut self) {
        if !self.target().models.is_empty() {
            return;
        }
        let why = match &self.listed {
            Some(ids) if !ids.is_empty() => {
                format!("no --model given; pick one of the {} listed ids", ids.len())
            }
            _ => "no --model given".to_string(),
        };
        for c in route::EVERY_MODEL
            .map(CheckId::basic_of)
            .into_iter()
            .filter(|c| self.opts.selection.wants(*c))
        {
            self.rows.push(Row {
                model: None,
                id: c,
                finding: Finding::skip(why.as_str()),
                spent: Spent::default(),
            });
        }
    }

    /// The checks read off the target as given (`target.base_url`), whatever the selection:
    /// they say what the run itself changed.
    fn derive_from_target(&mut self) {
        for (id, finding) in derived_from_target(self.target()) {
            self.rows.push(Row {
                model: None,
                id,
                finding,
                spent: Spent::default(),
            });
        }
    }

    /// A check that hit an unknown model gets the closest listed ids too.
    fn suggest_listed_models(&mut self) {
        let Some(ids) = &self.listed else { return };
        for r in self.rows.iter_mut() {
            if let (Some(i), Some(Kind::ModelNotFound)) = (r.model, r.finding.kind) {
                if r.finding.suggestions.is_empty() {
                    r.finding.suggestions = models::closest(ids, &self.cx.target.models[i], 3);
                }
            }
        }
    }

    /// Target-wide rows first, then each model's rows in check order.
    fn into_target_run(mut self) -> TargetRun {
        let target = self.target();
        self.rows
            .sort_by_key(|r| (r.model.map_or(0, |i| i + 1), r.id));
        if let Some(p) = self.progress {
            let keys: Vec<_> = self.rows.iter().map(|r| (r.id, r.model)).collect();
            p.settle(&target.name, row_keys(target, &keys));
        }
        let (opts, caps, below) = (self.opts, &self.caps, self.below.as_deref());
        let checks = self
            .rows
            .into_iter()
            .map(|r| result(target, opts, caps, below, r))
            .collect();
        let http = self.cx.http;
        TargetRun {
            info: TargetInfo {
                proxy: http.transport.shown_proxy(&target.base_url),
                insecure: http.transport.insecure,
                ..target.info()
            },
            models_available: self.listed,
            require: opts.require.clone(),
            checks,
            secrets: target.secrets(),
            spent: Default::default(),
        }
    }
}

/// Run jobs concurrently; returns the model list if `models.list` was among them.
async fn run_jobs(
    cx: &Ctx<'_>,
    jobs: Vec<(CheckId, Option<usize>)>,
    caps: &[TokenCap],
    opts: &Options,
    progress: Option<&Progress>,
) -> (Option<Vec<String>>, Vec<Row>) {
    let ran: Vec<(Row, Option<Vec<String>>)> = futures_util::stream::iter(jobs)
        .map(|(id, model)| async move {
            // Under the run's deadline and interrupt: a check cut off is a finding too.
            let job = async {
                match model {
                    None => models::list(cx).await,
                    Some(i) => (
                        check::run(cx, id, &cx.target.models[i], caps[i]).await,
                        None,
                    ),
                }
            };
            // Every record of `-v`/`--trace` names the check and model it belongs to.
            let model_id = model.map(|i| cx.target.models[i].clone());
            // Shown as waiting on the progress line until it ends.
            let waiting = progress.map(|p| p.begin(&cx.target.name, id.id(), model_id.clone()));
            let job = crate::http::observe::belonging(id.id(), model_id, job);
            // Its own spend, counted in the target's too (`spend::scope` nests).
            let ((finding, ids), spent) =
                crate::http::spend::scope(opts.stop.bound(job, |f| (f, None))).await;
            drop(waiting);
            (
                Row {
                    model,
                    id,
                    finding,
                    spent,
                },
                ids,
            )
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let listed = ran.iter().find_map(|(_, ids)| ids.clone());
    (listed, ran.into_iter().map(|(r, _)| r).collect())
}

/// A route the server lacks (a 404 or 4xx that says so, a 501 Not Implemented, a feature it was
/// not started with) is `unsupported`, unless the model lives only there; a route
/// that refuses a model the provider serves elsewhere is `wrong_route` — a warning when the
/// route table predicted it and the user did not ask for that route, a failure otherwise.
fn adjust_for_route(target: &Target, opts: &Options, listed: Option<&[String]>, row: &mut Row) {
    let (Some(i), Some(route)) = (row.model, row.id.route()) else {
        return;
    };
    let model = &target.models[i];
    let home = route::home(target.provider, model);
    let (f, explicit) = (&mut row.finding, opts.explicit);
    // A model the server does not list is unknown, whatever family its name suggests.
    let unlisted = listed.is_some_and(|ids| !ids.iter().any(|id| id.eq_ignore_ascii_case(model)));
    let elsewhere = home.is_some_and(|h| h != Home::Route(route)) && !unlisted;
    // A 501, or a server that names the flag it was not started with (llama.cpp's
    // `--embeddings`), does not implement the route at all: that is no model's fault.
    let not_implemented = f.evidence.http_status == Some(501)
        || f.rule_hint == Some(crate::failure::RuleHint::FeatureOff);
    let optional_route = route != Route::Chat && home != Some(Home::Route(route));
    if optional_route && f.status == Status::Fail && not_implemented {
        f.status = Status::Unsupported;
        f.kind = None;
        f.detail = format!(
            "this server, as it was started, does not implement {} ({})",
            route.path(),
            f.detail
        );
    } else if elsewhere && matches!(f.kind, Some(Kind::ModelNotFound) | Some(Kind::WrongRoute)) {
        f.kind = Some(Kind::WrongRoute);
        f.suggestions.clear();
        if !explicit {
            f.status = Status::Warn;
        }
    } else if optional_route && f.status == Status::Fail && route_missing(f) {
        f.status = Status::Unsupported;
        f.kind = None;
        f.detail = format!("this server has no {} route ({})", route.path(), f.detail);
    }
}

/// When `chat.tools_seen` showed that the server drops `tools` wholesale, a model's other
/// chat checks that found "no tool call" are not about `tool_choice` (`tools_seen::blame_dropped`).
fn blame_dropped_tools(rows: &mut [Row]) {
    use check::tools_seen;
    let seen = CheckId::ChatToolsSeen;
    let dropped: Vec<usize> = rows
        .iter()
        .filter(|r| r.id == seen && tools_seen::drops_tools(&r.finding))
        .filter_map(|r| r.model)
        .collect();
    for r in rows.iter_mut().filter(|r| {
        r.id != seen
            && r.id.route() == seen.route()
            && r.model.is_some_and(|m| dropped.contains(&m))
    }) {
        tools_seen::blame_dropped(&mut r.finding);
    }
}

/// A basic check an edge cut off advises streaming: say whether the route's streams
/// worked in this run, or that none was checked and how to check one.
fn show_streams_for_edge(rows: &mut [Row]) {
    for i in 0..rows.len() {
        let (model, id) = (rows[i].model, rows[i].id);
        let Some(route) = id.route() else { continue };
        if id != CheckId::basic_of(route) || !check::edge::cut_by_edge(&rows[i].finding) {
            continue;
        }
        let streams: Vec<(&str, Status, Option<Kind>)> = rows
            .iter()
            .filter(|r| r.model == model && r.id.route() == Some(route))
            .filter(|r| r.id.streams() && r.finding.status != Status::Skip)
            .map(|r| (r.id.id(), r.finding.status, r.finding.kind))
            .collect();
        let first = CheckId::stream_of(route).unwrap_or(CheckId::ChatStream);
        check::edge::say_whether_streams_work(&mut rows[i].finding, first.id(), &streams);
    }
}

/// `/models` alone cannot tell a server without that route from a base URL that is not the
/// API; the generation routes can. A 404 there while every route 404s too is the base URL;
/// a web page there while a generation route answers is a server without /models.
fn settle_models_list(rows: &mut [Row]) {
    let basics: Vec<&Finding> = rows
        .iter()
        .filter(|r| {
            r.id.route()
                .is_some_and(|route| CheckId::basic_of(route) == r.id)
        })
        .map(|r| &r.finding)
        .collect();
    // A web page on a generation route is no answer (`web_page`): it does not make the URL right.
    let answered = basics.iter().any(|f| {
        f.kind != Some(Kind::BaseUrl)
            && f.evidence
                .http_status
                .is_some_and(|s| (200..300).contains(&s))
    });
    let all_missing = !basics.is_empty()
        && basics
            .iter()
            .all(|f| f.kind == Some(Kind::BaseUrl) || f.status == Status::Unsupported);
    let Some(list) = rows.iter_mut().find(|r| r.id == CheckId::ModelsList) else {
        return;
    };
    let f = &mut list.finding;
    let no_route = f.status == Status::Unsupported && f.evidence.http_status == Some(404);
    if no_route && all_missing {
        f.status = Status::Fail;
        f.kind = Some(Kind::BaseUrl);
        f.detail = format!(
            "{}, and every generation route answered 404 too: the base URL does not point at the API",
            f.detail
        );
    } else if f.kind == Some(Kind::BaseUrl) && f.status == Status::Fail && answered {
        f.status = Status::Unsupported;
        f.kind = None;
        f.detail = format!(
            "{}; but the generation routes answer, so the base URL is right and this server has no /models",
            f.detail
        );
    }
}

/// Every route 404s (a `base_url` failure), or, with no model to try, /models does: the URL
/// may lack its `/v1`.
fn lacks_prefix(target: &Target, rows: &[Row]) -> bool {
    let wrong = |r: &Row| r.finding.kind == Some(Kind::BaseUrl) && r.finding.status == Status::Fail;
    let no_list = |r: &Row| {
        r.id == CheckId::ModelsList
            && r.finding.status == Status::Unsupported
            && r.finding.evidence.http_status == Some(404)
    };
    rows.iter()
        .any(|r| wrong(r) || (target.models.is_empty() && no_list(r)))
}

/// `base` + /v1 answers: the 404s are the base URL's fault, and their hint names the URL.
fn point_below(rows: &mut [Row], base: &str) {
    for r in rows.iter_mut() {
        let f = &mut r.finding;
        if r.id == CheckId::ModelsList && f.status == Status::Unsupported {
            f.status = Status::Fail;
            f.kind = Some(Kind::BaseUrl);
            f.detail = format!("{}, but {base}/models answers", f.detail);
        }
    }
}

fn route_missing(f: &Finding) -> bool {
    let msg = f
        .evidence
        .provider_message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let says_route = [
        "endpoint",
        "route",
        "url",
        "path",
        "/responses",
        "/messages",
        "/embeddings",
    ]
    .iter()
    .any(|w| msg.contains(w));
    let says_missing = [
        "not supported",
        "unsupported",
        "not found",
        "unknown",
        "invalid url",
        "not implemented",
    ]
    .iter()
    .any(|w| msg.contains(w));
    f.kind == Some(Kind::BaseUrl)
        || matches!(f.evidence.http_status, Some(400..=499 | 501)) && says_route && says_missing
}

/// What the profile adds to `id`'s requests: its headers as `Name: value` (those the user
/// did not set), then the body fields the check left out and the client always sends.
fn profile_sent(target: &Target, id: CheckId, model: &str, cap: TokenCap) -> Vec<String> {
    let n = target.profile_headers;
    let mut out: Vec<String> = target.headers[..n]
        .iter()
        .map(|(name, v)| {
            use secrecy::ExposeSecret;
            format!("{name}: {}", v.expose_secret())
        })
        .collect();
    for req in check::requests(id, model, cap) {
        let Some(body) = req.body.as_ref() else {
            continue;
        };
        if let (Some(shaped), Some(own)) =
            (target.shaped(&req.path, body).as_object(), body.as_object())
        {
            for k in shaped.keys().filter(|k| !own.contains_key(*k)) {
                if !out.contains(k) {
                    out.push(k.clone());
                }
            }
        }
    }
    out
}

/// A check that failed as `client`, judged beside the same check sent as zencheck itself
/// (`plain`): the row says whether the profile is the difference, and which part of it. A
/// refused parameter the profile added is that part alone; a refusal before the model (a
/// firewall, a key refused) is the headers; anything else, all the profile sent.
fn compare(client: crate::profile::Profile, f: &mut Finding, plain: Finding, sent: Vec<String>) {
    let c = client.name();
    let (is_header, fields): (Vec<&String>, Vec<&String>) =
        sent.iter().partition(|s| s.contains(": "));
    let difference: Vec<String> = if plain.status == Status::Fail {
        Vec::new()
    } else if let Some(p) = f.param.as_ref().filter(|p| fields.contains(p)) {
        vec![p.clone()]
    } else if matches!(
        f.kind,
        Some(Kind::Blocked | Kind::Auth | Kind::AccessDenied | Kind::RateLimit)
    ) && !is_header.is_empty()
    {
        is_header.iter().map(|s| s.to_string()).collect()
    } else {
        sent.clone()
    };
    let said = if plain.status != Status::Fail && difference.is_empty() {
        format!(
            "fails as {c}, then not when sent again with nothing of {c}'s to leave out (-H set its headers): the same request is answered differently from one try to the next"
        )
    } else if plain.status == Status::Fail {
        match plain.kind {
            // Blocked both ways: the address or network, or a relay that lets through only
            // a client zencheck did not speak as.
            Some(Kind::Blocked) if f.kind == Some(Kind::Blocked) => format!(
                "blocked as zencheck too (the same request without {c}'s headers and body fields): not the {c} profile; your address or network is blocked, or the relay lets through only another client"
            ),
            k if k == f.kind => format!(
                "fails as zencheck too (the same request without {c}'s headers and body fields): the endpoint fails whoever asks, not the {c} profile"
            ),
            k => format!(
                "fails as zencheck too, as {} (the same request without {c}'s headers and body fields): not the {c} profile alone",
                k.map_or("a failure", |k| k.code())
            ),
        }
    } else {
        let headers: Vec<&str> = difference
            .iter()
            .filter(|s| s.contains(": "))
            .map(String::as_str)
            .collect();
        let fields: Vec<String> = difference
            .iter()
            .filter(|s| !s.contains(": "))
            .map(|s| format!("`{s}`"))
            .collect();
        let mut parts = Vec::new();
        if !headers.is_empty() {
            parts.push(format!(
                "{} {}",
                if headers.len() == 1 {
                    "the header"
                } else {
                    "the headers"
                },
                headers.join(", ")
            ));
        }
        if !fields.is_empty() {
            parts.push(format!(
                "{} {}",
                if fields.len() == 1 {
                    "the body field"
                } else {
                    "the body fields"
                },
                fields.join(", ")
            ));
        }
        let how = match plain.status {
            Status::Pass => "passes",
            Status::Warn => "only warns",
            _ => "does not fail",
        };
        format!(
            "fails as {c}, {how} as zencheck: the difference is {} that {c} sends and zencheck does not",
            parts.join(" and ")
        )
    };
    f.detail.push_str(&format!(" · {said}"));
    f.as_zencheck = Some(crate::finding::AsZencheck {
        status: plain.status,
        kind: plain.kind,
        difference,
    });
}

fn blocked_because(basic: &Finding, route: Route) -> Option<String> {
    let id = CheckId::basic_of(route).id();
    if basic.status == Status::Unsupported {
        return Some(format!(
            "the server has no {} route (see {id})",
            route.path()
        ));
    }
    // A wrong route may be only a warning, but it blocks the route all the same.
    let failed = matches!(basic.status, Status::Fail | Status::Warn);
    // A reasoning model that answered at the larger cap warns of the small one, and works.
    let answered = basic.rule_hint == Some(crate::failure::RuleHint::AnsweredAtLargerCap);
    basic
        .kind
        .filter(|k| BLOCKING.contains(k) && failed && !answered)
        .map(|k| format!("{id} failed with {}: fix that first", k.code()))
}

fn result(
    target: &Target,
    opts: &Options,
    caps: &[TokenCap],
    answering_base_url: Option<&str>,
    r: Row,
) -> CheckResult {
    let model = r.model.map(|i| target.models[i].as_str());
    let not_passed = !matches!(r.finding.status, Status::Pass | Status::Skip);
    let curl = match (opts.curl && not_passed, r.model, r.id) {
        (false, _, _) => None,
        (true, None, CheckId::ModelsList) => {
            Some(crate::http::curl::curl(target, &Request::get("/models")))
        }
        (true, Some(i), id) => check::request(id, &target.models[i], caps[i])
            .map(|req| crate::http::curl::curl(target, &req)),
        _ => None,
    };
    let f = r.finding;
    // Name the model's home route only when it is not the route that refused it.
    let home = model
        .and_then(|m| route::home(target.provider, m))
        .filter(|h| r.id.route().is_none_or(|rt| *h != Home::Route(rt)))
        .map(Home::describe);
    let cx = HintContext {
        provider: target.provider,
        key_env: target.key_env.as_deref(),
        model,
        home: home.as_deref(),
        opencode_provider: target.opencode_provider.as_deref(),
        no_key_sent: target.sends_no_credentials(),
        key_candidate: target
            .key_env
            .is_none()
            .then(crate::provider::set_key_variable)
            .flatten(),
        answering_base_url,
        check: r.id.spec().hint,
        ..Default::default()
    };
    let mut row = CheckResult::from_finding(&target.name, r.id.id(), r.id.endpoint(), f, &cx);
    row.cost = Some(r.spent);
    row.required = opts
        .require
        .iter()
        .any(|p| check::pattern_matches(p, r.id.id()));
    row.curl = curl;
    row
}
