//! `chat.truncation_canary` (opt-in): a prompt of about [`CANARY_WORDS`] tokens with a code
//! word near its start, and the question at its end: the answer must repeat the word, and
//! the `prompt_tokens` the server counted must be near what was sent. A server that cuts the
//! start of long prompts silently (Ollama's default `num_ctx` on `/v1`, a proxy trimming
//! history) answers without the word and counts far fewer tokens: `context_truncated`.
//! A model that refuses the prompt as too long with a recognisable 4xx is honest: a pass
//! that names its small window.

use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, MAX_TOKENS};
use super::long_prompt::{counted_short, filler, placeholder, prompt_tokens};
use super::spec::{cost_with_input, Judge, Spec};
use super::Ctx;
use crate::failure::Kind;
use crate::http::{Auth, Request};
use crate::finding::Finding;
use crate::route::Route;
use serde_json::{json, Value};

/// Words of filler: over the 2 048, 4 096 and 8 192 token defaults small servers run with,
/// under the 16 k and larger windows of the models apps use.
pub const CANARY_WORDS: u64 = 12_000;
/// The word the answer must repeat: one no filler holds.
pub const CANARY: &str = "PERIWINKLE";
/// The question at the end of the prompt (the mock answers it).
pub const QUESTION: &str = "What is the code word given at the start of this message? Reply with the code word only.";

pub const SPEC: Spec = Spec {
    proves: "a 12k-token prompt is read whole: the answer repeats its first word",
    default: false,
    ..Spec::main(
        "chat.truncation_canary",
        Route::Chat,
        |m, c| vec![request(m, c, &prompt(&placeholder(CANARY_WORDS)))],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost_with_input(1, MAX_TOKENS, CANARY_WORDS),
    )
};

/// The code word after a sentence of its own (servers that cut keep a few first tokens),
/// the filler, the question.
fn prompt(filler: &str) -> String {
    format!("Read this whole message before you answer. The code word is {CANARY}. Remember it.\n{filler}\n{QUESTION}")
}

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
    let req = request(model, cap, &prompt(&filler(CANARY_WORDS)));
    let a = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(a) => a,
    };
    if !a.is_success() {
        let f = answer_error(&a, &req.sent_params());
        if f.kind == Some(Kind::ContextOverflow) && a.status < 500 {
            let msg = f.evidence.provider_message.clone().unwrap_or_default();
            let mut p = Finding::pass(format!(
                "a prompt of about {CANARY_WORDS} tokens was refused as over the model's window, honestly (\"{msg}\"): the window is small"
            ));
            p.evidence = f.evidence;
            p.timing = f.timing;
            return p;
        }
        return f;
    }
    let v = match answer_json(&a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    judge(&v, CANARY_WORDS)
        .with_evidence(a.evidence())
        .with_timing(a.timing)
}

/// Judge the answer to a prompt of `sent` tokens.
fn judge(v: &Value, sent: u64) -> Finding {
    let content = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .unwrap_or("");
    let repeated = content.to_ascii_uppercase().contains(CANARY);
    let counted = prompt_tokens(v);
    let count = counted.map_or("no usage".to_string(), |c| format!("{c} prompt tokens counted"));
    let short = counted_short(counted, sent);
    match (repeated, short) {
        (true, _) => Finding::pass(format!(
            "the answer repeats the code word from the start of a prompt of about {sent} tokens ({count})"
        )),
        (false, true) => Finding::fail(
            Kind::ContextTruncated,
            format!(
                "a prompt of about {sent} tokens: {count} and the answer lacks the code word from its start \
                 (\"{}\"): the server cut the prompt silently",
                crate::fit::excerpt(content, 80)
            ),
        ),
        (false, false) => Finding::warn(
            Kind::ContextTruncated,
            format!(
                "the answer lacks the code word from the start of a prompt of about {sent} tokens ({count}; \"{}\"): \
                 the model may have missed it, or the server cut the prompt after counting it",
                crate::fit::excerpt(content, 80)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content: &str, prompt_tokens: u64) -> Value {
        json!({"choices": [{"message": {"content": content}}], "usage": {"prompt_tokens": prompt_tokens}})
    }

    #[test]
    fn a_cut_prompt_fails_and_a_whole_one_passes() {
        let cut = judge(&answer("I do not know", 4096), CANARY_WORDS);
        assert_eq!(cut.kind, Some(Kind::ContextTruncated));
        assert_eq!(cut.status, crate::finding::Status::Fail);
        let whole = judge(&answer("Periwinkle", 13_400), CANARY_WORDS);
        assert_eq!(whole.status, crate::finding::Status::Pass);
        let unsure = judge(&answer("ok", 13_400), CANARY_WORDS);
        assert_eq!(unsure.status, crate::finding::Status::Warn);
    }
}
