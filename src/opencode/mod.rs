//! opencode, the client of OpenCode Zen: its server's event stream and model selection
//! (`serve-check`), `opencode run`'s failures (`run-check`), and a user's opencode.json
//! (`probe --opencode-config`).

pub mod check_id;
pub mod config;
pub mod run;
pub mod serve;

pub use check_id::OpencodeCheck;

use crate::classify::{
    classify, classify_words, one_line, parse_error_body, ErrorBody, KNOWN_PARAMS,
};
use crate::error::RunError;
use crate::failure::Kind;
use crate::finding::{Evidence, Finding};
use serde_json::Value;

/// `provider/model`, split at the first slash (model ids may contain more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    pub provider: String,
    pub model: String,
}

impl ModelRef {
    pub fn parse(s: &str) -> Result<ModelRef, RunError> {
        match s.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() => Ok(ModelRef { provider: p.to_string(), model: m.to_string() }),
            _ => Err(RunError::Usage(format!("--model takes provider/model as opencode names it (e.g. opencode/big-pickle), got `{s}`"))),
        }
    }
}

impl std::fmt::Display for ModelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.provider, self.model)
    }
}

/// An opencode error object, `{name, data:{message, statusCode, isRetryable,
/// responseHeaders, responseBody}}`, read into zencheck's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcError {
    pub name: String,
    pub kind: Option<Kind>,
    pub status: Option<u16>,
    pub message: Option<String>,
    /// The provider's own error type, read from the response body.
    pub error_type: Option<String>,
    pub param: Option<String>,
    pub request_id: Option<String>,
    pub retryable: bool,
}

pub fn read_error(e: &Value) -> OcError {
    let name = e
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("UnknownError")
        .to_string();
    let data = e.get("data").unwrap_or(&Value::Null);
    let message = data.get("message").and_then(Value::as_str).map(one_line);
    let status = data
        .get("statusCode")
        .and_then(Value::as_u64)
        .map(|s| s as u16);
    let headers = data.get("responseHeaders");
    let request_id = ["x-request-id", "request-id", "x-litellm-call-id", "cf-ray"]
        .iter()
        .find_map(|h| headers.and_then(|hs| hs.get(*h)).and_then(Value::as_str))
        .map(str::to_string);
    let body = data
        .get("responseBody")
        .and_then(Value::as_str)
        .map(|b| parse_error_body(None, b.as_bytes()))
        .filter(|b| b.message.is_some());
    let mut out = OcError {
        name: name.clone(),
        kind: None,
        status,
        message: message.clone(),
        error_type: body.as_ref().and_then(|b| b.etype.clone()),
        param: None,
        request_id,
        retryable: data.get("isRetryable") == Some(&Value::Bool(true)),
    };
    let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
    out.kind = match name.as_str() {
        "ProviderAuthError" => Some(Kind::Auth),
        "ProviderModelNotFoundError" => Some(Kind::ModelNotFound),
        "ContextOverflowError" => Some(Kind::ContextOverflow),
        "MessageOutputLengthError" => Some(Kind::OutputLength),
        "MessageAbortedError" => Some(Kind::Aborted),
        _ if lower.contains("failed to initialize provider")
            || lower.contains("cannot find module")
            || lower.contains("buninstallfailed") =>
        {
            Some(Kind::ProviderInit)
        }
        _ => {
            // APIError and friends carry the provider's answer: classify that.
            let parsed = body.unwrap_or(ErrorBody {
                message: message.clone(),
                ..Default::default()
            });
            match status {
                Some(s) if s >= 400 => {
                    let v = classify(s, &parsed, KNOWN_PARAMS);
                    out.param = v.param;
                    Some(v.kind)
                }
                _ if name == "UnknownError" && lower.contains("unexpected server error") => {
                    Some(Kind::ServerError)
                }
                _ => classify_words(&parsed),
            }
        }
    };
    out
}

impl OcError {
    /// As a failed check: the kind (server_error when nothing more precise is known), with
    /// the provider's message and status as evidence.
    pub fn finding(&self, context: &str) -> Finding {
        let mut detail = format!("{context}: opencode {}", self.name);
        if let Some(s) = self.status {
            detail.push_str(&format!(" (HTTP {s} from the provider)"));
        }
        if let Some(p) = &self.param {
            detail.push_str(&format!(": `{p}` refused"));
        }
        let mut f =
            Finding::fail(self.kind.unwrap_or(Kind::ServerError), detail).with_evidence(Evidence {
                http_status: self.status,
                provider_message: self.message.clone(),
                request_id: self.request_id.clone(),
            });
        f.param = self.param.clone();
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api_errors_are_classified_by_the_provider_body() {
        // As opencode 1.18.33 reported a provider refusing stream_options.
        let e = json!({"name": "APIError", "data": {"message": "Unrecognized request argument supplied: stream_options", "statusCode": 400, "isRetryable": false,
            "responseHeaders": {"x-request-id": "req_9"}, "responseBody": "{\"error\":{\"message\":\"Unrecognized request argument supplied: stream_options\",\"type\":\"invalid_request_error\"}}"}});
        let oc = read_error(&e);
        assert_eq!(
            (
                oc.kind,
                oc.status,
                oc.param.as_deref(),
                oc.request_id.as_deref()
            ),
            (
                Some(Kind::ParamRejected),
                Some(400),
                Some("stream_options"),
                Some("req_9")
            )
        );
        let f = oc.finding("prompt");
        assert_eq!(
            f.evidence.provider_message.as_deref(),
            Some("Unrecognized request argument supplied: stream_options")
        );
    }

    #[test]
    fn named_errors_and_provider_init() {
        let k = |name: &str, msg: &str| {
            read_error(&json!({"name": name, "data": {"message": msg}})).kind
        };
        assert_eq!(k("ProviderAuthError", "x"), Some(Kind::Auth));
        assert_eq!(
            k("ProviderModelNotFoundError", "x"),
            Some(Kind::ModelNotFound)
        );
        assert_eq!(
            k("UnknownError", "Failed to initialize provider \"acme\""),
            Some(Kind::ProviderInit)
        );
        assert_eq!(
            k(
                "UnknownError",
                "Unexpected server error. Check server logs for details."
            ),
            Some(Kind::ServerError)
        );
    }

    #[test]
    fn model_refs() {
        assert_eq!(
            ModelRef::parse("openrouter/anthropic/claude")
                .unwrap()
                .model,
            "anthropic/claude"
        );
        assert!(ModelRef::parse("no-slash").is_err());
    }
}
