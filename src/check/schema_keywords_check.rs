//! `chat.schema_keywords` (opt-in): one tool call per JSON Schema keyword applications
//! send (`additionalProperties`, `anyOf`, `$ref`, `enum`, a nested object), each in an
//! otherwise plain tool schema. Accepted or rejected, naming each keyword refused: a gateway
//! that translates tools for another provider (Gemini's function declarations) refuses some
//! (OmniRoute#1421), and every AI SDK or MCP tool that uses one breaks.

use super::answer::answer_error;
use super::ask::{TokenCap, MAX_TOKENS_TOOLS};
use super::chat::{chat_request, TOOL_NAME, TOOL_PROMPT};
use super::spec::{cost, Judge, Spec};
use super::Ctx;
use crate::failure::Kind;
use crate::finding::{Finding, Status};
use crate::http::{Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

/// The keywords tried, each with a schema that uses it.
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("additionalProperties", json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false})),
        ("anyOf", json!({"type": "object", "properties": {"city": {"anyOf": [{"type": "string"}, {"type": "null"}]}}, "required": ["city"]})),
        ("$ref", json!({"type": "object", "properties": {"city": {"$ref": "#/$defs/city"}}, "required": ["city"], "$defs": {"city": {"type": "string"}}})),
        ("enum", json!({"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"]})),
        ("nested object", json!({"type": "object", "properties": {"location": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}, "required": ["location"]})),
    ]
}

pub const SPEC: Spec = Spec {
    proves: "tool schemas with additionalProperties, anyOf, $ref, enum, nesting",
    default: false,
    rejection_warns: true,
    ..Spec::main(
        "chat.schema_keywords",
        Route::Chat,
        |m, c| schemas().into_iter().map(|(_, s)| request(m, c, s)).collect(),
        Judge::Run(|cx, m, c| Box::pin(run(cx, m, c))),
        cost(5, 5 * MAX_TOKENS_TOOLS),
    )
};

fn request(model: &str, cap: TokenCap, schema: Value) -> Request {
    let tools = json!([{"type": "function", "function": {"name": TOOL_NAME, "description": "Get the current weather for a city.", "parameters": schema}}]);
    let mut body = chat_request(model, false, cap, json!({"tools": tools, "tool_choice": "auto"}));
    body[cap.key()] = json!(cap.tokens(MAX_TOKENS_TOOLS));
    body["messages"] = json!([{"role": "user", "content": TOOL_PROMPT}]);
    Request::post(Route::Chat.path(), body, Auth::Bearer)
}

async fn run(cx: &Ctx<'_>, model: &str, cap: TokenCap) -> Finding {
    let mut accepted = Vec::new();
    let mut refused: Vec<(&str, Finding)> = Vec::new();
    for (keyword, schema) in schemas() {
        let req = request(model, cap, schema);
        match cx.http.call(cx.target, &req).await {
            Err(f) => return f,
            Ok(a) if a.is_success() => accepted.push(keyword),
            Ok(a) if (400..500).contains(&a.status) && a.status != 429 => {
                refused.push((keyword, answer_error(&a, &req.sent_params())))
            }
            Ok(a) => return answer_error(&a, &req.sent_params()),
        }
    }
    judge(&accepted, refused)
}

/// Every keyword refused is tools refused, not a keyword; some refused are named.
fn judge(accepted: &[&str], refused: Vec<(&str, Finding)>) -> Finding {
    let Some((first, evidence)) = refused.first() else {
        return Finding::pass(format!("every schema accepted: {}", accepted.join(", ")));
    };
    let names: Vec<&str> = refused.iter().map(|(k, _)| *k).collect();
    let mut f = Finding::new(
        Status::Warn,
        Some(Kind::ParamRejected),
        if accepted.is_empty() {
            format!("every tool schema was refused ({}): tools themselves are refused here, see chat.tools", names.join(", "))
        } else {
            format!(
                "tool schemas refused for {}; accepted: {}: tools written with {} (zod, MCP servers, the AI SDK) fail here",
                names.join(", "),
                accepted.join(", "),
                if names.len() == 1 { "that keyword" } else { "those keywords" }
            )
        },
    );
    f.param = Some(if accepted.is_empty() { "tools".to_string() } else { first.to_string() });
    f.evidence = evidence.evidence.clone();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refused_keywords_are_named_and_all_refused_is_tools() {
        assert_eq!(judge(&["anyOf"], vec![]).status, Status::Pass);
        let refused = |k| (k, Finding::fail(Kind::BadRequest, "HTTP 400"));
        let f = judge(&["enum", "nested object"], vec![refused("anyOf"), refused("$ref")]);
        assert_eq!((f.status, f.kind, f.param.as_deref()), (Status::Warn, Some(Kind::ParamRejected), Some("anyOf")));
        assert!(f.detail.contains("anyOf, $ref") && f.detail.contains("accepted: enum"), "{}", f.detail);
        let f = judge(&[], vec![refused("anyOf")]);
        assert_eq!(f.param.as_deref(), Some("tools"));
    }
}
