//! A streamed check as a picture: an inline SVG drawn only from the report's own numbers
//! (`timing_ms` and `stream`), so a saved JSON report redraws it byte for byte. Time runs
//! left to right from the moment the request was sent: the headers, each content chunk's
//! arrival (one mark each, `data-ms`), the first token, the longest silence, and where and
//! how the stream ended. A buffered stream is one block of marks after a long silence, a
//! stall a long silence up to a stalled end, a cut a red end, a healthy stream evenly
//! spaced marks up to a clean end.

use super::CheckResult;
use crate::failure::Kind;

/// The drawing's size in SVG units; it scales to the width it is given.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 64.0;
/// Room at each side, so the marks at 0 and at the end are not cut in half.
const PAD: f64 = 8.0;
/// The wire the marks sit on.
const MID: f64 = 32.0;
/// Chunks closer than this (SVG units) draw as one mark: a burst, labelled with its count.
const BURST_PX: f64 = 3.0;
/// A burst of at least this many chunks is labelled.
const BURST_MIN: usize = 3;

/// How a stream ended, as the check's kind says it (the JSON has no other field for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The body ended (the check may still have failed for what the stream said).
    Ended,
    /// The connection broke mid-body.
    Cut,
    /// No byte for the idle bound while the socket stayed open.
    Stalled,
    /// Still streaming at the total bound.
    TimedOut,
    /// The body ended without its terminator.
    NoDone,
    /// The server sent an error event inside the stream.
    Error,
}

impl Ending {
    pub fn of(c: &CheckResult) -> Ending {
        match c.kind {
            Some(Kind::StreamTruncated) => Ending::Cut,
            Some(Kind::StreamStalled) => Ending::Stalled,
            Some(Kind::Timeout) => Ending::TimedOut,
            Some(Kind::StreamNoDone) => Ending::NoDone,
            Some(Kind::StreamError) => Ending::Error,
            // An error event whose words named its cause (a rate limit, a context
            // overflow…) fails the row with that kind: a failed 2xx stream that quotes the
            // server's message got it from an error event.
            Some(_)
                if c.status == crate::finding::Status::Fail
                    && c.stream.is_some()
                    && c.provider_message.is_some()
                    && c.http_status.is_some_and(|s| (200..300).contains(&s)) =>
            {
                Ending::Error
            }
            _ => Ending::Ended,
        }
    }

    /// The `data-end` value: part of the report's contract.
    pub fn code(self) -> &'static str {
        match self {
            Ending::Ended => "ended",
            Ending::Cut => "cut",
            Ending::Stalled => "stalled",
            Ending::TimedOut => "timeout",
            Ending::NoDone => "no-done",
            Ending::Error => "error",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Ending::Ended => "ended",
            Ending::Cut => "cut",
            Ending::Stalled => "stalled",
            Ending::TimedOut => "timed out",
            Ending::NoDone => "ended without its terminator",
            Ending::Error => "ended with an error event",
        }
    }
}

/// The longest stretch with nothing arriving, from the headers to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Silence {
    pub from_ms: u64,
    pub to_ms: u64,
    pub place: Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    BeforeFirstToken,
    BetweenChunks,
    AfterLastChunk,
}

impl Place {
    fn words(self) -> &'static str {
        match self {
            Place::BeforeFirstToken => "before the first token",
            Place::BetweenChunks => "between two chunks",
            Place::AfterLastChunk => "after the last chunk",
        }
    }
}

/// What the picture is drawn from, read off one check.
struct Stream<'a> {
    headers: Option<u64>,
    first_token: Option<u64>,
    arrivals: &'a [u64],
    chunks: u64,
    end: Option<u64>,
    ending: Ending,
}

impl Stream<'_> {
    fn of(c: &CheckResult) -> Option<Stream<'_>> {
        let st = c.stream.as_ref()?;
        Some(Stream {
            headers: c.timing_ms.headers,
            first_token: c.timing_ms.first_token,
            arrivals: &st.arrivals_ms,
            chunks: st.content_chunks,
            end: c.timing_ms.total,
            ending: Ending::of(c),
        })
    }

    /// The time the picture spans: the end, or the last thing known to have happened.
    fn span(&self) -> u64 {
        [
            self.headers,
            self.first_token,
            self.arrivals.last().copied(),
            self.end,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        .max(1)
    }

    fn silence(&self) -> Option<Silence> {
        let mut points: Vec<(u64, Place)> = Vec::new();
        points.push((self.headers.unwrap_or(0), Place::BeforeFirstToken));
        for (i, &a) in self.arrivals.iter().enumerate() {
            let next = if i + 1 == self.arrivals.len() {
                Place::AfterLastChunk
            } else {
                Place::BetweenChunks
            };
            points.push((a, next));
        }
        if let Some(end) = self.end {
            points.push((end, Place::AfterLastChunk));
        }
        points
            .windows(2)
            .filter(|w| w[1].0 > w[0].0)
            .map(|w| Silence {
                from_ms: w[0].0,
                to_ms: w[1].0,
                place: w[0].1,
            })
            // The first of equal silences, so the picture does not depend on sort order.
            .fold(None, |best: Option<Silence>, s| match best {
                Some(b) if b.to_ms - b.from_ms >= s.to_ms - s.from_ms => Some(b),
                _ => Some(s),
            })
    }
}

fn xf(ms: u64, span: u64) -> f64 {
    PAD + ms.min(span) as f64 * (WIDTH - 2.0 * PAD) / span as f64
}

fn x(ms: u64, span: u64) -> String {
    format!("{:.1}", xf(ms, span))
}

/// Runs of chunks that land within [`BURST_PX`] of each other: (first index, last index).
fn bursts(arrivals: &[u64], span: u64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=arrivals.len() {
        let apart =
            i == arrivals.len() || xf(arrivals[i], span) - xf(arrivals[i - 1], span) >= BURST_PX;
        if apart {
            if i - start >= BURST_MIN {
                out.push((start, i - 1));
            }
            start = i;
        }
    }
    out
}

/// The check's stream as an SVG, or `None` when the check read no stream.
pub fn svg(c: &CheckResult) -> Option<String> {
    let s = Stream::of(c)?;
    let span = s.span();
    let ending = s.ending;
    let mut out = format!(
        "<svg class=\"timeline end-{code}\" data-end=\"{code}\" data-span-ms=\"{span}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{title}</title>",
        code = ending.code(),
        title = super::escape::esc(&caption(c).unwrap_or_default()),
    );
    let end_x = x(s.end.unwrap_or(span), span);
    // The longest silence first, under everything else, labelled when there is room.
    if let Some(q) = s.silence() {
        let (a, b) = (xf(q.from_ms, span), xf(q.to_ms, span));
        out.push_str(&format!(
            "<rect class=\"silence\" data-from-ms=\"{}\" data-to-ms=\"{}\" x=\"{a:.1}\" \
             y=\"16\" width=\"{:.1}\" height=\"30\"><title>longest silence: {} ms {}</title></rect>",
            q.from_ms,
            q.to_ms,
            b - a,
            q.to_ms - q.from_ms,
            q.place.words()
        ));
        if b - a >= 90.0 {
            out.push_str(&format!(
                "<text class=\"label silent\" x=\"{:.1}\" y=\"27\" text-anchor=\"middle\">{} ms silent</text>",
                (a + b) / 2.0,
                q.to_ms - q.from_ms
            ));
        }
    }
    // The wire: solid while bytes came, dotted after the last chunk of a stall or timeout.
    let last = s.arrivals.last().copied().or(s.headers).unwrap_or(0);
    let idle = matches!(ending, Ending::Stalled | Ending::TimedOut);
    let wire_to = if idle { x(last, span) } else { end_x.clone() };
    out.push_str(&format!(
        "<line class=\"wire\" x1=\"{}\" y1=\"{MID}\" x2=\"{wire_to}\" y2=\"{MID}\"/>",
        x(0, span)
    ));
    if idle {
        out.push_str(&format!(
            "<line class=\"wire idle\" x1=\"{}\" y1=\"{MID}\" x2=\"{end_x}\" y2=\"{MID}\"/>",
            x(last, span)
        ));
    }
    if let Some(h) = s.headers {
        let hx = x(h, span);
        out.push_str(&format!(
            "<line class=\"headers\" data-ms=\"{h}\" x1=\"{hx}\" y1=\"12\" x2=\"{hx}\" y2=\"50\">\
             <title>headers at {h} ms</title></line>"
        ));
    }
    // The end under the chunks, so a burst at the very end still shows.
    if let Some(e) = s.end {
        out.push_str(&end_mark(ending, e, xf(e, span)));
    }
    for &a in s.arrivals {
        out.push_str(&format!(
            "<rect class=\"chunk\" data-ms=\"{a}\" x=\"{:.1}\" y=\"20\" width=\"2\" height=\"24\"/>",
            xf(a, span) - 1.0
        ));
    }
    for (i, j) in bursts(s.arrivals, span) {
        let (a, b) = (s.arrivals[i], s.arrivals[j]);
        let mid = (xf(a, span) + xf(b, span)) / 2.0;
        let anchor = if mid > WIDTH - 120.0 {
            "end"
        } else if mid < 120.0 {
            "start"
        } else {
            "middle"
        };
        out.push_str(&format!(
            "<text class=\"label burst\" x=\"{mid:.1}\" y=\"10\" text-anchor=\"{anchor}\">{} chunks in {} ms</text>",
            j - i + 1,
            b - a
        ));
    }
    if let Some(t) = s.first_token {
        // A small triangle above the wire, pointing at the first token's arrival.
        let tx = xf(t, span);
        out.push_str(&format!(
            "<path class=\"ttft\" data-ms=\"{t}\" d=\"M{:.1} 12 L{:.1} 12 L{tx:.1} 19 Z\">\
             <title>first token at {t} ms</title></path>",
            tx - 4.0,
            tx + 4.0
        ));
    }
    out.push_str(&format!(
        "<text class=\"axis\" x=\"{PAD}\" y=\"61\">0 ms</text>\
         <text class=\"axis\" x=\"{}\" y=\"61\" text-anchor=\"end\">{}{}</text></svg>",
        WIDTH - PAD,
        ending.words(),
        s.end.map(|e| format!(" at {e} ms")).unwrap_or_default()
    ));
    Some(out)
}

/// The end of the stream: a bar for an end, a cross for a cut, a pause for a stall.
fn end_mark(ending: Ending, ms: u64, x: f64) -> String {
    let attrs = format!("class=\"end\" data-ms=\"{ms}\"");
    match ending {
        Ending::Cut | Ending::Error => format!(
            "<path {attrs} d=\"M{:.1} 22 L{:.1} 42 M{:.1} 22 L{:.1} 42\"/>",
            x - 7.0,
            x + 7.0,
            x + 7.0,
            x - 7.0
        ),
        Ending::Stalled | Ending::TimedOut => format!(
            "<path {attrs} d=\"M{:.1} 20 L{:.1} 44 M{:.1} 20 L{:.1} 44\"/>",
            x - 3.0,
            x - 3.0,
            x + 3.0,
            x + 3.0
        ),
        Ending::Ended | Ending::NoDone => format!(
            "<rect {attrs} x=\"{:.1}\" y=\"16\" width=\"5\" height=\"32\"/>",
            x - 2.5
        ),
    }
}

/// The picture in words: what it shows, for the row and the SVG's title.
pub fn caption(c: &CheckResult) -> Option<String> {
    let s = Stream::of(c)?;
    let mut parts = vec![format!(
        "{} content chunk{}",
        s.chunks,
        if s.chunks == 1 { "" } else { "s" }
    )];
    if let Some(h) = s.headers {
        parts.push(format!("headers at {h} ms"));
    }
    if let Some(t) = s.first_token {
        parts.push(format!("first token at {t} ms"));
    }
    if let Some(q) = s.silence() {
        parts.push(format!(
            "longest silence {} ms {}",
            q.to_ms - q.from_ms,
            q.place.words()
        ));
    }
    let ended = s.ending.words();
    parts.push(match s.end {
        Some(e) => format!("{ended} at {e} ms"),
        None => ended.to_string(),
    });
    let recorded = s.arrivals.len() as u64;
    if recorded < s.chunks {
        parts.push(if recorded == 0 {
            "chunk arrival times not recorded (a report of an older version)".to_string()
        } else {
            format!("arrival times of the first {recorded} chunks shown")
        });
    }
    Some(parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Status, Timing};
    use crate::report::tests::row;
    use crate::timings::stream_stats;

    fn streamed(kind: Option<Kind>, headers: u64, arrivals: &[u64], end: u64) -> CheckResult {
        let status = if kind.is_some() {
            Status::Fail
        } else {
            Status::Pass
        };
        let mut c = row("t", "chat.stream", status, kind);
        c.timing_ms = Timing {
            headers: Some(headers),
            first_token: arrivals.first().copied(),
            total: Some(end),
        };
        c.stream = Some(stream_stats(None, arrivals));
        c
    }

    fn chunk_xs(svg: &str) -> Vec<f64> {
        svg.split("class=\"chunk\"")
            .skip(1)
            .map(|s| {
                let at = s.find(" x=\"").unwrap() + 4;
                s[at..s[at..].find('"').unwrap() + at].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn one_mark_per_chunk_with_its_time() {
        let c = streamed(None, 5, &[20, 35, 50, 65, 80], 90);
        let svg = svg(&c).unwrap();
        assert_eq!(svg.matches("class=\"chunk\"").count(), 5);
        for ms in [20, 35, 50, 65, 80] {
            assert!(
                svg.contains(&format!("class=\"chunk\" data-ms=\"{ms}\"")),
                "{svg}"
            );
        }
        assert!(svg.contains("class=\"ttft\" data-ms=\"20\""));
        assert!(
            !svg.contains("chunks in"),
            "evenly paced chunks are no burst: {svg}"
        );
        assert!(svg.contains("data-end=\"ended\""));
    }

    #[test]
    fn an_error_event_that_named_its_cause_still_ends_the_stream_in_an_error() {
        let mut limited = streamed(Some(Kind::RateLimit), 5, &[20, 40], 50);
        limited.http_status = Some(200);
        limited.provider_message = Some("Rate limit reached".into());
        assert_eq!(Ending::of(&limited), Ending::Error);
        // A 429 before the stream began drew no stream to end.
        limited.http_status = Some(429);
        assert_eq!(Ending::of(&limited), Ending::Ended);
    }

    #[test]
    fn buffered_stalled_cut_and_paced_streams_draw_differently() {
        let paced = streamed(None, 5, &[100, 200, 300, 400, 500], 510);
        let buffered = streamed(
            Some(Kind::StreamBuffered),
            5,
            &[1500, 1500, 1501, 1501, 1502],
            1503,
        );
        let stalled = streamed(Some(Kind::StreamStalled), 5, &[20, 40], 2040);
        let cut = streamed(Some(Kind::StreamTruncated), 5, &[20, 40, 60], 61);
        // Paced: marks spread over the picture, evenly.
        let xs = chunk_xs(&svg(&paced).unwrap());
        let steps: Vec<f64> = xs.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(steps.iter().all(|s| (s - steps[0]).abs() < 1.0), "{xs:?}");
        assert!(xs[4] - xs[0] > 400.0, "{xs:?}");
        // Buffered: every mark in one block at the right, after the longest silence.
        let b = svg(&buffered).unwrap();
        let xs = chunk_xs(&b);
        assert!(xs[4] - xs[0] < 3.0 && xs[0] > 500.0, "{xs:?}");
        assert!(b.contains("5 chunks in 2 ms"), "{b}");
        assert!(b.contains("1495 ms silent"), "{b}");
        assert!(
            caption(&buffered)
                .unwrap()
                .contains("longest silence 1495 ms before the first token"),
            "{}",
            caption(&buffered).unwrap()
        );
        // Stalled: marks at the left, then silence up to a stalled end.
        let st = svg(&stalled).unwrap();
        assert!(chunk_xs(&st)[1] < 30.0, "{st}");
        assert!(st.contains("data-end=\"stalled\"") && st.contains("wire idle"));
        assert!(caption(&stalled)
            .unwrap()
            .contains("longest silence 2000 ms after the last chunk"));
        // Cut: the end is a cut.
        let ct = svg(&cut).unwrap();
        assert!(
            ct.contains("data-end=\"cut\"") && ct.contains("cut at 61 ms"),
            "{ct}"
        );
        let all = [svg(&paced), Some(b), Some(st), Some(ct)];
        for (i, a) in all.iter().enumerate() {
            for bb in &all[i + 1..] {
                assert_ne!(a, bb);
            }
        }
    }

    #[test]
    fn no_stream_no_picture_and_an_old_report_says_what_it_lacks() {
        let c = row("t", "chat.basic", Status::Pass, None);
        assert!(svg(&c).is_none());
        let mut old = streamed(None, 5, &[20, 40], 50);
        old.stream.as_mut().unwrap().arrivals_ms.clear();
        assert!(caption(&old).unwrap().contains("not recorded"));
        assert_eq!(svg(&old).unwrap().matches("class=\"chunk\"").count(), 0);
    }
}
