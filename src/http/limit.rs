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
//! A local server (loopback, the local presets) starts lower, at [`LOCAL_START`], because
//! a CPU server decodes a few requests at once and queues the rest, where they wait for
//! headers until `--timeout` calls them dead. Its limit is then set by latency, as TCP
//! Vegas does: after every `limit` answers, if their mean wait for headers is more than
//! [`SLOWER`] times the quickest answer seen, the limit halves; otherwise it doubles (by one
//! after the first halving), up to the ceiling. A server that says how many requests it decodes at
//! once (llama.cpp's `/props` `total_slots`) gets that as its ceiling. None of this applies
//! when the user set `--per-host` or `--concurrency`.
//!
//! Waiting here is bounded from outside: every check runs under the run's deadline and
//! interrupt (`stop.rs`), a pause lasts at most `--max-retry-wait`, and a place frees when a
//! request ends, which its own bounds (`--timeout`, `--max-time`) guarantee.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Where the limit of a local server starts when the user set none: enough for the first
/// stage of a probe (`/models` and a basic check per route), little enough for a CPU server.
pub const LOCAL_START: usize = 4;

/// How much slower than the quickest answer the answers of a step may get, on average,
/// before the limit halves.
pub const SLOWER: u64 = 3;

/// The limiters of every host this client talks to.
#[derive(Default)]
pub struct Hosts {
    by_host: Mutex<HashMap<String, Arc<Host>>>,
}

impl Hosts {
    /// The limiter of `host` ("name:port"); made at `ceiling` the first time it is asked for.
    pub fn host(&self, host: &str, ceiling: usize) -> Arc<Host> {
        self.host_paced(host, ceiling, false)
    }

    /// The limiter of `host`; when `local` and it is made now, it starts at [`LOCAL_START`]
    /// and latency moves it (see the module's words).
    pub fn host_paced(&self, host: &str, ceiling: usize, local: bool) -> Arc<Host> {
        self.by_host
            .lock()
            .expect("host map lock")
            .entry(host.to_string())
            .or_insert_with(|| {
                let mut h = Host::new(ceiling);
                if local {
                    let s = h.state.get_mut().expect("fresh lock");
                    s.limit = s.ceiling.min(LOCAL_START);
                    s.paced = Some(Pace::default());
                }
                Arc::new(h)
            })
            .clone()
    }
}

/// The latency record of a host whose limit latency moves.
#[derive(Default)]
struct Pace {
    /// Milliseconds to headers of the answers of this step, and how many.
    sum_ms: u64,
    n: u64,
    /// The quickest answer so far: what this host takes with no queue.
    best_ms: Option<u64>,
    /// The limit has halved once: it grows by one from now on, not by doubling.
    slowed: bool,
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
    /// Answers (of any status) received so far: a request that waited while this grew
    /// waited in a queue the host was working through.
    answers: u64,
    /// Latency moves the limit (a local server); `None` for the 429-only rule.
    paced: Option<Pace>,
    /// The host was asked how many requests it serves at once.
    slots_asked: bool,
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
                answers: 0,
                paced: None,
                slots_asked: false,
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

    /// Answers received from this host so far.
    pub fn answers(&self) -> u64 {
        self.lock().answers
    }

    /// True the first time only: whoever gets it asks the host for its slots.
    pub fn first_to_ask_slots(&self) -> bool {
        !std::mem::replace(&mut self.lock().slots_asked, true)
    }

    /// The host serves `slots` requests at once: more would only wait in its queue.
    pub fn serves_at_once(&self, slots: usize) {
        let mut s = self.lock();
        s.ceiling = slots.max(1);
        s.limit = s.limit.min(s.ceiling);
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
        self.answered_in(None)
    }

    /// The host answered without a 429 after `headers_ms` to headers. On a host paced by
    /// latency, every `limit` answers of this step decide the next step: halve when they
    /// were on average [`SLOWER`] times slower than the quickest answer, else grow.
    pub fn answered_in(&self, headers_ms: Option<u64>) {
        let mut s = self.host.lock();
        s.answers += 1;
        if self.wave != s.wave {
            return;
        }
        s.calm += 1;
        let st: &mut State = &mut s;
        if let Some(pace) = st.paced.as_mut() {
            if let Some(ms) = headers_ms {
                pace.sum_ms += ms;
                pace.n += 1;
                pace.best_ms = Some(pace.best_ms.map_or(ms, |b| b.min(ms)));
            }
            let Some(best) = pace.best_ms.filter(|_| st.calm >= st.limit && pace.n > 0) else {
                return;
            };
            let mean = pace.sum_ms / pace.n;
            (pace.sum_ms, pace.n) = (0, 0);
            let limit = st.limit;
            let slower = limit > 1 && mean > best.saturating_mul(SLOWER).max(best + 100);
            let next = if slower {
                pace.slowed = true;
                (limit / 2).max(1)
            } else if pace.slowed {
                (limit + 1).min(st.ceiling)
            } else {
                (limit * 2).min(st.ceiling)
            };
            st.calm = 0;
            if next < limit {
                st.wave += 1;
            }
            st.limit = next;
            drop(s);
            if next != limit {
                self.host.changed.notify_waiters();
            }
            return;
        }
        if s.limit < s.ceiling && s.calm >= s.limit {
            s.limit += 1;
            s.calm = 0;
            drop(s);
            self.host.changed.notify_waiters();
        }
    }

    /// This request got no headers within the bound while the host kept answering others:
    /// it waited in the host's queue, behind zencheck's own requests. Halve the limit
    /// (once per wave), as for a 429, so the next attempt finds a shorter queue.
    pub fn queued_too_long(&self) {
        self.throttled(None);
        let mut s = self.host.lock();
        if let Some(p) = s.paced.as_mut() {
            p.slowed = true;
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
    async fn a_local_host_starts_low_grows_while_answers_keep_pace_and_halves_when_they_slow() {
        let hosts = Hosts::default();
        let h = hosts.host_paced("127.0.0.1:8080", 32, true);
        assert_eq!(h.snapshot().limit, LOCAL_START);
        // Steady answers: 4 answers at 100 ms double it, 8 more double it again.
        for _ in 0..(4 + 8) {
            h.acquire().await.answered_in(Some(100));
        }
        assert_eq!(h.snapshot().limit, 16);
        // 16 answers five times slower: the queue grew, so the limit halves.
        for _ in 0..16 {
            h.acquire().await.answered_in(Some(500));
        }
        assert_eq!(h.snapshot().limit, 8);
        // From then on it grows by one step at a time.
        for _ in 0..8 {
            h.acquire().await.answered_in(Some(100));
        }
        assert_eq!(h.snapshot().limit, 9);
        // A remote host keeps the 429 rule and starts at the ceiling.
        assert_eq!(
            hosts
                .host_paced("api.example.com:443", 32, false)
                .snapshot()
                .limit,
            32
        );
    }

    #[tokio::test]
    async fn a_host_that_says_its_slots_is_capped_there_and_asked_once() {
        let hosts = Hosts::default();
        let h = hosts.host_paced("127.0.0.1:8080", 32, true);
        assert!(h.first_to_ask_slots());
        assert!(!h.first_to_ask_slots());
        h.serves_at_once(2);
        assert_eq!((h.snapshot().limit, h.snapshot().ceiling), (2, 2));
        for _ in 0..20 {
            h.acquire().await.answered_in(Some(10));
        }
        assert_eq!(h.snapshot().limit, 2, "never above what it serves");
        assert_eq!(h.answers(), 20);
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
