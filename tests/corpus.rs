//! The corpus of real error texts (`testdata/errors/`), scored: every case through
//! `explain` and, when it is a raw HTTP answer, through the probe's classifier; a case is
//! right when both name the expected kind and parameter.
//!
//! A case file is a few `# key: value` lines, a `---` line, then the text exactly as a
//! provider or client printed it. Keys: `kind`, `param` (or `-`), `status` (only when the
//! text is the body of an HTTP answer with that status), `source` (who printed it),
//! `provenance` (the public thread or page, and its date), `avoid` (words the fix must not
//! contain: a fix that points the wrong way), `confidence: low` (the honest reading is
//! uncertain; the expected kind is the most likely one).
//!
//! `testdata/errors/SPLIT` names the source directories held out from rule writing. The
//! held-out score is the one that measures generalisation; both are printed per source and
//! held to floors. Wrong-way fixes, panics and echoed keys are not scored: there must be none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zencheck::classify::{classify, decide_with_basis, parse_error_body, paste, KNOWN_PARAMS};
use zencheck::cmd::explain::explain;
use zencheck::failure::Kind;

/// Whether `fix` says `word` other than right after a negation: "do not retry" is the right
/// fix for a billing error whose case avoids "retry"; "retry later" is not.
fn says_unnegated(fix: &str, word: &str) -> bool {
    fix.match_indices(word).any(|(i, _)| {
        let before = fix[..i].trim_end();
        let last = before
            .rsplit(|ch: char| !(ch.is_alphanumeric() || ch == '\''))
            .next()
            .unwrap_or("");
        !(["not", "never", "no", "without", "nor"].contains(&last) || last.ends_with("n't"))
    })
}

/// The held-out part's score must stay at or above this (per cent): the figure measured,
/// so it cannot regress. Target: 90.
const HELD_OUT_FLOOR: f64 = 88.1;
/// The whole corpus's score, at least (per cent): the figure measured. Target: 97.
const WHOLE_FLOOR: f64 = 90.5;
/// Cases marked `confidence: low` that come back as low confidence, at least (per cent).
const CAUTIOUS_FLOOR: f64 = 63.2;

struct Case {
    name: String,
    source: String,
    kind: String,
    param: Option<String>,
    status: Option<u16>,
    avoid: Vec<String>,
    low: bool,
    has_provenance: bool,
    text: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/errors")
}

fn cases() -> Vec<Case> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root()).expect("testdata/errors") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    files.into_iter().map(|p| read_case(&p)).collect()
}

fn read_case(path: &Path) -> Case {
    let name = path.strip_prefix(root()).unwrap().display().to_string();
    let raw = std::fs::read_to_string(path).unwrap();
    let (head, text) = raw
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{name}: no --- line"));
    let field = |k: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("# {k}:")))
            .map(|v| v.trim().to_string())
    };
    for line in head.lines() {
        let key = line
            .strip_prefix("# ")
            .and_then(|l| l.split_once(':'))
            .map(|(k, _)| k);
        assert!(
            matches!(
                key,
                Some(
                    "kind" | "param" | "status" | "source" | "provenance" | "avoid" | "confidence"
                )
            ),
            "{name}: unknown header line {line:?}"
        );
    }
    let kind = field("kind").unwrap_or_else(|| panic!("{name}: no kind"));
    assert!(
        Kind::from_code(&kind).is_some() || kind == "blocked" || kind == "none",
        "{name}: kind {kind:?} is not a kind code"
    );
    let source = field("source").unwrap_or_else(|| panic!("{name}: no source"));
    assert!(!source.is_empty(), "{name}: empty source");
    let provenance = field("provenance");
    if let Some(p) = &provenance {
        assert!(
            p.contains('#') || p.contains("://") || p.contains('.'),
            "{name}: provenance {p:?} names no thread or page"
        );
    }
    let confidence = field("confidence");
    assert!(
        matches!(confidence.as_deref(), None | Some("low")),
        "{name}: confidence is `low` or absent"
    );
    Case {
        source: name.split('/').next().unwrap().to_string(),
        kind,
        param: field("param").filter(|p| p != "-"),
        status: field("status").map(|s| {
            s.parse()
                .ok()
                .filter(|n| (100..600).contains(n))
                .unwrap_or_else(|| panic!("{name}: status {s:?} is not an HTTP status"))
        }),
        avoid: field("avoid")
            .map(|a| {
                a.split(',')
                    .map(|w| w.trim().to_lowercase())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        low: confidence.is_some(),
        has_provenance: provenance.is_some(),
        text: text.strip_suffix('\n').unwrap_or(text).to_string(),
        name,
    }
}

/// The source directories held out from rule writing.
fn held_out() -> Vec<String> {
    std::fs::read_to_string(root().join("SPLIT"))
        .expect("testdata/errors/SPLIT")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Key-shaped tokens in a text: what no output may repeat.
fn keys_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["sk-", "gsk_", "AIza"] {
        for (i, _) in text.match_indices(prefix) {
            // A key starts a word, as the masker reads it: `task-manager` holds no key.
            let key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*';
            if text[..i].chars().next_back().is_some_and(key_char) {
                continue;
            }
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

/// What one case came to.
struct Outcome {
    right: bool,
    cautious: bool,
    /// The rule `explain` says decided (`none` when nothing did), and what it rests on.
    rule: String,
    evidence: String,
    /// Why it is not right, or a fault that no score excuses (a wrong-way fix, a key).
    misses: Vec<String>,
    /// Fixes that point the wrong way (a word of `# avoid:`).
    wrong_way: Vec<String>,
    faults: Vec<String>,
}

fn run(c: &Case) -> Outcome {
    let input = match c.status {
        Some(s) => format!("HTTP/1.1 {s}\n\n{}", c.text),
        None => c.text.clone(),
    };
    let mut o = Outcome {
        right: true,
        cautious: false,
        rule: "none".into(),
        evidence: String::new(),
        misses: Vec::new(),
        wrong_way: Vec::new(),
        faults: Vec::new(),
    };
    let x = match std::panic::catch_unwind(|| explain(&input, None)) {
        Ok(x) => x,
        Err(_) => {
            o.right = false;
            o.faults.push(format!("explain {}: panicked", c.name));
            return o;
        }
    };
    let got = x.kind.map_or("none", |k| k.code());
    o.rule = x.rule.unwrap_or("none").to_string();
    o.evidence = x.evidence.clone().unwrap_or_default();
    if got != c.kind || x.param != c.param {
        o.right = false;
        o.misses.push(format!(
            "explain {}: want {} {:?}, got {got} {:?} (rule {:?})",
            c.name, c.kind, c.param, x.param, x.rule
        ));
    }
    let json = serde_json::to_value(&x).unwrap();
    o.cautious = json.get("confidence").and_then(|v| v.as_str()) == Some("low");
    let text = serde_json::to_string(&json).unwrap();
    for key in keys_in(&c.text) {
        if text.contains(&key) {
            o.faults.push(format!(
                "explain {}: output repeats the key {}…",
                c.name,
                &key[..6]
            ));
        }
    }
    let fix = x.hint.to_lowercase();
    for w in &c.avoid {
        if says_unnegated(&fix, w) {
            o.wrong_way.push(format!(
                "explain {}: the fix says {w:?}: {}",
                c.name, x.hint
            ));
        }
    }
    if x.hint.contains("{model}") {
        o.faults.push(format!(
            "explain {}: hint has a placeholder: {}",
            c.name, x.hint
        ));
    }
    if let Some(status) = c.status {
        let ct = if c.text.trim_start().starts_with('<') {
            "text/html"
        } else {
            "application/json"
        };
        let v = std::panic::catch_unwind(|| {
            classify(
                status,
                &parse_error_body(Some(ct), c.text.as_bytes()),
                KNOWN_PARAMS,
            )
        });
        match v {
            Ok(v) if v.kind.code() == c.kind && v.param == c.param => {}
            Ok(v) => {
                o.right = false;
                o.misses.push(format!(
                    "probe   {}: want {} {:?}, got {} {:?} (rule {})",
                    c.name,
                    c.kind,
                    c.param,
                    v.kind.code(),
                    v.param,
                    v.rule
                ));
            }
            Err(_) => {
                o.right = false;
                o.faults.push(format!("probe   {}: panicked", c.name));
            }
        }
    }
    o
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

#[test]
fn the_corpus_of_real_errors_is_scored_by_source() {
    let all = cases();
    let held = held_out();
    let sources: BTreeMap<&str, usize> = all.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.source.as_str()).or_default() += 1;
        m
    });
    for h in &held {
        assert!(
            sources.contains_key(h.as_str()),
            "SPLIT names {h}, which is no source directory"
        );
    }
    assert!(all.len() >= 600, "the corpus holds {} cases", all.len());
    assert!(
        sources.len() >= 80,
        "the corpus has {} sources",
        sources.len()
    );
    let is_held = |c: &Case| held.contains(&c.source);
    for c in all.iter().filter(|c| is_held(c)) {
        assert!(
            c.has_provenance,
            "{}: a held-out case names its provenance",
            c.name
        );
    }

    // (cases, right) per source, per part; cautious answers on the low-confidence cases.
    let mut per_source: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut held_n, mut held_ok, mut all_ok) = (0, 0, 0);
    let (mut low_n, mut low_cautious) = (0, 0);
    // Confident answers: how many, how many wrong, and the certain right ones said so.
    let (mut high, mut high_wrong, mut certain_right, mut certain_right_high) = (0, 0, 0, 0);
    let (mut misses, mut wrong_way, mut faults) = (Vec::new(), Vec::new(), Vec::new());
    for c in &all {
        let o = run(c);
        let e = per_source.entry(c.source.as_str()).or_default();
        e.0 += 1;
        if o.right {
            e.1 += 1;
            all_ok += 1;
        }
        if is_held(c) {
            held_n += 1;
            held_ok += usize::from(o.right);
        }
        high += usize::from(!o.cautious);
        high_wrong += usize::from(!o.cautious && !o.right);
        if !c.low && o.right {
            certain_right += 1;
            certain_right_high += usize::from(!o.cautious);
        }
        if c.low {
            low_n += 1;
            low_cautious += usize::from(o.cautious);
            if !o.cautious {
                println!("confident where the case is uncertain: {}", c.name);
            }
        }
        misses.extend(o.misses);
        wrong_way.extend(o.wrong_way);
        faults.extend(o.faults);
    }

    println!(
        "{:<28} {:>9} {:>6} {:>6}",
        "source", "part", "right", "cases"
    );
    for (s, (n, ok)) in &per_source {
        let part = if held.iter().any(|h| h == s) {
            "held-out"
        } else {
            "training"
        };
        println!("{s:<28} {part:>9} {ok:>6} {n:>6}");
    }
    for m in &misses {
        println!("miss: {m}");
    }
    for w in &wrong_way {
        println!("wrong-way: {w}");
    }
    let held_pct = pct(held_ok, held_n);
    let whole_pct = pct(all_ok, all.len());
    let cautious_pct = pct(low_cautious, low_n);
    println!(
        "corpus: held-out {held_ok}/{held_n} ({held_pct:.1} %), training {}/{}, whole {all_ok}/{} ({whole_pct:.1} %); \
         {low_cautious}/{low_n} low-confidence cases answered cautiously; {} wrong-way fixes; {} sources, {} held out",
        all_ok - held_ok,
        all.len() - held_n,
        all.len(),
        wrong_way.len(),
        sources.len(),
        held.len(),
    );
    println!(
        "calibration: {high} answers with high confidence, {high_wrong} of them wrong; \
         {certain_right_high} of {certain_right} right answers on cases not marked uncertain said with high confidence"
    );
    assert!(
        held_n * 10 >= all.len() * 3,
        "the held-out part is {held_n} of {} cases, under 30 %",
        all.len()
    );
    assert!(
        faults.is_empty(),
        "{} faults (echoed keys, panics):\n{}",
        faults.len(),
        faults.join("\n")
    );
    assert!(
        wrong_way.is_empty(),
        "{} wrong-way fixes (a fix with a word its case says to avoid):\n{}",
        wrong_way.len(),
        wrong_way.join("\n")
    );
    assert!(
        held_pct >= HELD_OUT_FLOOR,
        "held-out {held_pct:.1} % is under its floor {HELD_OUT_FLOOR} %"
    );
    assert!(
        whole_pct >= WHOLE_FLOOR,
        "whole corpus {whole_pct:.1} % is under its floor {WHOLE_FLOOR} %"
    );
    assert!(
        cautious_pct >= CAUTIOUS_FLOOR,
        "low-confidence cases answered cautiously {cautious_pct:.1} %, under {CAUTIOUS_FLOOR} %"
    );
}

/// How confidence stands on the *training* part only, per rule: the measure the confidence
/// policy (`src/classify/confidence.rs`) is derived from. Held-out cases are never shown.
/// Run: `cargo test --test corpus calibration -- --ignored --nocapture`.
#[test]
#[ignore = "a measure, not a check: prints per-rule precision on the training part"]
fn calibration_per_rule_on_training() {
    let held = held_out();
    // rule -> [answers, right, marked uncertain, answered low, high and wrong, high on a certain case that is right]
    let mut per_rule: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    let mut detail = Vec::new();
    // basis -> [answers, marked uncertain, right, answered high, high on an uncertain case, high and wrong]
    let mut per_basis: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for c in cases().iter().filter(|c| !held.contains(&c.source)) {
        let o = run(c);
        let input = match c.status {
            Some(s) => format!("HTTP/1.1 {s}\n\n{}", c.text),
            None => c.text.clone(),
        };
        let r = paste::read(input.trim());
        let label = decide_with_basis(
            r.status,
            &r.body,
            KNOWN_PARAMS,
            &r.context,
            r.url.as_deref(),
        )
        .map_or("(no decision through the layers)".to_string(), |(_, b)| {
            b.label()
        });
        if std::env::var_os("ZENCHECK_CALIBRATION_CASES").is_some() {
            println!(
                "  case {label} | {} | {} | {} | {}",
                if o.cautious { "low" } else { "high" },
                if c.low { "uncertain" } else { "certain" },
                c.name,
                o.evidence
            );
        }
        let b = per_basis.entry(label).or_default();
        b[0] += 1;
        b[1] += usize::from(c.low);
        b[2] += usize::from(o.right);
        b[3] += usize::from(!o.cautious);
        b[4] += usize::from(!o.cautious && c.low);
        b[5] += usize::from(!o.cautious && !o.right);
        let e = per_rule.entry(o.rule.clone()).or_default();
        e[0] += 1;
        e[1] += usize::from(o.right);
        e[2] += usize::from(c.low);
        e[3] += usize::from(o.cautious);
        e[4] += usize::from(!o.cautious && !o.right);
        e[5] += usize::from(!o.cautious && o.right && !c.low);
        if !o.cautious && (c.low || !o.right) {
            detail.push(format!(
                "  high where {}: {} (rule {}, evidence {:?})",
                if o.right { "marked uncertain" } else { "wrong" },
                c.name,
                o.rule,
                o.evidence
            ));
        }
    }
    println!(
        "{:<28} {:>7} {:>6} {:>9} {:>6} {:>10} {:>10}",
        "rule", "answers", "right", "uncertain", "low", "high-wrong", "high-right"
    );
    let mut total = [0usize; 6];
    for (rule, n) in &per_rule {
        println!(
            "{rule:<28} {:>7} {:>6} {:>9} {:>6} {:>10} {:>10}",
            n[0], n[1], n[2], n[3], n[4], n[5]
        );
        for (t, x) in total.iter_mut().zip(n) {
            *t += x;
        }
    }
    println!(
        "calibration (training): {} answers, {} right, {} marked uncertain, {} low, {} high and wrong, {} high and right on certain cases",
        total[0], total[1], total[2], total[3], total[4], total[5]
    );
    println!(
        "{:<48} {:>7} {:>9} {:>6} {:>6} {:>10} {:>10}",
        "basis", "answers", "uncertain", "right", "high", "high-uncrt", "high-wrong"
    );
    for (b, n) in &per_basis {
        println!(
            "{b:<48} {:>7} {:>9} {:>6} {:>6} {:>10} {:>10}",
            n[0], n[1], n[2], n[3], n[4], n[5]
        );
    }
    for d in &detail {
        println!("{d}");
    }
}

#[test]
fn a_negated_word_is_not_a_wrong_way_fix() {
    assert!(!says_unnegated("do not retry: add credit", "retry"));
    assert!(!says_unnegated("it won't retry", "retry"));
    assert!(says_unnegated("retry later", "retry"));
    assert!(says_unnegated("do not wait; retry now", "retry"));
    assert!(says_unnegated("a piano retry", "retry"));
}
