//! The closed list of failure kinds: stable code, short title, and the one thing to change.
//!
//! Every hint zencheck prints is written here, so the whole table can be reviewed at a
//! glance. Codes are part of the JSON contract: renaming one needs a CHANGELOG entry.

use crate::gateway::Gateway;
use crate::provider::Provider;
use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    Auth,
    Billing,
    RateLimit,
    AccessDenied,
    ModelNotFound,
    WrongRoute,
    ParamRejected,
    ParamIgnored,
    BadRequest,
    ServerError,
    Timeout,
    Network,
    BaseUrl,
    BadResponse,
    ModelMismatch,
    NotSse,
    StreamMalformed,
    StreamTruncated,
    StreamStalled,
    StreamError,
    StreamNoDone,
    StreamNoFinish,
    StreamBuffered,
    ContextOverflow,
    ContextTruncated,
    OutputLength,
    Aborted,
    ProviderInit,
    Redirect,
    RequestTooLarge,
    ToolCallMalformed,
    ContentFilter,
    Blocked,
    GatewayAltered,
    ColdStart,
    AddressFamily,
}

/// A check whose hints are worded its own way. A check names its family in its spec (and an
/// opencode check by its typed id), never by its id string: a renamed check keeps its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckHint {
    /// Sends a tool result back in a second turn (`chat.tool_roundtrip`…).
    ToolRoundtrip,
    /// Asks for structured output (`chat.json_schema`, `chat.json_object`…).
    Structured,
    /// Sends an invalid request on purpose (`chat.error_shape`).
    ErrorShape,
    /// Reads an embeddings answer (`embeddings.basic`).
    Embeddings,
    /// Waits on opencode's `/event` stream (`opencode.events`).
    OpencodeEvents,
    /// Asks for a model id that cannot exist (`chat.unknown_model`).
    UnknownModel,
    /// Compares what a gateway passed on with what its upstream said (`zencheck fidelity`):
    /// the fix is the gateway's, named when the gateway named itself (`HintContext::via`).
    Fidelity,
}

/// A classifier rule whose hint is worded better than its kind's: the rule names it in its
/// own row (`classify::rules`), so a renamed rule keeps its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleHint {
    /// The output cap asked for does not fit beside the input in the context window.
    CapOverWindow,
    /// An answer with reasoning and no content: the reasoning spent the output cap.
    ReasoningSpentCap,
    /// A web application firewall's managed rule that judges the request's content (its
    /// size, a path or markup in its text) blocked it.
    WafManagedRule,
    /// A browser (or a webview: Obsidian, a Chrome extension, a Tauri app) refused the
    /// answer because the server did not allow the page's origin (CORS).
    CorsRefused,
    /// A bare 404 from a client of Ollama: a model not pulled, or else the path.
    OllamaBare404,
    /// Azure's DeploymentNotFound: the model id is the deployment's name.
    AzureDeployment,
    /// A chat template that raised on the conversation, as a 4xx or a 5xx.
    ChatTemplate,
    /// Tool turns out of order in the conversation.
    ToolMessageOrder,
    /// Roles that must alternate (user, assistant, user…) and do not.
    RolesAlternate,
    /// An output cap sent below zero: a client that computes it as the window minus the
    /// prompt, with a prompt that already fills the window.
    NegativeCap,
    /// The server refused because the model is still loading (a cold start it announced).
    ModelLoading,
    /// "Does not exist or you do not have access": a missing id and a refused one, in one
    /// sentence; the fix must hold for both.
    MissingOrNoAccess,
    /// A message in a shape this endpoint or model does not take though the API has it:
    /// content as an array of parts, a role, a field inside a message.
    MessageShape,
    /// A client library refused a model id its own table of models does not hold, before
    /// sending anything.
    ClientModelTable,
    /// A request header the server requires was not sent (Anthropic's
    /// `anthropic-dangerous-direct-browser-access` for a browser's call).
    HeaderRequired,
    /// A base URL the client cannot use at all: no scheme, not a URL.
    UrlUnusable,
    /// A server that takes HTTPS only, asked over plain HTTP.
    HttpsOnly,
    /// The server cannot fit the model in its memory.
    ServerResources,
    /// A forward proxy's 407.
    ProxyAuth,
    /// A proxy from HTTP(S)_PROXY answering for a local address.
    ProxyForLocalhost,
    /// https spoken to a plain-http port ("wrong version number").
    TlsScheme,
    /// A certificate the client does not trust.
    TlsCertificate,
    /// A certificate that names another host than the one asked for.
    TlsHostname,
    /// A certificate outside its validity dates (or a clock that is wrong).
    TlsExpired,
    /// A TLS handshake that failed before any certificate was judged.
    TlsHandshake,
    /// A connection refused: nothing listens on that host and port.
    ConnectRefused,
    /// A connection refused on IPv6's loopback (`::1`): the server listens on 127.0.0.1
    /// only, or not at all.
    RefusedOnIpv6,
    /// A host that never answered the connection, or no route to it.
    Unreachable,
    /// No network on this machine at all.
    Offline,
    /// A connection opened, then cut by the other end or something between.
    ConnectionReset,
    /// A forward proxy that was reached and refused the tunnel.
    ProxyRefused,
    /// A forward proxy that could not be reached, or is set wrong.
    ProxyUnreachable,
    /// An output cap above the model's maximum.
    ParamOverLimit,
    /// One request larger than the account's per-minute token window.
    TooLargeForTier,
    /// A gateway with no provider the account's settings allow (OpenRouter).
    ProviderRouting,
    /// An organisation that must be verified first.
    OrgVerification,
    /// A region the provider does not serve.
    RegionNotServed,
    /// A Cloudflare edge page in front of the origin.
    CloudflareGateway,
    /// A feature the server was not started with (llama.cpp without `--embeddings`).
    FeatureOff,
    /// A model or feature served only from a later `api-version` than the one sent (Azure).
    ApiVersion,
    /// A working event stream under another content type than `text/event-stream`.
    SseMislabelled,
    /// A body that is not what its `Content-Encoding` says, or in an encoding the client
    /// did not ask for.
    ContentEncoding,
    /// A reasoning model that answered once its cap was raised: the small first cap is the
    /// warning, the route works (nothing after it is skipped).
    AnsweredAtLargerCap,
    /// A host name that does not resolve.
    Dns,
    /// The client library (or its package) is missing, or another version than the code
    /// calling it was written for: no request left the machine.
    LibraryVersion,
    /// A 404 in the API's own error shape on a model route: the route answered, so the
    /// model (or the key's access to it) is what was not found, not the URL.
    RouteAnswered,
    /// A 404 with no body from a provider's own address on its route: the service.
    ServiceAt404,
    /// A client's bare 404 for a provider's own route at its own address (OpenAI's
    /// `/v1/chat/completions`, Ollama's `/api/generate` on port 11434): the URL is right,
    /// so the model the request named is what was not found, likely.
    ProviderRoute404,
    /// A router's 404 on a route many servers lack (`/responses`, `/messages`,
    /// `/embeddings`): the route is likely missing there.
    RouteMissing,
    /// The application has no provider or model configured yet: nothing was sent.
    SetupMissing,
    /// The client stopped before sending: a setting of its own (a config file's keys, a
    /// base URL, a timeout option, an app id) is missing or wrong.
    ClientConfig,
    /// The client could not read the answer it got (a field it requires missing, a body
    /// that is not JSON), by its own runtime's exception.
    ClientDecode,
    /// A request in another API's shape than its route's (chat's `messages` on
    /// `/responses`): the client's wire format is set wrong.
    WireMismatch,
    /// An API or service not enabled for the project the key belongs to (Google's
    /// SERVICE_DISABLED): enabling it is the fix, not the key.
    ServiceDisabled,
    /// A part inside the server (a backend, a runner, a binary) is missing: the server's
    /// install, not the request.
    ServerPartMissing,
    /// The request lacks a field the server requires (`model`, or one inside a message):
    /// the fix adds it, never removes anything.
    FieldMissing,
    /// A key missing inside a field's entries (`messages.7.content`, `input[3].id`), which
    /// the request does carry: the hint names the field and never asks to add it.
    FieldMissingWithin,
    /// A tool refused by its JSON schema (a keyword the endpoint does not take, strict mode's
    /// rules): the schema changes, the tools stay.
    ToolSchema,
    /// The server says the model does not do what the route does (an embedding model on
    /// chat, a chat model on `/completions`): the id is right, the route is not.
    ModelCapability,
    /// Only the model id's words (`bge-m3`, `whisper-1`) say it is of another kind than the
    /// route it went to, where the server did not find it.
    CapabilityByName,
    /// The model has no chat template as the server loaded it: a base model for
    /// `/completions`, or a template the server must be given.
    NoChatTemplate,
    /// An SDK that refuses to send a request without streaming whose output cap could run
    /// past its non-streaming time limit (Anthropic's SDKs, "Long Requests").
    LongRequest,
    /// A client's typed method refused a parameter the API it wraps never had (vLLM's
    /// `top_k` to openai-python's `create()`): only the SDK's pass-through sends it.
    SdkPassThrough,
    /// A streaming client refused an answer whose Content-Type is not `text/event-stream`
    /// (httpx-sse, fetch-event-source, reqwest-eventsource, okhttp-sse): often an error body.
    SseRefused,
    /// The client's own limit on the response headers fired (undici's headersTimeout, Go's
    /// Client.Timeout before a response): a request without streaming gets them only once
    /// the whole answer is generated.
    HeadersTimeout,
    /// The client's own limit fired while the body was still coming (undici's bodyTimeout,
    /// Go's Client.Timeout mid-body): a long generation outlasted it.
    BodyTimeout,
    /// A body that broke off mid-read, in words that do not say whether the connection was
    /// cut or the client's own timeout fired (reqwest's decode error, an HTTP/2 reset).
    BodyReadFailed,
    /// The account or organisation behind the key is suspended, disabled, locked or
    /// restricted by the provider: its console and support restore it, not a new key.
    AccountSuspended,
    /// The account's plan, tier or subscription (or its kind of account) does not include
    /// this model or feature.
    PlanRequired,
    /// The key itself is restricted to some models, routes or permissions.
    KeyRestricted,
    /// A parameter's value refused, not the parameter ("must be one of", "Unsupported
    /// value", "only 0.6 is allowed"): the fix changes the value, never drops the key.
    ParamValue,
    /// A parameter called invalid with no word on whether the key or its value is: the
    /// fix holds either way.
    ParamValueOrDrop,
    /// A gateway that finds no provider for the model supporting every parameter sent, or
    /// none its routing settings leave (OpenRouter's "can handle the requested
    /// parameters"): the parameter is unnamed, so the fix finds it.
    ParamsNoProvider,
    /// A gateway's own guardrail (Portkey's hooks, Cloudflare AI Gateway's Guardrails)
    /// blocked the prompt or the answer, not the provider's filter.
    GatewayGuardrail,
    /// A gateway's router has no deployment of the model it may send to now (LiteLLM's
    /// cooldown after failures): the failure that put them there is the cause.
    GatewayCooldown,
    /// A self-hosted server that refuses what it was not started for, naming the flag
    /// (llama.cpp's --jinja for tools, its physical batch size; TGI's grammar support).
    ServerFlag,
    /// A self-hosted server whose queue is full: it serves a set number of requests at once.
    ServerQueue,
    /// More inputs in one (embeddings) request than the endpoint takes.
    BatchTooLarge,
    /// A quota whose limit is 0: the tier does not cover this model or metric at all.
    QuotaZero,
    /// The account can pay for a smaller output cap only (OpenRouter's "fewer max_tokens").
    AffordFewerTokens,
    /// JSON mode refused because no message says "JSON".
    JsonWordRequired,
    /// A relay's (one-api, new-api) own refusal of the token, user or group the client holds
    /// there: the relay's console fixes it, not the provider's key.
    RelayToken,
    /// A relay's channel (the upstream account its administrator configured), or the
    /// upstream's answer about it passed on: the relay's administrator fixes it.
    RelayChannel,
    /// A 429 with nothing else to read: a rate limit, or (OpenAI and others) no credit left.
    BareRateLimit,
    /// A Google Cloud API key whose API restrictions leave out the API called.
    ApiKeyRestricted,
    /// A gateway's 502/503 whose words are a connection failure of its own request to the
    /// server behind it: the client's leg worked.
    GatewayUpstream,
    /// A body in another model family's format than the model's (Bedrock's InvokeModel
    /// bodies differ per vendor): the integration for this model is the fix, not dropping
    /// the keys the validator names.
    BodyFormat,
    /// Gemini's own reason for a blocked prompt or answer (`promptFeedback.blockReason`,
    /// `finishReason` SAFETY, PROHIBITED_CONTENT, BLOCKLIST, SPII, RECITATION).
    GeminiSafety,
    /// A model Google's API does not serve (now, on this API version, or in this region):
    /// Google retires and renames models, so the fix lists them, never spells them.
    GoogleModelId,
    /// A 404 without a message from a Google client, which puts the model id and the API
    /// version in the URL: the model or the version, likely, not the base URL.
    GoogleModelPath,
    /// A Google model called by a method it does not serve (a chat model on embedContent,
    /// an embedding model on Vertex's embedContent where it serves predict).
    GoogleMethod,
    /// A model that takes no system instruction (Gemma on the Gemini API): the system
    /// prompt goes into the first user turn.
    NoSystemInstruction,
    /// A key the provider blocked because it was found exposed in public: a new key.
    KeyLeaked,
    /// A tool call's arguments in the request's history refused as not JSON: the model
    /// wrote them in an earlier turn and the client sent them back unchanged.
    ReplayedToolArgs,
    /// The assistant's thinking blocks (Anthropic's shape) were not sent back in the next
    /// turn, where the server requires them.
    ThinkingBack,
    /// A 429 with nothing but a client's boilerplate around it, from any provider: a rate
    /// limit or a spent quota, which the paste does not tell apart.
    SilentRateLimit,
    /// Node's fetch (undici) or a browser said only "fetch failed" / "Failed to fetch":
    /// the cause is in the error's `cause`, which the paste lacks.
    FetchFailed,
}

/// What a hint may mention beyond the kind itself. All optional: a hint must read well
/// with none of it.
#[derive(Debug, Default, Clone)]
pub struct HintContext<'a> {
    pub provider: Option<Provider>,
    pub key_env: Option<&'a str>,
    pub model: Option<&'a str>,
    pub param: Option<&'a str>,
    pub suggestions: &'a [String],
    /// The error page came from a reverse proxy (HTML 502/503/504), not the model server.
    pub gateway: bool,
    pub retry_after_secs: Option<u64>,
    /// Where the provider serves this model, when it pins families to routes (Zen).
    pub home: Option<&'a str>,
    /// The target is a provider of an opencode.json: fixes name its config keys.
    pub opencode_provider: Option<&'a str>,
    /// The classifier rule that decided, when it words the hint better (`classify::rules`).
    pub rule: Option<RuleHint>,
    /// From `zencheck explain`: speak of the user's application, not of zencheck's flags.
    pub offline: bool,
    /// The request carried no credential at all (no key, no auth header).
    pub no_key_sent: bool,
    /// A well-known key variable that is set, when the target names none (OPENAI_API_KEY…).
    pub key_candidate: Option<&'a str>,
    /// The check the hint is for, when it words it its own way.
    pub check: Option<CheckHint>,
    /// A base URL that answers GET /models where this one 404s everywhere (it plus /v1).
    pub answering_base_url: Option<&'a str>,
    /// The answer showed reasoning (reasoning tokens or fields): an output cap it hit went
    /// to reasoning, and the fix is worded for reasoning models.
    pub reasoning: bool,
    /// The gateway between client and provider, when its headers named it.
    pub via: Option<Gateway>,
    /// Reasoning tokens the answer's usage counted (with [`RuleHint::AnsweredAtLargerCap`]:
    /// at the cap that answered).
    pub reasoning_tokens: Option<u64>,
    /// The smallest output cap tried that the model answered within, when a smaller one
    /// was spent on reasoning first.
    pub answered_cap: Option<u64>,
}

impl Kind {
    /// Every kind, in declaration order: derived from the enum, so none can be left out.
    pub const ALL: &'static [Kind] = Kind::VARIANTS;

    /// Kinds that only `zencheck explain` and the opencode checks produce: a probe's tiny
    /// requests cannot be aborted by a user, and only opencode loads provider packages (an
    /// output limit a probe meets is a reasoning model's: `output_length`). Nor are its
    /// one-word prompts too large for a tier, a tool call to parse, or a content filter's
    /// trigger: those come from `explain`.
    /// A WAF or risk-control block (`blocked`) is read by the probe's classifier too, but
    /// no mock scenario serves a challenge page yet.
    /// A gateway that changed what passed through it (`gateway_altered`) is seen by
    /// `zencheck fidelity` only, which knows both sides.
    pub const NOT_FROM_PROBES: [Kind; 6] = [
        Kind::Aborted,
        Kind::ProviderInit,
        Kind::RequestTooLarge,
        Kind::ToolCallMalformed,
        Kind::ContentFilter,
        Kind::GatewayAltered,
    ];

    /// The stable code: strum's name for the variant, snake_case as serde writes it, so the
    /// two cannot drift (`codes_are_unique_and_round_trip` holds them to it).
    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Auth => "Authentication rejected",
            Kind::Billing => "Billing or quota exhausted",
            Kind::RateLimit => "Rate limited",
            Kind::AccessDenied => "Access denied",
            Kind::ModelNotFound => "Model not found",
            Kind::WrongRoute => "Model served on another route",
            Kind::ParamRejected => "Parameter rejected",
            Kind::ParamIgnored => "Parameter accepted but ignored",
            Kind::BadRequest => "Request rejected",
            Kind::ServerError => "Server error",
            Kind::Timeout => "Timed out",
            Kind::Network => "Network failure",
            Kind::BaseUrl => "Base URL is wrong",
            Kind::BadResponse => "Malformed response",
            Kind::ModelMismatch => "Another model answered",
            Kind::NotSse => "Stream is not SSE",
            Kind::StreamMalformed => "Malformed stream event",
            Kind::StreamTruncated => "Stream cut short",
            Kind::StreamStalled => "Stream stalled",
            Kind::StreamError => "Error inside the stream",
            Kind::StreamNoDone => "Stream ends without [DONE]",
            Kind::StreamNoFinish => "Stream ends without a finish_reason",
            Kind::StreamBuffered => "Stream arrives all at once",
            Kind::ContextOverflow => "Context window exceeded",
            Kind::ContextTruncated => "Long prompt cut silently",
            Kind::OutputLength => "Output cut at its length limit",
            Kind::Aborted => "Request aborted by the client",
            Kind::ProviderInit => "Provider package failed to load",
            Kind::Redirect => "Redirected elsewhere",
            Kind::RequestTooLarge => "Request larger than the limit allows",
            Kind::ToolCallMalformed => "Model emitted a malformed tool call",
            Kind::ContentFilter => "Blocked by a content filter",
            Kind::Blocked => "Blocked by a firewall or risk control",
            Kind::GatewayAltered => "Gateway changed what passed through",
            Kind::ColdStart => "Cold start: the model was not loaded yet",
            Kind::AddressFamily => "One address family refuses",
        }
    }

    /// What the failure means, and how it looks from an application (field guide §9), for
    /// `zencheck explain`.
    pub fn meaning(self) -> &'static str {
        match self {
            Kind::Auth => "The server refused the credentials. SDKs raise AuthenticationError; the AI SDK's streamText shows an empty stream and reports it only to onError.",
            Kind::Billing => "The account cannot pay for the request: no credit, quota or spending cap reached. It does not pass by retrying, although SDKs classify a 429 insufficient_quota as a rate limit and retry it.",
            Kind::RateLimit => "Too many requests or tokens in the current window. It passes after a wait; the server usually says how long (Retry-After, x-ratelimit-*).",
            Kind::AccessDenied => "The key is valid but not allowed to use this model or route from here.",
            Kind::ModelNotFound => "The server does not serve this model id (status varies: 404, 400 on LiteLLM, 401 on Zen). The id is wrong, not loaded, or not available to this key.",
            Kind::WrongRoute => "This API route (wire format) does not serve the request here: the model is served on another route, or the server has no such route and serves another API.",
            Kind::ParamRejected => "The server refused a request parameter it does not support. Streaming clients see an empty stream or a generic error.",
            Kind::ParamIgnored => "The server accepted a parameter and did not honour it; nothing errors, the effect is just missing.",
            Kind::BadRequest => "The server refused the request's shape or content.",
            Kind::ServerError => "The server or a proxy in front of it failed. Often transient; a proxy's HTML page means the upstream is down or slow.",
            Kind::Timeout => "No answer, or not all of it, came in time. Clients wait long by default (openai-python 600 s per read; the AI SDK sets no limit).",
            Kind::Network => "The connection failed before any HTTP answer: DNS, refused, reset, TLS, or closed.",
            Kind::BaseUrl => "The URL does not point at the API: wrong path prefix (often a missing /v1) or an endpoint pasted into the base URL.",
            Kind::BadResponse => "The answer is not in the shape clients expect (HTML with 200, non-JSON, missing fields); clients fail later on a missing field.",
            Kind::ModelMismatch => "A different model answered than the one asked for; SDKs do not notice.",
            Kind::NotSse => "A streaming request was answered without an event stream.",
            Kind::StreamMalformed => "A stream event is not valid JSON: the AI SDK drops it silently, openai-python raises a bare JSONDecodeError.",
            Kind::StreamTruncated => "The stream stopped before its end marker (a cut connection or a dead upstream): openai-python raises, the AI SDK returns partial text with finishReason 'error'.",
            Kind::StreamStalled => "The stream went silent with the connection open; only an idle timeout ends it.",
            Kind::StreamError => "The server sent an error event inside a successful (200) stream.",
            Kind::StreamNoDone => "The stream never sent `data: [DONE]`; common SDKs accept that, strict clients wait.",
            Kind::StreamNoFinish => "The stream ended (with `data: [DONE]`) but no chunk carried a `finish_reason`: strict clients treat every turn as aborted and retry; agents cannot tell a finished answer from a cut one.",
            Kind::StreamBuffered => "The stream arrived in one burst at the end: something buffers it, so users see no progressive output.",
            Kind::ContextOverflow => "The input is longer than the model's context window.",
            Kind::ContextTruncated => "A long prompt was answered as if its start was never sent: the server cut it without an error.",
            Kind::OutputLength => "The model stopped because it reached the output token limit, not because it was done.",
            Kind::Aborted => "The request was cancelled on the client side before the answer completed.",
            Kind::ProviderInit => "The client could not load the provider's package or library (opencode's AI SDK package, a Python, Node, Java or Go client library), or loaded another version than the calling code expects, so no request reached the provider.",
            Kind::Redirect => "The server answered with a redirect instead of the API: the base URL is an old or moved address (http instead of https, a missing or extra path).",
            Kind::RequestTooLarge => "This one request needs more tokens than the account's per-minute window (or the server's size limit) allows at all: it never passes on retry, however long you wait.",
            Kind::ToolCallMalformed => "A tool call the model produced could not be parsed as one: in this answer (the request itself was fine, and the same request may pass on another try), or in an earlier turn the request sends back (then the history is what to repair).",
            Kind::ContentFilter => "The provider's content filter blocked the prompt or the answer. The request is well-formed; its content tripped a safety policy.",
            Kind::Blocked => "A web application firewall, a CDN's bot challenge or a relay's risk control refused the request before it reached the model: the credential was never judged and may be fine.",
            Kind::ColdStart => "The model was not loaded when the request came (a serverless scale-up, Ollama loading the weights, a gateway warming its upstream, a model evicted after an idle spell): the server either held the request until it was, so the first answer was slow and the ones after it fast, or refused it at once as \"loading\" (a 503). The endpoint works; a client whose timeout is shorter than that wait, or that does not retry a loading refusal, fails once after every idle spell.",
            Kind::AddressFamily => "The host name resolves to an IPv6 and an IPv4 address and only one of them accepts connections (`localhost` is ::1 and 127.0.0.1; a server bound to 127.0.0.1 refuses ::1). Clients that try one address only (Node.js before 20, promptfoo#160) fail with ECONNREFUSED although the server is up.",
            Kind::GatewayAltered => "A gateway between the client and the provider changed what passed through it: a request parameter dropped or rewritten, or a status, header, error message or token count replaced. Each side looks fine on its own; the difference is in the middle.",
        }
    }

    /// What turns on a route the server does not offer (an `unsupported` row has no kind),
    /// when the server's own words say: llama.cpp names the flag it was not started with.
    pub fn unsupported_hint(rule: Option<RuleHint>) -> Option<String> {
        (rule == Some(RuleHint::FeatureOff)).then(|| {
            "To turn this route on, restart the server with the flag its message \
             names (llama.cpp: llama-server --embeddings for /v1/embeddings, --reranking for rerank), or send these \
             requests to a server that serves them."
                .to_string()
        })
    }

    /// The one thing to change. Worded for the provider when zencheck knows it.
    pub fn hint(self, cx: &HintContext<'_>) -> String {
        let p = cx.provider;
        let key_env = cx.key_env.unwrap_or("the key variable (--api-key-env)");
        let model = cx.model.unwrap_or("the model");
        if cx.check == Some(CheckHint::Fidelity) {
            if let Some(h) = fidelity_hint(self, cx) {
                return h;
            }
        }
        if let Some(h) = relay_hint(self, cx.rule) {
            return h;
        }
        match self {
            Kind::Auth if cx.rule == Some(RuleHint::KeyLeaked) => "Google blocked this key because it was found \
                 exposed in public (a repository, a page, a log): it will not work again. Create a new key (Google AI \
                 Studio → API keys, or the Cloud console's Credentials), delete the old one, and keep the new one out of \
                 code, URLs and logs (send it in the x-goog-api-key header, not ?key=); check the project's usage for \
                 calls you did not make."
                .to_string(),
            Kind::Auth => match p {
                _ if cx.no_key_sent && !cx.offline && cx.opencode_provider.is_none() => no_key_hint(cx),
                Some(Provider::Zen) => format!(
                    "Zen rejected the key: create one at https://opencode.ai/auth and export it as {key_env}. \
                     The body's error.type says AuthError; any other 401 type from Zen is not a key problem."
                ),
                Some(Provider::Ollama | Provider::Lmstudio) if cx.offline => "This server normally needs no key: a 401 means a proxy \
                     in front of it demands one. Send the proxy's key from your application."
                    .to_string(),
                Some(Provider::Ollama | Provider::Lmstudio) => "This server normally needs no key: a 401 means a proxy in front of it demands one. \
                     Send the proxy's key with --api-key-env or --header."
                    .to_string(),
                Some(Provider::Vllm) => format!(
                    "vLLM was started with --api-key: export the same value as {key_env}."
                ),
                Some(Provider::Litellm) => format!(
                    "LiteLLM wants its master key or a virtual key: export it as {key_env}."
                ),
                _ if cx.opencode_provider.is_some() => format!(
                    "The provider refused opencode's key: set options.apiKey of provider \"{}\" in opencode.json (or \
                     {{env:VAR}} pointing at a current key), or run `opencode auth login`.",
                    cx.opencode_provider.unwrap_or_default()
                ),
                _ if cx.offline => "Check that your application sends a current key for this provider (keys are per provider, \
                     and per project on OpenAI), and that nothing between it and the server strips the Authorization header."
                    .to_string(),
                _ => format!(
                    "Check that {key_env} holds a current key for this provider (keys are per provider, and per project on OpenAI), \
                     and that nothing between you and the server strips the Authorization header."
                ),
            },
            Kind::Billing if cx.rule == Some(RuleHint::QuotaZero) => "The quota for this model on your tier is 0 \
                 (`limit: 0`): the tier does not include the model at all (Gemini's free tier lists models it does not \
                 cover that way), so no wait lifts it, whatever \"retry in …\" the message adds. Use a model your tier \
                 covers, or enable billing (a paid tier) for the project the key belongs to."
                .to_string(),
            Kind::Billing if cx.rule == Some(RuleHint::AffordFewerTokens) => "The account can pay for a smaller answer only: lower max_tokens \
                 (the provider reserves credit for the whole cap up front; clients such as opencode send 32000) or add credits. \
                 Retrying as is will not pass."
                .to_string(),
            Kind::Billing => match p {
                Some(Provider::Zen) => "Add a payment method or credits in the OpenCode Zen console, or raise the monthly limit. \
                     Retrying will not help."
                    .to_string(),
                Some(Provider::Openai) => "insufficient_quota is billing, not a rate limit: add credit on the OpenAI billing page or raise the project's budget. \
                     SDKs raise it as RateLimitError and retry it; stop them."
                    .to_string(),
                _ => "The account has no credit or hit a spending cap: top it up or raise the limit with the provider. \
                     Do not retry: it will not pass on its own."
                    .to_string(),
            },
            Kind::RateLimit if cx.rule == Some(RuleHint::GatewayCooldown) => {
                let wait = cx
                    .retry_after_secs
                    .map_or(String::new(), |s| format!(" (it names {s} s)"));
                format!(
                    "The gateway's router has no deployment of this model it may send to right now: each one is cooling down \
                     after recent failures (LiteLLM's router). The cause is the error that \
                     put them there: read it in the gateway's log or its /health answer and fix that (a wrong key, model id or \
                     quota upstream); the cooldown itself ends on its own{wait}. Nothing in this request has to change."
                )
            }
            Kind::RateLimit if cx.rule == Some(RuleHint::ServerQueue) => "The server serves a set number of requests at \
                 once and its queue is full (Ollama: OLLAMA_NUM_PARALLEL at once, OLLAMA_MAX_QUEUE waiting; KoboldCpp: one \
                 generation, --multiuser to queue more; TGI: --max-concurrent-requests): send fewer requests at once and \
                 retry after a short wait, or raise the server's limits if its memory allows."
                .to_string(),
            // OpenAI answers 429 for both its rate limits and insufficient_quota: a bare one says
            // neither, so the fix names both.
            Kind::RateLimit
                if cx.rule == Some(RuleHint::BareRateLimit)
                    && cx.retry_after_secs.is_none()
                    && p == Some(Provider::Openai) =>
            {
                "A 429 from OpenAI with nothing else to read is a rate limit or, as often, an account with no credit or \
                 quota left (insufficient_quota), which no wait lifts. Read the body's error code: \
                 insufficient_quota or a billing message means adding credit or raising the budget; anything else, retry \
                 with backoff and lower the request rate or concurrency (Retry-After and the x-ratelimit-* headers say \
                 when the window resets)."
                    .to_string()
            }
            // The client kept nothing of the answer but its status: the fix names both readings
            // of a 429, whoever the provider is.
            Kind::RateLimit if cx.rule == Some(RuleHint::SilentRateLimit) && cx.retry_after_secs.is_none() => {
                "A 429 with nothing else kept is a rate limit or, as often, an account with no credit or quota left \
                 (OpenAI and others answer 429 for both; a spent quota never passes by waiting). Read the response body \
                 the client dropped (log it, or send the same request with curl): a quota or billing message means \
                 adding credit or raising the budget; anything else, retry with backoff and lower the request rate or \
                 concurrency."
                    .to_string()
            }
            Kind::RateLimit if cx.offline => match cx.retry_after_secs {
                Some(s) => format!(
                    "The server asked to wait {s} s: retry after that, then lower your application's request rate or \
                     concurrency, or ask the provider for a higher tier."
                ),
                None => "Retry with backoff and lower your application's request rate or concurrency; the x-ratelimit-* \
                     headers or the message say when the window resets."
                    .to_string(),
            },
            Kind::RateLimit => match cx.retry_after_secs {
                Some(s) => format!(
                    "The server asked to wait {s} s (Retry-After). Lower the request rate or concurrency (--concurrency), \
                     or ask the provider for a higher tier; zencheck waits it out only when it is short (--max-retry-wait)."
                ),
                None => "Lower the request rate or concurrency (--concurrency) and retry with backoff; \
                     check the x-ratelimit-* headers or the message for when the window resets."
                    .to_string(),
            },
            Kind::ModelNotFound | Kind::AccessDenied if cx.rule == Some(RuleHint::MissingOrNoAccess) => format!(
                "The server says {} either does not exist or this key may not use it, and does not say which. List the \
                 models this key can use (GET …/v1/models with the same key). If the id is listed, your application \
                 sends something else (compare it character by character: vendor prefix, date suffix). If it is not \
                 listed but the provider documents it, this key's account or project lacks access: on OpenAI some models \
                 need a higher usage tier or a verified organisation, and a project can restrict its models; use a model \
                 the list shows, or get access. Retrying as is will not pass.",
                cx.model.map_or("the model".to_string(), |m| format!("`{m}`"))
            ),
            Kind::AccessDenied if cx.rule == Some(RuleHint::ApiKeyRestricted) => "The key is valid, but its API \
                 restrictions leave out the API this request calls (Google Cloud: API_KEY_SERVICE_BLOCKED, \"Requests to this \
                 API … are blocked\"). In the Google Cloud console, under APIs & Services → Credentials, edit the key and add \
                 the API named in the message (Generative Language API, Vertex AI API, Firebase AI Logic API) to its allowed \
                 APIs, and check that API is enabled for the project; or use a key without that restriction."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::ProviderRouting) => "The gateway has providers for this model, but none \
                 that your settings allow: check the account's privacy and data-policy settings (OpenRouter: \
                 https://openrouter.ai/settings/privacy, where paid-model training and data retention exclude providers) and \
                 any provider allow/ignore list in the request or the account, or pick a model an allowed provider serves."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::OrgVerification) && cx.param == Some("stream") => "Streaming \
                 this model needs a verified organisation (the answer blames `stream`): verify the organisation in the \
                 provider's settings (OpenAI: Settings → Organization → General → Verify; it can take a few minutes to \
                 apply), or turn streaming off for this model in your client (send stream: false) until then. The key is \
                 valid and the model is right."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::OrgVerification) && cx.param.is_some() => format!(
                "Sending `{}` to this model needs a verified organisation: verify the organisation in the provider's \
                 settings (OpenAI: Settings → Organization → General → Verify; it can take a few minutes to apply), or \
                 leave `{}` out of requests for this model until then. The key is valid and the model is right.",
                cx.param.unwrap_or_default(),
                cx.param.unwrap_or_default()
            ),
            Kind::AccessDenied if cx.rule == Some(RuleHint::OrgVerification) => "The organisation behind the key must be verified \
                 before it may use this model (or stream it): verify it in the provider's settings (OpenAI: Settings → \
                 Organization → General → Verify), which can take a few minutes to apply; until then, call the model without \
                 streaming if only streaming is gated, or use another model."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::RegionNotServed) => "The provider does not serve the region the request \
                 comes from: call it from a supported region (a server there, or the provider's regional endpoint), or use a \
                 provider that serves yours. A new key will not help."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::AccountSuspended) => "The provider has suspended, disabled, locked \
                 or restricted the account or organisation behind the key (for a policy review, a security check or a payment \
                 matter): read the provider's console and e-mail for the reason, and ask its support to restore it. Neither a \
                 new key in the same account nor retrying will help."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::PlanRequired) => "The account's plan, tier or subscription (or \
                 the kind of account signed in) does not include this model or feature: use a model the plan includes, or \
                 change the plan in the provider's console, or sign in with the kind of account the message names. The key \
                 itself is valid."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::KeyRestricted) => "The key is valid but restricted to some \
                 models, routes or permissions: widen what it may do in the provider's console (OpenAI: API keys → \
                 Permissions, and the project's allowed models; Google Cloud: the key's API restrictions), or use a key \
                 without the restriction."
                .to_string(),
            Kind::AccessDenied if cx.rule == Some(RuleHint::ServiceDisabled) => "The API or service is not enabled for the \
                 project the request is billed to: enable it there (Google Cloud: APIs & Services → Library → the Vertex AI \
                 API or the Generative Language API, for the project the message names; the message often carries the \
                 link), wait a few minutes for it to apply, then try again. Nothing about the sign-in has to change."
                .to_string(),
            Kind::AccessDenied => match p {
                Some(Provider::Zen) => "Zen's free models answer only the OpenCode client itself (FreeTierError): \
                     use a paid model with a key that has credit, or call it through opencode. Do not imitate the client."
                    .to_string(),
                _ if cx.no_key_sent && !cx.offline => format!(
                    "{} If {model} is still refused with a key, check the key's project/organisation permissions, \
                     the model's access tier, and region restrictions.",
                    no_key_hint(cx)
                ),
                _ => format!(
                    "The key is valid but may not use {model} from here: check the key's project/organisation permissions, \
                     the model's access tier, and region restrictions."
                ),
            },
            Kind::ModelNotFound if cx.rule == Some(RuleHint::GoogleModelId) => "Google retires and renames its models \
                 (gemini-pro, gemini-1.0-pro and the 1.5 models are gone; a preview stops when its stable model ships) and \
                 serves each on some API versions and methods only, so an id that worked before can answer 404 or 400 \
                 today. List the models this key can use (GET https://generativelanguage.googleapis.com/v1beta/models; on \
                 Vertex AI, the model versions page and Model Garden for the project's region) and send a current id that \
                 lists this method in its supportedGenerationMethods; on Vertex AI also check that the model is offered in \
                 the region the client calls and that the project may use it."
                .to_string(),
            Kind::ModelNotFound if cx.rule == Some(RuleHint::OllamaBare404) => format!(
                "Ollama answers a model it has not pulled with 404 and the client dropped the message: run `ollama \
                 list` on the server and `ollama pull {}` (the exact id and tag the app sends, e.g. llama3.2:latest) if \
                 it is missing. If the model is listed under that exact name, the path is what was not found: the base \
                 URL is http://HOST:11434 for Ollama's own API and http://HOST:11434/v1 for OpenAI-compatible clients.",
                cx.model.unwrap_or("<model>")
            ),
            Kind::ModelNotFound if cx.rule == Some(RuleHint::GoogleModelPath) => "Google's clients build the URL from the \
                 model id and the API version (…/v1beta/models/ID:generateContent; Vertex AI: …/locations/REGION/publishers/\
                 google/models/ID:generateContent), so a 404 with no message most likely means the model: an id Google \
                 retired or renamed (gemini-pro, gemini-1.0-pro, the 1.5 models), one this API version does not serve, or \
                 one not offered in that Vertex region. List the models the key can use and send a current id; only if the \
                 client is given a custom endpoint or base URL, check that too. Log the response body: Google's own 404 \
                 names what it did not find."
                .to_string(),
            Kind::ModelNotFound if cx.rule == Some(RuleHint::ProviderRoute404) => "The URL in the error is the provider's \
                 own route at its own address, so the base URL is right: a 404 there most likely means the model id the \
                 request names is not served (OpenAI answers an unknown model, or one the key may not use, with 404; Ollama's \
                 /api/generate and /api/chat answer a model it has not pulled with 404). Compare the id your application sends \
                 with GET …/models for the same key (for Ollama, `ollama list`, then `ollama pull` that id). The client hid \
                 the response body: log it, it names what was not found."
                .to_string(),
            Kind::ModelNotFound if cx.rule == Some(RuleHint::RouteAnswered) => "The server answered this route in its API's \
                 own error format, so the URL reaches the API: what it did not find is what the request named, most likely \
                 the model id, or a model this key may not use. Compare the id your application sends with the ids GET \
                 …/models lists for the same key (spelling, vendor prefix, date suffix); if it is listed, the key's project, \
                 tier or region lacks access to it. The message in the evidence names what was not found."
                .to_string(),
            Kind::ModelNotFound => {
                let closest = if !cx.suggestions.is_empty() {
                    format!("Closest listed ids: {}", cx.suggestions.join(", "))
                } else if let Some(id) = cx.opencode_provider {
                    format!(
                        "Pick a model of provider \"{id}\" in opencode.json (its \"models\" keys) that the endpoint serves; check the \
                         spelling, the vendor prefix and any date suffix"
                    )
                } else if cx.offline {
                    let named = cx.model.map_or(String::new(), |m| format!("The message names `{m}`. "));
                    format!(
                        "{named}Use an id the server lists (GET …/v1/models with the same key); check the spelling, the \
                         vendor prefix and any date suffix in what your application sends"
                    )
                } else if cx.suggestions.is_empty() {
                    "Pick an id the server lists (run zencheck probe without --model to see them); check the spelling, \
                     the vendor prefix and any date suffix"
                        .to_string()
                } else {
                    format!("Closest listed ids: {}", cx.suggestions.join(", "))
                };
                let how = match p {
                    Some(Provider::Ollama) => match cx.model {
                        Some(m) => format!(" Run `ollama pull {m}` first, or use the exact tag `ollama list` shows."),
                        None => " Pull it first with `ollama pull` and the id your app sends, or use the exact tag `ollama list` shows.".to_string(),
                    },
                    Some(Provider::Vllm) => " vLLM serves only its --served-model-name (or the model path it was started with).".to_string(),
                    Some(Provider::Lmstudio) => " Load the model in LM Studio first; its id is the one in the server tab.".to_string(),
                    Some(Provider::Zen) => " Zen answers an unknown id with 401 ModelError; its /models list is the only live truth.".to_string(),
                    Some(Provider::Openrouter) => " OpenRouter ids carry the vendor prefix (openai/…, anthropic/…).".to_string(),
                    _ if cx.rule == Some(RuleHint::AzureDeployment) => " On Azure the id is your deployment's name (Azure AI Foundry → \
                         Deployments), not the model's; a deployment created in the last minutes may not be served yet."
                        .to_string(),
                    _ => String::new(),
                };
                format!("{closest}.{how}")
            }
            Kind::WrongRoute if cx.rule == Some(RuleHint::WireMismatch) => "The request reached this route in another \
                 API's shape: chat's `messages` on /responses, or the Responses API's `input` on /chat/completions. Set the \
                 client's wire API to the one the server speaks (Codex: wire_api = \"chat\" for a server with chat \
                 completions only; the AI SDK: openai.chat(…) instead of openai(…)), or send each shape to its own route."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::ApiVersion) => "The deployment serves this model or feature only \
                 under another api-version than the one the client sent: set the client's api-version (the `api-version` query \
                 parameter; AZURE_OPENAI_API_VERSION or the SDK's api_version) to the version the message or the model's \
                 documentation names, usually a later one. The key and the model id are fine."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::RouteMissing) => "The server answered this route with a 404 of its \
                 router (or logged one), not its API's error: it likely has no such route (many OpenAI-compatible servers serve only \
                 /chat/completions, not /responses, /messages, /embeddings or the legacy text /completions). Check whether \
                 the same base URL answers /chat/completions: if it does, point the client at the API the server has (Codex: \
                 wire_api = \"chat\"; an Anthropic client: an OpenAI-compatible provider; a text-completions client: its chat \
                 class, such as LlamaIndex's OpenAILike(is_chat_model=True) or lm-eval's local-chat-completions) or use a \
                 server that serves this route; if it does not either, the base URL is wrong."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::FeatureOff) => "The server as it was started does not offer this \
                 route: restart it with the flag its message names (llama.cpp: llama-server --embeddings for /v1/embeddings, \
                 --reranking for rerank), or send these requests to a server that serves them. Retrying the same request will \
                 not help."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::GoogleMethod) => "The model exists, but not for the method \
                 the client called: each Google model serves its own methods (Gemini and Gemma models generateContent and \
                 streamGenerateContent; embedding models embedContent on the Gemini API, while on Vertex AI some embedding \
                 models are called with predict; Imagen predict; Live models bidiGenerateContent only). Read the model's \
                 supportedGenerationMethods (GET …/v1beta/models/ID, or its Vertex AI model page) and call it by one of them \
                 (in an SDK: the embedding call for an embedding model, the generate call for a chat model), or pick a \
                 model that serves this method. The id itself is not the problem."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::ModelCapability) => "The model exists, but it is not a \
                 model for this route: the server says it does not do what the route does. Send the request to the route \
                 for the model's type (an embedding model to /embeddings, a reranker to /rerank, an image model to \
                 /images/generations, speech models to /audio/…, a chat model to /chat/completions rather than \
                 /completions), or pick a model of the type this route needs (the provider's model list, or `ollama \
                 show`, names each model's capabilities). A server that loaded the model for another task (vLLM's \
                 --task or --runner, Infinity, TEI) serves it only there. The id itself is not the problem."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::CapabilityByName) => "The model's id reads as another kind \
                 of model than the route the request went to (an embedding, rerank, image or audio model on a chat route, \
                 or the reverse), and the server did not accept it there. Check the model's type in the provider's model \
                 list: if it is of another kind, call the route for that kind (/embeddings, /rerank, /images/generations, \
                 /audio/…) or pick a model of the type this route needs; if it is meant for this route, compare the id \
                 with the ids the server lists (GET …/models)."
                .to_string(),
            Kind::WrongRoute if cx.rule == Some(RuleHint::NoChatTemplate) => "The model, as the server loaded it, \
                 has no chat template, so the chat route cannot turn messages into a prompt. A base (pretrained) model is \
                 for /completions: send it a prompt there. An instruct model whose tokenizer ships no template needs one \
                 given to the server (vLLM: --chat-template with the template from the model's card; llama.cpp: --jinja \
                 or --chat-template). Retrying the same request will not help."
                .to_string(),
            Kind::WrongRoute => match (p, cx.home) {
                (Some(Provider::Zen), Some(home)) => format!(
                    "Zen serves {model} on {home}: call that route, through that package if you use the AI SDK or an \
                     opencode custom provider."
                ),
                (Some(Provider::Zen), None) => format!(
                    "Zen serves {model} on another route: GPT models on /responses (@ai-sdk/openai), Claude on /messages \
                     (@ai-sdk/anthropic), the rest on /chat/completions (@ai-sdk/openai-compatible). Call that route."
                ),
                _ => format!("The server offers {model} only on another API route: call the route the provider documents for it."),
            },
            Kind::ParamRejected if cx.rule == Some(RuleHint::LongRequest) => "The client library refused to send this \
                 request without streaming: with this max_tokens it could run past the limit it allows a non-streaming call \
                 (Anthropic's SDKs: about 10 minutes, README \"Long Requests\"). Stream the request (messages.stream, or \
                 stream: true), or send a smaller max_tokens if the answer does not need that many tokens; setting the \
                 client's timeout explicitly also lifts the check. Nothing reached the server."
                .to_string(),
            Kind::ParamRejected if cx.rule == Some(RuleHint::ServerFlag) => format!(
                "The server, as it was started, does not take `{}`: restart it with the flag its message names \
                 (llama.cpp: llama-server --jinja for tools and tool_choice; TGI: without --disable-grammar-support for \
                 response_format), or send the request without it to this server. Retrying as is will not pass.",
                cx.param.unwrap_or("this parameter")
            ),
            Kind::ContextOverflow if cx.rule == Some(RuleHint::CapOverWindow) => "The output cap the request asks for \
                 (`max_tokens` / `max_completion_tokens`) does not fit beside the input in the model's context window: lower \
                 it to at most the window minus the input (the message gives both numbers), or leave it unset so the server \
                 uses what is left; a client that sets the cap to the whole window (a model's advertised context length as \
                 its output limit) fails on every request. Shorten the input only if it alone is near the window."
                .to_string(),
            Kind::ContextOverflow if cx.rule == Some(RuleHint::NegativeCap) => "The output cap the request carried \
                 was below zero. Clients and agent frameworks that compute it as the context window minus the prompt's \
                 length send a negative cap when the prompt alone already fills the window, so this is most likely a \
                 prompt too long for the window: shorten the history or the retrieved context, or serve the model with \
                 a larger window (vLLM --max-model-len, llama.cpp --ctx-size). If you set the cap yourself, set it to a \
                 positive number. Retrying as is will not pass."
                .to_string(),
            Kind::ContextOverflow if cx.rule == Some(RuleHint::ServerFlag) => "The input is longer than the server, as \
                 it was started, takes in one piece (llama.cpp: an embedding or rerank input must fit the physical batch): \
                 send shorter inputs (smaller chunks), or restart the server with a batch at least as long as the longest \
                 input (llama-server --ubatch-size and --batch-size, within --ctx-size). Retrying as is will not pass."
                .to_string(),
            Kind::ParamRejected if cx.rule == Some(RuleHint::SdkPassThrough) => {
                let p = cx.param.unwrap_or("the parameter");
                format!(
                    "The client library refused `{p}` before sending anything: its typed create() takes only the parameters of \
                     the API it wraps, and `{p}` is not one of them, so upgrading the library will not add it. If the server \
                     takes `{p}` (vLLM, SGLang and other servers read extra sampling parameters), send it through the SDK's \
                     pass-through: openai-python and the Anthropic SDK `extra_body={{\"{p}\": …}}`, openai-node a \
                     `// @ts-expect-error` line above it (sent as-is), openai-java `putAdditionalBodyProperty`, openai-go \
                     `option.WithJSONSet`. If it is a setting of your own code, not of the request, leave it out of the call."
                )
            }
            Kind::ParamRejected => match (cx.opencode_provider, cx.param) {
                (Some(id), Some("stream_options")) => format!(
                    "opencode sends stream_options on every turn to this provider and the endpoint refuses it: in opencode.json set \
                     \"provider\": {{\"{id}\": {{\"options\": {{\"includeUsage\": false}}}}}}."
                ),
                _ => param_rejected_hint(cx.param, cx.rule),
            },
            Kind::ParamIgnored => param_ignored_hint(cx.param),
            Kind::BadRequest if cx.rule == Some(RuleHint::ThinkingBack) => "With thinking on, this server wants each \
                 assistant turn sent back with the thinking blocks it came with (DeepSeek's Anthropic-compatible API, Claude \
                 with tool use): the request's history lacks them. Send assistant messages back exactly as received, \
                 thinking blocks and their `signature` included (a client or relay that keeps only the text drops them), \
                 or turn thinking off for this conversation."
                .to_string(),
            Kind::BadRequest if matches!(cx.param, Some("signature" | "thinking")) => "A layer between the client and the \
                 model changes Anthropic's thinking blocks: with extended thinking on, the assistant turn that called a tool \
                 must go back opening with its thinking block, its `signature` exactly as received, or the model's server \
                 refuses the tool result (\"Invalid `signature` in `thinking` block\", \"Expected `thinking` or \
                 `redacted_thinking`\"). Every agent loop with thinking (Claude Code, the AI SDK's anthropic provider) fails on \
                 its second turn. A relay that translates /messages through OpenAI's format, or re-serialises the blocks, is \
                 the usual cause: make it pass `thinking` and `redacted_thinking` blocks through byte for byte, call the \
                 provider directly, or turn thinking off for tool use."
                .to_string(),
            Kind::BadRequest if cx.param.is_some_and(|k| crate::reasoning::CHAT_FIELDS.contains(&k)) => {
                reasoning_required_hint(cx.param.unwrap_or("reasoning_content"))
            }
            Kind::BadRequest | Kind::ServerError
                if cx.check == Some(CheckHint::ToolRoundtrip) && matches!(cx.param, Some("tool" | "content")) && !cx.gateway =>
            {
                roundtrip_refused_hint(self, p, cx.param)
            }
            Kind::BadResponse if cx.param == Some("tool_calls") => tool_calls_hint(p),
            Kind::BadResponse if cx.rule == Some(RuleHint::ContentEncoding) => "The answer's Content-Encoding does not \
                 match its body (or names an encoding the client did not ask for: clients such as openai-python and \
                 openai-node ask for gzip, deflate), and clients fail to read it. Usually a proxy in front of the server: one \
                 whose HTTP client decompressed the upstream's answer must drop the upstream's Content-Encoding and \
                 Content-Length headers before passing the body on."
                .to_string(),
            Kind::BadRequest if cx.rule == Some(RuleHint::HeaderRequired) => "The server requires a request header this \
                 request did not send; its message names it. Set it in the client's default headers (openai-python and the \
                 Anthropic SDK `default_headers=`, the AI SDK `headers:`). Anthropic's `anthropic-dangerous-direct-browser-access` \
                 means a browser calls the API directly with the key: set it only if shipping the key to browsers is intended; \
                 otherwise call the API from your backend. The key itself is not the matter."
                .to_string(),
            Kind::BadRequest if cx.rule == Some(RuleHint::JsonWordRequired) => "JSON mode (`response_format` \
                 {\"type\": \"json_object\"}) is accepted only when a message says the answer must be JSON (OpenAI, \
                 DeepSeek and Qwen check for the word): add \"Answer in JSON.\" to the system or user message and keep \
                 response_format as it is."
                .to_string(),
            Kind::BadRequest if cx.rule == Some(RuleHint::BodyFormat) => "The request body is in another model family's \
                 format than this model takes: Bedrock's InvokeModel bodies differ per vendor (Anthropic's messages with \
                 anthropic_version, Cohere's message or texts, Titan's inputText, Llama's and Mistral's prompt), and the \
                 validator lists the keys the model lacks and the ones it does not know. Use the client or integration \
                 that matches this model id (or update it: the model may be newer than the integration), or call the \
                 Converse API, which takes one format for every model. Dropping the keys it names is not the fix."
                .to_string(),
            Kind::BadRequest | Kind::ServerError if cx.rule == Some(RuleHint::ChatTemplate) => {
                template_hint()
            }
            Kind::BadRequest => match cx.rule {
                Some(RuleHint::FieldMissing) => match cx.param {
                    Some("model") => "The request carries no model, and the server requires one: set the model id in \
                         the client's configuration (an empty or unset model setting sends none), or pass it with the call."
                        .to_string(),
                    Some(field) => format!(
                        "The request lacks `{field}`, which the server requires: add it (the message names it); a client \
                         or gateway that builds the body may be leaving it out."
                    ),
                    None => "The request lacks a field the server requires, at the path the message names: when the path \
                         is inside a message (messages.N.content…), the client built that message without it (an empty \
                         text block or a tool result with no content is the usual cause); add it or drop the empty part."
                        .to_string(),
                },
                Some(RuleHint::FieldMissingWithin) => format!(
                    "An entry of `{}` lacks a key the server requires, at the path the message names: the client \
                     built that entry without it (an empty text block, a tool result with no content or a part without \
                     its id is the usual cause); add it or drop the empty part.",
                    cx.param.unwrap_or("messages")
                ),
                Some(RuleHint::NoSystemInstruction) => "This model takes no system (developer) instruction: Gemma \
                     models on the Gemini API take only user and model turns, and some older or image-generation Gemini \
                     models refuse one too. Put the system prompt at the start of the first user turn instead (many \
                     clients do it for Gemma when told the model has no system role), stop sending an empty one, or pick \
                     a model that accepts system instructions."
                    .to_string(),
                Some(RuleHint::ToolMessageOrder) => "The conversation's tool turns are out of order: each `tool` message must \
                     follow the assistant message whose tool_calls it answers, with the same tool_call_id, and every call \
                     needs its answer before the next user turn. Check how your client trims history: a cut that drops \
                     the assistant message is the usual cause."
                    .to_string(),
                Some(RuleHint::RolesAlternate) => "The provider takes a conversation whose roles alternate: after \
                     the system message(s), user (or tool) and assistant turns in turn, starting with a user turn. \
                     Merge consecutive messages of one role (two user turns in a row are the usual cause, e.g. after \
                     a trimmed history or a tool result sent as a user message) before sending."
                    .to_string(),
                _ => match cx.param {
                    Some(p @ ("messages" | "input" | "prompt" | "system" | "contents")) => format!(
                        "A part of `{p}` is refused as sent (the message says which and why): fix that part in the \
                         client that builds it (an empty or wrongly typed content part, a role or order the server does \
                         not take, an item left over from another provider's format); the other parameters are fine."
                    ),
                    Some(p) => format!(
                        "The server refused the value of `{p}` as sent (the message says what is wrong with it): send a \
                         value it takes, or leave `{p}` out if your application does not need it; a client or gateway \
                         that fills it in may be the one to change."
                    ),
                    None if cx.offline => "Read the provider's message: it names what in the request is refused. \
                         When it is vague, send a minimal request (one user message, nothing else) and add your \
                         parameters back one at a time to see which one it refuses."
                        .to_string(),
                    None => "Read the provider's message in the evidence: the request shape is refused. \
                         Compare it with what your client sends (zencheck sends a minimal valid request)."
                        .to_string(),
                },
            },
            Kind::ServerError if cx.rule == Some(RuleHint::ServiceAt404) => "The provider's own address answered its own \
                 route with a 404 and no body: the address is the provider's documented one, so the service is the likelier \
                 cause (an incident, or the route moved in a newer client). Check the provider's status page and whether \
                 others see it, update the client, and retry later; if it lasts, report it with the request or cf-ray id."
                .to_string(),
            Kind::ServerError => {
                if p == Some(Provider::Litellm) && !cx.gateway {
                    format!(
                        "LiteLLM failed on its side, or on the upstream it routes to (the message names it). \
                         LiteLLM also answers a request without a key with a bare 500: check that {key_env} is set."
                    )
                } else if cx.gateway && cx.rule == Some(RuleHint::CloudflareGateway) {
                    "The page came from Cloudflare's edge, not the model server: Cloudflare could not get a valid answer from \
                     the origin behind it (520-523: the origin is down, refused, or closed the connection). Check that the \
                     origin server is up and reachable from Cloudflare; the Ray ID on the page identifies the request."
                        .to_string()
                } else if cx.gateway {
                    "The error page came from a reverse proxy, not the model server: check that the upstream is up and \
                     reachable from the proxy, and the proxy's upstream timeouts (nginx proxy_read_timeout)."
                        .to_string()
                } else if cx.rule == Some(RuleHint::ServerPartMissing) {
                    "A part inside the server is missing (the message names it: a backend, a runner, a binary), so it \
                     cannot load or run the model whatever the request says: install or enable that part on the server \
                     (LocalAI: the backend from its gallery, or an image that bundles it), or pick a model whose backend \
                     the server has. Sending the same request again fails the same way."
                        .to_string()
                } else if cx.rule == Some(RuleHint::ServerResources) {
                    "The server cannot fit the model in its memory (RAM, VRAM or KV cache): load a smaller or more quantised \
                     model, lower its context size, or free memory on that machine. Sending the same request again fails the same way."
                        .to_string()
                } else {
                    "The server failed on its side: check the provider's status page or the server's log, and quote the request \
                     id when reporting it. A busy or restarting server (502, 503, 529) answers a later attempt with backoff; a \
                     failure that repeats on the same request will not go away by itself."
                        .to_string()
                }
            }
            Kind::Timeout if cx.rule == Some(RuleHint::HeadersTimeout) => "No response headers came within the client's own \
                 limit (undici's headersTimeout, 300 s by default under Node's fetch; Go's http.Client.Timeout or \
                 Transport.ResponseHeaderTimeout). A request without streaming gets its headers only once the whole answer \
                 is generated, so a long generation needs stream: true (headers then come at once) or a longer headers \
                 timeout; sending it again unchanged waits just as long. If short requests time out too, the server is \
                 overloaded or still loading the model: check that it answers."
                .to_string(),
            Kind::Timeout if cx.rule == Some(RuleHint::BodyTimeout) => "The answer had begun, then the client's own limit \
                 fired while its body was still coming (undici's bodyTimeout: 300 s without a byte, under Node's fetch; Go's \
                 http.Client.Timeout, which covers reading the whole body): a long generation, or a reasoning model's pause \
                 before its next token, outlasted it. Raise that limit for generation requests (undici: a dispatcher Agent \
                 with a larger bodyTimeout, or 0 with a cancel of your own; Go: a longer Client.Timeout, or a per-request \
                 context deadline), or ask for a shorter answer; sending it again unchanged stops at the same point. If even \
                 short answers stall, the server is stuck mid-stream: check its log."
                .to_string(),
            Kind::Timeout => {
                if cx.gateway {
                    "A proxy gave up waiting for the upstream (504/524): raise its read timeout, or stream so bytes flow \
                     before it expires (Cloudflare cuts at about 100 s)."
                        .to_string()
                } else if cx.offline {
                    "No answer came in time: is the server overloaded or still loading the model? Check it is up, then raise \
                     your client's timeout only if a slow first byte is expected."
                        .to_string()
                } else {
                    "No answer within the bound. Is the server overloaded or loading the model? Raise --timeout only if a \
                     slow first byte is expected; your app's client will wait just as long (openai-python 600 s, the AI SDK has no limit)."
                        .to_string()
                }
            }
            Kind::Network => match cx.rule {
                Some(RuleHint::FetchFailed) => "Node's fetch (undici) and browsers say only \"fetch failed\" / \"Failed to \
                     fetch\", whatever happened; the error's cause names it (printed as `[cause]:` under it in Node, the network \
                     tab in a browser). Most often the server was not reachable (ECONNREFUSED, ENOTFOUND: check the host, the \
                     port, a proxy, and that the server is running); no answer headers within 300 s is undici's own headers \
                     timeout (UND_ERR_HEADERS_TIMEOUT), common with local servers on long prompts: stream the answer or raise \
                     the client's timeout; in a browser, a CORS refusal reads the same."
                    .to_string(),
                Some(RuleHint::ProxyAuth) => "A forward proxy between your client and the server refused the \
                     request (407 Proxy Authentication Required): give the proxy its credentials (http://user:pass@proxy:port in \
                     HTTPS_PROXY, or your client's proxy setting), or bypass it for this host with NO_PROXY. The provider never \
                     saw the request."
                    .to_string(),
                Some(RuleHint::ProxyForLocalhost) => "A proxy set in HTTP_PROXY/HTTPS_PROXY/ALL_PROXY answered for a local address and could \
                     not reach the server: add localhost,127.0.0.1 to NO_PROXY (or unset the proxy for this client), then check the \
                     server is listening."
                    .to_string(),
                Some(RuleHint::TlsScheme) => "The client and the server do not speak the same protocol on that port: https to a port that \
                     answers plain http gives \"wrong version number\", plain http to a port that serves https gives \"The plain HTTP \
                     request was sent to HTTPS port\". Use the scheme that port serves: http:// for a local server without TLS, \
                     https:// for one behind TLS."
                    .to_string(),
                Some(RuleHint::Dns) => "The host name does not resolve: check its spelling in the base URL, this machine's \
                     DNS (and the VPN, for an internal host), or use its IP address. Behind a proxy (HTTPS_PROXY), the proxy \
                     resolves it: check NO_PROXY and the proxy's own DNS."
                    .to_string(),
                Some(RuleHint::TlsCertificate) => "The server's certificate is not trusted by this client: a self-signed certificate or a \
                     corporate proxy that intercepts TLS. Give the client the CA bundle (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, \
                     NODE_EXTRA_CA_CERTS) rather than turning verification off."
                    .to_string(),
                Some(RuleHint::TlsHostname) => "The server's certificate names another host than the one in the base URL: use the \
                     host name the certificate was issued for (not an IP address or an internal alias), or, behind a proxy that \
                     intercepts TLS, give the client that proxy's CA bundle (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS). \
                     Do not turn verification off: sending the request again does not change the certificate."
                    .to_string(),
                Some(RuleHint::TlsExpired) => "The certificate is outside its validity dates: either the server's certificate has \
                     expired (its operator must renew it) or this machine's clock is wrong (check its date, time and time zone). \
                     Sending the request again changes neither."
                    .to_string(),
                Some(RuleHint::TlsHandshake) => "The TLS handshake failed before any certificate was judged: the client and the \
                     server (or a proxy between them) share no protocol version or cipher, or a proxy that intercepts TLS broke the \
                     handshake. Update the client's TLS stack (an old OpenSSL, a .NET Framework without TLS 1.2), check for a \
                     proxy or security product in between (HTTPS_PROXY), and that the port serves TLS at all."
                    .to_string(),
                Some(RuleHint::ConnectRefused) => "Nothing accepted the connection at that host and port: start the server \
                     (ollama serve, your vLLM or LM Studio server), check the port in the base URL, and that the server listens \
                     where this client looks: inside Docker, 127.0.0.1 is the container itself (use host.docker.internal or the \
                     service's name), and a server bound to 127.0.0.1 refuses other machines (bind it to 0.0.0.0)."
                    .to_string(),
                Some(RuleHint::RefusedOnIpv6) => REFUSED_ON_IPV6.to_string(),
                Some(RuleHint::Unreachable) => "The host never answered the connection: a firewall or VPN dropping it, an address \
                     with no route from this network, or a provider blocked where you are (then a proxy through HTTPS_PROXY is the \
                     way). Check the address in the base URL and that this machine reaches it (curl -v against the base URL); a \
                     longer timeout does not open a connection that is dropped."
                    .to_string(),
                Some(RuleHint::Offline) => "This machine (or the app's sandbox) has no network connection: check Wi-Fi or cable, a \
                     VPN or captive portal, and the app's network permission (cellular data on iOS, the outgoing-connections \
                     entitlement of a sandboxed macOS app)."
                    .to_string(),
                Some(RuleHint::ConnectionReset) => "The connection opened, then the other end or something between cut it: a \
                     firewall, a VPN or a security product that inspects traffic, a proxy (HTTPS_PROXY), a server that crashed or \
                     restarted, or TLS sent to a plain-http port. Check what sits between and the server's log; a single reset can \
                     be retried, a reset on every request will not go away by retrying."
                    .to_string(),
                Some(RuleHint::ProxyRefused) => "The proxy was reached but would not open a tunnel to the API's host: its status says why (403: its policy blocks \
                     the host or port, ask its administrator to allow it; 400: it did not understand the request, so check that the \
                     proxy URL's type and port are right, an HTTP proxy as http://, a SOCKS one as socks5://). Or bypass it for this \
                     host with NO_PROXY if the host can be reached directly. The provider never saw the request."
                    .to_string(),
                Some(RuleHint::ProxyUnreachable) => "The client could not reach the proxy it was told to use (HTTPS_PROXY, \
                     HTTP_PROXY, ALL_PROXY or its own proxy setting): check the proxy's host, port and scheme (most forward proxies \
                     take http://host:port, even in HTTPS_PROXY), that it runs, or unset it, or add the API's host to NO_PROXY when \
                     no proxy is needed. The provider never saw the request."
                    .to_string(),
                _ => "Check the host and port, that the server is running and listening on that interface, and any proxy or \
                     firewall between (HTTPS_PROXY, NO_PROXY). On a TLS error, check that the scheme (http vs https) matches the port."
                    .to_string(),
            },
            Kind::BaseUrl if cx.answering_base_url.is_some() => format!(
                "use {0}: GET {0}/models answers. Give the base URL that ends just before /chat/completions; \
                 clients append the endpoint path themselves.",
                cx.answering_base_url.unwrap_or_default()
            ),
            Kind::BaseUrl if cx.rule == Some(RuleHint::UrlUnusable) => "The client could not build a URL from the base URL \
                 it was given: the scheme is missing (`localhost:4000/v1` or `api.example.com/v1` without http:// or \
                 https://), or it is not a URL at all (an unset variable, a stray quote or space, a port without a host). \
                 Write it whole, e.g. http://127.0.0.1:4000/v1 for a local server or https://… for a provider; no request \
                 was sent."
                .to_string(),
            Kind::BaseUrl if cx.rule == Some(RuleHint::HttpsOnly) => "The server takes HTTPS only and refused a plain-HTTP \
                 request: use https:// in the base URL (and check that no proxy or gateway in between rewrites it to \
                 http://). Sending it again over http:// will not pass."
                .to_string(),
            Kind::BaseUrl => "Give the base URL that ends just before /chat/completions (usually …/v1): clients append the \
                 endpoint path themselves. Many servers need the /v1 suffix (Ollama, vLLM, LM Studio, LiteLLM)."
                .to_string(),
            Kind::BadResponse if cx.rule == Some(RuleHint::ClientDecode) => "The client could not read the answer it got: a \
                 field its code requires was missing, null or of another type, or the body was not JSON at all. No HTTP error \
                 reached your code, so the cause is in what came back: log the raw status and body (or send the same request \
                 with curl). Often it is an error object the client took for a result (a refused key, model or quota), a \
                 proxy's or gateway's page, or an OpenAI-compatible server that leaves out a field this client version \
                 requires: the error inside the body, or a client version that tolerates the missing field, is the fix."
                .to_string(),
            Kind::BadResponse => bad_response_hint(cx.check),
            Kind::ModelMismatch if cx.opencode_provider.is_some() => "opencode used another model than the one asked for: send the \
                 model nested, {\"model\":{\"providerID\",\"modelID\"}}, in POST /session/{id}/message; a flat providerID/modelID \
                 is ignored and the server's default model answers (upgrade or patch an SDK that sends it flat)."
                .to_string(),
            Kind::ModelMismatch if cx.check == Some(CheckHint::UnknownModel) => match p {
                Some(Provider::Litellm) => "LiteLLM answers ids it does not serve with another model when the config has a \
                     wildcard route (model_name: \"*\") or default_fallbacks: remove them or list the ids you serve, so a typo \
                     fails with 400/404 instead of running another model. Until then, check every model id your app sends \
                     against GET /models."
                    .to_string(),
                _ => "The gateway answers model ids it does not serve with a model of its own (a default model, a fallback \
                     chain or a fuzzy match): turn that off or make unknown ids fail with 404 model_not_found, so a typo is \
                     an error instead of another model, another price and another behaviour. Until then, check every model id \
                     your app sends against GET /models."
                    .to_string(),
            },
            Kind::ModelMismatch => format!(
                "The server answered with another model than {model}: a silent fallback or an alias. SDKs do not notice. \
                 Check the gateway's routing/fallback settings and that the id is one it serves."
            ),
            Kind::NotSse if cx.rule == Some(RuleHint::SseMislabelled) => "The stream itself works, but its Content-Type \
                 is not text/event-stream. Set that header in the server, or in the proxy that rewrites it. Until then \
                 openai-python, openai-node and the AI SDK read the stream, while clients that check the label \
                 (httpx-sse, @microsoft/fetch-event-source, async-openai 0.35 and earlier) refuse it: keep streaming on."
                .to_string(),
            Kind::NotSse if cx.rule == Some(RuleHint::SseRefused) => "Your streaming client refused the answer because \
                 its Content-Type is not text/event-stream, so it never showed what the answer said. Most often that answer \
                 is an error in JSON (a bad key, an unknown model, a quota) or an HTML page from a proxy: send the same request \
                 without streaming, or with curl -i, to read it, and fix what it says. If the answer is a whole completion, \
                 the server or a proxy ignored stream: true: turn streaming off for this endpoint, or make the server stream."
                .to_string(),
            Kind::NotSse => "The server ignored stream:true or answered with a non-SSE content type. If a proxy rewrites it, \
                 stop it; if the server cannot stream, turn streaming off in your client for this endpoint."
                .to_string(),
            Kind::StreamMalformed => "An event's data is not JSON: your client will drop it silently (AI SDK) or raise a bare \
                 JSONDecodeError (openai-python). Fix the server or proxy that rewrites the stream."
                .to_string(),
            Kind::StreamTruncated | Kind::StreamStalled | Kind::StreamNoDone
                if cx.check == Some(CheckHint::OpencodeEvents) =>
            {
                "opencode's /event stream never reported the session idle (session.status idle / session.idle) after the \
                 prompt: the assistant's parts may never reach a client that waits for it. Check opencode's log for the \
                 provider call, and give your client a timeout on the session rather than on the event stream."
                    .to_string()
            }
            Kind::StreamTruncated if cx.rule == Some(RuleHint::BodyReadFailed) => "The answer's body broke off while the \
                 client read it, and the client's words do not say why: a cut connection (the upstream died, a proxy's read \
                 timeout, an HTTP/2 reset from the server's side) or the client's own timeout firing mid-body (reqwest's \
                 timeout() covers the whole body and reports it as a decode error). Read the error's cause chain (reqwest: \
                 is_timeout(), source()): if it is the client's timeout, raise it above the longest generation; otherwise \
                 check the server's log and any proxy's read timeout around the request."
                .to_string(),
            // A pasted error that names no layer between the client and the server: say what
            // is known (the server's side closed early), not a proxy the evidence does not show.
            Kind::StreamTruncated if cx.offline && !cx.gateway && cx.via.is_none() => "The stream ended before \
                 finish_reason/[DONE]: the connection closed after the answer began, from the server's side or something on \
                 the path to it. Check the provider's status and its log around the request id; a cut is usually transient, \
                 so one retry of the request is safe; if it recurs on long answers, look for an idle or read timeout on the \
                 path and stream with a client that handles a cut (the AI SDK returns finishReason 'error')."
                .to_string(),
            Kind::StreamTruncated => "The stream ended before finish_reason/[DONE]: the upstream died after sending headers or a \
                 proxy cut it. Check server logs around the request id and the proxy's timeouts; make the server send an error \
                 event instead of closing the socket."
                .to_string(),
            Kind::StreamStalled => "The stream went silent with the socket open. Find what holds it (upstream stuck, a proxy \
                 waiting to fill a buffer); give your client an idle timeout, since the AI SDK has none."
                .to_string(),
            Kind::StreamError => "The server reported an error inside a 200 stream: its message is in the evidence. Your client \
                 only sees it if it reads error events (AI SDK: onError; openai-python raises)."
                .to_string(),
            Kind::StreamNoDone => "The stream ends without `data: [DONE]`. Common SDKs tolerate it, but strict clients wait for \
                 it until they time out: have the server send it, or end on finish_reason in your client."
                .to_string(),
            Kind::StreamNoFinish => match cx.provider {
                Some(Provider::Zen) => "Zen streams this model without a final finish_reason (opencode#43379, #43882): strict \
                     clients (oh-my-pi, the Pi agent SDK) abort every turn and retry. Use another model for streaming, or \
                     treat [DONE] after content as finish_reason \"stop\" in your client until the gateway is fixed."
                    .to_string(),
                _ => "The server (or a gateway translating another API) must end every stream with a chunk whose \
                     choices[0].finish_reason is set (stop, length, tool_calls). Until it does, strict clients fail each \
                     turn and opencode before PR #47079 loops on it; a client can treat [DONE] after content as \"stop\"."
                    .to_string(),
            },
            Kind::ContextOverflow => format!(
                "The prompt (messages, tools, files) is longer than {model}'s context window: trim the history, summarise or \
                 truncate it, send fewer tool definitions, or pick a model with a larger window."
            ),
            Kind::ContextTruncated => "The server cut a long prompt to fit its context window and answered anyway, so the \
                 start of the conversation (system prompt, tool definitions, early turns) is lost without an error. Ollama: \
                 raise num_ctx (OLLAMA_CONTEXT_LENGTH, or a Modelfile `PARAMETER num_ctx`: /v1 ignores per-request options); \
                 llama.cpp: a larger --ctx-size; a gateway that trims history: turn it off and let the server refuse with \
                 context_length_exceeded so agents compact."
                .to_string(),
            Kind::OutputLength if cx.rule == Some(RuleHint::AnsweredAtLargerCap) => answered_at_larger_cap(cx),
            Kind::OutputLength if cx.reasoning || cx.rule == Some(RuleHint::ReasoningSpentCap) => match cx.opencode_provider {
                Some(id) => format!(
                    "The model spent the whole output cap on reasoning and wrote no answer: the endpoint works, the cap is too \
                     small for a reasoning model. In opencode.json raise the model's \"limit\": {{\"output\": …}} under provider \
                     \"{id}\" (reasoning models need hundreds to thousands of tokens even for a one-word answer), or set its \
                     \"options\": {{\"reasoningEffort\": \"low\"}} if the endpoint honours reasoning_effort."
                ),
                None => "The model spent the whole output cap on reasoning and wrote no answer: the endpoint works, the cap is too \
                     small for a reasoning model. Raise max_completion_tokens (or max_tokens / max_output_tokens; reasoning models \
                     need hundreds to thousands of tokens even for a one-word answer), or lower reasoning_effort (\"low\", \
                     \"minimal\") where the endpoint honours it. Do not count such an answer as an outage in a health check."
                    .to_string(),
            },
            Kind::OutputLength => "The answer hit the output cap (max_tokens / max_output_tokens) before it finished: raise the \
                 cap, or ask for shorter output. Reasoning models spend part of the cap on reasoning."
                .to_string(),
            Kind::Redirect if cx.answering_base_url.is_some() => format!(
                "Use {} as the base URL (where the redirect points, the endpoint path taken off), if you trust it \
                 (https, the exact path): SDKs do not follow redirects on POST reliably (a 301/302/303 turns it into a GET), \
                 and a redirect to another host carries your key there.",
                cx.answering_base_url.unwrap_or_default()
            ),
            Kind::Redirect => "Use the address the redirect points to as the base URL, if you trust it (https, the exact path): \
                 SDKs do not follow redirects on POST reliably (a 301/302/303 turns it into a GET; httpx, and so openai-python \
                 given its own httpx client, follows none by default), and a redirect to another host carries your key there. \
                 The usual differences are the scheme (http for https), the host, or a trailing slash the server's router \
                 adds or strips (a 307/308 to the same path with or without `/`). Nothing failed on the server: retrying \
                 the same URL gets the same redirect."
                .to_string(),
            Kind::ProviderInit if cx.rule == Some(RuleHint::SetupMissing) => "The application has no provider or model set up \
                 yet, so no request reached any server: the key, the model id and the endpoint were never tried. Configure a \
                 provider and a model where the application reads them (its settings, its config file or the environment \
                 variables its documentation names) and start it again."
                .to_string(),
            Kind::ProviderInit if cx.rule == Some(RuleHint::ClientConfig) => "The client stopped before sending anything: a \
                 setting it needs is missing, or has another type or value than it accepts (a config file's keys, an environment \
                 variable, a constructor option such as a timeout, a base URL or an app id), or its own settings refuse the \
                 provider or model chosen. No request reached the provider, so nothing on the server's side will change it. \
                 Check the client's configuration against its documentation for the installed version; if it looks right, a \
                 newer client version may accept it."
                .to_string(),
            Kind::ProviderInit if cx.rule == Some(RuleHint::ClientModelTable) => "The client library refused the model id \
                 before sending anything: its own table of models (their names or context sizes) does not hold this id. No \
                 request reached the provider, so the key and the server are not the cause. If the id is right, update the \
                 library to a version that knows it, or declare the model to it (aider: an entry in .aider.model.metadata.json; \
                 LlamaIndex: OpenAILike, or the context window passed explicitly); if it is a typo, correct it."
                .to_string(),
            Kind::ProviderInit if cx.rule == Some(RuleHint::LibraryVersion) => "The client code and the library it calls do not match \
                 (a module or package missing, an interface removed or renamed, an argument the installed version does not know): \
                 no request reached the provider, so the key, model and endpoint are not the cause. See which version is installed \
                 (pip show, npm ls, go list -m, the lock file) and install the version the calling code was written for, or change \
                 the code to the installed library's interface."
                .to_string(),
            Kind::ProviderInit => "opencode could not load the provider's npm package: packages other than the ones bundled in its \
                 binary (such as @ai-sdk/openai-compatible) are downloaded at run time, which fails offline or behind a proxy. Use a \
                 bundled package, or start opencode once online so it caches the package."
                .to_string(),
            Kind::Aborted => "The caller cancelled the request (a user pressed stop, a timeout in your code, a closed \
                 connection): not a provider failure. If nobody cancelled, look for a client-side timeout shorter than the answer."
                .to_string(),
            Kind::RequestTooLarge if cx.rule == Some(RuleHint::BatchTooLarge) => "The request carries more inputs than the \
                 endpoint takes in one call (the message names the most it allows: SiliconFlow's embeddings take 64, \
                 DashScope's 10 or 25): split the list into batches of at most that size (most clients have a setting for \
                 it: an embedder's batch size or chunk_size). Each text itself may be fine; sending it unchanged fails the same way."
                .to_string(),
            Kind::RequestTooLarge if cx.rule != Some(RuleHint::TooLargeForTier) => "The request body is larger than the server, or a \
                 proxy in front of it (nginx client_max_body_size), accepts: send less (fewer or smaller images and files, a \
                 shorter history) or raise the size limit where it is set. Sending it unchanged fails the same way."
                .to_string(),
            Kind::RequestTooLarge => "Shrink this request (fewer or shorter messages, fewer tool definitions, a lower max_tokens: some \
                 providers count the whole max_tokens against the window) or move to a tier with a higher tokens-per-minute limit. \
                 Retrying as is never passes."
                .to_string(),
            Kind::ToolCallMalformed if cx.rule == Some(RuleHint::ReplayedToolArgs) => "A tool call's arguments in the \
                 conversation you sent are not valid JSON: the model wrote them in an earlier turn (a cut or malformed \
                 tool call) and the client sent them back as they were, so the server refuses the whole request. Repair \
                 or drop that assistant tool call and its tool result before sending the history again (or parse and \
                 re-serialise arguments before replaying them); the same history fails the same way every time."
                .to_string(),
            Kind::ToolCallMalformed => format!(
                "{model} emitted a tool call the server could not parse (Groq: see failed_generation in the body). Retry the \
                 request, lower the temperature, simplify the tool schemas, or pick a model that calls tools reliably; nothing \
                 in your request's shape needs to change."
            ),
            Kind::ContentFilter if cx.rule == Some(RuleHint::GatewayGuardrail) => "A guardrail configured on the gateway itself \
                 (Portkey's hooks, Cloudflare AI Gateway's Guardrails) blocked the prompt or the answer, before or after the \
                 model: its result (Portkey: the body's hook_results; Cloudflare: the gateway's logs) names the check that \
                 failed. Change the content, or the guardrail's configuration if the block is wrong; the key and the \
                 request's shape are fine, and sending the same text again gives the same answer."
                .to_string(),
            Kind::ContentFilter if cx.rule == Some(RuleHint::GeminiSafety) => "Gemini blocked the prompt \
                 (promptFeedback.blockReason) or stopped the answer (finishReason SAFETY, PROHIBITED_CONTENT, BLOCKLIST, \
                 SPII; RECITATION when the answer repeated source material), so the candidate came back without text. \
                 Sending the same content again gives the same answer: rephrase it, or, for SAFETY, set the request's \
                 safetySettings to a higher threshold (BLOCK_ONLY_HIGH, or BLOCK_NONE where the account allows it); \
                 prohibited content and personal data are not governed by those settings. Have the application read the \
                 finish reason before it reads the text. The request's shape and the credentials are fine."
                .to_string(),
            Kind::ContentFilter => "The provider's content filter blocked the prompt or the answer (Azure names the category in \
                 innererror.content_filter_result): rephrase the content, or ask the provider to relax the filter where it \
                 offers that (Azure: the resource's content filter configuration). Sending the same text again gives the same \
                 answer; the request's shape is fine."
                .to_string(),
            Kind::Blocked if cx.rule == Some(RuleHint::CorsRefused) => "The browser refused the answer, not the \
                 server or the network: the app runs in a page (a browser, a Chrome extension, Obsidian or another webview) \
                 whose origin the server did not allow (no Access-Control-Allow-Origin, or a request header such as \
                 x-stainless-* missing from Access-Control-Allow-Headers in the preflight). Allow the origin on the server \
                 (Ollama: OLLAMA_ORIGINS; LM Studio: enable CORS; a proxy: add the CORS headers), or send the request from \
                 the app's backend or a proxy that adds them. The key and the request may be fine; curl shows nothing, as \
                 it does not apply CORS."
                .to_string(),
            Kind::Blocked if cx.rule == Some(RuleHint::WafManagedRule) => "A web application firewall's managed \
                 rule blocked the request for what it carries, not for who sent it: AWS WAF's core rule set blocks any \
                 body over 8 KB (SizeRestrictions_BODY), `../` paths in it (GenericLFI_BODY) and markup in it \
                 (CrossSiteScripting_BODY), and an LLM request with a long prompt, file paths or HTML trips them. The key \
                 and the request's shape may be fine, and the same request is blocked again from any network: the \
                 firewall's operator must exclude the API's routes from the rule, or set the rule to Count for them \
                 (a scope-down statement on the path). Shortening this one prompt only hides it until the next."
                .to_string(),
            Kind::Blocked if cx.offline => "The credential may be fine: a firewall, CDN challenge or relay risk control stopped the request first. \
                 Confirm by sending the same request with curl from another network (or read the page: a challenge, a \
                 Ray ID or a 'blocked' notice names the layer); then ask the endpoint's operator to allow your address, client \
                 or User-Agent, or go through an allowed network. Do not probe it again and again: repeated blocked requests \
                 can get the address banned."
                .to_string(),
            Kind::Blocked => "The credential may be fine: a firewall, CDN challenge or relay risk control stopped the request first. \
                 Confirm with a client profile: `zencheck probe --as opencode` (or ai-sdk, openai-python, openai-node, litellm, \
                 codex, claude-code: the client you use) sends that client's User-Agent and headers; passing as the client and \
                 blocked as zencheck means the relay blocks unknown clients, blocked as both means your address or network (read \
                 the page: a challenge, a Ray ID or a 'blocked' notice names the layer). Then ask the endpoint's operator to \
                 allow your address or client, or go through an allowed network. Do not probe it again and again: repeated \
                 blocked requests can get the address banned."
                .to_string(),
            Kind::GatewayAltered => altered_hint(cx.param, None),
            Kind::ColdStart if cx.rule == Some(RuleHint::ModelLoading) => "The server answered before the model \
                 was loaded: it is starting up or was unloaded after an idle spell, and will answer once the weights are \
                 in memory. Wait and send the request again (an `estimated_time` or Retry-After in the answer says how \
                 long), or ask the server to hold the request until the model is ready (Hugging Face: the header \
                 x-wait-for-model: true). To avoid the wait after every idle spell, keep the model warm: a scheduled \
                 request more often than its idle timeout, a minimum of one replica on serverless endpoints, \
                 OLLAMA_KEEP_ALIVE for Ollama. Nothing in the request needs to change."
                .to_string(),
            Kind::ColdStart => match p {
                Some(Provider::Ollama) => "Ollama unloads a model after 5 idle minutes and loads it again on the next \
                     request: set OLLAMA_KEEP_ALIVE=-1 (or send keep_alive: -1) to keep it loaded, and give your client a \
                     timeout above the first wait (the AI SDK sets none; opencode's provider option \"timeout\")."
                    .to_string(),
                _ => "Give your client a timeout above the first answer's wait (openai-python waits 600 s, the AI SDK has \
                     no limit, many health checks and gateways give up after 30 s or less), or keep the model warm: a \
                     scheduled request more often than its idle timeout, or a minimum of one replica on serverless hosts. \
                     Do not read a slow first answer as an outage."
                    .to_string(),
            },
            Kind::AddressFamily => match p {
                // Read from a pasted refusal on ::1: the fix also says how to tell no server at all.
                _ if cx.rule == Some(RuleHint::RefusedOnIpv6) => REFUSED_ON_IPV6.to_string(),
                Some(Provider::Ollama) => "Use the address that answers in the base URL (http://127.0.0.1:11434/v1 \
                     instead of localhost), or make Ollama listen on both families (OLLAMA_HOST=[::]:11434)."
                    .to_string(),
                Some(Provider::Vllm | Provider::Litellm) => "Use the address that answers in the base URL (127.0.0.1 \
                     instead of localhost), or start the server on both families (--host ::)."
                    .to_string(),
                _ => "Use the address that answers in the base URL (http://127.0.0.1:PORT/v1 instead of localhost, or \
                     [::1] when only IPv6 answers), or make the server listen on both families (bind to :: with \
                     dual-stack, or to both 0.0.0.0 and ::). Node.js 20 and later try both addresses; older clients do not."
                    .to_string(),
            },
            Kind::StreamBuffered => "Every chunk arrived at once at the end: a proxy buffers the stream, or the server makes the \
                 whole answer before sending it (simulated streaming). For nginx set `proxy_buffering off` (or send \
                 `X-Accel-Buffering: no`); disable response buffering in tunnels and CDNs; check the gateway streams upstream."
                .to_string(),
        }
    }
}

/// A connection refused on ::1 (the probe's own transport failure, or a pasted one).
const REFUSED_ON_IPV6: &str = "The connection to ::1, IPv6's loopback, was refused: `localhost` resolves \
                     to ::1 first (Node.js 17 and later, many systems), and a server listening on 127.0.0.1 only refuses it. Use \
                     127.0.0.1 in the base URL instead of localhost, or make the server listen on both families (Ollama: \
                     OLLAMA_HOST=[::]:11434; others: bind to ::); if 127.0.0.1 is refused too, the server is not running, or \
                     this client runs in a container, where localhost is the container itself (use host.docker.internal or \
                     the service's name).";

/// The fix for what a gateway did to an exchange (`zencheck fidelity`), in the words of the
/// gateway when it named itself; `None` leaves the kind's general hint.
/// A fix worded for a relay (one-api, new-api and their forks) in front of the provider:
/// the relay's token page for its own refusals of the client's token, the relay's channel
/// settings (its administrator's) for what its channels or their upstreams refused.
fn relay_hint(kind: Kind, rule: Option<RuleHint>) -> Option<String> {
    let h = match (rule?, kind) {
        (RuleHint::RelayToken, Kind::Auth) => "The relay (one-api, new-api or a fork) refused the token your application \
             sends it: that token is the key the relay issued (its Tokens page), not the provider's. Copy a current token \
             from the relay's console (create a new one if it expired or was disabled) and check that the base URL is the \
             relay's.",
        (RuleHint::RelayToken, Kind::Billing) => "The quota of your token, or of your user, at the relay is used up: \
             raise the token's quota (or make it unlimited) on the relay's Tokens page, or top up the account at the relay \
             (its operator can). The provider's account is not what ran out, and the same request will not pass as is.",
        (RuleHint::RelayToken, Kind::AccessDenied) => "The relay does not let this token (or your user or group there) \
             use this model or call from here: the token's model list, IP range or group at the relay restrict it. Widen \
             them on the relay's Tokens page, use a model the token may use, or ask the relay's operator; the provider's \
             key is not involved.",
        (RuleHint::RelayChannel, Kind::ModelNotFound) => "The relay (one-api, new-api or a fork) could not serve this \
             model id: no enabled channel of your token's group lists it, or the channel it chose sent an id (or used a \
             base URL) its upstream does not know. Its administrator fixes this in the relay's channel settings: list the \
             model in a channel of that group (with a model mapping, both names), correct the mapping, or re-enable a \
             channel the relay disabled after its upstream key failed. Until then, use an id the relay lists for your \
             token (GET …/v1/models with the relay's token).",
        (RuleHint::RelayChannel, Kind::Auth) => "The key refused is the relay channel's, not yours: the relay accepted \
             your token (its own refusal would say 无效的令牌 or Invalid token) and passed on its upstream's answer. The \
             relay's administrator must replace or re-enable that channel's key (test it on the relay's Channels page); a \
             new token of yours will not help.",
        (RuleHint::RelayChannel, Kind::Billing) => "The provider account behind the relay's channel has no credit (the \
             relay passed on the provider's answer): the relay's administrator must top up that account or give the \
             channel another key. Your own quota at the relay is not what ran out, and the same request will not pass as is.",
        (RuleHint::RelayChannel, Kind::AccessDenied) => "The relay will not get this model for you through its channel: \
             the provider refused the channel's account this model (the relay passed on its answer), or the relay has no \
             price set for the model (new-api: 倍率或价格未配置). Both are the relay administrator's settings: enable the \
             model for the channel's account in the provider's console or route it to a channel that has it, or set the \
             model's price in the relay. Your token at the relay is fine.",
        (RuleHint::RelayChannel, Kind::RateLimit) => "The relay's upstream channels for your group are at their rate \
             limits (the relay says so when its upstream answered 429): retry with backoff and lower your request rate or \
             concurrency, or ask the relay's operator for more capacity on that group or model.",
        (RuleHint::RelayChannel, Kind::ServerError) => "The relay's own channel setup failed (no usable key left in the \
             channel, a disabled channel, a model mapping or override that does not parse, or the relay's database): only \
             the relay's administrator can fix it, in its channel settings or logs. The same request will not pass until then.",
        (RuleHint::RelayChannel, Kind::Timeout) => "The relay answered, but its own request to its channel's upstream ran \
             out of time (the relay's client timeout, or the response time it allows a channel): your connection to the relay \
             is fine. Ask the relay's operator to raise that limit or route the model to another channel; streaming the \
             request may get through where a whole answer does not.",
        (RuleHint::RelayChannel, Kind::Network) => "The relay answered, but its own request to its channel's upstream \
             failed (DNS, connection or TLS on the relay's side): your connection to the relay is fine. The relay's \
             administrator checks that channel's base URL and the relay's network or proxy to the provider.",
        (RuleHint::GatewayUpstream, Kind::Network) => "The server you called (a gateway, proxy or application backend) \
             answered, but its own connection to the server behind it failed (the words it passed on are a connection error: \
             DNS, refused, reset or TLS), so your connection to it works. Check its side: the upstream address it forwards to (a local model server must \
             be running and listening there, as seen from inside the gateway's container), its DNS, and any outbound proxy \
             in its environment (HTTP_PROXY, NO_PROXY); inside Docker, localhost is the container itself \
             (host.docker.internal reaches the host). Retrying from your side does not help until that leg works.",
        (RuleHint::RelayChannel, Kind::ContentFilter) => "The relay's own sensitive-word check refused the prompt before it \
             reached the provider (new-api's sensitive_words_detected): rephrase the flagged words, or ask the relay's \
             operator about its word list. The provider's filter was not involved.",
        _ => return None,
    };
    Some(h.to_string())
}

fn fidelity_hint(kind: Kind, cx: &HintContext<'_>) -> Option<String> {
    let via = cx.via;
    let h = match kind {
        Kind::GatewayAltered => altered_hint(cx.param, via),
        Kind::StreamBuffered if cx.param == Some("Content-Encoding") => match via {
            Some(Gateway::Nginx) => "nginx compressed the event stream (`gzip on;` with text/event-stream in `gzip_types`) \
                 and its compressor held the events: take text/event-stream out of `gzip_types` (or set `gzip off;` in the \
                 location that proxies the API). With `proxy_buffering off;` nginx flushes its compressor after each chunk; \
                 under the default buffering it does not."
                .to_string(),
            _ => "The gateway compressed the event stream and its compressor held the events until it had enough to \
                 compress: do not compress text/event-stream (nginx: leave it out of `gzip_types`), or flush the \
                 compressor after each event (Express's `compression`: call `res.flush()` after each write)."
                .to_string(),
        },
        Kind::StreamBuffered => match via {
            Some(Gateway::Nginx) => "nginx holds the stream in its buffer and lets it go in bursts: add `proxy_buffering off;` \
                 to the location that proxies the API (or have the upstream send `X-Accel-Buffering: no`), with \
                 `proxy_http_version 1.1;` so that the upstream's chunks arrive framed."
                .to_string(),
            Some(Gateway::Cloudflare) => "Cloudflare streams an answer whose Content-Type is text/event-stream: check that the \
                 origin sends it, and that no Worker or transform rule reads the whole body before passing it on."
                .to_string(),
            Some(Gateway::Kong) => "Kong buffers the answer: set `response_buffering: false` on this route.".to_string(),
            Some(Gateway::Uvicorn) => "The FastAPI proxy reads the upstream's whole answer before it sends anything: return a \
                 StreamingResponse (media_type text/event-stream) whose generator yields each upstream chunk as it arrives \
                 (httpx: `client.stream(...)` and `aiter_raw()`), never `await response.aread()`."
                .to_string(),
            _ => "The gateway holds the stream and lets it go in a burst: turn response buffering off for this route (nginx: \
                 `proxy_buffering off` or `X-Accel-Buffering: no`; Kong: `response_buffering: false`; a FastAPI or Next.js \
                 proxy: pass the upstream body on as a stream instead of awaiting it whole)."
                .to_string(),
        },
        Kind::StreamTruncated if cx.param == Some("silence") => match via {
            Some(Gateway::Nginx) => "nginx's proxy_read_timeout (60 s by default) cut the stream during a silence: raise it \
                 above the longest pause a stream can have (a reasoning model thinks for minutes), or have the upstream \
                 send SSE comments (`: keep-alive`) during long pauses."
                .to_string(),
            Some(Gateway::Cloudflare) => "Cloudflare cuts a connection that sends no byte for 100 s: have the upstream send SSE \
                 comments (`: keep-alive`) during long pauses."
                .to_string(),
            _ => "The gateway cut the stream during a silence: raise its read (idle) timeout above the longest pause a stream \
                 can have, or have the upstream send SSE comments (`: keep-alive`) during long pauses."
                .to_string(),
        },
        Kind::StreamTruncated => match (via, cx.param) {
            (Some(Gateway::Nginx), Some("cut")) => "nginx speaks HTTP/1.0 to the upstream by default, where a dropped \
                 connection looks like a normal end: set `proxy_http_version 1.1;` (and `proxy_set_header Connection \"\";`) \
                 so that a cut upstream reaches the client as a cut, not as a finished answer."
                .to_string(),
            (_, Some("finish_reason")) => "The gateway dropped the stream's last events (the one carrying finish_reason): \
                 clients cannot tell a finished answer from a cut one. Forward every event the upstream sends, to the end."
                .to_string(),
            (Some(Gateway::Uvicorn), _) => "The FastAPI proxy ended the stream normally after the upstream failed: clients take \
                 the partial answer for a whole one. Catch the upstream's failure inside the generator and yield it as an \
                 in-band error event (`data: {\"error\": {\"message\": …}}`) before ending, and send a first chunk only \
                 once the upstream has answered, so that an early failure can still be a real HTTP status."
                .to_string(),
            _ => "The gateway did not pass the upstream's failure on as it came, so clients cannot read what went wrong, or \
                 take a partial answer for a whole one: forward the upstream's error event (`data: {\"error\": …}`) as it \
                 came, and abort the connection when the upstream's is cut, rather than ending cleanly. A gateway that speaks \
                 HTTP/1.0 upstream (nginx's default) cannot tell a cut from an end."
                .to_string(),
        },
        Kind::StreamNoDone => "The gateway dropped `data: [DONE]` that the upstream sent: forward every event, the last \
             one included; strict clients wait for it until they time out."
            .to_string(),
        Kind::Timeout => match via {
            Some(Gateway::Nginx) => "nginx's proxy_read_timeout (60 s by default) also bounds the wait for the upstream's \
                 first byte: a slow first token gets a 504. Raise it for the API's location, and stream so that headers go \
                 first."
                .to_string(),
            Some(Gateway::Cloudflare) => "Cloudflare answers 524 when the origin sends no headers for 100 s: stream, and send \
                 the headers before the first token."
                .to_string(),
            _ => "The gateway gave up waiting for the upstream's first byte: raise its upstream read timeout (ALBs and nginx \
                 default to 60 s), and stream so that headers go first."
                .to_string(),
        },
        Kind::NotSse => "The gateway changed the stream's Content-Type: pass text/event-stream through unchanged, or \
             clients and proxies after it will not read the answer as a stream."
            .to_string(),
        _ => return None,
    };
    Some(h)
}

/// What a gateway changed, by what it changed (`param`): a request parameter, or `status`,
/// `Retry-After`, `x-request-id`, `error message`, `usage`, `Cache-Control`, `tool_calls`.
fn altered_hint(param: Option<&str>, via: Option<Gateway>) -> String {
    match (param, via) {
        (Some("status"), _) => "The gateway answered another status than the upstream's: clients decide from the status \
             whether to wait (429), retry at once (5xx) or give up (4xx), so pass the upstream's 4xx statuses through \
             unchanged (a FastAPI proxy: `JSONResponse(status_code=r.status_code, content=r.json())` instead of raising a 500)."
            .to_string(),
        (Some("Retry-After"), Some(Gateway::Litellm)) => "LiteLLM retried the 429 itself and then answered without \
             Retry-After (it keeps the value only as llm_provider-retry-after, which SDKs do not read): let clients see \
             the wait, or set num_retries for this model to what your clients expect, knowing theirs add to it."
            .to_string(),
        (Some("Retry-After"), _) => "Copy the upstream's Retry-After header onto the answer: SDKs (openai-python, the AI \
             SDK) wait exactly that long before retrying; without it they retry at once and meet the limit again."
            .to_string(),
        (Some("x-request-id"), _) => "Pass the upstream's x-request-id header through under its own name (or log it beside \
             the gateway's own id): it is the id the provider's support asks for, and the one SDKs expose."
            .to_string(),
        (Some("error message"), _) => "The gateway replaced the upstream's error message: pass the upstream's error body \
             through on a 4xx, so that the client can read which parameter or value was refused."
            .to_string(),
        (Some("usage"), _) => "The gateway changed the token counts the upstream reported: budgets, rate limits and bills \
             computed from usage are then off. Pass usage through, or say in the gateway's docs that it recounts."
            .to_string(),
        (Some("Cache-Control"), _) => "The gateway dropped `Cache-Control: no-cache` from the stream: a cache or CDN after it \
             may then hold or replay streamed answers. Pass the header through."
            .to_string(),
        (Some("Content-Encoding"), _) => "The gateway labels its answer with an encoding the body does not have (or one \
             the client did not ask for), so clients fail to read it: a proxy whose HTTP client decompresses the upstream's \
             answer (httpx, requests, fetch and aiohttp do by default) must drop the upstream's Content-Encoding and \
             Content-Length headers before passing the body on, or pass the bytes on undecoded with their headers."
            .to_string(),
        (Some("tool_calls"), _) => "The tool call the upstream made reached the client changed (name or arguments): the \
             gateway rewrites it; pass the upstream's tool_calls through unchanged."
            .to_string(),
        (Some(p), Some(Gateway::Litellm)) => format!(
            "LiteLLM did not forward `{p}`: with `drop_params: true` (in litellm_settings or the model's litellm_params) it \
             drops what it believes the model does not take. Set drop_params to false for this model, or name the parameter \
             in the model's `allowed_openai_params`."
        ),
        (Some(p), _) => format!(
            "The gateway did not pass `{p}` on as the client sent it: check its request transform or allow list. A \
             hand-written proxy must forward the client's JSON body whole, not rebuild it from the fields it knows."
        ),
        (None, _) => "The gateway changed what passed through it: compare both sides in the evidence and make it pass that \
             part through unchanged."
            .to_string(),
    }
}

/// A 401 to a request that carried no key: say so, and how to send one.
fn no_key_hint(cx: &HintContext<'_>) -> String {
    match (cx.key_candidate, cx.key_env) {
        (Some(v), _) => format!(
            "No key was sent (no Authorization header), and the server wants one. {v} is set: \
             add --api-key-env {v} to send it, or name the variable that holds this server's key."
        ),
        (None, Some(v)) => format!(
            "No key was sent: {v} is not set (or empty). Export this server's key as {v}, or name \
             another variable with --api-key-env."
        ),
        (None, None) => "No key was sent (no Authorization header), and the server wants one: export \
             the key in a variable and pass --api-key-env NAME, or send -H 'Authorization: Bearer …'."
            .to_string(),
    }
}

/// A refusal (400) or failure (500) of the turn that carries the tool result, after the
/// first turn worked: almost always the chat template, not an outage to wait out.
fn roundtrip_refused_hint(kind: Kind, p: Option<Provider>, param: Option<&str>) -> String {
    if param == Some("content") {
        return "The server refuses the assistant message it produced itself when it comes back in the history (its \
             content beside tool_calls: null or \"\"). Fix or upgrade the server; as a stopgap, make your client send \
             content as the form this server takes (\"\" instead of null, or the reverse) for assistant messages with \
             tool_calls."
            .to_string();
    }
    let server = match p {
        Some(Provider::Vllm) => "vLLM: pass a --chat-template that renders tool calls and role \"tool\" messages (the model's own tool template, e.g. from the vLLM examples), and for Mistral-family models --tokenizer-mode mistral --tool-call-parser mistral.",
        Some(Provider::Ollama) => "Ollama: use a model whose template supports tools (`ollama show --template`), or upgrade Ollama.",
        Some(Provider::Lmstudio) => "LM Studio: pick a model with tool support, or edit the model's prompt template so it accepts role \"tool\" messages.",
        _ => "llama.cpp: start llama-server with --jinja and a template with tool support (--chat-template-file); vLLM: a --chat-template that renders tool messages; Mistral-family templates need strict user/assistant alternation.",
    };
    let what = if kind == Kind::ServerError {
        "The first turn worked, so this 5xx is not an outage to retry: the server failed on the tool messages (read the message and the server's log; a jinja error means its chat template cannot render role \"tool\" or assistant tool_calls)."
    } else {
        "The server refused the turn that carries the tool result: read the message (a template that cannot render role \"tool\", ordering rules, the assistant message's content)."
    };
    format!("{what} {server} Agents break on every tool call until this is fixed.")
}

/// Tool calls a client cannot use as they are: no id, an id that is no string, shared ids,
/// arguments that are an object or no JSON.
fn tool_calls_hint(p: Option<Provider>) -> String {
    let server = match p {
        Some(Provider::Ollama) => "Upgrade Ollama (0.12.10 and later send ids on /v1) and use its /v1 route, whose arguments are strings.",
        Some(Provider::Vllm) => "Check vLLM's --tool-call-parser matches the model, and upgrade vLLM.",
        _ => "Upgrade the server (llama.cpp: a current llama-server with --jinja; Ollama 0.12.10 or later), or put a gateway that normalises tool calls (LiteLLM) in front.",
    };
    format!(
        "The server's tool calls are not in the OpenAI shape (see the detail: an id missing, empty, not a string or shared, or arguments that are not a string holding a JSON object), so clients cannot send the result back under its id or parse the arguments. {server} As a stopgap, make your client fill in missing ids (the AI SDK does for non-streamed answers) and stringify object arguments."
    )
}

/// A chat template that raised on the conversation: not a request shape zencheck can fix,
/// and not an outage a retry outlives.
fn template_hint() -> String {
    "The server's chat template cannot render this conversation (the error is the \
                     template's, even as a 500: a retry sends the same messages and fails the same way). Usual causes: a \
                     `tool` or `system` message the template does not take, two messages of one role in a row, an assistant \
                     message holding only tool_calls. Fix the server (llama.cpp: --jinja with the model's tool-capable \
                     template; vLLM: --chat-template) or merge and reorder the messages your client sends."
        .to_string()
}

/// JSON Schema keywords gateways refuse in tool parameters (Gemini's OpenAPI subset, strict
/// validators), in the order a refusal's message is searched for them.
pub const SCHEMA_KEYWORDS: &[&str] = &[
    "additionalProperties",
    "$schema",
    "$ref",
    "$defs",
    "anyOf",
    "oneOf",
    "allOf",
    "const",
    "patternProperties",
];

/// Parameters whose refusal has a fix of its own in [`param_rejected_hint`], which says what
/// to send whether the key or its value was refused.
fn has_own_fix(p: &str) -> bool {
    matches!(
        p,
        "tool_call_id"
            | "call_id"
            | "function_call_output"
            | "previous_response_id"
            | "reasoning_content"
            | "reasoning"
            | "reasoning_details"
            | "response_format"
            | "text.format"
            | "encoding_format"
            | "stream_options"
            | "include_usage"
            | "tool_choice"
            | "tools"
    ) || SCHEMA_KEYWORDS.contains(&p)
}

fn param_rejected_hint(param: Option<&str>, rule: Option<RuleHint>) -> String {
    if rule == Some(RuleHint::MessageShape) {
        return "This endpoint or model does not take the messages in the shape sent, though the API has it (its \
             message names the part): content as an array of parts where it takes a string, a part of a type it does \
             not know (a thinking block or a document from another provider's format), a role it does not accept \
             (often `system`), or a field inside a message it does not know (an empty `name`, a null `tool_calls`). \
             Send what it takes: content as one string (text parts joined; images only to a model that takes them), \
             other providers' part types left out, the system text folded into the first user message, no empty or \
             null extra fields. Many clients have a \
             setting for it (a provider's compatibility options); keep the messages themselves."
            .to_string();
    }
    // A keyword named as the parameter (the probe's reading) has its own fix below.
    if rule == Some(RuleHint::ToolSchema) && !param.is_some_and(|p| SCHEMA_KEYWORDS.contains(&p)) {
        return "The endpoint refuses a tool's JSON schema, not tools themselves: the message names the \
             keyword or the rule. Gemini's function declarations take a subset of JSON Schema (no \
             additionalProperties, $schema, examples or const; enums need a type); OpenAI's strict mode wants every \
             property listed in required (an optional one typed with null), additionalProperties false and items \
             on every array. Fix the tool's parameters schema (or let the client strip what this provider does not \
             take, or turn strict off); keep the tools."
            .to_string();
    }
    match (param, rule) {
        // Parameters whose own fix below already says what to send stay with it.
        (Some(p), Some(RuleHint::ParamValue | RuleHint::ParamValueOrDrop)) if has_own_fix(p) => {}
        (Some(p), Some(RuleHint::ParamValue)) => {
            let sampling = if matches!(p, "temperature" | "top_p") {
                " (reasoning models often take only their default)"
            } else {
                ""
            };
            return format!(
                "The server refuses the value sent for `{p}`, not the parameter: change it to one the message allows (it \
                 names the accepted values or range){sampling}. Keep `{p}` in the request where the API or the client \
                 requires it: the value is the fix."
            );
        }
        (Some(p), Some(RuleHint::ParamValueOrDrop)) => {
            return format!(
                "The server refuses `{p}` as sent, and its words do not say whether the value or the parameter itself: \
                 check the value against what this model documents (a range, a list of values) and send one it takes; \
                 if the model takes no `{p}` at all, leave it out, unless the API requires it."
            );
        }
        (None, Some(RuleHint::ParamsNoProvider)) => {
            return "No provider the gateway may route this model to supports every parameter the request carries (OpenRouter \
                 routes only to providers that take all of them when provider.require_parameters is set, and the account's \
                 or request's provider allow and ignore lists narrow them further). Find the parameter: leave out optional \
                 ones one at a time (response_format, tools and tool_choice, reasoning, logprobs, top_k), or relax the \
                 routing settings, or pick a model whose providers list it under supported parameters."
                .to_string();
        }
        (None, Some(RuleHint::ParamValue | RuleHint::ParamValueOrDrop)) => {
            return "The server refuses a parameter's value: change it to one the message allows."
                .to_string();
        }
        _ => {}
    }
    match param {
        Some(p @ ("max_tokens" | "max_completion_tokens" | "max_output_tokens" | "max_new_tokens"))
            if rule == Some(RuleHint::ParamOverLimit) =>
        {
            format!(
                "The {p} you send is above what this model allows: lower it to the maximum the message names (opencode: the \
                 model's limit.output in opencode.json), or leave it out to get the model's default."
            )
        }
        Some(p) if rule == Some(RuleHint::ParamOverLimit) => format!(
            "The server takes `{p}` but not this much of it: bring it within the limit the message names (fewer \
             entries in a list, a shorter value, a smaller number). Keep `{p}` itself: it is the size that is refused."
        ),
        Some("tool_call_id") => "The server refused a tool call id sent back with the result. Mistral-family templates want exactly 9 letters or digits (\"must be a-z, A-Z, 0-9, with a length of 9\"): when the server issued the id itself, serve the model on vLLM with --tokenizer-mode mistral --tool-call-parser mistral so it issues such ids; when the ids in the history came from another provider or your client (after a model switch), map them to 9 alphanumerics before sending history back (opencode does this for Mistral). Do not drop tool_call_id: it is required."
            .to_string(),
        Some("call_id") => "The server refused the call_id of its own function_call when the output came back: a gateway that translates /responses may not keep the mapping. Send the call_id exactly as received; if it still fails, use /chat/completions for tool loops on this endpoint."
            .to_string(),
        Some("function_call_output") => "This /responses endpoint cannot take a tool result (a gateway that translates messages only): run tool loops on /chat/completions here, or upgrade the gateway."
            .to_string(),
        Some("previous_response_id") => "This server keeps no responses: send the whole conversation again each turn (input with the function_call and its function_call_output, store: false), instead of previous_response_id. Clients that chain turns (the OpenAI Agents SDK, Codex) need a setting for that, or another endpoint."
            .to_string(),
        Some(k @ ("reasoning_content" | "reasoning" | "reasoning_details")) => format!(
            "The endpoint refuses an assistant message that carries its own earlier `{k}` (a strict validator or a gateway \
             that knows no such key). Clients that send reasoning back fail here: the AI SDK's @ai-sdk/openai-compatible \
             (3.0.35 sends it as `reasoning_content`), opencode for models whose \
             config sets `interleaved` (the default for DeepSeek models since opencode PR #24630), and DeepSeek's own \
             tool-call loop. Make the server or gateway accept and drop the key, or turn `interleaved` off for this model \
             in opencode.json."
        ),
        Some("response_format") | Some("text.format") => "The endpoint or the model refuses this structured output \
             (json_schema, strict mode or the schema itself; the message says which). Where it has only JSON mode (DeepSeek \
             and many local servers), send {\"type\": \"json_object\"} with the schema in the prompt and validate the answer \
             yourself; else use a model or provider with strict json_schema. A gateway's drop_params drops it silently: then \
             nothing enforces the schema and your app parses prose."
            .to_string(),
        Some("encoding_format") => "The endpoint refuses encoding_format: leave it out (floats are the default). Note that \
             openai-python sends encoding_format \"base64\" unless told otherwise, so it fails here the same way."
            .to_string(),
        Some("stream_options") | Some("include_usage") => "The endpoint refuses stream_options, which opencode and the AI SDK send \
             on every stream (includeUsage) and pydantic-ai always sends. opencode: set \"includeUsage\": false in the provider's \
             options; AI SDK: createOpenAICompatible({ includeUsage: false }); LiteLLM: drop_params: true."
            .to_string(),
        Some("messages") => "This model or endpoint does not take a kind of message the request sends, though the API \
             has it (the message names it): a system role (older reasoning models such as o1-mini, some proxies), content \
             given as a list of parts, or an image or document part on a text-only model. Change the message, not the \
             request's fields: put the system prompt at the start of the first user turn, send text content as a plain \
             string, or pick a model that takes images and documents. `messages` itself stays."
            .to_string(),
        Some("tool_choice") => "The endpoint refuses this tool_choice. vLLM: start with --enable-auto-tool-choice \
             --tool-call-parser <parser>; Mistral wants \"any\" instead of \"required\"; never send tool_choice without tools, \
             and omit the key rather than sending null."
            .to_string(),
        Some("tools") => "The model or endpoint does not take tools: pick a model with tool support, or turn tools off for it \
             in your client (opencode: \"tool_call\": false in the model's config)."
            .to_string(),
        Some("think") => "The model, as the server has it, does not think (Ollama reads the thinking capability from the \
             model's template): turn thinking off for it (Ollama: \"think\": false or no think at all; an OpenAI-compatible \
             client: no reasoning_effort or thinking option for this model), or pick a model the server lists with thinking."
            .to_string(),
        Some("reasoning_effort") => "The endpoint refuses reasoning_effort for this model: stop sending it (opencode: remove \
             \"reasoningEffort\" from the model's options in opencode.json; LiteLLM: drop_params: true) and bound the reasoning \
             with the output cap (max_completion_tokens) instead."
            .to_string(),
        Some("max_tokens") => "The endpoint refuses the max_tokens parameter itself. If the message says to use \
             max_completion_tokens (OpenAI reasoning models), send that instead (opencode and the AI SDK do so for those \
             models when they know them); if the endpoint takes no output cap under that name, stop sending it or let a gateway \
             translate it (LiteLLM: drop_params: true)."
            .to_string(),
        Some(k) if SCHEMA_KEYWORDS.contains(&k) => format!(
            "The endpoint refuses the JSON Schema keyword `{k}` in a tool's parameters. zod-generated schemas (the AI SDK, \
             opencode, generateObject) close every object with additionalProperties: false, so every such tool fails here, \
             not just zencheck's. Make the gateway strip or translate the keywords its backend lacks (Gemini takes a subset \
             of OpenAPI schema), or strip them in your client before sending; turning tools off is not the fix."
        ),
        Some(other) => format!(
            "Stop sending `{other}` to this endpoint: omit the key rather than sending null, or let a gateway drop it \
             (LiteLLM: drop_params: true)."
        ),
        None => "Remove the parameter the message names, or let a gateway drop unsupported ones (LiteLLM: drop_params: true)."
            .to_string(),
    }
}

/// `bad_response` says different things per check: an answer in the wrong place, an error in
/// the wrong shape, a vector that is not one.
/// The fix for a reasoning model that answered once its small first cap was raised: it did
/// answer, so the words are about the cap an application sends, with what was measured.
fn answered_at_larger_cap(cx: &HintContext) -> String {
    let raised = cx
        .answered_cap
        .map_or(String::new(), |n| format!(" to {n} tokens"));
    let measured = cx.reasoning_tokens.map_or(String::new(), |n| {
        format!(" At the cap that answered it reasoned for {n} tokens before the answer.")
    });
    let at_least = cx.answered_cap.map_or(
        "a cap well above the reasoning it spends".to_string(),
        |n| format!("a cap of at least {n} tokens (the smallest tried that answered; reasoning varies per request)"),
    );
    let how = match cx.opencode_provider {
        Some(id) => format!(
            "In opencode.json give the model {at_least} as its \"limit\": {{\"output\": …}} under provider \"{id}\", \
             or set its \"options\": {{\"reasoningEffort\": \"low\"}} if the endpoint honours reasoning_effort."
        ),
        None => format!(
            "Send this model {at_least} in max_completion_tokens (or max_tokens / max_output_tokens), or lower \
             reasoning_effort (\"low\", \"minimal\") where the endpoint honours it."
        ),
    };
    format!(
        "The model answered, but only once the output cap was raised{raised}: at the smaller cap its reasoning used every \
         token before the answer began, so an application that sends a small cap (16 to 64 tokens is common for titles, \
         classifiers and health checks) gets empty or cut text.{measured} {how} The route itself works."
    )
}

fn bad_response_hint(check: Option<CheckHint>) -> String {
    match check {
        Some(CheckHint::Structured) => "The structured answer is not where \
             clients read it: with the JSON in a reasoning field or item and content empty, the server's reasoning parser took \
             the answer for reasoning (vLLM: check the --reasoning-parser for this model, or turn thinking off for structured \
             requests); with Groq's json_validate_failed the server enforces the format by validating, so retry or raise the \
             output cap. Parse content defensively either way."
            .to_string(),
        Some(CheckHint::ErrorShape) => "Make the server, or the gateway in front of it, answer an invalid request with a 4xx \
             and {\"error\": {\"message\": …, \"type\": …}}: the only error shape openai-node and the AI SDK read. A 5xx also \
             makes SDKs retry a request that can never pass."
            .to_string(),
        Some(CheckHint::Embeddings) => "The embeddings answer is not OpenAI's shape, which clients index blindly: data[] of \
             {\"index\", \"embedding\": [floats]} in input order, one length, with usage. Point the base URL at the server's \
             OpenAI-compatible route (Ollama: …/v1, not /api/embed; TEI: its /v1 route), or fix the adapter in front of it."
            .to_string(),
        _ => "The answer is not the OpenAI shape your client expects. An HTML page with 200 means a login page, \
             captive portal or proxy answered instead of the API: check the base URL and what sits in front of it."
            .to_string(),
    }
}

/// The server requires the assistant's reasoning sent back with its tool calls (DeepSeek's
/// thinking mode, Kimi's thinking models). Which clients do, from their public issues.
fn reasoning_required_hint(key: &str) -> String {
    format!(
        "This server wants every assistant message with tool_calls sent back with the `{key}` it came with (DeepSeek's \
         thinking mode and Kimi's thinking models work this way: \"must be passed back to the API\", \"{key} is missing in \
         assistant tool call message\"). Use a client that sends it back: the AI SDK's @ai-sdk/openai-compatible (3.0.35 \
         sends the reasoning parts of an assistant message as `reasoning_content`), opencode for models whose config sets \
         \"interleaved\": {{\"field\": \"{key}\"}} (the default for DeepSeek models since opencode PR #24630; older \
         versions dropped it, opencode#5332, #24442), qwen-code since #3724; Crush 0.62 did not (crush#2696). With \
         openai-python or openai-node, append the assistant message with its `{key}` as received, not just content and \
         tool_calls. Or turn thinking off for tool use (DeepSeek: \"thinking\": {{\"type\": \"disabled\"}})."
    )
}

fn param_ignored_hint(param: Option<&str>) -> String {
    match param {
        Some("tool_choice") => "The forced tool call did not come: the server accepts tool_choice and downgrades it (llama.cpp and vLLM have treated \"required\" and named choices as \"auto\"). Do not rely on it here: check for the call in your app and retry or fall back, or use a server/parser that enforces it (vLLM with --tool-call-parser and guided decoding)."
            .to_string(),
        Some("tool") => "After the tool result the model called the tool again instead of answering (or answered without the result): the result does not reach it (a chat template that drops role \"tool\" messages or ignores tool_call_id), or the model loops. Agents repeat the call until their step limit. Check that the server's template renders tool results (llama.cpp: --jinja), or use a model that handles tool results."
            .to_string(),
        Some("function_call_output") => "After the function_call_output the model called the tool again (or answered without the output): the output does not reach it. A gateway translating /responses may drop the item; run tool loops on /chat/completions here, or upgrade the gateway."
            .to_string(),
        Some("response_format") | Some("text.format") => "The endpoint took the format and did not enforce it, so answers \
             come as prose, fenced or off-schema JSON at random. Route structured requests to a server or provider that \
             enforces it (vLLM and llama.cpp builds with structured outputs, OpenRouter with provider.require_parameters: \
             true), and validate the answer in your app until then."
            .to_string(),
        Some("encoding_format") => "The endpoint does not follow encoding_format: it answers base64 strings when floats are \
             asked, or floats when base64 is asked (the evidence says which). Accept both in your client (a base64 string is \
             little-endian float32), or use a client that does; openai-python and openai-node ask for base64 by default."
            .to_string(),
        Some("thinking") => "The endpoint took `thinking` and no thinking block came back: a gateway drops the parameter, \
             or the model has no extended thinking. Do not count on thinking here; use a model that thinks, or call the \
             provider directly."
            .to_string(),
        Some("stream_options") | Some("include_usage") => "The endpoint took stream_options.include_usage but sent no usage: \
             token counts and costs will silently read zero. Count tokens yourself, or use the non-streaming usage."
            .to_string(),
        Some("reasoning_effort") => "The endpoint accepts reasoning_effort, but the model reasons just as long at low as at \
             high: a gateway drops it on the way, or the model has no such setting. Do not count on it to cut cost or latency; \
             bound the reasoning with the output cap (max_completion_tokens), or use the provider's own setting if it has one."
            .to_string(),
        Some("tools") => "The server took `tools`, but no tool call reaches the client: either the model never sees \
             them (the prompt is the same size without them, see chat.tools_seen: llama.cpp drops them when the chat \
             template has no tool support), or it calls and the call comes back as text in content (the server does not \
             parse this model's tool-call syntax). llama.cpp: start llama-server with --jinja and a template that supports \
             tools; vLLM: --enable-auto-tool-choice --tool-call-parser NAME; Ollama: a model whose template supports tools; \
             a gateway: check that it forwards `tools`. Do not parse calls out of the text in your app; fix the server."
            .to_string(),
        Some(p) => format!(
            "The endpoint accepted `{p}` without effect: do not rely on it here. A 200 is not proof; check the effect in your app."
        ),
        None => "The endpoint accepted the parameter without effect: do not rely on it here.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_is_in_the_readmes_kinds_table() {
        let readme = include_str!("../README.md");
        let table = &readme[readme.find("### Failure kinds").unwrap()..];
        for k in Kind::ALL {
            assert!(
                table.contains(&format!("\n| `{}` |", k.code())),
                "README's kinds table lacks `{}`",
                k.code()
            );
        }
    }

    #[test]
    fn codes_are_unique_and_round_trip() {
        let codes: HashSet<_> = Kind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), Kind::ALL.len());
        for &k in Kind::ALL {
            assert_eq!(Kind::from_code(k.code()), Some(k));
            // serde's name is the same stable code.
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.code())
            );
        }
    }

    #[test]
    fn every_kind_has_a_title_and_a_hint_for_every_provider() {
        use clap::ValueEnum;
        let providers =
            std::iter::once(None).chain(Provider::value_variants().iter().copied().map(Some));
        for p in providers {
            for k in Kind::ALL {
                let cx = HintContext {
                    provider: p,
                    ..Default::default()
                };
                assert!(!k.title().is_empty());
                assert!(k.hint(&cx).len() > 30, "{k:?} {p:?} hint too thin");
            }
        }
    }

    #[test]
    fn every_kind_says_what_it_means() {
        for k in Kind::ALL {
            assert!(k.meaning().len() > 30, "{k:?}");
        }
    }

    #[test]
    fn opencode_checks_get_opencode_words_and_no_hint_leaves_a_placeholder() {
        let events = HintContext {
            check: Some(CheckHint::OpencodeEvents),
            opencode_provider: Some("local"),
            ..Default::default()
        };
        assert!(Kind::StreamNoDone.hint(&events).contains("session"));
        assert!(!Kind::StreamNoDone.hint(&events).contains("[DONE]"));
        let serve = HintContext {
            opencode_provider: Some("local"),
            ..Default::default()
        };
        assert!(Kind::ModelNotFound.hint(&serve).contains("opencode.json"));
        assert!(!Kind::ModelNotFound.hint(&serve).contains("zencheck probe"));
        use clap::ValueEnum;
        for p in std::iter::once(None).chain(Provider::value_variants().iter().copied().map(Some)) {
            for offline in [false, true] {
                let cx = HintContext {
                    provider: p,
                    offline,
                    ..Default::default()
                };
                for k in Kind::ALL {
                    let h = k.hint(&cx);
                    assert!(
                        !h.contains("pull the model") && !h.contains("{model}"),
                        "{k:?} {p:?}: {h}"
                    );
                    if offline {
                        assert!(
                            !h.contains("--concurrency") && !h.contains("--timeout"),
                            "{k:?} {p:?}: {h}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn model_not_found_hint_names_the_closest_ids() {
        let s = vec!["gpt-4o-mini".to_string()];
        let cx = HintContext {
            suggestions: &s,
            ..Default::default()
        };
        assert!(Kind::ModelNotFound.hint(&cx).contains("gpt-4o-mini"));
    }

    #[test]
    fn a_cap_spent_on_reasoning_gets_a_reasoning_fix() {
        let plain = Kind::OutputLength.hint(&HintContext::default());
        let cx = HintContext {
            reasoning: true,
            ..Default::default()
        };
        let h = Kind::OutputLength.hint(&cx);
        assert_ne!(h, plain);
        assert!(
            h.contains("max_completion_tokens") && h.contains("reasoning_effort"),
            "{h}"
        );
        let oc = HintContext {
            reasoning: true,
            opencode_provider: Some("local"),
            ..Default::default()
        };
        let h = Kind::OutputLength.hint(&oc);
        assert!(
            h.contains("opencode.json") && h.contains("reasoningEffort") && h.contains("\"local\""),
            "{h}"
        );
    }

    #[test]
    fn stream_options_hint_gives_the_opencode_fix() {
        let cx = HintContext {
            param: Some("stream_options"),
            ..Default::default()
        };
        assert!(Kind::ParamRejected
            .hint(&cx)
            .contains("\"includeUsage\": false"));
    }
}
