//! The progress line on stderr while `probe` or `demo` runs: time since the start, checks
//! done of the total (counted in report rows, the count the table shows), and the checks
//! still waiting, longest first, each with how long it has waited:
//!
//! `⠙ 14s/5m00s · 10/13 checks · waiting: chat.stream (gpt-x) 12s, responses.stream (gpt-x) 9s`
//!
//! After the clock, the bound that ends every wait (the run's `--deadline`), so a long wait
//! reads as bounded.
//!
//! Shown whenever stderr is a terminal, whatever `--format` or `-o` say (stdout is not
//! touched), never under `-q`; cleared before the report prints. indicatif's steady tick
//! redraws it several times a second from the state below, so the clocks move while
//! nothing completes. Lines other code prints to stderr meanwhile (`-v`) go above it
//! ([`suspend`]), so the two do not garble each other.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the line is redrawn (its clocks tick in whole seconds).
const TICK: Duration = Duration::from_millis(200);
/// Most waiting checks named; the rest are counted.
const NAMED: usize = 3;

/// A report row: target name, check id, model.
type Key = (String, &'static str, Option<String>);

/// The line's state, shared by the probe's hooks and the drawing thread.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    state: Arc<Mutex<State>>,
}

struct State {
    started: Instant,
    /// The rows each target's report will have.
    planned: HashSet<Key>,
    /// Planned rows not settled yet.
    left: HashSet<Key>,
    /// Checks in flight (a row may be in flight without being planned: a basic check run
    /// for its route's sake), with when each started.
    running: Vec<(u64, Key, Instant)>,
    next: u64,
    targets: HashSet<String>,
    /// Rows a target's report had that its plan did not (or the reverse): the total was
    /// wrong until the target settled.
    drift: Vec<String>,
    /// The bound that ends the run (`--deadline`).
    bound: Option<Duration>,
    /// Under `--repeat`: which run of how many.
    round: Option<(u32, u32)>,
}

/// The bar being drawn, if any: [`suspend`] prints above it.
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

impl Progress {
    /// The line for a run, or `None` under `-q` or when stderr is not a terminal.
    pub fn on_terminal(quiet: bool) -> Option<Progress> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let p = Progress::with_target(ProgressDrawTarget::stderr());
        p.bar.enable_steady_tick(TICK);
        *SHOWN.lock().expect("progress lock") = Some(p.bar.clone());
        Some(p)
    }

    /// Counting without drawing (tests).
    pub fn hidden() -> Progress {
        Progress::with_target(ProgressDrawTarget::hidden())
    }

    fn with_target(target: ProgressDrawTarget) -> Progress {
        let state = Arc::new(Mutex::new(State {
            started: Instant::now(),
            planned: HashSet::new(),
            left: HashSet::new(),
            running: Vec::new(),
            next: 0,
            targets: HashSet::new(),
            drift: Vec::new(),
            bound: None,
            round: None,
        }));
        let shared = state.clone();
        let style = ProgressStyle::with_template("{spinner} {line}")
            .expect("static template")
            .with_key(
                "line",
                move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let width = console::Term::stderr().size().1 as usize;
                    let s = shared.lock().expect("progress lock");
                    // Two columns for the spinner and its space, one spare against wrapping.
                    let _ = w.write_str(&s.line(Instant::now(), width.saturating_sub(3)));
                },
            );
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(style);
        Progress { bar, state }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("progress lock")
    }

    /// The bound that will end every wait of the run (`--deadline`), counted from the
    /// line's start; shown after the clock.
    pub fn bound(&self, limit: Duration) {
        self.lock().bound = Some(limit);
    }

    /// Run `i` of `n` (`--repeat`) starts: shown after the clock when `n` > 1.
    pub fn round(&self, i: u32, n: u32) {
        self.lock().round = (n > 1).then_some((i, n));
    }

    /// The rows `target`'s report will have, before any of its checks starts.
    pub fn plan(
        &self,
        target: &str,
        rows: impl IntoIterator<Item = (&'static str, Option<String>)>,
    ) {
        let mut s = self.lock();
        s.targets.insert(target.to_string());
        for (check, model) in rows {
            let k = (target.to_string(), check, model);
            s.planned.insert(k.clone());
            s.left.insert(k);
        }
    }

    /// A check starts; it is done (and no longer waiting) when the guard is dropped.
    pub fn begin(&self, target: &str, check: &'static str, model: Option<String>) -> Waiting {
        let mut s = self.lock();
        let n = s.next;
        s.next += 1;
        s.running
            .push((n, (target.to_string(), check, model), Instant::now()));
        Waiting {
            progress: self.clone(),
            n,
        }
    }

    /// These planned rows of `target` will not be in its report after all (a check for
    /// reasoning models, once the model showed none): the total shrinks.
    pub fn unplan(&self, target: &str, rows: &[(&'static str, Option<String>)]) {
        let mut s = self.lock();
        for (c, m) in rows {
            let k = (target.to_string(), *c, m.clone());
            s.planned.remove(&k);
            s.left.remove(&k);
        }
    }

    /// Of `target`'s rows, only these are still to come: the others were decided without a
    /// request of their own (skipped, judged from another answer).
    pub fn only_left(&self, target: &str, rows: &[(&'static str, Option<String>)]) {
        let mut s = self.lock();
        s.left
            .retain(|(t, c, m)| t != target || rows.iter().any(|(rc, rm)| rc == c && rm == m));
    }

    /// `target` is finished and its report has these rows.
    pub fn settle(
        &self,
        target: &str,
        rows: impl IntoIterator<Item = (&'static str, Option<String>)>,
    ) {
        let mut s = self.lock();
        let had: HashSet<Key> = s
            .planned
            .iter()
            .filter(|k| k.0 == target)
            .cloned()
            .collect();
        let has: HashSet<Key> = rows
            .into_iter()
            .map(|(c, m)| (target.to_string(), c, m))
            .collect();
        let mut drift: Vec<String> = had
            .symmetric_difference(&has)
            .map(|(t, c, m)| format!("{t}: {c} {}", m.as_deref().unwrap_or("-")))
            .collect();
        drift.sort();
        s.drift.extend(drift);
        s.planned.retain(|(t, _, _)| t != target);
        s.left.retain(|(t, _, _)| t != target);
        s.planned.extend(has);
    }

    /// Rows the plans missed or invented, found when targets settled (a test keeps
    /// the plan in step with the report).
    pub fn drift(&self) -> Vec<String> {
        self.lock().drift.clone()
    }

    /// Checks done and the total, as the line shows them.
    pub fn counts(&self) -> (usize, usize) {
        let s = self.lock();
        (s.planned.len() - s.left.len(), s.planned.len())
    }

    /// The line as drawn at `width` columns (without the spinner).
    pub fn line(&self, width: usize) -> String {
        self.lock().line(Instant::now(), width)
    }

    /// Erase the line (before the report prints); nothing is drawn after this.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        let mut shown = SHOWN.lock().expect("progress lock");
        if shown.as_ref().is_some_and(|b| b.is_finished()) {
            *shown = None;
        }
    }
}

/// A check in flight; dropping it marks the check done.
pub struct Waiting {
    progress: Progress,
    n: u64,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut s = self.progress.lock();
        if let Some(i) = s.running.iter().position(|(n, _, _)| *n == self.n) {
            let (_, k, _) = s.running.remove(i);
            s.left.remove(&k);
        }
    }
}

impl State {
    fn line(&self, now: Instant, width: usize) -> String {
        let width = width.max(20);
        let mut elapsed = clock(now.saturating_duration_since(self.started));
        if let Some(limit) = self.bound {
            elapsed.push_str(&format!("/{}", clock(limit)));
        }
        if let Some((i, n)) = self.round {
            elapsed.push_str(&format!(" · run {i}/{n}"));
        }
        let mut line = match self.planned.len() {
            0 => format!("{elapsed} · starting"),
            n => format!("{elapsed} · {}/{n} checks", n - self.left.len()),
        };
        // Longest-waiting first (`running` is in start order), as many as fit, at most
        // NAMED; the others counted.
        // The model is named only when the run has more than one: room for more names.
        let models: HashSet<&String> = self
            .planned
            .iter()
            .filter_map(|(_, _, m)| m.as_ref())
            .collect();
        let names = self.running.iter().map(|(_, (t, c, m), since)| {
            let who = match m {
                Some(m) if models.len() > 1 => {
                    format!("{c} ({})", crate::redact::strip_controls(m))
                }
                _ => c.to_string(),
            };
            let who = match self.targets.len() {
                0 | 1 => who,
                _ => format!("{t}: {who}"),
            };
            format!("{who} {}", clock(now.saturating_duration_since(*since)))
        });
        let mut shown = 0;
        for (i, name) in names.enumerate().take(NAMED) {
            let more = self.running.len() - i - 1;
            let next = format!("{}{name}", if i == 0 { " · waiting: " } else { ", " });
            let tail = if more > 0 {
                format!(", +{more} more")
            } else {
                String::new()
            };
            let fits = console::measure_text_width(&line)
                + console::measure_text_width(&next)
                + console::measure_text_width(&tail)
                <= width;
            if !fits && i > 0 {
                break;
            }
            line.push_str(&next);
            shown += 1;
        }
        if self.running.len() > shown {
            let more = self.running.len() - shown;
            line.push_str(&if shown == 0 {
                format!(" · waiting: {more} checks")
            } else {
                format!(", +{more} more")
            });
        }
        console::truncate_str(&line, width, "…").into_owned()
    }
}

/// `7s`, `1m05s`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// Print through `f` with the progress line (if one is drawn) lifted out of the way.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    let bar = SHOWN.lock().expect("progress lock").clone();
    match bar {
        Some(b) if !b.is_finished() => b.suspend(f),
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_rows_and_names_the_longest_waiting() {
        let p = Progress::hidden();
        assert!(p.line(80).ends_with("starting"), "{}", p.line(80));
        let m = || Some("gpt-x".to_string());
        p.plan(
            "t",
            [
                ("models.list", None),
                ("chat.basic", Some("gpt-y".into())),
                ("chat.basic", m()),
                ("chat.max_tokens", m()),
                ("chat.stream", m()),
                ("responses.stream", m()),
            ],
        );
        assert_eq!(p.counts(), (0, 6));
        let list = p.begin("t", "models.list", None);
        let basic = p.begin("t", "chat.basic", m());
        drop(list);
        assert_eq!(p.counts(), (1, 6));
        assert!(
            p.line(200).contains("waiting: chat.basic (gpt-x) 0s"),
            "{}",
            p.line(200)
        );
        drop(basic);
        // chat.max_tokens is judged from chat.basic: only the streams are left.
        p.only_left(
            "t",
            &[
                ("chat.basic", Some("gpt-y".into())),
                ("chat.stream", m()),
                ("responses.stream", m()),
            ],
        );
        assert_eq!(p.counts(), (3, 6));
        let _a = p.begin("t", "chat.stream", m());
        let _b = p.begin("t", "responses.stream", m());
        let line = p.line(200);
        assert!(
            line.starts_with("0s · 3/6 checks · waiting: chat.stream (gpt-x) 0s, responses.stream"),
            "{line}"
        );
        let narrow = p.line(60);
        assert!(narrow.chars().count() <= 60, "{narrow}");
        assert!(
            narrow.ends_with(", +1 more"),
            "what does not fit is counted: {narrow}"
        );
        assert!(p.line(30).chars().count() <= 30, "{}", p.line(30));
        p.settle("t", [("models.list", None), ("chat.basic", m())]);
        assert_eq!(
            p.counts(),
            (2, 2),
            "the report's rows are the truth at the end"
        );
        assert!(
            p.drift().contains(&"t: chat.stream gpt-x".to_string()),
            "{:?}",
            p.drift()
        );
        // One model in the run: it goes unnamed, leaving room for more names.
        let p = Progress::hidden();
        p.plan("t", [("chat.basic", m()), ("chat.stream", m())]);
        let _w = p.begin("t", "chat.stream", m());
        assert!(
            p.line(80).ends_with("0/2 checks · waiting: chat.stream 0s"),
            "{}",
            p.line(80)
        );
    }

    #[test]
    fn the_line_shows_the_bound_that_ends_the_wait() {
        let p = Progress::hidden();
        p.bound(Duration::from_secs(300));
        p.plan("t", [("chat.stream", None)]);
        let _w = p.begin("t", "chat.stream", None);
        let line = p.line(80);
        assert!(
            line.starts_with("0s/5m00s · 0/1 checks · waiting: chat.stream 0s"),
            "{line}"
        );
        // Under --repeat, which run it is.
        p.round(2, 3);
        assert!(p.line(80).starts_with("0s/5m00s · run 2/3 · 0/1 checks"));
        p.round(1, 1);
        assert!(p.line(80).starts_with("0s/5m00s · 0/1 checks"));
    }

    #[test]
    fn clocks_read_in_seconds_then_minutes() {
        assert_eq!(clock(Duration::from_millis(12_900)), "12s");
        assert_eq!(clock(Duration::from_secs(65)), "1m05s");
    }
}
