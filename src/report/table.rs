//! The human renderer. Per target: a header, then by default one line per model saying
//! what passed (`--all`: a row per check, or a grid for several models), then the failures,
//! grouped by cause, with evidence and a fix, then the verdict. Below
//! [`fit::NARROW_BELOW`] columns rows are laid out as lines with the detail indented under
//! them instead of boxes, so an 80-column terminal reads them without tall wrapped cells.

use super::group::{self, Group};
use super::{CheckResult, Report, TargetReport};
use crate::finding::Status;
use crate::fit::{self, block, cols, join_wrapped, pad};
use crate::policy::ComparedWith;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// How the table is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// Every check on its own row (`--all`); else the passing checks of each model are
    /// summed up in one line.
    pub all: bool,
    /// Columns to fit; `None`: `COLUMNS`, else the terminal's, else the default.
    pub width: Option<usize>,
}

pub fn render_table(r: &Report, color: bool) -> String {
    render_table_with(r, color, Layout::default())
}

/// The table's top, without the failures and the verdict: each target's header line and its
/// models' lines (with `all`, every row), as a run prints them (`zencheck demo` shows them
/// above a broken scenario's failures).
pub fn render_head(r: &Report, color: bool, layout: Layout) -> String {
    let width = layout.width.unwrap_or_else(fit::line_width);
    let narrow = width < fit::NARROW_BELOW;
    let mut out = String::new();
    for t in &r.targets {
        let checks: Vec<&CheckResult> = r
            .checks
            .iter()
            .filter(|c| c.target == t.info.name)
            .collect();
        out.push_str(&header(r, t, width));
        if !layout.all {
            out.push_str(&compact(r, t, &checks, width, color));
        } else if narrow {
            out.push_str(&rows_narrow(&checks, width, color, r.compared_with()));
        } else {
            let with = r.compared_with();
            out.push_str(&rows_wide(&checks, &t.info.models, width, color, with));
        }
    }
    out
}

pub fn render_table_with(r: &Report, color: bool, layout: Layout) -> String {
    let width = layout.width.unwrap_or_else(fit::line_width);
    let narrow = width < fit::NARROW_BELOW;
    let mut out = render_head(r, color, layout);
    let failures = failures_at(r, color, width);
    if !failures.is_empty() {
        out.push_str("\nFailures and warnings\n");
        if narrow {
            out.push('\n');
        }
        out.push_str(&failures);
    }
    let curls: Vec<&CheckResult> = r.checks.iter().filter(|c| c.curl.is_some()).collect();
    if !curls.is_empty() {
        out.push_str("\nReproduce\n");
        for c in curls {
            // Labelled with the check id (and model), so each command says what it reproduces.
            let mut label = vec![c.check.clone()];
            label.extend(Some(place(r, c).replace('\n', " · ")).filter(|p| !p.is_empty()));
            let label = crate::redact::strip_controls(&label.join(" · "));
            let label: Vec<String> = label.split(' ').map(str::to_string).collect();
            out.push_str(&format!(
                "# {}\n{}\n",
                join_wrapped(&label, " ", width.saturating_sub(2), "# "),
                crate::http::curl::curl_lines(c.curl.as_deref().unwrap_or(""), width)
            ));
        }
    }
    out.push_str(&format!("\n{}\n", r.summary.line(r.compared_with())));
    if let Some(c) = r.cost {
        out.push_str(&format!(
            "cost: {}, {}\n",
            fit::count(c.requests, "request"),
            fit::count(c.output_tokens, "output token")
        ));
    }
    if r.failed() {
        // Broken between reasons, never inside one (a reason names a check and a model).
        let reasons: Vec<String> = r.outcome.reasons.iter().map(|s| cap(s)).collect();
        let mut parts = vec!["FAILED:".to_string()];
        parts.extend(reasons.iter().enumerate().map(|(i, s)| {
            if i + 1 < reasons.len() {
                format!("{s};")
            } else {
                s.clone()
            }
        }));
        out.push_str(&format!("{}\n", join_wrapped(&parts, " ", width, "  ")));
    }
    if let Some(line) = super::tolerated_line(r) {
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// The failures alone (empty when nothing failed or warned), fitted to the terminal.
/// Checks that failed the same way share one row (see [`group`]), so a dead key reads as
/// one problem, not five.
pub fn render_failures(r: &Report, color: bool) -> String {
    failures_at(r, color, fit::line_width())
}

fn failures_at(r: &Report, color: bool, width: usize) -> String {
    let groups = group::failures(r);
    if groups.is_empty() {
        String::new()
    } else if width < fit::NARROW_BELOW {
        failures_narrow(r, &groups, width, color)
    } else {
        failures_wide(r, &groups, width, color)
    }
}

/// What a cause's checks are, and where they ran: the check ids, then the model (or `N
/// models: a, b`), the targets when there are several, and its marks.
fn where_lines(r: &Report, g: &Group<'_>) -> Vec<String> {
    let mut lines = vec![g.check_ids().join(", ")];
    let models = g.models();
    match models.len() {
        0 => {}
        1 => lines.push(models[0].to_string()),
        n => lines.push(format!("{n} models: {}", models.join(", "))),
    }
    let c = g.head();
    let targets = g.targets();
    if targets.len() > 1 {
        lines.push(format!("targets {}", targets.join(", ")));
    } else if r.targets.len() > 1 {
        lines.push(format!("target {}", c.target));
    }
    if c.required {
        lines.push("required".into());
    }
    let with = r.compared_with();
    if c.baseline == Some(super::Change::Regressed) {
        lines.push(with.regressed().into());
    }
    if g.known {
        lines.push(if g.counts || !r.tolerates_known() {
            with.known().into()
        } else {
            format!("{}, tolerated by --fail-on new", with.known())
        });
    }
    lines
}

/// How many distinct pieces of evidence a cause lists before saying how many more.
const VARIANTS_SHOWN: usize = 6;

fn evidence_lines(g: &Group<'_>) -> Vec<String> {
    g.evidence_lines(VARIANTS_SHOWN)
}

fn problem_word(g: &Group<'_>) -> String {
    let c = g.head();
    let word = c.status.as_str().to_uppercase();
    let word = if g.known {
        format!("KNOWN {word}")
    } else {
        word
    };
    match c.kind {
        Some(_) => word,
        None => format!("{word}: required"),
    }
}

fn failures_wide(r: &Report, groups: &[Group<'_>], width: usize, color: bool) -> String {
    let mut t = new_table(color, width);
    t.set_header(vec!["Problem", "Where", "Evidence", "Fix"]);
    let mut codes = Vec::new();
    let mut wheres = Vec::new();
    for g in groups {
        let c = g.head();
        codes.extend(c.kind.map(|k| format!("[{}]", k.code())));
        let problem = match c.kind {
            Some(k) => format!(
                "{} {}\n[{}]",
                problem_word(g),
                c.title.as_deref().unwrap_or(""),
                k.code()
            ),
            None => problem_word(g),
        };
        let mut cell = Cell::new(problem);
        if color {
            cell = cell.fg(status_color(c.status));
        }
        let where_ = where_lines(r, g);
        wheres.extend(g.check_ids().iter().map(|s| format!("{s},")));
        wheres.extend(g.models().iter().map(|s| format!("{s},")));
        t.add_row(vec![
            cell,
            text_cell(&where_.join("\n")),
            text_cell(&evidence_lines(g).join("\n")),
            text_cell(g.fix().as_deref().unwrap_or("")),
        ]);
    }
    fit::keep_whole(&mut t, 0, codes.iter().map(String::as_str));
    fit::keep_whole(&mut t, 1, wheres.iter().map(String::as_str));
    format!("{t}\n")
}

/// Each group as a block: its status, title and kind code on one line, then where, the
/// evidence and the fix, labelled and indented, each wrapped to the width.
fn failures_narrow(r: &Report, groups: &[Group<'_>], width: usize, color: bool) -> String {
    let mut out = String::new();
    for (i, g) in groups.iter().enumerate() {
        let c = g.head();
        let word = problem_word(g);
        let mut parts = vec![paint(&word, c.status, color)];
        parts.extend(c.title.clone());
        parts.extend(c.kind.map(|k| format!("[{}]", k.code())));
        // The painted word's escape codes take no columns: measure the plain one.
        let plain: Vec<String> = std::iter::once(word.clone())
            .chain(parts[1..].iter().cloned())
            .collect();
        let first = join_wrapped(&plain, " ", width, "  ");
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&first.replacen(&word, &parts[0], 1));
        out.push('\n');
        let field = |label: &str, text: &str| block(&format!("  {label:<9} "), text, width);
        out.push_str(&field("where", &cap(&where_lines(r, g).join("\n"))));
        out.push('\n');
        out.push_str(&field("evidence", &cap(&evidence_lines(g).join("\n"))));
        out.push('\n');
        if let Some(h) = &g.fix() {
            out.push_str(&field("fix", &cap(h)));
            out.push('\n');
        }
    }
    out
}

/// One line per model: how many checks passed, by family, and how many did not; the
/// failures and warnings then get their own rows below. Target-wide checks that passed
/// (`models.list`) get a line each.
fn compact(
    r: &Report,
    t: &TargetReport,
    checks: &[&CheckResult],
    width: usize,
    color: bool,
) -> String {
    let mut out = String::new();
    for c in checks
        .iter()
        .filter(|c| c.model.is_none() && c.status == Status::Pass)
    {
        let line = format!("{} {}: {}", "✓", c.check, c.detail);
        out.push_str(&paint_mark(&one_line(&line, width), Status::Pass, color));
        out.push('\n');
    }
    // Models are padded to align their counts; an id too long for that gets its own line.
    let fits = |m: &String| cols(m) + 4 <= width / 2;
    let label = t
        .info
        .models
        .iter()
        .filter(|m| fits(m))
        .map(|m| cols(m))
        .max()
        .unwrap_or(0);
    for m in &t.info.models {
        let mine: Vec<&&CheckResult> = checks
            .iter()
            .filter(|c| c.model.as_deref() == Some(m.as_str()))
            .collect();
        if mine.is_empty() {
            continue;
        }
        // Known problems (in the baseline too) are counted apart from the rest.
        let of = |s: Status| -> Vec<&str> {
            mine.iter()
                .filter(|c| c.status == s && !r.is_known(c))
                .map(|c| c.check.as_str())
                .collect()
        };
        let known = mine.iter().filter(|c| r.is_known(c)).count();
        let failing = mine.iter().any(|c| r.counts_as_failure(c));
        let mark = if failing || !of(Status::Fail).is_empty() {
            ("✗", Status::Fail)
        } else if !of(Status::Warn).is_empty() || !of(Status::Flaky).is_empty() || known > 0 {
            ("!", Status::Warn)
        } else {
            ("✓", Status::Pass)
        };
        // Unbreakable units: a line may break between them, never inside one (so never
        // inside an id or between a family and its count).
        let mut units: Vec<String> = Vec::new();
        let part = |units: &mut Vec<String>, lead: String, items: Vec<String>| {
            if let Some(last) = units.last_mut() {
                last.push_str(" ·");
            }
            units.push(lead);
            let n = items.len();
            for (i, item) in items.into_iter().enumerate() {
                let open = if i == 0 { "(" } else { "" };
                let close = if i + 1 == n { ")" } else { "," };
                units.push(format!("{open}{item}{close}"));
            }
        };
        let passed = of(Status::Pass);
        if !passed.is_empty() {
            let n = passed.len();
            let s = if n == 1 { "check" } else { "checks" };
            part(&mut units, format!("{n} {s} passed"), families(&passed));
        }
        for (s, word) in [
            (Status::Fail, "failed"),
            (Status::Warn, "warned"),
            (Status::Flaky, "flaky"),
            (Status::Unsupported, "unsupported"),
            (Status::Skip, "skipped"),
        ] {
            let ids = of(s);
            if ids.is_empty() {
                continue;
            }
            let items = if s == Status::Unsupported {
                families(&ids)
            } else {
                Vec::new()
            };
            part(&mut units, format!("{} {word}", ids.len()), items);
        }
        if known > 0 {
            part(&mut units, r.compared_with().known_count(known), Vec::new());
        }
        let (head, indent) = if fits(m) {
            let head = format!("{} {}  ", mark.0, pad(m, label));
            let indent = " ".repeat(cols(&head));
            (head, indent)
        } else {
            (format!("{} {m}\n    ", mark.0), "    ".to_string())
        };
        let body = join_wrapped(&units, " ", width.saturating_sub(cols(&indent)), "");
        let body = body.replace('\n', &format!("\n{indent}"));
        out.push_str(&paint_mark(&format!("{head}{body}"), mark.1, color));
        out.push('\n');
        // A route the server could offer if started otherwise says how (llama.cpp's flags).
        for c in mine.iter().filter(|c| c.status == Status::Unsupported) {
            if let Some(h) = &c.hint {
                let said = c
                    .provider_message
                    .as_deref()
                    .map(|m| format!("\"{}\" ", fit::excerpt(m, 160)))
                    .unwrap_or_default();
                let text = crate::redact::strip_controls(&format!("{}: {said}{h}", c.check));
                out.push_str(&block("  - ", &text, width));
                out.push('\n');
            }
        }
    }
    out
}

/// `chat 16`, `responses 3`, `models.exists`: checks counted by family (the id's first
/// part), in the order they ran; a family of one is named by its id.
fn families(ids: &[&str]) -> Vec<String> {
    let mut fams: Vec<(&str, Vec<&str>)> = Vec::new();
    for id in ids {
        let fam = id.split('.').next().unwrap_or(id);
        match fams.iter_mut().find(|(f, _)| *f == fam) {
            Some((_, v)) => v.push(id),
            None => fams.push((fam, vec![id])),
        }
    }
    fams.iter()
        .map(|(f, v)| match v.as_slice() {
            [one] => one.to_string(),
            many => format!("{f} {}", many.len()),
        })
        .collect()
}

/// Every check as a line (status, check, model, time) with its detail indented below.
fn rows_narrow(checks: &[&CheckResult], width: usize, color: bool, with: ComparedWith) -> String {
    let w_status = checks
        .iter()
        .map(|c| c.status.as_str().len())
        .max()
        .unwrap_or(4);
    let w_check = checks.iter().map(|c| cols(&c.check)).max().unwrap_or(0);
    let w_model = checks
        .iter()
        .filter_map(|c| c.model.as_deref())
        .map(cols)
        .max()
        .unwrap_or(0);
    let indent = " ".repeat(w_status + 2);
    let mut out = String::new();
    for c in checks {
        let word = c.status.as_str().to_uppercase();
        let mut parts = vec![pad(&word, w_status), pad(&c.check, w_check)];
        if w_model > 0 {
            parts.push(pad(c.model.as_deref().unwrap_or(""), w_model));
        }
        let time = fit::time_line(&c.timing_ms);
        if !time.is_empty() {
            parts.push(time);
        }
        if c.baseline == Some(super::Change::Regressed) {
            parts.push(with.regressed_short().into());
        }
        if c.is_known() {
            parts.push(with.known_short().into());
        }
        let line = if parts.iter().map(|p| cols(p) + 2).sum::<usize>() <= width + 2 {
            parts.join("  ").trim_end().to_string()
        } else {
            let trimmed: Vec<String> = parts.iter().map(|p| p.trim_end().to_string()).collect();
            join_wrapped(&trimmed, "  ", width, &indent)
        };
        out.push_str(&line.replacen(&word, &paint(&word, c.status, color), 1));
        out.push('\n');
        if !c.detail.is_empty() {
            out.push_str(&block(&indent, &cap(&c.detail), width));
            out.push('\n');
        }
    }
    out
}

/// From this width on, the headers, first-token and total times get a column each.
const TIMINGS_APART_FROM: usize = 140;

/// Every check as a table row; with several models, per-model rows become a grid when it
/// fits the width (target-wide rows stay a list).
fn rows_wide(
    checks: &[&CheckResult],
    models: &[String],
    width: usize,
    color: bool,
    with: ComparedWith,
) -> String {
    let grid = models.len() > 1 && grid_fits(checks, models, width, with);
    let rows: Vec<&CheckResult> = checks
        .iter()
        .filter(|c| !grid || c.model.is_none())
        .copied()
        .collect();
    let mut out = String::new();
    if !rows.is_empty() {
        let mut table = new_table(color, width);
        // Under 140 columns the three timings share one column, so the detail keeps room.
        let merged = width < TIMINGS_APART_FROM;
        let mut head = vec!["Status", "Check", "Model", "Detail"];
        head.extend(if merged {
            &["Time"][..]
        } else {
            &["Headers", "1st token", "Total"][..]
        });
        table.set_header(head);
        for c in &rows {
            let mut row = vec![
                status_cell(c, color, with),
                text_cell(&c.check),
                text_cell(c.model.as_deref().unwrap_or("")),
                text_cell(&c.detail),
            ];
            if merged {
                row.push(Cell::new(fit::merged_time(&c.timing_ms)));
            } else {
                row.push(Cell::new(fmt_ms(c.timing_ms.headers)));
                row.push(Cell::new(fmt_ms(c.timing_ms.first_token)));
                row.push(Cell::new(fmt_ms(c.timing_ms.total)));
            }
            table.add_row(row);
        }
        fit::keep_whole(&mut table, 1, rows.iter().map(|c| c.check.as_str()));
        fit::keep_whole(
            &mut table,
            2,
            rows.iter().filter_map(|c| c.model.as_deref()),
        );
        out.push_str(&format!("{table}\n"));
    }
    if grid {
        out.push_str("\nCapabilities (check × model)\n");
        out.push_str(&grid_at(checks, models, color, width, with));
    }
    out
}

/// Whether a check × model grid fits `width` with no id and no verdict word broken.
fn grid_fits(checks: &[&CheckResult], models: &[String], width: usize, with: ComparedWith) -> bool {
    let longest_id = checks.iter().map(|c| cols(&c.check)).max().unwrap_or(0);
    let column = |m: &String| {
        checks
            .iter()
            .filter(|c| c.model.as_deref() == Some(m.as_str()))
            .flat_map(|c| {
                verdict(c, with)
                    .split_whitespace()
                    .map(cols)
                    .collect::<Vec<_>>()
            })
            .chain(std::iter::once(cols(m)))
            .max()
            .unwrap_or(0)
    };
    // Each column: its content, a space either side, one border.
    let needed = 1 + longest_id + 3 + models.iter().map(|m| column(m) + 3).sum::<usize>();
    needed <= width
}

/// One row per check, one column per model: what a support engineer reads at a glance.
pub fn render_grid(checks: &[&CheckResult], models: &[String], color: bool) -> String {
    let with = ComparedWith::default();
    grid_at(checks, models, color, fit::line_width(), with)
}

fn grid_at(
    checks: &[&CheckResult],
    models: &[String],
    color: bool,
    width: usize,
    with: ComparedWith,
) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for c in checks.iter().filter(|c| c.model.is_some()) {
        if !ids.contains(&c.check.as_str()) {
            ids.push(&c.check);
        }
    }
    let mut t = new_table(color, width);
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
                        let cell = Cell::new(verdict(c, with));
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
    fit::keep_whole(&mut t, 0, checks.iter().map(|c| c.check.as_str()));
    // A model's column keeps its id and every verdict word (`model_not_found`) whole.
    for (i, m) in models.iter().enumerate() {
        let words: Vec<String> = checks
            .iter()
            .filter(|c| c.model.as_deref() == Some(m.as_str()))
            .map(|c| verdict(c, with))
            .chain(std::iter::once(m.clone()))
            .collect();
        fit::keep_whole(&mut t, i + 1, words.iter().map(String::as_str));
    }
    format!("{t}\n")
}

/// The grid's word for a result: parameter outcomes read as rejected/ignored.
fn verdict(c: &CheckResult, with: ComparedWith) -> String {
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
        Some(super::Change::Regressed) => format!("{word} ({})", with.regressed_short()),
        _ if c.is_known() => format!("{word} ({})", with.known_short()),
        _ => word,
    }
}

fn header(r: &Report, t: &TargetReport, width: usize) -> String {
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
    let models = "no --model".to_string();
    let name = if r.targets.len() > 1 {
        format!("target {} · ", i.name)
    } else {
        String::new()
    };
    // Broken between its parts where it would pass the width, so it fits 80 columns;
    // the model list between its models (a comma ends a line), never inside an id.
    let client = i
        .client_profile
        .as_deref()
        .map(|c| format!(" · as {c}"))
        .unwrap_or_default();
    let line = format!(
        "zencheck {} · {name}{}{provider} · {key}{client}",
        r.zencheck_version, i.base_url
    );
    let mut units: Vec<(&str, String)> =
        line.split(" · ").map(|p| (" · ", p.to_string())).collect();
    let n = i.models.len();
    if n == 0 {
        units.push((" · ", models));
    }
    for (k, m) in i.models.iter().enumerate() {
        let comma = if k + 1 < n { "," } else { "" };
        units.push((if k == 0 { " · " } else { " " }, format!("{m}{comma}")));
    }
    // The whole list goes where it fits whole: this line, else the next one.
    let list = i.models.join(", ");
    let head = units.len() - n;
    let mut s = String::new();
    let mut used = 0;
    for (k, (sep, u)) in units.iter().enumerate() {
        let starts_list = n > 0 && k == head;
        let list_breaks =
            starts_list && used + cols(sep) + cols(&list) > width && 2 + cols(&list) <= width;
        if list_breaks || (k > 0 && used + cols(sep) + cols(u) > width) {
            s.push_str("\n  ");
            used = 2;
        } else if k > 0 {
            s.push_str(sep);
            used += cols(sep);
        }
        s.push_str(u);
        used += cols(u);
    }
    s.push('\n');
    for note in super::transport_notes(i) {
        s.push_str(&fit::wrap_words(&note, width, "  "));
        s.push('\n');
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
    let with = r.compared_with();
    if c.baseline == Some(super::Change::Regressed) {
        parts.push(with.regressed_short().into());
    }
    if c.is_known() {
        parts.push(with.known_short().into());
    }
    parts.join("\n")
}

/// Longest run without a break that a cell keeps whole; longer ones are broken here,
/// because the table's own wrapping is quadratic in the length of one unbroken token (a
/// hostile 4 MB model id cost minutes of CPU).
const LONG_TOKEN: usize = 48;
/// Most characters one cell shows.
const CELL_CAP: usize = 2000;

fn cap(s: &str) -> String {
    crate::fit::chars(s, CELL_CAP)
}

/// `s` cut to one line of `width` columns, with `…` when cut.
fn one_line(s: &str, width: usize) -> String {
    if cols(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        if cols(&out) + 2 > width {
            break;
        }
        out.push(ch);
    }
    format!("{out}…")
}

/// A cell of text (server text included), capped and with over-long tokens broken.
fn text_cell(s: &str) -> Cell {
    let capped = cap(s);
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

fn new_table(color: bool, width: usize) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        t.force_no_tty();
    } else {
        // `--color always` / FORCE_COLOR colour a pipe too (a CI log).
        t.enforce_styling();
    }
    // Always the width decided once for the whole report (not comfy-table's own guess,
    // which is lost when colour is off on a terminal).
    t.set_width(width.min(usize::from(u16::MAX)) as u16);
    t
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Warn => Color::Yellow,
        Status::Unsupported => Color::Magenta,
        Status::Skip => Color::DarkGrey,
        Status::Flaky => Color::DarkYellow,
    }
}

/// The ANSI colour of a status, for text outside a table.
fn ansi(s: Status) -> &'static str {
    match s {
        Status::Pass => "\x1b[32m",
        Status::Fail => "\x1b[31m",
        Status::Warn => "\x1b[33m",
        Status::Unsupported => "\x1b[35m",
        Status::Skip => "\x1b[90m",
        Status::Flaky => "\x1b[33m",
    }
}

fn paint(word: &str, s: Status, color: bool) -> String {
    if color {
        format!("{}{word}\x1b[0m", ansi(s))
    } else {
        word.to_string()
    }
}

/// `line` with its leading mark (✓, ✗, !) coloured.
fn paint_mark(line: &str, s: Status, color: bool) -> String {
    match line.chars().next() {
        Some(m) if color => format!("{}{m}\x1b[0m{}", ansi(s), &line[m.len_utf8()..]),
        _ => line.to_string(),
    }
}

fn status_cell(c: &CheckResult, color: bool, with: ComparedWith) -> Cell {
    let mut word = c.status.as_str().to_uppercase();
    if c.baseline == Some(super::Change::Regressed) {
        word.push('\n');
        word.push_str(with.regressed_short());
    }
    if c.is_known() {
        word.push('\n');
        word.push_str(with.known_short());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{info, row};
    use crate::report::TargetRun;

    fn report_for(models: &[&str], ids: &[&str]) -> Report {
        let mut checks = Vec::new();
        for m in models {
            for id in ids {
                let mut c = row("t", id, Status::Pass, None);
                c.model = Some(m.to_string());
                checks.push(c);
            }
        }
        Report::new(vec![TargetRun {
            info: crate::target::TargetInfo {
                models: models.iter().map(|m| m.to_string()).collect(),
                ..info("t")
            },
            models_available: None,
            require: vec![],
            checks,
            secrets: vec![],
            spent: Default::default(),
        }])
    }

    fn at(r: &Report, width: usize) -> String {
        render_table_with(
            r,
            false,
            Layout {
                all: false,
                width: Some(width),
            },
        )
    }

    #[test]
    fn compact_lines_fit_and_break_between_units() {
        let ids = [
            "models.exists",
            "chat.basic",
            "chat.stream",
            "responses.basic",
            "responses.stream",
            "messages.basic",
            "messages.stream",
        ];
        let long = "accounts/fireworks/models/llama-v3p1-405b-instruct-long";
        let r = report_for(&["claude-haiku-4-5", long], &ids);
        let text = at(&r, 80);
        for l in text.lines() {
            assert!(cols(l) <= 80, "{l}\n{text}");
        }
        // The long id has a line of its own; the counts are indented under it.
        assert!(
            text.contains(&format!("✓ {long}\n    7 checks passed")),
            "{text}"
        );
        assert!(text.contains("messages 2)"), "{text}");
        assert!(
            text.contains("✓ claude-haiku-4-5  7 checks passed"),
            "a short id keeps its counts beside it: {text}"
        );
        assert!(
            !text.contains("chat\n"),
            "a family is kept with its count: {text}"
        );
    }

    #[test]
    fn a_grid_keeps_verdict_words_and_model_ids_whole() {
        // Twelve models: the grid fits 110 columns only with the failing cell on two lines.
        let models = [
            "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12",
        ];
        let mut r = report_for(&models, &["chat.basic", "chat.tools"]);
        r.checks[0].status = Status::Fail;
        r.checks[0].kind = Some(crate::failure::Kind::ModelNotFound);
        let all = Layout {
            all: true,
            width: Some(110),
        };
        let text = render_table_with(&r, false, all);
        assert!(text.contains("Capabilities (check × model)"), "{text}");
        assert!(text.contains("model_not_found"), "{text}");
        for l in text.lines() {
            assert!(cols(l) <= 110, "{l}\n{text}");
        }
    }
}
