//! The behaviours the built-in provider can reproduce, and what zencheck should say of each.

use crate::failure::Kind;
use crate::route::Route;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Healthy,
    HealthyExtras,
    Auth,
    Billing,
    RateLimit,
    RateLimitBrief,
    AccessDenied,
    WafChallenge,
    ModelsPublic,
    ModelNotFound,
    WrongRoute,
    ZenRoutes,
    StreamOptionsRejected,
    UsageIgnored,
    ToolChoiceIgnored,
    ToolCallAsText,
    ToolChoiceRejected,
    StrictValidator,
    ToolsUnsupported,
    SchemaKeywordRefused,
    SchemaRefRefused,
    ReasoningModel,
    Reasoning,
    ReasoningEatsCap,
    ReasoningEffortIgnored,
    ReasoningField,
    ReasoningRequired,
    ThinkTags,
    ChatOnly,
    BadRequest,
    ContextOverflow,
    ServerError,
    EdgeTimeout,
    Timeout,
    ColdStart,
    Network,
    Ipv4Only,
    BaseUrl,
    BadResponse,
    ModelMismatch,
    ModelFallback,
    NotSse,
    StreamMalformed,
    StreamTruncated,
    StreamStalled,
    StreamError,
    StreamNoDone,
    StreamBuffered,
    StreamNoFinish,
    StreamNeverCloses,
    StreamEmptyChoices,
    StreamUtf8Broken,
    StreamUtf8Replaced,
    ResponsesFailed,
    Redirect,
    SchemaIgnored,
    JsonObjectIgnored,
    ToolIdMissing,
    ToolIdRejected,
    TemplateError,
    ToolLoop,
    ToolsDropped,
    ErrorShape200,
    ErrorIn200,
    ErrorShapeHtml,
    ErrorShapeDetail,
    EmbeddingsMalformed,
    EmbeddingsRagged,
    EmbeddingsBase64,
    EmbeddingsBase64Ignored,
    ResponsesSchemaIgnored,
    FunctionCallOutputRejected,
    CallIdMissing,
    PreviousResponseUnsupported,
    PreviousResponseIgnored,
    ThinkingUnsigned,
    Overflow500,
    OverflowUnrecognised,
    ContextTruncated,
    DeveloperDropped,
    PartsRejected,
}

/// What a probe of the scenario must report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Nothing failed or warned.
    Clean,
    /// This kind on this check.
    Kind(&'static str, Kind),
    /// This check is `unsupported`, and nothing failed.
    Unsupported(&'static str),
    /// Nothing failed, nothing warned but a small first cap spent on reasoning
    /// (`output_length`), and this check reports reasoning in exactly this field.
    Reasoning(&'static str, &'static str),
}

pub struct Info {
    pub scenario: Scenario,
    pub name: &'static str,
    pub summary: &'static str,
    pub expect: Expect,
    /// Shown by `zencheck demo` without `--all`.
    pub showcase: bool,
    /// Probe it as OpenCode Zen, whose error classes and routes it imitates.
    pub zen: bool,
    /// The models to probe it with.
    pub models: &'static [&'static str],
    /// The routes to probe (`--routes`); empty for the default choice.
    pub routes: &'static [Route],
    /// Opt-in checks to run besides `chat.basic` (`--checks`); empty for the default checks.
    pub checks: &'static [&'static str],
}

const MOCK: &[&str] = &["mock-small"];
const EMBED: &[&str] = &[super::EMBED_MODEL];

const fn info(
    scenario: Scenario,
    name: &'static str,
    summary: &'static str,
    expect: Expect,
    showcase: bool,
) -> Info {
    Info {
        scenario,
        name,
        summary,
        expect,
        showcase,
        zen: false,
        models: MOCK,
        routes: &[],
        checks: &[],
    }
}

const fn zen(mut i: Info) -> Info {
    i.zen = true;
    i
}

use Expect::{Clean, Kind as K, Unsupported};

pub const SCENARIOS: &[Info] = &[
    info(Scenario::Healthy, "healthy", "a correct OpenAI-compatible server: chat, /responses and /messages, streams paced like a real model", Clean, true),
    zen(info(Scenario::HealthyExtras, "healthy-extras", "correct, with Zen's extras: SSE comments, CRLF lines, cost frames after [DONE] and pings", Clean, false)),
    info(Scenario::Auth, "auth", "401 invalid_api_key, echoing the key it was sent", K("chat.basic", Kind::Auth), true),
    info(Scenario::Billing, "billing", "429 insufficient_quota: billing dressed as a rate limit", K("chat.basic", Kind::Billing), false),
    info(Scenario::RateLimit, "rate-limit", "429 rate_limit_exceeded with Retry-After: 120", K("chat.basic", Kind::RateLimit), false),
    info(Scenario::RateLimitBrief, "rate-limit-brief", "each request's first attempt gets 429 with Retry-After: 1, the retry passes", Clean, false),
    zen(info(Scenario::AccessDenied, "access-denied", "Zen's 403 FreeTierError (free models only in the opencode client itself), to every request, --as opencode too: a borrowed User-Agent does not make zencheck opencode", K("chat.basic", Kind::AccessDenied), false)),
    info(Scenario::ModelsPublic, "models-public", "GET /models answers any request, key or none (a 'test connection' any key passes), while generation refuses the key with 401", K("chat.basic", Kind::Auth), false),
    info(Scenario::WafChallenge, "waf-challenge", "Cloudflare's bot challenge (403 \"Just a moment...\" with cf-ray) for every request from a non-browser client: the key is never judged", K("chat.basic", Kind::Blocked), false),
    info(Scenario::ModelNotFound, "model-not-found", "serves mock-small-2025 and mock-large; anything else is 404 model_not_found", K("models.exists", Kind::ModelNotFound), true),
    zen(info(Scenario::WrongRoute, "wrong-route", "Zen's 401 ModelError on chat: the model is not supported for format oa-compat", K("chat.basic", Kind::WrongRoute), false)),
    Info {
        models: &["gpt-5-nano", "claude-haiku-4-5", "big-pickle"],
        // Chat asked for, as an @ai-sdk/openai-compatible provider calls every model:
        // unasked, each model is probed on its own route only, and passes.
        routes: &[Route::Chat],
        ..zen(info(Scenario::ZenRoutes, "zen-routes", "Zen's route table (GPT only on /responses, Claude only on /messages, the rest only on chat), probed with --routes chat", K("chat.basic", Kind::WrongRoute), true))
    },
    info(Scenario::StreamOptionsRejected, "stream-options-rejected", "400 Unrecognized request argument supplied: stream_options (old Azure)", K("chat.stream_usage", Kind::ParamRejected), true),
    info(Scenario::UsageIgnored, "usage-ignored", "accepts stream_options.include_usage but never sends usage", K("chat.stream_usage", Kind::ParamIgnored), false),
    info(Scenario::ToolCallAsText, "tool-call-as-text", "the model calls, but the call comes back as <tool_call> text in content (vLLM without --tool-call-parser, llama.cpp without --jinja)", K("chat.tool_choice_required", Kind::ParamIgnored), false),
    info(Scenario::ToolChoiceIgnored, "tool-choice-ignored", "accepts tools and any tool_choice, always answers in prose", K("chat.tool_choice_required", Kind::ParamIgnored), true),
    info(Scenario::ToolChoiceRejected, "tool-choice-rejected", "vLLM without --enable-auto-tool-choice: 400 on tool_choice auto and required", K("chat.tools", Kind::ParamRejected), false),
    Info { checks: &["chat.tool_choice_null"], ..info(Scenario::StrictValidator, "strict-validator", "a pydantic validator: 422 on \"tool_choice\": null", K("chat.tool_choice_null", Kind::ParamRejected), false) },
    info(Scenario::ToolsUnsupported, "tools-unsupported", "a model without tool support: 500 \"does not support tools\"", K("chat.tools", Kind::ParamRejected), false),
    info(Scenario::SchemaKeywordRefused, "schema-keyword-refused", "a Gemini-backed gateway: 400 Unknown name \"additionalProperties\" for any tool schema that carries it, as zod's schemas all do", K("chat.tools", Kind::ParamRejected), false),
    Info { checks: &["chat.schema_keywords"], ..info(Scenario::SchemaRefRefused, "schema-ref-refused", "a gateway to Gemini: 400 Unknown name \"$ref\" for tool schemas with $ref or anyOf (OmniRoute#1421), plain ones pass", K("chat.schema_keywords", Kind::ParamRejected), false) },
    info(Scenario::ReasoningModel, "reasoning-model", "refuses max_tokens (OpenAI's unsupported_parameter), wants max_completion_tokens; reasons, counted in usage only", K("chat.max_tokens", Kind::ParamRejected), false),
    info(Scenario::Reasoning, "reasoning", "a reasoning model that behaves: reasoning_content and reasoning_tokens, more at high reasoning_effort; 16 tokens are too few for its reasoning", Expect::Reasoning("chat.stream", "reasoning_content"), true),
    info(Scenario::ReasoningEatsCap, "reasoning-eats-cap", "reasons until any cap runs out: empty content, finish_reason length, reasoning_tokens at the cap", K("chat.basic", Kind::OutputLength), true),
    Info { checks: &["chat.reasoning_effort"], ..info(Scenario::ReasoningEffortIgnored, "reasoning-effort-ignored", "accepts reasoning_effort and reasons just as long at low as at high", K("chat.reasoning_effort", Kind::ParamIgnored), false) },
    info(Scenario::ThinkTags, "think-tags", "a reasoning model whose server leaves the thought in the content as <think>…</think> (DeepSeek-R1, Qwen3 without a reasoning parser), counting no reasoning tokens", Expect::Reasoning("chat.stream", "think_tags"), false),
    info(Scenario::ReasoningField, "reasoning-field", "streams reasoning in delta.reasoning only (vLLM since the rename, Ollama, OpenRouter), which opencode drops", Expect::Reasoning("chat.stream", "reasoning"), false),
    Info { checks: &["chat.reasoning_passback"], ..info(Scenario::ReasoningRequired, "reasoning-required", "a thinking model that refuses a tool result unless the assistant message that called carries its reasoning_content (DeepSeek's thinking mode, Kimi K2 thinking)", K("chat.reasoning_passback", Kind::BadRequest), false) },
    info(Scenario::ChatOnly, "chat-only", "no /responses and no /messages route: plain 404s", Unsupported("responses.basic"), false),
    info(Scenario::BadRequest, "bad-request", "400 in vLLM's envelope for every generation request", K("chat.basic", Kind::BadRequest), false),
    info(Scenario::ContextOverflow, "context-overflow", "400 context_length_exceeded: a model with a tiny context window", K("chat.basic", Kind::ContextOverflow), false),
    info(Scenario::ServerError, "server-error", "nginx's HTML 502 Bad Gateway page", K("chat.basic", Kind::ServerError), true),
    info(Scenario::EdgeTimeout, "edge-timeout", "behind Cloudflare: non-streaming chat gets its 524 \"A timeout occurred\" page, streams pass (bytes flow before the 100 s limit)", K("chat.basic", Kind::Timeout), false),
    info(Scenario::Timeout, "timeout", "accepts the connection, never sends headers", K("chat.basic", Kind::Timeout), false),
    info(Scenario::ColdStart, "cold-start", "the first request of each route waits 3 s while the model loads (longer than the demo's 2 s --timeout), every later one answers at once", K("chat.basic", Kind::ColdStart), false),
    info(Scenario::Ipv4Only, "ipv4-only", "listens on 127.0.0.1 only and is probed at http://[::1]:PORT/v1, as a client that resolved localhost to ::1 (promptfoo#160)", K("target.address_family", Kind::AddressFamily), false),
    info(Scenario::Network, "network", "accepts the connection and closes it without a word", K("chat.basic", Kind::Network), false),
    info(Scenario::BaseUrl, "base-url", "plain-text 404 on every path, as a server probed at the wrong prefix answers", K("chat.basic", Kind::BaseUrl), false),
    info(Scenario::BadResponse, "bad-response", "200 with an HTML login page on every path (a web app at the base URL)", K("chat.basic", Kind::BaseUrl), false),
    info(Scenario::ModelMismatch, "model-mismatch", "answers as mock-fallback whatever model is asked", K("chat.basic", Kind::ModelMismatch), false),
    info(Scenario::ModelFallback, "model-fallback", "serves its models correctly, and answers any id it does not serve with 200 from llama-3.1-8b-instant (a gateway's default model or fallback)", K("chat.unknown_model", Kind::ModelMismatch), true),
    info(Scenario::NotSse, "not-sse", "answers stream:true on chat with one application/json completion", K("chat.stream", Kind::NotSse), false),
    info(Scenario::StreamMalformed, "stream-malformed", "a chat stream event whose data is a Python dict, not JSON", K("chat.stream", Kind::StreamMalformed), false),
    info(Scenario::StreamTruncated, "stream-truncated", "closes the socket mid-stream without the chunked terminator", K("chat.stream", Kind::StreamTruncated), true),
    info(Scenario::StreamStalled, "stream-stalled", "sends two chunks, then silence with the socket open", K("chat.stream", Kind::StreamStalled), true),
    info(Scenario::StreamError, "stream-error", "an error event inside a 200 chat stream", K("chat.stream", Kind::StreamError), false),
    info(Scenario::StreamNoDone, "stream-no-done", "finish_reason arrives but data: [DONE] never does", K("chat.stream", Kind::StreamNoDone), false),
    info(Scenario::StreamBuffered, "stream-buffered", "holds the whole stream and sends it in one burst, like a buffering proxy", K("chat.stream", Kind::StreamBuffered), true),
    info(Scenario::StreamNoFinish, "stream-no-finish", "chat streams whose chunks never carry a finish_reason, ended by data: [DONE] (Zen's muse models, opencode#43882)", K("chat.stream", Kind::StreamNoFinish), true),
    info(Scenario::StreamNeverCloses, "stream-never-closes", "sends finish_reason and data: [DONE], then keeps the connection open without a byte", K("chat.stream", Kind::StreamStalled), false),
    info(Scenario::StreamEmptyChoices, "stream-empty-choices", "opens every chat stream with a chunk whose choices is [] and carries no usage (an init or ping chunk)", K("chat.stream", Kind::BadResponse), false),
    info(Scenario::StreamUtf8Broken, "stream-utf8-broken", "one chat stream event carries a Chinese character cut in half inside its data (invalid UTF-8)", K("chat.stream", Kind::StreamMalformed), false),
    info(Scenario::StreamUtf8Replaced, "stream-utf8-replaced", "streams CJK with U+FFFD where a character was cut between chunks and decoded piecewise by a gateway (opencode#39694, Zen)", K("chat.stream_usage", Kind::StreamMalformed), false),
    info(Scenario::SchemaIgnored, "schema-ignored", "accepts response_format json_schema and answers JSON that ignores the schema (a json_object fallback)", K("chat.json_schema", Kind::ParamIgnored), true),
    info(Scenario::JsonObjectIgnored, "json-object-ignored", "accepts any response_format and answers in prose", K("chat.json_object", Kind::ParamIgnored), false),
    info(Scenario::ToolIdMissing, "tool-id-missing", "tool calls without an id, streamed or not (Ollama, llama.cpp)", K("chat.tool_roundtrip", Kind::BadResponse), false),
    info(Scenario::ToolIdRejected, "tool-id-rejected", "400 when the tool call id comes back: it must be 9 alphanumerics (Mistral)", K("chat.tool_roundtrip", Kind::ParamRejected), true),
    info(Scenario::TemplateError, "template-error", "500 from a chat template that cannot render a tool message", K("chat.tool_roundtrip", Kind::ServerError), false),
    info(Scenario::ToolLoop, "tool-loop", "calls the tool again after its result instead of answering", K("chat.tool_roundtrip", Kind::ParamIgnored), false),
    info(Scenario::ToolsDropped, "tools-dropped", "drops the tools array (a template without tool support): no call, prompt_tokens unchanged", K("chat.tools_seen", Kind::ParamIgnored), false),
    info(Scenario::ErrorShape200, "error-shape-200", "answers an invalid request (messages not an array) with 200", K("chat.error_shape", Kind::BadResponse), false),
    info(Scenario::ErrorIn200, "error-in-200", "answers non-streaming chat with HTTP 200 and a relay's own error shape, {\"code\": 500, \"msg\": …, \"success\": false}", K("chat.basic", Kind::RateLimit), false),
    info(Scenario::ErrorShapeHtml, "error-shape-html", "answers an invalid request with an HTML 500 page", K("chat.error_shape", Kind::BadResponse), false),
    info(Scenario::ErrorShapeDetail, "error-shape-detail", "answers an invalid request with FastAPI's 422 {\"detail\": [...]}, which openai-node and the AI SDK cannot read", K("chat.error_shape", Kind::BadResponse), false),
    Info { models: EMBED, ..info(Scenario::EmbeddingsMalformed, "embeddings-malformed", "/embeddings answers vectors of numbers written as strings", K("embeddings.basic", Kind::BadResponse), false) },
    Info { models: EMBED, ..info(Scenario::EmbeddingsRagged, "embeddings-ragged", "/embeddings answers vectors of different lengths for two inputs", K("embeddings.basic", Kind::BadResponse), false) },
    Info { models: EMBED, ..info(Scenario::EmbeddingsBase64, "embeddings-base64", "/embeddings answers base64 strings when floats are asked", K("embeddings.basic", Kind::ParamIgnored), false) },
    Info { models: EMBED, routes: &[Route::Embeddings], checks: &["embeddings.base64"], ..info(Scenario::EmbeddingsBase64Ignored, "embeddings-base64-ignored", "/embeddings answers floats when encoding_format base64 is asked (what openai-python and openai-node ask for by default)", K("embeddings.base64", Kind::ParamIgnored), false) },
    info(Scenario::ResponsesSchemaIgnored, "responses-schema-ignored", "/responses accepts text.format json_schema and answers in prose (chat enforces it)", K("responses.json_schema", Kind::ParamIgnored), false),
    info(Scenario::FunctionCallOutputRejected, "function-call-output-rejected", "/responses calls tools but refuses a function_call_output item with 400 (a gateway that translates messages only)", K("responses.tool_roundtrip", Kind::ParamRejected), false),
    info(Scenario::CallIdMissing, "call-id-missing", "/responses function_call items without a call_id", K("responses.tool_roundtrip", Kind::BadResponse), false),
    Info { checks: &["responses.previous_response"], ..info(Scenario::PreviousResponseUnsupported, "previous-response-unsupported", "/responses answers store: false and refuses previous_response_id (not found), as gateways that store nothing do", K("responses.previous_response", Kind::ParamRejected), false) },
    Info { checks: &["responses.previous_response"], ..info(Scenario::PreviousResponseIgnored, "previous-response-ignored", "/responses accepts previous_response_id and answers as if the earlier turn never happened, as a gateway that drops the id does", K("responses.previous_response", Kind::ParamIgnored), false) },
    Info { routes: &[Route::Messages], checks: &["messages.thinking"], ..info(Scenario::ThinkingUnsigned, "thinking-unsigned", "/messages with extended thinking returns its thinking blocks without their signature (a relay that translates through OpenAI's format), so the tool result sent back with them is refused: Invalid `signature` in `thinking` block", K("messages.thinking", Kind::BadRequest), false) },
    info(Scenario::ResponsesFailed, "responses-failed", "a /responses stream that ends in response.failed", K("responses.stream", Kind::StreamError), false),
    info(Scenario::Redirect, "redirect", "answers every request with a 301 to plain http on another port, as a moved gateway does", K("chat.basic", Kind::Redirect), false),
    Info { checks: &["chat.context_overflow"], ..info(Scenario::Overflow500, "overflow-500", "answers a prompt over its window with an HTML 500, which clients read as an outage", K("chat.context_overflow", Kind::ServerError), false) },
    Info { checks: &["chat.context_overflow"], ..info(Scenario::OverflowUnrecognised, "overflow-unrecognised", "refuses a prompt over its window with a 400 in words no agent reads as context overflow", K("chat.context_overflow", Kind::BadRequest), false) },
    Info { checks: &["chat.truncation_canary", "chat.context_overflow"], ..info(Scenario::ContextTruncated, "context-truncated", "cuts long prompts to their last 4 096 tokens and answers anyway, as Ollama's default num_ctx on /v1 does", K("chat.truncation_canary", Kind::ContextTruncated), false) },
    Info { checks: &["chat.developer_role"], ..info(Scenario::DeveloperDropped, "developer-dropped", "drops messages with role developer before the model sees them, as SGLang once did", K("chat.developer_role", Kind::ParamIgnored), false) },
    Info { checks: &["chat.content_parts"], ..info(Scenario::PartsRejected, "parts-rejected", "refuses a message whose content is an array of text parts: it wants a string", K("chat.content_parts", Kind::ParamRejected), false) },
];

impl Scenario {
    pub fn info(self) -> &'static Info {
        SCENARIOS
            .iter()
            .find(|i| i.scenario == self)
            .expect("every scenario is in SCENARIOS")
    }
    pub fn name(self) -> &'static str {
        self.info().name
    }
    pub fn from_name(name: &str) -> Option<Scenario> {
        SCENARIOS
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.scenario)
    }
}

/// `zencheck mock --list` for a terminal of `width` columns: each name, then what it
/// serves and what zencheck should find, wrapped between words under a column of names. A
/// name too long for the column has the text start on the line below it.
pub fn list(width: usize) -> String {
    use crate::fit::{cols, pad, wrap_hard};
    let longest = SCENARIOS.iter().map(|i| i.name.len()).max().unwrap_or(0);
    // Room for most names, not the longest few: the text keeps the width it needs.
    let col = if width >= longest + 2 + 60 {
        longest + 2
    } else if width >= 26 + 30 {
        26
    } else {
        4
    };
    let mut out = String::new();
    for i in SCENARIOS {
        // What zencheck should find stays whole: on the summary's last line if it fits.
        let room = width.saturating_sub(col);
        let mut lines = wrap_hard(i.summary, room);
        let tag = format!("[{}]", i.expect.describe());
        match lines.last_mut() {
            Some(last) if cols(last) + 2 + cols(&tag) <= room => {
                last.push_str("  ");
                last.push_str(&tag);
            }
            _ => lines.extend(wrap_hard(&tag, room)),
        }
        let mut lead = if i.name.len() + 2 <= col {
            pad(i.name, col)
        } else {
            out.push_str(i.name);
            out.push('\n');
            " ".repeat(col)
        };
        for l in lines {
            out.push_str(format!("{lead}{l}").trim_end());
            out.push('\n');
            lead = " ".repeat(col);
        }
    }
    out
}

/// The help for an unknown scenario name: the closest names (a typo, `_` for `-`, a part of
/// a name), and where the rest are listed.
pub fn closest_hint(name: &str) -> String {
    let asked = name.trim().to_ascii_lowercase().replace('_', "-");
    let distance = |n: &str| {
        if n.contains(asked.as_str()) && asked.len() >= 3 {
            // A part of a name (`stall`, `zen`): as close as one typo.
            1
        } else {
            strsim::levenshtein(&asked, n)
        }
    };
    let best = SCENARIOS
        .iter()
        .map(|i| distance(i.name))
        .min()
        .unwrap_or(usize::MAX);
    let near: Vec<&str> = SCENARIOS
        .iter()
        .filter(|i| best <= (asked.chars().count() / 3).max(2) && distance(i.name) == best)
        .map(|i| i.name)
        .take(3)
        .collect();
    match near.as_slice() {
        [] => "`zencheck mock --list` names them".to_string(),
        [one] => format!("did you mean `{one}`? `zencheck mock --list` names them all"),
        many => format!(
            "did you mean one of {}? `zencheck mock --list` names them all",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Expect {
    pub fn describe(self) -> String {
        match self {
            Expect::Clean => "a clean pass".to_string(),
            Expect::Kind(check, kind) => format!("{} on {check}", kind.code()),
            Expect::Unsupported(check) => format!("{check} unsupported"),
            Expect::Reasoning(check, field) => {
                format!("reasoning in `{field}` on {check}, nothing failed (output_length warnings where a small cap was spent on reasoning)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_failure_kind_has_a_scenario() {
        let covered: HashSet<Kind> = SCENARIOS
            .iter()
            .filter_map(|i| {
                if let Expect::Kind(_, k) = i.expect {
                    Some(k)
                } else {
                    None
                }
            })
            .collect();
        for &k in Kind::ALL
            .iter()
            .filter(|k| !Kind::NOT_FROM_PROBES.contains(k))
        {
            assert!(covered.contains(&k), "no scenario reproduces {k:?}");
        }
    }

    #[test]
    fn names_are_unique_and_resolve() {
        let names: HashSet<_> = SCENARIOS.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), SCENARIOS.len());
        for i in SCENARIOS {
            assert_eq!(Scenario::from_name(i.name), Some(i.scenario));
        }
    }

    #[test]
    fn an_unknown_name_gets_the_closest_scenario() {
        assert!(closest_hint("stream-stall").contains("`stream-stalled`"));
        assert!(closest_hint("rate_limit").contains("`rate-limit`"));
        assert!(closest_hint("helthy").contains("`healthy`"));
        assert!(closest_hint("zen").contains("`zen-routes`"));
        assert_eq!(
            closest_hint("qqqqqqqqqq"),
            "`zencheck mock --list` names them"
        );
    }
}
