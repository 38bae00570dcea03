//! The checks, one file per family. Each returns a [`Finding`]; none returns `Err`.

pub mod chat;
pub mod models;
pub mod stream;

use crate::classify::{classify, parse_error_body, KNOWN_PARAMS};
use crate::http::{Answer, Http};
use crate::outcome::{Evidence, Finding, Status};
use crate::target::Target;
use serde_json::{json, Value};

/// Stable check ids: part of the JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckId {
    TargetBaseUrl,
    ModelsList,
    ModelsExists,
    ChatBasic,
    ChatStream,
    ChatStreamUsage,
    ChatTools,
}

impl CheckId {
    /// In report order.
    pub const ALL: [CheckId; 7] = [
        CheckId::TargetBaseUrl,
        CheckId::ModelsList,
        CheckId::ModelsExists,
        CheckId::ChatBasic,
        CheckId::ChatStream,
        CheckId::ChatStreamUsage,
        CheckId::ChatTools,
    ];
    /// The checks that send a generation request for one model.
    pub const GENERATION: [CheckId; 4] = [
        CheckId::ChatBasic,
        CheckId::ChatStream,
        CheckId::ChatStreamUsage,
        CheckId::ChatTools,
    ];

    pub fn id(self) -> &'static str {
        match self {
            CheckId::TargetBaseUrl => "target.base_url",
            CheckId::ModelsList => "models.list",
            CheckId::ModelsExists => "models.exists",
            CheckId::ChatBasic => "chat.basic",
            CheckId::ChatStream => "chat.stream",
            CheckId::ChatStreamUsage => "chat.stream_usage",
            CheckId::ChatTools => "chat.tools",
        }
    }

    pub fn endpoint(self) -> Option<&'static str> {
        match self {
            CheckId::TargetBaseUrl => None,
            CheckId::ModelsList | CheckId::ModelsExists => Some("/models"),
            _ => Some("/chat/completions"),
        }
    }
}

/// What every check needs.
pub struct Ctx<'a> {
    pub http: &'a Http,
    pub target: &'a Target,
}

/// The tiny prompt every generation check sends.
pub const PROMPT: &str = "Reply with the single word: pong";
/// Output cap for plain answers: cheap, and enough for "pong".
pub const MAX_TOKENS: u64 = 16;
/// Output cap when a tool call is expected: a call with its JSON arguments needs more.
pub const MAX_TOKENS_TOOLS: u64 = 64;

/// A minimal chat request; `extra` keys are added on top.
pub fn chat_request(model: &str, stream: bool, extra: Value) -> Value {
    let mut body = json!({
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": MAX_TOKENS,
        "stream": stream,
    });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    body
}

/// The optional parameters a request body carries: only these may be blamed.
pub fn sent_params(body: &Value) -> Vec<&'static str> {
    KNOWN_PARAMS
        .iter()
        .copied()
        .filter(|p| body.get(*p).is_some())
        .collect()
}

/// A non-2xx answer (or an error body inside a 2xx) as a finding, quoting the server.
pub fn error_finding(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<u64>,
    sent: &[&str],
) -> Finding {
    let parsed = parse_error_body(content_type, body);
    let verdict = classify(status, &parsed, sent);
    let label = parsed
        .etype
        .as_deref()
        .or(parsed.code.as_deref())
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let mut detail = format!("HTTP {status}{label}");
    if let Some(p) = &verdict.param {
        detail.push_str(&format!(": `{p}` refused"));
    } else if parsed.html {
        detail.push_str(" (HTML page)");
    }
    let mut f = Finding::fail(verdict.kind, detail).with_evidence(Evidence {
        http_status: Some(status),
        provider_message: parsed.message,
        request_id,
    });
    f.param = verdict.param;
    f.gateway = verdict.gateway;
    f.retry_after_secs = retry_after;
    f
}

pub fn answer_error(a: &Answer, sent: &[&str]) -> Finding {
    error_finding(
        a.status,
        a.content_type.as_deref(),
        &a.body,
        a.request_id.clone(),
        a.retry_after_secs,
        sent,
    )
    .with_timing(a.timing)
}

/// Parse a 2xx body that must be JSON; HTML and other text become `bad_response`.
pub fn json_body(a: &Answer) -> Result<Value, Finding> {
    let text = String::from_utf8_lossy(&a.body);
    let ct = a.content_type.as_deref().unwrap_or("");
    if ct.contains("html") || text.trim_start().starts_with('<') {
        let page = parse_error_body(Some("text/html"), &a.body)
            .message
            .unwrap_or_default();
        return Err(Finding::fail(
            crate::failure::Kind::BadResponse,
            format!(
                "HTTP {} with an HTML page instead of JSON: \"{page}\"",
                a.status
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing));
    }
    serde_json::from_str(&text).map_err(|e| {
        Finding::fail(
            crate::failure::Kind::BadResponse,
            format!(
                "body is not JSON ({e}): {}",
                crate::classify::one_line(&text.chars().take(120).collect::<String>())
            ),
        )
        .with_evidence(a.evidence())
        .with_timing(a.timing)
    })
}

/// `same_model("gpt-4o", "gpt-4o-2024-08-06")`: a dated or prefixed variant is the same
/// model; anything else answered in its place.
pub fn same_model(asked: &str, got: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim().to_ascii_lowercase();
        let s = s.rsplit('/').next().unwrap_or(&s).to_string();
        s.strip_suffix(":latest").map(str::to_string).unwrap_or(s)
    };
    let (a, g) = (norm(asked), norm(got));
    g.starts_with(&a) || a.starts_with(&g)
}

/// A finding that says the check did not run, and why.
pub fn skipped(why: &str) -> Finding {
    Finding::new(Status::Skip, None, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<_> = CheckId::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), CheckId::ALL.len());
    }

    #[test]
    fn model_identity_allows_dated_and_prefixed_variants_only() {
        assert!(same_model("gpt-4o-mini", "gpt-4o-mini-2024-07-18"));
        assert!(same_model("openai/gpt-4o", "gpt-4o"));
        assert!(same_model("llama3.2", "llama3.2:latest"));
        assert!(!same_model("mock-small", "mock-fallback"));
        assert!(!same_model("gpt-4o", "claude-sonnet-4-5"));
    }

    #[test]
    fn sent_params_reads_the_body() {
        let b = chat_request(
            "m",
            true,
            json!({"stream_options": {"include_usage": true}}),
        );
        assert_eq!(sent_params(&b), vec!["stream_options", "max_tokens"]);
    }
}
