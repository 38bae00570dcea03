//! `chat.context_overflow` (opt-in, only by its id): a prompt larger than any context window
//! must be refused with a 4xx whose code or words the SDKs and agents recognise
//! (`context_length_exceeded`, "maximum context length", "prompt is too long" and the other
//! phrasings the classifier knows), because that is what makes an agent compact its history
//! and go on. A 5xx reads as an outage (clients retry it, agents give up), a 4xx in words no
//! client knows leaves the agent stuck, and a 200 that counted far fewer prompt tokens than
//! were sent means the server cut the prompt silently: each fails, with the evidence.
//!
//! Its input cost is large (about [`OVERFLOW_WORDS`] tokens), so `--checks '*'` and
//! `--checks chat` leave it out: it runs only when named, and `--dry-run` shows the cost.

use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, MAX_TOKENS};
use super::long_prompt::{counted_short, filler, placeholder, prompt_tokens};
use super::spec::{cost_with_input, Judge, Spec};
use super::Ctx;
use crate::failure::Kind;
use crate::http::{Auth, Request};
use crate::finding::Finding;
use crate::route::Route;
use serde_json::json;

/// Words of filler sent: over the largest common windows (1M tokens: GPT-4.1, Gemini,
/// Claude's 1M tier), so a server with an honest limit refuses it.
pub const OVERFLOW_WORDS: u64 = 1_100_000;

pub const SPEC: Spec = Spec {
    proves: "a too-long prompt gets a 4xx agents read as context overflow",
    default: false,
    only_by_id: true,
    ..Spec::main(
        "chat.context_overflow",
        Route::Chat,
        |m, c| vec![request(m, c, &placeholder(OVERFLOW_WORDS))],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost_with_input(1, MAX_TOKENS, OVERFLOW_WORDS),
    )
};

fn request(model: &str, cap: TokenCap, prompt: &str) -> Request {
    let body = json!({
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        cap.key(): cap.tokens(MAX_TOKENS),
        "stream": false,
    });
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let prompt = format!("{}\nReply with the word ok.", filler(OVERFLOW_WORDS));
    let req = request(model, cap, &prompt);
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) => a,
    };
    if !a.is_success() {
        return judge_refusal(answer_error(&a, &req.sent_params()), a.status);
    }
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let counted = prompt_tokens(&v);
    let f = if counted_short(counted, OVERFLOW_WORDS) {
        Finding::fail(
            Kind::ContextTruncated,
            format!(
                "a prompt of about {OVERFLOW_WORDS} tokens got a 200 that counted {} prompt tokens: the server cut it silently, \
                 so agents never learn to compact and answers forget the start of the conversation",
                counted.unwrap_or(0)
            ),
        )
    } else {
        // The whole prompt was taken: a window larger than what was sent, or no usage to tell.
        let counted = counted.map_or("no usage".to_string(), |c| format!("{c} prompt tokens counted"));
        Finding::warn(
            Kind::ContextOverflow,
            format!(
                "a prompt of about {OVERFLOW_WORDS} tokens was answered with a 200 ({counted}): the model's window is larger, \
                 or the server cut the prompt without saying so; the overflow error could not be seen"
            ),
        )
    };
    f.with_evidence(a.evidence()).with_timing(a.timing)
}

/// A refusal of the oversized prompt: a 4xx the classifier reads as context overflow passes.
fn judge_refusal(f: Finding, status: u16) -> Finding {
    let msg = f.evidence.provider_message.clone().unwrap_or_default();
    let mut out = if status >= 500 {
        Finding::fail(
            Kind::ServerError,
            format!(
                "an oversized prompt got HTTP {status}: clients read it as an outage and retry, agents do not compact; \
                 it must be a 400 with code context_length_exceeded (\"{msg}\")"
            ),
        )
    } else if f.kind == Some(Kind::ContextOverflow) {
        Finding::pass(format!(
            "an oversized prompt got HTTP {status} that agents recognise as context overflow (\"{msg}\")"
        ))
    } else if status == 413 {
        Finding::fail(
            Kind::RequestTooLarge,
            format!(
                "HTTP 413: a body-size limit refused the prompt before the model saw it; agents do not read a 413 as \
                 context overflow, so they cannot compact (\"{msg}\"). Raise the proxy's body limit above the model's window"
            ),
        )
    } else {
        Finding::fail(
            Kind::BadRequest,
            format!(
                "an oversized prompt got HTTP {status} in words no SDK or agent recognises as context overflow: \
                 agents cannot compact and stop (\"{msg}\"); use code context_length_exceeded or \"maximum context length\""
            ),
        )
    };
    out.evidence = f.evidence;
    out.timing = f.timing;
    out
}
