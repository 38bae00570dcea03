//! `/messages` (Anthropic Messages, as Zen serves Claude): the checks `messages.basic` and
//! `messages.stream` with their judges. The key goes in `x-api-key`, with `anthropic-version`.

use super::answer::{answer_json, judge_usage_and_model, reasoning_spent_cap};
use super::ask::{MAX_TOKENS, PROMPT};
use super::spec::{cost, judge_whole, Fold, Judge, Spec, Stage, StreamJudge};
use super::stream::{
    error_event, finish, json_event, judge_content, judge_end, missing_terminal, note_model,
    Arrivals, Read, Text,
};
use crate::failure::Kind;
use crate::finding::{Finding, Problems};
use crate::fit::excerpt;
use crate::http::sse::{TimedEvent, Transcript};
use crate::http::{Answer, Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

pub const MESSAGES_BASIC: Spec = Spec {
    stage: Stage::Basic,
    proves: "Anthropic /messages: content text, stop_reason, usage",
    ..Spec::main(
        "messages.basic",
        Route::Messages,
        |m, _| vec![request(m, false)],
        Judge::Json(judge),
        cost(1, MAX_TOKENS),
    )
};

pub const MESSAGES_STREAM: Spec = Spec {
    proves: "the Anthropic event stream: message_start … message_stop",
    ..Spec::main(
        "messages.stream",
        Route::Messages,
        |m, _| vec![request(m, true)],
        Judge::Stream(|m| Box::new(MessagesStream::new(m))),
        cost(1, MAX_TOKENS),
    )
};

pub fn request(model: &str, stream: bool) -> Request {
    let mut body = json!({"model": model, "max_tokens": MAX_TOKENS, "messages": [{"role": "user", "content": PROMPT}]});
    if stream {
        body["stream"] = json!(true);
    }
    Request::post(Route::Messages.path(), body, Auth::Anthropic)
}

pub fn judge(a: &Answer, asked: &str) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let Some(content) = v.get("content").and_then(Value::as_array) else {
        return Finding::fail(
            Kind::BadResponse,
            "no content[] in the answer: not the Anthropic Messages shape",
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    };
    let mut p = Problems::default();
    let text: String = content
        .iter()
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    let stop = v.get("stop_reason").and_then(Value::as_str);
    if stop.is_none() {
        p.warn(Kind::BadResponse, "no stop_reason");
    }
    let reasoning = crate::reasoning::of_message(&v);
    if !reasoning_spent_cap(&text, 0, stop, reasoning.as_ref(), &mut p) && text.trim().is_empty() {
        p.warn(Kind::BadResponse, "empty answer");
    }
    let tokens = judge_usage_and_model(&v, asked, ("input_tokens", "output_tokens"), &mut p);
    let thought = reasoning
        .as_ref()
        .map(|r| format!(" · {}", r.describe("content block ")))
        .unwrap_or_default();
    let summary = format!(
        "\"{}\" · stop {}{tokens}{thought}",
        excerpt(&text, 40),
        stop.unwrap_or("-")
    );
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = reasoning;
    f
}

/// The judge of an Anthropic event stream, as a fold: `message_start` …
/// `content_block_delta` … `message_delta` … `message_stop`; `ping` and unknown events are
/// tolerated.
#[derive(Default)]
pub struct MessagesStream {
    asked: String,
    p: Problems,
    text: Text,
    content_at: Vec<u64>,
    models: Vec<String>,
    stopped: bool,
    stop_reason: Option<String>,
    error_message: Option<String>,
    events: usize,
    malformed: bool,
    thinking: crate::reasoning::Reasoning,
}

impl MessagesStream {
    pub fn new(asked: &str) -> MessagesStream {
        MessagesStream {
            asked: asked.to_string(),
            ..Default::default()
        }
    }
}

impl Fold for MessagesStream {
    fn event(&mut self, ev: &TimedEvent) {
        let MessagesStream {
            p,
            text,
            content_at,
            models,
            stopped,
            stop_reason,
            error_message,
            events,
            malformed,
            thinking,
            ..
        } = self;
        let Some(v) = json_event(&ev.data, events, malformed, p) else {
            return;
        };
        match v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(ev.event.as_str())
        {
            "message_start" => {
                if let Some(m) = v.pointer("/message/model").and_then(Value::as_str) {
                    note_model(models, m);
                }
            }
            "content_block_start"
                if v.pointer("/content_block/type").and_then(Value::as_str) == Some("thinking") =>
            {
                thinking.saw("thinking");
            }
            "content_block_delta"
                if v.pointer("/delta/type").and_then(Value::as_str) == Some("thinking_delta") =>
            {
                thinking.saw("thinking");
                *thinking.chunks.get_or_insert(0) += 1;
                content_at.push(ev.at_ms);
            }
            "content_block_delta" => {
                if let Some(d) = v
                    .pointer("/delta/text")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                {
                    text.push(d);
                    content_at.push(ev.at_ms);
                }
            }
            "message_delta" => {
                *stop_reason = v
                    .pointer("/delta/stop_reason")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }
            "message_stop" => *stopped = true,
            "error" if error_message.is_none() => {
                *error_message = Some(error_event(&ev.data, "error event", *events, p));
            }
            _ => {}
        }
    }
}

impl StreamJudge for MessagesStream {
    /// The stream is over: judge it.
    fn finish(self: Box<Self>, t: &Transcript, headers_ms: u64) -> Finding {
        let MessagesStream {
            asked,
            mut p,
            text,
            content_at,
            models,
            stopped,
            stop_reason,
            error_message,
            events,
            thinking,
            ..
        } = *self;
        let asked = asked.as_str();
        let blank = text.is_blank();
        let text = text.as_str();
        let clean = judge_end(t, events, &mut p);
        if clean && !stopped && error_message.is_none() {
            missing_terminal(t, "message_stop", events, &mut p);
        }
        let reasoning = thinking.seen();
        let spent = clean
            && stopped
            && reasoning_spent_cap(text, 0, stop_reason.as_deref(), reasoning.as_ref(), &mut p);
        if clean && stopped && blank && !spent {
            p.warn(Kind::BadResponse, "no text in the stream");
        }
        judge_content(
            Arrivals {
                headers_ms,
                content_at: &content_at,
                produced_span_s: None,
            },
            &models,
            asked,
            &mut p,
        );
        let summary = format!(
            "\"{}\" · {events} events · stop {} · {}",
            excerpt(text, 40),
            stop_reason.as_deref().unwrap_or("-"),
            if stopped {
                "message_stop"
            } else {
                "no message_stop"
            },
        );
        finish(
            p,
            summary,
            Read {
                transcript: t,
                headers_ms,
                content_at: &content_at,
                error_message,
                reasoning,
                reasoning_in: "content block ",
            },
        )
    }
}

/// Judge an Anthropic event stream whose events are all in hand.
pub fn judge_stream(t: &Transcript, headers_ms: u64, asked: &str) -> Finding {
    judge_whole(Box::new(MessagesStream::new(asked)), t, headers_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;
    use crate::http::sse::{End, TimedEvent};

    fn transcript(frames: &[&str], end: End) -> Transcript {
        let events = frames
            .iter()
            .enumerate()
            .map(|(i, d)| TimedEvent {
                event: "message".into(),
                data: d.to_string(),
                at_ms: 10 * (i as u64 + 1),
            })
            .collect();
        Transcript {
            events,
            end,
            bytes: 0,
            unterminated_tail: None,
            ended_at_ms: 100,
            broken_utf8: 0,
        }
    }

    const START: &str = r#"{"type":"message_start","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":9}}}"#;
    const DELTA: &str =
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"pong"}}"#;
    const MDELTA: &str = r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}"#;
    const STOP: &str = r#"{"type":"message_stop"}"#;

    #[test]
    fn a_full_anthropic_stream_with_zen_ping_passes() {
        let f = judge_stream(
            &transcript(
                &[
                    START,
                    r#"{"type":"ping"}"#,
                    DELTA,
                    MDELTA,
                    STOP,
                    r#"{"type":"ping","cost":"0.0002"}"#,
                ],
                End::Clean,
            ),
            5,
            "claude-haiku-4-5",
        );
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
    }

    #[test]
    fn overloaded_error_event_and_missing_stop() {
        let err = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let f = judge_stream(
            &transcript(&[START, DELTA, err], End::Clean),
            5,
            "claude-haiku-4-5",
        );
        assert_eq!(
            (f.kind, f.evidence.provider_message.as_deref()),
            (Some(Kind::StreamError), Some("Overloaded"))
        );
        assert_eq!(
            judge_stream(
                &transcript(&[START, DELTA], End::Clean),
                5,
                "claude-haiku-4-5"
            )
            .kind,
            Some(Kind::StreamTruncated)
        );
    }
}
