//! `/responses` (OpenAI Responses API): the checks `responses.basic`, `responses.stream`,
//! `responses.tools` and their judges. Its stream is typed events ending in `response.completed` (or
//! `.incomplete` / `.failed`); there is no `[DONE]` to demand.

use super::answer::{answer_json, judge_usage_and_model, reasoning_spent_cap};
use super::ask::{MAX_TOKENS, MAX_TOKENS_TOOLS, PROMPT};
use super::chat::{
    check_tool_call, describe_calls, judge_tool_choice, tool_parameters, ToolExpect, TOOL_NAME,
    TOOL_PROMPT,
};
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

pub const RESPONSES_BASIC: Spec = Spec {
    stage: Stage::Basic,
    proves: "POST /responses: output text, status, usage",
    ..Spec::main(
        "responses.basic",
        Route::Responses,
        |m, _| vec![request(m, false, false)],
        Judge::Json(|a, m| judge(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS),
    )
};

pub const RESPONSES_STREAM: Spec = Spec {
    proves: "the Responses event stream: deltas assemble, completed arrives",
    ..Spec::main(
        "responses.stream",
        Route::Responses,
        |m, _| vec![request(m, true, false)],
        Judge::Stream(|m| Box::new(ResponsesStream::new(m))),
        cost(1, MAX_TOKENS),
    )
};

pub const RESPONSES_TOOLS: Spec = Spec {
    proves: "the Responses tool shape returns a function_call item",
    ..Spec::main(
        "responses.tools",
        Route::Responses,
        |m, _| vec![request(m, false, true)],
        Judge::Json(|a, m| judge(a, m, ToolExpect::Required)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub fn request(model: &str, stream: bool, tools: bool) -> Request {
    // The Responses API refuses max_output_tokens below 16.
    let mut body =
        json!({"model": model, "input": PROMPT, "max_output_tokens": MAX_TOKENS.max(16)});
    if stream {
        body["stream"] = json!(true);
    }
    if tools {
        body["input"] = json!(TOOL_PROMPT);
        body["max_output_tokens"] = json!(MAX_TOKENS_TOOLS);
        // The Responses API's tool shape is flat: no nested "function" object.
        body["tools"] = json!([{"type": "function", "name": TOOL_NAME, "description": "Get the current weather for a city.", "parameters": tool_parameters()}]);
        body["tool_choice"] = json!("required");
    }
    Request::post(Route::Responses.path(), body, Auth::Bearer)
}

/// A 2xx answer as JSON, refused as not the Responses shape when it has no `output[]`.
pub fn response_json(a: &Answer) -> Result<Value, Finding> {
    let v = answer_json(a)?;
    if v.get("output").and_then(Value::as_array).is_none() {
        return Err(Finding::fail(Kind::BadResponse, NOT_RESPONSES)
            .with_evidence(a.evidence())
            .with_timing(a.timing));
    }
    Ok(v)
}

/// What a tool round trip or judge says of an answer without `output[]`.
pub const NOT_RESPONSES: &str = "no output[] in the answer: not the Responses shape";

/// The `output[]` of an answer `response_json` accepted.
pub fn output_items(v: &Value) -> &[Value] {
    v.get("output")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Judge a 2xx non-streaming Responses answer.
pub fn judge(a: &Answer, asked: &str, expect: ToolExpect) -> Finding {
    let v = match response_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let output = output_items(&v);
    let mut p = Problems::default();
    // A thought in <think> tags is reasoning, not the answer.
    let text = crate::reasoning::answer_text(&output_text(output));
    let calls: Vec<&Value> = output
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("function_call"))
        .collect();
    for c in &calls {
        if let Err(why) = check_tool_call(c) {
            p.fail_param(
                Kind::BadResponse,
                "tool_calls",
                format!("function_call: {why}"),
            );
        }
    }
    let status = v.get("status").and_then(Value::as_str);
    match status {
        Some("completed") | Some("incomplete") => {}
        Some("failed") => {
            let msg = v
                .pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("no message");
            p.fail(
                Kind::ServerError,
                format!("status failed: {}", excerpt(msg, 120)),
            );
        }
        Some(other) => p.warn(Kind::BadResponse, format!("unexpected status `{other}`")),
        None => p.warn(Kind::BadResponse, "no status"),
    }
    let names: Vec<&str> = calls
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    let reasoning = crate::reasoning::of_response(&v);
    let at_cap = completed_at_cap(&v, a.sent_cap, &mut p);
    // `incomplete` for the cap is the Responses API's `finish_reason: length`.
    let cut = (status == Some("incomplete") || at_cap).then_some("length");
    let spent = reasoning_spent_cap(&text, calls.len(), cut, reasoning.as_ref(), &mut p)
        || super::chat::may_blame_cap(expect, &text)
            && super::answer::cut_at_cap(&text, calls.len(), cut, &mut p);
    if !spent {
        judge_tool_choice(expect, &names, &text, cut, &mut p);
    }
    if text.trim().is_empty() && calls.is_empty() && expect == ToolExpect::Any && !spent {
        let why = if status == Some("incomplete") {
            " (incomplete: the output cap went elsewhere, e.g. to reasoning)"
        } else {
            ""
        };
        p.warn(Kind::BadResponse, format!("empty answer{why}"));
    }
    let tokens = judge_usage_and_model(&v, asked, ("input_tokens", "output_tokens"), &mut p);
    let said = if calls.is_empty() {
        format!("\"{}\"", excerpt(&text, 40))
    } else {
        describe_calls(&calls.into_iter().cloned().collect::<Vec<_>>())
    };
    let thought = reasoning
        .as_ref()
        .map(|r| format!(" · {}", r.describe("output item ")))
        .unwrap_or_default();
    let summary = format!("{said} · status {}{tokens}{thought}", status.unwrap_or("-"));
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = reasoning;
    f
}

/// `status: "completed"` although `usage.output_tokens` equals the cap the request sent, and
/// no `incomplete_details`: the answer was most likely cut at the cap while the server calls
/// it whole (OpenAI answers `incomplete`, `incomplete_details.reason: max_output_tokens`;
/// llama.cpp's server says `completed`). Recorded as a warning; true when the answer is
/// taken as cut. Only at the cap exactly: a count above it was not cut there (canned usage,
/// as LiteLLM's mock answers carry, or a cap not applied), and calling it cut would be
/// guessing.
pub fn completed_at_cap(v: &Value, sent_cap: Option<u64>, p: &mut Problems) -> bool {
    let out = v.pointer("/usage/output_tokens").and_then(Value::as_u64);
    let says_whole = v.get("status").and_then(Value::as_str) == Some("completed")
        && v.get("incomplete_details").is_none_or(Value::is_null);
    match (out, sent_cap) {
        (Some(out), Some(cap)) if says_whole && out == cap => {
            p.warn_param(
                Kind::BadResponse,
                "max_output_tokens",
                format!(
                    "status completed, but output_tokens {out} reached max_output_tokens {cap}: the answer was most likely cut at the cap, and nothing says so (OpenAI answers status incomplete with incomplete_details.reason max_output_tokens); clients that check status take a cut answer for a whole one"
                ),
            );
            true
        }
        _ => false,
    }
}

/// The text of every `message` item's `output_text` parts.
pub fn output_text(output: &[Value]) -> String {
    output
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("message"))
        .flat_map(|i| {
            i.get("content")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|c| c.get("text").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The judge of a Responses event stream, as a fold. Unknown event types (ping, cost
/// frames) are tolerated.
#[derive(Default)]
pub struct ResponsesStream {
    asked: String,
    p: Problems,
    text: Text,
    content_at: Vec<u64>,
    models: Vec<String>,
    terminal: Option<String>,
    error_message: Option<String>,
    usage: Option<Value>,
    events: usize,
    malformed: bool,
    thinking: crate::reasoning::Reasoning,
}

impl ResponsesStream {
    pub fn new(asked: &str) -> ResponsesStream {
        ResponsesStream {
            asked: asked.to_string(),
            ..Default::default()
        }
    }
}

impl Fold for ResponsesStream {
    fn event(&mut self, ev: &TimedEvent) {
        let ResponsesStream {
            p,
            text,
            content_at,
            models,
            terminal,
            error_message,
            usage,
            events,
            malformed,
            thinking,
            ..
        } = self;
        let data = ev.data.trim();
        if data == "[DONE]" {
            return;
        }
        let Some(v) = json_event(data, events, malformed, p) else {
            return;
        };
        // The type is in the data; the `event:` line repeats it (and may be absent).
        let ty = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(ev.event.as_str());
        match ty {
            "response.reasoning_text.delta" | "response.reasoning_summary_text.delta" => {
                thinking.saw("reasoning");
                *thinking.chunks.get_or_insert(0) += 1;
                content_at.push(ev.at_ms);
            }
            "response.output_item.added"
                if v.pointer("/item/type").and_then(Value::as_str) == Some("reasoning") =>
            {
                thinking.saw("reasoning");
            }
            "response.output_text.delta" => {
                if let Some(d) = v
                    .get("delta")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                {
                    text.push(d);
                    content_at.push(ev.at_ms);
                }
            }
            "response.created" | "response.completed" | "response.incomplete" => {
                if let Some(m) = v.pointer("/response/model").and_then(Value::as_str) {
                    note_model(models, m);
                }
                if ty != "response.created" {
                    *terminal = Some(ty.to_string());
                    *usage = v
                        .pointer("/response/usage")
                        .filter(|u| u.is_object())
                        .cloned();
                }
            }
            "response.failed" => {
                if error_message.is_none() {
                    let msg = if v.pointer("/response/error/message").is_some() {
                        error_event(data, "response.failed", *events, p)
                    } else {
                        p.fail(
                            Kind::StreamError,
                            format!("response.failed after {events} events without a message"),
                        );
                        "response.failed without a message".to_string()
                    };
                    *error_message = Some(msg);
                }
                *terminal = Some(ty.to_string());
            }
            "error" if error_message.is_none() => {
                *error_message = Some(error_event(data, "error event", *events, p));
            }
            _ => {}
        }
    }
}

impl StreamJudge for ResponsesStream {
    /// The stream is over: judge it.
    fn finish(self: Box<Self>, t: &Transcript, headers_ms: u64) -> Finding {
        let ResponsesStream {
            asked,
            mut p,
            text,
            content_at,
            models,
            terminal,
            error_message,
            usage,
            events,
            mut thinking,
            ..
        } = *self;
        let asked = asked.as_str();
        let blank = text.is_blank();
        let text = text.as_str();
        let clean = judge_end(t, events, &mut p);
        if clean && terminal.is_none() && error_message.is_none() {
            missing_terminal(t, "response.completed", events, &mut p);
        }
        if let Some(u) = &usage {
            thinking.read_usage(u);
        }
        let reasoning = thinking.seen();
        let cut = (terminal.as_deref() == Some("response.incomplete")).then_some("length");
        let spent = clean
            && error_message.is_none()
            && reasoning_spent_cap(text, 0, cut, reasoning.as_ref(), &mut p);
        if clean && error_message.is_none() && terminal.is_some() && blank && !spent {
            p.warn(Kind::BadResponse, "no output_text in the stream");
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
        let mut summary = format!(
            "\"{}\" · {events} events · {}",
            excerpt(text, 40),
            terminal.as_deref().unwrap_or("no terminal event")
        );
        if let Some(u) = &usage {
            summary.push_str(&format!(
                " · usage {}",
                super::answer::token_counts(u, ("input_tokens", "output_tokens"))
            ));
        }
        finish(
            p,
            summary,
            Read {
                transcript: t,
                headers_ms,
                content_at: &content_at,
                error_message,
                reasoning,
                reasoning_in: "output item ",
            },
        )
    }
}

/// Judge a Responses event stream whose events are all in hand.
pub fn judge_stream(t: &Transcript, headers_ms: u64, asked: &str) -> Finding {
    judge_whole(Box::new(ResponsesStream::new(asked)), t, headers_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;
    use crate::finding::Timing;
    use crate::http::sse::{End, TimedEvent};

    #[test]
    fn completed_at_the_cap_exactly_is_taken_as_cut_and_above_it_is_not() {
        let answer =
            |out: u64| serde_json::json!({"status": "completed", "usage": {"output_tokens": out}});
        let mut p = Problems::default();
        assert!(completed_at_cap(&answer(16), Some(16), &mut p));
        assert_eq!(p.into_finding(String::new()).status, Status::Warn);
        // LiteLLM's canned answers carry 87 output tokens whatever the cap: not a cut.
        let mut p = Problems::default();
        assert!(!completed_at_cap(&answer(87), Some(16), &mut p));
        assert!(!completed_at_cap(&answer(9), Some(16), &mut p));
        assert_eq!(p.into_finding(String::new()).status, Status::Pass);
    }

    fn transcript(frames: &[(&str, &str)]) -> Transcript {
        let events = frames
            .iter()
            .enumerate()
            .map(|(i, (e, d))| TimedEvent {
                event: e.to_string(),
                data: d.to_string(),
                at_ms: 10 * (i as u64 + 1),
            })
            .collect();
        Transcript {
            events,
            end: End::Clean,
            bytes: 0,
            unterminated_tail: None,
            ended_at_ms: 100,
            broken_utf8: 0,
        }
    }

    const CREATED: (&str, &str) = (
        "response.created",
        r#"{"type":"response.created","sequence_number":0,"response":{"model":"gpt-5-nano","status":"in_progress"}}"#,
    );
    const DELTA: (&str, &str) = (
        "response.output_text.delta",
        r#"{"type":"response.output_text.delta","sequence_number":1,"delta":"pong"}"#,
    );
    const DONE: (&str, &str) = (
        "response.completed",
        r#"{"type":"response.completed","sequence_number":2,"response":{"model":"gpt-5-nano","status":"completed","usage":{"input_tokens":9,"output_tokens":1}}}"#,
    );

    #[test]
    fn a_completed_stream_with_pings_and_cost_frames_passes_without_done() {
        let ping = ("ping", r#"{"type":"ping","cost":"0.0001"}"#);
        let f = judge_stream(
            &transcript(&[CREATED, ping, DELTA, DONE, ping]),
            5,
            "gpt-5-nano",
        );
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("usage 9+1"));
    }

    #[test]
    fn failed_and_error_events_are_stream_errors() {
        let failed = (
            "response.failed",
            r#"{"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"upstream broke"}}}"#,
        );
        let f = judge_stream(&transcript(&[CREATED, DELTA, failed]), 5, "gpt-5-nano");
        assert_eq!(
            (f.kind, f.evidence.provider_message.as_deref()),
            (Some(Kind::StreamError), Some("upstream broke"))
        );
        let err = (
            "error",
            r#"{"type":"error","code":"server_error","message":"slow down"}"#,
        );
        assert_eq!(
            judge_stream(&transcript(&[CREATED, err]), 5, "gpt-5-nano").kind,
            Some(Kind::StreamError)
        );
        // An event whose code names its cause fails with that kind, either shape.
        let limited = (
            "error",
            r#"{"type":"error","code":"rate_limit_exceeded","message":"slow down"}"#,
        );
        let failed_limited = (
            "response.failed",
            r#"{"type":"response.failed","response":{"status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached"}}}"#,
        );
        for ev in [limited, failed_limited] {
            let f = judge_stream(&transcript(&[CREATED, DELTA, ev]), 5, "gpt-5-nano");
            assert_eq!(f.kind, Some(Kind::RateLimit), "{}", f.detail);
            assert!(f.detail.contains("inside the 200 stream"), "{}", f.detail);
        }
    }

    #[test]
    fn no_terminal_event_is_truncation() {
        assert_eq!(
            judge_stream(&transcript(&[CREATED, DELTA]), 5, "gpt-5-nano").kind,
            Some(Kind::StreamTruncated)
        );
    }

    #[test]
    fn non_streaming_answer_and_forced_tool_call() {
        let answer = |body: &str| Answer {
            status: 200,
            content_type: Some("application/json".into()),
            request_id: None,
            retry_after_secs: None,
            body: body.as_bytes().to_vec(),
            timing: Timing::default(),
            waited_secs: None,
            sent_cap: None,
            path: None,
        };
        let text = answer(
            r#"{"object":"response","status":"completed","model":"gpt-5-nano","output":[{"type":"reasoning"},{"type":"message","content":[{"type":"output_text","text":"pong"}]}],"usage":{"input_tokens":9,"output_tokens":1}}"#,
        );
        assert_eq!(
            judge(&text, "gpt-5-nano", ToolExpect::Any).status,
            Status::Pass
        );
        assert_eq!(
            judge(&text, "gpt-5-nano", ToolExpect::Required).kind,
            Some(Kind::ParamIgnored)
        );
        let call = answer(
            r#"{"status":"completed","model":"gpt-5-nano","output":[{"type":"function_call","name":"get_weather","arguments":"{\"city\":\"Paris\"}","call_id":"c1"}],"usage":{}}"#,
        );
        let f = judge(&call, "gpt-5-nano", ToolExpect::Required);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("get_weather"));
    }
}
