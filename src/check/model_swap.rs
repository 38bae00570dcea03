//! Whether the model that answered is the one asked for: the same id or a dated snapshot of
//! it passes; another model of the same maker is a warning (an alias, a fallback within a
//! family); another maker's model is a failure, since the app is not talking to the model it
//! was built and priced for. An id whose maker zencheck cannot tell (a deployment name, an
//! alias such as `auto`) is never failed on that ground.

use super::answer::same_model;
use crate::failure::Kind;
use crate::finding::Problems;

/// Judge `got` against `asked` into `p`.
pub fn judge(asked: &str, got: &str, p: &mut Problems) {
    if same_model(asked, got) {
        return;
    }
    match (maker(asked), maker(got)) {
        (Some(a), Some(g)) if a != g => p.fail(
            Kind::ModelMismatch,
            format!("asked for `{asked}` ({a}), `{got}` ({g}) answered: another maker's model"),
        ),
        _ => p.warn(
            Kind::ModelMismatch,
            format!("asked for `{asked}`, `{got}` answered"),
        ),
    }
}

/// The maker a model id names, from its first word (`gpt-4o` → openai, `Meta-Llama-3.1` →
/// meta); `None` for ids that name none zencheck knows.
pub fn maker(id: &str) -> Option<&'static str> {
    let id = id.trim().to_ascii_lowercase();
    let last = id.rsplit('/').next().unwrap_or(&id);
    let word: String = last
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let maker = match word.as_str() {
        "gpt" | "o" | "chatgpt" | "davinci" | "babbage" | "codex" => "openai",
        "claude" => "anthropic",
        "gemini" | "gemma" | "palm" => "google",
        "llama" | "meta" | "codellama" => "meta",
        "mistral" | "mixtral" | "codestral" | "ministral" | "magistral" | "devstral"
        | "pixtral" | "open" => "mistral",
        "qwen" | "qwq" => "qwen",
        "deepseek" => "deepseek",
        "glm" | "chatglm" => "zhipu",
        "kimi" | "moonshot" => "moonshot",
        "grok" => "xai",
        "command" | "aya" => "cohere",
        "phi" => "microsoft",
        "minimax" | "abab" => "minimax",
        "ernie" => "baidu",
        "hunyuan" => "tencent",
        "doubao" => "bytedance",
        "nova" | "titan" => "amazon",
        "granite" => "ibm",
        _ => return None,
    };
    // `open-mistral-7b`, but not any other `open…` id.
    if word == "open" && !last.starts_with("open-mi") {
        return None;
    }
    Some(maker)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Status;

    fn verdict(asked: &str, got: &str) -> Option<Status> {
        let mut p = Problems::default();
        judge(asked, got, &mut p);
        let f = p.into_finding("ok".to_string());
        f.kind.map(|_| f.status)
    }

    #[test]
    fn another_makers_model_fails_a_sibling_warns_a_snapshot_passes() {
        assert_eq!(verdict("gpt-4o", "gpt-4o-2024-08-06"), None);
        assert_eq!(verdict("gpt-4o", "gpt-4o-mini"), Some(Status::Warn));
        assert_eq!(verdict("gpt-4o", "claude-3-5-haiku"), Some(Status::Fail));
        assert_eq!(
            verdict("meta-llama/Llama-3.1-8B", "qwen2.5-7b"),
            Some(Status::Fail)
        );
        // Nobody knows what `auto` or a deployment name is: cautious.
        assert_eq!(verdict("auto", "claude-sonnet-4-5"), Some(Status::Warn));
        assert_eq!(verdict("prod-chat", "gpt-4o"), Some(Status::Warn));
        assert_eq!(verdict("mock-small", "mock-fallback"), Some(Status::Warn));
        assert_eq!(maker("o3-mini"), Some("openai"));
        assert_eq!(maker("openai/gpt-5"), Some("openai"));
        assert_eq!(maker("open-mistral-7b"), Some("mistral"));
        assert_eq!(maker("openchat-3.5"), None);
    }
}
