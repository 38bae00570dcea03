//! `chat.tools_seen`: are `tools` reaching the model at all? llama.cpp drops the whole
//! array when the model's chat template has no tool support, and answers 200. When a forced
//! call does not come, the same prompt is sent without tools: an unchanged `prompt_tokens`
//! means the tools were dropped (`param_ignored`, `tools`).

use super::chat;
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, MAX_TOKENS, MAX_TOKENS_TOOLS};
use super::Ctx;
use crate::failure::Kind;
use crate::http::{Auth, Request};
use crate::finding::Finding;
use crate::route::Route;
use serde_json::{json, Value};

pub const SPEC: Spec = Spec {
    proves: "the server does not drop `tools` wholesale",
    ..Spec::main(
        "chat.tools_seen",
        Route::Chat,
        |m, c| vec![with_tools(m, c), without_tools(m, c)],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, MAX_TOKENS_TOOLS + MAX_TOKENS),
    )
};

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

/// What this check finds of a server that drops `tools` before the model sees them.
pub fn drops_tools(f: &Finding) -> bool {
    f.kind == Some(Kind::ParamIgnored) && f.param.as_deref() == Some("tools")
}

/// Another chat check of a model whose `tools` this check saw dropped: a "no tool call"
/// there is not about `tool_choice`, so say what really happened, and the fix is the
/// server's tool support, not the request's `tool_choice`.
pub fn blame_dropped(f: &mut Finding) {
    if f.kind == Some(Kind::ParamIgnored) && f.param.as_deref() == Some("tool_choice") {
        f.param = Some("tools".into());
        f.detail = format!(
            "{}; {} shows the server drops `tools` before the model sees them, so no tool_choice could work",
            f.detail, SPEC.id
        );
    }
}

/// `usage.prompt_tokens`, when the server counts them: servers that report no usage, or
/// zeros (some report usage with every count 0), leave nothing to compare.
fn prompt_tokens(v: &Value) -> Option<u64> {
    v.pointer("/usage/prompt_tokens")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
}

/// Why nothing can be said, as a skip: an absent count is no evidence either way.
fn cannot_tell(why: &str) -> Finding {
    Finding::skip(format!(
        "cannot tell whether the tools reach the model: {why} (this server reports no usable usage.prompt_tokens)"
    ))
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
    let said = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .unwrap_or("");
    if called {
        return Finding::pass("the model saw the tools: it called one").with_evidence(ev);
    }
    if let Some(marker) = chat::call_as_text(said) {
        return Finding::pass(format!(
            "the model saw the tools: it wrote a call as text ({marker}), which the server did not parse into tool_calls (see chat.tool_choice_required)"
        ))
        .with_evidence(ev);
    }
    let Some(with) = prompt_tokens(&v) else {
        return cannot_tell("no tool call came, and the answer has no prompt_tokens").with_evidence(ev);
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
    match without {
        None => cannot_tell("no tool call came, and the answer without tools has no prompt_tokens"),
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
