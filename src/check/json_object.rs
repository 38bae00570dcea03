//! `chat.json_object`: JSON mode, `response_format: {type: "json_object"}`. The answer must
//! be a JSON object; prose is `param_ignored`. (The prompt says "JSON": OpenAI refuses JSON
//! mode otherwise.)

use super::json_schema::{judge_chat, name_rejection, structured_request, MAX_TOKENS_JSON};
use super::spec::{cost, Judge, Spec};
use super::answer::send_json;
use super::ask::TokenCap;
use super::Ctx;
use crate::failure::CheckHint;
use crate::finding::Finding;
use crate::route::Route;
use serde_json::json;

pub const SPEC: Spec = Spec {
    proves: "response_format json_object returns a JSON object",
    hint: Some(CheckHint::Structured),
    ..Spec::main(
        "chat.json_object",
        Route::Chat,
        |m, c| vec![structured_request(m, c, json!({"type": "json_object"}))],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(1, MAX_TOKENS_JSON),
    )
};

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = structured_request(model, cap, json!({"type": "json_object"}));
    let f = send_json(cx, &req, |a| judge_chat(a, model, None)).await;
    name_rejection(
        f,
        "response_format",
        &["response_format", "json_object", "json mode", "grammar", "guided"],
    )
}
