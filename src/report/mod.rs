//! The one serialisable report every renderer reads. Its JSON form is versioned
//! (`schema_version`) and described by `schema/report.schema.json`.

mod table;

pub use table::{render_failures, render_grid, render_table};

use crate::failure::Kind;
use crate::outcome::{Status, Timing};
use crate::target::TargetInfo;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
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
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub unsupported: usize,
    pub skip: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub zencheck_version: String,
    pub target: TargetInfo,
    /// The ids `models.list` returned, when it could read them.
    pub models_available: Option<Vec<String>>,
    pub summary: Summary,
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Build the report and scrub every secret from it, so no renderer can leak one.
    pub fn new(
        target: TargetInfo,
        models_available: Option<Vec<String>>,
        checks: Vec<CheckResult>,
        secrets: &[String],
    ) -> Report {
        let mut summary = Summary::default();
        for c in &checks {
            *match c.status {
                Status::Pass => &mut summary.pass,
                Status::Fail => &mut summary.fail,
                Status::Warn => &mut summary.warn,
                Status::Unsupported => &mut summary.unsupported,
                Status::Skip => &mut summary.skip,
            } += 1;
        }
        let mut r = Report {
            schema_version: SCHEMA_VERSION,
            zencheck_version: env!("CARGO_PKG_VERSION").to_string(),
            target,
            models_available,
            summary,
            checks,
        };
        r.redact(secrets);
        r
    }

    pub fn failed(&self) -> bool {
        self.summary.fail > 0
    }

    fn redact(&mut self, secrets: &[String]) {
        if secrets.is_empty() {
            return;
        }
        let scrub = |s: &mut String| {
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), "[redacted]");
                }
            }
        };
        scrub(&mut self.target.base_url);
        self.models_available.iter_mut().flatten().for_each(scrub);
        for c in &mut self.checks {
            scrub(&mut c.detail);
            for s in [
                &mut c.hint,
                &mut c.provider_message,
                &mut c.request_id,
                &mut c.model,
                &mut c.param,
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
}

impl Summary {
    pub fn line(&self) -> String {
        format!(
            "{} pass, {} fail, {} warn, {} unsupported, {} skip",
            self.pass, self.fail, self.warn, self.unsupported, self.skip
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(detail: &str, msg: Option<&str>) -> CheckResult {
        CheckResult {
            check: "chat.basic".into(),
            model: Some("m".into()),
            endpoint: Some("/chat/completions".into()),
            status: Status::Fail,
            kind: Some(Kind::Auth),
            title: Some(Kind::Auth.title().into()),
            detail: detail.into(),
            hint: None,
            param: None,
            http_status: Some(401),
            provider_message: msg.map(str::to_string),
            request_id: None,
            timing_ms: Timing::default(),
        }
    }

    #[test]
    fn secrets_echoed_by_a_server_are_scrubbed() {
        let info = TargetInfo {
            name: "t".into(),
            provider: None,
            base_url: "http://x".into(),
            api_key_env: Some("K".into()),
            api_key_present: true,
            models: vec![],
        };
        let r = Report::new(
            info,
            None,
            vec![row(
                "HTTP 401",
                Some("Incorrect API key provided: sk-live-777"),
            )],
            &["sk-live-777".into()],
        );
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
}
