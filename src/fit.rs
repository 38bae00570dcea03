//! Fitting text: to the terminal (the width to lay out for, the timing columns merged when
//! narrow, text wrapped between words, ids never split), and to a length (the one set of
//! cutting helpers: a prefix, a capped string, an excerpt on one line).

use crate::finding::Timing;
use comfy_table::{ColumnConstraint, Table, Width};
use std::io::IsTerminal;
use unicode_width::UnicodeWidthStr;

/// Below this width the table is laid out narrow: no box tables for rows, the detail on
/// its own indented lines under each row.
pub const NARROW_BELOW: usize = 110;

/// Width used when neither `COLUMNS` nor a terminal says (CI logs, files).
pub const DEFAULT_WIDTH: usize = 120;

/// `n` and its noun, plural unless one: `1 request`, `2 checks`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `COLUMNS`, when it is a sane width (a pipe has no terminal to ask).
pub fn columns() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|w| (20..=1000).contains(w))
}

/// The width to lay out for: `COLUMNS` when set; else the terminal's that stdout is; else,
/// when stdout is piped but stderr is a terminal (`zencheck … | less`), that terminal's,
/// since the pipe ends on it; else [`DEFAULT_WIDTH`].
pub fn line_width() -> usize {
    if let Some(w) = columns() {
        return w;
    }
    let of = |size: Option<(terminal_size::Width, terminal_size::Height)>| {
        size.map(|(w, _)| usize::from(w.0)).filter(|w| *w >= 20)
    };
    if std::io::stdout().is_terminal() {
        if let Some(w) = of(terminal_size::terminal_size_of(std::io::stdout())) {
            return w;
        }
    }
    if std::io::stderr().is_terminal() {
        if let Some(w) = of(terminal_size::terminal_size_of(std::io::stderr())) {
            return w;
        }
    }
    DEFAULT_WIDTH
}

/// At most `n` characters of `s`, cut on a character boundary, and whether it was cut.
pub fn prefix(s: &str, n: usize) -> (&str, bool) {
    match s.char_indices().nth(n) {
        Some((i, _)) => (&s[..i], true),
        None => (s, false),
    }
}

/// At most `n` characters, with `…` when cut.
pub fn chars(s: &str, n: usize) -> String {
    match prefix(s, n) {
        (kept, true) => format!("{kept}…"),
        (whole, false) => whole.to_string(),
    }
}

/// `s` on one line (runs of whitespace made one space) and at most `n` characters, with `…`
/// when cut: how a server's words are quoted in a detail.
pub fn excerpt(s: &str, n: usize) -> String {
    // Read only as far as the excerpt needs: a streamed answer of megabytes is quoted in
    // 40 characters.
    let mut out = String::new();
    let mut kept = 0usize;
    let mut gap = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        for c in gap.then_some(' ').into_iter().chain([c]) {
            if kept == n {
                out.push('…');
                return out;
            }
            out.push(c);
            kept += 1;
        }
        gap = false;
    }
    out
}

/// How many terminal columns `s` takes (wide characters count twice).
pub fn cols(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` padded with spaces to `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(cols(s))))
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

/// The timings on one line, for the narrow layout: `139 ms (1st token 49 ms)`.
pub fn time_line(t: &Timing) -> String {
    match (t.first_token, t.total) {
        (Some(f), Some(total)) => format!("{total} ms (1st token {f} ms)"),
        (None, Some(total)) => format!("{total} ms"),
        (Some(f), None) => format!("1st token {f} ms"),
        (None, None) => String::new(),
    }
}

/// Column `col` is never narrower than its longest word among `words` (plus padding), so
/// `models.exists` is never printed as `models.exis/ts`.
pub fn keep_whole<'a>(t: &mut Table, col: usize, words: impl Iterator<Item = &'a str>) {
    let longest = words
        .flat_map(str::split_whitespace)
        .map(cols)
        .max()
        .unwrap_or(0);
    // Past 40 characters an id is hostile or absurd; the layout may break it then.
    let width = longest.clamp(1, 40) as u16 + 2;
    if let Some(c) = t.column_mut(col) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
    }
}

/// `parts` joined by `sep`, starting a new line (indented by `indent`) where the next
/// part would pass `width`. A part longer than the width stays whole on its own line.
pub fn join_wrapped(parts: &[String], sep: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, p) in parts.iter().enumerate() {
        let len = cols(p);
        if i > 0 && line + cols(sep) + len > width {
            out.push('\n');
            out.push_str(indent);
            line = cols(indent);
        } else if i > 0 {
            out.push_str(sep);
            line += cols(sep);
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

/// Text (server text included) as lines of at most `width` columns, broken between words;
/// a word longer than a line (a hostile token) is cut, so no line passes the width.
/// Line breaks in the text are kept.
pub fn wrap_hard(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let mut word = word.to_string();
            loop {
                let sep = usize::from(!line.is_empty());
                if cols(&line) + sep + cols(&word) <= width {
                    if sep == 1 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    continue;
                }
                // Alone and still too long: cut it at the width.
                let (head, tail) = split_at_cols(&word, width);
                lines.push(head);
                word = tail;
            }
        }
        lines.push(line);
    }
    lines
}

fn split_at_cols(s: &str, width: usize) -> (String, String) {
    let mut used = 0;
    for (i, ch) in s.char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if used + w > width && i > 0 {
            return (s[..i].to_string(), s[i..].to_string());
        }
        used += w;
    }
    (s.to_string(), String::new())
}

/// `text` wrapped at `width` with `first` before its first line and `rest` (spaces of the
/// same width) before every other: a labelled, indented block. A word too long for the
/// indented room but not for the line (a long model id) gets a line of its own, indented
/// less, so it is never split; only a word wider than the whole line is cut.
pub fn block(first: &str, text: &str, width: usize) -> String {
    let indent = cols(first);
    let room = width.saturating_sub(indent);
    // Each line with its lead: `None` the usual one, `Some(n)` n spaces.
    let mut lines: Vec<(Option<usize>, String)> = Vec::new();
    for para in text.split('\n') {
        let mut chunk: Vec<&str> = Vec::new();
        let mut any = false;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            any = true;
            let w = cols(word);
            if w > room.max(8) && w + 2 <= width {
                lines.extend(wrapped(&mut chunk, room));
                if lines.is_empty() {
                    lines.push((None, String::new()));
                }
                lines.push((Some(indent.min(width - w)), word.to_string()));
            } else {
                chunk.push(word);
            }
        }
        lines.extend(wrapped(&mut chunk, room));
        if !any {
            lines.push((None, String::new()));
        }
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, (lead, l))| {
            let lead = match lead {
                Some(n) => " ".repeat(*n),
                None if i == 0 => first.to_string(),
                None => " ".repeat(indent),
            };
            format!("{lead}{l}").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words gathered so far wrapped at `room` (and the gathering emptied).
fn wrapped(chunk: &mut Vec<&str>, room: usize) -> Vec<(Option<usize>, String)> {
    if chunk.is_empty() {
        return Vec::new();
    }
    let out = wrap_hard(&chunk.join(" "), room)
        .into_iter()
        .map(|l| (None, l))
        .collect();
    chunk.clear();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_one_line_and_reads_only_what_it_quotes() {
        assert_eq!(excerpt("  a \n\t b  c ", 10), "a b c");
        assert_eq!(excerpt("abc def", 7), "abc def");
        assert_eq!(excerpt("abc def", 5), "abc d…");
        assert_eq!(excerpt("abc   def", 4), "abc …");
        assert_eq!(excerpt("", 3), "");
        assert_eq!(excerpt("日本語です", 2), "日本…");
        // Megabytes of one word: quoted from its start, whatever follows.
        let long = "x".repeat(4 << 20);
        assert_eq!(excerpt(&long, 3), "xxx…");
    }

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

    #[test]
    fn hard_wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        assert_eq!(wrap_hard("aaa bbb ccc", 8), ["aaa bbb", "ccc"]);
        assert_eq!(wrap_hard("x\ny", 8), ["x", "y"]);
        let long = "z".repeat(20);
        let lines = wrap_hard(&format!("a {long}"), 8);
        assert_eq!(lines, ["a", "zzzzzzzz", "zzzzzzzz", "zzzz"]);
        assert!(wrap_hard("日本語のテキストです", 8)
            .iter()
            .all(|l| cols(l) <= 8));
        assert_eq!(
            block("  fix  ", "one two three", 14),
            "  fix  one two\n       three"
        );
        // Too long for the indented room, not for the line: its own line, indented less.
        assert_eq!(
            block("  where  ", "a model-id-of-12\nb", 16),
            "  where  a\n  model-id-of-12\n         b"
        );
        assert_eq!(block("  w  ", "x", 16), "  w  x");
    }
}
