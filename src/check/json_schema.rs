//! `chat.json_schema`: strict structured output, `response_format: {type: "json_schema",
//! json_schema: {name, strict: true, schema}}`. The answer must parse and validate against
//! the schema (with the `jsonschema` crate). Prose, or JSON that breaks the schema, is
//! `param_ignored` — the bug users meet most (vLLM, llama.cpp, LiteLLM adapters, a gateway
//! falling back to `json_object`); a refusal of the parameter is `param_rejected`.
//!
//! The text judge is shared by `chat.json_object` and `responses.json_schema`.

use super::chat::{self, excerpt};
use super::spec::{cost, Judge, Spec};
use super::{answer_json, judge_usage_and_model, send_json, Ctx, TokenCap};
use crate::failure::Kind;
use crate::http::{Answer, Auth, Request};
use crate::outcome::{Finding, Problems, Status};
use crate::route::Route;
use serde_json::{json, Value};

/// Output cap for a structured answer: the object below is about 15 tokens.
pub const MAX_TOKENS_JSON: u64 = 64;
pub const SCHEMA_NAME: &str = "weather_report";
pub const JSON_PROMPT: &str =
    "Report the weather in Paris as JSON: the city, and the temperature in whole degrees Celsius.";

/// A small schema a strict server can enforce: two required fields, nothing else.
pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "temperature_c": {"type": "integer"}
        },
        "required": ["city", "temperature_c"],
        "additionalProperties": false
    })
}

pub const SPEC: Spec = Spec::main(
    "chat.json_schema",
    Route::Chat,
    |m, c| vec![structured_request(m, c, response_format())],
    Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
    cost(1, MAX_TOKENS_JSON),
);

fn response_format() -> Value {
    json!({"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": true, "schema": schema()}})
}

/// A chat request for a structured answer with this `response_format`.
pub fn structured_request(model: &str, cap: TokenCap, format: Value) -> Request {
    let mut body = chat::chat_request(model, false, cap, json!({"response_format": format}));
    body[cap.key()] = json!(cap.tokens(MAX_TOKENS_JSON));
    body["messages"] = json!([{"role": "user", "content": JSON_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let req = structured_request(model, cap, response_format());
    let schema = schema();
    let f = send_json(cx, &req, |a| judge_chat(a, model, Some(&schema))).await;
    name_rejection(
        f,
        "response_format",
        &["response_format", "json_schema", "schema"],
    )
}

/// A 4xx that talks about the parameter but was classified as a plain bad request is a
/// rejection of that parameter.
pub fn name_rejection(mut f: Finding, param: &str, words: &[&str]) -> Finding {
    let says = f
        .evidence
        .provider_message
        .as_deref()
        .map(str::to_ascii_lowercase)
        .is_some_and(|m| words.iter().any(|w| m.contains(w)));
    let refused = matches!(f.evidence.http_status, Some(400..=422));
    if refused && says && matches!(f.kind, Some(Kind::BadRequest) | Some(Kind::ParamRejected)) {
        f.kind = Some(Kind::ParamRejected);
        f.status = Status::Fail;
        if f.param.is_none() {
            f.param = Some(param.to_string());
        }
    }
    f
}

/// Judge a 2xx chat answer that was asked for JSON (validated against `schema` if given).
pub fn judge_chat(a: &Answer, asked: &str, schema: Option<&Value>) -> Finding {
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let mut p = Problems::default();
    let Some(choice) = v.pointer("/choices/0") else {
        return Finding::fail(Kind::BadResponse, "no choices[] in the answer")
            .with_evidence(a.evidence())
            .with_timing(a.timing);
    };
    // A thought in <think> tags before the JSON is reasoning, not the answer.
    let text = crate::reasoning::answer_text(
        choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
    let text = text.as_str();
    let finish = choice.get("finish_reason").and_then(Value::as_str);
    let cut = finish == Some("length");
    let reasoning = crate::reasoning::of_completion(&v);
    let said = if chat::reasoning_spent_cap(text, 0, finish, reasoning.as_ref(), &mut p) {
        "no JSON".to_string()
    } else {
        judge_text(text, cut, schema, "response_format", &mut p)
    };
    let tokens = judge_usage_and_model(&v, asked, ("prompt_tokens", "completion_tokens"), &mut p);
    let mut f = p
        .into_finding(format!("{said}{tokens}"))
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = reasoning;
    f
}

/// Does `text` answer a request for JSON? Records problems against `param`; returns the
/// pass summary.
pub fn judge_text(
    text: &str,
    cut: bool,
    schema: Option<&Value>,
    param: &str,
    p: &mut Problems,
) -> String {
    let t = text.trim();
    let parsed = serde_json::from_str::<Value>(t);
    match (&parsed, schema) {
        (Err(_), _) if t.is_empty() => p.fail(
            if cut {
                Kind::OutputLength
            } else {
                Kind::BadResponse
            },
            format!(
                "empty answer{}",
                if cut {
                    " at the output cap (reasoning may have used it)"
                } else {
                    ""
                }
            ),
        ),
        (Err(_), _) if cut && t.starts_with('{') => p.warn(
            Kind::OutputLength,
            format!(
                "the JSON was cut at the output cap ({MAX_TOKENS_JSON} tokens): {}",
                excerpt(t, 60)
            ),
        ),
        (Err(_), _) => p.fail_param(
            Kind::ParamIgnored,
            param,
            format!("{param} asked for JSON, got prose: \"{}\"", excerpt(t, 60)),
        ),
        (Ok(v), _) if !v.is_object() => p.fail_param(
            Kind::ParamIgnored,
            param,
            format!("{param} asked for a JSON object, got {}", excerpt(t, 60)),
        ),
        (Ok(v), Some(schema)) => {
            if let Some(why) = violation(schema, v) {
                p.fail_param(
                    Kind::ParamIgnored,
                    param,
                    format!(
                        "the JSON does not follow the schema ({why}): {}",
                        excerpt(t, 60)
                    ),
                );
            }
        }
        (Ok(_), None) => {}
    }
    format!("JSON {}", excerpt(t, 60))
}

/// The first way `v` breaks `schema`, if any.
pub fn violation(schema: &Value, v: &Value) -> Option<String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(val) => val,
        Err(e) => return Some(format!("zencheck's schema does not compile: {e}")),
    };
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        })
        .collect();
    match errors.len() {
        0 => None,
        1 => Some(errors[0].clone()),
        n => Some(format!("{}; and {} more", errors[0], n - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(text: &str, cut: bool) -> Finding {
        let mut p = Problems::default();
        let s = judge_text(text, cut, Some(&schema()), "response_format", &mut p);
        p.into_finding(s)
    }

    #[test]
    fn valid_json_passes_and_violations_are_ignored_params() {
        assert_eq!(
            judge(r#"{"city":"Paris","temperature_c":17}"#, false).status,
            Status::Pass
        );
        for bad in [
            r#"{"answer":"pong"}"#,
            r#"{"city":"Paris","temperature_c":"warm"}"#,
            "It is 17 degrees in Paris.",
            "```json\n{\"city\":\"Paris\",\"temperature_c\":17}\n```",
        ] {
            let f = judge(bad, false);
            assert_eq!(
                (f.kind, f.param.as_deref()),
                (Some(Kind::ParamIgnored), Some("response_format")),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_cut_answer_is_the_output_cap_not_an_ignored_format() {
        let f = judge(r#"{"city":"Pa"#, true);
        assert_eq!((f.status, f.kind), (Status::Warn, Some(Kind::OutputLength)));
        assert_eq!(judge("", true).kind, Some(Kind::OutputLength));
    }
}
