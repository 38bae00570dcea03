//! `chat.stream_tool_roundtrip`: a streamed forced tool call whose first `tool_calls` delta
//! carries the call's id and name (the AI SDK, and so opencode, refuse a first delta
//! without an id), whose arguments assemble into JSON, and whose result, sent back under
//! that id, is answered (the second turn of `chat.tool_roundtrip`, not streamed).

use super::chat::{check_tool_call, ToolExpect};
use super::spec::{cost, Judge, Spec};
use super::tool_roundtrip::{first_turn, placeholder_call, second_turn, second_turn_request};
use super::{send_stream, stream, Ctx, TokenCap, MAX_TOKENS_TOOLS};
use crate::failure::Kind;
use crate::outcome::{Finding, Status};
use crate::route::Route;
use crate::sse::Transcript;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec::main(
    "chat.stream_tool_roundtrip",
    Route::Chat,
    |m, c| {
        vec![
            first_turn(m, c, true),
            second_turn_request(m, c, &placeholder_call()),
        ]
    },
    Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
    cost(2, 2 * MAX_TOKENS_TOOLS),
);

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = first_turn(model, cap, true);
    let mut call = None;
    let f = send_stream(cx, &req, |t, h| {
        let f = stream::judge_chat_stream(t, h, model, false, ToolExpect::Required);
        if f.status == Status::Fail {
            return f;
        }
        match streamed_call(t) {
            Ok(c) => {
                call = Some(c);
                f
            }
            Err(why) => {
                let mut bad = Finding::fail(Kind::BadResponse, format!("turn 1: {why}"));
                bad.timing = f.timing;
                bad
            }
        }
    })
    .await;
    match call {
        Some(c) => {
            let mut second = second_turn(cx, model, cap, &c, "streamed: ").await;
            second.timing = f.timing;
            second
        }
        None => f,
    }
}

/// The first streamed tool call: its first delta must carry `id` and `function.name`;
/// the argument fragments of every delta for that index are joined.
pub fn streamed_call(t: &Transcript) -> Result<Value, String> {
    let mut first: Option<(u64, Value)> = None;
    let mut args = String::new();
    for ev in &t.events {
        let Ok(v) = serde_json::from_str::<Value>(ev.data.trim()) else {
            continue;
        };
        let deltas = v
            .pointer("/choices/0/delta/tool_calls")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for d in deltas {
            let index = d.get("index").and_then(Value::as_u64).unwrap_or(0);
            match &first {
                None => first = Some((index, d.clone())),
                Some((i, _)) if *i != index => continue,
                Some(_) => {}
            }
            if let Some(a) = d.pointer("/function/arguments").and_then(Value::as_str) {
                args.push_str(a);
            }
        }
    }
    let (_, delta) = first.ok_or("no tool_calls delta in the stream")?;
    let id = match delta.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            return Err(
                "the first tool_calls delta carries no id: the AI SDK (and opencode) reject the stream, and the result cannot be sent back"
                    .into(),
            )
        }
    };
    let name = delta
        .pointer("/function/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("the first tool_calls delta carries no function name")?;
    let call = json!({"id": id, "type": "function", "function": {"name": name, "arguments": args}});
    check_tool_call(&call).map_err(|why| format!("streamed call: {why}"))?;
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::{End, TimedEvent};

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
        }
    }

    #[test]
    fn the_id_must_come_in_the_first_delta() {
        let good = t(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get_weather","arguments":"{\"ci"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]}"#,
        ]);
        let call = streamed_call(&good).unwrap();
        assert_eq!(call["function"]["arguments"], "{\"city\":\"Paris\"}");
        let late = t(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"get_weather","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"arguments":"{}"}}]}}]}"#,
        ]);
        assert!(streamed_call(&late).unwrap_err().contains("no id"));
    }
}
