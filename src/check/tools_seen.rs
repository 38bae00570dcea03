//! `chat.tools_seen`: are `tools` reaching the model at all? llama.cpp drops the whole
//! array when the model's chat template has no tool support, and answers 200. When a forced
//! call does not come, the same prompt is sent without tools: an unchanged `prompt_tokens`
//! means the tools were dropped (`param_ignored`, `tools`).

use super::chat::{self, excerpt};
use super::spec::{cost, Judge, Spec};
use super::{answer_error, answer_json, Ctx, TokenCap, MAX_TOKENS, MAX_TOKENS_TOOLS};
use crate::failure::Kind;
use crate::http::{Auth, Request};
use crate::outcome::Finding;
use crate::route::Route;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec::main(
    "chat.tools_seen",
    Route::Chat,
    |m, c| vec![with_tools(m, c), without_tools(m, c)],
    Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
    cost(2, MAX_TOKENS_TOOLS + MAX_TOKENS),
);

fn with_tools(model: &str, cap: TokenCap) -> Request {
    let body = chat::tool_request(model, false, cap, json!("required"));
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

/// The same conversation, without `tools` and `tool_choice`.
fn without_tools(model: &str, cap: TokenCap) -> Request {
    let mut body = chat::chat_request(model, false, cap, json!({}));
    body["messages"] = json!([{"role": "user", "content": chat::TOOL_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

fn prompt_tokens(v: &Value) -> Option<u64> {
    v.pointer("/usage/prompt_tokens").and_then(Value::as_u64)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = with_tools(model, cap);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let called = v
        .pointer("/choices/0/message/tool_calls")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    let ev = a.evidence();
    if called {
        return Finding::pass("the model saw the tools: it called one").with_evidence(ev);
    }
    let Some(with) = prompt_tokens(&v) else {
        return Finding::skip("no tool call, and no usage.prompt_tokens to compare")
            .with_evidence(ev);
    };
    let req = without_tools(model, cap);
    let b = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(b) if !b.is_success() => return answer_error(&b, &req.sent_params()),
        Ok(b) => b,
    };
    let without = match answer_json(&b) {
        Ok(w) => prompt_tokens(&w),
        Err(f) => return f,
    };
    let said = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .unwrap_or("");
    match without {
        None => Finding::skip("no usage.prompt_tokens without tools to compare"),
        Some(n) if n == with => Finding::fail(
            Kind::ParamIgnored,
            format!(
                "no tool call (\"{}\"), and prompt_tokens is {with} with the tool and {n} without: the server drops `tools` (a chat template without tool support?)",
                excerpt(said, 40)
            ),
        )
        .with_param("tools")
        .with_evidence(ev),
        Some(n) => Finding::pass(format!(
            "the tools reach the model (prompt_tokens {with} with, {n} without), though it did not call one (see chat.tool_choice_required)"
        ))
        .with_evidence(ev),
    }
}
