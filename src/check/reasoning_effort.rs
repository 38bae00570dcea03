//! `chat.reasoning_effort`: on a model whose answers show reasoning, is `reasoning_effort`
//! accepted, rejected (the parameter named) or accepted but ignored? Judged by effect: the
//! same question at `low` and at `high`, each capped, must not reason just as long at both.
//! Many servers accept the parameter and drop it (a gateway adapter, a model without the
//! knob: DeepSeek R1, Grok); apps then pay for reasoning they asked to cut.
//!
//! On a model that showed no reasoning, it sends nothing and says so (a skip): the
//! parameter means nothing there.

use super::json_schema::name_rejection;
use super::spec::{cost, Judge, Spec, Stage};
use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, REASONING_MAX_TOKENS};
use super::Ctx;
use crate::failure::Kind;
use crate::http::{Auth, Request};
use crate::finding::Finding;
use crate::reasoning;
use crate::route::Route;
use serde_json::{json, Value};

/// A question a reasoning model thinks about a little, more at a higher effort.
pub const EFFORT_PROMPT: &str = "What is 17 times 23? Reply with the number only.";
/// The two efforts compared: the lowest and the highest every reasoning API names.
pub const EFFORTS: [&str; 2] = ["low", "high"];

pub const SPEC: Spec = Spec {
    proves: "on a reasoning model, reasoning_effort low vs high changes reasoning_tokens",
    stage: Stage::Reasoning,
    // Two requests of 1024 tokens: opt-in, so a default probe stays within 25 requests.
    default: false,
    // A refusal is information (stop sending it), not an outage.
    rejection_warns: true,
    ..Spec::main(
        "chat.reasoning_effort",
        Route::Chat,
        |m, c| EFFORTS.iter().map(|e| effort_request(m, c, e)).collect(),
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * REASONING_MAX_TOKENS),
    )
};

/// The question at one effort, capped at [`REASONING_MAX_TOKENS`] (the check runs only on
/// reasoning models, whose caps are that already).
fn effort_request(model: &str, cap: TokenCap, effort: &str) -> Request {
    let body = json!({
        "model": model,
        "messages": [{"role": "user", "content": EFFORT_PROMPT}],
        cap.key(): cap.tokens(REASONING_MAX_TOKENS),
        "stream": false,
        "reasoning_effort": effort,
    });
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

/// How much one answer reasoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    /// `reasoning_tokens` from the usage, when the server counts them.
    pub tokens: Option<u64>,
    /// Characters of reasoning text, for servers that send text but no count.
    pub chars: usize,
}

impl Spent {
    pub fn of(v: &Value) -> Spent {
        let message = v.pointer("/choices/0/message").unwrap_or(&Value::Null);
        let fields: usize = reasoning::CHAT_FIELDS
            .iter()
            .filter_map(|k| message.get(*k))
            .filter(|r| !r.is_null())
            .map(|r| r.as_str().map_or_else(|| r.to_string().len(), str::len))
            .sum();
        let content = message.get("content").and_then(Value::as_str).unwrap_or("");
        let tags = reasoning::split_think(content).1.map_or(0, |t| t.len());
        let chars = fields + tags;
        // A count of 0 beside reasoning text is a server that does not count (llama.cpp,
        // vLLM and Ollama send the text and no or zero reasoning_tokens): no count at all.
        let tokens = v
            .get("usage")
            .and_then(reasoning::usage_tokens)
            .filter(|t| *t > 0 || chars == 0);
        Spent { tokens, chars }
    }
}

/// A refusal of the request, named when it is about the effort: OpenAI-style 400s name
/// `reasoning_effort`; Ollama maps it to its `think` option and answers (as a 400 or a 500)
/// "think value \"low\" is not supported for this model" or "… does not support thinking".
fn refused(f: Finding, effort: &str) -> Finding {
    let msg = f
        .evidence
        .provider_message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let f = name_rejection(f, "reasoning_effort", &["reasoning_effort", "reasoning effort", "effort", "think"]);
    let names_it = ["reasoning_effort", "reasoning effort", "think value", "support thinking"]
        .iter()
        .any(|w| msg.contains(w));
    let mut f = f;
    if names_it
        && matches!(
            f.kind,
            Some(Kind::ServerError | Kind::BadRequest | Kind::ModelNotFound)
        )
        && crate::classify::refusal_words(&msg)
    {
        // "… is not supported for this model" reads like an unknown model to the classifier;
        // the model answered without the parameter, so it is the parameter.
        // A 5xx that names the parameter and says it is unsupported is a refusal, not an outage.
        f.kind = Some(Kind::ParamRejected);
        f.param = Some("reasoning_effort".into());
    }
    if f.kind == Some(Kind::ParamRejected) {
        f.detail = format!("reasoning_effort \"{effort}\" refused: {}", f.detail);
    }
    f
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    if !cap.reasoning() {
        return Finding::skip(super::NOT_REASONING);
    }
    let mut spent = Vec::new();
    let mut last = None;
    for effort in EFFORTS {
        let req = effort_request(model, cap, effort);
        let a = match cx.http.call(cx.target, &req).await {
            Err(f) => return f,
            Ok(a) if !a.is_success() => {
                let f = answer_error(&a, &req.sent_params());
                return refused(f, effort);
            }
            Ok(a) => a,
        };
        let v = match answer_json(&a) {
            Ok(v) => v,
            Err(f) => return f,
        };
        spent.push(Spent::of(&v));
        last = Some((a.evidence(), a.timing, reasoning::of_completion(&v)));
    }
    let mut f = judge(spent[0], spent[1], cap.tokens(REASONING_MAX_TOKENS));
    if let Some((evidence, timing, r)) = last {
        f = f.with_evidence(evidence).with_timing(timing);
        f.reasoning = r;
    }
    f
}

/// Judge the reasoning at `low` against `high`. High must reason clearly more: at least half
/// as much again, and 16 tokens (64 characters) more, so sampling noise is not an effect.
pub fn judge(low: Spent, high: Spent, cap: u64) -> Finding {
    let (l, h, unit, margin) = match (low.tokens, high.tokens) {
        (Some(l), Some(h)) => (l, h, "reasoning_tokens", 16),
        _ if low.chars + high.chars > 0 => (
            low.chars as u64,
            high.chars as u64,
            "characters of reasoning",
            64,
        ),
        _ => return Finding::skip("no reasoning_tokens and no reasoning text in the answers to compare"),
    };
    let said = format!("{l} {unit} at reasoning_effort low, {h} at high");
    if low.tokens.is_some_and(|t| t >= cap) && high.tokens.is_some_and(|t| t >= cap) {
        return Finding::skip(format!(
            "{said}: both spent the whole {cap}-token cap, so the effort cannot be judged"
        ));
    }
    if h >= l + margin.max(l / 2) {
        Finding::pass(format!("{said}: the effort takes effect"))
    } else {
        Finding::warn(
            Kind::ParamIgnored,
            format!("reasoning_effort was accepted, but {said}: it has no effect"),
        )
        .with_param("reasoning_effort")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;

    fn tokens(n: u64) -> Spent {
        Spent {
            tokens: Some(n),
            chars: 0,
        }
    }

    #[test]
    fn high_must_reason_clearly_more_than_low() {
        assert_eq!(judge(tokens(8), tokens(96), 1024).status, Status::Pass);
        let same = judge(tokens(150), tokens(170), 1024);
        assert_eq!(
            (same.status, same.kind, same.param.as_deref()),
            (
                Status::Warn,
                Some(Kind::ParamIgnored),
                Some("reasoning_effort")
            )
        );
        assert!(same
            .detail
            .contains("150 reasoning_tokens at reasoning_effort low, 170 at high"));
        // Less at high is no effect either.
        assert_eq!(
            judge(tokens(60), tokens(20), 1024).kind,
            Some(Kind::ParamIgnored)
        );
        // Both at the cap: nothing to judge.
        assert_eq!(judge(tokens(1024), tokens(1024), 1024).status, Status::Skip);
    }

    #[test]
    fn reasoning_text_stands_in_for_a_missing_count() {
        let text = |chars| Spent {
            tokens: None,
            chars,
        };
        assert_eq!(judge(text(40), text(400), 1024).status, Status::Pass);
        assert_eq!(
            judge(text(300), text(320), 1024).kind,
            Some(Kind::ParamIgnored)
        );
        assert_eq!(judge(text(0), text(0), 1024).status, Status::Skip);
    }

    #[test]
    fn spent_reads_usage_and_every_reasoning_field() {
        let v = json!({"choices":[{"message":{"content":"391","reasoning":"17*23 = 391"}}],
                       "usage":{"completion_tokens":20,"completion_tokens_details":{"reasoning_tokens":18}}});
        assert_eq!(
            Spent::of(&v),
            Spent {
                tokens: Some(18),
                chars: 11
            }
        );
        let req = effort_request("m", TokenCap::MaxCompletionTokens, "low");
        let body = req.body.unwrap();
        assert_eq!(body["reasoning_effort"], "low");
        assert_eq!(body["max_completion_tokens"], REASONING_MAX_TOKENS);
    }
}
