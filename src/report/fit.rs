//! Fitting the table to the terminal (#12): `COLUMNS` honoured when piped, the timing
//! columns merged when narrow, and ids (check, model, kind code) never split.

use crate::outcome::Timing;
use comfy_table::{ColumnConstraint, Table, Width};

/// Below this width the three timing columns become one.
pub const NARROW_BELOW: u16 = 110;

/// `COLUMNS`, when it is a sane width (a pipe has no terminal to ask).
pub fn columns() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<u16>().ok())
        .filter(|w| (20..=1000).contains(w))
}

/// Whether `t` will be laid out narrow.
pub fn narrow(t: &Table) -> bool {
    t.width().or_else(columns).is_some_and(|w| w < NARROW_BELOW)
}

/// Headers, first token and total in one cell: the total, and the first token when known.
pub fn merged_time(t: &Timing) -> String {
    match (t.first_token, t.total) {
        (Some(f), Some(total)) => format!("{total} ms\n1st {f}"),
        (None, Some(total)) => format!("{total} ms"),
        (Some(f), None) => format!("1st {f} ms"),
        (None, None) => String::new(),
    }
}

/// Column `col` is never narrower than its longest word among `words` (plus padding), so
/// `models.exists` is never printed as `models.exis/ts`.
pub fn keep_whole<'a>(t: &mut Table, col: usize, words: impl Iterator<Item = &'a str>) {
    let longest = words
        .flat_map(str::split_whitespace)
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    // Past 40 characters an id is hostile or absurd; the layout may break it then.
    let width = longest.clamp(1, 40) as u16 + 2;
    if let Some(c) = t.column_mut(col) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
    }
}

/// The width lines outside a table should keep to: the terminal's, else `COLUMNS`, else
/// the table default.
pub fn line_width() -> usize {
    usize::from(
        Table::new()
            .width()
            .or_else(columns)
            .unwrap_or(super::table::DEFAULT_WIDTH),
    )
}

/// `parts` joined by `sep`, starting a new line (indented by `indent`) where the next
/// part would pass `width`. A part longer than the width stays whole on its own line.
pub fn join_wrapped(parts: &[String], sep: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, p) in parts.iter().enumerate() {
        let len = p.chars().count();
        if i > 0 && line + sep.chars().count() + len > width {
            out.push('\n');
            out.push_str(indent);
            line = indent.chars().count();
        } else if i > 0 {
            out.push_str(sep);
            line += sep.chars().count();
        }
        out.push_str(p);
        line += len;
    }
    out
}

/// Plain words wrapped at `width`, every line after the first indented.
pub fn wrap_words(text: &str, width: usize, indent: &str) -> String {
    let words: Vec<String> = text.split(' ').map(str::to_string).collect();
    join_wrapped(&words, " ", width, indent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_between_parts_and_never_inside_one() {
        let parts: Vec<String> = ["zencheck 0.1.0", "http://h/v1", "no key", "a, b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            join_wrapped(&parts, " · ", 30, "  "),
            "zencheck 0.1.0 · http://h/v1\n  no key · a, b"
        );
        assert_eq!(wrap_words("aaa bbb ccc", 7, " "), "aaa bbb\n ccc");
        assert_eq!(
            wrap_words("averyverylongword x", 5, ""),
            "averyverylongword\nx"
        );
    }
}
