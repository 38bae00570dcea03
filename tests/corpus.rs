//! The corpus of real error texts (`testdata/errors/`): every case through `explain` and,
//! when it is a raw HTTP answer, through the probe's classifier; both must name the
//! expected kind and parameter, agree with each other, and never echo a key.
//!
//! A case file is a few `# key: value` lines (`kind`, `param` or `-`, `status` when the
//! text is the body of an HTTP answer with that status, `source`), a `---` line, then the
//! text exactly as a provider or client printed it.

use std::path::{Path, PathBuf};
use zencheck::classify::{classify, parse_error_body, KNOWN_PARAMS};
use zencheck::cmd::explain::explain;

struct Case {
    path: PathBuf,
    kind: String,
    param: Option<String>,
    status: Option<u16>,
    text: String,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/errors");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("testdata/errors") {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let raw = std::fs::read_to_string(&path).unwrap();
            let (head, text) = raw
                .split_once("\n---\n")
                .unwrap_or_else(|| panic!("{}: no --- line", path.display()));
            let field = |k: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(&format!("# {k}: ")))
                    .map(str::to_string)
            };
            assert!(field("source").is_some(), "{}: no source", path.display());
            Case {
                kind: field("kind").unwrap_or_else(|| panic!("{}: no kind", path.display())),
                param: field("param").filter(|p| p != "-"),
                status: field("status").map(|s| s.parse().unwrap()),
                text: text.strip_suffix('\n').unwrap_or(text).to_string(),
                path,
            }
        })
        .collect()
}

/// Key-shaped tokens in a text: what no output may repeat.
fn keys_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["sk-", "gsk_", "AIza"] {
        for (i, _) in text.match_indices(prefix) {
            let tok: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if tok.len() >= 20 && !tok.contains("****") {
                out.push(tok);
            }
        }
    }
    out
}

#[test]
fn the_corpus_of_real_errors_is_classified_right() {
    let all = cases();
    assert!(all.len() >= 150, "the corpus holds {} cases", all.len());
    let (mut explain_ok, mut probe_ok, mut probe_n) = (0, 0, 0);
    let mut failures = Vec::new();
    for c in &all {
        let name = c
            .path
            .strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/errors/"))
            .unwrap()
            .display()
            .to_string();
        let input = match c.status {
            Some(s) => format!("HTTP/1.1 {s}\n\n{}", c.text),
            None => c.text.clone(),
        };
        let x = explain(&input, None);
        let got = x.kind.map_or("none", |k| k.code());
        if got == c.kind && x.param == c.param {
            explain_ok += 1;
        } else {
            failures.push(format!(
                "explain {name}: want {} {:?}, got {got} {:?} (rule {:?})",
                c.kind, c.param, x.param, x.rule
            ));
        }
        let json = serde_json::to_string(&x).unwrap();
        for key in keys_in(&c.text) {
            if json.contains(&key) {
                failures.push(format!(
                    "explain {name}: output repeats the key {}…",
                    &key[..6]
                ));
            }
        }
        if x.hint.contains("{model}") || x.hint.contains("pull the model") {
            failures.push(format!(
                "explain {name}: hint has a placeholder: {}",
                x.hint
            ));
        }
        if let Some(status) = c.status {
            probe_n += 1;
            let ct = if c.text.trim_start().starts_with('<') {
                "text/html"
            } else {
                "application/json"
            };
            let v = classify(
                status,
                &parse_error_body(Some(ct), c.text.as_bytes()),
                KNOWN_PARAMS,
            );
            if v.kind.code() == c.kind && v.param == c.param {
                probe_ok += 1;
            } else {
                failures.push(format!(
                    "probe   {name}: want {} {:?}, got {} {:?} (rule {})",
                    c.kind,
                    c.param,
                    v.kind.code(),
                    v.param,
                    v.rule
                ));
            }
        }
    }
    println!(
        "corpus: explain {explain_ok}/{}, probe classifier {probe_ok}/{probe_n}",
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
