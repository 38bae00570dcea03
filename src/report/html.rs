//! The HTML report: one self-contained page (no script, no external style, font or image)
//! for a person to look at: the run at a glance, the failures grouped by cause with their
//! evidence and the one fix, a timeline picture of every streamed check, and every check on
//! demand. Drawn only from the `Report`, so `zencheck report RUN.json --format html` writes
//! the same bytes as the run did.
//!
//! Every string that may hold server text goes through [`esc`](super::escape::esc), in text and in attributes
//! alike, and nothing the server said ever becomes a link, a style or a script; a Content
//! Security Policy forbids scripts, frames and any load from the network besides.
//!
//! Stable hooks for tools and tests (the README lists them as part of the contract): each
//! check row is `<details class="check">` with `data-target`, `data-model`, `data-check`,
//! `data-status`, `data-kind` and `data-ttft-ms`; a streamed check's `<svg class="timeline">`
//! sits inside its row and each chunk mark in it carries `data-ms`.

use super::escape::esc;
use super::{timeline, CheckResult, Report};
use crate::finding::Status;

const STYLE: &str = include_str!("html.css");

pub fn render_html(r: &Report) -> String {
    render_page(r, None)
}

/// One target's latest probe, for the status page of `zencheck serve` (`/`).
pub struct Probed {
    pub target: String,
    /// The module it was probed in; None before its first probe.
    pub module: Option<&'static str>,
    /// Seconds since that probe finished.
    pub age_s: u64,
    /// Whether it passed under its fail policy.
    pub passed: bool,
    /// The bound it was cut short at, in seconds.
    pub cut_s: Option<f64>,
}

/// The status page of `zencheck serve`: the report of every target's latest probe, with
/// when and in which module each ran, reloaded every `refresh_s` seconds (a meta refresh:
/// no script).
pub fn render_status_html(r: &Report, probes: &[Probed], refresh_s: u32) -> String {
    render_page(r, Some((probes, refresh_s)))
}

fn render_page(r: &Report, status: Option<(&[Probed], u32)>) -> String {
    let verdict = if r.failed() { "failed" } else { "passed" };
    let (title, refresh) = match status {
        None => ("zencheck report", String::new()),
        Some((_, s)) => (
            "zencheck serve",
            format!("<meta http-equiv=\"refresh\" content=\"{s}\">\n"),
        ),
    };
    let mut out = String::with_capacity(16 * 1024 + r.checks.len() * 2048);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; form-action 'none'; \
         base-uri 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n{refresh}\
         <title>{title}: {verdict}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
    ));
    glance(r, title, verdict, &mut out);
    if let Some((probes, _)) = status {
        latest(probes, &mut out);
    }
    targets(r, &mut out);
    causes(r, &mut out);
    checks(r, &mut out);
    out.push_str(&format!(
        "<footer>zencheck {} · JSON schema version {}</footer>\n</body>\n</html>\n",
        esc(&r.zencheck_version),
        r.schema_version
    ));
    out
}

/// The run at a glance: verdict, counts, targets and models, cost, when.
fn glance(r: &Report, title: &str, verdict: &str, out: &mut String) {
    let s = &r.summary;
    out.push_str(&format!(
        "<header class=\"glance\">\n<h1>{title}: <span class=\"verdict {verdict}\" \
         id=\"verdict\">{verdict}</span></h1>\n<ul class=\"counts\">"
    ));
    for (n, word) in [
        (s.pass, "pass"),
        (s.warn, "warn"),
        (s.fail, "fail"),
        (s.unsupported, "unsupported"),
        (s.skip, "skip"),
        (s.flaky, "flaky"),
    ] {
        // `flaky` only where `--repeat` ran (a run without it cannot have one).
        if word == "flaky" && n == 0 {
            continue;
        }
        out.push_str(&format!(
            "<li class=\"count {word}\" data-count=\"{n}\"><b>{n}</b> {word}</li>"
        ));
    }
    out.push_str("</ul>\n<dl class=\"facts\">");
    let mut models: Vec<&str> = Vec::new();
    for m in r.targets.iter().flat_map(|t| t.info.models.iter()) {
        if !models.contains(&m.as_str()) {
            models.push(m);
        }
    }
    let names: Vec<String> = r.targets.iter().map(|t| esc(&t.info.name)).collect();
    fact(
        out,
        &format!("target{}", plural(r.targets.len())),
        &if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        },
    );
    fact(
        out,
        &format!("model{}", plural(models.len())),
        &if models.is_empty() {
            "none named".to_string()
        } else {
            models.iter().map(|m| esc(m)).collect::<Vec<_>>().join(", ")
        },
    );
    fact(out, "checks", &r.checks.len().to_string());
    if let Some(c) = &r.cost {
        fact(
            out,
            "cost",
            &format!(
                "{} request{}, {} output token{}",
                c.requests,
                plural(c.requests as usize),
                c.output_tokens,
                plural(c.output_tokens as usize)
            ),
        );
    }
    if let Some(t) = &r.started_at {
        fact(out, "started", &format!("<time>{}</time>", esc(t)));
    }
    if let Some(ms) = r.duration_ms {
        fact(out, "took", &format!("{:.1} s", ms as f64 / 1000.0));
    }
    fact(
        out,
        "fails on",
        &format!("<code>--fail-on {}</code>", fail_on(r)),
    );
    if s.regressed + s.fixed + s.known > 0 {
        let with = r.compared_with();
        fact(
            out,
            with.label(),
            &esc(&with.counts(s.known, s.regressed, s.fixed)),
        );
    }
    out.push_str("</dl>\n");
    if !r.outcome.reasons.is_empty() {
        out.push_str(&format!(
            "<p class=\"why\"><b>Why:</b> {}</p>\n",
            esc(&r.outcome.reasons.join("; "))
        ));
    }
    if let Some(line) = super::tolerated_line(r) {
        out.push_str(&format!("<p class=\"known-note\">{}</p>\n", esc(&line)));
    }
    if r.interrupted {
        out.push_str(
            "<p class=\"note\">The run was interrupted (Ctrl-C): this report is partial.</p>\n",
        );
    }
    out.push_str("</header>\n");
}

/// The status page's first table: each target's latest probe, how old, in which module.
fn latest(probes: &[Probed], out: &mut String) {
    out.push_str(
        "<section id=\"latest\">\n<h2>Latest probes</h2>\n<div class=\"scroll\"><table>\n\
         <thead><tr><th>Target</th><th>Module</th><th>Probed</th><th>Result</th></tr></thead>\n<tbody>\n",
    );
    for p in probes {
        let (module, when, result) = match p.module {
            None => (
                "–".to_string(),
                "not yet".to_string(),
                "<span class=\"badge skip\">not probed</span>".to_string(),
            ),
            Some(m) => (
                format!("<code>{}</code>", esc(m)),
                format!("{} s ago", p.age_s),
                format!(
                    "<span class=\"badge {0}\">{0}</span>{1}",
                    if p.passed { "pass" } else { "fail" },
                    p.cut_s
                        .map(|c| format!(" (cut short at {c:.1} s)"))
                        .unwrap_or_default()
                ),
            ),
        };
        out.push_str(&format!(
            "<tr data-target=\"{0}\" data-age-s=\"{1}\"><td>{0}</td><td>{module}</td><td>{when}</td>\
             <td>{result}</td></tr>\n",
            esc(&p.target),
            p.age_s
        ));
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn fact(out: &mut String, name: &str, value_html: &str) {
    out.push_str(&format!("<div><dt>{name}</dt><dd>{value_html}</dd></div>"));
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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

/// What was probed: each target's URL, provider, key variable (never a key), models.
fn targets(r: &Report, out: &mut String) {
    out.push_str(
        "<section id=\"targets\">\n<h2>Targets</h2>\n<div class=\"scroll\"><table>\n\
         <thead><tr><th>Target</th><th>Base URL</th><th>Provider</th><th>Key</th>\
         <th>Models</th><th>Result</th></tr></thead>\n<tbody>\n",
    );
    for t in &r.targets {
        let i = &t.info;
        let key = match (&i.api_key_env, &i.key_withheld) {
            (_, Some(why)) => format!("withheld: {}", esc(why)),
            (Some(env), None) => format!(
                "<code>${}</code> ({})",
                esc(env),
                if i.api_key_present { "set" } else { "not set" }
            ),
            (None, None) => "none".to_string(),
        };
        let models = if i.models.is_empty() {
            "–".to_string()
        } else {
            i.models
                .iter()
                .map(|m| esc(m))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "<tr data-target=\"{}\"><td>{}</td><td class=\"url\">{}</td><td>{}</td><td>{key}</td>\
             <td>{models}</td><td>{}</td></tr>\n",
            esc(&i.name),
            esc(&i.name),
            esc(&i.base_url),
            i.provider.map(|p| p.name()).unwrap_or("–"),
            esc(&t.summary.line(r.compared_with()))
        ));
    }
    out.push_str("</tbody>\n</table></div>\n");
    for t in &r.targets {
        let client = super::client_line(&t.info);
        for note in super::transport_notes(&t.info).into_iter().chain(client) {
            out.push_str(&format!(
                "<p class=\"note\">{}: {}</p>\n",
                esc(&t.info.name),
                esc(&note)
            ));
        }
    }
    out.push_str("</section>\n");
}

/// The failures and warnings, one entry per cause: what it is, where, the evidence of each
/// check, and the fix once.
fn causes(r: &Report, out: &mut String) {
    let causes = super::group::failures(r);
    out.push_str("<section id=\"failures\">\n<h2>Failures and warnings</h2>\n");
    if causes.is_empty() {
        out.push_str("<p class=\"none\">None: every check passed or did not apply.</p>\n");
    }
    for g in &causes {
        let h = g.head();
        let class = if g.counts {
            "fail"
        } else if g.known {
            "known"
        } else if h.status == Status::Flaky {
            "flaky"
        } else {
            "warn"
        };
        let code = h.kind.map(|k| k.code()).unwrap_or("");
        let title = match (&h.title, h.kind) {
            (Some(t), _) => esc(t),
            (None, _) => format!("{} is {}", esc(&h.check), h.status.as_str()),
        };
        let ids = g.check_ids();
        let models = g.models();
        let mut where_ = format!(
            "{} check{} · {}",
            g.checks.len(),
            plural(g.checks.len()),
            ids.iter()
                .map(|i| format!("<code>{}</code>", esc(i)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !models.is_empty() {
            where_.push_str(&format!(
                " · model{} {}",
                plural(models.len()),
                models.iter().map(|m| esc(m)).collect::<Vec<_>>().join(", ")
            ));
        }
        if r.targets.len() > 1 {
            let t = g.targets();
            where_.push_str(&format!(
                " · target{} {}",
                plural(t.len()),
                t.iter().map(|t| esc(t)).collect::<Vec<_>>().join(", ")
            ));
        }
        if h.required {
            where_.push_str(" · required");
        }
        let with = r.compared_with();
        if h.baseline == Some(super::Change::Regressed) {
            where_.push_str(&format!(" · {}", with.regressed()));
        }
        if g.known {
            where_.push_str(&format!(" · {}", with.known()));
            if !g.counts && r.tolerates_known() {
                where_.push_str(", tolerated by <code>--fail-on new</code>");
            }
        }
        out.push_str(&format!(
            "<article class=\"cause {class}\" data-kind=\"{code}\" data-checks=\"{}\">\n<h3><span class=\"badge {class}\">{}</span> \
             {title}{}</h3>\n<p class=\"where\">{where_}</p>\n<ul class=\"evidence\">\n",
            esc(&ids.join(" ")),
            if g.counts {
                "fails the run"
            } else if g.known {
                "known"
            } else if h.status == Status::Flaky {
                "flaky"
            } else {
                "warning"
            },
            if code.is_empty() {
                String::new()
            } else {
                format!(" <code class=\"kind\">{code}</code>")
            },
        ));
        for line in g.evidence_lines(usize::MAX) {
            out.push_str(&format!("<li>{}</li>\n", esc(&line)));
        }
        out.push_str("</ul>\n");
        if let Some(fix) = g.fix() {
            out.push_str(&format!("<p class=\"fix\"><b>Fix:</b> {}</p>\n", esc(&fix)));
        }
        let curls: Vec<&&CheckResult> = g.checks.iter().filter(|c| c.curl.is_some()).collect();
        if !curls.is_empty() {
            out.push_str("<details class=\"curl\"><summary>Reproduce with curl</summary>\n");
            for c in curls {
                out.push_str(&format!(
                    "<p>{}</p><pre>{}</pre>\n",
                    place(c),
                    esc(c.curl.as_deref().unwrap_or(""))
                ));
            }
            out.push_str("</details>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// `target · check · model`, escaped.
fn place(c: &CheckResult) -> String {
    let mut p = format!("{} · <code>{}</code>", esc(&c.target), esc(&c.check));
    if let Some(m) = &c.model {
        p.push_str(&format!(" · {}", esc(m)));
    }
    if c.required {
        p.push_str(" · required");
    }
    p
}

fn status_word(c: &CheckResult, with: crate::policy::ComparedWith) -> String {
    let base = c.status.as_str();
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

/// Every check, one row each, its details on demand; a streamed check shows its timeline
/// in the row itself.
fn checks(r: &Report, out: &mut String) {
    out.push_str(&format!(
        "<section id=\"checks\">\n<h2>All {} check{}</h2>\n",
        r.checks.len(),
        plural(r.checks.len())
    ));
    for c in &r.checks {
        let status = c.status.as_str();
        let counts = if r.counts_as_failure(c) {
            " fails-run"
        } else {
            ""
        };
        let ms = |v: Option<u64>| v.map(|m| m.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "<details class=\"check {status}{counts}\" data-target=\"{}\" data-model=\"{}\" \
             data-check=\"{}\" data-status=\"{status}\" data-kind=\"{}\" data-ttft-ms=\"{}\">\n\
             <summary><span class=\"badge {status}\">{}</span> <code>{}</code> \
             <span class=\"model\">{}</span> <span class=\"target\">{}</span>",
            esc(&c.target),
            esc(c.model.as_deref().unwrap_or("")),
            esc(&c.check),
            c.kind.map(|k| k.code()).unwrap_or(""),
            ms(c.timing_ms.first_token),
            esc(&status_word(c, r.compared_with())),
            esc(&c.check),
            esc(c.model.as_deref().unwrap_or("")),
            esc(&c.target),
        ));
        if let Some(t) = c.timing_ms.first_token {
            out.push_str(&format!(" <span class=\"ttft\">first token {t} ms</span>"));
        }
        if let Some(svg) = timeline::svg(c) {
            out.push_str(&format!("<span class=\"picture\">{svg}</span>"));
        }
        out.push_str("</summary>\n<dl class=\"body\">");
        let mut row = |name: &str, value_html: String| {
            out.push_str(&format!("<dt>{name}</dt><dd>{value_html}</dd>"));
        };
        if let Some(k) = c.kind {
            row(
                "problem",
                format!(
                    "{} <code class=\"kind\">{}</code>",
                    esc(c.title.as_deref().unwrap_or("")),
                    k.code()
                ),
            );
        }
        row("detail", esc(&c.detail));
        if let Some(caption) = timeline::caption(c) {
            row("stream", esc(&caption));
        }
        if let Some(s) = &c.stream {
            let opt = |v: Option<u64>| v.map(|m| format!("{m} ms")).unwrap_or("–".into());
            row(
                "pace",
                format!(
                    "silence before the first token {} · largest gap between chunks {} · \
                     median gap {} · {} chunks/s",
                    opt(s.silence_before_first_token_ms),
                    opt(s.gap_max_ms),
                    opt(s.gap_median_ms),
                    s.chunks_per_sec
                        .map(|r| format!("{r}"))
                        .unwrap_or("–".into())
                ),
            );
        }
        if let Some(e) = &c.endpoint {
            row("endpoint", format!("<code>{}</code>", esc(e)));
        }
        if let Some(p) = &c.param {
            row("parameter", format!("<code>{}</code>", esc(p)));
        }
        if let Some(s) = c.http_status {
            row("HTTP status", s.to_string());
        }
        if let Some(m) = &c.provider_message {
            row("provider message", format!("<q>{}</q>", esc(m)));
        }
        if let Some(id) = &c.request_id {
            row("request id", format!("<code>{}</code>", esc(id)));
        }
        let t = &c.timing_ms;
        if t.headers.is_some() || t.total.is_some() {
            let opt = |v: Option<u64>| v.map(|m| format!("{m} ms")).unwrap_or("–".into());
            row(
                "timings",
                format!(
                    "headers {} · first token {} · total {}",
                    opt(t.headers),
                    opt(t.first_token),
                    opt(t.total)
                ),
            );
        }
        if let Some(cost) = &c.cost {
            row(
                "cost",
                format!(
                    "{} request{}, {} output token{}",
                    cost.requests,
                    plural(cost.requests as usize),
                    cost.output_tokens,
                    plural(cost.output_tokens as usize)
                ),
            );
        }
        if c.required {
            row("required", "yes: anything but a pass fails the run".into());
        }
        if let Some(h) = &c.hint {
            row("fix", esc(h));
        }
        if let Some(curl) = &c.curl {
            row("reproduce", format!("<pre>{}</pre>", esc(curl)));
        }
        out.push_str("</dl>\n</details>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;
    use crate::finding::Timing;
    use crate::report::tests::{row, run};

    const HOSTILE: &str =
        "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><a href=\"javascript:alert(3)\">x</a>";

    #[test]
    fn server_text_is_inert_in_text_and_attributes() {
        let mut c = row("t", "chat.basic", Status::Fail, Some(Kind::BadRequest));
        c.model = Some(HOSTILE.into());
        c.provider_message = Some(HOSTILE.into());
        c.detail = HOSTILE.into();
        c.request_id = Some(HOSTILE.into());
        let html = render_html(&Report::new(vec![run("t", vec![c])]));
        for bad in [
            "<script",
            "<img",
            "<a ",
            "href=\"",
            "onerror=alert(2)>",
            "\"'>",
        ] {
            assert!(!html.contains(bad), "{bad} in:\n{html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("data-model=\"&lt;script&gt;"));
    }

    #[test]
    fn failures_are_grouped_by_kind_and_fix() {
        let mut a = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        a.model = Some("m1".into());
        let mut b = row("t", "chat.stream", Status::Fail, Some(Kind::Auth));
        b.model = Some("m2".into());
        b.detail = "another detail".into();
        let mut other = row("t", "chat.tools", Status::Fail, Some(Kind::Auth));
        other.hint = Some("another fix".into());
        let pass = row("t", "models.list", Status::Pass, None);
        let r = Report::new(vec![run("t", vec![a, b, other, pass])]);
        let g = crate::report::group::failures(&r);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].checks.len(), 2);
        let html = render_html(&r);
        assert_eq!(html.matches("<article class=\"cause fail\"").count(), 2);
        assert_eq!(html.matches("<details class=\"check ").count(), 4);
        assert!(html.contains("another detail"));
    }

    #[test]
    fn each_row_carries_its_hooks_and_a_stream_its_picture() {
        let mut s = row("t", "chat.stream", Status::Pass, None);
        s.model = Some("m".into());
        s.timing_ms = Timing {
            headers: Some(3),
            first_token: Some(20),
            total: Some(90),
        };
        s.stream = Some(crate::timings::stream_stats(None, &[20, 40, 60]));
        let basic = row("t", "chat.basic", Status::Pass, None);
        let html = render_html(&Report::new(vec![run("t", vec![s, basic])]));
        assert!(html.contains(
            "data-target=\"t\" data-model=\"m\" data-check=\"chat.stream\" data-status=\"pass\" \
             data-kind=\"\" data-ttft-ms=\"20\""
        ));
        assert_eq!(html.matches("<svg").count(), 1);
        let row_start = html.find("data-check=\"chat.stream\"").unwrap();
        let row_end = row_start + html[row_start..].find("</details>").unwrap();
        let svg_at = html.find("<svg").unwrap();
        assert!(row_start < svg_at && svg_at < row_end);
    }
}
