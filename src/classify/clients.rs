//! What client libraries print about a request they stopped themselves, or an answer they
//! would not follow or use, mined from the libraries' own source code: vocabulary as data.
//!
//! A paste is often the client's exception rather than the server's answer. Three families
//! are read here, each from the words the client's source writes:
//!
//! - **A redirect the client did not follow.** httpx (and so openai-python and the Anthropic
//!   SDK when given their own `httpx.Client`) does not follow redirects by default and
//!   raises "Redirect response '307 Temporary Redirect' for url …"; the Stainless Python
//!   SDKs raise their bare `APIStatusError` ("Error code: 307") for a status they map to no
//!   subclass. The server answered, so the fix is the base URL (scheme, host, a trailing
//!   slash), not a retry.
//! - **A parameter the client's typed method does not take.** Python's `TypeError: …create()
//!   got an unexpected keyword argument 'top_k'`, TypeScript's "Object literal may only
//!   specify known properties, and 'top_k' does not exist in type 'ChatCompletionCreateParams…'".
//!   Nothing was sent. Whether upgrading helps depends on the name: a parameter of the API
//!   the SDK's method takes in its current version (an older install predates it), a
//!   setting the 0.x library took and 1.x moved to the client, or a name the API never had
//!   (a server's own extra, such as vLLM's `top_k`), which the SDK sends only through its
//!   pass-through (`extra_body`, a `// @ts-expect-error` line).
//! - **A request or a stream the client refused on its own**, in the words its source
//!   writes: go-openai's validator ("this model is not supported MaxTokens, please use
//!   MaxCompletionTokens"), streaming readers that will not read an answer that is not
//!   `text/event-stream` (httpx-sse, @microsoft/fetch-event-source, reqwest-eventsource,
//!   okhttp-sse).
//! - **A finish reason the client raised on** (or printed): the answer stopped at the
//!   output cap, or a filter stopped it, read from the reason's value as each API and client
//!   spells it (`finish_reason='length'`, `stop_reason: "max_tokens"`,
//!   `FinishReason.MAX_TOKENS`, the AI SDK's `finishReason: 'content-filter'`).

use super::facts::Facts;
use super::{Classification, Confidence};
use crate::failure::{Kind, RuleHint};

/// One client's words for a redirect it did not follow, and where its source writes them.
struct Redirect {
    client: &'static str,
    /// The words, lowercased, right before the status.
    lead: &'static str,
    /// Words that must also be in the text (the class that raises it), if any.
    with: &'static str,
    path: &'static str,
}

const REDIRECTS: &[Redirect] = &[
    // httpx Response.raise_for_status: error_type "Redirect response" for a 3xx, message
    // "{error_type} '{status_code} {reason_phrase}' for url '{url}'\nRedirect location: …".
    Redirect {
        client: "httpx",
        lead: "redirect response '",
        with: "",
        path: "encode/httpx httpx/_models.py (Response.raise_for_status)",
    },
    // openai-python and anthropic-sdk-python: _base_client._make_status_error_from_response
    // writes "Error code: {status}" and _client._make_status_error maps 400, 401, 403, 404,
    // 409, 422, 429 and >=500 to subclasses; a 3xx stays the bare APIStatusError.
    Redirect {
        client: "openai-python",
        lead: "error code: ",
        with: "apistatuserror",
        path: "openai/openai-python src/openai/_base_client.py (_make_status_error_from_response)",
    },
];

/// A 3xx status right after a client's lead, and the client.
fn redirect_status(words: &str) -> Option<(u16, &'static Redirect)> {
    REDIRECTS.iter().find_map(|r| {
        if !r.with.is_empty() && !words.contains(r.with) {
            return None;
        }
        words.match_indices(r.lead).take(8).find_map(|(i, _)| {
            let rest = &words[i + r.lead.len()..];
            let digits = rest.get(..3)?;
            let n: u16 = digits.parse().ok()?;
            let ends = rest.as_bytes().get(3).is_none_or(|c| !c.is_ascii_digit());
            ((300..400).contains(&n) && n != 304 && ends).then_some((n, r))
        })
    })
}

/// The parameters each SDK's typed create method takes, by the class or type the error
/// names. Written from the SDKs' sources (the keyword arguments of `create`, request options
/// `extra_body`, `extra_headers`, `extra_query` and `timeout` left out).
struct Sdk {
    name: &'static str,
    /// Lowercased words that name this SDK's method or type in the error.
    names: &'static [&'static str],
    /// The parameters its methods take.
    params: &'static [&'static str],
}

/// openai-python src/openai/resources/chat/completions/completions.py, responses/responses.py,
/// completions.py and embeddings.py (`def create`), at e43b422 (2026-08); openai-node's
/// `ChatCompletionCreateParams`, `ResponseCreateParams` and `EmbeddingCreateParams` carry
/// the same names.
const OPENAI_PARAMS: &[&str] = &[
    "audio",
    "background",
    "best_of",
    "context_management",
    "conversation",
    "dimensions",
    "echo",
    "encoding_format",
    "frequency_penalty",
    "function_call",
    "functions",
    "include",
    "input",
    "instructions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_output_tokens",
    "max_tokens",
    "max_tool_calls",
    "messages",
    "metadata",
    "modalities",
    "model",
    "moderation",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "previous_response_id",
    "prompt",
    "prompt_cache_key",
    "prompt_cache_options",
    "prompt_cache_retention",
    "reasoning",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream",
    "stream_options",
    "suffix",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "user",
    "verbosity",
    "web_search_options",
];

/// anthropic-sdk-python src/anthropic/resources/messages/messages.py (`def create`), at
/// 009b035 (2026-08).
const ANTHROPIC_PARAMS: &[&str] = &[
    "cache_control",
    "container",
    "inference_geo",
    "max_tokens",
    "messages",
    "metadata",
    "model",
    "output_config",
    "service_tier",
    "stop_sequences",
    "stream",
    "system",
    "temperature",
    "thinking",
    "tool_choice",
    "tools",
    "top_k",
    "top_p",
    "user_profile_id",
];

/// Settings openai-python 0.x took as keyword arguments of `create` and 1.x moved to the
/// client (`OpenAI(api_key=…, base_url=…, timeout=…)`) or dropped: openai-python v0.28.1
/// openai/api_resources/abstract/engine_api_resource.py (`create`, `__prepare_create_request`).
const OPENAI_V0_SETTINGS: &[&str] = &[
    "api_key",
    "api_base",
    "api_type",
    "api_version",
    "organization",
    "request_id",
    "deployment_id",
    "engine",
    "headers",
    "request_timeout",
];

const SDKS: &[Sdk] = &[
    Sdk {
        name: "the Anthropic SDK",
        names: &[
            "messages.create(",
            "messages.stream(",
            "messages.parse(",
            "messagecreateparams",
            "anthropic",
        ],
        params: ANTHROPIC_PARAMS,
    },
    Sdk {
        name: "the OpenAI SDK",
        names: &[
            "completions.create(",
            "completions.parse(",
            "completions.stream(",
            "responses.create(",
            "responses.parse(",
            "responses.stream(",
            "embeddings.create(",
            "chatcompletioncreateparams",
            "completioncreateparams",
            "responsecreateparams",
            "embeddingcreateparams",
            "openai",
        ],
        params: OPENAI_PARAMS,
    },
];

/// What a refusal of a parameter by the client's own typed method means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// A parameter of the API the method takes today: the installed version predates it.
    Newer,
    /// A setting openai-python 0.x took in `create`: the code was written for 0.x.
    OldSettings,
    /// A name the API never had: only the SDK's pass-through sends it.
    NotTheApis,
}

/// The parameter a client's typed method refused before sending, in its own spelling: the
/// Python `TypeError` or the TypeScript compiler's excess-property error.
fn refused_by_method(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    // Python: "create() got an unexpected keyword argument 'top_k'".
    let python = "got an unexpected keyword argument ";
    // TypeScript TS2353: "Object literal may only specify known properties, and 'top_k'
    // does not exist in type '…'".
    let typescript = "may only specify known properties, and ";
    let (at, lead) = [python, typescript]
        .iter()
        .find_map(|w| lower.find(w).map(|i| (i, w.len())))?;
    let rest = raw.get(at + lead..)?;
    let rest = rest.trim_start_matches(['\'', '"', '`', '‘', '“']);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name.len() <= 64).then_some(name)
}

/// Which SDK the refusal names: by the method or type in the text first, then by the
/// package's name (the last entry of each SDK's `names`).
fn sdk_of(lower: &str) -> Option<&'static Sdk> {
    let method = |s: &&Sdk| {
        s.names[..s.names.len() - 1]
            .iter()
            .any(|n| lower.contains(n))
    };
    let package = |s: &&Sdk| s.names.last().is_some_and(|n| lower.contains(n));
    SDKS.iter()
        .find(method)
        .or_else(|| SDKS.iter().find(package))
}

fn unknown_kind(sdk: &Sdk, name: &str) -> Unknown {
    let snake = super::params::snake(name);
    if sdk.params.contains(&snake.as_str()) {
        Unknown::Newer
    } else if std::ptr::eq(sdk.params, OPENAI_PARAMS) && OPENAI_V0_SETTINGS.contains(&name) {
        Unknown::OldSettings
    } else {
        Unknown::NotTheApis
    }
}

/// A client's own exception that decides before any message rule: a refusal in its own
/// words, a redirect it did not follow, a parameter its typed method refused.
pub(super) fn read(f: &Facts, raw: &str) -> Option<Classification> {
    if let Some(v) = refused(f) {
        return Some(v);
    }
    if let Some((status, r)) = redirect_status(&f.words) {
        return Some(Classification {
            kind: Kind::Redirect,
            param: None,
            gateway: false,
            rule: "client_redirect",
            hint: None,
            confidence: Confidence::High,
            evidence: format!(
                "{}'s words for an HTTP {status} it did not follow ({})",
                r.client, r.path
            ),
        });
    }
    let name = refused_by_method(raw)?;
    let sdk = sdk_of(&raw.to_lowercase())?;
    let (kind, param, hint, why) = match unknown_kind(sdk, &name) {
        Unknown::Newer => (
            Kind::ProviderInit,
            None,
            RuleHint::LibraryVersion,
            format!("`{name}` is a parameter {} takes in its current version, so the installed version predates it", sdk.name),
        ),
        Unknown::OldSettings => (
            Kind::ProviderInit,
            None,
            RuleHint::LibraryVersion,
            format!("`{name}` is a setting openai-python 0.x took in create(); 1.x sets it on the client, so the calling code was written for 0.x"),
        ),
        Unknown::NotTheApis => (
            Kind::ParamRejected,
            Some(name.clone()),
            RuleHint::SdkPassThrough,
            format!("`{name}` is not among the parameters of {}'s create(), so only its pass-through sends it", sdk.name),
        ),
    };
    Some(Classification {
        kind,
        param,
        gateway: false,
        rule: "client_unknown_param",
        hint: Some(hint),
        // The SDK is known by the names in the text, which other SDKs share.
        confidence: Confidence::Low,
        evidence: format!("the client's own refusal of `{name}` before sending: {why}"),
    })
}

/// Words a client writes when it refused a request, or a stream, on its own: a validator
/// that runs before sending, or a streaming reader that would not read what came back.
struct Refusal {
    client: &'static str,
    /// Lowercased; every one must be in the text.
    words: &'static [&'static str],
    path: &'static str,
    kind: Kind,
    param: Option<&'static str>,
    hint: Option<RuleHint>,
    /// The words leave the cause open (a non-SSE answer is often an error body).
    low: bool,
}

const fn refusal(
    client: &'static str,
    words: &'static [&'static str],
    path: &'static str,
    kind: Kind,
) -> Refusal {
    Refusal {
        client,
        words,
        path,
        kind,
        param: None,
        hint: None,
        low: false,
    }
}

const REFUSALS: &[Refusal] = &[
    // go-openai checks a request against the model before sending (reasoning_validator.go,
    // chat.go, completion.go at sashabaranov/go-openai HEAD): these errors never reach a server.
    Refusal {
        param: Some("max_tokens"),
        ..refusal(
            "go-openai",
            &["this model is not supported maxtokens, please use maxcompletiontokens"],
            "sashabaranov/go-openai reasoning_validator.go (ErrReasoningModelMaxTokensDeprecated)",
            Kind::ParamRejected,
        )
    },
    refusal(
        "go-openai",
        &["this model is not supported with this method, please use createcompletion client method"],
        "sashabaranov/go-openai chat.go (ErrChatCompletionInvalidModel)",
        Kind::WrongRoute,
    ),
    refusal(
        "go-openai",
        &["this model is not supported with this method, please use createchatcompletion client method"],
        "sashabaranov/go-openai reasoning_validator.go (ErrCompletionUnsupportedModel)",
        Kind::WrongRoute,
    ),
    Refusal {
        param: Some("temperature"),
        hint: Some(RuleHint::ParamValueOrDrop),
        low: true,
        ..refusal(
            "go-openai",
            &["this model has beta-limitations, temperature, top_p and n are fixed at 1"],
            "sashabaranov/go-openai reasoning_validator.go (ErrReasoningModelLimitationsOther)",
            Kind::ParamRejected,
        )
    },
    Refusal {
        param: Some("logprobs"),
        ..refusal(
            "go-openai",
            &["this model has beta-limitations, logprobs not supported"],
            "sashabaranov/go-openai reasoning_validator.go (ErrReasoningModelLimitationsLogprobs)",
            Kind::ParamRejected,
        )
    },
    Refusal {
        param: Some("messages"),
        ..refusal(
            "go-openai",
            &["this model has beta-limitations, user and assistant messages only"],
            "sashabaranov/go-openai reasoning_validator.go (ErrO1BetaLimitationsMessageTypes)",
            Kind::BadRequest,
        )
    },
    Refusal {
        param: Some("messages"),
        ..refusal(
            "go-openai",
            &["can't use both content and multicontent properties"],
            "sashabaranov/go-openai chat.go (ErrContentFieldsMisused)",
            Kind::BadRequest,
        )
    },
    // go-openai's stream reader counts lines that are not `data:` events and gives up past
    // EmptyMessagesLimit (stream_reader.go, ErrTooManyEmptyStreamMessages): the body is not
    // the event stream it expects. Not a rate limit, whatever "too many" says.
    Refusal {
        low: true,
        ..refusal(
            "go-openai",
            &["stream has sent too many empty messages"],
            "sashabaranov/go-openai stream.go (ErrTooManyEmptyStreamMessages)",
            Kind::StreamMalformed,
        )
    },
    // Streaming readers that check the answer's Content-Type before reading it. httpx-sse
    // and @microsoft/fetch-event-source check it whatever the status, so the answer is
    // often an error body in JSON; reqwest-eventsource and okhttp-sse check the status first.
    Refusal {
        hint: Some(RuleHint::SseRefused),
        low: true,
        ..refusal(
            "httpx-sse",
            &["expected response header content-type to contain 'text/event-stream'"],
            "florimondmanca/httpx-sse src/httpx_sse/_api.py (EventSource._check_content_type)",
            Kind::NotSse,
        )
    },
    Refusal {
        hint: Some(RuleHint::SseRefused),
        low: true,
        ..refusal(
            "@microsoft/fetch-event-source",
            &["expected content-type to be text/event-stream"],
            "Azure/fetch-event-source src/fetch.ts (defaultOnOpen)",
            Kind::NotSse,
        )
    },
    Refusal {
        hint: Some(RuleHint::SseRefused),
        ..refusal(
            "reqwest-eventsource",
            &["invalid header value: \"application/"],
            "jpopesculian/reqwest-eventsource src/error.rs (Error::InvalidContentType)",
            Kind::NotSse,
        )
    },
    Refusal {
        hint: Some(RuleHint::SseRefused),
        ..refusal(
            "reqwest-eventsource",
            &["invalid header value: \"text/"],
            "jpopesculian/reqwest-eventsource src/error.rs (Error::InvalidContentType)",
            Kind::NotSse,
        )
    },
    Refusal {
        hint: Some(RuleHint::SseRefused),
        ..refusal(
            "okhttp-sse",
            &["illegalstateexception", "invalid content-type: "],
            "square/okhttp okhttp-sse RealEventSource.processResponse",
            Kind::NotSse,
        )
    },
];

/// A client's own refusal, by the words its source writes.
fn refused(f: &Facts) -> Option<Classification> {
    let r = REFUSALS
        .iter()
        .find(|r| r.words.iter().all(|w| f.words.contains(w)))?;
    Some(Classification {
        kind: r.kind,
        param: r.param.map(str::to_string),
        gateway: false,
        rule: "client_refusal",
        hint: r.hint,
        confidence: if r.low {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: format!("{}'s own words ({})", r.client, r.path),
    })
}

/// The AI SDK's error names whose class says what failed (vercel/ai at ed857f5,
/// packages/provider/src/errors and packages/ai/src/prompt): the kind, the parameter, and
/// what the class is raised for.
const AI_SDK_NAMES: &[(&str, Kind, Option<&str>, &str)] = &[
    (
        "ai_typevalidationerror",
        Kind::BadResponse,
        None,
        "the AI SDK's TypeValidationError (type-validation-error.ts): a value, most often the provider's answer, did not match the schema the provider package reads",
    ),
    // The same class by its message, which apps print without the name
    // (type-validation-error.ts: `Type validation failed: Value: ${JSON.stringify(value)}`).
    (
        "type validation failed: value:",
        Kind::BadResponse,
        None,
        "the AI SDK's TypeValidationError, by its message (\"Type validation failed: Value: …\"): a value, most often the provider's answer, did not match the schema the provider package reads",
    ),
    (
        "ai_invalidresponsedataerror",
        Kind::BadResponse,
        None,
        "the AI SDK's InvalidResponseDataError (invalid-response-data-error.ts): the provider's answer held data the SDK cannot use",
    ),
    (
        "ai_nocontentgeneratederror",
        Kind::BadResponse,
        None,
        "the AI SDK's NoContentGeneratedError (no-content-generated-error.ts): the provider answered without content",
    ),
    (
        "ai_notextgeneratederror",
        Kind::BadResponse,
        None,
        "the AI SDK's NoTextGeneratedError (its 3.x releases, \"No text generated.\"): the provider's answer or stream held no text",
    ),
    (
        "ai_emptyresponsebodyerror",
        Kind::BadResponse,
        None,
        "the AI SDK's EmptyResponseBodyError (empty-response-body-error.ts): the provider answered with an empty body",
    ),
    (
        "ai_nosuchmodelerror",
        Kind::ModelNotFound,
        None,
        "the AI SDK's NoSuchModelError (no-such-model-error.ts): the provider or registry has no model by the id the app asked for",
    ),
    (
        "ai_invalidprompterror",
        Kind::BadRequest,
        Some("messages"),
        "the AI SDK's InvalidPromptError (invalid-prompt-error.ts): the prompt or messages the app built are refused before sending",
    ),
    (
        "ai_messageconversionerror",
        Kind::BadRequest,
        Some("messages"),
        "the AI SDK's MessageConversionError (message-conversion-error.ts): it could not convert a message for this provider",
    ),
];

/// Message rules that only say "the request is invalid" in general words: an AI SDK class
/// name says more than they do.
const GENERIC_RULES: &[&str] = &["invalid_request_words", "bad_request_words", "body_invalid"];

/// The AI SDK's error class, where no status and no specific message rule says more.
pub(super) fn ai_sdk_class(f: &Facts, by_message: Option<&str>) -> Option<Classification> {
    if f.status.is_some() || by_message.is_some_and(|id| !GENERIC_RULES.contains(&id)) {
        return None;
    }
    let (_, kind, param, why) = AI_SDK_NAMES.iter().find(|(n, ..)| f.words.contains(n))?;
    // A value that is itself an error answer (a relay's error body the SDK tried to read as
    // a success) is that error's, not the schema's: the other layers read it.
    if f.words
        .split_once("value:")
        .is_some_and(|(_, value)| value.contains("\"error\""))
    {
        return None;
    }
    Some(Classification {
        kind: *kind,
        param: param.map(str::to_string),
        gateway: false,
        rule: "client_class",
        hint: None,
        confidence: Confidence::Low,
        evidence: (*why).to_string(),
    })
}

/// How the APIs and their clients spell a finish reason's key, lowercased: openai-python's
/// repr `finish_reason='length'`, JSON `"finish_reason":"length"`, the AI SDK's
/// `finishReason: 'length'`, Anthropic's `stop_reason`, Bedrock Converse's `stopReason`,
/// Java `toString` `finishReason=LENGTH`.
const REASON_KEYS: &[&str] = &[
    "finish_reason",
    "finishreason",
    "stop_reason",
    "stopreason",
    "finish reason",
];

/// Finish reasons that say why an answer stopped short, and what that is.
const REASONS: &[(&str, Kind, &str)] = &[
    // OpenAI chat completions (platform.openai.com/docs/api-reference/chat/object:
    // "length if the maximum number of tokens specified in the request was reached").
    ("length", Kind::OutputLength, "OpenAI's finish_reason"),
    // Anthropic stop_reason "max_tokens" (docs.anthropic.com, Handling stop reasons);
    // Gemini FinishReason MAX_TOKENS (ai.google.dev/api/generate-content#FinishReason);
    // Bedrock Converse stopReason max_tokens (docs.aws.amazon.com/bedrock, Converse).
    (
        "max_tokens",
        Kind::OutputLength,
        "Anthropic's, Gemini's and Bedrock's stop reason",
    ),
    (
        "max_output_tokens",
        Kind::OutputLength,
        "OpenAI Responses' incomplete reason",
    ),
    // OpenAI "content_filter if content was omitted due to a flag from our content
    // filters"; the AI SDK's unified 'content-filter' (packages/provider, LanguageModelV2
    // FinishReason); Gemini SAFETY, PROHIBITED_CONTENT, BLOCKLIST, SPII, RECITATION;
    // Anthropic "refusal"; Bedrock "guardrail_intervened" and "content_filtered".
    (
        "content_filter",
        Kind::ContentFilter,
        "OpenAI's finish_reason",
    ),
    (
        "content-filter",
        Kind::ContentFilter,
        "the AI SDK's finishReason",
    ),
    ("safety", Kind::ContentFilter, "Gemini's finishReason"),
    (
        "prohibited_content",
        Kind::ContentFilter,
        "Gemini's finishReason",
    ),
    ("blocklist", Kind::ContentFilter, "Gemini's finishReason"),
    ("spii", Kind::ContentFilter, "Gemini's finishReason"),
    ("recitation", Kind::ContentFilter, "Gemini's finishReason"),
    ("refusal", Kind::ContentFilter, "Anthropic's stop_reason"),
    (
        "guardrail_intervened",
        Kind::ContentFilter,
        "Bedrock's stopReason",
    ),
    (
        "content_filtered",
        Kind::ContentFilter,
        "Bedrock's stopReason",
    ),
    // Anthropic stop_reason "model_context_window_exceeded" (the context, not the cap).
    (
        "model_context_window_exceeded",
        Kind::ContextOverflow,
        "Anthropic's stop_reason",
    ),
];

/// The first finish reason in `words` that says the answer stopped short, with its key.
fn stopped_short(words: &str) -> Option<(&'static str, Kind, &'static str)> {
    let mut found = None;
    for key in REASON_KEYS {
        for (i, _) in words.match_indices(key).take(16) {
            let rest = words[i + key.len()..]
                .trim_start_matches([' ', ':', '=', '"', '\'', '`', '(', '<', '[']);
            // An enum's path before the value: `FinishReason.MAX_TOKENS`, `StopReason.LENGTH`.
            let rest = rest
                .strip_prefix("finishreason.")
                .or_else(|| rest.strip_prefix("stopreason."))
                .unwrap_or(rest);
            let value: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if let Some(r) = REASONS.iter().find(|(v, ..)| *v == value) {
                let at = i;
                if found.is_none_or(|(j, _)| at < j) {
                    found = Some((at, *r));
                }
            }
        }
    }
    found.map(|(_, r)| r)
}

/// A finish reason that says the answer stopped short, where no message rule read more
/// than a generic failure (a client that could not parse what the cut answer held).
pub(super) fn finish(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    let generic = by_message.is_none_or(|k| {
        matches!(
            k,
            Kind::BadResponse | Kind::ServerError | Kind::StreamError | Kind::StreamMalformed
        )
    });
    if !generic {
        return None;
    }
    let (value, kind, whose) = stopped_short(&f.words)?;
    Some(Classification {
        kind,
        param: None,
        gateway: false,
        rule: "finish_reason",
        hint: None,
        confidence: if by_message.is_some() {
            Confidence::Low
        } else {
            Confidence::High
        },
        evidence: format!("the finish reason `{value}` ({whose})"),
    })
}

/// A pasted chat answer whose message has no content but has reasoning
/// (`"content": null` beside `"reasoning_content": "…"` or `"reasoning": "…"`): the model
/// spent the output cap thinking and wrote no answer. Likely: a paste cut before its
/// `finish_reason` does not say `length`, and a server may drop content for other reasons.
pub(super) fn spent_on_reasoning(f: &Facts, by_message: Option<Kind>) -> Option<Classification> {
    if f.status.is_some_and(|s| s >= 400) || by_message.is_some() {
        return None;
    }
    let w = f.words.replace("\": ", "\":");
    let answer = w.contains("\"choices\":") && w.contains("\"message\":");
    let empty = w.contains("\"content\":null") || w.contains("\"content\":\"\"");
    let thought = ["\"reasoning_content\":\"", "\"reasoning\":\""]
        .iter()
        .any(|k| {
            w.split_once(k)
                .is_some_and(|(_, rest)| !rest.starts_with('"'))
        });
    (answer && empty && thought).then(|| Classification {
        kind: Kind::OutputLength,
        param: None,
        gateway: false,
        rule: "spent_on_reasoning",
        hint: Some(RuleHint::ReasoningSpentCap),
        confidence: Confidence::Low,
        evidence: "an answer with reasoning and no content: the output cap went to reasoning"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use crate::classify::{decide, Confidence, ErrorBody, KNOWN_PARAMS};
    use crate::failure::{Kind, RuleHint};

    fn read(text: &str) -> (Kind, Option<String>, Option<RuleHint>, Confidence) {
        let b = ErrorBody {
            message: Some(text.into()),
            ..Default::default()
        };
        let v = decide(None, &b, KNOWN_PARAMS, text).expect(text);
        (v.kind, v.param, v.hint, v.confidence)
    }

    #[test]
    fn a_redirect_the_client_did_not_follow_is_the_base_url() {
        // httpx's wording (httpx/_models.py raise_for_status), a FastAPI trailing-slash
        // redirect; openai-python's bare APIStatusError for a 3xx.
        for text in [
            "httpx.HTTPStatusError: Redirect response '307 Temporary Redirect' for url 'http://127.0.0.1:8000/v1/chat/completions'\nRedirect location: 'http://127.0.0.1:8000/v1/chat/completions/'",
            "openai.APIStatusError: Error code: 308",
            "APIStatusError: Error code: 301 - <html><body>moved</body></html>",
        ] {
            assert_eq!(read(text).0, Kind::Redirect, "{text}");
        }
        // A 4xx the bare class carries stays what its status says; a provider code after
        // "error code" is no redirect.
        assert_ne!(
            read("openai.APIStatusError: Error code: 418").0,
            Kind::Redirect
        );
        assert_ne!(read("error code: 301, invalid token").0, Kind::Redirect);
    }

    #[test]
    fn a_parameter_the_sdk_never_had_goes_through_its_pass_through() {
        // Python's TypeError over openai-python's Completions.create, a vLLM extra.
        let (kind, param, hint, confidence) =
            read("TypeError: Completions.create() got an unexpected keyword argument 'top_k'");
        assert_eq!(
            (kind, param.as_deref(), hint, confidence),
            (
                Kind::ParamRejected,
                Some("top_k"),
                Some(RuleHint::SdkPassThrough),
                Confidence::Low
            )
        );
        // TypeScript's excess-property check against openai-node's params type.
        let ts = "error TS2353: Object literal may only specify known properties, and 'repetition_penalty' does not exist in type 'ChatCompletionCreateParamsNonStreaming'.";
        assert_eq!(read(ts).1.as_deref(), Some("repetition_penalty"));
        // Anthropic's messages.create takes top_k: an older install, not a pass-through.
        let (kind, _, hint, _) =
            read("TypeError: Messages.create() got an unexpected keyword argument 'top_k'");
        assert_eq!(
            (kind, hint),
            (Kind::ProviderInit, Some(RuleHint::LibraryVersion))
        );
    }

    #[test]
    fn an_api_parameter_or_a_0x_setting_is_the_library_version() {
        for text in [
            "TypeError: Completions.create() got an unexpected keyword argument 'tools'",
            "TypeError: AsyncCompletions.create() got an unexpected keyword argument 'max_completion_tokens'",
            "TypeError: Completions.create() got an unexpected keyword argument 'request_timeout'",
            "TypeError: Embeddings.create() got an unexpected keyword argument 'dimensions'",
        ] {
            let (kind, param, hint, _) = read(text);
            assert_eq!(
                (kind, param, hint),
                (Kind::ProviderInit, None, Some(RuleHint::LibraryVersion)),
                "{text}"
            );
        }
        // No SDK named: the language's wording alone, as before.
        assert_eq!(
            read("TypeError: create() got an unexpected keyword argument 'top_p'").2,
            Some(RuleHint::LibraryVersion)
        );
    }

    #[test]
    fn a_client_s_own_refusal_reads_as_its_source_means_it() {
        for (text, kind, param) in [
            // go-openai's validator errors, verbatim from reasoning_validator.go and chat.go.
            (
                "error: this model is not supported MaxTokens, please use MaxCompletionTokens",
                Kind::ParamRejected,
                Some("max_tokens"),
            ),
            (
                "this model is not supported with this method, please use CreateCompletion client method instead",
                Kind::WrongRoute,
                None,
            ),
            (
                "this model has beta-limitations, user and assistant messages only, system messages are not supported",
                Kind::BadRequest,
                Some("messages"),
            ),
            // Not a rate limit: the body was not the event stream go-openai reads.
            ("stream has sent too many empty messages", Kind::StreamMalformed, None),
            // Streaming readers that refuse a non-SSE Content-Type.
            (
                "httpx_sse._exceptions.SSEError: Expected response header Content-Type to contain 'text/event-stream', got 'application/json'",
                Kind::NotSse,
                None,
            ),
            (
                "Error: Expected content-type to be text/event-stream, Actual: text/html; charset=utf-8",
                Kind::NotSse,
                None,
            ),
            (
                "stream failed: Invalid header value: \"application/json\"",
                Kind::NotSse,
                None,
            ),
            (
                "java.lang.IllegalStateException: Invalid content-type: application/json; charset=utf-8",
                Kind::NotSse,
                None,
            ),
        ] {
            let (k, p, _, _) = read(text);
            assert_eq!((k, p.as_deref()), (kind, param), "{text}");
        }
        // A header the client could not build is no content type of an answer.
        assert_ne!(
            read("builder error: invalid header value: \"Bearer sk-x\\n\"").0,
            Kind::NotSse
        );
    }

    #[test]
    fn an_ai_sdk_class_says_what_failed_where_nothing_says_more() {
        // A provider's answer that did not match the schema @ai-sdk/openai-compatible reads.
        let text = "AI_TypeValidationError: Type validation failed: Value: {\"id\":\"x\",\"choices\":null}.\nError message: [{\"code\":\"invalid_type\",\"expected\":\"array\",\"received\":\"null\",\"path\":[\"choices\"],\"message\":\"Expected array, received null\"}]";
        assert_eq!(read(text).0, Kind::BadResponse);
        assert_eq!(
            read("AI_InvalidResponseDataError: Expected 'function.name' to be a string.").0,
            Kind::BadResponse
        );
        // A status inside the value speaks first.
        let relayed = "AI_TypeValidationError: Type validation failed: Value: {\"error\":{\"status_code\":400,\"error\":{\"type\":\"\",\"message\":\"\"}}}.";
        assert_ne!(read(relayed).0, Kind::BadResponse);
        // The classes the AI SDK throws without a status, each for what it names.
        for (text, kind) in [
            (
                "[AI_NoTextGeneratedError: No text generated.]",
                Kind::BadResponse,
            ),
            (
                "AI_EmptyResponseBodyError: Empty response body",
                Kind::BadResponse,
            ),
            (
                "AI_NoSuchModelError: No such languageModel: acme:big-1",
                Kind::ModelNotFound,
            ),
            (
                "AI_InvalidPromptError: Invalid prompt: messages must not be empty",
                Kind::BadRequest,
            ),
        ] {
            assert_eq!(read(text).0, kind, "{text}");
        }
    }

    #[test]
    fn an_answer_with_reasoning_and_no_content_spent_its_cap_thinking() {
        let text = r#"{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":null,"reasoning_content":"The user wants a short title. Let me think"}}],"usage":{"completion_tokens":64}}"#;
        let v = decide(None, &ErrorBody::default(), KNOWN_PARAMS, text).expect("read");
        assert_eq!(
            (v.kind, v.rule, v.confidence),
            (Kind::OutputLength, "spent_on_reasoning", Confidence::Low)
        );
        assert_eq!(v.hint, Some(RuleHint::ReasoningSpentCap));
        // An answer with content is no cut, whatever it reasoned.
        let fine = r#"{"choices":[{"message":{"content":"Title","reasoning_content":"ok"}}]}"#;
        assert_ne!(
            decide(None, &ErrorBody::default(), KNOWN_PARAMS, fine).map(|v| v.rule),
            Some("spent_on_reasoning")
        );
    }

    #[test]
    fn a_finish_reason_that_stopped_the_answer_short_names_the_cause() {
        for (text, kind) in [
            // The AI SDK's NoObjectGeneratedError dump (no-object-generated-error.ts carries
            // finishReason), google-genai's enum, Anthropic's stop_reason.
            (
                "AI_NoObjectGeneratedError: No object generated: could not parse the response.\n  finishReason: 'length',",
                Kind::OutputLength,
            ),
            (
                "candidates=[Candidate(content=None, finish_reason=<FinishReason.MAX_TOKENS: 'MAX_TOKENS'>)]",
                Kind::OutputLength,
            ),
            (
                "Message(id='msg_1', content=[], stop_reason='max_tokens', type='message')",
                Kind::OutputLength,
            ),
            (
                "AI_NoObjectGeneratedError: No object generated: the model did not return a response. finishReason: 'content-filter'",
                Kind::ContentFilter,
            ),
        ] {
            assert_eq!(read(text).0, kind, "{text}");
        }
        // A finish reason that is a normal end says nothing.
        let text = "ValueError: bad schema; finish_reason='stop'";
        let b = ErrorBody {
            message: Some(text.into()),
            ..Default::default()
        };
        assert_ne!(
            decide(None, &b, KNOWN_PARAMS, text).map(|v| v.kind),
            Some(Kind::OutputLength)
        );
    }
}
