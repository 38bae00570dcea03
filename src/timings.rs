//! A stream's timings as data (`stream` in the JSON report): how many content chunks, when
//! each arrived, the gaps between them, and their rate. Two measures, each with one name in
//! every format and metric: the **silence before the first token** (from the response
//! headers to the first content chunk, `silence_before_first_token_ms`) and the **largest
//! gap between chunks** (between two consecutive content chunks, `gap_max_ms`), so the wait
//! for the first token cannot hide a stall, nor a burst pass for a paced stream.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamStats {
    /// Chunks that carried content (text, reasoning or tool-call arguments); the role-only
    /// first chunk and empty deltas do not count.
    pub content_chunks: u64,
    /// The largest gap between chunks: between two consecutive content chunks (ms); null
    /// with fewer than two.
    pub gap_max_ms: Option<u64>,
    /// The median of those gaps (ms).
    pub gap_median_ms: Option<u64>,
    /// Content chunks per second from the first content chunk to the last; null with fewer
    /// than two, or when they all came in the same millisecond.
    pub chunks_per_sec: Option<f64>,
    /// When each content chunk arrived (ms since the request was sent), the first
    /// [`ARRIVALS_CAP`] of them: enough to redraw the stream from a saved report. Empty in
    /// reports of older versions.
    #[serde(default)]
    pub arrivals_ms: Vec<u64>,
    /// The silence before the first token: from the response headers to the first content
    /// chunk (ms); null without content, and in reports of older versions.
    #[serde(default)]
    pub silence_before_first_token_ms: Option<u64>,
}

/// Most content-chunk arrival times a report keeps per check. A probe caps its output at a
/// few dozen tokens, so a real stream fits whole; a flood of tiny events (up to the stream
/// reader's event cap) does not make the report megabytes long.
pub const ARRIVALS_CAP: usize = 512;

/// Stats of the content chunks received at these times (ms since the request was sent),
/// the headers having come at `headers_ms` (when known).
pub fn stream_stats(headers_ms: Option<u64>, content_at: &[u64]) -> StreamStats {
    let mut gaps: Vec<u64> = content_at
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .collect();
    // The largest and the median in linear time (a stream may have 100 000 chunks).
    let gap_max_ms = gaps.iter().max().copied();
    let mid = gaps.len() / 2;
    let gap_median_ms = (!gaps.is_empty()).then(|| *gaps.select_nth_unstable(mid).1);
    let span = match (content_at.first(), content_at.last()) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    StreamStats {
        content_chunks: content_at.len() as u64,
        gap_max_ms,
        gap_median_ms,
        chunks_per_sec: span.map(|ms| {
            let rate = (content_at.len() - 1) as f64 * 1000.0 / ms as f64;
            (rate * 10.0).round() / 10.0
        }),
        arrivals_ms: content_at.iter().take(ARRIVALS_CAP).copied().collect(),
        silence_before_first_token_ms: headers_ms
            .zip(content_at.first())
            .map(|(h, first)| first.saturating_sub(h)),
    }
}

impl StreamStats {
    /// The two measures as a check's detail ends with them: ` · silence before the first
    /// token N ms` (when it is longer than every gap between chunks, as in a buffered
    /// stream) and ` · largest gap between chunks M ms` (with two chunks or more).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(silence) = self.silence_before_first_token_ms {
            if self.gap_max_ms.is_none_or(|g| silence > g) {
                s.push_str(&format!(" · silence before the first token {silence} ms"));
            }
        }
        if let Some(g) = self.gap_max_ms {
            s.push_str(&format!(" · largest gap between chunks {g} ms"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_before_the_first_token_is_not_a_gap() {
        // 500 ms to the first token, then a 300 ms stall among 20 ms gaps.
        let s = stream_stats(Some(100), &[500, 520, 540, 840, 860]);
        assert_eq!(s.content_chunks, 5);
        assert_eq!(s.gap_max_ms, Some(300));
        assert_eq!(s.gap_median_ms, Some(20));
        assert_eq!(s.chunks_per_sec, Some(11.1));
        assert_eq!(s.arrivals_ms, [500, 520, 540, 840, 860]);
        assert_eq!(s.silence_before_first_token_ms, Some(400));
        assert_eq!(
            s.describe(),
            " · silence before the first token 400 ms · largest gap between chunks 300 ms"
        );
        let burst = stream_stats(Some(10), &[1501, 1501, 1501]);
        assert_eq!(burst.gap_max_ms, Some(0));
        assert_eq!(
            burst.describe(),
            " · silence before the first token 1491 ms · largest gap between chunks 0 ms"
        );
        let paced = stream_stats(Some(10), &[20, 60, 100]);
        assert_eq!(paced.describe(), " · largest gap between chunks 40 ms");
        let one = stream_stats(None, &[700]);
        assert_eq!((one.gap_max_ms, one.chunks_per_sec), (None, None));
    }

    #[test]
    fn arrival_times_are_kept_up_to_the_cap() {
        let flood: Vec<u64> = (0..ARRIVALS_CAP as u64 + 100).collect();
        let s = stream_stats(None, &flood);
        assert_eq!(s.content_chunks, ARRIVALS_CAP as u64 + 100);
        assert_eq!(s.arrivals_ms.len(), ARRIVALS_CAP);
        assert_eq!(s.arrivals_ms.last(), Some(&(ARRIVALS_CAP as u64 - 1)));
    }
}
