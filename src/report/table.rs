//! The human renderer: per target, a row per check (or a grid for several models), then
//! the failures with evidence and a fix, then the verdict.

use super::{CheckResult, Report, TargetReport};
use crate::outcome::Status;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// Width used when stdout is not a terminal (CI logs, pipes).
pub(super) const DEFAULT_WIDTH: u16 = 140;

pub fn render_table(r: &Report, color: bool) -> String {
    let mut out = String::new();
    for t in &r.targets {
        let checks: Vec<&CheckResult> = r
            .checks
            .iter()
            .filter(|c| c.target == t.info.name)
            .collect();
        // With several models, per-model rows become a grid; target-wide rows stay a list.
        let grid = t.info.models.len() > 1;
        out.push_str(&header(r, t));
        let mut table = new_table(color);
        // Narrow (80 columns): the three timings share one column, so the detail keeps room.
        let narrow = super::fit::narrow(&table);
        let mut head = vec!["Status", "Check", "Model", "Detail"];
        head.extend(if narrow {
            &["Time"][..]
        } else {
            &["Headers", "1st token", "Total"][..]
        });
        table.set_header(head);
        let rows: Vec<&&CheckResult> = checks
            .iter()
            .filter(|c| !grid || c.model.is_none())
            .collect();
        for c in &rows {
            let mut row = vec![
                status_cell(c, color),
                text_cell(&c.check),
                text_cell(c.model.as_deref().unwrap_or("")),
                text_cell(&c.detail),
            ];
            if narrow {
                row.push(Cell::new(super::fit::merged_time(&c.timing_ms)));
            } else {
                row.push(Cell::new(fmt_ms(c.timing_ms.headers)));
                row.push(Cell::new(fmt_ms(c.timing_ms.first_token)));
                row.push(Cell::new(fmt_ms(c.timing_ms.total)));
            }
            table.add_row(row);
        }
        super::fit::keep_whole(&mut table, 1, rows.iter().map(|c| c.check.as_str()));
        super::fit::keep_whole(
            &mut table,
            2,
            rows.iter().filter_map(|c| c.model.as_deref()),
        );
        out.push_str(&format!("{table}\n"));
        if grid {
            out.push_str("\nCapabilities (check × model)\n");
            out.push_str(&render_grid(&checks, &t.info.models, color));
        }
        out.push('\n');
    }
    let failures = render_failures(r, color);
    if !failures.is_empty() {
        out.push_str("Failures and warnings\n");
        out.push_str(&failures);
    }
    let curls: Vec<&CheckResult> = r.checks.iter().filter(|c| c.curl.is_some()).collect();
    if !curls.is_empty() {
        out.push_str("\nReproduce\n");
        for c in curls {
            // Labelled with the check id (and model), so each command says what it reproduces.
            let mut label = vec![c.check.clone()];
            label.extend(Some(place(r, c).replace('\n', " · ")).filter(|p| !p.is_empty()));
            out.push_str(&format!(
                "# {}\n{}\n",
                crate::redact::strip_controls(&label.join(" · ")),
                c.curl.as_deref().unwrap_or("")
            ));
        }
    }
    out.push_str(&format!("\n{}\n", r.summary.line()));
    if let Some(c) = r.cost {
        out.push_str(&format!(
            "cost: {} requests, {} output tokens\n",
            c.requests, c.output_tokens
        ));
    }
    if r.failed() {
        out.push_str(&format!("FAILED: {}\n", r.outcome.reasons.join("; ")));
    }
    out
}

/// The failures table alone (empty when nothing failed or warned). Checks that failed the
/// same way (same target, kind, status, provider message and fix) share one row, so a dead
/// key reads as one problem, not five.
pub fn render_failures(r: &Report, color: bool) -> String {
    let mut groups: Vec<Vec<&CheckResult>> = Vec::new();
    for c in r
        .checks
        .iter()
        .filter(|c| c.kind.is_some() || r.counts_as_failure(c))
    {
        let same = |g: &&mut Vec<&CheckResult>| {
            let h = g[0];
            (
                &h.target,
                h.status,
                h.kind,
                &h.provider_message,
                &h.hint,
                &h.model,
                h.required,
            ) == (
                &c.target,
                c.status,
                c.kind,
                &c.provider_message,
                &c.hint,
                &c.model,
                c.required,
            )
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
    let mut codes = Vec::new();
    let mut wheres = Vec::new();
    for g in groups {
        codes.extend(g[0].kind.map(|k| format!("[{}]", k.code())));
        wheres.extend(g.iter().map(|x| x.check.clone()));
        let c = g[0];
        let problem = match c.kind {
            Some(k) => format!(
                "{} {}\n[{}]",
                c.status.as_str().to_uppercase(),
                c.title.as_deref().unwrap_or(""),
                k.code()
            ),
            None => format!("{}: required", c.status.as_str().to_uppercase()),
        };
        let mut cell = Cell::new(problem);
        if color {
            cell = cell.fg(status_color(c.status));
        }
        let mut where_: Vec<String> = g.iter().map(|x| x.check.clone()).collect();
        where_.push(place(r, c));
        t.add_row(vec![
            cell,
            text_cell(&where_.join("\n")),
            text_cell(&evidence(c)),
            text_cell(c.hint.as_deref().unwrap_or("")),
        ]);
    }
    super::fit::keep_whole(&mut t, 0, codes.iter().map(String::as_str));
    super::fit::keep_whole(&mut t, 1, wheres.iter().map(String::as_str));
    format!("{t}\n")
}

/// One row per check, one column per model: what a support engineer reads at a glance.
pub fn render_grid(checks: &[&CheckResult], models: &[String], color: bool) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for c in checks.iter().filter(|c| c.model.is_some()) {
        if !ids.contains(&c.check.as_str()) {
            ids.push(&c.check);
        }
    }
    let mut t = new_table(color);
    t.set_header(
        std::iter::once("Check")
            .map(text_cell)
            .chain(models.iter().map(|m| text_cell(m)))
            .collect::<Vec<_>>(),
    );
    for id in ids {
        let mut row = vec![text_cell(id)];
        for m in models {
            row.push(
                match checks
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
                },
            );
        }
        t.add_row(row);
    }
    super::fit::keep_whole(&mut t, 0, checks.iter().map(|c| c.check.as_str()));
    format!("{t}\n")
}

/// The grid's word for a result: parameter outcomes read as rejected/ignored.
fn verdict(c: &CheckResult) -> String {
    use crate::failure::Kind;
    let word = match (c.status, c.kind) {
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
    };
    match c.baseline {
        Some(super::Change::Regressed) => format!("{word} (regressed)"),
        _ => word,
    }
}

fn header(r: &Report, t: &TargetReport) -> String {
    let i = &t.info;
    let key = match &i.api_key_env {
        Some(env) if i.api_key_present => format!("key ${env} (set)"),
        Some(env) => format!("key ${env} (not set: no auth header)"),
        None => "no key".to_string(),
    };
    let provider = i
        .provider
        .map(|p| format!(" · {}", p.name()))
        .unwrap_or_default();
    let models = if i.models.is_empty() {
        "no --model".to_string()
    } else {
        i.models.join(", ")
    };
    let name = if r.targets.len() > 1 {
        format!("target {} · ", i.name)
    } else {
        String::new()
    };
    // Broken between its parts where it would pass the width, so it fits 80 columns.
    let line = format!(
        "zencheck {} · {name}{}{provider} · {key} · {models}",
        r.zencheck_version, i.base_url
    );
    let parts: Vec<String> = line.split(" · ").map(str::to_string).collect();
    let mut s = super::fit::join_wrapped(&parts, " · ", super::fit::line_width(), "  ");
    s.push('\n');
    for note in super::transport_notes(i) {
        s.push_str(&format!("{note}\n"));
    }
    s
}

/// Where a check ran: the model, and the target when there are several.
fn place(r: &Report, c: &CheckResult) -> String {
    let mut parts = Vec::new();
    if r.targets.len() > 1 {
        parts.push(format!("target {}", c.target));
    }
    parts.extend(c.model.clone());
    if c.required {
        parts.push("required".into());
    }
    if c.baseline == Some(super::Change::Regressed) {
        parts.push("regressed".into());
    }
    parts.join("\n")
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

/// Longest run without a break that a cell keeps whole; longer ones are broken here,
/// because the table's own wrapping is quadratic in the length of one unbroken token (a
/// hostile 4 MB model id cost minutes of CPU).
const LONG_TOKEN: usize = 48;
/// Most characters one cell shows.
const CELL_CAP: usize = 2000;

/// A cell of text (server text included), capped and with over-long tokens broken.
fn text_cell(s: &str) -> Cell {
    let capped = super::cap_chars(s, CELL_CAP);
    let mut out = String::with_capacity(capped.len() + 8);
    let mut run = 0;
    for ch in capped.chars() {
        if ch.is_whitespace() {
            run = 0;
        } else {
            run += 1;
            if run > LONG_TOKEN {
                out.push('\n');
                run = 1;
            }
        }
        out.push(ch);
    }
    Cell::new(out)
}

fn new_table(color: bool) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    } else {
        // `--color always` / FORCE_COLOR colour a pipe too (a CI log).
        t.enforce_styling();
    }
    if t.width().is_none() {
        t.set_width(super::fit::columns().unwrap_or(DEFAULT_WIDTH));
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

fn status_cell(c: &CheckResult, color: bool) -> Cell {
    let mut word = c.status.as_str().to_uppercase();
    if c.baseline == Some(super::Change::Regressed) {
        word.push_str("\nregressed");
    }
    let cell = Cell::new(word);
    if color {
        cell.fg(status_color(c.status))
    } else {
        cell
    }
}

fn fmt_ms(v: Option<u64>) -> String {
    v.map(|m| format!("{m} ms")).unwrap_or_default()
}
