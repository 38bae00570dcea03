//! A request as a curl command a person can replay: the key written as a reference to its
//! environment variable, never its value, and laid out for the terminal's width.

use super::request::{headers, key_ref, Request};
use crate::target::Target;
use serde_json::Value;

/// The request as a curl command. Everything is single-quoted, so pasting it runs nothing
/// but curl, except zencheck's own auth header, which is double-quoted so the shell fills
/// in `$VAR` (a plain identifier, checked when the target was built).
pub fn curl(target: &Target, req: &Request) -> String {
    let mut parts = vec!["curl -sS".to_string()];
    if req
        .body
        .as_ref()
        .is_some_and(|b| b.get("stream") == Some(&serde_json::Value::Bool(true)))
    {
        parts.push("-N".to_string());
    }
    if req.method != reqwest::Method::GET {
        parts.push(format!("-X {}", req.method));
    }
    parts.push(single_quote(&target.shown_endpoint(&req.path)));
    let key = target.key.is_some().then(|| key_ref(target)).flatten();
    let own = req.auth_headers(key.as_deref()).len();
    for (i, (name, value)) in headers(target, req).into_iter().enumerate() {
        let header = format!("{name}: {value}");
        let quoted = match &key {
            Some(k) if i < own && value.ends_with(k.as_str()) => format!("\"{header}\""),
            _ => single_quote(&header),
        };
        parts.push(format!("-H {quoted}"));
    }
    if let Some(b) = &req.body {
        let b = target.shaped(&req.path, b);
        parts.push(format!("-d {}", single_quote(&b.to_string())));
    }
    parts.join(" ")
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A curl command from [`curl`] laid out for `width` columns: as it is when it fits, else
/// one option per line joined by ` \` continuations, and a JSON body too long for its line
/// pretty-printed inside its quotes (whitespace between JSON tokens changes nothing the
/// server reads). Pasted into a shell, it runs the same request.
pub fn curl_lines(cmd: &str, width: usize) -> String {
    use crate::fit::cols;
    if cols(cmd) <= width {
        return cmd.to_string();
    }
    let words = shell_words(cmd);
    let mut groups: Vec<String> = Vec::new();
    let (mut i, mut in_options) = (0, false);
    while i < words.len() {
        let w = words[i];
        let option = matches!(w, "-H" | "-d") && i + 1 < words.len();
        if option {
            let value = words[i + 1];
            let mut g = format!("{w} {value}");
            if w == "-d" && cols(&g) + 2 > width {
                let body = wrapped_quoted(value, width);
                g = format!("{w} {}", body.unwrap_or_else(|| value.to_string()));
            }
            groups.push(g);
            in_options = true;
            i += 2;
        } else {
            // The command and its flags up to the first header stay together.
            match groups.last_mut() {
                Some(head) if !in_options => {
                    head.push(' ');
                    head.push_str(w);
                }
                _ => groups.push(w.to_string()),
            }
            i += 1;
        }
    }
    groups.join(" \\\n  ")
}

/// The words of a shell line as written (quotes kept), split at spaces outside quotes.
fn shell_words(line: &str) -> Vec<&str> {
    let (mut out, mut start, mut quote, mut escaped) = (Vec::new(), None, None, false);
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') | (None, '\\') => escaped = true,
            (Some(_), _) => {}
            (None, '\'' | '"') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, ' ') => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

/// A single-quoted JSON value (as [`single_quote`] writes it) wrapped by [`json_wrapped`],
/// each line after the first indented to sit under the option; `None` when it is not one.
fn wrapped_quoted(word: &str, width: usize) -> Option<String> {
    let inner = word.strip_prefix('\'')?.strip_suffix('\'')?;
    let value: Value = serde_json::from_str(&inner.replace("'\\''", "'")).ok()?;
    // `  -d '` before the first line, four spaces before the others.
    Some(single_quote(&json_wrapped(
        &value,
        width.saturating_sub(6),
        "    ",
    )))
}

/// `v` as compact JSON broken after commas (outside strings) where a line would pass
/// `width`, every line after the first starting with `indent`: the same JSON, since
/// whitespace between tokens means nothing, on a few lines instead of one very long one.
/// A string longer than the line stays whole.
pub fn json_wrapped(v: &Value, width: usize, indent: &str) -> String {
    let compact = v.to_string();
    let (mut parts, mut start, mut in_string, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in compact.char_indices() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') | (false, _, '"') => in_string = !in_string,
            (false, _, ',') => {
                parts.push(compact[start..=i].to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(compact[start..].to_string());
    crate::fit::join_wrapped(&parts, "", width, indent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_curl_is_split_at_options_and_runs_the_same() {
        let body =
            r#"{"model":"m","messages":[{"role":"user","content":"it's a test"}],"max_tokens":16}"#;
        let cmd = format!(
            "curl -sS -X POST 'http://h/v1/chat/completions' -H \"Authorization: Bearer $K\" -H 'X-Title: a -H b' -d {}",
            single_quote(body)
        );
        let short = curl_lines(&cmd, 1000);
        assert_eq!(short, cmd);
        let lines = curl_lines(&cmd, 80);
        assert!(lines.lines().all(|l| l.chars().count() <= 80), "{lines}");
        assert!(
            lines.starts_with("curl -sS -X POST 'http://h/v1/chat/completions' \\\n"),
            "{lines}"
        );
        assert!(lines.contains("\n  -H 'X-Title: a -H b' \\\n"), "{lines}");
        assert!(
            lines.contains("\n  -H \"Authorization: Bearer $K\" \\\n"),
            "{lines}"
        );
        // The body, unquoted as a shell would, is the same JSON.
        let quoted = lines.split_once("-d ").unwrap().1;
        let unquoted = quoted.trim_matches('\'').replace("'\\''", "'");
        let v: Value = serde_json::from_str(&unquoted).unwrap();
        assert_eq!(v, serde_json::from_str::<Value>(body).unwrap());
    }
}
