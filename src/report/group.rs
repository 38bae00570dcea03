//! Failures grouped by cause, for every renderer a person reads (table, Markdown, HTML):
//! one root cause is one entry, however many checks and models it hit. The JSON report
//! stays one entry per check (it is the contract); JUnit and the GitHub annotations too (one
//! test case, one annotation per check).
//!
//! A cause is a (kind, fix) pair: checks with the same failure kind and the same fix, with
//! the same status and the same weight in the verdict (failing the run or not, a known
//! problem of the baseline, required, regressed). A fix that names the check's own
//! model counts as the same fix on every model (the entry writes `{model}` and names the
//! models). Inside a cause, what differs is listed: each distinct evidence (detail with its
//! durations aside, HTTP status, parameter, the provider's words) once, with the checks and
//! models that showed it, after the part every one of them shares.

use super::{Change, CheckResult, Report};

/// The placeholder for "the model of each check" in a cause that spans several models.
pub const MODEL: &str = "{model}";

/// Checks that failed (or warned) for one cause, in the order the report lists them.
pub struct Group<'a> {
    pub checks: Vec<&'a CheckResult>,
    /// This cause fails the run (else it is a warning, or known under `--fail-on new`).
    pub counts: bool,
    /// Its checks did not pass in `--baseline` either.
    pub known: bool,
}

/// Checks of a cause that showed the same evidence.
pub struct Variant<'a> {
    pub checks: Vec<&'a CheckResult>,
}

impl<'a> Group<'a> {
    /// The first check of the group: its kind, title and status stand for all.
    pub fn head(&self) -> &'a CheckResult {
        self.checks[0]
    }

    /// The check ids, each once, in report order.
    pub fn check_ids(&self) -> Vec<&'a str> {
        unique(self.checks.iter().map(|c| c.check.as_str()))
    }

    /// The models, each once, in report order (empty for target-wide checks).
    pub fn models(&self) -> Vec<&'a str> {
        unique(self.checks.iter().filter_map(|c| c.model.as_deref()))
    }

    /// The targets, each once, in report order.
    pub fn targets(&self) -> Vec<&'a str> {
        unique(self.checks.iter().map(|c| c.target.as_str()))
    }

    /// Request ids of the group, each once.
    pub fn request_ids(&self) -> Vec<&'a str> {
        unique(self.checks.iter().filter_map(|c| c.request_id.as_deref()))
    }

    /// The one fix: the head's hint, its model written `{model}` when the cause spans
    /// several models.
    pub fn fix(&self) -> Option<String> {
        let h = self.head();
        h.hint.as_deref().map(|t| self.general(h, t))
    }

    /// `text` of check `c` as it reads for the whole group: `c`'s model id written
    /// `{model}` when the group spans several models.
    fn general(&self, c: &CheckResult, text: &str) -> String {
        match &c.model {
            Some(m) if self.models().len() > 1 => generalise(text, m),
            _ => text.to_string(),
        }
    }

    /// What differs inside the cause: the checks grouped by the evidence they showed, in
    /// report order.
    pub fn variants(&self) -> Vec<Variant<'a>> {
        let mut out: Vec<(VariantKey, Variant<'a>)> = Vec::new();
        for c in &self.checks {
            let k = variant_key(c);
            match out.iter_mut().find(|(vk, _)| *vk == k) {
                Some((_, v)) => v.checks.push(c),
                None => out.push((k, Variant { checks: vec![c] })),
            }
        }
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// The evidence as lines of plain text: the part every check shares, then each
    /// variant's own part after `• checks (models):`, at most `max` variants (then how many
    /// more), then the request ids, a few at most. Renderers escape each line.
    pub fn evidence_lines(&self, max: usize) -> Vec<String> {
        let variants = self.variants();
        // Each variant's detail as the reader sees it (its model written `{model}` when it
        // stands for several), and as the whole cause reads it (for the shared part).
        let own: Vec<String> = variants
            .iter()
            .map(|v| {
                let h = v.checks[0];
                match &h.model {
                    Some(m) if v.models().len() > 1 => generalise(&h.detail, m),
                    _ => h.detail.clone(),
                }
            })
            .collect();
        let general: Vec<String> = variants
            .iter()
            .map(|v| self.general(v.checks[0], &v.checks[0].detail))
            .collect();
        let mut lines = Vec::new();
        if variants.len() == 1 {
            let h = variants[0].checks[0];
            lines.push(own[0].clone());
            if let Some(m) = &h.provider_message {
                lines.push(format!("provider: \"{}\"", self.general(h, m)));
            }
        } else {
            let (shared, rests) = split_shared(&general, &own);
            if !shared.is_empty() {
                lines.push(format!("all: {shared}"));
            }
            let models = self.models();
            for (v, rest) in variants.iter().zip(rests).take(max) {
                let h = v.checks[0];
                let mut label = v.check_ids().join(", ");
                let vm = v.models();
                if !vm.is_empty() && vm.len() < models.len() {
                    label.push_str(&format!(" ({})", vm.join(", ")));
                }
                let vt = v.targets();
                if self.targets().len() > 1 && vt.len() == 1 {
                    label.push_str(&format!(" on {}", vt[0]));
                }
                let mut line = format!("• {label}: {rest}");
                if let Some(m) = &h.provider_message {
                    line.push_str(&format!(" · provider: \"{}\"", self.general(h, m)));
                }
                lines.push(line);
            }
            if variants.len() > max {
                lines.push(format!(
                    "+{} more (every check: --all, or the JSON report)",
                    variants.len() - max
                ));
            }
        }
        let ids = self.request_ids();
        match ids.len() {
            0 => {}
            1 => lines.push(format!("request id: {}", ids[0])),
            n => {
                let shown: Vec<&str> = ids.iter().take(3).copied().collect();
                let more = if n > 3 {
                    format!(" (+{} more)", n - 3)
                } else {
                    String::new()
                };
                lines.push(format!("request ids: {}{more}", shown.join(", ")));
            }
        }
        lines
    }
}

impl<'a> Variant<'a> {
    pub fn check_ids(&self) -> Vec<&'a str> {
        unique(self.checks.iter().map(|c| c.check.as_str()))
    }
    pub fn models(&self) -> Vec<&'a str> {
        unique(self.checks.iter().filter_map(|c| c.model.as_deref()))
    }
    pub fn targets(&self) -> Vec<&'a str> {
        unique(self.checks.iter().map(|c| c.target.as_str()))
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// `text` with the model id `model` written `{model}` where it stands as a whole word (an
/// id of one or two characters is left alone: it would match inside words).
pub fn generalise(text: &str, model: &str) -> String {
    if model.chars().count() < 3 {
        return text.to_string();
    }
    let part_of_id = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(model) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + model.len()..].chars().next();
        let whole = !before.is_some_and(part_of_id)
            && !after.is_some_and(|c| part_of_id(c) && !is_end(&rest[at + model.len()..]));
        out.push_str(&rest[..at]);
        out.push_str(if whole { MODEL } else { model });
        rest = &rest[at + model.len()..];
    }
    out.push_str(rest);
    out
}

/// A `.` or `:` that ends a sentence or a clause (followed by nothing or a space), not one
/// inside an id.
fn is_end(s: &str) -> bool {
    let mut it = s.chars();
    matches!(it.next(), Some('.' | ':' | ',')) && it.next().is_none_or(char::is_whitespace)
}

/// The leading ` · `-separated parts every detail shares (never all of any one of them),
/// compared and written as `general` has them, and what is left of each of `own` (the
/// same details as their variants show them, part for part).
fn split_shared(general: &[String], own: &[String]) -> (String, Vec<String>) {
    let parts: Vec<Vec<&str>> = general.iter().map(|d| d.split(" · ").collect()).collect();
    let shortest = parts.iter().map(Vec::len).min().unwrap_or(0);
    let mut k = 0;
    while k + 1 < shortest
        && parts
            .iter()
            .all(|p| without_timings(p[k]) == without_timings(parts[0][k]))
    {
        k += 1;
    }
    let shared = parts[0][..k].join(" · ");
    let rests = own
        .iter()
        .map(|d| {
            let p: Vec<&str> = d.split(" · ").collect();
            p[k.min(p.len())..].join(" · ")
        })
        .collect();
    (shared, rests)
}

/// What makes two failures one cause.
#[derive(PartialEq)]
struct Key {
    status: crate::finding::Status,
    counts: bool,
    kind: Option<crate::failure::Kind>,
    fix: Option<String>,
    required: bool,
    regressed: bool,
    known: bool,
}

fn key(r: &Report, c: &CheckResult) -> Key {
    let own = |t: &str| match &c.model {
        Some(m) => generalise(t, m),
        None => t.to_string(),
    };
    Key {
        status: c.status,
        counts: r.counts_as_failure(c),
        kind: c.kind,
        fix: c.hint.as_deref().map(own),
        required: c.required,
        regressed: c.baseline == Some(Change::Regressed),
        known: r.is_known(c),
    }
}

/// What makes two checks of a cause show the same evidence.
#[derive(PartialEq)]
struct VariantKey {
    detail: String,
    http_status: Option<u16>,
    param: Option<String>,
    provider_message: Option<String>,
}

fn variant_key(c: &CheckResult) -> VariantKey {
    let own = |t: &str| match &c.model {
        Some(m) => generalise(t, m),
        None => t.to_string(),
    };
    VariantKey {
        detail: without_timings(&own(&c.detail)),
        http_status: c.http_status,
        param: c.param.clone(),
        provider_message: c.provider_message.as_deref().map(own),
    }
}

/// The checks the reports list as failures and warnings, grouped by cause: every check with
/// a failure kind, and every check that counts against the run (a required one that did
/// not pass, a regression). Causes that fail the run come first, then report order.
pub fn failures(r: &Report) -> Vec<Group<'_>> {
    let mut groups: Vec<(Key, Group<'_>)> = Vec::new();
    for c in r
        .checks
        .iter()
        .filter(|c| c.kind.is_some() || r.counts_as_failure(c))
    {
        let k = key(r, c);
        match groups.iter_mut().find(|(gk, _)| *gk == k) {
            Some((_, g)) => g.checks.push(c),
            None => {
                let (counts, known) = (k.counts, k.known);
                groups.push((
                    k,
                    Group {
                        checks: vec![c],
                        counts,
                        known,
                    },
                ))
            }
        }
    }
    let mut out: Vec<Group<'_>> = groups.into_iter().map(|(_, g)| g).collect();
    out.sort_by_key(|g| !g.counts);
    out
}

/// `text` with every duration (`27 ms`, `2.0 s`, `1500ms`) replaced by `#`, so two runs of
/// the same failure that took different times compare equal.
pub fn without_timings(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let number = |w: &str| {
        !w.is_empty()
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    };
    let unit = |w: &str| {
        let w = w.trim_end_matches(|c: char| !c.is_alphanumeric());
        matches!(w, "ms" | "s" | "µs" | "secs" | "seconds")
    };
    for (i, w) in words.iter().enumerate() {
        let glued = w
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&at| at > 0 && number(&w[..at]) && unit(&w[at..]));
        if number(w) && words.get(i + 1).is_some_and(|n| unit(n)) {
            out.push("#".into());
        } else if let Some(at) = glued {
            out.push(format!("#{}", &w[at..]));
        } else {
            out.push(w.to_string());
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;
    use crate::finding::Status;
    use crate::report::tests::{row, run};

    #[test]
    fn durations_do_not_tell_failures_apart() {
        assert_eq!(
            without_timings("stalled after 2 chunks: 2.0 s of silence, max gap 27 ms"),
            "stalled after 2 chunks: # s of silence, max gap # ms"
        );
        assert_eq!(without_timings("took 1500ms."), "took #ms.");
        assert_eq!(without_timings("HTTP 401 invalid"), "HTTP 401 invalid");
        assert_eq!(without_timings("3 models"), "3 models");
    }

    #[test]
    fn the_same_failure_on_several_checks_and_models_is_one_group() {
        let mut a = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        a.model = Some("m1".into());
        let mut b = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        b.model = Some("m2".into());
        b.request_id = Some("req_2".into());
        let c = row("t", "responses.basic", Status::Fail, Some(Kind::Auth));
        let mut other = row("t", "chat.stream", Status::Fail, Some(Kind::Auth));
        other.detail = "HTTP 401 something else".into();
        let pass = row("t", "chat.tools", Status::Pass, None);
        let r = Report::new(vec![run("t", vec![a, b, c, other, pass])]);
        let groups = failures(&r);
        assert_eq!(groups.len(), 1, "same kind, same fix: one cause");
        let g = &groups[0];
        assert_eq!(
            g.check_ids(),
            ["chat.basic", "responses.basic", "chat.stream"]
        );
        assert_eq!(g.models(), ["m1", "m2", "m"]);
        assert_eq!(g.request_ids(), ["req_1", "req_2"]);
        assert_eq!(g.variants().len(), 2, "what differs is listed inside");
        let lines = g.evidence_lines(6);
        assert_eq!(lines[0], "• chat.basic, responses.basic: HTTP 401");
        assert_eq!(lines[1], "• chat.stream (m): HTTP 401 something else");
    }

    #[test]
    fn a_different_fix_or_status_is_another_cause_and_a_target_is_not() {
        let a = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        let mut b = row("t", "chat.stream", Status::Fail, Some(Kind::Auth));
        b.hint = Some("another fix".into());
        let c = row("u", "chat.basic", Status::Fail, Some(Kind::Auth));
        let d = row("t", "chat.tools", Status::Warn, Some(Kind::Auth));
        let r = Report::new(vec![run("t", vec![a, b, d]), run("u", vec![c])]);
        let g = failures(&r);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].targets(), ["t", "u"]);
        assert!(!g[2].counts, "the warning comes last");
    }

    #[test]
    fn a_fix_naming_its_model_is_one_fix_written_for_every_model() {
        let mk = |m: &str, check: &str, detail: &str| {
            let mut c = row("t", check, Status::Warn, Some(Kind::ModelMismatch));
            c.model = Some(m.into());
            c.detail = format!("asked for `{m}`, `fallback` answered · {detail}");
            c.hint = Some(format!(
                "The server answered with another model than {m}: a fallback."
            ));
            c
        };
        let r = Report::new(vec![run(
            "t",
            vec![
                mk("mock-small", "chat.basic", "finish stop"),
                mk("mock-large", "chat.basic", "finish stop"),
                mk("mock-small", "chat.stream", "7 chunks · max gap 56 ms"),
                mk("mock-large", "chat.stream", "9 chunks · max gap 16 ms"),
            ],
        )]);
        let g = failures(&r);
        assert_eq!(g.len(), 1);
        assert_eq!(
            g[0].fix().unwrap(),
            "The server answered with another model than {model}: a fallback."
        );
        let lines = g[0].evidence_lines(6);
        assert_eq!(
            lines,
            [
                "all: asked for `{model}`, `fallback` answered",
                "• chat.basic: finish stop",
                "• chat.stream (mock-small): 7 chunks · max gap 56 ms",
                "• chat.stream (mock-large): 9 chunks · max gap 16 ms",
                "request id: req_1",
            ]
        );
        assert_eq!(g[0].evidence_lines(1).last().unwrap(), "request id: req_1");
        assert!(g[0].evidence_lines(1)[2].starts_with("+2 more"));
    }

    #[test]
    fn model_ids_are_generalised_as_whole_words_only() {
        assert_eq!(
            generalise("asked gpt-4o, not gpt-4o-mini.", "gpt-4o"),
            "asked {model}, not gpt-4o-mini."
        );
        assert_eq!(generalise("model m is", "m"), "model m is");
        assert_eq!(generalise("use qwen/qwen3.", "qwen/qwen3"), "use {model}.");
        assert_eq!(
            generalise("than llama3:8b: a", "llama3:8b"),
            "than {model}: a"
        );
        assert_eq!(
            generalise("than llama3:8b-q4", "llama3:8b"),
            "than llama3:8b-q4"
        );
    }
}
