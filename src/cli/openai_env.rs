//! The variables users already have: `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_MODEL`,
//! read as the OpenAI SDKs (and CompatCanary) read them, as fallbacks below flags,
//! `ZENCHECK_*` and the config file. They describe one endpoint, so they apply only to the
//! target they describe: `--provider openai`, or a run given neither `--base-url`,
//! `--provider` nor a config file. An OpenAI key is never sent to another host unasked.

pub const BASE_URL: &str = "OPENAI_BASE_URL";
pub const API_KEY: &str = "OPENAI_API_KEY";
pub const MODEL: &str = "OPENAI_MODEL";

pub use crate::provider::{set_key_variable, var, WELL_KNOWN_KEYS};

/// What the OPENAI_* variables fill in for a target that has nothing better.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fallback {
    pub base_url: Option<String>,
    pub api_key_env: Option<String>,
    pub models: Vec<String>,
}

/// Fill what the flags left empty. `openai` says the target is the one the variables
/// describe (`--provider openai`, or no target named at all).
pub fn fallback(
    openai: bool,
    base_url: Option<&str>,
    api_key_env: Option<&str>,
    models: &[String],
) -> Fallback {
    if !openai {
        return Fallback::default();
    }
    let base = base_url.is_none().then(|| var(BASE_URL)).flatten();
    Fallback {
        // The key pairs with the URL it came with, as in the SDKs.
        api_key_env: (base.is_some() && api_key_env.is_none()).then(|| API_KEY.to_string()),
        base_url: base,
        models: if models.is_empty() {
            var(MODEL).into_iter().collect()
        } else {
            Vec::new()
        },
    }
}
