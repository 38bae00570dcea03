//! `responses.previous_response` (opt-in): `/responses` with `store: true`, then a second
//! turn that sends only `previous_response_id` and a question about the first turn, as the
//! OpenAI Agents SDK and Codex chain turns. Honoured (the answer knows the first turn),
//! rejected (the id refused: a server that stores nothing; clients must resend the whole
//! input) or ignored (accepted, and the first turn is gone: the agent forgets silently).

use super::answer::{answer_error, answer_json};
use super::ask::{TokenCap, MAX_TOKENS};
use super::responses::output_text;
use super::spec::{cost, Judge, Spec};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::fit::excerpt;
use crate::http::{Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

/// The word turn one gives and turn two must recall.
pub const WORD: &str = "PELICAN";
/// What a dry run shows for the id turn one will return.
pub const PLACEHOLDER_RESPONSE_ID: &str = "<id of the response from turn 1>";
const FIRST: &str = "Remember this code word: PELICAN. Reply with the single word: ok";
const SECOND: &str = "What was the code word I gave you? Reply with that single word.";

pub const SPEC: Spec = Spec {
    proves: "store: true, then previous_response_id carries turn one into two",
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "responses.previous_response",
        Route::Responses,
        |m, _| vec![first_turn(m), chained(m, PLACEHOLDER_RESPONSE_ID)],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(2, 2 * MAX_TOKENS),
    )
};

fn post(body: Value) -> Request {
    Request::post(Route::Responses.path(), body, Auth::Bearer)
}

/// Turn one: a word to remember, stored.
pub fn first_turn(model: &str) -> Request {
    post(json!({"model": model, "input": FIRST, "store": true, "max_output_tokens": MAX_TOKENS}))
}

/// Turn two: only the question, the first turn by reference.
pub fn chained(model: &str, response_id: &str) -> Request {
    post(json!({
        "model": model,
        "previous_response_id": response_id,
        "input": SECOND,
        "max_output_tokens": MAX_TOKENS,
    }))
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
    let not_stored = v.get("store") == Some(&Value::Bool(false));
    let Some(id) = v.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
        return Finding::warn(
            Kind::BadResponse,
            "turn 1's answer has no id: previous_response_id cannot refer to it",
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    };
    let req = chained(model, id);
    let b = match cx.http.call(cx.target, &req).await {
        Err(f) => return f,
        Ok(b) => b,
    };
    let stored = if not_stored {
        "turn 1 answered store: false although store: true was sent; "
    } else {
        ""
    };
    if !b.is_success() {
        let mut f = answer_error(&b, &req.sent_params());
        let passing = matches!(
            f.kind,
            Some(Kind::Auth | Kind::Billing | Kind::RateLimit | Kind::Timeout | Kind::Network)
        );
        if b.status >= 400 && !passing {
            f.kind = Some(Kind::ParamRejected);
            f.param = Some("previous_response_id".into());
            f.status = Status::Warn;
            f.detail = format!(
                "turn 2: previous_response_id was refused ({}): {stored}this server keeps no responses; clients that chain turns (OpenAI Agents SDK, Codex) must send the whole input again",
                f.detail
            );
        }
        return f;
    }
    let w = match answer_json(&b) {
        Ok(w) => w,
        Err(f) => return f,
    };
    let output = w.get("output").and_then(Value::as_array).cloned().unwrap_or_default();
    let text = output_text(&output);
    let f = if text.to_ascii_uppercase().contains(WORD) {
        Finding::pass(format!(
            "turn 2 recalled turn 1 by previous_response_id (\"{}\")",
            excerpt(&text, 40)
        ))
    } else {
        let mut f = Finding::warn(
            Kind::ParamIgnored,
            format!(
                "turn 2 was accepted but answered without turn 1's code word {WORD} (\"{}\"): {stored}previous_response_id was ignored, so an agent that chains turns loses the conversation silently",
                excerpt(&text, 40)
            ),
        );
        f.param = Some("previous_response_id".into());
        f
    };
    f.with_evidence(b.evidence()).with_timing(b.timing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_two_refers_to_turn_one_and_asks_for_its_word() {
        let one = first_turn("m").body.unwrap();
        assert_eq!(one["store"], true);
        assert!(one["input"].as_str().unwrap().contains(WORD));
        let two = chained("m", "resp_1").body.unwrap();
        assert_eq!(two["previous_response_id"], "resp_1");
        assert!(!two["input"].as_str().unwrap().contains(WORD));
    }
}
