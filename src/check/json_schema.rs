//! `chat.json_schema`: strict structured output, `response_format: {type: "json_schema",
//! json_schema: {name, strict: true, schema}}`. The answer must parse and validate against
//! the schema (with the `jsonschema` crate). Prose, or JSON that breaks the schema, is
//! `param_ignored` — the bug users meet most (vLLM, llama.cpp, LiteLLM adapters, a gateway
//! falling back to `json_object`); a refusal of the parameter is `param_rejected`.
//!
//! The text judge (`structured.rs`) is shared by `chat.json_object` and `responses.json_schema`;
//! so are [`name_rejection`] and [`message_text`].

use super::chat;
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::answer::{answer_json, judge_usage_and_model, send_json};
use super::ask::TokenCap;
use super::Ctx;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Problems, Status};
use crate::route::Route;
use serde_json::{json, Value};

pub use super::structured::{schema, JSON_PROMPT, MAX_TOKENS_JSON, SCHEMA_NAME};

pub const SPEC: Spec = Spec {
    proves: "strict json_schema output parses and validates",
    hint: Some(CheckHint::Structured),
    ..Spec::main(
        "chat.json_schema",
        Route::Chat,
        |m, c| vec![structured_request(m, c, response_format())],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(1, MAX_TOKENS_JSON),
    )
};

fn response_format() -> Value {
    json!({"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": true, "schema": schema()}})
}

/// A chat request for a structured answer with this `response_format`.
pub fn structured_request(model: &str, cap: TokenCap, format: Value) -> Request {
    let mut body = chat::chat_request(model, false, cap, json!({"response_format": format}));
    body[cap.key()] = json!(cap.tokens(MAX_TOKENS_JSON));
    body["messages"] = json!([{"role": "user", "content": JSON_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = structured_request(model, cap, response_format());
    let schema = schema();
    let f = send_json(cx, &req, |a| judge_chat(a, model, Some(&schema))).await;
    name_rejection(f, "response_format", SCHEMA_WORDS)
}

/// Words of a refusal that is about a structured-output request: the key, the schema, strict
/// mode, or the grammar a server compiles the schema into (llama.cpp "failed to parse
/// grammar", vLLM's guided decoding and xgrammar).
pub const SCHEMA_WORDS: &[&str] = &[
    "response_format",
    "json_schema",
    "schema",
    "strict",
    "grammar",
    "guided",
    "structured output",
    "xgrammar",
];

/// An error answer to a structured-output request, judged for what it says of the format:
/// a 4xx (or a server's own 5xx) that talks about it refuses that parameter; Groq's
/// `json_validate_failed` shows the format enforced, by validating what the model wrote.
pub fn name_rejection(mut f: Finding, param: &str, words: &[&str]) -> Finding {
    let msg = f
        .evidence
        .provider_message
        .as_deref()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let says = words.iter().any(|w| msg.contains(w));
    // Groq validates the JSON after generation: the classifier's failed_generation rule
    // reads it as a malformed tool call, which no tool here could be.
    if f.kind == Some(Kind::ToolCallMalformed) && msg.contains("json") {
        f.kind = Some(Kind::BadResponse);
        f.status = Status::Warn;
        f.param = None;
        f.detail = format!(
            "{}: the server checks the model's JSON against {param} after generating it and refused what the model wrote (Groq json_validate_failed): the format is enforced, but such requests fail with a 400 at random",
            f.detail
        );
        return f;
    }
    // "strict mode is not supported for this model" reads like a missing model to the
    // classifier; a model that is missing is "not found" or "does not exist".
    let model_missing = ["not found", "not exist"].iter().any(|w| msg.contains(w));
    let refused = match f.evidence.http_status {
        Some(400..=422) => match f.kind {
            Some(Kind::BadRequest | Kind::ParamRejected) => true,
            Some(Kind::ModelNotFound) => !model_missing,
            _ => false,
        },
        // An error body inside a 200 is a refusal with the wrong status.
        Some(200..=299) => f.kind == Some(Kind::BadResponse) && f.detail.contains("an error body inside"),
        // llama.cpp answers a schema it cannot turn into a grammar with a 500.
        Some(500..=599) => f.kind == Some(Kind::ServerError) && !f.gateway,
        _ => false,
    };
    if refused && says {
        f.kind = Some(Kind::ParamRejected);
        f.status = Status::Fail;
        // "Unknown parameter: 'text'" blames the key that holds the format.
        let holder = f
            .param
            .as_deref()
            .is_some_and(|p| param.starts_with(&format!("{p}.")));
        // The probe's prompt already says "JSON", so a refusal that blames `messages` (JSON
        // mode's "must contain the word 'json'") is the server refusing the format itself.
        if f.param.is_none() || holder || f.param.as_deref() == Some("messages") {
            f.param = Some(param.to_string());
        }
    }
    f
}

/// A chat message's text: a string, or (Mistral's reasoning models) a list of parts whose
/// `text` parts are the answer.
pub fn message_text(message: Option<&Value>) -> String {
    match message.and_then(|m| m.get("content")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter(|p| matches!(p.get("type").and_then(Value::as_str), Some("text" | "output_text") | None))
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

/// Judge a 2xx chat answer that was asked for JSON (validated against `schema` if given).
pub fn judge_chat(a: &Answer, asked: &str, schema: Option<&Value>) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let mut p = Problems::default();
    let Some(choice) = v.pointer("/choices/0") else {
        return Finding::fail(Kind::BadResponse, "no choices[] in the answer")
            .with_evidence(a.evidence())
            .with_timing(a.timing);
    };
    let message = choice.get("message");
    // A thought in <think> tags before the JSON is reasoning, not the answer.
    let text = crate::reasoning::answer_text(&message_text(message));
    let finish = choice.get("finish_reason").and_then(Value::as_str);
    let cut = matches!(finish, Some("length" | "max_tokens"));
    let reasoning = crate::reasoning::of_completion(&v);
    let said = if super::answer::reasoning_spent_cap(&text, 0, finish, reasoning.as_ref(), &mut p) {
        "no JSON".to_string()
    } else if let Some(why) = elsewhere(message, &text) {
        p.fail(Kind::BadResponse, why);
        "no JSON in content".to_string()
    } else if let Some(r) = refusal(message) {
        p.fail_param(
            Kind::ParamRejected,
            "response_format",
            format!(
                "the model refused instead of answering to the format (message.refusal): \"{}\"",
                excerpt(&r, 80)
            ),
        );
        "a refusal".to_string()
    } else {
        judge_text(&text, cut, schema, "response_format", &mut p)
    };
    let tokens = judge_usage_and_model(&v, asked, ("prompt_tokens", "completion_tokens"), &mut p);
    let mut f = p
        .into_finding(format!("{said}{tokens}"))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = reasoning;
    f
}

/// `message.refusal`, OpenAI's field for a model that declines a structured request.
fn refusal(message: Option<&Value>) -> Option<String> {
    message
        .and_then(|m| m.get("refusal"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// Content is empty but the JSON came in another field, where clients do not look for it:
/// a reasoning field (a server whose reasoning parser takes the constrained answer for
/// reasoning, vLLM) or a tool call (an adapter that emulates the format with a tool).
fn elsewhere(message: Option<&Value>, text: &str) -> Option<String> {
    let m = message?;
    if !text.trim().is_empty() {
        return None;
    }
    for field in crate::reasoning::CHAT_FIELDS {
        if m.get(field)
            .and_then(Value::as_str)
            .is_some_and(super::structured::holds_object)
        {
            return Some(format!(
                "content is empty and the JSON came in message.{field}: clients read content and get nothing (a reasoning parser that took the constrained answer for reasoning)"
            ));
        }
    }
    let args = m.pointer("/tool_calls/0/function/arguments")?.as_str()?;
    super::structured::holds_object(args).then(|| {
        "content is empty and the JSON came as a tool call's arguments: clients that asked for response_format read content and get nothing".to_string()
    })
}

pub use super::structured::{judge_text, violation};
