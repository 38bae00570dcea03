//! Provider presets: where a gateway lives, which variable conventionally holds its key,
//! and enough identity for hints to speak the provider's language.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// OpenCode Zen (https://opencode.ai/zen/v1, key in OPENCODE_API_KEY)
    Zen,
    /// OpenAI (https://api.openai.com/v1, key in OPENAI_API_KEY)
    Openai,
    /// OpenRouter (https://openrouter.ai/api/v1, key in OPENROUTER_API_KEY)
    Openrouter,
    /// Groq (https://api.groq.com/openai/v1, key in GROQ_API_KEY)
    Groq,
    /// Ollama on this machine (http://127.0.0.1:11434/v1, no key)
    Ollama,
    /// vLLM's OpenAI server (http://127.0.0.1:8000/v1, key in VLLM_API_KEY if started with --api-key)
    Vllm,
    /// LM Studio's local server (http://127.0.0.1:1234/v1, no key)
    Lmstudio,
    /// LiteLLM proxy (http://127.0.0.1:4000/v1, key in LITELLM_API_KEY)
    Litellm,
}

impl Provider {
    pub fn base_url(self) -> &'static str {
        match self {
            Provider::Zen => "https://opencode.ai/zen/v1",
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Openrouter => "https://openrouter.ai/api/v1",
            Provider::Groq => "https://api.groq.com/openai/v1",
            Provider::Ollama => "http://127.0.0.1:11434/v1",
            Provider::Vllm => "http://127.0.0.1:8000/v1",
            Provider::Lmstudio => "http://127.0.0.1:1234/v1",
            Provider::Litellm => "http://127.0.0.1:4000/v1",
        }
    }

    /// The environment variable that conventionally holds the key; `None` where the
    /// server normally runs without one.
    pub fn key_env(self) -> Option<&'static str> {
        match self {
            Provider::Zen => Some("OPENCODE_API_KEY"),
            Provider::Openai => Some("OPENAI_API_KEY"),
            Provider::Openrouter => Some("OPENROUTER_API_KEY"),
            Provider::Groq => Some("GROQ_API_KEY"),
            Provider::Vllm => Some("VLLM_API_KEY"),
            Provider::Litellm => Some("LITELLM_API_KEY"),
            Provider::Ollama | Provider::Lmstudio => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::Zen => "OpenCode Zen",
            Provider::Openai => "OpenAI",
            Provider::Openrouter => "OpenRouter",
            Provider::Groq => "Groq",
            Provider::Ollama => "Ollama",
            Provider::Vllm => "vLLM",
            Provider::Lmstudio => "LM Studio",
            Provider::Litellm => "LiteLLM",
        }
    }

    /// Recognise a well-known host so that `--base-url` alone still gets provider-worded
    /// hints. Local servers are recognised by their default port only.
    pub fn infer(base_url: &url::Url) -> Option<Provider> {
        let host = base_url.host_str()?;
        let path = base_url.path();
        match host {
            "opencode.ai" if path.starts_with("/zen") => Some(Provider::Zen),
            "api.openai.com" => Some(Provider::Openai),
            "openrouter.ai" => Some(Provider::Openrouter),
            "api.groq.com" => Some(Provider::Groq),
            _ => match base_url.port() {
                Some(11434) => Some(Provider::Ollama),
                Some(1234) => Some(Provider::Lmstudio),
                _ => None,
            },
        }
    }
}

/// Key variables people commonly have set, in the order a hint names them.
pub const WELL_KNOWN_KEYS: [&str; 7] = [
    "OPENAI_API_KEY",
    "OPENCODE_API_KEY",
    "OPENROUTER_API_KEY",
    "GROQ_API_KEY",
    "LITELLM_API_KEY",
    "VLLM_API_KEY",
    "ANTHROPIC_API_KEY",
];

/// A variable's value, trimmed; unset and blank are the same.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The first well-known key variable that is set (its name only, never its value).
pub fn set_key_variable() -> Option<&'static str> {
    WELL_KNOWN_KEYS.into_iter().find(|v| var(v).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_url_parses_and_is_recognised_back() {
        for p in Provider::value_variants() {
            let url = url::Url::parse(p.base_url()).expect("preset URL parses");
            // Local servers without a distinctive port are not inferred; the rest must be.
            if !matches!(p, Provider::Vllm | Provider::Litellm) {
                assert_eq!(Provider::infer(&url), Some(*p), "{}", p.base_url());
            }
        }
    }
}
