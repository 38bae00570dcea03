//! `chat.tool_roundtrip`: the second turn after a tool call, where agents break. Turn one
//! forces a call; turn two sends the assistant message with its `tool_calls` and a `tool`
//! message with the same `tool_call_id`, whose result holds a token; the answer must be a
//! 2xx that uses it. What breaks: a call without an id (Ollama, llama.cpp), an id the server
//! refuses when echoed, a chat template that cannot render tool messages (a 500), the model
//! calling the tool again instead of answering.
//!
//! The second turn is shared with `chat.stream_tool_roundtrip`.

use super::chat::{self, ToolExpect, TOOL_NAME};
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::answer::{answer_error, answer_json, send_json};
use super::ask::{TokenCap, MAX_TOKENS_TOOLS};
use super::Ctx;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Evidence, Finding, Problems, Status, Timing};
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

pub const SPEC: Spec = Spec {
    proves: "a tool call, its result sent back by id, and an answer using it",
    hint: Some(CheckHint::ToolRoundtrip),
    ..Spec::main(
        "chat.tool_roundtrip",
        Route::Chat,
        |m, c| vec![first_turn(m, c, false), second_turn_request(m, c, &Turn1::placeholder())],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * MAX_TOKENS_TOOLS),
    )
};

/// Turn one: the weather tool, forced.
pub fn first_turn(model: &str, cap: TokenCap, stream: bool) -> Request {
    let mut body = chat::tool_request(model, stream, cap, json!("required"));
    body["messages"] = json!([{"role": "user", "content": ROUNDTRIP_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

/// What turn one gave, as a client sends it back: every call (an agent answers each), the
/// assistant message's `content` exactly as the server sent it (`null` or `""`: clients
/// append the message they got), and what a client would have tripped on.
#[derive(Debug, Clone)]
pub struct Turn1 {
    pub calls: Vec<Value>,
    pub content: Value,
    /// The calls' ids were unusable (missing, empty, not a string, shared) and zencheck filled
    /// them in, as the AI SDK does, to learn whether the rest of the round trip works.
    pub fault: Option<String>,
    /// Every fault is an id missing or empty, which the AI SDK fills in itself for a
    /// non-streamed answer (`toolCall.id || generateId()` in @ai-sdk/openai-compatible 3.0.35,
    /// as since its first release), so its apps carry on when the rest works.
    pub clients_cope: bool,
    /// The reasoning text turn one's message carried (`reasoning_content`, or `reasoning`),
    /// sent back as `reasoning_content` with the assistant message, as the AI SDK does
    /// (@ai-sdk/openai-compatible 3.0.35): DeepSeek's and Kimi's thinking modes refuse the
    /// tool result without it.
    pub thought: Option<String>,
}

impl Turn1 {
    /// What a dry run shows for turn one's answer.
    pub fn placeholder() -> Turn1 {
        Turn1 {
            calls: vec![json!({"id": PLACEHOLDER_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": "{\"city\":\"Paris\"}"}})],
            content: Value::Null,
            fault: None,
            clients_cope: false,
            thought: None,
        }
    }

    /// Take `calls` as the server sent them, filling in the ids a client cannot use.
    pub fn new(mut calls: Vec<Value>, content: Value) -> Turn1 {
        let mut fault = None;
        let mut clients_cope = true;
        let mut seen: Vec<String> = Vec::new();
        for (i, call) in calls.iter_mut().enumerate() {
            let absent = match call.get("id") {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s.is_empty(),
                Some(_) => false,
            };
            let problem = match check_id(call) {
                Err(why) => Some(why),
                Ok(()) => {
                    let id = call["id"].as_str().unwrap_or("").to_string();
                    if seen.contains(&id) {
                        Some(format!("two tool calls share the id `{}`: a client cannot tell their results apart", excerpt(&id, 40)))
                    } else {
                        seen.push(id);
                        None
                    }
                }
            };
            if let Some(why) = problem {
                clients_cope &= absent;
                fault.get_or_insert(why);
                // Nine letters and digits: an id every template accepts (Mistral's included).
                let id = format!("zccall{:03}", i + 1);
                seen.push(id.clone());
                call["id"] = json!(id);
            }
            if call.get("type").is_none() {
                call["type"] = json!("function");
            }
        }
        Turn1 {
            calls,
            content,
            clients_cope: clients_cope && fault.is_some(),
            fault,
            thought: None,
        }
    }

    /// Keep the reasoning text of turn one's `message` to send back with it.
    pub fn with_thought_of(mut self, message: &Value) -> Turn1 {
        self.thought = ["reasoning_content", "reasoning"]
            .iter()
            .filter_map(|k| message.get(*k).and_then(Value::as_str))
            .find(|t| !t.trim().is_empty())
            .map(str::to_string);
        self
    }

    fn ids(&self) -> String {
        let ids: Vec<String> = self
            .calls
            .iter()
            .map(|c| excerpt(c["id"].as_str().unwrap_or(""), 24))
            .collect();
        ids.join(", ")
    }
}

/// Turn two: the calls as the server sent them, and a result under each id.
pub fn second_turn_request(model: &str, cap: TokenCap, turn1: &Turn1) -> Request {
    let mut body = chat::tool_request(model, false, cap, json!("auto"));
    let mut messages = vec![
        json!({"role": "user", "content": ROUNDTRIP_PROMPT}),
        json!({"role": "assistant", "content": turn1.content, "tool_calls": turn1.calls}),
    ];
    if let Some(t) = &turn1.thought {
        messages[1]["reasoning_content"] = json!(t);
    }
    for call in &turn1.calls {
        let id = call.get("id").and_then(Value::as_str).unwrap_or("");
        messages.push(json!({"role": "tool", "tool_call_id": id, "content": tool_result()}));
    }
    body["messages"] = Value::Array(messages);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = first_turn(model, cap, false);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let (turn1, judged) = match first_calls(&a, model) {
        Ok(t) => t,
        Err(f) => return f,
    };
    let second = second_turn(cx, model, cap, &turn1, "").await;
    let f = with_fault(second, &turn1, a.evidence(), a.timing);
    swapped_in_turn1(f, judged)
}

/// Another model answered turn one (a sibling: a warning there) while the round trip worked:
/// that still stands, as it does for the other chat checks.
pub fn swapped_in_turn1(second: Finding, turn1: Finding) -> Finding {
    if second.status != Status::Pass || turn1.kind != Some(Kind::ModelMismatch) {
        return second;
    }
    let mut w = turn1;
    w.detail = format!("turn 1: {} · then {}", w.detail, second.detail);
    w
}

/// The tool calls of turn one's answer, with the answer's own verdict. Anything that is no
/// call a client can use (prose, a call written as text, a cap spent on reasoning, bad
/// arguments) is the finding.
fn first_calls(a: &Answer, model: &str) -> Result<(Turn1, Finding), Finding> {
    let judged = chat::judge_completion(a, model, ToolExpect::Required);
    if judged.status == Status::Fail || judged.kind == Some(Kind::OutputLength) {
        let mut f = judged;
        f.detail = format!("turn 1: {}", f.detail);
        if f.param.as_deref() == Some("tool_choice") {
            f.detail.push_str(" (so there is no result to send back)");
        }
        return Err(f);
    }
    let v = answer_json(a)?;
    let message = v.pointer("/choices/0/message").cloned().unwrap_or(Value::Null);
    let calls = message["tool_calls"].as_array().cloned().unwrap_or_default();
    let turn1 = Turn1::new(calls, message.get("content").cloned().unwrap_or(Value::Null))
        .with_thought_of(&message);
    Ok((turn1, judged))
}

/// Turn one's id fault, if any, is the finding; what turn two did with the filled-in id says
/// whether a client that makes one up gets through.
pub fn with_fault(second: Finding, turn1: &Turn1, evidence: Evidence, timing: Timing) -> Finding {
    let Some(fault) = &turn1.fault else {
        return second;
    };
    let works = second.status == Status::Pass;
    let then = if works {
        "the round trip then works (a server that ignores ids)".to_string()
    } else {
        format!("it still failed: {}", second.detail)
    };
    if works && turn1.clients_cope {
        // What the AI SDK's apps meet is a working round trip: a warning, for the clients
        // that send the id back as they got it.
        return Finding::warn(
            Kind::BadResponse,
            format!("turn 1: {fault}; with an id filled in, {then}: @ai-sdk/openai-compatible 3.0.35 fills in its own id for a non-streamed answer and carries on, while clients that send the id back as they got it send none"),
        )
        .with_param("tool_calls")
        .with_evidence(evidence)
        .with_timing(timing);
    }
    Finding::fail(
        Kind::BadResponse,
        format!("turn 1: {fault}; with an id filled in, as the AI SDK does, {then}"),
    )
    .with_param("tool_calls")
    .with_evidence(evidence)
    .with_timing(timing)
}

/// A call a client can answer carries a non-empty string id.
pub fn check_id(call: &Value) -> Result<(), String> {
    match call.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        Some(Value::String(_)) => Err("the tool call's id is empty: a client cannot send the result back under its tool_call_id".into()),
        Some(Value::Null) | None => Err("the tool call has no id: a client cannot send the result back under its tool_call_id (Ollama and llama.cpp servers do this)".into()),
        Some(other) => Err(format!("the tool call's id is {}, not a string: typed clients (the AI SDK, openai-python's models) reject it, and the result cannot go back under it", excerpt(&other.to_string(), 24))),
    }
}

/// Send the results of turn one's calls back and judge the answer. `label` describes the
/// first turn for the pass detail.
pub async fn second_turn(
    cx: &Ctx<'_>,
    model: &str,
    cap: TokenCap,
    turn1: &Turn1,
    label: &str,
) -> Finding {
    let req = second_turn_request(model, cap, turn1);
    let ids = turn1.ids();
    let f = send_json(cx, &req, |a| judge_turn2(a, Some(model), &ids, label)).await;
    if f.evidence.http_status.is_some_and(|s| s >= 300) {
        refused_second(f, &ids, turn1)
    } else {
        f
    }
}

/// Why a server refused the second turn, read from its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The id it issued, echoed back (Mistral's "Tool call id was … but must be a-z, A-Z,
    /// 0-9, with a length of 9", from Mistral's API, vLLM and mlx servers, as 400 or 500).
    Id,
    /// The chat template cannot render the tool messages (jinja "Conversation roles must
    /// alternate", "Only user and assistant roles are supported!", llama.cpp "tool role not
    /// supported"; vLLM answers 400, llama.cpp and LM Studio 500).
    Template,
    /// The assistant message's `content` beside its `tool_calls` (`null` or `""`).
    Content,
    /// The result was not matched to the call sent right before it (OpenAI's "must be a
    /// response to a preceding message with 'tool_calls'"): the server or a gateway dropped
    /// or rewrote the assistant message, or matches ids differently.
    Order,
}

/// Messages seen from real servers, lowercased, and what they mean. Order matters: an id
/// rule quotes the template's own words, so ids first.
const REFUSALS: &[(&str, Refusal)] = &[
    ("tool call id", Refusal::Id),
    ("tool_call_id", Refusal::Id),
    ("tool_calls.id", Refusal::Id),
    ("tool call ids", Refusal::Id),
    ("with a length of 9", Refusal::Id),
    ("must be a response to a preceding message", Refusal::Order),
    ("must be a response to a preceeding message", Refusal::Order),
    ("must be followed by tool messages", Refusal::Order),
    ("preceding message with 'tool_calls'", Refusal::Order),
    ("template", Refusal::Template),
    ("jinja", Refusal::Template),
    ("raise_exception", Refusal::Template),
    ("roles must alternate", Refusal::Template),
    ("roles are supported", Refusal::Template),
    ("role 'tool'", Refusal::Template),
    ("role \"tool\"", Refusal::Template),
    ("role: tool", Refusal::Template),
    ("tool role", Refusal::Template),
    ("unknown role", Refusal::Template),
    ("unsupported role", Refusal::Template),
    ("invalid role", Refusal::Template),
    ("content must be", Refusal::Content),
    ("content is required", Refusal::Content),
    ("content field is required", Refusal::Content),
    ("content cannot be", Refusal::Content),
    ("content: input should be", Refusal::Content),
    ("empty content", Refusal::Content),
    ("non-empty content", Refusal::Content),
    ("text content blocks must be non-empty", Refusal::Content),
];

pub fn refusal(msg: &str) -> Option<Refusal> {
    let m = msg.to_ascii_lowercase();
    REFUSALS.iter().find(|(w, _)| m.contains(w)).map(|(_, r)| *r)
}

/// Name what a refusal of the second turn means. Refusals that are not about the turn
/// (a key, credit, a rate limit, a timeout) stay what they are.
fn refused_second(mut f: Finding, ids: &str, turn1: &Turn1) -> Finding {
    let status = f.evidence.http_status.unwrap_or(0);
    let about_the_turn = matches!(
        f.kind,
        Some(Kind::BadRequest | Kind::ParamRejected | Kind::ServerError)
    );
    let msg = f.evidence.provider_message.clone().unwrap_or_default();
    match refusal(&msg).filter(|_| about_the_turn) {
        Some(Refusal::Id) => {
            let nine = if msg.contains("length of 9") {
                format!(
                    ": the template wants 9 letters or digits, and the server itself issued `{}` in turn 1",
                    excerpt(ids, 40)
                )
            } else {
                String::new()
            };
            f.kind = Some(Kind::ParamRejected);
            f.param = Some("tool_call_id".into());
            f.detail = format!(
                "turn 2: the tool call id `{}` was refused when sent back{nine} ({})",
                excerpt(ids, 40),
                f.detail
            );
        }
        Some(Refusal::Template) => {
            f.param = Some("tool".into());
            f.detail = format!(
                "turn 2: the chat template cannot render the tool messages (the assistant tool_calls and the role \"tool\" result): {} — turn 1 worked, so this is the template, not an outage",
                f.detail
            );
        }
        Some(Refusal::Content) => {
            let sent = if turn1.content.is_null() {
                "content: null".to_string()
            } else {
                format!("content: {}", excerpt(&turn1.content.to_string(), 20))
            };
            f.param = Some("content".into());
            f.detail = format!(
                "turn 2: the server refuses the assistant message's {sent} beside its tool_calls, which is what it sent itself in turn 1: {}",
                f.detail
            );
        }
        Some(Refusal::Order) => {
            f.param = Some("tool".into());
            f.detail = format!(
                "turn 2: the server did not match the tool result to the assistant message with its tool_calls, sent right before it under the same id `{}`: it (or a gateway on the way) dropped or rewrote that message: {}",
                excerpt(ids, 40),
                f.detail
            );
        }
        None if about_the_turn && status >= 500 => {
            f.param = Some("tool".into());
            f.detail = format!(
                "turn 2 (the tool result sent back): {} — turn 1 worked on the same server, so a 5xx here is most often a chat template failing on the tool messages (see the server's log)",
                f.detail
            );
        }
        None => f.detail = format!("turn 2 (the tool result sent back): {}", f.detail),
    }
    f
}

/// Judge the 2xx answer to the tool result: it must answer, using the result.
pub fn judge_second(a: &Answer, ids: &str, label: &str) -> Finding {
    judge_turn2(a, None, ids, label)
}

/// As [`judge_second`], and the model that answered must be `model` (when given), as every
/// other chat check asks.
pub fn judge_turn2(a: &Answer, model: Option<&str>, ids: &str, label: &str) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(mut f) => {
            f.detail = format!("turn 2: {}", f.detail);
            return f;
        }
    };
    let mut p = Problems::default();
    if let (Some(asked), Some(got)) = (model, v.get("model").and_then(Value::as_str)) {
        super::model_swap::judge_in("turn 2: ", asked, got, &mut p);
    }
    let message = v.pointer("/choices/0/message").unwrap_or(&Value::Null);
    let finish = v.pointer("/choices/0/finish_reason").and_then(Value::as_str);
    let text =
        crate::reasoning::answer_text(message.get("content").and_then(Value::as_str).unwrap_or(""));
    let reasoning = crate::reasoning::of_completion(&v);
    let again: Vec<&str> = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/function/name").and_then(Value::as_str))
        .collect();
    let again_as_text = again.is_empty() && chat::call_as_text(&text).is_some();
    if !again.is_empty() || again_as_text {
        let how = if again_as_text { " (written as text)" } else { "" };
        let names = if again.is_empty() { TOOL_NAME.to_string() } else { again.join(", ") };
        p.fail_param(
            Kind::ParamIgnored,
            "tool",
            format!(
                "turn 2 called {names} again{how} instead of answering from the tool result: the result did not reach the model, or it loops; an agent repeats the call until its step limit"
            ),
        );
    } else if super::answer::reasoning_spent_cap(&text, 0, finish, reasoning.as_ref(), &mut p) {
        // The retry with a larger cap follows (check::run).
    } else if text.trim().is_empty() {
        p.warn(Kind::BadResponse, "turn 2 answered with no text");
    } else if !text.contains(TOKEN) && !text.contains(&TOKEN[3..]) {
        p.warn_param(
            Kind::ParamIgnored,
            "tool",
            format!(
                "turn 2 answered without the tool result's report_id {TOKEN}: \"{}\" (the result may not reach the model)",
                excerpt(&text, 60)
            ),
        );
    }
    let summary = format!(
        "{label}called {TOOL_NAME} (id {}), sent its result back, answered \"{}\"",
        excerpt(ids, 24),
        excerpt(&text, 40)
    );
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    if f.status == Status::Pass {
        f.detail.push_str(" · the result was used");
    }
    f.reasoning = reasoning;
    f
}
