//! The per-host limit: how many requests may be in flight to one host:port at once, across
//! every target of the run, and how that number moves when the host pushes back.
//!
//! It starts at the ceiling (`--per-host`) and is AIMD, as TCP's congestion window is: the
//! first 429 halves it (once per wave: 429s to requests sent before that halving do not
//! halve it again), and each `limit` answers without a 429 raise it by one, back up to the
//! ceiling. A 429 with a `Retry-After` that zencheck may wait out (at most
//! `--max-retry-wait`) pauses the whole host until then: no request to it leaves before that
//! instant, not only the one that got the 429. A longer one is not waited for (that request
//! is reported as rate-limited) and only halves the limit.
//!
//! Waiting here is bounded from outside: every check runs under the run's deadline and
//! interrupt (`stop.rs`), a pause lasts at most `--max-retry-wait`, and a place frees when a
//! request ends, which its own bounds (`--timeout`, `--max-time`) guarantee.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The limiters of every host this client talks to.
#[derive(Default)]
pub struct Hosts {
    by_host: Mutex<HashMap<String, Arc<Host>>>,
}

impl Hosts {
    /// The limiter of `host` ("name:port"); made at `ceiling` the first time it is asked for.
    pub fn host(&self, host: &str, ceiling: usize) -> Arc<Host> {
        self.by_host
            .lock()
            .expect("host map lock")
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(Host::new(ceiling)))
            .clone()
    }
}

/// One host's limit.
pub struct Host {
    state: Mutex<State>,
    /// Woken when a place frees, the limit grows or a pause is set.
    changed: Notify,
}

struct State {
    ceiling: usize,
    limit: usize,
    in_flight: usize,
    /// Answers without a 429 since the limit last moved.
    calm: usize,
    /// Bumped at every halving; a permit remembers the wave it was sent in.
    wave: u64,
    /// No request leaves before this instant (a Retry-After being honoured).
    paused_until: Option<Instant>,
}

/// What the limiter looks like now (for tests and `-v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub limit: usize,
    pub in_flight: usize,
    pub ceiling: usize,
}

impl Host {
    fn new(ceiling: usize) -> Host {
        let ceiling = ceiling.max(1);
        Host {
            state: Mutex::new(State {
                ceiling,
                limit: ceiling,
                in_flight: 0,
                calm: 0,
                wave: 0,
                paused_until: None,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("host limit lock")
    }

    pub fn snapshot(&self) -> Snapshot {
        let s = self.lock();
        Snapshot {
            limit: s.limit,
            in_flight: s.in_flight,
            ceiling: s.ceiling,
        }
    }

    /// Wait for a place under the limit, and for any pause to end.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            // Registered before the state is read, so a change in between is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let pause = {
                let mut s = self.lock();
                match s.paused_until {
                    Some(t) if t > Instant::now() => Some(t),
                    _ if s.in_flight < s.limit => {
                        s.in_flight += 1;
                        return Permit {
                            host: self.clone(),
                            wave: s.wave,
                        };
                    }
                    _ => None,
                }
            };
            match pause {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(t.into()) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// A place under a host's limit, given back when dropped. Tell it how the request went.
pub struct Permit {
    host: Arc<Host>,
    wave: u64,
}

impl Permit {
    /// The host answered without a 429: after `limit` such answers the limit grows by one.
    /// Only answers to requests sent since the last halving count: they were sent at the
    /// lower rate, the others say nothing about it.
    pub fn answered(&self) {
        let mut s = self.host.lock();
        if self.wave != s.wave {
            return;
        }
        s.calm += 1;
        if s.limit < s.ceiling && s.calm >= s.limit {
            s.limit += 1;
            s.calm = 0;
            drop(s);
            self.host.changed.notify_waiters();
        }
    }

    /// The host answered 429: halve the limit (once per wave) and, when `pause` is given,
    /// hold every request to this host until it has passed.
    pub fn throttled(&self, pause: Option<Duration>) {
        let mut s = self.host.lock();
        if self.wave == s.wave {
            s.limit = (s.limit / 2).max(1);
            s.wave += 1;
        }
        s.calm = 0;
        if let Some(p) = pause {
            let until = Instant::now() + p;
            s.paused_until = Some(s.paused_until.map_or(until, |t| t.max(until)));
        }
        drop(s);
        self.host.changed.notify_waiters();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.host.lock().in_flight -= 1;
        self.host.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_limit_halves_once_per_wave_and_grows_back_slowly() {
        let hosts = Hosts::default();
        let h = hosts.host("a:1", 8);
        let permits: Vec<Permit> =
            futures_util::future::join_all((0..8).map(|_| h.acquire())).await;
        assert_eq!(h.snapshot().in_flight, 8);
        // Eight 429s to requests of the same wave halve it once.
        permits.iter().for_each(|p| p.throttled(None));
        assert_eq!(h.snapshot().limit, 4);
        drop(permits);
        // A 429 to a request sent after the halving halves it again.
        let p = h.acquire().await;
        p.throttled(None);
        assert_eq!(h.snapshot().limit, 2);
        drop(p);
        // Two calm answers at limit 2 give 3, three more give 4, …, never above the ceiling.
        for _ in 0..100 {
            h.acquire().await.answered();
        }
        assert_eq!(h.snapshot().limit, 8);
        assert_eq!(h.snapshot().in_flight, 0);
    }

    #[tokio::test]
    async fn a_pause_holds_every_new_request_until_it_ends() {
        let hosts = Hosts::default();
        let h = hosts.host("a:1", 4);
        let p = h.acquire().await;
        let t0 = Instant::now();
        p.throttled(Some(Duration::from_millis(150)));
        drop(p);
        let _q = h.acquire().await;
        let waited = t0.elapsed();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
    }

    #[tokio::test]
    async fn a_full_host_makes_the_next_request_wait_for_a_place() {
        let hosts = Hosts::default();
        let h = hosts.host("a:1", 1);
        let p = h.acquire().await;
        let next = tokio::spawn({
            let h = h.clone();
            async move { h.acquire().await.answered() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !next.is_finished(),
            "a second request got past a limit of 1"
        );
        drop(p);
        tokio::time::timeout(Duration::from_secs(2), next)
            .await
            .expect("freed place taken")
            .unwrap();
    }
}
