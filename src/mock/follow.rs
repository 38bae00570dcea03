//! The mock model follows a one-word instruction ("reply with the single word BANANA"), and
//! counts when asked to ("Count from 1 to 100": a long answer, a token a number),
//! wherever the server lets it through: a `system` or `developer` message, a string or an
//! array of text parts. Scenarios drop the developer message (as SGLang once did) or refuse
//! content given as parts.

use super::reply::{self, Ask};
use super::{Mock, Scenario};
use axum::response::Response;
use serde_json::Value;

const SINGLE_WORD: &str = "single word ";

impl Mock {
    /// A refusal of the messages' shape, or `None` with the answer set to the instructed word.
    pub(super) fn follow(&self, v: &Value, ask: &mut Ask, id: &str) -> Option<Response> {
        let messages = v.get("messages").and_then(Value::as_array)?;
        let mut texts = Vec::new();
        for m in messages {
            let role = m.get("role").and_then(Value::as_str).unwrap_or("");
            if role == "developer" && self.scenario == Scenario::DeveloperDropped {
                continue;
            }
            match m.get("content") {
                Some(Value::String(s)) => texts.push(s.clone()),
                Some(Value::Array(parts)) => {
                    if self.scenario == Scenario::PartsRejected {
                        return Some(reply::openai_error(400, "Invalid type for 'messages[0].content': expected a string, but got an array instead.", "invalid_request_error", Some("invalid_type"), Some("messages[0].content"), id));
                    }
                    let joined: Vec<&str> = parts
                        .iter()
                        .filter_map(|p| p.get("text").and_then(Value::as_str))
                        .collect();
                    texts.push(joined.join(" "));
                }
                _ => {}
            }
        }
        if let Some(word) = texts.iter().find_map(|t| instructed(t)) {
            ask.text = word;
        } else if let Some(n) = texts
            .iter()
            .filter(|t| t.len() < 1024)
            .find_map(|t| counting(t))
        {
            ask.text = (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        }
        None
    }
}

/// N in "Count from 1 to N" (`chat.stream_pacing`'s long answer), at most 1000.
fn counting(text: &str) -> Option<u64> {
    let (_, rest) = text.split_once("Count from 1 to ")?;
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    n.parse().ok().filter(|n| (1..=1000).contains(n))
}

/// The word after "single word ", when it is written in capitals (the probe's own "single
/// word: pong" is left to the usual answer).
fn instructed(text: &str) -> Option<String> {
    let (_, rest) = text.split_once(SINGLE_WORD)?;
    let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
    (word.len() >= 4 && word.chars().all(|c| c.is_ascii_uppercase())).then_some(word)
}
