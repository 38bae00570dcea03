//! What an answer shows of a model's reasoning (`reasoning` in the JSON report), read from
//! what the server sent, never from the model's name.
//!
//! Servers disagree on where reasoning goes, and clients read only one place:
//! - `usage.completion_tokens_details.reasoning_tokens` (OpenAI o-series and gpt-5, which
//!   send no reasoning text at all; Grok; most gateways), `output_tokens_details` on
//!   `/responses`;
//! - `message.reasoning_content` / `delta.reasoning_content` (DeepSeek, older vLLM, LiteLLM);
//! - `message.reasoning` / `delta.reasoning` (vLLM since it renamed the field, Ollama,
//!   OpenRouter, Groq's `reasoning_format: "parsed"`), with OpenRouter's structured
//!   `reasoning_details` beside it;
//! - `reasoning` output items on `/responses`, `thinking` blocks on `/messages`;
//! - `<think>…</think>` inside the answer text itself (DeepSeek-R1, Qwen3 on a server started
//!   without a reasoning parser), reported as [`THINK_TAGS`].
//!
//! opencode (through `@ai-sdk/openai-compatible`) reads `reasoning_content` and drops
//! `delta.reasoning`, so which field a stream uses is reported, not just that it reasons.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The keys of a chat message or delta that carry reasoning text, in the order reported.
pub const CHAT_FIELDS: [&str; 3] = ["reasoning_content", "reasoning", "reasoning_details"];

/// What one answer showed of reasoning. `None` where it showed none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reasoning {
    /// Where reasoning text came, in order of first appearance: `reasoning_content`,
    /// `reasoning`, `reasoning_details` (chat message or delta keys), `reasoning` (a
    /// `/responses` output item or its stream events), `thinking` (a `/messages` block),
    /// `think_tags` (`<think>` tags inside the answer text).
    /// Empty when only the usage counted reasoning tokens (OpenAI sends no reasoning text).
    pub fields: Vec<String>,
    /// Reasoning tokens the usage reported; null when the server did not say.
    pub tokens: Option<u64>,
    /// Stream chunks that carried reasoning text; null for answers that were not streamed.
    pub chunks: Option<u64>,
}

impl Reasoning {
    /// `Some` only when something showed reasoning: a field with text, or tokens above 0
    /// (OpenAI reports `reasoning_tokens: 0` for models that do not reason).
    pub fn seen(self) -> Option<Reasoning> {
        (!self.fields.is_empty() || self.tokens.unwrap_or(0) > 0).then_some(self)
    }

    /// Note that `field` carried text (once per field, first appearance first).
    pub fn saw(&mut self, field: &str) {
        if !self.fields.iter().any(|f| f == field) {
            self.fields.push(field.to_string());
        }
    }

    /// Read reasoning tokens from a usage object (chat or Responses keys).
    pub fn read_usage(&mut self, usage: &Value) {
        if let Some(n) = usage_tokens(usage) {
            self.tokens = Some(n);
        }
    }

    /// One line for a check's detail: `reasoning in delta.reasoning_content (12 chunks, 40
    /// tokens)`. `prefix` is where the field sits (`message.`, `delta.`, or nothing).
    pub fn describe(&self, prefix: &str) -> String {
        let mut counts = Vec::new();
        if let Some(c) = self.chunks {
            counts.push(format!("{c} chunks"));
        }
        if let Some(t) = self.tokens {
            counts.push(format!("{t} tokens"));
        }
        let counts = if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        };
        if self.fields.is_empty() {
            return format!("reasoning counted in usage only{counts}");
        }
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|f| {
                if f == THINK_TAGS {
                    format!("{prefix}content as <think> tags")
                } else {
                    format!("{prefix}{f}")
                }
            })
            .collect();
        let mut s = format!("reasoning in {}{counts}", fields.join(" and "));
        if self.fields.iter().all(|f| f == THINK_TAGS) {
            s.push_str(
                ": the server parses no reasoning out, so clients show the thought as answer text (vLLM: --reasoning-parser; llama.cpp: --reasoning-format deepseek)",
            );
        } else if prefix == "delta." && !self.fields.iter().any(|f| f == "reasoning_content") {
            s.push_str(
                ": clients that read only delta.reasoning_content (opencode) show no reasoning",
            );
        }
        s
    }
}

/// `reasoning_tokens` of a usage object: `completion_tokens_details` on chat,
/// `output_tokens_details` on `/responses`.
pub fn usage_tokens(usage: &Value) -> Option<u64> {
    [
        "/completion_tokens_details/reasoning_tokens",
        "/output_tokens_details/reasoning_tokens",
    ]
    .iter()
    .find_map(|p| usage.pointer(p).and_then(Value::as_u64))
}

/// Does this value carry reasoning text? A non-empty string, or a non-empty array (OpenRouter's
/// `reasoning_details`); `null`, `""` and `[]` do not (DeepSeek sends `reasoning_content: null`
/// beside the answer).
pub fn has_text(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => false,
    }
}

/// The chat keys of `message` (or a `delta`) that carry reasoning text.
pub fn chat_fields(message: &Value) -> impl Iterator<Item = &'static str> + '_ {
    CHAT_FIELDS
        .into_iter()
        .filter(move |k| has_text(message.get(*k)))
}

/// The name [`Reasoning::fields`] gives reasoning that came inside the answer text, between
/// `<think>` and `</think>` (DeepSeek-R1 and Qwen3 on servers started without a reasoning
/// parser: vLLM without `--reasoning-parser`, llama.cpp with `--reasoning-format none`, older
/// Ollama). Clients show it as part of the answer unless they strip the tags themselves.
pub const THINK_TAGS: &str = "think_tags";

/// Split answer text into what the model answered and what it thought inside `<think>`
/// tags. The opening tag may be missing: R1's and Qwen3's templates put `<think>` into the
/// prompt, so the answer starts mid-thought and only `</think>` shows. A `<think>` never
/// closed (the cap cut the thought) leaves no answer at all.
pub fn split_think(text: &str) -> (String, Option<String>) {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("<think>") {
        return match rest.split_once("</think>") {
            Some((thought, answer)) => (answer.trim_start().to_string(), Some(thought.to_string())),
            None => (String::new(), Some(rest.to_string())),
        };
    }
    match t.split_once("</think>") {
        Some((thought, answer)) => (answer.trim_start().to_string(), Some(thought.to_string())),
        None => (text.to_string(), None),
    }
}

/// The answer text of `text`, without a thought in `<think>` tags.
pub fn answer_text(text: &str) -> String {
    split_think(text).0
}

/// What a non-streamed chat completion shows of reasoning.
pub fn of_completion(v: &Value) -> Option<Reasoning> {
    let mut r = Reasoning::default();
    if let Some(m) = v.pointer("/choices/0/message") {
        chat_fields(m).for_each(|f| r.saw(f));
        let content = m.get("content").and_then(Value::as_str).unwrap_or("");
        if split_think(content).1.is_some_and(|t| !t.trim().is_empty()) {
            r.saw(THINK_TAGS);
        }
    }
    if let Some(u) = v.get("usage") {
        r.read_usage(u);
    }
    r.seen()
}

/// What a non-streamed `/responses` answer shows: `reasoning` output items (with or without
/// summary text; OpenAI sends them encrypted or empty) and `output_tokens_details`.
pub fn of_response(v: &Value) -> Option<Reasoning> {
    let mut r = Reasoning::default();
    let items = v.get("output").and_then(Value::as_array);
    if items
        .into_iter()
        .flatten()
        .any(|i| i.get("type").and_then(Value::as_str) == Some("reasoning"))
    {
        r.saw("reasoning");
    }
    let text: String = items
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("content").and_then(Value::as_array))
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    if split_think(&text).1.is_some_and(|t| !t.trim().is_empty()) {
        r.saw(THINK_TAGS);
    }
    if let Some(u) = v.get("usage") {
        r.read_usage(u);
    }
    r.seen()
}

/// What a non-streamed `/messages` answer shows: `thinking` (or `redacted_thinking`) blocks.
/// Anthropic counts thinking inside `output_tokens` and reports no separate number.
pub fn of_message(v: &Value) -> Option<Reasoning> {
    let mut r = Reasoning::default();
    let blocks = v.get("content").and_then(Value::as_array);
    if blocks.into_iter().flatten().any(|b| {
        matches!(
            b.get("type").and_then(Value::as_str),
            Some("thinking" | "redacted_thinking")
        )
    }) {
        r.saw("thinking");
    }
    r.seen()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openai_counts_reasoning_in_usage_only_and_zero_is_no_reasoning() {
        let o = json!({"choices":[{"message":{"content":""},"finish_reason":"length"}],
            "usage":{"completion_tokens":16,"completion_tokens_details":{"reasoning_tokens":16}}});
        let r = of_completion(&o).unwrap();
        assert_eq!((r.fields.len(), r.tokens), (0, Some(16)));
        assert!(r.describe("message.").contains("usage only"));
        let gpt4o = json!({"choices":[{"message":{"content":"pong"}}],
            "usage":{"completion_tokens":1,"completion_tokens_details":{"reasoning_tokens":0}}});
        assert_eq!(of_completion(&gpt4o), None);
    }

    #[test]
    fn each_servers_field_is_named() {
        // DeepSeek: reasoning_content; a null one beside a plain answer is no reasoning.
        let ds = json!({"choices":[{"message":{"content":"pong","reasoning_content":"The user wants pong."}}]});
        assert_eq!(of_completion(&ds).unwrap().fields, ["reasoning_content"]);
        let null = json!({"choices":[{"message":{"content":"pong","reasoning_content":null}}]});
        assert_eq!(of_completion(&null), None);
        // OpenRouter: reasoning and reasoning_details.
        let or = json!({"choices":[{"message":{"content":"pong","reasoning":"…","reasoning_details":[{"type":"reasoning.text","text":"…"}]}}]});
        assert_eq!(
            of_completion(&or).unwrap().fields,
            ["reasoning", "reasoning_details"]
        );
        // /responses: a reasoning item and output_tokens_details.
        let resp = json!({"output":[{"type":"reasoning","summary":[]},{"type":"message"}],
            "usage":{"output_tokens":20,"output_tokens_details":{"reasoning_tokens":12}}});
        let r = of_response(&resp).unwrap();
        assert_eq!(
            (r.fields.as_slice(), r.tokens),
            (&["reasoning".to_string()][..], Some(12))
        );
        // /messages: a thinking block.
        let msg = json!({"content":[{"type":"thinking","thinking":"…","signature":"x"},{"type":"text","text":"pong"}]});
        assert_eq!(of_message(&msg).unwrap().fields, ["thinking"]);
    }

    #[test]
    fn think_tags_split_the_thought_from_the_answer() {
        assert_eq!(
            split_think("<think>They want pong.</think>\n\npong"),
            ("pong".to_string(), Some("They want pong.".to_string()))
        );
        // R1's template opened the tag in the prompt: only the closing one shows.
        assert_eq!(split_think("Okay.\n</think>\npong").0, "pong");
        // Cut by the cap inside the thought: no answer at all.
        assert_eq!(
            split_think("<think>\nHmm, let me"),
            (String::new(), Some("\nHmm, let me".to_string()))
        );
        // No tags: the text is the answer, and no reasoning.
        assert_eq!(split_think("pong"), ("pong".to_string(), None));
        let r = of_completion(&json!({"choices":[{"message":{"content":"<think>x</think>pong"}}]}))
            .unwrap();
        assert_eq!(r.fields, [THINK_TAGS]);
        assert!(r.describe("message.").contains("--reasoning-parser"));
        let resp = json!({"output":[{"type":"message","content":[{"type":"output_text","text":"hmm</think>pong"}]}]});
        assert_eq!(of_response(&resp).unwrap().fields, [THINK_TAGS]);
        // An empty pair is no reasoning.
        assert_eq!(
            of_completion(&json!({"choices":[{"message":{"content":"<think>\n\n</think>pong"}}]})),
            None
        );
    }

    #[test]
    fn a_stream_in_delta_reasoning_only_is_called_out() {
        let r = Reasoning {
            fields: vec!["reasoning".into()],
            tokens: None,
            chunks: Some(5),
        };
        let d = r.describe("delta.");
        assert!(d.contains("delta.reasoning (5 chunks)"), "{d}");
        assert!(d.contains("opencode"), "{d}");
        let both = Reasoning {
            fields: vec!["reasoning_content".into()],
            ..r
        };
        assert!(!both.describe("delta.").contains("opencode"));
    }
}
