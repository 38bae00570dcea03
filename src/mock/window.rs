//! The mock model's context window: what a long prompt gets. A healthy server refuses a
//! prompt over its window with OpenAI's `context_length_exceeded`; the scenarios refuse it
//! with a 500 or in words no client knows, or cut it silently as Ollama's default `num_ctx`
//! does. A prompt that names a code word at its start and asks for it gets the word back,
//! when the start was not cut.

use super::reply::{self, Ask};
use super::{Mock, Scenario};
use axum::response::Response;
use serde_json::Value;

/// The healthy model's window, in words (one token each).
pub const WINDOW: u64 = 200_000;
/// Ollama's default `num_ctx` for a model run through `/v1`.
pub const OLLAMA_NUM_CTX: u64 = 4_096;

const CODE_WORD: &str = "The code word is ";

impl Mock {
    /// A refusal of a prompt over the window, or `None` with the ask cut to what the model
    /// reads (its prompt count, and its answer to a code-word question).
    pub(super) fn window(&self, v: &Value, ask: &mut Ask, id: &str) -> Option<Response> {
        let prompt = first_user_text(v);
        let window = match self.scenario {
            Scenario::ContextTruncated => OLLAMA_NUM_CTX,
            _ => WINDOW,
        };
        if ask.prompt_tokens > window {
            let over = format!(
                "This model's maximum context length is {window} tokens. However, your messages resulted in {} tokens. Please reduce the length of the messages.",
                ask.prompt_tokens
            );
            match self.scenario {
                Scenario::ContextTruncated => {
                    // Ollama keeps the end of the prompt and counts only what it kept.
                    ask.prompt_tokens = window;
                    let kept = prompt.split(' ').count().saturating_sub(window as usize);
                    let cut: Vec<&str> = prompt.split(' ').skip(kept).collect();
                    answer_code_word(ask, &cut.join(" "));
                    return None;
                }
                Scenario::Overflow500 => {
                    return Some(reply::text_response(500, "text/html", reply::HTML_500))
                }
                Scenario::OverflowUnrecognised => {
                    return Some(reply::openai_error(
                        400,
                        "Invalid request: the input could not be processed.",
                        "invalid_request_error",
                        None,
                        None,
                        id,
                    ))
                }
                _ => {
                    return Some(reply::openai_error(
                        400,
                        &over,
                        "invalid_request_error",
                        Some("context_length_exceeded"),
                        Some("messages"),
                        id,
                    ))
                }
            }
        }
        answer_code_word(ask, prompt);
        None
    }
}

/// A prompt that names a code word and asks for it is answered with the word.
fn answer_code_word(ask: &mut Ask, prompt: &str) {
    if !prompt.contains("code word") {
        return;
    }
    ask.text = match prompt.split_once(CODE_WORD) {
        Some((_, rest)) => rest
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
            .to_string(),
        None => "I do not know the code word.".to_string(),
    };
}

fn first_user_text(v: &Value) -> &str {
    v.get("messages")
        .and_then(Value::as_array)
        .and_then(|ms| {
            ms.iter()
                .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        })
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .unwrap_or("")
}
