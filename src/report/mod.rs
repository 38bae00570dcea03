//! The one serialisable report every renderer reads. Its JSON form is versioned
//! (`schema_version`) and described by `schema/report.schema.json`.

mod junit;
mod markdown;
mod table;

pub use junit::render_junit;
pub use markdown::render_markdown;
pub use table::{render_failures, render_grid, render_table};

use crate::failure::Kind;
use crate::outcome::{Status, Timing};
use crate::target::TargetInfo;
use crate::verdict::{self, FailOn};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

pub use crate::verdict::Change;

#[derive(Debug, Clone, Serialize)]
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
    /// The target's `require` names this check: anything but a pass fails the run.
    pub required: bool,
    /// Compared with `--baseline`.
    pub baseline: Option<Change>,
    /// With `--curl`, on checks that did not pass: the request as a curl command, the key
    /// written as its variable.
    pub curl: Option<String>,
}

impl CheckResult {
    /// A report row from a finding; the hint is written for `cx` (the model, the provider…).
    /// The finding's own parameter and suggestions reach the hint too.
    pub fn from_finding(
        target: &str,
        check: &str,
        endpoint: Option<&str>,
        f: crate::outcome::Finding,
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
            ..cx.clone()
        };
        let hint = f.kind.map(|k| k.hint(&hint_cx));
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
            required: false,
            baseline: None,
            curl: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub unsupported: usize,
    pub skip: usize,
    pub regressed: usize,
    pub fixed: usize,
}

/// One probed target: what it is, what it served, how it did.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    #[serde(flatten)]
    pub info: TargetInfo,
    /// The ids `models.list` returned, when it could read them.
    pub models_available: Option<Vec<String>>,
    pub require: Vec<String>,
    pub summary: Summary,
}

/// Whether the run failed under the policy, and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub fail_on: FailOn,
    pub failed: bool,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub zencheck_version: String,
    /// The run's target when it has exactly one (else null; see `targets`).
    pub target: Option<TargetInfo>,
    /// `models_available` of the run's one target (else null).
    pub models_available: Option<Vec<String>>,
    pub targets: Vec<TargetReport>,
    pub summary: Summary,
    pub outcome: Outcome,
    pub checks: Vec<CheckResult>,
}

/// What probing one target produced, before it joins the report.
pub struct TargetRun {
    pub info: TargetInfo,
    pub models_available: Option<Vec<String>>,
    pub require: Vec<String>,
    pub checks: Vec<CheckResult>,
    pub secrets: Vec<String>,
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
        } += 1;
    }
    s
}

impl Report {
    /// Join the targets' runs and scrub every secret of every target from the result, so
    /// no renderer can leak one. The outcome is decided by `policy::judge`.
    pub fn new(runs: Vec<TargetRun>) -> Report {
        let secrets: Vec<String> = runs.iter().flat_map(|r| r.secrets.clone()).collect();
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
            target,
            models_available,
            summary: summarise(checks.iter()),
            targets,
            outcome: Outcome::default(),
            checks,
        };
        r.redact(&secrets);
        r.decide(FailOn::default());
        r
    }

    /// Decide the outcome under `fail_on` from the checks as they are marked (`required`,
    /// `baseline`): whether the run failed and why. `policy::judge` marks, then decides.
    pub fn decide(&mut self, fail_on: FailOn) {
        let counted: Vec<(verdict::Against, String)> = self
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
        self.outcome = Outcome {
            fail_on,
            failed: verdict::run_fails(fail_on, counted.iter().map(|(a, _)| *a)),
            reasons: verdict::reasons(&counted),
        };
    }

    fn against(fail_on: FailOn, c: &CheckResult) -> verdict::Against {
        verdict::counts_against(fail_on, c.status, c.required, c.baseline)
    }

    /// The run failed: the exit code follows this.
    pub fn failed(&self) -> bool {
        verdict::run_fails(
            self.outcome.fail_on,
            self.checks
                .iter()
                .map(|c| Self::against(self.outcome.fail_on, c)),
        )
    }

    fn redact(&mut self, secrets: &[String]) {
        let scrub = |s: &mut String| {
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "[redacted]");
                }
            }
            // Keys zencheck never held (opencode's own, echoed by a provider) by their shape.
            if KEY_PREFIXES.iter().any(|p| s.contains(p)) {
                *s = mask_key_like(s);
            }
        };
        for t in self
            .target
            .iter_mut()
            .chain(self.targets.iter_mut().map(|t| &mut t.info))
        {
            scrub(&mut t.base_url);
        }
        self.models_available.iter_mut().flatten().for_each(scrub);
        self.targets
            .iter_mut()
            .flat_map(|t| t.models_available.iter_mut().flatten())
            .for_each(scrub);
        for c in &mut self.checks {
            scrub(&mut c.detail);
            for s in [
                &mut c.hint,
                &mut c.provider_message,
                &mut c.request_id,
                &mut c.model,
                &mut c.param,
                &mut c.curl,
            ]
            .into_iter()
            .flatten()
            {
                scrub(s);
            }
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises")
    }

    /// Does this check count against the run (for renderers that mark failures)?
    pub fn counts_as_failure(&self, c: &CheckResult) -> bool {
        Self::against(self.outcome.fail_on, c).any()
    }
}

/// Where a check ran, for the outcome's reasons: `target/check (model)`.
fn where_(c: &CheckResult) -> String {
    match &c.model {
        Some(m) => format!("{}/{} ({m})", c.target, c.check),
        None => format!("{}/{}", c.target, c.check),
    }
}

/// Prefixes of API keys as providers issue them (OpenAI, Anthropic, OpenRouter, Groq…).
const KEY_PREFIXES: [&str; 3] = ["sk-", "sk_", "gsk_"];

/// Replace every key-shaped token (a known prefix and at least 12 more key characters)
/// with its prefix and `[redacted]`.
pub(crate) fn mask_key_like(s: &str) -> String {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((i, prefix)) = KEY_PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min_by_key(|(i, _)| *i)
    {
        let starts_word = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_key_char(c));
        let tail = &rest[i + prefix.len()..];
        let len = tail.find(|c: char| !is_key_char(c)).unwrap_or(tail.len());
        out.push_str(&rest[..i + prefix.len()]);
        if starts_word && len >= 12 {
            out.push_str("[redacted]");
        } else {
            out.push_str(&tail[..len]);
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
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
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} pass, {} fail, {} warn, {} unsupported, {} skip",
            self.pass, self.fail, self.warn, self.unsupported, self.skip
        );
        if self.regressed + self.fixed > 0 {
            s.push_str(&format!(
                " ({} regressed, {} fixed since the baseline)",
                self.regressed, self.fixed
            ));
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
            required: false,
            baseline: None,
            curl: None,
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
        }
    }

    pub(crate) fn run(name: &str, checks: Vec<CheckResult>) -> TargetRun {
        TargetRun {
            info: info(name),
            models_available: None,
            require: vec![],
            checks,
            secrets: vec![],
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
    fn key_shaped_tokens_are_masked_even_when_unknown() {
        assert_eq!(
            mask_key_like("Incorrect API key provided: sk-proj-abcdef123456789."),
            "Incorrect API key provided: sk-[redacted]."
        );
        assert_eq!(
            mask_key_like("gsk_0123456789abcdef and task-sk-xyz"),
            "gsk_[redacted] and task-sk-xyz"
        );
        assert_eq!(
            mask_key_like("model sk-small"),
            "model sk-small",
            "short tokens are not keys"
        );
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
