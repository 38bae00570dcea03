//! Identical failures grouped for the human table: the same failure seen on several
//! checks or several models reads as one problem, with one row naming all of them. The JSON
//! report stays one entry per check (it is the contract); only the table groups.
//!
//! Two checks fail "the same way" when a reader would act on them the same way: same target,
//! status, kind, HTTP status, parameter, detail (timings aside, since two stalls are the same
//! stall whether they lasted 2.0 s or 2.1 s), provider message and fix, and the same
//! `required`/regressed marks. Text naming a model is not normalised: a detail or fix that
//! names the model differs per model, and showing one model's text for another would mislead.

use super::{Change, CheckResult, Report};

/// Checks that failed (or warned) the same way, in the order the report lists them.
pub struct Group<'a> {
    pub checks: Vec<&'a CheckResult>,
}

impl<'a> Group<'a> {
    /// The first check of the group: its text stands for all.
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

    /// Request ids of the group, each once.
    pub fn request_ids(&self) -> Vec<&'a str> {
        unique(self.checks.iter().filter_map(|c| c.request_id.as_deref()))
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

/// What makes two failures the same, for grouping.
#[derive(PartialEq)]
struct Key<'a> {
    target: &'a str,
    status: crate::finding::Status,
    kind: Option<crate::failure::Kind>,
    http_status: Option<u16>,
    param: Option<&'a str>,
    detail: String,
    provider_message: Option<&'a str>,
    hint: Option<&'a str>,
    required: bool,
    regressed: bool,
}

fn key(c: &CheckResult) -> Key<'_> {
    Key {
        target: &c.target,
        status: c.status,
        kind: c.kind,
        http_status: c.http_status,
        param: c.param.as_deref(),
        detail: without_timings(&c.detail),
        provider_message: c.provider_message.as_deref(),
        hint: c.hint.as_deref(),
        required: c.required,
        regressed: c.baseline == Some(Change::Regressed),
    }
}

/// The checks the table lists as failures and warnings, grouped: every check with a
/// failure kind, and every check that counts against the run (a required one that did
/// not pass, a regression).
pub fn failures(r: &Report) -> Vec<Group<'_>> {
    let mut groups: Vec<(Key<'_>, Group<'_>)> = Vec::new();
    for c in r
        .checks
        .iter()
        .filter(|c| c.kind.is_some() || r.counts_as_failure(c))
    {
        let k = key(c);
        match groups.iter_mut().find(|(gk, _)| *gk == k) {
            Some((_, g)) => g.checks.push(c),
            None => groups.push((k, Group { checks: vec![c] })),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
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
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].check_ids(), ["chat.basic", "responses.basic"]);
        assert_eq!(groups[0].models(), ["m1", "m2", "m"]);
        assert_eq!(groups[0].request_ids(), ["req_1", "req_2"]);
        assert_eq!(groups[1].check_ids(), ["chat.stream"]);
    }

    #[test]
    fn a_different_fix_or_target_is_another_group() {
        let a = row("t", "chat.basic", Status::Fail, Some(Kind::Auth));
        let mut b = row("t", "chat.stream", Status::Fail, Some(Kind::Auth));
        b.hint = Some("another fix".into());
        let c = row("u", "chat.basic", Status::Fail, Some(Kind::Auth));
        let r = Report::new(vec![run("t", vec![a, b]), run("u", vec![c])]);
        assert_eq!(failures(&r).len(), 3);
    }
}
