//! `zencheck probe --opencode-config PATH`: every custom provider of an opencode.json,
//! probed the way opencode will call it.
//!
//! opencode sends, on every agent turn to an `@ai-sdk/openai-compatible` provider,
//! `stream:true` with `stream_options.include_usage` (unless `"includeUsage": false`), and
//! `tools` with `tool_choice:"auto"`. So for such a provider those capabilities are required.
//! The probe sends opencode's own request shape (the `opencode` client profile) and the
//! checks of the classes opencode meets on Zen and its peers: a character cut inside a
//! stream event (`chat.stream_usage` asks for CJK and an emoji, opencode#39694), a stream
//! without a `finish_reason` (`chat.stream`, opencode#43882), and a reasoning model that
//! needs its reasoning sent back (`chat.reasoning_passback`, reasoning models only).

use crate::error::RunError;
use secrecy::SecretString;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One provider of the file that zencheck can probe.
pub struct Provider {
    pub id: String,
    pub npm: Option<String>,
    pub base_url: String,
    pub key: Option<SecretString>,
    /// The variable the key comes from, when the file says `{env:VAR}`.
    pub key_env: Option<String>,
    pub models: Vec<String>,
    pub include_usage: bool,
}

impl Provider {
    /// The checks that matter for this provider, and the ones opencode's requests depend on.
    pub fn checks_and_require(&self) -> (Vec<String>, Vec<String>) {
        let checks = [
            "models",
            "chat.basic",
            "chat.stream",
            "chat.stream_usage",
            "chat.tools",
            "chat.stream_tools",
            "chat.reasoning_passback",
        ]
        .map(String::from)
        .to_vec();
        let mut require = vec!["chat.stream".to_string(), "chat.tools".to_string()];
        if self.include_usage
            && self
                .npm
                .as_deref()
                .is_none_or(|n| n == "@ai-sdk/openai-compatible")
        {
            require.push("chat.stream_usage".into());
        }
        (checks, require)
    }
}

pub struct Loaded {
    pub providers: Vec<Provider>,
    /// Providers left out, with the reason (no baseURL: built-in providers).
    pub skipped: Vec<(String, String)>,
}

/// What opencode's own reader accepts (Microsoft's jsonc-parser with `allowTrailingComma`):
/// `//` and `/* */` comments and trailing commas; nothing else beyond JSON.
const JSONC: jsonc_parser::ParseOptions = jsonc_parser::ParseOptions {
    allow_comments: true,
    allow_trailing_commas: true,
    allow_loose_object_property_names: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

pub fn load(path: &Path) -> Result<Loaded, RunError> {
    let fail = |why: String| RunError::Io {
        what: format!("read {}", path.display()),
        why,
    };
    let text = crate::files::read_text(path).map_err(fail)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, &dir, &|v| std::env::var(v).ok()).map_err(fail)
}

/// Parse the file (JSON with comments and trailing commas, as opencode allows) and resolve `{env:VAR}` and
/// `{file:path}` references in its strings.
pub fn parse(
    text: &str,
    dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, String> {
    let v: Value = jsonc_parser::parse_to_serde_value(text, &JSONC)
        .map_err(|e| format!("not JSON with comments (JSONC): {e}"))?;
    let Some(map) = v.get("provider").and_then(Value::as_object) else {
        return Err("no \"provider\" object: nothing to probe".into());
    };
    let mut out = Loaded {
        providers: Vec::new(),
        skipped: Vec::new(),
    };
    for (id, p) in map {
        let opt = |k: &str| p.pointer(&format!("/options/{k}"));
        let Some(raw_url) = opt("baseURL").and_then(Value::as_str) else {
            out.skipped.push((
                id.clone(),
                "no options.baseURL (a built-in provider)".into(),
            ));
            continue;
        };
        let base_url = resolve(raw_url, dir, env)?;
        let raw_key = opt("apiKey").and_then(Value::as_str);
        let key_env = raw_key
            .and_then(|k| k.strip_prefix("{env:"))
            .and_then(|k| k.strip_suffix('}'))
            .map(str::to_string);
        let key = raw_key
            .map(|k| resolve(k, dir, env))
            .transpose()?
            .filter(|k| !k.is_empty())
            .map(SecretString::from);
        let models = p
            .get("models")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| v.get("id").and_then(Value::as_str).unwrap_or(k).to_string())
                    .collect()
            })
            .unwrap_or_default();
        out.providers.push(Provider {
            id: id.clone(),
            npm: p.get("npm").and_then(Value::as_str).map(str::to_string),
            base_url,
            key,
            key_env,
            models,
            include_usage: opt("includeUsage") != Some(&Value::Bool(false)),
        });
    }
    Ok(out)
}

/// Replace `{env:VAR}` (empty when unset, as opencode does) and `{file:path}` (relative to
/// the config's folder, `~` for home; the content trimmed).
fn resolve(s: &str, dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 1..start + len];
        let value = if let Some(var) = inner.strip_prefix("env:") {
            Some(env(var).unwrap_or_default())
        } else if let Some(file) = inner.strip_prefix("file:") {
            let path = match file.strip_prefix("~/") {
                Some(p) => std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default()
                    .join(p),
                None => dir.join(file),
            };
            Some(
                crate::files::read_text(&path)
                    .map_err(|e| format!("{{file:{file}}}: {e}"))?
                    .trim()
                    .to_string(),
            )
        } else {
            None
        };
        out.push_str(&rest[..start]);
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const CONFIG: &str = r#"{
      // JSONC, as opencode reads it
      "$schema": "https://opencode.ai/config.json",
      "provider": {
        "gw": {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": "{env:GW_URL}/v1", "apiKey": "{env:GW_KEY}"},
               "models": {"fast": {"name": "Fast"}, "alias": {"id": "real-id"}}},
        "quiet": {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": "http://127.0.0.1:1/v1", "apiKey": "{file:key.txt}", "includeUsage": false},
                  "models": {"m": {}}},
        "anthropic": {"options": {"apiKey": "x"}}
      }
    }"#;

    fn env(v: &str) -> Option<String> {
        match v {
            "GW_URL" => Some("http://gw:8080".into()),
            "GW_KEY" => Some("sk-gw-123".into()),
            _ => None,
        }
    }

    #[test]
    fn providers_with_references_resolved() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.txt"), "sk-file-456\n").unwrap();
        let l = parse(CONFIG, dir.path(), &env).unwrap();
        assert_eq!(l.providers.len(), 2);
        assert_eq!(l.skipped[0].0, "anthropic");
        let gw = &l.providers[0];
        assert_eq!(
            (gw.base_url.as_str(), gw.key_env.as_deref()),
            ("http://gw:8080/v1", Some("GW_KEY"))
        );
        assert_eq!(gw.key.as_ref().unwrap().expose_secret(), "sk-gw-123");
        assert_eq!(gw.models, vec!["fast", "real-id"]);
        assert!(gw
            .checks_and_require()
            .1
            .contains(&"chat.stream_usage".to_string()));
        let quiet = &l.providers[1];
        assert_eq!(quiet.key.as_ref().unwrap().expose_secret(), "sk-file-456");
        assert!(!quiet.include_usage);
        assert!(
            !quiet
                .checks_and_require()
                .1
                .contains(&"chat.stream_usage".to_string()),
            "includeUsage:false: opencode sends no stream_options"
        );
    }
}
