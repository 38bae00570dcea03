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
    /// The request field the message names ("Required parameter \"model\" missing"), if any.
    Field,
    /// The top-level field serde's path names (`tools[55].type: unknown variant …`).
    Deserialized,
    /// The top-level field of the path OpenAI's validation quotes (`Invalid 'input[35].call_id'`).
    InvalidPath,
    /// The field a Go decoder names in its struct path (`ChatCompletionMessage.messages.reasoning`):
    /// a message's own field under `messages`, else the request's top-level one.
    GoField,
}

/// Which layer of evidence a rule reads: the message and codes, or the status alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Message,
    /// Nothing but the status: read only when no message rule and no provider code spoke.
    Status,
    /// Nothing but a client's exception name (`RateLimitError`): the weakest evidence.
    Exception,
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
    pub layer: Layer,
    /// The words read two ways (not found *or* no access): the verdict is the likelier one.
    pub cautious: bool,
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
    layer: Layer::Message,
    cautious: false,
};

/// A rule of the exception-name layer.
const E: Rule = Rule {
    layer: Layer::Exception,
    status: Status::Unknown,
    cautious: true,
    ..R
};

/// A rule of the status layer.
const S: Rule = Rule {
    layer: Layer::Status,
    ..R
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
    pub(super) fn try_match(&self, f: &Facts) -> Option<Option<String>> {
        if !self.status_ok(f.status) {
            return None;
        }
        if self.html.is_some_and(|h| h != f.body.html) {
            return None;
        }
        let evidence = (self.tags.is_empty() && self.any.is_empty())
            || self.tags.iter().any(|t| f.body.tags.iter().any(|x| x == t))
            || f.has(self.any);
        // A word that rules a reading out must stand as a word, not inside an identifier.
        if !evidence || (!self.also.is_empty() && !f.has(self.also)) || f.has_word(self.unless) {
            return None;
        }
        if self.test.is_some_and(|t| !t(f)) {
            return None;
        }
        match self.param {
            Param::None => Some(None),
            Param::Fixed(p) => Some(Some(p.to_string())),
            Param::Blamed => params::blamed(f).map(Some),
            Param::Field => Some(params::field_named(f)),
            Param::Deserialized => params::deserialize_head(&f.msg).map(Some),
            Param::InvalidPath => params::invalid_path(&f.msg).map(|(top, _)| Some(top)),
            Param::GoField => Some(go_field_path(f).and_then(|path| {
                let top = *path.first()?;
                let field = if top == "messages" {
                    path.last()?
                } else {
                    &top
                };
                Some(field.to_string())
            })),
        }
    }
}

/// The first matching rule, and the parameter it names.
pub fn first_match(f: &Facts, layer: Layer) -> Option<(&'static Rule, Option<String>)> {
    RULES
        .iter()
        .filter(|r| r.layer == layer)
        .find_map(|r| r.try_match(f).map(|p| (r, p)))
}

/// Every rule of `layer` that matches, in order (the first is [`first_match`]'s).
pub fn all_matches<'f>(f: &'f Facts, layer: Layer) -> impl Iterator<Item = &'static Rule> + 'f {
    RULES
        .iter()
        .filter(move |r| r.layer == layer && r.try_match(f).is_some())
}

/// The body itself (message and codes, without a client's exception label around it)
/// reads as something: a client's generic label must not outvote it.
/// A Connect-RPC error (`ConnectError: [code] message`) whose code is no network failure.
fn connect_rpc_status(w: &str) -> bool {
    w.match_indices("connecterror: [").take(4).any(|(i, m)| {
        let code = w[i + m.len()..].split(']').next().unwrap_or("");
        !matches!(
            code,
            "unavailable" | "deadline_exceeded" | "unknown" | "canceled"
        ) && code.len() <= 24
            && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !code.is_empty()
    })
}

/// A client's connection label with nothing under it that says more: no body's words, no
/// Connect-RPC status (`ConnectError: [permission_denied] …` is an RPC's, not a
/// connection's), no LiteLLM catch-all around another failure.
fn label_stands(f: &Facts) -> bool {
    !body_says_more(f) && !connect_rpc_status(&f.words) && !litellm_catch_all(&f.words)
}

fn body_says_more(f: &Facts) -> bool {
    if f.body_only {
        return false;
    }
    let body = f.body_only(false);
    first_match(&body, Layer::Message).is_some_and(|(r, _)| r.kind != crate::failure::Kind::Network)
}

/// A rate limit's words, in a message or a code.
const RATE_WORDS: &[&str] = &[
    "rate limit",
    "rate_limit",
    "ratelimit",
    "too many requests",
    "resource exhausted",
    "resource has been exhausted",
    "请求过于频繁",
    "频率",
    "daily quota",
    "exhausted your",
    "quota on this model",
    "too many concurrent",
    "concurrency limit",
    "concurrent requests",
    "负载已饱和",
    "限流",
    "并发",
    "访问过于频繁",
    "throttl",
    "qps",
    "request limit reached",
    "requests limit",
    "exceeded your current requests",
    "请求过多",
    "频繁",
    "超限",
    "max rpm",
    "max tpm",
    " rpm",
    " tpm",
    "tpd",
    "访问量过大",
];

/// The only rate words are the 429's reason phrase right after the status
/// (`resulted in a 429 Too Many Requests response`).
fn reason_phrase_only(f: &Facts) -> bool {
    let rest = f.words.replace("429 too many requests", " ");
    f.words.contains("429 too many requests") && !RATE_WORDS.iter().any(|w| rest.contains(w))
}

/// A 429 the paste carries nothing else about: every word is a client's or a log's own
/// boilerplate around the status ("Request failed with status code 429", "Client error: POST
/// https://… resulted in a 429 Too Many Requests response", "Streaming request failed: 429"),
/// and no envelope. OpenAI answers 429 for a spent quota too (insufficient_quota), so such a
/// 429 may be either.
fn silent_429(f: &Facts) -> bool {
    const BOILERPLATE: &[&str] = &[
        "a",
        "an",
        "the",
        "with",
        "in",
        "of",
        "for",
        "at",
        "on",
        "from",
        "to",
        "request",
        "requests",
        "failed",
        "fail",
        "failure",
        "status",
        "code",
        "statuscode",
        "error",
        "err",
        "http",
        "too",
        "many",
        "response",
        "client",
        "streaming",
        "stream",
        "resulted",
        "returned",
        "received",
        "got",
        "post",
        "get",
        "api",
        "call",
        "exception",
        "httperror",
        "httpexception",
        "requestexception",
        "responseexception",
        "unexpected",
        "non",
        "ok",
        "not",
        "successful",
        "does",
        "indicate",
        "success",
        "server",
        "responded",
        "error:",
        "status_code",
    ];
    if f.body.envelope || !f.words.contains("429") {
        return false;
    }
    f.words
        .split_whitespace()
        .filter(|t| !t.contains("://") && !t.starts_with('/'))
        .flat_map(|t| t.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .all(|w| BOILERPLATE.contains(&w))
}

/// LiteLLM raises APIConnectionError for any error it does not map (its exception-mapping
/// docs: "any unmapped error"), so the label alone says nothing about the network when the
/// words around it hold no connection failure (`argument after ** must be a mapping`).
pub(super) fn litellm_catch_all(words: &str) -> bool {
    // Words, not the network table: `net` reads the rules' verdicts, so no arrow goes back.
    const CONNECTION: &[&str] = &[
        "connection",
        "connect ",
        "network",
        "timed out",
        "timeout",
        "dns",
        "ssl",
        "tls",
        "refused",
        "reset",
        "resolve",
        "unreachable",
        "errno",
        "getaddrinfo",
        "econn",
        "socket",
    ];
    let rest = words.replace("apiconnectionerror", "");
    words.contains("litellm.apiconnectionerror") && !CONNECTION.iter().any(|w| rest.contains(w))
}

/// The Go struct field a `cannot unmarshal … into Go struct field X.a.b` names runs through
/// the request's fields (`messages`, `tools`…), not an answer's (`choices`, `usage`).
fn go_field_of_request(f: &Facts) -> bool {
    const REQUEST: &[&str] = &[
        "messages",
        "tools",
        "tool_choice",
        "input",
        "prompt",
        "stream_options",
        "response_format",
        "max_tokens",
        // Ollama's native request (api.ChatRequest, api.GenerateRequest).
        "format",
        "options",
        "think",
        "keep_alive",
    ];
    const ANSWER: &[&str] = &["choices", "usage", "delta", "candidates", "data"];
    go_field_path(f).is_some_and(|path| {
        path.iter().any(|p| REQUEST.contains(p)) && !path.iter().any(|p| ANSWER.contains(p))
    })
}

/// A refusal said of a route ("… are not allowed on chat completions", "not supported via
/// the responses API"): what was asked is served, if at all, on another route. The route
/// must follow the refusal and its preposition closely, in the same sentence.
fn refused_on_route(f: &Facts) -> bool {
    const REFUSALS: &[&str] = &[
        "not allowed",
        "not supported",
        "not available",
        "unsupported",
        "not permitted",
    ];
    const ROUTES: &[&str] = &[
        "chat completions",
        "chat/completions",
        "the completions",
        "completions endpoint",
        "completions api",
        "this endpoint",
        "this route",
        "the responses api",
        "/v1/responses",
        "responses endpoint",
        "the messages api",
        "/v1/messages",
        "the chat api",
        "chat endpoint",
    ];
    f.words.split(['.', ';', '\n']).any(|sentence| {
        REFUSALS.iter().any(|r| {
            sentence.match_indices(r).take(4).any(|(i, _)| {
                let rest = sentence[i + r.len()..].trim_start();
                ["on ", "via ", "through ", "for ", "in ", "with "]
                    .iter()
                    .any(|p| {
                        rest.strip_prefix(p).is_some_and(|after| {
                            let near: String = after.chars().take(40).collect();
                            ROUTES
                                .iter()
                                .any(|route| near.trim_start().starts_with(route))
                        })
                    })
            })
        })
    })
}

/// The field path after the struct's name in Go's "into Go struct field X.a.b of type t".
fn go_field_path<'f>(f: &'f Facts) -> Option<Vec<&'f str>> {
    let (_, rest) = f.words.split_once("into go struct field ")?;
    let path: Vec<&str> = rest
        .split(|c: char| c.is_whitespace())
        .next()?
        .split('.')
        .skip(1)
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .take(8)
        .collect();
    (!path.is_empty()).then_some(path)
}

/// "Requested 14368 > Limit 6000 tokens per minute": one request larger than the window
/// allows never passes on retry. "Limit 30000, Used 29000, Requested 1500" does.
fn requested_over_limit(f: &Facts) -> bool {
    // A limit per unit of time or per tier; a model's own token limit is its window
    // (Moonshot: "exceeded model token limit: 262144 (requested: 275363)").
    let rate = [
        "per minute",
        "per day",
        "tpm",
        "rpm",
        "tpd",
        "tier",
        "organization",
        "rate",
    ];
    if f.msg.contains("model token limit") && !rate.iter().any(|w| f.msg.contains(w)) {
        return false;
    }
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

/// The input is larger than the model's window, in any wording: an input or prompt (or its
/// token count) that is longer than, exceeds or must be less than a maximum, a context, a
/// sequence length, a KV size or an input-length range. Not the output cap (`max_tokens`
/// over the model's limit is a parameter problem).
fn input_over_window(f: &Facts) -> bool {
    let m = &f.words;
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    let input = has(&[
        "input",
        "prompt",
        "request length",
        "inputs",
        "messages",
        "token count",
        "tokens",
        "context",
        "输入",
        "上下文",
        "token数",
    ]);
    let over = has(&[
        "longer than",
        "exceeds",
        "exceed",
        "greater than",
        "too big",
        "too long",
        "larger than",
        "more than",
        "must have less than",
        "must be less than",
        "should be less than",
        "must be smaller than",
        "less than or equal",
        "should be [",
        "range of input length",
        "is over",
        ">= n_ctx",
        "too large",
        "超过",
        "超出",
    ]);
    let window = has(&[
        "maximum model length",
        "max_model_len",
        "max_seq_len",
        "max_input_len",
        "context",
        "kv size",
        "n_ctx",
        "maximum number of tokens",
        "maximum length",
        "max length",
        "maxlength",
        "max_length",
        "limit",
        "maximum",
        "range of input length",
        "allowed",
        "max size",
        "最大",
        "长度",
    ]);
    let output = has(&[
        "max_tokens",
        "maximum tokens you requested",
        "max_new_tokens",
        "max_completion_tokens",
        "output token",
        // The output's own cap (Cohere: "max tokens must be less than or equal to 4096, the
        // maximum output for this model"): a parameter's value, not the prompt.
        "maximum output",
        "max output",
        "max tokens must",
        "tokens per minute",
        "per day",
        // A rate, not "generate" or "accurate": the word, not the letters.
        "rate limit",
        "rate_limit",
        "ratelimit",
        "rate-limit",
        " rate ",
        "payload size",
        "bytes",
        "monthly",
        "per month",
        "budget",
        "credit",
        // The word, not the letters of "suspend" (a Kotlin coroutine's invokeSuspend).
        "spend limit",
        "spending",
        " spend ",
        // A number of requests per unit of time is a rate, whatever else the text holds.
        "per minute",
        "requests per",
        "too many requests",
    ]);
    let strong = has(&[
        "must have less than",
        "range of input length",
        ">= n_ctx",
        "longer than the maximum",
    ]);
    // Go's "context deadline exceeded" / "context canceled" name a request's lifetime.
    let deadline = has(&[
        "context deadline",
        "deadline exceeded",
        "context canceled",
        "context cancelled",
    ]);
    // "cannot exceed 4081", "longer than 4096": a number right after the comparison is the
    // window itself.
    let bound = || {
        [
            "exceed ",
            "exceeds ",
            "longer than ",
            "greater than ",
            "more than ",
        ]
        .iter()
        .any(|w| {
            m.match_indices(w)
                .take(4)
                .any(|(i, _)| m[i + w.len()..].starts_with(|c: char| c.is_ascii_digit()))
        })
    };
    input && over && (window || strong || bound()) && !output && !deadline
}

/// Credit, a balance or a paid allowance said to be spent, in any wording: "credits are
/// used up", "balance is negative", "额度已用完".
fn credit_depleted(f: &Facts) -> bool {
    let m = &f.words;
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    let money = has(&["credit", "balance", "prepaid", "余额", "额度", "点数"])
        && !has(&["balancer", "load balanc"]);
    let spent = has(&[
        "used up",
        "exhausted",
        "insufficient",
        "run out",
        "ran out",
        "depleted",
        "not enough",
        "no more",
        // xAI: "Your newly created team doesn't have any credits or licenses yet".
        "doesn't have any",
        "does not have any",
        "don't have any",
        "do not have any",
        "negative",
        "too low",
        "is zero",
        "reached zero",
        "has expired",
        "have expired",
        "用完",
        "用尽",
        "不足",
        "耗尽",
    ]);
    // A relay's per-user quota is a prepaid balance: "user quota is not enough",
    // "quota [-20847155] … is not enough". A per-window quota says when it resets instead.
    let quota_short = has(&["quota"])
        && has(&[
            "not enough",
            "insufficient",
            "negative",
            "不足",
            "用完",
            "用尽",
        ])
        && !has(&[
            "per minute",
            "per day",
            "per hour",
            "retry in",
            "try again in",
            "retry after",
            "rate limit",
        ]);
    (money && spent) || quota_short
}

/// A finish or stop reason whose value is the output cap: `reason` (finish_reason,
/// stop_reason, finishReason, "unexpected reason") followed, past quotes, separators and an
/// enum's dot (`FinishReason.MAX_TOKENS`), by `length`, `max_tokens` or `max_output_tokens`.
/// The value is what the provider said, whatever words the client wrapped it in.
fn stop_reason_length(f: &Facts) -> bool {
    ["length", "max_tokens", "max_output_tokens"]
        .iter()
        .any(|v| valued(&f.words, "reason", v))
}

/// A JSON parser that quotes what it could not parse, and what it quotes is an object cut
/// before its end (more `{` than `}`), or says the input ended inside an object: the
/// model's JSON answer stopped short, most often at the output cap.
fn json_fragment(f: &Facts) -> bool {
    let w = f.words.as_str();
    let quoted = w
        .match_indices("unexpected token at '{")
        .take(8)
        .any(|(i, _)| {
            let rest = &w[i + "unexpected token at '".len()..];
            let frag = rest.rfind('\'').map_or(rest, |e| &rest[..e]);
            let frag = &frag[..frag.len().min(4096)];
            frag.matches('{').count() > frag.matches('}').count()
        });
    quoted || w.contains("unexpected end-of-input: expected close marker for object")
}

/// `key` written with `value` after it, past quotes, separators and a dot (`limit: 0`,
/// `"stop_reason":"max_tokens"`, `FinishReason.MAX_TOKENS`), the value a whole token (`limit: 0.5` is no zero).
fn valued(w: &str, key: &str, value: &str) -> bool {
    w.match_indices(key).take(50).any(|(i, _)| {
        w[i + key.len()..]
            .trim_start_matches(['"', '\'', '\\', ':', '=', ' ', '`', '.'])
            .strip_prefix(value)
            .is_some_and(|r| {
                // A letter, digit or `_` goes on with the token; so does a decimal's point.
                let decimal = r
                    .strip_prefix('.')
                    .is_some_and(|d| d.starts_with(|c: char| c.is_ascii_digit()));
                !decimal && !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
    })
}

/// "only supports … API" / "only available via the … endpoint" / "not accessible via the …
/// endpoint": a route named as the one (or not the one) a model is served on.
fn only_route(f: &Facts) -> bool {
    let w = f.words.as_str();
    let leads = [
        "only supports ",
        "only available via ",
        "only accessible via ",
        "not accessible via ",
        "only available through ",
        "only served on ",
    ];
    leads.iter().any(|lead| {
        w.match_indices(lead).take(8).any(|(i, _)| {
            let rest = &w[i + lead.len()..];
            let rest = &rest[..rest.len().min(48)];
            let end = rest.find(['.', ',', ';', '\n']).unwrap_or(rest.len());
            let said = &rest[..end];
            said.ends_with(" api")
                || said.contains(" api ")
                || said.contains("endpoint")
                || said.contains("/v1/")
        })
    })
}

/// `text/event-stream` named as what was expected, not as what came: "expected" (or "must
/// be", "should be", "instead of") within a few words before it.
fn expected_event_stream(f: &Facts) -> bool {
    let w = f.words.as_str();
    w.match_indices("text/event-stream").take(16).any(|(i, _)| {
        let mut start = i.saturating_sub(60);
        while !w.is_char_boundary(start) {
            start += 1;
        }
        let before = &w[start..i];
        [
            "expected",
            "expect ",
            "must be",
            "should be",
            "instead of",
            "to contain",
            "to be ",
        ]
        .iter()
        .any(|x| before.contains(x))
    })
}

/// A quota's limit written as zero (`limit: 0`, `"limit": 0`): none is granted at all.
fn limit_zero(f: &Facts) -> bool {
    valued(&f.words, "limit", "0")
}

/// An application that has no provider or model set up yet, in its own words ("No LLM
/// provider configured", "You should config a LLM configuration first", "LLM not set",
/// "No llm models were loaded"): nothing was sent. A missing key is the key's (auth).
fn setup_missing(f: &Facts) -> bool {
    let m = &f.words;
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    let subject = has(&["llm", "provider", "model", "模型", "大模型"]);
    let missing = has(&[
        "not configured",
        "no provider configured",
        "configuration first",
        "config a llm",
        "notconfiguredexception",
        "llm not set",
        "model not set",
        "provider not set",
        "no llm provider",
        "no llm model",
        "no llm models",
        "models were loaded",
        "no provider registered",
        "no api provider registered",
        "no model configured",
        "no models configured",
        "configure a provider",
        "run 'goose configure'",
        "未配置",
        "没有配置",
        "还没配置",
        "尚未配置",
    ]);
    let key = has(&[
        "api key",
        "apikey",
        "api_key",
        "密钥",
        "credential",
        "token",
    ]);
    // A gateway with no route for a model speaks of routes and upstreams: the model's id.
    let gateway = has(&["route", "upstream", "backend", "gateway", "proxy"]);
    subject && missing && !key && !gateway
}

/// A server framework's own words for a handler that raised: uvicorn's "Exception in ASGI
/// application", Flask's "Exception on /v1/chat/completions [POST]", Go's "http: panic
/// serving". The server's log, so the server's side, whatever the traceback under it says.
fn server_framework_crash(f: &Facts) -> bool {
    let m = &f.words;
    [
        "exception in asgi application",
        "error in asgi application",
        "asgi callable returned without",
        "http: panic serving",
        // gunicorn's worker: "[ERROR] Error handling request /v1/chat/completions".
        "error handling request /",
        "exception on /v1/",
    ]
    .iter()
    .any(|w| m.contains(w))
}

/// A parse failure about tool calls: the model's tool call (name or arguments) did not read
/// as what the caller expects, in any client's words ("Could not parse tool input",
/// "Failed to parse tool arguments from chat model response", "error parsing tool call",
/// "Invalid tool call arguments: EOF while parsing").
/// A message part or input item of a type the endpoint does not take ("Unsupported content
/// type: redacted_thinking", "Unsupported Responses API input item type: 'additional_tools'"),
/// never a body's media type ("Unsupported content type: text/plain" is the header's).
fn part_type(f: &Facts, item: bool) -> bool {
    let leads: &[&str] = if item {
        &["input item type"]
    } else {
        &[
            "unsupported content type",
            "unsupported content block type",
            "unsupported message content type",
            "unsupported content part type",
            "unknown content type",
            "unknown content block type",
        ]
    };
    // An item type is refused only when the words say so; the part leads say it themselves.
    let refused = !item || f.words.contains("unsupported") || f.words.contains("not supported");
    refused
        && leads.iter().any(|lead| {
            f.words.find(lead).is_some_and(|i| {
                let value: String = f.words[i + lead.len()..]
                    .trim_start_matches([':', ' ', '\'', '"', '`'])
                    .chars()
                    .take_while(|c| {
                        !c.is_whitespace() && !matches!(c, '\'' | '"' | '`' | ',' | '.')
                    })
                    .collect();
                !value.is_empty() && !value.contains('/')
            })
        })
}

fn content_part_type(f: &Facts) -> bool {
    part_type(f, false)
}

fn input_item_type(f: &Facts) -> bool {
    part_type(f, true)
}

fn tool_parse_failed(f: &Facts) -> bool {
    let m = &f.words;
    let has = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    let tool = has(&[
        "tool input",
        "tool call",
        "tool-call json",
        "tool-call parse",
        "tool_call",
        "toolcall",
        "tool arguments",
        "tool args",
        "function call",
        "function_call",
        "function arguments",
        "tool use input",
        "工具调用",
    ]);
    let parse = has(&[
        "parse",
        "parsing",
        "not valid json",
        "invalid json",
        "json blob",
        "unmarshal",
        "deserializ",
        "解析",
    ]);
    let other = has(&[
        "tool call id",
        "tool_call_id",
        "tool_choice",
        "does not support",
        "not supported",
        "unsupported",
    ]);
    tool && parse && !other
}

fn has_retry_delay(f: &Facts) -> bool {
    f.body.retry_after_secs.is_some()
}

/// OpenAI's validation of one field's length ("string too long. Expected a string with maximum
/// length 64", "array too long"): the field's own limit, not the window.
const FIELD_TOO_LONG: &[&str] = &[
    "string too long. expected a string with maximum length",
    "array too long. expected an array with maximum length",
];

const CONTEXT_WORDS: &[&str] = &[
    // LMDeploy's api_server: its session_len is the window ("exceed session max length").
    "exceed session max length",
    "exceeds session_len",
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
    "prompt tokens too long",
    "input tokens too long",
    "model max length",
    "expected maxlength",
    "does not fit in context",
    "n_keep",
    "kv size",
    "input length",
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
    // LlamaIndex: the prompt left no room for the answer.
    "available context size",
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
    // Go's text/template (LocalAI, Ollama Modelfiles).
    "error executing template",
    "error calling raise_exception",
];

/// ": terminated" as the last word of a line: undici's message, not "terminated by signal 9".
fn ends_terminated(f: &Facts) -> bool {
    f.words.match_indices(": terminated").take(4).any(|(i, l)| {
        let rest = f.words[i + l.len()..].trim_start_matches(['.', '"', '\'', '`', ')']);
        rest.is_empty() || rest.starts_with(['\n', '\r'])
    })
}

/// Words before a named API: "<model> is not supported in the <name> API".
const NOT_ON_API: &[&str] = &[
    "not supported in the ",
    "not supported by the ",
    "not available in the ",
    "not available on the ",
    "not available via the ",
];

/// "… is not supported in the generateContent API": a refusal whose object is an API (the
/// word `api` within the next few words), said of a model id (a name with a digit or a dash
/// before the refusal).
fn not_on_named_api(f: &Facts) -> bool {
    let m = &f.words;
    NOT_ON_API.iter().any(|lead| {
        m.match_indices(lead).take(4).any(|(i, l)| {
            let after = &m[i + l.len()..];
            let object: String = after.chars().take(40).collect();
            let named_api = object
                .split_whitespace()
                .take(3)
                .any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == "api");
            let subject = m[..i].split_whitespace().rev().nth(1).unwrap_or("");
            named_api && subject.contains(|c: char| c.is_ascii_digit() || c == '-')
        })
    })
}

/// The server's own capacity said outright: its state, whatever status carries it. "We're
/// currently processing too many requests" (ChatGPT's backend) is the server's load, said
/// by the server, not the caller's rate.
const SERVER_CAPACITY: &[&str] = &[
    "currently overloaded",
    "model busy",
    "out of capacity",
    "over capacity",
    "at capacity",
    "system capacity",
    "capacity limits",
    "capacity constraints",
    "insufficient capacity",
    "processing too many requests",
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
    "no model is loaded",
    "no model loaded",
    "not a valid model",
    "decommissioned",
    "no longer supported",
    // Retired models (Cohere "model 'command' was removed on September 15, 2025"; "has
    // been retired"; Baidu's SDK "is not in the list of supported models").
    "was removed",
    "has been removed",
    "been retired",
    "was retired",
    "is retired",
    "been discontinued",
    "was discontinued",
    "not in the list of supported",
    "has been deprecated",
    "not available",
    "不存在",
    "找不到",
    "未找到",
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
    Rule { id: "output_cut", source: "instructor \"The output is incomplete due to a max_tokens length limit\"; openai-python LengthFinishReasonError; finish_reason length",
        any: &["output is incomplete due to a max_tokens", "max_tokens length limit", "lengthfinishreasonerror", "length limit was reached", "finish_reason='length'", "finish_reason: length", "finish_reason\":\"length",
               "finishreason: 'length'", "stopped because max_tokens", "max_tokens was reached", "reached max_tokens", "max output tokens reached", "response was truncated",
               // Claude Code: "Claude's response exceeded the 32000 output token maximum" (its own cap).
               "output token maximum", "maxtokensreached",
               // GitHub Copilot Chat's "Error: Response too long." for an answer over its cap.
               "response too long", "output too long"],
        kind: Kind::OutputLength, ..R },
    Rule { id: "stop_reason_length", source: "a finish or stop reason quoted as the error: \"API finished with unexpected reason: length\", Anthropic's \"stop_reason\":\"max_tokens\" in a client's raise, Gemini's FinishReason.MAX_TOKENS",
        test: Some(stop_reason_length),
        // A read that timed out is what the client raised: a finish reason beside it is the
        // model's log of an answer that came too late, not the failure.
        unless: &["sockettimeoutexception", "read timed out", "readtimeout", "read timeout"],
        kind: Kind::OutputLength, ..R },
    Rule { id: "output_json_cut", source: "instructor/pydantic \"Invalid JSON: EOF while parsing a string at line 1 column 391 [type=json_invalid\" with max_tokens=100; Python json \"Unterminated string starting at\"",
        any: &["eof while parsing a", "eof while parsing an", "unterminated string starting at"], also: &["json_invalid", "validation error", "jsondecodeerror", "json"],
        unless: &["data:", "stream"], kind: Kind::OutputLength, cautious: true, ..R },
    Rule { id: "output_json_fragment", source: "Ruby JSON::ParserError \"unexpected token at '{\"some_field\":\"some incomple'\" on a structured output at its token limit (openai-ruby); Jackson \"Unexpected end-of-input: expected close marker for Object\"",
        test: Some(json_fragment), unless: &["data:", "stream"], kind: Kind::OutputLength, cautious: true, ..R },
    Rule { id: "aborted", source: "opencode MessageAbortedError; Node AbortError \"This operation was aborted\"",
        status: Status::Unknown,
        any: &["messageabortederror", "aborterror", "operation was aborted", "request was aborted", "the user aborted a request", "request aborted"],
        // AbortSignal.timeout()'s DOMException "The operation was aborted due to timeout": a
        // deadline, not a user's cancel.
        unless: &["due to timeout", "timeouterror", "timed out"],
        kind: Kind::Aborted, ..R },
    // --- Content filters: not a malformed request, and not the client's fault.
    // --- A proxy between the client and the server: its own 407, or a local address that
    // a system proxy answered for.
    // --- A firewall, a CDN's bot challenge or a relay's risk control stopped the request
    // before any model (or key check) saw it.
    // A Google Cloud key restricted to other APIs: refused by the key's own settings, before
    // any model. Google's reason API_KEY_SERVICE_BLOCKED (cloud.google.com/docs/authentication/api-keys,
    // "API restrictions"), "Requests to this API <service> method <m> are blocked."
    Rule { id: "api_key_restricted", source: "Google API_KEY_SERVICE_BLOCKED \"Requests to this API firebasevertexai.googleapis.com method …GenerateContent are blocked.\"",
        tags: &["api_key_service_blocked"], any: &["api_key_service_blocked", "requests to this api"], also: &["are blocked", "api_key_service_blocked"],
        kind: Kind::AccessDenied, hint: Some(RuleHint::ApiKeyRestricted), ..R },
    Rule { id: "waf_block", source: "Cloudflare 1020 \"Access denied … used Cloudflare to restrict access\" and \"Attention Required!\" challenge pages; Akamai \"Access Denied … Reference #18.…\"; a relay's \"Your request was blocked.\"",
        any: &["your request was blocked", "request has been blocked", "request was blocked by", "you have been blocked", "attention required! | cloudflare", "just a moment...", "cf-chl", "challenge-platform",
               "checking your browser", "enable javascript and cookies to continue", "web application firewall", "blocked by waf", "blocked by the firewall", "blocked by security", "used cloudflare to restrict access",
               "error 1020", "error 1010", "error 1012", "bot protection", "verification challenge", "captcha", "human verification", "slide verification", "人机验证", "滑块验证", "risk control", "risk-control", "风控", "请求被拦截", "被拦截", "安全策略拦截"],
        kind: Kind::Blocked, ..R },
    // A browser's CORS refusal, as Chromium and Firefox print it: the page's origin was not
    // allowed, so the answer never reached the app, whatever the server said.
    Rule { id: "cors_refused", source: "Chromium \"Access to fetch at '…' from origin 'app://obsidian.md' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present\"; Firefox \"Cross-Origin Request Blocked … (Reason: CORS header 'Access-Control-Allow-Origin' missing)\"",
        // Not the header names alone: a dumped answer carries `access-control-allow-origin: *`.
        any: &["blocked by cors policy", "cross-origin request blocked", "cors preflight", "preflight request doesn't pass", "in preflight response", "cors error", "cors request did not succeed"],
        kind: Kind::Blocked, hint: Some(RuleHint::CorsRefused), ..R },
    // An abuse or risk filter's refusal of the whole request, in its own words: it asks the
    // user to write in if it was a mistake, quoting a reference, as no model's refusal does.
    Rule { id: "abuse_block", source: "a gateway's abuse filter: Sourcegraph Cody Gateway 400 \"request blocked - if you think this is a mistake, please contact support … and reference this ID\" (sourcegraph/cody)",
        any: &["request blocked", "request was blocked", "requests are blocked", "request has been blocked", "been blocked"],
        also: &["if you think this is a mistake", "if you believe this is a mistake", "if you think this is an error", "if you believe this is an error", "reference this id", "reference id"],
        unless: &["content", "prompt", "safety", "cors", "output"],
        kind: Kind::Blocked, ..R },
    // AWS CloudFront's own refusal page ("403 ERROR … Request blocked. … Generated by cloudfront"):
    // the edge or its WAF, not the API. Its 502/504 pages name the origin instead.
    Rule { id: "cloudfront_block", source: "CloudFront 403 \"The request could not be satisfied. Request blocked.\" (Generated by cloudfront)",
        any: &["generated by cloudfront", "cloudfront documentation"], also: &["request blocked", "403 error"],
        kind: Kind::Blocked, ..R },
    // A denial that carries an edge's or a filter's marks (a Ray ID, "your IP address", an
    // incident or support id, a site owner's restriction, a security vendor's name) comes
    // from a layer in front of the API, not from the API's key check.
    Rule { id: "edge_denial", source: "Cloudflare 1020 text \"Access denied … The site owner may have set restrictions … Ray ID … Your IP address\"; Imperva/Incapsula \"Request unsuccessful. Incident ID\"; Zscaler and corporate web filters",
        any: &["access denied", "access to this", "request unsuccessful", "has been denied", "is denied", "forbidden", "blocked", "not allowed to access"],
        also: &["ray id", "your ip address", "your ip:", "error reference number", "incident id", "support id", "the site owner", "website owner", "site owner may have",
                "imperva", "incapsula", "sucuri", "zscaler", "fortiguard", "fortinet", "barracuda", "web filter", "url filter", "content filtering policy", "security service to protect"],
        unless: &["api key", "model"], kind: Kind::Blocked, ..R },
    Rule { id: "edge_access_denied", source: "Akamai 403 \"Access Denied. You don't have permission to access … on this server. Reference #18.ef3a2f17…\"",
        html: Some(true), any: &["reference #"], also: &["access denied", "permission to access"], kind: Kind::Blocked, ..R },
    // An HTML 403 page is no API's answer: an API refuses in its own envelope. A page is an
    // edge, a firewall or a proxy in front; the key is likely fine.
    Rule { id: "edge_403_page", source: "nginx \"<title>403 Forbidden</title>\" page; a CDN's or WAF's 403 page in front of the API",
        status: Status::In(&[403]), html: Some(true), unless: &["api key", "credit", "balance"], kind: Kind::Blocked, cautious: true, ..R },
    Rule { id: "proxy_auth", source: "httpx.ProxyError: 407 Proxy Authentication Required; OSError: Tunnel connection failed: 407",
        status: Status::Any, any: &["proxy authentication required", "proxyerror", "tunnel connection failed", "proxy error"],
        // A dev server's own proxy ("[vite] http proxy error: … ECONNREFUSED ::1:11434") is
        // no forward proxy in the way: what it could not reach is the phase's to read.
        unless: &["[vite]", "http proxy error"],
        // An LLM proxy's own 5xx ("LLM proxy error 503 … Service temporarily unavailable") is
        // the service behind it, not a forward proxy in the way.
        test: Some(|f| f.status.is_none_or(|s| s < 500) || f.words.contains("407")),
        kind: Kind::Network, hint: Some(RuleHint::ProxyAuth), ..R },
    Rule { id: "proxy_auth_status", source: "HTTP 407 from a forward proxy", status: Status::In(&[407]), kind: Kind::Network, hint: Some(RuleHint::ProxyAuth), ..R },
    Rule { id: "proxy_for_localhost", source: "openai-python \"POST http://127.0.0.1:11434/v1/chat/completions \\\"HTTP/1.1 502 Bad Gateway\\\"\" with HTTP_PROXY set: the proxy answered for a local address",
        status: Status::In(&[502, 503, 504]),
        // Local model servers that never answer 502 themselves: Ollama, LM Studio.
        any: &["127.0.0.1:11434", "localhost:11434", "0.0.0.0:11434", "127.0.0.1:1234/", "localhost:1234/"],
        also: &["http request:", "for url", "connection", "apiconnectionerror", "bad gateway"],
        unless: &["upstream", "\"error\"", "'error'"], kind: Kind::Network, cautious: true, hint: Some(RuleHint::ProxyForLocalhost), ..R },
    // --- The client library is older or newer than the code calling it: an interface was
    // removed or renamed. Upgrading or pinning fixes it; no request changes.
    // openai-python 0.x "APIError: HTTP code 200 from API (…)": a success status raised as an
    // error means the client could not read the answer, whatever words the body holds.
    Rule { id: "error_with_ok_status", source: "LangChain over openai-python 0.x \"APIError: HTTP code 200 from API (\"{\\\"rate_limit_usage\\\": {\\)\"\"",
        any: &["http code 200 from api", "http code 201 from api", "status code 200 from api"], kind: Kind::BadResponse, cautious: true, ..R },
    Rule { id: "server_resources", source: "Ollama \"model requires more system memory (164.8 GiB) than is available (13.4 GiB)\"; CUDA out of memory",
        any: &["more system memory", "than is available", "out of memory", "insufficient memory", "not enough memory", "failed to allocate", "oomkilled", "cudaerrormemoryallocation", "显存不足", "内存不足"],
        unless: &["context", "too long", "prompt is"], kind: Kind::ServerError, hint: Some(RuleHint::ServerResources), ..R },
    // An inference server that crashed or whose engine died, in its own words: the server's
    // side whatever the status or wording around it.
    Rule { id: "server_crash", source: "vLLM EngineDeadError / \"Background loop has errored already\"; CUDA \"device-side assert triggered\"; llama.cpp GGML_ASSERT (not a bare segfault, panic or exit code: a client, Bun or a Go CLI, crashes so too)",
        any: &["enginedeaderror", "engine core", "enginecore", "background loop has errored", "background loop has stopped", "asyncenginedeaderror", "engine loop is not running", "engine is dead",
               "cuda error", "device-side assert", "cublas_status", "cudnn_status", "nccl error", "illegal memory access", "ggml_assert", "llama_decode", "failed to decode the batch"],
        unless: &["prompt is too long", "context length"], kind: Kind::ServerError, ..R },
    // Only without a status: a server that answered was reached, so something was set up.
    Rule { id: "setup_missing", source: "MetaGPT NotConfiguredException \"You should config a LLM configuration first\"; HolmesGPT \"No llm models were loaded\"; Kimi CLI \"LLM not set\"",
        status: Status::Unknown, test: Some(setup_missing), kind: Kind::ProviderInit, cautious: true, hint: Some(RuleHint::SetupMissing), ..R },
    Rule { id: "library_version", source: "openai-python APIRemovedInV1 \"You tried to access openai.ChatCompletion, but this is no longer supported in openai>=1.0.0\"; LangChain \"openai has no ChatCompletion attribute\"",
        any: &["apiremovedinv1", "no longer supported in openai>=", "has no chatcompletion attribute", "has no attribute 'chatcompletion'", "has no attribute 'completion'", "has no attribute 'chat'",
               "old version of the openai package", "module 'openai' has no attribute", "pip install --upgrade openai", "no attribute 'openai'", "cannot import name 'openai'"],
        kind: Kind::ProviderInit, hint: Some(RuleHint::LibraryVersion), ..R },
    // A client library's own table of models, before any request: LlamaIndex's
    // openai_modelname_to_contextsize and aider's model metadata say so in these words.
    Rule { id: "client_model_table", source: "llama-index ValueError \"Unknown model 'gpt-5.4'. Please provide a valid OpenAI model name in: o1, …\" (llama_index/llms/openai/utils.py); aider \"Unknown context window size for model\"",
        any: &["please provide a valid openai model name", "unknown context window size for model"],
        kind: Kind::ProviderInit, hint: Some(RuleHint::ClientModelTable), ..R },
    // The same class in any language: the code and the library it calls do not fit (a module
    // missing, an interface gone, an argument the installed version does not know). Written
    // from the language's own error names, not from one client's text.
    Rule { id: "client_package", source: "Python ModuleNotFoundError/ImportError \"cannot import name\", TypeError \"got an unexpected keyword argument\"; Node \"Cannot find module\"; Java NoSuchMethodError/NoClassDefFoundError; .NET MissingMethodException; Go \"has no field or method\"; Rust \"no method named\"",
        any: &["modulenotfounderror", "no module named", "cannot import name", "importerror:", "got an unexpected keyword argument", "unexpected keyword argument '",
               "cannot find module", "err_module_not_found", "err_package_path_not_exported", "err_require_esm", "cannot find package",
               "nosuchmethoderror", "noclassdeffounderror", "classnotfoundexception", "nosuchfielderror", "abstractmethoderror", "incompatibleclasschangeerror",
               "missingmethodexception", "typeloadexception", "could not load file or assembly", "has no field or method", "no method named", "unresolved import",
               "is not installed", "package is not installed", "please install the",
               // A provider's package the application loads on demand: "The 'anthropic' package is
               // required for the Anthropic provider. Install it with: pip install …".
               "package is required", "install it with: pip install", "install it with pip install", "install it with: npm install", "failed to install package", "requires a newer version of", "version conflict", "incompatible version",
               "installed version does not support", "installed version doesn't support",
               // Java (Jackson): the installed client's classes do not fit the answer the API sends now.
               "unrecognizedpropertyexception", "not marked as ignorable", "version doesn't support this", "version does not support this", "libcurl version"],
        kind: Kind::ProviderInit, cautious: true, hint: Some(RuleHint::LibraryVersion), ..R },
    Rule { id: "content_filter", source: "Azure OpenAI 400 content_filter / innererror ResponsibleAIPolicyViolation \"…content management policy…\"; litellm ContentPolicyViolationError",
        tags: &["content_filter", "responsibleaipolicyviolation", "content_policy_violation", "data_inspection_failed"],
        any: &["content management policy", "inappropriate content", "contentpolicyviolationerror", "content_policy_violation", "flagged by our safety", "blocked by content filter", "prohibited_content", "responsibleaipolicyviolation",
               "blocked for reason: safety", "blocked due to safety", "finishreasonsafety", "finish_reason_safety", "finishreason: safety", "finish reason: safety", "finishreason.prohibited_content", "finishreason.blocklist", "finishreason.spii", "blocked due to prohibited", "prompt blocked", "response was blocked", "blockedreason", "finish_reason: safety", "finishreason.safety", "content exists risk",
               "sensitive content", "sensitive information", "sensitive words", "contain sensitive", "considered high risk", "high risk content", "high risk request", "content_filter", "moderation", "flagged as",
               // 审核 alone is any review (an application's own "审核异常" step): the filter's
               // verdict on it is what says a filter blocked.
               "敏感", "不安全", "内容审核", "违规", "风险", "content audit", "audit failed", "审核未通过", "审核不通过", "未通过审核", "审核失败", "安全审核",
               "finishreason.recitation", "finish_reason: recitation", "finishreason: recitation", "blocked due to recitation", "harm_category", "harmcategory", "block_reason", "safety settings", "candidate was blocked",
               // Not the code `invalid_prompt` alone: OpenAI sends it with a policy sentence, which
               // these words read; OpenRouter sends it for a request its schema refused.
               "usage policy", "usage policies", "policy violation", "violates our", "safety system", "for safety reasons",
               // A relay's own filter: "make sure your request is SFW, or use a jailbreak to bypass the filter".
               "content filter", "nsfw", "is sfw", "safe for work", "bypass the filter",
               // Tencent TokenHub 451 "content was filtered by safety policy"; OpenRouter "Message flagged".
               "content was filtered", "filtered by safety", "message flagged", "prompt flagged", "input flagged", "content flagged"],
        // The filter's configuration refused as invalid (Azure's content filter / RAI policy
        // a request or deployment names): no content was judged, the setting is wrong.
        unless: &["invalid content filter policy", "invalid content filter configuration", "content filter policy is invalid",
                  "provide a valid policy", "invalid rai policy", "raipolicyname"],
        kind: Kind::ContentFilter, ..R },
    // --- Gateways in front of the model server.
    Rule { id: "sensitive_words", source: "MiniMax 1026 \"input new_sensitive\"; Ark \"the input text may contain sensitive information\"",
        any: &["sensitive"], unless: &["case-sensitive", "case sensitive", "insensitive", "sensitive data", "sensitive header"], kind: Kind::ContentFilter, ..R },
    Rule { id: "model_behaviour", source: "pydantic-ai UnexpectedModelBehavior \"Exceeded maximum retries (1) for result validation\": the model's tool calls never validated",
        any: &["unexpectedmodelbehavior", "for result validation", "for output validation"], kind: Kind::ToolCallMalformed, cautious: true, ..R },
    Rule { id: "adapter_parse", source: "DSPy AdapterParseError \"Adapter ChatAdapter failed to parse the LM response\"",
        any: &["adapterparseerror", "failed to parse the lm response"], kind: Kind::BadResponse, cautious: true, ..R },
    Rule { id: "cloudflare_timeout", source: "Cloudflare 524 \"A timeout occurred\" and 522 \"Connection timed out\" pages (Ray ID)",
        status: Status::In(&[522, 524]), kind: Kind::Timeout, gateway: true, ..R },
    Rule { id: "cloudflare_gateway", source: "Cloudflare 502/520/521/523 pages: \"Bad gateway … cloudflare\", \"Web server is returning an unknown error\" (Ray ID)",
        status: Status::Range(500, 599), any: &["cloudflare", "cf-ray", "ray id", "cf-error"], kind: Kind::ServerError, gateway: true, hint: Some(RuleHint::CloudflareGateway), ..R },
    Rule { id: "gateway_page", source: "nginx/ALB 502 \"<title>502 Bad Gateway</title>\", 503 pages; Cloudflare 520-523",
        status: Status::In(&[502, 503, 520, 521, 523]), html: Some(true), kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "envoy_upstream", source: "Envoy 503 \"upstream connect error or disconnect/reset before headers\", \"no healthy upstream\"",
        any: &["upstream connect error", "no healthy upstream"], kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "gateway_timeout", source: "nginx 504 Gateway Time-out; Cloudflare 524 \"A timeout occurred\", 522",
        status: Status::In(&[504, 522, 524]), kind: Kind::Timeout, gateway: true, ..R },
    // --- Size and windows, before rate limits: these never pass on a retry.
    Rule { id: "too_large_for_tier", source: "Groq 413 \"Request too large for model … on tokens per minute (TPM): Limit 6000, Requested 14368\"; OpenAI 429 \"Request too large for gpt-4o … Limit 30000, Requested 342389\"",
        test: Some(requested_over_limit), kind: Kind::RequestTooLarge, hint: Some(RuleHint::TooLargeForTier), ..R },
    // A batch or a body over its limit names the input and "larger than" too: read before the
    // window, which a smaller request of the same size would not fix.
    // More inputs in one embeddings request than the endpoint takes: the list, not a text,
    // is too long (SiliconFlow 413 code 20042; DashScope 400 InternalError.Algo.InvalidParameter).
    Rule { id: "batch_over_limit", source: "SiliconFlow 413 \"input batch size 83 > maximum allowed batch size 64\" (OpenSPG/KAG#232); DashScope 400 \"batch size is invalid, it should not be larger than 10.: input.contents\" (memodb-io/memobase#142)",
        any: &["maximum allowed batch size", "batch size is invalid", "batch size exceeds", "exceeds the maximum batch size", "batch size too large", "batch size is too large"],
        kind: Kind::RequestTooLarge, hint: Some(RuleHint::BatchTooLarge), ..R },
    // A size limit counted in tokens is the service tier's limit on one request (GitHub Models'
    // and Azure AI inference's `tokens_limit_reached`), not a proxy's body size.
    Rule { id: "tokens_over_request_limit", source: "GitHub Models 413 tokens_limit_reached \"Request body too large for gpt-4o model. Max size: 8000 tokens.\"",
        tags: &["tokens_limit_reached"], any: &["body too large", "request too large"], also: &["token"],
        kind: Kind::RequestTooLarge, hint: Some(RuleHint::TooLargeForTier), ..R },
    Rule { id: "payload_over_limit", source: "Gemini 400 \"Request payload size exceeds the limit: 314572800 bytes\"; Bedrock \"Value at 'body' failed to satisfy constraint: Member must have length less than or equal to 25000000\"",
        any: &["payload size exceeds", "payload too large", "request entity too large", "body too large", "request too large", "at 'body' failed to satisfy constraint", "maximum request size", "exceeds the maximum allowed size", "content-length exceeds", "content-length too large", "content length exceeds",
               // Azure Front Door / ASP.NET: "exceeds maximum allowed content length".
               "allowed content length", "maximum content length",
               // A file in the request over its limit (DashScope "Multimodal file size is too large").
               "file size is too large", "file is too large", "file too large", "file size exceeds"],
        // A `Content-Length` header in a pasted answer is no size refusal: only words that say it exceeded.
        also: &["exceed", "too large", "less than or equal", "limit", "maximum"],
        unless: &["tokens per minute", "tpm"], kind: Kind::RequestTooLarge, ..R },
    // More images or files in one request than the model takes: the request's contents are
    // over a count, whatever their size (Azure OpenAI 400 "Too many images in request. Max
    // is 10."). Fewer of them per request is the fix, as for a body over its size.
    Rule { id: "items_over_limit", source: "Azure OpenAI 400 \"Too many images in request. Max is 10.\" (h2oai/h2ogpt)",
        any: &["too many images", "too many image", "too many files", "too many attachments", "too many documents", "number of images exceeds", "images per request", "image count exceeds", "maximum of images", "maximum number of images", "maximum number of files"],
        also: &["max", "exceed", "too many", "limit", "at most", "only"],
        kind: Kind::RequestTooLarge, ..R },
    // A field longer than the API's own limit for it (OpenAI validates every string and array
    // it takes: a message's content up to 1 MiB of text, a call id up to 64 characters, up to
    // 128 tools): not the model's window, and never fixed by a shorter conversation elsewhere.
    // A message's text over it is the request's size; any other field is refused as sent.
    Rule { id: "content_over_field_limit", source: "OpenAI 400 \"Invalid 'messages[17].content': string too long. Expected a string with maximum length 1048576\" (string_above_max_length)",
        any: FIELD_TOO_LONG, test: Some(|f| params::invalid_path(&f.msg).is_some_and(|(top, last)| matches!(top.as_str(), "messages" | "input" | "prompt") && matches!(last.as_str(), "content" | "text" | "input" | "prompt" | "messages"))),
        kind: Kind::RequestTooLarge, ..R },
    Rule { id: "field_over_limit", source: "OpenAI 400 \"Invalid 'input[35].call_id': string too long. Expected a string with maximum length 64\"; \"Invalid 'tools': array too long. Expected an array with maximum length 128\"",
        any: FIELD_TOO_LONG, kind: Kind::ParamRejected, param: Param::InvalidPath, hint: Some(RuleHint::ParamOverLimit), ..R },
    // vLLM's serving code: the output cap asked for does not fit beside the input in the
    // window. The cap is what to change, not the prompt.
    Rule { id: "cap_over_window", source: "vLLM 400 \"'max_tokens' or 'max_completion_tokens' is too large: 64000. This model's maximum context length is 64001 tokens and your request has 24235 input tokens (64000 > 64001 - 24235)\"",
        any: &["'max_tokens' or 'max_completion_tokens' is too large", "max_tokens is too large", "max_completion_tokens is too large", "max_new_tokens is too large"],
        also: &["maximum context length", "context window", "context length"],
        kind: Kind::ContextOverflow, param: Param::Fixed("max_tokens"), hint: Some(RuleHint::CapOverWindow), ..R },
    Rule { id: "context_overflow", source: "OpenAI context_length_exceeded; llama.cpp exceed_context_size_error; Anthropic \"prompt is too long\"; vLLM/TGI maximum context length",
        tags: &["context_length_exceeded", "exceed_context_size_error", "string_above_max_length"], any: CONTEXT_WORDS, kind: Kind::ContextOverflow, ..R },
    Rule { id: "input_over_window", source: "vLLM \"Prompt length of 5016 is longer than the maximum model length of 4096\"; Gemini \"The input token count (81881) exceeds the maximum number of tokens allowed (65536)\"; DashScope \"Range of input length should be [1, 6000]\"; tabbyAPI \"Request length 71599 + 2048 is greater than max_seq_len\"",
        test: Some(input_over_window), kind: Kind::ContextOverflow, ..R },
    // --- Per-window quotas (they pass after the wait) before billing (it never does).
    Rule { id: "quota_window", source: "Gemini 429 RESOURCE_EXHAUSTED \"You exceeded your current quota\" with RetryInfo retryDelay '43s' and a PerMinute quota id",
        tags: &["resource_exhausted"], test: Some(has_retry_delay), kind: Kind::RateLimit, ..R },
    Rule { id: "quota_per_minute", source: "Gemini quota ids GenerateRequestsPerMinutePerProjectPerModel-FreeTier; \"Quota exceeded for requests per minute\"",
        any: &["perminute", "per minute", "perday", "per day", "requests per"], also: &["quota", "limit", "exhausted"], kind: Kind::RateLimit, ..R },
    // A quota that says when to come back resets: a window, not a spent balance.
    // A quota whose limit is zero: the tier has none of it, so no wait lifts it, whatever
    // "retry in 1.9s" the message adds.
    Rule { id: "quota_zero", source: "Gemini's free tier on a model it does not cover: \"Quota exceeded for metric: …free_tier_requests, limit: 0, model: gemini-2.0-flash … Please retry in 1.9s\"",
        any: &["quota"], test: Some(limit_zero), kind: Kind::Billing, hint: Some(RuleHint::QuotaZero), ..R },
    // A free allowance used up: what is left is paying.
    Rule { id: "free_tier_exhausted", source: "DashScope through APIPark: \"The free tier of the model has been exhausted. If you wish to continue access the model on a paid basis …\"",
        any: &["free tier", "free quota", "free allowance", "free credits", "免费额度"],
        also: &["has been exhausted", "have been exhausted", "is exhausted", "are exhausted", "used up", "run out", "depleted", "已用完", "已用尽"],
        unless: &["resource has been exhausted", "resource_exhausted"], kind: Kind::Billing, ..R },
    // A quota said to be used up with no window, wait or rate beside it: an allowance, which
    // no wait within minutes restores. Likely: some windows go unsaid.
    Rule { id: "quota_no_window", source: "PowerToys Advanced Paste \"API key quota exceeded\"; CloudBase EXCEED_TOKEN_QUOTA_LIMIT \"Token usage exceeded quota limit.\"",
        any: &["quota exceeded", "exceeded quota", "exceeded the quota", "exceeded your quota", "quota limit", "quota has been exceeded", "quota_exceeded", "quota is exceeded", "out of quota", "quota exhausted", "quota has been exhausted"],
        unless: &["per minute", "per second", "per hour", "per day", "perminute", "perday", "rpm", "tpm", "rpd", "retry in", "try again in", "retry after", "retrydelay", "rate", "requests", "window", "minute", "second", "hour", "daily", "concurren", "throttl", "resource_exhausted", "resource exhausted", "429"],
        kind: Kind::Billing, cautious: true, ..R },
    Rule { id: "quota_with_wait", source: "Gemini free tier through the AI SDK: \"You exceeded your current quota … Please retry in 30.638054576s\"",
        any: &["exceeded your current quota", "quota exceeded", "exceeded quota", "quota has been exceeded", "quota_exceeded"],
        also: &["retry in ", "try again in ", "retrydelay", "retry after", "retry-after", "please retry"],
        test: Some(|f| !f.body.tags.iter().any(|t| t == "insufficient_quota")), kind: Kind::RateLimit, ..R },
    // A plan's allowance used up, with the plan's upgrade as the way on: paying, not waiting
    // out a window (a per-minute limit that offers a higher tier says its window).
    Rule { id: "plan_allowance_used", source: "AFFiNE \"You have reached the limit of actions in this workspace, please upgrade your plan.\"; Codeium \"free user account exceeded, please … upgrade to a paid plan\"",
        any: &["upgrade your plan", "upgrade to a paid plan", "upgrade to a paid", "upgrade your subscription", "upgrade your account"],
        also: &["reached the limit", "reached your limit", "limit reached", "exceeded", "used up", "run out", "ran out", "no more"],
        unless: &["per minute", "per second", "per hour", "per day", "rpm", "tpm", "rpd", "retry in", "try again in", "retry after", "rate limit", "requests per", "tokens per", "concurren"],
        kind: Kind::Billing, cautious: true, ..R },
    Rule { id: "billing_fewer_max_tokens", source: "OpenRouter 402 \"This request requires more credits, or fewer max_tokens. You requested up to 16384 tokens, but can only afford 3919\"",
        any: &["fewer max_tokens", "can only afford"], kind: Kind::Billing, hint: Some(RuleHint::AffordFewerTokens), ..R },
    Rule { id: "billing", source: "OpenAI 429 insufficient_quota; Anthropic 400 \"Your credit balance is too low\"; DeepSeek 402 \"Insufficient Balance\"; Qwen Arrearage",
        tags: &["insufficient_quota", "billing_hard_limit_reached", "insufficient_balance", "billing_not_active", "arrearage", "payment_required"],
        any: &["insufficient balance", "insufficient_balance", "credit balance", "credits_balance", "credit_balance", "more credits", "billing", "payment", "exceeded your current quota", "out of funds", "insufficient credits", "insufficient funds", "monthly limit", "spending limit", "spend limit", "budget has been exceeded", "exceeded budget", "budget exceeded", "余额不足", "arrearage", "account is not active", "good standing", "overdue", "in arrears", "arrears", "recharge", "top up", "欠费", "充值",
               "set inference limit", "inference limit", "free allocated quota", "free quota", "subscription allowance", "account balance", "balance is insufficient", "balance insufficient", "not enough balance", "insufficient account",
               "额度已用尽", "额度不足", "额度", "账户余额", "out of credits", "no credits", "credits exhausted", "free trial", "trial has ended", "trial has expired", "trial expired", "subscription has expired",
               "subscription expired", "subscription is inactive", "no active subscription", "run out of credits", "purchase credits", "add credits",
               // Anthropic's spend limit of a workspace or organisation: access returns on a date.
               "specified api usage limits", "regain access on",
               // A request to buy before going on (Gitee AI: "请购买资源后继续使用", "purchase or
               // authorize resources").
               "please purchase", "purchase or authorize", "请购买", "购买资源", "绑定或购买",
               // A plan's allowance for the month: no wait within minutes lifts it.
               "for this month", "monthly quota", "monthly usage limit", "monthly allowance", "本月",
               // OpenRouter's per-key spending cap: "Key limit exceeded (total limit)".
               "key limit exceeded"],
        // A failure notice that reassures about the bill (Windsurf's "No credits consumed on
        // this tool call") says nothing of the account's credit.
        // Gemini's "User location is not supported for the API use without a billing account
        // linked": the region, which a billing account only unlocks (access_words reads it).
        // OpenAI's TPM message ends "You can increase your rate limit by adding a payment
        // method": advice on raising a window, not a spent balance.
        unless: &["increase your rate limit", "location is not supported", "no credits consumed", "no credits were consumed", "no credits used", "no credits were used", "no credits have been", "not charged", "were not charged"],
        kind: Kind::Billing, ..R },
    Rule { id: "credit_depleted", source: "a gateway's 403 \"Your free credits are used up\"; \"credit has run out\"; \"余额已用完\"",
        test: Some(credit_depleted), kind: Kind::Billing, ..R },
    Rule { id: "billing_402", source: "HTTP 402 Payment Required from any provider", status: Status::In(&[402]), kind: Kind::Billing, ..S },
    Rule { id: "rate_limit", source: "OpenAI 429 rate_limit_exceeded \"Rate limit reached … Please try again in 6ms\"; Anthropic rate_limit_error; Gemini RESOURCE_EXHAUSTED; Mistral \"Requests rate limit exceeded\"",
        tags: &["rate_limit_exceeded", "rate_limit_error", "ratelimiterror", "resource_exhausted", "throttlingexception", "too_many_requests", "ratelimitexceeded", "requests", "tokens"],
        any: RATE_WORDS,
        // The server's own capacity said outright ("The engine is currently overloaded" with
        // a 429 from OpenAI and Moonshot, "Model busy"): the server's state, not the caller's
        // rate.
        // The 429's own reason phrase ("429 Too Many Requests") is the status again, not a
        // message: read by the status layer, whose fix holds for a quota too.
        // openai-python 0.x raised RateLimitError for OpenAI's "The server had an error while
        // processing your request": the label is the client's, the words the server's.
        unless: &["request too large", "server had an error"], test: Some(|f| !f.has(SERVER_CAPACITY) && !reason_phrase_only(f)),
        kind: Kind::RateLimit, ..R },
    Rule { id: "rate_limit_429_silent", source: "HTTP 429 with only a client's boilerplate around it (axios \"Request failed with status code 429\"; Guzzle \"resulted in a 429 Too Many Requests response\")",
        status: Status::In(&[429]), test: Some(silent_429), kind: Kind::RateLimit, hint: Some(RuleHint::SilentRateLimit), ..S },
    Rule { id: "rate_limit_429", source: "HTTP 429 with any body", status: Status::In(&[429]), kind: Kind::RateLimit, hint: Some(RuleHint::BareRateLimit), ..S },
    Rule { id: "overloaded", source: "Anthropic 529 overloaded_error \"Overloaded\"; Gemini 503 UNAVAILABLE \"The model is overloaded\"",
        tags: &["overloaded_error", "unavailable"], any: &["overloaded", "model busy", "out of capacity", "system capacity", "capacity limits", "processing too many requests"],
        // TGI answers a full queue with 429 "Model is overloaded": the caller's concurrency;
        // "currently overloaded" (OpenAI's and Moonshot's 429) is the engine's state.
        test: Some(|f| f.status != Some(429) || f.has(SERVER_CAPACITY)), kind: Kind::ServerError, ..R },
    // --- A capability the model or server does not have, said in words: it outvotes a
    // generic code (Groq's tool_use_failed) and the status (a 500 from Ollama).
    Rule { id: "stream_refused", source: "Bedrock ValidationException \"The model is unsupported for streaming\"; Ark \"the selected model does not support the stream mode\"",
        any: &["unsupported for streaming", "does not support stream", "support the stream", "streaming is not supported", "streaming not supported", "not support streaming", "stream mode is not supported", "不支持流式"],
        kind: Kind::ParamRejected, param: Param::Fixed("stream"), ..R },
    // The other way round: a route or model that only streams.
    // Anthropic's SDKs refuse, before sending, a non-streaming request whose max_tokens
    // could make it run past about 10 minutes; their error links the README section.
    Rule { id: "sdk_long_request", source: "anthropic-sdk-python and anthropic-sdk-typescript README, \"Long Requests\": the SDK raises if a non-streaming request is expected to run past roughly 10 minutes, and its error links that section (#long-requests)",
        any: &["#long-requests"], kind: Kind::ParamRejected, param: Param::Fixed("max_tokens"), hint: Some(RuleHint::LongRequest), cautious: true, ..R },
    Rule { id: "stream_required", source: "new-api relaying a Codex subscription: \"API Error: 400 Stream must be set to true\"",
        any: &["stream must be set to true", "stream must be true", "streaming is required", "only streaming is supported", "only supports streaming", "only stream mode",
               "stream mode is required", "must use streaming", "must be called with stream", "requires stream=true", "仅支持流式", "只支持流式"],
        kind: Kind::ParamRejected, param: Param::Fixed("stream"), ..R },
    Rule { id: "capability_refused", source: "OpenRouter 404 \"No endpoints found that support tool use\" / \"…the provided 'tool_choice' value\"; Ollama 400 \"… does not support tools\"",
        any: &["no endpoints found that support", "does not support tools", "does not support tool", "tool use is not supported", "tools is not supported", "tools are not supported", "doesn't support tool", "not support tool",
               "does not support function", "doesn't support function", "tool calling is not", "function calling is not", "tool calls are not supported", "tool_calls are not supported", "tool call is not supported", "function call is not supported", "不支持工具", "不支持函数",
               // A refused structured-output mode by its product name (DeepSeek: "does not support Json Output").
               "does not support json output", "does not support json mode", "does not support structured output"],
        kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    // llama.cpp 501 not_supported_error: the route exists, the feature was not started.
    Rule { id: "server_feature_off", source: "llama.cpp 501 \"This server does not support embeddings. Start it with `--embeddings`\"",
        any: &["server does not support embeddings", "server does not support embedding", "server does not support reranking", "start it with `--", "start it with --", "restart it with --", "not_supported_error"],
        kind: Kind::WrongRoute, hint: Some(RuleHint::FeatureOff), ..R },
    // The model answered nothing an agent can use: likely an empty or cut answer.
    Rule { id: "empty_answer", source: "Cline \"Unexpected API Response: The language model did not provide any assistant messages\"; an agent's \"model returned an empty response\"",
        any: &["did not provide any assistant messages", "no assistant messages", "returned an empty response", "empty response from the model", "model returned no content", "empty completion", "response was empty", "returned empty content"],
        kind: Kind::BadResponse, cautious: true, ..R },
    // A request refused because a tool call's arguments in its history are not JSON: the
    // model wrote them earlier and the client replayed them; the history is what to repair.
    Rule { id: "replayed_tool_args", source: "MiniMax 400 code 2013 \"invalid params, invalid function arguments json string\" (charmbracelet/crush#2720); DashScope 400 \"The \\\"function.arguments\\\" parameter of the code model must be in JSON format\" (explyt/explyt#23)",
        any: &["invalid function arguments", "function.arguments\" parameter", "function.arguments parameter", "arguments must be in json", "arguments must be valid json", "arguments must be a valid json"],
        kind: Kind::ToolCallMalformed, hint: Some(RuleHint::ReplayedToolArgs), ..R },
    // An agent's or a library's own words about the model's tool calls: it says the model
    // got them wrong, not what; the reading is the likely one.
    Rule { id: "tool_calls_invalid", source: "an agent's \"The model produced invalid tool calls\"; \"could not parse the tool call\"; Cline/Roo \"tried to use … without value for required parameter\", \"inability to use a tool properly\"; OpenHands FunctionCallValidationError",
        any: &["invalid tool call", "malformed tool call", "produced invalid", "invalid function call", "could not parse tool call", "could not parse the tool call", "failed to parse tool call", "unable to parse tool call", "tool call parsing failed", "invalid tool_calls",
               "without value for required parameter", "inability to use a tool", "failure in his thought process", "failure in its thought process", "you did not use a tool", "did not use a tool", "failed to use a tool",
               "functioncallvalidationerror", "functioncallnotexistserror", "llmmalformedactionerror", "llmnoactionerror", "malformed action",
               "nosuchtoolerror", "invalidtoolargumentserror", "invalidtoolinputerror", "toolcallrepairerror", "invalid arguments for tool", "invalid tool arguments", "tool arguments are not valid",
               "unavailable tool", "non-existent tool", "nonexistent tool", "tried to call a tool", "model tried to call", "invalid tool input", "failed to parse tool arguments", "failed to parse function arguments",
               "invalid function arguments", "tool call arguments",
               // Vertex AI's and the Gemini API's description of FinishReason MALFORMED_FUNCTION_CALL, as adapters pass it on.
               "function call generated by the model is invalid", "tool call generated by the model is invalid", "malformed function call", "malformed tool call"],
        unless: &["tool call id", "tool_call_id"], kind: Kind::ToolCallMalformed, cautious: true, ..R },
    Rule { id: "tool_parse_failed", source: "LangChain \"Could not parse tool input: … because the arguments is not valid JSON\"; Ollama \"error parsing tool call\"",
        test: Some(tool_parse_failed), kind: Kind::ToolCallMalformed, cautious: true, ..R },
    Rule { id: "tool_args_invalid", source: "llama.cpp 500 \"Failed to parse tool call arguments as JSON: [json.exception.parse_error.101]\"; Groq \"parameters for tool search did not match schema\"; a JSON decoder's words about a tool's arguments",
        test: Some(super::tool_args::malformed), kind: Kind::ToolCallMalformed, ..R },
    // --- The model's own output, not the request's shape.
    Rule { id: "tool_call_malformed", source: "Groq 400 tool_use_failed \"Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.\"",
        tags: &["tool_use_failed", "failed_generation"], any: &["failed_generation", "failed to call a function", "tool call validation failed", "error parsing tool call",
               // magentic: the model called a function the request did not offer.
               "unknown tool call"],
        kind: Kind::ToolCallMalformed, ..R },
    // --- The conversation, not a parameter: retrying the same messages never helps, even
    // when the server says 500 (its template raised while rendering them).
    Rule { id: "chat_template_5xx", source: "llama.cpp 500 \"Conversation roles must alternate user/assistant/user/assistant/... at row 19\" (jinja raise_exception)",
        status: Status::Range(500, 599), any: TEMPLATE_WORDS, kind: Kind::ServerError, hint: Some(RuleHint::ChatTemplate), ..R },
    Rule { id: "chat_template", source: "TGI 422 \"Template error: syntax error: Conversation roles must alternate\"; a template that raised while rendering the conversation (a missing template is the model's: `capability`)",
        any: TEMPLATE_WORDS, kind: Kind::BadRequest, param: Param::Fixed("messages"), hint: Some(RuleHint::ChatTemplate), ..R },
    // Roles out of order, refused by an API rather than a template (the rule above takes
    // template words first): Perplexity "user or tool message(s) should alternate with
    // assistant message(s)"; Anthropic's and Mistral's "roles must alternate".
    Rule { id: "roles_alternate", source: "Perplexity 400 \"After the (optional) system message(s), user or tool message(s) should alternate with assistant message(s).\"",
        any: &["should alternate", "must alternate", "alternate between", "alternating user", "alternate with"],
        also: &["message", "role", "user", "assistant"],
        kind: Kind::BadRequest, param: Param::Fixed("messages"), hint: Some(RuleHint::RolesAlternate), ..R },
    // The conversation's shape: a model that will not continue an assistant's prefill.
    Rule { id: "conversation_shape", source: "copilot-api 400 invalid_request_body \"This model does not support assistant message prefill. The conversation must end with a user message.\"",
        any: &["must end with a user message", "conversation must end with", "assistant message prefill", "prefill is not supported", "does not support prefill", "last message must be a user", "final message must be a user"],
        kind: Kind::BadRequest, ..R },
    // A thinking model whose earlier turn's reasoning must come back with the conversation
    // (DeepSeek's thinking mode with tool calls: api-docs.deepseek.com/guides/thinking_mode).
    // Go's net/http gave up waiting for the upstream's headers (Transport.ResponseHeaderTimeout),
    // as a reverse proxy's log says it under its own 502: the upstream was too slow to start.
    Rule { id: "header_timeout", source: "Go net/http \"net/http: timeout awaiting response headers\" (oauth2-proxy, Caddy and other Go proxies log it with their 502)",
        any: &["timeout awaiting response headers"], kind: Kind::Timeout, cautious: true, ..R },
    // A message part or an input item whose type this endpoint does not take: a shape the
    // API has that this endpoint or gateway does not (LABELS.md: `param_rejected` on the
    // content field).
    Rule { id: "part_type_refused", source: "OpenRouter \"Unsupported content type: redacted_thinking\" (farion1231/cc-switch)",
        test: Some(content_part_type), kind: Kind::ParamRejected, param: Param::Fixed("messages"), hint: Some(RuleHint::MessageShape), ..R },
    Rule { id: "input_item_refused", source: "a Responses API translator's \"Unsupported Responses API input item type: 'x'\"",
        test: Some(input_item_type), kind: Kind::ParamRejected, param: Param::Fixed("input"), ..R },
    // Anthropic's shape of DeepSeek's thinking-mode rule: the assistant's thinking blocks go
    // back in its content, which lives in `messages` (LABELS.md: a located part).
    Rule { id: "thinking_back", source: "DeepSeek's Anthropic API 400 \"The `content[].thinking` in the thinking mode must be passed back to the API.\"",
        any: &["content[].thinking", "thinking block", "thinking blocks"], also: &["must be passed back", "passed back", "pass back", "must be included"],
        kind: Kind::BadRequest, param: Param::Fixed("messages"), hint: Some(RuleHint::ThinkingBack), ..R },
    Rule { id: "reasoning_content_back", source: "DeepSeek 400 \"Missing `reasoning_content` field in the assistant message at message index 2\" (its thinking-mode guide: with tool calls, reasoning_content is passed back)",
        any: &["reasoning_content"], also: &["missing", "must be passed", "passed back", "pass back", "is required", "required field", "must be included", "must include", "should be passed"],
        // Its fix is the one every refusal naming a reasoning field gets (failure.rs, by the parameter).
        kind: Kind::BadRequest, param: Param::Fixed("reasoning_content"), ..R },
    Rule { id: "tool_message_order", source: "OpenAI 400 \"messages with role 'tool' must be a response to a preceeding message with 'tool_calls'\"; \"An assistant message with 'tool_calls' must be followed by tool messages\"",
        any: &["must be a response to a preceeding message", "must be a response to a preceding message",
               // Gemini: "Please ensure that function call turn comes immediately after a user turn or after a function response turn."
               "turn comes immediately after", "must be followed by tool messages", "did not have response messages", "tool_use ids were found without tool_result", "unexpected tool_use_id", "unexpected `tool_use_id`", "block must have a corresponding", "ids were found without `tool_result`"],
        // The fault is in the `messages` array's order, and the field names it.
        kind: Kind::BadRequest, param: Param::Fixed("messages"), hint: Some(RuleHint::ToolMessageOrder), ..R },
    Rule { id: "tool_call_id_format", source: "Mistral 400 invalid_function_call \"Tool call id was call_PTLP8xhu3uwZk4l3nlnrrJha but must be a-z, A-Z, 0-9, with a length of 9.\" (also as a 500 from servers using mistral-common)",
        any: &["tool call id was", "tool_call_id was", "invalid tool call id", "invalid tool_call_id"],
        kind: Kind::ParamRejected, param: Param::Fixed("tool_call_id"), ..R },
    // --- Models that do not exist (by code first).
    Rule { id: "azure_deployment", source: "Azure OpenAI 404 DeploymentNotFound \"The API deployment for this resource does not exist\" (older API versions: \"for the resource\")",
        tags: &["deploymentnotfound"], any: &["api deployment for this resource does not exist", "api deployment for the resource does not exist", "deployment for this resource does not exist", "deployment for the resource does not exist"],
        kind: Kind::ModelNotFound, hint: Some(RuleHint::AzureDeployment), ..R },
    // A platform that serves models as deployments found none for what the request named
    // (SAP AI Core's orchestration, a serving platform's "deployment not found").
    Rule { id: "deployment_missing", source: "SAP AI SDK \"No deployment matched the given criteria: {\\\"scenarioId\\\":…}\"; serving platforms' \"deployment not found\"",
        any: &["no deployment matched", "no deployment found", "deployment not found", "no running deployment"],
        kind: Kind::ModelNotFound, cautious: true, ..R },
    // A 403 that speaks of access and a model: the model exists and the key may not use it,
    // whatever code (`model_not_found`) the body also carries.
    Rule { id: "access_403_model", source: "OpenAI 403 model_not_found \"Project `proj_x` does not have access to model `gpt-4o`\"; a gateway's 403 \"no access to this model\"",
        status: Status::In(&[403]), any: &["access", "permission", "not allowed", "denied", "not authorized", "forbidden", "权限"], also: MODEL_WORDS,
        unless: &["credit", "balance", "quota", "billing", "payment", "api key", "token"], kind: Kind::AccessDenied, ..R },
    Rule { id: "model_code", source: "OpenAI 404 model_not_found; Groq 400 model_decommissioned; Azure 404 DeploymentNotFound; vLLM 404 NotFoundError",
        tags: &["model_not_found", "model_decommissioned", "deploymentnotfound", "notfounderror", "model_not_available", "invalid_model", "unknown_model", "model_not_supported",
               "unsupported_model", "invalid_model_id", "model_not_exist", "model_does_not_exist"],
        // OpenAI 403 "Project `proj_x` does not have access to model `gpt-4o`" carries
        // code model_not_found, but the model exists: the project may not use it.
        unless: &["does not have access to model"],
        kind: Kind::ModelNotFound, ..R },
    Rule { id: "openrouter_no_endpoints_model", source: "OpenRouter 404 \"No endpoints found for deepseek/deepseek-r1:free.\"",
        any: &["no endpoints found for"], kind: Kind::ModelNotFound, ..R },
    Rule { id: "openrouter_data_policy", source: "OpenRouter 404 \"No endpoints found matching your data policy\"",
        any: &["matching your data policy"], kind: Kind::AccessDenied, hint: Some(RuleHint::ProviderRouting), ..R },
    // --- A parameter refused: the one the answer names.
    // --- Account state: the key is fine, the account may not do this (yet).
    Rule { id: "org_verification", source: "OpenAI 400 \"Your organization must be verified to stream this model\" / \"…to use the model\"",
        any: &["organization must be verified", "organisation must be verified", "verify organization", "verify your organization", "organization is not verified", "organization verification"],
        kind: Kind::AccessDenied, hint: Some(RuleHint::OrgVerification), ..R },
    Rule { id: "region_not_served", source: "OpenAI 403 unsupported_country_region_territory; Gemini \"User location is not supported\"; a provider \"doesn't serve your region\"",
        any: &["serve your region", "not available in your region", "not available in your country", "region is not supported", "region not supported", "unsupported region", "unsupported_country", "location is not supported",
               "country, region, or territory", "not supported in your region", "地区", "区域不支持"],
        kind: Kind::AccessDenied, hint: Some(RuleHint::RegionNotServed), ..R },
    Rule { id: "account_state", source: "Bedrock AccessDeniedException \"You don't have access to the model with the specified model ID\"; \"Your account is not authorized to invoke this API operation\"; Ark \"has not activated the model\"",
        any: &["don't have access to the model", "do not have access to the model", "does not have access to the model", "not authorized to invoke", "not authorized to access", "not authorized to use",
               "is only authorized for use with", "has not activated", "not activated", "activate the model", "please activate", "service is not open", "not been enabled", "is not enabled for",
               "eligible for using", "not eligible", "account has been locked", "account is locked", "account has been disabled", "account is disabled", "organization has been disabled", "access to model denied",
               "access to this model", "does not work with your current plan", "not available on your plan", "upgrade your plan", "not included in your plan", "you do not have permission", "don't have permission",
               "no permission", "permission to access", "not allowed to use", "not allowed for your account", "is not allowed to", "access denied", "access is denied", "accessdenied", "request not allowed",
               "operation is denied", "endpoint that is currently closed", "not authorized to perform", "does not have permission", "lacks the required", "does not have authorization",
               "authorizationfailed", "iam_permission_denied", "denied on resource", "organization not verified", "verified organization", "must be verified", "missing scope", "insufficient scope", "insufficient_scope", "required scope", "insufficient permissions", "restricted", "未开通", "没有权限", "无权", "权限不足", "拒绝访问"],
        unless: &["does not exist or you do not have access", "not found or", "rate limit", "balance", "quota", "arrear", "credit", "payment",
                  "invalid subscription key", "invalid api key", "invalid key", "api key is invalid", "incorrect api key", "key is not valid",
                  // Denied for a credential the request lacks: the key's matter (auth), not the account's.
                  "missing subscription key", "missing api key", "missing key", "key is missing", "no api key", "missing credentials", "missing authentication"],
        kind: Kind::AccessDenied, ..R },
    // Azure serves models and features per `api-version` (learn.microsoft.com/azure/ai-services/openai/api-version-lifecycle):
    // the model is real, the version the client pins is not one that serves it.
    Rule { id: "api_version", source: "Azure OpenAI 400 \"Model {modelName} is enabled only for api versions 2024-12-01-preview and later\"; Azure 404 \"Resource not found\" for an unsupported api-version",
        any: &["api version", "api-version", "api_version", "apiversion"],
        also: &["only for", "and later", "or later", "not supported", "unsupported", "is not available", "newer", "requires"],
        unless: &["missing", "required parameter", "is required", "not found", "not_found", "listmodels"],
        kind: Kind::WrongRoute, param: Param::Fixed("api-version"), hint: Some(RuleHint::ApiVersion), cautious: true, ..R },
    // --- The model is real but answers on another route or deployment type.
    // A whole API (route) retired in favour of another: the request must move, not the model
    // ("Generate API was removed on September 15 2025. Please migrate to Chat API").
    Rule { id: "api_retired", source: "Cohere \"Generate API was removed … Please migrate to Chat API\" (docs.cohere.com migrating-from-cogenerate-to-cochat); OpenAI's deprecations of the Completions and Assistants APIs (platform.openai.com/docs/deprecations)",
        any: &["api was removed", "api has been removed", "api is removed", "api was deprecated", "api has been deprecated", "api is deprecated", "endpoint was removed", "endpoint has been removed", "endpoint is deprecated", "endpoint has been deprecated"],
        also: &["migrate", "migration", "instead", "use the", "switch to", "move to"],
        kind: Kind::WrongRoute, ..R },
    // A model said to be unavailable on a named API ("claude-opus-4-6 is not supported in the
    // generateContent API"): it is served, on another route.
    Rule { id: "model_not_on_api", source: "google-genai (Java) on Vertex \"claude-opus-4-6 is not supported in the generateContent API\"",
        any: &[" api"], test: Some(not_on_named_api), kind: Kind::WrongRoute, cautious: true, ..R },
    Rule { id: "route_words", source: "Azure OperationNotSupported \"The chatCompletion operation does not work with the specified model\"; Bedrock \"Invocation of model ID … with on-demand throughput isn't supported\"; \"does not support the '/v1/responses' API\"",
        any: &["operation does not work with the specified model", "on-demand throughput", "inference profile", "does not support the '/v1/", "does not support the /v1/", "does not support the \"/v1/",
               "call method", "not supported on this endpoint", "not supported by this endpoint", "not supported on the /v1", "use the /v1/", "operationnotsupported", "is not a chat model", "not a completion model",
               "only supports embeddings", "does not support chat", "does not support completions", "is not supported for this api", "model type is not supported",
               // Bedrock's InvokeModel for a Messages-only model: "… is not supported on this API. Please use the Messages API instead."
               "is not supported on this api", "not supported for task", "use the messages api", "use the responses api", "use the chat completions api", "use the completions api"],
        kind: Kind::WrongRoute, ..R },
    // The model names the only API or endpoint it is served on, or the one it is not.
    Rule { id: "only_route", source: "GitHub Copilot \"model gpt-5.4-mini is not accessible via the /chat/completions endpoint\"; Gemini \"This model only supports Interactions API\"",
        any: &["model"], test: Some(only_route), kind: Kind::WrongRoute, ..R },
    Rule { id: "refused_on_route", source: "OCI Generative AI \"Multi Agent requests are not allowed on chat completions\"; \"… not supported via the completions endpoint\"",
        test: Some(refused_on_route), kind: Kind::WrongRoute, cautious: true, ..R },
    Rule { id: "wrong_route", source: "OpenAI 404 \"This is not a chat model and thus not supported in the v1/chat/completions endpoint\"; \"only supported in v1/responses\"",
        any: &["not a chat model", "only supported in v1/responses", "only supported in /v1/responses", "use the responses api", "not supported in the v1/chat/completions", "for format"],
        also: &["not supported", "only supported", "responses api", "did you mean"], kind: Kind::WrongRoute, ..R },
    // JSON mode's own condition: the word "JSON" somewhere in the messages. The request's
    // content lacks it; `response_format` is right as it is.
    Rule { id: "json_word_required", source: "OpenAI 400 \"'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.\"; DeepSeek \"Prompt must contain the word 'json' …\"",
        any: &["must contain the word 'json'", "must contain the word \"json\"", "must contain the word json", "the word 'json' in some form"],
        kind: Kind::BadRequest, param: Param::Fixed("messages"), hint: Some(RuleHint::JsonWordRequired), ..R },
    Rule { id: "param_over_limit", source: "Bedrock \"The maximum tokens you requested exceeds the model limit of 32768\"; TGI \"Error in `parameters.max_new_tokens`: ensure this value is less than or equal to 250\"",
        any: &["exceeds the model limit", "exceed the model limit", "less than or equal", "must be less than", "must be <=", "greater than the maximum", "is greater than", "out of range", "too large", "at most", "the maximum is", "maximum allowed", "exceeds the maximum", "supported range", "allowed range", "valid range", "超过最大"],
        unless: &["context", "prompt", "input"],
        kind: Kind::ParamRejected, param: Param::Blamed, hint: Some(RuleHint::ParamOverLimit), ..R },
    Rule { id: "param_named", source: "OpenAI 400 unsupported_parameter 'max_tokens'; Azure \"Unrecognized request argument supplied: stream_options\"; Mistral 422 extra_forbidden; vLLM \"auto\" tool choice",
        status: Status::Range(400, 499), kind: Kind::ParamRejected, param: Param::Blamed,
        // A 401 or 407 is about credentials, whatever field its body blames (LiteLLM's "param": "key").
        test: Some(|f| !matches!(f.status, Some(401 | 407)) && params::param_focus(f) && !params::about_the_answer(&f.msg) && !params::located_in_content(&f.msg)), ..R },
    Rule { id: "param_refused_5xx", source: "Ollama 500 \"registry.ollama.ai/library/x does not support tools\"; llama.cpp 500 on response_format",
        status: Status::Range(500, 599), test: Some(|f| params::refusal_words(&f.msg)), kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    Rule { id: "param_words", source: "exception text naming a refused parameter (\"Unrecognized request argument supplied: stream_options\")",
        status: Status::Unknown, test: Some(|f| params::refusal_words(&f.msg) && !params::about_the_answer(&f.msg)), kind: Kind::ParamRejected, param: Param::Blamed, ..R },
    // --- The request's own content is malformed (not an optional parameter).
    // --- A field the request lacks: add it (never "remove"). A path inside a message
    // names no field (`messages.0.content: Field required`).
    Rule { id: "field_missing", source: "OpenAI 400 \"you must provide a model parameter\"; DashScope \"Required parameter \\\"model\\\" missing\"; OpenAI \"Missing required parameter: 'input[399].id'\"; pydantic \"model\\n  Field required [type=missing]\"",
        test: Some(params::lacks_field), kind: Kind::BadRequest, param: Param::Field, hint: Some(RuleHint::FieldMissing), ..R },
    // A message shape this model or endpoint does not take, though the API has it (a system
    // role on o1-mini, image parts on a text-only model, a document part beside images): the
    // request is well formed, the model refuses a feature of it. Its fix changes the message
    // (fold the system prompt into the user turn, send text only), never drops `messages`.
    Rule { id: "message_shape_refused", source: "OpenAI 400 unsupported_value \"'messages[0].role' does not support 'system' with this model\"; DeepSeek 422 \"messages[25]: unknown variant `image_url`, expected `text`\"; a proxy's \"System messages are not allowed\"",
        any: &["messages[", "messages.", "'messages'", "`messages`", "system message", "system messages", "message role"],
        also: &["does not support", "do not support", "not supported", "unsupported value", "unknown variant", "does not accept", "are not allowed", "is not allowed", "not permitted for this model", "with this model"],
        unless: &["context", "too long", "exceed", "maximum model length", "tool_calls", "tool_call_id", "tool message", "tool_use", "tool_result", "extra inputs", "reasoning_content"],
        test: Some(|f| params::deserialize_head(&f.msg).is_none_or(|h| h == "messages")),
        kind: Kind::ParamRejected, param: Param::Fixed("messages"), ..R },
    // serde names the field a value it does not know sits in: "tools[55].type: unknown
    // variant `x_search`, expected `function` or `live_search`" is a kind of tool this
    // endpoint does not take (a message's part is read above).
    Rule { id: "variant_refused", source: "xAI 422 \"Failed to deserialize the JSON body into the target type: tools[55].type: unknown variant `x_search`, expected `function` or `live_search`\"",
        any: &["unknown variant"], test: Some(|f| params::deserialize_head(&f.msg).is_some_and(|h| h != "messages")),
        kind: Kind::ParamRejected, param: Param::Deserialized, ..R },
    Rule { id: "messages_invalid", source: "DeepSeek 422 \"Failed to deserialize the JSON body into the target type: messages[1]: invalid type\"; MiniMax 2013 \"chat content has invalid message role\"",
        any: &["failed to deserialize the json body", "invalid message role", "invalid role", "messages must", "message must be", "invalid messages", "element per message", "unexpected role", "after role", "'assistant', 'user'", "\"assistant\", \"user\"", "messages[", "messages.", "'messages'", "`messages`", "message role", "roles must", "message at position"],
        also: &["deserialize", "invalid", "must", "missing", "expected", "not match", "unsupported", "empty"],
        unless: &["context", "too long", "exceed", "maximum model length", "tool_calls", "tool_call_id", "tool message"],
        // serde's path names the field that failed: `input: data did not match` is not `messages`.
        test: Some(|f| params::deserialize_head(&f.msg).is_none_or(|h| h == "messages")),
        kind: Kind::BadRequest, param: Param::Fixed("messages"), ..R },
    // --- Models that do not exist (by words).
    // --- The server says it failed, whatever the status.
    Rule { id: "stream_error_words", source: "OpenRouter \"Mid-Stream Error\"; a gateway's \"provider stream error returned without a message\"",
        any: &["mid-stream error", "midstream error", "stream error returned", "error in the stream", "provider stream error", "error event in stream"],
        kind: Kind::StreamError, ..R },
    Rule { id: "provider_routing", source: "OpenRouter 404 \"No allowed providers are available for the selected model\"; 502 \"Paid model training violation (account settings): 1 endpoint excluded\"",
        any: &["no allowed providers", "allowed providers are available", "paid model training violation", "endpoint excluded", "endpoints excluded", "matching your data policy", "data policy", "provider preferences", "ignored providers"],
        kind: Kind::AccessDenied, hint: Some(RuleHint::ProviderRouting), ..R },
    Rule { id: "proxy_page", source: "Squid \"ERROR: The requested URL could not be retrieved … Invalid URL\"",
        any: &["the requested url could not be retrieved"], also: &["invalid url"], kind: Kind::BaseUrl, ..R },
    Rule { id: "proxy_unreachable", source: "Squid 502/503 page \"The requested URL could not be retrieved\" (the proxy could not reach the server)",
        any: &["the requested url could not be retrieved", "generated by squid"], kind: Kind::Network, ..R },
    // A header the server requires, said missing: the request's, whatever auth-looking
    // type or status carries it (Anthropic answers a browser's call without its header with
    // 401 `authentication_error`). An auth header said missing is `auth_words`' to read.
    Rule { id: "header_required", source: "Anthropic 401 authentication_error \"CORS requests must set 'anthropic-dangerous-direct-browser-access' header\"",
        any: &["must set '", "must set \"", "header is required", "header is missing", "missing required header", "required header"],
        also: &["header"],
        unless: &["authorization", "api-key", "x-api-key", "api key", "bearer", "x-goog-api-key"],
        kind: Kind::BadRequest, hint: Some(RuleHint::HeaderRequired), ..R },
    // LM Studio's server log for a path it does not serve: the base URL lacks /v1, doubles a
    // slash or is the server's root. A browser's preflight (`OPTIONS`) is CORS's matter.
    Rule { id: "route_unserved_log", source: "LM Studio server log \"[ERROR] Unexpected endpoint or method. (POST /chat/completions). Returning 200 anyway\" (lmstudio-ai/lmstudio-bug-tracker issues)",
        any: &["unexpected endpoint or method"], unless: &["(options "], kind: Kind::BaseUrl, ..R },
    // A URL's own words are more specific than a server's generic "unable to process"
    // around them (Cursor's backend refusing a private base URL as SSRF).
    Rule { id: "url_words", source: "one-api \"Invalid URL(POST /v1/v1/chat/completions)\"; a base URL that already ends in /v1 joined with /v1 again",
        any: &["/v1/v1/", "invalid url (post", "invalid url(post", "invalid url (get", "invalid url(get", "unsupported openapi method", "no route matched", "route not found", "please check url", "check the url", "check your url", "check the base url", "url is incorrect", "incorrect url", "wrong url", "no matching route", "ssrf", "invalid url provided"],
        kind: Kind::BaseUrl, ..R },
    // A model refused for the kind of account or plan asking: the model exists, the account
    // may not use it ("not supported when using Codex with a ChatGPT account").
    // A model not loaded yet: the server refuses (or holds) requests until the weights are in
    // memory, and answers once they are. A cold start, not an outage: waiting passes, and
    // keeping the model warm avoids it. A load that *failed* (a 500 that says so, a crash, no
    // memory) is a server error and is left to the rules below.
    Rule { id: "model_loading", source: "Hugging Face Inference API 503 {\"error\":\"Model … is currently loading\",\"estimated_time\":…} (its docs: wait_for_model / x-wait-for-model); \
             llama.cpp server 503 \"Loading model\" (tools/server README, /health while loading); Bedrock ModelNotReadyException for an imported model evicted after idle, \
             \"Model is not ready for inference. Wait and try your request again\" (AWS re:Post knowledge center, bedrock-imported-models-modelnotreadyexception); \
             Hugging Face Inference Endpoints scaled to zero (docs: autoscaling, cold start)",
        any: &["is currently loading", "model is loading", "model is still loading", "still loading the model", "not ready to serve", "not ready for inference",
               "warming up", "cold start", "scaled to zero", "scale-to-zero", "estimated_time",
               // RunPod serverless: "no workers available" while workers scale from zero.
               "no workers available", "service not ready", "模型加载中", "模型正在加载",
               // Featherless's 400 "This Model is Cold / Not Ready for Inference" (its error docs).
               "model is cold"],
        unless: &["failed to load", "error loading", "could not load", "unable to load", "terminated", "out of memory", "oom", "crash"],
        // Said with a refusal's status (503 above all) or with none; a 500 or a 4xx is about something else.
        test: Some(|f| matches!(f.status, None | Some(429 | 502..=504 | 529)) || f.has(&["model is cold"])),
        kind: Kind::ColdStart, hint: Some(RuleHint::ModelLoading), ..R },
    Rule { id: "model_loading_llamacpp", source: "llama.cpp server 503 {\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}} (tools/server README)",
        status: Status::In(&[503]), any: &["loading model"],
        unless: &["failed to load", "error loading", "could not load", "unable to load"],
        kind: Kind::ColdStart, hint: Some(RuleHint::ModelLoading), ..R },
    Rule { id: "server_failed_words", source: "Azure \"The server had an error while processing your request\"; Bedrock \"Bedrock is unable to process your request\" / ModelNotReadyException \"not ready to serve inference requests\"",
        any: &["server had an error", "unable to process your request", "not ready to serve", "trouble connecting to the model provider", "failed to get response from provider", "upstream error",
               "engine is currently overloaded", "model is currently overloaded", "experiencing high demand", "spikes in demand", "due to high traffic", "encountered an internal error", "server_high_load", "high load", "server is busy", "service is busy", "error occurred while processing your request", "error while processing", "service is temporarily unavailable", "temporarily unavailable", "internal error occurred", "负载已饱和", "服务繁忙", "系统繁忙",
               // The server is still loading the model: its state, not the request's.
               "server loading model", "model is loading", "over capacity", "at capacity", "out of capacity", "capacity constraints", "insufficient capacity",
               "under maintenance", "scheduled maintenance", "服务器繁忙", "服务不可用", "服务暂时不可用", "网关错误", "上游服务", "上游错误", "model is currently loading", "still loading", "模型加载中"],
        // A relay's "upstream error (400)" is the upstream's refusal of the request, not a failure
        // (Cloudflare AI Gateway's own 400 "Failed to get response from provider" still is one).
        unless: &["rate limit", "quota", "upstream error (4", "upstream error: 4", "upstream error 4", "upstream returned 4"],
        // OpenAI sent "The server had an error" under a 429 in 2023 (openai-python 0.x's
        // RateLimitError): the server's failure, whatever the status.
        test: Some(|f| f.status != Some(429) || f.has(&["server had an error"])), kind: Kind::ServerError, ..R },
    Rule { id: "model_for_account", source: "Codex CLI 400 \"The 'gpt-5.1-codex' model is not supported when using Codex with a ChatGPT account.\"",
        any: MODEL_WORDS, also: &["with a chatgpt account", "with your account", "for your account", "with this account", "for this account", "on your plan", "on your current plan",
                                  "for your plan", "for free users", "for free accounts", "for your tier", "with your subscription", "for your subscription"],
        test: Some(|f| ["not supported", "not available", "not allowed", "unavailable", "cannot be used"].iter().any(|w| f.words.contains(w))),
        kind: Kind::AccessDenied, cautious: true, ..R },
    Rule { id: "model_id_invalid", source: "Bedrock ValidationException \"Value '…' at 'modelId' failed to satisfy constraint\"; Cursor ERROR_BAD_MODEL_NAME \"AI Model Not Found\"",
        any: &["at 'modelid' failed", "invalid model id", "invalid model identifier", "model identifier is invalid", "model name is not valid", "bad_model_name", "unexpected model name format", "invalid model name format", "model not found", "model does not exist", "no such model", "unknown model",
               "no available channel", "无可用渠道", "可用渠道", "model_not_found", "模型不存在", "unsupported model", "llm provider not provided",
               // Volcengine Ark calls a model deployment an endpoint (ep-…).
               "targeted an endpoint that does not exist"],
        unless: &["do not have access", "does not have access", "permission"],
        kind: Kind::ModelNotFound, ..R },
    // OpenAI's strict-mode validation names the schema it refuses by its owner: a tool's
    // (`function 'x'`) or the structured output's (`response_format 'x'`). The schema
    // changes; the parameter stays.
    Rule { id: "tool_schema_refused", source: "OpenAI 400 \"Invalid schema for function 'x': In context=('properties', 'items'), array schema missing items.\"",
        any: &["invalid schema for function", "invalid schema for tool"], kind: Kind::ParamRejected, param: Param::Fixed("tools"), hint: Some(RuleHint::ToolSchema), ..R },
    Rule { id: "output_schema_refused", source: "OpenAI 400 \"Invalid schema for response_format 'x': In context=(), 'required' is required to be supplied\"",
        any: &["invalid schema for response_format", "invalid schema for text.format"], kind: Kind::ParamRejected, param: Param::Fixed("response_format"), ..R },
    // A model id refused with the ids the endpoint does take listed beside it: the id is not
    // one it serves (a gateway's allow-list, a framework's providers), whatever the verb.
    Rule { id: "model_not_in_list", source: "Sourcegraph Cody Gateway 400 \"model \\\"anthropic/claude-2\\\" is not allowed, allowed: [anthropic/claude-2.0, …]\"; Letta 400 \"Provider anthropic is not supported (supported providers: letta, openai, …)\"",
        any: &["allowed: [", "allowed models", "supported models:", "supported models are", "available models:", "available models are", "supported providers:", "supported providers are"],
        also: &["model", "provider"], test: Some(|f| f.has(&["not allowed", "not supported", "unsupported", "not available", "unknown", "invalid"])),
        unless: &["tool", "stream", "image", "vision", "function", "region", "country"],
        kind: Kind::ModelNotFound, ..R },
    Rule { id: "model_words", source: "Ollama 404 \"model 'llama9' not found, try pulling it first\"; DeepSeek 400 \"Model Not Exist\"; LiteLLM 400 \"Invalid model name passed in model=…\"; LM Studio \"No models loaded\"",
        // An HTML 404 is a router's page: its "Not Found" is the path's, whatever names a model around it.
        any: MODEL_WORDS, also: MISSING_WORDS, test: Some(|f| !(super::subject::model_not_the_subject(&f.words) || super::subject::model_is_the_agent(&f.words) || (f.body.html && f.status == Some(404)))), unless: &["do not have access to the model", "does not have access to model", "current user level", "your user level", "on your plan", "for your plan", "on your tier", "for your tier", "page not found", "cannot get /", "cannot post /", "not available in your region", "not available in your country",
                  // A host name that did not resolve (a `models.` host): the DNS's "not found".
                  "nxdomain", "could not resolve host", "name or service not known"],
        kind: Kind::ModelNotFound, ..R },
    // The server has the model but could not load or run it (LocalAI's backends, a crashed
    // runner): the server's side, not the id.
    // The server could not load the model because no such model (file) is there: the id.
    // The server says the failure is its own, in words no status carries: "on our end", an
    // inference that failed, a process that exited. Likely the server's side.
    Rule { id: "server_side_words", source: "\"Something went wrong on our end\"; Bedrock InternalFailure; \"inference failed\"; TensorRT-LLM \"Assertion failed\"",
        any: &["on our end", "on our side", "our servers", "failed to generate", "generation failed", "inference failed", "prediction failed", "error during inference", "error during generation",
               "inference error", "assertion failed", "uncaught exception", "terminating due to", "server encountered an error", "server encountered an internal error", "encountered an unexpected condition",
               "internalfailure", "internal failure", "服务器错误", "服务端错误", "内部错误", "推理失败", "生成失败"],
        // An app's own "Generation failed" around a client's timeout or network code is that.
        unless: &["rate limit", "quota", "api key", "not found", "invalid", "context", "timed out", "due to timeout", "nsurlerrordomain"],
        // An app's "generation failed" around a 4xx is the app's wrapper: the status says who failed.
        test: Some(|f| !f.status.is_some_and(|s| (400..500).contains(&s))),
        kind: Kind::ServerError, cautious: true, ..R },
    // A wrapper that says only that the upstream failed, and to try again: the server's side,
    // likely. OpenRouter's "Provider returned error" wraps whatever the provider answered
    // (its body's metadata.raw holds it: openrouter.ai/docs/api-reference/errors).
    Rule { id: "upstream_failed_words", source: "OpenRouter \"Provider returned error\"; \"An unexpected error occurred. Please try again.\" (code SYSTEM_ERROR); \"Something wrong occurs, please retry\"",
        status: Status::Unknown,
        any: &["provider returned error", "an unexpected error occurred", "something went wrong", "something wrong occurs", "system error", "system_error"],
        also: &["provider returned error", "try again", "retry", "later"],
        unless: &["rate limit", "quota", "api key", "not found", "invalid", "context", "timed out", "timeout", "balance", "credit"],
        kind: Kind::ServerError, cautious: true, ..R },
    Rule { id: "model_load_missing", source: "LocalAI/Ollama \"failed to load model: … no such file or directory\"; \"could not load model … not found\"",
        any: &["could not load model", "failed to load model", "error loading model", "unable to load model"],
        also: &["no such file", "does not exist", "not found", "cannot find", "could not find"],
        unless: &["backend not found", "backend", "memory"], kind: Kind::ModelNotFound, cautious: true, ..R },
    Rule { id: "model_load_failed", source: "LocalAI \"could not load model - all backends returned error\"; \"grpc service not ready\"; Ollama \"llama runner process has terminated\"",
        any: &["could not load model", "failed to load model", "error loading model", "unable to load model", "all backends returned error", "grpc service not ready", "backend not found", "runner process has terminated",
               "model runner has unexpectedly stopped", "llama runner", "model failed to load", "model failed to start", "failed to start model", "failed to start the model", "engine process failed to start"],
        kind: Kind::ServerError, ..R },
    // --- Keys.
    Rule { id: "auth_code", source: "OpenAI 401 invalid_api_key; Anthropic authentication_error; Gemini 400 API_KEY_INVALID in a JSON array",
        tags: &["invalid_api_key", "authentication_error", "api_key_invalid", "unauthenticated", "invalid_authentication", "authenticationerror", "incorrect_api_key", "missing_api_key", "invalid_key", "expired_api_key", "api_key_expired"],
        kind: Kind::Auth, ..R },
    Rule { id: "auth_words", source: "\"Incorrect API key provided\"; DeepSeek \"Authentication Fails, Your api key: ****abcd is invalid\"; \"API key not valid. Please pass a valid API key.\"",
        any: &["incorrect api key", "invalid api key", "api key not valid", "api key is invalid", "invalid_api_key", "authentication fails", "authentication failed", "unauthorized", "no api key provided",
               // FastAPI's HTTPBearer without a credential; a relay's own secret refused (`invalid_authorization`).
               "not authenticated", "invalid_authorization", "missing api key", "missing subscription key", "missing credentials", "missing authentication", "api key is missing", "didn't provide an api key", "invalid x-api-key", "invalid authentication", "api key expired", "api key not found", "authenticationerror", "must provide an api key", "invalid bearer token", "invalid subscription key", "api_key client option must be set", "认证失败", "无效的api", "token expired", "token has expired", "token is expired", "invalid token", "token invalid", "token is invalid", "access token invalid", "no longer valid", "invalid access token", "invalid credentials", "credentials are invalid", "apikey is invalid", "invalid apikey", "鉴权失败", "令牌",
               "iam certification failed", "invalid_iam_token", "iamsignatureinvalid", "failed to refresh access token", "credentials is not initialized", "credentials are not initialized", "credentials validation failed", "authorization header", "auth header is invalid", "auth header", "jwt is missing", "jwt verification fails", "jwt expired", "invalid jwt", "jwt is expired",
               // A token whose claims the server refuses (jjwt's IncorrectClaimException: "Expected aud
               // claim to be: …"): a token for another audience or one expired.
               "incorrectclaimexception", "expiredjwtexception", "aud claim", "invalid audience", "audience is invalid",
               "security token included in the request is invalid", "security token included in the request is expired", "signature we calculated does not match",
               // A gateway that cannot find the account or user behind the key: a bad key, not a missing model.
               "unable to locate credentials", "nocredentialserror", "could not load credentials", "missing credentials", "credentials not found", "no credentials",
               "could not automatically determine credentials", "defaultcredentialserror", "expiredtoken", "unrecognizedclientexception", "invalidsignatureexception", "loadapikeyerror",
               "api key is required", "api key required", "revoked", "key is disabled", "key has been disabled", "key was disabled", "key is inactive",
               "密钥无效", "密钥错误", "无效的密钥", "密钥不合法", "密钥不正确", "key无效", "key 无效", "key错误", "未授权", "签名错误", "签名无效", "签名过期", "api key must be set", "api key must be provided", "api key is not set", "api key not set", "api key not configured", "api key is not configured", "no api key configured", "apikey is required", "api_key is required", "no api key", "not logged in", "invalid_grant", "token refresh failed",
               // Tencent Cloud's SecretId (AuthFailure.SecretIdNotFound), Alibaba Cloud's and AWS's access key ids.
               "secretid is not found", "secretid not found", "secretidnotfound", "invalid secretid", "secretid is invalid", "invalidaccesskeyid", "access key id you provided does not exist", "accesskeyid is not found", "signaturedoesnotmatch",
               "user not found", "account not found", "user does not exist", "account does not exist", "no such user", "user_not_found", "account_not_found", "key not found", "token not found", "用户不存在", "账号不存在"],
        // A server's own credential trouble (a 500 "Internal authentication error") is its failure.
        unless: &["not unauthorized", "internal authentication"], kind: Kind::Auth, ..R },
    // Bedrock's ValidationException "Operation not allowed": AWS re:Post's answers find the
    // account restricted or the model's access not granted, but the words name neither.
    Rule { id: "operation_not_allowed", source: "Bedrock ValidationException \"Operation not allowed\" on InvokeModel (aws/aws-cli, langgenius/dify threads)",
        any: &["operation not allowed", "operation is not allowed"], kind: Kind::AccessDenied, cautious: true, ..R },
    Rule { id: "access_words", source: "Gemini 400 FAILED_PRECONDITION \"User location is not supported for the API use\"; OpenAI 403 unsupported_country_region_territory; Google PERMISSION_DENIED",
        tags: &["permission_denied", "permissiondeniederror", "unsupported_country_region_territory", "access_denied", "failed_precondition"],
        any: &["location is not supported", "country, region, or territory not supported", "permission denied", "access denied", "not allowed to use", "does not have access", "not authorized to access",
               // A model kept from the key's plan or level ("Model not available for current user level").
               "current user level", "your user level", "not available on your plan", "not available for your plan", "not available on your tier", "not available for your tier"],
        kind: Kind::AccessDenied, ..R },
    // The client could not read the server's answer: the answer is the problem, not the
    // request (async-openai, reqwest, Go's encoding/json on an HTML page).
    // The client found the answer but not the fields an answer has (`choices`, `message`):
    // the server sent something else (an error object with 200, a page, an empty body).
    Rule { id: "response_fields", source: "openai-node \"Cannot read properties of undefined (reading 'choices')\"; Python \"'NoneType' object is not subscriptable\" / KeyError 'choices'; \"Invalid response object from API\"",
        status: Status::Unknown,
        any: &["cannot read properties of undefined", "cannot read properties of null", "cannot read property", "undefined is not an object", "is not subscriptable", "keyerror:", "has no attribute",
               "invalid response object", "no choices", "empty choices", "missing choices", "choices is undefined", "choices is empty", "choices is null", "unexpected response from"],
        also: &["choices", "'message'", "\"message\"", "'content'", "\"content\"", "'delta'", "'candidates'", "response", "completion"],
        // Inside a server's own request handler (gunicorn, uvicorn) the server's code raised.
        unless: &["module '", "request body", "error handling request /", "exception in asgi application"], kind: Kind::BadResponse, cautious: true, ..R },
    // A base URL the client cannot even use: no scheme, not a URL at all.
    Rule { id: "url_unusable", source: "httpx UnsupportedProtocol \"Request URL is missing an 'http://' or 'https://' protocol\"; requests MissingSchema; Go \"unsupported protocol scheme\"; Node ERR_INVALID_URL; reqwest \"relative URL without a base\"",
        status: Status::Unknown,
        any: &["missing an 'http://' or 'https://'", "unsupportedprotocol", "unsupported protocol scheme", "missingschema", "invalidschema", "no connection adapters were found", "err_invalid_url",
               "typeerror: invalid url", "relative url without a base", "url has no scheme", "invalid uri", "uriformatexception", "malformedurlexception", "invalid base url", "base url is invalid", "invalid url scheme",
               // reqwest's own BadScheme and the url crate's ParseError variants (docs.rs/url, ParseError), as Debug prints them.
               "badscheme", "relativeurlwithoutbase", "relativeurlwithcannotbeabasebase", "emptyhost", "invalidport", "invalidipv4address", "invalidipv6address", "invaliddomaincharacter", "cannot_be_a_base: true",
               // OkHttp's HttpUrl ("Expected URL scheme 'http' or 'https' but no scheme was found"); .NET HttpClient.
               "expected url scheme", "an invalid request uri was provided"],
        kind: Kind::BaseUrl, hint: Some(RuleHint::UrlUnusable), ..R },
    // A server that takes HTTPS only, answering a plain-HTTP request with words that say so
    // (OpenAI 403 "The OpenAI API is only accessible over HTTPS"; HSTS-only hosts).
    Rule { id: "https_only", source: "OpenAI's API reference: requests must be made over HTTPS; its 403 for plain HTTP says the API is only accessible over HTTPS",
        any: &["over https", "via https", "must use https", "https is required", "https required", "requires https", "use https instead"],
        also: &["only", "must", "required", "requires", "instead", "rather than"],
        kind: Kind::BaseUrl, hint: Some(RuleHint::HttpsOnly), ..R },
    // Go's encoding/json names the struct field it could not fill: a path through the
    // request's fields is the server (a relay in Go) failing to read the request it was sent.
    // The same, for the request's content itself (`ChatRequest.messages of type
    // []api.Message`, a string sent where a list belongs): a malformed request, not an
    // option to drop.
    Rule { id: "request_content_unmarshal", source: "Ollama 400 \"json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message\"",
        any: &["into go struct field"], test: Some(|f| go_field_of_request(f) && go_field_path(f).is_some_and(|p| matches!(p.as_slice(), ["messages" | "prompt" | "input"]))),
        kind: Kind::BadRequest, param: Param::GoField, ..R },
    Rule { id: "request_unmarshal", source: "a Go relay's \"json: cannot unmarshal object into Go struct field ChatCompletionMessage.messages.reasoning of type string\" (encoding/json's UnmarshalTypeError)",
        any: &["into go struct field"], test: Some(go_field_of_request), kind: Kind::ParamRejected, param: Param::GoField,
        hint: Some(RuleHint::ParamValueOrDrop), ..R },
    Rule { id: "response_unparsed", source: "async-openai \"failed to deserialize api response: …\" (not reqwest's \"error decoding response body\": a stream cut reads so too); Go \"invalid character '<' looking for beginning of value\"",
        status: Status::Unknown,
        any: &["deserialize api response", "jsondeserialize", "failed to parse response", "could not parse response", "unable to parse response",
               "invalid character '<' looking for beginning", "looking for beginning of value", "unexpected response format", "failed to decode response", "cannot unmarshal",
               // Java (Jackson): the answer lacks a field the client's classes require.
               "missing required creator property", "mismatchedinputexception"],
        // A gateway's own 5xx page read as JSON is that gateway's failure, not a malformed answer.
        unless: &["request body", "json body into", "503 service unavailable", "502 bad gateway", "504 gateway"], kind: Kind::BadResponse, cautious: true, ..R },
    Rule { id: "body_invalid", source: "Anthropic 400 \"The request body is not valid JSON\"; Gemini \"Invalid JSON payload received\"; \"Required parameter \\\"model\\\" missing\"",
        any: &["request body is not valid json", "could not parse the json body", "invalid json payload", "json body could not be decoded", "malformed json", "failed to deserialize", "missing required parameter",
               "required parameter", "missing field", "must exist", "不能为空", "invalid parameter", "parameter is invalid", "parameters are invalid", "invalid params", "invalid argument", "is a required property", "field required", "missing_required_parameter", "cannot be empty", "must not be empty", "参数有误", "参数非法", "参数错误", "请求参数"],
        unless: &["unknown name", "extra inputs", "unrecognized", "not supported", "unsupported"],
        // A known optional parameter named invalid is refused, not a malformed request.
        test: Some(|f| params::field_named(f).is_none_or(|p| !super::KNOWN_PARAMS.contains(&p.as_str()))),
        kind: Kind::BadRequest, param: Param::Field, ..R },
    // The request named invalid in so many words but not what is wrong: the likely reading,
    // whatever the status (a 500 that says so is no transient outage).
    // A value refused for a parameter the message quotes by name, known or not: its value
    // is what to change (Volcengine Ark: "The parameter `size` specified in the request is
    // not valid").
    Rule { id: "named_value_invalid", source: "Volcengine Ark 400 InvalidParameter \"The parameter `image_url` specified in the request is not valid: image download failed\"",
        any: &["is not valid", "is invalid", "invalid value"],
        test: Some(|f| params::quoted_parameter(&f.words).is_some()),
        kind: Kind::BadRequest, param: Param::Blamed, ..R },
    Rule { id: "invalid_request_words", source: "Kimi 400 \"Invalid request Error\"; together 400 \"Input validation error\"; a gateway's 500 \"Invalid request: …\"",
        any: &["invalid request", "request is invalid", "request is not valid", "malformed request", "improperly formed request", "validation error", "validationerror", "请求无效", "非法请求"],
        unless: &["timed out", "timeout", "connection"],
        // A 401, 403, 404 or 429 says more than "the request is not valid".
        test: Some(|f| !matches!(f.status, Some(401 | 403 | 404 | 429))),
        kind: Kind::BadRequest, cautious: true, ..R },
    // --- Text without a status: the client's own failure words.
    Rule { id: "html_instead_of_json", source: "Node \"SyntaxError: Unexpected token '<', \\\"<!DOCTYPE \\\"... is not valid JSON\"; openai-python returns the HTML page as a str",
        status: Status::Unknown, any: &["unexpected token '<'", "unexpected token <", "invalid character '<'", "\"<!doctype", "<!doctype html", "<html"], kind: Kind::BadResponse, ..R },
    Rule { id: "error_page", source: "a proxy's error page pasted without its status: \"<title>Error</title>\", \"upstream connect error\", \"Service Unavailable\"",
        status: Status::Unknown, html: Some(true), test: Some(|f| {
            let title = f.msg.as_str();
            ["error", "unavailable", "bad gateway", "timed out", "timeout", "failure", "failed", "upstream"].iter().any(|w| title.contains(w))
        }),
        kind: Kind::ServerError, gateway: true, cautious: true, ..R },
    // What a server answers at its root, where a base URL without its API path sends a request.
    Rule { id: "root_page", source: "api.openai.com/ \"Welcome to the OpenAI API! Documentation is available at …\"; nginx's default page \"Welcome to nginx!\"",
        any: &["welcome to the openai api", "welcome to nginx"], kind: Kind::BaseUrl, ..R },
    Rule { id: "html_page", source: "an HTML page pasted without a status: openai-python returns a login page's HTML as the result (field guide §9)",
        status: Status::Unknown, html: Some(true), kind: Kind::BadResponse, ..R },
    Rule { id: "stream_idle", source: "a gateway's \"stream idle timeout\": the stream opened, then no bytes came",
        any: &["idle timeout", "idle_timeout", "stream idle", "no data received for", "stream stall", "stalled stream", "inactivity timeout",
               "timeout between chunks"],
        kind: Kind::StreamStalled, ..R },
    // A client's own timer on a stream's chunks fires for the first chunk too: stalled only
    // when the words say the stream had begun; otherwise `timeout_words` reads it.
    Rule { id: "stream_chunk_timer", source: "a harness's \"stream chunk timed out after 29s while a tool call was mid-assembly\"",
        any: &["chunk timed out", "chunk timeout", "waiting for the next chunk", "waiting for next chunk"],
        also: &["mid-", "midway", "partial", "while a", "after receiving", "had begun", "already streamed"],
        kind: Kind::StreamStalled, ..R },
    Rule { id: "stream_unfinished", source: "Codex \"stream closed before response.completed\"",
        any: &["before response.completed", "without response.completed", "without a [done]", "no [done]", "missing [done]"],
        // "ended before completion (no [DONE] or finish_reason …)": no end of any kind, a cut.
        unless: &["finish_reason"],
        kind: Kind::StreamNoDone, ..R },
    Rule { id: "stream_cut", source: "httpx RemoteProtocolError \"peer closed connection without sending complete message body (incomplete chunked read)\"; undici \"TypeError: terminated\"",
        status: Status::Unknown,
        any: &["incomplete chunked read", "peer closed connection without sending complete message body", "premature close", "err_stream_premature_close", "response ended prematurely", "typeerror: terminated", "stream disconnected before completion", "chunkedencodingerror", "incompleteread", "connection broken:",
               // A stream that ended before its own end event (Anthropic's message_stop, a
               // /responses stream's response.completed): the producer stopped early.
               "stream ended before", "stream ended without", "stream closed before", "ended before message_stop", "before the response completed", "before response completed"],
        // "stream disconnected before completion: error sending request for url": the request never left.
        unless: &["error sending request", "error trying to connect", "dns error", "tcp connect error", "connection refused"],
        kind: Kind::StreamTruncated, ..R },
    // undici's fetch names a body cut mid-read by one word, "terminated" (its TypeError's
    // message), which clients re-wrap in their own words: "Provider error: terminated".
    Rule { id: "body_terminated", source: "undici (Node's fetch) TypeError \"terminated\" when the socket closes mid-body (nodejs/undici lib/web/fetch), re-wrapped by a client as \"Provider error: terminated\"",
        status: Status::Unknown, any: &[": terminated"], test: Some(ends_terminated), kind: Kind::StreamTruncated, cautious: true, ..R },
    // axum's DefaultBodyLimit (TGI and other Rust servers): the body is over the server's
    // size limit, before any model reads it.
    Rule { id: "body_limit", source: "axum \"Failed to buffer the request body: length limit exceeded\" (axum::extract::DefaultBodyLimit, 2 MB by default; TGI's --payload-limit)",
        any: &["failed to buffer the request body", "length limit exceeded"], also: &["body", "payload"], kind: Kind::RequestTooLarge, ..R },
    // One part of the request over its own size cap (Anthropic's "image exceeds 5 MB maximum:
    // 5272940 bytes > 5242880 bytes"): the request is too large, whatever the status says.
    Rule { id: "part_too_large", source: "Anthropic 400 \"messages.161.content.1.image.source.base64: image exceeds 5 MB maximum\"; OpenAI \"File exceeds the maximum size\"",
        any: &["image exceeds", "file exceeds", "image is too large", "image too large", "file is too large", "file too large", "exceeds the maximum file size", "exceeds the maximum size"],
        unless: &["context", "token"],
        kind: Kind::RequestTooLarge, ..R },
    Rule { id: "headers_timeout", source: "undici UND_ERR_HEADERS_TIMEOUT \"Headers Timeout Error\" / UND_ERR_BODY_TIMEOUT",
        status: Status::Unknown, any: &["und_err_headers_timeout", "headers timeout", "und_err_body_timeout", "body timeout"], kind: Kind::Timeout, ..R },
    Rule { id: "timeout_exception", source: "httpx ReadTimeout / openai APITimeoutError inside a client's \"Network error\" label; Java SocketTimeoutException",
        status: Status::Unknown, any: &["readtimeout", "read timed out", "apitimeouterror", "sockettimeoutexception", "httptimeoutexception", "timeoutexception", "writetimeout", "pooltimeout", "litellm.timeout"],
        // A connect timeout names the connection, whatever timeout label wraps it.
        unless: &["connect timeout", "connecttimeout", "connect_timeout"], kind: Kind::Timeout, ..R },
    Rule { id: "connect_timeout", source: "httpx ConnectTimeout; undici UND_ERR_CONNECT_TIMEOUT; curl (28) \"Failed to connect … Connection timed out\"",
        status: Status::Unknown, any: &["connecttimeout", "connect timeout", "und_err_connect_timeout", "connection timed out", "connect_timeout", "connect etimedout"], kind: Kind::Network, ..R },
    Rule { id: "unreachable_words", source: "Cursor \"We had a problem reaching OpenAI\"; an agent's \"Unable to reach the model provider\"",
        status: Status::Unknown, any: &["problem reaching", "unable to reach", "could not reach", "cannot reach", "failed to reach", "can't reach"], kind: Kind::Network, cautious: true, ..R },
    // Apple's URL Loading System codes (NSURLErrorDomain, documented at
    // developer.apple.com/documentation/foundation/1508628-url_loading_system_error_codes):
    // the domain names no kind, its code does.
    Rule { id: "nsurl_timeout", source: "iOS/macOS NSURLErrorDomain Code=-1001 \"The request timed out.\" (NSURLErrorTimedOut)",
        any: &["nsurlerrordomain"], test: Some(|f| f.words.contains("-1001")), kind: Kind::Timeout, ..R },
    Rule { id: "nsurl_network", source: "NSURLErrorDomain -1003 cannot find host, -1004 cannot connect to host, -1005 connection lost, -1009 not connected to the internet, -1200 secure connection failed",
        any: &["nsurlerrordomain"],
        test: Some(|f| ["-1003", "-1004", "-1005", "-1006", "-1009", "-1018", "-1020", "-1200", "-1201", "-1202", "-1203", "-1204", "-1205", "-1206"].iter().any(|c| f.words.contains(c))),
        kind: Kind::Network, ..R },
    Rule { id: "tls_scheme", source: "httpx ConnectError \"[SSL: WRONG_VERSION_NUMBER] wrong version number\": https to a plain-http port",
        any: &["wrong version number", "wrong_version_number", "ssl: http_request", "packet length too long", "unknown protocol", "plain http request was sent to https port"], kind: Kind::Network, hint: Some(RuleHint::TlsScheme), ..R },
    Rule { id: "tls_certificate", source: "requests SSLError \"certificate verify failed: self signed certificate in certificate chain\"; Node SELF_SIGNED_CERT_IN_CHAIN; Java PKIX path building failed",
        any: &["certificate verify failed", "self signed certificate", "self-signed certificate", "unable to get local issuer certificate", "certificate has expired", "unable_to_verify_leaf_signature",
               "self_signed_cert_in_chain", "depth_zero_self_signed_cert", "cert_has_expired", "pkix path building failed", "unable to find valid certification path", "x509: certificate", "invalidcertificate", "unknownissuer",
               "unable to verify the first certificate", "does not match certificate's altnames", "err_tls_cert_altname_invalid", "unable_to_get_issuer_cert", "certificate_verify_failed", "err_cert_", "hostname mismatch"],
        kind: Kind::Network, hint: Some(RuleHint::TlsCertificate), ..R },
    Rule { id: "network", source: "openai-python APIConnectionError \"Connection error.\"; httpx ConnectError \"All connection attempts failed\"; Node ECONNREFUSED/ENOTFOUND/ECONNRESET; curl (6)/(7)/(35)/(52)/(60); requests ConnectionError",
        status: Status::Unknown,
        any: &["all connection attempts failed", "connection refused", "econnrefused", "enotfound", "getaddrinfo", "name or service not known", "nodename nor servname", "could not resolve host", "failed to establish a new connection", "max retries exceeded with url", "econnreset", "connection reset", "connection aborted", "empty reply from server", "server disconnected without sending a response", "remotedisconnected", "und_err_socket", "socket hang up", "sslerror", "ssl_error", "ssl:", "certificate verify failed", "self signed certificate", "self-signed certificate", "unable to get local issuer certificate", "wrong version number", "certificate has expired", "tls handshake", "no route to host", "ehostunreach", "enetunreach", "eai_again", "curl: (6)", "curl: (7)", "curl: (35)", "curl: (52)", "curl: (56)", "curl: (60)", "network is unreachable", "connection closed",
               // Windows sockets (WSAECONNREFUSED 10061, WSAECONNRESET 10054, WSAETIMEDOUT 10060), Rust io kinds, Go and Java names.
               "actively refused", "forcibly closed", "winerror 100", "os error 100", "socketexception", "wsaeconnrefused", "connectex", "connectionrefused", "connectionreset", "connectionaborted",
               "tcp connect error", "dial tcp", "no such host", "name resolution", "unknownhostexception", "sslhandshakeexception", "connectexception", "broken pipe", "os error 111", "errno 61", "errno 111",
               "errno 113", "errno 65", "errno 54", "errno 104", "hostunreach", "error trying to connect", "client error (connect)", "connection was closed", "无法连接", "连接被拒绝", "连接超时", "网络错误", "网络异常", "网络连接失败", "无法访问", "正常访问", "访问失败", "连接失败", "不可达",
               // Windows (.NET WebException, WSAETIMEDOUT 10060), Chromium net:: errors, Node.
               "could not be resolved", "no such host is known", "did not properly respond after a period of time", "net::err_", "err_connection_", "err_name_not_resolved", "err_internet_disconnected",
               "econnaborted", "epipe", "enetdown", "networkerror when attempting to fetch",
               // macOS/iOS NSURLErrorDomain wordings (the domain alone names no kind: -1001 is a timeout), .NET HttpRequestException, Rust and Python resolver errors.
               "network connection was lost", "appears to be offline", "could not connect to the server", "hostname could not be found", "transport connection",
               "no connection could be made", "ssl connection could not be established", "failed to lookup address", "dns error", "host is down", "ehostdown", "enetreset", "gaierror",
               "newconnectionerror", "unresolvedaddressexception", "noroutetohostexception", "network unreachable"],
        kind: Kind::Network, ..R },
    // A client's connection-error label: LiteLLM and others raise APIConnectionError around
    // any failure, so a body that says more (an IAM denial, a bad key) decides over it.
    // Node's fetch and browsers name no cause in the message itself: network, likely (an
    // undici headers timeout reads the same), with the fix that says where the cause is.
    Rule { id: "fetch_failed", source: "undici TypeError \"fetch failed\" (its `cause` holds ECONNREFUSED, ENOTFOUND, UND_ERR_HEADERS_TIMEOUT, …); browsers' \"Failed to fetch\"",
        status: Status::Unknown, any: &["fetch failed", "failed to fetch"],
        test: Some(label_stands),
        kind: Kind::Network, cautious: true, hint: Some(RuleHint::FetchFailed), ..R },
    Rule { id: "network_label", source: "openai-python APIConnectionError \"Connection error.\"; httpx ConnectError; litellm APIConnectionError around a Bedrock \"security token … is invalid\"",
        status: Status::Unknown, any: &["apiconnectionerror", "connection error", "connecterror", "error sending request", "network error"],
        // Connect-RPC's `ConnectError: [permission_denied] …` is an RPC's status, not a
        // connection's failure: only its network codes are the network.
        test: Some(label_stands), kind: Kind::Network, ..R },
    Rule { id: "timeout_words", source: "openai-python APITimeoutError \"Request timed out.\"; httpx ReadTimeout; undici UND_ERR_HEADERS_TIMEOUT; curl (28)",
        // Rust's io::ErrorKind::TimedOut as reqwest's Debug prints it ("source: TimedOut").
        status: Status::Unknown, any: &["timed out", "timeout", "etimedout", "esockettimedout", "deadline exceeded", "curl: (28)", "source: timedout", "kind: timedout", "deadline reached", "请求超时", "响应超时", "超时",
            // Elixir's GenServer.call exit: "** (EXIT) time out".
            "(exit) time out",
            // Vercel's function limit (FUNCTION_INVOCATION_TIMEOUT): "did not return an initial response within 25s".
            "did not return an initial response", "function_invocation_timeout"], kind: Kind::Timeout, ..R },
    // A decoder that failed on the very first character read no JSON at all: an empty body or
    // a page (the answer's shape), not a stream's event cut in two; a stream's words beside it
    // leave it to the stream rule below.
    Rule { id: "body_not_json", source: "Python json \"Expecting value: line 1 column 1 (char 0)\"; Firefox \"JSON.parse: unexpected character at line 1 column 1 of the JSON data\"",
        status: Status::Unknown, any: &["line 1 column 1 (char 0)", "line 1 column 1 of the json data"],
        unless: &["chunk", "delta", "stream", "data:", "sse", "event"], kind: Kind::BadResponse, cautious: true, hint: Some(RuleHint::ClientDecode), ..R },
    Rule { id: "stream_json", source: "openai-python json.JSONDecodeError \"Expecting value: line 1 column 1\"; AI SDK AI_JSONParseError",
        status: Status::Unknown, any: &["jsondecodeerror", "expecting value: line", "unexpected end of json input", "ai_jsonparseerror", "is not valid json", "unexpected token", "unterminated string in json"],
        // A decoder's failure alone does not say whether it read a stream's event or a whole
        // answer (two of the six training cases it read were an answer of the wrong shape):
        // the reading is the likely one.
        kind: Kind::StreamMalformed, cautious: true, ..R },
    // A client that could not decode a stream's bytes or events says so of the stream: the
    // events were cut or mis-encoded on the way, or its own decoder split them (a character
    // split across two reads: zencheck's stream checks tell which).
    Rule { id: "stream_decode", source: "liter-llm (Rust) \"streaming error: invalid UTF-8 in SSE stream: incomplete utf-8 byte sequence\"",
        status: Status::Unknown, any: &["sse stream", "event stream", "event-stream", "sse event", "sse chunk", "stream chunk", "sse data", "streaming event", "stream event", "stream error:"],
        also: &["invalid streaming event", "invalid stream event", "invalid sse event", "invalid event", "invalid utf-8", "utf-8 byte", "invalid utf8", "failed to decode", "failed to parse", "malformed", "decode error", "parse error", "cannot decode", "could not decode"],
        kind: Kind::StreamMalformed, cautious: true, ..R },
    // Any streaming reader that checks the answer's type says it expected an event stream:
    // the answer came as something else (a JSON body, often an error's).
    Rule { id: "sse_type_expected", source: "Foundry Local with \"stream\": true: \"Got: Content-Type: application/json … Expected Content-Type: text/event-stream\"; httpx-sse and fetch-event-source in their own words (`clients.rs`)",
        any: &["text/event-stream"], test: Some(expected_event_stream), kind: Kind::NotSse, cautious: true, hint: Some(RuleHint::SseRefused), ..R },
    Rule { id: "tool_choice_violation", source: "AI SDK generateText ToolChoiceViolationError (a required tool call that never came)",
        status: Status::Unknown, any: &["toolchoiceviolation"], kind: Kind::ParamIgnored, param: Param::Fixed("tool_choice"), ..R },
    // HTTP 415's reason phrase (RFC 9110 §15.5.16): the request's Content-Type is refused, not
    // the answer's (a client that adds "; charset=utf-8" where a server wants it bare).
    // An HTML type is never what an API client sends: named in a complaint about a type, it
    // is the answer's (a page answered instead of the API).
    Rule { id: "html_content_type", source: "JeecgBoot \"调用大模型接口失败:Invalid content-type: text/html; charset=utf-8\" from a local endpoint",
        any: &["content-type: text/html", "content type: text/html", "content-type text/html", "content-type: \"text/html", "content-type \"text/html", "content type text/html"],
        also: &["invalid", "unexpected", "expected", "unsupported", "not json", "cannot parse", "could not parse", "failed to parse"],
        kind: Kind::BadResponse, cautious: true, hint: Some(RuleHint::ClientDecode), ..R },
    Rule { id: "media_type", source: "HTTP 415 Unsupported Media Type; NVIDIA's \"unsupported media type: application/json; charset utf-8. it must be application/json\"",
        // Likely: a client that could not read an answer's type says "not supported" too.
        any: &["unsupported media type", "unsupported_media_type", "unsupportedmediatype", "content-type must be", "content type must be", "invalid content-type", "invalid content type"],
        kind: Kind::BadRequest, cautious: true, ..R },
    Rule { id: "bad_request_words", source: "a body of {\"detail\":\"Bad Request\"} pasted without its status",
        status: Status::Unknown, any: &["bad request", "badrequesterror", "invalid_request_error", "invalidrequesterror"], kind: Kind::BadRequest, cautious: true, ..R },
    // Read after every message rule: an application's own server logs the same words when a
    // call it made failed, and the traceback under them then says more.
    Rule { id: "server_framework_crash", source: "TabbyAPI / text-generation-webui uvicorn log \"Exception in ASGI application\" behind a 500",
        test: Some(server_framework_crash), kind: Kind::ServerError, cautious: true, ..R },
    Rule { id: "server_words", source: "exception text \"Bad Gateway\", \"Service Unavailable\", openai InternalServerError",
        status: Status::Unknown, any: &["bad gateway", "service unavailable", "internal server error", "internalservererror", "serviceunavailableerror", "gateway time-out"], kind: Kind::ServerError, ..R },
    // --- By status alone, last.
    Rule { id: "status_401", source: "HTTP 401", status: Status::In(&[401]), kind: Kind::Auth, ..S },
    Rule { id: "status_403", source: "HTTP 403", status: Status::In(&[403]), kind: Kind::AccessDenied, ..S },
    Rule { id: "status_404_model", source: "HTTP 404 naming a model or deployment", status: Status::In(&[404]),
        any: &["model", "deployment"], unless: &["page not found", "cannot get /", "cannot post /", "no route", "invalid url"],
        // An HTML 404 is a router's page: the path, whatever names a model around it.
        html: Some(false), kind: Kind::ModelNotFound, ..S },
    Rule { id: "status_404_azure", source: "Semantic Kernel's AIException over Azure OpenAI: \"Invalid request: The request is not valid, HTTP status: 404\"",
        status: Status::In(&[404]), any: &["azure", "openai.azure.com", "cognitiveservices"], unless: &["page not found", "cannot get /", "cannot post /", "no route", "invalid url"],
        kind: Kind::ModelNotFound, hint: Some(RuleHint::AzureDeployment), ..S },
    Rule { id: "status_404", source: "HTTP 404/405 \"404 page not found\", {\"detail\":\"Not Found\"}: the path is not the API",
        status: Status::In(&[404, 405]), kind: Kind::BaseUrl, ..S },
    Rule { id: "status_408", source: "HTTP 408", status: Status::In(&[408]), kind: Kind::Timeout, ..S },
    Rule { id: "status_413", source: "HTTP 413 Payload Too Large", status: Status::In(&[413]), kind: Kind::RequestTooLarge, ..S },
    Rule { id: "status_4xx", source: "HTTP 4xx", status: Status::Range(400, 499), kind: Kind::BadRequest, ..S },
    Rule { id: "status_5xx_page", source: "HTTP 5xx HTML page", status: Status::Range(500, 599), html: Some(true), kind: Kind::ServerError, gateway: true, ..R },
    Rule { id: "status_5xx", source: "HTTP 5xx", status: Status::Range(500, 599), kind: Kind::ServerError, ..S },
    Rule { id: "status_redirect", source: "nginx \"301 Moved Permanently\" page: the base URL is an old address (http for https, a moved path)", status: Status::Range(300, 399), kind: Kind::Redirect, ..S },
    Rule { id: "status_ok_page", source: "HTTP 200 with an HTML page (a login page, a web app)", status: Status::Range(100, 399), kind: Kind::BadResponse, ..S },
    // --- A client's exception name, and nothing else: the weakest evidence, read last.
    Rule { id: "exception_auth", source: "openai-python/anthropic AuthenticationError, Java UnauthorizedException; goose \"Authentication error:\"", any: &["authenticationerror", "authenticationexception", "unauthorizedexception", "unauthenticated", "authentication error"], kind: Kind::Auth, ..E },
    // Dify's invoke errors (and the labels it prints: "[openai] Server Unavailable Error, …").
    Rule { id: "exception_dify", source: "Dify PluginInvokeError error_type InvokeAuthorizationError / InvokeServerUnavailableError / InvokeConnectionError; \"[tongyi] Authorization Error, …\"",
        any: &["invokeauthorizationerror", "] authorization error"], kind: Kind::Auth, ..E },
    Rule { id: "exception_dify_server", source: "Dify InvokeServerUnavailableError; \"[openai_api_compatible] Server Unavailable Error, …\"",
        any: &["invokeserverunavailableerror", "server unavailable error"], kind: Kind::ServerError, ..E },
    Rule { id: "exception_dify_network", source: "Dify InvokeConnectionError", any: &["invokeconnectionerror"], kind: Kind::Network, ..E },
    Rule { id: "exception_content", source: "LangChain4j ContentFilteredException", any: &["contentfilteredexception", "contentfilterexception", "contentpolicyviolation"], kind: Kind::ContentFilter, ..E },
    Rule { id: "exception_unresolved", source: "LangChain4j UnresolvedModelServerException (the server's host does not resolve)", any: &["unresolvedmodelserverexception", "unknownhostexception"], kind: Kind::Network, ..E },
    Rule { id: "exception_access", source: "PermissionDeniedError, ForbiddenException", any: &["permissiondeniederror", "permissiondeniedexception", "permissiondenied", "forbiddenexception", "forbiddenerror"], kind: Kind::AccessDenied, ..E },
    Rule { id: "exception_rate", source: "RateLimitError, TooManyRequestsException", any: &["ratelimiterror", "ratelimitexception", "toomanyrequests", "resourceexhausted"], kind: Kind::RateLimit, ..E },
    Rule { id: "exception_not_found", source: "NotFoundError, NotFoundException", any: &["notfounderror", "notfoundexception", "modelnotfoundexception"], kind: Kind::ModelNotFound, ..E },
    Rule { id: "exception_bad_request", source: "BadRequestError, InvalidRequestError, UnprocessableEntityError, InvalidArgument", any: &["badrequesterror", "badrequestexception", "invalidrequesterror", "invalidrequestexception", "unprocessableentityerror", "invalidargument"], kind: Kind::BadRequest, ..E },
    Rule { id: "exception_server", source: "InternalServerError, ServiceUnavailableError, APIError", any: &["internalservererror", "internalserverexception", "serviceunavailable", "apistatuserror", "servererror", "apierror", "server error:"], kind: Kind::ServerError, ..E },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::ErrorBody;

    /// The first message rule for a text without a status (as `explain` reads a paste).
    fn first(text: &str) -> Option<(&'static str, Kind)> {
        first_with(None, text)
    }

    fn first_with(status: Option<u16>, text: &str) -> Option<(&'static str, Kind)> {
        let body = ErrorBody::default();
        let words = text.to_lowercase();
        let f = Facts {
            status,
            body: &body,
            sent: &[],
            msg: words.clone(),
            words,
            body_only: false,
        };
        first_match(&f, Layer::Message).map(|(r, _)| (r.id, r.kind))
    }

    #[test]
    fn an_output_cap_that_does_not_fit_beside_the_input_is_the_cap() {
        assert_eq!(
            first("'max_tokens' or 'max_completion_tokens' is too large: 4000. This model's maximum context length is 4096 tokens and your request has 300 input tokens (4000 > 4096 - 300)."),
            Some(("cap_over_window", Kind::ContextOverflow))
        );
        // A cap over the model's output limit alone is the parameter's value.
        assert_ne!(
            first("max_tokens is too large: 100000. This model supports at most 16384 completion tokens").map(|r| r.0),
            Some("cap_over_window")
        );
    }

    #[test]
    fn a_part_or_item_type_the_endpoint_does_not_take_is_the_content_field_refused() {
        assert_eq!(
            first("Unsupported content type: redacted_thinking"),
            Some(("part_type_refused", Kind::ParamRejected))
        );
        assert_eq!(
            first("Unsupported Responses API input item type: 'additional_tools'"),
            Some(("input_item_refused", Kind::ParamRejected))
        );
        // A body's media type is the header's, not a message part's.
        assert_ne!(
            first("Unsupported content type: text/plain").map(|r| r.0),
            Some("part_type_refused")
        );
    }

    #[test]
    fn thinking_blocks_not_sent_back_and_a_spend_limit_read_by_their_words() {
        assert_eq!(
            first("The `content[].thinking` in the thinking mode must be passed back to the API."),
            Some(("thinking_back", Kind::BadRequest))
        );
        assert_eq!(
            first_with(Some(400), "You have reached your specified API usage limits. You will regain access on 2025-12-01 at 00:00 UTC."),
            Some(("billing", Kind::Billing))
        );
    }

    #[test]
    fn a_value_refused_for_a_name_quoted_after_the_parameter_names_it() {
        assert_eq!(
            first_with(
                Some(400),
                "The parameter `size` specified in the request is not valid"
            ),
            Some(("named_value_invalid", Kind::BadRequest))
        );
        // An unquoted word after "parameter" is prose, not a name.
        assert_ne!(
            first_with(
                Some(400),
                "The parameter specified in the request is not valid"
            )
            .map(|r| r.0),
            Some("named_value_invalid")
        );
    }

    #[test]
    fn a_429_with_nothing_but_boilerplate_is_silent_and_one_with_words_is_not() {
        let silent = |t: &str| {
            let body = ErrorBody::default();
            let words = t.to_lowercase();
            silent_429(&Facts {
                status: Some(429),
                body: &body,
                sent: &[],
                msg: words.clone(),
                words,
                body_only: false,
            })
        };
        assert!(silent("Request failed with status code 429"));
        assert!(silent("Client error: `POST https://api.openai.com/v1/chat/completions` resulted in a `429 Too Many Requests` response"));
        assert!(silent("Streaming request failed: 429"));
        // A message of the server's own, whatever it says, is no silent 429.
        assert!(!silent(
            "429 Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute"
        ));
        assert!(!silent(
            "exceeded retry limit, last status: 429 Too Many Requests"
        ));
    }

    #[test]
    fn more_images_than_a_request_takes_is_the_request_s_size() {
        assert_eq!(
            first("Too many images in request. Max is 10."),
            Some(("items_over_limit", Kind::RequestTooLarge))
        );
        assert_eq!(
            first("The number of images exceeds the limit of 5 per request"),
            Some(("items_over_limit", Kind::RequestTooLarge))
        );
        // A window that counts images' tokens is no count of images.
        assert_ne!(
            first("The decoder prompt (length 337896) is longer than the maximum model length of 128000. For image inputs, the number of image tokens depends on the number of images").map(|r| r.0),
            Some("items_over_limit")
        );
        // An image the model cannot read is no count.
        assert_ne!(
            first("Invalid image: the image could not be decoded").map(|r| r.0),
            Some("items_over_limit")
        );
    }

    #[test]
    fn an_unsupported_media_type_is_the_request_s_content_type() {
        assert_eq!(
            first("415 Unsupported Media Type: Content-Type must be application/json"),
            Some(("media_type", Kind::BadRequest))
        );
    }

    #[test]
    fn an_invalid_content_filter_policy_is_a_setting_not_a_block() {
        assert_ne!(
            first("Your request contains invalid content filter policy. Please provide a valid policy.").map(|r| r.1),
            Some(Kind::ContentFilter)
        );
        assert_eq!(
            first("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.")
                .map(|r| r.1),
            Some(Kind::ContentFilter)
        );
    }

    #[test]
    fn a_refusal_said_of_a_route_is_the_route() {
        assert_eq!(
            first("Multi Agent requests are not allowed on chat completions"),
            Some(("refused_on_route", Kind::WrongRoute))
        );
        assert_eq!(
            first("Image inputs are not supported via the completions endpoint; use chat"),
            Some(("refused_on_route", Kind::WrongRoute))
        );
        // A parameter not supported on a model is no route.
        assert_ne!(
            first("temperature is not supported with this model").map(|r| r.0),
            Some("refused_on_route")
        );
    }

    #[test]
    fn a_go_struct_field_says_whose_json_could_not_be_read() {
        // A relay in Go reading the request it was sent: the request's shape.
        assert_eq!(
            first("json: cannot unmarshal array into Go struct field Request.tools.function of type object"),
            Some(("request_unmarshal", Kind::ParamRejected))
        );
        // A client in Go reading the answer: the answer's shape.
        assert_eq!(
            first("json: cannot unmarshal string into Go struct field Response.choices.index of type int"),
            Some(("response_unparsed", Kind::BadResponse))
        );
        // The request's content itself of the wrong type: a malformed request.
        assert_eq!(
            first("json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message"),
            Some(("request_content_unmarshal", Kind::BadRequest))
        );
    }

    #[test]
    fn a_message_shape_the_model_does_not_take_is_refused_not_malformed() {
        assert_eq!(
            first(
                "Unsupported value: 'messages[0].role' does not support 'system' with this model."
            ),
            Some(("message_shape_refused", Kind::ParamRejected))
        );
        assert_eq!(
            first("Failed to deserialize the JSON body into the target type: messages[25]: unknown variant `image_url`, expected `text` at line 1 column 102905"),
            Some(("message_shape_refused", Kind::ParamRejected))
        );
        // A message that is malformed stays a bad request.
        assert_eq!(
            first("messages.126: all messages must have non-empty content except for the optional final assistant message"),
            Some(("messages_invalid", Kind::BadRequest))
        );
        // serde's unknown variant in another field is that field's.
        assert_eq!(
            first("Failed to deserialize the JSON body into the target type: tools[55].type: unknown variant `x_search`, expected `function` or `live_search`"),
            Some(("variant_refused", Kind::ParamRejected))
        );
    }

    #[test]
    fn what_was_retired_says_whether_the_model_or_the_route_moves() {
        assert_eq!(
            first("Generate API was removed on September 15 2025. Please migrate to Chat API."),
            Some(("api_retired", Kind::WrongRoute))
        );
        assert_eq!(
            first("model 'command' was removed on September 15, 2025. See the list of models you can use instead.").map(|r| r.1),
            Some(Kind::ModelNotFound)
        );
        assert_eq!(
            first("com.google.genai.errors.ClientException: 400 . claude-opus-4-6 is not supported in the generateContent API."),
            Some(("model_not_on_api", Kind::WrongRoute))
        );
        // A refusal whose object is no API is not a route's.
        assert_ne!(
            first("tool type x is not supported in the current version").map(|r| r.0),
            Some("model_not_on_api")
        );
    }

    #[test]
    fn a_body_cut_or_over_a_limit_is_named_by_the_server_s_own_words() {
        assert_eq!(
            first("Provider error: terminated"),
            Some(("body_terminated", Kind::StreamTruncated))
        );
        // A process terminated by a signal is no cut body.
        assert_ne!(
            first("worker: terminated by signal 9").map(|r| r.0),
            Some("body_terminated")
        );
        assert_eq!(
            first("Failed to buffer the request body: length limit exceeded"),
            Some(("body_limit", Kind::RequestTooLarge))
        );
        assert_eq!(
            first("messages.161.content.1.image.source.base64: image exceeds 5 MB maximum: 5272940 bytes > 5242880 bytes"),
            Some(("part_too_large", Kind::RequestTooLarge))
        );
    }

    #[test]
    fn an_sdk_that_will_not_send_a_long_request_unstreamed_names_max_tokens() {
        // The Anthropic SDKs' error links their README's "Long Requests" section.
        let text = "Streaming is required for operations that may take longer than 10 minutes. See https://github.com/anthropics/anthropic-sdk-typescript#long-requests for more details";
        assert_eq!(first(text), Some(("sdk_long_request", Kind::ParamRejected)));
    }

    #[test]
    fn roles_out_of_order_name_the_messages_and_a_template_keeps_its_own_reading() {
        // Anthropic's and Mistral's documented wording, and a template that raised.
        for text in [
            "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row",
            "Unexpected role 'user' after role 'user': roles should alternate with assistant messages",
        ] {
            assert_eq!(first(text).map(|r| r.1), Some(Kind::BadRequest), "{text}");
        }
        assert_eq!(
            first("Unexpected role 'user' after role 'user': roles should alternate with assistant messages").map(|r| r.0),
            Some("roles_alternate")
        );
        assert_eq!(
            first("jinja2.exceptions.TemplateError: Conversation roles must alternate user/assistant/user/assistant/...").map(|r| r.0),
            Some("chat_template")
        );
        // Alternation words about something other than the conversation are not this.
        assert_ne!(
            first("the load balancer will alternate between backends").map(|r| r.0),
            Some("roles_alternate")
        );
    }

    #[test]
    fn an_application_with_nothing_set_up_is_not_a_server_or_a_key() {
        for text in [
            "NotConfiguredException: You should config a LLM configuration first",
            "No LLM provider configured (see the configuration docs)",
            "LLM not set",
            "Exception: No llm models were loaded",
        ] {
            assert_eq!(
                first(text),
                Some(("setup_missing", Kind::ProviderInit)),
                "{text}"
            );
        }
        // A missing key is the key's; a gateway without a route names the model's id; a
        // server that answered was reached.
        assert_ne!(
            first("LLM api key not configured").map(|r| r.0),
            Some("setup_missing")
        );
        assert_ne!(
            first("no route configured for model x on this gateway").map(|r| r.0),
            Some("setup_missing")
        );
        assert_ne!(
            first_with(Some(400), "LLM not set").map(|r| r.0),
            Some("setup_missing")
        );
    }

    #[test]
    fn a_parse_failure_about_a_tool_call_is_the_model_s_tool_call() {
        for text in [
            "Could not parse tool input: {'name': 'x', 'arguments': 'hi'} because the arguments is not valid JSON.",
            "Failed to parse tool arguments from chat model response. Text: \"[]\"",
            "Invalid tool call arguments: EOF while parsing an object at line 1 column 23",
        ] {
            assert_eq!(first(text).map(|r| r.1), Some(Kind::ToolCallMalformed), "{text}");
        }
        // A refused capability is not a parse failure.
        assert_ne!(
            first("this model does not support tool calls; could not parse").map(|r| r.0),
            Some("tool_parse_failed")
        );
    }

    #[test]
    fn a_quota_said_to_be_not_enough_is_a_balance_and_a_window_is_not() {
        assert_eq!(
            first("user quota is not enough (request id: 1)").map(|r| r.1),
            Some(Kind::Billing)
        );
        assert_ne!(
            first("quota is not enough for requests per minute, retry in 20s").map(|r| r.1),
            Some(Kind::Billing)
        );
    }

    #[test]
    fn a_server_framework_crash_yields_to_the_error_under_it() {
        assert_eq!(
            first("ERROR:    Exception in ASGI application\nTraceback (most recent call last):")
                .map(|r| r.0),
            Some("server_framework_crash")
        );
        // An application's own server logging a failed call to a provider: the call's error decides.
        assert_eq!(
            first("Exception in ASGI application\nopenai.AuthenticationError: Incorrect API key provided").map(|r| r.1),
            Some(Kind::Auth)
        );
    }

    #[test]
    fn a_request_that_was_never_sent_is_the_connection_not_a_cut_stream() {
        assert_eq!(
            first("stream disconnected before completion: error sending request for url (https://x/v1/responses)").map(|r| r.1),
            Some(Kind::Network)
        );
        assert_eq!(
            first("stream disconnected before completion: incomplete chunked read").map(|r| r.1),
            Some(Kind::StreamTruncated)
        );
    }

    #[test]
    fn a_model_refused_for_the_kind_of_account_is_access() {
        assert_eq!(
            first("The 'gpt-x' model is not supported when using Codex with a ChatGPT account.")
                .map(|r| r.1),
            Some(Kind::AccessDenied)
        );
        assert_eq!(
            first("The model `gpt-x` does not exist").map(|r| r.1),
            Some(Kind::ModelNotFound)
        );
    }
    #[test]
    fn a_stop_reason_that_names_the_cap_is_the_output_length() {
        for t in [
            "API finished with unexpected reason: length",
            r#"raise: "{\"type\":\"message\",\"stop_reason\":\"max_tokens\",\"stop_sequence\":null}""#,
            "candidate finished: FinishReason.MAX_TOKENS",
        ] {
            assert_eq!(
                first(t),
                Some(("stop_reason_length", Kind::OutputLength)),
                "{t}"
            );
        }
        // Another reason, or a word that only starts like one, is not the cap.
        assert_eq!(first("stop reason: lengthy"), None);
        assert_eq!(first("stop_reason: end_turn"), None);
    }

    #[test]
    fn a_quota_of_zero_or_a_free_tier_used_up_is_billing() {
        assert_eq!(
            first("Quota exceeded for metric: generate_content_free_tier_requests, limit: 0, model: gemini-2.0-flash. Please retry in 1.9s."),
            Some(("quota_zero", Kind::Billing))
        );
        // A quota with a limit that is met for now, and a wait: the window.
        assert_eq!(
            first("Quota exceeded for metric: generate_content_free_tier_requests, limit: 10, model: gemini-2.0-flash. Please retry in 1.9s.").map(|r| r.1),
            Some(Kind::RateLimit)
        );
        assert_eq!(
            first("400 The free tier of the model has been exhausted."),
            Some(("free_tier_exhausted", Kind::Billing))
        );
    }

    #[test]
    fn words_about_the_answer_and_the_client_s_own_deadline() {
        // An HTML type is the answer's, never the request's.
        assert_eq!(
            first("Invalid content-type: text/html; charset=utf-8"),
            Some(("html_content_type", Kind::BadResponse))
        );
        assert_eq!(
            first("Invalid content-type: application/x-www-form-urlencoded").map(|r| r.1),
            Some(Kind::BadRequest)
        );
        // AbortSignal.timeout(): a deadline, not a cancel.
        assert_eq!(
            first("The operation was aborted due to timeout").map(|r| r.1),
            Some(Kind::Timeout)
        );
        assert_eq!(
            first("The operation was aborted").map(|r| r.1),
            Some(Kind::Aborted)
        );
        assert_eq!(
            first("Streaming error: Provider emitted an invalid streaming event (322 bytes).")
                .map(|r| r.1),
            Some(Kind::StreamMalformed)
        );
    }
    #[test]
    fn the_only_route_a_model_is_served_on_is_named() {
        for t in [
            "AI_APICallError: model \"gpt-5.4-mini\" is not accessible via the /chat/completions endpoint",
            "gemini (400): This model only supports Interactions API.",
        ] {
            assert_eq!(first(t), Some(("only_route", Kind::WrongRoute)), "{t}");
        }
        // "only supports" of something else is no route.
        assert_ne!(
            first("This model only supports text input.").map(|r| r.0),
            Some("only_route")
        );
    }
    #[test]
    fn an_engine_s_state_and_an_allowance_are_read_over_the_status() {
        // "currently overloaded" with a 429 is the engine's state; TGI's full queue stays the
        // caller's rate.
        assert_eq!(
            first_with(Some(429), "429 The engine is currently overloaded"),
            Some(("overloaded", Kind::ServerError))
        );
        assert_ne!(
            first_with(Some(429), "Model is overloaded").map(|r| r.1),
            Some(Kind::ServerError)
        );
        // A quota used up with no window beside it is an allowance; with one, a window.
        assert_eq!(
            first("API key quota exceeded"),
            Some(("quota_no_window", Kind::Billing))
        );
        assert_ne!(
            first("Quota exceeded for requests per minute").map(|r| r.0),
            Some("quota_no_window")
        );
        // A stream that ended before its own end event was cut.
        assert_eq!(
            first("Anthropic stream ended before message_stop").map(|r| r.1),
            Some(Kind::StreamTruncated)
        );
    }
    #[test]
    fn who_speaks_and_about_what() {
        // Connect-RPC's status in brackets is the RPC's, not the connection's.
        assert_ne!(
            first("Failed to log in: ConnectError: [permission_denied] api server wire error: free user account exceeded").map(|r| r.1),
            Some(Kind::Network)
        );
        assert_eq!(
            first("ConnectError: [unavailable] connection refused").map(|r| r.1),
            Some(Kind::Network)
        );
        // The model as the one that does not support something: it exists.
        assert_ne!(
            first("The requested combination of response modalities (TEXT) is not supported by the model.").map(|r| r.1),
            Some(Kind::ModelNotFound)
        );
        assert_eq!(
            first("The model `gpt-9` is not supported").map(|r| r.1),
            Some(Kind::ModelNotFound)
        );
        // An event stream named as what was expected: the answer was something else.
        assert_eq!(
            first("Got: Content-Type: application/json Expected Content-Type: text/event-stream"),
            Some(("sse_type_expected", Kind::NotSse))
        );
        assert_ne!(
            first("content-type: text/event-stream\n\ndata: {\"error\":\"expected a string\"}")
                .map(|r| r.0),
            Some("sse_type_expected")
        );
    }
    #[test]
    fn a_condition_of_json_mode_and_a_package_loaded_on_demand() {
        // JSON mode needs the word in the messages: the content is what to fix.
        assert_eq!(
            first("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."),
            Some(("json_word_required", Kind::BadRequest))
        );
        assert_eq!(
            first("Error: The 'anthropic' package is required for the Anthropic provider. Install it with: pip install 'anthropic>=0.39.0'").map(|r| r.1),
            Some(Kind::ProviderInit)
        );
    }
}
