//! Cold starts: a slow first answer followed by fast ones. The first request after an idle
//! spell waits while the model loads (a serverless scale-up, Ollama loading the weights); the
//! endpoint works, and a client whose timeout is shorter fails once after every idle spell.
//! Never `timeout` or `stream_buffered`: a `cold_start` warning with the figures.
//!
//! Two ways to see one: a basic check with no headers within `--timeout` is sent once more
//! (`silent`, `after_retry`), and a basic answer far slower than every later answer of its
//! model is named after the run (`judge_first`).

use crate::failure::Kind;
use crate::finding::{Finding, Status};
use std::time::Duration;

/// A first answer at least this slow…
const SLOW_MS: u64 = 3000;
/// …and this many times the median of the later answers' time to headers…
const RATIO: u64 = 5;
/// …over at least this many later answers.
const LATER_MIN: usize = 3;

/// A basic check that got no response headers within `--timeout` (not a connect, the total
/// bound or the run's deadline): worth one more request.
/// One the client already sent twice (zencheck's own queue) is not sent a third time.
pub fn silent(f: &Finding) -> bool {
    f.kind == Some(Kind::Timeout)
        && f.status == Status::Fail
        && f.detail.contains("no response headers within")
        && f.detail.contains("--timeout")
        && !f.detail.contains("sent once more")
        && !f.detail.contains("own queue")
}

/// The basic check's second attempt after a silent first: answered, it is the verdict, as a
/// cold start; silent again, the first stands, sent twice.
pub fn after_retry(first: Finding, second: Finding, waited: Duration) -> Finding {
    if silent(&second) {
        let mut f = first;
        f.detail
            .push_str(" · sent once more: silent again, so no cold start");
        return f;
    }
    let took = second.timing.headers.or(second.timing.total).unwrap_or(0);
    let told = format!(
        "the first request got no headers within {} s; sent once more, it answered in {took} ms: a cold start (the model was loading). Clients whose timeout is under {} s fail the first request after an idle spell",
        waited.as_secs(),
        waited.as_secs()
    );
    if second.status == Status::Pass {
        let mut f = second;
        f.status = Status::Warn;
        f.kind = Some(Kind::ColdStart);
        f.detail = format!("{told} · {}", f.detail);
        f
    } else {
        let mut f = second;
        f.detail = format!("{} · {told}", f.detail);
        f
    }
}

/// A basic check the HTTP client sent once more after a silent wait for headers (while its
/// other requests to the host were answered), answered fast the second time: the model was
/// loading, not queued behind zencheck's requests (a queue answers the second slowly too).
pub fn resent_fast(f: &mut Finding, waited: Duration) {
    let took = f.timing.headers.unwrap_or(u64::MAX);
    if f.status != Status::Pass || took.saturating_mul(4) >= waited.as_millis() as u64 {
        return;
    }
    let passed = std::mem::replace(f, Finding::skip(""));
    let silent = Finding::fail(Kind::Timeout, "no response headers within --timeout");
    *f = after_retry(silent, passed, waited);
}

/// A passing basic answer far slower than the later ones of its model (`later`: their times
/// to headers, ms) becomes a `cold_start` warning with the figures.
pub fn judge_first(f: &mut Finding, later: &[u64]) {
    let Some(first) = f.timing.headers else {
        return;
    };
    if f.status != Status::Pass || first < SLOW_MS || later.len() < LATER_MIN {
        return;
    }
    let mut sorted = later.to_vec();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let slowest = *sorted.last().unwrap_or(&0);
    if median.max(1) * RATIO > first || slowest * 2 > first {
        return;
    }
    f.status = Status::Warn;
    f.kind = Some(Kind::ColdStart);
    f.detail = format!(
        "the first answer took {first} ms to its headers, the {} after it {median} ms (median; slowest {slowest} ms): a cold start. A client whose timeout is under {} s fails the first request after an idle spell · {}",
        later.len(),
        first.div_ceil(1000),
        f.detail
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Timing;

    fn answered(headers: u64) -> Finding {
        Finding::pass("\"pong\"").with_timing(Timing {
            headers: Some(headers),
            first_token: None,
            total: Some(headers + 5),
        })
    }

    #[test]
    fn a_slow_first_answer_among_fast_ones_is_a_cold_start_and_steady_slowness_is_not() {
        let mut f = answered(6000);
        judge_first(&mut f, &[200, 250, 300, 400]);
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::ColdStart)));
        assert!(
            f.detail.contains("6000 ms") && f.detail.contains("300 ms"),
            "{}",
            f.detail
        );
        // A slow server is slow every time: no cold start.
        let mut f = answered(6000);
        judge_first(&mut f, &[4000, 5000, 5500]);
        assert_eq!(f.status, Status::Pass);
        // One later answer as slow as the first: not told apart.
        let mut f = answered(6000);
        judge_first(&mut f, &[200, 250, 5000]);
        assert_eq!(f.status, Status::Pass);
        // Fast enough for any client.
        let mut f = answered(1500);
        judge_first(&mut f, &[100, 100, 100]);
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn a_silent_first_request_answered_the_second_time_is_a_cold_start() {
        let silent_first = Finding::fail(
            Kind::Timeout,
            "connected, but no response headers within 30 s (--timeout)",
        );
        assert!(silent(&silent_first));
        let f = after_retry(silent_first.clone(), answered(120), Duration::from_secs(30));
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::ColdStart)));
        assert!(f.detail.contains("120 ms"), "{}", f.detail);
        let f = after_retry(
            silent_first.clone(),
            silent_first.clone(),
            Duration::from_secs(30),
        );
        assert_eq!(f.kind, Some(Kind::Timeout));
        assert!(!silent(&Finding::fail(
            Kind::Timeout,
            "no response headers within the total bound (120 s, --max-time)"
        )));
    }
}
