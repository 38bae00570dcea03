//! The short plain-text summary an MCP `probe` returns beside its JSON report: what an
//! agent reads first. It names each check that failed or warned with its kind code and
//! parameter, says where no key was sent, and what the call cost.

use crate::report::Report;

/// At most this many checks are listed; the JSON report has the rest.
const LISTED: usize = 40;

pub fn render(r: &Report) -> String {
    let mut out = Vec::new();
    let verdict = if r.outcome.failed { "FAILED" } else { "passed" };
    let fail_on = serde_json::to_value(r.outcome.fail_on)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    out.push(format!("zencheck probe {verdict} (fail_on {fail_on})"));
    for t in &r.targets {
        let models = if t.info.models.is_empty() {
            "no model (only /models checked)".to_string()
        } else {
            format!("models {}", t.info.models.join(", "))
        };
        let key = match (&t.info.key_withheld, &t.info.api_key_env) {
            (Some(why), _) => format!("key: none, {why}"),
            (None, Some(v)) if t.info.api_key_present => format!("key: from ${v}"),
            (None, Some(v)) => format!("key: none (${v} is not set)"),
            (None, None) => "key: none".to_string(),
        };
        out.push(format!(
            "target {} ({}), {models}; {key}",
            t.info.name, t.info.base_url
        ));
    }
    let s = &r.summary;
    let flaky = if s.flaky > 0 {
        format!(", {} flaky", s.flaky)
    } else {
        String::new()
    };
    out.push(format!(
        "{}: {} pass, {} fail, {} warn, {} unsupported, {} skip{flaky}",
        crate::fit::count(r.checks.len() as u64, "check"),
        s.pass,
        s.fail,
        s.warn,
        s.unsupported,
        s.skip
    ));
    let listed: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.status.is_problem() || r.counts_as_failure(c))
        .collect();
    if !listed.is_empty() {
        out.push("not passing:".to_string());
    }
    for c in listed.iter().take(LISTED) {
        let mut line = format!("- {}", c.check);
        if let Some(m) = &c.model {
            line.push_str(&format!(" ({m})"));
        }
        if r.targets.len() > 1 {
            line.push_str(&format!(" on {}", c.target));
        }
        line.push_str(&format!(": {}", c.status.as_str()));
        if let (crate::finding::Status::Flaky, Some(n)) = (c.status, c.repeats) {
            line.push_str(&format!(" (passed {} of {} runs)", n.pass, n.runs));
        }
        if let Some(k) = c.kind {
            line.push_str(&format!(", kind {}", k.code()));
        }
        if let Some(p) = &c.param {
            line.push_str(&format!(", param {p}"));
        }
        if let Some(t) = &c.title {
            line.push_str(&format!(": {t}"));
        }
        out.push(line);
        if let Some(fix) = c.hint.as_deref().and_then(|h| h.lines().next()) {
            out.push(format!("  fix: {fix}"));
        }
    }
    if listed.len() > LISTED {
        out.push(format!(
            "… and {} more (see the JSON report)",
            listed.len() - LISTED
        ));
    }
    if let Some(c) = r.cost {
        out.push(format!(
            "cost: {}, {}",
            crate::fit::count(c.requests, "request"),
            crate::fit::count(c.output_tokens, "output token")
        ));
    }
    out.join("\n")
}
