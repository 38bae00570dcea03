//! The cost guard: a result reused inside `min_interval`, one run shared by concurrent
//! scrapes of the same target and module (single flight), and a whole-exporter budget of
//! generation probes per hour.

use crate::check::tier::Tier;
use crate::report::Report;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One finished probe of a target in a module.
pub struct Outcome {
    pub report: Report,
    /// When the probe finished.
    pub at: Instant,
    pub duration: Duration,
    /// The probe's bound, when its deadline fired before it finished: what it says then
    /// depends on how long its caller let it run, not only on the target.
    pub cut: Option<Duration>,
    /// The module it ran in.
    pub module: Tier,
}

impl Outcome {
    pub fn age(&self) -> Duration {
        self.at.elapsed()
    }

    /// Whether this result may answer a scrape whose probe would be bounded by `bound`: a
    /// finished probe answers any; one cut short only a scrape that would have been cut as
    /// soon or sooner, so a caller's tiny timeout never becomes everyone's outage.
    pub fn serves(&self, bound: Duration) -> bool {
        self.cut.is_none_or(|c| c >= bound)
    }
}

/// One (target, module): its last outcome, and a lock held while a probe runs, so a
/// concurrent scrape waits for that run instead of starting its own.
#[derive(Default)]
pub struct Slot {
    pub running: Arc<tokio::sync::Mutex<()>>,
    last: Mutex<Option<Arc<Outcome>>>,
}

impl Slot {
    pub fn last(&self) -> Option<Arc<Outcome>> {
        self.last.lock().expect("slot lock").clone()
    }
    pub fn set(&self, o: Arc<Outcome>) {
        *self.last.lock().expect("slot lock") = Some(o);
    }
}

pub struct Guard {
    slots: Mutex<HashMap<(String, Tier), Arc<Slot>>>,
    /// The generation probes of the last hour, counted with or without a limit (then
    /// `u32::MAX`): an operator sizes `max_probes_per_hour` by watching
    /// `zencheck_probe_budget_spent` first.
    window: Budget,
}

impl Default for Guard {
    fn default() -> Guard {
        Guard::new(None)
    }
}

impl Guard {
    pub fn new(max_probes_per_hour: Option<u32>) -> Guard {
        Guard {
            slots: Mutex::default(),
            window: Budget::new(max_probes_per_hour.unwrap_or(u32::MAX)),
        }
    }

    pub fn slot(&self, target: &str, module: Tier) -> Arc<Slot> {
        self.slots
            .lock()
            .expect("slot map lock")
            .entry((target.to_string(), module))
            .or_default()
            .clone()
    }

    /// Take one generation probe from the budget; `false` when the hour's budget is spent.
    pub fn spend(&self) -> bool {
        self.window.spend(Instant::now())
    }

    /// Generation probes run in the last hour, whether or not there is a budget.
    pub fn spent(&self) -> u32 {
        self.window.spent(Instant::now())
    }
}

/// A sliding hour of generation probes.
struct Budget {
    per_hour: u32,
    spent: Mutex<VecDeque<Instant>>,
}

const HOUR: Duration = Duration::from_secs(3600);

impl Budget {
    fn new(per_hour: u32) -> Budget {
        Budget {
            per_hour,
            spent: Mutex::default(),
        }
    }
    fn expire(q: &mut VecDeque<Instant>, now: Instant) {
        while q.front().is_some_and(|t| now.duration_since(*t) >= HOUR) {
            q.pop_front();
        }
    }
    fn spend(&self, now: Instant) -> bool {
        let mut q = self.spent.lock().expect("budget lock");
        Self::expire(&mut q, now);
        if q.len() as u64 >= u64::from(self.per_hour) {
            return false;
        }
        q.push_back(now);
        true
    }
    fn spent(&self, now: Instant) -> u32 {
        let mut q = self.spent.lock().expect("budget lock");
        Self::expire(&mut q, now);
        q.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_a_sliding_hour() {
        let b = Budget::new(2);
        let t0 = Instant::now();
        assert!(b.spend(t0) && b.spend(t0));
        assert!(!b.spend(t0 + Duration::from_secs(10)));
        assert_eq!(b.spent(t0 + Duration::from_secs(10)), 2);
        assert!(b.spend(t0 + HOUR), "an hour later the budget is back");
        let unlimited = Guard::new(None);
        assert!(
            unlimited.spend() && unlimited.spend(),
            "no budget: no limit"
        );
        assert_eq!(unlimited.spent(), 2, "counted all the same");
        let none = Budget::new(0);
        assert!(!none.spend(t0));
    }

    #[test]
    fn a_target_and_module_share_one_slot() {
        let g = Guard::default();
        assert!(Arc::ptr_eq(
            &g.slot("a", Tier::Chat),
            &g.slot("a", Tier::Chat)
        ));
        assert!(!Arc::ptr_eq(
            &g.slot("a", Tier::Chat),
            &g.slot("a", Tier::Catalog)
        ));
    }
}
