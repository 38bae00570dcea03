//! Reads an error answer (status + body) and names its failure kind.
//!
//! Bodies come in many envelopes (field guide §2, §5): OpenAI's `{"error":{…}}`, vLLM's
//! `{"object":"error",…}`, Zen's `{"type":"error","error":{"type":"ModelError",…}}`,
//! FastAPI's `{"detail":[…]}`, plain text, and HTML pages from proxies. The status alone
//! lies (Zen answers an unknown model with 401), so the body is always read too.

use crate::failure::Kind;
use serde_json::Value;

/// The normalised content of an error body.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub message: Option<String>,
    /// `error.type`, or Zen's error class name (`ModelError`, `CreditsError`…).
    pub etype: Option<String>,
    pub code: Option<String>,
    /// The parameter the server blames (`error.param`, or the last element of a FastAPI `loc`).
    pub param: Option<String>,
    /// The body is an HTML page (a proxy's or a login page), not an API answer.
    pub html: bool,
}

/// Parameters a probe may send; a message naming one of them is a parameter problem.
/// Longer names first so `max_completion_tokens` is not read as `max_tokens`.
pub const KNOWN_PARAMS: &[&str] = &[
    "max_completion_tokens",
    "max_output_tokens",
    "parallel_tool_calls",
    "response_format",
    "stream_options",
    "include_usage",
    "tool_choice",
    "temperature",
    "max_tokens",
    "tools",
];

const MESSAGE_CAP: usize = 400;

pub fn parse_error_body(content_type: Option<&str>, body: &[u8]) -> ErrorBody {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    let looks_html = content_type.is_some_and(|c| c.contains("html"))
        || trimmed.starts_with('<') && trimmed.to_ascii_lowercase().contains("<html");
    if looks_html {
        return ErrorBody {
            message: html_message(trimmed),
            html: true,
            ..Default::default()
        };
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(v) if v.is_object() => from_json(&v),
        _ if trimmed.is_empty() => ErrorBody::default(),
        _ => ErrorBody {
            message: Some(one_line(trimmed)),
            ..Default::default()
        },
    }
}

fn from_json(v: &Value) -> ErrorBody {
    let mut out = ErrorBody::default();
    let err = v.get("error");
    match err {
        Some(Value::Object(e)) => {
            out.message = message_of(e.get("message"));
            out.etype = str_of(e.get("type"));
            out.code = str_of(e.get("code"));
            out.param = str_of(e.get("param"));
            // Some gateways nest one level deeper: {"error":{"error":{"message":…}}}.
            if out.message.is_none() {
                out.message = e.get("error").and_then(|inner| {
                    message_of(inner.get("message")).or_else(|| str_of(Some(inner)))
                });
            }
        }
        Some(Value::String(s)) => out.message = Some(one_line(s)),
        _ => {}
    }
    if out.message.is_none() {
        out.message = message_of(v.get("message")).or_else(|| message_of(v.get("msg")));
    }
    if out.etype.is_none() {
        out.etype = str_of(v.get("type")).filter(|t| t != "error");
    }
    if out.code.is_none() {
        out.code = str_of(v.get("code"));
    }
    if out.message.is_none() {
        if let Some(detail) = v.get("detail") {
            let (msg, param) = fastapi_detail(detail);
            out.message = msg;
            out.param = out.param.or(param);
        }
    }
    if out.message.is_none() {
        out.message = find_message_deep(v, 0);
    }
    out
}

/// A message field may itself be an object (seen on vLLM) or an array of strings.
fn message_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(one_line(s)),
        Value::Object(o) => message_of(o.get("message"))
            .or_else(|| Some(one_line(&Value::Object(o.clone()).to_string()))),
        Value::Array(a) if !a.is_empty() => Some(one_line(
            &a.iter()
                .filter_map(|x| message_of(Some(x)))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        _ => None,
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// FastAPI/pydantic 422: `{"detail":[{"loc":["body","stream_options"],"msg":"Extra inputs are not permitted"}]}`.
fn fastapi_detail(detail: &Value) -> (Option<String>, Option<String>) {
    match detail {
        Value::String(s) => (Some(one_line(s)), None),
        Value::Array(items) => {
            let mut param = None;
            let parts: Vec<String> = items
                .iter()
                .map(|it| {
                    let loc: Vec<String> = it
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .map(|x| {
                                    x.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| x.to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if param.is_none() {
                        param = loc
                            .iter()
                            .find(|s| KNOWN_PARAMS.contains(&s.as_str()))
                            .cloned();
                    }
                    let msg = it.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                    if loc.is_empty() {
                        msg.to_string()
                    } else {
                        format!("{}: {msg}", loc.join("."))
                    }
                })
                .collect();
            (Some(one_line(&parts.join("; "))), param)
        }
        other => (message_of(Some(other)), None),
    }
}

fn find_message_deep(v: &Value, depth: u8) -> Option<String> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Object(o) => {
            for key in [
                "message",
                "msg",
                "error_message",
                "errorMessage",
                "description",
                "detail",
                "error",
            ] {
                if let Some(Value::String(s)) = o.get(key) {
                    if !s.trim().is_empty() {
                        return Some(one_line(s));
                    }
                }
            }
            o.values().find_map(|x| find_message_deep(x, depth + 1))
        }
        Value::Array(a) => a.iter().find_map(|x| find_message_deep(x, depth + 1)),
        _ => None,
    }
}

fn html_message(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for tag in ["title", "h1"] {
        let open = format!("<{tag}");
        if let Some(start) = lower.find(&open) {
            let after = start + lower[start..].find('>')? + 1;
            let end = after + lower[after..].find(&format!("</{tag}"))?;
            let text = one_line(&html[after..end]);
            if !text.is_empty() {
                return Some(text);
            }
        }
    }
    Some(one_line(html))
}

/// Collapse whitespace and cap the length, on a char boundary.
pub fn one_line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= MESSAGE_CAP {
        return joined;
    }
    let cut: String = joined.chars().take(MESSAGE_CAP).collect();
    format!("{cut}…")
}

/// The classification of one error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub kind: Kind,
    /// The parameter the answer blames, when it blames one.
    pub param: Option<String>,
    pub gateway: bool,
}

/// Classify an error answer. `sent` lists the optional parameters the request carried:
/// only those can be blamed.
pub fn classify(status: u16, body: &ErrorBody, sent: &[&str]) -> Verdict {
    let msg = body.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let etype = body.etype.as_deref().unwrap_or("");
    let code = body.code.as_deref().unwrap_or("").to_ascii_lowercase();
    let all = format!("{msg} {} {code}", etype.to_ascii_lowercase());
    let verdict = |kind| Verdict {
        kind,
        param: None,
        gateway: false,
    };

    // Zen names its error classes; they are more precise than any status.
    match etype {
        "ModelError" if msg.contains("for format") => return verdict(Kind::WrongRoute),
        "ModelError" => return verdict(Kind::ModelNotFound),
        "CreditsError" | "MonthlyLimitError" | "UserLimitError" => return verdict(Kind::Billing),
        "AuthError" => return verdict(Kind::Auth),
        "FreeTierError" => return verdict(Kind::AccessDenied),
        "RateLimitError" | "FreeUsageLimitError" => return verdict(Kind::RateLimit),
        _ => {}
    }
    // LiteLLM without a database answers any key but the master key this way: it could
    // not look the key up, so the key is what is wrong.
    if msg.contains("no connected db") {
        return verdict(Kind::Auth);
    }
    if body.html && matches!(status, 502 | 503) {
        return Verdict {
            kind: Kind::ServerError,
            param: None,
            gateway: true,
        };
    }
    if matches!(status, 504 | 524) {
        return Verdict {
            kind: Kind::Timeout,
            param: None,
            gateway: true,
        };
    }
    if is_billing(&all, status) {
        return verdict(Kind::Billing);
    }
    if status == 429
        || all.contains("rate limit")
        || all.contains("rate_limit")
        || all.contains("too many requests")
    {
        return verdict(Kind::RateLimit);
    }
    if mentions_context_overflow(&all) {
        return verdict(Kind::ContextOverflow);
    }
    if let Some(param) = blamed_param(body, &msg, sent) {
        // A 5xx counts only when its words say the parameter is not supported: a
        // server that crashes on `tools` is still refusing `tools`.
        if (400..500).contains(&status) || refusal_words(&msg) {
            return Verdict {
                kind: Kind::ParamRejected,
                param: Some(param),
                gateway: false,
            };
        }
    }
    if msg.contains("for format") && msg.contains("not supported") {
        return verdict(Kind::WrongRoute);
    }
    let model_words = mentions_missing_model(&all);
    match status {
        401 if model_words => verdict(Kind::ModelNotFound),
        401 => verdict(Kind::Auth),
        402 => verdict(Kind::Billing),
        403 => verdict(Kind::AccessDenied),
        404 if model_words || msg.contains("model") || msg.contains("deployment") => {
            verdict(Kind::ModelNotFound)
        }
        404 | 405 => verdict(Kind::BaseUrl),
        408 => verdict(Kind::Timeout),
        400..=499 if model_words => verdict(Kind::ModelNotFound),
        400..=499 => verdict(Kind::BadRequest),
        500..=599 => Verdict {
            kind: Kind::ServerError,
            param: None,
            gateway: body.html,
        },
        // A 2xx/3xx that still carries an error body.
        _ if model_words => verdict(Kind::ModelNotFound),
        _ => verdict(Kind::BadResponse),
    }
}

fn is_billing(all: &str, status: u16) -> bool {
    if all.contains("insufficient_quota") || status == 402 {
        return true;
    }
    // "Quota exceeded … per minute" is a rate limit, not billing.
    let rate_words =
        all.contains("per minute") || all.contains("per day") || all.contains("rate limit");
    let billing_words = [
        "insufficient balance",
        "credit",
        "billing",
        "payment",
        "exceeded your current quota",
        "out of funds",
    ];
    !rate_words && billing_words.iter().any(|w| all.contains(w))
}

pub fn mentions_context_overflow(all: &str) -> bool {
    [
        "context length",
        "context window",
        "maximum context",
        "context_length_exceeded",
        "prompt is too long",
        "too many input tokens",
        "reduce the length of the messages",
    ]
    .iter()
    .any(|w| all.contains(w))
}

fn refusal_words(msg: &str) -> bool {
    [
        "not supported",
        "unsupported",
        "does not support",
        "unrecognized",
        "unknown parameter",
        "not permitted",
        "extra",
        "not allowed",
        "invalid",
    ]
    .iter()
    .any(|w| msg.contains(w))
}

fn mentions_missing_model(all: &str) -> bool {
    let model = all.contains("model") || all.contains("deployment");
    let missing = [
        "not found",
        "does not exist",
        "not supported",
        "invalid model",
        "unknown model",
        "no such model",
        "model_not_found",
        "deploymentnotfound",
        "is disabled",
        "try pulling",
        "no models loaded",
        "not a valid model",
    ];
    model && missing.iter().any(|w| all.contains(w))
}

/// The sent parameter the answer names: the explicit `param` field first, then a mention
/// in the message (also with spaces for underscores: vLLM writes "tool choice").
fn blamed_param(body: &ErrorBody, msg: &str, sent: &[&str]) -> Option<String> {
    let names = |p: &str| -> bool {
        let spaced = p.replace('_', " ");
        mentions_word(msg, p) || (spaced != p && mentions_word(msg, &spaced))
    };
    if let Some(p) = body.param.as_deref() {
        if let Some(hit) = KNOWN_PARAMS
            .iter()
            .find(|k| p == **k || p.ends_with(&format!(".{k}")) || p.starts_with(&format!("{k}.")))
        {
            return Some(canonical_param(hit).to_string());
        }
    }
    KNOWN_PARAMS
        .iter()
        .filter(|k| sent.contains(&canonical_param(k)))
        .find(|k| names(k))
        .map(|k| canonical_param(k).to_string())
}

/// `include_usage` lives inside `stream_options`: blame the key a client can remove.
fn canonical_param(p: &str) -> &str {
    if p == "include_usage" {
        "stream_options"
    } else {
        p
    }
}

/// `needle` occurs in `hay` not as part of a longer identifier.
fn mentions_word(hay: &str, needle: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Without a status, read the words (an exception's text, a log line).
pub fn classify_words(body: &ErrorBody) -> Option<Kind> {
    let m = body.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    let via_status = |s: u16| Some(classify(s, body, KNOWN_PARAMS).kind);
    if mentions_context_overflow(&m) {
        Some(Kind::ContextOverflow)
    } else if has(&["toolchoiceviolation"]) {
        Some(Kind::ParamIgnored)
    } else if has(&[
        "api key",
        "api_key",
        "unauthorized",
        "authentication",
        "invalid_api_key",
    ]) {
        via_status(401)
    } else if has(&[
        "insufficient_quota",
        "quota",
        "billing",
        "credit",
        "payment",
    ]) {
        via_status(402)
    } else if has(&["rate limit", "rate_limit", "too many requests"]) {
        Some(Kind::RateLimit)
    } else if has(&[
        "unrecognized request argument",
        "extra inputs are not permitted",
        "unknown parameter",
        "unsupported parameter",
        "does not support tools",
    ]) {
        via_status(400)
    } else if has(&["model"])
        && has(&[
            "not found",
            "does not exist",
            "not supported",
            "invalid model",
        ])
    {
        via_status(404)
    } else if has(&[
        "econnrefused",
        "connection refused",
        "enotfound",
        "getaddrinfo",
        "name or service not known",
        "certificate",
        "econnreset",
        "connection reset",
    ]) {
        Some(Kind::Network)
    } else if has(&[
        "incomplete chunked",
        "peer closed connection",
        "premature close",
        "terminated",
        "unexpected eof",
    ]) {
        Some(Kind::StreamTruncated)
    } else if has(&["timed out", "timeout", "etimedout"]) {
        Some(Kind::Timeout)
    } else if has(&["jsondecodeerror", "expecting value", "unexpected token"]) {
        Some(Kind::StreamMalformed)
    } else if has(&[
        "bad gateway",
        "service unavailable",
        "internal server error",
    ]) {
        Some(Kind::ServerError)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(status: u16, body: &str, sent: &[&str]) -> Verdict {
        classify(
            status,
            &parse_error_body(Some("application/json"), body.as_bytes()),
            sent,
        )
    }

    #[test]
    fn openai_envelope_is_read() {
        let b = parse_error_body(None, br#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#);
        assert_eq!(b.message.as_deref(), Some("Incorrect API key provided"));
        assert_eq!(b.code.as_deref(), Some("invalid_api_key"));
        assert_eq!(classify(401, &b, &[]).kind, Kind::Auth);
    }

    #[test]
    fn vllm_object_error_envelope_with_nested_message() {
        let b = parse_error_body(None, br#"{"object":"error","message":{"message":"The model `x` does not exist."},"type":"NotFoundError","code":404}"#);
        assert_eq!(b.message.as_deref(), Some("The model `x` does not exist."));
        assert_eq!(b.code.as_deref(), Some("404"));
        assert_eq!(classify(404, &b, &[]).kind, Kind::ModelNotFound);
    }

    #[test]
    fn zen_envelopes_by_error_class() {
        let cases = [
            (
                401,
                "ModelError",
                "Model gpt-4o-mini is not supported",
                Kind::ModelNotFound,
            ),
            (
                401,
                "ModelError",
                "Model gpt-5 is not supported for format oa-compat",
                Kind::WrongRoute,
            ),
            (
                401,
                "CreditsError",
                "No payment method. Add one at …",
                Kind::Billing,
            ),
            (
                401,
                "MonthlyLimitError",
                "Monthly limit reached",
                Kind::Billing,
            ),
            (401, "AuthError", "Invalid API key.", Kind::Auth),
            (
                403,
                "FreeTierError",
                "Free models are only available in opencode",
                Kind::AccessDenied,
            ),
            (
                429,
                "FreeUsageLimitError",
                "Rate limit exceeded",
                Kind::RateLimit,
            ),
        ];
        for (status, ty, msg, want) in cases {
            let body = format!(r#"{{"type":"error","error":{{"type":"{ty}","message":"{msg}"}}}}"#);
            let b = parse_error_body(None, body.as_bytes());
            assert_eq!(b.etype.as_deref(), Some(ty));
            assert_eq!(classify(status, &b, &[]).kind, want, "{ty}");
        }
    }

    #[test]
    fn quota_429_is_billing_but_rate_429_is_rate_limit() {
        assert_eq!(kind_of(429, r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#, &[]).kind, Kind::Billing);
        assert_eq!(kind_of(429, r#"{"error":{"message":"Rate limit reached. Please try again in 50.5s","code":"rate_limit_exceeded"}}"#, &[]).kind, Kind::RateLimit);
        assert_eq!(
            kind_of(
                429,
                r#"{"error":{"code":429,"message":"Quota exceeded for requests per minute"}}"#,
                &[]
            )
            .kind,
            Kind::RateLimit
        );
    }

    #[test]
    fn a_rejected_parameter_is_named() {
        let azure = kind_of(
            400,
            r#"{"error":{"message":"Unrecognized request argument supplied: stream_options","type":"invalid_request_error"}}"#,
            &["stream_options"],
        );
        assert_eq!(
            (azure.kind, azure.param.as_deref()),
            (Kind::ParamRejected, Some("stream_options"))
        );
        let mistral = kind_of(
            422,
            r#"{"detail":[{"type":"extra_forbidden","loc":["body","stream_options","include_usage"],"msg":"Extra inputs are not permitted"}]}"#,
            &["stream_options"],
        );
        assert_eq!(
            (mistral.kind, mistral.param.as_deref()),
            (Kind::ParamRejected, Some("stream_options"))
        );
        let vllm = kind_of(
            400,
            r#"{"object":"error","message":"\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","code":400}"#,
            &["tools", "tool_choice"],
        );
        assert_eq!(
            (vllm.kind, vllm.param.as_deref()),
            (Kind::ParamRejected, Some("tool_choice"))
        );
        let openai = kind_of(
            400,
            r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","param":"max_tokens","code":"unsupported_parameter"}}"#,
            &["max_tokens"],
        );
        assert_eq!(
            (openai.kind, openai.param.as_deref()),
            (Kind::ParamRejected, Some("max_tokens"))
        );
        // A crash on tools that says so is still a rejection of tools.
        let crash = kind_of(
            500,
            r#"{"error":{"message":"this model does not support tools"}}"#,
            &["tools"],
        );
        assert_eq!(
            (crash.kind, crash.param.as_deref()),
            (Kind::ParamRejected, Some("tools"))
        );
    }

    #[test]
    fn a_parameter_not_sent_is_not_blamed() {
        let v = kind_of(
            400,
            r#"{"error":{"message":"tools are not supported"}}"#,
            &["stream_options"],
        );
        assert_eq!(v.kind, Kind::BadRequest);
    }

    #[test]
    fn html_gateway_pages() {
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let b = parse_error_body(Some("text/html"), page);
        assert!(b.html);
        assert_eq!(b.message.as_deref(), Some("502 Bad Gateway"));
        let v = classify(502, &b, &[]);
        assert_eq!((v.kind, v.gateway), (Kind::ServerError, true));
        assert_eq!(classify(524, &b, &[]).kind, Kind::Timeout);
    }

    #[test]
    fn plain_text_and_empty_bodies() {
        let b = parse_error_body(Some("text/plain"), b"404 page not found\n");
        assert_eq!(b.message.as_deref(), Some("404 page not found"));
        assert_eq!(classify(404, &b, &[]).kind, Kind::BaseUrl);
        assert_eq!(
            classify(500, &parse_error_body(None, b""), &[]).kind,
            Kind::ServerError
        );
    }

    #[test]
    fn model_not_found_shapes() {
        for (status, body) in [
            (
                404,
                r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"#,
            ),
            (
                404,
                r#"{"error":{"message":"model \"llama9\" not found, try pulling it first"}}"#,
            ),
            (
                404,
                r#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
            ),
            (
                400,
                r#"{"error":{"message":"400: Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key."}}"#,
            ),
        ] {
            assert_eq!(
                kind_of(status, body, &[]).kind,
                Kind::ModelNotFound,
                "{body}"
            );
        }
    }

    #[test]
    fn zen_provider_passthrough_keeps_the_message() {
        let b = parse_error_body(None, br#"{"error":{"message":"Error from provider (DeepSeek): Thinking mode does not support this tool_choice","type":"invalid_request_error"}}"#);
        assert!(b
            .message
            .as_deref()
            .unwrap()
            .starts_with("Error from provider (DeepSeek)"));
        let v = classify(400, &b, &["tools", "tool_choice"]);
        assert_eq!(
            (v.kind, v.param.as_deref()),
            (Kind::ParamRejected, Some("tool_choice"))
        );
    }

    #[test]
    fn context_overflow_is_its_own_kind() {
        let v = kind_of(
            400,
            r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","code":"context_length_exceeded","param":"messages"}}"#,
            &["max_tokens"],
        );
        assert_eq!(v.kind, Kind::ContextOverflow);
        assert_eq!(kind_of(400, r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#, &[]).kind, Kind::ContextOverflow);
    }

    #[test]
    fn litellm_unknown_virtual_key_is_auth() {
        // Observed from the LiteLLM proxy 1.106 with a master key and no database.
        assert_eq!(kind_of(400, r#"{"error":{"message":"No connected db.","type":"no_db_connection","param":null,"code":"400"}}"#, &[]).kind, Kind::Auth);
    }

    #[test]
    fn long_messages_are_capped_on_a_char_boundary() {
        let long = "é".repeat(1000);
        let s = one_line(&long);
        assert!(s.chars().count() <= MESSAGE_CAP + 1);
    }

    #[test]
    fn words_are_matched_whole() {
        assert!(mentions_word("bad 'tools' here", "tools"));
        assert!(!mentions_word("tool_choice", "tools"));
        assert!(!mentions_word("max_completion_tokens", "max_tokens"));
    }
}
