//! What one check found: a value, never an `Err`. A 502 is as ordinary a result as a 200.

use crate::failure::Kind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Unsupported,
    Skip,
    /// Under `--repeat`: passed in some runs and failed, warned or was unsupported in
    /// others (a report row only; no single answer is flaky).
    Flaky,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Unsupported => "unsupported",
            Status::Skip => "skip",
            Status::Flaky => "flaky",
        }
    }

    /// A problem a report lists with its evidence and fix: a failure, a warning, or a
    /// check that passed only some of the time.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Warn | Status::Flaky)
    }
}

/// Milliseconds from the moment the request was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    pub headers: Option<u64>,
    pub first_token: Option<u64>,
    pub total: Option<u64>,
}

/// What the server said, quoted rather than paraphrased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub http_status: Option<u16>,
    pub provider_message: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub status: Status,
    pub kind: Option<Kind>,
    pub detail: String,
    pub evidence: Evidence,
    pub timing: Timing,
    /// The parameter a rejection or an ignored effect is about.
    pub param: Option<String>,
    /// Closest model ids, for `model_not_found`.
    pub suggestions: Vec<String>,
    /// The error page came from a reverse proxy rather than the API server.
    pub gateway: bool,
    pub retry_after_secs: Option<u64>,
    /// A stream's content-chunk timings; `None` for answers that were not streamed.
    pub stream: Option<crate::timings::StreamStats>,
    /// What the answer showed of the model's reasoning; `None` when it showed none.
    pub reasoning: Option<crate::reasoning::Reasoning>,
    /// The classifier rule's own wording of the fix (a chat template, a proxy, a server
    /// flag), when a rule that has one named the kind.
    pub rule_hint: Option<crate::failure::RuleHint>,
    /// The base URL a redirect implies: its `Location` with the endpoint path taken off.
    pub redirect_base: Option<String>,
    /// The output cap a reasoning model answered within after a smaller one was spent on
    /// reasoning (`RuleHint::AnsweredAtLargerCap`).
    pub answered_cap: Option<u64>,
    /// Under `--as CLIENT`, a check that failed sent once more as zencheck itself.
    pub as_zencheck: Option<AsZencheck>,
}

/// A check that failed as a client (`--as CLIENT`), sent once more as zencheck itself: the
/// same requests without the profile's headers and body fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsZencheck {
    pub status: Status,
    pub kind: Option<Kind>,
    /// What the profile sent that zencheck's own request did not and that made the
    /// difference (`User-Agent: …` for a header, a body field's name); empty when the check
    /// failed as zencheck too.
    pub difference: Vec<String>,
}

impl Finding {
    pub fn new(status: Status, kind: Option<Kind>, detail: impl Into<String>) -> Finding {
        Finding {
            status,
            kind,
            detail: detail.into(),
            evidence: Evidence::default(),
            timing: Timing::default(),
            param: None,
            suggestions: Vec::new(),
            gateway: false,
            rule_hint: None,
            redirect_base: None,
            answered_cap: None,
            as_zencheck: None,
            retry_after_secs: None,
            stream: None,
            reasoning: None,
        }
    }
    pub fn pass(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Pass, None, detail)
    }
    pub fn fail(kind: Kind, detail: impl Into<String>) -> Finding {
        Finding::new(Status::Fail, Some(kind), detail)
    }
    pub fn warn(kind: Kind, detail: impl Into<String>) -> Finding {
        Finding::new(Status::Warn, Some(kind), detail)
    }
    pub fn skip(detail: impl Into<String>) -> Finding {
        Finding::new(Status::Skip, None, detail)
    }
    pub fn with_evidence(mut self, evidence: Evidence) -> Finding {
        self.evidence = evidence;
        self
    }
    pub fn with_timing(mut self, timing: Timing) -> Finding {
        self.timing = timing;
        self
    }
    /// Say that the answer came only after waiting out a 429's Retry-After.
    pub fn note_retry(mut self, waited_secs: Option<u64>) -> Finding {
        if let Some(s) = waited_secs {
            self.detail.push_str(&format!(
                " · after a 429, retried once {s} s later (Retry-After)"
            ));
        }
        self
    }
    pub fn with_param(mut self, param: impl Into<String>) -> Finding {
        self.param = Some(param.into());
        self
    }
}

/// Problems noticed while judging one answer. The worst decides the check's status; the
/// others still reach the detail, so nothing observed is thrown away.
#[derive(Default)]
pub struct Problems {
    list: Vec<(Status, Kind, String, Option<String>)>,
}

impl Problems {
    pub fn fail(&mut self, kind: Kind, detail: impl Into<String>) {
        self.list.push((Status::Fail, kind, detail.into(), None));
    }
    pub fn warn(&mut self, kind: Kind, detail: impl Into<String>) {
        self.list.push((Status::Warn, kind, detail.into(), None));
    }
    pub fn warn_param(&mut self, kind: Kind, param: &str, detail: impl Into<String>) {
        self.list
            .push((Status::Warn, kind, detail.into(), Some(param.to_string())));
    }

    pub fn fail_param(&mut self, kind: Kind, param: &str, detail: impl Into<String>) {
        self.list
            .push((Status::Fail, kind, detail.into(), Some(param.to_string())));
    }

    /// The finding: the first failure, else the first warning, else a pass described by
    /// `pass_detail`. Further problems are appended to the detail; so is `pass_detail` when
    /// only warnings were found, since the answer itself was good.
    pub fn into_finding(self, pass_detail: String) -> Finding {
        let first = self
            .list
            .iter()
            .position(|p| p.0 == Status::Fail)
            .or(if self.list.is_empty() { None } else { Some(0) });
        let Some(i) = first else {
            return Finding::pass(pass_detail);
        };
        let (status, kind, detail, param) = self.list[i].clone();
        let others: Vec<&str> = self
            .list
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| p.2.as_str())
            .collect();
        let mut detail = if others.is_empty() {
            detail
        } else {
            format!("{detail}; also: {}", others.join("; "))
        };
        if status == Status::Warn && !pass_detail.is_empty() {
            detail = format!("{detail} · got {pass_detail}");
        }
        let mut f = Finding::new(status, Some(kind), detail);
        f.param = param;
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_wins_over_earlier_warnings() {
        let mut p = Problems::default();
        p.warn(Kind::StreamNoDone, "no [DONE]");
        p.fail(Kind::StreamMalformed, "bad json");
        let f = p.into_finding("ok".into());
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.kind, Some(Kind::StreamMalformed));
        assert_eq!(f.detail, "bad json; also: no [DONE]");
    }

    #[test]
    fn a_warning_keeps_what_was_good_about_the_answer() {
        let mut p = Problems::default();
        p.warn(Kind::StreamNoDone, "no [DONE]");
        assert_eq!(
            p.into_finding("\"pong\"".into()).detail,
            "no [DONE] · got \"pong\""
        );
    }

    #[test]
    fn no_problem_is_a_pass() {
        let f = Problems::default().into_finding("fine".into());
        assert_eq!(
            (f.status, f.kind, f.detail.as_str()),
            (Status::Pass, None, "fine")
        );
    }
}
