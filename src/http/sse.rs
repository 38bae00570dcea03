//! Reads a server-sent event stream into a timed transcript.
//!
//! One linear parser with a line cap, and around it what a prober needs: bounds (an idle
//! gap between bytes, a total deadline, a byte cap), arrival times, and noticing a final
//! event that never got its blank line. What the events mean is for the per-API checks
//! to judge.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimedEvent {
    /// The `event:` field; "message" when absent.
    pub event: String,
    pub data: String,
    /// Milliseconds since the request was sent.
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The body ended with a proper terminator.
    Clean,
    /// The connection broke mid-body (e.g. no chunked terminator).
    Cut(String),
    /// No byte for the idle bound while the socket stayed open.
    Stalled {
        idle_ms: u64,
    },
    /// Bytes kept coming, but the whole stream outran the total bound.
    TotalTimeout {
        total_ms: u64,
    },
    TooLarge {
        cap: usize,
    },
    /// More events than a probe's stream can need: a flood of tiny events.
    TooManyEvents {
        cap: usize,
    },
    /// Not decodable as SSE (invalid UTF-8 or framing).
    Undecodable(String),
}

impl End {
    /// The stable code of how a stream ended, as `-v` and `--trace` name it: `clean`,
    /// `cut`, `stalled`, `total_timeout`, `too_large`, `too_many_events`, `undecodable`.
    pub fn code(&self) -> &'static str {
        match self {
            End::Clean => "clean",
            End::Cut(_) => "cut",
            End::Stalled { .. } => "stalled",
            End::TotalTimeout { .. } => "total_timeout",
            End::TooLarge { .. } => "too_large",
            End::TooManyEvents { .. } => "too_many_events",
            End::Undecodable(_) => "undecodable",
        }
    }

    /// What went wrong, in words (none for a clean end).
    pub fn error(&self) -> Option<String> {
        match self {
            End::Clean => None,
            End::Cut(e) | End::Undecodable(e) => Some(e.clone()),
            End::Stalled { idle_ms } => Some(format!("no byte for {idle_ms} ms")),
            End::TotalTimeout { total_ms } => Some(format!("not done within {total_ms} ms")),
            End::TooLarge { cap } => Some(format!("larger than {cap} bytes")),
            End::TooManyEvents { cap } => Some(format!("more than {cap} events")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Transcript {
    pub events: Vec<TimedEvent>,
    pub end: End,
    pub bytes: usize,
    /// A `data:` line after the last blank line: an event the server never finished.
    pub unterminated_tail: Option<String>,
    /// Milliseconds since the request was sent.
    pub ended_at_ms: u64,
    /// Events whose data held bytes that are not UTF-8 (a character cut inside the event,
    /// not across network reads: those are joined before decoding).
    pub broken_utf8: usize,
}

/// Longest line the reader accepts. Real events are a few KiB; a server that sends
/// megabytes without a newline is broken or hostile, and is not buffered without end.
pub const LINE_CAP: usize = 1 << 20;

/// Longest unfinished event kept for the tail check; beyond it only the start matters.
const PENDING_CAP: usize = 64 << 10;

/// One event as the parser produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: String,
    pub data: String,
}

/// An incremental parser of the event stream format (WHATWG HTML, "server-sent events"):
/// lines end in LF, CRLF or CR; `data:` lines join with a newline; a blank line dispatches;
/// comments (`:`) and `id`/`retry` are skipped. Each byte is looked at once, whatever the
/// chunking (a parser that rescans its buffer on every chunk is quadratic in one long line),
/// and a line over [`LINE_CAP`] stops the parse instead of growing a buffer.
///
/// A line found whole inside a chunk is read where it lies (line ends found with memchr);
/// only a line cut by a network read is gathered in a buffer. The event being read keeps its
/// buffers from one event to the next, so a stream of 41 000 events allocates for a few.
///
/// Hand-written rather than eventsource-stream's because that one rescans and has no cap.
#[derive(Default)]
pub struct Parser {
    /// The start of a line cut by the end of a chunk.
    line: Vec<u8>,
    /// The previous chunk ended in CR: a LF starting this one belongs to it.
    after_cr: bool,
    at_start: bool,
    /// The event being read (its `event` empty for "message"), handed out when dispatched.
    cur: TimedEvent,
    has_data: bool,
    /// Raw text since the last dispatch (capped): what an unterminated tail shows.
    since_dispatch: Vec<u8>,
    bytes: usize,
    overlong: bool,
    /// The event being read has a data line that is not UTF-8.
    bad_utf8: bool,
    /// Events dispatched with such a line.
    broken_utf8: usize,
}

impl Parser {
    pub fn new() -> Parser {
        Parser {
            at_start: true,
            ..Default::default()
        }
    }

    /// Feed bytes; completed events are pushed to `out`. Err once a line passes the cap.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Event>) -> Result<(), String> {
        self.feed_each(chunk, 0, &mut |e| {
            out.push(Event {
                event: e.event.clone(),
                data: e.data.clone(),
            })
        })
    }

    /// Feed bytes that arrived `at_ms` after the request was sent; each completed event is
    /// lent to `on_event` (which may take its text: the parser reads the next one into new
    /// buffers then). Err once a line passes the cap.
    pub fn feed_each(
        &mut self,
        mut chunk: &[u8],
        at_ms: u64,
        on_event: &mut impl FnMut(&mut TimedEvent),
    ) -> Result<(), String> {
        self.bytes += chunk.len();
        if self.overlong {
            return Err(overlong());
        }
        self.cur.at_ms = at_ms;
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        while !chunk.is_empty() {
            let Some(i) = memchr::memchr2(b'\n', b'\r', chunk) else {
                self.push_line_bytes(chunk)?;
                break;
            };
            if self.line.is_empty() {
                // The whole line is in this chunk: read it where it lies.
                if i > LINE_CAP {
                    return Err(self.overlong_now());
                }
                self.note_raw(&chunk[..i]);
                self.end_line(&chunk[..i], on_event);
            } else {
                self.push_line_bytes(&chunk[..i])?;
                let line = std::mem::take(&mut self.line);
                self.end_line(&line, on_event);
                self.line = line;
                self.line.clear();
            }
            let cr = chunk[i] == b'\r';
            chunk = &chunk[i + 1..];
            if cr {
                match chunk.first() {
                    Some(b'\n') => chunk = &chunk[1..],
                    None => self.after_cr = true,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn overlong_now(&mut self) -> String {
        self.overlong = true;
        self.line = Vec::new();
        overlong()
    }

    /// The start of a line cut by the chunk's end, kept for the rest.
    fn push_line_bytes(&mut self, b: &[u8]) -> Result<(), String> {
        if self.line.len() + b.len() > LINE_CAP {
            return Err(self.overlong_now());
        }
        self.line.extend_from_slice(b);
        self.note_raw(b);
        Ok(())
    }

    /// Raw text since the last dispatch, up to [`PENDING_CAP`].
    fn note_raw(&mut self, b: &[u8]) {
        if self.since_dispatch.len() < PENDING_CAP {
            let room = PENDING_CAP - self.since_dispatch.len();
            self.since_dispatch
                .extend_from_slice(&b[..b.len().min(room)]);
        }
    }

    fn end_line(&mut self, mut line: &[u8], on_event: &mut impl FnMut(&mut TimedEvent)) {
        if self.at_start {
            self.at_start = false;
            if let Some(rest) = line.strip_prefix("\u{feff}".as_bytes()) {
                line = rest;
            }
        }
        if self.since_dispatch.len() < PENDING_CAP {
            self.since_dispatch.push(b'\n');
        }
        if line.is_empty() {
            if self.has_data {
                self.broken_utf8 += usize::from(self.bad_utf8);
                self.cur.data.pop(); // the newline after the last data line
                if self.cur.event.is_empty() {
                    self.cur.event.push_str("message");
                }
                on_event(&mut self.cur);
            }
            self.cur.data.clear();
            self.cur.event.clear();
            self.has_data = false;
            self.bad_utf8 = false;
            self.since_dispatch.clear();
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                // One UTF-8 check: valid text is pushed as it is, the rest decoded lossily.
                match std::str::from_utf8(value) {
                    Ok(text) => self.cur.data.push_str(text),
                    Err(_) => {
                        self.bad_utf8 = true;
                        self.cur.data.push_str(&String::from_utf8_lossy(value));
                    }
                }
                self.cur.data.push('\n');
                self.has_data = true;
            }
            b"event" => {
                self.cur.event.clear();
                self.cur.event.push_str(&String::from_utf8_lossy(value));
            }
            _ => {}
        }
    }

    /// Events dispatched so far whose data was not UTF-8.
    pub fn broken_utf8(&self) -> usize {
        self.broken_utf8
    }

    /// The bytes fed so far.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// What came after the last dispatched event, when it holds a `data` line: an event
    /// the server never finished with a blank line.
    pub fn unterminated_tail(&self) -> Option<String> {
        let tail = String::from_utf8_lossy(&self.since_dispatch);
        tail.lines()
            .any(|l| l.starts_with("data"))
            .then(|| crate::classify::one_line(&tail))
    }
}

fn overlong() -> String {
    format!("an event-stream line longer than {} KiB", LINE_CAP >> 10)
}

pub struct Bounds {
    pub started: Instant,
    pub idle: Duration,
    pub deadline: Instant,
    pub cap: usize,
}

/// Read `body` to its end or until a bound trips. Never fails: how it ended is data.
pub async fn read<S, E>(body: S, bounds: Bounds) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
{
    read_observed(body, bounds, |_| {}).await
}

/// As [`read`], with each event handed to `on_event` the moment it is parsed, before it is
/// kept: the caller may rewrite it (scrub it) and show it while the stream is still open
/// (`-vv`, `--trace`), instead of after its end.
pub async fn read_observed<S, E, F>(body: S, bounds: Bounds, mut on_event: F) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
    F: FnMut(&mut TimedEvent),
{
    let mut out = Vec::new();
    let mut t = read_until(body, bounds, MAX_EVENTS, |e| {
        on_event(e);
        out.push(e.clone())
    })
    .await;
    t.events = out;
    t
}

/// Most events [`read`] keeps. A chat answer of thousands of tokens is a few thousand
/// events; a server that sends a million one-byte events is not answering.
pub const MAX_EVENTS: usize = 100_000;

/// As [`read`] (the same bounds and event cap), but each event is lent to `on_event` as it
/// arrives instead of kept in the transcript, whose `events` stay empty: a judge that folds
/// the events as they come keeps what it reads of them, not the stream. The event's
/// buffers are the parser's, reused for the next one (taking its text is allowed).
pub async fn read_folded<S, E, F>(body: S, bounds: Bounds, on_event: F) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
    F: FnMut(&mut TimedEvent),
{
    read_until(body, bounds, MAX_EVENTS, on_event).await
}

/// As `read`, but each event is lent to `on_event` as it arrives instead of kept in the
/// transcript (whose `events` stay empty): for a long-lived stream whose caller keeps only
/// what it needs, and may stop reading by dropping the future.
pub async fn read_each<S, E, F>(body: S, bounds: Bounds, on_event: F) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
    F: FnMut(&mut TimedEvent),
{
    read_until(body, bounds, usize::MAX, on_event).await
}

async fn read_until<S, E, F>(
    mut body: S,
    bounds: Bounds,
    max_events: usize,
    mut on_event: F,
) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
    F: FnMut(&mut TimedEvent),
{
    let mut count = 0usize;
    let mut parser = Parser::new();
    let end = loop {
        let left = bounds.deadline.saturating_duration_since(Instant::now());
        let wait = bounds.idle.min(left);
        let chunk = match tokio::time::timeout(wait, body.next()).await {
            Err(_) if left <= bounds.idle => {
                break End::TotalTimeout {
                    total_ms: bounds.started.elapsed().as_millis() as u64,
                }
            }
            Err(_) => {
                break End::Stalled {
                    idle_ms: bounds.idle.as_millis() as u64,
                }
            }
            Ok(None) => break End::Clean,
            // A body that is not what its Content-Encoding says cannot be read at all.
            Ok(Some(Err(e))) => match decode_error(&e) {
                Some(d) => break End::Undecodable(d),
                None => break End::Cut(error_chain(&e)),
            },
            Ok(Some(Ok(chunk))) => chunk,
        };
        if parser.bytes() + chunk.len() > bounds.cap {
            break End::TooLarge { cap: bounds.cap };
        }
        // Every event of a chunk arrived when the chunk did.
        let at_ms = bounds.started.elapsed().as_millis() as u64;
        let mut over = false;
        let fed = parser.feed_each(&chunk, at_ms, &mut |e| {
            if count < max_events {
                count += 1;
                on_event(e);
            } else {
                over = true;
            }
        });
        if over {
            break End::TooManyEvents { cap: max_events };
        }
        if let Err(why) = fed {
            break End::Undecodable(why);
        }
    };
    Transcript {
        events: Vec::new(),
        end,
        bytes: parser.bytes(),
        unterminated_tail: parser.unterminated_tail(),
        ended_at_ms: bounds.started.elapsed().as_millis() as u64,
        broken_utf8: parser.broken_utf8(),
    }
}

/// A whole body already in memory (a pasted transcript, for `zencheck explain`): the same
/// parser and tail check as [`read`], without a clock (every `at_ms` is 0) or bounds (the
/// caller capped the text).
pub fn parse_complete(body: &str) -> Transcript {
    let mut parser = Parser::new();
    let mut events = Vec::new();
    let end = match parser.feed_each(body.as_bytes(), 0, &mut |e| events.push(e.clone())) {
        Ok(()) => End::Clean,
        Err(why) => End::Undecodable(why),
    };
    Transcript {
        events,
        end,
        bytes: parser.bytes(),
        unterminated_tail: parser.unterminated_tail(),
        ended_at_ms: 0,
        broken_utf8: parser.broken_utf8(),
    }
}

/// The decoding failure (`http::decode`) under a body's error, if that is what it is.
fn decode_error(e: &dyn std::error::Error) -> Option<String> {
    let mut src = e.source();
    while let Some(s) = src {
        if let Some(d) = s.downcast_ref::<super::decode::DecodeError>() {
            return Some(d.0.clone());
        }
        src = s.source();
    }
    None
}

/// reqwest says "error decoding response body"; the cause underneath is what matters.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    crate::classify::one_line(&parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&str]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        futures_util::stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::copy_from_slice(p.as_bytes())))
                .collect::<Vec<_>>(),
        )
    }

    fn bounds() -> Bounds {
        Bounds {
            started: Instant::now(),
            idle: Duration::from_secs(2),
            deadline: Instant::now() + Duration::from_secs(5),
            cap: 1 << 20,
        }
    }

    fn parse_all(chunks: &[&[u8]]) -> (Vec<Event>, Result<(), String>) {
        let mut p = Parser::new();
        let mut out = Vec::new();
        let mut r = Ok(());
        for c in chunks {
            r = r.and(p.feed(c, &mut out));
        }
        (out, r)
    }

    #[test]
    fn cr_only_and_split_crlf_line_endings() {
        let (ev, _) = parse_all(&[
            b"data: a\r\r",
            b"data: b\r",
            b"\n\r\n",
            b"event: e\ndata: c\n\n",
        ]);
        let got: Vec<_> = ev
            .iter()
            .map(|e| (e.event.as_str(), e.data.as_str()))
            .collect();
        assert_eq!(got, vec![("message", "a"), ("message", "b"), ("e", "c")]);
    }

    #[test]
    fn multi_line_data_comments_and_a_bom() {
        let (ev, _) = parse_all(&["\u{feff}: hi\ndata: 1\ndata:2\nid: 7\n\n".as_bytes()]);
        assert_eq!(
            ev,
            vec![Event {
                event: "message".into(),
                data: "1\n2".into()
            }]
        );
    }

    #[test]
    fn a_line_past_the_cap_in_one_chunk_or_many_stops_as_before() {
        let mut body = b"data: 1\n\nevent: e\ndata: ".to_vec();
        body.extend(std::iter::repeat_n(b'x', LINE_CAP));
        body.extend_from_slice(b"\n\ndata: 2\n\n");
        for cut in [0, 20, LINE_CAP / 2, body.len() - 3] {
            let (mut new, mut old) = (Parser::new(), reference::Old::new());
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let r_new = new
                .feed(&body[..cut], &mut got)
                .and(new.feed(&body[cut..], &mut got));
            let r_old = old
                .feed(&body[..cut], &mut want)
                .and(old.feed(&body[cut..], &mut want));
            assert_eq!((&got, &r_new), (&want, &r_old), "cut at {cut}");
            assert!(r_new.unwrap_err().contains("longer than"));
            assert_eq!(new.unterminated_tail(), old.unterminated_tail());
        }
    }

    #[test]
    fn a_line_past_the_cap_stops_the_parse() {
        let big = vec![b'x'; LINE_CAP / 2 + 1];
        let (ev, r) = parse_all(&[b"data: 1\n\ndata: ", &big, &big]);
        assert_eq!(ev.len(), 1);
        assert!(r.unwrap_err().contains("longer than"));
    }

    /// The parser as it was before it read lines in place and reused its buffers: the
    /// oracle the property below holds the new one to.
    mod reference {
        use super::super::{overlong, Event, LINE_CAP, PENDING_CAP};
        #[derive(Default)]
        pub struct Old {
            line: Vec<u8>,
            /// The previous chunk ended in CR: a LF starting this one belongs to it.
            after_cr: bool,
            at_start: bool,
            data: String,
            has_data: bool,
            event: String,
            /// Raw text since the last dispatch (capped): what an unterminated tail shows.
            since_dispatch: Vec<u8>,
            bytes: usize,
            overlong: bool,
            /// The event being read has a data line that is not UTF-8.
            bad_utf8: bool,
            /// Events dispatched with such a line.
            broken_utf8: usize,
        }

        impl Old {
            pub fn new() -> Old {
                Old {
                    at_start: true,
                    ..Default::default()
                }
            }

            /// Feed bytes; completed events are pushed to `out`. Err once a line passes the cap.
            pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<Event>) -> Result<(), String> {
                self.bytes += chunk.len();
                if self.overlong {
                    return Err(overlong());
                }
                if self.after_cr && chunk.first() == Some(&b'\n') {
                    chunk = &chunk[1..];
                }
                self.after_cr = false;
                while !chunk.is_empty() {
                    match chunk.iter().position(|b| *b == b'\n' || *b == b'\r') {
                        None => {
                            self.push_line_bytes(chunk)?;
                            break;
                        }
                        Some(i) => {
                            self.push_line_bytes(&chunk[..i])?;
                            let cr = chunk[i] == b'\r';
                            chunk = &chunk[i + 1..];
                            if cr {
                                match chunk.first() {
                                    Some(b'\n') => chunk = &chunk[1..],
                                    None => self.after_cr = true,
                                    _ => {}
                                }
                            }
                            self.end_line(out);
                        }
                    }
                }
                Ok(())
            }

            fn push_line_bytes(&mut self, b: &[u8]) -> Result<(), String> {
                if self.line.len() + b.len() > LINE_CAP {
                    self.overlong = true;
                    self.line = Vec::new();
                    return Err(overlong());
                }
                self.line.extend_from_slice(b);
                if self.since_dispatch.len() < PENDING_CAP {
                    let room = PENDING_CAP - self.since_dispatch.len();
                    self.since_dispatch
                        .extend_from_slice(&b[..b.len().min(room)]);
                }
                Ok(())
            }

            fn end_line(&mut self, out: &mut Vec<Event>) {
                let mut line = std::mem::take(&mut self.line);
                if self.at_start {
                    self.at_start = false;
                    if line.starts_with("\u{feff}".as_bytes()) {
                        line.drain(..3);
                    }
                }
                if self.since_dispatch.len() < PENDING_CAP {
                    self.since_dispatch.push(b'\n');
                }
                if line.is_empty() {
                    if self.has_data {
                        self.broken_utf8 += usize::from(self.bad_utf8);
                        let mut data = std::mem::take(&mut self.data);
                        data.pop(); // the newline after the last data line
                        let event = std::mem::take(&mut self.event);
                        out.push(Event {
                            event: if event.is_empty() {
                                "message".to_string()
                            } else {
                                event
                            },
                            data,
                        });
                    }
                    self.data.clear();
                    self.event.clear();
                    self.has_data = false;
                    self.bad_utf8 = false;
                    self.since_dispatch.clear();
                    return;
                }
                if line[0] == b':' {
                    return;
                }
                let (field, value) = match line.iter().position(|b| *b == b':') {
                    Some(i) => {
                        let v = &line[i + 1..];
                        (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
                    }
                    None => (&line[..], &[][..]),
                };
                match field {
                    b"data" => {
                        // One UTF-8 check: valid text is pushed as it is, the rest decoded lossily.
                        match std::str::from_utf8(value) {
                            Ok(text) => self.data.push_str(text),
                            Err(_) => {
                                self.bad_utf8 = true;
                                self.data.push_str(&String::from_utf8_lossy(value));
                            }
                        }
                        self.data.push('\n');
                        self.has_data = true;
                    }
                    b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
                    _ => {}
                }
            }

            /// Events dispatched so far whose data was not UTF-8.
            pub fn broken_utf8(&self) -> usize {
                self.broken_utf8
            }

            /// The bytes fed so far.
            pub fn bytes(&self) -> usize {
                self.bytes
            }

            /// What came after the last dispatched event, when it holds a `data` line: an event
            /// the server never finished with a blank line.
            pub fn unterminated_tail(&self) -> Option<String> {
                let tail = String::from_utf8_lossy(&self.since_dispatch);
                tail.lines()
                    .any(|l| l.starts_with("data"))
                    .then(|| crate::classify::one_line(&tail))
            }
        }
    }

    proptest::proptest! {
        /// However the bytes are cut into chunks, the parser sees the same events, and no
        /// input makes it panic.
        #[test]
        fn chunking_never_changes_the_events(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), cuts in proptest::collection::vec(0usize..600, 0..8)) {
            let (whole, _) = parse_all(&[&body]);
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| *c <= body.len()).collect();
            cuts.sort_unstable();
            let mut parts: Vec<&[u8]> = Vec::new();
            let mut at = 0;
            for c in cuts { parts.push(&body[at..c]); at = c; }
            parts.push(&body[at..]);
            let (pieces, _) = parse_all(&parts);
            proptest::prop_assert_eq!(whole, pieces);
        }

        /// The parser reads every byte sequence, however cut, into the events, broken-UTF-8
        /// count, byte count, error and unterminated tail the parser before it read.
        #[test]
        fn reads_as_the_parser_before_it(
            lines in proptest::collection::vec("(data|event|id|:|)[: ]?[ -~é✓\u{feff}]{0,12}(\r\n|\r|\n|\n\n|)", 0..24),
            junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
            cuts in proptest::collection::vec(0usize..400, 0..8),
        ) {
            let mut body = lines.concat().into_bytes();
            body.extend_from_slice(&junk);
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|c| *c <= body.len()).collect();
            cuts.sort_unstable();
            let (mut new, mut old) = (Parser::new(), reference::Old::new());
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let (mut r_new, mut r_old) = (Ok(()), Ok(()));
            let mut at = 0;
            for c in cuts.into_iter().chain([body.len()]) {
                r_new = r_new.and(new.feed(&body[at..c], &mut got));
                r_old = r_old.and(old.feed(&body[at..c], &mut want));
                at = c;
            }
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(r_new, r_old);
            proptest::prop_assert_eq!(new.broken_utf8(), old.broken_utf8());
            proptest::prop_assert_eq!(new.bytes(), old.bytes());
            proptest::prop_assert_eq!(new.unterminated_tail(), old.unterminated_tail());
        }

        #[test]
        fn sse_shaped_text_never_panics(lines in proptest::collection::vec("(data|event|id|retry|:|)[: ]?[ -~é✓\r\n]{0,20}", 0..30)) {
            let body = lines.join("\n");
            let t = parse_complete(&body);
            proptest::prop_assert!(t.bytes == body.len());
        }
    }

    #[tokio::test]
    async fn events_split_across_chunks_and_crlf_are_read() {
        let t = read(
            chunks(&[
                "data: {\"a\"",
                ":1}\r\n\r\n: keep-alive\r\n\r\nevent: ping\r\ndata: x\r\n\r\n",
                "data: [DONE]\n\n",
            ]),
            bounds(),
        )
        .await;
        let data: Vec<_> = t
            .events
            .iter()
            .map(|e| (e.event.as_str(), e.data.as_str()))
            .collect();
        assert_eq!(
            data,
            vec![
                ("message", "{\"a\":1}"),
                ("ping", "x"),
                ("message", "[DONE]")
            ]
        );
        assert_eq!(t.end, End::Clean);
        assert_eq!(t.unterminated_tail, None);
    }

    #[tokio::test]
    async fn an_unfinished_last_event_is_noticed() {
        let t = read(chunks(&["data: {\"a\":1}\n\n", "data: {\"b\":"]), bounds()).await;
        assert_eq!(t.events.len(), 1);
        assert!(t.unterminated_tail.as_deref().unwrap().contains("{\"b\":"));
    }

    #[tokio::test]
    async fn a_transport_error_is_a_cut() {
        let s = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"data: 1\n\n")),
            Err(std::io::Error::other("incomplete chunked read")),
        ]);
        let t = read(s, bounds()).await;
        assert_eq!(t.events.len(), 1);
        assert!(matches!(t.end, End::Cut(ref m) if m.contains("incomplete")));
    }

    #[tokio::test]
    async fn silence_is_a_stall_within_the_idle_bound() {
        let s = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(
            b"data: 1\n\n",
        ))])
        .chain(futures_util::stream::pending());
        let b = Bounds {
            idle: Duration::from_millis(200),
            ..bounds()
        };
        let t0 = Instant::now();
        let t = read(Box::pin(s), b).await;
        assert_eq!(t.end, End::Stalled { idle_ms: 200 });
        assert!(t0.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn a_flood_of_tiny_events_is_cut_at_the_event_cap() {
        let flood = "data:x\n\n".repeat(MAX_EVENTS / 4 + 1);
        let parts: Vec<&str> = std::iter::repeat_n(flood.as_str(), 5).collect();
        let t = read(
            chunks(&parts),
            Bounds {
                cap: 64 << 20,
                ..bounds()
            },
        )
        .await;
        assert_eq!(t.end, End::TooManyEvents { cap: MAX_EVENTS });
        assert_eq!(t.events.len(), MAX_EVENTS);
    }

    #[tokio::test]
    async fn the_byte_cap_ends_the_read() {
        let big = "data: xxxxxxxxxx\n\n".repeat(100);
        let t = read(
            chunks(&[&big, &big]),
            Bounds {
                cap: 1000,
                ..bounds()
            },
        )
        .await;
        assert_eq!(t.end, End::TooLarge { cap: 1000 });
    }

    #[tokio::test]
    async fn recorded_zen_stream_with_trailing_cost_frame() {
        let body = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/sse/zen_chat_cost_after_done.txt"
        ))
        .unwrap();
        let t = read(chunks(&[&body]), bounds()).await;
        assert_eq!(t.end, End::Clean);
        let done = t
            .events
            .iter()
            .position(|e| e.data == "[DONE]")
            .expect("[DONE] present");
        assert!(done < t.events.len() - 1, "a frame follows [DONE]");
    }
}
