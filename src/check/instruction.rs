//! What the opt-in message-shape checks share: one chat request whose messages carry an
//! instruction to answer one word, judged honoured (the word comes back), ignored (an answer
//! without it: the server dropped or flattened the part that carried it) or rejected (a
//! refusal that names what carried it).

use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, MAX_TOKENS};
use super::json_schema::{message_text, name_rejection};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::http::{Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

/// A chat request with these messages, capped.
pub fn request(model: &str, cap: TokenCap, messages: Value) -> Request {
    let body = json!({
        "model": model,
        "messages": messages,
        cap.key(): cap.tokens(MAX_TOKENS),
        "stream": false,
    });
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

/// What one check asks and how it names what it tests.
pub struct Instruction {
    /// The word the answer must hold.
    pub word: &'static str,
    /// What carries the instruction (`developer`, `content`): the parameter named.
    pub param: &'static str,
    /// Words of a refusal that is about it.
    pub refusal_words: &'static [&'static str],
    /// What it means when the word does not come back.
    pub ignored: &'static str,
    /// What a pass says.
    pub honoured: &'static str,
}

/// Send the request and judge the answer.
pub async fn run(cx: &Ctx<'_>, req: Request, i: &Instruction) -> Finding {
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) => a,
    };
    if !a.is_success() {
        let mut f = name_rejection(
            answer_error(&a, &req.sent_params()),
            i.param,
            i.refusal_words,
        );
        if f.kind == Some(Kind::ParamRejected) {
            f.param = Some(i.param.to_string());
            f.status = Status::Warn;
            f.detail = format!("{} refused: {}", i.param, f.detail);
        }
        return f;
    }
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let text = message_text(v.pointer("/choices/0/message"));
    let f = if text.to_ascii_uppercase().contains(i.word) {
        Finding::pass(format!(
            "{} (\"{}\")",
            i.honoured,
            crate::fit::excerpt(&text, 60)
        ))
    } else {
        let mut f = Finding::warn(
            Kind::ParamIgnored,
            format!(
                "the answer lacks {} (\"{}\"): {}",
                i.word,
                crate::fit::excerpt(&text, 60),
                i.ignored
            ),
        );
        f.param = Some(i.param.to_string());
        f
    };
    f.with_evidence(a.evidence()).with_timing(a.timing)
}
