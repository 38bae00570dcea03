//! Markdown for a support ticket: the targets (never a key), zencheck's version, a summary
//! line, the failures with evidence and fix, and every check in a collapsible section.
//! Renders on GitHub.

use super::{CheckResult, Report};
use crate::finding::Status;

pub fn render_markdown(r: &Report) -> String {
    let verdict = if r.failed() {
        "❌ failed"
    } else {
        "✅ passed"
    };
    let mut out = format!("## zencheck report: {verdict}\n\n");
    out.push_str(&format!(
        "zencheck {}{} · `--fail-on {}` · {}\n\n",
        r.zencheck_version,
        super::when(r),
        fail_on(r),
        r.summary.line(r.compared_with())
    ));
    if !r.outcome.reasons.is_empty() {
        out.push_str(&format!(
            "**Why:** {}\n\n",
            cell(&r.outcome.reasons.join("; "))
        ));
    }
    if let Some(line) = super::tolerated_line(r) {
        out.push_str(&format!("📌 {}\n\n", cell(&line)));
    }
    out.push_str(
        "| Target | Base URL | Provider | Key | Models | Result |\n|---|---|---|---|---|---|\n",
    );
    for t in &r.targets {
        let i = &t.info;
        let key = match &i.api_key_env {
            Some(env) => format!(
                "`${env}` ({})",
                if i.api_key_present { "set" } else { "not set" }
            ),
            None => "none".to_string(),
        };
        let models = if i.models.is_empty() {
            "–".to_string()
        } else {
            i.models.join(", ")
        };
        let provider = i.provider.map(|p| p.name()).unwrap_or("–");
        out.push_str(&format!(
            "| {} | {} | {provider} | {key} | {} | {} |\n",
            cell(&i.name),
            cell(&i.base_url),
            cell(&models),
            t.summary.line(r.compared_with())
        ));
    }
    for t in &r.targets {
        for note in super::transport_notes(&t.info) {
            out.push_str(&format!("\n> ⚠️ {}: {}\n", cell(&t.info.name), cell(&note)));
        }
        if let Some(line) = super::client_line(&t.info) {
            out.push_str(&format!("\n> {}: {}\n", cell(&t.info.name), cell(&line)));
        }
    }
    let problems: Vec<&CheckResult> = r
        .checks
        .iter()
        .filter(|c| c.kind.is_some() || r.counts_as_failure(c))
        .collect();
    if !problems.is_empty() {
        out.push_str("\n### Failures and warnings\n\nOne row per cause (a kind and its fix), with what differs between the checks it hit.\n\n| | Problem | Where | Evidence | Fix |\n|---|---|---|---|---|\n");
        for g in super::group::failures(r) {
            let c = g.head();
            let icon = if g.counts {
                "❌"
            } else if g.known {
                "📌"
            } else {
                "⚠️"
            };
            let problem = match c.kind {
                Some(k) => format!(
                    "**{}** `{}`",
                    cell(c.title.as_deref().unwrap_or("")),
                    k.code()
                ),
                None => format!("**{} is {}**", c.check, c.status.as_str()),
            };
            let evidence: Vec<String> = g
                .evidence_lines(VARIANTS_SHOWN)
                .iter()
                .map(|l| cell(l))
                .collect();
            out.push_str(&format!(
                "| {icon} | {problem} | {} | {} | {} |\n",
                where_(r, &g),
                evidence.join("<br>"),
                cell(g.fix().as_deref().unwrap_or(""))
            ));
        }
        let curls: Vec<&&CheckResult> = problems.iter().filter(|c| c.curl.is_some()).collect();
        if !curls.is_empty() {
            out.push_str("\n<details>\n<summary>Reproduce with curl</summary>\n\n");
            for c in curls {
                out.push_str(&format!(
                    "{}:\n\n```sh\n{}\n```\n\n",
                    place(c),
                    c.curl.as_deref().unwrap_or("")
                ));
            }
            out.push_str("</details>\n");
        }
    }
    out.push_str(&format!(
        "\n<details>\n<summary>All {} checks</summary>\n\n",
        r.checks.len()
    ));
    out.push_str("| Status | Target | Check | Model | Detail | Headers | 1st token | Total |\n|---|---|---|---|---|---|---|---|\n");
    for c in &r.checks {
        let ms = |v: Option<u64>| v.map(|m| format!("{m} ms")).unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | `{}` | {} | {} | {} | {} | {} |\n",
            status_word(c, r.compared_with()),
            cell(&c.target),
            c.check,
            cell(c.model.as_deref().unwrap_or("")),
            cell(&c.detail),
            ms(c.timing_ms.headers),
            ms(c.timing_ms.first_token),
            ms(c.timing_ms.total)
        ));
    }
    out.push_str("\n</details>\n");
    out
}

fn fail_on(r: &Report) -> &'static str {
    match r.outcome.fail_on {
        crate::policy::FailOn::Fail => "fail",
        crate::policy::FailOn::Warn => "warn",
        crate::policy::FailOn::Never => "never",
        crate::policy::FailOn::New => "new",
        crate::policy::FailOn::Flaky => "flaky",
    }
}

fn status_word(c: &CheckResult, with: crate::policy::ComparedWith) -> String {
    let base = match c.status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Warn => "⚠️ warn",
        Status::Unsupported => "➖ unsupported",
        Status::Skip => "⏭️ skip",
        Status::Flaky => "🔀 flaky",
    };
    match c.baseline {
        Some(super::Change::Regressed) => format!("{base} ({})", with.regressed_short()),
        Some(super::Change::Fixed) => format!("{base} ({})", with.fixed_short()),
        Some(super::Change::New) if c.status != Status::Pass => {
            format!("{base} ({})", with.new_short())
        }
        _ if c.is_known() => format!("{base} ({})", with.known_short()),
        _ => base.to_string(),
    }
}

fn place(c: &CheckResult) -> String {
    let mut p = format!("{} · `{}`", cell(&c.target), c.check);
    if let Some(m) = &c.model {
        p.push_str(&format!(" · {}", cell(m)));
    }
    if c.required {
        p.push_str(" · required");
    }
    p
}

/// How many distinct pieces of evidence a cause lists before saying how many more.
const VARIANTS_SHOWN: usize = 8;

/// Where a cause struck: its check ids, models, targets (when the run has several) and marks.
fn where_(r: &Report, g: &super::group::Group<'_>) -> String {
    let ids: Vec<String> = g.check_ids().iter().map(|i| format!("`{i}`")).collect();
    let mut p = vec![ids.join(", ")];
    let models = g.models();
    match models.len() {
        0 => {}
        1 => p.push(cell(models[0])),
        n => p.push(format!(
            "{n} models: {}",
            models
                .iter()
                .map(|m| cell(m))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if r.targets.len() > 1 {
        let t: Vec<String> = g.targets().iter().map(|t| cell(t)).collect();
        p.push(format!(
            "target{} {}",
            if t.len() > 1 { "s" } else { "" },
            t.join(", ")
        ));
    }
    let c = g.head();
    if c.required {
        p.push("required".into());
    }
    let with = r.compared_with();
    if c.baseline == Some(super::Change::Regressed) {
        p.push(with.regressed().into());
    }
    if g.known {
        // `known: in the baseline too` as `**known**: in the baseline too`.
        let known = match with.known().split_once(": ") {
            Some((word, why)) => format!("**{word}**: {why}"),
            None => format!("**{}**", with.known()),
        };
        p.push(if g.counts || !r.tolerates_known() {
            known
        } else {
            format!("{known}, tolerated by `--fail-on new`")
        });
    }
    p.join("<br>")
}

/// Text safe inside a table cell: no pipes, no line breaks, no raw HTML, and no Markdown
/// of its own: a server's `![x](http://…)` must not become an image in a ticket, nor its
/// `[openai.com](http://evil/…)` a link. Every punctuation mark Markdown acts on is escaped.
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '#' | '~' | '|' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;
    use crate::report::tests::{row, run};

    #[test]
    fn cells_are_escaped_and_failures_listed() {
        let mut c = row("zen", "chat.basic", Status::Fail, Some(Kind::ServerError));
        c.provider_message = Some("<html>502 | Bad Gateway</html>".into());
        let md = render_markdown(&Report::new(vec![run("zen", vec![c])]));
        assert!(md.starts_with("## zencheck report: ❌ failed"));
        assert!(md.contains("&lt;html&gt;502 \\| Bad Gateway"), "{md}");
        assert!(md.contains("<details>") && md.contains("`server_error`"));
    }

    #[test]
    fn server_markdown_is_inert() {
        let mut c = row("t", "chat.basic", Status::Fail, Some(Kind::BadRequest));
        c.provider_message =
            Some("see ![x](http://evil/p.png) or [openai.com](http://evil/)".into());
        let md = render_markdown(&Report::new(vec![run("t", vec![c])]));
        assert!(md.contains("\\!\\[x\\]\\(http://evil/p.png\\)"), "{md}");
        assert!(!md.contains("[openai.com](http"), "{md}");
    }
}
