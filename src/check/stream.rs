//! Streamed answers: what every stream is judged on (how it ended, bursts, gaps), and the
//! chat-completions stream checks with their judge (`chat.stream`, `chat.stream_usage`,
//! `chat.stream_tools`).
//!
//! The status line of a stream is sent before the model has produced anything, so a 200
//! proves little: only the events and how the body ended tell the truth.

use super::answer::reasoning_spent_cap;
use super::ask::{MAX_TOKENS, MAX_TOKENS_TOOLS, UTF8_MAX_TOKENS, UTF8_PROMPT};
use super::chat::{
    self, chat_request, check_tool_call, describe_calls, judge_tool_choice, tool_request,
    ToolExpect,
};
use super::model_swap::same_model;
use super::spec::{cost, judge_whole, Fold, Judge, Spec, StreamJudge};
use crate::classify::in_stream;
use crate::failure::Kind;
use crate::finding::{Finding, Problems, Timing};
use crate::fit::excerpt;
use crate::http::sse::{End, TimedEvent, Transcript};
use crate::reasoning::Reasoning;
use crate::route::Route;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const CHAT_STREAM: Spec = Spec {
    proves: "a streamed answer: every event JSON, text assembles, [DONE], clean end",
    ..Spec::main(
        "chat.stream",
        Route::Chat,
        |m, c| chat::post(chat_request(m, true, c, json!({}))),
        Judge::Stream(|m| Box::new(ChatStream::new(m, false, ToolExpect::Any))),
        cost(1, MAX_TOKENS),
    )
};

pub const CHAT_STREAM_USAGE: Spec = Spec {
    proves: "include_usage is accepted and usage arrives; CJK and an emoji arrive whole",
    ..Spec::main(
        "chat.stream_usage",
        Route::Chat,
        |m, c| {
            chat::post(chat_request(
                m,
                true,
                c,
                json!({
                    "stream_options": {"include_usage": true},
                    "messages": [{"role": "user", "content": UTF8_PROMPT}],
                    c.key(): c.tokens(UTF8_MAX_TOKENS),
                }),
            ))
        },
        Judge::Stream(|m| Box::new(ChatStream::new(m, true, ToolExpect::Any))),
        cost(1, UTF8_MAX_TOKENS),
    )
};

pub const CHAT_STREAM_TOOLS: Spec = Spec {
    proves: "streamed tool_calls deltas assemble into a valid call",
    ..Spec::main(
        "chat.stream_tools",
        Route::Chat,
        |m, c| chat::post(tool_request(m, true, c, json!("required"))),
        Judge::Stream(|m| Box::new(ChatStream::new(m, false, ToolExpect::Required))),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

/// A stream counts as bunched when at least this many content events arrive…
const BUNCHED_MIN_EVENTS: usize = 4;
/// …after at least this long a wait for the first one…
const BUNCHED_MIN_WAIT_MS: u64 = 400;
/// …within a spread this small compared with that wait (with a floor of 5 ms).
const BUNCHED_SPREAD_RATIO: u64 = 50;

/// How the body ended, as problems. Returns true when it ended cleanly.
pub fn judge_end(t: &Transcript, events_seen: usize, p: &mut Problems) -> bool {
    if t.broken_utf8 > 0 {
        // Joined across network reads before decoding: only bytes broken inside one
        // event's data get here, and no client can mend them.
        p.fail(
            Kind::StreamMalformed,
            format!(
                "{} {} bytes that are not UTF-8 inside {} data: a multi-byte character was cut inside the event, and clients show U+FFFD (�) in its place",
                crate::fit::count(t.broken_utf8 as u64, "event"),
                if t.broken_utf8 == 1 { "carries" } else { "carry" },
                if t.broken_utf8 == 1 { "its" } else { "their" }
            ),
        );
    }
    match &t.end {
        End::Clean => return true,
        End::Cut(why) => p.fail(
            Kind::StreamTruncated,
            format!("connection cut after {events_seen} events ({why})"),
        ),
        End::Stalled { idle_ms } => p.fail(
            Kind::StreamStalled,
            format!(
                "no byte for {} s after {events_seen} events; the socket stayed open",
                idle_ms / 1000
            ),
        ),
        End::TotalTimeout { total_ms } => p.fail(
            Kind::Timeout,
            format!("still streaming at the total bound ({} s)", total_ms / 1000),
        ),
        End::TooLarge { cap } => p.fail(
            Kind::BadResponse,
            format!("stream larger than the {cap} byte cap"),
        ),
        End::TooManyEvents { cap } => p.fail(
            Kind::BadResponse,
            format!("more than {cap} events in one stream: a flood, not an answer"),
        ),
        End::Undecodable(why) => p.fail(
            Kind::StreamMalformed,
            format!("not decodable as SSE: {why}"),
        ),
    }
    false
}

/// A clean end that still lacks the stream's own terminal marker is a truncation; say
/// so, naming an unfinished last event when there is one.
pub fn missing_terminal(t: &Transcript, what: &str, events_seen: usize, p: &mut Problems) {
    match &t.unterminated_tail {
        Some(tail) => p.fail(
            Kind::StreamTruncated,
            format!(
                "the last event never ended (no blank line): {}",
                excerpt(tail, 60)
            ),
        ),
        None => p.fail(
            Kind::StreamTruncated,
            format!("body ended after {events_seen} events without {what}"),
        ),
    }
}

/// What a stream's arrival times say about buffering.
#[derive(Debug, Clone, Copy, Default)]
pub struct Arrivals<'a> {
    /// When the response headers came, ms since the request was sent.
    pub headers_ms: u64,
    /// When each content event came.
    pub content_at: &'a [u64],
    /// How long the upstream took to make the chunks, by their own `created` stamps (s).
    pub produced_span_s: Option<u64>,
}

/// Detect a buffering proxy (or simulated streaming). A buffering proxy passes the
/// headers on and holds the body: a long silence *after the headers*, then every chunk at
/// once. A busy or cold server delays everything, headers included, and then streams; that
/// is no buffering (the real LiteLLM proxy, just started, answers so). Chunks stamped over
/// seconds by the upstream but arriving within milliseconds were held too.
pub fn bunching(a: Arrivals<'_>) -> Option<String> {
    let (first, last) = (*a.content_at.first()?, *a.content_at.last()?);
    let n = a.content_at.len();
    if n < BUNCHED_MIN_EVENTS {
        return None;
    }
    let spread = last - first;
    let silence = first.saturating_sub(a.headers_ms);
    if silence >= BUNCHED_MIN_WAIT_MS && spread <= (silence / BUNCHED_SPREAD_RATIO).max(5) {
        return Some(format!(
            "headers after {} ms, then {silence} ms of silence, then {n} content chunks within {spread} ms",
            a.headers_ms
        ));
    }
    let produced_ms = a.produced_span_s? * 1000;
    (produced_ms >= 2000 && spread <= (produced_ms / BUNCHED_SPREAD_RATIO).max(5)).then(|| {
        format!(
            "{n} content chunks arrived within {spread} ms, but their created stamps span {} s: \
             the upstream made them over time and something held them",
            produced_ms / 1000
        )
    })
}

/// What a stream judge read off a stream, for the finding it ends with.
pub struct Read<'a> {
    pub transcript: &'a Transcript,
    pub headers_ms: u64,
    /// When each content event (answer text or reasoning) came, ms since the request.
    pub content_at: &'a [u64],
    /// The server's own words, from an error event.
    pub error_message: Option<String>,
    pub reasoning: Option<Reasoning>,
    /// Where the API carries reasoning, as the detail names it (`delta.`, `output item `).
    pub reasoning_in: &'static str,
}

/// The one ending of every stream judge (chat, `/responses`, `/messages`): the summary gets
/// the silence before the first token and the largest gap between chunks, the problems decide status and detail, and the finding
/// carries the timings, the stream's pace, the server's error message and the reasoning
/// seen, which the detail names too.
pub fn finish(p: Problems, mut summary: String, r: Read<'_>) -> Finding {
    let stats = crate::timings::stream_stats(Some(r.headers_ms), r.content_at);
    summary.push_str(&stats.describe());
    let mut f = p.into_finding(summary);
    f.timing = Timing {
        headers: Some(r.headers_ms),
        first_token: r.content_at.first().copied(),
        total: Some(r.transcript.ended_at_ms),
    };
    f.stream = Some(stats);
    f.evidence.provider_message = r.error_message;
    if let Some(seen) = &r.reasoning {
        f.detail
            .push_str(&format!(" · {}", seen.describe(r.reasoning_in)));
    }
    f.reasoning = r.reasoning;
    f
}

/// An event's data read as JSON and counted in `events`. The first event that is not JSON
/// fails the stream as malformed, naming its place and an excerpt; the rest are passed over.
pub fn json_event(
    data: &str,
    events: &mut usize,
    malformed: &mut bool,
    p: &mut Problems,
) -> Option<Value> {
    let Ok(v) = serde_json::from_str::<Value>(data.trim()) else {
        if !*malformed {
            p.fail(
                Kind::StreamMalformed,
                format!("event {} is not JSON: {}", *events + 1, excerpt(data, 80)),
            );
        }
        *malformed = true;
        return None;
    };
    *events += 1;
    Some(v)
}

/// The problem of an event that carries an error; its message for the evidence. The
/// event is read as an error body is (`classify::in_stream`): one whose code or message
/// names its cause (a rate limit, a context overflow, a quota…) fails with that kind, as
/// the same error in a whole answer does; any other is a `stream_error`. `what` names the
/// event (`error event`, `response.failed`).
pub fn error_event(data: &str, what: &str, after: usize, p: &mut Problems) -> String {
    let read = in_stream::read(data, &[]);
    let msg = read.message(data);
    let said = excerpt(&msg, 120);
    match read.verdict {
        Some(v) => {
            let detail = format!("{what} inside the 200 stream after {after} events: {said}");
            match &v.param {
                Some(param) => p.fail_param(v.kind, param, detail),
                None => p.fail(v.kind, detail),
            }
        }
        None => p.fail(
            Kind::StreamError,
            format!("{what} after {after} events: {said}"),
        ),
    }
    msg
}

/// An event that reports an error instead of a chunk (`classify::in_stream`, where the
/// probe and `explain` share it).
pub use crate::classify::in_stream::is_error_event as is_stream_error;

/// Checks common to every stream once its events are read: no text, a burst, another model.
pub fn judge_content(arrivals: Arrivals<'_>, models: &[String], asked: &str, p: &mut Problems) {
    if let Some(b) = bunching(arrivals) {
        p.warn(Kind::StreamBuffered, b);
    }
    if let Some(got) = models.iter().find(|m| !same_model(asked, m)) {
        super::model_swap::judge(asked, got, p);
    }
}

/// Most of a streamed answer's text a judge keeps: far more than any answer under the
/// probe's caps (160 tokens at most); the rest of a longer one is only counted.
pub const TEXT_KEEP: usize = 64 << 10;
/// Most distinct model names a judge keeps from one stream.
const MODELS_KEEP: usize = 8;
/// Most tool calls (by index) a chat judge assembles from one stream, and the most of a
/// call's name or arguments it keeps.
const CALLS_KEEP: usize = 64;
const CALL_TEXT_KEEP: usize = 64 << 10;

/// A streamed answer's text as it arrives: its first [`TEXT_KEEP`] bytes kept, the rest
/// counted, and replacement characters counted in all of it.
#[derive(Default)]
pub struct Text {
    kept: String,
    /// Bytes past the kept part.
    beyond: usize,
    /// U+FFFD in the whole text.
    replaced: usize,
}

impl Text {
    pub fn push(&mut self, piece: &str) {
        self.replaced += piece.matches('\u{FFFD}').count();
        self.beyond += keep_within(&mut self.kept, piece, TEXT_KEEP);
    }

    /// The kept part (all of it for any answer the probe asks for).
    pub fn as_str(&self) -> &str {
        &self.kept
    }

    /// No text at all, or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.beyond == 0 && self.kept.trim().is_empty()
    }
}

/// Append `piece` to `s` up to `cap` bytes (at a character boundary); the bytes left out.
fn keep_within(s: &mut String, piece: &str, cap: usize) -> usize {
    let room = cap.saturating_sub(s.len());
    if piece.len() <= room {
        s.push_str(piece);
        return 0;
    }
    let mut cut = room;
    while !piece.is_char_boundary(cut) {
        cut -= 1;
    }
    s.push_str(&piece[..cut]);
    piece.len() - cut
}

/// Note a model name a stream answered with, once, up to [`MODELS_KEEP`] names.
pub fn note_model(models: &mut Vec<String>, m: &str) {
    if models.len() < MODELS_KEEP && !models.iter().any(|x| x == m) {
        models.push(m.to_string());
    }
}

/// What the chunks of a chat stream added up to.
#[derive(Default)]
struct Assembly {
    chunks: usize,
    text: Text,
    content_at: Vec<u64>,
    finish: Option<String>,
    done_at: Option<u64>,
    usage: Option<Value>,
    models: Vec<String>,
    /// Tool-call fragments by index: (name, arguments).
    calls: BTreeMap<u64, (String, String)>,
    /// Indexes of calls whose name or arguments outgrew [`CALL_TEXT_KEEP`].
    calls_too_long: Vec<u64>,
    /// Error events after the first (only the first is quoted).
    more_errors: usize,
    /// What was wrong with the tool-call deltas themselves, once each; true for a failure
    /// (no client can assemble it), false for a warning (some clients cope).
    call_faults: Vec<(bool, String)>,
    error_message: Option<String>,
    /// The earliest and latest `created` stamp of the chunks (s).
    created: Option<(u64, u64)>,
    /// Which delta keys carried reasoning text, and in how many chunks.
    reasoning: crate::reasoning::Reasoning,
    /// When the first finish_reason came (ms since the request was sent).
    finish_at: Option<u64>,
    /// Chunks that crash clients reading choices[0].
    shapes: super::stream_shape::Shapes,
}

/// The judge of a chat-completions stream, as a fold: each chunk is read as it arrives
/// into what the stream adds up to, and the stream is judged when it ends.
pub struct ChatStream {
    asked: String,
    want_usage: bool,
    expect: ToolExpect,
    p: Problems,
    a: Assembly,
    malformed: usize,
    /// Common chunks are read into fields ([`Plain`]); off, every chunk is a JSON tree (the
    /// tests hold the two to the same findings).
    plain: bool,
    /// The last common chunk read, around its text: the next chunk with the same bytes
    /// around other plain text is that chunk again with other text (see [`Template`]).
    template: Option<Template>,
}

impl ChatStream {
    pub fn new(asked: &str, want_usage: bool, expect: ToolExpect) -> ChatStream {
        ChatStream {
            asked: asked.to_string(),
            want_usage,
            expect,
            p: Problems::default(),
            a: Assembly::default(),
            malformed: 0,
            plain: true,
            template: None,
        }
    }
}

impl Fold for ChatStream {
    fn event(&mut self, ev: &TimedEvent) {
        let (a, p) = (&mut self.a, &mut self.p);
        if a.done_at.is_some() {
            // Frames after [DONE] are legal (Zen sends a cost chunk there).
            return;
        }
        let data = ev.data.trim();
        if data == "[DONE]" {
            a.done_at = Some(ev.at_ms);
            return;
        }
        if self.plain {
            // The common chunk, read as the JSON tree's path below would read it: the last
            // one again with other text, or read into fields.
            let seen = match self.template.as_ref().and_then(|t| t.text_of(data)) {
                Some(text) => self
                    .template
                    .as_ref()
                    .map(|t| t.fields.absorb(a, Some(text), ev.at_ms)),
                None => Plain::read(data).map(|c| {
                    let (fields, text) = c.fields();
                    fields.absorb(a, text.as_deref(), ev.at_ms);
                    self.template = Template::around(data, &text, fields);
                }),
            };
            if seen.is_some() {
                a.chunks += 1;
                if a.finish.is_some() && a.finish_at.is_none() {
                    a.finish_at = Some(ev.at_ms);
                }
                return;
            }
        }
        let parsed = serde_json::from_str::<Value>(data);
        let error_body = parsed.as_ref().is_ok_and(is_stream_error);
        if ev.event == "error" || error_body {
            if a.error_message.is_some() {
                a.more_errors += 1;
            } else {
                a.error_message = Some(error_event(data, "error event", a.chunks, p));
            }
            return;
        }
        let Ok(v) = parsed else {
            self.malformed += 1;
            if self.malformed == 1 {
                p.fail(
                    Kind::StreamMalformed,
                    format!(
                        "event {} is not JSON: {}",
                        a.chunks + self.malformed,
                        excerpt(data, 80)
                    ),
                );
            }
            return;
        };
        a.chunks += 1;
        a.shapes.note(&v);
        absorb_chunk(a, &v, ev.at_ms);
        if a.finish.is_some() && a.finish_at.is_none() {
            a.finish_at = Some(ev.at_ms);
        }
    }
}

impl StreamJudge for ChatStream {
    fn finish(self: Box<Self>, t: &Transcript, headers_ms: u64) -> Finding {
        self.judge(t, headers_ms)
    }
}

/// Judge a chat-completions stream transcript whose events are all in hand. Pure: unit
/// tests feed it recordings.
pub fn judge_chat_stream(
    t: &Transcript,
    headers_ms: u64,
    asked: &str,
    want_usage: bool,
    expect: ToolExpect,
) -> Finding {
    judge_whole(
        Box::new(ChatStream::new(asked, want_usage, expect)),
        t,
        headers_ms,
    )
}

impl ChatStream {
    /// The stream is over: judge what its chunks added up to and how it ended.
    pub fn judge(self, t: &Transcript, headers_ms: u64) -> Finding {
        let ChatStream {
            asked,
            want_usage,
            expect,
            mut p,
            mut a,
            malformed,
            ..
        } = self;
        let asked = asked.as_str();
        let clean = judge_end(t, a.chunks, &mut p);
        replaced_characters(t, &a.text, &mut p);
        if a.more_errors > 0 {
            p.fail(
                Kind::StreamError,
                format!(
                    "{} after it",
                    crate::fit::count(a.more_errors as u64, "more error event")
                ),
            );
        }
        never_closed(t, &a, &mut p);
        a.shapes.judge(&mut p);
        if clean && a.error_message.is_none() {
            match (&a.finish, a.done_at) {
            (None, None) => missing_terminal(t, "finish_reason or [DONE]", a.chunks, &mut p),
            (Some(f), None) => p.warn(
                Kind::StreamNoDone,
                format!("finish_reason {f} arrived but no `data: [DONE]`"),
            ),
            (None, Some(_)) if a.chunks > 0 => p.fail(
                Kind::StreamNoFinish,
                "`data: [DONE]` arrived but no chunk carried a finish_reason: strict clients (oh-my-pi, the Pi agent SDK) raise \"stream closed before a finish_reason was received\" and retry the turn",
            ),
            (None, Some(_)) => {}
            (Some(_), Some(_)) => {}
        }
            if a.chunks == 0 && malformed == 0 {
                p.fail(Kind::BadResponse, "the stream carried no completion chunk");
            }
        }
        for (i, (name, args)) in &a.calls {
            if a.calls_too_long.contains(i) {
                p.fail_param(
                Kind::BadResponse,
                "tool_calls",
                format!(
                    "streamed tool call {i}: its name or arguments pass {} KiB, far beyond the output cap asked for",
                    CALL_TEXT_KEEP >> 10
                ),
            );
                continue;
            }
            if let Some(once) = doubled(args) {
                // The whole arguments again in the last delta (seen from vLLM): clients that
                // join fragments get `{…}{…}`.
                p.fail_param(
                Kind::BadResponse,
                "tool_calls",
                format!(
                    "streamed tool call {i}: the complete arguments arrive twice ({} and again in a later delta): clients that join fragments get invalid JSON",
                    excerpt(once, 40)
                ),
            );
                continue;
            }
            if let Err(why) =
                check_tool_call(&json!({"function": {"name": name, "arguments": args}}))
            {
                p.fail_param(
                    Kind::BadResponse,
                    "tool_calls",
                    format!("streamed tool call {i}: {why}"),
                );
            }
        }
        for (fails, why) in &a.call_faults {
            if *fails {
                p.fail_param(Kind::BadResponse, "tool_calls", why.clone());
            } else {
                p.warn_param(Kind::BadResponse, "tool_calls", why.clone());
            }
        }
        if let Some(u) = &a.usage {
            a.reasoning.read_usage(u);
        }
        let (text, thought) = crate::reasoning::split_think(a.text.as_str());
        if thought.is_some_and(|t| !t.trim().is_empty()) {
            a.reasoning.saw(crate::reasoning::THINK_TAGS);
        }
        // Text past the kept part is not blank, whatever the kept part holds.
        let blank = text.trim().is_empty() && a.text.beyond == 0;
        let reasoning = a.reasoning.clone().seen();
        if clean && a.error_message.is_none() && a.chunks > 0 {
            let names: Vec<&str> = a.calls.values().map(|(n, _)| n.as_str()).collect();
            let finish = a.finish.as_deref();
            let may_be_cut = super::chat::may_blame_cap(expect, &text);
            let unwritten =
                reasoning_spent_cap(&text, names.len(), finish, reasoning.as_ref(), &mut p)
                    || may_be_cut && super::answer::cut_at_cap(&text, names.len(), finish, &mut p);
            if !unwritten {
                judge_tool_choice(expect, &names, &text, finish, &mut p);
                if blank && a.calls.is_empty() && expect == ToolExpect::Any {
                    p.warn(Kind::BadResponse, "no text in the stream");
                }
            }
        }
        judge_content(
            Arrivals {
                headers_ms,
                content_at: &a.content_at,
                produced_span_s: a.created.map(|(lo, hi)| hi - lo),
            },
            &a.models,
            asked,
            &mut p,
        );
        if want_usage && a.usage.is_none() && clean && a.error_message.is_none() {
            p.warn_param(
                Kind::ParamIgnored,
                "stream_options",
                "stream_options.include_usage was accepted but no usage chunk arrived",
            );
        }

        let said = if a.calls.is_empty() {
            format!("\"{}\"", excerpt(&text, 40))
        } else {
            let calls: Vec<Value> = a
                .calls
                .values()
                .map(|(n, args)| json!({"function": {"name": n, "arguments": args}}))
                .collect();
            describe_calls(&calls)
        };
        let mut summary = format!(
            "{said} · {} chunks · finish {} · {}",
            a.chunks,
            a.finish.as_deref().unwrap_or("-"),
            if a.done_at.is_some() {
                "[DONE]"
            } else {
                "no [DONE]"
            }
        );
        if let Some(u) = &a.usage {
            summary.push_str(&format!(
                " · usage {}",
                super::answer::token_counts(u, ("prompt_tokens", "completion_tokens"))
            ));
        }
        finish(
            p,
            summary,
            Read {
                transcript: t,
                headers_ms,
                content_at: &a.content_at,
                error_message: a.error_message,
                reasoning,
                reasoning_in: "delta.",
            },
        )
    }
}

/// U+FFFD in text whose events were all valid UTF-8: something before zencheck (a gateway
/// decoding each network read on its own) cut a multi-byte character and put replacement
/// characters in its place, so every client shows `�` (opencode#39694, Zen with Chinese).
/// Events with bytes broken inside their data are named by `judge_end` instead.
pub fn replaced_characters(t: &Transcript, text: &Text, p: &mut Problems) {
    let n = text.replaced;
    if t.broken_utf8 > 0 || n == 0 {
        return;
    }
    p.fail(
        Kind::StreamMalformed,
        format!(
            "the streamed text holds {} U+FFFD (\"{}\"): a multi-byte character (CJK, emoji) was cut between chunks and decoded piecewise before it reached zencheck; every client shows `�`",
            crate::fit::count(n as u64, "replacement character"),
            excerpt(text.as_str(), 40)
        ),
    );
}

/// The answer was over (a finish_reason, or [DONE]) and the connection stayed open until the
/// idle bound: clients that read to the close (openai-python drains the body after [DONE])
/// hang there. Says how long it stayed open after the end.
fn never_closed(t: &Transcript, a: &Assembly, p: &mut Problems) {
    let after = match t.end {
        End::Stalled { idle_ms } => format!(
            "nothing after it, cut at the {} s idle bound",
            idle_ms / 1000
        ),
        // Bytes kept coming (keep-alive comments or pings) but no close.
        End::TotalTimeout { total_ms } => format!(
            "only keep-alives after it, cut at the {} s total bound",
            total_ms / 1000
        ),
        _ => return,
    };
    let (what, at) = match (a.done_at, a.finish_at, a.finish.as_deref()) {
        (Some(done), _, _) => ("`data: [DONE]`".to_string(), done),
        (None, Some(at), Some(f)) => (format!("finish_reason {f}"), at),
        _ => return,
    };
    let open_ms = t.ended_at_ms.saturating_sub(at);
    p.fail(
        Kind::StreamStalled,
        format!(
            "{what} arrived {at} ms in, then the connection stayed open {} s without closing ({after}): clients that read to the close hang",
            open_ms / 1000
        ),
    );
}

/// `{"a":1}{"a":1}`: joined fragments that are one JSON object twice; the object once.
fn doubled(args: &str) -> Option<&str> {
    let t = args.trim();
    if !t.len().is_multiple_of(2) || t.is_empty() {
        return None;
    }
    let (a, b) = t.split_at(t.len() / 2);
    (a == b && serde_json::from_str::<Value>(a).is_ok_and(|v| v.is_object())).then_some(a)
}

/// Note a fault of the tool-call deltas, once (a few at most).
fn fault(a: &mut Assembly, fails: bool, why: &str) {
    if a.call_faults.len() < MODELS_KEEP && !a.call_faults.iter().any(|(_, f)| f == why) {
        a.call_faults.push((fails, why.to_string()));
    }
}

/// The common chunk of a chat stream, read straight into fields instead of a JSON tree (a
/// stream read to the cap is about 41 000 of them): one choice, index 0, whose delta holds
/// at most a role and text, and no other member but ids and stamps. Anything else (usage,
/// tool calls, reasoning, an error, `finish_reason: "error"`, an unknown member, a value of
/// another type) fails this read, and the chunk is read as a JSON tree whole.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
// Members read only to be allowed (ids, stamps, a role) are never used.
#[allow(dead_code)]
struct Plain<'a> {
    #[serde(default)]
    id: Option<serde::de::IgnoredAny>,
    #[serde(default, borrow)]
    object: Option<Str<'a>>,
    #[serde(default)]
    created: Option<u64>,
    #[serde(default, borrow)]
    model: Option<Str<'a>>,
    #[serde(default)]
    system_fingerprint: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    service_tier: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    obfuscation: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    choices: [PlainChoice<'a>; 1],
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
// Members read only to be allowed (ids, stamps, a role) are never used.
#[allow(dead_code)]
struct PlainChoice<'a> {
    #[serde(default)]
    index: u64,
    #[serde(borrow)]
    delta: PlainDelta<'a>,
    #[serde(default, borrow)]
    finish_reason: Option<Str<'a>>,
    #[serde(default)]
    logprobs: Option<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
// Members read only to be allowed (ids, stamps, a role) are never used.
#[allow(dead_code)]
struct PlainDelta<'a> {
    #[serde(default)]
    role: Option<serde::de::IgnoredAny>,
    #[serde(default, borrow)]
    content: Option<Str<'a>>,
    #[serde(default)]
    refusal: Option<serde::de::IgnoredAny>,
}

/// A JSON string read where it lies in the chunk when it holds no escape, copied otherwise.
/// (serde reads an `Option<Cow<str>>` into a copy always: its `borrow` stops at the Option.)
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Borrowed(s))
            }
            fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s))
            }
        }
        d.deserialize_str(Visit).map(Str)
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> Plain<'a> {
    fn read(data: &'a str) -> Option<Plain<'a>> {
        let c: Plain = serde_json::from_str(data).ok()?;
        let [choice] = &c.choices;
        let plain = choice.index == 0
            && c.object
                .as_deref()
                .is_none_or(|o| o == "chat.completion.chunk")
            && choice.finish_reason.as_deref() != Some("error");
        plain.then_some(c)
    }

    /// What [`absorb_chunk`] takes from such a chunk, its text apart.
    fn fields(self) -> (PlainFields, Option<Cow<'a, str>>) {
        let [choice] = self.choices;
        let fields = PlainFields {
            model: self.model.map(|m| m.0.into_owned()),
            created: self.created,
            finish_reason: choice.finish_reason.map(|f| f.0.into_owned()),
        };
        (fields, choice.delta.content.map(|c| c.0))
    }
}

/// What a common chunk says besides its text.
struct PlainFields {
    model: Option<String>,
    created: Option<u64>,
    finish_reason: Option<String>,
}

impl PlainFields {
    /// What [`absorb_chunk`] takes from a common chunk with these fields and `text`.
    fn absorb(&self, a: &mut Assembly, text: Option<&str>, at_ms: u64) {
        if let Some(m) = self.model.as_deref().filter(|m| !m.is_empty()) {
            note_model(&mut a.models, m);
        }
        if let Some(c) = self.created {
            a.created = Some(a.created.map_or((c, c), |(lo, hi)| (lo.min(c), hi.max(c))));
        }
        if let Some(piece) = text.filter(|s| !s.is_empty()) {
            a.text.push(piece);
            a.content_at.push(at_ms);
        }
        if let Some(fr) = &self.finish_reason {
            a.finish = Some(fr.clone());
        }
    }
}

/// A common chunk's bytes before and after its text. A chunk that has the same bytes
/// around a text holding no quote, backslash or control character is, as JSON, the same
/// chunk with that text: the text is one string token whatever it holds, so every other
/// value parses as before. Servers send thousands of such chunks in a stream, the same
/// ids, stamps and model around each piece of text; each is read by two comparisons and a
/// scan of its text instead of a parse.
struct Template {
    before: String,
    after: String,
    fields: PlainFields,
}

impl Template {
    /// The template of `data`, a common chunk whose text was read without a copy (a
    /// string with no escape) as `text`.
    fn around(data: &str, text: &Option<Cow<'_, str>>, fields: PlainFields) -> Option<Template> {
        let Cow::Borrowed(t) = text.as_ref()? else {
            return None;
        };
        // Where the text lies in `data` (it was borrowed from it).
        let start = (t.as_ptr() as usize).checked_sub(data.as_ptr() as usize)?;
        let end = start + t.len();
        let (before, after) = (data.get(..start)?, data.get(end..)?);
        (before.ends_with('"') && after.starts_with('"')).then(|| Template {
            before: before.to_string(),
            after: after.to_string(),
            fields,
        })
    }

    /// The text of `data` when it is this template's chunk with another plain text.
    fn text_of<'d>(&self, data: &'d str) -> Option<&'d str> {
        let text = data
            .strip_prefix(self.before.as_str())?
            .strip_suffix(self.after.as_str())?;
        // No escape, no end of the string, no character JSON forbids inside one.
        let plain = !text.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
        plain.then_some(text)
    }
}

/// A call's name or arguments outgrew what is kept of them.
fn too_long(a: &mut Assembly, idx: u64) {
    if !a.calls_too_long.contains(&idx) {
        a.calls_too_long.push(idx);
    }
}

fn absorb_chunk(a: &mut Assembly, v: &Value, at_ms: u64) {
    if let Some(m) = v
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    {
        note_model(&mut a.models, m);
    }
    if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
        a.usage = Some(u.clone());
    }
    if let Some(c) = v.get("created").and_then(Value::as_u64) {
        a.created = Some(a.created.map_or((c, c), |(lo, hi)| (lo.min(c), hi.max(c))));
    }
    let Some(choices) = v.get("choices").and_then(Value::as_array) else {
        return;
    };
    // Only the first choice: the probe asks for one.
    let Some(c) = choices
        .iter()
        .find(|c| c.get("index").and_then(Value::as_u64).unwrap_or(0) == 0)
    else {
        return;
    };
    let delta = c.get("delta").unwrap_or(&Value::Null);
    // Reasoning deltas are content too: clients that read the field show them as it thinks.
    let mut thought = false;
    for field in crate::reasoning::chat_fields(delta) {
        a.reasoning.saw(field);
        thought = true;
    }
    if thought {
        *a.reasoning.chunks.get_or_insert(0) += 1;
        a.content_at.push(at_ms);
    }
    if let Some(piece) = delta
        .get("content")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        a.text.push(piece);
        if !thought {
            a.content_at.push(at_ms);
        }
    }
    for tc in delta
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let idx = match tc.get("index").and_then(Value::as_u64) {
            Some(i) => i,
            None => {
                // Clients key fragments by index; with one call most cope, so a warning.
                fault(
                    a,
                    false,
                    "a tool_calls delta has no index: clients assemble fragments by index (openai-python's stream helper raises TypeError, strict parsers reject the chunk), and parallel calls would merge into one",
                );
                a.calls.keys().next_back().copied().unwrap_or(0)
            }
        };
        if !a.calls.contains_key(&idx) && a.calls.len() >= CALLS_KEEP {
            fault(
                a,
                true,
                &format!("more than {CALLS_KEEP} tool calls in one stream, where one was asked"),
            );
            continue;
        }
        let entry = a.calls.entry(idx).or_default();
        if let Some(n) = tc
            .pointer("/function/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            if entry.0 == n {
                // The whole name again in a later delta (llama.cpp before May 2025): the AI
                // SDK keeps the first, clients that join fragments get the name twice.
                let why = format!(
                    "the function name `{}` is repeated in later tool_calls deltas: clients that join fragments get `{n}{n}`",
                    excerpt(n, 40)
                );
                fault(a, false, &why);
            } else if keep_within(&mut a.calls.entry(idx).or_default().0, n, CALL_TEXT_KEEP) > 0 {
                too_long(a, idx);
            }
        }
        match tc.pointer("/function/arguments") {
            Some(Value::String(args)) => {
                if keep_within(&mut a.calls.entry(idx).or_default().1, args, CALL_TEXT_KEEP) > 0 {
                    too_long(a, idx);
                }
                a.content_at.push(at_ms);
            }
            Some(Value::Object(_)) => fault(
                a,
                true,
                "a tool_calls delta carries arguments as a JSON object, not a string fragment: clients concatenate strings and cannot assemble it",
            ),
            _ => {}
        }
    }
    if let Some(fr) = c.get("finish_reason").and_then(Value::as_str) {
        a.finish = Some(fr.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;

    pub(crate) fn transcript(frames: &[(&str, u64)], end: End) -> Transcript {
        let events = frames
            .iter()
            .map(|(d, at)| crate::http::sse::TimedEvent {
                event: "message".into(),
                data: d.to_string(),
                at_ms: *at,
            })
            .collect();
        Transcript {
            events,
            end,
            bytes: 0,
            unterminated_tail: None,
            ended_at_ms: frames.last().map(|f| f.1).unwrap_or(0),
            broken_utf8: 0,
        }
    }

    /// Chunks of every shape the fields reading may meet: each stream is judged the same
    /// read into fields as read as JSON trees.
    #[test]
    fn common_chunks_read_into_fields_are_judged_as_json_trees_are() {
        let chunk = |body: &str| {
            format!(
                r#"{{"id":"c","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{body}]}}"#
            )
        };
        let streams: Vec<Vec<String>> = vec![
            vec![
                chunk(r#"{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"po\u006eg \ud83d\ude00"},"logprobs":null,"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{},"finish_reason":"stop"}"#),
                "[DONE]".into(),
            ],
            vec![
                chunk(r#"{"index":0,"delta":{"content":"x"},"finish_reason":"error"}"#),
                r#"{"object":"error","message":"boom","choices":[{"index":0,"delta":{"content":"y"}}]}"#.into(),
            ],
            vec![
                chunk(r#"{"index":1,"delta":{"content":"other choice"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"a","reasoning_content":"think"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"\ufffd"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":null,"refusal":null},"finish_reason":"length"}"#),
                r#"{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#.into(),
                "[DONE]".into(),
            ],
            vec![
                r#"{"id":"c","model":"other","created":1700000009,"choices":[{"delta":{"content":"hi"},"finish_reason":null}]}"#.into(),
                r#"{"id":"c","model":"m","created":"soon","choices":[{"index":0,"delta":{"content":"!"}}]}"#.into(),
                r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"?"}}],"extra":1}"#.into(),
                r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}"#.into(),
                r#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"choices":[]}"#.into(),
                r#"{"error":{"message":"late"}}"#.into(),
            ],
            // Chunks that repeat the one before with other text, and chunks that only seem to:
            // an escape, a quote, a control character, other stamps or a finish around it.
            vec![
                chunk(r#"{"index":0,"delta":{"content":"a"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"bc d"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":""},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"� é"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"q\"uote"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"q"uote"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"e\\scape\u00e9\n"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"e\scape"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"x"},"finish_reason":null}"#),
                chunk("{\"index\":0,\"delta\":{\"content\":\"con\u{1}trol\"},\"finish_reason\":null}"),
                chunk(r#"{"index":0,"delta":{"content":"y"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"y", "x":"z"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"z"},"finish_reason":null}"#),
                chunk(r#"{"index":0,"delta":{"content":"z"},"finish_reason":"stop"}"#),
                chunk(r#"{"index":0,"delta":{"content":"after the finish"},"finish_reason":"stop"}"#),
                r#"{"id":"c","object":"chat.completion.chunk","created":1700000005,"model":"m","choices":[{"index":0,"delta":{"content":"later"},"finish_reason":null}]}"#.into(),
                r#"{"id":"c","object":"chat.completion.chunk","created":1700000005,"model":"m","choices":[{"index":0,"delta":{"content":"la"ter"},"finish_reason":null}]}"#.into(),
                r#"{"id":"c","object":"chat.completion.chunk","created":1700000005,"model":"n","choices":[{"index":0,"delta":{"content":"other model"},"finish_reason":null}]}"#.into(),
                r#"{"id":"c","object":"chat.completion.chunk","created":1700000005,"model":"n","choices":[{"index":0,"delta":{"content":"other model"},"finish_reason":"length"}]}"#.into(),
                r#"{"id":"c","object":"chat.completion.chunk","created":1700000005,"model":"n","choices":[{"index":0,"delta":{"content":"more"},"finish_reason":"length"}]}"#.into(),
                "[DONE]".into(),
            ],
        ];
        for frames in streams {
            let timed: Vec<(&str, u64)> = frames
                .iter()
                .enumerate()
                .map(|(i, f)| (f.as_str(), 10 + i as u64))
                .collect();
            let t = transcript(&timed, End::Clean);
            let judged = |plain: bool| {
                let mut j = ChatStream::new("m", true, ToolExpect::Any);
                j.plain = plain;
                t.events.iter().for_each(|e| j.event(e));
                format!("{:?}", j.judge(&t, 5))
            };
            assert_eq!(judged(true), judged(false), "{frames:?}");
        }
    }

    #[test]
    fn a_chunk_that_repeats_the_last_around_other_plain_text_is_read_by_its_template() {
        let around = |text: &str| {
            format!(
                r#"{{"id":"c","created":1,"choices":[{{"index":0,"delta":{{"content":"{text}"}},"finish_reason":null}}]}}"#
            )
        };
        let first = around("a");
        let (fields, text) = Plain::read(&first).unwrap().fields();
        let t = Template::around(&first, &text, fields).expect("a template");
        assert_eq!(t.text_of(&around("bcd é ✓")).unwrap(), "bcd é ✓");
        assert_eq!(t.text_of(&around("")).unwrap(), "");
        for not_plain in [
            r#"q\"uote"#,
            r#"q"uote"#,
            r#"e\u00e9"#,
            "tab\there",
            r#"a","x":"b"#,
        ] {
            assert_eq!(t.text_of(&around(not_plain)), None, "{not_plain}");
        }
        assert_eq!(t.text_of(&first.replace("null", "\"stop\"")), None);
        // Text with an escape was copied: no template is taken from it.
        let escaped = around(r#"\u00e9"#);
        let (fields, text) = Plain::read(&escaped).unwrap().fields();
        assert!(Template::around(&escaped, &text, fields).is_none());
    }

    fn judge(t: &Transcript, want_usage: bool) -> Finding {
        judge_chat_stream(t, 5, "m", want_usage, ToolExpect::Any)
    }

    const ROLE: &str =
        r#"{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#;
    const PO: &str = r#"{"model":"m","choices":[{"index":0,"delta":{"content":"po"}}]}"#;
    const NG: &str = r#"{"model":"m","choices":[{"index":0,"delta":{"content":"ng"}}]}"#;
    const STOP: &str = r#"{"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
    const USAGE: &str =
        r#"{"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#;

    #[test]
    fn a_healthy_stream_passes_with_first_token_after_the_role_chunk() {
        let t = transcript(
            &[(ROLE, 10), (PO, 30), (NG, 50), (STOP, 60), ("[DONE]", 61)],
            End::Clean,
        );
        let f = judge(&t, false);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert_eq!(
            f.timing.first_token,
            Some(30),
            "the role-only chunk is not the first token"
        );
        assert!(f.detail.contains("\"pong\""));
    }

    #[test]
    fn usage_chunk_with_empty_choices_and_frames_after_done_are_fine() {
        let t = transcript(
            &[
                (PO, 30),
                (NG, 50),
                (STOP, 60),
                (USAGE, 61),
                ("[DONE]", 62),
                (r#"{"choices":[],"cost":"0.1"}"#, 63),
            ],
            End::Clean,
        );
        let f = judge(&t, true);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("usage 5+2"));
    }

    #[test]
    fn missing_usage_when_asked_is_ignored_param() {
        let t = transcript(&[(PO, 30), (STOP, 60), ("[DONE]", 61)], End::Clean);
        let f = judge(&t, true);
        assert_eq!(
            (f.status, f.kind, f.param.as_deref()),
            (
                Status::Warn,
                Some(Kind::ParamIgnored),
                Some("stream_options")
            )
        );
    }

    #[test]
    fn end_conditions_map_to_kinds() {
        let cut = transcript(&[(PO, 30)], End::Cut("incomplete chunked read".into()));
        assert_eq!(judge(&cut, false).kind, Some(Kind::StreamTruncated));
        let stall = transcript(&[(PO, 30)], End::Stalled { idle_ms: 2000 });
        assert_eq!(judge(&stall, false).kind, Some(Kind::StreamStalled));
        let quiet_end = transcript(&[(PO, 30)], End::Clean);
        assert_eq!(judge(&quiet_end, false).kind, Some(Kind::StreamTruncated));
        let f = judge(&transcript(&[(PO, 30), (STOP, 40)], End::Clean), false);
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::StreamNoDone)));
    }

    #[test]
    fn error_frames_and_malformed_frames() {
        let err = transcript(
            &[
                (PO, 30),
                (
                    r#"{"error":{"message":"overloaded","type":"server_error"}}"#,
                    40,
                ),
            ],
            End::Clean,
        );
        let f = judge(&err, false);
        assert_eq!(f.kind, Some(Kind::StreamError));
        assert_eq!(f.evidence.provider_message.as_deref(), Some("overloaded"));
        let bad = transcript(
            &[
                (PO, 30),
                ("{'choices': []}", 40),
                (STOP, 50),
                ("[DONE]", 51),
            ],
            End::Clean,
        );
        assert_eq!(judge(&bad, false).kind, Some(Kind::StreamMalformed));
    }

    #[test]
    fn an_error_event_that_names_its_cause_fails_with_that_kind() {
        for (event, want) in [
            (
                r#"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#,
                Kind::RateLimit,
            ),
            (
                r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#,
                Kind::ContextOverflow,
            ),
            (
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
                Kind::StreamError,
            ),
        ] {
            let t = transcript(&[(PO, 30), (event, 40)], End::Clean);
            let f = judge(&t, false);
            assert_eq!((f.status, f.kind), (Status::Fail, Some(want)), "{event}");
            assert!(f.detail.contains("after 1 events"), "{}", f.detail);
            assert!(f.evidence.provider_message.is_some(), "{event}");
        }
    }

    #[test]
    fn error_objects_in_other_shapes_inside_a_200_stream() {
        for (shape, message) in [
            (
                r#"{"object":"error","message":"CUDA out of memory","type":"InternalServerError","code":500}"#,
                "CUDA out of memory",
            ),
            (
                r#"{"id":"gen-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}],"error":{"code":502,"message":"Provider disconnected"}}"#,
                "Provider disconnected",
            ),
            (
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
                "Overloaded",
            ),
            (r#"{"detail":"upstream timed out"}"#, "upstream timed out"),
            (
                r#"{"message":"Internal error","code":500}"#,
                "Internal error",
            ),
        ] {
            let t = transcript(&[(PO, 30), (shape, 40), ("[DONE]", 41)], End::Clean);
            let f = judge(&t, false);
            assert_eq!(f.kind, Some(Kind::StreamError), "{shape}");
            assert_eq!(
                f.evidence.provider_message.as_deref(),
                Some(message),
                "{shape}"
            );
        }
        // Usage and cost chunks are chunks, not errors.
        assert!(!is_stream_error(
            &serde_json::json!({"id":"c","choices":[],"usage":{"prompt_tokens":1}})
        ));
    }

    #[test]
    fn bunching_needs_silence_after_the_headers_and_a_tight_burst() {
        let at = |headers_ms, content_at: &'static [u64]| Arrivals {
            headers_ms,
            content_at,
            produced_span_s: None,
        };
        // A buffering proxy: headers at once, the body held 1.5 s, then all of it.
        let held = bunching(at(2, &[1500, 1500, 1501, 1501, 1502])).unwrap();
        assert!(held.contains("1498 ms of silence"), "{held}");
        // Fast local server: tight, but no long wait first.
        assert!(bunching(at(1, &[3, 3, 4, 4, 5])).is_none());
        // Slow first token, then tokens at a normal pace.
        assert!(bunching(at(2, &[1500, 1520, 1540, 1560, 1580])).is_none());
        // A cold server (LiteLLM just started): headers late too, then a quick stream.
        assert!(bunching(at(948, &[948, 956, 957, 957, 958, 963])).is_none());
        // Held by something that also held the headers: the chunks' own stamps give it away.
        let stamped = Arrivals {
            produced_span_s: Some(6),
            ..at(3000, &[3001, 3001, 3002, 3002])
        };
        assert!(bunching(stamped).unwrap().contains("span 6 s"));
    }

    #[test]
    fn reasoning_deltas_are_named_counted_and_timed() {
        let think = |field: &str, at| {
            (
                format!(
                    r#"{{"model":"m","choices":[{{"index":0,"delta":{{"{field}":"hmm "}}}}]}}"#
                ),
                at,
            )
        };
        let (a, b) = (think("reasoning", 10), think("reasoning", 20));
        let usage = r#"{"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":7}}}"#;
        let frames = [
            (a.0.as_str(), a.1),
            (b.0.as_str(), b.1),
            (PO, 30),
            (NG, 40),
            (STOP, 50),
            (usage, 51),
            ("[DONE]", 52),
        ];
        let f = judge(&transcript(&frames, End::Clean), true);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        let r = f.reasoning.clone().expect("reasoning seen");
        assert_eq!(
            (r.fields, r.chunks, r.tokens),
            (vec!["reasoning".to_string()], Some(2), Some(7))
        );
        assert!(
            f.detail.contains("delta.reasoning (2 chunks, 7 tokens)"),
            "{}",
            f.detail
        );
        assert!(f.detail.contains("opencode"), "{}", f.detail);
        // Reasoning is content to the reader: it counts in the timings.
        assert_eq!(f.stream.as_ref().map(|s| s.content_chunks), Some(4));
        // Both fields, in the order they came.
        let c = think("reasoning_content", 10);
        let frames = [
            (c.0.as_str(), c.1),
            (a.0.as_str(), 15),
            (PO, 30),
            (STOP, 50),
            ("[DONE]", 52),
        ];
        let f = judge(&transcript(&frames, End::Clean), false);
        assert_eq!(
            f.reasoning.unwrap().fields,
            ["reasoning_content", "reasoning"]
        );
    }

    #[test]
    fn a_stream_that_only_reasoned_until_the_cap_is_output_length() {
        let t =
            r#"{"model":"m","choices":[{"index":0,"delta":{"reasoning_content":"thinking "}}]}"#;
        let cut = r#"{"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#;
        let tr = transcript(&[(t, 10), (t, 20), (cut, 30), ("[DONE]", 31)], End::Clean);
        for expect in [ToolExpect::Any, ToolExpect::Required] {
            let f = judge_chat_stream(&tr, 5, "m", false, expect);
            assert_eq!(
                (f.status, f.kind),
                (Status::Warn, Some(Kind::OutputLength)),
                "{expect:?}: {}",
                f.detail
            );
        }
    }

    #[test]
    fn arguments_sent_whole_twice_are_named() {
        let a = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}}]}"#;
        let b = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}"#;
        let t = transcript(&[(a, 10), (b, 20), ("[DONE]", 21)], End::Clean);
        let f = judge_chat_stream(&t, 5, "m", false, ToolExpect::Required);
        assert_eq!(
            (f.kind, f.param.as_deref()),
            (Some(Kind::BadResponse), Some("tool_calls"))
        );
        assert!(f.detail.contains("arrive twice"), "{}", f.detail);
    }

    #[test]
    fn streamed_tool_calls_assemble_and_a_forced_call_must_come() {
        let a = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#;
        let b = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#;
        let c = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}"#;
        let t = transcript(&[(a, 10), (b, 20), (c, 30), ("[DONE]", 31)], End::Clean);
        let f = judge_chat_stream(&t, 5, "m", false, ToolExpect::Required);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("get_weather({\"city\":\"Paris\"})"));
        let prose = transcript(
            &[(PO, 10), (NG, 20), (STOP, 30), ("[DONE]", 31)],
            End::Clean,
        );
        let f = judge_chat_stream(&prose, 5, "m", false, ToolExpect::Required);
        assert_eq!(
            (f.kind, f.param.as_deref()),
            (Some(Kind::ParamIgnored), Some("tool_choice"))
        );
    }
}
