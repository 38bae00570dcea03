//! `chat.reasoning_passback` (opt-in, reasoning models only): does the server require the
//! assistant's reasoning sent back in the next turn? A tool round trip whose turn 1 shows
//! reasoning text (`reasoning_content`, `reasoning` or `reasoning_details`), answered twice:
//! once with the assistant message as clients that drop reasoning send it, once with the
//! reasoning echoed under the key it came in.
//!
//! DeepSeek's thinking mode and Kimi's thinking models refuse the first with a 400 ("The
//! `reasoning_content` in the thinking mode must be passed back to the API", "Missing
//! `reasoning_content` field in the assistant message at message index N", "thinking is
//! enabled but reasoning_content is missing in assistant tool call message at index N"):
//! opencode#5332, #24442, #28945, crush#2696 (0.62), qwen-code#3724. A strict validator
//! refuses the second (an unknown key in an assistant message), which breaks clients that do
//! send it back. Turn 1 asks for the call with `tool_choice: "auto"`, as agents send it:
//! some thinking modes refuse `"required"`.

use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, REASONING_MAX_TOKENS};
use super::chat::{self, TOOL_NAME};
use super::spec::{cost, Judge, Spec, Stage};
use super::tool_roundtrip::{judge_second, second_turn_request, Turn1, ROUNDTRIP_PROMPT};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::fit::excerpt;
use crate::http::{Answer, Auth, Request};
use crate::reasoning::CHAT_FIELDS;
use crate::route::Route;
use serde_json::{json, Value};

/// What a dry run shows for the reasoning turn 1 will return.
pub const PLACEHOLDER_REASONING: &str = "<reasoning_content from turn 1>";

pub const SPEC: Spec = Spec {
    proves: "a reasoning model's tool result needs its reasoning sent back, or not",
    stage: Stage::Reasoning,
    // Three requests of 1024 tokens: opt-in.
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "chat.reasoning_passback",
        Route::Chat,
        |m, c| {
            let c = c.for_reasoning();
            let turn1 = Turn1::placeholder();
            let thought = Some(("reasoning_content", json!(PLACEHOLDER_REASONING)));
            vec![first_turn(m, c), second(m, c, &turn1, None), second(m, c, &turn1, thought)]
        },
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c.for_reasoning()))),
        cost(3, 3 * REASONING_MAX_TOKENS),
    )
};

/// Turn one: the weather tool offered with `tool_choice: "auto"` and a prompt that asks for it.
pub fn first_turn(model: &str, cap: TokenCap) -> Request {
    let mut body = chat::tool_request(model, false, cap, json!("auto"));
    body["messages"] = json!([{"role": "user", "content": ROUNDTRIP_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

/// Turn two, with the assistant message's reasoning keys removed, then `thought` (a key and
/// its value as turn 1 sent them) put back when given.
pub fn second(model: &str, cap: TokenCap, turn1: &Turn1, thought: Option<(&str, Value)>) -> Request {
    let mut req = second_turn_request(model, cap, turn1);
    if let Some(assistant) = req
        .body
        .as_mut()
        .and_then(|b| b.get_mut("messages"))
        .and_then(|m| m.get_mut(1))
        .and_then(Value::as_object_mut)
    {
        for k in CHAT_FIELDS {
            assistant.remove(k);
        }
        if let Some((key, value)) = thought {
            assistant.insert(key.to_string(), value);
        }
    }
    req
}

/// The first reasoning key of an assistant message that carries text, and its value.
pub fn thought_of(message: &Value) -> Option<(&'static str, Value)> {
    CHAT_FIELDS.iter().find_map(|k| {
        let v = message.get(*k)?;
        let empty = match v {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        (!empty).then(|| (*k, v.clone()))
    })
}

/// A turn 2 that came back: judged when 2xx, the error finding when refused.
enum Turn2 {
    Answered(Finding),
    Refused(Finding),
}

/// Refusals that say nothing about the request's shape end the check as they are.
fn about_the_request(f: &Finding) -> bool {
    f.evidence.http_status.is_some_and(|s| (400..600).contains(&s))
        && matches!(
            f.kind,
            Some(Kind::BadRequest | Kind::ParamRejected | Kind::ServerError | Kind::ContextOverflow)
        )
}

async fn send_second(cx: &Ctx<'_>, req: &Request, ids: &str) -> Result<Turn2, Finding> {
    let a: Answer = cx.http.call(cx.target, req).await?;
    if a.is_success() {
        return Ok(Turn2::Answered(judge_second(&a, ids, "")));
    }
    let f = answer_error(&a, &req.sent_params());
    if about_the_request(&f) {
        Ok(Turn2::Refused(f))
    } else {
        Err(f)
    }
}

/// The status a refusal came with; its words are in the evidence.
fn said(f: &Finding) -> String {
    match f.evidence.http_status {
        Some(s) => s.to_string(),
        None => excerpt(&f.detail, 80),
    }
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = first_turn(model, cap);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) if !a.is_success() => return answer_error(&a, &req.sent_params()),
        Ok(a) => a,
    };
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let message = v.pointer("/choices/0/message").cloned().unwrap_or(Value::Null);
    let calls = message["tool_calls"].as_array().cloned().unwrap_or_default();
    if calls.is_empty() {
        return Finding::skip(format!(
            "turn 1 answered without calling {TOOL_NAME} (tool_choice auto): there is no tool round trip to pass reasoning through; chat.tool_roundtrip forces the call"
        ))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    }
    let Some((key, thought)) = thought_of(&message) else {
        let content = message.get("content").and_then(Value::as_str).unwrap_or("");
        let why = if crate::reasoning::split_think(content).1.is_some() {
            "its reasoning came inside content as <think> tags, and goes back with the content"
        } else {
            "its reasoning was counted in usage only (no reasoning text), so a client has none to pass back"
        };
        return Finding::skip(format!(
            "turn 1 called {TOOL_NAME} with no reasoning_content, reasoning or reasoning_details beside the call: {why}"
        ))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    };
    let turn1 = Turn1::new(calls, message.get("content").cloned().unwrap_or(Value::Null));
    let ids: Vec<&str> = turn1.calls.iter().filter_map(|c| c["id"].as_str()).collect();
    let ids = ids.join(", ");
    let without = match send_second(cx, &second(model, cap, &turn1, None), &ids).await {
        Ok(t) => t,
        Err(f) => return in_turn(f, "turn 2 without it"),
    };
    let with = match send_second(cx, &second(model, cap, &turn1, Some((key, thought))), &ids).await {
        Ok(t) => t,
        Err(f) => return in_turn(f, "turn 2 with it"),
    };
    judge(key, without, with)
}

fn in_turn(mut f: Finding, which: &str) -> Finding {
    f.detail = format!("{which}: {}", f.detail);
    f
}

/// The verdict from the two answers to turn 2. `key` is where turn 1 put its reasoning.
fn judge(key: &str, without: Turn2, with: Turn2) -> Finding {
    match (without, with) {
        (Turn2::Answered(wo), Turn2::Answered(w)) => {
            if wo.status == Status::Pass && w.status == Status::Pass {
                let mut f = Finding::pass(format!(
                    "not required: turn 2 answered without turn 1's {key} and with it sent back; clients that drop reasoning between turns work here ({})",
                    wo.detail
                ));
                f.evidence = wo.evidence;
                f.timing = wo.timing;
                f.reasoning = w.reasoning;
                f
            } else if wo.status != Status::Pass && w.status == Status::Pass {
                let mut f = wo;
                f.status = Status::Warn;
                f.param = Some(key.to_string());
                f.detail = format!(
                    "turn 2 without turn 1's {key} went wrong ({}), and with it sent back worked: pass the reasoning back, or agents stall after the first tool call",
                    f.detail
                );
                f
            } else {
                in_turn(w, &format!("turn 2, with and without {key}"))
            }
        }
        (Turn2::Refused(mut f), Turn2::Answered(w)) => {
            f.status = Status::Warn;
            f.kind = Some(Kind::BadRequest);
            f.param = Some(key.to_string());
            f.detail = format!(
                "required: turn 2 without turn 1's {key} was refused ({}), and answered with it sent back: clients that drop reasoning between turns fail on every tool call after the first{}",
                said(&f),
                if w.status == Status::Pass { String::new() } else { format!(" (and with it: {})", w.detail) }
            );
            f
        }
        (Turn2::Answered(wo), Turn2::Refused(mut f)) => {
            f.status = Status::Warn;
            f.kind = Some(Kind::ParamRejected);
            f.param = Some(key.to_string());
            f.detail = format!(
                "refused when sent back: turn 2 with turn 1's own {key} in the assistant message was refused ({}), and answered without it: clients that pass reasoning back (the AI SDK's openai-compatible provider, opencode with `interleaved`, DeepSeek's documented loop) fail here{}",
                said(&f),
                if wo.status == Status::Pass { String::new() } else { format!(" (and without it: {})", wo.detail) }
            );
            f
        }
        (Turn2::Refused(f), Turn2::Refused(_)) => in_turn(
            f,
            &format!("turn 2 (the tool result sent back) was refused with and without {key}, so reasoning is not the cause"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_two_sends_the_reasoning_only_when_asked() {
        let t = Turn1::placeholder();
        let bare = second("m", TokenCap::MaxTokens, &t, None).body.unwrap();
        assert!(bare["messages"][1].get("reasoning_content").is_none());
        assert!(bare["messages"][1]["tool_calls"].is_array());
        let with = second("m", TokenCap::MaxTokens, &t, Some(("reasoning", json!("hmm"))))
            .body
            .unwrap();
        assert_eq!(with["messages"][1]["reasoning"], "hmm");
        assert!(with["messages"][1].get("reasoning_content").is_none());
    }

    #[test]
    fn the_reasoning_key_is_the_first_with_text() {
        let m = json!({"reasoning_content": "", "reasoning": "think", "content": null});
        assert_eq!(thought_of(&m), Some(("reasoning", json!("think"))));
        assert_eq!(thought_of(&json!({"content": "hi"})), None);
    }

    fn refused(msg: &str) -> Turn2 {
        let mut f = Finding::fail(Kind::BadRequest, "400 refused");
        f.evidence.http_status = Some(400);
        f.evidence.provider_message = Some(msg.into());
        Turn2::Refused(f)
    }

    #[test]
    fn a_refusal_only_without_it_is_required() {
        let f = judge(
            "reasoning_content",
            refused("The `reasoning_content` in the thinking mode must be passed back to the API."),
            Turn2::Answered(Finding::pass("ok")),
        );
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::BadRequest)));
        assert!(f.detail.starts_with("required"), "{}", f.detail);
        assert_eq!(f.param.as_deref(), Some("reasoning_content"));
        let f = judge("reasoning_content", Turn2::Answered(Finding::pass("ok")), refused("extra fields not permitted"));
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::ParamRejected)));
        let f = judge("reasoning", Turn2::Answered(Finding::pass("ok")), Turn2::Answered(Finding::pass("ok")));
        assert_eq!(f.status, Status::Pass);
        let f = judge("reasoning", refused("a"), refused("b"));
        assert_eq!(f.status, Status::Fail);
    }
}
