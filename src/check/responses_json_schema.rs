//! `responses.json_schema`: strict structured output on `/responses`, through
//! `text.format: {type: "json_schema", name, strict: true, schema}` — the same schema, prompt
//! and judge as `chat.json_schema`. Prose, or JSON that breaks the schema, is `param_ignored`
//! (`text.format`); a refusal of the parameter is `param_rejected`.

use super::json_schema::{SCHEMA_WORDS, judge_text, name_rejection, schema, JSON_PROMPT, MAX_TOKENS_JSON, SCHEMA_NAME};
use super::answer::{judge_usage_and_model, reasoning_spent_cap, send_json};
use crate::fit::excerpt;
use super::responses::{output_items, output_text, response_json};
use super::spec::{cost, Judge, Spec};
use super::ask::TokenCap;
use super::Ctx;
use crate::failure::{CheckHint, Kind};
use crate::http::{Answer, Auth, Request};
use crate::finding::{Finding, Problems};
use crate::route::Route;
use serde_json::{json, Value};

/// How a finding names the parameter: the Responses API nests it.
pub const PARAM: &str = "text.format";


pub const SPEC: Spec = Spec {
    proves: "text.format json_schema: the answer validates against the schema",
    hint: Some(CheckHint::Structured),
    ..Spec::main(
        "responses.json_schema",
        Route::Responses,
        |m, _| vec![request(m)],
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(1, MAX_TOKENS_JSON),
    )
};

pub fn request(model: &str) -> Request {
    let body = json!({
        "model": model,
        "input": JSON_PROMPT,
        "max_output_tokens": MAX_TOKENS_JSON,
        "text": {"format": {"type": "json_schema", "name": SCHEMA_NAME, "strict": true, "schema": schema()}},
    });
    Request::post(Route::Responses.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, _: TokenCap) -> Finding {
    let f = send_json(cx, &request(model), |a| judge(a, model)).await;
    // chat.json_schema's words, and the Responses key: "Unknown parameter: 'text'".
    let f = name_rejection(f, PARAM, SCHEMA_WORDS);
    name_rejection(f, PARAM, &["text.format", "'text'"])
}

/// Judge a 2xx Responses answer that was asked for JSON following the schema.
pub fn judge(a: &Answer, asked: &str) -> Finding {
    let v = match response_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let output = output_items(&v);
    let mut p = Problems::default();
    // `incomplete` is the Responses API's finish_reason "length"; a `completed` answer whose
    // output tokens reached the cap was most likely cut too (llama.cpp's server says so).
    let at_cap = super::responses::completed_at_cap(&v, a.sent_cap, &mut p);
    let incomplete = v.get("status").and_then(Value::as_str) == Some("incomplete") || at_cap;
    let text = output_text(output);
    let reasoning = crate::reasoning::of_response(&v);
    let said = if reasoning_spent_cap(
        &text,
        0,
        incomplete.then_some("length"),
        reasoning.as_ref(),
        &mut p,
    ) {
        "no JSON".to_string()
    } else if let Some(r) = refusal(output).filter(|_| text.trim().is_empty()) {
        p.fail_param(
            Kind::ParamRejected,
            PARAM,
            format!(
                "the model refused instead of answering to the format (a refusal content part): \"{}\"",
                excerpt(&r, 80)
            ),
        );
        "a refusal".to_string()
    } else if text.trim().is_empty() && reasoning_holds_json(output) {
        // vLLM with a reasoning parser: the answer escapes into the unconstrained reasoning item.
        p.fail(
            Kind::BadResponse,
            "no output_text, and the JSON came in a reasoning item: clients read the message's output_text and get nothing (a reasoning parser that took the answer for reasoning, so the schema was not applied)",
        );
        "no JSON in output_text".to_string()
    } else {
        judge_text(&text, incomplete, Some(&schema()), PARAM, &mut p)
    };
    let tokens = judge_usage_and_model(&v, asked, ("input_tokens", "output_tokens"), &mut p);
    let mut f = p
        .into_finding(format!("{said}{tokens}"))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = reasoning;
    f
}

/// A `refusal` content part of a message item.
fn refusal(output: &[Value]) -> Option<String> {
    output
        .iter()
        .filter_map(|i| i.get("content").and_then(Value::as_array))
        .flatten()
        .filter(|c| c.get("type").and_then(Value::as_str) == Some("refusal"))
        .find_map(|c| c.get("refusal").and_then(Value::as_str))
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
}

/// A reasoning item whose text (content or summary) holds a JSON object.
fn reasoning_holds_json(output: &[Value]) -> bool {
    output
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("reasoning"))
        .flat_map(|i| {
            ["content", "summary"]
                .iter()
                .filter_map(|k| i.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(|c| c.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
        })
        .any(super::structured::holds_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Status, Timing};

    fn answer(text: &str, status: &str) -> Answer {
        let v = json!({"object": "response", "status": status, "model": "gpt-5-nano",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}],
            "usage": {"input_tokens": 30, "output_tokens": 12}});
        Answer {
            status: 200,
            content_type: Some("application/json".into()),
            request_id: None,
            retry_after_secs: None,
            body: v.to_string().into_bytes(),
            timing: Timing::default(),
            waited_secs: None,
            sent_cap: None,
            path: None,
        }
    }

    #[test]
    fn valid_json_passes_and_prose_or_violations_ignore_text_format() {
        let ok = judge(&answer(r#"{"city":"Paris","temperature_c":17}"#, "completed"), "gpt-5-nano");
        assert_eq!(ok.status, Status::Pass, "{}", ok.detail);
        for bad in ["It is 17 degrees.", r#"{"answer":"pong"}"#] {
            let f = judge(&answer(bad, "completed"), "gpt-5-nano");
            assert_eq!(
                (f.kind, f.param.as_deref()),
                (Some(Kind::ParamIgnored), Some(PARAM)),
                "{bad}"
            );
        }
        let cut = judge(&answer(r#"{"city":"Pa"#, "incomplete"), "gpt-5-nano");
        assert_eq!(cut.kind, Some(Kind::OutputLength));
    }

    #[test]
    fn completed_at_the_cap_is_flagged_and_judged_as_cut() {
        // llama.cpp: JSON with its own keys, cut at max_output_tokens, status completed.
        let text = "{\n  \"description\": \"Paris, France\",\n  \"location\": \"Paris, France\",\n  \"weather\": {\n    \"";
        let mut a = answer(text, "completed");
        a.sent_cap = Some(12);
        let f = judge(&a, "gpt-5-nano");
        assert_eq!((f.kind, f.param.as_deref()), (Some(Kind::ParamIgnored), Some(PARAM)), "{}", f.detail);
        assert!(
            f.detail.contains("keys outside the schema (description, location, weather)")
                && f.detail.contains("cut at the output cap")
                && !f.detail.contains("prose"),
            "{}",
            f.detail
        );
        assert!(f.detail.contains("status completed, but output_tokens 12"), "{}", f.detail);
        // Below the cap, completed is believed.
        a.sent_cap = Some(64);
        let f = judge(&a, "gpt-5-nano");
        assert!(!f.detail.contains("status completed"), "{}", f.detail);
        assert!(f.detail.contains("does not parse"), "{}", f.detail);
    }

    #[test]
    fn the_format_is_nested_under_text() {
        let b = request("m").body.unwrap();
        assert_eq!(b["text"]["format"]["type"], "json_schema");
        assert_eq!(b["text"]["format"]["strict"], true);
        assert_eq!(b["text"]["format"]["schema"], schema());
        assert!(b.get("response_format").is_none());
    }
}
