//! `--repeat N`: the runs of one probe joined into one report. Each (target, check, model)
//! becomes one row: a check that passed in some runs and failed, warned or was unsupported
//! in others is `flaky`, with the evidence and fix of a run that did not pass and the pass
//! ratio in `repeats` and in its detail; a check that did the same every time keeps the
//! first run's row. Skipped runs (a check not sent) count for neither side.

use super::{CheckResult, TargetRun};
use crate::finding::Status;
use serde::{Deserialize, Serialize};

/// How a check did over the runs of `--repeat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeats {
    /// Runs that had this check (skipped ones included).
    pub runs: u32,
    /// Of those, the runs in which it passed.
    pub pass: u32,
}

/// Join the runs (each the targets in the same order) into one run per target.
pub fn join(rounds: Vec<Vec<TargetRun>>) -> Vec<TargetRun> {
    let mut rounds = rounds.into_iter();
    let Some(first) = rounds.next() else {
        return Vec::new();
    };
    let later: Vec<Vec<TargetRun>> = rounds.collect();
    if later.is_empty() {
        return first;
    }
    let mut per_target: Vec<(TargetRun, Vec<TargetRun>)> =
        first.into_iter().map(|t| (t, Vec::new())).collect();
    for round in later {
        for (i, t) in round.into_iter().enumerate() {
            if let Some((_, others)) = per_target.get_mut(i) {
                others.push(t);
            }
        }
    }
    per_target
        .into_iter()
        .map(|(base, others)| join_target(base, others))
        .collect()
}

fn join_target(mut base: TargetRun, others: Vec<TargetRun>) -> TargetRun {
    // Every row, in the order it first appeared, with its fellows of the other runs.
    let mut rows: Vec<Vec<CheckResult>> = base.checks.drain(..).map(|c| vec![c]).collect();
    for other in others {
        base.spent = base.spent.plus(other.spent);
        for s in other.secrets {
            if !base.secrets.contains(&s) {
                base.secrets.push(s);
            }
        }
        if base.models_available.is_none() {
            base.models_available = other.models_available;
        }
        for c in other.checks {
            match rows
                .iter_mut()
                .find(|r| r[0].check == c.check && r[0].model == c.model)
            {
                Some(r) => r.push(c),
                None => rows.push(vec![c]),
            }
        }
    }
    base.checks = rows.into_iter().map(row).collect();
    base
}

/// One row for a check's runs.
fn row(runs: Vec<CheckResult>) -> CheckResult {
    let n = runs.len() as u32;
    let pass = runs.iter().filter(|c| c.status == Status::Pass).count() as u32;
    let not_passing = |s: Status| matches!(s, Status::Fail | Status::Warn | Status::Unsupported);
    let cost = runs
        .iter()
        .filter_map(|c| c.cost)
        .reduce(crate::http::spend::Spent::plus);
    // The run that stands for the row: a failure before a warning before the rest.
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Unsupported => 2,
        Status::Flaky => 3,
        Status::Pass => 4,
        Status::Skip => 5,
    };
    let flaky = pass > 0 && runs.iter().any(|c| not_passing(c.status));
    let mut chosen = if flaky {
        runs.into_iter()
            .min_by_key(|c| rank(c.status))
            .expect("a row has a run")
    } else {
        // The same every time (or passes and skips): the first run that was not skipped.
        let i = runs
            .iter()
            .position(|c| c.status != Status::Skip)
            .unwrap_or(0);
        runs.into_iter().nth(i).expect("a row has a run")
    };
    if flaky {
        let s = chosen.status.as_str();
        chosen.detail = format!(
            "flaky: passed in {pass} of {n} runs; {s} in another: {}",
            chosen.detail
        );
        chosen.status = Status::Flaky;
    }
    chosen.cost = cost.or(chosen.cost);
    chosen.repeats = Some(Repeats { runs: n, pass });
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;
    use crate::report::tests::{row as result, run};
    use crate::report::Report;

    #[test]
    fn a_check_that_passes_some_of_the_time_is_flaky_with_a_failing_runs_evidence() {
        let pass = || result("t", "chat.stream", Status::Pass, None);
        let mut cut = result(
            "t",
            "chat.stream",
            Status::Fail,
            Some(Kind::StreamTruncated),
        );
        cut.detail = "the stream ended without [DONE]".into();
        let steady = || result("t", "chat.basic", Status::Pass, None);
        let always = || result("t", "chat.tools", Status::Warn, Some(Kind::ParamIgnored));
        let rounds = vec![
            vec![run("t", vec![steady(), pass(), always()])],
            vec![run("t", vec![steady(), cut, always()])],
            vec![run("t", vec![steady(), pass(), always()])],
        ];
        let r = Report::new(join(rounds));
        let by = |id: &str| r.checks.iter().find(|c| c.check == id).unwrap();
        let s = by("chat.stream");
        assert_eq!(s.status, Status::Flaky);
        assert_eq!(s.kind, Some(Kind::StreamTruncated));
        assert_eq!(s.repeats, Some(Repeats { runs: 3, pass: 2 }));
        assert_eq!(
            s.detail,
            "flaky: passed in 2 of 3 runs; fail in another: the stream ended without [DONE]"
        );
        assert_eq!(by("chat.basic").status, Status::Pass);
        assert_eq!(by("chat.tools").status, Status::Warn, "the same every time");
        assert_eq!(by("chat.tools").repeats, Some(Repeats { runs: 3, pass: 0 }));
        assert_eq!(r.checks.len(), 3);
        assert_eq!((r.summary.flaky, r.summary.pass, r.summary.warn), (1, 1, 1));
        assert!(!r.failed(), "flaky is a warning under --fail-on fail");
        let json = r.to_json();
        assert!(json.contains("\"status\": \"flaky\""), "{json}");
        assert!(json.contains("\"flaky\": 1"), "{json}");
    }

    #[test]
    fn a_clean_pass_says_its_runs_on_the_summary_line() {
        let pass = || run("t", vec![result("t", "chat.basic", Status::Pass, None)]);
        let r = Report::new(join(vec![vec![pass()], vec![pass()], vec![pass()]]));
        assert_eq!((r.summary.runs, r.targets[0].summary.runs), (3, 3));
        assert_eq!(
            r.summary.line(r.compared_with()),
            "1 pass, 0 fail, 0 warn, 0 unsupported, 0 skip over 3 runs"
        );
        assert!(r.to_json().contains("\"runs\": 3"));
    }

    #[test]
    fn one_run_is_left_as_it_is() {
        let rounds = vec![vec![run(
            "t",
            vec![result("t", "chat.basic", Status::Pass, None)],
        )]];
        let r = Report::new(join(rounds));
        assert_eq!(r.checks[0].repeats, None);
        assert!(!r.to_json().contains("repeats") && !r.to_json().contains("\"runs\""));
        assert!(r.summary.line(r.compared_with()).ends_with(" skip"));
    }
}
