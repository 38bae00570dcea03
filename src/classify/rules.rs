//! The rules: an ordered table, as data, from what an answer says to a failure kind.
//!
//! The first rule that matches decides. A rule matches on the HTTP status, the body's codes
//! (`tags`: `type`, `code`, Google's `status`/`reason`, Azure's `innererror.code`), words
//! of the message (lowercased), and, for a few, a computed test. Each names the real
//! capture it was written from; `testdata/errors/` holds those captures and more, and
//! `tests/corpus.rs` runs every one of them through this table. Read it like the hint
//! table in `failure.rs`: order matters, specific before general, status last.

pub use super::facts::Facts;
use super::params;
use crate::failure::{Kind, RuleHint};

#[derive(Debug, Clone, Copy)]
pub enum Status {
    Any,
    /// Only without a status: an exception's text, a log line.
    Unknown,
    In(&'static [u16]),
    Range(u16, u16),
}

#[derive(Debug, Clone, Copy)]
pub enum Param {
    None,
    /// The parameter the answer blames; the rule does not match when none is blamed.
    Blamed,
    Fixed(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// The real capture this rule was written from.
    pub source: &'static str,
    pub status: Status,
    /// Evidence: one of these codes, or one of the `any` words. Both empty: no evidence needed.
    pub tags: &'static [&'static str],
    pub any: &'static [&'static str],
    /// And, when not empty, one of these words too.
    pub also: &'static [&'static str],
    /// None of these words.
    pub unless: &'static [&'static str],
    pub html: Option<bool>,
    pub test: Option<fn(&Facts) -> bool>,
    pub kind: Kind,
    pub param: Param,
    pub gateway: bool,
    /// The hint this rule words better than its kind does.
    pub hint: Option<RuleHint>,
}

const R: Rule = Rule {
    id: "",
    source: "",
    status: Status::Any,
    tags: &[],
    any: &[],
    also: &[],
    unless: &[],
    html: None,
    test: None,
    kind: Kind::BadRequest,
    param: Param::None,
    gateway: false,
    hint: None,
};

impl Rule {
    fn status_ok(&self, s: Option<u16>) -> bool {
        match (self.status, s) {
            (Status::Any, _) => true,
            (Status::Unknown, s) => s.is_none(),
            (Status::In(list), Some(s)) => list.contains(&s),
            (Status::Range(lo, hi), Some(s)) => (lo..=hi).contains(&s),
            _ => false,
        }
    }

    /// The parameter, when the rule matches.
    fn try_match(&self, f: &Facts) -> Option<Option<String>> {
        if !self.status_ok(f.status) {
            return None;
        }
        if self.html.is_some_and(|h| h != f.body.html) {
            return None;
        }
        let evidence = (self.tags.is_empty() && self.any.is_empty())
            || self.tags.iter().any(|t| f.body.tags.iter().any(|x| x == t))
            || f.has(self.any);
        if !evidence || (!self.also.is_empty() && !f.has(self.also)) || f.has(self.unless) {
            return None;
        }
        if self.test.is_some_and(|t| !t(f)) {
            return None;
        }
        match self.param {
            Param::None => Some(None),
            Param::Fixed(p) => Some(Some(p.to_string())),
            Param::Blamed => params::blamed(f).map(Some),
        }
    }
}

/// The first matching rule, and the parameter it names.
pub fn first_match(f: &Facts) -> Option<(&'static Rule, Option<String>)> {
    RULES.iter().find_map(|r| r.try_match(f).map(|p| (r, p)))
}

/// "Requested 14368 > Limit 6000 tokens per minute": one request larger than the window
/// allows never passes on retry. "Limit 30000, Used 29000, Requested 1500" does.
fn requested_over_limit(f: &Facts) -> bool {
    let n = |key: &str| number_after(&f.msg, key);
    match (n("requested"), n("limit")) {
        (Some(req), Some(lim)) => req > lim,
        _ => false,
    }
}

/// The first number written right after `key` ("limit 6000", "requested: 14368").
fn number_after(hay: &str, key: &str) -> Option<u64> {
    hay.match_indices(key).take(16).find_map(|(i, _)| {
        let rest = hay[i + key.len()..].trim_start_matches([' ', ':', '=', '`']);
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(char::is_ascii_digit)
            .take(18)
            .collect();
        digits.parse().ok()
    })
}

fn has_retry_delay(f: &Facts) -> bool {
    f.body.retry_after_secs.is_some()
}

const CONTEXT_WORDS: &[&str] = &[
    "context length",
    "context window",
    "maximum context",
    "context_length_exceeded",
    "exceeds the available context size",
    "exceed context window",
    "exceeds the context window",
    "exceeds the model's context",
    "prompt is too long",
    "prompt too long",
    "too many input tokens",
    "input is too long",
    "reduce the length of the messages",
    "maximum input length",
    "`inputs` tokens + `max_new_tokens`",
    "input tokens exceed",
    "context size has been exceeded",
    "contextwindowexceedederror",
    "model token limit",
    "上下文长度",
];

/// A chat template that raised while rendering the conversation.
const TEMPLATE_WORDS: &[&str] = &[
    "roles must alternate",
    "template error",
    "templateerror",
    "raise_exception",
    "chat template",
    "chat_template",
    "jinja",
    "only user and assistant roles are supported",
    "after the optional system message",
];

const MODEL_WORDS: &[&str] = &["model", "deployment", "模型"];
const MISSING_WORDS: &[&str] = &[
    "not found",
    "does not exist",
    "not exist",
    "is not supported",
    "invalid model",
    "unknown model",
    "no such model",
    "model_not_found",
    "deploymentnotfound",
    "is disabled",
    "try pulling",
    "no models loaded",
    "not a valid model",
    "decommissioned",
    "no longer supported",
    "has been deprecated",
    "not available",
    "不存在",
];

pub static RULES: &[Rule] = &[
    // --- Zen's error classes (field guide §2): more precise than any status.
    Rule { id: "zen_model_route", source: "OpenCode Zen 401 ModelError \"Model gpt-5 is not supported for format oa-compat\"",
        tags: &["modelerror"], also: &["for format"], kind: Kind::WrongRoute, ..R },
    Rule { id: "zen_model", source: "OpenCode Zen 401 ModelError \"Model gpt-4o-mini is not supported\"",
        tags: &["modelerror"], kind: Kind::ModelNotFound, ..R },
    Rule { id: "zen_billing", source: "OpenCode Zen 401 CreditsError \"Insufficient balance\", MonthlyLimitError, UserLimitError",
        tags: &["creditserror", "monthlylimiterror", "userlimiterror"], kind: Kind::Billing, ..R },
    Rule { id: "zen_auth", source: "OpenCode Zen 401 AuthError \"Invalid API key.\"",
        tags: &["autherror"], kind: Kind::Auth, ..R },
    Rule { id: "zen_free_tier", source: "OpenCode Zen 403 FreeTierError",
        tags: &["freetiererror"], kind: Kind::AccessDenied, ..R },
    Rule { id: "zen_free_usage", source: "OpenCode Zen 429 FreeUsageLimitError",
        tags: &["freeusagelimiterror"], kind: Kind::RateLimit, ..R },
    Rule { id: "litellm_no_db", source: "LiteLLM proxy 1.106 400 \"No connected db.\" for a key that is not the master key",
        any: &["no connected db"], kind: Kind::Auth, ..R },
    // --- opencode's own error names, when they reach a log or an UnknownError's message.
    Rule { id: "opencode_model_not_found", source: "opencode stderr \"ProviderModelNotFoundError … modelID\"; UnknownError \"Model not found: cust-openai/gpt-5.5.\"",
        any: &["providermodelnotfounderror", "modelnotfounderror", "model not found: "], kind: Kind::ModelNotFound, ..R },
    Rule { id: "opencode_auth", source: "opencode ProviderAuthError",
        any: &["providerautherror"], kind: Kind::Auth, ..R },
    Rule { id: "opencode_init", source: "opencode ProviderInitError / BunInstallFailedError loading a provider package offline",
        any: &["provideriniterror", "buninstallfailederror", "init provider"], kind: Kind::ProviderInit, ..R },
    Rule { id: "opencode_output_length", source: "opencode MessageOutputLengthError",
        any: &["messageoutputlengtherror"], kind: Kind::OutputLength, ..R },
    Rule { id: "aborted", source: "opencode MessageAbortedError; Node AbortError \"This operation was aborted\"",
        status: Status::Unknown,
        any: &["messageabortederror", "aborterror", "operation was aborted", "request was aborted", "the user aborted a request", "request aborted"],
        kind: Kind::Aborted, ..R },
    // --- Content filters: not a malformed request, and not the client's fault.
    Rule { id: "content_filter", source: "Azure OpenAI 400 content_filter / innererror ResponsibleAIPolicyViolation \"…content management policy…\"; litellm ContentPolicyViolationError",
        tags: &["content_filter", "responsibleaipolicyviolation", "content_policy_violation", "data_inspection_failed"],
        any: &["content management policy", "inappropriate content", "contentpolicyviolationerror", "content_policy_violation", "flagged by our safety", "blocked by content filter", "prohibited_content", "responsibleaipolicyviolation"],
        kind: Kind::ContentFilter, ..R },
    // --- Gateways in front of the model server.
    Rule { id: "gateway_page", source: "nginx/ALB 502 \"<title>502 Bad Gateway</title>\", 503 pages; Cloudflare 520-523",
        status: Status::In(&[502, 503, 520, 521, 523]), html: Some(true), kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "envoy_upstream", source: "Envoy 503 \"upstream connect error or disconnect/reset before headers\", \"no healthy upstream\"",
        status: Status::Range(500, 599), any: &["upstream connect error", "no healthy upstream"], kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "gateway_timeout", source: "nginx 504 Gateway Time-out; Cloudflare 524 \"A timeout occurred\", 522",
        status: Status::In(&[504, 522, 524]), kind: Kind::Timeout, gateway: true, ..R },
    // --- Size and windows, before rate limits: these never pass on a retry.
    Rule { id: "too_large_for_tier", source: "Groq 413 \"Request too large for model … on tokens per minute (TPM): Limit 6000, Requested 14368\"; OpenAI 429 \"Request too large for gpt-4o … Limit 30000, Requested 342389\"",
        test: Some(requested_over_limit), kind: Kind::RequestTooLarge, ..R },
    Rule { id: "context_overflow", source: "OpenAI context_length_exceeded; llama.cpp exceed_context_size_error; Anthropic \"prompt is too long\"; vLLM/TGI maximum context length",
        tags: &["context_length_exceeded", "exceed_context_size_error", "string_above_max_length"], any: CONTEXT_WORDS, kind: Kind::ContextOverflow, ..R },
    // --- Per-window quotas (they pass after the wait) before billing (it never does).
    Rule { id: "quota_window", source: "Gemini 429 RESOURCE_EXHAUSTED \"You exceeded your current quota\" with RetryInfo retryDelay '43s' and a PerMinute quota id",
        tags: &["resource_exhausted"], test: Some(has_retry_delay), kind: Kind::RateLimit, ..R },
    Rule { id: "quota_per_minute", source: "Gemini quota ids GenerateRequestsPerMinutePerProjectPerModel-FreeTier; \"Quota exceeded for requests per minute\"",
        any: &["perminute", "per minute", "perday", "per day", "requests per"], also: &["quota", "limit", "exhausted"], kind: Kind::RateLimit, ..R },
    Rule { id: "billing_fewer_max_tokens", source: "OpenRouter 402 \"This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens, but can only afford 3919\"",
        any: &["fewer max_tokens", "can only afford"], kind: Kind::Billing, param: Param::Fixed("max_tokens"), ..R },
    Rule { id: "billing", source: "OpenAI 429 insufficient_quota; Anthropic 400 \"Your credit balance is too low\"; DeepSeek 402 \"Insufficient Balance\"; Qwen Arrearage",
        tags: &["insufficient_quota", "billing_hard_limit_reached", "insufficient_balance", "billing_not_active", "arrearage", "payment_required"],
        any: &["insufficient balance", "insufficient_balance", "credit balance", "more credits", "billing", "payment", "exceeded your current quota", "out of funds", "insufficient credits", "insufficient funds", "monthly limit", "spending limit", "spend limit", "budget has been exceeded", "exceeded budget", "余额不足", "arrearage", "account is not active"],
        kind: Kind::Billing, ..R },
    Rule { id: "billing_402", source: "HTTP 402 Payment Required from any provider", status: Status::In(&[402]), kind: Kind::Billing, ..R },
    Rule { id: "rate_limit", source: "OpenAI 429 rate_limit_exceeded \"Rate limit reached … Please try again in 6ms\"; Anthropic rate_limit_error; Gemini RESOURCE_EXHAUSTED; Mistral \"Requests rate limit exceeded\"",
        tags: &["rate_limit_exceeded", "rate_limit_error", "ratelimiterror", "resource_exhausted", "throttlingexception", "too_many_requests", "ratelimitexceeded", "requests", "tokens"],
        any: &["rate limit", "rate_limit", "ratelimit", "too many requests", "resource exhausted", "resource has been exhausted", "请求过于频繁", "频率"],
        unless: &["request too large"],
        kind: Kind::RateLimit, ..R },
    Rule { id: "rate_limit_429", source: "HTTP 429 with any body", status: Status::In(&[429]), kind: Kind::RateLimit, ..R },
    Rule { id: "overloaded", source: "Anthropic 529 overloaded_error \"Overloaded\"; Gemini 503 UNAVAILABLE \"The model is overloaded\"",
        tags: &["overloaded_error", "unavailable"], any: &["overloaded"], kind: Kind::ServerError, ..R },
    // --- The model's own output, not the request's shape.
    Rule { id: "tool_call_malformed", source: "Groq 400 tool_use_failed \"Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.\"",
        tags: &["tool_use_failed", "failed_generation"], any: &["failed_generation", "failed to call a function", "tool call validation failed", "error parsing tool call"],
        kind: Kind::ToolCallMalformed, ..R },
    // --- The conversation, not a parameter: retrying the same messages never helps, even
    // when the server says 500 (its template raised while rendering them).
    Rule { id: "chat_template_5xx", source: "llama.cpp 500 \"Conversation roles must alternate user/assistant/user/assistant/... at row 19\" (jinja raise_exception)",
        status: Status::Range(500, 599), any: TEMPLATE_WORDS, kind: Kind::ServerError, hint: Some(RuleHint::ChatTemplate), ..R },
    Rule { id: "chat_template", source: "TGI 422 \"Template error: syntax error: Conversation roles must alternate\"; vLLM 400 \"default chat template is no longer allowed\"",
        any: TEMPLATE_WORDS, kind: Kind::BadRequest, hint: Some(RuleHint::ChatTemplate), ..R },
    Rule { id: "tool_message_order", source: "OpenAI 400 \"messages with role 'tool' must be a response to a preceeding message with 'tool_calls'\"; \"An assistant message with 'tool_calls' must be followed by tool messages\"",
        any: &["must be a response to a preceeding message", "must be a response to a preceding message", "must be followed by tool messages", "did not have response messages", "tool_use ids were found without tool_result", "unexpected tool_use_id"],
        kind: Kind::BadRequest, hint: Some(RuleHint::ToolMessageOrder), ..R },
    Rule { id: "tool_call_id_format", source: "Mistral 400 invalid_function_call \"Tool call id was call_PTLP8xhu3uwZk4l3nlnrrJha but must be a-z, A-Z, 0-9, with a length of 9.\" (also as a 500 from servers using mistral-common)",
        any: &["tool call id was", "tool_call_id was", "invalid tool call id", "invalid tool_call_id"],
        kind: Kind::ParamRejected, param: Param::Fixed("tool_call_id"), ..R },
    // --- Models that do not exist (by code first).
    Rule { id: "azure_deployment", source: "Azure OpenAI 404 DeploymentNotFound \"The API deployment for this resource does not exist\"",
        tags: &["deploymentnotfound"], any: &["api deployment for this resource does not exist"], kind: Kind::ModelNotFound, hint: Some(RuleHint::AzureDeployment), ..R },
    Rule { id: "model_code", source: "OpenAI 404 model_not_found; Groq 400 model_decommissioned; Azure 404 DeploymentNotFound; vLLM 404 NotFoundError",
        tags: &["model_not_found", "model_decommissioned", "deploymentnotfound", "notfounderror", "model_not_available", "invalid_model"],
        // OpenAI 403 "Project `proj_x` does not have access to model `gpt-4o`" carries
        // code model_not_found, but the model exists: the project may not use it.
        unless: &["does not have access to model"],
        kind: Kind::ModelNotFound, ..R },
    Rule { id: "openrouter_no_endpoints_model", source: "OpenRouter 404 \"No endpoints found for deepseek/deepseek-r1:free.\"",
        any: &["no endpoints found for"], kind: Kind::ModelNotFound, ..R },
    Rule { id: "openrouter_data_policy", source: "OpenRouter 404 \"No endpoints found matching your data policy\"",
        any: &["matching your data policy"], kind: Kind::AccessDenied, ..R },
    // --- A parameter refused: the one the answer names.
    Rule { id: "capability_refused", source: "OpenRouter 404 \"No endpoints found that support tool use\" / \"…the provided 'tool_choice' value\"; Ollama 400 \"… does not support tools\"",
        any: &["no endpoints found that support", "does not support tools", "does not support tool", "tool use is not supported", "tools is not supported"],
        kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    Rule { id: "wrong_route", source: "OpenAI 404 \"This is not a chat model and thus not supported in the v1/chat/completions endpoint\"; \"only supported in v1/responses\"",
        any: &["not a chat model", "only supported in v1/responses", "only supported in /v1/responses", "use the responses api", "not supported in the v1/chat/completions", "for format"],
        also: &["not supported", "only supported", "responses api", "did you mean"], kind: Kind::WrongRoute, ..R },
    Rule { id: "param_named", source: "OpenAI 400 unsupported_parameter 'max_tokens'; Azure \"Unrecognized request argument supplied: stream_options\"; Mistral 422 extra_forbidden; vLLM \"auto\" tool choice",
        status: Status::Range(400, 499), kind: Kind::ParamRejected, param: Param::Blamed,
        test: Some(params::param_focus), ..R },
    Rule { id: "param_refused_5xx", source: "Ollama 500 \"registry.ollama.ai/library/x does not support tools\"; llama.cpp 500 on response_format",
        status: Status::Range(500, 599), test: Some(|f| params::refusal_words(&f.msg)), kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    Rule { id: "param_words", source: "exception text naming a refused parameter (\"Unrecognized request argument supplied: stream_options\")",
        status: Status::Unknown, test: Some(|f| params::refusal_words(&f.msg)), kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    // --- Models that do not exist (by words).
    Rule { id: "model_words", source: "Ollama 404 \"model 'llama9' not found, try pulling it first\"; DeepSeek 400 \"Model Not Exist\"; LiteLLM 400 \"Invalid model name passed in model=…\"; LM Studio \"No models loaded\"",
        any: MODEL_WORDS, also: MISSING_WORDS, unless: &["do not have access to the model", "does not have access to model", "page not found", "cannot get /", "cannot post /", "not available in your region", "not available in your country"],
        kind: Kind::ModelNotFound, ..R },
    // --- Keys.
    Rule { id: "auth_code", source: "OpenAI 401 invalid_api_key; Anthropic authentication_error; Gemini 400 API_KEY_INVALID in a JSON array",
        tags: &["invalid_api_key", "authentication_error", "api_key_invalid", "unauthenticated", "invalid_authentication", "authenticationerror", "incorrect_api_key", "missing_api_key", "invalid_key", "expired_api_key", "api_key_expired"],
        kind: Kind::Auth, ..R },
    Rule { id: "auth_words", source: "\"Incorrect API key provided\"; DeepSeek \"Authentication Fails, Your api key: ****abcd is invalid\"; \"API key not valid. Please pass a valid API key.\"",
        any: &["incorrect api key", "invalid api key", "api key not valid", "api key is invalid", "invalid_api_key", "authentication fails", "authentication failed", "unauthorized", "no api key provided", "missing api key", "api key is missing", "didn't provide an api key", "invalid x-api-key", "invalid authentication", "api key expired", "api key not found", "authenticationerror", "must provide an api key", "invalid bearer token", "invalid subscription key", "api_key client option must be set", "认证失败", "无效的api"],
        unless: &["not unauthorized"], kind: Kind::Auth, ..R },
    Rule { id: "access_words", source: "Gemini 400 FAILED_PRECONDITION \"User location is not supported for the API use\"; OpenAI 403 unsupported_country_region_territory; Google PERMISSION_DENIED",
        tags: &["permission_denied", "permissiondeniederror", "unsupported_country_region_territory", "access_denied", "failed_precondition"],
        any: &["location is not supported", "country, region, or territory not supported", "permission denied", "access denied", "not allowed to use", "does not have access", "not authorized to access"],
        kind: Kind::AccessDenied, ..R },
    // --- Text without a status: the client's own failure words.
    Rule { id: "html_instead_of_json", source: "Node \"SyntaxError: Unexpected token '<', \\\"<!DOCTYPE \\\"... is not valid JSON\"; openai-python returns the HTML page as a str",
        status: Status::Unknown, any: &["unexpected token '<'", "unexpected token <", "\"<!doctype", "<!doctype html", "<html"], kind: Kind::BadResponse, ..R },
    Rule { id: "html_page", source: "an HTML page pasted without a status: openai-python returns a login page's HTML as the result (field guide §9)",
        status: Status::Unknown, html: Some(true), kind: Kind::BadResponse, ..R },
    Rule { id: "stream_cut", source: "httpx RemoteProtocolError \"peer closed connection without sending complete message body (incomplete chunked read)\"; undici \"TypeError: terminated\"",
        status: Status::Unknown,
        any: &["incomplete chunked read", "peer closed connection without sending complete message body", "premature close", "err_stream_premature_close", "response ended prematurely", "typeerror: terminated", "stream disconnected before completion", "chunkedencodingerror", "incompleteread", "connection broken:"],
        kind: Kind::StreamTruncated, ..R },
    Rule { id: "headers_timeout", source: "undici UND_ERR_HEADERS_TIMEOUT \"Headers Timeout Error\" / UND_ERR_BODY_TIMEOUT",
        status: Status::Unknown, any: &["und_err_headers_timeout", "headers timeout", "und_err_body_timeout", "body timeout"], kind: Kind::Timeout, ..R },
    Rule { id: "connect_timeout", source: "httpx ConnectTimeout; undici UND_ERR_CONNECT_TIMEOUT; curl (28) \"Failed to connect … Connection timed out\"",
        status: Status::Unknown, any: &["connecttimeout", "connect timeout", "und_err_connect_timeout", "connection timed out", "connect_timeout"], kind: Kind::Network, ..R },
    Rule { id: "network", source: "openai-python APIConnectionError \"Connection error.\"; httpx ConnectError \"All connection attempts failed\"; Node ECONNREFUSED/ENOTFOUND/ECONNRESET; curl (6)/(7)/(35)/(52)/(60); requests ConnectionError",
        status: Status::Unknown,
        any: &["apiconnectionerror", "connection error", "connecterror", "all connection attempts failed", "connection refused", "econnrefused", "enotfound", "getaddrinfo", "name or service not known", "nodename nor servname", "could not resolve host", "failed to establish a new connection", "max retries exceeded with url", "econnreset", "connection reset", "connection aborted", "empty reply from server", "server disconnected without sending a response", "remotedisconnected", "fetch failed", "und_err_socket", "socket hang up", "sslerror", "ssl_error", "ssl:", "certificate verify failed", "self signed certificate", "self-signed certificate", "unable to get local issuer certificate", "wrong version number", "certificate has expired", "tls handshake", "no route to host", "ehostunreach", "enetunreach", "eai_again", "curl: (6)", "curl: (7)", "curl: (35)", "curl: (52)", "curl: (56)", "curl: (60)", "network is unreachable", "connection closed"],
        kind: Kind::Network, ..R },
    Rule { id: "timeout_words", source: "openai-python APITimeoutError \"Request timed out.\"; httpx ReadTimeout; undici UND_ERR_HEADERS_TIMEOUT; curl (28)",
        status: Status::Unknown, any: &["timed out", "timeout", "etimedout", "deadline exceeded", "curl: (28)"], kind: Kind::Timeout, ..R },
    Rule { id: "stream_json", source: "openai-python json.JSONDecodeError \"Expecting value: line 1 column 1\"; AI SDK AI_JSONParseError",
        status: Status::Unknown, any: &["jsondecodeerror", "expecting value: line", "unexpected end of json input", "ai_jsonparseerror", "is not valid json", "unexpected token"],
        kind: Kind::StreamMalformed, ..R },
    Rule { id: "tool_choice_violation", source: "AI SDK generateText ToolChoiceViolationError (a required tool call that never came)",
        status: Status::Unknown, any: &["toolchoiceviolation"], kind: Kind::ParamIgnored, param: Param::Fixed("tool_choice"), ..R },
    Rule { id: "server_words", source: "exception text \"Bad Gateway\", \"Service Unavailable\", openai InternalServerError",
        status: Status::Unknown, any: &["bad gateway", "service unavailable", "internal server error", "internalservererror", "serviceunavailableerror", "gateway time-out"], kind: Kind::ServerError, ..R },
    // --- By status alone, last.
    Rule { id: "status_401", source: "HTTP 401", status: Status::In(&[401]), kind: Kind::Auth, ..R },
    Rule { id: "status_403", source: "HTTP 403", status: Status::In(&[403]), kind: Kind::AccessDenied, ..R },
    Rule { id: "status_404_model", source: "HTTP 404 naming a model or deployment", status: Status::In(&[404]),
        any: &["model", "deployment"], unless: &["page not found", "cannot get /", "cannot post /", "no route", "invalid url"],
        kind: Kind::ModelNotFound, ..R },
    Rule { id: "status_404", source: "HTTP 404/405 \"404 page not found\", {\"detail\":\"Not Found\"}: the path is not the API",
        status: Status::In(&[404, 405]), kind: Kind::BaseUrl, ..R },
    Rule { id: "status_408", source: "HTTP 408", status: Status::In(&[408]), kind: Kind::Timeout, ..R },
    Rule { id: "status_413", source: "HTTP 413 Payload Too Large", status: Status::In(&[413]), kind: Kind::RequestTooLarge, ..R },
    Rule { id: "status_4xx", source: "HTTP 4xx", status: Status::Range(400, 499), kind: Kind::BadRequest, ..R },
    Rule { id: "status_5xx_page", source: "HTTP 5xx HTML page", status: Status::Range(500, 599), html: Some(true), kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "status_5xx", source: "HTTP 5xx", status: Status::Range(500, 599), kind: Kind::ServerError, ..R },
    Rule { id: "status_ok_page", source: "HTTP 200 with an HTML page (a login page, a web app)", status: Status::Range(100, 399), kind: Kind::BadResponse, ..R },
];
