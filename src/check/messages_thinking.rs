//! `messages.thinking` (opt-in): Anthropic extended thinking across two turns. Turn 1 enables
//! `thinking` (a 1024-token budget, the least Anthropic takes) and offers the weather tool;
//! turn 2 sends turn 1's content back unchanged, thinking blocks and their signatures first,
//! with the tool result. Anthropic verifies the signature, and with thinking on wants the
//! assistant turn that used a tool to open with its thinking block, so a gateway that drops
//! the block or the signature on the way down, or alters either on the way up, breaks every
//! tool loop's second turn ("Invalid `signature` in `thinking` block", "Expected `thinking`
//! or `redacted_thinking`, but found `tool_use`": CLIProxyAPI#2172, ccs#415, 9router#2227).
//! Thinking allows `tool_choice` auto only, so turn 1 asks for the tool in words.

use super::answer::{answer_error, answer_json};
use super::ask::TokenCap;
use super::chat::{tool_parameters, TOOL_NAME};
use super::spec::{cost, Judge, Spec};
use super::tool_roundtrip::{tool_result, ROUNDTRIP_PROMPT, TOKEN};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::fit::excerpt;
use crate::http::{Answer, Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

/// The thinking budget: the least Anthropic accepts.
pub const BUDGET: u64 = 1024;
/// The output cap of each turn: the budget and room for a call or a short answer
/// (Anthropic wants `max_tokens` above `budget_tokens`).
pub const THINKING_MAX_TOKENS: u64 = BUDGET + 256;

pub const SPEC: Spec = Spec {
    proves: "extended thinking's signed blocks go back with a tool result",
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "messages.thinking",
        Route::Messages,
        |m, _| vec![first_turn(m), second_turn(m, &placeholder())],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * THINKING_MAX_TOKENS),
    )
};

fn post(body: Value) -> Request {
    Request::post(Route::Messages.path(), body, Auth::Anthropic)
}

fn base(model: &str, messages: Value) -> Value {
    json!({
        "model": model,
        "max_tokens": THINKING_MAX_TOKENS,
        "thinking": {"type": "enabled", "budget_tokens": BUDGET},
        "tools": [{"name": TOOL_NAME, "description": "Get the current weather for a city.", "input_schema": tool_parameters()}],
        "messages": messages,
    })
}

/// Turn one: thinking on, the tool offered and asked for.
pub fn first_turn(model: &str) -> Request {
    post(base(model, json!([{"role": "user", "content": ROUNDTRIP_PROMPT}])))
}

/// Turn two: turn one's content exactly as it came, and a result for each of its calls.
pub fn second_turn(model: &str, content: &Value) -> Request {
    let results: Vec<Value> = content
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| json!({"type": "tool_result", "tool_use_id": b["id"], "content": tool_result()}))
        .collect();
    post(base(
        model,
        json!([
            {"role": "user", "content": ROUNDTRIP_PROMPT},
            {"role": "assistant", "content": content},
            {"role": "user", "content": results},
        ]),
    ))
}

/// What a dry run shows for turn one's content.
fn placeholder() -> Value {
    json!([
        {"type": "thinking", "thinking": "<thinking from turn 1>", "signature": "<its signature>"},
        {"type": "tool_use", "id": "<id of the tool_use from turn 1>", "name": TOOL_NAME, "input": {"city": "Paris"}},
    ])
}

fn ty(b: &Value) -> &str {
    b.get("type").and_then(Value::as_str).unwrap_or("")
}

async fn run(cx: &Ctx<'_>, model: &str, _: TokenCap) -> Finding {
    let req = first_turn(model);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let Some(content) = v.get("content").and_then(Value::as_array).cloned() else {
        return Finding::fail(Kind::BadResponse, "turn 1: no content[] in the answer: not the Anthropic Messages shape")
            .with_evidence(a.evidence())
            .with_timing(a.timing);
    };
    let thoughts = content.iter().filter(|b| matches!(ty(b), "thinking" | "redacted_thinking")).count();
    let unsigned = content
        .iter()
        .filter(|b| ty(b) == "thinking")
        .filter(|b| b.get("signature").and_then(Value::as_str).is_none_or(|s| s.is_empty()))
        .count();
    if !content.iter().any(|b| ty(b) == "tool_use") {
        let thought = if thoughts == 0 { "no thinking block and " } else { "" };
        return Finding::skip(format!(
            "turn 1 had {thought}no tool_use (thinking allows tool_choice auto only, and the model answered in prose): there is no tool loop whose second turn needs the thinking back"
        ))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    }
    let req = second_turn(model, &Value::Array(content));
    let b = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(b) => b,
    };
    if !b.is_success() {
        return refused(answer_error(&b, &req.sent_params()), thoughts, unsigned);
    }
    let f = judge_second(&b);
    if f.status != Status::Pass {
        return f;
    }
    if thoughts == 0 {
        let mut f = Finding::warn(
            Kind::ParamIgnored,
            format!(
                "thinking was enabled (budget {BUDGET}) and turn 1 had no thinking block; turn 2 answered ({}): a gateway drops `thinking`, or the model does not think",
                f.detail
            ),
        )
        .with_evidence(b.evidence())
        .with_timing(b.timing);
        f.param = Some("thinking".into());
        return f;
    }
    let signed = if unsigned > 0 {
        " (its thinking block had no signature, and this server did not ask for one)"
    } else {
        ""
    };
    let mut f = f;
    f.detail = format!(
        "turn 1 thought ({thoughts} thinking block{}) and called {TOOL_NAME}; turn 2 sent them back unchanged with the result{signed}: {}",
        if thoughts == 1 { "" } else { "s" },
        f.detail
    );
    f
}

/// Name what a refusal of turn two means: the thinking block or its signature, when the
/// server's words say so.
fn refused(mut f: Finding, thoughts: usize, unsigned: usize) -> Finding {
    let about_request = f.evidence.http_status.is_some_and(|s| (400..500).contains(&s))
        && matches!(f.kind, Some(Kind::BadRequest | Kind::ParamRejected));
    let msg = f.evidence.provider_message.clone().unwrap_or_default().to_ascii_lowercase();
    if about_request && msg.contains("signature") {
        f.status = Status::Fail;
        f.kind = Some(Kind::BadRequest);
        f.param = Some("signature".into());
        f.detail = if unsigned > 0 {
            format!("turn 2: turn 1's thinking block came without its signature and, sent back that way, was refused ({}): the signature is dropped on the way to the client, so every tool loop with thinking fails on its second turn", f.detail)
        } else {
            format!("turn 2: turn 1's thinking block, sent back unchanged, was refused for its signature ({}): the block or its signature is altered between client and model, so every tool loop with thinking fails on its second turn", f.detail)
        };
    } else if about_request && msg.contains("thinking") {
        f.status = Status::Fail;
        f.kind = Some(Kind::BadRequest);
        f.param = Some("thinking".into());
        f.detail = if thoughts == 0 {
            format!("turn 2: turn 1 came with no thinking block although thinking was on, and the server wants it back ({}): the block is dropped on the way to the client, so every tool loop with thinking fails on its second turn", f.detail)
        } else {
            format!("turn 2: turn 1's thinking block was sent back first and the server did not find it ({}): it is dropped on the way to the model", f.detail)
        };
    } else {
        f.detail = format!("turn 2 (turn 1's content and the tool result sent back): {}", f.detail);
    }
    f
}

/// The answer to the tool result must use it.
fn judge_second(b: &Answer) -> Finding {
    let v = match answer_json(b) {
        Ok(v) => v,
        Err(mut f) => {
            f.detail = format!("turn 2: {}", f.detail);
            return f;
        }
    };
    let content = v.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
    let text: String = content.iter().filter_map(|b| b.get("text").and_then(Value::as_str)).collect();
    let f = if content.iter().any(|b| ty(b) == "tool_use") {
        Finding::warn(Kind::ParamIgnored, format!("turn 2 called {TOOL_NAME} again instead of answering from its result"))
            .with_param("tool")
    } else if text.contains(TOKEN) || text.contains(&TOKEN[3..]) {
        Finding::pass(format!("turn 2 answered \"{}\" · the result was used", excerpt(&text, 40)))
    } else {
        Finding::warn(
            Kind::ParamIgnored,
            format!("turn 2 answered without the tool result's report_id {TOKEN}: \"{}\"", excerpt(&text, 60)),
        )
        .with_param("tool")
    };
    let mut f = f.with_evidence(b.evidence()).with_timing(b.timing);
    f.reasoning = crate::reasoning::of_message(&v);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_two_sends_turn_ones_content_unchanged_and_answers_each_call() {
        let content = json!([
            {"type": "thinking", "thinking": "t", "signature": "s"},
            {"type": "tool_use", "id": "toolu_1", "name": TOOL_NAME, "input": {"city": "Paris"}},
        ]);
        let body = second_turn("m", &content).body.unwrap();
        assert_eq!(body["messages"][1]["content"], content);
        assert_eq!(body["messages"][2]["content"][0]["tool_use_id"], "toolu_1");
        assert!(body["max_tokens"].as_u64().unwrap() > body["thinking"]["budget_tokens"].as_u64().unwrap());
    }

    fn refusal(msg: &str) -> Finding {
        let mut f = Finding::fail(Kind::BadRequest, "400");
        f.evidence.http_status = Some(400);
        f.evidence.provider_message = Some(msg.into());
        f
    }

    #[test]
    fn the_refusal_names_the_signature_or_the_thinking_block() {
        let f = refused(refusal("messages.1.content.0: Invalid `signature` in `thinking` block"), 1, 1);
        assert_eq!((f.status, f.param.as_deref()), (Status::Fail, Some("signature")));
        assert!(f.detail.contains("without its signature"), "{}", f.detail);
        let f = refused(refusal("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`."), 0, 0);
        assert_eq!(f.param.as_deref(), Some("thinking"));
        let f = refused(refusal("tool_use ids must be unique"), 1, 0);
        assert_eq!(f.param, None);
    }
}
