//! What is probed: a normalised base URL, an optional secret key, extra headers, models.

use crate::provider::Provider;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// Endpoint suffixes people paste by mistake at the end of a base URL.
const ENDPOINT_SUFFIXES: &[&str] = &[
    "/chat/completions",
    "/completions",
    "/responses",
    "/messages",
    "/models",
    "/embeddings",
];

#[derive(Debug)]
pub struct Target {
    pub name: String,
    pub provider: Option<Provider>,
    /// Without a trailing slash; endpoints are appended to it.
    pub base_url: String,
    /// Set when the given URL ended in an endpoint path and was corrected.
    pub base_url_fix: Option<BaseUrlFix>,
    pub key_env: Option<String>,
    /// `SecretString` prints as `[REDACTED]` in Debug, so a stray log cannot leak it.
    pub key: Option<SecretString>,
    pub headers: Vec<(String, SecretString)>,
    pub models: Vec<String>,
    /// The provider id when the target comes from an opencode.json.
    pub opencode_provider: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrlFix {
    pub given: String,
    pub stripped: String,
}

/// The target as the report shows it: never the key, only where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    pub name: String,
    pub provider: Option<Provider>,
    pub base_url: String,
    pub api_key_env: Option<String>,
    pub api_key_present: bool,
    pub models: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("base URL `{0}` is not a valid URL: {1}")]
    BadUrl(String, String),
    #[error("base URL `{0}` must start with http:// or https://")]
    BadScheme(String),
    #[error("header `{0}` must look like `Name: value`")]
    BadHeader(String),
}

/// Trim slashes, check the scheme, and strip an endpoint suffix (reported as a fix).
pub fn normalise_base_url(input: &str) -> Result<(String, Option<BaseUrlFix>), TargetError> {
    let trimmed = input.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|e| TargetError::BadUrl(input.to_string(), e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::BadScheme(input.to_string()));
    }
    let mut base = trimmed.to_string();
    let mut fix = None;
    if url.query().is_none() {
        if let Some(suffix) = ENDPOINT_SUFFIXES.iter().find(|s| base.ends_with(*s)) {
            base.truncate(base.len() - suffix.len());
            let base_trimmed = base.trim_end_matches('/').to_string();
            fix = Some(BaseUrlFix {
                given: trimmed.to_string(),
                stripped: suffix.to_string(),
            });
            base = base_trimmed;
        }
    }
    Ok((base, fix))
}

pub fn parse_header(raw: &str) -> Result<(String, SecretString), TargetError> {
    let (name, value) = raw
        .split_once(':')
        .ok_or_else(|| TargetError::BadHeader(raw.to_string()))?;
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
    if !valid {
        return Err(TargetError::BadHeader(raw.to_string()));
    }
    Ok((
        name.to_string(),
        SecretString::from(value.trim().to_string()),
    ))
}

impl Target {
    /// A target that is not an LLM API (`opencode serve`): no provider, headers or models
    /// of its own, and the key (if any) read from `key_env`.
    pub fn bare(
        name: &str,
        base_url: String,
        key_env: Option<String>,
        key: Option<SecretString>,
    ) -> Target {
        Target {
            name: name.to_string(),
            provider: None,
            base_url,
            base_url_fix: None,
            key_env,
            key,
            headers: Vec::new(),
            models: Vec::new(),
            opencode_provider: None,
        }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn info(&self) -> TargetInfo {
        TargetInfo {
            name: self.name.clone(),
            provider: self.provider,
            base_url: self.base_url.clone(),
            api_key_env: self.key_env.clone(),
            api_key_present: self.key.is_some(),
            models: self.models.clone(),
        }
    }

    /// Every secret value this target holds: the key and the values of headers that
    /// carry credentials. Reports are scrubbed of all of them before rendering.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .key
            .iter()
            .map(|k| k.expose_secret().to_string())
            .collect();
        for (name, value) in &self.headers {
            if is_credential_header(name) {
                let v = value.expose_secret();
                out.push(v.to_string());
                // "Bearer sk-…": the bare token may be echoed on its own.
                if let Some((_, token)) = v.split_once(' ') {
                    out.push(token.to_string());
                }
            }
        }
        out.retain(|s| s.len() >= 4);
        out
    }
}

pub fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n.contains("key")
        || n.contains("token")
        || n.contains("secret")
        || n == "cookie"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_trimmed() {
        assert_eq!(
            normalise_base_url("http://h:1/v1///").unwrap(),
            ("http://h:1/v1".to_string(), None)
        );
    }

    #[test]
    fn an_endpoint_suffix_is_stripped_and_reported() {
        let (base, fix) =
            normalise_base_url("https://opencode.ai/zen/v1/chat/completions/").unwrap();
        assert_eq!(base, "https://opencode.ai/zen/v1");
        assert_eq!(fix.unwrap().stripped, "/chat/completions");
        let (base, fix) = normalise_base_url("http://127.0.0.1:4000/models").unwrap();
        assert_eq!(
            (base.as_str(), fix.is_some()),
            ("http://127.0.0.1:4000", true)
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        assert!(matches!(
            normalise_base_url("localhost:11434/v1"),
            Err(TargetError::BadScheme(_)) | Err(TargetError::BadUrl(..))
        ));
        assert!(matches!(
            normalise_base_url("ftp://x/v1"),
            Err(TargetError::BadScheme(_))
        ));
        assert!(matches!(
            normalise_base_url("not a url"),
            Err(TargetError::BadUrl(..))
        ));
    }

    #[test]
    fn headers_parse_and_credentials_are_secrets() {
        let (n, _) = parse_header("X-Title: my app").unwrap();
        assert_eq!(n, "X-Title");
        assert!(parse_header("no colon here").is_err());
        let t = Target {
            name: "t".into(),
            provider: None,
            base_url: "http://x".into(),
            base_url_fix: None,
            key_env: None,
            key: Some(SecretString::from("sk-secret-1")),
            headers: vec![
                parse_header("Authorization: Bearer tok-9999").unwrap(),
                parse_header("X-Title: app").unwrap(),
            ],
            models: vec![],
            opencode_provider: None,
        };
        let s = t.secrets();
        assert!(s.contains(&"sk-secret-1".to_string()) && s.contains(&"tok-9999".to_string()));
        assert!(!s.iter().any(|x| x == "app"));
        assert!(
            !format!("{t:?}").contains("sk-secret-1"),
            "Debug must not print the key"
        );
    }
}
