//! `/chat/completions` requests, and the non-streaming chat checks with their judge
//! (`chat.basic`, `chat.max_tokens`, `chat.tools`, `chat.tool_choice_*`). A 200 is not
//! proof: the effect is checked.

use super::answer::{answer_json, cut_at_cap, judge_usage_and_model, reasoning_spent_cap};
use super::ask::{TokenCap, MAX_TOKENS, MAX_TOKENS_TOOLS, PROMPT};
use super::spec::{cost, Derive, Judge, Spec, Stage};
use crate::failure::Kind;
use crate::finding::{Finding, Problems};
use crate::fit::excerpt;
use crate::http::{Answer, Auth, Request};
use crate::route::Route;
use serde_json::{json, Value};

pub const CHAT_BASIC: Spec = Spec {
    // Sent once more, with max_completion_tokens, when max_tokens is refused.
    stage: Stage::Basic,
    proves: "a tiny non-streaming chat answer: 2xx, JSON, choices, finish_reason, usage",
    ..Spec::main(
        "chat.basic",
        Route::Chat,
        |m, c| post(chat_request(m, false, c, json!({}))),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS),
    )
};

pub const CHAT_MAX_TOKENS: Spec = Spec {
    stage: Stage::FromBasic,
    build: None,
    proves: "max_tokens is accepted (else max_completion_tokens is used)",
    ..Spec::main(
        "chat.max_tokens",
        Route::Chat,
        |_, _| Vec::new(),
        Judge::Derived(Derive::FromBasic(judge_max_tokens)),
        cost(0, 0),
    )
};

/// `chat.basic` refused `max_tokens`: the probe sends it again with `max_completion_tokens`.
pub fn refuses_max_tokens(f: &Finding) -> bool {
    f.kind == Some(Kind::ParamRejected) && f.param.as_deref() == Some("max_tokens")
}

/// `chat.max_tokens`, read off the first `chat.basic` answer.
fn judge_max_tokens(basic: &Finding) -> Finding {
    if refuses_max_tokens(basic) {
        let mut f = Finding::warn(Kind::ParamRejected, "refuses max_tokens and wants max_completion_tokens: zencheck used that for the other chat checks").with_param("max_tokens");
        f.evidence = basic.evidence.clone();
        f.timing = basic.timing;
        f
    } else if basic
        .evidence
        .http_status
        .is_some_and(|s| (200..300).contains(&s))
        && !super::web_page::is_web_page(basic)
    {
        Finding::pass("max_tokens accepted")
    } else {
        Finding::skip(format!(
            "chat.basic failed before max_tokens could be judged ({})",
            basic.kind.map_or("no answer", |k| k.code())
        ))
    }
}

pub const CHAT_TOOLS: Spec = Spec {
    proves: "a function tool with tool_choice auto is accepted; calls well formed",
    ..Spec::main(
        "chat.tools",
        Route::Chat,
        |m, c| post(tool_request(m, false, c, json!("auto"))),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub const CHAT_TOOL_CHOICE_REQUIRED: Spec = Spec {
    proves: "tool_choice \"required\" returns a parseable tool call",
    ..Spec::main(
        "chat.tool_choice_required",
        Route::Chat,
        |m, c| post(tool_request(m, false, c, json!("required"))),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Required)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub const CHAT_TOOL_CHOICE_NONE: Spec = Spec {
    proves: "tool_choice \"none\" returns no tool call",
    ..Spec::main(
        "chat.tool_choice_none",
        Route::Chat,
        |m, c| post(tool_request(m, false, c, json!("none"))),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Forbidden)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub const CHAT_TOOL_CHOICE_NAMED: Spec = Spec {
    proves: "a named tool_choice calls that tool, not the one the prompt asks for",
    ..Spec::main(
        "chat.tool_choice_named",
        Route::Chat,
        |m, c| post(named_tool_request(m, false, c)),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Named)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

pub const CHAT_TOOL_CHOICE_NULL: Spec = Spec {
    // Whether a client library's explicit `null` is accepted is information, not an
    // outage: the fix is to omit the key.
    rejection_warns: true,
    // Opt-in: a few client libraries send it; the default probe stays within 25 requests.
    default: false,
    proves: "an explicit \"tool_choice\": null is accepted",
    ..Spec::main(
        "chat.tool_choice_null",
        Route::Chat,
        |m, c| post(tool_request(m, false, c, Value::Null)),
        Judge::Json(|a, m| judge_completion(a, m, ToolExpect::Any)),
        cost(1, MAX_TOKENS_TOOLS),
    )
};

/// One `POST /chat/completions` with `body`.
pub fn post(body: Value) -> Vec<Request> {
    vec![Request::post(Route::Chat.path(), body, Auth::Bearer)]
}

/// The one small tool the tool checks offer.
pub const TOOL_NAME: &str = "get_weather";
pub const TOOL_PROMPT: &str = "What is the weather in Paris? Use the get_weather tool.";
const TOOL_DESCRIPTION: &str = "Get the current weather for a city.";
/// The second tool `chat.tool_choice_named` offers and names: the prompt points to the
/// weather tool, so only a server that enforces the named choice calls this one (one that
/// runs it as `auto`, as llama.cpp does with the object form, calls the weather tool).
pub const NAMED_TOOL: &str = "get_time";

/// Shaped as applications send it: zod's JSON Schema (the AI SDK, opencode) closes every
/// object with `additionalProperties: false`, so a gateway that refuses the keyword breaks
/// every such tool; a bare schema would pass there and hide it.
pub fn tool_parameters() -> Value {
    json!({
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"],
        "additionalProperties": false
    })
}

/// A minimal chat request; `extra` keys are added on top.
pub fn chat_request(model: &str, stream: bool, cap: TokenCap, extra: Value) -> Value {
    let mut body = json!({
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        cap.key(): cap.tokens(MAX_TOKENS),
        "stream": stream,
    });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    body
}

/// A request that offers the weather tool with the given `tool_choice` (JSON `null`
/// included: some client libraries send exactly that).
pub fn tool_request(model: &str, stream: bool, cap: TokenCap, tool_choice: Value) -> Value {
    let tools = json!([{"type": "function", "function": {"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "parameters": tool_parameters()}}]);
    let mut body = chat_request(
        model,
        stream,
        cap,
        json!({"tools": tools, "tool_choice": tool_choice}),
    );
    body[cap.key()] = json!(cap.tokens(MAX_TOKENS_TOOLS));
    body["messages"] = json!([{"role": "user", "content": TOOL_PROMPT}]);
    body
}

/// `chat.tool_choice_named`'s request: the weather tool and [`NAMED_TOOL`], the prompt asking
/// for the weather, and `tool_choice` naming the other one.
pub fn named_tool_request(model: &str, stream: bool, cap: TokenCap) -> Value {
    let choice = json!({"type": "function", "function": {"name": NAMED_TOOL}});
    let mut body = tool_request(model, stream, cap, choice);
    let time = json!({"type": "function", "function": {"name": NAMED_TOOL, "description": "Get the current time in a time zone.",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string", "description": "IANA time zone"}}, "required": ["zone"]}}});
    if let Some(tools) = body["tools"].as_array_mut() {
        tools.push(time);
    }
    body
}

/// What `tool_choice` asked for, so the answer's effect can be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolExpect {
    /// No tool, or `auto`: any well-formed answer will do.
    Any,
    /// `"required"`: at least one call.
    Required,
    /// `"none"`: no call.
    Forbidden,
    /// `{"type":"function","function":{"name":…}}` naming [`NAMED_TOOL`]: a call to it.
    Named,
}

/// Record `param_ignored` when the calls made do not honour `tool_choice`.
pub fn judge_tool_choice(
    expect: ToolExpect,
    names: &[&str],
    text: &str,
    finish: Option<&str>,
    p: &mut Problems,
) {
    let answered = if text.trim().is_empty() {
        "an empty answer".to_string()
    } else {
        format!("prose: \"{}\"", excerpt(text, 50))
    };
    let empty_calls = match finish {
        Some("tool_calls") => " (finish_reason tool_calls, but no calls)",
        // A forced call is written first; one still missing at the cap never came.
        Some("length" | "max_tokens") => " that ran to the output cap without a call",
        _ => "",
    };
    if names.is_empty() && expect != ToolExpect::Forbidden {
        if let Some(marker) = call_as_text(text) {
            // The model did call; the server handed the call over as text. Not tool_choice's
            // fault, and an app gets no tool call whatever it sends.
            p.fail_param(
                Kind::ParamIgnored,
                "tools",
                format!(
                    "the model wrote its tool call into the answer text ({marker}: \"{}\") and the server did not parse it into tool_calls: apps receive prose, never a call",
                    excerpt(text, 60)
                ),
            );
            return;
        }
    }
    match expect {
        ToolExpect::Any => {}
        ToolExpect::Required if names.is_empty() => p.fail_param(
            Kind::ParamIgnored,
            "tool_choice",
            format!("tool_choice \"required\" was answered with {answered}{empty_calls}"),
        ),
        ToolExpect::Named if !names.contains(&NAMED_TOOL) => {
            let got = if names.is_empty() {
                format!("{answered}{empty_calls}")
            } else {
                format!(
                    "a call to {}: the server ran the choice as auto, and the model took the tool the prompt asked for",
                    names.join(", ")
                )
            };
            p.fail_param(
                Kind::ParamIgnored,
                "tool_choice",
                format!("tool_choice named {NAMED_TOOL} (the prompt asks for {TOOL_NAME}) but got {got}"),
            )
        }
        ToolExpect::Forbidden if !names.is_empty() => p.fail_param(
            Kind::ParamIgnored,
            "tool_choice",
            format!(
                "tool_choice \"none\" but the model called {}",
                names.join(", ")
            ),
        ),
        // No call, as asked; but the model wrote one into the text, and the server passed
        // the markup on as the answer, which an app shows its user as is.
        ToolExpect::Forbidden => {
            if let Some(marker) = call_as_text(text) {
                p.fail_param(
                    Kind::ParamIgnored,
                    "tool_choice",
                    format!(
                        "tool_choice \"none\": no tool_calls, but the answer text is call markup ({marker}: \"{}\"), which apps show their users as the reply",
                        excerpt(text, 60)
                    ),
                );
            }
        }
        _ => {}
    }
}

/// Judge a 2xx non-streaming answer.
pub fn judge_completion(a: &Answer, asked: &str, expect: ToolExpect) -> Finding {
    if a.content_type
        .as_deref()
        .is_some_and(|c| c.contains("event-stream"))
    {
        return Finding::fail(
            Kind::BadResponse,
            "answered with an SSE stream although stream was false",
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    }
    let v = match answer_json(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    let mut p = Problems::default();
    let summary = judge_completion_value(&v, asked, expect, &mut p);
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    f.reasoning = crate::reasoning::of_completion(&v);
    f
}

/// Whether an answer with no call that stopped at the cap is the cap's problem
/// (`answer::cut_at_cap`) rather than a verdict on `tool_choice`: only when no call was forced
/// and none was written as text. A forced call (`required`, a named tool) comes first or not
/// at all; an answer that ran to the cap without one did not honour it.
pub fn may_blame_cap(expect: ToolExpect, text: &str) -> bool {
    expect == ToolExpect::Any && call_as_text(text).is_none()
}

/// Record the problems of a parsed completion and return the pass summary.
fn judge_completion_value(v: &Value, asked: &str, expect: ToolExpect, p: &mut Problems) -> String {
    let Some(choice) = v
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    else {
        p.fail(Kind::BadResponse, "no choices[] in the answer");
        return String::new();
    };
    let Some(message) = choice.get("message").filter(|m| m.is_object()) else {
        p.fail(Kind::BadResponse, "choices[0] has no message object");
        return String::new();
    };
    // A thought in <think> tags is reasoning, not the answer (reported with the reasoning).
    let text =
        crate::reasoning::answer_text(message.get("content").and_then(Value::as_str).unwrap_or(""));
    let text = text.as_str();
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let finish = choice.get("finish_reason").and_then(Value::as_str);
    if finish.is_none() {
        p.warn(Kind::BadResponse, "no finish_reason");
    }
    for (i, call) in calls.iter().enumerate() {
        if let Err(why) = check_tool_call(call) {
            p.fail_param(
                Kind::BadResponse,
                "tool_calls",
                format!("tool_calls[{i}]: {why}"),
            );
        }
    }
    let names: Vec<&str> = calls
        .iter()
        .filter_map(|c| c.pointer("/function/name").and_then(Value::as_str))
        .collect();
    let reasoning = crate::reasoning::of_completion(v);
    if reasoning_spent_cap(text, calls.len(), finish, reasoning.as_ref(), p) {
        // Nothing else can be judged of an answer that was never written.
    } else if may_blame_cap(expect, text) && cut_at_cap(text, calls.len(), finish, p) {
        // Nor of one cut off before it got to a call or an answer.
    } else {
        judge_tool_choice(expect, &names, text, finish, p);
    }
    if finish == Some("tool_calls") && calls.is_empty() && expect == ToolExpect::Any {
        p.fail(
            Kind::BadResponse,
            "finish_reason is tool_calls but tool_calls is empty",
        );
    }
    let spent = reasoning.is_some() && finish == Some("length");
    if text.trim().is_empty() && calls.is_empty() && expect == ToolExpect::Any && !spent {
        let why = if finish == Some("length") {
            " (the output cap went elsewhere, e.g. to reasoning)"
        } else {
            ""
        };
        p.warn(Kind::BadResponse, format!("empty answer{why}"));
    }
    let tokens = judge_usage_and_model(v, asked, ("prompt_tokens", "completion_tokens"), p);
    let said = if calls.is_empty() {
        format!("\"{}\"", excerpt(text, 40))
    } else {
        describe_calls(&calls)
    };
    let thought = reasoning
        .map(|r| format!(" · {}", r.describe("message.")))
        .unwrap_or_default();
    format!("{said} · finish {}{tokens}{thought}", finish.unwrap_or("-"))
}

/// A tool call names a function and carries arguments that parse as a JSON object.
pub fn check_tool_call(call: &Value) -> Result<(), String> {
    let f = call.get("function").unwrap_or(call);
    let name = f
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("no function name")?;
    let args = match f.get("arguments") {
        Some(Value::String(s)) => s.as_str(),
        // Ollama's native API (and gateways that pass it through) send the object itself;
        // the OpenAI shape is a string holding JSON, which every client parses.
        Some(Value::Object(_)) => return Err(format!(
            "{name} arguments are a JSON object, not a string holding JSON: openai-python and the AI SDK expect a string (JSON.parse / json.loads of it fails), and a server that wants it back as a string refuses the next turn"
        )),
        Some(Value::Null) | None => "",
        Some(other) => return Err(format!(
            "{name} arguments are {}, not a string holding a JSON object",
            excerpt(&other.to_string(), 40)
        )),
    };
    if args.trim().is_empty() {
        return Err(format!(
            "{name} has no arguments (the tool needs a city): clients parse an empty string as invalid JSON"
        ));
    }
    match serde_json::from_str::<Value>(args) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) | Err(_) => Err(format!(
            "{name} arguments are not a JSON object: {}",
            excerpt(args, 60)
        )),
    }
}

/// A tool call written into the answer text instead of `tool_calls`: the model called, but
/// the server did not parse it (vLLM without `--tool-call-parser`, llama.cpp without
/// `--jinja`, a template whose call syntax the server does not know). Returns the marker seen.
pub fn call_as_text(text: &str) -> Option<&'static str> {
    let t = text.trim_start();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .unwrap_or(t)
        .trim_start();
    const MARKERS: [&str; 6] = [
        "<tool_call>",
        "<|tool_call",
        "[TOOL_CALLS]",
        "<|python_tag|>",
        "<function=",
        "<|channel|>commentary to=",
    ];
    if let Some(m) = MARKERS.iter().find(|m| text.contains(**m)) {
        return Some(m);
    }
    let named = text.contains(TOOL_NAME);
    let json_call = t.starts_with('{')
        && (t.contains("\"name\"") || t.contains("\"function\""))
        && (t.contains("\"arguments\"") || t.contains("\"parameters\""));
    (named && json_call).then_some("a JSON object with name and arguments")
}

/// `called get_weather({"city":"Paris"})`, for calls in the chat or Responses shape.
pub fn describe_calls(calls: &[Value]) -> String {
    let parts: Vec<String> = calls
        .iter()
        .map(|c| {
            let f = c.get("function").unwrap_or(c);
            format!(
                "{}({})",
                f["name"].as_str().unwrap_or("?"),
                excerpt(
                    &f["arguments"]
                        .as_str()
                        .map_or_else(|| f["arguments"].to_string(), str::to_string),
                    40
                )
            )
        })
        .collect();
    format!("called {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Status, Timing};

    fn answer(status: u16, ct: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(ct.to_string()),
            request_id: Some("req-1".into()),
            retry_after_secs: None,
            body: body.as_bytes().to_vec(),
            timing: Timing::default(),
            waited_secs: None,
            sent_cap: None,
            path: None,
        }
    }

    const PROSE: &str = r#"{"model":"m","choices":[{"message":{"content":"It is sunny."},"finish_reason":"stop"}],"usage":{}}"#;
    const CALL: &str = r#"{"model":"m","choices":[{"message":{"tool_calls":[{"id":"1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{}}"#;
    const NAMED_CALL: &str = r#"{"model":"m","choices":[{"message":{"tool_calls":[{"id":"1","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"Europe/Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{}}"#;

    #[test]
    fn a_complete_answer_passes() {
        let a = answer(
            200,
            "application/json",
            r#"{"model":"m-2025","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1}}"#,
        );
        let f = judge_completion(&a, "m", ToolExpect::Any);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("pong") && f.detail.contains("9+1"));
    }

    #[test]
    fn html_with_200_is_a_bad_response() {
        let f = judge_completion(
            &answer(200, "text/html", "<html><title>Sign in</title></html>"),
            "m",
            ToolExpect::Any,
        );
        assert_eq!(f.kind, Some(Kind::BadResponse));
        assert!(f.detail.contains("Sign in"));
    }

    #[test]
    fn another_model_answering_is_a_mismatch_warning() {
        let a = answer(
            200,
            "application/json",
            r#"{"model":"other","choices":[{"message":{"content":"pong"},"finish_reason":"stop"}],"usage":{}}"#,
        );
        let f = judge_completion(&a, "mock-small", ToolExpect::Any);
        assert_eq!(
            (f.status, f.kind),
            (Status::Warn, Some(Kind::ModelMismatch))
        );
    }

    #[test]
    fn bad_tool_arguments_fail() {
        let a = answer(
            200,
            "application/json",
            r#"{"choices":[{"message":{"tool_calls":[{"id":"1","type":"function","function":{"name":"get_weather","arguments":"{city: Paris"}}]},"finish_reason":"tool_calls"}],"usage":{}}"#,
        );
        let f = judge_completion(&a, "m", ToolExpect::Any);
        assert_eq!((f.status, f.kind), (Status::Fail, Some(Kind::BadResponse)));
    }

    #[test]
    fn an_error_body_inside_200_is_classified() {
        let a = answer(
            200,
            "application/json",
            r#"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#,
        );
        assert_eq!(
            judge_completion(&a, "m", ToolExpect::Any).kind,
            Some(Kind::Billing)
        );
    }

    #[test]
    fn a_cap_spent_on_reasoning_is_output_length_not_an_empty_or_ignored_answer() {
        // o-series at a 16-token cap: nothing written, every token reasoning.
        let spent = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":""},"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":16,"completion_tokens_details":{"reasoning_tokens":16}}}"#,
        );
        for expect in [ToolExpect::Any, ToolExpect::Required, ToolExpect::Named] {
            let f = judge_completion(&spent, "m", expect);
            assert_eq!(
                (f.status, f.kind, f.param.as_deref()),
                (Status::Warn, Some(Kind::OutputLength), None),
                "{expect:?}: {}",
                f.detail
            );
            assert!(f.detail.contains("16 reasoning tokens"), "{}", f.detail);
            assert_eq!(f.reasoning.as_ref().and_then(|r| r.tokens), Some(16));
        }
        // The same empty answer from a model that showed no reasoning stays what it was.
        let plain = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":""},"finish_reason":"length"}],"usage":{"completion_tokens":16}}"#,
        );
        let f = judge_completion(&plain, "m", ToolExpect::Any);
        assert_eq!(
            (f.kind, f.reasoning.is_none()),
            (Some(Kind::BadResponse), true)
        );
        // A reasoning model that answered passes and says where its reasoning was.
        let ok = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":"pong","reasoning_content":"They want pong."},"finish_reason":"stop"}],"usage":{"completion_tokens":9,"completion_tokens_details":{"reasoning_tokens":8}}}"#,
        );
        let f = judge_completion(&ok, "m", ToolExpect::Any);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(
            f.detail
                .contains("reasoning in message.reasoning_content (8 tokens)"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn tool_choice_effects_are_checked() {
        let prose = answer(200, "application/json", PROSE);
        let call = answer(200, "application/json", CALL);
        let named = answer(200, "application/json", NAMED_CALL);
        for (a, expect, ignored) in [
            (&prose, ToolExpect::Required, true),
            (&call, ToolExpect::Required, false),
            (&prose, ToolExpect::Named, true),
            (&named, ToolExpect::Named, false),
            // The tool the prompt asks for, not the one named: the choice ran as auto.
            (&call, ToolExpect::Named, true),
            (&call, ToolExpect::Forbidden, true),
            (&prose, ToolExpect::Forbidden, false),
            (&prose, ToolExpect::Any, false),
        ] {
            let f = judge_completion(a, "m", expect);
            if ignored {
                assert_eq!(
                    (f.status, f.kind, f.param.as_deref()),
                    (Status::Fail, Some(Kind::ParamIgnored), Some("tool_choice")),
                    "{expect:?}"
                );
            } else {
                assert_eq!(f.status, Status::Pass, "{expect:?}: {}", f.detail);
            }
        }
        let empty = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":null,"tool_calls":[]},"finish_reason":"tool_calls"}],"usage":{}}"#,
        );
        let f = judge_completion(&empty, "m", ToolExpect::Required);
        assert_eq!(f.kind, Some(Kind::ParamIgnored));
        assert!(
            f.detail.contains("finish_reason tool_calls, but no calls"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn call_markup_in_the_content_under_tool_choice_none_is_flagged() {
        // llama.cpp with a Hermes template: no tool_calls, the markup left in content.
        let leaked = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"role":"assistant","content":"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>"},"finish_reason":"stop"}],"usage":{}}"#,
        );
        let f = judge_completion(&leaked, "m", ToolExpect::Forbidden);
        assert_eq!(
            (f.status, f.kind, f.param.as_deref()),
            (Status::Fail, Some(Kind::ParamIgnored), Some("tool_choice")),
            "{}",
            f.detail
        );
        assert!(
            f.detail.contains("<tool_call>") && f.detail.contains("apps show"),
            "{}",
            f.detail
        );
        // Prose that mentions the tool is not markup.
        let prose = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":"I would use get_weather, but I may not."},"finish_reason":"stop"}],"usage":{}}"#,
        );
        assert_eq!(
            judge_completion(&prose, "m", ToolExpect::Forbidden).status,
            Status::Pass
        );
    }

    #[test]
    fn the_named_request_offers_two_tools_and_names_the_one_not_asked_for() {
        let b = named_tool_request("m", false, TokenCap::MaxTokens);
        let names: Vec<&str> = b["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [TOOL_NAME, NAMED_TOOL]);
        assert_eq!(b["tool_choice"]["function"]["name"], NAMED_TOOL);
        assert!(b["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains(TOOL_NAME));
    }

    #[test]
    fn a_call_written_as_text_is_told_from_prose() {
        for text in [
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
            "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]",
            "```json\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}\n```",
            "<|python_tag|>get_weather.call(city=\"Paris\")",
        ] {
            assert!(call_as_text(text).is_some(), "{text}");
        }
        for text in [
            "It is sunny in Paris.",
            "I would use get_weather, but I cannot.",
            "{\"city\": \"Paris\"}",
        ] {
            assert_eq!(call_as_text(text), None, "{text}");
        }
    }

    #[test]
    fn an_answer_cut_at_the_cap_is_output_length_not_an_ignored_tool_choice() {
        let cut = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":"Okay, the user wants the weather in Paris, so I"},"finish_reason":"length"}],"usage":{}}"#,
        );
        let f = judge_completion(&cut, "m", ToolExpect::Any);
        assert_eq!(
            (f.status, f.kind, f.param.as_deref()),
            (Status::Warn, Some(Kind::OutputLength), None),
            "{}",
            f.detail
        );
        assert!(!f.detail.contains("reasoning"), "{}", f.detail);
        // A forced call comes first or not at all: one missing at the cap was not honoured.
        for expect in [ToolExpect::Required, ToolExpect::Named] {
            let f = judge_completion(&cut, "m", expect);
            assert_eq!(
                (f.status, f.kind, f.param.as_deref()),
                (Status::Fail, Some(Kind::ParamIgnored), Some("tool_choice")),
                "{expect:?}: {}",
                f.detail
            );
            assert!(
                f.detail.contains("ran to the output cap without a call"),
                "{}",
                f.detail
            );
        }
        // Unless the model showed it was still reasoning when the cap came.
        let thinking = answer(
            200,
            "application/json",
            r#"{"model":"m","choices":[{"message":{"content":"<think>Okay, the user wants the weather"},"finish_reason":"length"}],"usage":{}}"#,
        );
        let f = judge_completion(&thinking, "m", ToolExpect::Required);
        assert_eq!(f.kind, Some(Kind::OutputLength), "{}", f.detail);
        // tool_choice "none" answered with a cut text made no call: honoured, a pass.
        assert_eq!(
            judge_completion(&cut, "m", ToolExpect::Forbidden).status,
            Status::Pass
        );
    }

    #[test]
    fn arguments_that_are_an_object_or_empty_are_named() {
        let obj = json!({"function": {"name": "get_weather", "arguments": {"city": "Paris"}}});
        assert!(check_tool_call(&obj)
            .unwrap_err()
            .contains("a JSON object, not a string"));
        let empty = json!({"function": {"name": "get_weather", "arguments": ""}});
        assert!(check_tool_call(&empty)
            .unwrap_err()
            .contains("no arguments"));
        assert!(describe_calls(&[obj]).contains("{\"city\":\"Paris\"}"));
    }
}
