//! Non-streaming `/chat/completions`: `chat.basic` and `chat.tools`.

use super::{
    answer_error, chat_request, error_finding, json_body, same_model, sent_params, Ctx,
    MAX_TOKENS_TOOLS,
};
use crate::failure::Kind;
use crate::http::{Answer, Auth};
use crate::outcome::{Finding, Problems};
use serde_json::{json, Value};

/// The one small tool the tool checks offer.
pub const TOOL_NAME: &str = "get_weather";

pub fn weather_tool() -> Value {
    json!([{
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": "Get the current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name"}},
                "required": ["city"]
            }
        }
    }])
}

pub const TOOL_PROMPT: &str = "What is the weather in Paris? Use the get_weather tool.";

/// A request that offers the weather tool with the given `tool_choice`.
pub fn tool_request(model: &str, stream: bool, tool_choice: Value) -> Value {
    let mut body = chat_request(
        model,
        stream,
        json!({"tools": weather_tool(), "tool_choice": tool_choice, "max_tokens": MAX_TOKENS_TOOLS}),
    );
    body["messages"] = json!([{"role": "user", "content": TOOL_PROMPT}]);
    body
}

pub async fn basic(cx: &Ctx<'_>, model: &str) -> Finding {
    let body = chat_request(model, false, json!({}));
    send_and_judge(cx, model, &body).await
}

/// `tool_choice:"auto"` with one tool: accepted, and whatever comes back is well formed.
pub async fn tools(cx: &Ctx<'_>, model: &str) -> Finding {
    let body = tool_request(model, false, json!("auto"));
    send_and_judge(cx, model, &body).await
}

async fn send_and_judge(cx: &Ctx<'_>, model: &str, body: &Value) -> Finding {
    let sent = sent_params(body);
    match cx
        .http
        .call(
            cx.target,
            reqwest::Method::POST,
            "/chat/completions",
            Some(body),
            Auth::Bearer,
        )
        .await
    {
        Err(f) => f,
        Ok(a) if !a.is_success() => answer_error(&a, &sent).note_retry(a.waited_secs),
        Ok(a) => judge_completion(&a, model, &sent).note_retry(a.waited_secs),
    }
}

/// Judge a 2xx non-streaming answer.
pub fn judge_completion(a: &Answer, asked: &str, sent: &[&str]) -> Finding {
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
    let v = match json_body(a) {
        Ok(v) => v,
        Err(f) => return f,
    };
    // Some servers put an error body inside a 200.
    if v.get("error").is_some_and(|e| !e.is_null()) && v.get("choices").is_none() {
        let mut f = error_finding(
            a.status,
            a.content_type.as_deref(),
            &a.body,
            a.request_id.clone(),
            None,
            sent,
        );
        f.detail = format!("{} (an error body inside HTTP {})", f.detail, a.status);
        return f.with_timing(a.timing);
    }
    let mut p = Problems::default();
    let summary = judge_completion_value(&v, asked, &mut p);
    let mut f = p
        .into_finding(summary)
        .with_evidence(a.evidence())
        .with_timing(a.timing);
    if f.kind.is_some() {
        f.evidence.provider_message = v
            .get("model")
            .and_then(Value::as_str)
            .map(|m| format!("model: {m}"));
    }
    f
}

/// Record the problems of a parsed completion and return the pass summary.
fn judge_completion_value(v: &Value, asked: &str, p: &mut Problems) -> String {
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
    let text = message.get("content").and_then(Value::as_str).unwrap_or("");
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
            p.fail(Kind::BadResponse, format!("tool_calls[{i}]: {why}"));
        }
    }
    if finish == Some("tool_calls") && calls.is_empty() {
        p.fail(
            Kind::BadResponse,
            "finish_reason is tool_calls but tool_calls is empty",
        );
    }
    if text.trim().is_empty() && calls.is_empty() {
        let why = if finish == Some("length") {
            " (the output cap went elsewhere, e.g. to reasoning)"
        } else {
            ""
        };
        p.warn(Kind::BadResponse, format!("empty answer{why}"));
    }
    let usage = v.get("usage").filter(|u| u.is_object());
    if usage.is_none() {
        p.warn(
            Kind::BadResponse,
            "no usage in the answer: token counts will read zero",
        );
    }
    if let Some(got) = v.get("model").and_then(Value::as_str) {
        if !same_model(asked, got) {
            p.warn(
                Kind::ModelMismatch,
                format!("asked for `{asked}`, `{got}` answered"),
            );
        }
    }
    let said = if calls.is_empty() {
        format!("\"{}\"", excerpt(text, 40))
    } else {
        describe_calls(&calls)
    };
    let tokens = usage
        .map(|u| {
            format!(
                " · {}+{} tokens",
                u.get("prompt_tokens").unwrap_or(&Value::Null),
                u.get("completion_tokens").unwrap_or(&Value::Null)
            )
        })
        .unwrap_or_default();
    format!("{said} · finish {}{tokens}", finish.unwrap_or("-"))
}

/// A tool call names a function and carries arguments that parse as a JSON object.
pub fn check_tool_call(call: &Value) -> Result<(), String> {
    let f = call.get("function").ok_or("no function object")?;
    let name = f
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or("no function name")?;
    let args = f.get("arguments").and_then(Value::as_str).unwrap_or("");
    match serde_json::from_str::<Value>(args) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) | Err(_) => Err(format!(
            "{name} arguments are not a JSON object: {}",
            excerpt(args, 60)
        )),
    }
}

pub fn describe_calls(calls: &[Value]) -> String {
    let parts: Vec<String> = calls
        .iter()
        .map(|c| {
            let f = &c["function"];
            format!(
                "{}({})",
                f["name"].as_str().unwrap_or("?"),
                excerpt(f["arguments"].as_str().unwrap_or(""), 40)
            )
        })
        .collect();
    format!("called {}", parts.join(", "))
}

pub fn excerpt(s: &str, n: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > n {
        format!("{}…", one.chars().take(n).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Status, Timing};

    fn answer(status: u16, ct: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(ct.to_string()),
            request_id: Some("req-1".into()),
            retry_after_secs: None,
            body: body.as_bytes().to_vec(),
            timing: Timing::default(),
            waited_secs: None,
        }
    }

    #[test]
    fn a_complete_answer_passes() {
        let a = answer(
            200,
            "application/json",
            r#"{"model":"m-2025","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1}}"#,
        );
        let f = judge_completion(&a, "m", &[]);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(f.detail.contains("pong") && f.detail.contains("9+1"));
    }

    #[test]
    fn html_with_200_is_a_bad_response() {
        let f = judge_completion(
            &answer(200, "text/html", "<html><title>Sign in</title></html>"),
            "m",
            &[],
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
        let f = judge_completion(&a, "mock-small", &[]);
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
        let f = judge_completion(&a, "m", &[]);
        assert_eq!((f.status, f.kind), (Status::Fail, Some(Kind::BadResponse)));
    }

    #[test]
    fn an_error_body_inside_200_is_classified() {
        let a = answer(
            200,
            "application/json",
            r#"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#,
        );
        assert_eq!(judge_completion(&a, "m", &[]).kind, Some(Kind::Billing));
    }
}
