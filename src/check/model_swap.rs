//! Whether the model that answered is the one asked for: the same id or a dated snapshot of
//! it passes; another model of the same maker is a warning (an alias, a fallback within a
//! family); another maker's model is a failure, since the app is not talking to the model it
//! was built and priced for. An id whose maker zencheck cannot tell (a deployment name, an
//! alias such as `auto`) is never failed on that ground.

use crate::failure::Kind;
use crate::finding::Problems;

/// `same_model("gpt-4o", "gpt-4o-2024-08-06")`: a dated, versioned or vendor-prefixed
/// variant is the same model; anything else answered in its place, even an id that shares
/// a prefix (`gpt-4o` answered by `gpt-4o-mini`).
pub fn same_model(asked: &str, got: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        let s = s.rsplit('/').next().unwrap_or(&s).to_string();
        let s = s.strip_suffix(":latest").unwrap_or(&s);
        s.strip_suffix("-latest").unwrap_or(s).to_string()
    };
    let (a, g) = (norm(asked), norm(got));
    let (short, long) = if a.len() <= g.len() {
        (&a, &g)
    } else {
        (&g, &a)
    };
    a == g
        || long
            .strip_prefix(short.as_str())
            .is_some_and(version_suffix)
}

/// `-2024-08-06`, `-0613`, `-20241022-v1:0`, `-001`: a snapshot of the same model, not
/// another model (`-mini`, `.1`, `:3b`).
fn version_suffix(rest: &str) -> bool {
    let Some(r) = rest.strip_prefix(['-', '@', ':']) else {
        return false;
    };
    r.chars().take_while(char::is_ascii_digit).count() >= 3
        && r.chars()
            .all(|c| c.is_ascii_digit() || "-.:_v@".contains(c))
}

/// Judge `got` against `asked` into `p`.
pub fn judge(asked: &str, got: &str, p: &mut Problems) {
    judge_in("", asked, got, p)
}

/// As [`judge`], the detail led by `label` (`turn 2: `) for a check of several answers.
pub fn judge_in(label: &str, asked: &str, got: &str, p: &mut Problems) {
    if same_model(asked, got) {
        return;
    }
    match (maker(asked), maker(got)) {
        (Some(a), Some(g)) if a != g => p.fail(
            Kind::ModelMismatch,
            format!(
                "{label}asked for `{asked}` ({a}), `{got}` ({g}) answered: another maker's model"
            ),
        ),
        _ => p.warn(
            Kind::ModelMismatch,
            format!("{label}asked for `{asked}`, `{got}` answered"),
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

    #[test]
    fn model_identity_allows_dated_and_prefixed_variants_only() {
        assert!(same_model("gpt-4o-mini", "gpt-4o-mini-2024-07-18"));
        assert!(same_model("openai/gpt-4o", "gpt-4o"));
        assert!(same_model("llama3.2", "llama3.2:latest"));
        assert!(!same_model("mock-small", "mock-fallback"));
        assert!(!same_model("gpt-4o", "claude-sonnet-4-5"));
        assert!(!same_model("gpt-4o", "gpt-4o-mini"));
        assert!(!same_model("gpt-5", "gpt-5.1"));
        assert!(same_model(
            "claude-3-5-sonnet-latest",
            "claude-3-5-sonnet-20241022"
        ));
        assert!(same_model("gpt-4", "gpt-4-0613"));
    }
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
