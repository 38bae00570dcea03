//! `chat.unknown_model`: one 1-token request for a model id that cannot exist must be
//! refused. A gateway that answers it with 200 runs another model for any typo in a model
//! id, silently (a default model, a fallback chain, a fuzzy match): the answer names which.

use super::chat;
use crate::fit::excerpt;
use super::spec::{cost, Judge, Spec};
use super::answer::{answer_error, answer_json};
use super::{Ctx, TokenCap};
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Status};
use crate::route::Route;
use serde_json::{json, Value};

/// No provider serves it, and no fuzzy match can mistake it for a real id.
pub const NO_SUCH_MODEL: &str = "zencheck-no-such-model-7f3a9";

pub const SPEC: Spec = Spec {
    proves: "a model id that cannot exist is refused, not answered by another model",
    hint: Some(CheckHint::UnknownModel),
    ..Spec::main(
        "chat.unknown_model",
        Route::Chat,
        |_, c| vec![request(c)],
        Judge::Run(|cx, model, c| Box::pin(run(cx, model, c))),
        cost(1, 1),
    )
};

/// The plain chat request with the impossible id and a one-token cap: a server that
/// refuses spends nothing, one that substitutes spends one token.
fn request(cap: TokenCap) -> Request {
    let mut body = chat::chat_request(NO_SUCH_MODEL, false, cap, json!({}));
    body[cap.key()] = json!(1);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    match cx.http.call(cx.target, &request(cap)).await {
        Err(f) => f,
        Ok(a) => judge(&a, model).note_retry(a.waited_secs),
    }
}

/// `model` is the model the run probes: the one a user of this endpoint means to reach.
pub fn judge(a: &Answer, model: &str) -> Finding {
    let s = a.status;
    if a.is_success() {
        return match answer_json(a) {
            // An error body inside a 200 is a refusal, in a shape other checks judge.
            Err(f) if f.evidence.provider_message.is_some() => refused(a, &f),
            Err(f) => f,
            Ok(v) => substituted(a, &v, model),
        };
    }
    let f = answer_error(a, &[]);
    match s {
        // The key's or the rate's refusal says nothing about the model id.
        429 => f,
        400..=499 => refused(a, &f),
        _ => {
            let mut f = f;
            f.status = Status::Warn;
            f.detail = format!(
                "{}: an unknown model id gets a server error, so clients cannot tell a typo from an outage (and SDKs retry it)",
                f.detail
            );
            f
        }
    }
}

fn refused(a: &Answer, f: &Finding) -> Finding {
    let said = f
        .evidence
        .provider_message
        .as_deref()
        .map(|m| format!(": \"{}\"", excerpt(m, 80)))
        .unwrap_or_default();
    Finding::pass(format!(
        "`{NO_SUCH_MODEL}` refused with HTTP {}{said}",
        a.status
    ))
    .with_evidence(f.evidence.clone())
    .with_timing(a.timing)
}

fn substituted(a: &Answer, v: &Value, model: &str) -> Finding {
    let answered = v.get("model").and_then(Value::as_str).map(str::trim);
    // The model under test answered: a server that serves one model whatever the id
    // (llama.cpp, a single-model vLLM, a gateway's default). A typo still goes unnoticed, but
    // no other model runs in this setup: worth knowing, not a broken endpoint.
    if answered.is_some_and(|m| !m.is_empty() && super::model_swap::same_model(m, model)) {
        return Finding::warn(
            Kind::ModelMismatch,
            format!(
                "asked for `{NO_SUCH_MODEL}`, a model id that cannot exist, and got HTTP {}: `{}`, the model under test, answered. The server answers any id with its one model (as llama.cpp and single-model servers do): a typo in a model id is never refused",
                a.status,
                excerpt(model, 80)
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    }
    let who = match answered {
        Some(m) if !m.is_empty() => format!("`{}` answered", excerpt(m, 80)),
        _ => "an unnamed model answered (no `model` in the answer)".to_string(),
    };
    Finding::fail(
        Kind::ModelMismatch,
        format!(
            "asked for `{NO_SUCH_MODEL}`, a model id that cannot exist, and got HTTP {}: {who}. Any typo in a model id runs another model, silently",
            a.status
        ),
    )
    .with_evidence(a.evidence())
    .with_timing(a.timing)
}
