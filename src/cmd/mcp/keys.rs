//! Which targets of an MCP `probe` may carry a key, and the scrubbing of every tool result.
//!
//! The agent that calls the tool may have read hostile text (prompt injection), so the URL
//! it names is not trusted with a secret: a key goes only to a target of the config file
//! (the user wrote it) or to a provider preset's own host (`provider: openai` at
//! api.openai.com). Any other URL is probed with no key, and the report says so.

use crate::cli::config::Loaded;
use crate::provider::Provider;
use crate::redact::{is_credential_header, Redactor};
use crate::target::{normalise_base_url, Target};
use clap::ValueEnum;

/// scheme://host:port of a URL, the unit a key is entrusted to.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?,
    ))
}

/// The target is its provider preset's own host (explicit or recognised from the URL):
/// `provider: openai` with a foreign `base_url` is not.
pub fn preset_host(t: &Target) -> bool {
    t.provider
        .is_some_and(|p| origin(&t.base_url).is_some_and(|o| Some(o) == origin(p.base_url())))
}

/// The config target a base URL names, if any: the same URL once normalised.
pub fn config_target_at(loaded: &Loaded, base_url: &str) -> Option<String> {
    let wanted = normalise_base_url(base_url).ok()?.base;
    loaded.config.targets.iter().find_map(|(name, t)| {
        let url = match (&t.base_url, t.provider) {
            (Some(u), _) => u.get_ref().clone(),
            (None, Some(p)) => p.base_url().to_string(),
            (None, None) => return None,
        };
        let base = normalise_base_url(&url).ok()?.base;
        (base == wanted).then(|| name.clone())
    })
}

/// Take every key from a target that may not have one, and say why in its report.
pub fn withhold(t: &mut Target) {
    let why = format!(
        "probed with no key: {} is neither a target of the config file nor a provider preset's own host (keys go only there)",
        t.shown_url()
    );
    t.key = None;
    t.key_env = None;
    t.headers.retain(|(n, v)| {
        use secrecy::ExposeSecret;
        !is_credential_header(n, v.expose_secret())
    });
    t.key_withheld = Some(why);
}

/// Every secret this server could have read: the values of the well-known key variables,
/// of every preset's, of the config targets' key variables and credential headers, and of
/// a variable a call named. Tool results pass through it whatever produced them.
pub struct Secrets {
    /// For plain text: the crate's redactor (every form, pieces of long secrets, key shapes).
    text: Redactor,
    /// For JSON: whole values only. The report is scrubbed piecewise where its text
    /// entered; here a piece of a key must not turn an enum value (`"openai"`) into
    /// `[redacted]` and break the report's schema.
    whole: Vec<String>,
}

/// Values shorter than this are not treated as secrets in JSON (as the redactor's own floor).
const MIN_WHOLE: usize = 8;

impl Secrets {
    pub fn read(loaded: Option<&Loaded>, named: Option<&str>) -> Secrets {
        let mut vars: Vec<String> = crate::cli::openai_env::WELL_KNOWN_KEYS
            .iter()
            .map(|v| v.to_string())
            .collect();
        vars.extend(
            Provider::value_variants()
                .iter()
                .filter_map(|p| p.key_env())
                .map(str::to_string),
        );
        let mut secrets = Vec::new();
        if let Some(l) = loaded {
            for t in l.config.targets.values() {
                vars.extend(t.api_key_env.clone());
                for (n, v) in &t.headers {
                    if is_credential_header(n, v.get_ref()) {
                        secrets.push(v.get_ref().clone());
                    }
                }
            }
        }
        vars.extend(named.map(str::to_string));
        secrets.extend(vars.iter().filter_map(|v| crate::cli::openai_env::var(v)));
        let mut whole: Vec<String> = secrets
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| s.len() >= MIN_WHOLE)
            .collect();
        whole.sort_by_key(|s| std::cmp::Reverse(s.len()));
        whole.dedup();
        Secrets {
            text: Redactor::new(&secrets),
            whole,
        }
    }

    pub fn scrub(&self, s: &str) -> String {
        self.text.scrub(s)
    }

    fn scrub_whole(&self, s: &str) -> String {
        let mut out = s.to_string();
        for w in &self.whole {
            if out.contains(w.as_str()) {
                out = out.replace(w.as_str(), crate::redact::REDACTED);
            }
        }
        out
    }

    /// Every string inside a JSON value, keys and values, with whole secrets replaced.
    pub fn scrub_json(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::String(s) => *s = self.scrub_whole(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.scrub_json(x)),
            Value::Object(o) => {
                let old = std::mem::take(o);
                for (k, mut x) in old {
                    self.scrub_json(&mut x);
                    o.insert(self.scrub_whole(&k), x);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, provider: Option<Provider>) -> Target {
        Target {
            provider,
            ..Target::new("t", url).unwrap()
        }
    }

    #[test]
    fn a_preset_counts_only_at_its_own_host() {
        assert!(preset_host(&target(
            "https://api.openai.com/v1",
            Some(Provider::Openai)
        )));
        assert!(!preset_host(&target(
            "https://evil.example/v1",
            Some(Provider::Openai)
        )));
        // Recognised by port alone elsewhere, but 11434 on another host is not Ollama's.
        assert!(!preset_host(&target(
            "http://evil.example:11434/v1",
            Some(Provider::Ollama)
        )));
        assert!(!preset_host(&target(
            "http://api.openai.com/v1",
            Some(Provider::Openai)
        )));
        assert!(!preset_host(&target("https://api.openai.com/v1", None)));
    }

    #[test]
    fn withholding_takes_the_key_and_credential_headers_and_says_why() {
        use secrecy::SecretString;
        let mut t = Target {
            key: Some(SecretString::from("sk-secret-0123456789")),
            key_env: Some("K".into()),
            headers: vec![
                crate::target::parse_header("Authorization: Bearer tok-1234").unwrap(),
                crate::target::parse_header("X-Title: app").unwrap(),
            ],
            ..Target::new("t", "http://127.0.0.1:9/v1").unwrap()
        };
        withhold(&mut t);
        assert!(t.key.is_none() && t.key_env.is_none());
        assert_eq!(t.headers.len(), 1);
        assert!(t.sends_no_credentials());
        assert!(t.info().key_withheld.unwrap().contains("127.0.0.1:9"));
    }

    #[test]
    fn json_loses_whole_keys_but_keeps_words_a_key_happens_to_contain() {
        let s = Secrets {
            text: Redactor::new(["sk-openai-abcdefghijklmnop"]),
            whole: vec!["sk-openai-abcdefghijklmnop".into()],
        };
        let mut v = serde_json::json!({
            "a": ["x sk-openai-abcdefghijklmnop y"],
            "sk-openai-abcdefghijklmnop": 1,
            "provider": "openai",
        });
        s.scrub_json(&mut v);
        assert!(!v.to_string().contains("abcdefghijklmnop"), "{v}");
        assert_eq!(v["provider"], "openai");
        // Text gets the crate's whole treatment, pieces included.
        assert!(!s.scrub("echo: abcdefghijklmnop").contains("abcdefghij"));
    }
}
