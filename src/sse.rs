//! Reads a server-sent event stream into a timed transcript.
//!
//! Parsing is eventsource-stream's; this module adds what it does not do: bounds (an idle
//! gap between bytes, a total deadline, a byte cap), arrival times, and noticing a final
//! event that never got its blank line (eventsource-stream drops it silently). What the
//! events mean is for the per-API checks to judge.

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Not decodable as SSE (invalid UTF-8 or framing).
    Undecodable(String),
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
}

#[derive(Debug)]
enum ReadError {
    Idle(Duration),
    Total,
    TooLarge(usize),
    Transport(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[derive(Default)]
struct Book {
    bytes: usize,
    /// Bytes after the last event boundary (blank line).
    pending: Vec<u8>,
}

/// Longest unfinished event kept for the tail check; beyond it only the start matters.
const PENDING_CAP: usize = 64 << 10;

impl Book {
    fn feed(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len();
        self.pending.extend_from_slice(chunk);
        if let Some(end) = last_boundary(&self.pending) {
            self.pending.drain(..end);
        }
        self.pending.truncate(PENDING_CAP);
    }
}

/// Index just past the last blank line in any of SSE's three line-ending styles.
fn last_boundary(buf: &[u8]) -> Option<usize> {
    [&b"\n\n"[..], b"\r\n\r\n", b"\r\r"]
        .iter()
        .filter_map(|pat| {
            buf.windows(pat.len())
                .rposition(|w| w == *pat)
                .map(|i| i + pat.len())
        })
        .max()
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
    let mut out = Vec::new();
    let mut t = read_each(body, bounds, |e| out.push(e)).await;
    t.events = out;
    t
}

/// As `read`, but each event goes to `on_event` as it arrives instead of into the
/// transcript (whose `events` stay empty): for a long-lived stream whose caller keeps only
/// what it needs, and may stop reading by dropping the future.
pub async fn read_each<S, E, F>(body: S, bounds: Bounds, mut on_event: F) -> Transcript
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
    F: FnMut(TimedEvent),
{
    let book = Arc::new(Mutex::new(Book::default()));
    let bytes = bounded_bytes(body, bounds.idle, bounds.deadline, bounds.cap, book.clone());
    let mut events = Box::pin(bytes.eventsource());
    let end = loop {
        match events.next().await {
            None => break End::Clean,
            Some(Ok(ev)) => on_event(TimedEvent {
                event: if ev.event.is_empty() {
                    "message".to_string()
                } else {
                    ev.event
                },
                data: ev.data,
                at_ms: bounds.started.elapsed().as_millis() as u64,
            }),
            Some(Err(EventStreamError::Transport(e))) => {
                break match e {
                    ReadError::Idle(d) => End::Stalled {
                        idle_ms: d.as_millis() as u64,
                    },
                    ReadError::Total => End::TotalTimeout {
                        total_ms: bounds.started.elapsed().as_millis() as u64,
                    },
                    ReadError::TooLarge(cap) => End::TooLarge { cap },
                    ReadError::Transport(m) => End::Cut(m),
                }
            }
            Some(Err(e)) => break End::Undecodable(e.to_string()),
        }
    };
    let book = book.lock().expect("sse bookkeeping lock");
    Transcript {
        events: Vec::new(),
        end,
        bytes: book.bytes,
        unterminated_tail: unterminated_tail(&book.pending),
        ended_at_ms: bounds.started.elapsed().as_millis() as u64,
    }
}

/// The bytes after the last blank line, when they hold a `data` line.
fn unterminated_tail(pending: &[u8]) -> Option<String> {
    let tail = String::from_utf8_lossy(pending);
    tail.lines()
        .any(|l| l.starts_with("data"))
        .then(|| crate::classify::one_line(&tail))
}

/// A whole body already in memory (a pasted transcript, for `zencheck explain`): the same
/// parser and tail check as [`read`], without a clock (every `at_ms` is 0) or bounds (the
/// caller capped the text).
pub fn parse_complete(body: &str) -> Transcript {
    use futures_util::FutureExt;
    let chunk = Bytes::copy_from_slice(body.as_bytes());
    let mut events =
        futures_util::stream::iter([Ok::<_, std::convert::Infallible>(chunk)]).eventsource();
    let mut out = Vec::new();
    // Every item of an in-memory stream is ready: `now_or_never` never sees a pending one.
    let end = loop {
        match events.next().now_or_never().flatten() {
            None => break End::Clean,
            Some(Ok(ev)) => out.push(TimedEvent {
                event: if ev.event.is_empty() {
                    "message".to_string()
                } else {
                    ev.event
                },
                data: ev.data,
                at_ms: 0,
            }),
            Some(Err(e)) => break End::Undecodable(e.to_string()),
        }
    };
    let mut book = Book::default();
    book.feed(body.as_bytes());
    Transcript {
        events: out,
        end,
        bytes: book.bytes,
        unterminated_tail: unterminated_tail(&book.pending),
        ended_at_ms: 0,
    }
}

/// The body's bytes, with each wait bounded; after the first error the stream ends.
fn bounded_bytes<S, E>(
    body: S,
    idle: Duration,
    deadline: Instant,
    cap: usize,
    book: Arc<Mutex<Book>>,
) -> impl Stream<Item = Result<Bytes, ReadError>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
{
    futures_util::stream::unfold(Some(body), move |state| {
        let book = book.clone();
        async move {
            let mut body = state?;
            let left = deadline.saturating_duration_since(Instant::now());
            let wait = idle.min(left);
            let item = match tokio::time::timeout(wait, body.next()).await {
                Err(_) if left <= idle => Err(ReadError::Total),
                Err(_) => Err(ReadError::Idle(idle)),
                Ok(None) => return None,
                Ok(Some(Err(e))) => Err(ReadError::Transport(error_chain(&e))),
                Ok(Some(Ok(chunk))) => {
                    let mut b = book.lock().expect("sse bookkeeping lock");
                    b.feed(&chunk);
                    if b.bytes > cap {
                        Err(ReadError::TooLarge(cap))
                    } else {
                        Ok(chunk)
                    }
                }
            };
            let next = if item.is_ok() { Some(body) } else { None };
            Some((item, next))
        }
    })
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
