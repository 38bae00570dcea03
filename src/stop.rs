//! When a run must stop early: a whole-run deadline (`--deadline`, or a Prometheus scrape's
//! timeout in serve mode) and an interrupt (Ctrl-C). Every check runs under [`Stop::bound`],
//! so a run cut short still yields a report: the checks that had not finished are findings
//! (`timeout` for the deadline, `skip` for an interrupt), never a hang or a lost report.

use crate::failure::Kind;
use crate::finding::{Finding, Status};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The default whole-run deadline of `zencheck probe` (documented in the README).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// Why unfinished checks were cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Deadline,
    Interrupted,
}

/// A run's stop conditions. The default never stops.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    /// The instant the run must end by, and the bound it came from (for the detail).
    deadline: Option<(Instant, Duration, &'static str)>,
    interrupt: Option<watch::Receiver<bool>>,
}

/// Fires every [`Stop`] made with [`Interrupt::stop`].
pub struct Interrupt(watch::Sender<bool>);

impl Default for Interrupt {
    fn default() -> Self {
        Interrupt(watch::channel(false).0)
    }
}

impl Interrupt {
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
    pub fn fired(&self) -> bool {
        *self.0.borrow()
    }
    /// A stop that fires with this interrupt (and no deadline yet).
    pub fn stop(&self) -> Stop {
        Stop {
            deadline: None,
            interrupt: Some(self.0.subscribe()),
        }
    }
}

impl Stop {
    /// Also stop `bound` from now; `source` names where the bound came from
    /// (`--deadline`, `the scrape timeout`), for the finding's detail.
    pub fn with_deadline(mut self, bound: Duration, source: &'static str) -> Stop {
        self.deadline = Some((Instant::now() + bound, bound, source));
        self
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.map(|(at, _, _)| at)
    }

    /// Whether a stop condition has already fired.
    pub fn fired(&self) -> Option<Cut> {
        if self.interrupt.as_ref().is_some_and(|r| *r.borrow()) {
            return Some(Cut::Interrupted);
        }
        match self.deadline {
            Some((at, _, _)) if Instant::now() >= at => Some(Cut::Deadline),
            _ => None,
        }
    }

    /// Run `check`, or give the finding that says it was cut off.
    pub async fn bound<T>(
        &self,
        check: impl Future<Output = T>,
        cut: impl FnOnce(Finding) -> T,
    ) -> T {
        if let Some(c) = self.fired() {
            return cut(self.finding(c));
        }
        let deadline = async {
            match self.deadline {
                Some((at, _, _)) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let interrupt = async {
            match self.interrupt.clone() {
                Some(mut r) => {
                    // An error means the sender is gone: it can no longer fire.
                    if r.wait_for(|v| *v).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = interrupt => cut(self.finding(Cut::Interrupted)),
            _ = deadline => cut(self.finding(Cut::Deadline)),
            v = check => v,
        }
    }

    /// What an unfinished check reports.
    pub fn finding(&self, cut: Cut) -> Finding {
        match (cut, self.deadline) {
            (Cut::Deadline, Some((_, bound, source))) => Finding::fail(
                Kind::Timeout,
                format!(
                    "the run deadline fired ({source} {} s) before this check finished",
                    trim_secs(bound)
                ),
            ),
            (Cut::Deadline, None) => Finding::fail(Kind::Timeout, "the run deadline fired"),
            (Cut::Interrupted, _) => Finding::new(
                Status::Skip,
                None,
                "interrupted (Ctrl-C) before this check finished",
            ),
        }
    }
}

fn trim_secs(d: Duration) -> String {
    let s = format!("{:.1}", d.as_secs_f64());
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deadline_cuts_a_slow_check_into_a_timeout() {
        let stop = Stop::default().with_deadline(Duration::from_millis(50), "--deadline");
        let t = Instant::now();
        let f = stop
            .bound(
                async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    Finding::pass("late")
                },
                |f| f,
            )
            .await;
        assert!(t.elapsed() < Duration::from_secs(1));
        assert_eq!(f.kind, Some(Kind::Timeout));
        assert!(
            f.detail.contains("the run deadline fired (--deadline"),
            "{}",
            f.detail
        );
        assert_eq!(stop.fired(), Some(Cut::Deadline));
    }

    #[test]
    fn bounds_read_as_seconds() {
        assert_eq!(trim_secs(Duration::from_millis(1500)), "1.5");
        assert_eq!(trim_secs(Duration::from_secs(300)), "300");
    }

    #[tokio::test]
    async fn an_interrupt_skips_what_has_not_finished_and_spares_what_has() {
        let i = Interrupt::default();
        let stop = i.stop();
        let quick = stop.bound(async { Finding::pass("ok") }, |f| f).await;
        assert_eq!(quick.status, Status::Pass);
        let slow = stop.bound(
            async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Finding::pass("late")
            },
            |f| f,
        );
        let fire = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            i.fire();
        };
        let (f, ()) = tokio::join!(slow, fire);
        assert_eq!(f.status, Status::Skip);
        assert!(f.detail.contains("interrupted"));
        assert_eq!(stop.fired(), Some(Cut::Interrupted));
    }
}
