//! One request as data, and as a person reads it: the headers it carries with the key
//! written as `$VAR` and credential-like headers hidden, so `-v`, `--trace`, `--dry-run`
//! and the curl view all show the same thing.

use crate::redact::is_credential_header;
use crate::target::Target;
use secrecy::ExposeSecret;
use serde_json::Value;
use std::borrow::Cow;

/// How the key travels: OpenAI-style routes take a bearer token, Anthropic's /messages
/// an `x-api-key` (with the `anthropic-version` it requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Bearer,
    Anthropic,
    /// HTTP basic auth with this user and the key as password (`opencode serve` with
    /// `OPENCODE_SERVER_PASSWORD` wants user "opencode").
    Basic {
        user: &'static str,
    },
}

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// One request as data: what a check sends, and what `--dry-run` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: reqwest::Method,
    /// Appended to the target's base URL; owned when it carries an id (`/session/{id}`).
    pub path: Cow<'static, str>,
    pub body: Option<Value>,
    pub auth: Auth,
}

impl Request {
    pub fn get(path: &'static str) -> Request {
        Request {
            method: reqwest::Method::GET,
            path: Cow::Borrowed(path),
            body: None,
            auth: Auth::Bearer,
        }
    }
    pub fn post(path: &'static str, body: Value, auth: Auth) -> Request {
        Request {
            method: reqwest::Method::POST,
            path: Cow::Borrowed(path),
            body: Some(body),
            auth,
        }
    }
    /// Any method, a path that may be built at run time, and an optional JSON body.
    pub fn new(
        method: reqwest::Method,
        path: impl Into<Cow<'static, str>>,
        body: Option<Value>,
        auth: Auth,
    ) -> Request {
        Request {
            method,
            path: path.into(),
            body,
            auth,
        }
    }
    /// The optional parameters the body carries: only these may be blamed for a refusal.
    pub fn sent_params(&self) -> Vec<&'static str> {
        let body = self.body.as_ref();
        crate::classify::KNOWN_PARAMS
            .iter()
            .copied()
            .filter(|p| body.and_then(|b| b.get(*p)).is_some())
            .collect()
    }
    /// Headers besides the target's own, with the key written as `key_ref`.
    pub fn auth_headers(&self, key_ref: Option<&str>) -> Vec<(&'static str, String)> {
        let mut h = Vec::new();
        match (self.auth, key_ref) {
            (Auth::Bearer, Some(k)) => h.push(("Authorization", format!("Bearer {k}"))),
            (Auth::Anthropic, Some(k)) => h.push(("x-api-key", k.to_string())),
            _ => {}
        }
        if self.auth == Auth::Anthropic {
            h.push(("anthropic-version", ANTHROPIC_VERSION.to_string()));
        }
        if self.body.is_some() {
            h.push(("Content-Type", "application/json".to_string()));
        }
        h
    }
}

/// `$OPENAI_API_KEY`, or `None` when the target has no key variable.
/// (An environment variable name cannot contain quotes or `$`, so it is safe in double quotes.)
pub fn key_ref(target: &Target) -> Option<String> {
    target.key_env.as_ref().map(|v| format!("${v}"))
}

/// The headers a request carries, credentials hidden: the key as `$VAR`, credential-like
/// extra headers as `[redacted]`.
pub fn headers(target: &Target, req: &Request) -> Vec<(String, String)> {
    // A key with no variable (written in an opencode.json) is shown hidden, not dropped.
    let key = target
        .key
        .is_some()
        .then(|| key_ref(target).unwrap_or_else(|| "[redacted]".into()));
    let mut out: Vec<(String, String)> = req
        .auth_headers(key.as_deref())
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    if target.basic_auth.is_some() {
        // From the URL's user info; sent as basic auth, shown only as being there.
        out.push(("Authorization".into(), "Basic [redacted]".into()));
    }
    for (name, value) in &target.headers {
        let value = value.expose_secret();
        let shown = if is_credential_header(name, value) {
            "[redacted]".to_string()
        } else {
            value.to_string()
        };
        out.push((name.clone(), shown));
    }
    out
}
