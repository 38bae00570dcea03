//! The human renderer: a row per check, then the failures with evidence and a fix.

use super::{CheckResult, Report};
use crate::outcome::Status;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// Width used when stdout is not a terminal (CI logs, pipes).
const DEFAULT_WIDTH: u16 = 140;

pub fn render_table(r: &Report, color: bool) -> String {
    let mut out = header(r);
    // With several models, per-model rows become a grid; target-wide rows stay a list.
    let grid = r.target.models.len() > 1;
    let mut checks = new_table(color);
    checks.set_header(vec![
        "Status",
        "Check",
        "Model",
        "Detail",
        "Headers",
        "1st token",
        "Total",
    ]);
    for c in r.checks.iter().filter(|c| !grid || c.model.is_none()) {
        checks.add_row(vec![
            status_cell(c.status, color),
            Cell::new(&c.check),
            Cell::new(c.model.as_deref().unwrap_or("")),
            Cell::new(&c.detail),
            Cell::new(fmt_ms(c.timing_ms.headers)),
            Cell::new(fmt_ms(c.timing_ms.first_token)),
            Cell::new(fmt_ms(c.timing_ms.total)),
        ]);
    }
    out.push_str(&checks.to_string());
    out.push('\n');
    if grid {
        out.push_str("\nCapabilities (check × model)\n");
        out.push_str(&render_grid(r, color));
    }
    let failures = render_failures(r, color);
    if !failures.is_empty() {
        out.push_str("\nFailures and warnings\n");
        out.push_str(&failures);
    }
    out.push_str(&format!("\n{}\n", r.summary.line()));
    out
}

/// One row per check, one column per model: what a support engineer reads at a glance.
pub fn render_grid(r: &Report, color: bool) -> String {
    let models = &r.target.models;
    let mut ids: Vec<&str> = Vec::new();
    for c in r.checks.iter().filter(|c| c.model.is_some()) {
        if !ids.contains(&c.check.as_str()) {
            ids.push(&c.check);
        }
    }
    let mut t = new_table(color);
    t.set_header(
        std::iter::once("Check")
            .chain(models.iter().map(String::as_str))
            .collect::<Vec<_>>(),
    );
    for id in ids {
        let mut row = vec![Cell::new(id)];
        for m in models {
            let cell = match r
                .checks
                .iter()
                .find(|c| c.check == id && c.model.as_deref() == Some(m))
            {
                Some(c) => {
                    let cell = Cell::new(verdict(c));
                    if color {
                        cell.fg(status_color(c.status))
                    } else {
                        cell
                    }
                }
                None => Cell::new(""),
            };
            row.push(cell);
        }
        t.add_row(row);
    }
    format!("{t}\n")
}

/// The grid's word for a result: parameter outcomes read as accepted/rejected/ignored.
fn verdict(c: &CheckResult) -> String {
    use crate::failure::Kind;
    match (c.status, c.kind) {
        (Status::Pass, _) => "pass".into(),
        (Status::Skip, _) => "skip".into(),
        (Status::Unsupported, _) => "unsupported".into(),
        (_, Some(Kind::ParamRejected)) => {
            format!("rejected ({})", c.param.as_deref().unwrap_or("param"))
        }
        (_, Some(Kind::ParamIgnored)) => {
            format!("ignored ({})", c.param.as_deref().unwrap_or("param"))
        }
        (s, Some(k)) => format!("{} {}", s.as_str().to_uppercase(), k.code()),
        (s, None) => s.as_str().to_uppercase(),
    }
}

/// The failures table alone (empty when nothing failed or warned). Checks that failed
/// the same way (same kind, status, provider message and fix) share one row, so a dead
/// key reads as one problem, not five.
pub fn render_failures(r: &Report, color: bool) -> String {
    let mut groups: Vec<Vec<&CheckResult>> = Vec::new();
    for c in r.checks.iter().filter(|c| c.kind.is_some()) {
        let same = |g: &&mut Vec<&CheckResult>| {
            let h = g[0];
            (h.status, h.kind, &h.provider_message, &h.hint, &h.model)
                == (c.status, c.kind, &c.provider_message, &c.hint, &c.model)
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    if groups.is_empty() {
        return String::new();
    }
    let mut t = new_table(color);
    t.set_header(vec!["Problem", "Where", "Evidence", "Fix"]);
    for g in groups {
        let c = g[0];
        let kind = c.kind.expect("filtered on kind");
        let problem = format!(
            "{} {}\n[{}]",
            c.status.as_str().to_uppercase(),
            c.title.as_deref().unwrap_or(""),
            kind.code()
        );
        let mut cell = Cell::new(problem);
        if color {
            cell = cell.fg(status_color(c.status));
        }
        let mut place: Vec<String> = g.iter().map(|x| x.check.clone()).collect();
        place.extend(c.model.clone());
        t.add_row(vec![
            cell,
            Cell::new(place.join("\n")),
            Cell::new(evidence(c)),
            Cell::new(c.hint.as_deref().unwrap_or("")),
        ]);
    }
    format!("{t}\n")
}

fn header(r: &Report) -> String {
    let t = &r.target;
    let key = match &t.api_key_env {
        Some(env) if t.api_key_present => format!("key ${env} (set)"),
        Some(env) => format!("key ${env} (not set: no auth header)"),
        None => "no key".to_string(),
    };
    let provider = t
        .provider
        .map(|p| format!(" · {}", p.name()))
        .unwrap_or_default();
    let models = if t.models.is_empty() {
        "no --model".to_string()
    } else {
        t.models.join(", ")
    };
    format!(
        "zencheck {} · {}{provider} · {key} · {models}\n",
        r.zencheck_version, t.base_url
    )
}

fn evidence(c: &CheckResult) -> String {
    let mut lines = vec![c.detail.clone()];
    if let Some(m) = &c.provider_message {
        lines.push(format!("provider: \"{m}\""));
    }
    if let Some(id) = &c.request_id {
        lines.push(format!("request id: {id}"));
    }
    lines.join("\n")
}

fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    }
    if t.width().is_none() {
        t.set_width(DEFAULT_WIDTH);
    }
    t
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Warn => Color::Yellow,
        Status::Unsupported => Color::Magenta,
        Status::Skip => Color::DarkGrey,
    }
}

fn status_cell(s: Status, color: bool) -> Cell {
    let cell = Cell::new(s.as_str().to_uppercase());
    if color {
        cell.fg(status_color(s))
    } else {
        cell
    }
}

fn fmt_ms(v: Option<u64>) -> String {
    v.map(|m| format!("{m} ms")).unwrap_or_default()
}
