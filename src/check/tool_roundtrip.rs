//! `chat.tool_roundtrip`: the second turn after a tool call, where agents break. Turn one
//! forces a call; turn two sends the assistant message with its `tool_calls` and a `tool`
//! message with the same `tool_call_id`, whose result holds a token; the answer must be a
//! 2xx that uses it. What breaks: a call without an id (Ollama, llama.cpp), an id the server
//! refuses when echoed, a chat template that cannot render tool messages (a 500), the model
//! calling the tool again instead of answering.
//!
//! The second turn is shared with `chat.stream_tool_roundtrip`.

use super::chat::{self, excerpt, TOOL_NAME};
use super::spec::{cost, Judge, Spec};
use super::{answer_error, answer_json, send_json, Ctx, TokenCap, MAX_TOKENS_TOOLS};
use crate::failure::Kind;
use crate::http::{Answer, Auth, Request};
use crate::outcome::{Finding, Problems, Status};
use crate::route::Route;
use serde_json::{json, Value};

/// The user's turn: asks for the call, and for the token that only the result holds.
pub const ROUNDTRIP_PROMPT: &str =
    "What is the weather in Paris? Use the get_weather tool, then quote the report_id it returns.";
/// The token the answer must quote: proof that the tool result reached the model.
pub const TOKEN: &str = "ZC-4821";
/// The id a dry run shows for the call the first turn will return.
pub const PLACEHOLDER_ID: &str = "<id of the tool call from turn 1>";

pub fn tool_result() -> String {
    json!({"city": "Paris", "temperature_c": 17, "report_id": TOKEN}).to_string()
}

pub const SPEC: Spec = Spec::main(
    "chat.tool_roundtrip",
    Route::Chat,
    |m, c| {
        let call = placeholder_call();
        vec![first_turn(m, c, false), second_turn_request(m, c, &call)]
    },
    Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
    cost(2, 2 * MAX_TOKENS_TOOLS),
);

/// Turn one: the weather tool, forced.
pub fn first_turn(model: &str, cap: TokenCap, stream: bool) -> Request {
    let mut body = chat::tool_request(model, stream, cap, json!("required"));
    body["messages"] = json!([{"role": "user", "content": ROUNDTRIP_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

pub fn placeholder_call() -> Value {
    json!({"id": PLACEHOLDER_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": "{\"city\":\"Paris\"}"}})
}

/// Turn two: the call as the server sent it, and its result under the same id.
pub fn second_turn_request(model: &str, cap: TokenCap, call: &Value) -> Request {
    let id = call.get("id").and_then(Value::as_str).unwrap_or("");
    let mut call = call.clone();
    if call.get("type").is_none() {
        call["type"] = json!("function");
    }
    let mut body = chat::tool_request(model, false, cap, json!("auto"));
    body["messages"] = json!([
        {"role": "user", "content": ROUNDTRIP_PROMPT},
        {"role": "assistant", "content": null, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": id, "content": tool_result()},
    ]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = first_turn(model, cap, false);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let call = match first_call(&a) {
        Ok(c) => c,
        Err(f) => return f,
    };
    second_turn(cx, model, cap, &call, "").await
}

/// The first tool call of a chat answer, with an id a client can send back.
fn first_call(a: &Answer) -> Result<Value, Finding> {
    let v = answer_json(a)?;
    let fail = |kind, param: Option<&str>, detail: String| {
        let mut f = Finding::fail(kind, format!("turn 1: {detail}"))
            .with_evidence(a.evidence())
            .with_timing(a.timing);
        f.param = param.map(str::to_string);
        f
    };
    let Some(call) = v.pointer("/choices/0/message/tool_calls/0") else {
        let text = v
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .unwrap_or("");
        return Err(fail(
            Kind::ParamIgnored,
            Some("tool_choice"),
            format!(
                "tool_choice \"required\" got no tool call (\"{}\"), so there is no result to send back",
                excerpt(text, 40)
            ),
        ));
    };
    if let Err(why) = chat::check_tool_call(call) {
        return Err(fail(Kind::BadResponse, None, why));
    }
    check_id(call).map_err(|why| fail(Kind::BadResponse, None, why))?;
    Ok(call.clone())
}

/// A call a client can answer carries a non-empty string id.
pub fn check_id(call: &Value) -> Result<(), String> {
    match call.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        Some(Value::String(_)) => Err("the tool call's id is empty: a client cannot send the result back under its tool_call_id".into()),
        Some(other) => Err(format!("the tool call's id is {other}, not a string: a client cannot send the result back")),
        None => Err("the tool call has no id: a client cannot send the result back under its tool_call_id (Ollama and llama.cpp servers do this)".into()),
    }
}

/// Send the result of `call` back and judge the answer. `turn1` describes the first turn
/// for the pass detail.
pub async fn second_turn(
    cx: &Ctx<'_>,
    model: &str,
    cap: TokenCap,
    call: &Value,
    turn1: &str,
) -> Finding {
    let req = second_turn_request(model, cap, call);
    let id = call.get("id").and_then(Value::as_str).unwrap_or("");
    let f = send_json(cx, &req, |a| judge_second(a, id, turn1)).await;
    if f.evidence.http_status.is_some_and(|s| s >= 300) {
        refused_second(f, id)
    } else {
        f
    }
}

/// Name what a refusal of the second turn means.
fn refused_second(mut f: Finding, id: &str) -> Finding {
    let msg = f
        .evidence
        .provider_message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let status = f.evidence.http_status.unwrap_or(0);
    if (400..500).contains(&status)
        && matches!(f.kind, Some(Kind::BadRequest) | Some(Kind::ParamRejected))
        && (msg.contains("tool_call_id") || msg.contains("tool call id") || msg.contains(" id"))
    {
        f.kind = Some(Kind::ParamRejected);
        f.param = Some("tool_call_id".into());
        f.detail = format!(
            "turn 2: the tool call id `{}` was refused when sent back ({})",
            excerpt(id, 40),
            f.detail
        );
    } else if msg.contains("template") || msg.contains("roles must alternate") {
        f.detail = format!(
            "turn 2: the chat template cannot render the tool messages ({})",
            f.detail
        );
    } else {
        f.detail = format!("turn 2 (the tool result sent back): {}", f.detail);
    }
    f
}

/// Judge the 2xx answer to the tool result: it must answer, using the result.
pub fn judge_second(a: &Answer, id: &str, turn1: &str) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(mut f) => {
            f.detail = format!("turn 2: {}", f.detail);
            return f;
        }
    };
    let mut p = Problems::default();
    let message = v.pointer("/choices/0/message").unwrap_or(&Value::Null);
    let text = message.get("content").and_then(Value::as_str).unwrap_or("");
    let again: Vec<&str> = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/function/name").and_then(Value::as_str))
        .collect();
    if !again.is_empty() {
        p.fail_param(
            Kind::ParamIgnored,
            "tool",
            format!(
                "turn 2 called {} again instead of answering from the tool result: an agent loops",
                again.join(", ")
            ),
        );
    } else if text.trim().is_empty() {
        p.warn(Kind::BadResponse, "turn 2 answered with no text");
    } else if !text.contains(TOKEN) && !text.contains(&TOKEN[3..]) {
        p.warn_param(
            Kind::ParamIgnored,
            "tool",
            format!(
                "turn 2 answered without the tool result's report_id {TOKEN}: \"{}\"",
                excerpt(text, 60)
            ),
        );
    }
    let summary = format!(
        "{turn1}called {TOOL_NAME} (id {}), sent its result back, answered \"{}\"",
        excerpt(id, 24),
        excerpt(text, 40)
    );
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    if f.status == Status::Pass {
        f.detail.push_str(" · the result was used");
    }
    f
}
