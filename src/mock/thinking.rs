//! Anthropic extended thinking on the mock's `/messages`: with `thinking` enabled, an
//! answer opens with a thinking block signed over its text; a tool offered and named in the
//! user's message is called (`tool_use`); a `tool_result` is answered from its content. A
//! conversation sent back is checked as Anthropic checks it: every thinking block's
//! signature intact, and with thinking on, the assistant turn that used a tool opening with
//! its thinking block (Anthropic's own words for both refusals).

use super::reply::{tool_arguments, ANSWER};
use serde_json::{json, Value};

/// What the mock thinks before it answers.
pub const THOUGHT: &str =
    "The user asks for the weather in Paris; the get_weather tool gives it, so I call it first.";

/// A signature over the thinking text: any change to either is seen.
pub fn sign(thinking: &str) -> String {
    // FNV-1a, 64 bits: deterministic, and enough to notice an edit.
    let h = thinking.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("zcsig{h:016x}")
}

fn enabled(v: &Value) -> bool {
    v.pointer("/thinking/type").and_then(Value::as_str) == Some("enabled")
}

/// Whether this request needs the thinking and tool path (the plain path knows neither).
pub fn involved(v: &Value) -> bool {
    enabled(v)
        || v.get("tools").is_some()
        || v["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m.get("content").is_some_and(Value::is_array))
}

fn blocks(m: &Value) -> &[Value] {
    m.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn ty(b: &Value) -> &str {
    b.get("type").and_then(Value::as_str).unwrap_or("")
}

/// Anthropic's refusal of a conversation sent back, if it has one.
pub fn refusal(v: &Value) -> Option<String> {
    let messages = v.get("messages").and_then(Value::as_array)?;
    for (i, m) in messages.iter().enumerate() {
        for (j, b) in blocks(m).iter().enumerate() {
            if ty(b) == "thinking" {
                let text = b.get("thinking").and_then(Value::as_str).unwrap_or("");
                let signature = b.get("signature").and_then(Value::as_str).unwrap_or("");
                if signature != sign(text) {
                    return Some(format!(
                        "messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                    ));
                }
            }
        }
    }
    if !enabled(v) {
        return None;
    }
    let (i, last_tool_turn) =
        messages.iter().enumerate().rev().find(|(_, m)| {
            m["role"] == "assistant" && blocks(m).iter().any(|b| ty(b) == "tool_use")
        })?;
    let first = blocks(last_tool_turn).first().map(ty).unwrap_or("");
    if first == "thinking" || first == "redacted_thinking" {
        return None;
    }
    Some(format!(
        "messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{first}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
    ))
}

/// The answer: a thinking block when enabled (without its signature when `unsigned`, as a
/// relay that translates through OpenAI's format returns it), then a call or the text.
pub fn answer(v: &Value, model: &str, unsigned: bool) -> Value {
    let last = v["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or(Value::Null);
    let result: Option<String> = blocks(&last)
        .iter()
        .find(|b| ty(b) == "tool_result")
        .map(|b| match b.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
            _ => String::new(),
        });
    let asked = match &last["content"] {
        Value::String(s) => s.clone(),
        c => c.to_string(),
    };
    let choice_none = v.pointer("/tool_choice/type").and_then(Value::as_str) == Some("none");
    let tool = v["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"].as_str().is_some_and(|n| asked.contains(n)))
        .filter(|_| result.is_none() && !choice_none);
    let mut content = Vec::new();
    if enabled(v) {
        let mut block =
            json!({"type": "thinking", "thinking": THOUGHT, "signature": sign(THOUGHT)});
        if unsigned {
            block.as_object_mut().map(|b| b.remove("signature"));
        }
        content.push(block);
    }
    let stop = if let Some(t) = tool {
        let input: Value =
            serde_json::from_str(&tool_arguments(&t["input_schema"])).unwrap_or(json!({}));
        content.push(
            json!({"type": "tool_use", "id": "toolu_mock1", "name": t["name"], "input": input}),
        );
        "tool_use"
    } else {
        let text = match result {
            Some(r) => format!("The tool returned {r}"),
            None => ANSWER.to_string(),
        };
        content.push(json!({"type": "text", "text": text}));
        "end_turn"
    };
    let words = v["messages"].to_string().split_whitespace().count();
    json!({"id": "msg_mock", "type": "message", "role": "assistant", "model": model,
           "content": content, "stop_reason": stop, "stop_sequence": null,
           "usage": {"input_tokens": words, "output_tokens": 24}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thinking_block_sent_back_unchanged_passes_and_an_edited_one_does_not() {
        let ask = json!({"thinking": {"type": "enabled", "budget_tokens": 1024},
            "tools": [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
            "messages": [{"role": "user", "content": "Use the get_weather tool."}]});
        let a = answer(&ask, "m", false);
        assert_eq!(a["stop_reason"], "tool_use");
        let turn2 = |assistant: Value| {
            json!({"thinking": {"type": "enabled"}, "messages": [
                {"role": "user", "content": "Use the get_weather tool."},
                {"role": "assistant", "content": assistant},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_mock1", "content": "17 C"}]}]})
        };
        assert_eq!(refusal(&turn2(a["content"].clone())), None);
        let mut edited = a["content"].clone();
        edited[0]["signature"] = json!("other");
        assert!(refusal(&turn2(edited))
            .unwrap()
            .contains("Invalid `signature`"));
        let dropped = json!([a["content"][1].clone()]);
        assert!(refusal(&turn2(dropped))
            .unwrap()
            .contains("Expected `thinking`"));
        let answered = answer(&turn2(a["content"].clone()), "m", false);
        assert_eq!(answered["content"][1]["text"], "The tool returned 17 C");
    }
}
