//! `chat.stream_pacing` (opt-in): a buffering layer between zencheck and the model (a
//! proxy under its defaults, a tunnel, a gateway that awaits the whole answer) cannot be
//! told from a fast server by a 16-token answer. This check asks for about a hundred tokens,
//! streamed, and judges how far apart they arrived against how many came: a hundred tokens
//! inside a few milliseconds, after a wait many times longer, was made during the wait and
//! held: something let it go at once.

use super::chat::{self, chat_request, ToolExpect};
use super::spec::{cost, Fold, Judge, Spec, StreamJudge};
use super::stream::ChatStream;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::http::sse::{TimedEvent, Transcript};
use crate::route::Route;
use serde_json::{json, Value};

/// The output cap: room for the count and a little more.
const CAP: u64 = 160;
/// What the model is asked to write: about a hundred tokens.
pub const COUNT_PROMPT: &str =
    "Count from 1 to 100, the numbers separated by single spaces, and write nothing else.";
/// Fewer content chunks than this are too few to judge.
const MIN_CHUNKS: u64 = 30;
/// Tokens per second beyond the fastest providers' streams (about 2 000 for small models)…
const HELD_RATE: u64 = 2_500;
/// …arriving in a spread this many times shorter than the wait for the first of them: the
/// answer was made during the wait and let go at once. A fast server that streams starts
/// early; a held stream starts when it is complete.
const HELD_WAIT_RATIO: u64 = 10;
/// Chunks closer than this arrived together (one read of the socket).
const SAME_BURST_MS: u64 = 5;
/// A burst of at least this many chunks, then a silence of at least `BURST_GAP_MS`, is a
/// buffer let go when full (nginx's proxy buffers hold a few kilobytes): a model makes its
/// tokens evenly, never dozens in a millisecond and then nothing.
const BURST_MIN_CHUNKS: usize = 8;
const BURST_GAP_MS: u64 = 100;

pub const SPEC: Spec = Spec {
    proves: "~100 streamed tokens arrive paced, not held and let go in bursts",
    default: false,
    ..Spec::main(
        "chat.stream_pacing",
        Route::Chat,
        |m, c| {
            let mut body = chat_request(m, true, c, json!({}));
            body[c.key()] = json!(c.tokens(CAP));
            body["messages"] = json!([{"role": "user", "content": COUNT_PROMPT}]);
            chat::post(body)
        },
        Judge::Stream(|m| {
            Box::new(Pacing {
                chat: ChatStream::new(m, false, ToolExpect::Any),
                tokens: None,
            })
        }),
        cost(1, CAP),
    )
};

/// The chat stream's judge, and the output tokens its usage reported (the last report).
struct Pacing {
    chat: ChatStream,
    tokens: Option<u64>,
}

impl Fold for Pacing {
    fn event(&mut self, e: &TimedEvent) {
        self.chat.event(e);
        if e.data.contains("completion_tokens") {
            if let Some(n) = completion_tokens(&e.data) {
                self.tokens = Some(n);
            }
        }
    }
}

impl StreamJudge for Pacing {
    fn finish(self: Box<Self>, t: &Transcript, headers_ms: u64) -> Finding {
        judge(self.chat.judge(t, headers_ms), self.tokens)
    }
}

fn judge(f: Finding, reported: Option<u64>) -> Finding {
    let mut f = f;
    if f.status != Status::Pass {
        return f;
    }
    let Some(stats) = f.stream.clone() else {
        return f;
    };
    let tokens = reported.unwrap_or(0).max(stats.content_chunks);
    match held(&stats.arrivals_ms, tokens) {
        Verdict::TooShort => {
            f.detail = format!(
                "only {} content chunks: too short to judge pacing (it needs {MIN_CHUNKS}) · {}",
                stats.content_chunks, f.detail
            );
            f
        }
        Verdict::Paced(d) => {
            f.detail = format!("{d} · {}", f.detail);
            f
        }
        Verdict::Held(d) => {
            let mut w = Finding::warn(Kind::StreamBuffered, d);
            w.evidence = f.evidence;
            w.timing = f.timing;
            w.stream = f.stream;
            w.reasoning = f.reasoning;
            w
        }
    }
}

/// The output tokens an event's usage reports, when it does.
fn completion_tokens(data: &str) -> Option<u64> {
    serde_json::from_str::<Value>(data)
        .ok()?
        .pointer("/usage/completion_tokens")?
        .as_u64()
}

#[derive(Debug, PartialEq)]
enum Verdict {
    TooShort,
    Paced(String),
    Held(String),
}

/// Judge arrivals (ms since the request) against the tokens they carried.
fn held(arrivals: &[u64], tokens: u64) -> Verdict {
    let n = arrivals.len() as u64;
    let (Some(first), Some(last)) = (arrivals.first(), arrivals.last()) else {
        return Verdict::TooShort;
    };
    if n < MIN_CHUNKS {
        return Verdict::TooShort;
    }
    let spread = last - first;
    let rate = tokens * 1000 / spread.max(1);
    if rate > HELD_RATE && *first >= HELD_WAIT_RATIO * spread.max(1) {
        return Verdict::Held(format!(
            "{tokens} tokens in {n} content chunks arrived within {spread} ms ({rate} tokens/s, faster than models \
             stream), after {first} ms of waiting: a layer between zencheck and the model held them and let them go at once"
        ));
    }
    // Chunks that came together, and how many of them came in large bursts.
    let mut bursts: Vec<Vec<u64>> = Vec::new();
    for &at in arrivals {
        match bursts.last_mut() {
            Some(b) if at - b[b.len() - 1] <= SAME_BURST_MS => b.push(at),
            _ => bursts.push(vec![at]),
        }
    }
    let large: Vec<&Vec<u64>> = bursts
        .iter()
        .filter(|b| b.len() >= BURST_MIN_CHUNKS)
        .collect();
    let in_large: usize = large.iter().map(|b| b.len()).sum();
    let silences: Vec<u64> = bursts.windows(2).map(|w| w[1][0] - w[0][w[0].len() - 1]).collect();
    let quiet = !silences.is_empty() && silences.iter().all(|g| *g >= BURST_GAP_MS);
    if large.len() >= 2 && in_large * 10 >= arrivals.len() * 8 && quiet {
        let starts: Vec<String> = bursts.iter().map(|b| format!("{} at {} ms", b.len(), b[0])).collect();
        return Verdict::Held(format!(
            "{tokens} tokens in {n} content chunks arrived in {} bursts ({}), each within a few ms, with silences of \
             {} ms or more between them: a layer between zencheck and the model buffers the stream and lets it go \
             whenever its buffer fills",
            bursts.len(),
            starts.join(", "),
            silences.iter().min().copied().unwrap_or(0)
        ));
    }
    Verdict::Paced(format!(
        "{tokens} tokens in {n} content chunks over {spread} ms ({rate} tokens/s): paced as generated"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_tokens_in_a_few_ms_were_held_and_a_paced_or_short_stream_was_not() {
        let burst: Vec<u64> = (0..100).map(|i| 1800 + i / 40).collect();
        assert!(matches!(held(&burst, 100), Verdict::Held(d) if d.contains("within 2 ms")));
        let paced: Vec<u64> = (0..100).map(|i| 300 + i * 15).collect();
        assert!(matches!(held(&paced, 100), Verdict::Paced(_)));
        // A very fast provider (3 000 tokens/s) starts early: still paced.
        let fast: Vec<u64> = (0..100).map(|i| 200 + i / 3).collect();
        assert!(matches!(held(&fast, 100), Verdict::Paced(_)));
        // Four buffers of 25 chunks let go 400 ms apart (nginx under its defaults).
        let buffers: Vec<u64> = (0..100).map(|i| 400 * (1 + i / 25) + (i % 25) / 20).collect();
        assert!(matches!(held(&buffers, 100), Verdict::Held(d) if d.contains("in 4 bursts (25 at 400 ms")));
        // A slow model whose chunks sometimes come two at a time is paced.
        let pairs: Vec<u64> = (0..100).map(|i| 100 + (i / 2) * 40).collect();
        assert!(matches!(held(&pairs, 100), Verdict::Paced(_)));
        // A local server that answers at once in one write: no wait, not held.
        let local: Vec<u64> = (0..100).map(|i| 5 + i / 50).collect();
        assert!(matches!(held(&local, 100), Verdict::Paced(_)));
        assert_eq!(held(&[1, 1, 1], 3), Verdict::TooShort);
    }
}
