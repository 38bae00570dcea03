//! `chat.stream_tool_roundtrip`: a streamed forced tool call whose first `tool_calls` delta
//! carries the call's id and name (the AI SDK, and so opencode, refuse a first delta
//! without an id), whose arguments assemble into JSON, and whose result, sent back under
//! that id, is answered (the second turn of `chat.tool_roundtrip`, not streamed).

use super::chat::{check_tool_call, ToolExpect};
use super::spec::{cost, Fold, Judge, Spec};
use super::tool_roundtrip::{first_turn, second_turn, second_turn_request, with_fault, Turn1};
use super::answer::send_stream;
use super::ask::{TokenCap, MAX_TOKENS_TOOLS};
use super::{stream, Ctx};
use crate::failure::{CheckHint, Kind};
use crate::finding::{Finding, Status};
use crate::route::Route;
use crate::http::sse::{TimedEvent, Transcript};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const SPEC: Spec = Spec {
    proves: "the tool round trip with turn one streamed",
    hint: Some(CheckHint::ToolRoundtrip),
    ..Spec::main(
        "chat.stream_tool_roundtrip",
        Route::Chat,
        |m, c| {
            vec![
                first_turn(m, c, true),
                second_turn_request(m, c, &Turn1::placeholder()),
            ]
        },
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * MAX_TOKENS_TOOLS),
    )
};

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = first_turn(model, cap, true);
    let mut turn1 = None;
    let fold = (
        stream::ChatStream::new(model, false, ToolExpect::Required),
        Calls::default(),
    );
    let f = send_stream(cx, &req, fold, |(chat, calls), t, h| {
        let f = chat.judge(t, h);
        if f.status == Status::Fail || f.kind == Some(Kind::OutputLength) {
            let mut f = f;
            f.detail = format!("turn 1: {}", f.detail);
            return f;
        }
        match calls.turn1() {
            Ok(c) => {
                turn1 = Some(c);
                f
            }
            Err(why) => {
                let mut bad = Finding::fail(Kind::BadResponse, format!("turn 1: {why}"))
                    .with_param("tool_calls");
                bad.timing = f.timing;
                bad
            }
        }
    })
    .await;
    let Some(turn1) = turn1 else {
        return f;
    };
    let mut second = second_turn(cx, model, cap, &turn1, "streamed: ").await;
    // A fault is turn one's: its evidence and timing are the stream's.
    second = with_fault(second, &turn1, f.evidence.clone(), f.timing);
    second.timing = f.timing;
    if second.status == Status::Pass && f.status == Status::Warn {
        // The round trip works; what turn one's stream warned of still stands.
        let mut w = f;
        w.detail = format!("turn 1: {} · then {}", w.detail, second.detail);
        return w;
    }
    second
}

/// What the AI SDK does with a streamed call's id, read in its source (vercel/ai at
/// ed857f50, `StreamingToolCallTracker` with the openai-compatible model's buffering, #14760).
pub const STREAMED_ID_RULE: &str = "@ai-sdk/openai-compatible 3.0.35 rejects the stream (\"Expected 'id' to be a string.\") unless the id has come by the delta that names the function (2.x wants both in the first delta), and so do clients built on it (opencode's custom providers)";

/// The streamed tool calls, by index, read as the stream arrives. An id must have come by the
/// delta that names the function (the AI SDK refuses the stream otherwise; an id that only
/// comes later is the fault named, and used); argument fragments are joined in
/// order. A delta without `index` continues the call before it. What is kept is bounded as
/// the chat judge's is: past that, the chat judge has already failed the stream.
#[derive(Default)]
pub struct Calls {
    /// index -> (id of the first delta, id seen later, name, arguments, an id had come by
    /// the delta that first named the function)
    calls: BTreeMap<u64, Streamed>,
    content: String,
    /// Reasoning text, as the AI SDK collects it (`reasoning_content ?? reasoning`), to send
    /// back with the assistant message.
    thought: String,
}

/// One streamed call: (id of the first delta, id seen later, name, arguments, an id had come
/// by the delta that first named the function).
type Streamed = (Option<Value>, Option<Value>, String, String, bool);

/// A non-empty string id.
fn usable(id: &Option<Value>) -> bool {
    id.as_ref()
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// Most calls, and most bytes of a name, arguments or text, kept from one stream.
const KEEP_CALLS: usize = 64;
const KEEP_TEXT: usize = 64 << 10;

fn push_within(s: &mut String, piece: &str) {
    if s.len() + piece.len() <= KEEP_TEXT {
        s.push_str(piece);
    }
}

impl Fold for Calls {
    fn event(&mut self, ev: &TimedEvent) {
        let Ok(v) = serde_json::from_str::<Value>(ev.data.trim()) else {
            return;
        };
        let Some(delta) = v.pointer("/choices/0/delta") else {
            return;
        };
        if let Some(c) = delta.get("content").and_then(Value::as_str) {
            push_within(&mut self.content, c);
        }
        if let Some(r) = ["reasoning_content", "reasoning"]
            .iter()
            .find_map(|k| delta.get(*k).and_then(Value::as_str))
        {
            push_within(&mut self.thought, r);
        }
        let calls = &mut self.calls;
        for d in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let index = d
                .get("index")
                .and_then(Value::as_u64)
                .unwrap_or_else(|| calls.keys().next_back().copied().unwrap_or(0));
            let first = !calls.contains_key(&index);
            if first && calls.len() >= KEEP_CALLS {
                continue;
            }
            let entry = calls.entry(index).or_default();
            let id = d.get("id").filter(|i| !i.is_null()).cloned();
            if first {
                entry.0 = Some(id.unwrap_or(Value::Null));
            } else if entry.1.is_none() && id.is_some() {
                entry.1 = id;
            }
            if let Some(n) = d.pointer("/function/name").and_then(Value::as_str) {
                if entry.2.is_empty() {
                    entry.4 = usable(&entry.0) || usable(&entry.1);
                }
                if entry.2 != n {
                    push_within(&mut entry.2, n);
                }
            }
            if let Some(a) = d.pointer("/function/arguments").and_then(Value::as_str) {
                push_within(&mut entry.3, a);
            }
        }
    }
}

/// The streamed tool calls of a stream whose events are all in hand.
pub fn streamed_calls(t: &Transcript) -> Result<Turn1, String> {
    let mut c = Calls::default();
    t.events.iter().for_each(|e| c.event(e));
    c.turn1()
}

impl Calls {
    /// The stream is over: the calls to send back, or why there are none.
    pub fn turn1(self) -> Result<Turn1, String> {
    let Calls {
        calls,
        content,
        thought,
    } = self;
    if calls.is_empty() {
        return Err("no tool_calls delta in the stream".into());
    }
    let mut late = None;
    let mut out = Vec::new();
    for (index, (first_id, later_id, name, args, by_name)) in calls {
        if name.is_empty() {
            return Err(format!("tool call {index}: no function name in its deltas"));
        }
        let call = json!({"type": "function", "function": {"name": name, "arguments": args}});
        check_tool_call(&call).map_err(|why| format!("streamed call {index}: {why}"))?;
        let mut call = call;
        call["id"] = match (usable(&first_id), usable(&later_id)) {
            (true, _) => first_id.unwrap_or(Value::Null),
            (false, true) => {
                if !by_name {
                    late.get_or_insert(index);
                }
                later_id.unwrap_or(Value::Null)
            }
            (false, false) => first_id.unwrap_or(Value::Null),
        };
        out.push(call);
    }
    let content = if content.is_empty() {
        Value::Null
    } else {
        Value::String(content)
    };
    let mut turn1 = Turn1::new(out, content);
    // The AI SDK fills in an id only for non-streamed answers.
    turn1.clients_cope = false;
    turn1.thought = Some(thought).filter(|t| !t.trim().is_empty());
    if let Some(i) = late {
        turn1.fault.get_or_insert(format!(
            "tool call {i}'s id arrives only in a later delta than the one naming the function: {STREAMED_ID_RULE}; clients that collect the whole stream cope"
        ));
    } else if let Some(f) = turn1.fault.take() {
        turn1.fault = Some(format!("{f}; in a stream, {STREAMED_ID_RULE}"));
    }
    Ok(turn1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::sse::{End, TimedEvent};

    fn t(frames: &[&str]) -> Transcript {
        Transcript {
            events: frames
                .iter()
                .map(|d| TimedEvent {
                    event: "message".into(),
                    data: d.to_string(),
                    at_ms: 1,
                })
                .collect(),
            end: End::Clean,
            bytes: 0,
            unterminated_tail: None,
            ended_at_ms: 2,
            broken_utf8: 0,
        }
    }

    #[test]
    fn the_id_must_come_in_the_first_delta() {
        let good = t(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]}"#,
        ]);
        let turn1 = streamed_calls(&good).unwrap();
        assert_eq!(turn1.calls[0]["function"]["arguments"], "{\"city\":\"Paris\"}");
        assert_eq!((turn1.calls[0]["id"].as_str(), turn1.fault), (Some("c1"), None));
        let late = t(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"get_weather","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"arguments":"{}"}}]}}]}"#,
        ]);
        let turn1 = streamed_calls(&late).unwrap();
        assert_eq!(turn1.calls[0]["id"], "c1", "the late id is the one sent back");
        assert!(turn1.fault.unwrap().contains("only in a later delta"));
    }
}
