//! API routes (wire formats) and which one serves a model.
//!
//! OpenCode Zen serves each model family on one route (field guide §2): GPT models on
//! `/responses`, Claude on `/messages`, Gemini on Google's route, the rest on
//! `/chat/completions`. Asked on another route, Zen answers 401 `ModelError "… not
//! supported for format F"`. Other gateways serve every model on chat.

use crate::provider::Provider;
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// POST /chat/completions (OpenAI Chat Completions)
    Chat,
    /// POST /responses (OpenAI Responses API)
    Responses,
    /// POST /messages (Anthropic Messages)
    Messages,
    /// POST /embeddings (OpenAI Embeddings)
    Embeddings,
}

/// A route zencheck does not probe but can name (Zen's Gemini models).
pub const GOOGLE_ROUTE: &str = "/models/{id}:generateContent (Google format, @ai-sdk/google)";

impl Route {
    pub fn path(self) -> &'static str {
        match self {
            Route::Chat => "/chat/completions",
            Route::Responses => "/responses",
            Route::Messages => "/messages",
            Route::Embeddings => "/embeddings",
        }
    }

    /// The AI SDK package (and so opencode `npm` value) that speaks this route.
    pub fn package(self) -> &'static str {
        match self {
            Route::Chat => "@ai-sdk/openai-compatible",
            Route::Responses => "@ai-sdk/openai",
            Route::Messages => "@ai-sdk/anthropic",
            // Its textEmbeddingModel speaks /embeddings.
            Route::Embeddings => "@ai-sdk/openai-compatible",
        }
    }

    pub fn describe(self) -> String {
        format!("{} ({})", self.path(), self.package())
    }
}

/// Where a model lives, when the provider pins families to routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    Route(Route),
    /// Gemini on Zen: a route zencheck does not probe.
    Google,
}

impl Home {
    pub fn describe(self) -> String {
        match self {
            Home::Route(r) => r.describe(),
            Home::Google => GOOGLE_ROUTE.to_string(),
        }
    }
}

/// The one route a model is served on, for providers that pin families (Zen); `None`
/// where any route may serve it.
pub fn home(provider: Option<Provider>, model: &str) -> Option<Home> {
    if provider != Some(Provider::Zen) {
        return None;
    }
    let m = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    Some(
        if m.starts_with("gpt-")
            || m.starts_with("o3")
            || m.starts_with("o4")
            || m.contains("codex")
        {
            Home::Route(Route::Responses)
        } else if m.starts_with("claude-") {
            Home::Route(Route::Messages)
        } else if m.starts_with("gemini-") {
            Home::Google
        } else {
            Home::Route(Route::Chat)
        },
    )
}

/// The routes probed for a model when the user did not choose: embeddings alone for
/// embedding models, which every generation route refuses; the one route the provider's
/// table places it on (Zen), since the others could only answer `wrong_route`; else chat and
/// responses, plus messages for Claude models (any provider may translate them).
pub fn default_routes(provider: Option<Provider>, model: &str) -> Vec<Route> {
    if is_embedding_model(model) {
        return vec![Route::Embeddings];
    }
    match home(provider, model) {
        Some(Home::Route(r)) => vec![r],
        _ => every_route(provider, model),
    }
}

/// The routes every model may be asked on, whatever its name.
pub const EVERY_MODEL: [Route; 2] = [Route::Chat, Route::Responses];

/// Every route a model may be asked on: chat and responses ([`EVERY_MODEL`]), plus messages for Claude models
/// and embeddings for embedding models. Where the user named checks (`--checks`) but no
/// routes, the checks decide among these.
pub fn every_route(provider: Option<Provider>, model: &str) -> Vec<Route> {
    let claude = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase()
        .starts_with("claude-");
    let mut routes = EVERY_MODEL.to_vec();
    if claude || home(provider, model) == Some(Home::Route(Route::Messages)) {
        routes.push(Route::Messages);
    }
    if is_embedding_model(model) {
        routes.push(Route::Embeddings);
    }
    routes
}

/// `text-embedding-3-small`, `nomic-embed-text`, `bge-m3`, `intfloat/e5-large-v2`: ids
/// that name an embedding model (by the words their makers put in them).
pub fn is_embedding_model(model: &str) -> bool {
    let m = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    m.contains("embed")
        || ["bge-", "gte-", "e5-", "multilingual-e5"]
            .iter()
            .any(|p| m.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedding_models_get_the_embeddings_route_alone() {
        for m in [
            "text-embedding-3-small",
            "openai/text-embedding-ada-002",
            "nomic-embed-text:latest",
            "mxbai-embed-large",
            "BAAI/bge-m3",
            "intfloat/e5-large-v2",
            "gemini-embedding-001",
        ] {
            assert_eq!(default_routes(None, m), vec![Route::Embeddings], "{m}");
        }
        for m in ["gpt-4o-mini", "kimi-k2", "qwen3-coder", "deepseek-r1"] {
            assert!(!is_embedding_model(m), "{m}");
        }
    }

    #[test]
    fn zen_route_table_by_family() {
        let z = Some(Provider::Zen);
        assert_eq!(home(z, "gpt-5-nano"), Some(Home::Route(Route::Responses)));
        assert_eq!(
            home(z, "gpt-5.1-codex"),
            Some(Home::Route(Route::Responses))
        );
        assert_eq!(
            home(z, "claude-sonnet-4-5"),
            Some(Home::Route(Route::Messages))
        );
        assert_eq!(home(z, "gemini-3-pro"), Some(Home::Google));
        assert_eq!(home(z, "big-pickle"), Some(Home::Route(Route::Chat)));
        assert_eq!(home(z, "kimi-k2"), Some(Home::Route(Route::Chat)));
        assert_eq!(home(None, "gpt-5"), None, "other providers serve any route");
    }

    #[test]
    fn claude_models_also_get_the_messages_route() {
        assert_eq!(
            default_routes(None, "kimi-k2"),
            vec![Route::Chat, Route::Responses]
        );
        assert_eq!(
            default_routes(None, "anthropic/claude-haiku-4-5"),
            vec![Route::Chat, Route::Responses, Route::Messages]
        );
    }

    #[test]
    fn zen_models_are_probed_on_their_one_route() {
        let z = Some(Provider::Zen);
        assert_eq!(default_routes(z, "big-pickle"), vec![Route::Chat]);
        assert_eq!(default_routes(z, "gpt-5-nano"), vec![Route::Responses]);
        assert_eq!(default_routes(z, "claude-haiku-4-5"), vec![Route::Messages]);
        // Google's route is not probed: the table's wrong_route hint then names it.
        assert_eq!(
            default_routes(z, "gemini-3-pro"),
            vec![Route::Chat, Route::Responses]
        );
    }
}
