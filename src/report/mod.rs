//! The one serialisable report every renderer reads. Its JSON form is versioned
//! (`schema_version`) and described by `schema/report.schema.json`.

mod escape;
mod github;
mod group;
mod html;
mod junit;
mod markdown;
pub mod repeat;
mod table;
mod timeline;

pub use github::render_github;
pub use html::{render_html, render_status_html, Probed};
pub use junit::render_junit;
/// Server text made inert inside Markdown (also for `explain --format markdown`).
pub(crate) use markdown::cell as markdown_text;
pub use markdown::render_markdown;
pub use table::{
    render_failures, render_grid, render_head, render_table, render_table_with, Layout,
};

use crate::failure::Kind;
use crate::finding::{Status, Timing};
use crate::policy::{self, Baseline, FailOn};
use crate::redact::{strip_controls, Redactor};
use crate::target::TargetInfo;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

pub use crate::policy::Change;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    /// The name of the target this check ran against.
    pub target: String,
    pub check: String,
    pub model: Option<String>,
    pub endpoint: Option<String>,
    pub status: Status,
    pub kind: Option<Kind>,
    pub title: Option<String>,
    pub detail: String,
    pub hint: Option<String>,
    /// The parameter a rejection or an ignored effect is about.
    pub param: Option<String>,
    pub http_status: Option<u16>,
    pub provider_message: Option<String>,
    pub request_id: Option<String>,
    pub timing_ms: Timing,
    /// A stream's content chunks: count, gaps between them, rate (null when not streamed).
    #[serde(default)]
    pub stream: Option<crate::timings::StreamStats>,
    /// What the answer showed of the model's reasoning: which fields carried it, the tokens
    /// the usage counted (null when the answer showed no reasoning).
    #[serde(default)]
    pub reasoning: Option<crate::reasoning::Reasoning>,
    /// The target's `require` names this check: anything but a pass fails the run.
    pub required: bool,
    /// Compared with `--baseline`.
    pub baseline: Option<Change>,
    /// With `--curl`, on checks that did not pass: the request as a curl command, the key
    /// written as its variable.
    pub curl: Option<String>,
    /// What this check itself sent (retries included) and the output tokens its answers'
    /// usage reported; zero for rows judged from another check's answer or skipped. Null for
    /// rows not from a probe (opencode checks) and in reports of older versions.
    #[serde(default)]
    pub cost: Option<crate::http::spend::Spent>,
    /// Under `--repeat N`: how many runs had this check and how many of those passed
    /// (absent from a run without `--repeat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<repeat::Repeats>,
    /// Under `--as CLIENT`, on a check that failed: the same check sent once more as zencheck
    /// itself, and what the profile sent that made the difference (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_zencheck: Option<crate::finding::AsZencheck>,
}

impl CheckResult {
    /// A known problem: this check failed, warned or was flaky (or, required, did not
    /// pass) and did not pass in the baseline either.
    pub fn is_known(&self) -> bool {
        self.baseline == Some(Change::Known)
            && (self.status.is_problem() || (self.required && self.status != Status::Pass))
    }

    /// A report row from a finding; the hint is written for `cx` (the model, the provider…).
    /// The finding's own parameter and suggestions reach the hint too.
    pub fn from_finding(
        target: &str,
        check: &str,
        endpoint: Option<&str>,
        f: crate::finding::Finding,
        cx: &crate::failure::HintContext<'_>,
    ) -> CheckResult {
        let hint_cx = crate::failure::HintContext {
            param: cx.param.or(f.param.as_deref()),
            suggestions: if cx.suggestions.is_empty() {
                &f.suggestions
            } else {
                cx.suggestions
            },
            gateway: cx.gateway || f.gateway,
            retry_after_secs: cx.retry_after_secs.or(f.retry_after_secs),
            reasoning: cx.reasoning || f.reasoning.is_some(),
            rule: cx.rule.or(f.rule_hint),
            answering_base_url: cx.answering_base_url.or(f.redirect_base.as_deref()),
            reasoning_tokens: cx
                .reasoning_tokens
                .or(f.reasoning.as_ref().and_then(|r| r.tokens)),
            answered_cap: cx.answered_cap.or(f.answered_cap),
            ..cx.clone()
        };
        let hint = match f.kind {
            Some(k) => Some(k.hint(&hint_cx)),
            None if f.status == Status::Unsupported => {
                crate::failure::Kind::unsupported_hint(hint_cx.rule)
            }
            None => None,
        };
        CheckResult {
            target: target.to_string(),
            check: check.to_string(),
            model: cx.model.map(str::to_string),
            endpoint: endpoint.map(str::to_string),
            status: f.status,
            kind: f.kind,
            title: f.kind.map(|k| k.title().to_string()),
            hint,
            detail: f.detail,
            param: f.param,
            http_status: f.evidence.http_status,
            provider_message: f.evidence.provider_message,
            request_id: f.evidence.request_id,
            timing_ms: f.timing,
            stream: f.stream,
            reasoning: f.reasoning,
            required: false,
            baseline: None,
            curl: None,
            cost: None,
            repeats: None,
            as_zencheck: f.as_zencheck,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub unsupported: usize,
    pub skip: usize,
    pub regressed: usize,
    pub fixed: usize,
    /// Checks that failed or warned here and did not pass in `--baseline` either: known
    /// problems (tolerated by `--fail-on new`). Absent from reports of older versions.
    #[serde(default)]
    pub known: usize,
    /// Under `--repeat`: checks that passed in some runs and not in others. Absent from
    /// reports of runs without `--repeat`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flaky: usize,
    /// Under `--repeat N`: how many runs the report joins (N, fewer when the deadline or
    /// Ctrl-C cut one short). Absent from reports of runs without `--repeat`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub runs: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One probed target: what it is, what it served, how it did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetReport {
    #[serde(flatten)]
    pub info: TargetInfo,
    /// The ids `models.list` returned, when it could read them.
    pub models_available: Option<Vec<String>>,
    pub require: Vec<String>,
    pub summary: Summary,
    /// What probing it cost: requests sent, output tokens from `usage` (null in reports of
    /// older versions).
    #[serde(default)]
    pub cost: Option<crate::http::spend::Spent>,
}

/// Whether the run failed under the policy, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub fail_on: FailOn,
    pub failed: bool,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub zencheck_version: String,
    /// When the run started (RFC 3339, UTC); null in reports of older versions.
    #[serde(default)]
    pub started_at: Option<String>,
    /// How long the run took, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// The run's target when it has exactly one (else null; see `targets`).
    pub target: Option<TargetInfo>,
    /// `models_available` of the run's one target (else null).
    pub models_available: Option<Vec<String>>,
    pub targets: Vec<TargetReport>,
    pub summary: Summary,
    /// What the run cost, summed over its targets (null in reports of older versions).
    #[serde(default)]
    pub cost: Option<crate::http::spend::Spent>,
    pub outcome: Outcome,
    pub checks: Vec<CheckResult>,
    /// The run was cut short by Ctrl-C: a partial report (present only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// What the checks' `baseline` marks compare with: `{"with": "baseline", "source":
    /// PATH}` under `--baseline`, `{"with": "reference", "source": URL}` under `probe
    /// --reference` (present only when the run was compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<policy::Comparison>,
}

/// The start of a run: its wall-clock time for the report, a monotonic instant for its
/// duration.
pub struct RunClock {
    started_at: String,
    since: std::time::Instant,
}

impl RunClock {
    pub fn start() -> RunClock {
        RunClock {
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            since: std::time::Instant::now(),
        }
    }
}

/// What probing one target produced, before it joins the report.
pub struct TargetRun {
    pub info: TargetInfo,
    pub models_available: Option<Vec<String>>,
    pub require: Vec<String>,
    pub checks: Vec<CheckResult>,
    pub secrets: Vec<String>,
    /// Requests sent and output tokens reported while probing it.
    pub spent: crate::http::spend::Spent,
}

fn summarise<'a>(checks: impl Iterator<Item = &'a CheckResult>) -> Summary {
    let mut s = Summary::default();
    for c in checks {
        *match c.status {
            Status::Pass => &mut s.pass,
            Status::Fail => &mut s.fail,
            Status::Warn => &mut s.warn,
            Status::Unsupported => &mut s.unsupported,
            Status::Skip => &mut s.skip,
            Status::Flaky => &mut s.flaky,
        } += 1;
        s.runs = s.runs.max(c.repeats.map_or(0, |r| r.runs as usize));
    }
    s
}

impl Report {
    /// Join the targets' runs and scrub every secret of every target from the result, so
    /// no renderer can leak one. The outcome is decided by [`Report::judge`].
    pub fn new(runs: Vec<TargetRun>) -> Report {
        let redactor = Redactor::new(runs.iter().flat_map(|r| r.secrets.iter()));
        let single =
            (runs.len() == 1).then(|| (runs[0].info.clone(), runs[0].models_available.clone()));
        let mut checks = Vec::new();
        let mut targets = Vec::new();
        for run in runs {
            let summary = summarise(run.checks.iter());
            targets.push(TargetReport {
                info: run.info,
                models_available: run.models_available,
                require: run.require,
                summary,
                cost: Some(run.spent),
            });
            checks.extend(run.checks);
        }
        let (target, models_available) = match single {
            Some((t, m)) => (Some(t), m),
            None => (None, None),
        };
        let mut r = Report {
            schema_version: SCHEMA_VERSION,
            zencheck_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: None,
            duration_ms: None,
            target,
            models_available,
            summary: summarise(checks.iter()),
            cost: Some(
                targets
                    .iter()
                    .filter_map(|t| t.cost)
                    .fold(Default::default(), crate::http::spend::Spent::plus),
            ),
            targets,
            outcome: Outcome::default(),
            checks,
            interrupted: false,
            comparison: None,
        };
        r.sanitize(&redactor);
        r.decide(FailOn::default());
        r
    }

    /// Several reports as one, judged under `fail_on` (their checks keep their marks): the
    /// status page of `zencheck serve` shows every target's latest probe in one report.
    /// `started_at` is the earliest; there is no one duration.
    pub fn merge(parts: Vec<Report>, fail_on: FailOn) -> Report {
        let mut r = Report::new(Vec::new());
        r.started_at = parts.iter().filter_map(|p| p.started_at.clone()).min();
        if let [one] = parts.as_slice() {
            r.target = one.target.clone();
            r.models_available = one.models_available.clone();
        }
        for p in parts {
            r.targets.extend(p.targets);
            r.checks.extend(p.checks);
        }
        r.summary = summarise(r.checks.iter());
        r.cost = Some(
            r.targets
                .iter()
                .filter_map(|t| t.cost)
                .fold(Default::default(), crate::http::spend::Spent::plus),
        );
        r.decide(fail_on);
        r
    }

    /// Stamp when the run started and how long it took.
    pub fn timed(mut self, clock: &RunClock) -> Report {
        self.started_at = Some(clock.started_at.clone());
        self.duration_ms = Some(clock.since.elapsed().as_millis() as u64);
        self
    }

    /// Read a report written by `--json`/`--format json`, to render it again.
    pub fn from_json(text: &str) -> Result<Report, String> {
        serde_json::from_str(text).map_err(|e| format!("not a zencheck JSON report: {e}"))
    }

    /// Mark regressions and fixes against `baseline`, then decide whether the run failed and
    /// say why.
    pub fn judge(&mut self, fail_on: FailOn, baseline: Option<&Baseline>) {
        if let Some(b) = baseline {
            let mut c = b.comparison.clone();
            c.source = crate::fit::chars(&strip_controls(&c.source), TEXT_CAP);
            self.comparison = Some(c);
            for c in &mut self.checks {
                let key = (
                    c.target.clone(),
                    c.check.clone(),
                    c.model.clone().unwrap_or_default(),
                );
                c.baseline = b.change(&key, c.status);
            }
        }
        self.decide(fail_on);
    }

    /// Decide the outcome under `fail_on` from the checks as they are marked (`required`,
    /// `baseline`): whether the run failed and why. [`Report::judge`] marks, then decides.
    pub fn decide(&mut self, fail_on: FailOn) {
        let counted: Vec<(policy::Against, String)> = self
            .checks
            .iter()
            .map(|c| (Self::against(fail_on, c), where_(c)))
            .collect();
        self.summary.regressed = self
            .checks
            .iter()
            .filter(|c| c.baseline == Some(Change::Regressed))
            .count();
        self.summary.fixed = self
            .checks
            .iter()
            .filter(|c| c.baseline == Some(Change::Fixed))
            .count();
        self.summary.known = self.checks.iter().filter(|c| is_known(c)).count();
        for t in &mut self.targets {
            let mine = || self.checks.iter().filter(|c| c.target == t.info.name);
            t.summary.regressed = mine()
                .filter(|c| c.baseline == Some(Change::Regressed))
                .count();
            t.summary.fixed = mine().filter(|c| c.baseline == Some(Change::Fixed)).count();
            t.summary.known = mine().filter(|c| is_known(c)).count();
        }
        self.outcome = Outcome {
            fail_on,
            failed: policy::run_fails(fail_on, counted.iter().map(|(a, _)| *a)),
            reasons: policy::reasons(&counted, self.compared_with()),
        };
    }

    fn against(fail_on: FailOn, c: &CheckResult) -> policy::Against {
        policy::counts_against(fail_on, c.status, c.required, c.baseline)
    }

    /// What the rows' marks compare with, for their words (a baseline unless the run says
    /// otherwise).
    pub fn compared_with(&self) -> policy::ComparedWith {
        self.comparison.as_ref().map(|c| c.with).unwrap_or_default()
    }

    /// The run failed: the exit code follows this.
    pub fn failed(&self) -> bool {
        policy::run_fails(
            self.outcome.fail_on,
            self.checks
                .iter()
                .map(|c| Self::against(self.outcome.fail_on, c)),
        )
    }

    /// Every string that may hold server text or a secret: secrets replaced, control
    /// characters removed, and each capped, so a 4 MB model id cannot become a 9 MB report.
    fn sanitize(&mut self, r: &Redactor) {
        let clean = |cap: usize| {
            move |s: &mut String| {
                let c = strip_controls(&r.scrub(s));
                *s = crate::fit::chars(&c, cap);
            }
        };
        let (id, text) = (clean(ID_CAP), clean(TEXT_CAP));
        for t in self
            .target
            .iter_mut()
            .chain(self.targets.iter_mut().map(|t| &mut t.info))
        {
            text(&mut t.base_url);
            t.models.iter_mut().for_each(&id);
        }
        self.models_available.iter_mut().flatten().for_each(&id);
        self.targets
            .iter_mut()
            .flat_map(|t| t.models_available.iter_mut().flatten())
            .for_each(&id);
        for c in &mut self.checks {
            text(&mut c.detail);
            c.model.iter_mut().for_each(&id);
            c.param.iter_mut().for_each(&id);
            c.request_id.iter_mut().for_each(&id);
            for s in [&mut c.hint, &mut c.provider_message, &mut c.curl]
                .into_iter()
                .flatten()
            {
                text(s);
            }
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    /// A known problem: the check failed or warned (or, required, did not pass) here and did
    /// not pass in the baseline either.
    pub fn is_known(&self, c: &CheckResult) -> bool {
        is_known(c)
    }

    /// A known problem that does not count against the run (`--fail-on new` tolerates it).
    pub fn is_tolerated(&self, c: &CheckResult) -> bool {
        self.tolerates_known() && is_known(c) && !self.counts_as_failure(c)
    }

    /// Known problems are let through by `--fail-on new` alone: under any other policy a
    /// known row that does not count is a warning (or flaky), not tolerated, and the words
    /// "tolerated by --fail-on new" would be wrong.
    pub fn tolerates_known(&self) -> bool {
        self.outcome.fail_on == FailOn::New
    }

    /// Does this check count against the run (for renderers that mark failures)?
    pub fn counts_as_failure(&self, c: &CheckResult) -> bool {
        Self::against(self.outcome.fail_on, c).any()
    }
}

fn is_known(c: &CheckResult) -> bool {
    c.is_known()
}

/// `N known problems tolerated by --fail-on new (in the baseline too)`, when some were.
pub fn tolerated_line(r: &Report) -> Option<String> {
    let n = r.checks.iter().filter(|c| r.is_tolerated(c)).count();
    (n > 0).then(|| {
        format!(
            "{n} known problem{} tolerated by --fail-on new ({})",
            if n == 1 { "" } else { "s" },
            r.compared_with().tolerated_why()
        )
    })
}

/// Where a check ran, for the outcome's reasons: `target/check (model)`.
fn where_(c: &CheckResult) -> String {
    match &c.model {
        Some(m) => format!("{}/{} ({m})", c.target, c.check),
        None => format!("{}/{}", c.target, c.check),
    }
}

/// Longest model id, parameter or request id a report keeps (ids are short in practice).
const ID_CAP: usize = 256;
/// Longest detail, message, hint or reproduction a report keeps.
const TEXT_CAP: usize = 4096;

/// ` · started 2026-01-02T03:04:05.678Z · took 4.2 s`, or nothing for an older report.
pub fn when(r: &Report) -> String {
    let mut s = String::new();
    if let Some(t) = &r.started_at {
        s.push_str(&format!(" · started {t}"));
    }
    if let Some(ms) = r.duration_ms {
        s.push_str(&format!(" · took {:.1} s", ms as f64 / 1000.0));
    }
    s
}

/// How a target was reached, when that is worth a line in every report: a proxy, and
/// loudly, certificates that were not checked.
pub fn transport_notes(i: &TargetInfo) -> Vec<String> {
    let mut notes = Vec::new();
    if i.insecure {
        notes.push(
            "WARNING: --insecure: TLS certificates were NOT verified; anyone on the path could have answered"
                .to_string(),
        );
    }
    if let Some(p) = &i.proxy {
        notes.push(format!("requests went through the proxy {p}"));
    }
    notes
}

/// The client a target's requests were sent as (`--as CLIENT`), as a line of the report's
/// header; none when zencheck sent its own.
pub fn client_line(i: &TargetInfo) -> Option<String> {
    i.client_profile.as_deref().map(|c| {
        format!("requests sent as {c} (--as {c}): its User-Agent, headers and body fields")
    })
}

/// The evidence and the fix of a check, as plain text lines (JUnit, Markdown).
pub fn evidence_and_fix(c: &CheckResult) -> String {
    let mut lines = vec![format!("detail: {}", c.detail)];
    if let Some(s) = c.http_status {
        lines.push(format!("HTTP status: {s}"));
    }
    if let Some(m) = &c.provider_message {
        lines.push(format!("provider message: {m}"));
    }
    if let Some(id) = &c.request_id {
        lines.push(format!("request id: {id}"));
    }
    if let Some(h) = &c.hint {
        lines.push(format!("fix: {h}"));
    }
    if let Some(curl) = &c.curl {
        lines.push(format!("reproduce: {curl}"));
    }
    lines.join("\n")
}

impl Summary {
    /// The counts, and the comparison's when there was one (`with` words them).
    pub fn line(&self, with: policy::ComparedWith) -> String {
        let mut s = format!(
            "{} pass, {} fail, {} warn, {} unsupported, {} skip",
            self.pass, self.fail, self.warn, self.unsupported, self.skip
        );
        if self.flaky > 0 {
            s.push_str(&format!(", {} flaky", self.flaky));
        }
        if self.runs > 1 {
            s.push_str(&format!(" over {} runs", self.runs));
        }
        let against = match with {
            policy::ComparedWith::Baseline => "since the baseline",
            policy::ComparedWith::Reference => "beside the reference",
        };
        if self.known > 0 {
            s.push_str(&format!(
                " ({} {against})",
                with.counts(self.known, self.regressed, self.fixed)
            ));
        } else if self.regressed + self.fixed > 0 {
            let counts = match with {
                policy::ComparedWith::Baseline => {
                    format!("{} regressed, {} fixed", self.regressed, self.fixed)
                }
                policy::ComparedWith::Reference => format!(
                    "{} broken only through the gateway, {} working only through it",
                    self.regressed, self.fixed
                ),
            };
            s.push_str(&format!(" ({counts} {against})"));
        }
        s
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(
        target: &str,
        check: &str,
        status: Status,
        kind: Option<Kind>,
    ) -> CheckResult {
        CheckResult {
            target: target.into(),
            check: check.into(),
            model: Some("m".into()),
            endpoint: Some("/chat/completions".into()),
            status,
            kind,
            title: kind.map(|k| k.title().into()),
            detail: "HTTP 401".into(),
            hint: kind.map(|k| k.hint(&Default::default())),
            param: None,
            http_status: Some(401),
            provider_message: None,
            request_id: Some("req_1".into()),
            timing_ms: Timing::default(),
            stream: None,
            reasoning: None,
            required: false,
            baseline: None,
            curl: None,
            cost: None,
            repeats: None,
            as_zencheck: None,
        }
    }

    pub(crate) fn info(name: &str) -> TargetInfo {
        TargetInfo {
            name: name.into(),
            provider: None,
            base_url: "http://x".into(),
            api_key_env: Some("K".into()),
            api_key_present: true,
            models: vec!["m".into()],
            ..Default::default()
        }
    }

    pub(crate) fn run(name: &str, checks: Vec<CheckResult>) -> TargetRun {
        TargetRun {
            info: info(name),
            models_available: None,
            require: vec![],
            checks,
            secrets: vec![],
            spent: Default::default(),
        }
    }

    #[test]
    fn secrets_echoed_by_a_server_are_scrubbed() {
        let mut c = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        c.provider_message = Some("Incorrect API key provided: sk-live-777".into());
        let r = Report::new(vec![TargetRun {
            secrets: vec!["sk-live-777".into()],
            ..run("t", vec![c])
        }]);
        assert!(!r.to_json().contains("sk-live-777"));
        assert!(r.to_json().contains("[redacted]"));
        assert_eq!(
            r.summary,
            Summary {
                fail: 1,
                ..Default::default()
            }
        );
        assert!(r.failed());
    }

    #[test]
    fn server_text_is_stripped_of_controls_and_capped() {
        let mut c = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        c.detail = "all checks passed\r\x1b[2Kreal".into();
        c.model = Some("m".repeat(10_000));
        let r = Report::new(vec![run("t", vec![c])]);
        assert_eq!(r.checks[0].detail, "all checks passed[2Kreal");
        assert!(r.checks[0].model.as_ref().unwrap().chars().count() <= ID_CAP + 1);
    }

    #[test]
    fn one_target_fills_target_and_several_fill_only_targets() {
        let one = Report::new(vec![run("a", vec![])]);
        assert_eq!(one.target.as_ref().map(|t| t.name.as_str()), Some("a"));
        let two = Report::new(vec![run("a", vec![]), run("b", vec![])]);
        assert!(two.target.is_none());
        assert_eq!(two.targets.len(), 2);
    }
}
